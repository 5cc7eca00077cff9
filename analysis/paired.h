/* analysis/paired.h: per-patient differences between two runs.
 *
 * Two runs of the same cohort (same seed, cohort size, replicates and
 * horizon) share their random numbers patient by patient (common random
 * numbers), so their difference is estimated patient by patient: the
 * paired standard error is usually far smaller than the one for
 * independent cohorts, which is reported beside it to show how much the
 * pairing saves. Runs that do not share a cohort are compared as
 * independent samples. */
#ifndef IPSIM_PAIRED_H
#define IPSIM_PAIRED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "output/h5_reader.h"

/* Per-patient outcomes over the follow-up. */
typedef enum ipsim_outcome {
    IPSIM_OUTCOME_INFECTIONS = 0,
    IPSIM_OUTCOME_SERIOUS = 1,
    IPSIM_OUTCOME_DEATH = 2,           /* 1 if dead before the horizon */
    IPSIM_OUTCOME_INFECTION_DEATH = 3, /* 1 if a serious infection was fatal */
    IPSIM_OUTCOME_IVIG_GRAMS = 4,
    IPSIM_OUTCOME_COST = 5,            /* discounted */
    IPSIM_OUTCOME_QALYS = 6,           /* discounted */
    IPSIM_OUTCOME_LIFE_YEARS = 7       /* discounted */
} ipsim_outcome;

enum { IPSIM_OUTCOMES = 8 };
extern const char *const ipsim_outcome_names[IPSIM_OUTCOMES]; /* for people */
extern const char *const ipsim_outcome_keys[IPSIM_OUTCOMES];  /* for CSV headers */

/* Sums for one outcome: of the reference's values (a), the other's (b),
 * and, when paired, of the per-patient differences b - a. */
typedef struct ipsim_difference {
    int64_t n_a, n_b;
    double sum_a, sum_a2, sum_b, sum_b2;
    double sum_d, sum_d2; /* paired only */
} ipsim_difference;

/* True if the two runs simulate the same patients with the same random
 * numbers, so that differences can be paired. */
bool ipsim_paired_possible(const ipsim_params *a, const ipsim_params *b);

/* Reads both runs' per-patient outcomes and fills out[IPSIM_OUTCOMES];
 * *paired says whether they were paired. *cancel (may be NULL) is polled
 * between chunks of patients: IPSIM_EINTERRUPTED once set. */
int ipsim_paired_compare(ipsim_h5_reader *a, ipsim_h5_reader *b, ipsim_difference *out,
                         bool *paired, const volatile sig_atomic_t *cancel, ipsim_error *err);

/* Mean of n values from their sum and sum of squares, and its standard
 * error (NaN for fewer than two). */
void ipsim_sample_mean(double sum, double sum2, int64_t n, double *mean, double *se);

/* Mean difference b - a, its standard error as estimated (paired, or
 * independent if the runs are not pairable), and the standard error the
 * same difference would have from independent cohorts. */
void ipsim_difference_estimate(const ipsim_difference *d, bool paired, double *mean, double *se,
                               double *se_independent);

#endif
