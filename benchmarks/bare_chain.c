/* benchmarks/bare_chain.c: models/patient.c's chain and nothing else. Keep
 * the order of the draws and decisions the engine's (the test compares
 * them patient by patient); leave out anything that does not decide what
 * is drawn next. */
#include "benchmarks/bare_chain.h"

#include <stdbool.h>
#include <stdio.h>

#include "params/loader.h"

int ipsim_bare_chain_check(const ipsim_model *m, ipsim_error *err)
{
    if (m->modules.active_count > 0)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "the bare kernel follows the chain without clinical modules; %d "
                          "module(s) are active in this scenario",
                          m->modules.active_count);
    if (m->infections.by_igg)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "the bare kernel follows infection risk by grade, not "
                          "infection.risk_by: igg");
    return IPSIM_OK;
}

int ipsim_bare_chain_model(const char *program, const char *path, const char *months,
                           ipsim_params *params, ipsim_model *model)
{
    char horizon[64];
    snprintf(horizon, sizeof horizon, "cohort.horizon_months=%s", months);
    const char *overrides[] = {horizon};
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_params_resolve(params, path, overrides, 1, &err) ||
        ipsim_model_init(model, params, &err) || ipsim_bare_chain_check(model, &err)) {
        char message[1024];
        ipsim_error_format(&err, message, sizeof message);
        fprintf(stderr, "%s: %s\n", program, message);
        return err.code;
    }
    return IPSIM_OK;
}

/* flatten, as the engine's loop is: every call inlined, the draws too. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((flatten))
#endif
int64_t ipsim_bare_chain_patient(const ipsim_model *m, ipsim_stream stream, uint64_t patient,
                                 uint8_t *row)
{
    double u[4], d[4], who[4];
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 0, u);
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 1, d);
    ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 2, who);
    const ipsim_diagnosis *diagnosis = &m->diagnosis;
    const int age = ipsim_diagnosis_age(diagnosis, who[IPSIM_U_AGE]);
    const int sex = ipsim_diagnosis_sex(diagnosis, who[IPSIM_U_SEX]);
    const int type = ipsim_diagnosis_type(diagnosis, d[IPSIM_U_MYELOMA_TYPE]);
    const int riss = ipsim_diagnosis_riss(diagnosis, d[IPSIM_U_RISS]);
    const int baseline = ipsim_diagnosis_grade(diagnosis, type, riss, u[IPSIM_U_BASELINE_GRADE]);
    const bool levels = m->levels;
    const ipsim_immunoglobulins *ig = &m->immunoglobulins;
    ipsim_ig_state immune = {0};
    if (levels) {
        double v[4];
        ipsim_rng_uniform4(stream, patient, 0, IPSIM_PURPOSE_BASELINE, 3, v);
        ipsim_immunoglobulins_start(ig, type, riss, baseline, v, &immune);
    }
    int grade = baseline;
    const ipsim_pathway *pathway = &m->pathway;
    ipsim_pathway_state course;
    ipsim_pathway_start(pathway, &course,
                        ipsim_diagnosis_eligible(diagnosis, age, d[IPSIM_U_ELIGIBLE]),
                        d[IPSIM_U_RESPONSE], u[IPSIM_U_PROGRESSION]);
    const ipsim_infections *infections = &m->infections;
    const int64_t cycles = m->cycles;
    int phase = IPSIM_PHASE_INDUCTION;
    int64_t phase_change = 0;
    for (int64_t c = 0; c < cycles; c++) {
        row[c] = (uint8_t)grade;
        if (c == pathway->induction_end)
            ipsim_pathway_assess(pathway, &course, baseline, grade, c);
        if (c == pathway->asct_cycle && course.eligible && !course.progressed)
            ipsim_pathway_transplant(pathway, &course, c);
        if (c >= phase_change) {
            phase = ipsim_pathway_phase(pathway, &course, c);
            phase_change = ipsim_pathway_next_change(pathway, &course, c);
        }
        ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_CYCLE, 0, u);
        const int period = ipsim_infections_period(infections, phase, c, pathway->asct_cycle);
        const int episodes = ipsim_infections_count(infections, period, grade, false,
                                                    u[IPSIM_U_EPISODES]);
        int serious = 0;
        for (int e = 0; e < episodes; e++) {
            double v[4];
            ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_EPISODE, (uint64_t)e,
                               v);
            serious += ipsim_infections_serious(infections, grade, false, v[IPSIM_U_SERIOUS]);
        }
        const double other = ipsim_mortality_other_survival(&m->mortality, sex, age,
                                                            c * m->cycle_months);
        if (ipsim_mortality_draw(&m->mortality, serious, other, phase,
                                 u[IPSIM_U_INFECTION_DEATH],
                                 u[IPSIM_U_OTHER_DEATH]) != IPSIM_ALIVE) {
            row[c + 1] = IPSIM_STATE_DEAD;
            return c + 1;
        }
        if (c == course.progression_cycle) {
            double v[4];
            ipsim_rng_uniform4(stream, patient, (uint64_t)c, IPSIM_PURPOSE_LINE, 0, v);
            ipsim_pathway_progress(pathway, &course, c, v[IPSIM_U_TREATED],
                                   v[IPSIM_U_LINE_THRESHOLD]);
            phase_change = c + 1;
        }
        if (levels) {
            if (ipsim_immunoglobulins_step(ig, phase, course.response, &immune,
                                           u[IPSIM_U_GRADE]))
                grade = ipsim_immunoglobulins_grade(ig, &immune);
        } else {
            grade = ipsim_grades_step(&m->grades, phase, course.response, grade,
                                      u[IPSIM_U_GRADE]);
        }
    }
    row[cycles] = (uint8_t)grade;
    return cycles;
}
