/* report/report.h: `ipsim report`: the figures of finished runs, and a
 * web page that shows them.
 *
 * From the scenarios of one or more files written by `ipsim run` (a study's
 * file, or separate runs side by side, as `ipsim compare` takes them) it
 * draws, one file per figure and format:
 *   occupancy       grade occupancy over time, stacked, the dead included
 *   infection_risk  cumulative share with >= 1 infection by grade at
 *                   diagnosis, with 95% bands (the risk-stratification
 *                   picture)
 *   infection_rates episodes per 100 patient-years lived in each grade, by
 *                   type and serious ones, with 95% intervals
 *   ivig_use        share of the living given IVIG, month by month
 *   igg_risk        episodes per 100 patient-years by own IgG band, in
 *                   months without and with IVIG (levels model only)
 * each with one panel per scenario on shared axes; where a scenario has
 * immunoglobulin levels,
 *   igg_over_time   mean IgG of the living by month, own and with the
 *                   trough rise of given immunoglobulin, one line each
 * and, for two or more scenarios,
 *   ce_plane        incremental cost against incremental QALYs of each
 *                   scenario over the first (PSA: one point per draw)
 *   ceac            the cost-effectiveness acceptability curves (PSA only)
 * and index.html, which shows every figure with a one-line caption and the
 * run's key parameters, and opens from the file system (relative links).
 *
 * Bands are sampling intervals for plain Monte Carlo replicates and the
 * spread over parameter draws under PSA (report/report_series.h).
 *
 * The report is built in a hidden directory beside the target and moved
 * into place only when complete, replacing an earlier report there, so a
 * failed or interrupted report leaves the target as it was. A directory
 * that exists, is not empty and is not an ipsim report is never replaced. */
#ifndef IPSIM_REPORT_H
#define IPSIM_REPORT_H

#include <signal.h>
#include <stdbool.h>

#include "base/error.h"
#include "params/params.h"
#include "report/plot.h"

typedef struct ipsim_report_options {
    bool formats[IPSIM_PLOT_FORMATS]; /* at least one */
    /* Willingness-to-pay thresholds drawn on the cost-effectiveness plane
     * (currency per QALY). */
    double wtp[IPSIM_WTP_REPORT_MAX];
    int wtp_count;
    /* A directory of `ipsim dsa ... --csv DIR` tables (dsa_oneway.csv,
     * dsa_threshold.csv) for the tornado and threshold table; may be NULL. */
    const char *dsa_dir;
    const volatile sig_atomic_t *cancel; /* checked between figures; may be NULL */
} ipsim_report_options;

/* The default: PNG and SVG, thresholds 20,000 and 30,000 per QALY. */
ipsim_report_options ipsim_report_default_options(void);

/* Reads every scenario of the files paths[0..count-1], in order (the first
 * is the reference of the comparison), and writes their report into
 * directory `dir`.
 * *figures receives the number of figures drawn (each in every format).
 * Errors: the reader's (IPSIM_EIO, IPSIM_EFORMAT naming the file),
 * IPSIM_EUSAGE for a missing PLplot driver or a target that is not a
 * report directory, IPSIM_EIO for the target, IPSIM_EINTERRUPTED,
 * IPSIM_ENOMEM. */
int ipsim_report_write(const char *const *paths, int count, const char *dir,
                       const ipsim_report_options *o, int *figures, ipsim_error *err);

#endif
