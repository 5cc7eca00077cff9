/* sim/command_summary.c: `ipsim summary FILE.h5 [--scenario NAME]`: the
 * printed summary of each scenario in the file (or of one). */
#include <stdio.h>
#include <string.h>

#include "output/h5_reader.h"
#include "output/summary.h"
#include "sim/commands.h"

static int print_scenario(const char *path, int index, const char *only, int *printed,
                          ipsim_error *err)
{
    ipsim_h5_reader *reader = NULL;
    ipsim_summary *total = NULL;
    int rc = ipsim_h5_reader_open_scenario(&reader, path, index, err);
    const ipsim_params *p = rc ? NULL : ipsim_h5_reader_params(reader);
    if (!rc && only && strcmp(p->name, only) != 0)
        goto done;
    rc = ipsim_summary_create(&total, p, err);
    if (!rc)
        rc = ipsim_h5_reader_read_summary(reader, total, err);
    if (!rc) {
        printf("%s%s: ", *printed ? "\n\n" : "", path);
        ipsim_summary_print_scenario(stdout, p);
        printf("; written by ipsim %s at %s\n", ipsim_h5_reader_version(reader),
               ipsim_h5_reader_created_utc(reader));
        ipsim_summary_print(stdout, total, p);
        ++*printed;
    }
done:
    ipsim_summary_free(total);
    ipsim_h5_reader_close(reader);
    return rc;
}

int ipsim_command_summary(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err)
{
    const char *usage = ctx->usage;
    const char *only = NULL;
    if (argc == 3 && strcmp(argv[1], "--scenario") == 0)
        only = argv[2];
    else if (argc != 1 || argv[0][0] == '-')
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s", usage);
    ipsim_h5_reader *first = NULL;
    int rc = ipsim_h5_reader_open(&first, argv[0], err);
    int count = rc ? 0 : ipsim_h5_reader_scenario_count(first), printed = 0;
    ipsim_h5_reader_close(first);
    for (int s = 0; s < count && !rc; s++)
        rc = print_scenario(argv[0], s, only, &printed, err);
    if (!rc && only && !printed)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "'%s' holds no scenario named '%s'", argv[0], only);
    return rc;
}
