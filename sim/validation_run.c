/* sim/validation_run.c: the in-memory simulation of sim/validation_run.h. */
#include "sim/validation_run.h"

#include <stdbool.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/patient.h"
#include "params/loader.h"
#include "params/posterior_file.h"
#include "params/schema.h"
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

/* The table's exact values at draw d of the file: its row set into p's
 * columns, the expected-value model there. */
static int exact_at_draw(const ipsim_params *params, const ipsim_summary *total,
                         const ipsim_posterior_file *f, int d, const volatile sig_atomic_t *cancel,
                         double *exact, int count, ipsim_error *err)
{
    ipsim_params *p = malloc(sizeof *p);
    ipsim_validation *v = malloc(sizeof *v);
    ipsim_expected e;
    char context[64];
    snprintf(context, sizeof context, "draw %d of psa.posterior's file", d + 1);
    int rc = p && v ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a draw");
    if (!rc) {
        *p = *params;
        ipsim_posterior_file_apply(f, d, p);
        rc = ipsim_params_check(p, context, err);
    }
    if (!rc) {
        rc = ipsim_expected_compute_polled(&e, p, cancel, "in the posterior predictive check",
                                           err);
        if (rc && rc != IPSIM_EINTERRUPTED)
            ipsim_error_prefix(err, "%s: ", context);
    }
    if (!rc) {
        ipsim_validation_compute(total, p, &e, v);
        for (int i = 0; i < count; i++)
            exact[i] = i < v->count ? v->rows[i].exact : NAN;
        ipsim_expected_free(&e);
    }
    free(v);
    free(p);
    return rc;
}

static int predictive_check(const ipsim_params *params, const ipsim_summary *total, int threads,
                            int quiet, const volatile sig_atomic_t *cancel,
                            const ipsim_validation *v, ipsim_predictive *out, ipsim_error *err)
{
    ipsim_posterior_file f;
    int rc = ipsim_posterior_file_open(&f, &params->psa.posterior, err);
    if (rc)
        return rc;
    const int draws = f.ref.rows;
    double *exact = malloc((size_t)draws * (size_t)v->count * sizeof *exact);
    if (!exact) {
        ipsim_posterior_file_free(&f);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the predictive check");
    }
    ipsim_progress progress;
    ipsim_progress_init(&progress, stderr, quiet, 0, "posterior predictive");
    progress.unit = "draws";
    int64_t done = 0;
    /* Each draw is one model, computed alone: any thread, the same values;
     * of failed draws the first in the file is reported, whatever the
     * threads. */
    (void)threads; /* without OpenMP */
    int first = draws;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int d = 0; d < draws; d++) {
        ipsim_error e;
        ipsim_error_clear(&e);
        const int code = exact_at_draw(params, total, &f, d, cancel,
                                       exact + (size_t)d * (size_t)v->count, v->count, &e);
#pragma omp critical(ipsim_predictive)
        {
            if (code && d < first) {
                first = d;
                rc = code;
                *err = e;
            }
            ipsim_progress_update(&progress, ++done, draws);
        }
    }
    ipsim_progress_finish(&progress);
    if (!rc)
        ipsim_predictive_compute(v, exact, draws, out);
    free(exact);
    ipsim_posterior_file_free(&f);
    return rc;
}

int ipsim_validation_run(const ipsim_params *params, int threads, int quiet,
                         const volatile sig_atomic_t *cancel, ipsim_validation *v,
                         ipsim_predictive *predictive, ipsim_error *err)
{
    if (predictive)
        memset(predictive, 0, sizeof *predictive);
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
        ipsim_progress_init(&progress, stderr, quiet, 0, "simulating");
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
    bool have_exact = false;
    if (!rc) {
        /* The exact expectation covers the natural history only; a scenario
         * with IVIG or vaccination is judged against its sources alone. */
        ipsim_expected exact;
        ipsim_error ignored;
        ipsim_error_clear(&ignored);
        have_exact = ipsim_expected_compute(&exact, params, &ignored) == IPSIM_OK;
        ipsim_validation_compute(total, params, have_exact ? &exact : NULL, v);
        if (have_exact)
            ipsim_expected_free(&exact);
    }
    /* Only where the expected-value model covers the scenario. A check that
     * cannot be made leaves the table standing (the command reports why);
     * an interruption stops everything. */
    if (!rc && predictive && params->psa.posterior.path[0] && have_exact) {
        ipsim_error_clear(&predictive->error);
        predictive->status = predictive_check(params, total, count, quiet, cancel, v,
                                              predictive, &predictive->error);
        if (predictive->status == IPSIM_EINTERRUPTED) {
            *err = predictive->error;
            rc = IPSIM_EINTERRUPTED;
        }
    }
    ipsim_summary_free(total);
    free(model);
    return rc;
}
