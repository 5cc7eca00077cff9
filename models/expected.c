/* models/expected.c: a Markov trace of the patient model (see the header). */
#include "models/expected.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/diagnosis.h"
#include "models/grades.h"
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
/* Populations of the other-cause survival: by eligibility (all ages), then
 * the trials' (not eligible up to 75; eligible up to 65). */
enum { POP_NOT_ELIGIBLE, POP_ELIGIBLE, POP_S0777, POP_EMN02, POPULATIONS };

#define STATES (IPSIM_GRADES * LINE_STATES * IMP_STATES * 4)
/* w: infected within the window; q: infected within the current report period. */
#define AT(g, line, imp, w, q) (((((g)*LINE_STATES + (line)) * IMP_STATES + (imp)) * 2 + (w)) * 2 + (q))

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
    /* Share of each population not dead of other causes at the start of
     * each row, over its ages and sexes ([POPULATIONS][rows]). */
    double *other_alive[4];
} trace_model;

/* Weighted sums over every group, turned into the results at the end. */
typedef struct tallies {
    double infected[IPSIM_GRADES], patients[IPSIM_GRADES];
    double serious[IPSIM_GRADES], person_months_grade[IPSIM_GRADES];
    double cr_assessed, cr_improved;
    double recovery_alive[2], recovery_none[2];
    double curve_base[IPSIM_CURVES];
    double *curve[IPSIM_CURVES]; /* [rows] */
    double person_months[IPSIM_PHASES], deaths[IPSIM_PHASES][IPSIM_DEATH_CAUSES];
    double progressions[IPSIM_PHASES], episodes[IPSIM_PHASES];
    double reached_line[IPSIM_LINES];
    double early_free; /* alive and without an episode at the end of the early months */
    double period_infected[IPSIM_INFECTION_REPORT_PERIODS];
    double period_episodes[IPSIM_INFECTION_REPORT_PERIODS];
    double period_alive[IPSIM_INFECTION_REPORT_PERIODS];
    double asct_patients, neutropenic_serious;
} tallies;

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
static void tally_row(const trace_model *m, int baseline, int response, bool eligible,
                      double weight, int64_t c, double *mass, tallies *t)
{
    const ipsim_pathway *pw = &m->pathway;
    const double wa = weight * m->other_alive[eligible][c];
    const double wa_trial = weight * m->other_alive[eligible ? POP_EMN02 : POP_S0777][c];
    double all = 0, free = 0, by_imp[2] = {0}, free_imp[2] = {0};
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int line = 0; line < LINE_STATES; line++)
            for (int imp = 0; imp < IMP_STATES; imp++)
                for (int w = 0; w < 4; w++) {
                    const double here = mass[AT(g, line, imp, 0, 0) + w];
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
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int line = 0; line < LINE_STATES; line++)
                for (int imp = 0; imp < IMP_STATES; imp++)
                    for (int q = 0; q < 2; q++)
                        clean += mass[AT(g, line, imp, 0, q)];
        t->early_free += wa * clean;
    }
    for (int k = 0; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
        if (c == m->period_row[k] && m->period_row[k + 1] >= 0)
            t->period_alive[k] += wa * all;
    if (c == m->recovery_row && response == IPSIM_RESPONSE_CR && baseline > IPSIM_GRADE_NONE)
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int line = 0; line < LINE_STATES; line++)
                for (int imp = 0; imp < IMP_STATES; imp++)
                    for (int w = 0; w < 4; w++) {
                        const int asct = eligible && !line_before_asct(line);
                        const double here = wa * mass[AT(g, line, imp, 0, 0) + w];
                        t->recovery_alive[asct] += here;
                        t->recovery_none[asct] += g == IPSIM_GRADE_NONE ? here : 0;
                    }
}

