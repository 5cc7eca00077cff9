/* sim/command_voi.c: `ipsim voi` (usage and options: sim/commands.c).
 *
 * Reads a study's PSA back from its file, runs the value-of-information
 * analysis (analysis/voi_analysis.h), prints it, writes CSV if asked, and
 * stores it under /voi in the file. The file is updated through a copy
 * renamed over it (output/h5_writer.h), so a failure leaves it as it was;
 * a second analysis replaces the first's /voi. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/comparison.h"
#include "analysis/sweep_decision.h"
#include "analysis/voi_analysis.h"
#include "base/atomic_file.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "params/voi_plan.h"
#include "sim/commands.h"
#include "sim/options.h"

_Static_assert((int)IPSIM_VOI_WTP_MAX >= (int)IPSIM_WTP_REPORT_MAX, "--wtp's values must fit the plan");

static int parse(int argc, char **argv, const char *usage, const char **file,
                 ipsim_voi_plan *plan, const char **csv_dir, double *wtp, int *wtp_count,
                 ipsim_error *err)
{
    const char *plan_path = NULL;
    const char *groups[IPSIM_VOI_GROUPS_MAX];
    int bootstrap = 0, group_count = 0, rc = IPSIM_OK;
    bool wtp_given = false;
    ipsim_voi_plan_init(plan);
    for (int i = 0; i < argc && !rc; i++) {
        const char *a = argv[i];
        const bool takes_value = strcmp(a, "--parameters") == 0 || strcmp(a, "--wtp") == 0 ||
                                 strcmp(a, "--csv") == 0 || strcmp(a, "--bootstrap") == 0;
        if (takes_value && i + 1 >= argc) {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", a, usage);
        } else if (strcmp(a, "--parameters") == 0) {
            if (group_count == IPSIM_VOI_GROUPS_MAX)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "more than %d parameter groups",
                                IPSIM_VOI_GROUPS_MAX);
            else
                groups[group_count++] = argv[++i];
        } else if (strcmp(a, "--wtp") == 0) {
            rc = ipsim_options_parse_wtp(argv[++i], wtp, IPSIM_WTP_REPORT_MAX, wtp_count, err);
            wtp_given = true;
        } else if (strcmp(a, "--csv") == 0) {
            *csv_dir = argv[++i];
        } else if (strcmp(a, "--bootstrap") == 0) {
            char *end;
            long b = strtol(argv[++i], &end, 10);
            if (*end || b < 2 || b > IPSIM_VOI_BOOTSTRAP_MAX)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "--bootstrap takes 2 to %d, not '%s'",
                                IPSIM_VOI_BOOTSTRAP_MAX, argv[i]);
            bootstrap = (int)b;
        } else if (a[0] == '-') {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", a, usage);
        } else if (!*file) {
            *file = a;
        } else if (!plan_path) {
            plan_path = a;
        } else {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unexpected argument '%s'; %s", a, usage);
        }
    }
    if (!rc && !*file)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "which file? %s", usage);
    if (!rc && plan_path)
        rc = ipsim_voi_plan_load(plan, plan_path, err);
    /* Command-line groups come after the plan's. */
    for (int g = 0; !rc && g < group_count; g++)
        rc = ipsim_voi_plan_add_group(plan, groups[g], err);
    /* The command line beats the plan, for --wtp as for --bootstrap. */
    if (!rc && bootstrap)
        plan->bootstrap = bootstrap;
    if (!rc && wtp_given) {
        plan->wtp_count = *wtp_count;
        memcpy(plan->wtp, wtp, (size_t)*wtp_count * sizeof *wtp);
    }
    return rc;
}

int ipsim_command_voi(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err)
{
    const char *file = NULL, *csv_dir = NULL;
    double wtp[IPSIM_WTP_REPORT_MAX] = IPSIM_WTP_DEFAULT;
    int wtp_count = IPSIM_WTP_DEFAULT_COUNT, count = 0;
    ipsim_voi_plan *plan = malloc(sizeof *plan);
    if (!plan)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    ipsim_h5_reader **readers = NULL;
    ipsim_comparison comparison = {0};
    ipsim_voi_analysis analysis = {0};
    ipsim_csv_set csv = {0};
    int rc = parse(argc, argv, ctx->usage, &file, plan, &csv_dir, wtp, &wtp_count, err);
    /* Every output checked before any work: the file is one this user may
     * replace (base/atomic_file.h), the CSV directory writable. */
    char real[IPSIM_PATH_MAX];
    if (!rc)
        rc = ipsim_output_target(file, real, sizeof real, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_check_directory(csv_dir, err);
    if (!rc)
        rc = ipsim_h5_reader_open_all(file, &readers, &count, err);
    /* Points of a sweep are settings, not options: no one decision spans
     * them. */
    if (!rc && ipsim_sweep_file_has_points(readers[0]))
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "'%s' is a sweep of several points, each its own decision; the value "
                        "of information is of one decision: run ipsim voi on a study (e.g. the "
                        "study at one point's values)",
                        file);
    if (!rc)
        rc = ipsim_comparison_compute(&comparison, readers, count, ctx->cancel, err);
    if (!rc)
        rc = ipsim_voi_analysis_run(&analysis, &comparison, ipsim_h5_reader_params(readers[0]),
                                    plan, wtp, wtp_count, ctx->cancel, err);
    for (int i = 0; i < count; i++)
        ipsim_h5_reader_close(readers[i]);
    free(readers);
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "before writing");
    /* The tables staged in full, the file updated, then the tables renamed:
     * a failure on the way leaves the file and the tables as they were. */
    if (!rc && csv_dir)
        rc = ipsim_voi_analysis_csv(&analysis, &csv, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_set_stage(&csv, csv_dir, err);
    if (!rc) {
        ipsim_h5_writer *w = NULL;
        rc = ipsim_h5_writer_update(&w, file, "voi", err);
        if (!rc)
            rc = ipsim_voi_analysis_write_h5(&analysis, w, err);
        /* The last moment a signal can stop it: the file is then replaced whole. */
        if (!rc)
            rc = ipsim_error_cancelled(ctx->cancel, err, "before replacing the file");
        if (!rc)
            rc = ipsim_h5_writer_commit(w, err);
        else
            ipsim_h5_writer_discard(w);
    }
    if (!rc)
        rc = ipsim_csv_set_commit(&csv, err);
    ipsim_csv_set_free(&csv);
    if (!rc) {
        ipsim_voi_analysis_print(stdout, &analysis);
        printf("\nStored under /voi in %s%s%s.\n", file, csv_dir ? "; CSV in " : "",
               csv_dir ? csv_dir : "");
    }
    if (rc == IPSIM_EINTERRUPTED)
        fprintf(stderr, "ipsim: %s is as it was\n", file);
    ipsim_voi_analysis_free(&analysis);
    ipsim_comparison_free(&comparison);
    free(plan);
    return rc;
}
