/* models/expected.c: a Markov trace of the patient model (see the header). */
#include "models/expected.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/diagnosis.h"
#include "models/infections.h"
#include "models/grades.h"
#include "models/mortality.h"
#include "models/pathway.h"

/* Progression: not yet; before the ASCT cycle (so no ASCT); at or after it. */
enum { PROG_NONE, PROG_BEFORE_ASCT, PROG_AFTER, PROG_STATES };
/* IP improvement at the end of induction: not yet assessed; not improved;
 * improved, or no IP at diagnosis (both progress at the lower hazard). */
enum { IMP_UNASSESSED, IMP_NOT, IMP_YES, IMP_STATES };

#define STATES (IPSIM_GRADES * PROG_STATES * IMP_STATES * 2)
#define AT(g, prog, imp, w) ((((g)*PROG_STATES + (prog)) * IMP_STATES + (imp)) * 2 + (w))

/* Everything a group's trace needs, built once. */
typedef struct trace_model {
    ipsim_grades grades;
    ipsim_pathway pathway;
    ipsim_mortality mortality;
    double mean[IPSIM_PHASES][IPSIM_GRADES]; /* expected episodes per cycle */
    double serious_share[IPSIM_GRADES];
    double case_fatality;
    int64_t cycles, cycle_months, window_months, recovery_row;
} trace_model;

/* Weighted sums over every group, turned into the results at the end. */
typedef struct tallies {
    double infected[IPSIM_GRADES], patients[IPSIM_GRADES];
    double serious[IPSIM_GRADES], person_months[IPSIM_GRADES];
    double cr_assessed, cr_improved;
    double recovery_alive[2], recovery_none[2];
    double pfs_group[2];
    double *pfs_free[2]; /* [rows] */
} tallies;

