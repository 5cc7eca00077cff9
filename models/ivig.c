/* models/ivig.c: immunoglobulin replacement: policies, dose, trough, effect,
 * reactions (models/ivig.h). */
#include "models/ivig.h"

#include <math.h>
#include <string.h>

#include "models/modules.h"

/* IVIG's random stream: the reactions at its infusions. */
enum { PURPOSE_IVIG = IPSIM_PURPOSE_MODULE_FIRST + 1 };

enum { NO_CYCLE = INT16_MIN };

static bool igg_policy(ipsim_ivig_policy policy)
{
    return policy == IPSIM_IVIG_IGG || policy == IPSIM_IVIG_IGG_AND_INFECTIONS ||
           policy == IPSIM_IVIG_IGG_OR_INFECTIONS;
}

void ipsim_ivig_init(ipsim_ivig *m, const ipsim_params *p)
{
    memset(m, 0, sizeof *m);
    const int64_t cycle = p->cohort.cycle_months;
    m->policy = p->ivig.policy;
    m->grade_threshold = p->ivig.grade_threshold;
    m->infections_threshold = (int)p->ivig.infections_threshold;
    m->serious_only = p->ivig.serious_only;
    m->bacterial_only = p->ivig.bacterial_only;
    m->serious_qualifies = p->ivig.serious_qualifies;
    m->require_antibiotics = p->ivig.require_antibiotics;
    m->require_vaccine_failure = p->ivig.require_vaccine_failure;
    m->stop_when_recovered = p->ivig.stop_when_recovered;
    m->stop_without_benefit = p->ivig.stop_without_benefit;
    m->titrate = p->ivig.titrate;
    m->lookback_cycles = p->ivig.lookback_months / cycle;
    m->start_cycle = (p->ivig.start_month + cycle - 1) / cycle;
    m->review_cycles = p->ivig.review_months / cycle;
    m->titration_cycles = p->ivig.titration_months / cycle;
    m->igg_threshold = p->ivig.igg_threshold_g_per_l;
    if (m->titrate) { /* the grid is checked by ipsim_params_ivig_rule */
        m->first_dose_mg_per_kg = p->ivig.dose_min_mg_per_kg;
        m->step_mg_per_kg = p->ivig.dose_step_mg_per_kg;
        m->levels = 1 + (int)lround((p->ivig.dose_max_mg_per_kg - p->ivig.dose_min_mg_per_kg) /
                                    m->step_mg_per_kg);
        m->start_level =
            1 + (int)lround((p->ivig.dose_mg_per_kg - m->first_dose_mg_per_kg) / m->step_mg_per_kg);
    } else {
        m->first_dose_mg_per_kg = p->ivig.dose_mg_per_kg;
        m->levels = m->start_level = 1;
    }
    m->cycle_days = (double)cycle * IPSIM_DAYS_PER_MONTH;
    m->interval_days = 7.0 * p->ivig.interval_weeks;
    m->infusions_per_cycle = m->cycle_days / m->interval_days;
    const bool scig = p->ivig.route == IPSIM_ROUTE_SCIG;
    m->price_per_gram = scig ? p->economics.scig_price_per_gram : p->economics.ivig_price_per_gram;
    m->administration_per_cycle =
        (scig ? p->economics.scig_administration_cost : p->economics.ivig_administration_cost) *
        m->infusions_per_cycle;
    m->reaction_probability =
        scig ? p->ivig.scig_reaction_probability : p->ivig.reaction_probability;
    m->reaction_cost = p->economics.ig_reaction_cost;
    m->reaction_qalys = p->economics.ig_reaction_qalys;
    /* D mg/kg every interval is D x 28 / interval days every 4 weeks. */
    const double per_mg_per_kg_4_weeks = p->ivig.trough_rise_per_100_mg_per_kg / 100.0;
    m->rise_per_mg_per_kg =
        per_mg_per_kg_4_weeks * 28.0 / m->interval_days * (scig ? p->ivig.scig_trough_factor : 1);
    m->decay = exp2(-m->cycle_days / p->ivig.half_life_days);
    m->reference_rise = per_mg_per_kg_4_weeks * p->ivig.reference_dose_mg_per_kg;
    m->plateau = p->ivig.effect_plateau_g_per_l;
    m->target = p->ivig.trough_target_g_per_l;
    m->tolerance = p->ivig.trough_tolerance_g_per_l;
    m->rate_ratio_all = p->ivig.rate_ratio_all;
    m->rate_ratio_serious = p->ivig.rate_ratio_serious;
    m->log_ratio_per_g_per_l[0] = log(m->rate_ratio_all) / m->reference_rise;
    m->log_ratio_per_g_per_l[1] = log(m->rate_ratio_serious) / m->reference_rise;
}

