/* sim/sensitivity_run.h: runs the deterministic sensitivity analyses of
 * analysis/sensitivity.h (`ipsim dsa`).
 *
 * Each point runs every strategy (scenario) of the study in memory, without
 * PSA and with one replicate of cohort.patients patients, at the same seed:
 * the same patients and random numbers at every point (common random
 * numbers), so that the points differ by the inputs alone. A point's
 * results do not depend on the thread count.
 *
 * - One-way: every uncertain input of the study (params/sensitivity.h), or
 *   those named, at the low and the high end of its range.
 * - Threshold: the input's range is cut into IPSIM_THRESHOLD_GRID points;
 *   wherever the preferred strategy differs between neighbours, Brent's
 *   method (GSL) finds where the two strategies' net benefits are equal, on
 *   the same common-random-number runs. A third strategy preferred there
 *   splits the interval again. The threshold's Monte Carlo standard error is
 *   the paired standard error of the net benefit difference there over its
 *   slope (a central difference over 2% of the range): the delta method.
 * - Two-way: a steps x steps grid over two inputs, the preferred strategy
 *   at each point (the decision map). */
#ifndef IPSIM_SENSITIVITY_RUN_H
#define IPSIM_SENSITIVITY_RUN_H

#include <signal.h>

#include "analysis/sensitivity.h"
#include "base/error.h"
#include "params/study.h"

/* A range given by hand (--range KEY=LOW:HIGH). */
typedef struct ipsim_given_range {
    char key[IPSIM_KEY_MAX];
    double low, high;
} ipsim_given_range;

typedef struct ipsim_sensitivity_settings {
    double wtp;                        /* the decision's willingness to pay per QALY */
    int threads;                       /* 0: OpenMP's default */
    int quiet;                         /* no progress bar nor lines */
    double progress_every;             /* seconds between progress lines off a terminal */
    const volatile sig_atomic_t *cancel; /* may be NULL */
    const ipsim_given_range *ranges;   /* replace the inputs' ranges; may add inputs */
    int range_count;
    /* One-way: the strategies compared ("" or NULL: the base case's
     * preferred and the best of the others). */
    const char *strategy, *comparator;
    /* One-way: only these inputs (NULL: every uncertain one, then those of
     * `ranges` that are not). */
    const char *const *only;
    int only_count;
} ipsim_sensitivity_settings;

/* Errors of all three: the parameters' (a value that breaks a parameter's
 * range or the model, naming the input and the strategy), IPSIM_EUSAGE (an
 * unknown input or strategy, an input without a range), IPSIM_ENOMEM,
 * IPSIM_EINTERRUPTED. */
int ipsim_oneway_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                     ipsim_oneway *out, ipsim_error *err);
int ipsim_threshold_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                        const char *input, ipsim_threshold *out, ipsim_error *err);
int ipsim_twoway_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                     const char *const inputs[2], int steps, ipsim_twoway *out,
                     ipsim_error *err);

#endif
