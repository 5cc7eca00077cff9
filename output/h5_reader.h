/* output/h5_reader.h: opens a file written by `ipsim run` and checks that it
 * is one before anything is read from it.
 *
 * Every command that reads results goes through here, so each gets the same
 * checks and messages: not a regular file, not HDF5, truncated or damaged,
 * not written by ipsim (no format = "ipsim" attribute), an older or newer
 * format_version, parameters that no longer resolve, a scenario group or
 * dataset missing or of the wrong shape. All are IPSIM_EFORMAT (or
 * IPSIM_EIO for files that cannot be opened at all) with the path named. */
#ifndef IPSIM_H5_READER_H
#define IPSIM_H5_READER_H

#include "base/error.h"
#include "output/h5_format.h"
#include "output/summary.h"
#include "params/params.h"

typedef struct ipsim_h5_reader ipsim_h5_reader;

/* Opens a file at its first scenario. */
int ipsim_h5_reader_open(ipsim_h5_reader **out, const char *path, ipsim_error *err);

/* Opens a file at scenario `index` (0 .. ipsim_h5_reader_scenario_count - 1,
 * in the order of the file's `/scenarios` table). */
int ipsim_h5_reader_open_scenario(ipsim_h5_reader **out, const char *path, int index,
                                  ipsim_error *err);

/* Opens every scenario of the file at `path`, one reader each, appending
 * them to the growing array *readers (of *count; free it with free() after
 * closing each). On failure nothing is appended. */
int ipsim_h5_reader_open_all(const char *path, ipsim_h5_reader ***readers, int *count,
                             ipsim_error *err);

/* How many scenarios the file holds. */
int ipsim_h5_reader_scenario_count(const ipsim_h5_reader *r);

/* The path the reader was opened with. */
const char *ipsim_h5_reader_path(const ipsim_h5_reader *r);
void ipsim_h5_reader_close(ipsim_h5_reader *r); /* NULL is a no-op */

/* The open scenario's resolved parameters (its group's `parameters`). */
const ipsim_params *ipsim_h5_reader_params(const ipsim_h5_reader *r);

/* Attribute values of the file, owned by r. */
const char *ipsim_h5_reader_created_utc(const ipsim_h5_reader *r);
const char *ipsim_h5_reader_version(const ipsim_h5_reader *r);

/* Adds the summaries of every replicate into `total` (made for the file's
 * parameters with ipsim_summary_create). */
int ipsim_h5_reader_read_summary(ipsim_h5_reader *r, ipsim_summary *total, ipsim_error *err);

/* Reads patients first .. first+count-1 of one replicate from per-patient
 * column c (a row of ipsim_patient_columns, or one a module appended:
 * output/h5_format.h) as doubles into buf[count x c->width]; enumerations
 * give their values' numbers. */
int ipsim_h5_reader_read_column(ipsim_h5_reader *r, const ipsim_column *c, int64_t replicate,
                                int64_t first, int64_t count, double *buf, ipsim_error *err);

/* Reads a per-replicate dataset of the open scenario ("economics/mean",
 * "summary/deaths_by_cause": [R] or [R, ...] with `width` values per
 * replicate) as doubles into buf[R x width]. */
int ipsim_h5_reader_read_replicate_table(ipsim_h5_reader *r, const char *name, int64_t width,
                                         double *buf, ipsim_error *err);

/* The number of values of a dataset under the root ("voi/report_wtp"), or
 * -1 if it is missing or unreadable (optional parts of a file). */
int64_t ipsim_h5_reader_root_size(ipsim_h5_reader *r, const char *name);

/* Reads a dataset under the root ("psa/parameters") of `count` values as
 * doubles. */
int ipsim_h5_reader_read_root_table(ipsim_h5_reader *r, const char *name, int64_t count,
                                    double *buf, ipsim_error *err);

/* A string attribute of the group `group` under the root ("sweep"; "/"
 * for the root itself), malloc'd; NULL if the group or attribute is
 * missing. */
char *ipsim_h5_reader_root_attribute(const ipsim_h5_reader *r, const char *group,
                                     const char *name);

/* Reads a one-dimensional string dataset under the root ("sweep/scenario")
 * into *out, a malloc'd array of *count malloc'd strings (free with
 * ipsim_h5_reader_free_strings). */
int ipsim_h5_reader_read_root_strings(ipsim_h5_reader *r, const char *name, char ***out,
                                      int64_t *count, ipsim_error *err);

/* Frees what ipsim_h5_reader_read_root_strings read; NULL is a no-op. */
void ipsim_h5_reader_free_strings(char **strings, int64_t count);

#endif
