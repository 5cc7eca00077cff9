/* analysis/voi_analysis.h: the value-of-information analysis of a study's
 * PSA (`ipsim voi`): EVPI, EVPPI of parameter groups and EVSI of proposed
 * studies, per person and for the population, over the willingness-to-pay
 * grid, with bootstrap SEs and fit warnings at the reported values.
 *
 * Per person: the values of analysis/voi.h, over the follow-up, discounted.
 * Population: times decision.population_per_year x the discounted sum
 * over decision.horizon_years (analysis/voi.h ipsim_voi_population). The
 * expected net gain of sampling of a study of size n is the population
 * EVSI minus the study's cost; the best n is the grid's n of highest gain
 * (none when no gain is positive). */
#ifndef IPSIM_VOI_ANALYSIS_H
#define IPSIM_VOI_ANALYSIS_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/comparison.h"
#include "analysis/voi.h"
#include "output/h5_writer.h"
#include "params/voi_plan.h"

typedef struct ipsim_voi_result {
    char name[IPSIM_NAME_MAX + 32]; /* a group's, or "STUDY.n=N" */
    int inputs;                   /* PSA values regressed on (EVSI: 1, the study's result) */
    char input_names[512];        /* comma-separated */
    char basis[160];              /* the metamodel */
    char warnings[768];           /* ipsim_voi_fit_warnings, and capping */
    double r_squared_min, r_squared_max; /* over the fitted cost and QALY increments */
    double *value;                /* [wtp], per person */
    double report[IPSIM_VOI_WTP_MAX], report_se[IPSIM_VOI_WTP_MAX];
} ipsim_voi_result;

typedef struct ipsim_voi_study_result {
    ipsim_voi_study study;
    ipsim_voi_result *size;       /* [study.sizes] */
    double gain[IPSIM_VOI_SIZES_MAX][IPSIM_VOI_WTP_MAX]; /* population EVSI - cost */
    int best[IPSIM_VOI_WTP_MAX];  /* index of the best size, -1 if none gains */
} ipsim_voi_study_result;

typedef struct ipsim_voi_analysis {
    char source[IPSIM_PATH_MAX];
    char currency[IPSIM_NAME_MAX];
    int64_t draws;
    int options;
    const ipsim_comparison *comparison; /* the grid and names; not owned */
    int report_count;
    double report_wtp[IPSIM_VOI_WTP_MAX];
    double per_year, horizon_years, discount_rate, population;
    int bootstrap;
    uint64_t seed;
    double evpi_report[IPSIM_VOI_WTP_MAX], evpi_report_se[IPSIM_VOI_WTP_MAX];
    int groups;
    ipsim_voi_result *group;
    int studies;
    ipsim_voi_study_result *study;
} ipsim_voi_analysis;

/* Runs the plan on a PSA comparison (c->psa, from ipsim_comparison_compute
 * of the file's scenarios; p the first scenario's parameters). Without
 * groups or studies, every drawn parameter key is its own group. Report
 * values are the plan's wtp if it gives them, else report_wtp. Errors:
 * IPSIM_EPARAM for a key that names no drawn value (listing those drawn),
 * a study on a value that is not one drawn value, or too few draws;
 * IPSIM_ENOMEM. */
int ipsim_voi_analysis_run(ipsim_voi_analysis *a, const ipsim_comparison *c,
                           const ipsim_params *p, const ipsim_voi_plan *plan,
                           const double *report_wtp, int report_count, ipsim_error *err);
void ipsim_voi_analysis_free(ipsim_voi_analysis *a); /* safe on a zeroed one */

void ipsim_voi_analysis_print(FILE *out, const ipsim_voi_analysis *a);

/* Adds to `set` (output/csv.h) voi.csv (a row per quantity and reported
 * WTP: per person, SE, population; EVSI rows with the study's size, cost
 * and net gain) and voi_wtp.csv (per person over the grid); the set is
 * then written all or none. Errors: IPSIM_ENOMEM. */
int ipsim_voi_analysis_csv(const ipsim_voi_analysis *a, ipsim_csv_set *set, ipsim_error *err);

/* The same under /voi (docs/output-format.md). */
int ipsim_voi_analysis_write_h5(const ipsim_voi_analysis *a, ipsim_h5_writer *w,
                                ipsim_error *err);

#endif
