/* params/calibration_targets.h: the calibration targets with their
 * uncertainty (params/calibration/targets.yaml), for a Bayesian calibration.
 *
 * `ipsim calibrate` (models/calibration.h) fits its parameters to each
 * target's value exactly. A likelihood needs more: how sure each figure is.
 * The file gives, per target, its value, the kind of likelihood and what
 * that kind needs:
 *
 *   infected_mild:              # the target's key: snake_case
 *     value: 0.182              # the figure
 *     likelihood: binomial      # a share: k = value x n of n patients (or events)
 *     n: 99
 *     source: review 3.1.2      # a short string
 *   pfs_median_s0777:
 *     value: 43
 *     likelihood: lognormal     # a median in months or a rate ratio
 *     interval: [37, 50]        # a 95% interval
 *     source: SWOG S0777, VRd
 *
 * The entries keep the file's order (the shipped file follows the targets
 * of models/calibration.c). Every mistake is refused with the file, the line
 * and the key (e.g. "infected_mild.n"), as IPSIM_EPARAM:
 *   - an unknown field (with the nearest field suggested) or a missing one
 *     (value, likelihood, source; n for binomial, interval for lognormal),
 *     and n or interval given to the other kind;
 *   - a likelihood that is neither binomial nor lognormal;
 *   - a binomial value outside (0, 1); n not a whole number from 1 to
 *     IPSIM_TARGET_N_MAX; a count value x n that is not whole: the nearest
 *     whole count k must give back the value as written, |k/n - value| at
 *     most half a unit in value's last decimal (0.188 of 16 is 3/16 =
 *     0.1875; 0.182 of 100 is neither 18/100 nor 19/100);
 *   - a lognormal value that is not positive; an interval that is not two
 *     positive numbers low < value < high;
 *   - a key that is not snake_case, a source that is empty or longer than
 *     IPSIM_TARGET_SOURCE_MAX - 1 characters, more than IPSIM_TARGETS_MAX
 *     entries, an empty file.
 * Duplicate keys are refused by the YAML reader (params/yaml_tree.h) as
 * IPSIM_EYAML, with the file, the line and the key in the message. */
#ifndef IPSIM_CALIBRATION_TARGETS_H
#define IPSIM_CALIBRATION_TARGETS_H

#include "base/error.h"

enum {
    IPSIM_TARGETS_MAX = 64,        /* entries in one file */
    IPSIM_TARGET_KEY_MAX = 64,     /* a key's length, with its NUL */
    IPSIM_TARGET_SOURCE_MAX = 256  /* a source's length, with its NUL */
};
#define IPSIM_TARGET_N_MAX 1000000000L /* the largest n */

/* The likelihood of a model value m given the target. */
typedef enum ipsim_likelihood_kind {
    IPSIM_LIKELIHOOD_BINOMIAL,  /* k = value x n successes of n, at p = m */
    IPSIM_LIKELIHOOD_LOGNORMAL, /* log value ~ Normal(log m, sd), sd from the interval */
    IPSIM_LIKELIHOODS
} ipsim_likelihood_kind;

/* "binomial", "lognormal". */
extern const char *const ipsim_likelihood_names[IPSIM_LIKELIHOODS];

/* One target, as the file gives it. */
typedef struct ipsim_target_entry {
    char key[IPSIM_TARGET_KEY_MAX];       /* e.g. "infected_mild" */
    double value;                         /* a share, a ratio or months */
    ipsim_likelihood_kind likelihood;
    long n;            /* binomial: patients or events, >= 1; else 0 */
    double low, high;  /* lognormal: the 95% interval, 0 < low < value < high; else 0 */
    char source[IPSIM_TARGET_SOURCE_MAX];
    long line;         /* of the key in the file */
} ipsim_target_entry;

/* A file of targets. A plain value: copy it freely, nothing to free. */
typedef struct ipsim_calibration_targets {
    char file[IPSIM_PATH_MAX]; /* the path it was read from (the file of every entry) */
    int count;
    ipsim_target_entry target[IPSIM_TARGETS_MAX]; /* in the file's order */
} ipsim_calibration_targets;

/* Reads and checks a targets file into *out (overwritten, also on failure,
 * when it holds the entries read before the error). Errors: those of
 * ipsim_yaml_parse_file (IPSIM_EIO, IPSIM_EYAML, IPSIM_ENOMEM), and
 * IPSIM_EPARAM with file, line and key as listed above. */
int ipsim_calibration_targets_load(ipsim_calibration_targets *out, const char *path,
                                   ipsim_error *err);

/* The number of entries. */
int ipsim_calibration_targets_count(const ipsim_calibration_targets *t);

/* The entry with this key, or NULL. Borrowed from t. */
const ipsim_target_entry *ipsim_calibration_targets_find(const ipsim_calibration_targets *t,
                                                         const char *key);

/* The binomial log-likelihood kernel of a model share p for k = value x n
 * successes of n, k log p + (n - k) log(1 - p), less its value at p = value:
 * 0 at p = value (its maximum), negative elsewhere, -infinity for p outside
 * (0, 1) or NaN. value in (0, 1), n >= 1. */
double ipsim_target_binomial_log_likelihood(double p, double value, long n);

/* The lognormal log-likelihood kernel of a model value m > 0,
 * -0.5 ((log m - log value) / sd)^2, with sd the standard deviation of
 * log value: 0 at m = value, -infinity for m <= 0 or NaN. sd > 0. */
double ipsim_target_lognormal_log_likelihood(double m, double value, double sd);

/* The standard deviation of log value that a 95% interval implies,
 * (log high - log low) / (2 x 1.96). 0 < low < high. */
double ipsim_target_log_sd(double low, double high);

/* The log-likelihood of model value m under target t, by its kind (the two
 * functions above). */
double ipsim_target_log_likelihood(const ipsim_target_entry *t, double m);

/* The target's standard error on its natural scale, for printing:
 * binomial sqrt(value (1 - value) / n); lognormal value x sd (the delta
 * method, in the value's unit). */
double ipsim_target_standard_error(const ipsim_target_entry *t);

#endif
