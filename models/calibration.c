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
#include "params/published.h"
#include "params/review.h"

/* How a parameter is moved by the solver: logit of its share of an upper
 * bound (probabilities and monthly rates), log (hazards and ratios), or as
 * it is (log odds). */
enum { T_LOGIT, T_LOG, T_IDENTITY };

/* Every parameter either set fits, by id; the sets below list theirs. */
static const struct {
    const char *name;
    int transform;
} parameters[] = {
    {"infection.share_within_window.mild", T_LOGIT},
    {"infection.share_within_window.moderate", T_LOGIT},
    {"infection.share_within_window.severe", T_LOGIT},
    {"infection.serious_share.severe", T_LOGIT},
    {"grades.improve_per_month.induction", T_LOGIT},
    {"grades.improve_per_month.transplant", T_LOGIT},
    {"grades.improve_per_month.maintenance", T_LOGIT},
    {"pathway.progression_hazard_per_month", T_LOG},
    {"diagnosis.type_severity_log_odds.iga", T_IDENTITY},
    {"diagnosis.type_severity_log_odds.light_chain", T_IDENTITY},
    {"pathway.progression_hazard_ratio_improved", T_LOG},
    {"pathway.progression_hazard_ratio_transplant", T_LOG},
    {"mortality.excess_hazard_per_month.induction", T_LOG},
    {"mortality.excess_hazard_per_month.second_line", T_LOG},
    {"infection.early_rate_ratio", T_LOG},
};

/* How a target's residual is measured: a difference of shares, or the log
 * of a ratio (rate ratios, medians in months, rates). */
enum { R_DIFFERENCE, R_LOG_RATIO };

static const struct {
    const char *key; /* as params/calibration/targets.yaml names it */
    const char *name;
    double value;
    int residual;
} targets[] = {
    {"infected_mild",
     ">= 1 infection in the window, mild at diagnosis",
     IPSIM_REVIEW_INFECTED_MILD, R_DIFFERENCE},
    {"infected_moderate",
     ">= 1 infection in the window, moderate",
     IPSIM_REVIEW_INFECTED_MODERATE, R_DIFFERENCE},
    {"infected_severe_or_worse",
     ">= 1 infection in the window, severe or worse",
     IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE, R_DIFFERENCE},
    {"serious_rate_ratio",
     "serious-infection rate, severe or worse vs mild",
     IPSIM_REVIEW_SERIOUS_RATE_RATIO, R_LOG_RATIO},
    {"cr_improved",
     "IP improved after 3 induction cycles, among CR",
     IPSIM_REVIEW_CR_IMPROVED, R_DIFFERENCE},
    {"cr_recovered_asct",
     "full recovery 12 months after ASCT, among CR",
     IPSIM_REVIEW_CR_RECOVERED_ASCT, R_DIFFERENCE},
    {"cr_recovered_no_asct",
     "full recovery at 12 months without ASCT, among CR",
     IPSIM_REVIEW_CR_RECOVERED_NO_ASCT, R_DIFFERENCE},
    /* A median PFS of 38 months is half progression-free at 38 months. */
    {"pfs_38_not_improved",
     "progression-free at 38 months, IP not improved",
     0.5, R_DIFFERENCE},
    {"severe_or_worse_igg_type",
     "severe or worse IP, IgG-type myeloma",
     IPSIM_REVIEW_SEVERE_OR_WORSE_IGG, R_DIFFERENCE},
    {"severe_or_worse_iga_type",
     "severe or worse IP, IgA-type myeloma",
     IPSIM_REVIEW_SEVERE_OR_WORSE_IGA, R_DIFFERENCE},
    {"pfs_median_s0777",
     "median PFS, no ASCT, up to 75 (S0777 VRd), months",
     IPSIM_PUBLISHED_S0777_PFS_MEDIAN, R_LOG_RATIO},
    {"pfs_median_asct_emn02",
     "median PFS from ASCT, up to 65 (EMN02/HO95), months",
     IPSIM_PUBLISHED_EMN02_PFS_MEDIAN, R_LOG_RATIO},
    {"dead_2_months",
     "dead within 2 months (Swedish registry)",
     IPSIM_PUBLISHED_DEAD_2_MONTHS, R_DIFFERENCE},
    {"os_median_s0777",
     "median OS, no ASCT, up to 75 (S0777 VRd), months",
     IPSIM_PUBLISHED_S0777_OS_MEDIAN, R_LOG_RATIO},
    {"early_share_bove",
     "infections of months 0-5 that begin in months 0-2 (Bove 2022)",
     IPSIM_PUBLISHED_EARLY_SHARE_OF_6_MONTHS, R_DIFFERENCE},
};

