/* analysis/validate.c: a simulated cohort against its sources and its exact
 * expectation (see the header). */
#include "analysis/validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/immunoglobulins.h"
#include "output/intervals.h"
#include "params/published.h"
#include "params/review.h"

static const double Z95 = 1.959963984540054;

static ipsim_validation_row *add(ipsim_validation *v, const char *source, ipsim_row_role role,
                                 ipsim_row_kind kind, double target, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

static ipsim_validation_row *add(ipsim_validation *v, const char *source, ipsim_row_role role,
                                 ipsim_row_kind kind, double target, const char *fmt, ...)
{
    ipsim_validation_row *r = &v->rows[v->count++];
    memset(r, 0, sizeof *r);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->quantity, sizeof r->quantity, fmt, ap);
    va_end(ap);
    snprintf(r->source, sizeof r->source, "%s", source);
    r->role = role;
    r->kind = kind;
    r->target = target;
    r->estimate = r->se = r->exact = r->low = r->high = NAN;
    r->status = role == IPSIM_ROLE_CONTEXT ? IPSIM_ROW_CONTEXT : IPSIM_ROW_PASS;
    return r;
}

/* A share k / n; its standard error from the Wilson interval (so that a
 * share of 0 or 1 still has one). */
static void share(ipsim_validation_row *r, int64_t k, int64_t n)
{
    if (n <= 0)
        return;
    double low, high;
    ipsim_interval_share(k, n, &low, &high);
    r->estimate = (double)k / (double)n;
    r->se = (high - low) / (2 * Z95);
}

/* A median with its 95% interval: the standard error the interval implies. */
static void median(ipsim_validation_row *r, double m, double low, double high)
{
    r->estimate = m;
    if (!isnan(low) && !isnan(high))
        r->se = (high - low) / (2 * Z95);
}

static void course_median(ipsim_validation_row *r, const ipsim_summary *s, ipsim_course_curve c)
{
    double m, low, high;
    ipsim_course_median(s->course_event_row, s->shape.months, s->shape.cycle_months, c, &m, &low,
                        &high);
    median(r, m, low, high);
}

/* Patients with >= 1 episode in the window among those whose grade at
 * diagnosis is in [from, to]. */
static void window_share(ipsim_validation_row *r, const ipsim_summary *s, int from, int to)
{
    int64_t k = 0, n = 0;
    for (int g = from; g <= to; g++) {
        k += s->infected_in_window_by_baseline[g];
        n += s->patients_by_baseline[g];
    }
    share(r, k, n);
}

static double mix_share(const ipsim_params *p, int from)
{
    /* Under every grade model the grade at diagnosis is drawn from this mix
     * (the levels model draws the levels given it). */
    const double *mix = p->cohort.baseline_mix;
    double total = 0, part = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        total += mix[g];
        part += g >= from ? mix[g] : 0;
    }
    return part / total;
}

