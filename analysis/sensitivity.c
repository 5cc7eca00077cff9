/* analysis/sensitivity.c: the statistics, tables and CSV of
 * analysis/sensitivity.h. */
#define _POSIX_C_SOURCE 200809L
#include "analysis/sensitivity.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int ipsim_strategy_outcomes_alloc(ipsim_strategy_outcomes *o, int strategies, int64_t patients,
                                  ipsim_error *err)
{
    const size_t n = (size_t)strategies * (size_t)patients;
    *o = (ipsim_strategy_outcomes){.strategies = strategies, .patients = patients,
                                   .cost = malloc(n * sizeof(double)),
                                   .qalys = malloc(n * sizeof(double))};
    if (!o->cost || !o->qalys) {
        ipsim_strategy_outcomes_free(o);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate %d strategies' outcomes for %lld "
                          "patients", strategies, (long long)patients);
    }
    return IPSIM_OK;
}

void ipsim_strategy_outcomes_free(ipsim_strategy_outcomes *o)
{
    free(o->cost);
    free(o->qalys);
    o->cost = o->qalys = NULL;
}

void ipsim_strategy_means(const ipsim_strategy_outcomes *o, double *cost, double *qalys)
{
    for (int s = 0; s < o->strategies; s++) {
        /* Kahan-free: sums of at most millions of terms of similar size;
         * the order is fixed, so the result is reproducible. */
        double c = 0, q = 0;
        const double *cs = o->cost + (size_t)s * (size_t)o->patients;
        const double *qs = o->qalys + (size_t)s * (size_t)o->patients;
        for (int64_t i = 0; i < o->patients; i++) {
            c += cs[i];
            q += qs[i];
        }
        cost[s] = c / (double)o->patients;
        qalys[s] = q / (double)o->patients;
    }
}

int ipsim_preferred_strategy(const double *cost, const double *qalys, int strategies, double wtp)
{
    int best = 0;
    for (int s = 1; s < strategies; s++)
        if (wtp * qalys[s] - cost[s] > wtp * qalys[best] - cost[best])
            best = s;
    return best;
}

static double patient_difference(const ipsim_strategy_outcomes *x, int a, int b, double wtp,
                                 int64_t i)
{
    const size_t ia = (size_t)a * (size_t)x->patients + (size_t)i;
    const size_t ib = (size_t)b * (size_t)x->patients + (size_t)i;
    return (wtp * x->qalys[ia] - x->cost[ia]) - (wtp * x->qalys[ib] - x->cost[ib]);
}

void ipsim_net_benefit_difference(const ipsim_strategy_outcomes *x,
                                  const ipsim_strategy_outcomes *y, int a, int b, double wtp,
                                  double *mean, double *se)
{
    /* Welford's running mean and sum of squares: stable for the large,
     * nearly equal values a cost difference can be. */
    double m = 0, ss = 0;
    const int64_t n = x->patients;
    for (int64_t i = 0; i < n; i++) {
        double d = patient_difference(x, a, b, wtp, i);
        if (y)
            d -= patient_difference(y, a, b, wtp, i);
        const double delta = d - m;
        m += delta / (double)(i + 1);
        ss += delta * (d - m);
    }
    *mean = m;
    *se = n > 1 ? sqrt(ss / (double)(n - 1) / (double)n) : NAN;
}

void ipsim_sensitivity_frame_free(ipsim_sensitivity_frame *f)
{
    free(f->names);
    free(f->base_cost);
    free(f->base_qalys);
    f->names = NULL;
    f->base_cost = f->base_qalys = NULL;
}

void ipsim_oneway_free(ipsim_oneway *o)
{
    ipsim_sensitivity_frame_free(&o->frame);
    free(o->rows);
    free(o->block);
    o->rows = NULL;
    o->block = NULL;
}

void ipsim_twoway_free(ipsim_twoway *t)
{
    ipsim_sensitivity_frame_free(&t->frame);
    free(t->preferred);
    free(t->cost);
    free(t->qalys);
    t->preferred = NULL;
    t->cost = t->qalys = NULL;
}