enum { TARGET_IDS = sizeof targets / sizeof targets[0] };
_Static_assert(sizeof parameters / sizeof parameters[0] == IPSIM_CALIBRATION_SIZE, "square");
_Static_assert((int)TARGET_IDS == (int)IPSIM_CALIBRATION_SIZE, "square");

static bool levels_model(const ipsim_params *p)
{
    return p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
}

const char *ipsim_calibration_parameter_name(int k)
{
    return parameters[k].name;
}

const char *ipsim_calibration_twin_name(int k)
{
    switch (k) {
    case 2: return "infection.share_within_window.very_severe";
    case 3: return "infection.serious_share.very_severe";
    case 13: return "mortality.excess_hazard_per_month.later_lines";
    default: return NULL;
    }
}

ipsim_target_kind ipsim_calibration_target_kind(int k)
{
    if (k == 3)
        return IPSIM_TARGET_RATIO;
    if (k == 10 || k == 11 || k == 13)
        return IPSIM_TARGET_MONTHS;
    return IPSIM_TARGET_SHARE;
}

const char *ipsim_calibration_target_key(int k)
{
    return targets[k].key;
}

const char *ipsim_calibration_target_name(int k)
{
    return targets[k].name;
}

double ipsim_calibration_target(int k)
{
    return targets[k].value;
}

/* Where parameter id k lives in p; `twin` (if not NULL) gets the element that
 * is held equal to it (the review gives one figure for both). */
static double *slot(ipsim_params *p, int k, double **twin)
{
    double *t = NULL, *x = NULL;
    switch (k) {
    case 0: x = &p->infection.share_within_window[IPSIM_GRADE_MILD]; break;
    case 1: x = &p->infection.share_within_window[IPSIM_GRADE_MODERATE]; break;
    case 2:
        x = &p->infection.share_within_window[IPSIM_GRADE_SEVERE];
        t = &p->infection.share_within_window[IPSIM_GRADE_VERY_SEVERE];
        break;
    case 3:
        x = &p->infection.serious_share[IPSIM_GRADE_SEVERE];
        t = &p->infection.serious_share[IPSIM_GRADE_VERY_SEVERE];
        break;
    case 4: x = &p->grades.improve_per_month[IPSIM_PHASE_INDUCTION]; break;
    case 5: x = &p->grades.improve_per_month[IPSIM_PHASE_TRANSPLANT]; break;
    case 6: x = &p->grades.improve_per_month[IPSIM_PHASE_MAINTENANCE]; break;
    case 7: x = &p->pathway.progression_hazard_per_month; break;
    case 8: x = &p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_IGA]; break;
    case 9: x = &p->diagnosis.type_severity_log_odds[IPSIM_MYELOMA_LIGHT_CHAIN]; break;
    case 10: x = &p->pathway.progression_hazard_ratio_improved; break;
    case 11: x = &p->pathway.progression_hazard_ratio_transplant; break;
    case 12: x = &p->mortality.excess_hazard_per_month[IPSIM_PHASE_INDUCTION]; break;
    case 13:
        x = &p->mortality.excess_hazard_per_month[IPSIM_PHASE_SECOND_LINE];
        t = &p->mortality.excess_hazard_per_month[IPSIM_PHASE_LATER_LINES];
        break;
    default: x = &p->infection.early_rate_ratio; break;
    }
    if (twin)
        *twin = t;
    return x;
}

void ipsim_calibration_get(const ipsim_params *p, double x[IPSIM_CALIBRATION_SIZE])
{
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++)
        x[k] = *slot((ipsim_params *)p, k, NULL);
}

void ipsim_calibration_set(ipsim_params *p, const double x[IPSIM_CALIBRATION_SIZE])
{
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++) {
        double *twin;
        *slot(p, k, &twin) = x[k];
        if (twin)
            *twin = x[k];
    }
}

/* Each logit parameter's largest value: probabilities below 1, and an
 * improving rate no more than what worsening leaves of the month. */