/* The review's table (docs/review.md, "The table ipsim reproduces"). */
static void review_rows(ipsim_validation *v, const ipsim_summary *s, const ipsim_params *p,
                        const ipsim_expected *e)
{
    const ipsim_row_role fit = IPSIM_ROLE_CALIBRATION;
    static const struct {
        const char *who;
        double value;
        int from, to;
    } windows[] = {
        {"mild at diagnosis", IPSIM_REVIEW_INFECTED_MILD, IPSIM_GRADE_MILD, IPSIM_GRADE_MILD},
        {"moderate", IPSIM_REVIEW_INFECTED_MODERATE, IPSIM_GRADE_MODERATE, IPSIM_GRADE_MODERATE},
        {"severe or worse", IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE, IPSIM_GRADE_SEVERE,
         IPSIM_GRADE_VERY_SEVERE}};
    const long long window = (long long)p->infection.window_months;
    for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
        ipsim_validation_row *r = add(v, "review 3.1.2", fit, IPSIM_KIND_SHARE, windows[k].value,
                                      ">= 1 infection in %lld months, %s", window, windows[k].who);
        window_share(r, s, windows[k].from, windows[k].to);
        if (e)
            r->exact = k < 2 ? e->window_share[windows[k].from] : e->window_share_severe_or_worse;
    }
    /* Whole cohort: attainable only if some share for grade none (free in
     * [0, 1]) brings the mix-weighted per-grade figures to 26.8%. */
    ipsim_validation_row *r = add(v, "review 3.1.2", IPSIM_ROLE_VALIDATION, IPSIM_KIND_SHARE,
                                  IPSIM_REVIEW_INFECTED_ALL,
                                  ">= 1 infection in %lld months, whole cohort", window);
    window_share(r, s, IPSIM_GRADE_NONE, IPSIM_GRADE_VERY_SEVERE);
    r->exact = e ? e->window_share_all : NAN;
    const double *mix = p->cohort.baseline_mix;
    double total = mix[0] + mix[1] + mix[2] + mix[3] + mix[4];
    double lowest = (mix[1] * IPSIM_REVIEW_INFECTED_MILD + mix[2] * IPSIM_REVIEW_INFECTED_MODERATE +
                     (mix[3] + mix[4]) * IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE) /
                    total;
    double highest = lowest + mix[0] / total;
    if (IPSIM_REVIEW_INFECTED_ALL < lowest || IPSIM_REVIEW_INFECTED_ALL > highest) {
        r->status = IPSIM_ROW_UNATTAINABLE;
        snprintf(r->note, sizeof r->note,
                 "with this grade mix and the per-grade figures it lies in %.1f%%-%.1f%%",
                 100 * lowest, 100 * highest);
    }

    static const double type_share[IPSIM_INFECTION_TYPES] = {
        IPSIM_REVIEW_BACTERIAL, IPSIM_REVIEW_VIRAL, IPSIM_REVIEW_FUNGAL};
    int64_t by_type[IPSIM_INFECTION_TYPES] = {0}, episodes = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
            by_type[t] += s->episodes[g][t];
            episodes += s->episodes[g][t];
        }
    const double *types = p->infection.type_share;
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
        r = add(v, "review 3.1.2", fit, IPSIM_KIND_SHARE, type_share[t],
                "infection episodes that are %s", ipsim_infection_type_names[t]);
        share(r, by_type[t], episodes);
        r->exact = types[t] / (types[0] + types[1] + types[2]);
    }

    r = add(v, "review 3.1.2", fit, IPSIM_KIND_RATIO, IPSIM_REVIEW_SERIOUS_RATE_RATIO,
            "serious-infection rate, severe or worse vs mild");
    double ratio, low, high;
    ipsim_summary_severe_to_mild(s, 1, &ratio, &low, &high);
    r->estimate = ratio;
    r->se = (log(high) - log(low)) / (2 * Z95);
    r->exact = e ? e->serious_rate_ratio : NAN;

    r = add(v, "review 3.1.3", fit, IPSIM_KIND_SHARE, IPSIM_REVIEW_CR_IMPROVED,
            "IP improved after %lld induction cycles, among CR",
            (long long)p->pathway.induction_cycles);
    share(r, s->improved[IPSIM_RESPONSE_CR], s->improvement_assessed[IPSIM_RESPONSE_CR]);
    r->exact = e ? e->cr_improved : NAN;
    r = add(v, "review 4", fit, IPSIM_KIND_SHARE, IPSIM_REVIEW_CR_RECOVERED_ASCT,
            "full recovery 12 months after ASCT, among CR");
    share(r, s->recovered[1], s->recovery_assessed[1]);
    r->exact = e ? e->cr_recovered[1] : NAN;
    r = add(v, "review 4", fit, IPSIM_KIND_SHARE, IPSIM_REVIEW_CR_RECOVERED_NO_ASCT,
            "full recovery at 12 months without ASCT, among CR");
    share(r, s->recovered[0], s->recovery_assessed[0]);
    r->exact = e ? e->cr_recovered[0] : NAN;

    r = add(v, "review 5.1", fit, IPSIM_KIND_MONTHS, IPSIM_REVIEW_PFS_MEDIAN_NOT_IMPROVED,
            "median PFS, IP not improved after induction");
    ipsim_summary_pfs_median(s, 0, &ratio, &low, &high);
    median(r, ratio, low, high);
    r->exact = e ? ipsim_expected_median(e, IPSIM_CURVE_PFS_NOT_IMPROVED) : NAN;
    const int64_t followup = p->validation.pfs_followup_months;
    r = add(v, "review 5.1", IPSIM_ROLE_VALIDATION, IPSIM_KIND_SHARE, 0.5,
            "PFS at %lld months, IP improved (median not reached)", (long long)followup);
    r->is_lower_bound = 1;
    ipsim_summary_pfs(s, 1, followup, &ratio, &low, &high);
    r->estimate = ratio;
    r->se = (high - low) / (2 * Z95);
    r->exact = e ? ipsim_expected_pfs_at(e, 1, (double)followup) : NAN;
    r = add(v, "review 5.1", IPSIM_ROLE_CONTEXT, IPSIM_KIND_RATIO, NAN,
            "median OS, IP improved over not improved");
    double improved, not_improved, l1, h1, l0, h0;
    ipsim_course_median(s->course_event_row, s->shape.months, s->shape.cycle_months,
                        IPSIM_COURSE_OS_IMPROVED, &improved, &l1, &h1);
    ipsim_course_median(s->course_event_row, s->shape.months, s->shape.cycle_months,
                        IPSIM_COURSE_OS_NOT_IMPROVED, &not_improved, &l0, &h0);
    r->estimate = improved / not_improved;
    r->exact = e ? ipsim_expected_median(e, IPSIM_CURVE_OS_IMPROVED) /
                       ipsim_expected_median(e, IPSIM_CURVE_OS_NOT_IMPROVED)
                 : NAN;
    snprintf(r->note, sizeof r->note,
             "the review: no significant difference (P = 0.450), with no effect size or study "
             "size to judge against");

    /* At diagnosis (review sections 1, 3.1.1). The review's 76.1% "severe or
     * worse" is read as moderate or worse (docs/review.md). */
    int64_t all = 0, moderate_or_worse = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        all += s->patients_by_baseline[g];
        moderate_or_worse += g >= IPSIM_GRADE_MODERATE ? s->patients_by_baseline[g] : 0;
    }
    r = add(v, "review 1", fit, IPSIM_KIND_SHARE, IPSIM_REVIEW_SEVERE_OR_WORSE,
            "moderate or worse IP at diagnosis (review: 'severe or worse')");
    share(r, moderate_or_worse, all);
    r->exact = mix_share(p, IPSIM_GRADE_MODERATE);
    if (p->grades.model == IPSIM_GRADE_MODEL_LEVELS) {
        /* The levels model fits the mix rather than taking it as given. */
        r = add(v, "review 1", fit, IPSIM_KIND_SHARE, IPSIM_REVIEW_NO_IP_AT_DIAGNOSIS,
                "no IP at diagnosis");
        share(r, s->patients_by_baseline[IPSIM_GRADE_NONE], all);
        r->exact = 1 - mix_share(p, IPSIM_GRADE_MILD);
        r = add(v, "review 3.1.1", IPSIM_ROLE_VALIDATION, IPSIM_KIND_SHARE,
                IPSIM_REVIEW_MODERATE_AT_DIAGNOSIS, "moderate IP at diagnosis");
        share(r, s->patients_by_baseline[IPSIM_GRADE_MODERATE], all);
        r->exact = mix_share(p, IPSIM_GRADE_MODERATE) - mix_share(p, IPSIM_GRADE_SEVERE);
    }
    static const struct {
        const char *quantity;
        double value;
        int type, from;
    } type_rows[] = {{"severe or worse IP, IgG-type myeloma", IPSIM_REVIEW_SEVERE_OR_WORSE_IGG,
                      IPSIM_MYELOMA_IGG, IPSIM_GRADE_SEVERE},
                     {"severe or worse IP, IgA-type myeloma", IPSIM_REVIEW_SEVERE_OR_WORSE_IGA,
                      IPSIM_MYELOMA_IGA, IPSIM_GRADE_SEVERE},
                     {"very severe IP, light-chain myeloma", IPSIM_REVIEW_VERY_SEVERE_LIGHT_CHAIN,
                      IPSIM_MYELOMA_LIGHT_CHAIN, IPSIM_GRADE_VERY_SEVERE}};
    for (size_t k = 0; k < sizeof type_rows / sizeof type_rows[0]; k++) {
        int64_t n = 0, hit = 0;
        const int type = type_rows[k].type;
        for (int g = 0; g < IPSIM_GRADES; g++) {
            n += s->patients_by_type_and_grade[type][g];
            hit += g >= type_rows[k].from ? s->patients_by_type_and_grade[type][g] : 0;
        }
        r = add(v, "review 3.1.1", fit, IPSIM_KIND_SHARE, type_rows[k].value, "%s",
                type_rows[k].quantity);
        share(r, hit, n);
        if (e)
            r->exact = type_rows[k].from == IPSIM_GRADE_SEVERE ? e->severe_or_worse_by_type[type]
                                                               : e->very_severe_by_type[type];
        if (type == IPSIM_MYELOMA_LIGHT_CHAIN) {
            /* With the IgG and IgA figures met, the cohort's severe-or-worse
             * share leaves light chain at most this much. */
            const double *w = p->diagnosis.myeloma_type_share;
            double room = w[2] > 0 ? (mix_share(p, IPSIM_GRADE_SEVERE) -
                                       w[0] * IPSIM_REVIEW_SEVERE_OR_WORSE_IGG -
                                       w[1] * IPSIM_REVIEW_SEVERE_OR_WORSE_IGA) /
                                          w[2]
                                    : 1;
            if (room < type_rows[k].value) {
                r->status = IPSIM_ROW_UNATTAINABLE;
                snprintf(r->note, sizeof r->note,
                         "with the IgG and IgA figures and the grade mix, light chain has at "
                         "most %.1f%% severe or worse",
                         100 * room);
            }
        }
    }
}

