/* models/calibration.c: least squares on the expected-value model. */
#include "models/calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include "models/expected.h"
#include "params/review.h"

const char *const ipsim_calibration_parameter_names[IPSIM_CALIBRATION_SIZE] = {
    "infection.share_within_window.mild",
    "infection.share_within_window.moderate",
    "infection.share_within_window.severe",
    "infection.serious_share.severe",
    "grades.improve_per_month.induction",
    "grades.improve_per_month.transplant",
    "grades.improve_per_month.maintenance",
    "pathway.progression_hazard_per_month",
    "diagnosis.type_severity_log_odds.iga",
    "diagnosis.type_severity_log_odds.light_chain",
};

const char *const ipsim_calibration_target_names[IPSIM_CALIBRATION_SIZE] = {
    ">= 1 infection in the window, mild at diagnosis",
    ">= 1 infection in the window, moderate",
    ">= 1 infection in the window, severe or worse",
    "serious-infection rate, severe or worse vs mild",
    "IP improved after 3 induction cycles, among CR",
    "full recovery 12 months after ASCT, among CR",
    "full recovery at 12 months without ASCT, among CR",
    "progression-free at 38 months, IP not improved",
    "severe or worse IP, IgG-type myeloma",
    "severe or worse IP, IgA-type myeloma",
};

/* The review's figures (docs/review.md); a median PFS of 38 months is half progression-free
 * at 38 months. */
const double ipsim_calibration_targets[IPSIM_CALIBRATION_SIZE] = {
    IPSIM_REVIEW_INFECTED_MILD,        IPSIM_REVIEW_INFECTED_MODERATE,
    IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE, IPSIM_REVIEW_SERIOUS_RATE_RATIO,
    IPSIM_REVIEW_CR_IMPROVED,          IPSIM_REVIEW_CR_RECOVERED_ASCT,
    IPSIM_REVIEW_CR_RECOVERED_NO_ASCT, 0.5, /* progression-free at the median */
    IPSIM_REVIEW_SEVERE_OR_WORSE_IGG,  IPSIM_REVIEW_SEVERE_OR_WORSE_IGA,
};

enum { RATIO_TARGET = 3, PFS_MONTH = IPSIM_REVIEW_PFS_MEDIAN_NOT_IMPROVED };

void ipsim_calibration_get(const ipsim_params *p, double x[IPSIM_CALIBRATION_SIZE])
{
    x[0] = p->infection.share_within_window[IPSIM_GRADE_MILD];
    x[1] = p->infection.share_within_window[IPSIM_GRADE_MODERATE];
    x[2] = p->infection.share_within_window[IPSIM_GRADE_SEVERE];
    x[3] = p->infection.serious_share[IPSIM_GRADE_SEVERE];
    x[4] = p->grades.improve_per_month[IPSIM_PHASE_INDUCTION];
    x[5] = p->grades.improve_per_month[IPSIM_PHASE_TRANSPLANT];
    x[6] = p->grades.improve_per_month[IPSIM_PHASE_MAINTENANCE];
    x[7] = p->pathway.progression_hazard_per_month;
    x[8] = p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_IGA];
    x[9] = p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_LIGHT_CHAIN];
}

static void calibration_set(ipsim_params *p, const double x[IPSIM_CALIBRATION_SIZE])
{
    p->infection.share_within_window[IPSIM_GRADE_MILD] = x[0];
    p->infection.share_within_window[IPSIM_GRADE_MODERATE] = x[1];
    p->infection.share_within_window[IPSIM_GRADE_SEVERE] = x[2];
    p->infection.share_within_window[IPSIM_GRADE_VERY_SEVERE] = x[2];
    p->infection.serious_share[IPSIM_GRADE_SEVERE] = x[3];
    p->infection.serious_share[IPSIM_GRADE_VERY_SEVERE] = x[3];
    p->grades.improve_per_month[IPSIM_PHASE_INDUCTION] = x[4];
    p->grades.improve_per_month[IPSIM_PHASE_TRANSPLANT] = x[5];
    p->grades.improve_per_month[IPSIM_PHASE_MAINTENANCE] = x[6];
    p->pathway.progression_hazard_per_month = x[7];
    p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_IGA] = x[8];
    p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_LIGHT_CHAIN] = x[9];
}

