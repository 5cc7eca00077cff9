/* models/patient.h: one patient's course from diagnosis to the horizon.
 *
 * The whole clinical model is an ipsim_model: every module's tables, built
 * once from a parameter set. ipsim_patient_simulate then runs one patient
 * through every cycle. At diagnosis the patient gets an age and a sex, a
 * myeloma type, an R-ISS stage, a grade, transplant eligibility and a body
 * weight (models/diagnosis.h), and a place on the treatment pathway
 * (response to come, progression threshold: models/pathway.h). Within a
 * cycle, a living patient in grade g and phase f:
 *   0. at the end of induction, has response and IP improvement assessed;
 *      at the ASCT month, if eligible and still on the first line, ASCT;
 *   1. goes through the clinical modules (models/module.h), in registry
 *      order: antibiotic prophylaxis (models/antibiotics.h), with its cost,
 *      its adverse events and its protection; IVIG by its policy
 *      (models/ivig.h), with its cost, its infusion reactions and its
 *      trough-dependent rate ratios; vaccination (models/vaccination.h),
 *      with its doses and its protection;
 *   2. has Poisson(lambda_g RR c) infection episodes (RR: the infection
 *      period's ratio, times the modules' rate ratio), each typed,
 *      prevented by a module's protection or not, and marked serious or not
 *      (models/infections.h);
 *   3. may die, of a serious episode, of other causes (the life table) or
 *      of myeloma (the phase's excess hazard) (models/mortality.h);
 *   4. if alive, may progress (to the next line, or to no further
 *      treatment), and moves to next cycle's grade by the phase's and
 *      response's transition probabilities (models/grades.h).
 * Costs and QALYs accrue along the way (models/economics.h).
 * All randomness comes from counter-based streams at coordinates (patient,
 * cycle, purpose), so a patient's course is the same whatever the thread,
 * the block or the size of the cohort. */
#ifndef IPSIM_PATIENT_H
#define IPSIM_PATIENT_H

#include <stdint.h>

#include "base/error.h"
#include "base/rng.h"
#include "models/diagnosis.h"
#include "models/economics.h"
#include "models/grades.h"
#include "models/immunoglobulins.h"
#include "models/infections.h"
#include "models/ivig.h"
#include "models/module.h"
#include "models/mortality.h"
#include "models/pathway.h"
#include "models/vaccination.h"
#include "params/params.h"

typedef struct ipsim_model {
    ipsim_diagnosis diagnosis;
    ipsim_grades grades;
    ipsim_immunoglobulins immunoglobulins; /* grades.model: levels */
    bool levels;                           /* the grade comes from the levels */
    ipsim_infections infections;
    ipsim_mortality mortality;
    ipsim_pathway pathway;
    ipsim_economics economics;
    ipsim_modules modules; /* the registered clinical modules (models/module.h) */
    int64_t cycles;       /* cycles simulated: horizon / cycle length */
    int64_t cycle_months; /* months per cycle */
    int64_t window_months; /* infection window, for summaries */
    int64_t recovery_cycle; /* ASCT month + 12, for summaries; -1 beyond the horizon */
} ipsim_model;

/* Builds every module from a validated parameter set, with the registered
 * clinical modules (ipsim_registered_modules). Errors: IPSIM_EPARAM for
 * values that pass the schema but not a module's own limits. */
int ipsim_model_init(ipsim_model *m, const ipsim_params *p, ipsim_error *err);

/* The same with another NULL-terminated list of clinical modules (a test's
 * own, say). */
int ipsim_model_init_with(ipsim_model *m, const ipsim_params *p,
                          const ipsim_module *const *registry, ipsim_error *err);

/* Whether ipsim_model_init would accept p, with the same error if not, but
 * without building the immunoglobulin levels' tables, which cannot fail and
 * cost the most: what a PSA's up-front check of every draw needs. scratch
 * is left partly built (not a model to run). */
int ipsim_model_check(ipsim_model *scratch, const ipsim_params *p, ipsim_error *err);