/* The published course of the disease: what the calibration fits, and what
 * is shown beside the model for context (params/published.h). */
static void course_rows(ipsim_validation *v, const ipsim_summary *s, const ipsim_expected *e)
{
    const ipsim_row_role fit = IPSIM_ROLE_CALIBRATION;
    const int64_t months = s->shape.months, cycle = s->shape.cycle_months;
    ipsim_validation_row *r =
        add(v, "S0777", fit, IPSIM_KIND_MONTHS, IPSIM_PUBLISHED_S0777_PFS_MEDIAN,
            "median PFS, no ASCT, aged up to %d", IPSIM_TRIAL_NO_ASCT_AGE_MAX);
    course_median(r, s, IPSIM_COURSE_PFS_S0777);
    r->exact = e ? ipsim_expected_median(e, IPSIM_CURVE_PFS_NOT_ELIGIBLE) : NAN;
    r = add(v, "S0777", fit, IPSIM_KIND_MONTHS, IPSIM_PUBLISHED_S0777_OS_MEDIAN,
            "median OS, no ASCT, aged up to %d", IPSIM_TRIAL_NO_ASCT_AGE_MAX);
    course_median(r, s, IPSIM_COURSE_OS_S0777);
    r->exact = e ? ipsim_expected_median(e, IPSIM_CURVE_OS_NOT_ELIGIBLE) : NAN;
    r = add(v, "EMN02/HO95", fit, IPSIM_KIND_MONTHS, IPSIM_PUBLISHED_EMN02_PFS_MEDIAN,
            "median PFS from ASCT, aged up to %d", IPSIM_TRIAL_ASCT_AGE_MAX);
    course_median(r, s, IPSIM_COURSE_PFS_EMN02);
    r->exact = e ? ipsim_expected_median(e, IPSIM_CURVE_PFS_ASCT) -
                       (double)(e->asct_cycle * e->cycle_months)
                 : NAN;
    const int64_t n = s->patients;
    const double alive2 = ipsim_course_share_at(s->course_event_row, months, cycle,
                                                IPSIM_COURSE_OS, 2);
    r = add(v, "Swedish registry", fit, IPSIM_KIND_SHARE, IPSIM_PUBLISHED_DEAD_2_MONTHS,
            "dead within 2 months of diagnosis");
    if (!isnan(alive2))
        share(r, n - llround(alive2 * (double)n), n);
    r->exact = e ? 1 - ipsim_expected_curve_at(e, IPSIM_CURVE_OS_ALL, 2) : NAN;
    const int64_t *ep = s->course.episodes_in_period;
    r = add(v, "Bove 2022", fit, IPSIM_KIND_SHARE, IPSIM_PUBLISHED_EARLY_SHARE_OF_6_MONTHS,
            "infections of months 0-5 that begin in months 0-2");
    share(r, ep[0], ep[0] + ep[1]);
    r->exact = e ? e->episodes_in_period[0] / (e->episodes_in_period[0] + e->episodes_in_period[1])
                 : NAN;

    const double alive12 = ipsim_course_share_at(s->course_event_row, months, cycle,
                                                 IPSIM_COURSE_OS, 12);
    r = add(v, "Swedish registry", IPSIM_ROLE_CONTEXT, IPSIM_KIND_SHARE,
            IPSIM_PUBLISHED_DEAD_12_MONTHS, "dead within 12 months of diagnosis");
    r->estimate = 1 - alive12;
    r->exact = e ? 1 - ipsim_expected_curve_at(e, IPSIM_CURVE_OS_ALL, 12) : NAN;
    snprintf(r->note, sizeof r->note,
             "a population register's old and frail die early; ipsim's excess mortality does "
             "not depend on age");
    r = add(v, "TEAMM", IPSIM_ROLE_CONTEXT, IPSIM_KIND_SHARE, IPSIM_PUBLISHED_TEAMM_EARLY,
            ">= 1 infection or death in the first %d months", 3);
    r->exact = e ? e->early_infection_or_death : NAN;
    snprintf(r->note, sizeof r->note,
             "a febrile episode or death in 12 weeks: another endpoint than the review's "
             "infections");
    r = add(v, "Total Therapy 2", IPSIM_ROLE_CONTEXT, IPSIM_KIND_SHARE,
            IPSIM_PUBLISHED_ASCT_SEVERE_INFECTION, "serious infection in the month of ASCT");
    r->exact = e ? e->neutropenic_serious : NAN;
    snprintf(r->note, sizeof r->note,
             "severe infection after melphalan-ASCT, window not stated, 1998-2002");
}

