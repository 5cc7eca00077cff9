/* analysis/validate.h: the source review's table (docs/review.md), simulated.
 *
 * Each row names a quantity the source review reports, its value there, the
 * simulated estimate with its 95% interval (output/intervals.h: Wilson for
 * shares, log scale for the rate ratio, Brookmeyer-Crowley for a median),
 * and whether the review's value lies inside that interval. Rows the
 * review's own figures make unattainable (the whole-cohort infection share
 * when the grade mix rules it out; "76.1% severe or worse" against the
 * per-grade mix; the light-chain figure against the other types') say so
 * instead of passing or failing. The first rows are the review's infection,
 * recovery and PFS figures (docs/review.md, "The table ipsim
 * reproduces"); the last ones are the review's other figures at diagnosis. */
#ifndef IPSIM_VALIDATE_H
#define IPSIM_VALIDATE_H

#include <stdio.h>

#include "output/summary.h"
#include "params/params.h"

typedef enum ipsim_row_status {
    IPSIM_ROW_PASS,
    IPSIM_ROW_FAIL,
    IPSIM_ROW_UNATTAINABLE,  /* the parameters cannot produce the review's value */
    IPSIM_ROW_NOT_MODELLED   /* needs a part of the model not built yet */
} ipsim_row_status;

typedef struct ipsim_validation_row {
    char quantity[96];
    double seed_value;        /* a share (0.182), a ratio (3.2) or months; NaN: none */
    int is_ratio;             /* printed as "3.20x" rather than "18.2%" */
    int is_months;            /* printed as "38 mo" */
    int is_lower_bound;       /* the review says "more than": passes if low > seed value */
    double estimate, low, high;
    ipsim_row_status status;
    char note[128];
} ipsim_validation_row;

enum { IPSIM_VALIDATION_ROWS = 17 };

/* Fills rows[IPSIM_VALIDATION_ROWS] from a run's totals. */
void ipsim_validation_rows(const ipsim_summary *s, const ipsim_params *p,
                           ipsim_validation_row *rows);

/* Prints the table; returns the number of failed rows. */
int ipsim_validation_print(FILE *out, const ipsim_validation_row *rows);

#endif
