/* analysis/sweep_decision.c: a comparison of the strategies at each sweep
 * point (analysis/sweep_decision.h), printed, as CSV and under /sweep. */
#define _POSIX_C_SOURCE 200809L
#include "analysis/sweep_decision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/incremental.h"

_Static_assert((int)IPSIM_SWEEP_STRATEGIES_MAX <= (int)IPSIM_INCREMENTAL_MAX,
               "a sweep's strategies must fit one incremental analysis");

void ipsim_sweep_decision_free(ipsim_sweep_decision *d)
{
    if (d->at && d->sweep)
        for (int p = 0; p < d->sweep->points; p++)
            ipsim_comparison_free(&d->at[p]);
    free(d->at);
    d->at = NULL;
}

int ipsim_sweep_decision_compute(ipsim_sweep_decision *out, const ipsim_sweep *sw,
                                 ipsim_h5_reader *const *readers,
                                 const ipsim_difference *pairs,
                                 const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    *out = (ipsim_sweep_decision){.sweep = sw};
    out->at = calloc((size_t)sw->points, sizeof *out->at);
    if (!out->at)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep's %d comparisons",
                          sw->points);
    int rc = IPSIM_OK;
    for (int p = 0; p < sw->points && !rc; p++) {
        const size_t first = (size_t)p * (size_t)sw->strategies;
        rc = ipsim_comparison_compute_given(&out->at[p], readers + first, sw->strategies,
                                            pairs ? pairs + first * IPSIM_OUTCOMES : NULL,
                                            cancel, err);
        if (rc)
            ipsim_error_prefix(err, "sweep point '%s': ", sw->point[p]);
    }
    if (rc)
        ipsim_sweep_decision_free(out);
    return rc;
}

/* ---- the /sweep table ------------------------------------------------------------------- */

/* The points and strategies of the /sweep table (`layout`'s coordinates),
 * which must multiply to its scenarios. */
static int read_layout(ipsim_h5_reader *r, ipsim_sweep *sw, ipsim_error *err)
{
    char **points = NULL, **strategies = NULL;
    int64_t P = 0, S = 0;
    int rc = ipsim_h5_reader_read_root_strings(r, "sweep/point", &points, &P, err);
    if (!rc)
        rc = ipsim_h5_reader_read_root_strings(r, "sweep/strategy", &strategies, &S, err);
    /* Strategies compared at several points are at most a study's
     * incremental analysis; one point's may be every scenario
     * (points_are_strategies). */
    if (!rc && (P < 1 || S < 1 || (P > 1 && S > IPSIM_SWEEP_STRATEGIES_MAX) ||
                P * S != sw->study.count))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT,
                        "'%s' has a malformed sweep table (%lld points x %lld strategies for %d "
                        "scenarios)",
                        ipsim_h5_reader_path(r), (long long)P, (long long)S, sw->study.count);
    if (!rc)
        rc = ipsim_sweep_allocate_layout(sw, (int)P, (int)S, err);
    for (int64_t p = 0; !rc && p < P; p++)
        snprintf(sw->point[p], sizeof sw->point[p], "%s", points[p]);
    for (int64_t j = 0; !rc && j < S; j++)
        snprintf(sw->strategy[j], sizeof sw->strategy[j], "%s", strategies[j]);
    ipsim_h5_reader_free_strings(points, P);
    ipsim_h5_reader_free_strings(strategies, S);
    return rc;
}