/* The multiplier z of the standard error at which k checks together have
 * an IPSIM_VALIDATION_LEVEL chance of all passing when each estimate is
 * unbiased. */
static double joint_z(int k)
{
    return gsl_cdf_ugaussian_Qinv((1 - pow(IPSIM_VALIDATION_LEVEL, 1.0 / (k < 1 ? 1 : k))) / 2);
}

/* The levels model's own figures: the review's rises in CR (section
 * 3.1.3; not fitted), and IgG below 4 g/L at diagnosis beside a registry.
 * A rise is a mean over the review's 16 CR patients (IPSIM_REVIEW_CR_PATIENTS),
 * so a correct model reproduces it only within that sample's error: the row
 * is judged on the Monte Carlo error and the error of a 16-patient mean
 * together, the latter from the model's own spread of individual rises. */
static void immunoglobulin_rows(ipsim_validation *v, const ipsim_summary *s,
                                const ipsim_params *p, const ipsim_expected *e)
{
    static const double rise[IPSIM_IG_CLASSES] = {IPSIM_REVIEW_CR_RISE_IGG,
                                                  IPSIM_REVIEW_CR_RISE_IGA,
                                                  IPSIM_REVIEW_CR_RISE_IGM};
    static const char *const label[IPSIM_IG_CLASSES] = {"IgG", "IgA", "IgM"};
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        ipsim_validation_row *r =
            add(v, "review 3.1.3", IPSIM_ROLE_VALIDATION, IPSIM_KIND_SHARE, rise[c],
                "rise of uninvolved %s after induction, in CR", label[c]);
        const int64_t n = s->cr_level_patients[c];
        const int64_t *sum = s->cr_level_sums[c];
        if (n >= 2 && sum[0] > 0) {
            /* The ratio of means y / x and its delta-method standard error. */
            const double x = (double)sum[0], y = (double)sum[1], ratio = y / x;
            const double residual = (double)sum[3] - 2 * ratio * (double)sum[4] +
                                    ratio * ratio * (double)sum[2];
            const double mean_x = x / (double)n;
            const double spread = sqrt(fmax(residual, 0) / (double)(n - 1)) / mean_x;
            r->estimate = ratio - 1;
            r->se = sqrt(spread * spread / (double)n +
                         spread * spread / IPSIM_REVIEW_CR_PATIENTS);
            snprintf(r->note, sizeof r->note,
                     "judged with the error of the review's 16-patient mean (+-%.0f%%)",
                     100 * spread / sqrt(IPSIM_REVIEW_CR_PATIENTS));
        }
        r->exact = e ? e->cr_rise[c] : NAN;
    }
    /* Another population (a registry of every type, not the review's
     * cohort, whose grade mix implies deeper suppression): shown beside the
     * model, not judged. */
    ipsim_validation_row *r =
        add(v, "Chai 2024", IPSIM_ROLE_CONTEXT, IPSIM_KIND_SHARE, IPSIM_PUBLISHED_IGG_BELOW_4,
            "polyclonal IgG below 4 g/L at diagnosis");
    snprintf(r->note, sizeof r->note,
             "a registry of 2,374 (Australia and New Zealand), not the review's cohort");
    share(r, s->igg_below_4_at_diagnosis, s->level_patients);
    ipsim_immunoglobulins *ig = malloc(sizeof *ig);
    ipsim_error err = {0};
    if (ig && ipsim_immunoglobulins_init(ig, p, &err) == IPSIM_OK)
        r->exact = ipsim_immunoglobulins_share_below(ig, p, IPSIM_IGG, 4.0);
    free(ig);
}

