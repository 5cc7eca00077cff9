/* models/ivig.h: IVIG replacement: who gets it, when, how much, and what
 * it does (docs/review.md, review section 4.2; docs/sources.md, "IVIG and
 * SCIG", for the figures).
 *
 * At the start of each cycle from ivig.start_month, a policy's trigger is
 * evaluated on what is known then: the current grade, and the episodes of
 * the past ivig.lookback_months (not counting the cycle about to start).
 * With stop_when_recovered, IVIG is given exactly while the trigger holds;
 * without, from the first cycle it holds until death or the horizon.
 * While on IVIG the infection hazard is multiplied by rate_ratio_all and
 * the serious-infection hazard by rate_ratio_serious (models/infections.h
 * keeps a second table for it). No randomness is involved: a patient's
 * IVIG course follows from their grade and infection history. */
#ifndef IPSIM_IVIG_H
#define IPSIM_IVIG_H

#include <stdbool.h>
#include <stdint.h>

#include "models/module.h"
#include "params/params.h"

enum { IPSIM_IVIG_MAX_THRESHOLD = 16 }; /* schema limit of infections_threshold */

typedef struct ipsim_ivig {
    ipsim_ivig_policy policy;
    int grade_threshold;
    int infections_threshold;
    bool serious_only;
    int64_t lookback_cycles;
    int64_t start_cycle; /* first cycle starting at or after start_month */
    bool stop_when_recovered;
    double grams_per_kg_per_cycle; /* dose x infusions in a cycle */
    double price_per_gram;          /* economics.ivig_price_per_gram */
    double administration_per_cycle; /* infusions in a cycle x economics.ivig_administration_cost */
} ipsim_ivig;

/* One patient's IVIG history: whether on IVIG, and the cycles of the last
 * infections_threshold qualifying episodes (a ring). */
typedef struct ipsim_ivig_state {
    bool on;
    int recorded; /* episodes recorded so far, capped at the ring size */
    int next;     /* ring position of the next episode */
    int32_t episode_cycle[IPSIM_IVIG_MAX_THRESHOLD];
} ipsim_ivig_state;

void ipsim_ivig_init(ipsim_ivig *m, const ipsim_params *p);

/* The cost of a cycle on IVIG at `grams_per_cycle` (the patient's dose):
 * the immunoglobulin and its administration, undiscounted. */
static inline double ipsim_ivig_cost_per_cycle(const ipsim_ivig *m, double grams_per_cycle)
{
    return grams_per_cycle * m->price_per_gram + m->administration_per_cycle;
}

/* A fresh history (not on IVIG, no episodes). */
void ipsim_ivig_state_init(ipsim_ivig_state *s);

/* Whether IVIG is given in the cycle starting now, for a living patient in
 * `grade`; updates s->on. */
bool ipsim_ivig_decide(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int grade);

/* Records this cycle's episodes (all, and serious) in the history. */
void ipsim_ivig_record(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int episodes,
                       int serious);

/* IVIG as a clinical module (models/module.h). Each cycle it applies the
 * policy (ipsim_ivig_decide) and, while on, puts the patient on its rate
 * change (ivig.rate_ratio_all, ivig.rate_ratio_serious) and adds the cost
 * of the patient's dose (ivig.dose_mg_per_kg x weight, every
 * ivig.interval_weeks). After a cycle with episodes it records them for the
 * policy after recurrent infection. Its parameters are the schema's ivig.*
 * section (the PSA can draw them). Active unless ivig.policy is none.
 * Its columns, in this order: */
enum {
    IPSIM_IVIG_COLUMN_MONTHS,          /* patients/ivig_months: months on IVIG */
    IPSIM_IVIG_COLUMN_GRAMS,           /* patients/ivig_grams: grams over the follow-up */
    IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE, /* the patient's dose per cycle on IVIG, as float32 (the
                                        * dose trajectory); not a dataset of its own */
    IPSIM_IVIG_COLUMNS
};
extern const ipsim_module ipsim_ivig_module;

#endif
