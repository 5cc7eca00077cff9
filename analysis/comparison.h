/* analysis/comparison.h: the comparison of a study's scenarios (IVIG
 * policies): outcomes with standard errors, differences from the first
 * scenario, the incremental cost-effectiveness analysis, net benefit over
 * a willingness-to-pay grid and, for a probabilistic sensitivity analysis,
 * the acceptability curve and the expected value of perfect information.
 *
 * Without PSA every figure is a mean over patients; standard errors are
 * Monte Carlo errors, and differences are paired patient by patient when
 * the scenarios share their cohort (common random numbers,
 * analysis/paired.h). With PSA (the file's replicates drew their
 * parameters, params/psa.h) figures are means over replicates: a standard
 * error is the spread of replicate means over sqrt(R), differences are
 * paired replicate by replicate (each replicate is one parameter draw,
 * shared by every scenario), and the cost-effectiveness table is the
 * probabilistic analysis of those means, as NICE prefers.
 *
 * Definitions (per patient; costs and QALYs discounted):
 *   NMB(s, w)  = w x QALYs(s) - cost(s)          net monetary benefit
 *   NHB(s, w)  = QALYs(s) - cost(s) / w          net health benefit (w > 0)
 *   CEAC(s, w) = P(s has the highest NMB at w)   share of PSA replicates
 *   CEAF(w)    = CEAC(s*, w), s* = the option with the highest expected NMB
 *   EVPI(w)    = E_r[max_s NMB_r(s, w)] - max_s E_r[NMB_r(s, w)]
 *   EL(s, w)   = E_r[max_s' NMB_r(s', w) - NMB_r(s, w)]  expected loss
 *   iCEAC(s, w) = P(NMB(s) > NMB(s')), s' the frontier option s is compared
 *                with (the incremental acceptability curve) */
#ifndef IPSIM_COMPARISON_H
#define IPSIM_COMPARISON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/incremental.h"
#include "analysis/paired.h"
#include "base/error.h"
#include "analysis/subgroups.h"
#include "output/csv.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"

typedef struct ipsim_scenario_result {
    char name[IPSIM_NAME_MAX];
    char source[IPSIM_PATH_MAX]; /* the file it came from */
    int64_t patients;            /* simulated, over all replicates */
    /* Rates per 100 patient-years lived, and shares of patients (%). */
    double infections_per_100py, serious_per_100py, deaths_per_100py, ivig_grams_per_100py;
    double died_pct, infection_deaths_pct, on_ivig_pct;
    /* Per patient over the follow-up, with standard errors. */
    double mean[IPSIM_OUTCOMES], se[IPSIM_OUTCOMES];
    /* This minus the first scenario: estimate, its SE as estimated (paired
     * when possible) and as independent cohorts would give it. */
    double difference[IPSIM_OUTCOMES], difference_se[IPSIM_OUTCOMES],
        difference_se_independent[IPSIM_OUTCOMES];
    bool paired;
    /* PSA: 2.5% and 97.5% points of the replicate means of discounted
     * cost and QALYs (NaN without PSA). */
    double cost_interval[2], qalys_interval[2];
    ipsim_incremental incremental;
} ipsim_scenario_result;

typedef struct ipsim_comparison {
    int count;
    ipsim_scenario_result *scenarios; /* [count]; the first is the reference */
    char currency[IPSIM_NAME_MAX];
    int64_t price_year;
    int64_t replicates;
    bool psa;                 /* replicates drew their parameters */
    int wtp_count;
    double *wtp;              /* [wtp_count]: 0, step, ... decision.wtp_max */
    double *nmb, *nhb;        /* [wtp][scenario], expected */
    int *best;                /* [wtp]: scenario with the highest expected NMB */
    /* PSA only (else NULL): */
    double *ceac;             /* [wtp][scenario] */
    double *ceaf;             /* [wtp]: CEAC of best[w] */
    double *evpi;             /* [wtp], per patient */
    double *expected_loss;    /* [wtp][scenario]: E[max NMB - NMB(s)]; its minimum is the EVPI */
    double *incremental_ceac; /* [wtp][scenario]: P(NMB(s) > NMB(compared_with)) for
                                 frontier options, NaN for the others */
    double *replicate_cost, *replicate_qalys; /* [replicate][scenario] */
    int parameters;           /* values drawn per replicate */
    double *draws;            /* [replicate][parameters] */
    char (*parameter_names)[IPSIM_KEY_MAX]; /* [parameters] */
    /* By subgroup at diagnosis (analysis/subgroups.h); NULL when the
     * scenarios differ in replicates or are too many for an incremental
     * analysis (IPSIM_INCREMENTAL_MAX). */
    ipsim_subgroups *subgroups;
} ipsim_comparison;

