/* sim/run.c: scenarios from parameters into an HDF5 writer. */
#define _POSIX_C_SOURCE 200809L
#include "sim/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "analysis/comparison.h"
#include "base/rng.h"
#include "models/patient.h"
#include "output/h5_reader.h"
#include "params/loader.h"
#include "params/psa.h"
#include "sim/cohort.h"
#include "sim/version.h"

/* Where a run's results go: blocks to the writer (directly), replicate
 * summaries to the writer and into the run's total for the printed summary
 * (if any). */
typedef struct run_sink {
    ipsim_h5_writer *writer;
    ipsim_summary *total;
} run_sink;

static int gather_parts(void *ctx, const ipsim_block *block)
{
    return ipsim_h5_writer_gather_parts(((run_sink *)ctx)->writer, block);
}

static void gather_part(void *ctx, const ipsim_block *block, int part)
{
    ipsim_h5_writer_gather_part(((run_sink *)ctx)->writer, block, part);
}

static int block_parts(void *ctx, const ipsim_block *block)
{
    return ipsim_h5_writer_block_parts(((run_sink *)ctx)->writer, block);
}

static void prepare_part(void *ctx, const ipsim_block *block, int part)
{
    ipsim_h5_writer_prepare_part(((run_sink *)ctx)->writer, block, part);
}

static int write_block(void *ctx, const ipsim_block *block, ipsim_error *err)
{
    return ipsim_h5_writer_write_block(((run_sink *)ctx)->writer, block, err);
}

static int write_replicate(void *ctx, int64_t replicate, const ipsim_summary *summary,
                           ipsim_error *err)
{
    run_sink *sink = ctx;
    if (sink->total)
        ipsim_summary_merge(sink->total, summary);
    return ipsim_h5_writer_write_summary(sink->writer, replicate, summary, err);
}

/* Progress over a whole run: each cohort run reports its own part. */
typedef struct run_progress {
    ipsim_progress *bar;
    int64_t offset, total;
} run_progress;

static void run_progress_update(void *ctx, int64_t done, int64_t total)
{
    (void)total;
    run_progress *p = ctx;
    ipsim_progress_update(p->bar, p->offset + done, p->total);
}

void ipsim_run_utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

ipsim_run_info ipsim_run_info_of(const ipsim_study *study, const char *command_line,
                                 const char *created)
{
    return (ipsim_run_info){.ipsim_version = IPSIM_VERSION,
                            .command_line = command_line,
                            .created_utc = created,
                            .study_name = study->name,
                            .seed = study->scenarios[0].seed};
}

int ipsim_run_check_study(const ipsim_study *study, int threads, int64_t block_patients,
                          const volatile sig_atomic_t *cancel, double *memory, double *output,
                          ipsim_error *err)
{
    *memory = *output = 0;
    ipsim_model *model = malloc(sizeof *model);
    if (!model)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    ipsim_cohort_config config = {.threads = threads, .block_patients = block_patients};
    int rc = IPSIM_OK;
    for (int s = 0; s < study->count && !rc; s++) {
        const ipsim_params *p = &study->scenarios[s];
        rc = ipsim_error_cancelled(cancel, err, "while checking the scenarios");
        if (!rc)
            rc = ipsim_model_init(model, p, err);
        if (rc) {
            if (study->count > 1 && rc != IPSIM_EINTERRUPTED)
                ipsim_error_prefix(err, "scenario '%s': ", p->name);
            break;
        }
        config.keep_trajectories = p->output.trajectories != IPSIM_TRAJECTORIES_NONE;
        config.scratch_levels = p->output.trajectories == IPSIM_TRAJECTORIES_STATES;
        /* Block buffers, the writer's chunk buffers (at most a block's
         * worth each, twice) and HDF5's caches. */
        double m = 3 * ipsim_cohort_memory_bytes(model, p->cohort.patients, &config) +
                   16.0 * (1 << 20);
        *memory = m > *memory ? m : *memory;
        *output += ipsim_h5_writer_estimate_bytes(p);
    }
    free(model);
    return rc;
}

