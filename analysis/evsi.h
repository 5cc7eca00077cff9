/* analysis/evsi.h: the simulated results of proposed studies, for the
 * expected value of sample information (EVSI).
 *
 * A study measures one parameter drawn in the PSA. For each PSA draw r,
 * with that draw's true value theta_r, the study's summary statistic is
 * simulated from its sampling distribution at sample size n; regressing
 * each option's net benefit on the statistic (analysis/voi.h) gives the
 * EVSI, the value of knowing the study's result before deciding (Strong
 * et al., Med Decis Making 2015;35:570). Designs:
 *   normal      the mean of n observations with SD sd: theta + N(0, sd^2/n)
 *   binomial    the share of n persons with an outcome: Bin(n, theta) / n
 *               (a cohort measuring, say, the share of severe-IP patients
 *               with an infection within a year)
 *   rate_ratio  a two-arm trial, n persons per arm followed follow_up_years,
 *               measuring a rate ratio theta (IVIG versus none): events
 *               X0 ~ Poisson(n F r0) without, X1 ~ Poisson(n F r0 theta)
 *               with, r0 = control_rate per person-year; the statistic is
 *               log((X1 + 1/2) / (X0 + 1/2)).
 * Results are drawn from counter-based streams (seed, draw) at counter
 * (n, hash of the study's name + dataset, IPSIM_PURPOSE_STUDY):
 * reproducible and the same for any thread count. The EVSI is averaged
 * over IPSIM_EVSI_DATASETS simulated datasets (analysis/voi_analysis.h):
 * one dataset's estimate carries the noise of that one simulation. A
 * study's description, ipsim_voi_study, is in params/voi_plan.h, which
 * reads it from a plan. */
#ifndef IPSIM_EVSI_H
#define IPSIM_EVSI_H

#include <stdint.h>

#include "base/error.h"
#include "params/voi_plan.h"

enum { IPSIM_EVSI_DATASETS = 8 };

/* The study's statistic for each of `draws` true values theta[r] at sample
 * size n, in simulated dataset `dataset` (0, 1, ...): result[r]. Errors:
 * IPSIM_EPARAM for a true value outside the design's range (a binomial
 * share outside [0, 1], a rate ratio <= 0); IPSIM_ENOMEM. */
int ipsim_evsi_simulate(const ipsim_voi_study *s, const double *theta, int64_t draws, int64_t n,
                        int dataset, uint64_t seed, double *result, ipsim_error *err);

/* The study's cost at sample size n: fixed + cost_per_person x arms x n. */
double ipsim_evsi_cost(const ipsim_voi_study *s, int64_t n);

#endif