/* The rise up to the plateau. */
static double effective_rise(const ipsim_ivig *m, double own, double rise)
{
    return fmin(own + rise, m->plateau) - fmin(own, m->plateau);
}

double ipsim_ivig_rate_ratio(const ipsim_ivig *m, double rr_reference, double own, double rise)
{
    const double effective = effective_rise(m, own, rise);
    /* A ratio of 0 at a rise of 0 is 1. */
    return effective > 0 ? exp(log(rr_reference) / m->reference_rise * effective) : 1.0;
}

void ipsim_ivig_state_init(const ipsim_ivig *m, ipsim_ivig_state *s)
{
    memset(s, 0, sizeof *s);
    s->serious_cycle = NO_CYCLE;
    s->level = (uint8_t)m->start_level;
}

/* Qualifying episodes recorded from `since` on (at most the ring's). */
static int episodes_since(const ipsim_ivig *m, const ipsim_ivig_state *s, int64_t since)
{
    (void)m;
    int n = 0;
    for (int i = 0; i < s->recorded; i++)
        n += s->episode_cycle[i] >= since;
    return n;
}

/* Whether the threshold-th most recent qualifying episode began within the
 * lookback before `cycle`, or (serious_qualifies) a serious one did. */
static bool recurrent(const ipsim_ivig *m, const ipsim_ivig_state *s, int64_t cycle)
{
    const int64_t since = cycle - m->lookback_cycles;
    if (m->serious_qualifies && s->serious_cycle != NO_CYCLE && s->serious_cycle >= since)
        return true;
    if (s->recorded < m->infections_threshold)
        return false;
    /* The ring holds exactly the last `threshold` episodes; the oldest is at
     * `next` (where the next one will go). */
    return s->episode_cycle[s->next] >= since;
}

/* The IgG policies: start a course when the trigger holds; review it. */
static bool decide_by_igg(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, double igg)
{
    const bool low = igg < m->igg_threshold;
    if (!s->on) {
        const bool infected = m->policy != IPSIM_IVIG_IGG && recurrent(m, s, cycle);
        const bool trigger = m->policy == IPSIM_IVIG_IGG                 ? low
                             : m->policy == IPSIM_IVIG_IGG_AND_INFECTIONS ? low && infected
                                                                          : low || infected;
        if (trigger) {
            s->on = true;
            s->course_cycles = 0;
            s->level = (uint8_t)m->start_level;
            s->before = (int16_t)episodes_since(m, s, cycle - m->lookback_cycles);
            s->since_review = 0;
        }
        return s->on;
    }
    if (s->course_cycles > 0 && s->course_cycles % m->review_cycles == 0) {
        const bool recovered = m->stop_when_recovered && !low;
        const bool no_benefit = m->stop_without_benefit && s->since_review >= s->before;
        s->since_review = 0;
        if (recovered || no_benefit) {
            /* A new course needs new qualifying episodes. */
            s->on = false;
            s->recorded = s->next = 0;
            s->serious_cycle = NO_CYCLE;
        }
    }
    return s->on;
}

