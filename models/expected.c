/* models/expected.c: a Markov trace of the patient model (see the header). */
#include "models/expected.h"
#include "models/expected_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "models/diagnosis.h"
#include "models/grades.h"
#include "models/immunoglobulins.h"
#include "models/immune_chain.h"
#include "models/infections.h"
#include "models/pathway.h"

const int ipsim_infection_report_period_start[IPSIM_INFECTION_REPORT_PERIODS + 1] = {0, 3, 6, 12};

/* The line a patient is on: the first; the second, later ones, or none,
 * each reached by a progression before the ASCT cycle (so without ASCT) or
 * at or after it. */
enum { L1, L2_PRE, L2_POST, LATER_PRE, LATER_POST, NT_PRE, NT_POST, LINE_STATES };
/* IP improvement at the end of induction: not yet assessed; not improved;
 * improved, or no IP at diagnosis (both progress at the lower hazard). */
enum { IMP_UNASSESSED, IMP_NOT, IMP_YES, IMP_STATES };
enum {
    POP_S0777 = IPSIM_POP_S0777,
    POP_EMN02 = IPSIM_POP_EMN02,
    POPULATIONS = IPSIM_POPULATIONS
};

/* The trace's states: an immune state i (a grade, or the joint bands of
 * the classes that count), then line, improvement, w and q. */
#define PER_IMMUNE (LINE_STATES * IMP_STATES * 4)
#define STATES (IPSIM_IG_STATES * PER_IMMUNE) /* room for the most immune states */
/* w: infected within the window; q: infected within the current report period. */
#define AT(i, line, imp, w, q) (((((i)*LINE_STATES + (line)) * IMP_STATES + (imp)) * 2 + (w)) * 2 + (q))


/* Everything a group's trace needs, built once. */
typedef struct trace_model {
    ipsim_grades grades;
    ipsim_pathway pathway;
    ipsim_infections infections;
    double serious_share[IPSIM_GRADES];
    double case_fatality;
    double excess_survival[IPSIM_PHASES];
    int64_t cycles, cycle_months, window_months, recovery_row, early_end;
    int64_t period_row[IPSIM_INFECTION_REPORT_PERIODS + 1]; /* -1: beyond the horizon */
    int64_t flags_end; /* first row after the window and every report period */
    /* Share of each population not dead of other causes at the start of
     * each row, over its ages and sexes ([POPULATIONS][rows]). */
    double *other_alive[4];
} trace_model;

/* Weighted sums over every group, turned into the results at the end. */
/* Every field a double up to `curve` (groups' tallies are summed as one
 * array of them). */
typedef struct tallies {
    double infected[IPSIM_GRADES], patients[IPSIM_GRADES];
    double serious[IPSIM_GRADES], person_months_grade[IPSIM_GRADES];
    double cr_assessed, cr_improved;
    double recovery_alive[2], recovery_none[2];
    double curve_base[IPSIM_CURVES];
    double person_months[IPSIM_PHASES], deaths[IPSIM_PHASES][IPSIM_DEATH_CAUSES];
    double progressions[IPSIM_PHASES], episodes[IPSIM_PHASES];
    double reached_line[IPSIM_LINES];
    double early_free; /* alive and without an episode at the end of the early months */
    double period_infected[IPSIM_INFECTION_REPORT_PERIODS];
    double period_episodes[IPSIM_INFECTION_REPORT_PERIODS];
    double period_alive[IPSIM_INFECTION_REPORT_PERIODS];
    double asct_patients, neutropenic_serious;
    double *curve[IPSIM_CURVES]; /* [rows] */
} tallies;
enum { TALLY_DOUBLES = offsetof(tallies, curve) / sizeof(double) };

static bool line_progressed(int line)
{
    return line != L1;
}

static bool line_before_asct(int line)
{
    return line == L2_PRE || line == LATER_PRE || line == NT_PRE;
}

/* The pathway state a trace line stands for (what the phase depends on). */
static ipsim_pathway_state where(int line, bool eligible)
{
    ipsim_pathway_state s = {.eligible = eligible, .treated = line < NT_PRE, .line = 1};
    s.progressed = line_progressed(line);
    if (line == L2_PRE || line == L2_POST)
        s.line = 2;
    if (line == LATER_PRE || line == LATER_POST)
        s.line = 3;
    return s;
}

/* The lines a progression from `line` in cycle c leads to: treated, not. */
static void next_lines(int line, bool before_asct, int *treated, int *untreated)
{
    const bool pre = line == L1 ? before_asct : line_before_asct(line);
    *untreated = pre ? NT_PRE : NT_POST;
    if (line == L1)
        *treated = pre ? L2_PRE : L2_POST;
    else
        *treated = pre ? LATER_PRE : LATER_POST;
}

