/* analysis/subgroups.c: the subgroup analysis of analysis/subgroups.h. */
#define _POSIX_C_SOURCE 200809L
#include "analysis/subgroups.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/intervals.h"

enum { S_ = IPSIM_SUBGROUPS, E_ = IPSIM_ECONOMIC_OUTCOMES };

void ipsim_subgroups_free(ipsim_subgroups *s)
{
    free(s->names);
    free(s->cost);
    free(s->qalys);
    free(s->d_cost_low);
    free(s->d_cost_high);
    free(s->d_qalys_low);
    free(s->d_qalys_high);
    free(s->incremental);
    free(s->draw_cost);
    free(s->draw_qalys);
    memset(s, 0, sizeof *s);
}

static int allocate(ipsim_subgroups *s, int K, int64_t R, bool psa, ipsim_error *err)
{
    const size_t cells = (size_t)S_ * (size_t)K;
    s->names = calloc((size_t)K, sizeof *s->names);
    double **tables[] = {&s->cost, &s->qalys, &s->d_cost_low, &s->d_cost_high, &s->d_qalys_low,
                         &s->d_qalys_high};
    bool ok = s->names != NULL;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        ok = (*tables[t] = malloc(cells * sizeof(double))) != NULL && ok;
    s->incremental = malloc(cells * sizeof *s->incremental);
    ok = ok && s->incremental;
    if (psa) {
        s->draw_cost = malloc(cells * (size_t)R * sizeof(double));
        s->draw_qalys = malloc(cells * (size_t)R * sizeof(double));
        ok = ok && s->draw_cost && s->draw_qalys;
    }
    return ok ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the subgroup analysis");
}

/* Scenario k's per-replicate subgroup patients [R][S_] and discounted cost
 * and QALY means [R][S_] (NaN without patients); and its pooled means. */
static int read_scenario(ipsim_h5_reader *r, int64_t R, double *patients, double *sums,
                         double *cost, double *qalys, double pooled[S_][2], ipsim_error *err)
{
    int rc = ipsim_h5_reader_read_replicate_table(r, "economics/subgroup_patients", S_, patients,
                                                  err);
    if (!rc)
        rc = ipsim_h5_reader_read_replicate_table(r, "economics/subgroup_sum_fixed_point",
                                                  S_ * E_, sums, err);
    if (rc)
        return rc;
    const double cu = ipsim_economic_unit[IPSIM_ECONOMIC_COST_DISCOUNTED];
    const double qu = ipsim_economic_unit[IPSIM_ECONOMIC_QALYS_DISCOUNTED];
    for (int g = 0; g < S_; g++) {
        double n = 0, c = 0, q = 0;
        for (int64_t i = 0; i < R; i++) {
            const double m = patients[i * S_ + g];
            const double *sum = sums + (i * S_ + g) * E_;
            cost[i * S_ + g] = m > 0 ? sum[IPSIM_ECONOMIC_COST_DISCOUNTED] * cu / m : NAN;
            qalys[i * S_ + g] = m > 0 ? sum[IPSIM_ECONOMIC_QALYS_DISCOUNTED] * qu / m : NAN;
            n += m;
            c += sum[IPSIM_ECONOMIC_COST_DISCOUNTED] * cu;
            q += sum[IPSIM_ECONOMIC_QALYS_DISCOUNTED] * qu;
        }
        pooled[g][0] = n > 0 ? c / n : NAN;
        pooled[g][1] = n > 0 ? q / n : NAN;
    }
    return IPSIM_OK;
}

/* The PSA's expectations and intervals of subgroup g, from the draws. */
static void psa_figures(ipsim_subgroups *s, int g, double *scratch, double *values)
{
    const int K = s->scenarios;
    const int64_t R = s->replicates;
    for (int k = 0; k < K; k++) {
        const size_t cell = (size_t)g * (size_t)K + (size_t)k;
        double c = 0, q = 0;
        int64_t n = 0;
        for (int64_t i = 0; i < R; i++) {
            const size_t at = ((size_t)g * (size_t)R + (size_t)i) * (size_t)K;
            if (isnan(s->draw_cost[at]) || isnan(s->draw_cost[at + (size_t)k]))
                continue;
            c += s->draw_cost[at + (size_t)k];
            q += s->draw_qalys[at + (size_t)k];
            n++;
        }
        s->cost[cell] = n ? c / (double)n : NAN;
        s->qalys[cell] = n ? q / (double)n : NAN;
        for (int what = 0; what < 2; what++) {
            const double *d = what ? s->draw_qalys : s->draw_cost;
            int64_t m = 0;
            for (int64_t i = 0; i < R; i++) {
                const size_t at = ((size_t)g * (size_t)R + (size_t)i) * (size_t)K;
                if (!isnan(d[at]) && !isnan(d[at + (size_t)k]))
                    values[m++] = d[at + (size_t)k] - d[at];
            }
            double *low = what ? s->d_qalys_low : s->d_cost_low;
            double *high = what ? s->d_qalys_high : s->d_cost_high;
            low[cell] = m > 1 ? ipsim_quantile(values, m, 1, 0.025, scratch) : NAN;
            high[cell] = m > 1 ? ipsim_quantile(values, m, 1, 0.975, scratch) : NAN;
        }
    }
}

