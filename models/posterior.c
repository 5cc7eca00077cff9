/* models/posterior.c: the posterior of the calibrated parameters
 * (models/posterior.h). */
#include "models/posterior.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "base/imis.h"

enum { SIZE = IPSIM_CALIBRATION_SIZE };

/* Widening of the Laplace approximation's standard deviations in the
 * sampler's first proposal. Little: were the posterior Gaussian, a proposal
 * widened by s in each of d dimensions keeps (s^2 / sqrt(2 s^2 - 1))^-d of
 * the draws' worth, 79% for 1.1 in 15 dimensions but 6% for 1.5; the added
 * components cover what the approximation misses. */
#define PROPOSAL_WIDENING 1.1
/* Forward-difference step on the unbounded scales. */
#define JACOBIAN_STEP 1e-4
/* A Cholesky pivot below this share of its diagonal element (squared) is
 * taken as a parameter the targets do not identify. */
#define IDENTIFIED 1e-8
/* The priors' reach about the start: a factor of 100 for log-scale
 * parameters, 10 on the log-odds scale. */
#define LOG_PRIOR_REACH 4.605170185988091 /* log 100 */
#define IDENTITY_PRIOR_REACH 10.0

typedef struct density_ctx {
    ipsim_params base; /* the start, natural history applied */
    double start[SIZE];
    double start_unbounded[SIZE];
    int free_count;
    int free_index[SIZE];
    int target_of[SIZE]; /* calibration target k's entry in the file, or -1 */
    const ipsim_calibration_targets *targets;
    double *values; /* [points][SIZE]: the targets' quantities at each point */
    const volatile sig_atomic_t *cancel;
} density_ctx;

static double log_prior(const density_ctx *c, int k, double y)
{
    switch (ipsim_calibration_parameter_scale(k)) {
    case IPSIM_SCALE_LOGIT:
        /* Uniform on (0, bound): on the logit scale, s (1 - s). */
        return -log1p(exp(-y)) - log1p(exp(y));
    case IPSIM_SCALE_LOG:
        return fabs(y - c->start_unbounded[k]) <= LOG_PRIOR_REACH ? 0 : -INFINITY;
    default:
        return fabs(y - c->start_unbounded[k]) <= IDENTITY_PRIOR_REACH ? 0 : -INFINITY;
    }
}

/* The targets' quantities at free coordinates y (NaN where one cannot be
 * computed). */
static int quantities_at(const density_ctx *c, const double *y, double values[SIZE],
                         ipsim_error *err)
{
    ipsim_params *p = malloc(sizeof *p);
    if (!p)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a parameter set");
    *p = c->base;
    double x[SIZE];
    memcpy(x, c->start, sizeof x);
    for (int j = 0; j < c->free_count; j++) {
        const int k = c->free_index[j];
        x[k] = ipsim_calibration_from_unbounded(p, k, y[j]);
    }
    ipsim_calibration_set(p, x);
    int rc = ipsim_calibration_values(p, values, c->cancel, err);
    free(p);
    return rc;
}

static int log_posterior(void *vctx, int point, const double *y, double *log_p,
                         ipsim_error *err)
{
    density_ctx *c = vctx;
    double *values = c->values + (size_t)point * SIZE;
    double lp = 0;
    for (int j = 0; j < c->free_count; j++)
        lp += log_prior(c, c->free_index[j], y[j]);
    if (!isfinite(lp)) {
        for (int k = 0; k < SIZE; k++)
            values[k] = NAN;
        *log_p = -INFINITY;
        return IPSIM_OK;
    }
    int rc = quantities_at(c, y, values, err);
    if (rc)
        return rc;
    /* A target that cannot be computed here has likelihood 0 (the
     * functions give -infinity for NaN). */
    for (int k = 0; k < SIZE; k++)
        if (c->target_of[k] >= 0)
            lp += ipsim_target_log_likelihood(&c->targets->target[c->target_of[k]], values[k]);
    *log_p = lp;
    return IPSIM_OK;
}

/* Target k's residual in standard errors: (m - value) / se for a share,
 * (log m - log value) / sd for a lognormal target. */
