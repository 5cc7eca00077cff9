/* analysis/validate.c: the seed's table against a simulated cohort. */
#include "analysis/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/intervals.h"
#include "params/review.h"

static ipsim_validation_row row(const char *quantity, double seed_value, int is_ratio)
{
    ipsim_validation_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.quantity, sizeof r.quantity, "%s", quantity);
    r.seed_value = seed_value;
    r.is_ratio = is_ratio;
    r.estimate = r.low = r.high = NAN;
    return r;
}

static void judge(ipsim_validation_row *r)
{
    if (r->is_lower_bound) {
        r->status = r->low > r->seed_value ? IPSIM_ROW_PASS : IPSIM_ROW_FAIL;
        return;
    }
    r->status = r->seed_value >= r->low && r->seed_value <= r->high ? IPSIM_ROW_PASS
                                                                     : IPSIM_ROW_FAIL;
    if (isnan(r->estimate) || isnan(r->low))
        snprintf(r->note, sizeof r->note, "not estimable: too few patients or events");
}

/* A share k / n with its Wilson interval. */
static void share_row(int64_t k, int64_t n, ipsim_validation_row *r)
{
    r->estimate = n ? (double)k / (double)n : NAN;
    if (n)
        ipsim_interval_share(k, n, &r->low, &r->high);
    judge(r);
}

/* Median PFS of a group, with its Brookmeyer-Crowley interval. */
static void median_row(const ipsim_summary *s, int improved, ipsim_validation_row *r)
{
    int64_t n = ipsim_summary_pfs_median(s, improved, &r->estimate, &r->low, &r->high);
    if (isnan(r->estimate) || isnan(r->low) || isnan(r->high)) {
        r->status = IPSIM_ROW_FAIL;
        snprintf(r->note, sizeof r->note, "not estimable: %s",
                 n ? "the median is not reached by the horizon" : "no patients in the group");
        return;
    }
    judge(r);
}

/* Share of patients with >= 1 episode in the window among those whose grade
 * at diagnosis is in [from, to]. */
static void window_row(const ipsim_summary *s, int from, int to, ipsim_validation_row *r)
{
    int64_t k = 0, n = 0;
    for (int g = from; g <= to; g++) {
        k += s->infected_in_window_by_baseline[g];
        n += s->patients_by_baseline[g];
    }
    r->estimate = n ? (double)k / (double)n : NAN;
    if (n)
        ipsim_interval_share(k, n, &r->low, &r->high);
    judge(r);
}