int ipsim_subgroups_compute(ipsim_subgroups *out, ipsim_h5_reader *const *readers, int count,
                            bool psa, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    const int64_t R = ipsim_h5_reader_params(readers[0])->cohort.replicates;
    for (int k = 1; k < count; k++)
        if (ipsim_h5_reader_params(readers[k])->cohort.replicates != R)
            return IPSIM_FAIL(err, IPSIM_EFORMAT,
                              "subgroups: scenarios '%s' and '%s' have different replicate "
                              "counts",
                              ipsim_h5_reader_params(readers[0])->name,
                              ipsim_h5_reader_params(readers[k])->name);
    *out = (ipsim_subgroups){.scenarios = count, .psa = psa, .replicates = R};
    int rc = allocate(out, count, R, psa, err);
    double *patients = malloc((size_t)R * S_ * sizeof *patients);
    double *sums = malloc((size_t)R * S_ * E_ * sizeof *sums);
    double *cost = malloc((size_t)R * S_ * sizeof *cost);
    double *qalys = malloc((size_t)R * S_ * sizeof *qalys);
    double *scratch = malloc(2 * (size_t)R * sizeof *scratch);
    if (!rc && (!patients || !sums || !cost || !qalys || !scratch))
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the subgroup analysis");
    for (int k = 0; k < count && !rc; k++) {
        snprintf(out->names[k], sizeof out->names[k], "%s", ipsim_h5_reader_params(readers[k])->name);
        double pooled[S_][2];
        rc = read_scenario(readers[k], R, patients, sums, cost, qalys, pooled, err);
        if (rc)
            break;
        for (int g = 0; g < S_; g++) {
            if (k == 0) {
                double n = 0;
                for (int64_t i = 0; i < R; i++)
                    n += patients[i * S_ + g];
                out->patients[g] = (int64_t)n;
            }
            const size_t cell = (size_t)g * (size_t)count + (size_t)k;
            out->cost[cell] = pooled[g][0];
            out->qalys[cell] = pooled[g][1];
            out->d_cost_low[cell] = out->d_cost_high[cell] = NAN;
            out->d_qalys_low[cell] = out->d_qalys_high[cell] = NAN;
            if (psa)
                for (int64_t i = 0; i < R; i++) {
                    const size_t at =
                        ((size_t)g * (size_t)R + (size_t)i) * (size_t)count + (size_t)k;
                    out->draw_cost[at] = cost[i * S_ + g];
                    out->draw_qalys[at] = qalys[i * S_ + g];
                }
        }
    }
    if (!rc) {
        /* Every patient is in one grade: the grades' patients are the cohort. */
        int64_t cohort = 0;
        for (int g = IPSIM_SUBGROUP_GRADE; g < IPSIM_SUBGROUP_GRADE + IPSIM_GRADES; g++)
            cohort += out->patients[g];
        for (int g = 0; g < S_; g++) {
            out->share[g] = cohort ? (double)out->patients[g] / (double)cohort : NAN;
            if (psa)
                psa_figures(out, g, scratch, scratch + R);
            ipsim_incremental_analysis(out->cost + (size_t)g * (size_t)count,
                                       out->qalys + (size_t)g * (size_t)count, count,
                                       out->incremental + (size_t)g * (size_t)count);
        }
    }
    free(patients);
    free(sums);
    free(cost);
    free(qalys);
    free(scratch);
    if (rc)
        ipsim_subgroups_free(out);
    return rc;
}

/* The share of draws in which each strategy has the highest net benefit
 * in subgroup g (probability[K]; NaN without PSA or draws). */
static void acceptability(const ipsim_subgroups *s, int g, double wtp, double *probability)
{
    const int K = s->scenarios;
    int64_t draws = 0;
    for (int k = 0; k < K; k++)
        probability[k] = 0;
    for (int64_t i = 0; s->psa && i < s->replicates; i++) {
        const size_t at = ((size_t)g * (size_t)s->replicates + (size_t)i) * (size_t)K;
        if (isnan(s->draw_cost[at]))
            continue;
        int top = 0;
        for (int k = 1; k < K; k++)
            if (ipsim_net_monetary_benefit(s->draw_cost[at + k], s->draw_qalys[at + k], wtp) >
                ipsim_net_monetary_benefit(s->draw_cost[at + top], s->draw_qalys[at + top], wtp))
                top = k;
        probability[top]++;
        draws++;
    }
    for (int k = 0; k < K; k++)
        probability[k] = draws ? probability[k] / (double)draws : NAN;
}

int ipsim_subgroups_best(const ipsim_subgroups *s, int g, double wtp, double *probability)
{
    const int K = s->scenarios;
    const double *c = s->cost + (size_t)g * (size_t)K, *q = s->qalys + (size_t)g * (size_t)K;
    int best = 0;
    for (int k = 1; k < K; k++)
        if (ipsim_net_monetary_benefit(c[k], q[k], wtp) >
            ipsim_net_monetary_benefit(c[best], q[best], wtp))
            best = k;
    *probability = NAN;
    double *p = s->psa ? malloc((size_t)K * sizeof *p) : NULL;
    if (p) {
        acceptability(s, g, wtp, p);
        *probability = p[best];
    }
    free(p);
    return best;
}

