/* sim/validation_run.h: a scenario simulated in memory for the review's
 * table (analysis/validate.h): what `ipsim validate` prints and `ipsim
 * calibrate` checks its fit with.
 *
 * Nothing is written: the replicates' totals are summed as they finish and
 * the table's rows computed from the sum. The figures depend on the
 * parameters (seed and cohort size included) alone, not on the threads. */
#ifndef IPSIM_VALIDATION_RUN_H
#define IPSIM_VALIDATION_RUN_H

#include <signal.h>

#include "analysis/validate.h"
#include "base/error.h"
#include "params/params.h"

/* Simulates `params` (its cohort, replicates and seed) on `threads` threads
 * (0: OpenMP's default) and fills v, with the exact expected values where
 * the model covers the scenario (models/expected.h). Shows
 * progress on stderr unless quiet; stops when *cancel is set (may be NULL).
 * When params names a file of draws (psa.posterior) and predictive is not
 * NULL, also fills the posterior predictive check (analysis/validate.h):
 * the table's exact values at every row of the file, on the threads
 * (bit-identical for any count). predictive->draws is 0 otherwise.
 * Errors: the model's (IPSIM_EPARAM; a draw that gives invalid parameters
 * or no expected-value model, named), the file's, IPSIM_ENOMEM,
 * IPSIM_EINTERRUPTED. */
int ipsim_validation_run(const ipsim_params *params, int threads, int quiet,
                         const volatile sig_atomic_t *cancel, ipsim_validation *v,
                         ipsim_predictive *predictive, ipsim_error *err);

#endif
