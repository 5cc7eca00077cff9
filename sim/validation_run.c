/* sim/validation_run.c: the in-memory simulation of sim/validation_run.h. */
#include "sim/validation_run.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/patient.h"
#include "output/summary.h"
#include "sim/cohort.h"
#include "sim/progress.h"
#include "sim/run.h"

static int add_replicate(void *ctx, int64_t replicate, const ipsim_summary *s, ipsim_error *err)
{
    (void)replicate;
    (void)err;
    ipsim_summary_merge(ctx, s);
    return IPSIM_OK;
}

int ipsim_validation_run(const ipsim_params *params, int threads, int quiet,
                         const volatile sig_atomic_t *cancel, ipsim_validation *v,
                         ipsim_error *err)
{
    ipsim_model *model = malloc(sizeof *model);
    ipsim_summary *total = NULL;
    int rc = model ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the model");
    if (!rc) {
        ipsim_run_warn_timetable(params, quiet);
        rc = ipsim_model_init(model, params, err);
    }
    if (!rc)
        rc = ipsim_summary_create(&total, params, err);
    int count = 1;
    if (!rc)
        rc = ipsim_cohort_threads(threads, &count, err);
    if (!rc) {
        ipsim_progress progress;
        ipsim_progress_init(&progress, stderr, quiet, "simulating");
        ipsim_cohort_config config = {.threads = count,
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
    if (!rc) {
        /* The exact expectation covers the natural history only; a scenario
         * with IVIG or vaccination is judged against its sources alone. */
        ipsim_expected exact;
        ipsim_error ignored;
        ipsim_error_clear(&ignored);
        const bool have_exact = ipsim_expected_compute(&exact, params, &ignored) == IPSIM_OK;
        ipsim_validation_compute(total, params, have_exact ? &exact : NULL, v);
        if (have_exact)
            ipsim_expected_free(&exact);
    }
    ipsim_summary_free(total);
    free(model);
    return rc;
}