static void trace_group(const trace_model *m, int baseline, int response, bool eligible,
                        double weight, tallies *t, double *mass, double *next)
{
    memset(mass, 0, STATES * sizeof *mass);
    mass[AT(baseline, PROG_NONE, IMP_UNASSESSED, 0)] = 1.0;
    t->patients[baseline] += weight;
    const ipsim_pathway *pw = &m->pathway;
    const double cycle = (double)m->cycle_months;
    const double survive_background = 1.0 - m->mortality.background_per_cycle;

    for (int64_t c = 0; c <= m->cycles; c++) {
        /* The start of row c: assessments, then the figures read here. */
        if (c == pw->induction_end) {
            for (int g = 0; g < IPSIM_GRADES; g++)
                for (int prog = 0; prog < PROG_STATES; prog++)
                    for (int w = 0; w < 2; w++) {
                        double *from = &mass[AT(g, prog, IMP_UNASSESSED, w)];
                        int to = baseline > IPSIM_GRADE_NONE && g >= baseline ? IMP_NOT : IMP_YES;
                        mass[AT(g, prog, to, w)] += *from;
                        if (baseline > IPSIM_GRADE_NONE) {
                            t->pfs_group[to == IMP_YES] += weight * *from;
                            if (response == IPSIM_RESPONSE_CR) {
                                t->cr_assessed += weight * *from;
                                t->cr_improved += to == IMP_YES ? weight * *from : 0;
                            }
                        }
                        *from = 0;
                    }
        }
        if (c >= pw->induction_end && baseline > IPSIM_GRADE_NONE)
            for (int g = 0; g < IPSIM_GRADES; g++)
                for (int imp = IMP_NOT; imp <= IMP_YES; imp++)
                    for (int w = 0; w < 2; w++)
                        t->pfs_free[imp == IMP_YES][c] += weight * mass[AT(g, PROG_NONE, imp, w)];
        if (c == m->recovery_row && response == IPSIM_RESPONSE_CR && baseline > IPSIM_GRADE_NONE)
            for (int g = 0; g < IPSIM_GRADES; g++)
                for (int prog = 0; prog < PROG_STATES; prog++)
                    for (int imp = 0; imp < IMP_STATES; imp++)
                        for (int w = 0; w < 2; w++) {
                            int asct = eligible && prog != PROG_BEFORE_ASCT;
                            double here = weight * mass[AT(g, prog, imp, w)];
                            t->recovery_alive[asct] += here;
                            t->recovery_none[asct] += g == IPSIM_GRADE_NONE ? here : 0;
                        }
        if (c == m->cycles)
            break;

        /* The cycle: episodes, deaths, progression, then the grade step. */
        memset(next, 0, STATES * sizeof *next);
        const bool in_window = c * m->cycle_months < m->window_months;
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int prog = 0; prog < PROG_STATES; prog++)
                for (int imp = 0; imp < IMP_STATES; imp++)
                    for (int w = 0; w < 2; w++) {
                        const double here = mass[AT(g, prog, imp, w)];
                        if (here == 0)
                            continue;
                        ipsim_pathway_state where = {.eligible = eligible,
                                                     .progressed = prog != PROG_NONE};
                        const int phase = ipsim_pathway_phase(pw, &where, c);
                        const double mu = m->mean[phase][g];
                        const double none = exp(-mu);
                        const double no_death = exp(-mu * m->serious_share[g] * m->case_fatality);
                        if (in_window && w == 0)
                            t->infected[baseline] += weight * here * (1 - none);
                        t->serious[g] += weight * here * mu * m->serious_share[g];
                        t->person_months[g] += weight * here * cycle;

                        /* Survivors without and with an episode this cycle. */
                        const double alive[2] = {here * none * survive_background,
                                                 here * (no_death - none) * survive_background};
                        double progress = 0;
                        if (prog == PROG_NONE) {
                            bool lower = c >= pw->induction_end && imp == IMP_YES;
                            progress = -expm1(-pw->progression_per_cycle[lower]);
                        }
                        const int progressed_to =
                            eligible && c < pw->asct_cycle ? PROG_BEFORE_ASCT : PROG_AFTER;
                        const double *step = m->grades.step_matrix[phase][response][g];
                        for (int episode = 0; episode < 2; episode++) {
                            const int w_next = episode && in_window ? 1 : w;
                            const double stay = alive[episode] * (1 - progress);
                            const double moved = alive[episode] * progress;
                            for (int h = 0; h < IPSIM_GRADES; h++) {
                                if (step[h] == 0)
                                    continue;
                                next[AT(h, prog, imp, w_next)] += stay * step[h];
                                if (moved > 0)
                                    next[AT(h, progressed_to, imp, w_next)] += moved * step[h];
                            }
                        }
                    }
        memcpy(mass, next, STATES * sizeof *mass);
    }
}

