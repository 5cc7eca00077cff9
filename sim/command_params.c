/* sim/command_params.c: `ipsim params`, the reference and resolved sets. */
#include <stdio.h>
#include <stdlib.h>

#include "models/module.h"
#include "params/loader.h"
#include "sim/commands.h"
#include "sim/options.h"

int ipsim_command_params(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err)
{
    const char *usage = ctx->usage;
    ipsim_options o;
    int rc = ipsim_options_parse(&o, argc, argv, 0, usage, err);
    if (!rc && !o.params_path && o.override_count == 0) {
        ipsim_params_write_reference(stdout);
        ipsim_modules_write_reference(stdout, ipsim_registered_modules);
    } else if (!rc) {
        ipsim_params params;
        char *text = NULL;
        rc = ipsim_params_resolve(&params, o.params_path, o.overrides, o.override_count, err);
        if (!rc)
            rc = ipsim_params_to_yaml(&params, &text, err);
        if (!rc)
            fputs(text, stdout);
        free(text);
    }
    ipsim_options_free(&o);
    return rc;
}
