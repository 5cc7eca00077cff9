/* sim/cohort.c: the block loop and its OpenMP parallelism.
 *
 * One parallel region spans the whole run. In each block the threads share
 * the patients (`omp for`, dynamically scheduled), each writing its own rows of the
 * shared block buffers and adding to its own summary; they then share the
 * sink's prepare stage (compressing), and the master thread hands the block
 * to the sink (`omp master`, writing) while the others already simulate
 * the next block. At the end of a replicate the per-thread summaries are folded
 * into one; integer sums make the fold order irrelevant, so the totals are
 * the same for any thread count. */
#include "sim/cohort.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct workspace {
    uint8_t *grade; /* block rows, or one scratch row per thread */
    uint8_t *infections;
    uint8_t *ivig;
    uint8_t *phase;
    float *level[IPSIM_IG_CLASSES]; /* likewise, under the levels model only (else NULL) */
    int64_t stride, level_stride;   /* elements from one row to the next (row_stride) */
    ipsim_patient_record *records;
    ipsim_summary **thread_summaries;
    ipsim_summary *replicate_summary;
    int threads;
} workspace;

int ipsim_cohort_threads(int requested, int *threads, ipsim_error *err)
{
    *threads = 1;
    if (requested > 0) {
        *threads = requested;
        return IPSIM_OK;
    }
#ifdef _OPENMP
    const int asked = omp_get_max_threads();
    if (asked > IPSIM_THREADS_MAX)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "OMP_NUM_THREADS asks for %d threads; ipsim runs at most %d (set "
                          "OMP_NUM_THREADS or --threads to the cores to use)",
                          asked, IPSIM_THREADS_MAX);
    *threads = asked > 0 ? asked : 1;
#else
    (void)err;
#endif
    return IPSIM_OK;
}

static int64_t block_size(int64_t patients, const ipsim_cohort_config *config)
{
    int64_t block = config->block_patients > 0 ? config->block_patients : 65536;
    return block < patients ? block : patients;
}

static int64_t row_count(int64_t block, const ipsim_cohort_config *config)
{
    /* Without trajectories each thread needs only one scratch row. */
    return config->keep_trajectories ? block : (config->threads > 0 ? config->threads : 1);
}

/* Rows a sink reads lie end to end, as the block's datasets do; a thread's
 * scratch row starts on a cache line of its own (64 bytes, a multiple of
 * any element's size), or two threads would write one line at every cycle
 * that falls where their rows meet. */
enum { CACHE_LINE = 64 };

static int64_t row_stride(int64_t months, bool kept, size_t element_size)
{
    const int64_t per_line = CACHE_LINE / (int64_t)element_size;
    return kept ? months : (months + per_line - 1) / per_line * per_line;
}

