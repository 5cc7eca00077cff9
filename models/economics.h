/* models/economics.h: costs, QALYs and life-years of one patient's course,
 * undiscounted and discounted (health economics; sources of the defaults in
 * params/schema.c).
 *
 * A cycle starting t months after diagnosis is discounted by
 * (1 + r)^(-t/12), with separate annual rates r for costs and for effects.
 * State values (a cycle's utility, its life-years, its phase cost) are
 * counted by one of four methods (economics.counting). With f(t) the value
 * of the state at time t (cycle boundary t = 0..T, zero once dead) and d(t)
 * its discount factor, over the T cycles of the follow-up:
 *   beginning   B = sum_{t<T} f(t) d(t)
 *   end         E = sum_{t<T} f(t+1) d(t+1)
 *   half_cycle  sum_{t<T} (f(t) + f(t+1))/2 x d(t)           (life table)
 *   trapezoid   sum_{t<T} (f(t) d(t) + f(t+1) d(t+1))/2 = (B + E)/2
 * The loop accumulates B; the others follow from B, the first value f(0)
 * and the horizon's f(T) d(T) (ipsim_economics_finish). Event values (an
 * episode's cost and its QALY loss, IVIG, vaccines, antibiotics and their
 * adverse events) are counted,
 * discounted, in the cycle they occur, by every method. The closed forms
 * are worked in docs/model.md and tested. */
#ifndef IPSIM_ECONOMICS_H
#define IPSIM_ECONOMICS_H

#include <stdbool.h>

#include "params/params.h"

/* One patient's totals: [0] undiscounted, [1] discounted. */
typedef struct ipsim_outcomes {
    double cost[2];
    double qalys[2];
    double life_years[2];
} ipsim_outcomes;

typedef struct ipsim_economics {
    double cost_step, effect_step; /* discount factor of one cycle */
    double cycle_years;
    double state_cost[IPSIM_PHASES];                 /* per cycle */
    double state_qalys[IPSIM_PHASES][IPSIM_GRADES];  /* per cycle, undiscounted */
    double episode_cost[2][IPSIM_INFECTION_TYPES];   /* [serious][type] */
    double episode_qalys[2];                         /* QALYs lost, [serious] */
    ipsim_counting counting;
} ipsim_economics;

/* Where a patient's accounting stands. */
typedef struct ipsim_economics_state {
    double cost_discount, effect_discount; /* of the current cycle */
    ipsim_outcomes states; /* state values counted at each cycle's start (B) */
    ipsim_outcomes total;  /* event values; finish adds the counted state values */
} ipsim_economics_state;

void ipsim_economics_init(ipsim_economics *m, const ipsim_params *p);

static inline void ipsim_economics_start(ipsim_economics_state *s)
{
    *s = (ipsim_economics_state){.cost_discount = 1, .effect_discount = 1};
}

/* The state values of a cycle started alive in `phase` and `grade`. */
static inline void ipsim_economics_state_values(const ipsim_economics *m,
                                                ipsim_economics_state *s, int phase, int grade)
{
    const double cost = m->state_cost[phase], qalys = m->state_qalys[phase][grade];
    s->states.cost[0] += cost;
    s->states.cost[1] += cost * s->cost_discount;
    s->states.qalys[0] += qalys;
    s->states.qalys[1] += qalys * s->effect_discount;
    s->states.life_years[0] += m->cycle_years;
    s->states.life_years[1] += m->cycle_years * s->effect_discount;
}

/* Costs of the cycle's events, undiscounted. */
static inline void ipsim_economics_cost(ipsim_economics_state *s, double cost)
{
    s->total.cost[0] += cost;
    s->total.cost[1] += cost * s->cost_discount;
}

/* QALYs lost to the cycle's events (a module's, models/module.h),
 * undiscounted. */
static inline void ipsim_economics_qaly_loss(ipsim_economics_state *s, double qalys)
{
    s->total.qalys[0] -= qalys;
    s->total.qalys[1] -= qalys * s->effect_discount;
}

/* One infection episode: its cost and its QALY loss. */
static inline void ipsim_economics_episode(const ipsim_economics *m, ipsim_economics_state *s,
                                           bool serious, int type)
{
    ipsim_economics_cost(s, m->episode_cost[serious][type]);
    s->total.qalys[0] -= m->episode_qalys[serious];
    s->total.qalys[1] -= m->episode_qalys[serious] * s->effect_discount;
}

/* The end of a cycle: the next one is discounted one step further. */
static inline void ipsim_economics_next_cycle(const ipsim_economics *m, ipsim_economics_state *s)
{
    s->cost_discount *= m->cost_step;
    s->effect_discount *= m->effect_step;
}

/* Adds the state values, counted by the model's method, to the totals once
 * the course is over: the first cycle was started in `first_phase` and
 * `first_grade`; the patient is `alive_at_horizon` in `phase` and `grade`,
 * or dead (phase and grade unused). The state's discount factors must be
 * the horizon's (after the last next_cycle). Call once. */
void ipsim_economics_finish(const ipsim_economics *m, ipsim_economics_state *s, int first_phase,
                            int first_grade, bool alive_at_horizon, int phase, int grade);

/* The economic outcomes, per patient, in the order the output file and the
 * summaries store them (economics/NAME datasets). */
enum {
    IPSIM_ECONOMIC_COST,
    IPSIM_ECONOMIC_COST_DISCOUNTED,
    IPSIM_ECONOMIC_QALYS,
    IPSIM_ECONOMIC_QALYS_DISCOUNTED,
    IPSIM_ECONOMIC_LIFE_YEARS,
    IPSIM_ECONOMIC_LIFE_YEARS_DISCOUNTED,
    IPSIM_ECONOMIC_OUTCOMES
};
extern const char *const ipsim_economic_names[IPSIM_ECONOMIC_OUTCOMES];
/* One patient's outcomes in the order above. */
void ipsim_economic_values(const ipsim_outcomes *o, double values[IPSIM_ECONOMIC_OUTCOMES]);

#endif
