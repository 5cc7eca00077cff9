/* sim/command_compare.c: `ipsim compare` (usage and options: sim/commands.c).
 *
 * Compares every scenario of the files given, in order (the first is the
 * reference): a study's file alone, or separate runs side by side. The
 * figures are analysis/comparison.h's; a study's run stores the same in its
 * file. A sweep's file of several points is compared point by point
 * (analysis/sweep_decision.h), as `ipsim sweep` did: its points are
 * settings, never options to compare with each other. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/comparison.h"
#include "analysis/sweep_decision.h"
#include "output/h5_reader.h"
#include "sim/commands.h"
#include "sim/options.h"

int ipsim_command_compare(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err)
{
    const char *usage = ctx->usage;
    const char *csv_dir = NULL;
    double wtp[IPSIM_WTP_REPORT_MAX] = IPSIM_WTP_DEFAULT;
    int wtp_count = IPSIM_WTP_DEFAULT_COUNT, count = 0, rc = IPSIM_OK;
    ipsim_h5_reader **readers = NULL;
    ipsim_comparison comparison = {0};
    for (int i = 0; i < argc && !rc; i++) {
        if ((strcmp(argv[i], "--csv") == 0 || strcmp(argv[i], "--wtp") == 0) && i + 1 >= argc) {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", argv[i], usage);
        } else if (strcmp(argv[i], "--csv") == 0) {
            csv_dir = argv[++i];
        } else if (strcmp(argv[i], "--wtp") == 0) {
            rc = ipsim_options_parse_wtp(argv[++i], wtp, IPSIM_WTP_REPORT_MAX, &wtp_count, err);
        } else if (argv[i][0] == '-') {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", argv[i], usage);
        } else {
            rc = ipsim_h5_reader_open_all(argv[i], &readers, &count, err);
        }
    }
    if (!rc && count < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "compare needs two or more scenarios: a study's file, or several "
                        "runs; %s",
                        usage);
    if (!rc && csv_dir)
        rc = ipsim_csv_check_directory(csv_dir, err);
    /* A sweep of several points: each point's strategies among themselves. */
    ipsim_sweep sweep = {0};
    ipsim_sweep_decision decision = {0};
    const bool by_point = !rc && ipsim_sweep_file_has_points(readers[0]);
    /* ... and never beside other files, whichever place it is given in. */
    for (int s = 1; !rc && !by_point && s < count; s++)
        if (ipsim_sweep_file_has_points(readers[s]))
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                            "'%s' is (part of) a sweep of several points, compared point by "
                            "point; compare the whole sweep alone, not beside other files",
                            ipsim_h5_reader_path(readers[s]));
    if (by_point) {
        rc = ipsim_sweep_read_table(readers[0], &sweep, err);
        char *part = rc ? NULL : ipsim_h5_reader_root_attribute(readers[0], "sweep", "part");
        if (!rc && part && strcmp(part, "1/1") != 0)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                            "'%s' is part %s of a sweep; merge the parts (ipsim merge) and "
                            "compare the whole, point by point",
                            ipsim_h5_reader_path(readers[0]), part);
        else if (!rc && sweep.study.count != count)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                            "'%s' is a sweep of %d points, compared point by point; compare it "
                            "alone, not beside other files",
                            ipsim_h5_reader_path(readers[0]), sweep.points);
        free(part);
        for (int s = 0; !rc && s < count; s++)
            if (strcmp(ipsim_h5_reader_params(readers[s])->name, sweep.study.scenarios[s].name))
                rc = IPSIM_FAIL(err, IPSIM_EFORMAT,
                                "'%s': scenario %d is '%s', but its /sweep table says '%s'",
                                ipsim_h5_reader_path(readers[0]), s + 1,
                                ipsim_h5_reader_params(readers[s])->name,
                                sweep.study.scenarios[s].name);
        if (!rc)
            rc = ipsim_sweep_decision_compute(&decision, &sweep, readers, NULL, ctx->cancel,
                                              err);
    } else if (!rc) {
        rc = ipsim_comparison_compute(&comparison, readers, count, ctx->cancel, err);
    }
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "before writing");
    /* The tables all or none. */
    ipsim_csv_set csv = {0};
    if (!rc && csv_dir)
        rc = by_point ? ipsim_sweep_decision_csv(&decision, wtp, wtp_count, &csv, err)
                      : ipsim_comparison_csv(&comparison, wtp, wtp_count, &csv, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_set_write(&csv, csv_dir, err);
    ipsim_csv_set_free(&csv);
    if (!rc && by_point)
        ipsim_sweep_decision_print(stdout, &decision, wtp, wtp_count);
    else if (!rc)
        ipsim_comparison_print(stdout, &comparison, wtp, wtp_count);
    ipsim_comparison_free(&comparison);
    ipsim_sweep_decision_free(&decision);
    ipsim_sweep_free(&sweep);
    for (int i = 0; i < count; i++)
        ipsim_h5_reader_close(readers[i]);
    free(readers);
    return rc;
}
