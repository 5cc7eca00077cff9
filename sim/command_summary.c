/* sim/command_summary.c: `ipsim summary FILE.h5`. */
#include <stdio.h>
#include <string.h>

#include "output/h5_reader.h"
#include "output/summary.h"
#include "sim/commands.h"

int ipsim_command_summary(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err)
{
    (void)ctx;
    if (argc != 1 || argv[0][0] == '-')
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "usage: ipsim summary FILE.h5");
    ipsim_h5_reader *reader = NULL;
    ipsim_summary *total = NULL;
    int rc = ipsim_h5_reader_open(&reader, argv[0], err);
    if (!rc)
        rc = ipsim_summary_create(&total, ipsim_h5_reader_params(reader), err);
    if (!rc)
        rc = ipsim_h5_reader_read_summary(reader, total, err);
    if (!rc) {
        const ipsim_params *p = ipsim_h5_reader_params(reader);
        printf("%s: ", argv[0]);
        ipsim_summary_print_scenario(stdout, p);
        printf("; written by ipsim %s at %s\n", ipsim_h5_reader_version(reader),
               ipsim_h5_reader_created_utc(reader));
        ipsim_summary_print(stdout, total, p);
    }
    ipsim_summary_free(total);
    ipsim_h5_reader_close(reader);
    return rc;
}