/* The tallies read at the start of row c, before the cycle. */
static void tally_row(const trace_model *m, const ipsim_immune_chain *chain, int baseline,
                      int response, bool eligible, double weight, int64_t c, double *mass,
                      tallies *t)
{
    const ipsim_pathway *pw = &m->pathway;
    const double wa = weight * m->other_alive[eligible][c];
    const double wa_trial = weight * m->other_alive[eligible ? POP_EMN02 : POP_S0777][c];
    double all = 0, free = 0, by_imp[2] = {0}, free_imp[2] = {0};
    for (int i = 0; i < chain->states; i++)
        for (int line = 0; line < LINE_STATES; line++)
            for (int imp = 0; imp < IMP_STATES; imp++)
                for (int w = 0; w < 4; w++) {
                    const double here = mass[AT(i, line, imp, 0, 0) + w];
                    all += here;
                    free += line == L1 ? here : 0;
                    if (imp != IMP_UNASSESSED) {
                        by_imp[imp == IMP_YES] += here;
                        free_imp[imp == IMP_YES] += line == L1 ? here : 0;
                    }
                }
    t->curve[IPSIM_CURVE_PFS_ALL][c] += wa * free;
    t->curve[IPSIM_CURVE_OS_ALL][c] += wa * all;
    if (!eligible) {
        t->curve[IPSIM_CURVE_PFS_NOT_ELIGIBLE][c] += wa_trial * free;
        t->curve[IPSIM_CURVE_OS_NOT_ELIGIBLE][c] += wa_trial * all;
    }
    if (c >= pw->induction_end && baseline > IPSIM_GRADE_NONE)
        for (int k = 0; k < 2; k++) {
            t->curve[IPSIM_CURVE_PFS_NOT_IMPROVED + k][c] += wa * free_imp[k];
            t->curve[IPSIM_CURVE_OS_NOT_IMPROVED + k][c] += wa * by_imp[k];
        }
    if (eligible && c >= pw->asct_cycle) {
        t->curve[IPSIM_CURVE_PFS_ASCT][c] += wa_trial * free;
        if (c == pw->asct_cycle)
            t->curve_base[IPSIM_CURVE_PFS_ASCT] += wa_trial * free;
    }
    if (c == m->early_end) {
        double clean = 0;
        for (int i = 0; i < chain->states; i++)
            for (int line = 0; line < LINE_STATES; line++)
                for (int imp = 0; imp < IMP_STATES; imp++)
                    for (int q = 0; q < 2; q++)
                        clean += mass[AT(i, line, imp, 0, q)];
        t->early_free += wa * clean;
    }
    for (int k = 0; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
        if (c == m->period_row[k] && m->period_row[k + 1] >= 0)
            t->period_alive[k] += wa * all;
    if (c == m->recovery_row && response == IPSIM_RESPONSE_CR && baseline > IPSIM_GRADE_NONE)
        for (int i = 0; i < chain->states; i++)
            for (int line = 0; line < LINE_STATES; line++)
                for (int imp = 0; imp < IMP_STATES; imp++)
                    for (int w = 0; w < 4; w++) {
                        const int asct = eligible && !line_before_asct(line);
                        const double here = wa * mass[AT(i, line, imp, 0, 0) + w];
                        t->recovery_alive[asct] += here;
                        t->recovery_none[asct] +=
                            chain->grade_of[i] == IPSIM_GRADE_NONE ? here : 0;
                    }
}

/* The end of induction: every patient's improvement is assessed. */
static void assess(const trace_model *m, const ipsim_immune_chain *chain, int baseline, int response,
                   bool eligible, double weight, double *mass, tallies *t)
{
    const double wa = weight * m->other_alive[eligible][m->pathway.induction_end];
    for (int i = 0; i < chain->states; i++)
        for (int line = 0; line < LINE_STATES; line++)
            for (int w = 0; w < 4; w++) {
                double *from = &mass[AT(i, line, IMP_UNASSESSED, 0, 0) + w];
                const int to = baseline > IPSIM_GRADE_NONE && chain->grade_of[i] >= baseline
                                   ? IMP_NOT
                                   : IMP_YES;
                mass[AT(i, line, to, 0, 0) + w] += *from;
                if (baseline > IPSIM_GRADE_NONE) {
                    t->curve_base[IPSIM_CURVE_PFS_NOT_IMPROVED + (to == IMP_YES)] += wa * *from;
                    t->curve_base[IPSIM_CURVE_OS_NOT_IMPROVED + (to == IMP_YES)] += wa * *from;
                    if (response == IPSIM_RESPONSE_CR) {
                        t->cr_assessed += wa * *from;
                        t->cr_improved += to == IMP_YES ? wa * *from : 0;
                    }
                }
                *from = 0;
            }
}

/* The first-line progression hazard per cycle in cycle c. */
static double first_line_hazard(const ipsim_pathway *pw, int imp, bool eligible, int64_t c)
{
    double h = pw->progression_per_cycle[c >= pw->induction_end && imp == IMP_YES];
    return eligible && c >= pw->asct_cycle ? h * pw->transplant_hazard_ratio : h;
}

/* The trace of one group: patients with grade `baseline` at diagnosis
 * whose immune state is distributed as initial[] (over chain->states), with
 * one response and eligibility, `weight` of the cohort; under
 * infection.risk_by: igg with the hazard's factor by IgG band igg_factor[]
 * (the group's IgG position; NULL: none). With stop >= 0 it ends at the
 * start of row `stop`, leaving mass[] as it is then. */
static void trace_group(const trace_model *m, const ipsim_immune_chain *chain, const double *initial,
                        const double *igg_factor, int baseline, int response, bool eligible,
                        double weight, tallies *t, double *mass, double *next, int64_t stop)
{
    /* Each infection period's episodes per cycle, P(no episode) and P(no
     * death of infection), by grade and IgG band. */
    const int bands = igg_factor ? IPSIM_IG_BANDS : 1;
    double mu_of[IPSIM_INFECTION_PERIODS][IPSIM_GRADES][IPSIM_IG_BANDS];
    double none_of[IPSIM_INFECTION_PERIODS][IPSIM_GRADES][IPSIM_IG_BANDS];
    double no_death_of[IPSIM_INFECTION_PERIODS][IPSIM_GRADES][IPSIM_IG_BANDS];
    for (int period = 0; period < IPSIM_INFECTION_PERIODS; period++)
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int b = 0; b < bands; b++) {
                double mu = m->infections.mean_per_cycle[period][0][g];
                if (igg_factor)
                    mu *= igg_factor[b];
                mu_of[period][g][b] = mu;
                none_of[period][g][b] = exp(-mu);
                no_death_of[period][g][b] = exp(-mu * m->serious_share[g] * m->case_fatality);
            }
    double *mid = next + STATES, *scratch = mid + IPSIM_IG_STATES * 36;
    const int states = chain->states * PER_IMMUNE;
    memset(mass, 0, (size_t)states * sizeof *mass);
    for (int i = 0; i < chain->states; i++)
        mass[AT(i, L1, IMP_UNASSESSED, 0, 0)] = initial[i];
    t->patients[baseline] += weight;
    const ipsim_pathway *pw = &m->pathway;
    const double cycle = (double)m->cycle_months;

    for (int64_t c = 0; c <= m->cycles; c++) {
        if (c == stop)
            return;
        if (c == pw->induction_end)
            assess(m, chain, baseline, response, eligible, weight, mass, t);
        /* A new report period starts with nobody infected within it. */
        for (int k = 1; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
            if (c == m->period_row[k])
                for (int s = 0; s < states; s += 2) {
                    mass[s] += mass[s + 1];
                    mass[s + 1] = 0;
                }
        tally_row(m, chain, baseline, response, eligible, weight, c, mass, t);
        if (c == m->cycles)
            break;
        /* Past the window and the report periods nothing reads w or q:
         * fold them, so that the rest of the trace carries a quarter of
         * the states. */
        if (c >= m->flags_end)
            for (int s = 0; s < states; s += 4) {
                mass[s] += mass[s + 1] + mass[s + 2] + mass[s + 3];
                mass[s + 1] = mass[s + 2] = mass[s + 3] = 0;
            }

        /* The cycle: episodes, deaths, progression, then the grade step. */
        const double wa = weight * m->other_alive[eligible][c];
        const double wa_next = weight * m->other_alive[eligible][c + 1];
        const double other_deaths = wa - wa_next;
        int report = -1;
        for (int k = 0; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
            if (m->period_row[k + 1] >= 0 && c >= m->period_row[k] && c < m->period_row[k + 1])
                report = k;
        memset(next, 0, (size_t)states * sizeof *next);
        const bool in_window = c * m->cycle_months < m->window_months;
        /* What depends on the line (its phase) and on the grade or the
         * improvement only, worked out once per cycle. */
        struct {
            int phase, period;
            double excess;
            double progress[IMP_STATES], treated_share;
            int treated, untreated;
        } at_line[LINE_STATES];
        for (int line = 0; line < LINE_STATES; line++) {
            const ipsim_pathway_state at = where(line, eligible);
            const int phase = at_line[line].phase = ipsim_pathway_phase(pw, &at, c);
            at_line[line].period = ipsim_infections_period(&m->infections, phase, c, pw->asct_cycle);
            at_line[line].excess = m->excess_survival[phase];
            int treated = line, untreated = line;
            double treated_share = 0;
            for (int imp = 0; imp < IMP_STATES; imp++)
                at_line[line].progress[imp] = 0;
            if (line != NT_PRE && line != NT_POST) {
                for (int imp = 0; imp < IMP_STATES; imp++) {
                    double h = line == L1 ? first_line_hazard(pw, imp, eligible, c)
                               : line == L2_PRE || line == L2_POST ? pw->line_per_cycle[0]
                                                                   : pw->line_per_cycle[1];
                    at_line[line].progress[imp] = -expm1(-h);
                }
                const int from = line == L1 ? IPSIM_LINE_FIRST
                                 : line == L2_PRE || line == L2_POST ? IPSIM_LINE_SECOND
                                                                     : IPSIM_LINE_LATER;
                treated_share = 1 - pw->no_further_treatment[from];
                next_lines(line, eligible && c < pw->asct_cycle, &treated, &untreated);
            }
            at_line[line].treated = treated;
            at_line[line].untreated = untreated;
            at_line[line].treated_share = treated_share;
        }
        const int flags = c >= m->flags_end ? 1 : 4; /* the w, q in use */
        /* Improvement is unassessed before the end of induction and assessed
         * after it: only those states hold patients. */
        int imps[IMP_STATES], n_imp = 0;
        for (int imp = 0; imp < IMP_STATES; imp++)
            if ((imp == IMP_UNASSESSED) == (c < pw->induction_end))
                imps[n_imp++] = imp;
        for (int line = 0; line < LINE_STATES; line++) {
            const int phase = at_line[line].phase;
            /* A state's survivors: where they go (same line, or also the
             * next line treated and untreated), improvement, w, q. */
            double most = 0;
            for (int k = 0; k < n_imp; k++)
                most = fmax(most, at_line[line].progress[imps[k]]);
            const int ways = most > 0 ? 3 : 1;
            const int block = ways * n_imp * flags;
            memset(mid, 0, (size_t)chain->states * (size_t)block * sizeof *mid);
            bool line_any = false;
            const int period = at_line[line].period;
            for (int i = 0; i < chain->states; i++) {
                const int g = chain->grade_of[i], b = igg_factor ? chain->igg_band[i] : 0;
                const double mu = mu_of[period][g][b], none = none_of[period][g][b];
                const double no_death = no_death_of[period][g][b];
                const double excess = at_line[line].excess;
                for (int slot = 0; slot < n_imp; slot++) {
                    const int imp = imps[slot];
                    const double progress = at_line[line].progress[imp];
                    const double treated_share = at_line[line].treated_share;
                    /* The survivors by where they go (same line, next line
                     * treated, untreated) and by w, q; then the immune move,
                     * once for them all. */
                    double dest[3][4] = {{0}};
                    bool any = false;
                    for (int w = 0; w < 2; w++)
                        for (int q = 0; q < 2; q++) {
                            const double here = mass[AT(i, line, imp, w, q)];
                            if (here == 0)
                                continue;
                            any = true;
                            if (w == 0 && in_window)
                                t->infected[baseline] += wa * here * (1 - none);
                            if (q == 0 && report >= 0)
                                t->period_infected[report] += wa * here * (1 - none);
                            if (report >= 0)
                                t->period_episodes[report] += wa * here * mu;
                            if (phase == IPSIM_PHASE_TRANSPLANT && c == pw->asct_cycle) {
                                t->asct_patients += wa * here;
                                t->neutropenic_serious +=
                                    wa * here * -expm1(-mu * m->serious_share[g]);
                            }
                            t->serious[g] += wa * here * mu * m->serious_share[g];
                            t->person_months_grade[g] += wa * here * cycle;
                            t->person_months[phase] += wa * here * cycle;
                            t->episodes[phase] += wa * here * mu;
                            double *dead = t->deaths[phase];
                            dead[IPSIM_DEATH_INFECTION] += wa * here * (1 - no_death);
                            dead[IPSIM_DEATH_BACKGROUND] += other_deaths * here * no_death;
                            dead[IPSIM_DEATH_MYELOMA] += wa_next * here * no_death * (1 - excess);

                            /* Survivors without and with an episode this cycle. */
                            const double alive[2] = {here * none * excess,
                                                     here * (no_death - none) * excess};
                            const double moved = (alive[0] + alive[1]) * progress;
                            t->progressions[phase] += wa_next * moved;
                            if (line == L1)
                                t->curve[IPSIM_CURVE_PROGRESSED][c + 1] += wa_next * moved;
                            if (line == L1)
                                t->reached_line[IPSIM_LINE_SECOND] += wa_next * moved * treated_share;
                            if (line == L2_PRE || line == L2_POST)
                                t->reached_line[IPSIM_LINE_LATER] += wa_next * moved * treated_share;
                            for (int episode = 0; episode < 2; episode++) {
                                const int w_next = episode && in_window ? 1 : w;
                                const int q_next = episode ? 1 : q;
                                const int wq = flags == 1 ? 0 : w_next * 2 + q_next;
                                dest[0][wq] += alive[episode] * (1 - progress);
                                dest[1][wq] += alive[episode] * progress * treated_share;
                                dest[2][wq] += alive[episode] * progress * (1 - treated_share);
                            }
                        }
                    if (!any)
                        continue;
                    line_any = true;
                    double *out = &mid[(size_t)i * (size_t)block];
                    for (int d = 0; d < ways; d++)
                        for (int wq = 0; wq < flags; wq++)
                            out[(d * n_imp + slot) * flags + wq] += dest[d][wq];
                }
            }
            if (!line_any)
                continue;
            /* The immune move, by the phase of the line they come from. */
            const double *moved = ipsim_immune_chain_move(chain, phase, response, mid, scratch, block);
            const int lines[3] = {line, at_line[line].treated, at_line[line].untreated};
            for (int i = 0; i < chain->states; i++)
                for (int d = 0; d < ways; d++)
                    for (int slot = 0; slot < n_imp; slot++) {
                        const int imp = imps[slot];
                        const double *from = &moved[(size_t)i * (size_t)block +
                                                    (size_t)((d * n_imp + slot) * flags)];
                        double *to = &next[AT(i, lines[d], imp, 0, 0)];
                        for (int wq = 0; wq < flags; wq++)
                            to[wq] += from[wq];
                    }
        }
        memcpy(mass, next, (size_t)states * sizeof *mass);
    }
}


static int build(trace_model *m, const ipsim_params *p, ipsim_error *err)
{
    ipsim_grades_init(&m->grades, p);
    ipsim_pathway_init(&m->pathway, p);
    int rc = ipsim_infections_init(&m->infections, p, NULL, err);
    if (rc)
        return rc;
    m->cycles = ipsim_params_cycles(p);
    m->cycle_months = p->cohort.cycle_months;
    m->window_months = p->infection.window_months;
    m->recovery_row = ipsim_params_recovery_cycle(p);
    m->early_end = p->infection.early_months <= p->infection.window_months
                       ? ipsim_params_cycle_of_month(p, p->infection.early_months)
                       : -1;
    for (int k = 0; k <= IPSIM_INFECTION_REPORT_PERIODS; k++) {
        const int month = ipsim_infection_report_period_start[k];
        m->period_row[k] = month % p->cohort.cycle_months == 0 &&
                                   month <= p->cohort.horizon_months
                               ? month / p->cohort.cycle_months
                               : -1;
    }
    m->flags_end = (p->infection.window_months + p->cohort.cycle_months - 1) /
                   p->cohort.cycle_months;
    for (int k = 1; k <= IPSIM_INFECTION_REPORT_PERIODS; k++)
        if (m->period_row[k] > m->flags_end)
            m->flags_end = m->period_row[k];
    m->case_fatality = p->mortality.serious_infection_case_fatality;
    for (int g = 0; g < IPSIM_GRADES; g++)
        m->serious_share[g] = p->infection.serious_share[g];
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        m->excess_survival[ph] =
            exp(-p->mortality.excess_hazard_per_month[ph] * (double)m->cycle_months);
    return IPSIM_OK;
}

static void finish(ipsim_expected *out, const trace_model *m, const tallies *t,
                   const ipsim_params *p, const ipsim_diagnosis *diagnosis)
{
    double infected_all = 0, patients_all = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        out->window_share[g] = t->patients[g] > 0 ? t->infected[g] / t->patients[g] : NAN;
        infected_all += t->infected[g];
        patients_all += t->patients[g];
    }
    out->window_share_all = infected_all / patients_all;
    double severe = t->patients[IPSIM_GRADE_SEVERE] + t->patients[IPSIM_GRADE_VERY_SEVERE];
    out->window_share_severe_or_worse =
        severe > 0 ? (t->infected[IPSIM_GRADE_SEVERE] + t->infected[IPSIM_GRADE_VERY_SEVERE]) /
                         severe
                   : NAN;
    out->serious_rate_ratio =
        (t->serious[IPSIM_GRADE_SEVERE] + t->serious[IPSIM_GRADE_VERY_SEVERE]) /
        (t->person_months_grade[IPSIM_GRADE_SEVERE] +
         t->person_months_grade[IPSIM_GRADE_VERY_SEVERE]) /
        (t->serious[IPSIM_GRADE_MILD] / t->person_months_grade[IPSIM_GRADE_MILD]);
    out->cr_improved = t->cr_assessed > 0 ? t->cr_improved / t->cr_assessed : NAN;
    for (int a = 0; a < 2; a++)
        out->cr_recovered[a] =
            t->recovery_alive[a] > 0 ? t->recovery_none[a] / t->recovery_alive[a] : NAN;
    out->rows = m->cycles + 1;
    out->cycle_months = m->cycle_months;
    out->asct_cycle = m->pathway.asct_cycle;
    const int64_t first = m->pathway.induction_end, asct = m->pathway.asct_cycle;
    for (int k = 0; k < IPSIM_CURVES; k++)
        for (int64_t r = 0; r < out->rows; r++) {
            double base = t->curve_base[k];
            double value = base > 0 ? t->curve[k][r] / base : NAN;
            if (k <= IPSIM_CURVE_OS_IMPROVED && r < first)
                value = 1.0;
            if (k == IPSIM_CURVE_PFS_ASCT && r <= asct)
                value = r < asct || base > 0 ? 1.0 : NAN;
            out->curve[k][r] = value;
        }
    for (int ph = 0; ph < IPSIM_PHASES; ph++) {
        out->person_months[ph] = t->person_months[ph];
        out->progressions[ph] = t->progressions[ph];
        out->episodes[ph] = t->episodes[ph];
        for (int d = 0; d < IPSIM_DEATH_CAUSES; d++)
            out->deaths[ph][d] = t->deaths[ph][d];
    }
    out->reached_line[IPSIM_LINE_FIRST] = 1.0;
    out->reached_line[IPSIM_LINE_SECOND] = t->reached_line[IPSIM_LINE_SECOND];
    out->reached_line[IPSIM_LINE_LATER] = t->reached_line[IPSIM_LINE_LATER];
    out->early_infection_or_death = m->early_end >= 0 ? 1 - t->early_free : NAN;
    for (int k = 0; k < IPSIM_INFECTION_REPORT_PERIODS; k++) {
        out->infected_in_period[k] =
            t->period_alive[k] > 0 ? t->period_infected[k] / t->period_alive[k] : NAN;
        out->episodes_in_period[k] = t->period_episodes[k];
    }
    out->neutropenic_serious =
        t->asct_patients > 0 ? t->neutropenic_serious / t->asct_patients : NAN;
    for (int type = 0; type < IPSIM_MYELOMA_TYPES; type++) {
        double mix[IPSIM_GRADES];
        ipsim_diagnosis_grade_mix_of_type(diagnosis, p, type, mix);
        out->severe_or_worse_by_type[type] =
            mix[IPSIM_GRADE_SEVERE] + mix[IPSIM_GRADE_VERY_SEVERE];
        out->very_severe_by_type[type] = mix[IPSIM_GRADE_VERY_SEVERE];
    }
}

/* Traces every group, in parallel, each into tallies of its own, then adds
 * them up in group order: the sums do not depend on the thread count. */
static int trace_groups(const trace_model *m, const ipsim_group *groups, int count, int64_t rows,
                        tallies *t, const volatile sig_atomic_t *cancel, const char *what,
                        ipsim_error *err)
{
    const size_t buffer = 2 * STATES + 2 * IPSIM_IG_STATES * 36;
    tallies *each = calloc((size_t)(count > 0 ? count : 1), sizeof *each);
    double *curves = calloc((size_t)(count > 0 ? count : 1) * IPSIM_CURVES * (size_t)rows,
                            sizeof *curves);
    int failed = !each || !curves;
    if (!failed) {
#ifdef _OPENMP
#pragma omp parallel
#endif
        {
            double *mass = malloc(buffer * sizeof *mass);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (int k = 0; k < count; k++) {
                /* A signal skips the groups left (polled between groups). */
                if (!mass || (cancel && *cancel))
                    continue;
                tallies *mine = &each[k];
                for (int c = 0; c < IPSIM_CURVES; c++)
                    mine->curve[c] = curves + ((size_t)k * IPSIM_CURVES + (size_t)c) * (size_t)rows;
                const ipsim_group *g = &groups[k];
                trace_group(m, g->chain, g->initial, g->by_igg ? g->igg_factor : NULL, g->grade,
                            g->response, g->eligible, g->weight, mine, mass, mass + STATES, -1);
            }
            if (!mass) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
                failed = 1;
            }
            free(mass);
        }
    }
    const bool stopped = cancel && *cancel;
    for (int k = 0; k < count && !failed && !stopped; k++) {
        double *sum = (double *)t;
        const double *part = (const double *)&each[k];
        for (int j = 0; j < TALLY_DOUBLES; j++)
            sum[j] += part[j];
        for (int c = 0; c < IPSIM_CURVES; c++)
            for (int64_t r = 0; r < rows; r++)
                t->curve[c][r] += each[k].curve[c][r];
    }
    free(curves);
    free(each);
    if (failed)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the expected-value model");
    return stopped ? ipsim_error_cancelled(cancel, err, what) : IPSIM_OK;
}

