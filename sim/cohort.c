/* sim/cohort.c: the block loop and its OpenMP parallelism.
 *
 * One parallel region spans the whole run. In each block the threads split
 * the patients statically (`omp for`), each writing its own rows of the
 * shared block buffers and adding to its own summary; one thread then hands
 * the finished block to the sink (`omp single`) while the others wait at its
 * barrier. Per-thread summaries are merged at the end of each replicate;
 * integer sums make the merge order irrelevant. */
#include "sim/cohort.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct workspace {
    uint8_t *grade;          /* block rows, or one scratch row per thread */
    uint8_t *infections;
    ipsim_patient_record *records;
    ipsim_summary **thread_summaries;
    int threads;
} workspace;

static void workspace_free(workspace *w)
{
    free(w->grade);
    free(w->infections);
    free(w->records);
    if (w->thread_summaries)
        for (int t = 0; t < w->threads; t++)
            ipsim_summary_free(w->thread_summaries[t]);
    free(w->thread_summaries);
}

int ipsim_cohort_run(const ipsim_model *model, uint64_t seed, int64_t patients,
                     int64_t replicates, const ipsim_cohort_config *config,
                     ipsim_block_sink sink, void *sink_ctx, ipsim_summary **summaries,
                     ipsim_error *err)
{
    const int threads = config->threads > 0 ? config->threads : 1;
    const int64_t months = model->cycles + 1;
    const int64_t block = config->block_patients < patients ? config->block_patients : patients;
    const int keep = config->keep_trajectories;
    /* Without trajectories each thread needs only one scratch row. */
    const int64_t rows = keep ? block : threads;

    workspace w = {.threads = threads};
    int rc = IPSIM_OK;
    w.grade = malloc((size_t)(rows * months));
    w.infections = malloc((size_t)(rows * months));
    w.records = malloc((size_t)block * sizeof *w.records);
    w.thread_summaries = calloc((size_t)threads, sizeof *w.thread_summaries);
    if (!w.grade || !w.infections || !w.records || !w.thread_summaries) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a block of %lld patients",
                        (long long)block);
        goto cleanup;
    }
    for (int t = 0; t < threads; t++) {
        rc = ipsim_summary_create_like(&w.thread_summaries[t], summaries[0], err);
        if (rc)
            goto cleanup;
    }

    const int64_t total_work = patients * replicates * model->cycles * model->cycle_months;
    int64_t work_done = 0;
    /* Shared: written only inside `omp single`, read after its barrier. */
    int stop = 0;
    int status = IPSIM_OK;

#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
    {
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        ipsim_summary *mine = w.thread_summaries[tid];
        for (int64_t r = 0; r < replicates && !stop; r++) {
            ipsim_stream stream = {seed, (uint64_t)r};
            for (int64_t first = 0; first < patients && !stop; first += block) {
                const int64_t count = patients - first < block ? patients - first : block;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                for (int64_t i = 0; i < count; i++) {
                    const int64_t row = keep ? i : tid;
                    uint8_t *grade_row = w.grade + row * months;
                    uint8_t *infection_row = w.infections + row * months;
                    ipsim_patient_simulate(model, stream, (uint64_t)(first + i), grade_row,
                                           infection_row, &w.records[i]);
                    ipsim_summary_add_patient(mine, grade_row, &w.records[i]);
                }
#ifdef _OPENMP
#pragma omp single
#endif
                {
                    ipsim_block b = {.replicate = r,
                                     .first_patient = first,
                                     .count = count,
                                     .months = months,
                                     .grade = keep ? w.grade : NULL,
                                     .infections = keep ? w.infections : NULL,
                                     .records = w.records};
                    if (sink)
                        status = sink(sink_ctx, &b, err);
                    stop = status != IPSIM_OK;
                    work_done += count * model->cycles * model->cycle_months;
                    if (config->progress)
                        config->progress(config->progress_ctx, work_done, total_work);
                    if (!stop && config->cancel && *config->cancel) {
                        status = IPSIM_FAIL(err, IPSIM_EINTERRUPTED,
                                   "stopped by a signal after %lld of %lld patient-cycles",
                                   (long long)work_done, (long long)total_work);
                        stop = 1;
                    }
                }
            }
            /* The replicate is complete (or abandoned): fold thread totals in. */
#ifdef _OPENMP
#pragma omp critical(ipsim_summary_merge)
#endif
            {
                ipsim_summary_merge(summaries[r], mine);
                ipsim_summary_reset(mine);
            }
#ifdef _OPENMP
#pragma omp barrier
#endif
        }
    }
    rc = status;

cleanup:
    workspace_free(&w);
    return rc;
}
