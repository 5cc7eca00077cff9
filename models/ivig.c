/* models/ivig.c: IVIG policies. */
#include "models/ivig.h"

#include <string.h>

#include "models/modules.h"

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

/* ---- the module (models/module.h) ----------------------------------------- */

typedef struct ivig_tables {
    ipsim_ivig policy;
    int64_t cycle_months;
    ipsim_rate_change change;
} ivig_tables;

typedef struct ivig_patient {
    ipsim_ivig_state history;
    double grams_per_cycle; /* this patient's dose per cycle on IVIG */
    double cost_per_cycle;
    double grams;           /* given so far */
    int32_t months;         /* on IVIG so far */
} ivig_patient;

_Static_assert(sizeof(ivig_patient) <= IPSIM_MODULE_STATE_MAX, "IVIG's state outgrew the seam");

static int module_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                       ipsim_error *err)
{
    (void)values;
    (void)err;
    ivig_tables *t = tables;
    ipsim_ivig_init(&t->policy, p);
    t->cycle_months = p->cohort.cycle_months;
    t->change = (ipsim_rate_change){p->ivig.rate_ratio_all, p->ivig.rate_ratio_serious, "on IVIG"};
    *active = t->policy.policy != IPSIM_IVIG_NONE;
    return IPSIM_OK;
}

static void module_start(const void *tables, void *state, const ipsim_module_patient *patient)
{
    const ivig_tables *t = tables;
    ivig_patient *s = state;
    ipsim_ivig_state_init(&s->history);
    s->grams_per_cycle = t->policy.grams_per_kg_per_cycle * patient->weight_kg;
    s->cost_per_cycle = ipsim_ivig_cost_per_cycle(&t->policy, s->grams_per_cycle);
}

void ipsim_ivig_module_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    const ivig_tables *t = tables;
    ivig_patient *s = state;
    if (!ipsim_ivig_decide(&t->policy, &s->history, c->cycle, c->grade))
        return;
    c->rate_changed = true;
    c->cost = s->cost_per_cycle;
    s->grams += s->grams_per_cycle;
    s->months += (int32_t)t->cycle_months;
}

void ipsim_ivig_module_episodes(const void *tables, void *state, const ipsim_module_cycle *c,
                       int episodes, int serious)
{
    ipsim_ivig_record(&((const ivig_tables *)tables)->policy,
                      &((ivig_patient *)state)->history, c->cycle, episodes, serious);
}

static const ipsim_rate_change *module_rate_change(const void *tables)
{
    return &((const ivig_tables *)tables)->change;
}

static void module_finish(const void *tables, const void *state, double *columns)
{
    (void)tables;
    const ivig_patient *s = state;
    columns[IPSIM_IVIG_COLUMN_MONTHS] = s->months;
    columns[IPSIM_IVIG_COLUMN_GRAMS] = s->grams;
    columns[IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE] = (float)s->grams_per_cycle;
}

static const ipsim_module_column module_columns[IPSIM_IVIG_COLUMNS] = {
    [IPSIM_IVIG_COLUMN_MONTHS] = {.name = "ivig_months", .integer = true, .per_patient = true,
                                  .summed = true, .unit = "months", .doc = "months on IVIG"},
    [IPSIM_IVIG_COLUMN_GRAMS] = {.name = "ivig_grams", .per_patient = true, .unit = "g",
                                 .doc = "IVIG given over the follow-up"},
    [IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE] = {.name = "ivig_grams_per_cycle", .unit = "g",
                                           .doc = "dose per cycle on IVIG"},
};

const ipsim_module ipsim_ivig_module = {
    .name = "ivig",
    .columns = module_columns,
    .column_count = IPSIM_IVIG_COLUMNS,
    .tables_size = sizeof(ivig_tables),
    .state_size = sizeof(ivig_patient),
    .init = module_init,
    .start = module_start,
    .cycle = ipsim_ivig_module_cycle,
    .episodes = ipsim_ivig_module_episodes,
    .rate_change = module_rate_change,
    .finish = module_finish,
};