void ipsim_validation_rows(const ipsim_summary *s, const ipsim_params *p,
                           ipsim_validation_row *rows)
{
    int i = 0;
    char label[96];
    /* Review section 3.1.2, by grade at diagnosis. */
    static const struct {
        const char *who;
        double value;
        int from, to;
    } windows[] = {
        {"mild at diagnosis", IPSIM_REVIEW_INFECTED_MILD, IPSIM_GRADE_MILD, IPSIM_GRADE_MILD},
        {"moderate", IPSIM_REVIEW_INFECTED_MODERATE, IPSIM_GRADE_MODERATE, IPSIM_GRADE_MODERATE},
        {"severe or worse", IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE, IPSIM_GRADE_SEVERE,
         IPSIM_GRADE_VERY_SEVERE}};
    for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
        snprintf(label, sizeof label, ">= 1 infection in %lld months, %s",
                 (long long)p->infection.window_months, windows[k].who);
        rows[i] = row(label, windows[k].value, 0);
        window_row(s, windows[k].from, windows[k].to, &rows[i++]);
    }

    /* Whole cohort: attainable only if some share for grade none (free in
     * [0, 1]) brings the mix-weighted per-grade targets to 26.8%. */
    snprintf(label, sizeof label, ">= 1 infection in %lld months, whole cohort",
             (long long)p->infection.window_months);
    rows[i] = row(label, IPSIM_REVIEW_INFECTED_ALL, 0);
    window_row(s, IPSIM_GRADE_NONE, IPSIM_GRADE_VERY_SEVERE, &rows[i]);
    const double *mix = p->cohort.baseline_mix;
    double total = mix[0] + mix[1] + mix[2] + mix[3] + mix[4];
    double lowest = (mix[1] * IPSIM_REVIEW_INFECTED_MILD + mix[2] * IPSIM_REVIEW_INFECTED_MODERATE +
                     (mix[3] + mix[4]) * IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE) /
                    total;
    double highest = lowest + mix[0] / total;
    if (IPSIM_REVIEW_INFECTED_ALL < lowest || IPSIM_REVIEW_INFECTED_ALL > highest) {
        rows[i].status = IPSIM_ROW_UNATTAINABLE;
        snprintf(rows[i].note, sizeof rows[i].note,
                 "with this grade mix and the per-grade figures it lies in %.1f%%-%.1f%%",
                 100 * lowest, 100 * highest);
    }
    i++;

    static const double type_share[IPSIM_INFECTION_TYPES] = {
        IPSIM_REVIEW_BACTERIAL, IPSIM_REVIEW_VIRAL, IPSIM_REVIEW_FUNGAL};
    int64_t by_type[IPSIM_INFECTION_TYPES] = {0}, episodes = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
            by_type[t] += s->episodes[g][t];
            episodes += s->episodes[g][t];
        }
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
        snprintf(label, sizeof label, "infection episodes that are %s",
                 ipsim_infection_type_names[t]);
        rows[i] = row(label, type_share[t], 0);
        rows[i].estimate = episodes ? (double)by_type[t] / (double)episodes : NAN;
        if (episodes)
            ipsim_interval_share(by_type[t], episodes, &rows[i].low, &rows[i].high);
        judge(&rows[i++]);
    }

    rows[i] = row("serious-infection rate, severe or worse vs mild",
                  IPSIM_REVIEW_SERIOUS_RATE_RATIO, 1);
    ipsim_summary_severe_to_mild(s, 1, &rows[i].estimate, &rows[i].low, &rows[i].high);
    judge(&rows[i++]);

    /* Recovery by response depth and ASCT (review sections 3.1.3, 4). */
    snprintf(label, sizeof label, "IP improved after %lld induction cycles, among CR",
             (long long)p->pathway.induction_cycles);
    rows[i] = row(label, IPSIM_REVIEW_CR_IMPROVED, 0);
    share_row(s->improved[IPSIM_RESPONSE_CR], s->improvement_assessed[IPSIM_RESPONSE_CR],
              &rows[i++]);
    rows[i] = row("full recovery 12 months after ASCT, among CR",
                  IPSIM_REVIEW_CR_RECOVERED_ASCT, 0);
    share_row(s->recovered[1], s->recovery_assessed[1], &rows[i++]);
    rows[i] = row("full recovery at 12 months without ASCT, among CR",
                  IPSIM_REVIEW_CR_RECOVERED_NO_ASCT, 0);
    share_row(s->recovered[0], s->recovery_assessed[0], &rows[i++]);

    /* Median progression-free survival (review section 5.1). */
    rows[i] = row("median PFS, IP not improved after induction",
                  IPSIM_REVIEW_PFS_MEDIAN_NOT_IMPROVED, 0);
    rows[i].is_months = 1;
    median_row(s, 0, &rows[i++]);
    snprintf(label, sizeof label, "PFS at %lld months, IP improved (median not reached)",
             (long long)p->validation.pfs_followup_months);
    rows[i] = row(label, 0.5, 0);
    rows[i].is_lower_bound = 1;
    ipsim_summary_pfs(s, 1, p->validation.pfs_followup_months, &rows[i].estimate, &rows[i].low,
                      &rows[i].high);
    rows[i].status = rows[i].low > 0.5 ? IPSIM_ROW_PASS : IPSIM_ROW_FAIL;
    if (isnan(rows[i].low))
        snprintf(rows[i].note, sizeof rows[i].note, "not estimable: beyond the horizon or no "
                                                    "patients");
    i++;

    /* The review's figures at diagnosis (section 1, 3.1.1). */
    int64_t all = 0, severe_or_worse = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        all += s->patients_by_baseline[g];
        severe_or_worse += g >= IPSIM_GRADE_SEVERE ? s->patients_by_baseline[g] : 0;
    }
    rows[i] = row("severe or worse IP at diagnosis", IPSIM_REVIEW_SEVERE_OR_WORSE, 0);
    share_row(severe_or_worse, all, &rows[i]);
    double mix_total = mix[0] + mix[1] + mix[2] + mix[3] + mix[4];
    if (rows[i].status == IPSIM_ROW_FAIL && fabs((mix[3] + mix[4]) / mix_total - IPSIM_REVIEW_SEVERE_OR_WORSE) > 1e-3) {
        rows[i].status = IPSIM_ROW_UNATTAINABLE;
        snprintf(rows[i].note, sizeof rows[i].note,
                 "the review's own mix (mild %.1f%%, moderate %.1f%%, severe %.1f%%, IP %.1f%%) "
                 "leaves at most %.1f%%",
                 100 * mix[1], 100 * mix[2], 100 * mix[3], 100 * (1 - mix[0]),
                 100 * (mix[3] + mix[4]));
    }
    i++;
    static const struct {
        const char *quantity;
        double value;
        int type, from;
    } type_rows[] = {{"severe or worse IP, IgG-type myeloma", IPSIM_REVIEW_SEVERE_OR_WORSE_IGG,
                      IPSIM_MYELOMA_IGG,
                    IPSIM_GRADE_SEVERE},
                   {"severe or worse IP, IgA-type myeloma", IPSIM_REVIEW_SEVERE_OR_WORSE_IGA,
                    IPSIM_MYELOMA_IGA,
                    IPSIM_GRADE_SEVERE},
                   {"very severe IP, light-chain myeloma", IPSIM_REVIEW_VERY_SEVERE_LIGHT_CHAIN,
                    IPSIM_MYELOMA_LIGHT_CHAIN,
                    IPSIM_GRADE_VERY_SEVERE}};
    for (size_t k = 0; k < sizeof type_rows / sizeof type_rows[0]; k++) {
        int64_t n = 0, hit = 0;
        for (int g = 0; g < IPSIM_GRADES; g++) {
            n += s->patients_by_type_and_grade[type_rows[k].type][g];
            hit += g >= type_rows[k].from ? s->patients_by_type_and_grade[type_rows[k].type][g] : 0;
        }
        rows[i] = row(type_rows[k].quantity, type_rows[k].value, 0);
        share_row(hit, n, &rows[i]);
        if (type_rows[k].type == IPSIM_MYELOMA_LIGHT_CHAIN) {
            /* With the IgG and IgA figures met, the cohort's severe-or-worse
             * share leaves light chain at most this much. */
            const double *w = p->diagnosis.myeloma_type_share;
            double room = w[2] > 0 ? (mix[3] + mix[4] - w[0] * IPSIM_REVIEW_SEVERE_OR_WORSE_IGG -
                                       w[1] * IPSIM_REVIEW_SEVERE_OR_WORSE_IGA) /
                                          w[2]
                                    : 1;
            if (room < type_rows[k].value && rows[i].status == IPSIM_ROW_FAIL) {
                rows[i].status = IPSIM_ROW_UNATTAINABLE;
                snprintf(rows[i].note, sizeof rows[i].note,
                         "with the IgG and IgA figures and the grade mix, light chain has at "
                         "most %.1f%% severe or worse",
                         100 * room);
            }
        }
        i++;
    }
}

