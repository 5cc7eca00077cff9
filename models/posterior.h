/* models/posterior.h: Bayesian calibration of the calibrated parameters.
 *
 * `ipsim calibrate` (models/calibration.h) finds the one point where the
 * expected-value model meets every target exactly. The targets are
 * estimates from small studies, so many points meet them about as well.
 * This samples that uncertainty: the posterior of the fifteen calibrated
 * parameters given the targets with their uncertainty
 * (params/calibration_targets.h), and hands its draws to the PSA.
 *
 *   prior       uninformative, stated as assumptions (docs/psa.md): uniform
 *               on the natural scale for probabilities (up to their bound),
 *               log-uniform over a factor of 100 either side of the start
 *               for hazards and ratios, uniform over +-10 about the start
 *               for log odds;
 *   likelihood  the product over the targets in the file of binomial (shares)
 *               or lognormal (medians, the rate ratio) terms, each at the
 *               expected-value model's quantity; a point where a quantity
 *               cannot be computed (a median beyond the horizon) has zero
 *               posterior;
 *   sampler     incremental mixture importance sampling (base/imis.h),
 *               started from the Laplace approximation at the start point,
 *               which should be the exact fit (the likelihood's maximum): its
 *               covariance is the inverse of J'J, J the Jacobian of the
 *               standardised residuals on the unbounded scales
 *               (ipsim_calibration_to_unbounded) by forward differences,
 *               widened 1.1 times in each standard deviation (more costs
 *               efficiency fast in 15 dimensions; models/posterior.c).
 *
 * Parameters outside `free` are held at the start's values; targets
 * missing from the file contribute nothing. Everything runs on the
 * expected-value model, with the natural history of the targets
 * (ipsim_calibration_natural_history). Bit-identical for any thread count. */
#ifndef IPSIM_POSTERIOR_H
#define IPSIM_POSTERIOR_H

#include <signal.h>
#include <stdint.h>

#include "base/error.h"
#include "models/calibration.h"
#include "params/calibration_targets.h"
#include "params/params.h"

enum { IPSIM_POSTERIOR_DRAWS_MAX = 100000 };

typedef struct ipsim_posterior_settings {
    int draws;              /* posterior draws wanted */
    unsigned free;          /* bit k: parameter k is sampled; 0: all fifteen */
    int initial;            /* IMIS's first draws; 0: 2 x draws, at least 200 */
    int per_iteration;      /* draws per added component; 0: draws / 5, at least 50 */
    int max_iterations;     /* 0: 30 */
    double min_ess;         /* 0: draws / 2 */
    double max_weight;      /* 0: 0.05 */
    uint64_t seed;
    int threads;
    const volatile sig_atomic_t *cancel;
} ipsim_posterior_settings;

typedef struct ipsim_posterior {
    int draws;
    int free_count;
    int free_index[IPSIM_CALIBRATION_SIZE]; /* the sampled parameters, in order */
    double start[IPSIM_CALIBRATION_SIZE];   /* natural scale */
    double *parameters; /* [draws][IPSIM_CALIBRATION_SIZE], natural scale, all fifteen */
    double *values;     /* [draws][IPSIM_CALIBRATION_SIZE]: the targets' quantities there */
    /* The sampler's diagnostics and the thresholds they were held to. */
    int evaluations;    /* of the expected-value model, with the Jacobian's */
    int iterations;
    double ess, max_weight, expected_unique;
    double min_ess, max_weight_allowed;
    int converged;
    /* Weighted posterior mean, standard deviation and 95% interval of each
     * parameter (natural scale), from the weighted points rather than the
     * resample; a held parameter has its start value and sd 0. */
    double mean[IPSIM_CALIBRATION_SIZE], sd[IPSIM_CALIBRATION_SIZE],
        low[IPSIM_CALIBRATION_SIZE], high[IPSIM_CALIBRATION_SIZE];
} ipsim_posterior;

/* Samples the posterior about `start` (natural history applied inside).
 * On IPSIM_OK *out holds the draws even if the diagnostics missed their
 * thresholds (out->converged says so; `ipsim calibrate` then fails).
 * Errors: IPSIM_EPARAM (a target in the file that is not a calibration
 * target, with its file, line and key; a start outside a parameter's range;
 * a Jacobian that does not identify a free parameter, named), and those of
 * ipsim_imis_run and the expected-value model. Free with
 * ipsim_posterior_free. */
int ipsim_posterior_sample(const ipsim_params *start, const ipsim_calibration_targets *targets,
                           const ipsim_posterior_settings *settings, ipsim_posterior *out,
                           ipsim_error *err);

void ipsim_posterior_free(ipsim_posterior *p);

/* Refuses (IPSIM_EPARAM, with its file, line and key) an entry of the file
 * that is not a calibration target; ipsim_posterior_sample checks the same,
 * this lets a command check before a long fit. */
int ipsim_posterior_check_targets(const ipsim_calibration_targets *targets, ipsim_error *err);

/* The posterior predictive 2.5% and 97.5% points of target k's quantity:
 * the expected-value model's value at each draw (NaN if none computed). */
void ipsim_posterior_predictive(const ipsim_posterior *p, int k, double *low, double *high);

#endif