/* The end of induction: every patient's improvement is assessed. */
static void assess(const trace_model *m, int baseline, int response, bool eligible,
                   double weight, double *mass, tallies *t)
{
    const double wa = weight * m->other_alive[eligible][m->pathway.induction_end];
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int line = 0; line < LINE_STATES; line++)
            for (int w = 0; w < 4; w++) {
                double *from = &mass[AT(g, line, IMP_UNASSESSED, 0, 0) + w];
                const int to = baseline > IPSIM_GRADE_NONE && g >= baseline ? IMP_NOT : IMP_YES;
                mass[AT(g, line, to, 0, 0) + w] += *from;
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

static void trace_group(const trace_model *m, int baseline, int response, bool eligible,
                        double weight, tallies *t, double *mass, double *next)
{
    memset(mass, 0, STATES * sizeof *mass);
    mass[AT(baseline, L1, IMP_UNASSESSED, 0, 0)] = 1.0;
    t->patients[baseline] += weight;
    const ipsim_pathway *pw = &m->pathway;
    const double cycle = (double)m->cycle_months;

    for (int64_t c = 0; c <= m->cycles; c++) {
        if (c == pw->induction_end)
            assess(m, baseline, response, eligible, weight, mass, t);
        /* A new report period starts with nobody infected within it. */
        for (int k = 1; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
            if (c == m->period_row[k])
                for (int s = 0; s < STATES; s += 2) {
                    mass[s] += mass[s + 1];
                    mass[s + 1] = 0;
                }
        tally_row(m, baseline, response, eligible, weight, c, mass, t);
        if (c == m->cycles)
            break;

        /* The cycle: episodes, deaths, progression, then the grade step. */
        const double wa = weight * m->other_alive[eligible][c];
        const double wa_next = weight * m->other_alive[eligible][c + 1];
        const double other_deaths = wa - wa_next;
        int report = -1;
        for (int k = 0; k < IPSIM_INFECTION_REPORT_PERIODS; k++)
            if (m->period_row[k + 1] >= 0 && c >= m->period_row[k] && c < m->period_row[k + 1])
                report = k;
        memset(next, 0, STATES * sizeof *next);
        const bool in_window = c * m->cycle_months < m->window_months;
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int line = 0; line < LINE_STATES; line++) {
                const ipsim_pathway_state at = where(line, eligible);
                const int phase = ipsim_pathway_phase(pw, &at, c);
                const int period = ipsim_infections_period(&m->infections, phase, c, pw->asct_cycle);
                const double mu = m->infections.mean_per_cycle[period][0][g];
                const double none = exp(-mu);
                const double no_death = exp(-mu * m->serious_share[g] * m->case_fatality);
                const double excess = m->excess_survival[phase];
                const double *step = m->grades.step_matrix[phase][response][g];
                for (int imp = 0; imp < IMP_STATES; imp++) {
                    double progress = 0, treated_share = 0;
                    int treated = line, untreated = line;
                    if (line == L1 || line == L2_PRE || line == L2_POST || line == LATER_PRE ||
                        line == LATER_POST) {
                        double h = line == L1 ? first_line_hazard(pw, imp, eligible, c)
                                   : line == L2_PRE || line == L2_POST ? pw->line_per_cycle[0]
                                                                       : pw->line_per_cycle[1];
                        progress = -expm1(-h);
                        const int from = line == L1 ? IPSIM_LINE_FIRST
                                         : line == L2_PRE || line == L2_POST ? IPSIM_LINE_SECOND
                                                                             : IPSIM_LINE_LATER;
                        treated_share = 1 - pw->no_further_treatment[from];
                        next_lines(line, eligible && c < pw->asct_cycle, &treated, &untreated);
                    }
                    for (int w = 0; w < 2; w++)
                        for (int q = 0; q < 2; q++) {
                            const double here = mass[AT(g, line, imp, w, q)];
                            if (here == 0)
                                continue;
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
                                const double stay = alive[episode] * (1 - progress);
                                const double on = alive[episode] * progress * treated_share;
                                const double off = alive[episode] * progress * (1 - treated_share);
                                for (int h = 0; h < IPSIM_GRADES; h++) {
                                    if (step[h] == 0)
                                        continue;
                                    next[AT(h, line, imp, w_next, q_next)] += stay * step[h];
                                    if (progress > 0) {
                                        next[AT(h, treated, imp, w_next, q_next)] += on * step[h];
                                        next[AT(h, untreated, imp, w_next, q_next)] += off * step[h];
                                    }
                                }
                            }
                        }
                }
            }
        memcpy(mass, next, STATES * sizeof *mass);
    }
}

/* other_alive[pop][row]: the share of a population not dead of other
 * causes at the start of each row, over its ages and sexes; the
 * eligibility groups' shares of the cohort into eligible_share. */
