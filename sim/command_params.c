/* sim/command_params.c: `ipsim params`, the reference and resolved sets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/loader.h"
#include "sim/commands.h"

int ipsim_command_params(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err)
{
    (void)ctx;
    const char *path = NULL;
    const char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    if (!overrides)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    size_t override_count = 0;
    int rc = IPSIM_OK;
    for (int i = 0; i < argc && !rc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            overrides[override_count++] = argv[++i];
        else if (strncmp(argv[i], "--set=", 6) == 0)
            overrides[override_count++] = argv[i] + 6;
        else if (argv[i][0] == '-' || path)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unexpected argument '%s'; usage: ipsim params "
                            "[PARAMS.yaml] [--set section.key=value]...", argv[i]);
        else
            path = argv[i];
    }
    if (!rc && !path && override_count == 0) {
        ipsim_params_write_reference(stdout);
    } else if (!rc) {
        ipsim_params params;
        char *text = NULL;
        rc = ipsim_params_resolve(&params, path, overrides, override_count, err);
        if (!rc)
            rc = ipsim_params_to_yaml(&params, &text, err);
        if (!rc)
            fputs(text, stdout);
        free(text);
    }
    free(overrides);
    return rc;
}
