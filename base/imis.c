/* base/imis.c: incremental mixture importance sampling (base/imis.h). */
#define _DEFAULT_SOURCE /* M_PI */
#include "base/imis.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "base/rng.h"

enum { MAX_DIM = IPSIM_IMIS_MAX_DIM };

/* A Gaussian component: mean, lower Cholesky factor of its covariance, and
 * the log of its density's constant, -d/2 log(2 pi) - sum log L_ii. */
typedef struct component {
    double mean[MAX_DIM];
    double chol[MAX_DIM * MAX_DIM];
    double log_norm;
    int draws;
} component;

typedef struct sampler {
    const ipsim_imis_settings *s;
    int dim;
    int max_points, max_components;
    component *components;
    int component_count;
    double *log_phi; /* [max_points][max_components]: log density of component c at point i */
    ipsim_imis_result *out;
} sampler;

/* Cholesky in place (lower triangle of a, row-major d x d); false unless
 * positive definite. */
static bool cholesky(double *a, int d)
{
    for (int j = 0; j < d; j++) {
        double s = a[j * d + j];
        for (int k = 0; k < j; k++)
            s -= a[j * d + k] * a[j * d + k];
        if (!(s > 0) || !isfinite(s))
            return false;
        a[j * d + j] = sqrt(s);
        for (int i = j + 1; i < d; i++) {
            double t = a[i * d + j];
            for (int k = 0; k < j; k++)
                t -= a[i * d + k] * a[j * d + k];
            a[i * d + j] = t / a[j * d + j];
        }
        for (int k = j + 1; k < d; k++)
            a[j * d + k] = 0;
    }
    return true;
}

/* ||L^-1 (x - mean)||^2 by forward substitution. */
static double mahalanobis2(const double *chol, const double *mean, const double *x, int d)
{
    double z[MAX_DIM], sum = 0;
    for (int i = 0; i < d; i++) {
        double t = x[i] - mean[i];
        for (int k = 0; k < i; k++)
            t -= chol[i * d + k] * z[k];
        z[i] = t / chol[i * d + i];
        sum += z[i] * z[i];
    }
    return sum;
}

static bool component_set(component *c, const double *mean, const double *cov, int d)
{
    memcpy(c->mean, mean, (size_t)d * sizeof *mean);
    memcpy(c->chol, cov, (size_t)d * d * sizeof *cov);
    if (!cholesky(c->chol, d))
        return false;
    c->log_norm = -0.5 * d * log(2 * M_PI);
    for (int i = 0; i < d; i++)
        c->log_norm -= log(c->chol[i * d + i]);
    c->draws = 0;
    return true;
}

static double component_log_density(const component *c, const double *x, int d)
{
    return c->log_norm - 0.5 * mahalanobis2(c->chol, c->mean, x, d);
}

/* Standard normal k of point i: Box-Muller on the point's own uniforms. */
static double normal_at(uint64_t seed, int point, int k)
{
    double u[4];
    ipsim_rng_uniform4((ipsim_stream){seed, 0}, (uint64_t)point, 0, IPSIM_PURPOSE_POSTERIOR,
                       (uint64_t)(k / 4), u);
    const int pair = (k % 4) / 2;
    const double r = sqrt(-2 * log(1 - u[2 * pair]));
    const double angle = 2 * M_PI * u[2 * pair + 1];
    return k % 2 ? r * sin(angle) : r * cos(angle);
}

/* Points [first, first + count) drawn from component c. */
static void draw_points(sampler *sp, const component *c, int first, int count)
{
    const int d = sp->dim;
    for (int i = first; i < first + count; i++) {
        double z[MAX_DIM];
        for (int k = 0; k < d; k++)
            z[k] = normal_at(sp->s->seed, i, k);
        double *x = sp->out->x + (size_t)i * d;
        for (int r = 0; r < d; r++) {
            double t = c->mean[r];
            for (int k = 0; k <= r; k++)
                t += c->chol[r * d + k] * z[k];
            x[r] = t;
        }
    }
}

/* log p at points [first, first + count), on the threads. The error
 * reported is the lowest-numbered failing point's, whatever the threads. */
