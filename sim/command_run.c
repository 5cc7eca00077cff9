/* sim/command_run.c: `ipsim run`, one scenario from parameters to HDF5. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/comparison.h"
#include "models/patient.h"
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

/* Options of `run` beyond the shared ones: --csv DIR and --wtp LIST. */
static int take_run_options(int *argc, char **argv, const char *usage, const char **csv_dir,
                            double *wtp, int *wtp_count, ipsim_error *err)
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
    ipsim_summary *total = NULL;
    ipsim_h5_writer *writer = NULL;
    double *draws = NULL;
    const char **names = NULL;
    char default_output[IPSIM_NAME_MAX + 8];
    const char *csv_dir = NULL;
    double wtp[IPSIM_WTP_REPORT_MAX] = {20000, 30000, 50000};
    int wtp_count = 3;
    int rc = take_run_options(&argc, argv, ctx->usage, &csv_dir, wtp, &wtp_count, err);

    if (!rc)
        rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                     IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED,
                                 ctx->usage, err);
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

    names = malloc((size_t)study.count * sizeof *names);
    if (!names) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the scenario names");
        goto cleanup;
    }
    for (int s = 0; s < study.count; s++)
        names[s] = study.scenarios[s].name;
    int threads = ipsim_cohort_threads(o.threads);
    double memory = 0, output = 0;
    rc = ipsim_run_check_study(&study, threads, o.block_patients, &memory, &output, err);
    if (!rc && sampling)
        rc = ipsim_run_draw_parameters(&study, &draws, err);
    if (rc)
        goto cleanup;

    if (!o.output_path) {
        snprintf(default_output, sizeof default_output, "%s.h5", study.name);
        o.output_path = default_output;
    }
    rc = ipsim_run_check_resources(first, memory, output, o.output_path, o.quiet, err);
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
    free(draws);
    free(names);
    ipsim_study_free(&study);
    ipsim_options_free(&o);
    return rc;
}