int ipsim_expected_compute(ipsim_expected *out, const ipsim_params *p, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->ivig.policy != IPSIM_IVIG_NONE || p->vaccination.influenza_coverage > 0 ||
        p->vaccination.pneumococcal_coverage > 0)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the expected-value model covers the natural history only: set "
                          "ivig.policy to none and the vaccination coverages to 0");
    trace_model *m = calloc(1, sizeof *m);
    ipsim_diagnosis *diagnosis = malloc(sizeof *diagnosis);
    double *mass = malloc(2 * STATES * sizeof *mass);
    tallies t;
    memset(&t, 0, sizeof t);
    const int64_t rows = ipsim_params_cycles(p) + 1;
    t.pfs_free[0] = calloc((size_t)rows, sizeof(double));
    t.pfs_free[1] = calloc((size_t)rows, sizeof(double));
    out->progression_free[0] = malloc((size_t)rows * sizeof(double));
    out->progression_free[1] = malloc((size_t)rows * sizeof(double));
    int rc = IPSIM_OK;
    if (!m || !diagnosis || !mass || !t.pfs_free[0] || !t.pfs_free[1] ||
        !out->progression_free[0] || !out->progression_free[1]) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the expected-value model");
        goto done;
    }
    rc = ipsim_diagnosis_init(diagnosis, p, err);
    if (rc)
        goto done;
    ipsim_grades_init(&m->grades, p);
    ipsim_pathway_init(&m->pathway, p);
    ipsim_mortality_init(&m->mortality, p);
    m->cycles = rows - 1;
    m->cycle_months = p->cohort.cycle_months;
    m->window_months = p->infection.window_months;
    m->recovery_row = ipsim_params_recovery_cycle(p);
    m->case_fatality = p->mortality.serious_infection_case_fatality;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        m->serious_share[g] = p->infection.serious_share[g];
        for (int ph = 0; ph < IPSIM_PHASES; ph++)
            m->mean[ph][g] = ipsim_infections_hazard_per_month(p, g) *
                             (double)m->cycle_months * p->pathway.infection_rate_ratio[ph];
    }

    double mix_total = 0, response_total = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        mix_total += p->cohort.baseline_mix[g];
    for (int r = 0; r < IPSIM_RESPONSES; r++)
        response_total += p->pathway.response_share[r];
    const double eligible = p->pathway.transplant_eligible_share;
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int e = 0; e < 2; e++) {
                double weight = p->cohort.baseline_mix[g] / mix_total *
                                p->pathway.response_share[r] / response_total *
                                (e ? eligible : 1 - eligible);
                if (weight > 0)
                    trace_group(m, g, r, e, weight, &t, mass, mass + STATES);
            }

    double infected_all = 0, patients_all = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        out->window_share[g] = t.patients[g] > 0 ? t.infected[g] / t.patients[g] : NAN;
        infected_all += t.infected[g];
        patients_all += t.patients[g];
    }
    out->window_share_all = infected_all / patients_all;
    double severe = t.patients[IPSIM_GRADE_SEVERE] + t.patients[IPSIM_GRADE_VERY_SEVERE];
    out->window_share_severe_or_worse =
        severe > 0 ? (t.infected[IPSIM_GRADE_SEVERE] + t.infected[IPSIM_GRADE_VERY_SEVERE]) / severe
                   : NAN;
    out->serious_rate_ratio =
        (t.serious[IPSIM_GRADE_SEVERE] + t.serious[IPSIM_GRADE_VERY_SEVERE]) /
        (t.person_months[IPSIM_GRADE_SEVERE] + t.person_months[IPSIM_GRADE_VERY_SEVERE]) /
        (t.serious[IPSIM_GRADE_MILD] / t.person_months[IPSIM_GRADE_MILD]);
    out->cr_improved = t.cr_assessed > 0 ? t.cr_improved / t.cr_assessed : NAN;
    for (int a = 0; a < 2; a++)
        out->cr_recovered[a] =
            t.recovery_alive[a] > 0 ? t.recovery_none[a] / t.recovery_alive[a] : NAN;
    out->rows = rows;
    out->cycle_months = p->cohort.cycle_months;
    const int64_t first = m->pathway.induction_end;
    for (int group = 0; group < 2; group++) {
        for (int64_t r = 0; r < rows; r++)
            out->progression_free[group][r] =
                r < first ? 1.0
                : t.pfs_group[group] > 0 ? t.pfs_free[group][r] / t.pfs_group[group]
                                          : NAN;
    }
    for (int type = 0; type < IPSIM_MYELOMA_TYPES; type++) {
        double mix[IPSIM_GRADES];
        ipsim_diagnosis_grade_mix_of_type(diagnosis, p, type, mix);
        out->severe_or_worse_by_type[type] =
            mix[IPSIM_GRADE_SEVERE] + mix[IPSIM_GRADE_VERY_SEVERE];
        out->very_severe_by_type[type] = mix[IPSIM_GRADE_VERY_SEVERE];
    }

done:
    free(t.pfs_free[0]);
    free(t.pfs_free[1]);
    free(mass);
    free(diagnosis);
    free(m);
    if (rc)
        ipsim_expected_free(out);
    return rc;
}

void ipsim_expected_free(ipsim_expected *e)
{
    free(e->progression_free[0]);
    free(e->progression_free[1]);
    e->progression_free[0] = e->progression_free[1] = NULL;
}

double ipsim_expected_pfs_at(const ipsim_expected *e, int improved, double month)
{
    double row = month / (double)e->cycle_months;
    if (!(row >= 0) || row > (double)(e->rows - 1))
        return NAN;
    int64_t below = (int64_t)floor(row);
    if (below >= e->rows - 1)
        return e->progression_free[improved][e->rows - 1];
    double frac = row - (double)below;
    return (1 - frac) * e->progression_free[improved][below] +
           frac * e->progression_free[improved][below + 1];
}
