/* models/mortality.c: deaths of infection, of other causes, of myeloma. */
#include "models/mortality.h"

#include <math.h>

#include "params/life_table.h"

const char *const ipsim_death_cause_names[IPSIM_DEATH_CAUSES] = {"alive", "background",
                                                                 "infection", "myeloma"};

int ipsim_mortality_init(ipsim_mortality *m, const ipsim_params *p, ipsim_error *err)
{
    m->cycle_months = p->cohort.cycle_months;
    const ipsim_life_table *table = NULL;
    if (p->mortality.background == IPSIM_BACKGROUND_LIFE_TABLE) {
        if (p->mortality.life_table < 0 || p->mortality.life_table >= ipsim_life_table_count) {
            IPSIM_FAIL(err, IPSIM_EPARAM, "no life table number %d", p->mortality.life_table);
            ipsim_error_locate(err, NULL, 0, 0, "mortality.life_table");
            return IPSIM_EPARAM;
        }
        table = &ipsim_life_tables[p->mortality.life_table];
    }
    for (int sex = 0; sex < IPSIM_SEXES; sex++)
        for (int a = 0; a < IPSIM_MORTALITY_AGES; a++) {
            /* A year's probability q spread evenly over its months, as a
             * constant hazard: (1 - q)^(1/12) a month. */
            double log_month = table ? log1p(-ipsim_life_table_q(table, sex, a)) / 12.0
                                     : log1p(-p->mortality.background_monthly_probability);
            m->month_survival[sex][a] = exp(log_month);
        }
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        m->excess_survival_per_cycle[ph] =
            exp(-p->mortality.excess_hazard_per_month[ph] * (double)m->cycle_months);
    m->survive_serious = 1.0 - p->mortality.serious_infection_case_fatality;
    return IPSIM_OK;
}
