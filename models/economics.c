/* models/economics.c: per-cycle values and the half-cycle correction. */
#include "models/economics.h"

#include <math.h>
#include <string.h>

void ipsim_economics_init(ipsim_economics *m, const ipsim_params *p)
{
    memset(m, 0, sizeof *m);
    const double months = (double)p->cohort.cycle_months;
    m->cycle_years = months / 12.0;
    m->cost_step = pow(1.0 + p->economics.discount_rate_costs, -m->cycle_years);
    m->effect_step = pow(1.0 + p->economics.discount_rate_effects, -m->cycle_years);
    for (int ph = 0; ph < IPSIM_PHASES; ph++) {
        m->state_cost[ph] = p->economics.phase_cost_per_month[ph] * months;
        for (int g = 0; g < IPSIM_GRADES; g++)
            m->state_qalys[ph][g] = (p->economics.utility_by_phase[ph] -
                                     p->economics.utility_decrement_by_grade[g]) *
                                    m->cycle_years;
    }
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
        m->episode_cost[0][t] = p->economics.episode_cost[t];
        m->episode_cost[1][t] = p->economics.serious_episode_cost[t];
    }
    m->episode_qalys[0] =
        p->economics.episode_disutility * p->economics.episode_disutility_days / IPSIM_DAYS_PER_YEAR;
    m->episode_qalys[1] = p->economics.serious_episode_disutility *
                          p->economics.serious_episode_disutility_days / IPSIM_DAYS_PER_YEAR;
    m->ivig_price_per_gram = p->economics.ivig_price_per_gram;
    m->ivig_administration_per_cycle =
        p->economics.ivig_administration_cost * ipsim_params_infusions_per_cycle(p);
    m->vaccine_cost[0] = p->economics.influenza_vaccine_cost;
    m->vaccine_cost[1] = p->economics.pneumococcal_vaccine_cost;
    m->half_cycle = p->economics.half_cycle_correction;
}

void ipsim_economics_finish(const ipsim_economics *m, ipsim_economics_state *s, int first_phase,
                            int first_grade, bool alive_at_horizon, int phase, int grade)
{
    if (!m->half_cycle)
        return;
    /* Half the first cycle off (discount factor 1 at month 0)... */
    const double first_cost = m->state_cost[first_phase];
    const double first_qalys = m->state_qalys[first_phase][first_grade];
    s->total.cost[0] -= 0.5 * first_cost;
    s->total.cost[1] -= 0.5 * first_cost;
    s->total.qalys[0] -= 0.5 * first_qalys;
    s->total.qalys[1] -= 0.5 * first_qalys;
    s->total.life_years[0] -= 0.5 * m->cycle_years;
    s->total.life_years[1] -= 0.5 * m->cycle_years;
    if (!alive_at_horizon)
        return;
    /* ...and half a cycle in the horizon's state on, at its discount. */
    const double cost = m->state_cost[phase], qalys = m->state_qalys[phase][grade];
    s->total.cost[0] += 0.5 * cost;
    s->total.cost[1] += 0.5 * cost * s->cost_discount;
    s->total.qalys[0] += 0.5 * qalys;
    s->total.qalys[1] += 0.5 * qalys * s->effect_discount;
    s->total.life_years[0] += 0.5 * m->cycle_years;
    s->total.life_years[1] += 0.5 * m->cycle_years * s->effect_discount;
}