int ipsim_sweep_read_table(ipsim_h5_reader *r, ipsim_sweep *sw, ipsim_error *err)
{
    memset(sw, 0, sizeof *sw);
    char **names = NULL, **keys = NULL, **column = NULL;
    int64_t S = 0, K = 0, n = 0;
    int rc = ipsim_h5_reader_read_root_strings(r, "sweep/scenario", &names, &S, err);
    if (!rc)
        rc = ipsim_h5_reader_read_root_strings(r, "sweep/key", &keys, &K, err);
    if (!rc && (S < 1 || S > IPSIM_STUDY_MAX_SCENARIOS || K < 1 || K > IPSIM_SWEEP_KEYS_MAX))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has a malformed sweep table",
                        ipsim_h5_reader_path(r));
    if (!rc) {
        sw->study.scenarios = calloc((size_t)S, sizeof *sw->study.scenarios);
        sw->value = calloc((size_t)S, sizeof *sw->value);
        if (!sw->study.scenarios || !sw->value)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
        else
            sw->study.count = (int)S;
    }
    for (int64_t s = 0; !rc && s < S; s++)
        snprintf(sw->study.scenarios[s].name, sizeof sw->study.scenarios[s].name, "%s", names[s]);
    sw->keys = (int)K;
    for (int64_t k = 0; !rc && k < K; k++) {
        snprintf(sw->key[k], sizeof sw->key[k], "%s", keys[k]);
        char dataset[IPSIM_KEY_MAX + 8];
        snprintf(dataset, sizeof dataset, "sweep/%s", keys[k]);
        rc = ipsim_h5_reader_read_root_strings(r, dataset, &column, &n, err);
        if (!rc && n != S)
            rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has a malformed sweep table",
                            ipsim_h5_reader_path(r));
        for (int64_t s = 0; !rc && s < S; s++)
            snprintf(sw->value[s][k], sizeof sw->value[s][k], "%s", column[s]);
        ipsim_h5_reader_free_strings(column, n);
        column = NULL;
    }
    char *fingerprint = ipsim_h5_reader_root_attribute(r, "sweep", "fingerprint");
    if (!rc && (!fingerprint || strlen(fingerprint) != 16))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has no sweep fingerprint",
                        ipsim_h5_reader_path(r));
    if (!rc)
        snprintf(sw->fingerprint, sizeof sw->fingerprint, "%s", fingerprint);
    free(fingerprint);
    if (!rc)
        rc = read_layout(r, sw, err);
    if (rc)
        ipsim_sweep_free(sw);
    ipsim_h5_reader_free_strings(names, S);
    ipsim_h5_reader_free_strings(keys, K);
    return rc;
}

bool ipsim_sweep_file_has_points(ipsim_h5_reader *r)
{
    return ipsim_h5_reader_root_size(r, "sweep/layout") > 0 &&
           ipsim_h5_reader_root_size(r, "sweep/point") > 1;
}

/* ---- printing -------------------------------------------------------------------------- */

/* The width of a name column: the longest of `names`, at least `least`. */
static int name_width(const char (*names)[IPSIM_NAME_MAX], int count, int least)
{
    int w = least;
    for (int k = 0; k < count; k++)
        w = (int)strlen(names[k]) > w ? (int)strlen(names[k]) : w;
    return w;
}

/* "key=value, key=value" of point p. */
static void point_values(const ipsim_sweep *sw, int p, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int a = 0; a < sw->keys && n < size; a++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s=%s", a ? ", " : "", sw->key[a],
                              sw->value[(size_t)p * sw->strategies][a]);
}

/* "mean (SE)" of outcome o, or the mean alone when it has no SE (one
 * replicate without per-patient records). */
static void with_se(char *buf, size_t size, const ipsim_scenario_result *r, int o, int digits)
{
    if (isfinite(r->se[o]))
        snprintf(buf, size, "%.*f (%.*f)", digits, r->mean[o], digits, r->se[o]);
    else
        snprintf(buf, size, "%.*f", digits, r->mean[o]);
}