static int evaluate(sampler *sp, ipsim_imis_log_density log_density, void *ctx, int first,
                    int count, ipsim_error *err)
{
    const ipsim_imis_settings *s = sp->s;
    const int threads = s->threads > 0 ? s->threads : 1;
    ipsim_error *errors = calloc((size_t)threads, sizeof *errors);
    int *failed_at = malloc((size_t)threads * sizeof *failed_at);
    if (!errors || !failed_at) {
        free(errors);
        free(failed_at);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sampler's threads");
    }
    for (int t = 0; t < threads; t++)
        failed_at[t] = -1;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
#endif
    for (int i = first; i < first + count; i++) {
#ifdef _OPENMP
        const int t = omp_get_thread_num();
#else
        const int t = 0;
#endif
        if (failed_at[t] >= 0)
            continue;
        ipsim_error *e = &errors[t];
        int rc = ipsim_error_cancelled(s->cancel, e, "while sampling the posterior");
        if (!rc)
            rc = log_density(ctx, i, sp->out->x + (size_t)i * sp->dim, &sp->out->log_p[i], e);
        if (rc == IPSIM_OK && isnan(sp->out->log_p[i]))
            rc = IPSIM_FAIL(e, IPSIM_EINTERNAL, "the log posterior is NaN at point %d", i);
        if (rc)
            failed_at[t] = i;
    }
    int worst = -1;
    for (int t = 0; t < threads; t++)
        if (failed_at[t] >= 0 && (worst < 0 || failed_at[t] < failed_at[worst]))
            worst = t;
    int rc = IPSIM_OK;
    if (worst >= 0) {
        *err = errors[worst];
        rc = err->code;
    }
    free(errors);
    free(failed_at);
    return rc;
}

/* Log densities of component c at points [0, points). */
static void tabulate(sampler *sp, int c, int points)
{
    for (int i = 0; i < points; i++)
        sp->log_phi[(size_t)i * sp->max_components + c] =
            component_log_density(&sp->components[c], sp->out->x + (size_t)i * sp->dim, sp->dim);
}

/* Normalised weights p / q of the points so far, and the diagnostics. */
static int reweight(sampler *sp, ipsim_error *err)
{
    ipsim_imis_result *r = sp->out;
    const int n = r->points;
    double log_w_max = -INFINITY;
    for (int i = 0; i < n; i++) {
        double m = -INFINITY;
        const double *phi = sp->log_phi + (size_t)i * sp->max_components;
        for (int c = 0; c < sp->component_count; c++)
            m = fmax(m, phi[c]);
        double sum = 0;
        for (int c = 0; c < sp->component_count; c++)
            sum += sp->components[c].draws * exp(phi[c] - m);
        const double log_q = m + log(sum / n);
        r->weight[i] = r->log_p[i] - log_q; /* the log weight, for now */
        log_w_max = fmax(log_w_max, r->weight[i]);
    }
    if (!isfinite(log_w_max))
        return IPSIM_FAIL(err, IPSIM_EVALIDATION,
                          "no sampled point has a non-zero posterior: the start is too far "
                          "from where the likelihood lies");
    double total = 0;
    for (int i = 0; i < n; i++) {
        r->weight[i] = exp(r->weight[i] - log_w_max);
        total += r->weight[i];
    }
    double squares = 0, largest = 0, unique = 0;
    for (int i = 0; i < n; i++) {
        r->weight[i] /= total;
        squares += r->weight[i] * r->weight[i];
        largest = fmax(largest, r->weight[i]);
        unique += 1 - pow(1 - r->weight[i], sp->s->resample);
    }
    r->ess = 1 / squares;
    r->max_weight = largest;
    r->expected_unique = unique;
    r->converged = r->ess >= sp->s->min_ess && r->max_weight <= sp->s->max_weight;
    return IPSIM_OK;
}

typedef struct ranked {
    double distance;
    int index;
} ranked;

static int by_distance(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->distance != y->distance)
        return x->distance < y->distance ? -1 : 1;
    return x->index - y->index;
}

/* A new component at the heaviest point, its covariance the weighted spread
 * of the nearest points about it (weights w + 1/n, as Raftery and Bao). If
 * that is singular (too few distinct points), q0's covariance is mixed in
 * until it is not. */
