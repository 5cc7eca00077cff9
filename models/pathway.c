/* models/pathway.c: the pathway's timetable and hazards. */
#include "models/pathway.h"

void ipsim_pathway_init(ipsim_pathway *m, const ipsim_params *p)
{
    m->induction_end = ipsim_params_induction_cycles(p);
    m->asct_cycle = ipsim_params_cycle_of_month(p, p->pathway.asct_month);
    if (m->asct_cycle < m->induction_end)
        m->asct_cycle = m->induction_end;
    m->transplant_end =
        m->asct_cycle + ipsim_params_cycle_of_month(p, p->pathway.transplant_phase_months);
    double cycle = (double)p->cohort.cycle_months;
    m->progression_per_cycle[0] = p->pathway.progression_hazard_per_month * cycle;
    m->progression_per_cycle[1] =
        p->pathway.progression_hazard_per_month * p->pathway.progression_hazard_ratio_improved *
        cycle;
    m->transplant_hazard_ratio = p->pathway.progression_hazard_ratio_transplant;
    for (int k = 0; k < 2; k++)
        m->line_per_cycle[k] = p->lines.progression_hazard_per_month[k] * cycle;
    for (int k = 0; k < IPSIM_LINES; k++)
        m->no_further_treatment[k] = p->lines.no_further_treatment_share[k];
    ipsim_categorical_build(m->response_cum, p->pathway.response_share, IPSIM_RESPONSES);
}