/* Points without strategies: each point's outcomes, side by side. */
static void print_points(FILE *out, const ipsim_sweep_decision *d, const double *report_wtp,
                         int report_count)
{
    const ipsim_sweep *sw = d->sweep;
    const ipsim_comparison *first = &d->at[0];
    const int w = name_width((const char (*)[IPSIM_NAME_MAX])sw->point, sw->points, 8);
    fprintf(out,
            "Sweep points, per patient over the follow-up (%s, %lld prices; discounted)%s.\n"
            "Each point is one setting of the swept values, on the same patients; points are\n"
            "settings, not options, so no ICERs are computed between them (a sweep compares\n"
            "options when it has strategies, `scenarios:`, or says points_are_strategies).\n",
            first->currency, (long long)first->price_year,
            first->psa ? "; means over the PSA draws" : "");
    fprintf(out, "  %-*s %-18s %-16s %-16s %11s %8s %9s", w, "point", "cost (SE)", "QALYs (SE)",
            "life-years", "infections", "deaths%", "IVIG g");
    for (int k = 0; k < report_count; k++) {
        char head[40];
        snprintf(head, sizeof head, "NMB at %.0f", report_wtp[k]);
        fprintf(out, " %15s", head);
    }
    fputc('\n', out);
    for (int p = 0; p < sw->points; p++) {
        const ipsim_scenario_result *r = &d->at[p].scenarios[0];
        char cost[40], qalys[40], ly[40];
        with_se(cost, sizeof cost, r, IPSIM_OUTCOME_COST, 0);
        with_se(qalys, sizeof qalys, r, IPSIM_OUTCOME_QALYS, 4);
        with_se(ly, sizeof ly, r, IPSIM_OUTCOME_LIFE_YEARS, 4);
        fprintf(out, "  %-*s %-18s %-16s %-16s %11.3f %8.2f %9.1f", w, sw->point[p], cost, qalys,
                ly, r->mean[IPSIM_OUTCOME_INFECTIONS], 100 * r->mean[IPSIM_OUTCOME_DEATH],
                r->mean[IPSIM_OUTCOME_IVIG_GRAMS]);
        for (int k = 0; k < report_count; k++)
            fprintf(out, " %15.0f",
                    ipsim_net_monetary_benefit(r->mean[IPSIM_OUTCOME_COST],
                                               r->mean[IPSIM_OUTCOME_QALYS], report_wtp[k]));
        fputc('\n', out);
    }
}

/* One point's strategies: costs, QALYs and the incremental analysis. */
static void print_point(FILE *out, const ipsim_sweep_decision *d, int p, int w)
{
    const ipsim_sweep *sw = d->sweep;
    const ipsim_comparison *c = &d->at[p];
    char values[512];
    point_values(sw, p, values, sizeof values);
    fprintf(out, "\nPoint '%s' (%s)\n", sw->point[p], values);
    fprintf(out, "  %-*s %10s %8s  %-21s %-*s %10s %8s %10s\n", w, "strategy", "cost", "QALYs",
            "status", w, "compared with", "d cost", "d QALYs", "ICER");
    for (int s = 0; s < c->count; s++) {
        const ipsim_scenario_result *r = &c->scenarios[s];
        const ipsim_incremental *inc = &r->incremental;
        char against[IPSIM_NAME_MAX] = "-", dc[24] = "-", de[24] = "-", icer[24] = "-";
        if (inc->compared_to >= 0) {
            snprintf(against, sizeof against, "%s", sw->strategy[inc->compared_to]);
            snprintf(dc, sizeof dc, "%+.0f", inc->d_cost);
            snprintf(de, sizeof de, "%+.4f", inc->d_effect);
            snprintf(icer, sizeof icer, "%.0f", inc->icer);
        }
        fprintf(out, "  %-*s %10.0f %8.4f  %-21s %-*s %10s %8s %10s\n", w, sw->strategy[s],
                r->mean[IPSIM_OUTCOME_COST], r->mean[IPSIM_OUTCOME_QALYS],
                ipsim_dominance_names[inc->status], w, against, dc, de, icer);
    }
}

