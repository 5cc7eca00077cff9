/* sim/run.h: simulating scenarios into an HDF5 writer: what `ipsim run`
 * (a study) and `ipsim sweep` (many scenarios, in parts, resumable) share.
 *
 * A scenario's results depend on its parameters alone (and, under PSA, on
 * the draws, which depend on the shared distributions and the seed alone),
 * never on which process, part or thread computed them, or on what ran
 * before: that is what lets a sweep be split, stopped, resumed and merged
 * with the same results. */
#ifndef IPSIM_RUN_H
#define IPSIM_RUN_H

#include <signal.h>
#include <stdint.h>

#include "analysis/paired.h"
#include "base/error.h"
#include "base/ranks.h"
#include "output/csv.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "output/summary.h"
#include "params/study.h"
#include "sim/progress.h"

/* How scenarios are simulated. */
typedef struct ipsim_run_settings {
    int threads;            /* >= 1 */
    int64_t block_patients; /* 0: the writer's choice */
    const volatile sig_atomic_t *cancel; /* may be NULL */
    ipsim_progress *progress;            /* may be NULL */
    int64_t progress_offset, progress_total; /* patient-months before this scenario; in all */
} ipsim_run_settings;

/* Builds every scenario's model (and so checks it) before anything runs,
 * and sizes the run: *memory, the largest scenario's (block buffers,
 * chunk buffers, HDF5's caches), and *output, all scenarios' datasets
 * before compression. Errors: the model's, with the scenario named. */
int ipsim_run_check_study(const ipsim_study *study, int threads, int64_t block_patients,
                          const volatile sig_atomic_t *cancel, double *memory, double *output,
                          ipsim_error *err);

/* Warns on stderr (unless quiet) when p's cycle length moves the timetable
 * the calibration assumes (ipsim_params_timetable_moves). */
void ipsim_run_warn_timetable(const ipsim_params *p, int quiet);

/* Warns as ipsim_run_warn_timetable; refuses, before anything runs, a run
 * that cannot fit in memory, or whose uncompressed output cannot fit on the disk of output_path when it is
 * not compressed (IPSIM_EUSAGE, IPSIM_EPARAM); warns (unless quiet) when
 * only compression could make it fit. */
int ipsim_run_check_resources(const ipsim_params *p, double memory, double output,
                              const char *output_path, int quiet, ipsim_error *err);

/* The PSA draws of every replicate, [replicates][ipsim_psa_dimension],
 * checked for every scenario of the study (each draw applied must give
 * valid parameters and a model), so that no draw can stop a run midway.
 * *out is malloc'd. Both checks poll *cancel (may be NULL), per scenario
 * and per replicate: IPSIM_EINTERRUPTED once set. */
int ipsim_run_draw_parameters(const ipsim_study *study, const volatile sig_atomic_t *cancel,
                              double **out, ipsim_error *err);

/* Writes /psa/parameters [replicate, parameter] and each parameter's
 * distribution. */
int ipsim_run_write_draws(ipsim_h5_writer *writer, const ipsim_params *p, const double *draws,
                          ipsim_error *err);

/* Simulates scenario p into the writer (a group of its own), with `draws`
 * (NULL without PSA) giving each replicate's parameters; adds every
 * replicate's totals to *total if total is not NULL (made for p). */
int ipsim_run_scenario(ipsim_h5_writer *writer, const ipsim_params *p, const double *draws,
                       const ipsim_run_settings *settings, ipsim_summary *total,
                       ipsim_error *err);

/* Simulates every scenario of the study into the writer, in order, each
 * with ipsim_run_scenario; the progress counts the whole study (settings'
 * progress_offset and progress_total are set here). *last receives the
 * totals of the last scenario simulated (free with ipsim_summary_free;
 * also after an error, when it may be NULL). */
int ipsim_run_study(ipsim_h5_writer *writer, const ipsim_study *study, const double *draws,
                    const ipsim_run_settings *settings, ipsim_summary **last, ipsim_error *err);

/* As ipsim_run_scenario, collectively on every rank of an MPI job, into a
 * writer made by ipsim_h5_writer_create_shared. The scenario's blocks
 * (replicate by replicate, patient block by block) are dealt to the ranks
 * in turn, round by round, each simulated with the rank's threads and
 * written through parallel HDF5; each replicate's totals are summed over
 * the ranks (integers, so in any order) and written by all. The file holds
 * the same values as ipsim_run_scenario's. Only rank 0 shows progress. */
int ipsim_run_scenario_shared(ipsim_h5_writer *writer, const ipsim_ranks *ranks,
                              const ipsim_params *p, const double *draws,
                              const ipsim_run_settings *settings, ipsim_error *err);

/* Pauses the unfinished file of `writer` (ipsim_h5_writer_pause) and opens
 * its first `scenarios` scenarios for reading into *readers (allocated;
 * close with ipsim_run_close_read_back, also after an error, then resume
 * the writer before writing more): a comparison is computed from the
 * scenarios as written. Errors: the reader's, IPSIM_ENOMEM. */
int ipsim_run_read_back(ipsim_h5_writer *writer, int scenarios, ipsim_h5_reader ***readers,
                        ipsim_error *err);
void ipsim_run_close_read_back(ipsim_h5_reader **readers, int scenarios); /* NULL: no-op */

/* Reads the finished scenarios of the unfinished file back, compares them
 * (analysis/comparison.h), prints the comparison unless quiet, and stores it
 * in the file and, with csv_dir, as CSV tables staged in `csv` (in full,
 * not yet renamed: the caller commits them with ipsim_csv_set_commit once
 * the file is committed, and frees the set in any case). `target` names
 * the file in the tables. Reading the patients polls *cancel (may be NULL),
 * and once more before the tables: IPSIM_EINTERRUPTED once set. `pairs`:
 * the per-patient sums if read already (ipsim_comparison_compute_given;
 * NULL: read here). */
int ipsim_run_compare(ipsim_h5_writer *writer, int scenarios, const char *target,
                      const char *csv_dir, ipsim_csv_set *csv, const double *wtp, int wtp_count,
                      int quiet, const ipsim_difference *pairs,
                      const volatile sig_atomic_t *cancel, ipsim_error *err);

/* The time now, ISO 8601 in UTC ("2026-11-29T09:30:00Z"). */
void ipsim_run_utc_now(char *buf, size_t size);

/* The provenance a file of the study records: this ipsim, the command
 * line, the study's name and seed, and the time `created` (which must
 * outlive the info). */
ipsim_run_info ipsim_run_info_of(const ipsim_study *study, const char *command_line,
                                 const char *created);

#endif