bool ipsim_ivig_decide(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int grade,
                       double igg_g_per_l)
{
    if (m->policy == IPSIM_IVIG_NONE || cycle < m->start_cycle)
        return s->on = false;
    if (igg_policy(m->policy))
        return decide_by_igg(m, s, cycle, igg_g_per_l);
    bool by_grade = (m->policy == IPSIM_IVIG_GRADE || m->policy == IPSIM_IVIG_GRADE_OR_INFECTIONS) &&
                    grade >= m->grade_threshold;
    bool by_infections =
        (m->policy == IPSIM_IVIG_INFECTIONS || m->policy == IPSIM_IVIG_GRADE_OR_INFECTIONS) &&
        recurrent(m, s, cycle);
    bool trigger = by_grade || by_infections;
    const bool was_on = s->on;
    s->on = m->stop_when_recovered ? trigger : (s->on || trigger);
    if (s->on && !was_on) {
        s->course_cycles = 0;
        s->level = (uint8_t)m->start_level;
    }
    return s->on;
}

void ipsim_ivig_record(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int episodes,
                       int serious)
{
    int count = m->serious_only ? serious : episodes;
    if (serious > 0)
        s->serious_cycle = (int16_t)cycle;
    s->since_review = (int16_t)(s->since_review + count);
    for (int i = 0; i < count; i++) {
        s->episode_cycle[s->next] = (int16_t)cycle;
        s->next = (uint8_t)((s->next + 1) % m->infections_threshold);
        if (s->recorded < m->infections_threshold)
            s->recorded++;
    }
}

void ipsim_ivig_titrate(const ipsim_ivig *m, ipsim_ivig_state *s)
{
    if (!m->titrate || s->course_cycles == 0 || s->course_cycles % m->titration_cycles != 0)
        return;
    const double gap = m->target - s->trough;
    if (fabs(gap) <= m->tolerance)
        return;
    const double per_step = m->rise_per_mg_per_kg * m->step_mg_per_kg;
    long steps = lround(gap / per_step);
    if (steps == 0)
        steps = gap > 0 ? 1 : -1;
    long level = s->level + steps;
    s->level = (uint8_t)(level < 1 ? 1 : level > m->levels ? m->levels : level);
}

/* ---- the module (models/module.h) ----------------------------------------- */

typedef struct ivig_tables {
    ipsim_ivig policy;
    int64_t cycle_months;
} ivig_tables;

typedef struct ivig_patient {
    ipsim_ivig_state history;
    double grams;        /* given so far */
    double trough_sum;   /* over cycles on IVIG */
    double due_days;     /* from the cycle's start to the next infusion of the course */
    float weight_kg;
    float trough_6_months;
    int32_t months;      /* on IVIG so far */
    int16_t infusions, reactions;
    uint8_t final_level;
} ivig_patient;

_Static_assert(sizeof(ivig_patient) <= IPSIM_MODULE_STATE_MAX, "IVIG's state outgrew the seam");
_Static_assert(sizeof(ivig_tables) <= IPSIM_MODULE_TABLES_MAX, "IVIG's tables outgrew the seam");

static int module_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                       ipsim_error *err)
{
    (void)values;
    (void)err;
    ivig_tables *t = tables;
    ipsim_ivig_init(&t->policy, p);
    t->cycle_months = p->cohort.cycle_months;
    *active = t->policy.policy != IPSIM_IVIG_NONE;
    return IPSIM_OK;
}

static void module_start(const void *tables, void *state, const ipsim_module_patient *patient)
{
    const ivig_tables *t = tables;
    ivig_patient *s = state;
    ipsim_ivig_state_init(&t->policy, &s->history);
    s->weight_kg = (float)patient->weight_kg;
}

