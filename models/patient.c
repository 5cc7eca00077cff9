/* models/patient.c: the per-cycle sequence of one patient. */
#include "models/patient.h"

#include <math.h>
#include <string.h>

#include "models/modules.h"

int ipsim_model_init(ipsim_model *m, const ipsim_params *p, ipsim_error *err)
{
    return ipsim_model_init_with(m, p, ipsim_registered_modules, err);
}

/* The parts of a model that refuse parameters, in ipsim_model_init's order
 * up to the levels' tables. */
static int model_parts_that_can_fail(ipsim_model *m, const ipsim_params *p,
                                     const ipsim_module *const *registry, ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    int rc = ipsim_diagnosis_init(&m->diagnosis, p, err);
    if (!rc)
        rc = ipsim_modules_init(&m->modules, registry, p, err);
    if (!rc)
        rc = ipsim_infections_init(&m->infections, p, NULL, err);
    return rc;
}

int ipsim_model_check(ipsim_model *scratch, const ipsim_params *p, ipsim_error *err)
{
    int rc = model_parts_that_can_fail(scratch, p, ipsim_registered_modules, err);
    if (!rc && p->grades.model == IPSIM_GRADE_MODEL_LEVELS)
        rc = ipsim_immunoglobulins_check(p, err);
    if (!rc)
        rc = ipsim_mortality_init(&scratch->mortality, p, err);
    return rc;
}

int ipsim_model_init_with(ipsim_model *m, const ipsim_params *p,
                          const ipsim_module *const *registry, ipsim_error *err)
{
    int rc = model_parts_that_can_fail(m, p, registry, err);
    if (rc)
        return rc;
    ipsim_grades_init(&m->grades, p);
    m->levels = p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
    if (m->levels && (rc = ipsim_immunoglobulins_init(&m->immunoglobulins, p, err)))
        return rc;
    ipsim_pathway_init(&m->pathway, p);
    ipsim_economics_init(&m->economics, p);
    rc = ipsim_mortality_init(&m->mortality, p, err);
    if (rc)
        return rc;
    m->cycles = ipsim_params_cycles(p);
    m->cycle_months = p->cohort.cycle_months;
    m->window_months = p->infection.window_months;
    m->recovery_cycle = ipsim_params_recovery_cycle(p);
    return IPSIM_OK;
}


/* ---- clinical modules (models/module.h) ---------------------------------- */

/* Calls a per-cycle hook (cycle, episodes) of the module in `slot`: by its
 * name for a shipped module (models/modules.h), so that link-time
 * optimisation inlines it into this loop, and through the descriptor for
 * any other (a test's module). */
