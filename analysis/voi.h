/* analysis/voi.h: the value of information of a probabilistic sensitivity
 * analysis, by regression (Strong, Oakley & Brennan, Med Decis Making
 * 2014;34:311; for EVSI, Strong et al., Med Decis Making 2015;35:570).
 *
 * Given, for each PSA draw, each option's cost and effect (QALYs) per
 * person, and some inputs of that draw x (parameters, or a simulated
 * study's result):
 *   INB_s(w)     = w (effect_s - effect_0) - (cost_s - cost_0), s >= 1
 *   g_s(w, x)    = E[INB_s(w) | x], a metamodel fit (analysis/metamodel.h)
 *                  of the draws' INB_s(w) on x, at each w;
 *   value(w)     = mean_draws max(0, max_s g_s) - max(0, max_s mean_draws g_s)
 * which is the EVPPI of the parameters x, or the EVSI of the study whose
 * result is x. The net benefit at each w is fitted itself rather than its
 * cost and effect apart: near the ICER it is a small difference of two
 * large increments whose noise largely cancels, and two fits with
 * penalties of their own follow some of that noise without the cancelling,
 * which the maximum over options turns into value (an upward bias). By
 * Jensen's inequality the value is never negative. EVPI is the same with
 * the draws' own INB in place of g (analysis/incremental.h computes it,
 * as for the acceptability curve).
 *
 * Standard errors come from a bootstrap over PSA draws: resample the
 * draws with replacement, refit with the penalties already chosen, and
 * recompute (each resample's value capped by its own EVPI); the SE is the
 * spread over resamples. It leaves out the variability of the choice of
 * penalty. Resamples are drawn
 * from counter-based streams, so the SE is reproducible and the same for
 * any thread count. */
#ifndef IPSIM_VOI_H
#define IPSIM_VOI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/metamodel.h"
#include "base/error.h"

/* Per-person discounted outcomes of each PSA draw, [draw][option]. */
typedef struct ipsim_psa_outcomes {
    int64_t draws;
    int options; /* >= 2; option 0 is the reference of the increments */
    const double *cost, *effect;
} ipsim_psa_outcomes;

/* The metamodel on some inputs, and its fits of every option's cost and
 * effect increments (for their R^2 and warnings; the values fit the net
 * benefit at each willingness to pay). */
typedef struct ipsim_voi_fit {
    int64_t draws;
    int options;
    const ipsim_psa_outcomes *outcomes; /* fitted; must outlive the fit */
    ipsim_metamodel *model;
    double *observed; /* [2 (options - 1)][draw]: cost then effect increments of option 1, ... */
    double *fitted;   /* the same, fitted */
    ipsim_fit *fits;  /* [2 (options - 1)] */
    double *inb;      /* workspace, [2][options - 1][draw] */
} ipsim_voi_fit;

/* Fits the increments of o (kept by reference) on inputs x[draw * d + j].
 * Errors: those of
 * ipsim_metamodel_create; IPSIM_ENOMEM. */
int ipsim_voi_fit_create(ipsim_voi_fit *f, const ipsim_psa_outcomes *o, const double *x, int d,
                         ipsim_error *err);
void ipsim_voi_fit_free(ipsim_voi_fit *f); /* safe on a zeroed one */

/* The value of the information in x at willingness to pay wtp, per person,
 * *value, at most the EVPI of the same draws: the regression estimate can
 * exceed it only by fitting noise, and then *capped (if not NULL) is set.
 * Uses f's workspace: one call at a time per fit. Errors: IPSIM_ENOMEM. */
int ipsim_voi_value(const ipsim_voi_fit *f, double wtp, double *value, bool *capped,
                    ipsim_error *err);

/* The expected value of perfect information, per person, from the draws. */
double ipsim_voi_evpi(const ipsim_psa_outcomes *o, double wtp);

/* The bootstrap of ipsim_voi_value and ipsim_voi_evpi at each of
 * wtp[count], from `replicates` resamples drawn from the stream (seed,
 * label): each resample's values[replicates][count] and
 * evpis[replicates][count] (either may be NULL). The same stream gives the
 * same resamples, so the resampled values of several fits on the same
 * draws (several simulated studies) may be averaged resample by resample.
 * Errors: IPSIM_ENOMEM. */
int ipsim_voi_resample(const ipsim_voi_fit *f, const double *wtp, int count, int replicates,
                       uint64_t seed, uint64_t label, double *values, double *evpis,
                       ipsim_error *err);

/* The spread (SD) over resamples of each column of resampled[replicates]
 * [count] (replicates >= 2): se[count]. */
void ipsim_voi_spread(const double *resampled, int replicates, int count, double *se);

/* Bootstrap standard errors of ipsim_voi_value and ipsim_voi_evpi at each
 * of wtp[count] (ipsim_voi_resample, then ipsim_voi_spread): value_se[count],
 * evpi_se[count] (either may be NULL). Errors: IPSIM_ENOMEM. */
int ipsim_voi_bootstrap(const ipsim_voi_fit *f, const double *wtp, int count, int replicates,
                        uint64_t seed, uint64_t label,
                        double *value_se, double *evpi_se, ipsim_error *err);

/* The same bootstrap for the EVPI alone, with no fit. */
int ipsim_voi_evpi_bootstrap(const ipsim_psa_outcomes *o, const double *wtp, int count,
                             int replicates, uint64_t seed, uint64_t label, double *evpi_se,
                             ipsim_error *err);

/* Why the fit may be poor, as one line of phrases separated by "; " (""
 * when none applies); returns how many apply. The checks: a fit that used
 * nearly all its basis (edf >= 90% of the functions) without explaining
 * nearly all the variance (R^2 < 0.999) may be too stiff, underestimating
 * the value; fewer than 10 draws per effective degree of freedom may
 * overfit, overestimating it; an additive basis ignores interactions. */
int ipsim_voi_fit_warnings(const ipsim_voi_fit *f, char *buf, size_t size);

/* The population multiplier: persons per year over a decision horizon of
 * `years` years, discounted at `rate` a year, the first year undiscounted:
 * per_year x sum_{t=0}^{years-1} (1 + rate)^-t (fractional years count
 * pro rata in the last). */
double ipsim_voi_population(double per_year, double years, double rate);

#endif
