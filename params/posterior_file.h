/* params/posterior_file.h: a file of joint parameter draws that a PSA takes
 * whole rows of, such as the posterior draws `ipsim calibrate --posterior N`
 * writes (models/posterior.h).
 *
 * A parameter file names it under psa:
 *
 *   psa:
 *     sample: true
 *     posterior: calibration/posterior-baseline.csv   # beside this file
 *
 * Each replicate then takes one row of the file, drawn uniformly from the
 * Philox stream with key (seed, replicate) and counter (a hash of
 * "psa.posterior", 0, IPSIM_PURPOSE_PSA), and sets every column's parameter
 * to that row's value: the calibrated parameters move together, as their
 * posterior says, and the file's other distributions are drawn beside them
 * as before. A column's parameter keeps its own value for runs without
 * PSA. The columns replace whatever distribution the layers gave their
 * elements, wherever psa.posterior stands (ipsim_posterior_attach).
 *
 * The file is CSV: lines starting with '#' are comments; the first other
 * line names the columns, each a real parameter or one element of a
 * vector as --set names it (infection.serious_share.severe; not a share of
 * a vector that must sum to 1, which one column would break); a first
 * column named `draw` is a row label and is not read; then one row per
 * draw. Every value must lie in its parameter's range. Errors name the
 * file, the line and the column's key.
 *
 * The parameter set keeps the file's absolute path, its FNV-1a checksum, its shape
 * and its columns (ipsim_posterior_ref), and the run reads the rows when it
 * draws (ipsim_posterior_file_open): a file changed in between is refused.
 * An output file's parameters hold the reference in its written form,
 * `{file: PATH, rows: N, checksum: C, columns: [...]}`, which reads back
 * without the file; the values each replicate took are in /psa/parameters. */
#ifndef IPSIM_POSTERIOR_FILE_H
#define IPSIM_POSTERIOR_FILE_H

#include <stdbool.h>

#include "base/error.h"
#include "params/params.h"
#include "params/yaml_tree.h"

/* The most rows a file may have. */
enum { IPSIM_POSTERIOR_ROWS_MAX = 1000000 };

typedef struct ipsim_posterior_file {
    ipsim_posterior_ref ref;
    double *values; /* [rows][columns] */
} ipsim_posterior_file;

/* Reads and checks the file at `path`. Errors: IPSIM_EIO (unreadable),
 * IPSIM_EPARAM (a malformed file, an unknown or repeated column, a value
 * out of range; with file, line and key), IPSIM_ENOMEM. Free with
 * ipsim_posterior_file_free. */
int ipsim_posterior_file_read(ipsim_posterior_file *out, const char *path, ipsim_error *err);

/* Reads the file `ref` names and checks it is the one the parameters were
 * resolved with (same checksum, rows and columns). Errors: those of
 * ipsim_posterior_file_read; IPSIM_EPARAM when it changed. */
int ipsim_posterior_file_open(ipsim_posterior_file *out, const ipsim_posterior_ref *ref,
                              ipsim_error *err);

void ipsim_posterior_file_free(ipsim_posterior_file *f); /* NULL-safe */

/* Sets p's parameters to row `row` of the file (0 .. rows - 1), each
 * column's element to its value: one draw of the posterior, as a PSA
 * replicate takes it. The caller checks the set (ipsim_params_check). */
void ipsim_posterior_file_apply(const ipsim_posterior_file *f, int64_t row, ipsim_params *p);

/* True if a and b name the same file with the same contents and columns. */
bool ipsim_posterior_same(const ipsim_posterior_ref *a, const ipsim_posterior_ref *b);

/* Reads psa.posterior's value at node `n` of the file `source` into *out:
 * '' for none; a path (relative to source's directory), whose file is
 * read, when from_file; or the written form. Errors as above, located at n. */
int ipsim_posterior_ref_parse(const ipsim_yaml_node *n, const char *source, bool from_file,
                              ipsim_posterior_ref *out, ipsim_error *err);

/* The written form of a reference (or '' for none), a YAML flow value. */
void ipsim_posterior_ref_format(const ipsim_posterior_ref *ref, char *buf, size_t size);

/* Makes p's uncertain list draw the referenced columns from the file
 * (IPSIM_DIST_POSTERIOR entries), replacing other distributions of those
 * elements. Errors: IPSIM_EPARAM when the list is full. */
int ipsim_posterior_attach(ipsim_params *p, ipsim_error *err);

#endif
