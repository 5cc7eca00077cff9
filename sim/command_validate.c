/* sim/command_validate.c: `ipsim validate [PARAMS.yaml] [--set k=v]... [--threads N]`:
 * simulates the scenario in memory and prints the seed's table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/validate.h"
#include "models/patient.h"
#include "output/summary.h"
#include "params/loader.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/progress.h"

static int add_replicate(void *ctx, int64_t replicate, const ipsim_summary *s, ipsim_error *err)
{
    (void)replicate;
    (void)err;
    ipsim_summary_merge(ctx, s);
    return IPSIM_OK;
}

int ipsim_validate_scenario(const ipsim_params *params, int threads, int quiet,
                            const volatile sig_atomic_t *cancel, ipsim_validation_row *rows,
                            ipsim_error *err)
{
    ipsim_model *model = malloc(sizeof *model);
    ipsim_summary *total = NULL;
    int rc = model ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    if (!rc)
        rc = ipsim_model_init(model, params, err);
    if (!rc)
        rc = ipsim_summary_create(&total, params, err);
    if (!rc) {
        ipsim_progress progress;
        ipsim_progress_init(&progress, stderr, quiet, "simulating");
        ipsim_cohort_config config = {.threads = ipsim_cohort_threads(threads),
                                      .block_patients = 65536,
                                      .keep_trajectories = 0,
                                      .cancel = cancel,
                                      .progress = ipsim_progress_update,
                                      .progress_ctx = &progress};
        ipsim_cohort_sinks sinks = {.replicate = add_replicate, .ctx = total};
        rc = ipsim_cohort_run(model, params->seed, params->cohort.patients, 0,
                              params->cohort.replicates, &config, &sinks, err);
        ipsim_progress_finish(&progress);
    }
    if (!rc)
        ipsim_validation_rows(total, params, rows);
    ipsim_summary_free(total);
    free(model);
    return rc;
}

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
        printf(" against the review's figures\n\n");
        fflush(stdout);
    }
    ipsim_validation_row rows[IPSIM_VALIDATION_ROWS];
    rc = ipsim_validate_scenario(&params, o.threads, o.quiet, ctx->cancel, rows, err);
    if (rc)
        goto cleanup;
    int failed = ipsim_validation_print(stdout, rows);
    if (failed)
        rc = IPSIM_FAIL(err, IPSIM_EVALIDATION,
                        "%d row%s of the review's table not reproduced within the simulated 95%% "
                        "interval",
                        failed, failed == 1 ? "" : "s");

cleanup:
    ipsim_options_free(&o);
    return rc;
}
