/* models/ivig.h: immunoglobulin replacement as a drug with a dose: who gets
 * it, how much, by which route, what it does to the IgG trough and through
 * it to infections, and its infusion reactions (docs/model.md, "IVIG and
 * SCIG"; docs/sources.md for the figures).
 *
 * Who. At the start of each cycle from ivig.start_month a policy's trigger
 * is evaluated on what is known then: the grade, the patient's own
 * polyclonal IgG (ipsim_module_cycle.igg_g_per_l: excluding paraprotein and
 * given immunoglobulin), and the qualifying episodes of the past
 * ivig.lookback_months (not counting the cycle about to start; bacterial
 * only with ivig.bacterial_only; only those begun on antibiotic prophylaxis
 * with ivig.require_antibiotics). With ivig.require_vaccine_failure no
 * course starts unless the patient's pneumococcal vaccine has failed to
 * take (ipsim_module_cycle.vaccine_failed, set by vaccination). The grade and infection policies behave
 * as before: with stop_when_recovered IVIG is given exactly while the
 * trigger holds. The IgG policies (igg, igg_and_infections as NHS England's
 * 2018/19 criteria, igg_or_infections) start a course when the trigger holds
 * and review it every ivig.review_months on IVIG: with stop_when_recovered
 * it stops when own IgG is back at or above the threshold; with
 * stop_without_benefit when the qualifying episodes since the last review
 * are no fewer than in the lookback before the start. A stopped course
 * forgets its episodes: a new one needs new qualifying episodes.
 *
 * How much. The dose per infusion is one of the dose levels: the levels are
 * ivig.dose_min_mg_per_kg + k x ivig.dose_step_mg_per_kg up to
 * ivig.dose_max_mg_per_kg with ivig.titrate (level 1 the lowest), and the
 * one level ivig.dose_mg_per_kg without. Infusions come every
 * ivig.interval_weeks; a cycle's grams, cost and administration count the
 * infusions spread evenly (cycle days / interval days of them). With
 * titration, every ivig.titration_months on IVIG the last trough is
 * compared with ivig.trough_target_g_per_l: outside the tolerance, the dose
 * moves by the whole number of steps whose steady-state trough rise is
 * nearest the gap (at least one), within the levels.
 *
 * The trough. A dose D mg/kg every interval raises the steady-state trough
 * by R = r x D x (28 days / interval) / 100 g/L (r:
 * ivig.trough_rise_per_100_mg_per_kg, times ivig.scig_trough_factor for
 * SCIG). The rise builds up and decays with the half-life h: over a cycle
 * of T days, rise' = rise x q + R x (1 - q) on IVIG and rise x q off it,
 * q = 2^(-T/h); from 0 on a constant dose, rise = R (1 - q^n) after n
 * cycles. A rise below 0.01 g/L after stopping counts as gone. The trough
 * at the cycle's end is own IgG + rise.
 *
 * What it does. The effective rise is min(trough, P) - min(own, P) (P:
 * ivig.effect_plateau_g_per_l); the cycle's infection rate ratio is
 * RR_all^(effective rise / R_ref), and the serious one RR_serious^(...):
 * log-linear in the trough (Lee 2020, Orange 2010) and anchored at the
 * trials' rate ratios (ivig.rate_ratio_all, ivig.rate_ratio_serious) at
 * the reference regimen's steady-state rise R_ref (ivig.reference_dose_
 * mg_per_kg every 4 weeks). The module multiplies the cycle's rate ratios
 * (models/module.h) by these.
 *
 * Reactions. Each infusion actually given (the schedule of whole infusions
 * from the course's start) has a reaction with ivig.reaction_probability
 * (ivig.scig_reaction_probability for SCIG), each costing
 * economics.ig_reaction_cost and economics.ig_reaction_qalys. */
#ifndef IPSIM_IVIG_H
#define IPSIM_IVIG_H

