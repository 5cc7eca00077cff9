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
    free(f->inb);
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

/* The incremental net benefits at wtp, [options - 1][n], from the
 * [2 (options - 1)][n] cost-then-effect increments. */
static void net_benefits(const double *increments, int64_t n, int options, double wtp, double *inb)
{
    for (int s = 1; s < options; s++) {
        const double *cost = increments + (size_t)(2 * (s - 1)) * (size_t)n, *effect = cost + n;
        double *out = inb + (size_t)(s - 1) * (size_t)n;
        for (int64_t r = 0; r < n; r++)
            out[r] = wtp * effect[r] - cost[r];
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
    f->inb = malloc(2 * (size_t)(o->options - 1) * (size_t)n * sizeof *f->inb);
    if (!f->observed || !f->fitted || !f->fits || !f->inb) {
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

/* mean_w max(0, max_s INB_s) - max(0, max_s mean_w INB_s), the net
 * benefits being [options - 1][n] rows, with weights w (NULL: all 1). */
static double value_of(const double *inb, int64_t n, int options, const double *weights)
{
    double total_weight = 0, mean_of_max = 0;
    double mean[64] = {0};
    for (int64_t r = 0; r < n; r++) {
        const double w = weights ? weights[r] : 1;
        if (w == 0)
            continue;
        double best = 0;
        for (int s = 1; s < options; s++) {
            const double v = inb[(size_t)(s - 1) * (size_t)n + (size_t)r];
            mean[s] += w * v;
            if (v > best)
                best = v;
        }
        mean_of_max += w * best;
        total_weight += w;
    }
    double max_of_mean = 0;
    for (int s = 1; s < options; s++)
        max_of_mean = fmax(max_of_mean, mean[s] / total_weight);
    return mean_of_max / total_weight - max_of_mean;
}

/* Fits each option's net benefit at wtp: fitted[options - 1][n], and the
 * penalties chosen, lambda[options - 1] (may be NULL). The net benefit is
 * fitted itself, not its cost and effect apart: at a willingness to pay
 * near the ICER it is a small difference of two large increments whose
 * noise largely cancels, and two fits with penalties of their own would
 * each follow some of that noise without the cancelling. */
static int fit_net_benefits(const ipsim_voi_fit *f, double wtp, double *fitted, double *lambda,
                            ipsim_error *err)
{
    const int64_t n = f->draws;
    double *inb = f->inb + (size_t)(f->options - 1) * (size_t)n;
    net_benefits(f->observed, n, f->options, wtp, inb);
    for (int s = 1; s < f->options; s++) {
        ipsim_fit fit;
        const size_t at = (size_t)(s - 1) * (size_t)n;
        int rc = ipsim_metamodel_fit(f->model, inb + at, fitted + at, &fit, err);
        if (rc)
            return rc;
        if (lambda)
            lambda[s - 1] = fit.lambda;
    }
    return IPSIM_OK;
}

int ipsim_voi_value(const ipsim_voi_fit *f, double wtp, double *value, bool *capped,
                    ipsim_error *err)
{
    int rc = fit_net_benefits(f, wtp, f->inb, NULL, err);
    if (rc)
        return rc;
    const double estimate = value_of(f->inb, f->draws, f->options, NULL);
    const double evpi = ipsim_voi_evpi(f->outcomes, wtp);
    if (capped)
        *capped = estimate > evpi;
    *value = fmin(estimate, evpi);
    return IPSIM_OK;
}

double ipsim_voi_evpi(const ipsim_psa_outcomes *o, double wtp)
{
    double probability[64], evpi;
    ipsim_acceptability(o->cost, o->effect, o->draws, o->options, wtp, probability, &evpi, NULL);
    return evpi;
}

void ipsim_voi_spread(const double *resampled, int replicates, int count, double *se)
{
    for (int k = 0; k < count; k++) {
        double mean = 0, ss = 0;
        for (int b = 0; b < replicates; b++)
            mean += resampled[(size_t)b * (size_t)count + (size_t)k];
        mean /= replicates;
        for (int b = 0; b < replicates; b++) {
            const double v = resampled[(size_t)b * (size_t)count + (size_t)k] - mean;
            ss += v * v;
        }
        se[k] = sqrt(ss / (replicates - 1));
    }
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

/* The bootstrap of value_of on the observed net benefits `inb`
 * ([count][options - 1][n], at each of count values of wtp): the EVPI of
 * each resample, evpis[replicates][count] (if not NULL), and, with a
 * model, the value of its refits with the penalties `lambda` ([count]
 * [options - 1]), capped by the resample's EVPI, values[replicates][count]. */
static int bootstrap(const ipsim_metamodel *model, const double *lambda, const double *inb,
                     int64_t n, int options, int count, int replicates, ipsim_stream stream,
                     double *values, double *evpis, ipsim_error *err)
{
    const int responses = count * (options - 1);
    const size_t block = (size_t)(options - 1) * (size_t)n;
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
            resample(stream, b, n, weights);
            if (model &&
                ipsim_metamodel_refit(model, weights, inb, lambda, responses, fitted, &local)) {
                failed = 1;
                continue;
            }
            for (int k = 0; k < count; k++) {
                const size_t at = (size_t)b * (size_t)count + (size_t)k;
                const double evpi = value_of(inb + (size_t)k * block, n, options, weights);
                if (evpis)
                    evpis[at] = evpi;
                if (values)
                    values[at] = model ? fmin(value_of(fitted + (size_t)k * block, n, options,
                                                       weights),
                                              evpi)
                                       : 0;
            }
        }
#pragma omp critical
        if (failed && !rc)
            rc = ipsim_error_set(err, local.code, local.src_file, local.src_line, "%s",
                                 local.message);
        free(weights);
        free(fitted);
    }
    return rc;
}

/* The observed net benefits at each of wtp[count], [count][options - 1][n]
 * (to be freed), and with a fit, the penalties its fits choose there,
 * *lambda [count][options - 1] (to be freed). */
static int observed_at(const ipsim_voi_fit *f, const double *increments, int64_t n, int options,
                       const double *wtp, int count, double **inb, double **lambda,
                       ipsim_error *err)
{
    const size_t block = (size_t)(options - 1) * (size_t)n;
    *inb = malloc((size_t)count * block * sizeof **inb);
    if (lambda)
        *lambda = malloc((size_t)count * (size_t)(options - 1) * sizeof **lambda);
    if (!*inb || (lambda && !*lambda))
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for bootstrap resamples of %lld draws",
                          (long long)n);
    for (int k = 0; k < count; k++) {
        net_benefits(increments, n, options, wtp[k], *inb + (size_t)k * block);
        if (f) {
            int rc = fit_net_benefits(f, wtp[k], f->inb, *lambda + (size_t)k * (size_t)(options - 1),
                                      err);
            if (rc)
                return rc;
        }
    }
    return IPSIM_OK;
}

int ipsim_voi_resample(const ipsim_voi_fit *f, const double *wtp, int count, int replicates,
                       uint64_t seed, uint64_t label, double *values, double *evpis,
                       ipsim_error *err)
{
    double *inb = NULL, *lambda = NULL;
    int rc = observed_at(f, f->observed, f->draws, f->options, wtp, count, &inb, &lambda, err);
    if (!rc)
        rc = bootstrap(f->model, lambda, inb, f->draws, f->options, count, replicates,
                       (ipsim_stream){seed, label}, values, evpis, err);
    free(inb);
    free(lambda);
    return rc;
}

int ipsim_voi_bootstrap(const ipsim_voi_fit *f, const double *wtp, int count, int replicates,
                        uint64_t seed, uint64_t label, double *value_se, double *evpi_se,
                        ipsim_error *err)
{
    double *values = malloc(2 * (size_t)replicates * (size_t)count * sizeof *values);
    if (!values)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for %d bootstrap resamples", replicates);
    double *evpis = values + (size_t)replicates * (size_t)count;
    int rc = ipsim_voi_resample(f, wtp, count, replicates, seed, label, values, evpis, err);
    if (!rc && value_se)
        ipsim_voi_spread(values, replicates, count, value_se);
    if (!rc && evpi_se)
        ipsim_voi_spread(evpis, replicates, count, evpi_se);
    free(values);
    return rc;
}

int ipsim_voi_evpi_bootstrap(const ipsim_psa_outcomes *o, const double *wtp, int count,
                             int replicates, uint64_t seed, uint64_t label, double *evpi_se,
                             ipsim_error *err)
{
    const int64_t n = o->draws;
    double *increments = malloc(2 * (size_t)(o->options - 1) * (size_t)n * sizeof *increments);
    double *evpis = malloc((size_t)replicates * (size_t)count * sizeof *evpis);
    double *inb = NULL;
    int rc = increments && evpis
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for %lld draws", (long long)n);
    if (!rc) {
        fill_increments(o, increments);
        rc = observed_at(NULL, increments, n, o->options, wtp, count, &inb, NULL, err);
    }
    if (!rc)
        rc = bootstrap(NULL, NULL, inb, n, o->options, count, replicates,
                       (ipsim_stream){seed, label}, NULL, evpis, err);
    if (!rc)
        ipsim_voi_spread(evpis, replicates, count, evpi_se);
    free(increments);
    free(evpis);
    free(inb);
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
