/* sim/command_run.c: `ipsim run`, one scenario from parameters to HDF5. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "models/patient.h"
#include "output/h5_writer.h"
#include "output/summary.h"
#include "params/loader.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/progress.h"
#include "sim/version.h"

static const char usage[] =
    "usage: ipsim run PARAMS.yaml [-o FILE.h5] [--set section.key=value]... [--threads N] "
    "[--block-patients N] [--quiet]";

/* Where a run's results go: blocks to the writer (directly), replicate
 * summaries to the writer and into the run's total for the printed summary. */
typedef struct run_sink {
    ipsim_h5_writer *writer;
    ipsim_summary *total;
} run_sink;

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
    ipsim_summary_merge(sink->total, summary);
    return ipsim_h5_writer_write_summary(sink->writer, replicate, summary, err);
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
static int check_resources(const ipsim_params *p, const ipsim_model *model,
                           const ipsim_cohort_config *config, double writer_bytes,
                           const char *output_path, int quiet, ipsim_error *err)
{
    char need[32], have[32];
    /* Block buffers, the writer's chunk buffers and HDF5's caches. */
    double memory = ipsim_cohort_memory_bytes(model, p->cohort.patients, config) + writer_bytes +
                    16.0 * (1 << 20);
    double physical = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (physical > 0 && memory > 0.8 * physical) {
        format_bytes(memory, need, sizeof need);
        format_bytes(physical, have, sizeof have);
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "the run would need about %s of memory; this machine has %s "
                          "(lower --block-patients)",
                          need, have);
    }
    double output = ipsim_h5_writer_estimate_bytes(p);
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

static void utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int ipsim_command_run(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err)
{
    ipsim_options o;
    ipsim_params params;
    ipsim_model *model = NULL;
    ipsim_summary *total = NULL;
    ipsim_h5_writer *writer = NULL;
    char *params_yaml = NULL;
    char default_output[IPSIM_NAME_MAX + 8];
    int64_t replicates = 0;
    int rc = IPSIM_OK;

    rc = ipsim_options_parse(&o, argc, argv,
                             IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                 IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED,
                             usage, err);
    if (!rc)
        rc = ipsim_params_resolve(&params, o.params_path, o.overrides, o.override_count, err);
    if (rc)
        goto cleanup;

    model = malloc(sizeof *model);
    if (!model) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
        goto cleanup;
    }
    rc = ipsim_model_init(model, &params, err);
    if (!rc)
        rc = ipsim_params_to_yaml(&params, &params_yaml, err);
    if (rc)
        goto cleanup;

    replicates = params.cohort.replicates;
    rc = ipsim_summary_create(&total, &params, err);
    if (rc)
        goto cleanup;

    if (!o.output_path) {
        snprintf(default_output, sizeof default_output, "%s.h5", params.name);
        o.output_path = default_output;
    }
    char created[32];
    utc_now(created, sizeof created);
    ipsim_run_info info = {.ipsim_version = IPSIM_VERSION,
                           .command_line = ctx->command_line,
                           .created_utc = created,
                           .parameters_yaml = params_yaml};
    /* Created before simulating, so an unwritable path fails at once. */
    rc = ipsim_h5_writer_create(&writer, o.output_path, &params, &info, o.block_patients, err);
    if (rc)
        goto cleanup;

    int threads = ipsim_cohort_threads(o.threads);
    int64_t block = ipsim_h5_writer_block_patients(writer);
    ipsim_cohort_config config = {.threads = threads,
                                  .block_patients = block,
                                  .keep_trajectories =
                                      params.output.trajectories == IPSIM_TRAJECTORIES_DENSE,
                                  .cancel = ctx->cancel};
    rc = check_resources(&params, model, &config, ipsim_h5_writer_buffer_bytes(writer),
                         o.output_path, o.quiet, err);
    if (rc)
        goto cleanup;
    if (!o.quiet) {
        printf("ipsim %s: ", IPSIM_VERSION);
        ipsim_summary_print_scenario(stdout, &params);
        printf(", %d thread%s\n", threads, threads == 1 ? "" : "s");
        fflush(stdout);
    }

    ipsim_progress progress;
    ipsim_progress_init(&progress, stderr, o.quiet, "simulating");
    config.progress = ipsim_progress_update;
    config.progress_ctx = &progress;
    double start = ipsim_seconds();
    run_sink sink = {.writer = writer, .total = total};
    ipsim_cohort_sinks sinks = {.prepare_parts = block_parts,
                                .prepare = prepare_part,
                                .block = write_block,
                                .replicate = write_replicate,
                                .ctx = &sink};
    rc = ipsim_cohort_run(model, params.seed, params.cohort.patients, replicates, &config,
                          &sinks, err);
    ipsim_progress_finish(&progress);
    if (rc)
        goto cleanup;
    rc = ipsim_h5_writer_commit(writer, err);
    writer = NULL;
    if (rc)
        goto cleanup;
    double seconds = ipsim_seconds() - start;

    if (!o.quiet) {
        ipsim_summary_print(stdout, total, &params);
        double patient_months = (double)params.cohort.patients * (double)replicates *
                                (double)params.cohort.horizon_months;
        printf("\nWall time %.2f s, %.3g patient-months/s on %d thread%s\nWrote %s\n", seconds,
               seconds > 0 ? patient_months / seconds : 0.0, threads, threads == 1 ? "" : "s",
               o.output_path);
    }

cleanup:
    if (writer) {
        ipsim_h5_writer_discard(writer);
        if (rc == IPSIM_EINTERRUPTED)
            fprintf(stderr, "ipsim: removed the unfinished output; nothing was written to %s\n",
                    o.output_path);
    }
    ipsim_summary_free(total);
    free(params_yaml);
    free(model);
    ipsim_options_free(&o);
    return rc;
}