void ipsim_sweep_decision_print(FILE *out, const ipsim_sweep_decision *d,
                                const double *report_wtp, int report_count)
{
    const ipsim_sweep *sw = d->sweep;
    if (sw->strategies < 2) {
        print_points(out, d, report_wtp, report_count);
        return;
    }
    const ipsim_comparison *first = &d->at[0];
    const int w = name_width((const char (*)[IPSIM_NAME_MAX])sw->strategy, sw->strategies, 13);
    fprintf(out,
            "The decision at each sweep point: the %d strategies compared among themselves at\n"
            "each of the %d points (%s, %lld prices; per patient, discounted%s). The points are\n"
            "settings of the swept values, not options: no point is compared with another.\n",
            sw->strategies, sw->points, first->currency, (long long)first->price_year,
            first->psa ? "; means over the PSA draws" : "");
    for (int p = 0; p < sw->points; p++)
        print_point(out, d, p, w);
    if (report_count == 0)
        return;
    const int pw = name_width((const char (*)[IPSIM_NAME_MAX])sw->point, sw->points, 5);
    fprintf(out, "\nPreferred strategy (highest expected net benefit) at each point, by "
                 "willingness to pay per QALY%s\n",
            first->psa ? "; in brackets P(cost-effective) and the point's EVPI per patient" : "");
    fprintf(out, "  %-*s", pw, "point");
    for (int k = 0; k < report_count; k++)
        fprintf(out, "  %-*.0f", first->psa ? w + 18 : w, report_wtp[k]);
    fputc('\n', out);
    for (int p = 0; p < sw->points; p++) {
        const ipsim_comparison *c = &d->at[p];
        fprintf(out, "  %-*s", pw, sw->point[p]);
        for (int k = 0; k < report_count; k++) {
            const int best = ipsim_comparison_best_at(c, report_wtp[k]);
            char cell[IPSIM_NAME_MAX + 48];
            if (c->psa) {
                double evpi = NAN;
                const double probability =
                    ipsim_comparison_acceptability_at(c, report_wtp[k], best, &evpi);
                snprintf(cell, sizeof cell, "%s (%.0f%%; %.0f)", sw->strategy[best],
                         100 * probability, evpi);
            } else {
                snprintf(cell, sizeof cell, "%s", sw->strategy[best]);
            }
            fprintf(out, "  %-*s", first->psa ? w + 18 : w, cell);
        }
        fputc('\n', out);
    }
}

/* ---- CSV ------------------------------------------------------------------------------- */

