/* sim/command_compare.c: `ipsim compare` (usage and options: sim/commands.c).
 *
 * Compares every scenario of the files given, in order (the first is the
 * reference): a study's file alone, or separate runs side by side. The
 * figures are analysis/comparison.h's; a study's run stores the same in its
 * file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/comparison.h"
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
    if (!rc)
        rc = ipsim_comparison_compute(&comparison, readers, count, ctx->cancel, err);
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "before writing");
    /* The tables all or none. */
    ipsim_csv_set csv = {0};
    if (!rc && csv_dir)
        rc = ipsim_comparison_csv(&comparison, wtp, wtp_count, &csv, err);
    if (!rc && csv_dir)
        rc = ipsim_csv_set_write(&csv, csv_dir, err);
    ipsim_csv_set_free(&csv);
    if (!rc)
        ipsim_comparison_print(stdout, &comparison, wtp, wtp_count);
    ipsim_comparison_free(&comparison);
    for (int i = 0; i < count; i++)
        ipsim_h5_reader_close(readers[i]);
    free(readers);
    return rc;
}
