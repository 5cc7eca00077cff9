/* sim/command_summary.c: `ipsim summary`: the printed summary of each
 * scenario in a file (or of one). Usage and options: sim/commands.c. */
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
    const char *only = NULL, *path = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--scenario") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(a, "--scenario") == 0)
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "--scenario needs a value; %s", usage);
        else if (a[0] == '-')
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", a, usage);
        else if (path)
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "unexpected argument '%s'; %s", a, usage);
        else
            path = a;
    }
    if (!path)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "which file? %s", usage);
    ipsim_h5_reader *first = NULL;
    int rc = ipsim_h5_reader_open(&first, path, err);
    int count = rc ? 0 : ipsim_h5_reader_scenario_count(first), printed = 0;
    ipsim_h5_reader_close(first);
    for (int s = 0; s < count && !rc; s++) {
        rc = ipsim_error_cancelled(ctx->cancel, err, "while reading the scenarios");
        if (!rc)
            rc = print_scenario(path, s, only, &printed, err);
    }
    if (!rc && only && !printed)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "'%s' holds no scenario named '%s'", path, only);
    return rc;
}