static double upper_bound(const ipsim_params *p, int id)
{
    if (id >= 4 && id <= 6) {
        /* An improving rate leaves room for worsening in the same month;
         * under the levels model for the fastest class's (the rate times
         * its recovery factor). */
        static const int phase[3] = {IPSIM_PHASE_INDUCTION, IPSIM_PHASE_TRANSPLANT,
                                     IPSIM_PHASE_MAINTENANCE};
        double factor = 1;
        for (int c = 0; levels_model(p) && c < IPSIM_IG_CLASSES; c++)
            factor = fmax(factor, p->immunoglobulins.recovery_factor[c]);
        return (1.0 - p->grades.worsen_per_month[phase[id - 4]]) / factor;
    }
    return parameters[id].transform == T_LOGIT ? 1.0 : INFINITY;
}

static double to_solver(const ipsim_params *p, int id, double x);
static double from_solver(const ipsim_params *p, int id, double y);
static int quantities(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                      const volatile sig_atomic_t *cancel, ipsim_error *err);

ipsim_calibration_scale ipsim_calibration_parameter_scale(int k)
{
    return parameters[k].transform == T_LOGIT ? IPSIM_SCALE_LOGIT
           : parameters[k].transform == T_LOG ? IPSIM_SCALE_LOG
                                              : IPSIM_SCALE_IDENTITY;
}

double ipsim_calibration_to_unbounded(const ipsim_params *p, int k, double x)
{
    return to_solver(p, k, x);
}

double ipsim_calibration_from_unbounded(const ipsim_params *p, int k, double y)
{
    return from_solver(p, k, y);
}

double ipsim_calibration_upper_bound(const ipsim_params *p, int k)
{
    return upper_bound(p, k);
}

void ipsim_calibration_natural_history(ipsim_params *p)
{
    p->ivig.policy = IPSIM_IVIG_NONE;
    p->vaccination.influenza_coverage = 0;
    p->vaccination.pneumococcal_coverage = 0;
}

int ipsim_calibration_values(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                             const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    return quantities(p, values, cancel, err);
}

static double to_solver(const ipsim_params *p, int id, double x)
{
    if (parameters[id].transform == T_LOG)
        return log(x);
    if (parameters[id].transform == T_IDENTITY)
        return x;
    double u = x / upper_bound(p, id);
    return log(u / (1 - u));
}

static double from_solver(const ipsim_params *p, int id, double y)
{
    if (parameters[id].transform == T_LOG)
        return exp(y);
    if (parameters[id].transform == T_IDENTITY)
        return y;
    return upper_bound(p, id) / (1 + exp(-y));
}

/* Every target's quantity (by id) under the expected values e. */
static int target_values(const ipsim_expected *ep, double values[TARGET_IDS],
                         ipsim_error *err)
{
    const ipsim_expected e = *ep;
    values[0] = e.window_share[IPSIM_GRADE_MILD];
    values[1] = e.window_share[IPSIM_GRADE_MODERATE];
    values[2] = e.window_share_severe_or_worse;
    values[3] = e.serious_rate_ratio;
    values[4] = e.cr_improved;
    values[5] = e.cr_recovered[1];
    values[6] = e.cr_recovered[0];
    values[7] = ipsim_expected_pfs_at(&e, 0, IPSIM_REVIEW_PFS_MEDIAN_NOT_IMPROVED);
    values[8] = e.severe_or_worse_by_type[IPSIM_MYELOMA_IGG];
    values[9] = e.severe_or_worse_by_type[IPSIM_MYELOMA_IGA];
    values[10] = ipsim_expected_median(&e, IPSIM_CURVE_PFS_NOT_ELIGIBLE);
    values[11] = ipsim_expected_median(&e, IPSIM_CURVE_PFS_ASCT) -
                 (double)(e.asct_cycle * e.cycle_months);
    values[12] = 1 - ipsim_expected_curve_at(&e, IPSIM_CURVE_OS_ALL, 2);
    values[13] = ipsim_expected_median(&e, IPSIM_CURVE_OS_NOT_ELIGIBLE);
    values[14] = e.episodes_in_period[0] / (e.episodes_in_period[0] + e.episodes_in_period[1]);
    (void)err;
    return IPSIM_OK;
}

