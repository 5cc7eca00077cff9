/* output/intervals.c: share, count and rate-ratio intervals. */
#include "output/intervals.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

void ipsim_interval_share(int64_t k, int64_t n, double *low, double *high)
{
    const double z = IPSIM_Z95;
    if (n == 0) {
        *low = 0;
        *high = 1;
        return;
    }
    double p = (double)k / (double)n, nn = (double)n;
    double denom = 1 + z * z / nn;
    double centre = (p + z * z / (2 * nn)) / denom;
    double half = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
    *low = fmax(0, centre - half);
    *high = fmin(1, centre + half);
}

/* GSL's gamma quantiles lose their way for large shapes, where Byar's
 * approximation is accurate to a few parts in 10^5 (Breslow & Day 1987,
 * vol. II, p. 69). */
static double poisson_bound(int64_t k, int upper)
{
    double a = (double)k + (upper ? 1 : 0);
    if (!upper && k == 0)
        return 0;
    if (a <= 100)
        return gsl_cdf_gamma_Pinv(upper ? 0.975 : 0.025, a, 1.0);
    double w = 1.0 / (9.0 * a);
    double root = 1.0 - w + (upper ? IPSIM_Z95 : -IPSIM_Z95) * sqrt(w);
    return a * root * root * root;
}

void ipsim_interval_count(int64_t k, double *low, double *high)
{
    *low = poisson_bound(k, 0);
    *high = poisson_bound(k, 1);
}

void ipsim_interval_rate_ratio(int64_t k1, double t1, int64_t k0, double t0, double *ratio,
                               double *low, double *high)
{
    *ratio = ((double)k1 / t1) / ((double)k0 / t0);
    if (k1 == 0 || k0 == 0) {
        *low = *high = NAN;
        return;
    }
    double half = IPSIM_Z95 * sqrt(1.0 / (double)k1 + 1.0 / (double)k0);
    *low = *ratio * exp(-half);
    *high = *ratio * exp(half);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ipsim_quantile(const double *x, int64_t n, int64_t stride, double p, double *scratch)
{
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(x[i * stride]))
            scratch[m++] = x[i * stride];
    if (m == 0)
        return NAN;
    qsort(scratch, (size_t)m, sizeof *scratch, compare_doubles);
    double h = (double)(m - 1) * p;
    int64_t lo = (int64_t)floor(h);
    int64_t hi = lo + 1 < m ? lo + 1 : lo;
    return scratch[lo] + (h - (double)lo) * (scratch[hi] - scratch[lo]);
}

double ipsim_interval_half_crossing(const double *y, int64_t rows, int64_t cycle)
{
    for (int64_t m = 1; m < rows; m++)
        if (y[m] <= 0.5 && y[m - 1] > 0.5)
            return (double)cycle * ((double)(m - 1) + (y[m - 1] - 0.5) / (y[m - 1] - y[m]));
    return rows > 0 && y[0] <= 0.5 ? 0 : NAN;
}
