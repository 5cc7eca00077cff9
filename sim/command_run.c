/* sim/command_run.c: `ipsim run`, one scenario from parameters to HDF5. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "models/patient.h"
#include "output/comparison.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "output/summary.h"
#include "params/loader.h"
#include "params/psa.h"
#include "params/study.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/progress.h"
#include "sim/run.h"
#include "sim/version.h"

static const char usage[] =
    "usage: ipsim run PARAMS.yaml|STUDY.yaml [-o FILE.h5] [--set section.key=value]... "
    "[--threads N] [--block-patients N] [--csv DIR] [--wtp W1,W2,...] [--quiet]";

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
static int check_resources(const ipsim_params *p, double memory, double output,
                           const char *output_path, int quiet, ipsim_error *err)
{
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

/* Options of `run` beyond the shared ones: --csv DIR and --wtp LIST. */
static int take_run_options(int *argc, char **argv, const char **csv_dir, double *wtp,
                            int *wtp_count, ipsim_error *err)
{
    int kept = 0, rc = IPSIM_OK;
    for (int i = 0; i < *argc && !rc; i++) {
        if ((strcmp(argv[i], "--csv") == 0 || strcmp(argv[i], "--wtp") == 0) && i + 1 >= *argc)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", argv[i], usage);
        else if (strcmp(argv[i], "--csv") == 0)
            *csv_dir = argv[++i];
        else if (strcmp(argv[i], "--wtp") == 0)
            rc = ipsim_options_parse_wtp(argv[++i], wtp, IPSIM_WTP_REPORT_MAX, wtp_count, err);
        else
            argv[kept++] = argv[i];
    }
    *argc = kept;
    return rc;
}

