/* output/intervals.h: the 95% confidence intervals ipsim reports.
 *
 * One place for them, so that every table (run summaries, validate,
 * compare) computes the same kind of interval for the same kind of figure. */
#ifndef IPSIM_INTERVALS_H
#define IPSIM_INTERVALS_H

#include <stdint.h>

/* The standard normal 97.5% quantile. */
#define IPSIM_Z95 1.959963984540054

/* Wilson score interval for a share k / n: well-behaved for shares near 0
 * or 1 and for small n, unlike the Wald interval. n == 0 gives [0, 1]. */
void ipsim_interval_share(int64_t k, int64_t n, double *low, double *high);

/* Garwood's exact interval for a Poisson count k (the 2.5% quantile of
 * Gamma(k) and the 97.5% quantile of Gamma(k + 1)), as counts. */
void ipsim_interval_count(int64_t k, double *low, double *high);

/* Interval for a ratio of two Poisson rates (k1 / t1) / (k0 / t0), on the
 * log scale: exp(+-z sqrt(1/k1 + 1/k0)). NaN where a count is zero. */
void ipsim_interval_rate_ratio(int64_t k1, double t1, int64_t k0, double t0, double *ratio,
                               double *low, double *high);

/* The p-quantile (0..1) of the finite ones among n values stride apart,
 * interpolated between order statistics (R's type 7); scratch holds n
 * doubles. NaN if none is finite. */
/* Where a decreasing curve y (one value per row, `cycle` months apart)
 * first falls to one half, linear between rows (0 if it starts there); NaN
 * if it never does: a survival curve's median, or, applied to its interval's
 * bounds, the median's Brookmeyer-Crowley interval. */
double ipsim_interval_half_crossing(const double *y, int64_t rows, int64_t cycle);

double ipsim_quantile(const double *x, int64_t n, int64_t stride, double p, double *scratch);

#endif
