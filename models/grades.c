/* models/grades.c: per-cycle transition tables by phase and response. */
#include "models/grades.h"

#include <string.h>

static void matrix_multiply(double out[IPSIM_GRADES][IPSIM_GRADES],
                            const double a[IPSIM_GRADES][IPSIM_GRADES],
                            const double b[IPSIM_GRADES][IPSIM_GRADES])
{
    double r[IPSIM_GRADES][IPSIM_GRADES] = {{0}};
    for (int i = 0; i < IPSIM_GRADES; i++)
        for (int k = 0; k < IPSIM_GRADES; k++)
            for (int j = 0; j < IPSIM_GRADES; j++)
                r[i][j] += a[i][k] * b[k][j];
    memcpy(out, r, sizeof r);
}

void ipsim_grades_monthly(const ipsim_params *p, int phase, int response,
                          double out[IPSIM_GRADES][IPSIM_GRADES])
{
    memset(out, 0, sizeof(double) * IPSIM_GRADES * IPSIM_GRADES);
    if (p->grades.model == IPSIM_GRADE_MODEL_MATRIX) {
        /* Rows are normalised (the loader allows a 1e-6 slack). */
        for (int i = 0; i < IPSIM_GRADES; i++) {
            double row = 0;
            for (int j = 0; j < IPSIM_GRADES; j++)
                row += p->grades.transition_matrix[i][j];
            for (int j = 0; j < IPSIM_GRADES; j++)
                out[i][j] = p->grades.transition_matrix[i][j] / row;
        }
        return;
    }
    /* The response to induction steers recovery on the first line only. */
    double factor = ipsim_phase_line(phase) != IPSIM_LINE_FIRST
                        ? 1.0
                        : p->grades.response_improve_factor[response];
    double better = p->grades.improve_per_month[phase] * factor;
    double worse = p->grades.worsen_per_month[phase];
    for (int g = 0; g < IPSIM_GRADES; g++) {
        double a = g > 0 ? better : 0, b = g < IPSIM_GRADES - 1 ? worse : 0;
        if (g > 0)
            out[g][g - 1] = a;
        if (g < IPSIM_GRADES - 1)
            out[g][g + 1] = b;
        out[g][g] = 1 - a - b;
    }
}

void ipsim_grades_init(ipsim_grades *m, const ipsim_params *p)
{
    memset(m, 0, sizeof *m);
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++) {
            double monthly[IPSIM_GRADES][IPSIM_GRADES];
            ipsim_grades_monthly(p, ph, r, monthly);
            double(*step)[IPSIM_GRADES] = m->step_matrix[ph][r];
            memcpy(step, monthly, sizeof monthly);
            for (int64_t c = 1; c < p->cohort.cycle_months; c++)
                matrix_multiply(step, step, monthly);
            for (int i = 0; i < IPSIM_GRADES; i++)
                ipsim_categorical_build(m->step_cum[ph][r][i], step[i], IPSIM_GRADES);
        }
    m->transitions = p->grades.transitions;
}
