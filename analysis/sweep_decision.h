/* analysis/sweep_decision.h: the decision at each point of a sweep
 * (params/sweep.h).
 *
 * A sweep's points are settings of the world (a price, an effect, a
 * risk); its strategies are the options a decision maker chooses among.
 * Each point gets its own comparison (analysis/comparison.h) of its
 * strategies, and points are never compared with each other as if they
 * were options: an ICER between "price 20" and "rate ratio 0.4" means
 * nothing. A sweep without strategies has one per point, so each point's
 * comparison is its outcomes alone (the side-by-side table of a
 * sensitivity sweep). A sweep whose points are strategies
 * (`points_are_strategies: true`) has one point and is compared as a
 * study (analysis/comparison.h), not here.
 *
 * The preferred strategy at a point and willingness to pay w is the one
 * with the highest expected net monetary benefit there; with PSA each
 * point also has its acceptability (P(cost-effective) among the point's
 * strategies) and its EVPI, over the same draws (the points share them:
 * common random numbers). */
#ifndef IPSIM_SWEEP_DECISION_H
#define IPSIM_SWEEP_DECISION_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis/comparison.h"
#include "base/error.h"
#include "output/csv.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "params/sweep.h"

/* Reads the /sweep table of r's file (sim/sweep_run.h writes it) into
 * *sw: the scenarios' names (not their parameters), the keys and their
 * values, the fingerprint, and the points and strategies. Errors:
 * IPSIM_EFORMAT for a malformed or missing table, the reader's,
 * IPSIM_ENOMEM. Free with ipsim_sweep_free. */
int ipsim_sweep_read_table(ipsim_h5_reader *r, ipsim_sweep *sw, ipsim_error *err);

/* True if r's file is a sweep of several points (compared point by point). */
bool ipsim_sweep_file_has_points(ipsim_h5_reader *r);

typedef struct ipsim_sweep_decision {
    const ipsim_sweep *sweep; /* the layout, names and values (borrowed) */
    ipsim_comparison *at;     /* [sweep->points]: the strategies compared at each point */
} ipsim_sweep_decision;

/* Compares the strategies at each point of `sw` from readers[0..
 * sw->study.count - 1], its scenarios in sweep order (point-major), with
 * the per-patient sums `pairs` [study.count][IPSIM_OUTCOMES] in the same
 * order if read already (each point's rows as ipsim_comparison_compute_given
 * takes them; NULL: read here). Errors: those of ipsim_comparison_compute,
 * with the point named. */
int ipsim_sweep_decision_compute(ipsim_sweep_decision *out, const ipsim_sweep *sw,
                                 ipsim_h5_reader *const *readers,
                                 const ipsim_difference *pairs,
                                 const volatile sig_atomic_t *cancel, ipsim_error *err);

void ipsim_sweep_decision_free(ipsim_sweep_decision *d); /* safe on a zeroed one */

/* Prints each point's comparison of its strategies and the preferred
 * strategy at each point and report_wtp value; without strategies, the
 * points' outcomes side by side. */
void ipsim_sweep_decision_print(FILE *out, const ipsim_sweep_decision *d,
                                const double *report_wtp, int report_count);

/* Adds sweep_decision.csv to `set`: a row per scenario (point, strategy,
 * the swept values, outcomes, the incremental analysis within the point,
 * and at each report_wtp the net benefit, whether it is preferred and,
 * with PSA, P(cost-effective) and the point's EVPI). Errors: IPSIM_ENOMEM. */
int ipsim_sweep_decision_csv(const ipsim_sweep_decision *d, const double *report_wtp,
                             int report_count, ipsim_csv_set *set, ipsim_error *err);

/* Writes the same under /sweep (docs/output-format.md, "The sweep's
 * decision"): per scenario `mean`, `se`, `status`, `compared_with`,
 * `incremental_cost`, `incremental_qalys`, `icer`; per point and grid wtp
 * `preferred` (the strategy's index) and, with PSA, `evpi`; per grid wtp
 * and scenario `nmb` and, with PSA, `ceac`. */
int ipsim_sweep_decision_write_h5(const ipsim_sweep_decision *d, ipsim_h5_writer *w,
                                  ipsim_error *err);

#endif