#include <stdbool.h>
#include <stdint.h>

#include "models/module.h"
#include "params/params.h"

enum { IPSIM_IVIG_MAX_THRESHOLD = 16 }; /* schema limit of infections_threshold */

/* A rise below this (g/L) after stopping counts as gone. */
#define IPSIM_IVIG_RISE_GONE_G_PER_L 0.01

typedef struct ipsim_ivig {
    ipsim_ivig_policy policy;
    int grade_threshold;
    int infections_threshold;
    bool serious_only, bacterial_only, serious_qualifies, require_antibiotics;
    bool require_vaccine_failure;
    bool stop_when_recovered, stop_without_benefit, titrate;
    int64_t lookback_cycles;
    int64_t start_cycle; /* first cycle starting at or after start_month */
    int64_t review_cycles, titration_cycles;
    double igg_threshold; /* g/L */
    /* Dose levels: level k >= 1 gives first_dose + (k - 1) step mg/kg per infusion. */
    int levels, start_level;
    double first_dose_mg_per_kg, step_mg_per_kg;
    double infusions_per_cycle; /* cycle days / interval days */
    double cycle_days, interval_days;
    double price_per_gram;           /* the route's */
    double administration_per_cycle; /* infusions in a cycle x the route's cost per infusion */
    double reaction_probability, reaction_cost, reaction_qalys;
    /* Trough and effect. */
    double rise_per_mg_per_kg; /* steady-state trough rise per mg/kg per infusion, g/L */
    double decay;              /* of the rise over one cycle */
    double reference_rise;     /* R_ref, g/L */
    double plateau, target, tolerance; /* g/L */
    double rate_ratio_all, rate_ratio_serious;
    double log_ratio_per_g_per_l[2]; /* ln RR / R_ref: all, serious (-inf for a ratio of 0) */
} ipsim_ivig;

/* One patient's IVIG history: whether on IVIG, the current course, and the
 * cycles of the last infections_threshold qualifying episodes (a ring). */
typedef struct ipsim_ivig_state {
    bool on;
    uint8_t recorded; /* episodes recorded so far, capped at the ring size */
    uint8_t next;     /* ring position of the next episode */
    uint8_t level;    /* the dose level of the course (1..levels) */
    int16_t episode_cycle[IPSIM_IVIG_MAX_THRESHOLD];
    int16_t serious_cycle; /* of the last serious qualifying episode; -32768 none */
    int16_t course_cycles; /* cycles on IVIG in the current course */
    int16_t before;        /* qualifying episodes in the lookback before the course */
    int16_t since_review;  /* qualifying episodes since the last review */
    double rise;           /* trough rise from given immunoglobulin, g/L */
    double trough;         /* at the end of the last cycle on IVIG, g/L */
} ipsim_ivig_state;

void ipsim_ivig_init(ipsim_ivig *m, const ipsim_params *p);

/* The dose of a level (1..levels), mg/kg per infusion. */
static inline double ipsim_ivig_level_dose(const ipsim_ivig *m, int level)
{
    return m->first_dose_mg_per_kg + (level - 1) * m->step_mg_per_kg;
}

/* Grams in a cycle at a level, for a patient of weight_kg. */
static inline double ipsim_ivig_level_grams(const ipsim_ivig *m, double weight_kg, int level)
{
    return weight_kg * ipsim_ivig_level_dose(m, level) / 1000.0 * m->infusions_per_cycle;
}

/* The cost of a cycle on IVIG at `grams_per_cycle` (the patient's dose):
 * the immunoglobulin and its administration, undiscounted. */
static inline double ipsim_ivig_cost_per_cycle(const ipsim_ivig *m, double grams_per_cycle)
{
    return grams_per_cycle * m->price_per_gram + m->administration_per_cycle;
}

/* The steady-state trough rise of a level, g/L. */
static inline double ipsim_ivig_steady_rise(const ipsim_ivig *m, int level)
{
    return m->rise_per_mg_per_kg * ipsim_ivig_level_dose(m, level);
}

