/* base/imis.h: incremental mixture importance sampling (IMIS).
 *
 * Samples a posterior known up to a constant, log p(x) = log prior(x) +
 * log likelihood(x) on R^d, when each evaluation is costly but smooth (the
 * expected-value model takes about a second). Raftery and Bao (Biometrics
 * 2010;66:1162-73) start from the prior; here the first proposal is a
 * Gaussian the caller supplies, normally the Laplace approximation at the
 * posterior mode (their "IMIS with optimisation"), so that few evaluations
 * are spent where the likelihood is negligible:
 *
 *   1. draw `initial` points from the start Gaussian q0;
 *   2. weight every point so far by p(x) / q(x), where q is the mixture of q0
 *      and the components added so far, each in proportion to its draws;
 *   3. stop when the diagnostics meet the thresholds (below), or after
 *      `max_iterations`;
 *   4. otherwise add a Gaussian component at the heaviest point, with the
 *      weighted covariance of the `per_iteration` points nearest to it
 *      (Mahalanobis distance in q0's metric; weights (w + 1/n) / 2, as
 *      Raftery and Bao), draw `per_iteration` points from it, and go to 2.
 *
 * Diagnostics, reported whether or not they are met: the effective sample
 * size ESS = 1 / sum(w^2) of the normalised weights, the largest single
 * weight, and the expected number of distinct points in a resample of
 * `resample` draws. The thresholds are the caller's (ipsim's posterior asks
 * ESS >= resample / 2 and no weight above 5%; docs/psa.md argues them).
 *
 * Reproducible: every Gaussian draw is a pure function of (seed, point
 * index, coordinate) (base/rng.h, purpose IPSIM_PURPOSE_POSTERIOR), the
 * evaluations run on OpenMP threads into a per-point array, and every sum is
 * taken serially in point order, so the sample is bit-identical for any
 * thread count. */
#ifndef IPSIM_IMIS_H
#define IPSIM_IMIS_H

#include <signal.h>
#include <stdint.h>

#include "base/error.h"

enum { IPSIM_IMIS_MAX_DIM = 32 };

/* The unnormalised log posterior at x (length dim), the sample's point
 * number `point` (0, 1, ...: a caller may keep per-point results by it).
 * Returns IPSIM_OK with *log_p set (-INFINITY where the posterior is zero),
 * or a status with err filled, which ends the sampling. Called concurrently
 * from several threads: ctx must be safe to share (read-only, per-point
 * slots, or per-call scratch). */
typedef int (*ipsim_imis_log_density)(void *ctx, int point, const double *x, double *log_p,
                                      ipsim_error *err);

typedef struct ipsim_imis_settings {
    int dim;
    const double *start_mean; /* [dim] */
    const double *start_cov;  /* [dim][dim], symmetric positive definite */
    int initial;              /* draws from the start Gaussian */
    int per_iteration;        /* draws from each added component */
    int max_iterations;       /* components added at most */
    int resample;             /* posterior draws wanted at the end */
    double min_ess;           /* stop once ESS >= this ... */
    double max_weight;        /* ... and no normalised weight exceeds this */
    uint64_t seed;
    int threads;              /* <= 0: one */
    const volatile sig_atomic_t *cancel; /* polled between evaluations; may be NULL */
} ipsim_imis_settings;

typedef struct ipsim_imis_result {
    int dim;
    int points;          /* evaluated points */
    double *x;           /* [points][dim] */
    double *log_p;       /* [points] */
    double *weight;      /* [points], normalised; 0 where log_p is -inf */
    int resample;        /* rows of draws */
    double *draws;       /* [resample][dim]: resampled with replacement by weight */
    int *draw_index;     /* [resample]: the point each draw is */
    int iterations;      /* components added */
    double ess;
    double max_weight;
    double expected_unique; /* distinct points expected among `resample` draws */
    int converged;       /* 1 if ess >= min_ess and max_weight <= max_weight */
} ipsim_imis_result;

/* Runs IMIS. On success (IPSIM_OK) *out holds the sample, even when the
 * thresholds were not met within max_iterations (out->converged says; the
 * caller decides whether that is an error). Errors: IPSIM_EPARAM for bad
 * settings (a covariance that is not positive definite, sizes out of
 * range), IPSIM_EVALIDATION when no point has a finite posterior,
 * IPSIM_ENOMEM, IPSIM_EINTERRUPTED, and any status the density returns (the
 * lowest-numbered failing point's). Free with ipsim_imis_result_free. */
int ipsim_imis_run(const ipsim_imis_settings *settings, ipsim_imis_log_density log_density,
                   void *ctx, ipsim_imis_result *out, ipsim_error *err);

void ipsim_imis_result_free(ipsim_imis_result *r); /* zeroes it; NULL members are fine */

/* The weighted mean and 2.5%, 97.5% quantiles of coordinate k of the
 * weighted points (not the resample): what the tests check against exact
 * posteriors. */
double ipsim_imis_mean(const ipsim_imis_result *r, int k);
double ipsim_imis_quantile(const ipsim_imis_result *r, int k, double q);

#endif
