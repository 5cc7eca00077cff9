/* sim/command_sweep.c: `ipsim sweep` and `ipsim merge`: their options,
 * then the sweep engine (sim/sweep_run.h), which runs the scenarios into
 * a checkpoint directory, resumes, splits into parts and assembles. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic_file.h"
#include "output/csv.h"
#include "params/sweep.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/progress.h"
#include "sim/sweep_run.h"
#include "sim/version.h"

/* Options beyond the shared ones. */
typedef struct sweep_options {
    int part, parts; /* 1/1 for a whole sweep */
    int resume;
    const char *csv_dir;
    double wtp[IPSIM_WTP_REPORT_MAX];
    int wtp_count;
} sweep_options;

static int parse_part(const char *text, sweep_options *so, ipsim_error *err)
{
    if (!ipsim_sweep_part_parse(text, &so->part, &so->parts))
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "--part takes I/N, part I of N (1 <= I <= N <= %d), e.g. --part 2/8; "
                          "got '%s'",
                          IPSIM_STUDY_MAX_SCENARIOS, text);
    return IPSIM_OK;
}

/* Takes --part, --resume, --csv and --wtp out of argv (those `allowed`). */
static int take_options(int *argc, char **argv, sweep_options *so, int allowed_part,
                        const char *usage, ipsim_error *err)
{
    *so = (sweep_options){.part = 1, .parts = 1, .wtp = IPSIM_WTP_DEFAULT,
                          .wtp_count = IPSIM_WTP_DEFAULT_COUNT};
    int kept = 0, rc = IPSIM_OK;
    for (int i = 0; i < *argc && !rc; i++) {
        const char *a = argv[i];
        int takes = strcmp(a, "--csv") == 0 || strcmp(a, "--wtp") == 0 ||
                    (allowed_part && strcmp(a, "--part") == 0);
        if (takes && i + 1 >= *argc)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", a, usage);
        else if (strcmp(a, "--csv") == 0)
            so->csv_dir = argv[++i];
        else if (strcmp(a, "--wtp") == 0)
            rc = ipsim_options_parse_wtp(argv[++i], so->wtp, IPSIM_WTP_REPORT_MAX, &so->wtp_count,
                                         err);
        else if (allowed_part && strcmp(a, "--part") == 0)
            rc = parse_part(argv[++i], so, err);
        else if (allowed_part && strcmp(a, "--resume") == 0)
            so->resume = 1;
        else
            argv[kept++] = argv[i];
    }
    *argc = kept;
    return rc;
}

/* The engine's settings from the options. */
static ipsim_sweep_settings settings_of(const sweep_options *so, int threads,
                                        int64_t block_patients, int quiet,
                                        double progress_every,
                                        const ipsim_command_context *ctx)
{
    return (ipsim_sweep_settings){.part = so->part,
                                  .parts = so->parts,
                                  .resume = so->resume,
                                  .csv_dir = so->csv_dir,
                                  .wtp = so->wtp,
                                  .wtp_count = so->wtp_count,
                                  .threads = threads,
                                  .block_patients = block_patients,
                                  .quiet = quiet,
                                  .progress_every = progress_every,
                                  .command_line = ctx->command_line,
                                  .cancel = ctx->cancel,
                                  .ranks = ctx->ranks};
}

/* The target may be replaced and the CSV directory written (base/atomic_file.h),
 * checked before any work. */
