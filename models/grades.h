/* models/grades.h: the immunoparesis grade at diagnosis and its change from
 * cycle to cycle (MODEL.md, review section 3.2).
 *
 * The monthly transition matrix of the parameters is raised to the cycle
 * length, so a 3-month cycle moves patients exactly as three 1-month cycles
 * would on average. Draws are by inversion of one uniform each. */
#ifndef IPSIM_GRADES_H
#define IPSIM_GRADES_H

#include "models/categorical.h"
#include "params/params.h"
#include "sim/error.h"

typedef struct ipsim_grades {
    double baseline_cum[IPSIM_GRADES];            /* cumulative grade mix */
    double step_cum[IPSIM_GRADES][IPSIM_GRADES];  /* cumulative per-cycle rows */
    double step_matrix[IPSIM_GRADES][IPSIM_GRADES]; /* per-cycle probabilities */
    int transitions;                              /* 0: grades are held */
} ipsim_grades;

/* Plain data, built once per run and read-only afterwards; transparent so
 * the per-cycle draws inline into the cohort loop, and needing no free. */

/* Builds the grade model from validated parameters. Cannot fail on a
 * validated set; returns IPSIM_EPARAM if the baseline mix has no mass. */
int ipsim_grades_init(ipsim_grades *m, const ipsim_params *p, ipsim_error *err);

/* Grade at diagnosis for a uniform u in [0, 1). */
static inline int ipsim_grades_baseline(const ipsim_grades *m, double u)
{
    return ipsim_categorical_draw(m->baseline_cum, IPSIM_GRADES, u);
}

/* Grade at the next cycle for a survivor in `grade`, for u in [0, 1). */
static inline int ipsim_grades_step(const ipsim_grades *m, int grade, double u)
{
    return m->transitions ? ipsim_categorical_draw(m->step_cum[grade], IPSIM_GRADES, u) : grade;
}

#endif