static int add_component(sampler *sp, ipsim_error *err)
{
    ipsim_imis_result *r = sp->out;
    const int d = sp->dim, n = r->points;
    int heaviest = 0;
    for (int i = 1; i < n; i++)
        if (r->weight[i] > r->weight[heaviest])
            heaviest = i;
    const double *centre = r->x + (size_t)heaviest * d;
    ranked *order = malloc((size_t)n * sizeof *order);
    if (!order)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sampler's ranking");
    for (int i = 0; i < n; i++)
        order[i] = (ranked){mahalanobis2(sp->components[0].chol, centre, r->x + (size_t)i * d, d),
                            i};
    qsort(order, (size_t)n, sizeof *order, by_distance);
    const int nearest = sp->s->per_iteration < n ? sp->s->per_iteration : n;
    double cov[MAX_DIM * MAX_DIM] = {0}, total = 0, squares = 0;
    for (int j = 0; j < nearest; j++)
        total += r->weight[order[j].index] + 1.0 / n;
    for (int j = 0; j < nearest; j++) {
        const int i = order[j].index;
        const double v = (r->weight[i] + 1.0 / n) / total;
        squares += v * v;
        const double *x = r->x + (size_t)i * d;
        for (int a = 0; a < d; a++)
            for (int b = 0; b <= a; b++)
                cov[a * d + b] += v * (x[a] - centre[a]) * (x[b] - centre[b]);
    }
    free(order);
    for (int a = 0; a < d; a++)
        for (int b = 0; b <= a; b++) {
            cov[a * d + b] /= 1 - squares > 0 ? 1 - squares : 1;
            cov[b * d + a] = cov[a * d + b];
        }
    component *c = &sp->components[sp->component_count];
    /* A ridge towards the start's covariance, growing until the Cholesky
     * factor exists; listed, so that the last step is exactly the start's. */
    static const double ridge[] = {0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};
    for (size_t m = 0; m < sizeof ridge / sizeof ridge[0]; m++) {
        const double mix = ridge[m];
        double trial[MAX_DIM * MAX_DIM];
        for (int k = 0; k < d * d; k++)
            trial[k] = (1 - mix) * cov[k] + mix * sp->s->start_cov[k];
        if (component_set(c, centre, trial, d))
            return IPSIM_OK;
    }
    return IPSIM_FAIL(err, IPSIM_EINTERNAL, "the sampler's new component is singular");
}

static void resample(sampler *sp)
{
    ipsim_imis_result *r = sp->out;
    const int d = sp->dim;
    for (int j = 0; j < r->resample; j++) {
        double u[4];
        ipsim_rng_uniform4((ipsim_stream){sp->s->seed, 0}, (uint64_t)j, 1,
                           IPSIM_PURPOSE_POSTERIOR, 0, u);
        double sum = 0;
        int pick = r->points - 1;
        for (int i = 0; i < r->points; i++) {
            sum += r->weight[i];
            if (u[0] < sum) {
                pick = i;
                break;
            }
        }
        /* Rounding can leave the sum just short of 1: the last point with
         * weight takes the remainder. */
        while (pick > 0 && r->weight[pick] == 0)
            pick--;
        r->draw_index[j] = pick;
        memcpy(r->draws + (size_t)j * d, r->x + (size_t)pick * d, (size_t)d * sizeof *r->draws);
    }
}

static int check_settings(const ipsim_imis_settings *s, ipsim_error *err)
{
    if (s->dim < 1 || s->dim > MAX_DIM)
        return IPSIM_FAIL(err, IPSIM_EPARAM, "the sampler takes 1 to %d dimensions, not %d",
                          MAX_DIM, s->dim);
    if (s->initial < 2 || s->per_iteration < 2 || s->max_iterations < 0 || s->resample < 1)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the sampler needs at least 2 initial draws and 2 per iteration, "
                          "and at least 1 posterior draw");
    const double points = (double)s->initial + (double)s->max_iterations * s->per_iteration;
    if (points > 1e7)
        return IPSIM_FAIL(err, IPSIM_EPARAM, "the sampler would evaluate %.0f points; at most "
                          "10 million", points);
    return IPSIM_OK;
}

