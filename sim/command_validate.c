/* sim/command_validate.c: `ipsim validate [PARAMS.yaml] [--set k=v]... [--threads N]`:
 * simulates the scenario in memory and prints the seed's table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "models/patient.h"
#include "output/summary.h"
#include "output/validate.h"
#include "params/loader.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/progress.h"

static const char usage[] =
    "usage: ipsim validate [PARAMS.yaml] [--set section.key=value]... [--threads N] [--quiet]";

static int add_replicate(void *ctx, int64_t replicate, const ipsim_summary *s, ipsim_error *err)
{
    (void)replicate;
    (void)err;
    ipsim_summary_merge(ctx, s);
    return IPSIM_OK;
}

int ipsim_command_validate(int argc, char **argv, const ipsim_command_context *ctx,
                           ipsim_error *err)
{
    const char *path = NULL;
    const char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    size_t override_count = 0;
    int threads = 0, quiet = 0, rc = IPSIM_OK;
    ipsim_model *model = NULL;
    ipsim_summary *total = NULL;
    if (!overrides)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    for (int i = 0; i < argc && !rc; i++) {
        if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            overrides[override_count++] = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (argv[i][0] == '-' || path)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unexpected argument '%s'; %s", argv[i], usage);
        else
            path = argv[i];
    }
    if (!rc && threads < 0)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "--threads takes a positive number; %s", usage);
    ipsim_params params;
    if (!rc)
        rc = ipsim_params_resolve(&params, path, overrides, override_count, err);
    if (!rc && !(model = malloc(sizeof *model)))
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    if (!rc)
        rc = ipsim_model_init(model, &params, err);
    if (!rc)
        rc = ipsim_summary_create(&total, &params, err);
    if (rc)
        goto cleanup;
#ifdef _OPENMP
    if (threads == 0)
        threads = omp_get_max_threads();
#else
    threads = 1;
#endif
    if (!quiet) {
        printf("Validating ");
        ipsim_summary_print_scenario(stdout, &params);
        printf(" against the review's figures\n\n");
        fflush(stdout);
    }
    ipsim_progress progress;
    ipsim_progress_init(&progress, stderr, quiet, "simulating");
    ipsim_cohort_config config = {.threads = threads,
                                  .block_patients = 65536,
                                  .keep_trajectories = 0,
                                  .cancel = ctx->cancel,
                                  .progress = ipsim_progress_update,
                                  .progress_ctx = &progress};
    ipsim_cohort_sinks sinks = {.replicate = add_replicate, .ctx = total};
    rc = ipsim_cohort_run(model, params.seed, params.cohort.patients, params.cohort.replicates,
                          &config, &sinks, err);
    ipsim_progress_finish(&progress);
    if (rc)
        goto cleanup;
    ipsim_validation_row rows[IPSIM_VALIDATION_ROWS];
    ipsim_validation_rows(total, &params, rows);
    int failed = ipsim_validation_print(stdout, rows);
    if (failed)
        rc = IPSIM_FAIL(err, IPSIM_EVALIDATION,
                        "%d row%s of the review's table not reproduced within the simulated 95%% "
                        "interval",
                        failed, failed == 1 ? "" : "s");

cleanup:
    ipsim_summary_free(total);
    free(model);
    free(overrides);
    return rc;
}