static int check_outputs(const char *target, const char *csv_dir, ipsim_error *err)
{
    char real[IPSIM_PATH_MAX];
    int rc = ipsim_output_target(target, real, sizeof real, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_check_directory(csv_dir, err);
    return rc;
}

/* ---- ipsim sweep ------------------------------------------------------------------------ */

static void print_start(const ipsim_sweep_plan *plan)
{
    const ipsim_sweep_settings *s = plan->settings;
    const ipsim_study *study = &plan->sweep->study;
    printf("ipsim %s: sweep %s, %d scenarios", IPSIM_VERSION, study->name, study->count);
    if (s->parts > 1)
        printf(", part %d of %d", s->part, s->parts);
    printf("; %d to run", plan->todo);
    if (plan->skipped)
        printf(" (%d finished before, kept)", plan->skipped);
    if (s->ranks->size > 1)
        printf(", %d MPI ranks of %d thread%s each\n", s->ranks->size, s->threads,
               s->threads == 1 ? "" : "s");
    else
        printf(", %d thread%s\n", s->threads, s->threads == 1 ? "" : "s");
    fflush(stdout);
}

static void print_end(const ipsim_sweep_plan *plan, double seconds)
{
    const ipsim_sweep_settings *s = plan->settings;
    printf("\nWall time %.2f s for %d scenario%s on ", seconds, plan->finished_now,
           plan->finished_now == 1 ? "" : "s");
    if (s->ranks->size > 1)
        printf("%d MPI ranks of ", s->ranks->size);
    printf("%d thread%s\nWrote %s%s%s\n", s->threads, s->threads == 1 ? "" : "s", plan->target,
           s->csv_dir ? " and CSV tables in " : "", s->csv_dir ? s->csv_dir : "");
}

int ipsim_command_sweep(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err)
{
    ipsim_options o = {0};
    ipsim_sweep sw = {0};
    ipsim_sweep_plan plan = {0};
    sweep_options so;
    char target[IPSIM_PATH_MAX];
    int rc = take_options(&argc, argv, &so, 1, ctx->usage, err);
    if (!rc)
        rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                     IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED |
                                     IPSIM_OPT_PROGRESS,
                                 ctx->usage, err);
    if (!rc)
        rc = ipsim_sweep_load(&sw, o.params_path, o.overrides, o.override_count, err);
    /* Every part holds a scenario: an empty part would be a file without
     * one, which no reader (nor merge) takes. */
    if (!rc && so.parts > sw.study.count)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--part %d/%d: the sweep has %d scenario%s, so it splits into at most %d "
                        "part%s",
                        so.part, so.parts, sw.study.count, sw.study.count == 1 ? "" : "s",
                        sw.study.count, sw.study.count == 1 ? "" : "s");
    if (!rc && so.csv_dir && so.parts > 1)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--csv writes the comparison of a whole sweep; give it to `ipsim "
                        "merge`, which compares the parts");
    if (rc)
        goto cleanup;
    if (o.output_path)
        snprintf(target, sizeof target, "%s", o.output_path);
    else if (so.parts > 1)
        snprintf(target, sizeof target, "%s.part-%d-of-%d.h5", sw.study.name, so.part, so.parts);
    else
        snprintf(target, sizeof target, "%s.h5", sw.study.name);
    /* Every output checked before anything runs. */
    rc = check_outputs(target, so.csv_dir, err);
    if (rc)
        goto cleanup;

    /* Only rank 0 speaks. */
    const int quiet = o.quiet || ctx->ranks->rank != 0;
    int threads = 1;
    rc = ipsim_cohort_threads(o.threads, &threads, err);
    if (rc)
        goto cleanup;
    const ipsim_sweep_settings settings =
        settings_of(&so, threads, o.block_patients, o.quiet, o.progress_every, ctx);
    rc = ipsim_sweep_prepare(&plan, &sw, target, &settings, err);
    if (rc)
        goto cleanup;
    if (!quiet)
        print_start(&plan);
    double start = ipsim_seconds();
    rc = ipsim_sweep_run_scenarios(&plan, err);
    if (rc) {
        const int kept = plan.finished_now + plan.skipped;
        if (rc == IPSIM_EINTERRUPTED && kept > 0 && ctx->ranks->rank == 0)
            fprintf(stderr,
                    "ipsim: %d of the %d scenarios are finished and kept in '%s'; run the same "
                    "command with --resume to run the rest\n",
                    kept, plan.todo + plan.skipped, plan.directory);
        goto cleanup;
    }
    double seconds = ipsim_seconds() - start;
    rc = ipsim_sweep_assemble(&plan, err);
    if (!rc && !quiet)
        print_end(&plan, seconds);

cleanup:
    ipsim_sweep_plan_free(&plan);
    ipsim_sweep_free(&sw);
    ipsim_options_free(&o);
    return rc;
}

/* ---- ipsim merge ---------------------------------------------------------------------- */

int ipsim_command_merge(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err)
{
    sweep_options so;
    int quiet = 0, files = 0;
    int rc = take_options(&argc, argv, &so, 0, ctx->usage, err);
    for (int i = 0; !rc && i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (argv[i][0] == '-')
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", argv[i], ctx->usage);
        else
            argv[files++] = argv[i];
    }
    if (!rc && files < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s %s",
                        files ? "which parts?" : "which output file and parts?", ctx->usage);
    if (rc)
        return rc;
    const char *target = argv[0];
    const ipsim_sweep_settings settings = settings_of(&so, 1, 0, quiet, 0, ctx);
    int scenarios = 0, parts = 0;
    rc = check_outputs(target, so.csv_dir, err);
    if (!rc)
        rc = ipsim_sweep_merge(target, argv + 1, files - 1, &settings, &scenarios, &parts, err);
    if (!rc && !quiet)
        printf("\nMerged %d parts (%d scenarios) into %s\n", parts, scenarios, target);
    return rc;
}
