/* models/calibration.h: fitting the parameters the review does not give
 * directly to the figures it does give (docs/review.md, "The table ipsim
 * reproduces").
 *
 * Ten parameters, ten targets; each target is driven mostly by one
 * parameter, so the system is exactly identified:
 *
 *   parameter                                    target (review section)
 *   infection.share_within_window.mild           >= 1 infection in the window, mild at diagnosis 18.2% (3.1.2)
 *   infection.share_within_window.moderate       same, moderate 25.6%
 *   infection.share_within_window.severe (= very_severe)  same, severe or worse 38.9%
 *   infection.serious_share.severe (= very_severe)        serious-infection rate ratio, severe+ vs mild, 3.2x
 *   grades.improve_per_month.induction           IP improved after 3 induction cycles, CR, 62.5% (3.1.3)
 *   grades.improve_per_month.transplant          full recovery 12 months after ASCT, CR, 37.5% (4)
 *   grades.improve_per_month.maintenance         full recovery without ASCT, CR, 18.8%
 *   pathway.progression_hazard_per_month         median PFS 38 months, IP not improved (5.1)
 *   diagnosis.type_severity_log_odds.iga         severe or worse IP in IgG-type MM 58.3% (3.1.1)
 *   diagnosis.type_severity_log_odds.light_chain severe or worse IP in IgA-type MM 45.2%
 *
 * The objective is the exact expected-value model (models/expected.h), so
 * it is smooth and deterministic and the fit reaches the targets to solver
 * tolerance; `ipsim calibrate` then checks the fit with the Monte Carlo
 * engine (common random numbers: the scenario's seed). GSL's nonlinear
 * least-squares solver (trust region, Levenberg-Marquardt steps, Jacobian
 * by finite differences) works on transformed parameters (logit for
 * probabilities, log for the hazard) so that every step stays valid.
 * Everything else is held at the starting parameters' values. */
#ifndef IPSIM_CALIBRATION_H
#define IPSIM_CALIBRATION_H

#include "base/error.h"
#include "params/params.h"

enum { IPSIM_CALIBRATION_SIZE = 10 };

/* The parameters' paths as a parameter file names them, and the targets. */
extern const char *const ipsim_calibration_parameter_names[IPSIM_CALIBRATION_SIZE];
extern const char *const ipsim_calibration_target_names[IPSIM_CALIBRATION_SIZE];
extern const double ipsim_calibration_targets[IPSIM_CALIBRATION_SIZE];

typedef struct ipsim_calibration {
    ipsim_params fitted; /* the start with the ten parameters replaced */
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
 * the solver does not converge, IPSIM_ENOMEM. */
int ipsim_calibrate(const ipsim_params *start, ipsim_calibration *out, ipsim_error *err);

/* Reads the ten parameters from p (natural scale). */
void ipsim_calibration_get(const ipsim_params *p, double x[IPSIM_CALIBRATION_SIZE]);

#endif
