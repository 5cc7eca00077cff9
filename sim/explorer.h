/* sim/explorer.h: one scenario run in memory, step by step, for the
 * teaching explorer (explorer/, docs/teaching.md).
 *
 * The explorer is the same engine built for WebAssembly
 * (scripts/build-explorer): a page hands it a parameter file's text, runs
 * the cohort a slice of patients at a time (so that it can show progress
 * and be cancelled between slices) and reads the cohort's summary back as
 * JSON. Nothing is written to a file; the run is single-threaded. Because a
 * patient's course depends only on (seed, replicate, patient), the totals
 * are those of `ipsim run` on the same file, count for count
 * (tests/test_explorer.py compares them).
 *
 * The functions take and return plain C types (pointers, int, double), so
 * that JavaScript can call them through the wasm exports without structs. */
#ifndef IPSIM_EXPLORER_H
#define IPSIM_EXPLORER_H

#include <stdint.h>

typedef struct ipsim_explorer ipsim_explorer; /* opaque */

/* Resolves the parameter file's text (NUL-terminated YAML, as
 * `ipsim run FILE` reads it; `base:` is not allowed: there are no files)
 * and builds the model. Returns NULL only if memory runs out; otherwise a
 * handle, which may hold an error (ipsim_explorer_error): then every step
 * fails. Uncertain parameters under psa.sample are refused: the explorer
 * runs one scenario, one parameter set. Free with ipsim_explorer_free. */
ipsim_explorer *ipsim_explorer_open(const char *yaml);

void ipsim_explorer_free(ipsim_explorer *x); /* NULL is a no-op */

/* The error, formatted with file, line and key as the command line prints
 * it; "" when there is none. Owned by x. */
const char *ipsim_explorer_error(const ipsim_explorer *x);

/* Simulates up to `patients` (>= 1) more patients, in patient order, replicate
 * after replicate. Returns 1 when the whole cohort is done, 0 when patients
 * remain, -1 on an error (ipsim_explorer_error). */
int ipsim_explorer_step(ipsim_explorer *x, int patients);

/* The share of patient-months simulated so far, 0 to 1. */
double ipsim_explorer_done(const ipsim_explorer *x);

/* The summary of the patients simulated so far (all replicates merged) as
 * JSON: the integer tallies under the names of the HDF5 file's summary/
 * and economics/ datasets (docs/output-format.md), and the figures the
 * explorer draws, derived from them as `ipsim report` derives them (the
 * cumulative share with an infection by grade at diagnosis with Wilson 95%
 * intervals, rates per 100 patient-years with Garwood intervals, mean
 * costs and QALYs). Owned by x, valid until the next call on x; NULL on an
 * error. */
const char *ipsim_explorer_json(ipsim_explorer *x);

/* The resolved parameter set as a complete YAML parameter file (every key,
 * as `ipsim params` writes it), which `ipsim run` resolves to the same set.
 * Owned by x; NULL on an error. */
const char *ipsim_explorer_resolved_yaml(ipsim_explorer *x);

#endif