/* Each parameter's largest value: probabilities below 1, and an improving
 * rate no more than what worsening leaves of the month. */
static double upper_bound(const ipsim_params *p, int k)
{
    if (k >= 4 && k <= 6) {
        static const int phase[3] = {IPSIM_PHASE_INDUCTION, IPSIM_PHASE_TRANSPLANT,
                                     IPSIM_PHASE_MAINTENANCE};
        return 1.0 - p->grades.worsen_per_month[phase[k - 4]];
    }
    return 1.0;
}

/* The solver's unconstrained coordinates: logit(x / bound) for
 * probabilities and rates, log for the hazard, the log odds as they are. */
static double to_solver(const ipsim_params *p, int k, double x)
{
    if (k == 7)
        return log(x);
    if (k >= 8)
        return x;
    double u = x / upper_bound(p, k);
    return log(u / (1 - u));
}

static double from_solver(const ipsim_params *p, int k, double y)
{
    if (k == 7)
        return exp(y);
    if (k >= 8)
        return y;
    return upper_bound(p, k) / (1 + exp(-y));
}

/* The targets' quantities under p. */
static int model_values(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                        ipsim_error *err)
{
    ipsim_expected e;
    int rc = ipsim_expected_compute(&e, p, err);
    if (rc)
        return rc;
    values[0] = e.window_share[IPSIM_GRADE_MILD];
    values[1] = e.window_share[IPSIM_GRADE_MODERATE];
    values[2] = e.window_share_severe_or_worse;
    values[3] = e.serious_rate_ratio;
    values[4] = e.cr_improved;
    values[5] = e.cr_recovered[1];
    values[6] = e.cr_recovered[0];
    values[7] = ipsim_expected_pfs_at(&e, 0, PFS_MONTH);
    values[8] = e.severe_or_worse_by_type[IPSIM_MYELOMA_IGG];
    values[9] = e.severe_or_worse_by_type[IPSIM_MYELOMA_IGA];
    ipsim_expected_free(&e);
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++)
        if (!isfinite(values[k]))
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "calibration target '%s' cannot be computed with these parameters "
                              "(no patients in its group, or beyond the horizon)",
                              ipsim_calibration_target_names[k]);
    return IPSIM_OK;
}

/* Residuals: shares as differences, the rate ratio on the log scale. */
static void residuals(const double values[IPSIM_CALIBRATION_SIZE],
                      double r[IPSIM_CALIBRATION_SIZE])
{
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++)
        r[k] = k == RATIO_TARGET ? log(values[k] / ipsim_calibration_targets[k])
                                 : values[k] - ipsim_calibration_targets[k];
}

typedef struct fit_context {
    ipsim_params work;
    ipsim_error *err;
    int failed;
} fit_context;

static int residual_function(const gsl_vector *y, void *data, gsl_vector *f)
{
    fit_context *ctx = data;
    double x[IPSIM_CALIBRATION_SIZE], values[IPSIM_CALIBRATION_SIZE], r[IPSIM_CALIBRATION_SIZE];
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++)
        x[k] = from_solver(&ctx->work, k, gsl_vector_get(y, (size_t)k));
    calibration_set(&ctx->work, x);
    if (model_values(&ctx->work, values, ctx->err)) {
        ctx->failed = 1;
        return GSL_EDOM;
    }
    residuals(values, r);
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++)
        gsl_vector_set(f, (size_t)k, r[k]);
    return GSL_SUCCESS;
}

