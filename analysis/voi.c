/* analysis/voi.c: regression-based EVPPI and EVSI, their bootstrap SEs. */
#include "analysis/voi.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/incremental.h"
#include "base/rng.h"

void ipsim_voi_fit_free(ipsim_voi_fit *f)
{
    ipsim_metamodel_free(f->model);
    free(f->observed);
    free(f->fitted);
    free(f->fits);
    memset(f, 0, sizeof *f);
}

/* Each option's increments over option 0: cost then effect rows,
 * [2 (options - 1)][draws]. */
static void fill_increments(const ipsim_psa_outcomes *o, double *increments)
{
    const int64_t n = o->draws;
    for (int s = 1; s < o->options; s++) {
        double *cost = increments + (size_t)(2 * (s - 1)) * (size_t)n, *effect = cost + n;
        for (int64_t r = 0; r < n; r++) {
            const double *c = o->cost + r * o->options, *e = o->effect + r * o->options;
            cost[r] = c[s] - c[0];
            effect[r] = e[s] - e[0];
        }
    }
}

int ipsim_voi_fit_create(ipsim_voi_fit *f, const ipsim_psa_outcomes *o, const double *x, int d,
                         ipsim_error *err)
{
    memset(f, 0, sizeof *f);
    if (o->options < 2 || o->options > 64)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the value of information compares 2 to 64 options, not %d", o->options);
    const int64_t n = o->draws;
    const int responses = 2 * (o->options - 1);
    f->draws = n;
    f->options = o->options;
    f->outcomes = o;
    f->observed = malloc((size_t)responses * (size_t)n * sizeof *f->observed);
    f->fitted = malloc((size_t)responses * (size_t)n * sizeof *f->fitted);
    f->fits = calloc((size_t)responses, sizeof *f->fits);
    if (!f->observed || !f->fitted || !f->fits) {
        ipsim_voi_fit_free(f);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for %lld draws", (long long)n);
    }
    fill_increments(o, f->observed);
    int rc = ipsim_metamodel_create(&f->model, x, n, d, err);
    for (int k = 0; !rc && k < responses; k++)
        rc = ipsim_metamodel_fit(f->model, f->observed + (size_t)k * (size_t)n,
                                 f->fitted + (size_t)k * (size_t)n, &f->fits[k], err);
    if (rc)
        ipsim_voi_fit_free(f);
    return rc;
}

/* mean_w max(0, max_s INB_s) - max(0, max_s mean_w INB_s), the increments
 * being [2 (options - 1)][n] cost-then-effect rows, with weights w (NULL:
 * all 1). */
static double value_of(const double *increments, int64_t n, int options, double wtp,
                       const double *weights)
{
    double total_weight = 0, mean_of_max = 0;
    double mean[64] = {0};
    for (int64_t r = 0; r < n; r++) {
        const double w = weights ? weights[r] : 1;
        if (w == 0)
            continue;
        double best = 0;
        for (int s = 1; s < options; s++) {
            const double *cost = increments + (size_t)(2 * (s - 1)) * (size_t)n;
            const double inb = wtp * cost[n + r] - cost[r];
            mean[s] += w * inb;
            if (inb > best)
                best = inb;
        }
        mean_of_max += w * best;
        total_weight += w;
    }
    double max_of_mean = 0;
    for (int s = 1; s < options; s++)
        max_of_mean = fmax(max_of_mean, mean[s] / total_weight);
    return mean_of_max / total_weight - max_of_mean;
}

double ipsim_voi_value(const ipsim_voi_fit *f, double wtp, bool *capped)
{
    const double value = value_of(f->fitted, f->draws, f->options, wtp, NULL);
    const double evpi = ipsim_voi_evpi(f->outcomes, wtp);
    if (capped)
        *capped = value > evpi;
    return fmin(value, evpi);
}

double ipsim_voi_evpi(const ipsim_psa_outcomes *o, double wtp)
{
    double probability[64], evpi;
    ipsim_acceptability(o->cost, o->effect, o->draws, o->options, wtp, probability, &evpi, NULL);
    return evpi;
}