/* Reactions at the whole infusions the course gives in this cycle. */
static int infuse(const ipsim_ivig *m, ivig_patient *s, const ipsim_module_cycle *c)
{
    int reactions = 0, given = 0;
    double u[4];
    for (; s->due_days < m->cycle_days; s->due_days += m->interval_days, given++) {
        if (given % 4 == 0)
            ipsim_rng_uniform4(c->patient->stream, c->patient->patient, (uint64_t)c->cycle,
                               (ipsim_purpose)PURPOSE_IVIG, (uint64_t)(given / 4), u);
        reactions += u[given % 4] < m->reaction_probability;
    }
    s->due_days -= m->cycle_days;
    s->infusions = (int16_t)(s->infusions + given);
    s->reactions = (int16_t)(s->reactions + reactions);
    return reactions;
}

void ipsim_ivig_module_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    const ivig_tables *t = tables;
    const ipsim_ivig *m = &t->policy;
    ivig_patient *s = state;
    ipsim_ivig_state *h = &s->history;
    const bool was_on = h->on;
    /* Without a required failed vaccine response no course starts. */
    const bool may_start = !m->require_vaccine_failure || c->vaccine_failed;
    if ((was_on || may_start) && ipsim_ivig_decide(m, h, c->cycle, c->grade, c->igg_g_per_l)) {
        if (!was_on)
            s->due_days = 0; /* a course starts with an infusion */
        ipsim_ivig_titrate(m, h);
        const double grams = ipsim_ivig_level_grams(m, s->weight_kg, h->level);
        const int reactions = infuse(m, s, c);
        c->cost = ipsim_ivig_cost_per_cycle(m, grams) + reactions * m->reaction_cost;
        c->qaly_loss = reactions * m->reaction_qalys;
        c->ivig_level = h->level;
        h->rise = ipsim_ivig_rise_after(m, h->rise, h->level);
        h->trough = c->igg_g_per_l + h->rise;
        h->course_cycles++;
        s->grams += grams;
        s->trough_sum += h->trough;
        const int32_t before = s->months;
        s->months += (int32_t)t->cycle_months;
        if (before < 6 && s->months >= 6)
            s->trough_6_months = (float)h->trough;
        s->final_level = h->level;
    } else {
        h->rise = ipsim_ivig_rise_after(m, h->rise, 0);
    }
    const double effective = h->rise > 0 ? effective_rise(m, c->igg_g_per_l, h->rise) : 0;
    if (effective > 0) { /* ipsim_ivig_rate_ratio, with the logarithms taken once */
        c->rate_ratio_all *= exp(m->log_ratio_per_g_per_l[0] * effective);
        c->rate_ratio_serious *= exp(m->log_ratio_per_g_per_l[1] * effective);
    }
}

void ipsim_ivig_module_episodes(const void *tables, void *state, const ipsim_module_cycle *c,
                                int episodes, int serious)
{
    const ipsim_ivig *m = &((const ivig_tables *)tables)->policy;
    if (m->require_antibiotics && !c->on_antibiotics)
        return;
    if (m->bacterial_only) {
        episodes = c->type_episodes[IPSIM_INFECTION_BACTERIAL];
        serious = c->type_serious[IPSIM_INFECTION_BACTERIAL];
    }
    if (episodes > 0)
        ipsim_ivig_record(m, &((ivig_patient *)state)->history, c->cycle, episodes, serious);
}

