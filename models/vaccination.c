/* models/vaccination.c: influenza seasons and the pneumococcal course. */
#include "models/vaccination.h"

#include <string.h>

#include "models/modules.h"

void ipsim_vaccination_init(ipsim_vaccination *m, const ipsim_params *p)
{
    memset(m, 0, sizeof *m);
    m->any = p->vaccination.influenza_coverage > 0 || p->vaccination.pneumococcal_coverage > 0;
    m->cycle_months = p->cohort.cycle_months;
    m->flu_coverage = p->vaccination.influenza_coverage;
    memcpy(m->flu_response, p->vaccination.influenza_response, sizeof m->flu_response);
    m->flu_prevented = p->vaccination.influenza_viral_prevented;
    m->flu_calendar_month = (int)p->vaccination.influenza_month - 1;
    m->flu_protection_months = p->vaccination.influenza_protection_months;
    m->pn_coverage = p->vaccination.pneumococcal_coverage;
    memcpy(m->pn_response, p->vaccination.pneumococcal_response, sizeof m->pn_response);
    m->pn_prevented = p->vaccination.pneumococcal_bacterial_prevented;
    m->pn_month = p->vaccination.pneumococcal_month;
    m->pn_protection_months = p->vaccination.pneumococcal_protection_months;
}

void ipsim_vaccination_state_init(ipsim_vaccination_state *s, double u)
{
    int month = (int)(u * 12);
    s->calendar_month = month > 11 ? 11 : month;
    s->flu_until = -1;
    s->pn_until = -1;
}

int ipsim_vaccination_cycle(const ipsim_vaccination *m, ipsim_vaccination_state *s, int64_t month,
                            int grade, const double u[4])
{
    int doses = 0; /* IPSIM_DOSE_* bits */
    /* The influenza month falls in [month, month + cycle) at most once. */
    int64_t to_flu = ((int64_t)m->flu_calendar_month - (s->calendar_month + month) % 12 + 12) % 12;
    if (m->flu_coverage > 0 && to_flu < m->cycle_months && u[0] < m->flu_coverage) {
        doses |= IPSIM_DOSE_INFLUENZA;
        if (u[1] < m->flu_response[grade])
            s->flu_until = month + to_flu + m->flu_protection_months;
    }
    if (m->pn_coverage > 0 && m->pn_month >= month && m->pn_month < month + m->cycle_months &&
        u[2] < m->pn_coverage) {
        doses |= IPSIM_DOSE_PNEUMOCOCCAL;
        if (u[3] < m->pn_response[grade])
            s->pn_until = m->pn_month + m->pn_protection_months;
        else
            doses |= IPSIM_DOSE_PNEUMOCOCCAL_FAILED;
    }
    return doses;
}

void ipsim_vaccination_prevention(const ipsim_vaccination *m, const ipsim_vaccination_state *s,
                                  int64_t month, double prevented[IPSIM_INFECTION_TYPES])
{
    prevented[IPSIM_INFECTION_BACTERIAL] = month < s->pn_until ? m->pn_prevented : 0;
    prevented[IPSIM_INFECTION_VIRAL] = month < s->flu_until ? m->flu_prevented : 0;
    prevented[IPSIM_INFECTION_FUNGAL] = 0;
}

/* ---- the module (models/module.h) ----------------------------------------- */

typedef struct vaccination_tables {
    ipsim_vaccination schedule;
    double dose_cost[2]; /* influenza dose, pneumococcal course */
} vaccination_tables;

typedef struct vaccination_patient {
    ipsim_vaccination_state protection;
    uint32_t doses;
} vaccination_patient;

static int module_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                       ipsim_error *err)
{
    (void)values;
    (void)err;
    vaccination_tables *t = tables;
    ipsim_vaccination_init(&t->schedule, p);
    t->dose_cost[0] = p->economics.influenza_vaccine_cost;
    t->dose_cost[1] = p->economics.pneumococcal_vaccine_cost;
    *active = t->schedule.any;
    return IPSIM_OK;
}

static void module_start(const void *tables, void *state, const ipsim_module_patient *patient)
{
    (void)tables;
    vaccination_patient *s = state;
    ipsim_vaccination_state_init(&s->protection, patient->calendar_u);
}

void ipsim_vaccination_module_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    const vaccination_tables *t = tables;
    vaccination_patient *s = state;
    double v[4];
    ipsim_rng_uniform4(c->patient->stream, c->patient->patient, (uint64_t)c->cycle,
                       IPSIM_PURPOSE_VACCINE, 0, v);
    const int doses = ipsim_vaccination_cycle(&t->schedule, &s->protection, c->month, c->grade, v);
    if (doses) {
        const bool flu = doses & IPSIM_DOSE_INFLUENZA;
        const bool pneumo = doses & IPSIM_DOSE_PNEUMOCOCCAL;
        s->doses += (uint32_t)(flu + pneumo);
        c->cost = flu * t->dose_cost[0] + pneumo * t->dose_cost[1];
        if (doses & IPSIM_DOSE_PNEUMOCOCCAL_FAILED)
            c->vaccine_failed = true;
    }
    ipsim_vaccination_prevention(&t->schedule, &s->protection, c->month, c->prevented);
}

/* No per-episode step: models/modules.h asks every shipped module for one. */
void ipsim_vaccination_module_episodes(const void *tables, void *state, const ipsim_module_cycle *c,
                              int episodes, int serious)
{
    (void)tables;
    (void)state;
    (void)c;
    (void)episodes;
    (void)serious;
}

static void module_finish(const void *tables, const void *state, double *columns)
{
    (void)tables;
    columns[0] = ((const vaccination_patient *)state)->doses;
}

static const ipsim_module_column module_columns[] = {
    {.name = "vaccine_doses", .integer = true, .summed = true, .unit = "doses",
     .doc = "influenza and pneumococcal vaccine doses given"},
};

const ipsim_module ipsim_vaccination_module = {
    .name = "vaccination",
    .columns = module_columns,
    .column_count = 1,
    .tables_size = sizeof(vaccination_tables),
    .state_size = sizeof(vaccination_patient),
    .purpose = IPSIM_PURPOSE_VACCINE,
    .init = module_init,
    .start = module_start,
    .cycle = ipsim_vaccination_module_cycle,
    .finish = module_finish,
};
