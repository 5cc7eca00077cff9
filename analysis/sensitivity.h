/* analysis/sensitivity.h: deterministic sensitivity analysis of a study's
 * strategies: one-way (the tornado), threshold and two-way.
 *
 * Every point of an analysis is the whole study run once, without PSA, on
 * the same cohort (the same seed, so the same patients and the same random
 * numbers: common random numbers) with some inputs moved
 * (sim/sensitivity_run.h). So a difference between two points is the
 * effect of the inputs alone, measured on the same patients, and its Monte
 * Carlo standard error is that of a paired difference: the standard
 * deviation over patients of the per-patient difference, over sqrt(n).
 *
 * The decision at willingness to pay W per QALY: each strategy's net
 * monetary benefit NB = W x QALYs - cost (discounted, per patient), and the
 * preferred strategy is the one of highest mean NB (the first listed on a
 * tie). The tornado shows the incremental net benefit INB = NB(a) - NB(b)
 * of two strategies: by default the base case's preferred one (a) against
 * the best of the others (b), so that a bar crossing zero is an input that
 * changes the decision within its range. */
#ifndef IPSIM_ANALYSIS_SENSITIVITY_H
#define IPSIM_ANALYSIS_SENSITIVITY_H

#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "output/csv.h"
#include "params/params.h"
#include "params/sensitivity.h"

/* Each patient's discounted cost and QALYs under each strategy, on one
 * cohort: what one point of an analysis yields. */
typedef struct ipsim_strategy_outcomes {
    int strategies;
    int64_t patients;
    double *cost;  /* [strategies][patients] */
    double *qalys; /* [strategies][patients] */
} ipsim_strategy_outcomes;

int ipsim_strategy_outcomes_alloc(ipsim_strategy_outcomes *o, int strategies, int64_t patients,
                                  ipsim_error *err);
void ipsim_strategy_outcomes_free(ipsim_strategy_outcomes *o); /* safe on a zeroed one */

/* Mean cost and QALYs of each strategy ([strategies] each). */
void ipsim_strategy_means(const ipsim_strategy_outcomes *o, double *cost, double *qalys);

/* The strategy of highest mean net benefit at wtp (the first on a tie). */
int ipsim_preferred_strategy(const double *cost, const double *qalys, int strategies, double wtp);

/* The mean over patients of NB(a) - NB(b) at wtp in x, less the same in y
 * when y is not NULL (the same cohort at another point), and its Monte
 * Carlo standard error (paired by patient). */
void ipsim_net_benefit_difference(const ipsim_strategy_outcomes *x,
                                  const ipsim_strategy_outcomes *y, int a, int b, double wtp,
                                  double *mean, double *se);

/* What every analysis shares: the strategies, the decision's wtp, the
 * cohort, and the base case. */
typedef struct ipsim_sensitivity_frame {
    int strategies;
    char (*names)[IPSIM_NAME_MAX]; /* [strategies] */
    double wtp;
    int64_t patients;
    uint64_t seed;
    char currency[IPSIM_NAME_MAX];
    double *base_cost, *base_qalys; /* [strategies] */
    int base_preferred;
} ipsim_sensitivity_frame;

/* One input's bar. */
typedef struct ipsim_oneway_row {
    ipsim_sensitivity_input input;
    double *cost, *qalys;   /* [2][strategies]: at low, at high (in the analysis' block) */
    double inb[2], inb_se[2]; /* NB(a) - NB(b) at low and high */
    double swing, swing_se;   /* inb[1] - inb[0], paired */
    int preferred[2];         /* the preferred strategy at low and high */
} ipsim_oneway_row;

typedef struct ipsim_oneway {
    ipsim_sensitivity_frame frame;
    int a, b;                 /* INB = NB(a) - NB(b) */
    double base_inb, base_inb_se;
    int count;
    ipsim_oneway_row *rows;   /* sorted by |swing|, widest first */
    double *block;            /* the rows' cost and qalys */
} ipsim_oneway;

/* One point where the preferred strategy changes as an input moves. */
typedef struct ipsim_threshold_crossing {
    double value;            /* the input's value there */
    double se;               /* its Monte Carlo standard error */
    int below, above;        /* the preferred strategy just below and above it */
    double slope;            /* d(NB(below) - NB(above))/d(value) there */
} ipsim_threshold_crossing;

enum { IPSIM_THRESHOLD_GRID = 9, IPSIM_THRESHOLD_CROSSINGS_MAX = 16 };

typedef struct ipsim_threshold {
    ipsim_sensitivity_frame frame;
    ipsim_sensitivity_input input;
    double grid[IPSIM_THRESHOLD_GRID];        /* from low to high */
    int grid_preferred[IPSIM_THRESHOLD_GRID];
    int count;
    ipsim_threshold_crossing crossings[IPSIM_THRESHOLD_CROSSINGS_MAX];
    int evaluations;                          /* study runs made */
} ipsim_threshold;

enum { IPSIM_TWOWAY_STEPS_MAX = 21 };

typedef struct ipsim_twoway {
    ipsim_sensitivity_frame frame;
    ipsim_sensitivity_input input[2];
    int steps;                                /* per input */
    double value[2][IPSIM_TWOWAY_STEPS_MAX];
    int *preferred;                           /* [steps][steps]: [i of input 0][j of input 1] */
    double *cost, *qalys;                     /* [steps][steps][strategies] */
} ipsim_twoway;

void ipsim_sensitivity_frame_free(ipsim_sensitivity_frame *f);
void ipsim_oneway_free(ipsim_oneway *o);
void ipsim_twoway_free(ipsim_twoway *t);
static inline void ipsim_threshold_free(ipsim_threshold *t) { ipsim_sensitivity_frame_free(&t->frame); }

/* Sorts the rows by the width of their bar, widest first (ties in input
 * order). */
void ipsim_oneway_sort(ipsim_oneway *o);

/* The printed tables: the tornado (with bars drawn in text), the
 * thresholds, the two-way decision map. */
void ipsim_oneway_print(FILE *out, const ipsim_oneway *o);
void ipsim_threshold_print(FILE *out, const ipsim_threshold *t);
void ipsim_twoway_print(FILE *out, const ipsim_twoway *t);

/* The same as CSV tables in the set: dsa_oneway.csv (one row per input,
 * end and strategy), dsa_threshold.csv, dsa_twoway.csv
 * (docs/output-format.md, "CSV tables"). */
int ipsim_oneway_csv(const ipsim_oneway *o, ipsim_csv_set *set, ipsim_error *err);
int ipsim_threshold_csv(const ipsim_threshold *t, ipsim_csv_set *set, ipsim_error *err);
int ipsim_twoway_csv(const ipsim_twoway *t, ipsim_csv_set *set, ipsim_error *err);

#endif