/* The review's rises of the uninvolved classes in CR (section 3.1.3):
 * among CR patients alive at the end of induction, the mean level then
 * over the mean at diagnosis, minus 1, of each class over the patients in
 * whom it is uninvolved. Deaths of other causes do not depend on the
 * levels, so they cancel. A position is drawn independently of the path,
 * so a level's expectation given the band is the band's mean: the trace,
 * linear in its start, carries the diagnosis means as start weights.
 * Under risk_by: igg, IgG's position changes the path (through infection
 * deaths): the trace runs at each IgG node, IgG's level at its node's
 * position. */
static double class_level(const ipsim_immunoglobulins *ig, int type, int riss, int c, int band,
                          const ipsim_igg_nodes *nodes, int node)
{
    if (nodes && c == IPSIM_IGG)
        return ipsim_immunoglobulins_level_at(ig, type, riss, c, band, nodes->position[node]);
    return ipsim_immunoglobulins_mean_in_band(ig, type, riss, c, band);
}

static void cr_rises(const trace_model *m, const ipsim_immune_chain *chains,
                     const ipsim_immunoglobulins *ig, const ipsim_params *p,
                     const gsl_integration_glfixed_table *gl, tallies *scratch, double *mass,
                     double rise[IPSIM_IG_CLASSES])
{
    double at_end[IPSIM_IG_CLASSES] = {0}, at_start[IPSIM_IG_CLASSES] = {0};
    double stages = 0;
    for (int s = 0; s < IPSIM_RISS_STAGES; s++)
        stages += p->diagnosis.riss_share[s];
    const int64_t end = m->pathway.induction_end;
    const bool by_igg = m->infections.by_igg;
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
            const ipsim_immune_chain *ch = &chains[t];
            const double w = p->diagnosis.myeloma_type_share[t] * p->diagnosis.riss_share[s] /
                             stages;
            if (w == 0)
                continue;
            ipsim_igg_nodes nodes;
            if (by_igg)
                ipsim_expected_igg_quadrature(&m->infections, ig, t, s, gl, &nodes);
            double initial[IPSIM_IG_STATES], weighted[IPSIM_IG_STATES];
            ipsim_immune_chain_at_diagnosis(ch, ig, t, s, initial);
            for (int k = 0; k < (by_igg ? nodes.count : 1); k++) {
                const ipsim_igg_nodes *at = by_igg ? &nodes : NULL;
                const double wk = by_igg ? w * nodes.weight[k] : w;
                for (int j = -1; j < ch->tracked_count; j++) {
                    /* j = -1: the levels at the end; j: class j's at diagnosis. */
                    if (j >= 0 && !ipsim_ig_uninvolved(t, ch->tracked[j]))
                        continue;
                    for (int i = 0; i < ch->states; i++)
                        weighted[i] = j < 0 ? initial[i]
                                            : initial[i] * class_level(ig, t, s, ch->tracked[j],
                                                                       i / ipsim_ig_stride(j) %
                                                                           IPSIM_IG_BANDS,
                                                                       at, k);
                    trace_group(m, ch, weighted, by_igg ? nodes.factor[k] : NULL, 0,
                                IPSIM_RESPONSE_CR, false, 1, scratch, mass, mass + STATES, end);
                    for (int i = 0; i < ch->states; i++) {
                        double alive = 0;
                        for (int x = 0; x < PER_IMMUNE; x++)
                            alive += mass[i * PER_IMMUNE + x];
                        if (j >= 0) {
                            at_start[ch->tracked[j]] += wk * alive;
                            continue;
                        }
                        for (int jj = 0; jj < ch->tracked_count; jj++)
                            if (ipsim_ig_uninvolved(t, ch->tracked[jj]))
                                at_end[ch->tracked[jj]] +=
                                    wk * alive *
                                    class_level(ig, t, s, ch->tracked[jj],
                                                i / ipsim_ig_stride(jj) % IPSIM_IG_BANDS, at, k);
                    }
                }
            }
        }
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        rise[c] = end <= m->cycles && at_start[c] > 0 ? at_end[c] / at_start[c] - 1 : NAN;
}