int ipsim_imis_run(const ipsim_imis_settings *s, ipsim_imis_log_density log_density, void *ctx,
                   ipsim_imis_result *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = check_settings(s, err);
    if (rc)
        return rc;
    const int d = s->dim;
    sampler sp = {.s = s, .dim = d, .out = out};
    sp.max_points = s->initial + s->max_iterations * s->per_iteration;
    sp.max_components = 1 + s->max_iterations;
    sp.components = calloc((size_t)sp.max_components, sizeof *sp.components);
    sp.log_phi = malloc((size_t)sp.max_points * sp.max_components * sizeof *sp.log_phi);
    out->dim = d;
    out->resample = s->resample;
    out->x = malloc((size_t)sp.max_points * d * sizeof *out->x);
    out->log_p = malloc((size_t)sp.max_points * sizeof *out->log_p);
    out->weight = malloc((size_t)sp.max_points * sizeof *out->weight);
    out->draws = malloc((size_t)s->resample * d * sizeof *out->draws);
    out->draw_index = malloc((size_t)s->resample * sizeof *out->draw_index);
    if (!sp.components || !sp.log_phi || !out->x || !out->log_p || !out->weight ||
        !out->draws || !out->draw_index) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sampler (%d points)",
                        sp.max_points);
        goto done;
    }
    if (!component_set(&sp.components[0], s->start_mean, s->start_cov, d)) {
        rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                        "the sampler's start covariance is not positive definite");
        goto done;
    }
    sp.component_count = 1;
    draw_points(&sp, &sp.components[0], 0, s->initial);
    sp.components[0].draws = s->initial;
    rc = evaluate(&sp, log_density, ctx, 0, s->initial, err);
    out->points = s->initial;
    if (!rc) {
        tabulate(&sp, 0, out->points);
        rc = reweight(&sp, err);
    }
    while (!rc && !out->converged && out->iterations < s->max_iterations) {
        rc = add_component(&sp, err);
        if (rc)
            break;
        const int c = sp.component_count++;
        const int first = out->points;
        draw_points(&sp, &sp.components[c], first, s->per_iteration);
        sp.components[c].draws = s->per_iteration;
        rc = evaluate(&sp, log_density, ctx, first, s->per_iteration, err);
        if (rc)
            break;
        out->points += s->per_iteration;
        out->iterations++;
        /* Earlier components at the new points, the new one at all. */
        for (int k = 0; k < c; k++)
            for (int i = first; i < out->points; i++)
                sp.log_phi[(size_t)i * sp.max_components + k] =
                    component_log_density(&sp.components[k], out->x + (size_t)i * d, d);
        tabulate(&sp, c, out->points);
        rc = reweight(&sp, err);
    }
    if (!rc)
        resample(&sp);
done:
    free(sp.components);
    free(sp.log_phi);
    if (rc)
        ipsim_imis_result_free(out);
    return rc;
}

void ipsim_imis_result_free(ipsim_imis_result *r)
{
    free(r->x);
    free(r->log_p);
    free(r->weight);
    free(r->draws);
    free(r->draw_index);
    memset(r, 0, sizeof *r);
}

double ipsim_imis_mean(const ipsim_imis_result *r, int k)
{
    double mean = 0;
    for (int i = 0; i < r->points; i++)
        mean += r->weight[i] * r->x[(size_t)i * r->dim + k];
    return mean;
}

typedef struct weighted {
    double x, w;
} weighted;

static int by_value(const void *a, const void *b)
{
    const weighted *x = a, *y = b;
    return (x->x > y->x) - (x->x < y->x);
}

double ipsim_imis_quantile(const ipsim_imis_result *r, int k, double q)
{
    weighted *v = malloc((size_t)r->points * sizeof *v);
    if (!v)
        return NAN;
    for (int i = 0; i < r->points; i++)
        v[i] = (weighted){r->x[(size_t)i * r->dim + k], r->weight[i]};
    qsort(v, (size_t)r->points, sizeof *v, by_value);
    double sum = 0, value = v[r->points - 1].x;
    for (int i = 0; i < r->points; i++) {
        sum += v[i].w;
        if (sum >= q) {
            value = v[i].x;
            break;
        }
    }
    free(v);
    return value;
}
