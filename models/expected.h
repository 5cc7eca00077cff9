/* models/expected.h: the model's expected values, computed exactly.
 *
 * The Monte Carlo engine draws every patient's course; this module instead
 * carries the probability of every state forward, cycle by cycle, for each
 * group of patients that share their draws at diagnosis (grade, response,
 * transplant eligibility): a Markov trace of the same model, over grade x
 * progression (none / before ASCT / after) x IP improvement (not yet
 * assessed / not improved / improved or no IP) x infected within the window,
 * with infection episodes, infection deaths and background deaths
 * integrated out in closed form:
 *   P(no episode)                       = exp(-mu)
 *   P(no infection death)               = exp(-mu s f)      (serious episodes
 *                                          are a Poisson thinning)
 *   P(>= 1 episode, no infection death) = exp(-mu s f) - exp(-mu)
 * with mu the cycle's expected episodes, s the serious share and f the case
 * fatality. What it returns are the quantities of the review's table, as a
 * Monte Carlo run of infinite size would estimate them.
 *
 * This is what calibration fits (models/calibration.h): it is smooth in
 * every parameter and has no Monte Carlo error, so a least-squares solver
 * can drive the fit to the targets exactly, which a Monte Carlo objective,
 * even with common random numbers, cannot (it is piecewise constant in the
 * parameters). A test checks it against the Monte Carlo engine.
 *
 * Scope: the natural history the review describes, without IVIG or
 * vaccination (their effects depend on each patient's history); it refuses
 * parameters that give either. */
#ifndef IPSIM_EXPECTED_H
#define IPSIM_EXPECTED_H

#include "base/error.h"
#include "params/params.h"

typedef struct ipsim_expected {
    /* Share with >= 1 infection within the window, by grade at diagnosis. */
    double window_share[IPSIM_GRADES];
    double window_share_severe_or_worse; /* severe and very severe at diagnosis together */
    double window_share_all;
    /* Serious episodes per month lived in severe-or-worse IP over those in
     * mild IP, over the whole horizon. */
    double serious_rate_ratio;
    /* Among CR patients with IP at diagnosis alive at the end of induction:
     * share improved; share in grade none 12 months after the ASCT month,
     * among those alive then, without [0] and with [1] ASCT. */
    double cr_improved;
    double cr_recovered[2];
    /* Progression-free survival among patients with IP at diagnosis alive at
     * the end of induction, by improvement [0 no, 1 yes]: the share alive
     * and progression-free at each row (months + 1 entries, allocated). */
    double *progression_free[2];
    /* At diagnosis: share severe or worse, and very severe, by myeloma type. */
    double severe_or_worse_by_type[IPSIM_MYELOMA_TYPES];
    double very_severe_by_type[IPSIM_MYELOMA_TYPES];
    int64_t rows; /* cycles + 1 */
    int64_t cycle_months;
} ipsim_expected;

/* Computes the expected values for p. Errors: IPSIM_EPARAM if p gives IVIG
 * or vaccination; IPSIM_ENOMEM. Free with ipsim_expected_free. */
int ipsim_expected_compute(ipsim_expected *out, const ipsim_params *p, ipsim_error *err);
void ipsim_expected_free(ipsim_expected *e);

/* The progression-free share of a group at `month`, linear between rows. */
double ipsim_expected_pfs_at(const ipsim_expected *e, int improved, double month);

#endif