static double difference(const ipsim_validation_row *r, double a, double b)
{
    return r->kind == IPSIM_KIND_RATIO ? log(a) - log(b) : a - b;
}

static bool judged(const ipsim_validation_row *r)
{
    return r->status == IPSIM_ROW_PASS;
}

void ipsim_validation_compute(const ipsim_summary *s, const ipsim_params *p,
                              const ipsim_expected *exact, ipsim_validation *v)
{
    memset(v, 0, sizeof *v);
    review_rows(v, s, p, exact);
    if (p->grades.model == IPSIM_GRADE_MODEL_LEVELS)
        immunoglobulin_rows(v, s, p, exact);
    course_rows(v, s, exact);
    for (int i = 0; i < v->count; i++) {
        const ipsim_validation_row *r = &v->rows[i];
        if (judged(r))
            v->checks += !isnan(r->target) + !isnan(r->exact);
    }
    v->z = joint_z(v->checks);
    for (int i = 0; i < v->count; i++) {
        ipsim_validation_row *r = &v->rows[i];
        if (!isnan(r->estimate) && !isnan(r->se)) {
            const double half = v->z * r->se;
            r->low = r->kind == IPSIM_KIND_RATIO ? r->estimate * exp(-half) : r->estimate - half;
            r->high = r->kind == IPSIM_KIND_RATIO ? r->estimate * exp(half) : r->estimate + half;
        }
        if (!judged(r))
            continue;
        if (isnan(r->estimate) || isnan(r->se)) {
            r->status = IPSIM_ROW_FAIL;
            snprintf(r->note, sizeof r->note, "not estimable: too few patients or events, or "
                                              "beyond the horizon");
        } else {
            const double half = v->z * r->se;
            bool source_ok = isnan(r->target) ||
                             (r->is_lower_bound ? difference(r, r->estimate, r->target) > -half
                                                : fabs(difference(r, r->estimate, r->target)) <=
                                                      half);
            bool exact_ok = isnan(r->exact) || fabs(difference(r, r->estimate, r->exact)) <= half;
            if (!source_ok || !exact_ok) {
                r->status = IPSIM_ROW_FAIL;
                snprintf(r->note, sizeof r->note, "%s",
                         !source_ok && !exact_ok ? "off the source and the exact model"
                         : !source_ok            ? "off the source's figure"
                                                 : "off the exact model: the engine disagrees "
                                                   "with its own model");
            }
        }
        v->failed += r->status == IPSIM_ROW_FAIL;
    }
}

