/* models/economics.c: per-cycle values and the counting methods. */
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
    m->counting = p->economics.counting;
}

/* One measure's state values by `how`, from the beginning-of-cycle sum,
 * the first cycle's value (discount 1) and the horizon's value discounted
 * (0 for the dead); step is one cycle's discount factor. */
static double counted(ipsim_counting how, double beginning, double first, double horizon,
                      double step)
{
    const double end = beginning - first + horizon;
    switch (how) {
    case IPSIM_COUNT_BEGINNING:
        return beginning;
    case IPSIM_COUNT_END:
        return end;
    case IPSIM_COUNT_HALF_CYCLE:
        /* Cycle t's end value carries d(t+1) in `end`; the life table
         * discounts it at d(t) = d(t+1) / step. */
        return 0.5 * (beginning + end / step);
    case IPSIM_COUNT_TRAPEZOID:
    default:
        return 0.5 * (beginning + end);
    }
}

void ipsim_economics_finish(const ipsim_economics *m, ipsim_economics_state *s, int first_phase,
                            int first_grade, bool alive_at_horizon, int phase, int grade)
{
    const double first[3] = {m->state_cost[first_phase], m->state_qalys[first_phase][first_grade],
                             m->cycle_years};
    double last[3] = {0, 0, 0};
    if (alive_at_horizon) {
        last[0] = m->state_cost[phase];
        last[1] = m->state_qalys[phase][grade];
        last[2] = m->cycle_years;
    }
    double *const states[3] = {s->states.cost, s->states.qalys, s->states.life_years};
    double *const totals[3] = {s->total.cost, s->total.qalys, s->total.life_years};
    const double step[3] = {m->cost_step, m->effect_step, m->effect_step};
    const double discount[3] = {s->cost_discount, s->effect_discount, s->effect_discount};
    for (int k = 0; k < 3; k++) {
        totals[k][0] += counted(m->counting, states[k][0], first[k], last[k], 1.0);
        totals[k][1] +=
            counted(m->counting, states[k][1], first[k], last[k] * discount[k], step[k]);
    }
}

const char *const ipsim_economic_names[IPSIM_ECONOMIC_OUTCOMES] = {
    "cost", "cost_discounted", "qalys", "qalys_discounted", "life_years",
    "life_years_discounted"};

void ipsim_economic_values(const ipsim_outcomes *o, double values[IPSIM_ECONOMIC_OUTCOMES])
{
    values[IPSIM_ECONOMIC_COST] = o->cost[0];
    values[IPSIM_ECONOMIC_COST_DISCOUNTED] = o->cost[1];
    values[IPSIM_ECONOMIC_QALYS] = o->qalys[0];
    values[IPSIM_ECONOMIC_QALYS_DISCOUNTED] = o->qalys[1];
    values[IPSIM_ECONOMIC_LIFE_YEARS] = o->life_years[0];
    values[IPSIM_ECONOMIC_LIFE_YEARS_DISCOUNTED] = o->life_years[1];
}