static void format_value(char *buf, size_t size, double v, int is_ratio, int is_months)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (is_months)
        snprintf(buf, size, "%.1f mo", v);
    else if (is_ratio)
        snprintf(buf, size, "%.2fx", v);
    else
        snprintf(buf, size, "%.1f%%", 100 * v);
}

int ipsim_validation_print(FILE *out, const ipsim_validation_row *rows)
{
    static const char *const status_names[] = {"pass", "FAIL", "unattainable", "not modelled"};
    int failed = 0;
    fprintf(out, "%-52s %8s %10s   %-19s %s\n", "quantity (docs/review.md)", "review",
            "simulated", "95% interval", "result");
    for (int i = 0; i < IPSIM_VALIDATION_ROWS; i++) {
        const ipsim_validation_row *r = &rows[i];
        char seed[24], est[16], low[16], high[16], interval[40] = "";
        format_value(seed, sizeof seed, r->seed_value, r->is_ratio, r->is_months);
        if (r->is_lower_bound) {
            char bound[sizeof seed];
            snprintf(bound, sizeof bound, "> %.16s", seed);
            memcpy(seed, bound, sizeof seed);
        }
        format_value(est, sizeof est, r->estimate, r->is_ratio, r->is_months);
        format_value(low, sizeof low, r->low, r->is_ratio, r->is_months);
        format_value(high, sizeof high, r->high, r->is_ratio, r->is_months);
        if (!isnan(r->low))
            snprintf(interval, sizeof interval, "%s - %s", low, high);
        fprintf(out, "%-52s %8s %10s   %-19s %s%s%s\n", r->quantity, seed, est, interval,
                status_names[r->status], *r->note ? ": " : "", r->note);
        failed += r->status == IPSIM_ROW_FAIL;
    }
    return failed;
}