int ipsim_sweep_decision_csv(const ipsim_sweep_decision *d, const double *report_wtp,
                             int report_count, ipsim_csv_set *set, ipsim_error *err)
{
    const ipsim_sweep *sw = d->sweep;
    const bool psa = d->at[0].psa;
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "sweep_decision.csv", err);
    if (rc)
        return rc;
    fprintf(f, "scenario,point,strategy");
    for (int a = 0; a < sw->keys; a++)
        ipsim_csv_text(f, true, sw->key[a]);
    for (int o = 0; o < IPSIM_OUTCOMES; o++)
        fprintf(f, ",%s,%s_se", ipsim_outcome_keys[o], ipsim_outcome_keys[o]);
    fprintf(f, ",status,compared_with,incremental_cost,incremental_qalys,icer");
    for (int k = 0; k < report_count; k++) {
        ipsim_csv_textf(f, true, "nmb_%.0f", report_wtp[k]);
        ipsim_csv_textf(f, true, "preferred_%.0f", report_wtp[k]);
        if (psa) {
            ipsim_csv_textf(f, true, "probability_ce_%.0f", report_wtp[k]);
            ipsim_csv_textf(f, true, "evpi_%.0f", report_wtp[k]);
        }
    }
    fputc('\n', f);
    for (int p = 0; p < sw->points; p++) {
        const ipsim_comparison *c = &d->at[p];
        int best[IPSIM_WTP_REPORT_MAX];
        double evpi[IPSIM_WTP_REPORT_MAX];
        for (int k = 0; k < report_count && k < IPSIM_WTP_REPORT_MAX; k++) {
            best[k] = ipsim_comparison_best_at(c, report_wtp[k]);
            evpi[k] = NAN;
            if (psa)
                ipsim_comparison_acceptability_at(c, report_wtp[k], 0, &evpi[k]);
        }
        for (int s = 0; s < c->count; s++) {
            const ipsim_scenario_result *r = &c->scenarios[s];
            const ipsim_incremental *inc = &r->incremental;
            ipsim_csv_text(f, false, r->name);
            ipsim_csv_text(f, true, sw->point[p]);
            ipsim_csv_text(f, true, sw->strategy[s]);
            for (int a = 0; a < sw->keys; a++)
                ipsim_csv_text(f, true, sw->value[(size_t)p * sw->strategies + s][a]);
            for (int o = 0; o < IPSIM_OUTCOMES; o++) {
                ipsim_csv_number(f, r->mean[o]);
                ipsim_csv_number(f, r->se[o]);
            }
            fprintf(f, ",%s", ipsim_dominance_names[inc->status]);
            ipsim_csv_text(f, true, inc->compared_to >= 0 ? sw->strategy[inc->compared_to] : "");
            ipsim_csv_number(f, inc->d_cost);
            ipsim_csv_number(f, inc->d_effect);
            ipsim_csv_number(f, inc->icer);
            for (int k = 0; k < report_count && k < IPSIM_WTP_REPORT_MAX; k++) {
                ipsim_csv_number(f, ipsim_net_monetary_benefit(r->mean[IPSIM_OUTCOME_COST],
                                                               r->mean[IPSIM_OUTCOME_QALYS],
                                                               report_wtp[k]));
                fprintf(f, ",%d", best[k] == s);
                if (psa) {
                    ipsim_csv_number(f,
                                     ipsim_comparison_acceptability_at(c, report_wtp[k], s, NULL));
                    ipsim_csv_number(f, evpi[k]);
                }
            }
            fputc('\n', f);
        }
    }
    return ipsim_csv_set_add(set, "sweep_decision.csv", &text, &size, f, err);
}

/* ---- /sweep ------------------------------------------------------------------------------ */