static void format_bytes(double bytes, char *buf, size_t size)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, "%.4g %s", bytes, units[u]);
}

/* Refuses, before anything runs, a run that cannot fit in memory, or whose
 * uncompressed output cannot fit on the disk when it is not compressed;
 * warns when only compression could make it fit. */
void ipsim_run_warn_timetable(const ipsim_params *p, int quiet)
{
    char moves[512];
    if (quiet || ipsim_params_timetable_moves(p, moves, sizeof moves) == 0)
        return;
    fprintf(stderr,
            "ipsim: warning: with %lld-month cycles the timetable moves (%s); the calibration "
            "(docs/model.md) holds at 1-month cycles, so `ipsim validate` may fail\n",
            (long long)p->cohort.cycle_months, moves);
}

int ipsim_run_check_resources(const ipsim_params *p, double memory, double output,
                           const char *output_path, int quiet, ipsim_error *err)
{
    ipsim_run_warn_timetable(p, quiet);
    char need[32], have[32];
    double physical = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (physical > 0 && memory > 0.8 * physical) {
        format_bytes(memory, need, sizeof need);
        format_bytes(physical, have, sizeof have);
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "the run would need about %s of memory; this machine has %s "
                          "(lower --block-patients)",
                          need, have);
    }
    char dir[IPSIM_PATH_MAX];
    const char *slash = strrchr(output_path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - output_path + 1) : 1,
             slash ? output_path : ".");
    struct statvfs vfs;
    if (statvfs(dir, &vfs) != 0)
        return IPSIM_OK; /* the writer reports a missing directory precisely */
    double free_bytes = (double)vfs.f_bavail * (double)vfs.f_frsize;
    if (output <= free_bytes)
        return IPSIM_OK;
    format_bytes(output, need, sizeof need);
    format_bytes(free_bytes, have, sizeof have);
    /* Deflate shrinks dense trajectories about tenfold (docs/output-format.md);
     * a run that would not fit even at fifty to one cannot succeed. */
    const double best_compression = 50;
    if (p->output.compression_level == 0 || output / best_compression > free_bytes) {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "the output would take %s%s and only %s is free in '%s' (use "
                   "output.trajectories: none, fewer patients or replicates%s)",
                   need, p->output.compression_level ? " before compression" : "", have, dir,
                   p->output.compression_level ? "" : ", or compression");
        ipsim_error_locate(err, NULL, 0, 0,
                           p->output.compression_level ? "cohort.patients"
                                                       : "output.compression_level");
        return IPSIM_EPARAM;
    }
    if (!quiet)
        fprintf(stderr,
                "ipsim: warning: the output is %s before compression and only %s is free in "
                "'%s'; the run fails (leaving no file) if compression does not make it fit\n",
                need, have, dir);
    return IPSIM_OK;
}

int ipsim_run_draw_parameters(const ipsim_study *study, const volatile sig_atomic_t *cancel,
                              double **out, ipsim_error *err)
{
    const ipsim_params *first = &study->scenarios[0];
    const int64_t R = first->cohort.replicates;
    const int P = ipsim_psa_dimension(first);
    *out = NULL;
    double *draws = malloc((size_t)R * (size_t)P * sizeof *draws);
    ipsim_params *scratch = malloc(sizeof *scratch);
    ipsim_model *model = malloc(sizeof *model);
    ipsim_gsl_stream *gs = NULL;
    ipsim_posterior_file posterior = {0};
    int rc = draws && scratch && model ? ipsim_gsl_stream_create(&gs, err)
                                       : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the PSA draws");
    if (!rc && first->psa.posterior.path[0])
        rc = ipsim_posterior_file_open(&posterior, &first->psa.posterior, err);
    for (int64_t r = 0; r < R && !rc; r++) {
        rc = ipsim_error_cancelled(cancel, err, "while checking the PSA draws");
        if (!rc)
            rc = ipsim_psa_draw(first, first->psa.posterior.path[0] ? &posterior : NULL,
                                first->seed, r, gs, draws + r * P, err);
        for (int s = 0; s < study->count && !rc; s++) {
            char context[IPSIM_NAME_MAX + 64];
            snprintf(context, sizeof context, "PSA replicate %lld of scenario '%s'", (long long)r,
                     study->scenarios[s].name);
            *scratch = study->scenarios[s];
            ipsim_psa_apply(scratch, draws + r * P);
            rc = ipsim_params_check(scratch, context, err);
            if (!rc) {
                rc = ipsim_model_check(model, scratch, err);
                if (rc)
                    ipsim_error_prefix(err, "%s: ", context);
            }
        }
    }
    ipsim_gsl_stream_free(gs);
    ipsim_posterior_file_free(&posterior);
    free(scratch);
    free(model);
    if (rc) {
        free(draws);
        return rc;
    }
    *out = draws;
    return IPSIM_OK;
}