/* The targets' quantities, NaN where one cannot be computed. */
static int quantities(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                      const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    ipsim_expected e;
    int rc = ipsim_expected_compute_polled(&e, p, cancel, "while fitting; nothing was written",
                                           err);
    if (rc)
        return rc;
    double all[TARGET_IDS];
    rc = target_values(&e, all, err);
    ipsim_expected_free(&e);
    if (rc)
        return rc;
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++)
        values[k] = isfinite(all[k]) ? all[k] : NAN;
    return IPSIM_OK;
}

static int model_values(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                        const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    int rc = quantities(p, values, cancel, err);
    if (rc)
        return rc;
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++)
        if (!isfinite(values[k]))
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "calibration target '%s' cannot be computed with these parameters "
                              "(no patients in its group, or beyond the horizon)",
                              targets[k].name);
    return IPSIM_OK;
}



/* Residuals: shares as differences, ratios, medians and rates on the log
 * scale. */
static void residuals(const double values[IPSIM_CALIBRATION_SIZE],
                      double r[IPSIM_CALIBRATION_SIZE])
{
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++) {
        const int id = k;
        r[k] = targets[id].residual == R_LOG_RATIO ? log(values[k] / targets[id].value)
                                                   : values[k] - targets[id].value;
    }
}

typedef struct fit_context {
    ipsim_params work;
    const volatile sig_atomic_t *cancel;
    ipsim_error *err;
    int failed;
} fit_context;

static int residual_function(const gsl_vector *y, void *data, gsl_vector *f)
{
    fit_context *ctx = data;
    double x[IPSIM_CALIBRATION_SIZE], values[IPSIM_CALIBRATION_SIZE], r[IPSIM_CALIBRATION_SIZE];
    const int n = IPSIM_CALIBRATION_SIZE;
    for (int k = 0; k < n; k++)
        x[k] = from_solver(&ctx->work, k,
                           gsl_vector_get(y, (size_t)k));
    ipsim_calibration_set(&ctx->work, x);
    /* A signal ends the solver at its next evaluation. */
    if (ipsim_error_cancelled(ctx->cancel, ctx->err, "while fitting; nothing was written") ||
        model_values(&ctx->work, values, ctx->cancel, ctx->err)) {
        ctx->failed = 1;
        return GSL_EDOM;
    }
    residuals(values, r);
    for (int k = 0; k < n; k++)
        gsl_vector_set(f, (size_t)k, r[k]);
    return GSL_SUCCESS;
}

int ipsim_calibrate(const ipsim_params *start, const volatile sig_atomic_t *cancel,
                    ipsim_calibration *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    fit_context ctx = {.work = *start, .cancel = cancel, .err = err};
    /* The review's figures describe the natural history. */
    ipsim_calibration_natural_history(&ctx.work);
    ipsim_calibration_get(start, out->start);
    /* severe and very_severe share one value each: the review gives one. */
    ipsim_calibration_set(&ctx.work, out->start);
    int rc = model_values(&ctx.work, out->start_values, cancel, err);
    if (rc)
        return rc;

    const size_t n = IPSIM_CALIBRATION_SIZE;
    out->size = (int)n;
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
        const int id = (int)k;
        double bound = upper_bound(&ctx.work, id);
        if (parameters[id].transform != T_IDENTITY && !(x > 0 && x < bound)) {
            gsl_multifit_nlinear_free(w);
            gsl_vector_free(y);
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "calibration cannot start from %s = %g: it must lie strictly "
                              "between 0 and %g",
                              parameters[id].name, x, bound);
        }
        gsl_vector_set(y, k, to_solver(&ctx.work, id, x));
    }
    gsl_multifit_nlinear_fdf fdf = {.f = residual_function, .df = NULL, .fvv = NULL,
                                    .n = n, .p = n, .params = &ctx};
    int info = 0;
    int status = gsl_multifit_nlinear_init(y, &fdf, w);
    if (status == GSL_SUCCESS)
        status = gsl_multifit_nlinear_driver(200, 1e-12, 1e-12, 1e-12, NULL, NULL, &info, w);
    const gsl_vector *fitted = gsl_multifit_nlinear_position(w);
    double x[IPSIM_CALIBRATION_SIZE] = {0};
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
    ipsim_calibration_set(&out->fitted, x);
    memcpy(out->parameters, x, sizeof x);
    ipsim_calibration_set(&ctx.work, x);
    rc = model_values(&ctx.work, out->values, cancel, err);
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
