/* models/mortality.c: background and infection deaths. */
#include "models/mortality.h"

#include <math.h>

const char *const ipsim_death_cause_names[IPSIM_DEATH_CAUSES] = {"alive", "background",
                                                                 "infection"};

void ipsim_mortality_init(ipsim_mortality *m, const ipsim_params *p)
{
    double q = p->mortality.background_monthly_probability;
    m->background_per_cycle = -expm1((double)p->cohort.cycle_months * log1p(-q));
    m->survive_serious = 1.0 - p->mortality.serious_infection_case_fatality;
}
