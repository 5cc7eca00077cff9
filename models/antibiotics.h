/* models/antibiotics.h: antibiotic prophylaxis, the strategy IVIG is weighed
 * against in practice (issue 19; docs/sources.md, "Antibiotic prophylaxis",
 * for the figures).
 *
 * The agent is levofloxacin 500 mg once daily (TEAMM: Drayson et al.,
 * Lancet Oncol 2019;20:1760-72, 12 weeks from the start of myeloma
 * treatment against placebo) or co-trimoxazole 960 mg once daily (RATIONAL:
 * McQuilten et al., Blood Adv 2024;8:1787, against immunoglobulin). Each
 * has its own parameters (modules.antibiotics.levofloxacin_*,
 * cotrimoxazole_*); modules.antibiotics.agent chooses which apply, and 0
 * (the default) leaves the module off, so a parameter file that does not
 * name it runs as before.
 *
 * Schedules (modules.antibiotics.schedule):
 *   primary    the cycles that start in [start_month, start_month +
 *              duration_months) (TEAMM: months 0-2);
 *   secondary  after a cycle with a qualifying episode (any episode, or a
 *              serious one) that starts at or after start_month, from the
 *              next cycle for duration_months; a further qualifying episode
 *              starts the course again.
 * duration_months 0 means continuous (until death or the horizon). A cycle
 * is on or off as a whole: months on drug are whole cycles.
 *
 * While on drug:
 *   - each episode of a type is prevented with the agent's probability for
 *     that type (bacterial, and for co-trimoxazole fungal: Pneumocystis):
 *     the episodes of the course without prophylaxis are thinned, so a
 *     patient keeps a subset of them (common random numbers);
 *   - the drug costs its price per month, for every month of the cycle;
 *   - adverse events (tendinopathy for levofloxacin; a grade 3 or worse
 *     treatment-related event for co-trimoxazole: rash, cytopenia) come as
 *     a Poisson process at the agent's rate per month on drug, each with a
 *     cost and a QALY loss, drawn from one uniform per cycle at
 *     IPSIM_PURPOSE_ANTIBIOTICS;
 *   - ipsim_module_cycle.on_antibiotics is set, for later modules (an IVIG
 *     policy that asks for infections despite prophylaxis).
 * An adverse event does not stop the drug (TEAMM's tendinitis was mostly
 * reversible; an assumption). */
#ifndef IPSIM_ANTIBIOTICS_H
#define IPSIM_ANTIBIOTICS_H

#include "models/module.h"

/* modules.antibiotics.agent */
typedef enum ipsim_antibiotic_agent {
    IPSIM_ANTIBIOTIC_NONE = 0,
    IPSIM_ANTIBIOTIC_LEVOFLOXACIN = 1,
    IPSIM_ANTIBIOTIC_COTRIMOXAZOLE = 2
} ipsim_antibiotic_agent;

/* modules.antibiotics.schedule */
typedef enum ipsim_antibiotic_schedule {
    IPSIM_ANTIBIOTICS_PRIMARY = 0,
    IPSIM_ANTIBIOTICS_AFTER_INFECTION = 1, /* secondary, after any episode */
    IPSIM_ANTIBIOTICS_AFTER_SERIOUS = 2    /* secondary, after a serious episode */
} ipsim_antibiotic_schedule;

/* Its random stream: the adverse events of a cycle on drug. */
enum { IPSIM_PURPOSE_ANTIBIOTICS = IPSIM_PURPOSE_MODULE_FIRST };

/* Its parameters, in the order they are declared. */
enum {
    IPSIM_ANTIBIOTICS_AGENT,
    IPSIM_ANTIBIOTICS_SCHEDULE,
    IPSIM_ANTIBIOTICS_START_MONTH,
    IPSIM_ANTIBIOTICS_DURATION_MONTHS,
    IPSIM_ANTIBIOTICS_LEVOFLOXACIN_BACTERIAL_PREVENTED,
    IPSIM_ANTIBIOTICS_LEVOFLOXACIN_COST_PER_MONTH,
    IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_RATE,
    IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_COST,
    IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_QALYS,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_BACTERIAL_PREVENTED,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_FUNGAL_PREVENTED,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_COST_PER_MONTH,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_RATE,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_COST,
    IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_QALYS,
    IPSIM_ANTIBIOTICS_PARAMS
};

/* Its columns, in this order: */
enum {
    IPSIM_ANTIBIOTICS_COLUMN_MONTHS, /* patients/antibiotic_months: months on drug */
    IPSIM_ANTIBIOTICS_COLUMN_EVENTS, /* patients/antibiotic_adverse_events */
    IPSIM_ANTIBIOTICS_COLUMNS
};

/* Antibiotic prophylaxis as a clinical module (models/module.h), registered
 * before IVIG. Active when modules.antibiotics.agent is not 0. */
extern const ipsim_module ipsim_antibiotics_module;

#endif