/* Insertion sort: stable, and the rows are few (the PSA's inputs). */
void ipsim_oneway_sort(ipsim_oneway *o)
{
    for (int i = 1; i < o->count; i++) {
        ipsim_oneway_row r = o->rows[i];
        int j = i;
        while (j > 0 && fabs(o->rows[j - 1].swing) < fabs(r.swing)) {
            o->rows[j] = o->rows[j - 1];
            j--;
        }
        o->rows[j] = r;
    }
}

/* ---- printing ------------------------------------------------------------------------- */

/* A money figure with thousands separators ("-12,345"). */
static void money(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    const size_t len = strlen(digits);
    size_t k = 0;
    if (v < 0 && strcmp(digits, "0") != 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < len && k + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
}

static void print_frame(FILE *out, const ipsim_sensitivity_frame *f)
{
    char wtp[32];
    money(f->wtp, wtp, sizeof wtp);
    fprintf(out, "Base case at %s %s per QALY (%lld patients, seed %llu, common random numbers):\n",
            wtp, f->currency, (long long)f->patients, (unsigned long long)f->seed);
    fprintf(out, "  %-28s %12s %10s %14s\n", "strategy", "cost", "QALYs", "net benefit");
    for (int s = 0; s < f->strategies; s++) {
        char c[32], nb[32];
        money(f->base_cost[s], c, sizeof c);
        money(f->wtp * f->base_qalys[s] - f->base_cost[s], nb, sizeof nb);
        fprintf(out, "  %-28s %12s %10.4f %14s%s\n", f->names[s], c, f->base_qalys[s], nb,
                s == f->base_preferred ? "  preferred" : "");
    }
}

/* The row's bar: '=' from the base to each end, on a scale where the
 * widest reach from the base spans `half` characters each side. */
static void bar(double low, double high, double base, double reach, char *buf, int half)
{
    const int width = 2 * half + 1;
    for (int k = 0; k < width; k++)
        buf[k] = ' ';
    buf[half] = '|';
    for (int end = 0; end < 2; end++) {
        const double d = (end ? high : low) - base;
        int cells = reach > 0 ? (int)lround(fabs(d) / reach * half) : 0;
        for (int k = 1; k <= cells && k <= half; k++)
            buf[half + (d < 0 ? -k : k)] = '=';
    }
    buf[width] = '\0';
}

static void print_value(FILE *out, double v)
{
    fprintf(out, " %10.4g", v);
}

void ipsim_oneway_print(FILE *out, const ipsim_oneway *o)
{
    const ipsim_sensitivity_frame *f = &o->frame;
    print_frame(out, f);
    char base[32], se[32];
    money(o->base_inb, base, sizeof base);
    money(1.96 * o->base_inb_se, se, sizeof se);
    fprintf(out,
            "\nOne-way sensitivity: incremental net benefit of %s over %s (base %s, 95%% MC "
            "+-%s),\neach input from the low to the high end of its range, the others at "
            "their base values; widest first.\n",
            f->names[o->a], f->names[o->b], base, se);
    double reach = 0;
    for (int r = 0; r < o->count; r++) {
        reach = fmax(reach, fabs(o->rows[r].inb[0] - o->base_inb));
        reach = fmax(reach, fabs(o->rows[r].inb[1] - o->base_inb));
    }
    fprintf(out, "  %-44s %10s %10s %10s %12s %12s %9s  %-21s %s\n", "input", "base", "low",
            "high", "INB at low", "INB at high", "+-95% MC", "(INB low | high)", "preferred");
    for (int r = 0; r < o->count; r++) {
        const ipsim_oneway_row *w = &o->rows[r];
        char lo[32], hi[32], ci[32], b[32];
        money(w->inb[0], lo, sizeof lo);
        money(w->inb[1], hi, sizeof hi);
        money(1.96 * w->swing_se, ci, sizeof ci);
        bar(w->inb[0], w->inb[1], o->base_inb, reach, b, 10);
        fprintf(out, "  %-44s", w->input.name);
        print_value(out, w->input.base);
        print_value(out, w->input.low);
        print_value(out, w->input.high);
        fprintf(out, " %12s %12s %9s  %s  ", lo, hi, ci, b);
        if (w->preferred[0] == w->preferred[1])
            fprintf(out, "%s\n", f->names[w->preferred[0]]);
        else
            fprintf(out, "%s at low, %s at high\n", f->names[w->preferred[0]],
                    f->names[w->preferred[1]]);
    }
    fprintf(out, "  (+-95%% MC: the Monte Carlo interval of the bar's width, high less low, on "
                 "the same patients.)\n");
}

void ipsim_threshold_print(FILE *out, const ipsim_threshold *t)
{
    const ipsim_sensitivity_frame *f = &t->frame;
    print_frame(out, f);
    char wtp[32];
    money(f->wtp, wtp, sizeof wtp);
    fprintf(out, "\nThreshold analysis of %s over [%.6g, %.6g] (%s range) at %s %s per QALY:\n",
            t->input.name, t->input.low, t->input.high, ipsim_range_source_names[t->input.source],
            wtp, f->currency);
    fprintf(out, "  %-14s preferred\n", "value");
    for (int g = 0; g < IPSIM_THRESHOLD_GRID; g++)
        fprintf(out, "  %-14.6g %s\n", t->grid[g], f->names[t->grid_preferred[g]]);
    if (t->count == 0) {
        fprintf(out, "The preferred strategy, %s, does not change over the range.\n",
                f->names[t->grid_preferred[0]]);
        return;
    }
    for (int c = 0; c < t->count; c++) {
        const ipsim_threshold_crossing *x = &t->crossings[c];
        fprintf(out,
                "Threshold: %s = %.6g (95%% Monte Carlo interval %.6g to %.6g): %s is preferred "
                "below it, %s above.\n",
                t->input.name, x->value, x->value - 1.96 * x->se, x->value + 1.96 * x->se,
                f->names[x->below], f->names[x->above]);
    }
    fprintf(out, "(%d runs of the study; the interval is the threshold's Monte Carlo error on "
                 "this cohort, the standard error of the net benefit difference there over its "
                 "slope.)\n",
            t->evaluations);
}

void ipsim_twoway_print(FILE *out, const ipsim_twoway *t)
{
    const ipsim_sensitivity_frame *f = &t->frame;
    print_frame(out, f);
    char wtp[32];
    money(f->wtp, wtp, sizeof wtp);
    fprintf(out, "\nTwo-way sensitivity: the preferred strategy at %s %s per QALY, %s down, %s "
                 "across:\n",
            wtp, f->currency, t->input[0].name, t->input[1].name);
    fprintf(out, "  %12s", "");
    for (int j = 0; j < t->steps; j++)
        fprintf(out, " %9.4g", t->value[1][j]);
    fprintf(out, "\n");
    for (int i = 0; i < t->steps; i++) {
        fprintf(out, "  %12.6g", t->value[0][i]);
        for (int j = 0; j < t->steps; j++)
            fprintf(out, " %9c", 'A' + t->preferred[i * t->steps + j] % 26);
        fprintf(out, "\n");
    }
    fprintf(out, "  where");
    for (int s = 0; s < f->strategies; s++)
        fprintf(out, "%s %c = %s", s ? "," : "", 'A' + s % 26, f->names[s]);
    fprintf(out, "\n");
}

/* ---- CSV -------------------------------------------------------------------------------- */

static void csv_strategy_rows(FILE *f, const ipsim_sensitivity_frame *fr, const char *lead,
                              const double *cost, const double *qalys, int preferred)
{
    for (int s = 0; s < fr->strategies; s++) {
        fputs(lead, f);
        ipsim_csv_text(f, true, fr->names[s]);
        ipsim_csv_number(f, cost[s]);
        ipsim_csv_number(f, qalys[s]);
        ipsim_csv_number(f, fr->wtp * qalys[s] - cost[s]);
        fprintf(f, ",%d\n", s == preferred);
    }
}

int ipsim_oneway_csv(const ipsim_oneway *o, ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "dsa_oneway.csv", err);
    if (rc)
        return rc;
    const ipsim_sensitivity_frame *fr = &o->frame;
    fprintf(f, "rank,input,range_source,end,value,wtp,strategy,cost,qalys,net_benefit,preferred,"
               "inb_strategy,inb_comparator,inb,inb_se,swing,swing_se\n");
    for (int r = -1; r < o->count; r++) {
        const ipsim_oneway_row *w = r >= 0 ? &o->rows[r] : NULL;
        for (int end = 0; end < (w ? 2 : 1); end++) {
            /* One row per strategy, the point's INB columns on each: one
             * tidy table. */
            for (int s = 0; s < fr->strategies; s++) {
                const double *cost = w ? w->cost + end * fr->strategies : fr->base_cost;
                const double *qalys = w ? w->qalys + end * fr->strategies : fr->base_qalys;
                const int preferred = w ? w->preferred[end] : fr->base_preferred;
                fprintf(f, "%d", r + 1);
                ipsim_csv_text(f, true, w ? w->input.name : "base");
                ipsim_csv_text(f, true, w ? ipsim_range_source_names[w->input.source] : "");
                fprintf(f, ",%s", w ? (end ? "high" : "low") : "base");
                ipsim_csv_number(f, w ? (end ? w->input.high : w->input.low) : NAN);
                ipsim_csv_number(f, fr->wtp);
                ipsim_csv_text(f, true, fr->names[s]);
                ipsim_csv_number(f, cost[s]);
                ipsim_csv_number(f, qalys[s]);
                ipsim_csv_number(f, fr->wtp * qalys[s] - cost[s]);
                fprintf(f, ",%d", s == preferred);
                ipsim_csv_text(f, true, fr->names[o->a]);
                ipsim_csv_text(f, true, fr->names[o->b]);
                ipsim_csv_number(f, w ? w->inb[end] : o->base_inb);
                ipsim_csv_number(f, w ? w->inb_se[end] : o->base_inb_se);
                ipsim_csv_number(f, w ? w->swing : NAN);
                ipsim_csv_number(f, w ? w->swing_se : NAN);
                fputc('\n', f);
            }
        }
    }
    return ipsim_csv_set_add(set, "dsa_oneway.csv", &text, &size, f, err);
}

