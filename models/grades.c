/* models/grades.c: baseline mix and per-cycle transition tables. */
#include "models/grades.h"

#include <string.h>

#include "models/categorical.h"

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

int ipsim_grades_init(ipsim_grades *m, const ipsim_params *p, ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    double total = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        total += p->cohort.baseline_mix[g];
    if (!(total > 0))
        return IPSIM_FAIL(err, IPSIM_EPARAM, "the baseline grade mix has no mass");
    ipsim_categorical_build(m->baseline_cum, p->cohort.baseline_mix, IPSIM_GRADES);

    /* Rows are normalised first (the loader allows a 1e-6 slack), then the
     * monthly matrix is raised to the cycle length. */
    double monthly[IPSIM_GRADES][IPSIM_GRADES];
    for (int i = 0; i < IPSIM_GRADES; i++) {
        double row = 0;
        for (int j = 0; j < IPSIM_GRADES; j++)
            row += p->grades.transition_matrix[i][j];
        for (int j = 0; j < IPSIM_GRADES; j++)
            monthly[i][j] = p->grades.transition_matrix[i][j] / row;
    }
    memcpy(m->step_matrix, monthly, sizeof monthly);
    for (int64_t c = 1; c < p->cohort.cycle_months; c++)
        matrix_multiply(m->step_matrix, m->step_matrix, monthly);
    for (int i = 0; i < IPSIM_GRADES; i++)
        ipsim_categorical_build(m->step_cum[i], m->step_matrix[i], IPSIM_GRADES);
    m->transitions = p->grades.transitions;
    return IPSIM_OK;
}