static double standardised(const ipsim_target_entry *t, double m)
{
    if (t->likelihood == IPSIM_LIKELIHOOD_BINOMIAL)
        return (m - t->value) / sqrt(t->value * (1 - t->value) / (double)t->n);
    return (log(m) - log(t->value)) / ipsim_target_log_sd(t->low, t->high);
}

/* The Laplace approximation's covariance on the free unbounded scales,
 * widened: (J'J + prior curvature)^-1 x PROPOSAL_WIDENING^2. */
static int laplace_covariance(density_ctx *c, int threads, double *cov, int *evaluations,
                              ipsim_error *err)
{
    const int m = c->free_count;
    double (*values)[SIZE] = malloc((size_t)(m + 1) * sizeof *values);
    ipsim_error *errors = calloc((size_t)(m + 1), sizeof *errors);
    int *status = calloc((size_t)(m + 1), sizeof *status);
    if (!values || !errors || !status) {
        free(values);
        free(errors);
        free(status);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the Jacobian");
    }
    (void)threads; /* without OpenMP */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : 1)
#endif
    for (int j = 0; j <= m; j++) {
        double y[SIZE];
        for (int i = 0; i < m; i++)
            y[i] = c->start_unbounded[c->free_index[i]] + (i == j - 1 ? JACOBIAN_STEP : 0);
        status[j] = ipsim_error_cancelled(c->cancel, &errors[j], "while sampling the posterior");
        if (!status[j])
            status[j] = quantities_at(c, y, values[j], &errors[j]);
        for (int k = 0; k < SIZE && !status[j]; k++)
            if (c->target_of[k] >= 0 && !isfinite(values[j][k]))
                status[j] = IPSIM_FAIL(&errors[j], IPSIM_EPARAM,
                                       "calibration target '%s' cannot be computed at the "
                                       "posterior's start (no patients in its group, or beyond "
                                       "the horizon)",
                                       ipsim_calibration_target_key(k));
    }
    *evaluations = m + 1;
    int rc = IPSIM_OK;
    for (int j = 0; j <= m && !rc; j++)
        if (status[j]) {
            *err = errors[j];
            rc = status[j];
        }
    gsl_matrix *h = rc ? NULL : gsl_matrix_calloc((size_t)m, (size_t)m);
    if (!rc && !h)
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the Hessian");
    for (int k = 0; !rc && k < SIZE; k++) {
        if (c->target_of[k] < 0)
            continue;
        const ipsim_target_entry *t = &c->targets->target[c->target_of[k]];
        double row[SIZE];
        const double r0 = standardised(t, values[0][k]);
        for (int i = 0; i < m; i++)
            row[i] = (standardised(t, values[i + 1][k]) - r0) / JACOBIAN_STEP;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                *gsl_matrix_ptr(h, (size_t)a, (size_t)b) += row[a] * row[b];
    }
    for (int a = 0; !rc && a < m; a++) {
        const int k = c->free_index[a];
        if (ipsim_calibration_parameter_scale(k) == IPSIM_SCALE_LOGIT) {
            const double s = 1 / (1 + exp(-c->start_unbounded[k]));
            *gsl_matrix_ptr(h, (size_t)a, (size_t)a) += s * (1 - s);
        }
        if (!rc && !(gsl_matrix_get(h, (size_t)a, (size_t)a) > 0))
            rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                            "no calibration target in the file depends on %s: its posterior "
                            "would be its prior",
                            ipsim_calibration_parameter_name(k));
    }
    if (!rc) {
        /* A pivot that is a negligible part of its diagonal element means
         * that parameter moves nothing the other free parameters cannot. */
        double diagonal[SIZE];
        for (int a = 0; a < m; a++)
            diagonal[a] = gsl_matrix_get(h, (size_t)a, (size_t)a);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int info = gsl_linalg_cholesky_decomp1(h);
        for (int a = 0; a < m && info == GSL_SUCCESS; a++) {
            const double pivot = gsl_matrix_get(h, (size_t)a, (size_t)a);
            if (!(pivot * pivot > IDENTIFIED * diagonal[a]))
                info = GSL_EDOM;
        }
        int unidentified = 0;
        if (info != GSL_SUCCESS) {
            /* Name the first parameter whose pivot failed. */
            unidentified = m - 1;
            for (int a = 0; a < m; a++) {
                const double pivot = gsl_matrix_get(h, (size_t)a, (size_t)a);
                if (!(pivot * pivot > IDENTIFIED * diagonal[a])) {
                    unidentified = a;
                    break;
                }
            }
        }
        if (info == GSL_SUCCESS)
            info = gsl_linalg_cholesky_invert(h);
        gsl_set_error_handler(old);
        if (info != GSL_SUCCESS)
            rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                            "the calibration targets in the file do not pin down %s apart "
                            "from the other free parameters (J'J is singular at the start)",
                            ipsim_calibration_parameter_name(c->free_index[unidentified]));
    }
    for (int a = 0; !rc && a < m; a++)
        for (int b = 0; b < m; b++)
            cov[a * m + b] = PROPOSAL_WIDENING * PROPOSAL_WIDENING *
                             gsl_matrix_get(h, (size_t)a, (size_t)b);
    gsl_matrix_free(h);
    free(values);
    free(errors);
    free(status);
    return rc;
}

