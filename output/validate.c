/* output/validate.c: the seed's table against a simulated cohort. */
#include "output/validate.h"

#include <math.h>
#include <string.h>

#include "output/intervals.h"

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
    r->status = r->seed_value >= r->low && r->seed_value <= r->high ? IPSIM_ROW_PASS
                                                                     : IPSIM_ROW_FAIL;
    if (isnan(r->estimate) || isnan(r->low))
        snprintf(r->note, sizeof r->note, "not estimable: too few patients or events");
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
    } windows[] = {{"mild at diagnosis", 0.182, IPSIM_GRADE_MILD, IPSIM_GRADE_MILD},
                   {"moderate", 0.256, IPSIM_GRADE_MODERATE, IPSIM_GRADE_MODERATE},
                   {"severe or worse", 0.389, IPSIM_GRADE_SEVERE, IPSIM_GRADE_VERY_SEVERE}};
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
    rows[i] = row(label, 0.268, 0);
    window_row(s, IPSIM_GRADE_NONE, IPSIM_GRADE_VERY_SEVERE, &rows[i]);
    const double *mix = p->cohort.baseline_mix;
    double total = mix[0] + mix[1] + mix[2] + mix[3] + mix[4];
    double lowest = (mix[1] * 0.182 + mix[2] * 0.256 + (mix[3] + mix[4]) * 0.389) / total;
    double highest = lowest + mix[0] / total;
    if (0.268 < lowest || 0.268 > highest) {
        rows[i].status = IPSIM_ROW_UNATTAINABLE;
        snprintf(rows[i].note, sizeof rows[i].note,
                 "with this grade mix and the per-grade figures it lies in %.1f%%-%.1f%%",
                 100 * lowest, 100 * highest);
    }
    i++;

    static const double type_share[IPSIM_INFECTION_TYPES] = {0.653, 0.286, 0.061};
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

    rows[i] = row("serious-infection rate, severe or worse vs mild", 3.2, 1);
    ipsim_summary_severe_to_mild(s, 1, &rows[i].estimate, &rows[i].low, &rows[i].high);
    judge(&rows[i++]);

    static const struct {
        const char *quantity;
        double value;
    } pathway[] = {{"IP improved after 3 induction cycles, among CR", 0.625},
                   {"full recovery 12 months after ASCT, among CR", 0.375},
                   {"full recovery at 12 months without ASCT, among CR", 0.188}};
    for (size_t k = 0; k < sizeof pathway / sizeof pathway[0]; k++) {
        rows[i] = row(pathway[k].quantity, pathway[k].value, 0);
        rows[i].status = IPSIM_ROW_NOT_MODELLED;
        snprintf(rows[i].note, sizeof rows[i].note, "needs the treatment pathway");
        i++;
    }
    /* Median progression-free survival (review section 5.1). */
    rows[i] = row("median PFS, IP not improved after induction", 38, 0);
    rows[i].is_months = 1;
    rows[i].status = IPSIM_ROW_NOT_MODELLED;
    snprintf(rows[i].note, sizeof rows[i].note, "needs the treatment pathway");
    i++;
    rows[i] = row("median PFS, IP improved after induction", NAN, 0);
    rows[i].status = IPSIM_ROW_NOT_MODELLED;
    snprintf(rows[i].note, sizeof rows[i].note,
             "review: not reached in its follow-up; needs the treatment pathway");
}

static void format_value(char *buf, size_t size, double v, int is_ratio, int is_months)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (is_months)
        snprintf(buf, size, "%.0f mo", v);
    else if (is_ratio)
        snprintf(buf, size, "%.2fx", v);
    else
        snprintf(buf, size, "%.1f%%", 100 * v);
}

int ipsim_validation_print(FILE *out, const ipsim_validation_row *rows)
{
    static const char *const status_names[] = {"pass", "FAIL", "unattainable", "not modelled"};
    int failed = 0;
    fprintf(out, "%-52s %8s %10s   %-19s %s\n", "quantity (MODEL.md, the review)", "review",
            "simulated", "95% interval", "result");
    for (int i = 0; i < IPSIM_VALIDATION_ROWS; i++) {
        const ipsim_validation_row *r = &rows[i];
        char seed[16], est[16], low[16], high[16], interval[40] = "";
        format_value(seed, sizeof seed, r->seed_value, r->is_ratio, r->is_months);
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