/* The trough rise (g/L) after a cycle at dose `level` (0: off IVIG) from
 * `rise` before it: the module's own update, and how the summary follows
 * the IgG trough from the dose trajectory (output/summary.h). */
static inline double ipsim_ivig_rise_after(const ipsim_ivig *m, double rise, int level)
{
    if (level > 0)
        return rise * m->decay + ipsim_ivig_steady_rise(m, level) * (1 - m->decay);
    rise *= m->decay;
    /* Below what an assay resolves: the patient is back on the tabulated
     * rates. */
    return rise < IPSIM_IVIG_RISE_GONE_G_PER_L ? 0 : rise;
}

/* The rate ratio `rr_reference` (at the reference regimen's rise) becomes
 * at a trough rise of `rise` g/L over own IgG `own` g/L (the plateau
 * applied). */
double ipsim_ivig_rate_ratio(const ipsim_ivig *m, double rr_reference, double own, double rise);

/* A fresh history (not on IVIG, no episodes). */
void ipsim_ivig_state_init(const ipsim_ivig *m, ipsim_ivig_state *s);

/* Whether IVIG is given in the cycle starting now, for a living patient in
 * `grade` whose own IgG is igg_g_per_l; updates s (starts, reviews and
 * stops courses). */
bool ipsim_ivig_decide(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int grade,
                       double igg_g_per_l);

/* Records this cycle's qualifying episodes (all, and serious) in the
 * history. */
void ipsim_ivig_record(const ipsim_ivig *m, ipsim_ivig_state *s, int64_t cycle, int episodes,
                       int serious);

/* Titration at a course's measurement (a no-op otherwise): moves s->level
 * towards the target from the last trough. */
void ipsim_ivig_titrate(const ipsim_ivig *m, ipsim_ivig_state *s);

/* IVIG as a clinical module (models/module.h): each cycle it applies the
 * policy, titrates, gives the dose (its cost, its infusions' reactions with
 * their cost and QALY loss), updates the trough and multiplies the cycle's
 * rate ratios; after a cycle with episodes it records the qualifying ones.
 * Its parameters are the schema's ivig.* section (the PSA can draw them).
 * Active unless ivig.policy is none. Its columns, in this order: */
enum {
    IPSIM_IVIG_COLUMN_MONTHS,       /* patients/ivig_months: months on IVIG */
    IPSIM_IVIG_COLUMN_GRAMS,        /* patients/ivig_grams: grams over the follow-up */
    IPSIM_IVIG_COLUMN_INFUSIONS,    /* patients/ivig_infusions */
    IPSIM_IVIG_COLUMN_REACTIONS,    /* patients/ivig_reactions */
    IPSIM_IVIG_COLUMN_MEAN_TROUGH,  /* patients/ivig_mean_trough: g/L over cycles on; 0 never */
    IPSIM_IVIG_COLUMN_FINAL_DOSE,   /* patients/ivig_final_dose: mg/kg per infusion; 0 never */
    IPSIM_IVIG_COLUMN_TROUGH_6_MONTHS, /* patients/ivig_trough_6_months: g/L; 0 if never 6 months on */
    /* The patient's grams per cycle at level 1, and per level above it, as
     * float32 (the ivig dose trajectory reads them with the level row); not
     * datasets of their own. */
    IPSIM_IVIG_COLUMN_GRAMS_PER_CYCLE,
    IPSIM_IVIG_COLUMN_GRAMS_PER_LEVEL,
    IPSIM_IVIG_COLUMNS
};
extern const ipsim_module ipsim_ivig_module;

/* The IVIG tables a model's modules were built with, or NULL when no policy
 * gives IVIG (the module inactive). */
const ipsim_ivig *ipsim_ivig_of_modules(const ipsim_modules *modules);

#endif