static void module_finish(const void *tables, const void *state, double *columns)
{
    const ipsim_ivig *m = &((const ivig_tables *)tables)->policy;
    const ivig_patient *s = state;
    const double cycles_on = (double)s->months / (double)((const ivig_tables *)tables)->cycle_months;
    columns[IPSIM_IVIG_COLUMN_MONTHS] = s->months;
    columns[IPSIM_IVIG_COLUMN_GRAMS] = s->grams;
    columns[IPSIM_IVIG_COLUMN_INFUSIONS] = s->infusions;
    columns[IPSIM_IVIG_COLUMN_REACTIONS] = s->reactions;
    columns[IPSIM_IVIG_COLUMN_MEAN_TROUGH] = s->months > 0 ? s->trough_sum / cycles_on : 0;
    columns[IPSIM_IVIG_COLUMN_FINAL_DOSE] =
        s->months > 0 ? ipsim_ivig_level_dose(m, s->final_level) : 0;
    columns[IPSIM_IVIG_COLUMN_TROUGH_6_MONTHS] = s->trough_6_months;
    columns[IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE] = (float)ipsim_ivig_level_grams(m, s->weight_kg, 1);
    columns[IPSIM_IVIG_COLUMN_GRAMS_PER_LEVEL] =
        (float)(ipsim_ivig_level_grams(m, s->weight_kg, 2) -
                ipsim_ivig_level_grams(m, s->weight_kg, 1));
}

static const ipsim_module_column module_columns[IPSIM_IVIG_COLUMNS] = {
    [IPSIM_IVIG_COLUMN_MONTHS] = {.name = "ivig_months", .integer = true, .per_patient = true,
                                  .summed = true, .unit = "months", .doc = "months on IVIG"},
    [IPSIM_IVIG_COLUMN_GRAMS] = {.name = "ivig_grams", .per_patient = true, .unit = "g",
                                 .doc = "IVIG given over the follow-up"},
    [IPSIM_IVIG_COLUMN_INFUSIONS] = {.name = "ivig_infusions", .integer = true,
                                     .per_patient = true, .unit = "infusions",
                                     .doc = "immunoglobulin infusions given"},
    [IPSIM_IVIG_COLUMN_REACTIONS] = {.name = "ivig_reactions", .integer = true,
                                     .per_patient = true, .unit = "reactions",
                                     .doc = "infusion reactions"},
    [IPSIM_IVIG_COLUMN_MEAN_TROUGH] = {.name = "ivig_mean_trough", .per_patient = true,
                                       .unit = "g/L",
                                       .doc = "mean IgG trough over the cycles on IVIG (0: never "
                                              "on IVIG)"},
    [IPSIM_IVIG_COLUMN_FINAL_DOSE] = {.name = "ivig_final_dose", .per_patient = true,
                                      .unit = "mg/kg per infusion",
                                      .doc = "dose at the last cycle on IVIG (0: never on IVIG)"},
    [IPSIM_IVIG_COLUMN_TROUGH_6_MONTHS] = {.name = "ivig_trough_6_months", .per_patient = true,
                                           .unit = "g/L",
                                           .doc = "IgG trough at the end of the cycle that "
                                                  "completed 6 months on IVIG (0: never 6 "
                                                  "months on IVIG)"},
    [IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE] = {.name = "ivig_grams_per_cycle", .unit = "g",
                                           .doc = "dose per cycle on IVIG at level 1"},
    [IPSIM_IVIG_COLUMN_GRAMS_PER_LEVEL] = {.name = "ivig_grams_per_level", .unit = "g",
                                           .doc = "dose per cycle added by each level above 1"},
};

const ipsim_module ipsim_ivig_module = {
    .name = "ivig",
    .columns = module_columns,
    .column_count = IPSIM_IVIG_COLUMNS,
    .tables_size = sizeof(ivig_tables),
    .state_size = sizeof(ivig_patient),
    .purpose = PURPOSE_IVIG,
    .init = module_init,
    .start = module_start,
    .cycle = ipsim_ivig_module_cycle,
    .episodes = ipsim_ivig_module_episodes,
    .finish = module_finish,
};

const ipsim_ivig *ipsim_ivig_of_modules(const ipsim_modules *modules)
{
    for (int k = 0; k < modules->count; k++) {
        const ipsim_module_slot *slot = &modules->slots[k];
        if (slot->module == &ipsim_ivig_module && slot->active)
            return &((const ivig_tables *)(const void *)slot->tables)->policy;
    }
    return NULL;
}