/* Which calibration target each entry of the file is; an entry that is not
 * one is refused with its line and key. */
static int match_targets(density_ctx *c, const ipsim_calibration_targets *t, ipsim_error *err)
{
    for (int k = 0; k < SIZE; k++)
        c->target_of[k] = -1;
    for (int i = 0; i < t->count; i++) {
        int found = -1;
        for (int k = 0; k < SIZE && found < 0; k++)
            if (strcmp(t->target[i].key, ipsim_calibration_target_key(k)) == 0)
                found = k;
        if (found < 0) {
            IPSIM_FAIL(err, IPSIM_EPARAM, "'%s' is not a calibration target (the fifteen are "
                       "listed in docs/psa.md)", t->target[i].key);
            ipsim_error_locate(err, t->file, t->target[i].line, 0, t->target[i].key);
            return IPSIM_EPARAM;
        }
        c->target_of[found] = i;
    }
    return IPSIM_OK;
}

int ipsim_posterior_check_targets(const ipsim_calibration_targets *targets, ipsim_error *err)
{
    density_ctx *c = malloc(sizeof *c);
    if (!c)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the posterior");
    int rc = match_targets(c, targets, err);
    free(c);
    return rc;
}

static int setting(int given, int fallback)
{
    return given > 0 ? given : fallback;
}

