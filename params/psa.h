/* params/psa.h: parameter uncertainty for probabilistic sensitivity
 * analysis (PSA).
 *
 * In a parameter file any real parameter, or one element of a per-grade
 * vector or matrix, may be a distribution instead of a number:
 *
 *   ivig:
 *     rate_ratio_all: {distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}
 *     rate_ratio_serious: {distribution: lognormal, mean: 0.52, se: 0.1}
 *   economics:
 *     ivig_price_per_gram: {distribution: gamma, mean: 50, se: 5}
 *
 * and a vector of shares that sums to one (or a matrix row) a Dirichlet:
 *
 *   infection:
 *     type_share: {distribution: dirichlet, alpha: {bacterial: 70, viral: 25, fungal: 5}}
 *
 * Each is given by its natural parameters or by mean and standard error
 * (the method of moments), as ipsim_uncertain_parse documents.
 *
 * A scalar may be correlated with another, independently drawn, scalar:
 *
 *   ivig:
 *     rate_ratio_serious: {distribution: lognormal, ci95: [0.30, 0.90], value: 0.52,
 *                          correlated_with: ivig.rate_ratio_all, rho: 0.8}
 *
 * by a Gaussian copula: its normal score is rho times the other's (the
 * other's value mapped through its CDF and the standard normal quantile)
 * plus sqrt(1 - rho^2) times its own independent score, mapped back through
 * its own quantile function. Each keeps its marginal distribution; two
 * lognormals (or normals) get a correlation of exactly rho between their
 * logarithms (values). The other's draw is unchanged by the correlation;
 * when the other is given as a number, the draw is independent. The parameter's
 * own field then holds its deterministic value, `value:` if given, else the
 * distribution's mean: the value a run uses without PSA.
 *
 * When psa.sample is true every replicate r draws its own parameter set:
 * each uncertain parameter from the Philox stream with key (seed, r) and
 * counter (a hash of the parameter's name, 0, IPSIM_PURPOSE_PSA). A draw
 * therefore depends on neither the scenario nor the other distributions:
 * the scenarios of a study all get the same draws, and adding a
 * distribution leaves the others' draws as they were.
 *
 * psa.posterior names a file of joint draws, such as a calibration's
 * posterior, from which each replicate takes one whole row for the
 * parameters that are its columns (params/posterior_file.h). */
#ifndef IPSIM_PSA_H
#define IPSIM_PSA_H

#include <stdint.h>

#include "base/error.h"
#include "base/rng.h"
#include "params/params.h"
#include "params/posterior_file.h"
#include "params/yaml_tree.h"

extern const char *const ipsim_distribution_names[IPSIM_DISTRIBUTIONS];

/* Parses a scalar distribution, the mapping at `node` (which has a
 * `distribution` key), into *out (spec, element and count are left for the
 * caller) and its deterministic value. Accepted forms:
 *   beta       alpha, beta | mean, se (se^2 < mean (1 - mean))
 *   gamma      shape, scale | shape, rate | mean, se
 *   lognormal  meanlog, sdlog | mean, se (of the value itself) | ci95: [lo, hi]
 *   normal     mean, sd | mean, se | ci95: [lo, hi]
 *   uniform    min, max | mean, se
 * and, with any of them, `value: V` for the deterministic value and
 * `correlated_with: KEY, rho: R` (R in [-1, 1], not 0) for a correlation.
 * On error returns IPSIM_EPARAM with *why set and *where the offending node. */
int ipsim_uncertain_parse_scalar(const ipsim_yaml_node *node, ipsim_uncertain *out, double *value,
                                 char *why, size_t why_size, const ipsim_yaml_node **where);

/* Parses a Dirichlet over `count` shares labelled `labels`:
 *   alpha: [..] or {label: ..}       the concentrations, each > 0
 *   mean: [..] or {label: ..}, n: N  alpha = mean x N (N: prior sample size)
 * and stores the mean shares in values[count]. Errors as above. */
int ipsim_uncertain_parse_dirichlet(const ipsim_yaml_node *node, int count,
                                    const char *const *labels, ipsim_uncertain *out,
                                    double *values, char *why, size_t why_size,
                                    const ipsim_yaml_node **where);

/* Mean and standard deviation of element k (0 unless Dirichlet). */
double ipsim_uncertain_mean(const ipsim_uncertain *u, int k);
double ipsim_uncertain_sd(const ipsim_uncertain *u, int k);

/* Writes u as a YAML flow mapping in natural parameters, with the
 * deterministic value (`value`, ignored for a Dirichlet); the loader reads
 * it back exactly. labels name a Dirichlet's elements. */
void ipsim_uncertain_format(const ipsim_uncertain *u, double value, const char *const *labels,
                            char *buf, size_t size);

/* Adds u to p's list, replacing an entry for the same element; keeps the
 * list in (spec, element) order. Errors: IPSIM_EPARAM when it is full. */
int ipsim_uncertain_add(ipsim_params *p, const ipsim_uncertain *u, ipsim_error *err);

/* Removes every entry of parameter `spec` that covers any of its elements
 * first .. first + count - 1 (a new value replaces them): a Dirichlet goes
 * whole when one of its shares is given a value. */
void ipsim_uncertain_remove(ipsim_params *p, int spec, int first, int count);

/* The entry covering element `element` of parameter `spec`, or NULL. */
const ipsim_uncertain *ipsim_uncertain_find(const ipsim_params *p, int spec, int element);

/* The real parameter element a name denotes ("path" of a scalar or
 * "path.label" of a vector's element): 0 with its spec and element, or -1. */
int ipsim_psa_find_element(const char *name, int32_t *spec, int32_t *element);

/* Number of values one replicate draws: the sum of the entries' counts. */
int ipsim_psa_dimension(const ipsim_params *p);

/* The name of drawn value i, as its key path plus element labels
 * ("ivig.rate_ratio_all", "infection.type_share.viral",
 * "grades.transition_matrix.mild.moderate"). */
void ipsim_psa_name(const ipsim_params *p, int i, char *buf, size_t size);

/* Drawn value i's distribution in the parameter file's syntax (for a
 * Dirichlet, the whole vector's). */
void ipsim_psa_describe(const ipsim_params *p, int i, char *buf, size_t size);

/* The entry drawn value i belongs to, and its element within the entry. */
const ipsim_uncertain *ipsim_psa_entry(const ipsim_params *p, int i, int *k);

/* The rule correlated draws keep: each is correlated with one scalar that
 * is drawn independently (not itself, not a Dirichlet's share, not a draw
 * correlated with another). Returns the key of the first that breaks it,
 * with why (size bytes), or NULL. */
const char *ipsim_psa_rule(const ipsim_params *p, char *why, size_t size);

/* Draws replicate `replicate`'s values (ipsim_psa_dimension of them) into
 * values. posterior is psa.posterior's file, opened by
 * ipsim_posterior_file_open (NULL when there is none). gs is scratch (one
 * per thread). Errors: IPSIM_EPARAM when a draw falls outside its
 * parameter's range, naming both; IPSIM_EINTERNAL without the file. */
int ipsim_psa_draw(const ipsim_params *p, const ipsim_posterior_file *posterior, uint64_t seed,
                   int64_t replicate, ipsim_gsl_stream *gs, double *values, ipsim_error *err);

/* Writes drawn values into the parameter fields of p (whose uncertain list
 * must be the one they were drawn for). */
void ipsim_psa_apply(ipsim_params *p, const double *values);

/* True if a and b have the same uncertain parameters with the same
 * distributions, so that they draw the same values. */
int ipsim_psa_same(const ipsim_params *a, const ipsim_params *b);

#endif