/* Memory for `count` rows `stride` elements apart, on a cache line. */
static void *rows_alloc(size_t count, int64_t stride, size_t element_size)
{
    size_t bytes = count * (size_t)stride * element_size;
    bytes = (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    return aligned_alloc(CACHE_LINE, bytes ? bytes : CACHE_LINE);
}

static bool keeps_levels(const ipsim_cohort_config *config)
{
    return config->keep_trajectories && !config->scratch_levels;
}

static int64_t level_row_count(int64_t block, const ipsim_cohort_config *config)
{
    return keeps_levels(config) ? block : (config->threads > 0 ? config->threads : 1);
}

double ipsim_cohort_memory_bytes(const ipsim_model *model, int64_t patients,
                                 const ipsim_cohort_config *config)
{
    double months = (double)(model->cycles + 1);
    double block = (double)block_size(patients, config);
    double rows = (double)row_count((int64_t)block, config);
    double level_rows = (double)level_row_count((int64_t)block, config);
    double threads = config->threads > 0 ? config->threads : 1;
    /* Four byte rows, and the levels model's three float rows. */
    double level_bytes = model->levels ? IPSIM_IG_CLASSES * sizeof(float) : 0;
    return (4.0 * rows + level_bytes * level_rows) * months +
           block * (double)sizeof(ipsim_patient_record) +
           (threads + 1) * (months * (IPSIM_STATES + IPSIM_PHASE_STATES + 3 + IPSIM_IG_CLASSES) *
                                sizeof(int64_t) +
                            sizeof(ipsim_summary));
}

static void workspace_free(workspace *w)
{
    free(w->grade);
    free(w->infections);
    free(w->ivig);
    free(w->phase);
    for (int k = 0; k < IPSIM_IG_CLASSES; k++)
        free(w->level[k]);
    free(w->records);
    if (w->thread_summaries)
        for (int t = 0; t < w->threads; t++)
            ipsim_summary_free(w->thread_summaries[t]);
    free(w->thread_summaries);
    ipsim_summary_free(w->replicate_summary);
}

static int workspace_init(workspace *w, const ipsim_model *model, int64_t block,
                          const ipsim_cohort_config *config, ipsim_error *err)
{
    const int64_t months = model->cycles + 1;
    const size_t rows = (size_t)row_count(block, config);
    w->stride = row_stride(months, config->keep_trajectories, 1);
    w->grade = rows_alloc(rows, w->stride, 1);
    w->infections = rows_alloc(rows, w->stride, 1);
    w->ivig = rows_alloc(rows, w->stride, 1);
    w->phase = rows_alloc(rows, w->stride, 1);
    w->records = malloc((size_t)block * sizeof *w->records);
    w->thread_summaries = calloc((size_t)w->threads, sizeof *w->thread_summaries);
    bool levels_ok = true;
    /* The summary's mean levels read the rows even without trajectories. */
    const size_t level_rows = (size_t)level_row_count(block, config);
    w->level_stride = row_stride(months, keeps_levels(config), sizeof(float));
    for (int k = 0; k < IPSIM_IG_CLASSES && model->levels; k++)
        levels_ok &= (w->level[k] = rows_alloc(level_rows, w->level_stride, sizeof(float))) != NULL;
    if (!w->grade || !w->infections || !w->ivig || !w->phase || !w->records ||
        !w->thread_summaries || !levels_ok)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a block of %lld patients",
                          (long long)block);
    const ipsim_summary_shape shape = ipsim_summary_shape_of_model(model);
    int rc = ipsim_summary_create_for(&w->replicate_summary, &shape, err);
    for (int t = 0; t < w->threads && !rc; t++)
        rc = ipsim_summary_create_like(&w->thread_summaries[t], w->replicate_summary, err);
    return rc;
}

/* One stage of a block sink: its parts shared among the threads. Every
 * thread of the parallel region calls it (an orphaned `omp for`, whose
 * barrier ends the stage). A cancelled block's parts are skipped:
 * compressing a block that will be discarded can take longer than
 * simulating what is left of it. */
static void share_parts(int parts, void (*stage)(void *, const ipsim_block *, int), void *ctx,
                        const ipsim_block *b)
{
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (int part = 0; part < parts; part++) {
        if (b->cancel && *b->cancel)
            continue;
        stage(ctx, b, part);
    }
}