int ipsim_threshold_csv(const ipsim_threshold *t, ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "dsa_threshold.csv", err);
    if (rc)
        return rc;
    const ipsim_sensitivity_frame *fr = &t->frame;
    fprintf(f, "input,wtp,kind,value,se,low95,high95,preferred_below,preferred_above,slope\n");
    for (int g = 0; g < IPSIM_THRESHOLD_GRID; g++) {
        ipsim_csv_text(f, false, t->input.name);
        ipsim_csv_number(f, fr->wtp);
        fprintf(f, ",grid");
        ipsim_csv_number(f, t->grid[g]);
        fprintf(f, ",,,");
        ipsim_csv_text(f, true, fr->names[t->grid_preferred[g]]);
        fprintf(f, ",,\n");
    }
    for (int c = 0; c < t->count; c++) {
        const ipsim_threshold_crossing *x = &t->crossings[c];
        ipsim_csv_text(f, false, t->input.name);
        ipsim_csv_number(f, fr->wtp);
        fprintf(f, ",threshold");
        ipsim_csv_number(f, x->value);
        ipsim_csv_number(f, x->se);
        ipsim_csv_number(f, x->value - 1.96 * x->se);
        ipsim_csv_number(f, x->value + 1.96 * x->se);
        ipsim_csv_text(f, true, fr->names[x->below]);
        ipsim_csv_text(f, true, fr->names[x->above]);
        ipsim_csv_number(f, x->slope);
        fputc('\n', f);
    }
    return ipsim_csv_set_add(set, "dsa_threshold.csv", &text, &size, f, err);
}

int ipsim_twoway_csv(const ipsim_twoway *t, ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "dsa_twoway.csv", err);
    if (rc)
        return rc;
    const ipsim_sensitivity_frame *fr = &t->frame;
    ipsim_csv_text(f, false, t->input[0].name);
    ipsim_csv_text(f, true, t->input[1].name);
    fprintf(f, ",wtp,strategy,cost,qalys,net_benefit,preferred\n");
    for (int i = 0; i < t->steps; i++)
        for (int j = 0; j < t->steps; j++) {
            char lead[96];
            snprintf(lead, sizeof lead, "%.17g,%.17g,%.17g", t->value[0][i], t->value[1][j],
                     fr->wtp);
            const size_t at = ((size_t)i * (size_t)t->steps + (size_t)j) * (size_t)fr->strategies;
            csv_strategy_rows(f, fr, lead, t->cost + at, t->qalys + at,
                              t->preferred[i * t->steps + j]);
        }
    return ipsim_csv_set_add(set, "dsa_twoway.csv", &text, &size, f, err);
}
