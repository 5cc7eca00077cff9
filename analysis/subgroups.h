/* analysis/subgroups.h: costs, QALYs, ICERs and net benefit by subgroup at
 * diagnosis, from one run.
 *
 * Every run tallies each replicate's discounted costs and QALYs by IP grade,
 * myeloma type, R-ISS stage and age band at diagnosis
 * (economics/subgroup_sum_fixed_point, output/summary.h), so the subgroup
 * analysis needs no second run and no per-patient records. For each
 * subgroup it gives each strategy's expected cost and QALYs per patient,
 * the incremental analysis among the strategies (frontier, dominance,
 * ICERs; analysis/incremental.h), and which strategy has the highest
 * expected net benefit at each willingness to pay.
 *
 * Under PSA each replicate is one draw: a subgroup's expectation is the
 * mean over draws of the draw's subgroup mean, its incremental cost and
 * QALYs against the reference have 95% intervals from the draws, and the
 * probability that each strategy is cost-effective in the subgroup is the
 * share of draws in which its net benefit is highest (draws without a
 * patient in the subgroup are left out). Without PSA the replicates are
 * one cohort pooled, and there are no intervals: the subgroups' Monte Carlo
 * error needs per-patient records (`ipsim dsa`-style paired runs) or PSA. */
#ifndef IPSIM_SUBGROUPS_H
#define IPSIM_SUBGROUPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/incremental.h"
#include "base/error.h"
#include "output/csv.h"
#include "output/h5_reader.h"
#include "output/summary.h"

typedef struct ipsim_subgroups {
    int scenarios;
    char (*names)[IPSIM_NAME_MAX]; /* [scenarios] */
    bool psa;
    int64_t replicates;
    int64_t patients[IPSIM_SUBGROUPS];   /* of the reference, over all replicates */
    double share[IPSIM_SUBGROUPS];       /* of the reference's patients */
    /* [subgroup][scenario]: expected discounted cost and QALYs per patient;
     * PSA: 2.5% and 97.5% points over draws of the difference from the
     * reference (NaN without PSA). */
    double *cost, *qalys;
    double *d_cost_low, *d_cost_high, *d_qalys_low, *d_qalys_high;
    ipsim_incremental *incremental;      /* [subgroup][scenario] */
    /* PSA: [subgroup][replicate][scenario] the draws' means (NaN when the
     * draw has no patient in the subgroup); NULL without PSA. */
    double *draw_cost, *draw_qalys;
} ipsim_subgroups;

/* From the open scenarios of readers[0..count-1] (the first the
 * reference), whose replicates drew their parameters when psa is true.
 * Errors: the readers', IPSIM_EFORMAT (different replicate counts),
 * IPSIM_ENOMEM. */
int ipsim_subgroups_compute(ipsim_subgroups *out, ipsim_h5_reader *const *readers, int count,
                            bool psa, ipsim_error *err);
void ipsim_subgroups_free(ipsim_subgroups *s); /* safe on a zeroed one */

/* The strategy of highest expected net benefit in subgroup g at wtp, and
 * (PSA; else NaN) the probability that it is the best, in *probability. */
int ipsim_subgroups_best(const ipsim_subgroups *s, int g, double wtp, double *probability);

/* The decision by subgroup: each subgroup's share of patients and, at each
 * wtp, the preferred strategy (with its probability under PSA). */
void ipsim_subgroups_print(FILE *out, const ipsim_subgroups *s, const double *wtp, int wtp_count,
                           const char *currency);

/* subgroups.csv: one row per subgroup and strategy: costs, QALYs, the
 * incremental analysis, intervals, and net benefit, preferred and (PSA)
 * probability cost-effective at each wtp. */
int ipsim_subgroups_csv(const ipsim_subgroups *s, const double *wtp, int wtp_count,
                        ipsim_csv_set *set, ipsim_error *err);

#endif