int ipsim_run_write_draws(ipsim_h5_writer *writer, const ipsim_params *p, const double *draws,
                          ipsim_error *err)
{
    const int P = ipsim_psa_dimension(p);
    char (*names)[IPSIM_KEY_MAX] = malloc((size_t)P * sizeof *names);
    char (*dists)[512] = malloc((size_t)P * sizeof *dists);
    const char **name_ptr = malloc((size_t)P * sizeof *name_ptr);
    const char **dist_ptr = malloc((size_t)P * sizeof *dist_ptr);
    int rc = names && dists && name_ptr && dist_ptr
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the PSA tables");
    for (int i = 0; !rc && i < P; i++) {
        ipsim_psa_name(p, i, names[i], sizeof names[i]);
        ipsim_psa_describe(p, i, dists[i], sizeof dists[i]);
        name_ptr[i] = names[i];
        dist_ptr[i] = dists[i];
    }
    const ipsim_h5_axis axes[2] = {
        {"replicate", p->cohort.replicates, NULL, NULL, "PSA draw (replicate)", NULL},
        {"parameter", P, name_ptr, NULL, "uncertain parameter (key path and entry)", NULL}};
    if (!rc)
        rc = ipsim_h5_writer_write_table(writer, "psa", "parameters", 2, axes, draws,
                                         "the parameter values each replicate drew", NULL, err);
    if (!rc)
        rc = ipsim_h5_writer_write_strings(writer, "psa", "distribution", &axes[1], dist_ptr,
                                           "the distribution drawn from, in the parameter "
                                           "file's syntax (natural parameters)",
                                           err);
    free(names);
    free(dists);
    free(name_ptr);
    free(dist_ptr);
    return rc;
}

/* The model replicate r runs: p's, or under PSA (draws not NULL) that of
 * the replicate's draws; drawn is scratch. */
static int replicate_model(ipsim_model *model, ipsim_params *drawn, const ipsim_params *p,
                           const double *draws, int64_t r, ipsim_error *err)
{
    *drawn = *p;
    if (draws)
        ipsim_psa_apply(drawn, draws + r * ipsim_psa_dimension(p));
    return ipsim_model_init(model, drawn, err);
}