static void other_causes(const ipsim_params *p, const ipsim_mortality *mortality, int64_t rows,
                         double *other_alive[POPULATIONS], double eligible_share[2])
{
    double ages[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1];
    ipsim_diagnosis_age_shares(p, ages);
    double total[POPULATIONS] = {0};
    for (int k = 0; k < POPULATIONS; k++)
        memset(other_alive[k], 0, (size_t)rows * sizeof(double));
    for (int a = IPSIM_AGE_MIN; a <= IPSIM_AGE_MAX; a++)
        for (int sex = 0; sex < IPSIM_SEXES; sex++) {
            const double w = ages[a - IPSIM_AGE_MIN] *
                             (sex == IPSIM_SEX_MALE ? p->diagnosis.male_share
                                                    : 1 - p->diagnosis.male_share);
            if (w == 0)
                continue;
            const double pe = a <= p->pathway.transplant_age_limit
                                  ? p->pathway.transplant_eligible_share
                                  : 0;
            const double in[POPULATIONS] = {w * (1 - pe), w * pe,
                                            a <= IPSIM_TRIAL_NO_ASCT_AGE_MAX ? w * (1 - pe) : 0,
                                            a <= IPSIM_TRIAL_ASCT_AGE_MAX ? w * pe : 0};
            double s = 1;
            for (int64_t r = 0; r < rows; r++) {
                for (int k = 0; k < POPULATIONS; k++)
                    other_alive[k][r] += in[k] * s;
                s *= ipsim_mortality_other_survival(mortality, sex, a, r * p->cohort.cycle_months);
            }
            for (int k = 0; k < POPULATIONS; k++)
                total[k] += in[k];
        }
    for (int k = 0; k < POPULATIONS; k++)
        for (int64_t r = 0; r < rows; r++)
            other_alive[k][r] = total[k] > 0 ? other_alive[k][r] / total[k] : 0;
    eligible_share[0] = total[POP_NOT_ELIGIBLE] / (total[0] + total[1]);
    eligible_share[1] = total[POP_ELIGIBLE] / (total[0] + total[1]);
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

int ipsim_expected_compute(ipsim_expected *out, const ipsim_params *p, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->ivig.policy != IPSIM_IVIG_NONE || p->vaccination.influenza_coverage > 0 ||
        p->vaccination.pneumococcal_coverage > 0)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the expected-value model covers the natural history only: set "
                          "ivig.policy to none and the vaccination coverages to 0");
    const int64_t rows = ipsim_params_cycles(p) + 1;
    trace_model *m = calloc(1, sizeof *m);
    ipsim_mortality *mortality = malloc(sizeof *mortality);
    ipsim_diagnosis *diagnosis = malloc(sizeof *diagnosis);
    double *mass = malloc(2 * STATES * sizeof *mass);
    double *rows_buffer = calloc((size_t)rows * (POPULATIONS + IPSIM_CURVES), sizeof(double));
    tallies t;
    memset(&t, 0, sizeof t);
    int rc = IPSIM_OK;
    bool allocated = m && mortality && diagnosis && mass && rows_buffer;
    for (int k = 0; k < IPSIM_CURVES && allocated; k++)
        allocated = (out->curve[k] = malloc((size_t)rows * sizeof(double))) != NULL;
    if (!allocated) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the expected-value model");
        goto done;
    }
    if ((rc = ipsim_diagnosis_init(diagnosis, p, err)) ||
        (rc = ipsim_mortality_init(mortality, p, err)) || (rc = build(m, p, err)))
        goto done;
    for (int k = 0; k < POPULATIONS; k++)
        m->other_alive[k] = rows_buffer + k * rows;
    for (int k = 0; k < IPSIM_CURVES; k++)
        t.curve[k] = rows_buffer + (POPULATIONS + k) * rows;
    double eligible[2];
    other_causes(p, mortality, rows, m->other_alive, eligible);
    t.curve_base[IPSIM_CURVE_PFS_ALL] = t.curve_base[IPSIM_CURVE_OS_ALL] = 1;
    t.curve_base[IPSIM_CURVE_PROGRESSED] = 1;
    t.curve_base[IPSIM_CURVE_PFS_NOT_ELIGIBLE] = t.curve_base[IPSIM_CURVE_OS_NOT_ELIGIBLE] =
        eligible[0];

    double mix_total = 0, response_total = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        mix_total += p->cohort.baseline_mix[g];
    for (int r = 0; r < IPSIM_RESPONSES; r++)
        response_total += p->pathway.response_share[r];
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int e = 0; e < 2; e++) {
                double weight = p->cohort.baseline_mix[g] / mix_total *
                                p->pathway.response_share[r] / response_total * eligible[e];
                if (weight > 0)
                    trace_group(m, g, r, e, weight, &t, mass, mass + STATES);
            }
    for (int64_t r = 1; r < rows; r++) /* first progressions so far */
        t.curve[IPSIM_CURVE_PROGRESSED][r] += t.curve[IPSIM_CURVE_PROGRESSED][r - 1];
    finish(out, m, &t, p, diagnosis);

done:
    free(rows_buffer);
    free(mass);
    free(diagnosis);
    free(mortality);
    free(m);
    if (rc)
        ipsim_expected_free(out);
    return rc;
}

void ipsim_expected_free(ipsim_expected *e)
{
    for (int k = 0; k < IPSIM_CURVES; k++) {
        free(e->curve[k]);
        e->curve[k] = NULL;
    }
}

double ipsim_expected_curve_at(const ipsim_expected *e, ipsim_expected_curve curve, double month)
{
    double row = month / (double)e->cycle_months;
    if (!(row >= 0) || row > (double)(e->rows - 1))
        return NAN;
    int64_t below = (int64_t)floor(row);
    if (below >= e->rows - 1)
        return e->curve[curve][e->rows - 1];
    double frac = row - (double)below;
    return (1 - frac) * e->curve[curve][below] + frac * e->curve[curve][below + 1];
}

double ipsim_expected_median(const ipsim_expected *e, ipsim_expected_curve curve)
{
    const double *s = e->curve[curve];
    for (int64_t r = 1; r < e->rows; r++)
        if (s[r] <= 0.5 && s[r - 1] > 0.5)
            return ((double)(r - 1) + (s[r - 1] - 0.5) / (s[r - 1] - s[r])) *
                   (double)e->cycle_months;
    return NAN;
}

double ipsim_expected_pfs_at(const ipsim_expected *e, int improved, double month)
{
    return ipsim_expected_curve_at(e, improved ? IPSIM_CURVE_PFS_IMPROVED
                                               : IPSIM_CURVE_PFS_NOT_IMPROVED,
                                   month);
}
