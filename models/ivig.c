/* models/ivig.c: IVIG policies. */
#include "models/ivig.h"

#include <string.h>

/* Immunoglobulin infusions in one cycle: one every ivig.interval_weeks. */
static double infusions_per_cycle(const ipsim_params *p)
{
    return (double)p->cohort.cycle_months * IPSIM_DAYS_PER_MONTH / (7.0 * p->ivig.interval_weeks);
}

void ipsim_ivig_init(ipsim_ivig *m, const ipsim_params *p)
{
    memset(m, 0, sizeof *m);
    int64_t cycle = p->cohort.cycle_months;
    m->policy = p->ivig.policy;
    m->grade_threshold = p->ivig.grade_threshold;
    m->infections_threshold = (int)p->ivig.infections_threshold;
    m->serious_only = p->ivig.serious_only;
    m->lookback_cycles = p->ivig.lookback_months / cycle;
    m->start_cycle = (p->ivig.start_month + cycle - 1) / cycle;
    m->stop_when_recovered = p->ivig.stop_when_recovered;
    m->grams_per_kg_per_cycle =
        p->ivig.dose_mg_per_kg / 1000.0 * infusions_per_cycle(p);
    m->price_per_gram = p->economics.ivig_price_per_gram;
    m->administration_per_cycle =
        p->economics.ivig_administration_cost * infusions_per_cycle(p);
}

void ipsim_ivig_state_init(ipsim_ivig_state *s)
{
    memset(s, 0, sizeof *s);
}

/* Whether the threshold-th most recent qualifying episode began within the
 * lookback before `cycle`. */
static bool recurrent(const ipsim_ivig *m, const ipsim_ivig_state *s, int64_t cycle)
{
    if (s->recorded < m->infections_threshold)
        return false;
    /* The ring holds exactly the last `threshold` episodes; the oldest is at
     * `next` (where the next one will go). */
    int64_t oldest = s->episode_cycle[s->next];
    return oldest >= cycle - m->lookback_cycles;
}

bool ipsim_ivig_decide(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int grade)
{
    if (m->policy == IPSIM_IVIG_NONE || cycle < m->start_cycle)
        return s->on = false;
    bool by_grade = (m->policy == IPSIM_IVIG_GRADE || m->policy == IPSIM_IVIG_GRADE_OR_INFECTIONS) &&
                    grade >= m->grade_threshold;
    bool by_infections =
        (m->policy == IPSIM_IVIG_INFECTIONS || m->policy == IPSIM_IVIG_GRADE_OR_INFECTIONS) &&
        recurrent(m, s, cycle);
    bool trigger = by_grade || by_infections;
    s->on = m->stop_when_recovered ? trigger : (s->on || trigger);
    return s->on;
}

void ipsim_ivig_record(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int episodes,
                       int serious)
{
    int count = m->serious_only ? serious : episodes;
    for (int i = 0; i < count; i++) {
        s->episode_cycle[s->next] = (int32_t)cycle;
        s->next = (s->next + 1) % m->infections_threshold;
        if (s->recorded < m->infections_threshold)
            s->recorded++;
    }
}