int ipsim_run_scenario(ipsim_h5_writer *writer, const ipsim_params *p, const double *draws,
                       const ipsim_run_settings *settings, ipsim_summary *total,
                       ipsim_error *err)
{
    char *params_yaml = NULL;
    ipsim_model *model = malloc(sizeof *model);
    ipsim_params *drawn = malloc(sizeof *drawn);
    int rc = model && drawn ? ipsim_params_to_yaml(p, &params_yaml, err)
                            : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    if (!rc)
        rc = ipsim_h5_writer_begin_scenario(writer, p, params_yaml, settings->block_patients,
                                            err);
    if (rc)
        goto done;
    ipsim_cohort_config config = {
        .threads = settings->threads,
        .block_patients = ipsim_h5_writer_block_patients(writer),
        .keep_trajectories = p->output.trajectories != IPSIM_TRAJECTORIES_NONE,
        .scratch_levels = p->output.trajectories == IPSIM_TRAJECTORIES_STATES,
        .cancel = settings->cancel,
        .work_total = settings->progress_total};
    run_progress progress = {.bar = settings->progress, .total = settings->progress_total};
    if (settings->progress) {
        config.progress = run_progress_update;
        config.progress_ctx = &progress;
    }
    run_sink sink = {.writer = writer, .total = total};
    ipsim_cohort_sinks sinks = {.gather_parts = gather_parts,
                                .gather = gather_part,
                                .prepare_parts = block_parts,
                                .prepare = prepare_part,
                                .block = write_block,
                                .replicate = write_replicate,
                                .ctx = &sink};
    /* Without PSA one model serves every replicate; with it each replicate
     * runs the model of its own draws. */
    const int64_t replicates = p->cohort.replicates, patients = p->cohort.patients;
    const int64_t per_call = draws ? 1 : replicates;
    for (int64_t r = 0; r < replicates && !rc; r += per_call) {
        rc = replicate_model(model, drawn, p, draws, r, err);
        progress.offset = settings->progress_offset + r * patients * p->cohort.horizon_months;
        config.work_before = progress.offset;
        if (!rc)
            rc = ipsim_cohort_run(model, p->seed, patients, r, per_call, &config, &sinks, err);
    }
    ipsim_h5_writer_end_scenario(writer);
done:
    free(params_yaml);
    free(model);
    free(drawn);
    return rc;
}

int ipsim_run_study(ipsim_h5_writer *writer, const ipsim_study *study, const double *draws,
                    const ipsim_run_settings *settings, ipsim_summary **last, ipsim_error *err)
{
    const ipsim_params *first = &study->scenarios[0];
    const int64_t replicates = first->cohort.replicates, patients = first->cohort.patients;
    ipsim_run_settings each = *settings;
    each.progress_total = study->count * patients * replicates * first->cohort.horizon_months;
    ipsim_summary *total = NULL;
    int rc = IPSIM_OK;
    for (int s = 0; s < study->count && !rc; s++) {
        const ipsim_params *p = &study->scenarios[s];
        ipsim_summary_free(total);
        total = NULL;
        rc = ipsim_summary_create(&total, p, err);
        each.progress_offset = (int64_t)s * replicates * patients * p->cohort.horizon_months;
        if (settings->progress && study->count > 1)
            ipsim_progress_scenario(settings->progress, s + 1, study->count, p->name);
        if (!rc)
            rc = ipsim_run_scenario(writer, p, draws, &each, total, err);
    }
    *last = total;
    return rc;
}

int ipsim_run_read_back(ipsim_h5_writer *writer, int scenarios, ipsim_h5_reader ***readers,
                        ipsim_error *err)
{
    const char *temp;
    *readers = calloc((size_t)scenarios, sizeof **readers);
    int rc = *readers ? ipsim_h5_writer_pause(writer, &temp, err)
                      : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the comparison");
    for (int s = 0; s < scenarios && !rc; s++)
        rc = ipsim_h5_reader_open_scenario(&(*readers)[s], temp, s, err);
    return rc;
}

void ipsim_run_close_read_back(ipsim_h5_reader **readers, int scenarios)
{
    for (int s = 0; readers && s < scenarios; s++)
        ipsim_h5_reader_close(readers[s]);
    free(readers);
}

