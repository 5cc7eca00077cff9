/* sim/command_validate.c: `ipsim validate` (usage and options: sim/commands.c):
 * simulates the scenario in memory (sim/validation_run.h) and prints the
 * review's table (docs/review.md); with psa.posterior, the posterior
 * predictive check of the same rows. */
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
    ipsim_predictive *predictive = malloc(sizeof *predictive);
    rc = v && predictive ? ipsim_validation_run(&params, o.threads, o.quiet, ctx->cancel, v,
                                                predictive, err)
                         : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the validation table");
    if (!rc) {
        int failed = ipsim_validation_print(stdout, v);
        /* Informative, not judged: a figure outside a 95% interval is what
         * the check is there to show (docs/psa.md). */
        if (predictive->status) {
            /* The table stands; the check could not be made. */
            *err = predictive->error;
            ipsim_error_prefix(err, "the posterior predictive check: ");
            rc = predictive->status;
        } else if (predictive->draws > 0)
            ipsim_predictive_print(stdout, v, predictive, params.psa.posterior.path);
        else if (params.psa.posterior.path[0])
            printf("\nNo posterior predictive check: the expected-value model does not cover "
                   "this scenario (IVIG or vaccination).\n");
        if (failed && !rc)
            rc = IPSIM_FAIL(err, IPSIM_EVALIDATION,
                            "%d row%s not reproduced under the joint criterion (%d checks at "
                            "%.2f standard errors)",
                            failed, failed == 1 ? "" : "s", v->checks, v->z);
    }
    free(v);
    free(predictive);

cleanup:
    ipsim_options_free(&o);
    return rc;
}