int ipsim_command_run(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err)
{
    ipsim_options o = {0};
    ipsim_study study = {0};
    ipsim_model *model = NULL;
    ipsim_summary *total = NULL;
    ipsim_h5_writer *writer = NULL;
    double *draws = NULL;
    const char **names = NULL;
    char default_output[IPSIM_NAME_MAX + 8];
    const char *csv_dir = NULL;
    double wtp[IPSIM_WTP_REPORT_MAX] = {20000, 30000, 50000};
    int wtp_count = 3;
    int rc = take_run_options(&argc, argv, &csv_dir, wtp, &wtp_count, err);

    if (!rc)
        rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                     IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED,
                                 usage, err);
    if (!rc)
        rc = ipsim_study_load(&study, o.params_path, o.overrides, o.override_count, err);
    if (rc)
        goto cleanup;
    const ipsim_params *first = &study.scenarios[0];
    const int64_t replicates = first->cohort.replicates, patients = first->cohort.patients;
    const int sampling = first->psa.sample && ipsim_psa_dimension(first) > 0;
    if (csv_dir && study.count < 2) {
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--csv writes a study's comparison; '%s' has one scenario (compare "
                        "runs with `ipsim compare`)",
                        o.params_path);
        goto cleanup;
    }

    model = malloc(sizeof *model);
    names = malloc((size_t)study.count * sizeof *names);
    if (!model || !names) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
        goto cleanup;
    }
    int threads = ipsim_cohort_threads(o.threads);
    ipsim_cohort_config config = {.threads = threads,
                                  .block_patients = o.block_patients,
                                  .cancel = ctx->cancel};
    /* Every scenario's model is built (and so checked) before anything
     * runs, and sized: the largest run's memory, all runs' output. */
    double memory = 0, output = 0;
    for (int s = 0; s < study.count && !rc; s++) {
        const ipsim_params *p = &study.scenarios[s];
        names[s] = p->name;
        rc = ipsim_model_init(model, p, err);
        if (rc) {
            if (study.count > 1)
                ipsim_error_prefix(err, "scenario '%s': ", names[s]);
            break;
        }
        config.keep_trajectories = p->output.trajectories == IPSIM_TRAJECTORIES_DENSE;
        /* Block buffers, the writer's chunk buffers (at most a block's
         * worth each, twice) and HDF5's caches. */
        double m = 3 * ipsim_cohort_memory_bytes(model, patients, &config) + 16.0 * (1 << 20);
        memory = m > memory ? m : memory;
        output += ipsim_h5_writer_estimate_bytes(p);
    }
    if (!rc && sampling)
        rc = ipsim_run_draw_parameters(&study, &draws, err);
    if (rc)
        goto cleanup;

    if (!o.output_path) {
        snprintf(default_output, sizeof default_output, "%s.h5", study.name);
        o.output_path = default_output;
    }
    rc = check_resources(first, memory, output, o.output_path, o.quiet, err);
    if (rc)
        goto cleanup;

    char created[32];
    ipsim_run_utc_now(created, sizeof created);
    ipsim_run_info info = {.ipsim_version = IPSIM_VERSION,
                           .command_line = ctx->command_line,
                           .created_utc = created,
                           .study_name = study.name,
                           .seed = first->seed};
    /* Created before simulating, so an unwritable path fails at once. */
    rc = ipsim_h5_writer_create(&writer, o.output_path, &info, names, study.count, err);
    if (rc)
        goto cleanup;
    if (!o.quiet) {
        printf("ipsim %s: ", IPSIM_VERSION);
        if (study.count > 1)
            printf("study %s, %d scenarios; ", study.name, study.count);
        ipsim_summary_print_scenario(stdout, first);
        printf(", %d thread%s\n", threads, threads == 1 ? "" : "s");
        if (sampling)
            printf("PSA: each replicate draws %d uncertain values (seed %llu)\n",
                   ipsim_psa_dimension(first), (unsigned long long)first->seed);
        fflush(stdout);
    }

    ipsim_progress bar;
    ipsim_progress_init(&bar, stderr, o.quiet, "simulating");
    ipsim_run_settings settings = {.threads = threads,
                                   .block_patients = o.block_patients,
                                   .cancel = ctx->cancel,
                                   .progress = &bar,
                                   .progress_total = study.count * patients * replicates *
                                                     first->cohort.horizon_months};
    double start = ipsim_seconds();
    for (int s = 0; s < study.count && !rc; s++) {
        const ipsim_params *p = &study.scenarios[s];
        ipsim_summary_free(total);
        total = NULL;
        rc = ipsim_summary_create(&total, p, err);
        settings.progress_offset = (int64_t)s * replicates * patients * p->cohort.horizon_months;
        if (!rc)
            rc = ipsim_run_scenario(writer, p, draws, &settings, total, err);
    }
    ipsim_progress_finish(&bar);
    if (!rc && sampling)
        rc = ipsim_run_write_draws(writer, first, draws, err);
    double seconds = ipsim_seconds() - start;
    if (!rc && study.count == 1 && !o.quiet)
        ipsim_summary_print(stdout, total, first);
    if (!rc && study.count > 1)
        rc = ipsim_run_compare(writer, study.count, o.output_path, csv_dir, wtp, wtp_count,
                               o.quiet, err);
    if (rc)
        goto cleanup;
    rc = ipsim_h5_writer_commit(writer, err);
    writer = NULL;
    if (rc)
        goto cleanup;

    if (!o.quiet) {
        double patient_months = (double)study.count * (double)patients * (double)replicates *
                                (double)first->cohort.horizon_months;
        printf("\nWall time %.2f s, %.3g patient-months/s on %d thread%s\nWrote %s%s%s\n",
               seconds, seconds > 0 ? patient_months / seconds : 0.0, threads,
               threads == 1 ? "" : "s", o.output_path, csv_dir ? " and CSV tables in " : "",
               csv_dir ? csv_dir : "");
    }

cleanup:
    if (writer) {
        ipsim_h5_writer_discard(writer);
        if (rc == IPSIM_EINTERRUPTED)
            fprintf(stderr, "ipsim: removed the unfinished output; nothing was written to %s\n",
                    o.output_path);
    }
    ipsim_summary_free(total);
    free(model);
    free(draws);
    free(names);
    ipsim_study_free(&study);
    ipsim_options_free(&o);
    return rc;
}