int ipsim_sweep_decision_write_h5(const ipsim_sweep_decision *d, ipsim_h5_writer *w,
                                  ipsim_error *err)
{
    const ipsim_sweep *sw = d->sweep;
    const ipsim_comparison *first = &d->at[0];
    const int S = sw->study.count, P = sw->points, W = first->wtp_count;
    const bool psa = first->psa;
    const char **names = malloc((size_t)S * sizeof *names);
    const char **points = malloc((size_t)P * sizeof *points);
    const char **status = malloc((size_t)S * sizeof *status);
    const char **against = malloc((size_t)S * sizeof *against);
    const size_t cells = (size_t)S * (IPSIM_OUTCOMES > W ? IPSIM_OUTCOMES : (size_t)W);
    double *table = malloc(cells * sizeof *table + (size_t)P * (size_t)W * sizeof *table);
    int rc = names && points && status && against && table
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep's decision tables");
    for (int k = 0; !rc && k < S; k++) {
        const ipsim_comparison *c = &d->at[k / sw->strategies];
        const ipsim_incremental *inc = &c->scenarios[k % sw->strategies].incremental;
        names[k] = sw->study.scenarios[k].name;
        status[k] = ipsim_dominance_names[inc->status];
        against[k] = inc->compared_to >= 0 ? sw->strategy[inc->compared_to] : "";
    }
    for (int p = 0; !rc && p < P; p++)
        points[p] = sw->point[p];
    const ipsim_h5_axis scenario = {"scenario", S, names, NULL, "the sweep's scenarios, in order",
                                    NULL};
    const ipsim_h5_axis point = {"point", P, points, NULL, "the sweep's points", NULL};
    const ipsim_h5_axis outcome = {"outcome", IPSIM_OUTCOMES, ipsim_outcome_keys, NULL,
                                   "outcome per patient over the follow-up (costs and effects "
                                   "discounted)",
                                   NULL};
    const ipsim_h5_axis wtp = {"wtp", W, NULL, first->wtp, "willingness to pay per QALY",
                               first->currency};
    const ipsim_h5_axis so[2] = {scenario, outcome}, ws[2] = {wtp, scenario}, pw[2] = {point, wtp};
    /* Per scenario and outcome: mean and SE. */
    for (int which = 0; !rc && which < 2; which++) {
        for (int k = 0; k < S; k++) {
            const ipsim_scenario_result *r =
                &d->at[k / sw->strategies].scenarios[k % sw->strategies];
            memcpy(table + (size_t)k * IPSIM_OUTCOMES, which ? r->se : r->mean,
                   IPSIM_OUTCOMES * sizeof *table);
        }
        rc = ipsim_h5_writer_write_table(w, "sweep", which ? "se" : "mean", 2, so, table,
                                         which ? "its standard error" : "mean per patient", NULL,
                                         err);
    }
    if (!rc)
        rc = ipsim_h5_writer_write_strings(w, "sweep", "status", &scenario, status,
                                           "within its point: frontier, dominated or "
                                           "extendedly dominated",
                                           err);
    if (!rc)
        rc = ipsim_h5_writer_write_strings(w, "sweep", "compared_with", &scenario, against,
                                           "the strategy at the same point it is compared with "
                                           "(the next cheaper on the frontier)",
                                           err);
    const struct {
        const char *name, *long_name, *units;
        size_t offset;
    } incremental[] = {
        {"incremental_cost", "cost minus that of compared_with", first->currency,
         offsetof(ipsim_incremental, d_cost)},
        {"incremental_qalys", "QALYs minus those of compared_with", "QALY",
         offsetof(ipsim_incremental, d_effect)},
        {"icer", "incremental cost per QALY against compared_with", first->currency,
         offsetof(ipsim_incremental, icer)},
    };
    for (size_t i = 0; !rc && i < sizeof incremental / sizeof incremental[0]; i++) {
        for (int k = 0; k < S; k++)
            memcpy(&table[k],
                   (const char *)&d->at[k / sw->strategies]
                           .scenarios[k % sw->strategies]
                           .incremental +
                       incremental[i].offset,
                   sizeof *table);
        rc = ipsim_h5_writer_write_table(w, "sweep", incremental[i].name, 1, &scenario, table,
                                         incremental[i].long_name, incremental[i].units, err);
    }
    /* Per grid wtp: each scenario's NMB, its acceptability within its point;
     * each point's preferred strategy and EVPI. */
    for (int which = 0; !rc && which < (psa ? 2 : 1); which++) {
        for (int x = 0; x < W; x++)
            for (int k = 0; k < S; k++) {
                const ipsim_comparison *c = &d->at[k / sw->strategies];
                const double *grid = which ? c->ceac : c->nmb;
                table[(size_t)x * S + k] = grid[(size_t)x * sw->strategies + k % sw->strategies];
            }
        rc = ipsim_h5_writer_write_table(
            w, "sweep", which ? "ceac" : "nmb", 2, ws, table,
            which ? "P(the strategy has the highest NMB among those at its point)"
                  : "expected net monetary benefit per patient, wtp x QALYs - cost",
            which ? NULL : first->currency, err);
    }
    for (int which = 0; !rc && which < (psa ? 2 : 1); which++) {
        for (int p = 0; p < P; p++)
            for (int x = 0; x < W; x++)
                table[(size_t)p * W + x] = which ? d->at[p].evpi[x] : d->at[p].best[x];
        rc = ipsim_h5_writer_write_table(
            w, "sweep", which ? "evpi" : "preferred", 2, pw, table,
            which ? "expected value of perfect information per patient, at the point"
                  : "the strategy (its index in `strategy`) with the highest expected NMB",
            which ? first->currency : NULL, err);
    }
    free(names);
    free(points);
    free(status);
    free(against);
    free(table);
    return rc;
}