/* Compares the open scenarios of readers[0..count-1] (count >= 1; the
 * first is the reference). PSA figures are computed when every scenario's
 * replicates drew their parameters. Errors: those of the readers,
 * IPSIM_EFORMAT for scenarios that cannot be compared (different
 * currencies), IPSIM_ENOMEM; IPSIM_EINTERRUPTED once *cancel (polled
 * while reading patients; may be NULL) is set. */
int ipsim_comparison_compute(ipsim_comparison *out, ipsim_h5_reader *const *readers, int count,
                             const volatile sig_atomic_t *cancel, ipsim_error *err);

/* As ipsim_comparison_compute, with the per-patient sums read already
 * (NULL: read here): pairs[s * IPSIM_OUTCOMES ...] holds those of
 * ipsim_paired_compare(reader 0's file, reader s's) for s >= 1, and for a
 * comparison of one scenario row 0 those of the scenario with itself.
 * They are used only when ipsim_comparison_reads_patients, and a row that
 * counts no patients (n_a 0: not read) is read here; the same sums give
 * the same figures, bit for bit, as reading them here. A sweep's ranks
 * compute them in parallel from their scenarios' files (sim/sweep_run.c). */
int ipsim_comparison_compute_given(ipsim_comparison *out, ipsim_h5_reader *const *readers,
                                   int count, const ipsim_difference *pairs,
                                   const volatile sig_atomic_t *cancel, ipsim_error *err);

/* Whether comparing scenarios[0..count-1] reads every patient's outcomes
 * (no PSA, per-patient records kept): then the comparison's cost grows
 * with the patients, and only then are `pairs` used. */
bool ipsim_comparison_reads_patients(const ipsim_params *scenarios, int count);

void ipsim_comparison_free(ipsim_comparison *c); /* safe on a zeroed one */

/* Prints the tables, with net benefit, acceptability and EVPI at the
 * given willingness-to-pay values (any, not only grid points). */
void ipsim_comparison_print(FILE *out, const ipsim_comparison *c, const double *report_wtp,
                            int report_count);

/* The scenario with the highest expected NMB at any wtp (not only grid
 * points). */
int ipsim_comparison_best_at(const ipsim_comparison *c, double wtp);

/* With PSA, P(scenario is cost-effective) at any wtp and (if evpi is not
 * NULL) the EVPI there, computed from the draws, not read off the grid
 * (between its points a straight line is not the curve); NaN without
 * memory. */
double ipsim_comparison_acceptability_at(const ipsim_comparison *c, double wtp, int scenario,
                                         double *evpi);

/* Adds to `set` (output/csv.h) comparison.csv (one row per scenario),
 * wtp.csv (one row per grid value), with PSA psa.csv (one row per
 * replicate: the drawn values and each scenario's cost and QALYs), and
 * subgroups.csv (at the report_wtp values); the set is then written all or
 * none. Errors: IPSIM_ENOMEM. */
int ipsim_comparison_csv(const ipsim_comparison *c, const double *report_wtp, int report_count,
                         ipsim_csv_set *set, ipsim_error *err);

/* Writes the same as datasets under /comparison and /psa
 * (docs/output-format.md). */
int ipsim_comparison_write_h5(const ipsim_comparison *c, ipsim_h5_writer *w, ipsim_error *err);

#endif