void ipsim_subgroups_print(FILE *out, const ipsim_subgroups *s, const double *wtp, int wtp_count,
                           const char *currency)
{
    fprintf(out, "\nThe decision by subgroup at diagnosis: the strategy of highest expected net "
                 "benefit%s\n",
            s->psa ? " (and the share of PSA draws in which it is the best)" : "");
    fprintf(out, "  %-20s %8s", "subgroup", "share");
    for (int w = 0; w < wtp_count; w++) {
        char head[64];
        snprintf(head, sizeof head, "at %.0f %s/QALY", wtp[w], currency);
        fprintf(out, "  %-28s", head);
    }
    fprintf(out, "\n");
    for (int d = 0; d < IPSIM_SUBGROUP_DIMENSIONS; d++) {
        const ipsim_subgroup_dimension *dim = &ipsim_subgroup_dimensions[d];
        fprintf(out, "  %s\n", dim->title);
        for (int g = dim->first; g < dim->first + dim->count; g++) {
            fprintf(out, "    %-18s %7.1f%%", ipsim_subgroup_names[g], 100 * s->share[g]);
            for (int w = 0; w < wtp_count; w++) {
                if (s->patients[g] == 0) {
                    fprintf(out, "  %-28s", "(no patients)");
                    continue;
                }
                double probability;
                const int best = ipsim_subgroups_best(s, g, wtp[w], &probability);
                char cell[64];
                if (isnan(probability))
                    snprintf(cell, sizeof cell, "%s", s->names[best]);
                else
                    snprintf(cell, sizeof cell, "%s %.0f%%", s->names[best], 100 * probability);
                fprintf(out, "  %-28s", cell);
            }
            fprintf(out, "\n");
        }
    }
    fprintf(out, "  (costs, QALYs and ICERs of every strategy in every subgroup: subgroups.csv "
                 "with --csv)\n");
}

int ipsim_subgroups_csv(const ipsim_subgroups *s, const double *wtp, int wtp_count,
                        ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "subgroups.csv", err);
    if (rc)
        return rc;
    fprintf(f, "dimension,subgroup,patients,share,strategy,cost,qalys,incremental_cost_low,"
               "incremental_cost_high,incremental_qalys_low,incremental_qalys_high,status,"
               "compared_with,icer");
    for (int w = 0; w < wtp_count; w++)
        fprintf(f, ",nmb_%.0f,preferred_%.0f,probability_cost_effective_%.0f", wtp[w], wtp[w],
                wtp[w]);
    fputc('\n', f);
    const int K = s->scenarios;
    double *probability = malloc((size_t)K * (size_t)(wtp_count > 0 ? wtp_count : 1) *
                                 sizeof *probability);
    if (!probability) {
        fclose(f);
        free(text);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot build subgroups.csv");
    }
    for (int d = 0; d < IPSIM_SUBGROUP_DIMENSIONS; d++) {
        const ipsim_subgroup_dimension *dim = &ipsim_subgroup_dimensions[d];
        for (int g = dim->first; g < dim->first + dim->count; g++) {
            for (int w = 0; w < wtp_count; w++)
                acceptability(s, g, wtp[w], probability + (size_t)w * (size_t)K);
            for (int k = 0; k < K; k++) {
                const size_t cell = (size_t)g * (size_t)K + (size_t)k;
                ipsim_csv_text(f, false, dim->title);
                ipsim_csv_text(f, true, ipsim_subgroup_names[g]);
                fprintf(f, ",%lld", (long long)s->patients[g]);
                ipsim_csv_number(f, s->share[g]);
                ipsim_csv_text(f, true, s->names[k]);
                const double values[] = {s->cost[cell],        s->qalys[cell],
                                         s->d_cost_low[cell],  s->d_cost_high[cell],
                                         s->d_qalys_low[cell], s->d_qalys_high[cell]};
                for (size_t v = 0; v < sizeof values / sizeof values[0]; v++)
                    ipsim_csv_number(f, values[v]);
                const ipsim_incremental *inc = &s->incremental[cell];
                fprintf(f, ",%s", ipsim_dominance_names[inc->status]);
                ipsim_csv_text(f, true, inc->compared_to >= 0 ? s->names[inc->compared_to] : "");
                ipsim_csv_number(f, inc->icer);
                for (int w = 0; w < wtp_count; w++) {
                    double ignored;
                    const int best = ipsim_subgroups_best(s, g, wtp[w], &ignored);
                    ipsim_csv_number(f, ipsim_net_monetary_benefit(s->cost[cell], s->qalys[cell],
                                                                   wtp[w]));
                    fprintf(f, ",%d", best == k);
                    ipsim_csv_number(f, probability[(size_t)w * (size_t)K + (size_t)k]);
                }
                fputc('\n', f);
            }
        }
    }
    free(probability);
    return ipsim_csv_set_add(set, "subgroups.csv", &text, &size, f, err);
}
