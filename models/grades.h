/* models/grades.h: how the immunoparesis grade changes from cycle to cycle
 * (docs/review.md, review sections 3.1.3 and 4).
 *
 * Under the pathway model a living patient moves, each month, one grade
 * better with probability a = improve_per_month[phase] x
 * response_improve_factor[response] (the factor is 1 in relapse, where the
 * first-line response no longer counts), one grade worse with probability
 * b = worsen_per_month[phase], or stays: a tridiagonal chain whose few
 * rates calibration can identify. Under the matrix model every patient
 * follows grades.transition_matrix. Either monthly matrix is raised to the
 * cycle length, so a 3-month cycle moves patients exactly as three 1-month
 * cycles would on average. Draws are by inversion of one uniform. */
#ifndef IPSIM_GRADES_H
#define IPSIM_GRADES_H

#include "models/categorical.h"
#include "params/params.h"

typedef struct ipsim_grades {
    /* Per-cycle transition probabilities and their cumulative rows, by
     * phase and response at the end of induction. */
    double step_matrix[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_GRADES][IPSIM_GRADES];
    double step_cum[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_GRADES][IPSIM_GRADES];
    int transitions; /* 0: grades are held */
} ipsim_grades;
/* Plain data, built once per run and read-only afterwards; transparent so
 * the per-cycle draws inline into the cohort loop, and needing no free. */

void ipsim_grades_init(ipsim_grades *m, const ipsim_params *p);

/* The monthly matrix of a phase and response, before raising to the
 * cycle length (for closed forms and the expected-value model). */
void ipsim_grades_monthly(const ipsim_params *p, int phase, int response,
                          double out[IPSIM_GRADES][IPSIM_GRADES]);

/* Grade at the next cycle for a survivor in `grade`, for u in [0, 1). */
static inline int ipsim_grades_step(const ipsim_grades *m, int phase, int response, int grade,
                                    double u)
{
    return m->transitions
               ? ipsim_categorical_draw(m->step_cum[phase][response][grade], IPSIM_GRADES, u)
               : grade;
}

#endif