int ipsim_calibrate(const ipsim_params *start, ipsim_calibration *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    fit_context ctx = {.work = *start, .err = err};
    /* The review's figures describe the natural history: no IVIG, no
     * vaccination; and follow-up long enough to read them. */
    ctx.work.ivig.policy = IPSIM_IVIG_NONE;
    ctx.work.vaccination.influenza_coverage = 0;
    ctx.work.vaccination.pneumococcal_coverage = 0;
    ipsim_calibration_get(start, out->start);
    /* severe and very_severe share one value each: the review gives one. */
    calibration_set(&ctx.work, out->start);
    int rc = model_values(&ctx.work, out->start_values, err);
    if (rc)
        return rc;

    const size_t n = IPSIM_CALIBRATION_SIZE;
    gsl_multifit_nlinear_parameters settings = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &settings, n, n);
    gsl_vector *y = gsl_vector_alloc(n);
    if (!w || !y) {
        gsl_multifit_nlinear_free(w);
        gsl_vector_free(y);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the calibration solver");
    }
    for (size_t k = 0; k < n; k++) {
        double x = out->start[k];
        double bound = k <= 6 ? upper_bound(&ctx.work, (int)k) : INFINITY;
        if (k <= 7 && !(x > 0 && x < bound)) {
            gsl_multifit_nlinear_free(w);
            gsl_vector_free(y);
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "calibration cannot start from %s = %g: it must lie strictly "
                              "between 0 and %g",
                              ipsim_calibration_parameter_names[k], x, k <= 6 ? bound : INFINITY);
        }
        gsl_vector_set(y, k, to_solver(&ctx.work, (int)k, x));
    }
    gsl_multifit_nlinear_fdf fdf = {.f = residual_function, .df = NULL, .fvv = NULL,
                                    .n = n, .p = n, .params = &ctx};
    int info = 0;
    int status = gsl_multifit_nlinear_init(y, &fdf, w);
    if (status == GSL_SUCCESS)
        status = gsl_multifit_nlinear_driver(200, 1e-12, 1e-12, 1e-12, NULL, NULL, &info, w);
    const gsl_vector *fitted = gsl_multifit_nlinear_position(w);
    double x[IPSIM_CALIBRATION_SIZE];
    for (size_t k = 0; k < n; k++)
        x[k] = from_solver(&ctx.work, (int)k, gsl_vector_get(fitted, k));
    /* Ten significant digits: far finer than any Monte Carlo run resolves,
     * and a fixed point, so that calibrating the calibrated file gives it
     * back digit for digit rather than differing in the last bits. */
    for (size_t k = 0; k < n; k++) {
        char digits[32];
        snprintf(digits, sizeof digits, "%.10g", x[k]);
        x[k] = strtod(digits, NULL);
    }
    out->iterations = (int)gsl_multifit_nlinear_niter(w);
    out->evaluations = (int)fdf.nevalf;
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(y);
    if (ctx.failed)
        return err->code ? err->code : IPSIM_EPARAM;

    out->fitted = *start;
    calibration_set(&out->fitted, x);
    memcpy(out->parameters, x, sizeof x);
    calibration_set(&ctx.work, x);
    rc = model_values(&ctx.work, out->values, err);
    if (rc)
        return rc;
    double r[IPSIM_CALIBRATION_SIZE];
    residuals(out->values, r);
    for (size_t k = 0; k < n; k++)
        out->max_abs_residual = fmax(out->max_abs_residual, fabs(r[k]));
    /* Exactly identified: a true fit has residuals at solver tolerance. */
    if (status != GSL_SUCCESS || out->max_abs_residual > 1e-6)
        return IPSIM_FAIL(err, IPSIM_EVALIDATION,
                          "calibration did not converge (%s after %d iterations; largest "
                          "residual %.3g): the targets may be unattainable with the other "
                          "parameters held where they are",
                          gsl_strerror(status), out->iterations, out->max_abs_residual);
    return IPSIM_OK;
}
