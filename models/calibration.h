/* models/calibration.h: fitting the parameters no source gives directly to
 * the figures the sources do give (docs/model.md "Calibration and
 * validation": the calibration set; the validation set is never fitted).
 *
 * Fifteen parameters, fifteen targets; each target is driven mostly by one
 * parameter, so the system is exactly identified:
 *
 *   parameter                                    target
 *   infection.share_within_window.mild           >= 1 infection in the window, mild at diagnosis 18.2% (review 3.1.2)
 *   infection.share_within_window.moderate       same, moderate 25.6%
 *   infection.share_within_window.severe (= very_severe)  same, severe or worse 38.9%
 *   infection.serious_share.severe (= very_severe)        serious-infection rate ratio, severe+ vs mild, 3.2x
 *   grades.improve_per_month.induction           IP improved after 3 induction cycles, CR, 62.5% (review 3.1.3)
 *   grades.improve_per_month.transplant          full recovery 12 months after ASCT, CR, 37.5% (review 4)
 *   grades.improve_per_month.maintenance         full recovery without ASCT, CR, 18.8%
 *   pathway.progression_hazard_per_month         median PFS 38 months, IP not improved (review 5.1)
 *   diagnosis.type_severity_log_odds.iga         severe or worse IP in IgG-type MM 58.3% (review 3.1.1)
 *   diagnosis.type_severity_log_odds.light_chain severe or worse IP in IgA-type MM 45.2%
 *   pathway.progression_hazard_ratio_improved    median PFS 43 months without ASCT, up to 75 (SWOG S0777, VRd)
 *   pathway.progression_hazard_ratio_transplant  median PFS 56.7 months from ASCT, up to 65 (EMN02/HO95)
 *   mortality.excess_hazard_per_month.induction  8% dead within 2 months (Swedish registry)
 *   mortality.excess_hazard_per_month.second_line (= later_lines)
 *                                                median OS 75 months without ASCT, up to 75 (S0777, VRd)
 *   infection.early_rate_ratio                   67.3% of months 0-5's infections in months 0-2 (Bove 2022)
 *
 * The objective is the exact expected-value model (models/expected.h), so
 * it is smooth and deterministic and the fit reaches the targets to solver
 * tolerance; `ipsim calibrate` then checks the fit with the Monte Carlo
 * engine (common random numbers: the scenario's seed). GSL's nonlinear
 * least-squares solver (trust region, Levenberg-Marquardt steps, Jacobian
 * by finite differences) works on transformed parameters (logit for
 * probabilities, log for hazards and ratios) so that every step stays
 * valid. Everything else is held at the starting parameters' values. */
#ifndef IPSIM_CALIBRATION_H
#define IPSIM_CALIBRATION_H

#include "base/error.h"
#include "params/params.h"

enum { IPSIM_CALIBRATION_SIZE = 15 };

/* The same fifteen under either grade model: under the levels model the
 * improving rates move each immunoglobulin class a band at a time rather
 * than the grade (models/immunoglobulins.h). The review's rises of the
 * classes in CR are not fitted: with 62.5% improved they cannot all be
 * met (docs/review.md), and `ipsim validate` shows them. */
/* Parameter k's path as a parameter file names it; target k's name and
 * value (0 <= k < IPSIM_CALIBRATION_SIZE). */
const char *ipsim_calibration_parameter_name(int k);
/* The element held equal to parameter k ("...very_severe" for severe, the
 * later lines' hazard for the second line's), or NULL. */
const char *ipsim_calibration_twin_name(int k);
const char *ipsim_calibration_target_name(int k);
/* Target k's key in params/calibration/targets.yaml, e.g. "infected_mild". */
const char *ipsim_calibration_target_key(int k);
typedef enum ipsim_target_kind {
    IPSIM_TARGET_SHARE,  /* a share, printed as a percentage */
    IPSIM_TARGET_RATIO,  /* a rate ratio */
    IPSIM_TARGET_MONTHS, /* a median, in months */
    IPSIM_TARGET_RATE    /* events per month */
} ipsim_target_kind;
ipsim_target_kind ipsim_calibration_target_kind(int k);
double ipsim_calibration_target(int k);

typedef struct ipsim_calibration {
    ipsim_params fitted; /* the start with the parameters replaced */
    int size;                                   /* IPSIM_CALIBRATION_SIZE */
    double start[IPSIM_CALIBRATION_SIZE];        /* parameter values at the start */
    double parameters[IPSIM_CALIBRATION_SIZE];   /* fitted values */
    double start_values[IPSIM_CALIBRATION_SIZE]; /* the targets' quantities at the start */
    double values[IPSIM_CALIBRATION_SIZE];       /* and at the fit */
    double max_abs_residual; /* largest |value - target| (log scale for the ratio) */
    int iterations;
    int evaluations;
} ipsim_calibration;

/* Fits from the parameters in `start`. Errors: IPSIM_EPARAM if a target
 * cannot be computed (e.g. no patients in a grade), IPSIM_EVALIDATION if
 * the solver does not converge, IPSIM_ENOMEM; IPSIM_EINTERRUPTED once
 * *cancel (polled at each evaluation of the targets; may be NULL) is set. */
int ipsim_calibrate(const ipsim_params *start, const volatile sig_atomic_t *cancel,
                    ipsim_calibration *out, ipsim_error *err);

/* Reads the calibrated parameters from p (natural scale); writes them, with
 * the elements held equal to them (severe = very severe, ...). */
void ipsim_calibration_get(const ipsim_params *p, double x[IPSIM_CALIBRATION_SIZE]);
void ipsim_calibration_set(ipsim_params *p, const double x[IPSIM_CALIBRATION_SIZE]);

/* The pieces the Bayesian calibration (models/posterior.h) shares.
 *
 * Each parameter moves on an unbounded scale: the logit of its share of
 * an upper bound (probabilities; an improving rate's bound is what
 * worsening leaves of the month), the log (hazards and ratios), or as it is
 * (log odds). */
typedef enum ipsim_calibration_scale {
    IPSIM_SCALE_LOGIT,
    IPSIM_SCALE_LOG,
    IPSIM_SCALE_IDENTITY
} ipsim_calibration_scale;
ipsim_calibration_scale ipsim_calibration_parameter_scale(int k);
double ipsim_calibration_upper_bound(const ipsim_params *p, int k); /* logit scale's bound */
double ipsim_calibration_to_unbounded(const ipsim_params *p, int k, double x);
double ipsim_calibration_from_unbounded(const ipsim_params *p, int k, double y);

/* What the targets describe: the natural history, without IVIG or
 * vaccination. Applied to p before ipsim_calibration_values. */
void ipsim_calibration_natural_history(ipsim_params *p);

/* The targets' quantities under p, in target order (natural scale: shares,
 * a ratio, months); NaN for one that cannot be computed (no patients in its
 * group, a median beyond the horizon). Errors: those of the expected-value
 * model. Safe to call from several threads at once. */
int ipsim_calibration_values(const ipsim_params *p, double values[IPSIM_CALIBRATION_SIZE],
                             const volatile sig_atomic_t *cancel, ipsim_error *err);

#endif
