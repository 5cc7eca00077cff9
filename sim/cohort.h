/* sim/cohort.h: runs a cohort, replicate by replicate, block by block.
 *
 * Patients are simulated in blocks of consecutive indices; the threads share
 * each block, and when it is complete the block is handed, in order, to a
 * sink (typically the HDF5 writer). Memory is therefore one block, whatever
 * the cohort size. Summaries are integer tallies, so they too are identical
 * for any thread count. */
#ifndef IPSIM_COHORT_H
#define IPSIM_COHORT_H

#include <signal.h>
#include <stdint.h>

#include "base/error.h"
#include "models/patient.h"
#include "output/block.h"
#include "output/summary.h"

/* Receives each block in patient order. A non-zero return stops the run. */
typedef int (*ipsim_block_sink)(void *ctx, const ipsim_block *block, ipsim_error *err);

/* Receives each replicate's totals when it is complete, in replicate order.
 * The summary is valid only during the call. A non-zero return stops the run. */
typedef int (*ipsim_replicate_sink)(void *ctx, int64_t replicate, const ipsim_summary *summary,
                                    ipsim_error *err);

/* Called after each block with patient-months done so far and in all. */
typedef void (*ipsim_progress_fn)(void *ctx, int64_t done, int64_t total);

typedef struct ipsim_cohort_config {
    int threads;               /* >= 1 */
    int64_t block_patients;    /* patients per block; results do not depend on it */
    int keep_trajectories;     /* fill the block's rows (grade, infections, ..., levels) */
    /* With keep_trajectories: but not the levels' rows, which the sink does
     * not write (output.trajectories: states); the summary reads them from
     * one scratch row per thread, as without trajectories. */
    int scratch_levels;
    /* When *cancel becomes non-zero (a signal handler's flag), the threads
     * skip the rest of the block, which is discarded, and the run stops with
     * IPSIM_EINTERRUPTED. May be NULL. */
    const volatile sig_atomic_t *cancel;
    ipsim_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    /* Patient-months of the whole run (a study, a sweep) done before this
     * call and in all, for the message of an interrupted run; 0 and 0:
     * this call is the whole run. */
    int64_t work_before, work_total;
    /* Patients first_patient .. first_patient + patient_count - 1 of each
     * replicate only (patient_count 0: the whole cohort), e.g. one block of
     * a cohort whose blocks are shared among processes. A patient's course
     * depends on its index alone, so it is the same either way; the
     * replicate sink then receives the totals of these patients only. */
    int64_t first_patient, patient_count;
} ipsim_cohort_config;

/* The consumers of a run's results; any may be NULL.
 *
 * A block sink may split its work: prepare_parts says how many independent
 * parts a block has, and the threads share the prepare(part) calls (e.g.
 * compressing output chunks) before `block` runs on the master thread alone
 * (e.g. writing them). prepare must be reentrant for distinct parts and
 * record its own failures for `block` to report. A sink with a prepare
 * stage promises that `block` reads nothing of the block's rows and
 * records (only its position), so the other threads simulate the next
 * block while the master writes this one. It may have a gather stage too
 * (gather_parts, gather: the same contract), which the threads finish
 * before any prepare begins (e.g. taking the records' values into the
 * chunks' buffers, patient range by patient range, while the records are
 * in cache); the master has finished writing the previous block by then. */
typedef struct ipsim_cohort_sinks {
    int (*gather_parts)(void *ctx, const ipsim_block *block);
    void (*gather)(void *ctx, const ipsim_block *block, int part);
    int (*prepare_parts)(void *ctx, const ipsim_block *block);
    void (*prepare)(void *ctx, const ipsim_block *block, int part);
    ipsim_block_sink block;
    ipsim_replicate_sink replicate;
    void *ctx; /* passed to all */
} ipsim_cohort_sinks;

/* Simulates replicates first_replicate .. first_replicate + replicates - 1,
 * cohorts of `patients` with the model, handing each block and each
 * replicate's summary to the sinks (a PSA runs one replicate per call,
 * each with the model of its own parameter draws). Memory is a block and a
 * summary per thread, whatever the cohort size or replicate count.
 * Errors: the sinks', IPSIM_ENOMEM, IPSIM_EINTERRUPTED. */
int ipsim_cohort_run(const ipsim_model *model, uint64_t seed, int64_t patients,
                     int64_t first_replicate, int64_t replicates,
                     const ipsim_cohort_config *config,
                     const ipsim_cohort_sinks *sinks, ipsim_error *err);

/* The most threads a run uses (--threads, OMP_NUM_THREADS). */
#define IPSIM_THREADS_MAX 4096

/* The thread count to run with, in *threads: `requested` if positive, else
 * OpenMP's default (all cores, or OMP_NUM_THREADS); 1 without OpenMP.
 * IPSIM_EUSAGE if OMP_NUM_THREADS asks for more than IPSIM_THREADS_MAX. */
int ipsim_cohort_threads(int requested, int *threads, ipsim_error *err);

/* Bytes of memory a run with this configuration allocates (block buffers
 * and summaries), for checking before it starts. */
double ipsim_cohort_memory_bytes(const ipsim_model *model, int64_t patients,
                                 const ipsim_cohort_config *config);

#endif