static void format_value(char *buf, size_t size, double x, ipsim_row_kind kind)
{
    if (isnan(x))
        snprintf(buf, size, "-");
    else if (isinf(x))
        snprintf(buf, size, "beyond");
    else if (kind == IPSIM_KIND_MONTHS)
        snprintf(buf, size, "%.1f mo", x);
    else if (kind == IPSIM_KIND_RATIO)
        snprintf(buf, size, "%.2fx", x);
    else
        snprintf(buf, size, "%.1f%%", 100 * x);
}

int ipsim_validation_print(FILE *out, const ipsim_validation *v)
{
    static const char *const status_names[] = {"pass", "FAIL", "unattainable", "context"};
    static const char *const role_names[] = {"calibration", "validation", "context"};
    fprintf(out, "%-62s %-16s %-11s %8s %9s %9s   %-19s %s\n", "quantity", "source", "set",
            "source", "simulated", "exact", "joint interval", "result");
    for (int i = 0; i < v->count; i++) {
        const ipsim_validation_row *r = &v->rows[i];
        char target[24], est[16], exact[16], low[16], high[16], interval[40] = "";
        format_value(target, sizeof target, r->target, r->kind);
        if (r->is_lower_bound) {
            char bound[sizeof target];
            snprintf(bound, sizeof bound, "> %.16s", target);
            memcpy(target, bound, sizeof target);
        }
        format_value(est, sizeof est, r->estimate, r->kind);
        format_value(exact, sizeof exact, r->exact, r->kind);
        format_value(low, sizeof low, r->low, r->kind);
        format_value(high, sizeof high, r->high, r->kind);
        if (!isnan(r->low))
            snprintf(interval, sizeof interval, "%s - %s", low, high);
        fprintf(out, "%-62s %-16s %-11s %8s %9s %9s   %-19s %s%s%s\n", r->quantity, r->source,
                role_names[r->role], target, est, exact, interval, status_names[r->status],
                *r->note ? ": " : "", r->note);
    }
    fprintf(out,
            "\nJoint criterion: %d checks (each judged row against its source, and against the "
            "exact expected-value model where it has one), each at %.2f standard errors, so "
            "that a correct model passes them all in %.0f%% of seeds (Sidak).\n",
            v->checks, v->z, 100 * IPSIM_VALIDATION_LEVEL);
    return v->failed;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q quantile of sorted x[n], linear between order statistics. */
static double quantile(const double *x, int n, double q)
{
    const double at = q * (n - 1);
    const int lo = (int)floor(at);
    return lo + 1 < n ? x[lo] + (at - lo) * (x[lo + 1] - x[lo]) : x[n - 1];
}

/* True if the draws move row i's value at all: a figure they do not move
 * (an input taken as given, or fitted by other means) is the table's to
 * judge, not the check's. */
static bool predictive_moves(const ipsim_predictive *pp, int i)
{
    return pp->computed[i] > 0 &&
           pp->high[i] - pp->low[i] > 1e-9 * fmax(1, fabs(pp->high[i]));
}

void ipsim_predictive_compute(const ipsim_validation *v, const double *exact, int draws,
                              ipsim_predictive *pp)
{
    memset(pp, 0, sizeof *pp);
    pp->draws = draws;
    double *column = malloc((size_t)(draws > 0 ? draws : 1) * sizeof *column);
    for (int i = 0; i < v->count; i++) {
        const ipsim_validation_row *r = &v->rows[i];
        int n = 0;
        for (int d = 0; column && d < draws; d++) {
            const double x = exact[(size_t)d * (size_t)v->count + (size_t)i];
            if (!isnan(x))
                column[n++] = x;
            else if (r->kind == IPSIM_KIND_MONTHS)
                column[n++] = INFINITY;
        }
        pp->computed[i] = n;
        pp->low[i] = pp->high[i] = NAN;
        if (n > 0) {
            qsort(column, (size_t)n, sizeof *column, compare_doubles);
            pp->low[i] = quantile(column, n, 0.025);
            pp->high[i] = quantile(column, n, 0.975);
        }
        if (isnan(r->target) || r->role == IPSIM_ROLE_CONTEXT ||
            r->status == IPSIM_ROW_UNATTAINABLE || !predictive_moves(pp, i))
            continue;
        pp->judged++;
        const bool inside = n > 0 && (r->is_lower_bound ? pp->high[i] >= r->target
                                                        : r->target >= pp->low[i] &&
                                                              r->target <= pp->high[i]);
        pp->outside += !inside;
    }
    free(column);
}

int ipsim_predictive_print(FILE *out, const ipsim_validation *v, const ipsim_predictive *pp,
                           const char *file)
{
    static const char *const role_names[] = {"calibration", "validation", "context"};
    fprintf(out,
            "\nPosterior predictive check: the exact expected-value model at each of the %d "
            "draws of %s\n\n%-62s %-16s %-11s %8s   %-21s %s\n",
            pp->draws, file, "quantity", "source", "set", "source", "95% predictive", "result");
    for (int i = 0; i < v->count; i++) {
        const ipsim_validation_row *r = &v->rows[i];
        char target[24], low[16], high[16], interval[40] = "-";
        format_value(target, sizeof target, r->target, r->kind);
        if (r->is_lower_bound) {
            char bound[sizeof target];
            snprintf(bound, sizeof bound, "> %.16s", target);
            memcpy(target, bound, sizeof target);
        }
        format_value(low, sizeof low, pp->low[i], r->kind);
        format_value(high, sizeof high, pp->high[i], r->kind);
        if (pp->computed[i])
            snprintf(interval, sizeof interval, "%s - %s", low, high);
        const char *result = "-";
        if (!isnan(r->target) && r->role != IPSIM_ROLE_CONTEXT) {
            const bool inside = pp->computed[i] &&
                                (r->is_lower_bound ? pp->high[i] >= r->target
                                                   : r->target >= pp->low[i] &&
                                                         r->target <= pp->high[i]);
            result = r->status == IPSIM_ROW_UNATTAINABLE ? "unattainable"
                     : !predictive_moves(pp, i)          ? "not drawn"
                     : inside                            ? "inside"
                                                         : "OUTSIDE";
        }
        char of[40] = "";
        if (pp->computed[i] && pp->computed[i] < pp->draws)
            snprintf(of, sizeof of, " (of the %d draws with a value)", pp->computed[i]);
        fprintf(out, "%-62s %-16s %-11s %8s   %-21s %s%s\n", r->quantity, r->source,
                role_names[r->role], target, interval, result, of);
    }
    fprintf(out,
            "\n%d of %d judged figures lie inside their 95%% posterior predictive interval "
            "(of the model's expected value, so without sampling noise); \"not drawn\": the "
            "draws do not move it, and the table above judges it (docs/psa.md).\n",
            pp->judged - pp->outside, pp->judged);
    return pp->outside;
}