int ipsim_expected_compute(ipsim_expected *out, const ipsim_params *p, ipsim_error *err)
{
    return ipsim_expected_compute_polled(out, p, NULL, NULL, err);
}

int ipsim_expected_compute_polled(ipsim_expected *out, const ipsim_params *p,
                                  const volatile sig_atomic_t *cancel, const char *what,
                                  ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->ivig.policy != IPSIM_IVIG_NONE || p->vaccination.influenza_coverage > 0 ||
        p->vaccination.pneumococcal_coverage > 0)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the expected-value model covers the natural history only: set "
                          "ivig.policy to none and the vaccination coverages to 0");
    const int64_t rows = ipsim_params_cycles(p) + 1;
    const bool levels = p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
    trace_model *m = calloc(1, sizeof *m);
    ipsim_mortality *mortality = malloc(sizeof *mortality);
    ipsim_diagnosis *diagnosis = malloc(sizeof *diagnosis);
    ipsim_immunoglobulins *ig = levels ? malloc(sizeof *ig) : NULL;
    ipsim_immune_chain *chains = malloc(IPSIM_MYELOMA_TYPES * sizeof *chains);
    /* mass, next, and two blocks for the immune move */
    double *mass = malloc((2 * STATES + 2 * IPSIM_IG_STATES * 36) * sizeof *mass);
    double *rows_buffer =
        calloc((size_t)rows * (POPULATIONS + 2 * IPSIM_CURVES), sizeof(double));
    const bool by_igg = p->infection.risk_by == IPSIM_RISK_BY_IGG;
    gsl_integration_glfixed_table *gl =
        by_igg ? gsl_integration_glfixed_table_alloc(IPSIM_IGG_PIECE_NODES) : NULL;
    gsl_integration_glfixed_table *gl_rise =
        by_igg ? gsl_integration_glfixed_table_alloc(IPSIM_IGG_RISE_PIECE_NODES) : NULL;
    tallies t, scratch;
    memset(&t, 0, sizeof t);
    memset(&scratch, 0, sizeof scratch);
    int rc = IPSIM_OK;
    bool allocated = m && mortality && diagnosis && (ig || !levels) && chains && mass &&
                     rows_buffer && ((gl && gl_rise) || !by_igg);
    for (int k = 0; k < IPSIM_CURVES && allocated; k++)
        allocated = (out->curve[k] = malloc((size_t)rows * sizeof(double))) != NULL;
    if (!allocated) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the expected-value model");
        goto done;
    }
    if ((rc = ipsim_diagnosis_init(diagnosis, p, err)) ||
        (rc = ipsim_mortality_init(mortality, p, err)) || (rc = build(m, p, err)) ||
        (levels && (rc = ipsim_immunoglobulins_init(ig, p, err))))
        goto done;
    for (int k = 0; k < POPULATIONS; k++)
        m->other_alive[k] = rows_buffer + k * rows;
    for (int k = 0; k < IPSIM_CURVES; k++) {
        t.curve[k] = rows_buffer + (POPULATIONS + k) * rows;
        scratch.curve[k] = rows_buffer + (POPULATIONS + IPSIM_CURVES + k) * rows;
    }
    double eligible[2];
    ipsim_expected_other_causes(p, mortality, rows, m->other_alive, eligible);
    t.curve_base[IPSIM_CURVE_PFS_ALL] = t.curve_base[IPSIM_CURVE_OS_ALL] = 1;
    t.curve_base[IPSIM_CURVE_PROGRESSED] = 1;
    t.curve_base[IPSIM_CURVE_PFS_NOT_ELIGIBLE] = t.curve_base[IPSIM_CURVE_OS_NOT_ELIGIBLE] =
        eligible[0];

    double type_mix[IPSIM_MYELOMA_TYPES][IPSIM_GRADES] = {{0}};
    int count = 0;
    ipsim_group *groups = ipsim_expected_groups(p, &m->infections, &m->grades, ig, eligible, gl, chains,
                                          &count, type_mix);
    if (!groups) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the expected-value model");
        goto done;
    }
    rc = trace_groups(m, groups, count, rows, &t, cancel, what, err);
    free(groups);
    if (rc)
        goto done;
    for (int64_t r = 1; r < rows; r++) /* first progressions so far */
        t.curve[IPSIM_CURVE_PROGRESSED][r] += t.curve[IPSIM_CURVE_PROGRESSED][r - 1];
    finish(out, m, &t, p, diagnosis);
    for (int g = 0; g < IPSIM_GRADES; g++)
        out->grade_mix[g] = t.patients[g];
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        out->cr_rise[c] = NAN;
    if (levels) {
        double types_total = 0;
        for (int k = 0; k < IPSIM_MYELOMA_TYPES; k++)
            types_total += p->diagnosis.myeloma_type_share[k];
        for (int k = 0; k < IPSIM_MYELOMA_TYPES; k++) {
            const double share = p->diagnosis.myeloma_type_share[k] / types_total;
            out->severe_or_worse_by_type[k] =
                share > 0 ? (type_mix[k][IPSIM_GRADE_SEVERE] +
                             type_mix[k][IPSIM_GRADE_VERY_SEVERE]) / share
                          : NAN;
            out->very_severe_by_type[k] =
                share > 0 ? type_mix[k][IPSIM_GRADE_VERY_SEVERE] / share : NAN;
        }
        cr_rises(m, chains, ig, p, gl_rise, &scratch, mass, out->cr_rise);
    }

done:
    if (gl)
        gsl_integration_glfixed_table_free(gl);
    if (gl_rise)
        gsl_integration_glfixed_table_free(gl_rise);
    free(rows_buffer);
    free(mass);
    free(chains);
    free(ig);
    free(diagnosis);
    free(mortality);
    free(m);
    if (rc)
        ipsim_expected_free(out);
    return rc;
}