static double spread(const double *v, int count)
{
    double mean = 0, ss = 0;
    for (int i = 0; i < count; i++)
        mean += v[i];
    mean /= count;
    for (int i = 0; i < count; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    return sqrt(ss / (count - 1));
}

/* Resample b of n draws: weights[i] = how often draw i was drawn. */
static void resample(ipsim_stream stream, int b, int64_t n, double *weights)
{
    memset(weights, 0, (size_t)n * sizeof *weights);
    for (int64_t i = 0; i < n; i += 4) {
        double u[4];
        ipsim_rng_uniform4(stream, (uint64_t)b, (uint64_t)(i / 4), IPSIM_PURPOSE_BOOTSTRAP, 0, u);
        for (int j = 0; j < 4 && i + j < n; j++)
            weights[(int64_t)(u[j] * (double)n)] += 1;
    }
}

/* The bootstrap of value_of on `observed` (EVPI) and, with a model, on its
 * refitted values (capped by the resample's EVPI). */
static int bootstrap(const ipsim_metamodel *model, const double *lambda, const double *observed,
                     int64_t n, int options, const double *wtp, int count, int replicates,
                     ipsim_stream stream, const volatile sig_atomic_t *cancel, double *value_se,
                     double *evpi_se, ipsim_error *err)
{
    const int responses = 2 * (options - 1);
    double *values = malloc(2 * (size_t)replicates * (size_t)count * sizeof *values);
    if (!values)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for %d bootstrap resamples", replicates);
    double *evpis = values + (size_t)replicates * (size_t)count;
    int rc = IPSIM_OK;
#pragma omp parallel
    {
        double *weights = malloc((size_t)n * sizeof *weights);
        double *fitted = model ? malloc((size_t)responses * (size_t)n * sizeof *fitted) : NULL;
        ipsim_error local;
        ipsim_error_clear(&local);
        int failed = !weights || (model && !fitted);
        if (failed)
            IPSIM_FAIL(&local, IPSIM_ENOMEM, "no memory for a bootstrap resample");
#pragma omp for schedule(dynamic)
        for (int b = 0; b < replicates; b++) {
            if (failed)
                continue;
            if (ipsim_error_cancelled(cancel, &local, "while bootstrapping")) {
                failed = 1;
                continue;
            }
            resample(stream, b, n, weights);
            if (model &&
                ipsim_metamodel_refit(model, weights, observed, lambda, responses, fitted, &local)) {
                failed = 1;
                continue;
            }
            for (int k = 0; k < count; k++) {
                const size_t at = (size_t)b * (size_t)count + (size_t)k;
                evpis[at] = value_of(observed, n, options, wtp[k], weights);
                values[at] =
                    model ? fmin(value_of(fitted, n, options, wtp[k], weights), evpis[at]) : 0;
            }
        }
#pragma omp critical
        if (failed && !rc)
            rc = ipsim_error_set(err, local.code, local.src_file, local.src_line, "%s",
                                 local.message);
        free(weights);
        free(fitted);
    }
    double *column = malloc((size_t)replicates * sizeof *column);
    if (!rc && !column)
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for bootstrap results");
    for (int k = 0; !rc && k < count; k++) {
        for (int which = 0; which < 2; which++) {
            double *out = which ? evpi_se : value_se;
            const double *from = which ? evpis : values;
            if (!out)
                continue;
            for (int b = 0; b < replicates; b++)
                column[b] = from[(size_t)b * (size_t)count + (size_t)k];
            out[k] = spread(column, replicates);
        }
    }
    free(column);
    free(values);
    return rc;
}

int ipsim_voi_bootstrap(const ipsim_voi_fit *f, const double *wtp, int count, int replicates,
                        uint64_t seed, uint64_t label, const volatile sig_atomic_t *cancel,
                        double *value_se, double *evpi_se, ipsim_error *err)
{
    double lambda[128];
    for (int k = 0; k < 2 * (f->options - 1); k++)
        lambda[k] = f->fits[k].lambda;
    return bootstrap(f->model, lambda, f->observed, f->draws, f->options, wtp, count, replicates,
                     (ipsim_stream){seed, label}, cancel, value_se, evpi_se, err);
}

int ipsim_voi_evpi_bootstrap(const ipsim_psa_outcomes *o, const double *wtp, int count,
                             int replicates, uint64_t seed, uint64_t label,
                             const volatile sig_atomic_t *cancel, double *evpi_se,
                             ipsim_error *err)
{
    const int64_t n = o->draws;
    double *increments = malloc(2 * (size_t)(o->options - 1) * (size_t)n * sizeof *increments);
    if (!increments)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for %lld draws", (long long)n);
    fill_increments(o, increments);
    int rc = bootstrap(NULL, NULL, increments, n, o->options, wtp, count, replicates,
                       (ipsim_stream){seed, label}, cancel, NULL, evpi_se, err);
    free(increments);
    return rc;
}

int ipsim_voi_fit_warnings(const ipsim_voi_fit *f, char *buf, size_t size)
{
    int found = 0;
    size_t used = 0;
    buf[0] = '\0';
    const int p = ipsim_metamodel_columns(f->model);
    double max_edf = 0;
    bool stiff = false;
    for (int k = 0; k < 2 * (f->options - 1); k++) {
        max_edf = fmax(max_edf, f->fits[k].edf);
        stiff |= f->fits[k].edf >= 0.9 * p && f->fits[k].r_squared < 0.999;
    }
#define ADD(...)                                                                             \
    do {                                                                                     \
        if (used < size)                                                                     \
            used += (size_t)snprintf(buf + used, size - used, "%s", found ? "; " : "");      \
        if (used < size)                                                                     \
            used += (size_t)snprintf(buf + used, size - used, __VA_ARGS__);                  \
        found++;                                                                             \
    } while (0)
    if (stiff)
        ADD("the fit used nearly all of its %d functions: it may be too stiff, and the value "
            "underestimated",
            p);
    if ((double)f->draws < 10 * max_edf)
        ADD("%.0f effective degrees of freedom from %lld draws (fewer than 10 per degree): the "
            "fit may follow noise, and the value be overestimated",
            max_edf, (long long)f->draws);
    if (ipsim_metamodel_kind(f->model) == IPSIM_BASIS_ADDITIVE)
        ADD("too many inputs for a tensor product: the additive fit ignores interactions");
#undef ADD
    return found;
}

double ipsim_voi_population(double per_year, double years, double rate)
{
    double sum = 0;
    const double whole = floor(years);
    for (int64_t t = 0; t < (int64_t)whole; t++)
        sum += pow(1 + rate, -(double)t);
    sum += (years - whole) * pow(1 + rate, -whole);
    return per_year * sum;
}