#define DIRECT_CALL(name, hook, ...)                                                         \
    else if (mod == &ipsim_##name##_module) ipsim_##name##_module_##hook(__VA_ARGS__);
#define CALL_HOT_HOOK(slot, hook, ...)                                                       \
    do {                                                                                     \
        const ipsim_module *mod = (slot)->module;                                            \
        if (0) {                                                                             \
        }                                                                                    \
        IPSIM_SHIPPED_MODULES(DIRECT_CALL_##hook)                                            \
        else mod->hook(__VA_ARGS__);                                                         \
    } while (0)
#define DIRECT_CALL_cycle(name) DIRECT_CALL(name, cycle, slot->tables, state[s], c)
#define DIRECT_CALL_episodes(name)                                                           \
    DIRECT_CALL(name, episodes, slot->tables, state[s], c, episodes, serious)

/* The IgG a module reads under the grade models, which have no levels: a
 * typical polyclonal IgG (g/L) for each grade, none to very severe.
 * Assumption (about the middle of each grade's range under the levels
 * model's defaults). */
static const double placeholder_igg[IPSIM_GRADES] = {8.0, 6.0, 4.5, 3.0, 1.5};

/* A cycle's levels into the rows that are kept; NaN without levels. */
static inline void write_levels(const ipsim_patient_rows *rows, int64_t c,
                                const float level[IPSIM_IG_CLASSES])
{
    for (int k = 0; k < IPSIM_IG_CLASSES; k++)
        if (rows->level[k])
            rows->level[k][c] = level ? level[k] : NAN;
}

typedef unsigned char module_states[IPSIM_MODULES_MAX][IPSIM_MODULE_STATE_MAX];

static void start_modules(const ipsim_modules *mods, module_states state,
                          const ipsim_module_patient *patient)
{
    for (int k = 0; k < mods->active_count; k++) {
        const int s = mods->active[k];
        const ipsim_module_slot *slot = &mods->slots[s];
        memset(state[s], 0, slot->module->state_size);
        if (slot->module->start)
            slot->module->start(slot->tables, state[s], patient);
    }
}

/* Runs the cycle hooks of the active modules in registration order, each
 * one's cost and QALY loss going to the accounts as they come (the order of
 * the sums is part of the result) and its prevention probabilities to
 * prevented[k] (k: its place among the cycling modules). Returns whether
 * any module prevents anything this cycle. */
static bool cycle_modules(const ipsim_modules *mods, module_states state, ipsim_module_cycle *c,
                          double prevented[IPSIM_MODULES_MAX][IPSIM_INFECTION_TYPES],
                          ipsim_economics_state *accounts)
{
    bool any = false;
    for (int k = 0; k < mods->cycling_count; k++) {
        const int s = mods->cycling[k];
        const ipsim_module_slot *slot = &mods->slots[s];
        c->cost = 0;
        c->qaly_loss = 0;
        double *p = c->prevented = prevented[k];
        p[0] = p[1] = p[2] = 0;
        CALL_HOT_HOOK(slot, cycle, slot->tables, state[s], c);
        if (c->cost != 0)
            ipsim_economics_cost(accounts, c->cost);
        if (c->qaly_loss != 0)
            ipsim_economics_qaly_loss(accounts, c->qaly_loss);
        any = any || p[0] > 0 || p[1] > 0 || p[2] > 0;
    }
    return any;
}

/* Whether an episode of `type` is prevented by a module, from the episode's
 * uniform u: module k takes the slice [lo, lo + (1 - lo) p_k) of it, lo
 * being what the modules before it took (so the first takes [0, p)). */
static bool module_prevents(const ipsim_modules *mods, module_states state,
                            double prevented[IPSIM_MODULES_MAX][IPSIM_INFECTION_TYPES], int type,
                            double u)
{
    double lo = 0;
    for (int k = 0; k < mods->cycling_count; k++) {
        const double p = prevented[k][type];
        if (p <= 0)
            continue;
        const double hi = lo + (1 - lo) * p;
        if (u < hi) {
            const int s = mods->cycling[k];
            const ipsim_module_slot *slot = &mods->slots[s];
            if (slot->module->prevented)
                slot->module->prevented(slot->tables, state[s], type);
            return true;
        }
        lo = hi;
    }
    return false;
}

static void count_modules(const ipsim_modules *mods, module_states state,
                          const ipsim_module_cycle *c, int episodes, int serious)
{
    for (int k = 0; k < mods->counting_count; k++) {
        const int s = mods->counting[k];
        const ipsim_module_slot *slot = &mods->slots[s];
        CALL_HOT_HOOK(slot, episodes, slot->tables, state[s], c, episodes, serious);
    }
}

static void finish_modules(const ipsim_modules *mods, module_states state, double *columns)
{
    for (int k = 0; k < mods->active_count; k++) {
        const int s = mods->active[k];
        const ipsim_module_slot *slot = &mods->slots[s];
        if (slot->module->column_count > 0)
            slot->module->finish(slot->tables, state[s], columns + slot->first_column);
    }
}

/* flatten: inline every call, the random draws included (across files,
 * under link-time optimisation); this loop is where ipsim spends its time. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((flatten))
#endif
void ipsim_patient_simulate(const ipsim_model *m, ipsim_stream stream, uint64_t patient,
                            const ipsim_patient_rows *rows, ipsim_patient_record *record)
{
    uint8_t *grade_row = rows->grade, *infection_row = rows->infections, *ivig_row = rows->ivig;
    uint8_t *phase_row = rows->phase;
    memset(record, 0, sizeof *record);
    record->death_month = -1;
    record->first_infection_month = -1;
    record->asct_month = -1;
    record->progression_month = -1;
    record->second_progression_month = -1;
    record->third_progression_month = -1;
    record->no_treatment_month = -1;
    record->lines = 1;
    record->improved_after_induction = -1;
    record->response = IPSIM_RESPONSE_NOT_ASSESSED;

    double u[4], d[4], who_u[4];
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 0, u);
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 1, d);
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 2, who_u);
    const ipsim_diagnosis *diagnosis = &m->diagnosis;
    const int age = ipsim_diagnosis_age(diagnosis, who_u[IPSIM_U_AGE]);
    const int sex = ipsim_diagnosis_sex(diagnosis, who_u[IPSIM_U_SEX]);
    record->age = (uint8_t)age;
    record->sex = (uint8_t)sex;
    const int type = ipsim_diagnosis_type(diagnosis, d[IPSIM_U_MYELOMA_TYPE]);
    const int riss = ipsim_diagnosis_riss(diagnosis, d[IPSIM_U_RISS]);
    /* Under the levels model the levels follow, given the grade (models/
     * immunoglobulins.h), from a draw of their own; after diagnosis the
     * grade follows from them. */
    const bool levels = m->levels;
    const ipsim_immunoglobulins *ig = &m->immunoglobulins;
    ipsim_ig_state immune = {0};
    const int baseline = ipsim_diagnosis_grade(diagnosis, type, riss, u[IPSIM_U_BASELINE_GRADE]);
    if (levels) {
        double v[4];
        ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 3, v);
        ipsim_immunoglobulins_start(ig, type, riss, baseline, v, &immune);
        memcpy(record->level_at_diagnosis, immune.level, sizeof immune.level);
    } else {
        for (int k = 0; k < IPSIM_IG_CLASSES; k++)
            record->level_at_diagnosis[k] = NAN;
    }
    for (int k = 0; k < IPSIM_IG_CLASSES; k++)
        record->level_at_assessment[k] = NAN;
    int grade = baseline;
    record->baseline_grade = (uint8_t)grade;
    record->myeloma_type = (uint8_t)type;
    record->riss = (uint8_t)riss;
    record->weight_kg = (float)ipsim_diagnosis_weight_kg(diagnosis, u[IPSIM_U_WEIGHT]);
    const ipsim_pathway *pathway = &m->pathway;
    ipsim_pathway_state course;
    ipsim_pathway_start(pathway, &course,
                        ipsim_diagnosis_eligible(diagnosis, age, d[IPSIM_U_ELIGIBLE]), d[IPSIM_U_RESPONSE],
                        u[IPSIM_U_PROGRESSION]);
    record->transplant_eligible = course.eligible;
    const ipsim_economics *economics = &m->economics;
    ipsim_economics_state accounts;
    ipsim_economics_start(&accounts);
    /* Clinical modules (models/module.h): only the active ones are called. */
    const ipsim_modules *modules = &m->modules;
    const ipsim_module_patient who = {.stream = stream, .patient = patient,
                                      .baseline_grade = baseline,
                                      .weight_kg = record->weight_kg,
                                      .calendar_u = u[IPSIM_U_CALENDAR_MONTH]};
    _Alignas(max_align_t) module_states module_state;
    double module_prevented[IPSIM_MODULES_MAX][IPSIM_INFECTION_TYPES];
    bool module_thinning = false; /* some module prevents episodes this cycle */
    bool vaccine_failed = false;  /* carried between cycles for the modules */
    if (modules->active_count > 0)
        start_modules(modules, module_state, &who);

    /* Under infection.risk_by: igg the hazard's factor for own IgG, worked
     * out again only when IgG changes band. */
    const bool by_igg = m->infections.by_igg;
    double igg_factor =
        by_igg ? ipsim_infections_igg_factor(&m->infections,
                                             ipsim_immunoglobulins_levels(ig, &immune)[IPSIM_IGG])
               : 1.0;
    /* Without modules or IgG's factor the tables' rates hold every cycle. */
    const bool rates_can_change = modules->active_count > 0 || by_igg;
    const int64_t cycles = m->cycles;
    const bool keep_levels = rows->level[0] || rows->level[1] || rows->level[2];
    float *const level_row[IPSIM_IG_CLASSES] = {rows->level[IPSIM_IGG], rows->level[IPSIM_IGA],
                                                rows->level[IPSIM_IGM]};
    const bool all_level_rows = levels && level_row[IPSIM_IGG] && level_row[IPSIM_IGA] &&
                                level_row[IPSIM_IGM];
    int64_t c = 0;
    int phase = IPSIM_PHASE_INDUCTION;
    int64_t phase_change = 0; /* the next cycle at which the phase is worked out */
    for (; c < cycles; c++) {
        grade_row[c] = (uint8_t)grade;
        if (all_level_rows) {
            /* The common case, spelt out: every patient-cycle passes here. */
            const float *level = ipsim_immunoglobulins_levels(ig, &immune);
            level_row[IPSIM_IGG][c] = level[IPSIM_IGG];
            level_row[IPSIM_IGA][c] = level[IPSIM_IGA];
            level_row[IPSIM_IGM][c] = level[IPSIM_IGM];
        } else if (keep_levels) {
            write_levels(rows, c, levels ? ipsim_immunoglobulins_levels(ig, &immune) : NULL);
        }
        if (c == pathway->induction_end) {
            record->response = (uint8_t)course.response;
            ipsim_pathway_assess(pathway, &course, baseline, grade, c);
            record->improved_after_induction = (int8_t)course.improved;
            if (levels)
                memcpy(record->level_at_assessment, ipsim_immunoglobulins_levels(ig, &immune),
                       sizeof immune.level);
        }
        if (c == pathway->asct_cycle && course.eligible && !course.progressed)
            ipsim_pathway_transplant(pathway, &course, c);
        if (c >= phase_change) {
            phase = ipsim_pathway_phase(pathway, &course, c);
            phase_change = ipsim_pathway_next_change(pathway, &course, c);
        }
        phase_row[c] = (uint8_t)phase;
        ipsim_economics_state_values(economics, &accounts, phase, grade);
        if (c == pathway->asct_cycle && phase == IPSIM_PHASE_TRANSPLANT)
            record->asct_month = (int32_t)(c * m->cycle_months);
        const int64_t month = c * m->cycle_months;
        /* Most scenarios run no module: they skip the modules' bookkeeping
         * (a cycle's record for them is built only when one is active). */
        ipsim_module_cycle mc;
        if (modules->active_count > 0) {
            mc = (ipsim_module_cycle){.patient = &who, .cycle = c, .month = month,
                                      .grade = grade, .phase = phase,
                                      .igg_g_per_l = levels ? ipsim_immunoglobulins_levels(
                                                                  ig, &immune)[IPSIM_IGG]
                                                            : placeholder_igg[grade],
                                      .on_antibiotics = false,
                                      .vaccine_failed = vaccine_failed, .rate_ratio_all = 1.0,
                                      .rate_ratio_serious = 1.0};
            if (modules->cycling_count > 0)
                module_thinning = cycle_modules(modules, module_state, &mc, module_prevented,
                                                &accounts);
            vaccine_failed = mc.vaccine_failed;
        } else {
            mc.ivig_level = 0;
            mc.rate_ratio_all = mc.rate_ratio_serious = 1.0;
        }
        ivig_row[c] = (uint8_t)mc.ivig_level;
        /* A rate a module or own IgG changed is drawn on the fly; the
         * common unchanged one from the tables. IgG's factor scales serious
         * and other episodes alike. */
        if (by_igg) {
            mc.rate_ratio_all *= igg_factor;
            mc.rate_ratio_serious *= igg_factor;
        }
        const bool changed =
            rates_can_change && (mc.rate_ratio_all != 1.0 || mc.rate_ratio_serious != 1.0);
        const double serious_factor =
            !changed ? 1.0 : mc.rate_ratio_all > 0 ? mc.rate_ratio_serious / mc.rate_ratio_all : 0;
        ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_CYCLE, 0, u);

        /* Episodes of the course without the modules; their protection
         * (vaccination's, say) thins them. */
        const int period = ipsim_infections_period(&m->infections, phase, c, pathway->asct_cycle);
        const int drawn =
            changed ? ipsim_infections_count_scaled(&m->infections, period, grade,
                                                    mc.rate_ratio_all, u[IPSIM_U_EPISODES])
                    : ipsim_infections_count(&m->infections, period, grade, false, u[IPSIM_U_EPISODES]);
        int episodes = 0, serious = 0;
        if (drawn > 0) {
            for (int e = 0; e < drawn; e++) {
                double v[4];
                ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_EPISODE,
                                   (uint64_t)e, v);
                int type = ipsim_infections_type(&m->infections, v[IPSIM_U_TYPE]);
                if (module_thinning &&
                    module_prevents(modules, module_state, module_prevented, type,
                                    v[IPSIM_U_PREVENTED])) {
                    record->prevented[type]++;
                    continue;
                }
                episodes++;
                if (modules->active_count > 0)
                    mc.type_episodes[type]++;
                record->episodes[grade][type]++;
                const bool grave =
                    changed ? ipsim_infections_serious_scaled(&m->infections, grade,
                                                              serious_factor, v[IPSIM_U_SERIOUS])
                            : ipsim_infections_serious(&m->infections, grade, false, v[IPSIM_U_SERIOUS]);
                if (grave) {
                    serious++;
                    if (modules->active_count > 0)
                        mc.type_serious[type]++;
                    record->serious[grade]++;
                }
                ipsim_economics_episode(economics, &accounts, grave, type);
            }
            if (episodes > 0 && record->first_infection_month < 0)
                record->first_infection_month = (int32_t)month;
        }
        infection_row[c] = (uint8_t)episodes;

        if (modules->counting_count > 0 && episodes > 0)
            count_modules(modules, module_state, &mc, episodes, serious);
        const double other = ipsim_mortality_other_survival(&m->mortality, sex, age, month);
        ipsim_death_cause cause = ipsim_mortality_draw(&m->mortality, serious, other, phase,
                                                       u[IPSIM_U_INFECTION_DEATH], u[IPSIM_U_OTHER_DEATH]);
        if (cause != IPSIM_ALIVE) {
            record->death_cause = (uint8_t)cause;
            record->death_month = (int32_t)((c + 1) * m->cycle_months);
            c++;
            break;
        }
        if (c == course.progression_cycle) {
            const int32_t end = (int32_t)((c + 1) * m->cycle_months);
            int32_t *months[3] = {&record->progression_month, &record->second_progression_month,
                                  &record->third_progression_month};
            if (course.line <= 3)
                *months[course.line - 1] = end;
            double v[4];
            ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_LINE, 0, v);
            ipsim_pathway_progress(pathway, &course, c, v[IPSIM_U_TREATED], v[IPSIM_U_LINE_THRESHOLD]);
            if (course.treated)
                record->lines = (uint8_t)(course.line < 255 ? course.line : 255);
            else
                record->no_treatment_month = end;
            phase_change = c + 1;
        }
        if (levels) {
            if (ipsim_immunoglobulins_step(ig, phase, course.response, &immune, u[IPSIM_U_GRADE])) {
                grade = ipsim_immunoglobulins_grade(ig, &immune);
                if (by_igg && (immune.stale & (1u << IPSIM_IGG)))
                    igg_factor = ipsim_infections_igg_factor(
                        &m->infections, ipsim_immunoglobulins_levels(ig, &immune)[IPSIM_IGG]);
            }
        } else {
            grade = ipsim_grades_step(&m->grades, phase, course.response, grade, u[IPSIM_U_GRADE]);
        }
        ipsim_economics_next_cycle(economics, &accounts);
    }
    /* Row entry `cycles` is the horizon: the state reached, no new episodes. */
    if (record->death_month < 0) {
        if (cycles == pathway->induction_end) {
            record->response = (uint8_t)course.response;
            ipsim_pathway_assess(pathway, &course, baseline, grade, cycles);
            record->improved_after_induction = (int8_t)course.improved;
            if (levels)
                memcpy(record->level_at_assessment, ipsim_immunoglobulins_levels(ig, &immune),
                       sizeof immune.level);
        }
        grade_row[cycles] = (uint8_t)grade;
        write_levels(rows, cycles, levels ? ipsim_immunoglobulins_levels(ig, &immune) : NULL);
        infection_row[cycles] = 0;
        ivig_row[cycles] = 0;
        phase_row[cycles] = (uint8_t)ipsim_pathway_phase(pathway, &course, cycles);
        ipsim_economics_finish(economics, &accounts, IPSIM_PHASE_INDUCTION, baseline, true,
                               phase_row[cycles], grade);
    } else {
        ipsim_economics_finish(economics, &accounts, IPSIM_PHASE_INDUCTION, baseline, false, 0,
                               0);
        memset(grade_row + c, IPSIM_STATE_DEAD, (size_t)(cycles + 1 - c));
        memset(infection_row + c, 0, (size_t)(cycles + 1 - c));
        memset(ivig_row + c, 0, (size_t)(cycles + 1 - c));
        memset(phase_row + c, IPSIM_PHASE_DEAD, (size_t)(cycles + 1 - c));
        for (int k = 0; k < IPSIM_IG_CLASSES; k++) {
            float *level = rows->level[k];
            if (level)
                for (int64_t j = c; j <= cycles; j++)
                    level[j] = NAN;
        }
    }
    record->outcomes = accounts.total;
    if (modules->active_count > 0)
        finish_modules(modules, module_state, record->module_columns);
}
