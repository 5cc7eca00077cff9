/* params/sensitivity.h: what a deterministic sensitivity analysis varies,
 * and over which range.
 *
 * A one-way analysis moves one input at a time from its base value (the
 * value a run without PSA uses) to the low and then the high end of its
 * range, every other input held at its base. By default the inputs are the
 * PSA's uncertain values (params/psa.h) and each range is the 2.5% and
 * 97.5% points of the value's own distribution:
 *   - beta, gamma, lognormal, normal, uniform: the quantile function;
 *   - one share of a Dirichlet: its marginal, Beta(alpha_k, sum - alpha_k);
 *   - a column of psa.posterior's file: the empirical quantiles of the
 *     column (type 7, as R's default), so the range is the calibrated
 *     parameter's marginal posterior interval.
 * A range given by hand (`--range KEY=LOW:HIGH`) replaces it, and may name
 * any real parameter or element, uncertain or not.
 *
 * Setting one share of a vector that sums to one (a Dirichlet's, or any
 * share or transition-matrix row) rescales the others of its vector in
 * proportion, so the vector still sums to one and their ratios are kept:
 * the usual convention for one-way analysis of a multinomial input.
 *
 * Correlations between inputs (a copula, a posterior's joint draws) are
 * ignored here by design: a one-way analysis asks what each input does on
 * its own. */
#ifndef IPSIM_SENSITIVITY_H
#define IPSIM_SENSITIVITY_H

#include <stdint.h>

#include "base/error.h"
#include "params/params.h"
#include "params/posterior_file.h"

/* Where a range comes from. */
typedef enum ipsim_range_source {
    IPSIM_RANGE_DISTRIBUTION, /* the PSA distribution's 2.5% and 97.5% points */
    IPSIM_RANGE_POSTERIOR,    /* psa.posterior's column, its 2.5% and 97.5% points */
    IPSIM_RANGE_GIVEN         /* --range */
} ipsim_range_source;

extern const char *const ipsim_range_source_names[];

/* One input of a deterministic analysis. */
typedef struct ipsim_sensitivity_input {
    char name[IPSIM_KEY_MAX]; /* as --set names it: "ivig.rate_ratio_all" */
    int32_t spec, element;    /* the parameter element it sets */
    double base, low, high;
    ipsim_range_source source;
} ipsim_sensitivity_input;

/* The quantiles of a range drawn from a distribution. */
#define IPSIM_RANGE_LOW_QUANTILE 0.025
#define IPSIM_RANGE_HIGH_QUANTILE 0.975

/* Every uncertain value of p (ipsim_psa_dimension of them, in the PSA's
 * order), each with its base value and its range from its distribution or
 * from `posterior` (psa.posterior's file, opened; NULL when p names none).
 * out must hold ipsim_psa_dimension(p) inputs. Errors: IPSIM_EINTERNAL
 * when p names a posterior file that was not given. */
int ipsim_sensitivity_inputs(const ipsim_params *p, const ipsim_posterior_file *posterior,
                             ipsim_sensitivity_input *out, ipsim_error *err);

/* The input `name` names: an uncertain value of p with its range as above,
 * or any real parameter element (its range then LOW = HIGH = base, for the
 * caller to replace). Errors: IPSIM_EUSAGE for an unknown name or one that
 * is not a real number (with a "did you mean"). */
int ipsim_sensitivity_find(const ipsim_params *p, const ipsim_posterior_file *posterior,
                           const char *name, ipsim_sensitivity_input *out, ipsim_error *err);

/* Parses "KEY=LOW:HIGH" (LOW < HIGH, both finite) into key (size bytes),
 * low and high. Errors: IPSIM_EUSAGE naming the text. */
int ipsim_sensitivity_parse_range(const char *text, char *key, size_t size, double *low,
                                  double *high, ipsim_error *err);

/* Sets input `in`'s element of p to `value`, rescaling the other shares of
 * its vector (or matrix row) when they must sum to one. Errors:
 * IPSIM_EPARAM when the value is outside the parameter's range or a share
 * of 1 leaves nothing to rescale; the caller checks the set as a whole
 * (ipsim_params_check). */
int ipsim_sensitivity_set(ipsim_params *p, const ipsim_sensitivity_input *in, double value,
                          ipsim_error *err);

#endif
