/* sim/command_run.c: `ipsim run`, one scenario (or a study's) from
 * parameters to HDF5: options, then the engine of sim/run.h. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/h5_writer.h"
#include "output/summary.h"
#include "params/psa.h"
#include "params/study.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/progress.h"
#include "sim/run.h"
#include "sim/version.h"

/* The options of `run`: the shared ones, and --csv DIR and --wtp LIST. */
typedef struct run_options {
    ipsim_options shared;
    const char *csv_dir;
    double wtp[IPSIM_WTP_REPORT_MAX];
    int wtp_count;
} run_options;

static int parse(int argc, char **argv, const char *usage, run_options *ro, ipsim_error *err)
{
    *ro = (run_options){.wtp = IPSIM_WTP_DEFAULT, .wtp_count = IPSIM_WTP_DEFAULT_COUNT};
    int kept = 0, rc = IPSIM_OK;
    for (int i = 0; i < argc && !rc; i++) {
        if ((strcmp(argv[i], "--csv") == 0 || strcmp(argv[i], "--wtp") == 0) && i + 1 >= argc)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", argv[i], usage);
        else if (strcmp(argv[i], "--csv") == 0)
            ro->csv_dir = argv[++i];
        else if (strcmp(argv[i], "--wtp") == 0)
            rc = ipsim_options_parse_wtp(argv[++i], ro->wtp, IPSIM_WTP_REPORT_MAX,
                                         &ro->wtp_count, err);
        else
            argv[kept++] = argv[i];
    }
    if (!rc)
        rc = ipsim_options_parse(&ro->shared, kept, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                     IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED |
                                     IPSIM_OPT_PROGRESS,
                                 usage, err);
    return rc;
}

static void print_start(const ipsim_study *study, int threads, int sampling)
{
    const ipsim_params *first = &study->scenarios[0];
    printf("ipsim %s: ", IPSIM_VERSION);
    if (study->count > 1)
        printf("study %s, %d scenarios; ", study->name, study->count);
    ipsim_summary_print_scenario(stdout, first);
    printf(", %d thread%s\n", threads, threads == 1 ? "" : "s");
    if (sampling)
        printf("PSA: each replicate draws %d uncertain values (seed %llu)\n",
               ipsim_psa_dimension(first), (unsigned long long)first->seed);
    fflush(stdout);
}

static void print_end(const ipsim_study *study, double seconds, int threads,
                      const char *output_path, const char *csv_dir)
{
    const ipsim_params *first = &study->scenarios[0];
    double patient_months = (double)study->count * (double)first->cohort.patients *
                            (double)first->cohort.replicates *
                            (double)first->cohort.horizon_months;
    printf("\nWall time %.2f s, %.3g patient-months/s on %d thread%s\nWrote %s%s%s\n", seconds,
           seconds > 0 ? patient_months / seconds : 0.0, threads, threads == 1 ? "" : "s",
           output_path, csv_dir ? " and CSV tables in " : "", csv_dir ? csv_dir : "");
}

/* The writer for the study's file, made before anything is simulated, so
 * that an unwritable path fails at once. */
static int create_writer(ipsim_h5_writer **writer, const ipsim_study *study, const char *path,
                         const char *command_line, ipsim_error *err)
{
    const char **names = malloc((size_t)study->count * sizeof *names);
    if (!names)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the scenario names");
    for (int s = 0; s < study->count; s++)
        names[s] = study->scenarios[s].name;
    char created[32];
    ipsim_run_utc_now(created, sizeof created);
    const ipsim_run_info info = ipsim_run_info_of(study, command_line, created);
    int rc = ipsim_h5_writer_create(writer, path, &info, names, study->count, err);
    free(names);
    return rc;
}

int ipsim_command_run(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err)
{
    run_options ro;
    ipsim_options *o = &ro.shared;
    ipsim_study study = {0};
    ipsim_summary *total = NULL;
    ipsim_h5_writer *writer = NULL;
    double *draws = NULL;
    ipsim_csv_set csv = {0};
    char default_output[IPSIM_NAME_MAX + 8];
    int rc = parse(argc, argv, ctx->usage, &ro, err);
    if (!rc)
        rc = ipsim_study_load(&study, o->params_path, o->overrides, o->override_count, err);
    if (!rc && ro.csv_dir && study.count < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--csv writes a study's comparison; '%s' has one scenario (compare "
                        "runs with `ipsim compare`)",
                        o->params_path);
    /* Every output checked before anything runs. */
    if (!rc && ro.csv_dir)
        rc = ipsim_csv_check_directory(ro.csv_dir, err);
    if (rc)
        goto cleanup;
    const ipsim_params *first = &study.scenarios[0];
    const int sampling = first->psa.sample && ipsim_psa_dimension(first) > 0;

    /* Every model built and every PSA draw checked before anything runs;
     * and the run must fit. */
    int threads = 1;
    double memory = 0, output = 0;
    rc = ipsim_cohort_threads(o->threads, &threads, err);
    if (!rc)
        rc = ipsim_run_check_study(&study, threads, o->block_patients, ctx->cancel, &memory,
                                   &output, err);
    if (!rc && sampling)
        rc = ipsim_run_draw_parameters(&study, ctx->cancel, &draws, err);
    if (rc)
        goto cleanup;
    if (!o->output_path) {
        snprintf(default_output, sizeof default_output, "%s.h5", study.name);
        o->output_path = default_output;
    }
    rc = ipsim_run_check_resources(first, memory, output, o->output_path, o->quiet, err);
    if (!rc)
        rc = create_writer(&writer, &study, o->output_path, ctx->command_line, err);
    if (rc)
        goto cleanup;
    if (!o->quiet)
        print_start(&study, threads, sampling);

    ipsim_progress bar;
    ipsim_progress_init(&bar, stderr, o->quiet, o->progress_every, "simulating");
    ipsim_run_settings settings = {.threads = threads,
                                   .block_patients = o->block_patients,
                                   .cancel = ctx->cancel,
                                   .progress = &bar};
    double start = ipsim_seconds();
    rc = ipsim_run_study(writer, &study, draws, &settings, &total, err);
    ipsim_progress_finish(&bar);
    if (!rc && sampling)
        rc = ipsim_run_write_draws(writer, first, draws, err);
    double seconds = ipsim_seconds() - start;
    if (!rc && study.count == 1 && !o->quiet)
        ipsim_summary_print(stdout, total, first);
    if (!rc && study.count > 1)
        rc = ipsim_run_compare(writer, study.count, o->output_path, ro.csv_dir, &csv, ro.wtp,
                               ro.wtp_count, o->quiet, NULL, ctx->cancel, err);
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "before the file was complete");
    /* The file, then its tables (staged in full by now). */
    if (!rc) {
        rc = ipsim_h5_writer_commit(writer, err);
        writer = NULL;
    }
    if (!rc)
        rc = ipsim_csv_set_commit(&csv, err);
    if (!rc && !o->quiet)
        print_end(&study, seconds, threads, o->output_path, ro.csv_dir);

cleanup:
    ipsim_csv_set_free(&csv);
    if (writer) {
        ipsim_h5_writer_discard(writer);
        if (rc == IPSIM_EINTERRUPTED)
            fprintf(stderr, "ipsim: removed the unfinished output; nothing was written to %s\n",
                    o->output_path);
    }
    ipsim_summary_free(total);
    free(draws);
    ipsim_study_free(&study);
    ipsim_options_free(o);
    return rc;
}
