/* models/expected.h: the model's expected values, computed exactly.
 *
 * The Monte Carlo engine draws every patient's course; this module instead
 * carries the probability of every state forward, cycle by cycle, for each
 * group of patients that share their draws at diagnosis (grade, response,
 * transplant eligibility): a Markov trace of the same model, over grade x
 * line (first; second, later, or no further treatment, each reached before
 * or after the ASCT cycle) x IP improvement (not yet assessed / not improved
 * / improved or no IP) x infected within the window x infected within the
 * current reporting period, with infection episodes and deaths integrated
 * out in closed form:
 *   P(no episode)                       = exp(-mu)
 *   P(no infection death)               = exp(-mu s f)      (serious episodes
 *                                          are a Poisson thinning)
 *   P(>= 1 episode, no infection death) = exp(-mu s f) - exp(-mu)
 * with mu the cycle's expected episodes, s the serious share and f the case
 * fatality; myeloma's excess death is exp(-h c) by phase.
 *
 * Deaths of other causes depend on age and sex only, and nothing else in
 * the model depends on them, so the trace factorises: the disease trace of
 * a group times the share of its members (over their ages and sexes at
 * diagnosis) not yet dead of other causes. That share is computed once per
 * eligibility group (eligibility is the only draw that depends on age).
 *
 * What it returns are the quantities of the review's table and of the
 * course of the disease, as a Monte Carlo run of infinite size would
 * estimate them. This is what calibration fits (models/calibration.h): it
 * is smooth in every parameter and has no Monte Carlo error. A test checks
 * it against the Monte Carlo engine.
 *
 * Scope: the natural history, without IVIG or vaccination (their effects
 * depend on each patient's history); it refuses parameters that give
 * either. */
#ifndef IPSIM_EXPECTED_H
#define IPSIM_EXPECTED_H

#include <signal.h>

#include "base/error.h"
#include "models/mortality.h"
#include "params/params.h"

/* Survival curves, each the share of its population in the state at the
 * start of every row (rows + 1 entries, cycles apart). */
typedef enum ipsim_expected_curve {
    /* Patients with IP at diagnosis alive at the end of induction, by
     * improvement (1 before the end of induction): progression-free and
     * alive, and alive. */
    IPSIM_CURVE_PFS_NOT_IMPROVED,
    IPSIM_CURVE_PFS_IMPROVED,
    IPSIM_CURVE_OS_NOT_IMPROVED,
    IPSIM_CURVE_OS_IMPROVED,
    /* Everyone, from diagnosis. */
    IPSIM_CURVE_PFS_ALL,
    IPSIM_CURVE_OS_ALL,
    /* Patients not eligible for ASCT aged up to IPSIM_TRIAL_NO_ASCT_AGE_MAX
     * at diagnosis, from diagnosis: the population of SWOG S0777 (VRd
     * without intent for immediate transplant). */
    IPSIM_CURVE_PFS_NOT_ELIGIBLE,
    IPSIM_CURVE_OS_NOT_ELIGIBLE,
    /* ASCT recipients aged up to IPSIM_TRIAL_ASCT_AGE_MAX at diagnosis,
     * among those alive and progression-free at the ASCT cycle (1 before
     * it): the population of EMN02/HO95. */
    IPSIM_CURVE_PFS_ASCT,
    /* Everyone: the share who have progressed (alive or not) by each row. */
    IPSIM_CURVE_PROGRESSED,
    IPSIM_CURVES
} ipsim_expected_curve;

/* The trials' populations by age: S0777 enrolled without an upper age
 * limit but few patients over 75 (assumption); EMN02/HO95 took patients up
 * to 65. */
enum { IPSIM_TRIAL_NO_ASCT_AGE_MAX = 75, IPSIM_TRIAL_ASCT_AGE_MAX = 65 };

/* Reporting periods of infection risk: months 0-2, 3-5, 6-11. */
enum { IPSIM_INFECTION_REPORT_PERIODS = 3 };
extern const int ipsim_infection_report_period_start[IPSIM_INFECTION_REPORT_PERIODS + 1];

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
    double *curve[IPSIM_CURVES]; /* [rows] each, allocated */
    /* The grade mix at diagnosis. */
    double grade_mix[IPSIM_GRADES];
    /* Levels model: the rise of each class's mean level among CR patients
     * alive at the end of induction, over the patients in whom it is
     * uninvolved (0.452 for +45.2%); NaN under the grade models. */
    double cr_rise[IPSIM_IG_CLASSES];
    /* At diagnosis: share severe or worse, and very severe, by myeloma type. */
    double severe_or_worse_by_type[IPSIM_MYELOMA_TYPES];
    double very_severe_by_type[IPSIM_MYELOMA_TYPES];
    /* Per phase, per patient at diagnosis: months lived, deaths by cause,
     * progressions, infection episodes. */
    double person_months[IPSIM_PHASES];
    double deaths[IPSIM_PHASES][IPSIM_DEATH_CAUSES];
    double progressions[IPSIM_PHASES];
    double episodes[IPSIM_PHASES];
    /* Share of patients who ever start the second line, the third line. */
    double reached_line[IPSIM_LINES];
    /* Share with >= 1 infection episode or death before the end of the
     * early months (infection.early_months). */
    double early_infection_or_death;
    /* Share with >= 1 episode in each reporting period, among patients
     * alive at its start; episodes per patient at diagnosis in each. */
    double infected_in_period[IPSIM_INFECTION_REPORT_PERIODS];
    double episodes_in_period[IPSIM_INFECTION_REPORT_PERIODS];
    /* Share of ASCT recipients with >= 1 serious episode in the first
     * neutropenic cycle. */
    double neutropenic_serious;
    int64_t rows; /* cycles + 1 */
    int64_t cycle_months;
    int64_t asct_cycle;
} ipsim_expected;

/* Computes the expected values for p. Errors: IPSIM_EPARAM if p gives IVIG
 * or vaccination; IPSIM_ENOMEM. Free with ipsim_expected_free. */
int ipsim_expected_compute(ipsim_expected *out, const ipsim_params *p, ipsim_error *err);

/* The same, polling *cancel (may be NULL) between groups of patients:
 * IPSIM_EINTERRUPTED, `what` ending the message (ipsim_error_cancelled),
 * once it is set. */
int ipsim_expected_compute_polled(ipsim_expected *out, const ipsim_params *p,
                                  const volatile sig_atomic_t *cancel, const char *what,
                                  ipsim_error *err);
void ipsim_expected_free(ipsim_expected *e);

/* A curve's value at `month` since diagnosis, linear between rows. */
double ipsim_expected_curve_at(const ipsim_expected *e, ipsim_expected_curve curve, double month);

/* The first month at which a curve falls to one half, linear between rows;
 * NaN if it does not by the horizon. */
double ipsim_expected_median(const ipsim_expected *e, ipsim_expected_curve curve);

/* The progression-free share of a group (improved: 0 or 1) at `month`. */
double ipsim_expected_pfs_at(const ipsim_expected *e, int improved, double month);

#endif