int ipsim_posterior_sample(const ipsim_params *start, const ipsim_calibration_targets *targets,
                           const ipsim_posterior_settings *s, ipsim_posterior *out,
                           ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (s->draws < 1)
        return IPSIM_FAIL(err, IPSIM_EPARAM, "the posterior needs at least one draw");
    density_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the posterior");
    c->base = *start;
    ipsim_calibration_natural_history(&c->base);
    c->targets = targets;
    c->cancel = s->cancel;
    ipsim_calibration_get(start, c->start);
    int rc = match_targets(c, targets, err);
    for (int k = 0; !rc && k < SIZE; k++) {
        const double x = c->start[k];
        const double bound = ipsim_calibration_upper_bound(&c->base, k);
        if (ipsim_calibration_parameter_scale(k) != IPSIM_SCALE_IDENTITY && !(x > 0 && x < bound))
            rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                            "the posterior cannot start from %s = %g: it must lie strictly "
                            "between 0 and %g",
                            ipsim_calibration_parameter_name(k), x, bound);
        c->start_unbounded[k] = ipsim_calibration_to_unbounded(&c->base, k, x);
        if (!s->free || (s->free >> k & 1u))
            c->free_index[c->free_count++] = k;
    }
    memcpy(out->start, c->start, sizeof out->start);
    out->free_count = c->free_count;
    memcpy(out->free_index, c->free_index, sizeof out->free_index);

    const int m = c->free_count;
    double cov[SIZE * SIZE], mean[SIZE];
    int jacobian_evaluations = 0;
    if (!rc)
        rc = laplace_covariance(c, s->threads, cov, &jacobian_evaluations, err);
    for (int j = 0; j < m; j++)
        mean[j] = c->start_unbounded[c->free_index[j]];

    ipsim_imis_settings imis = {
        .dim = m,
        .start_mean = mean,
        .start_cov = cov,
        .initial = setting(s->initial, s->draws * 2 > 200 ? s->draws * 2 : 200),
        .per_iteration = setting(s->per_iteration, s->draws / 5 > 50 ? s->draws / 5 : 50),
        .max_iterations = setting(s->max_iterations, 30),
        .resample = s->draws,
        .min_ess = s->min_ess > 0 ? s->min_ess : s->draws / 2.0,
        .max_weight = s->max_weight > 0 ? s->max_weight : 0.05,
        .seed = s->seed,
        .threads = s->threads,
        .cancel = s->cancel,
    };
    ipsim_imis_result r = {0};
    if (!rc) {
        const size_t points =
            (size_t)imis.initial + (size_t)imis.max_iterations * imis.per_iteration;
        c->values = malloc(points * SIZE * sizeof *c->values);
        if (!c->values)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the posterior's points");
    }
    if (!rc)
        rc = ipsim_imis_run(&imis, log_posterior, c, &r, err);
    if (!rc) {
        out->draws = s->draws;
        out->parameters = malloc((size_t)s->draws * SIZE * sizeof *out->parameters);
        out->values = malloc((size_t)s->draws * SIZE * sizeof *out->values);
        if (!out->parameters || !out->values)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the posterior draws");
    }
    if (!rc) {
        for (int d = 0; d < s->draws; d++) {
            double *x = out->parameters + (size_t)d * SIZE;
            memcpy(x, c->start, sizeof c->start);
            for (int j = 0; j < m; j++)
                x[c->free_index[j]] = ipsim_calibration_from_unbounded(
                    &c->base, c->free_index[j], r.draws[(size_t)d * m + j]);
            memcpy(out->values + (size_t)d * SIZE, c->values + (size_t)r.draw_index[d] * SIZE,
                   SIZE * sizeof *out->values);
        }
        for (int k = 0; k < SIZE; k++) {
            out->mean[k] = out->low[k] = out->high[k] = c->start[k];
            out->sd[k] = 0;
        }
        for (int j = 0; j < m; j++) {
            const int k = c->free_index[j];
            double sum = 0, squares = 0;
            for (int i = 0; i < r.points; i++) {
                const double x =
                    ipsim_calibration_from_unbounded(&c->base, k, r.x[(size_t)i * m + j]);
                sum += r.weight[i] * x;
                squares += r.weight[i] * x * x;
            }
            out->mean[k] = sum;
            out->sd[k] = sqrt(fmax(squares - sum * sum, 0));
            /* The transforms are increasing: quantiles carry over. */
            out->low[k] = ipsim_calibration_from_unbounded(&c->base, k,
                                                           ipsim_imis_quantile(&r, j, 0.025));
            out->high[k] = ipsim_calibration_from_unbounded(&c->base, k,
                                                            ipsim_imis_quantile(&r, j, 0.975));
        }
        out->evaluations = jacobian_evaluations + r.points;
        out->iterations = r.iterations;
        out->ess = r.ess;
        out->max_weight = r.max_weight;
        out->expected_unique = r.expected_unique;
        out->min_ess = imis.min_ess;
        out->max_weight_allowed = imis.max_weight;
        out->converged = r.converged;
    }
    ipsim_imis_result_free(&r);
    free(c->values);
    free(c);
    if (rc)
        ipsim_posterior_free(out);
    return rc;
}

void ipsim_posterior_free(ipsim_posterior *p)
{
    free(p->parameters);
    free(p->values);
    p->parameters = NULL;
    p->values = NULL;
    p->draws = 0;
}

static int ascending(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ipsim_posterior_predictive(const ipsim_posterior *p, int k, double *low, double *high)
{
    *low = *high = NAN;
    double *v = malloc((size_t)(p->draws > 0 ? p->draws : 1) * sizeof *v);
    if (!v)
        return;
    int n = 0;
    for (int d = 0; d < p->draws; d++) {
        const double x = p->values[(size_t)d * SIZE + k];
        if (isfinite(x))
            v[n++] = x;
    }
    if (n > 0) {
        qsort(v, (size_t)n, sizeof *v, ascending);
        /* The order statistics at ceil(q n), as the empirical quantile. */
        *low = v[(int)ceil(0.025 * n) - 1 < 0 ? 0 : (int)ceil(0.025 * n) - 1];
        *high = v[(int)ceil(0.975 * n) - 1];
    }
    free(v);
}
