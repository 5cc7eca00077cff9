/* analysis/validate.h: a simulated cohort against the figures the model is
 * meant to reproduce (docs/model.md "Calibration and validation"): the
 * source review's table (docs/review.md), the published figures the
 * calibration fits (params/published.h), the validation figures it never
 * sees, and, for every row the exact expected-value model covers
 * (models/expected.h), that model's value.
 *
 * Each row is judged twice where it can be: the simulated estimate against
 * the source's figure (or band), and against the exact expected value,
 * which a correct engine matches within its Monte Carlo error. Every check
 * uses the same multiplier z of the estimate's standard error, chosen so
 * that a correct, well-calibrated model passes all of them together with
 * probability IPSIM_VALIDATION_LEVEL (Sidak: each check at level^(1/k) for
 * k checks). One row at 95% each, as before, made a correct model fail
 * somewhere in about half of all seeds.
 *
 * Rows that the sources' own figures make unattainable, and figures shown
 * for context (a different population or endpoint), say so instead of
 * passing or failing. */
#ifndef IPSIM_VALIDATE_H
#define IPSIM_VALIDATE_H

#include <stdio.h>

#include "base/error.h"
#include "models/expected.h"
#include "output/summary.h"
#include "params/params.h"

typedef enum ipsim_row_status {
    IPSIM_ROW_PASS,
    IPSIM_ROW_FAIL,
    IPSIM_ROW_UNATTAINABLE, /* the parameters cannot produce the source's value */
    IPSIM_ROW_CONTEXT       /* shown beside the model, not judged (its note says why) */
} ipsim_row_status;

/* Which set a row's source figure belongs to. */
typedef enum ipsim_row_role {
    IPSIM_ROLE_CALIBRATION, /* fitted by `ipsim calibrate`, or an input taken as given */
    IPSIM_ROLE_VALIDATION,  /* never fitted */
    IPSIM_ROLE_CONTEXT      /* not judged */
} ipsim_row_role;

typedef enum ipsim_row_kind { IPSIM_KIND_SHARE, IPSIM_KIND_RATIO, IPSIM_KIND_MONTHS } ipsim_row_kind;

typedef struct ipsim_validation_row {
    char quantity[96];
    char source[32];          /* "review 3.1.2", "S0777" */
    ipsim_row_role role;
    ipsim_row_kind kind;
    double target;            /* the source's figure; NaN: none */
    int is_lower_bound;       /* the source says "more than": passes unless clearly below */
    double estimate, se;      /* simulated, with its standard error (log scale for ratios) */
    double exact;             /* the expected-value model's; NaN where it has none */
    double low, high;         /* estimate -/+ z se (z: the joint criterion's) */
    ipsim_row_status status;
    char note[160];
} ipsim_validation_row;

enum { IPSIM_VALIDATION_ROWS_MAX = 48 };

/* The probability that a correct model passes every check of a run: 99%,
 * so that it passes at least 19 runs of 20 with probability 98% (at 95% it
 * would be 74%), at some cost in power: a source's figure must be about
 * 3.7 standard errors off rather than 3.2 to fail. */
#define IPSIM_VALIDATION_LEVEL 0.99

typedef struct ipsim_validation {
    int count;
    ipsim_validation_row rows[IPSIM_VALIDATION_ROWS_MAX];
    int checks;   /* how many comparisons were judged */
    double z;     /* the multiplier each used */
    int failed;   /* rows with a failed check */
} ipsim_validation;

/* Fills v from a run's totals and the parameters it ran with; `exact` may
 * be NULL (a scenario with IVIG or vaccination, which the expected-value
 * model does not cover). */
void ipsim_validation_compute(const ipsim_summary *s, const ipsim_params *p,
                              const ipsim_expected *exact, ipsim_validation *v);

/* Prints the table and the criterion; returns the number of failed rows. */
int ipsim_validation_print(FILE *out, const ipsim_validation *v);

/* The posterior predictive check (`ipsim validate` when psa.posterior names
 * a file of draws, such as the calibration's posterior): every row's exact
 * value (the expected-value model's) at each draw, and the 2.5% and 97.5%
 * points of those values, the posterior predictive interval of the model's
 * figure, against the source's. A calibration target outside its interval
 * means the posterior does not reproduce it; a validation target outside
 * means the model, with its calibrated uncertainty, does not predict it. */
typedef struct ipsim_predictive {
    int draws;                              /* draws evaluated (0: no check) */
    int computed[IPSIM_VALIDATION_ROWS_MAX]; /* draws at which the row has a value */
    double low[IPSIM_VALIDATION_ROWS_MAX], high[IPSIM_VALIDATION_ROWS_MAX];
    int judged;   /* rows with a source figure, attainable, not context, and
                     moved by the draws */
    int outside;  /* of those, figures outside their interval */
    int status;   /* IPSIM_OK, or why the check could not be made (error) */
    ipsim_error error;
} ipsim_predictive;

/* Fills pp from exact[draws][v->count], the rows' exact values at each
 * draw (NaN where a row has none). A median that NaN leaves unreached within
 * the horizon counts as beyond it (infinite), so the longest-lived draws
 * are not dropped from its interval; other NaNs are left out, and
 * computed[] says how many remain. */
void ipsim_predictive_compute(const ipsim_validation *v, const double *exact, int draws,
                              ipsim_predictive *pp);

/* Prints the check, naming the file; returns pp->outside. */
int ipsim_predictive_print(FILE *out, const ipsim_validation *v, const ipsim_predictive *pp,
                           const char *file);

#endif
