/* report/report_series.h: the curves and bars `ipsim report` draws, read
 * from one scenario of a file and reduced over its replicates.
 *
 * Everything comes from the per-replicate summary tables (summary/), so a
 * file written without trajectories or patient records is reported just as
 * well. Each figure is an estimate with a 95% band:
 *   - plain Monte Carlo replicates (no PSA): the replicates' counts pooled,
 *     with the Wilson interval for shares and Garwood's exact Poisson
 *     interval for rates (output/intervals.h): sampling error only;
 *   - PSA (each replicate drew its parameters, params/psa.h): the mean over
 *     draws with the 2.5% and 97.5% points of the draws' values: the
 *     uncertainty in the parameters (and the cohort's own noise). */
#ifndef IPSIM_REPORT_SERIES_H
#define IPSIM_REPORT_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "output/h5_reader.h"
#include "output/summary.h"
#include "params/params.h"

typedef struct ipsim_estimate {
    double mean, low, high; /* NaN where there is nothing to estimate from */
} ipsim_estimate;

/* Episode kinds in the rate bars: the three infection types, then serious
 * episodes of any type. */
enum { IPSIM_RATE_SERIOUS = IPSIM_INFECTION_TYPES, IPSIM_RATE_KINDS };

typedef struct ipsim_report_series {
    char name[IPSIM_NAME_MAX];
    int64_t replicates, patients; /* patients per replicate */
    int64_t rows;                 /* month rows: cycles + 1 */
    bool across_draws;            /* bands are spreads over PSA draws */
    double *month;                /* [rows]: months since diagnosis */
    double *occupancy;            /* [rows][IPSIM_STATES]: mean share in each state */
    /* [IPSIM_GRADES][rows]: share of the patients in each grade at
     * diagnosis whose first infection episode began before that month (in a
     * cycle starting at an earlier row; 0 at month 0). Deaths compete: the
     * denominator is everyone in the grade at diagnosis, so the row at
     * infection.window_months is the summary's window share. */
    ipsim_estimate *infected;
    int64_t baseline[IPSIM_GRADES]; /* patients by grade at diagnosis, all replicates */
    /* Episodes per 100 patient-years lived in each grade, by kind. */
    ipsim_estimate rate[IPSIM_GRADES][IPSIM_RATE_KINDS];
    /* [rows]: % of the living given IVIG in the cycle starting that month
     * (the last row, the horizon, starts no cycle: NaN). */
    ipsim_estimate *on_ivig;
    /* The immune state (grades.model: levels; `levels` false otherwise, and
     * the rest NaN). [rows]: mean own polyclonal IgG of the living, and the
     * same with the trough rise of given immunoglobulin (g/L; bands over
     * PSA draws only, NaN otherwise). */
    bool levels;
    ipsim_estimate *igg_own, *igg_with_ivig;
    /* Episodes per 100 patient-years by own IgG band at the cycle's start
     * (output/summary.h), without [0] and with [1] IVIG given in the cycle;
     * and the patient-years lived there, all replicates. */
    ipsim_estimate igg_rate[IPSIM_IGG_BANDS][2];
    double igg_years[IPSIM_IGG_BANDS][2];
} ipsim_report_series;

/* Reads the open scenario of r. Errors: the reader's (IPSIM_EFORMAT with
 * the file named for a missing or misshapen table), IPSIM_ENOMEM. */
int ipsim_report_series_read(ipsim_report_series *out, ipsim_h5_reader *r, ipsim_error *err);

void ipsim_report_series_free(ipsim_report_series *s); /* safe on a zeroed one */

#endif
