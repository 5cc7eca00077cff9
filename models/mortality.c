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

ipsim_death_cause ipsim_mortality_draw(const ipsim_mortality *m, int serious_episodes,
                                       double u_infection, double u_background)
{
    if (serious_episodes > 0 &&
        u_infection >= pow(m->survive_serious, (double)serious_episodes))
        return IPSIM_DEATH_INFECTION;
    if (u_background < m->background_per_cycle)
        return IPSIM_DEATH_BACKGROUND;
    return IPSIM_ALIVE;
}