int ipsim_cohort_run(const ipsim_model *model, uint64_t seed, int64_t patients,
                     int64_t first_replicate, int64_t replicates,
                     const ipsim_cohort_config *config,
                     const ipsim_cohort_sinks *sinks, ipsim_error *err)
{
    const int threads = config->threads > 0 ? config->threads : 1;
    const int64_t months = model->cycles + 1;
    const int64_t block = block_size(patients, config);
    const int keep = config->keep_trajectories;
    const bool keep_levels = keeps_levels(config);
    const volatile sig_atomic_t *cancel = config->cancel;

    workspace w = {.threads = threads};
    int rc = workspace_init(&w, model, block, config, err);
    if (rc) {
        workspace_free(&w);
        return rc;
    }

    const int64_t begin = config->patient_count > 0 ? config->first_patient : 0;
    const int64_t end = config->patient_count > 0 ? begin + config->patient_count : patients;
    const int64_t total_work = (end - begin) * replicates * model->cycles * model->cycle_months;
    int64_t work_done = 0;
    const int overlap = sinks && sinks->prepare_parts && sinks->prepare;
    /* Shared: written only by the master, read by all after a barrier. */
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
        for (int64_t r = first_replicate; r < first_replicate + replicates && !stop; r++) {
            ipsim_stream stream = {seed, (uint64_t)r};
            for (int64_t first = begin; first < end; first += block) {
                const int64_t count = end - first < block ? end - first : block;
                /* Dynamic: patients who die early cost less, and a static
                 * split would leave one thread idle at the barrier. Results
                 * cannot depend on it: each patient's draws are its own and
                 * the tallies are integer sums. */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 256)
#endif
                for (int64_t i = 0; i < count; i++) {
                    /* A cancelled block is discarded, so skip the work. */
                    if (cancel && *cancel)
                        continue;
                    /* Its row of the block, or its thread's scratch row. */
                    const int64_t row = (keep ? i : tid) * w.stride;
                    ipsim_patient_rows rows = {.grade = w.grade + row,
                                               .infections = w.infections + row,
                                               .ivig = w.ivig + row,
                                               .phase = w.phase + row};
                    const int64_t level_row = (keep_levels ? i : tid) * w.level_stride;
                    for (int k = 0; k < IPSIM_IG_CLASSES && w.level[k]; k++)
                        rows.level[k] = w.level[k] + level_row;
                    ipsim_patient_simulate(model, stream, (uint64_t)(first + i), &rows,
                                           &w.records[i]);
                    ipsim_summary_add_patient(mine, &rows, &w.records[i]);
                }
                /* After that barrier the master has finished writing the
                 * previous block. Every thread reads `stop` before the master
                 * may set it again (in this block's master section): without
                 * the barrier after the read, a thread slow to read it saw
                 * this block's value, left the loop alone and the others
                 * waited for it at the next barrier for ever (a hang seen
                 * once, under load, with a sink that has no prepare stage). */
                const int stopping = stop;
#ifdef _OPENMP
#pragma omp barrier
#endif
                if (stopping)
                    break;
                ipsim_block b = {.replicate = r,
                                 .first_patient = first,
                                 .count = count,
                                 .months = months,
                                 .grade = keep ? w.grade : NULL,
                                 .infections = keep ? w.infections : NULL,
                                 .ivig = keep ? w.ivig : NULL,
                                 .phase = keep ? w.phase : NULL,
                                 .records = w.records,
                                 .cancel = cancel};
                for (int k = 0; k < IPSIM_IG_CLASSES; k++)
                    b.level[k] = keep_levels ? w.level[k] : NULL;
                /* The sink's parallel stages: gather parts, then prepare
                 * parts. The counts depend on the block alone, so all
                 * threads agree. */
                if (overlap && sinks->gather_parts)
                    share_parts(sinks->gather_parts(sinks->ctx, &b), sinks->gather, sinks->ctx,
                                &b);
                if (overlap)
                    share_parts(sinks->prepare_parts(sinks->ctx, &b), sinks->prepare,
                                sinks->ctx, &b);
                /* The sinks run on the master thread, the one that opened the
                 * output: HDF5 is not safe to call from several threads, and
                 * its error settings are per thread. */
#ifdef _OPENMP
#pragma omp master
#endif
                {
                    if (cancel && *cancel) {
                        /* Counted over the whole run, not this call's part
                         * of it (one replicate, one scenario). */
                        const int64_t all = config->work_total > 0 ? config->work_total
                                                                   : total_work;
                        const int64_t so_far = config->work_before + work_done;
                        status = IPSIM_FAIL(err, IPSIM_EINTERRUPTED,
                                            "stopped by a signal after %lld of %lld "
                                            "patient-months (%.1f%%)",
                                            (long long)so_far, (long long)all,
                                            100.0 * (double)so_far / (double)all);
                    } else {
                        if (sinks && sinks->block)
                            status = sinks->block(sinks->ctx, &b, err);
                        work_done += count * model->cycles * model->cycle_months;
                        if (config->progress)
                            config->progress(config->progress_ctx, work_done, total_work);
                    }
                    stop = status != IPSIM_OK;
                }
                /* A sink that reads the block buffers needs them kept until
                 * it is done; one with a prepare stage does not. */
                if (!overlap) {
#ifdef _OPENMP
#pragma omp barrier
#endif
                }
            }
            /* Fold the threads' totals into the replicate's, then hand it on. */
#ifdef _OPENMP
#pragma omp barrier
#pragma omp critical(ipsim_summary_merge)
#endif
            {
                ipsim_summary_merge(w.replicate_summary, mine);
                ipsim_summary_reset(mine);
            }
#ifdef _OPENMP
#pragma omp barrier
#pragma omp master
#endif
            {
                if (!stop && sinks && sinks->replicate)
                    status = sinks->replicate(sinks->ctx, r, w.replicate_summary, err);
                stop = status != IPSIM_OK;
                ipsim_summary_reset(w.replicate_summary);
            }
#ifdef _OPENMP
#pragma omp barrier
#endif
        }
    }
    workspace_free(&w);
    return status;
}