/* What one patient's course left behind, besides the monthly rows. */
typedef struct ipsim_patient_record {
    int32_t death_month;           /* first month recorded dead; -1 alive at the horizon */
    int32_t first_infection_month; /* start of the cycle of the first episode; -1 none */
    uint32_t episodes[IPSIM_GRADES][IPSIM_INFECTION_TYPES]; /* by grade at onset, type */
    uint32_t serious[IPSIM_GRADES];                         /* serious episodes by grade */
    uint32_t prevented[IPSIM_INFECTION_TYPES]; /* episodes the modules prevented, by type */
    ipsim_outcomes outcomes; /* costs, QALYs, life-years (models/economics.h) */
    float weight_kg;     /* body weight at diagnosis */
    int32_t asct_month;  /* month of ASCT; -1 none */
    /* End of the cycle of the first, second and third progression (the end
     * of the first, second and third line); -1 none before death or the
     * horizon. */
    int32_t progression_month;
    int32_t second_progression_month;
    int32_t third_progression_month;
    int32_t no_treatment_month; /* from when no further treatment is given; -1 never */
    uint8_t age;          /* whole years at diagnosis */
    uint8_t sex;          /* ipsim_sex */
    uint8_t lines;        /* lines of therapy begun: 1, 2, ... (capped at 255) */
    uint8_t baseline_grade;
    uint8_t death_cause;  /* ipsim_death_cause */
    uint8_t myeloma_type; /* ipsim_myeloma_type */
    uint8_t riss;         /* R-ISS stage - 1 */
    uint8_t transplant_eligible;
    uint8_t response;     /* ipsim_response; NOT_ASSESSED if dead before the end of induction */
    int8_t improved_after_induction; /* 1, 0; -1 no IP at diagnosis or not assessed */
    /* Polyclonal IgG, IgA, IgM (g/L) at diagnosis and at the end of
     * induction (NaN without the levels model, or dead before it). */
    float level_at_diagnosis[IPSIM_IG_CLASSES];
    float level_at_assessment[IPSIM_IG_CLASSES];
    /* The clinical modules' per-patient columns, in the model's column order
     * (ipsim_modules_column); 0 for an inactive module. */
    double module_columns[IPSIM_MODULE_COLUMNS_MAX];
} ipsim_patient_record;

/* One patient's monthly rows, cycles + 1 entries each (one per cycle
 * start, then the horizon). */
typedef struct ipsim_patient_rows {
    uint8_t *grade;      /* state at the start of each cycle; IPSIM_STATE_DEAD once dead */
    uint8_t *infections; /* episodes that began in each cycle (the horizon's entry is 0) */
    uint8_t *ivig;       /* IVIG's dose level in each cycle, 0 if none (models/ivig.h:
                          * ipsim_ivig_level_grams; the horizon's entry is 0) */
    uint8_t *phase;      /* ipsim_phase in each cycle; IPSIM_PHASE_DEAD once dead */
    /* Polyclonal IgG, IgA, IgM (g/L) at the start of each cycle; NaN once
     * dead or without the levels model. Each may be NULL (not kept). */
    float *level[IPSIM_IG_CLASSES];
} ipsim_patient_rows;

/* Where each uniform sits in the blocks of four a patient draws (base/rng.h:
 * one block per patient, cycle, purpose and draw). Fixed: changing one
 * changes every result. The bare kernel (benchmarks/bare_chain.h) draws the
 * same blocks. At diagnosis (IPSIM_PURPOSE_BASELINE) draws 0, 1 and 2 (and
 * 3, the levels', under the levels model): */
enum { IPSIM_U_BASELINE_GRADE = 0, IPSIM_U_WEIGHT = 1, IPSIM_U_CALENDAR_MONTH = 2,
       IPSIM_U_PROGRESSION = 3 };
enum { IPSIM_U_MYELOMA_TYPE = 0, IPSIM_U_RISS = 1, IPSIM_U_ELIGIBLE = 2, IPSIM_U_RESPONSE = 3 };
enum { IPSIM_U_AGE = 0, IPSIM_U_SEX = 1 };
/* At a progression (IPSIM_PURPOSE_LINE): */
enum { IPSIM_U_TREATED = 0, IPSIM_U_LINE_THRESHOLD = 1 };
/* Every patient-cycle (IPSIM_PURPOSE_CYCLE): */
enum { IPSIM_U_EPISODES = 0, IPSIM_U_INFECTION_DEATH = 1, IPSIM_U_OTHER_DEATH = 2,
       IPSIM_U_GRADE = 3 };
/* Every episode (IPSIM_PURPOSE_EPISODE, draw e for the cycle's e-th): */
enum { IPSIM_U_TYPE = 0, IPSIM_U_SERIOUS = 1, IPSIM_U_PREVENTED = 2 };

/* Simulates patient `patient` of the replicate whose stream is given,
 * filling the rows and the record. Cannot fail and allocates nothing. */
void ipsim_patient_simulate(const ipsim_model *m, ipsim_stream stream, uint64_t patient,
                            const ipsim_patient_rows *rows, ipsim_patient_record *record);

#endif
