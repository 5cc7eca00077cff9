/* sim/command_validate.c: `ipsim validate` (usage and options: sim/commands.c):
 * simulates the scenario in memory (sim/validation_run.h) and prints the
 * review's table (docs/review.md). */
#include <stdio.h>
#include <stdlib.h>

#include "analysis/validate.h"
#include "output/summary.h"
#include "params/loader.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/validation_run.h"

int ipsim_command_validate(int argc, char **argv, const ipsim_command_context *ctx,
                           ipsim_error *err)
{
    ipsim_options o;
    int rc = ipsim_options_parse(&o, argc, argv, IPSIM_OPT_THREADS | IPSIM_OPT_QUIET, ctx->usage,
                                 err);
    ipsim_params params;
    if (!rc)
        rc = ipsim_params_resolve(&params, o.params_path, o.overrides, o.override_count, err);
    if (rc)
        goto cleanup;
    if (!o.quiet) {
        printf("Validating ");
        ipsim_summary_print_scenario(stdout, &params);
        printf(" against its sources and its exact expectation (docs/model.md)\n\n");
        fflush(stdout);
    }
    ipsim_validation *v = malloc(sizeof *v);
    rc = v ? ipsim_validation_run(&params, o.threads, o.quiet, ctx->cancel, v, err)
           : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the validation table");
    if (!rc) {
        int failed = ipsim_validation_print(stdout, v);
        if (failed)
            rc = IPSIM_FAIL(err, IPSIM_EVALIDATION,
                            "%d row%s not reproduced under the joint criterion (%d checks at "
                            "%.2f standard errors)",
                            failed, failed == 1 ? "" : "s", v->checks, v->z);
    }
    free(v);

cleanup:
    ipsim_options_free(&o);
    return rc;
}