int ipsim_run_compare(ipsim_h5_writer *writer, int scenarios, const char *target,
                      const char *csv_dir, ipsim_csv_set *csv, const double *wtp, int wtp_count,
                      int quiet, const ipsim_difference *pairs,
                      const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    ipsim_h5_reader **readers = NULL;
    ipsim_comparison comparison = {0};
    int rc = ipsim_run_read_back(writer, scenarios, &readers, err);
    if (!rc)
        rc = ipsim_comparison_compute_given(&comparison, readers, scenarios, pairs, cancel,
                                            err);
    ipsim_run_close_read_back(readers, scenarios);
    /* Named by the file it will be, not the temporary one read. */
    for (int s = 0; !rc && s < comparison.count; s++)
        snprintf(comparison.scenarios[s].source, sizeof comparison.scenarios[s].source, "%s",
                 target);
    if (!rc)
        rc = ipsim_h5_writer_resume(writer, err);
    if (!rc)
        rc = ipsim_comparison_write_h5(&comparison, writer, err);
    if (!rc)
        rc = ipsim_error_cancelled(cancel, err, "while comparing the scenarios");
    if (!rc && csv_dir)
        rc = ipsim_comparison_csv(&comparison, wtp, wtp_count, csv, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_set_stage(csv, csv_dir, err);
    if (!rc && !quiet) {
        printf("\n");
        ipsim_comparison_print(stdout, &comparison, wtp, wtp_count);
    }
    ipsim_comparison_free(&comparison);
    return rc;
}


/* ---- one scenario on the ranks of an MPI job ------------------------------------------ */

/* Where a rank's blocks go: written collectively, and their totals added
 * to the rank's share of their replicate's. */
typedef struct shared_sink {
    ipsim_h5_writer *writer;
    ipsim_summary *partial; /* the replicate's totals over this rank's blocks */
    int wrote;              /* the block was handed on (and written) */
} shared_sink;

static int shared_block(void *ctx, const ipsim_block *block, ipsim_error *err)
{
    shared_sink *sink = ctx;
    sink->wrote = 1;
    return ipsim_h5_writer_write_block_shared(sink->writer, block, err);
}

static int shared_replicate(void *ctx, int64_t replicate, const ipsim_summary *summary,
                            ipsim_error *err)
{
    (void)replicate;
    (void)err;
    ipsim_summary_merge(((shared_sink *)ctx)->partial, summary);
    return IPSIM_OK;
}

/* Blocks per rank a scenario is cut into at least, and the block sizes
 * allowed for it (patients; the writer rounds up to whole chunks). */
enum { SHARED_ITEMS_PER_RANK = 8, SHARED_BLOCK_MIN = 2048, SHARED_BLOCK_MAX = 65536 };

int ipsim_run_scenario_shared(ipsim_h5_writer *writer, const ipsim_ranks *ranks,
                              const ipsim_params *p, const double *draws,
                              const ipsim_run_settings *settings, ipsim_error *err)
{
    if (ranks->size == 1)
        return ipsim_run_scenario(writer, p, draws, settings, NULL, err);
    char *params_yaml = NULL;
    ipsim_model *model = malloc(sizeof *model);
    ipsim_params *drawn = malloc(sizeof *drawn);
    const int64_t R = p->cohort.replicates, N = p->cohort.patients;
    ipsim_summary **partial = calloc((size_t)R, sizeof *partial);
    int rc = model && drawn && partial ? ipsim_params_to_yaml(p, &params_yaml, err)
                                       : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    for (int64_t r = 0; !rc && r < R; r++)
        rc = ipsim_summary_create(&partial[r], p, err);
    if (ipsim_ranks_max(ranks, rc)) {
        /* Every rank stops, failed or not: the others must not go on to
         * the collective calls alone. */
        rc = rc ? rc : IPSIM_FAIL(err, IPSIM_ENOMEM, "another rank could not start '%s'", p->name);
        goto done;
    }
    /* Rounds are in lockstep, so a rank with fewer or shorter blocks waits:
     * blocks small enough for several rounds keep that wait short (unless
     * --block-patients says otherwise; results do not depend on it). */
    int64_t block_patients = settings->block_patients;
    if (block_patients == 0) {
        const int64_t per_replicate = (SHARED_ITEMS_PER_RANK * ranks->size + R - 1) / R;
        const int64_t wanted = (N + per_replicate - 1) / per_replicate;
        block_patients = wanted < SHARED_BLOCK_MIN ? SHARED_BLOCK_MIN
                         : wanted > SHARED_BLOCK_MAX ? SHARED_BLOCK_MAX
                                                     : wanted;
    }
    rc = ipsim_h5_writer_begin_scenario(writer, p, params_yaml, block_patients, err);
    if (ipsim_ranks_max(ranks, rc)) {
        rc = rc ? rc : IPSIM_FAIL(err, IPSIM_EHDF5, "another rank failed to start '%s'", p->name);
        goto done;
    }
    const int64_t block = ipsim_h5_writer_block_patients(writer);
    const int64_t blocks = (N + block - 1) / block, items = R * blocks;
    const int64_t rounds = (items + ranks->size - 1) / ranks->size;
    run_progress progress = {.bar = ranks->rank == 0 ? settings->progress : NULL,
                             .total = settings->progress_total};
    for (int64_t t = 0; t < rounds && !rc; t++) {
        /* Round t: rank k takes item t x ranks + k, if there is one. */
        const int64_t item = t * ranks->size + ranks->rank;
        shared_sink sink = {.writer = writer};
        if (item < items) {
            const int64_t r = item / blocks, first = (item % blocks) * block;
            rc = replicate_model(model, drawn, p, draws, r, err);
            ipsim_cohort_config config = {
                .threads = settings->threads,
                .block_patients = block,
                .keep_trajectories = p->output.trajectories != IPSIM_TRAJECTORIES_NONE,
                .scratch_levels = p->output.trajectories == IPSIM_TRAJECTORIES_STATES,
                .cancel = settings->cancel,
                .first_patient = first,
                .patient_count = N - first < block ? N - first : block,
                .work_before = settings->progress_offset +
                               item * (N * p->cohort.horizon_months / blocks),
                .work_total = settings->progress_total};
            ipsim_cohort_sinks sinks = {.block = shared_block,
                                        .replicate = shared_replicate,
                                        .ctx = &sink};
            sink.partial = partial[r];
            if (!rc)
                rc = ipsim_cohort_run(model, p->seed, N, r, 1, &config, &sinks, err);
        }
        /* Every rank makes the round's collective writes: an interrupted or
         * failed rank (or one without an item) writes nothing. */
        if (!sink.wrote) {
            int written = ipsim_h5_writer_write_block_shared(writer, NULL, err);
            rc = rc ? rc : written;
        }
        if (ipsim_ranks_max(ranks, rc) && !rc)
            rc = IPSIM_FAIL(err, settings->cancel && *settings->cancel ? IPSIM_EINTERRUPTED
                                                                        : IPSIM_EHDF5,
                            "stopped: another rank failed or was interrupted");
        if (progress.bar) {
            int64_t done = (t + 1) * ranks->size < items ? (t + 1) * ranks->size : items;
            ipsim_progress_update(progress.bar,
                                  settings->progress_offset +
                                      done * (N * p->cohort.horizon_months / blocks),
                                  progress.total);
        }
    }
    for (int64_t r = 0; r < R && !rc; r++) {
        int64_t *arrays[IPSIM_SUMMARY_ARRAYS];
        size_t lengths[IPSIM_SUMMARY_ARRAYS];
        int n = ipsim_summary_arrays(partial[r], arrays, lengths);
        for (int i = 0; i < n; i++)
            ipsim_ranks_sum(ranks, arrays[i], lengths[i]);
        /* Every rank holds the same totals; the collective write stores
         * rank 0's (output/h5_writer.c, write_slab_shared). */
        rc = ipsim_h5_writer_write_summary(writer, r, partial[r], err);
        if (ipsim_ranks_max(ranks, rc) && !rc)
            rc = IPSIM_FAIL(err, IPSIM_EHDF5, "stopped: another rank failed");
    }
    ipsim_h5_writer_end_scenario(writer);
done:
    for (int64_t r = 0; partial && r < R; r++)
        ipsim_summary_free(partial[r]);
    free(partial);
    free(params_yaml);
    free(model);
    free(drawn);
    return rc;
}
