/* analysis/comparison.c: a study's comparison, from its file. */
#define _POSIX_C_SOURCE 200809L
#include "analysis/comparison.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv.h"
#include "output/intervals.h"
#include "output/summary.h"
#include "params/psa.h"

void ipsim_comparison_free(ipsim_comparison *c)
{
    free(c->scenarios);
    free(c->wtp);
    free(c->nmb);
    free(c->nhb);
    free(c->best);
    free(c->ceac);
    free(c->ceaf);
    free(c->evpi);
    free(c->expected_loss);
    free(c->incremental_ceac);
    free(c->replicate_cost);
    free(c->replicate_qalys);
    free(c->draws);
    free(c->parameter_names);
    if (c->subgroups)
        ipsim_subgroups_free(c->subgroups);
    free(c->subgroups);
    memset(c, 0, sizeof *c);
}

/* ---- per scenario -------------------------------------------------------------- */

static int read_figures(ipsim_h5_reader *r, ipsim_scenario_result *s, ipsim_error *err)
{
    ipsim_summary *sum = NULL;
    int rc = ipsim_summary_create(&sum, ipsim_h5_reader_params(r), err);
    if (!rc)
        rc = ipsim_h5_reader_read_summary(r, sum, err);
    if (!rc) {
        double low, high, years = 0, n = (double)sum->patients;
        ipsim_summary_episode_rate(sum, -1, 0, &s->infections_per_100py, &low, &high);
        ipsim_summary_episode_rate(sum, -1, 1, &s->serious_per_100py, &low, &high);
        for (int g = 0; g < IPSIM_GRADES; g++)
            years += (double)ipsim_summary_person_months(sum, g) / 12.0;
        int64_t deaths = sum->patients - sum->deaths[IPSIM_ALIVE];
        s->patients = sum->patients;
        s->died_pct = 100.0 * (double)deaths / n;
        s->infection_deaths_pct = 100.0 * (double)sum->deaths[IPSIM_DEATH_INFECTION] / n;
        s->deaths_per_100py = years > 0 ? 100.0 * (double)deaths / years : 0;
        s->on_ivig_pct = 100.0 * (double)sum->ivig_patients / n;
        s->ivig_grams_per_100py =
            years > 0 ? 100.0 * (double)sum->ivig_milligrams / 1000.0 / years : 0;
    }
    ipsim_summary_free(sum);
    return rc;
}

/* PSA: every outcome's mean per patient in each replicate, [R][OUTCOMES],
 * from the per-replicate summaries. */
static int read_replicate_outcomes(ipsim_h5_reader *r, double *out, ipsim_error *err)
{
    const ipsim_params *p = ipsim_h5_reader_params(r);
    const int64_t R = p->cohort.replicates;
    const double n = (double)p->cohort.patients;
    enum { WIDEST = IPSIM_GRADES * IPSIM_INFECTION_TYPES };
    double *t = malloc((size_t)R * WIDEST * sizeof *t);
    if (!t)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the replicate table");
    int rc = ipsim_h5_reader_read_replicate_table(r, "economics/mean", IPSIM_ECONOMIC_OUTCOMES, t,
                                                  err);
    for (int64_t i = 0; !rc && i < R; i++) {
        const double *e = t + i * IPSIM_ECONOMIC_OUTCOMES;
        out[i * IPSIM_OUTCOMES + IPSIM_OUTCOME_COST] = e[IPSIM_ECONOMIC_COST_DISCOUNTED];
        out[i * IPSIM_OUTCOMES + IPSIM_OUTCOME_QALYS] = e[IPSIM_ECONOMIC_QALYS_DISCOUNTED];
        out[i * IPSIM_OUTCOMES + IPSIM_OUTCOME_LIFE_YEARS] =
            e[IPSIM_ECONOMIC_LIFE_YEARS_DISCOUNTED];
    }
    const struct {
        const char *name;
        int width;
        int outcome, second; /* second: a further outcome from column 1 (deaths) */
    } sums[] = {
        {"summary/episodes_by_grade_and_type", WIDEST, IPSIM_OUTCOME_INFECTIONS, -1},
        {"summary/serious_episodes_by_grade", IPSIM_GRADES, IPSIM_OUTCOME_SERIOUS, -1},
        {"summary/deaths_by_cause", IPSIM_DEATH_CAUSES - 1, IPSIM_OUTCOME_DEATH,
         IPSIM_OUTCOME_INFECTION_DEATH},
        {"summary/ivig_grams", 1, IPSIM_OUTCOME_IVIG_GRAMS, -1},
    };
    for (size_t k = 0; k < sizeof sums / sizeof sums[0] && !rc; k++) {
        rc = ipsim_h5_reader_read_replicate_table(r, sums[k].name, sums[k].width, t, err);
        for (int64_t i = 0; !rc && i < R; i++) {
            double total = 0;
            for (int j = 0; j < sums[k].width; j++)
                total += t[i * sums[k].width + j];
            out[i * IPSIM_OUTCOMES + sums[k].outcome] = total / n;
            if (sums[k].second >= 0) /* deaths_by_cause: {background, infection} */
                out[i * IPSIM_OUTCOMES + sums[k].second] = t[i * sums[k].width + 1] / n;
        }
    }
    free(t);
    return rc;
}

static double mean_of(const double *x, int64_t n, int64_t stride)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += x[i * stride];
    return s / (double)n;
}

/* Standard error of the mean of n values (stride apart). */
static double se_of(const double *x, int64_t n, int64_t stride)
{
    if (n < 2)
        return NAN;
    double m = mean_of(x, n, stride), ss = 0;
    for (int64_t i = 0; i < n; i++)
        ss += (x[i * stride] - m) * (x[i * stride] - m);
    return sqrt(ss / (double)(n - 1) / (double)n);
}

/* ---- decision analysis over the WTP grid ------------------------------------------- */

static void net_benefit(ipsim_comparison *c)
{
    const int S = c->count;
    for (int w = 0; w < c->wtp_count; w++) {
        double wtp = c->wtp[w];
        int best = 0;
        for (int s = 0; s < S; s++) {
            const ipsim_scenario_result *r = &c->scenarios[s];
            double cost = r->mean[IPSIM_OUTCOME_COST], q = r->mean[IPSIM_OUTCOME_QALYS];
            c->nmb[w * S + s] = ipsim_net_monetary_benefit(cost, q, wtp);
            c->nhb[w * S + s] = wtp > 0 ? ipsim_net_health_benefit(cost, q, wtp) : NAN;
            if (c->nmb[w * S + s] > c->nmb[w * S + best])
                best = s;
        }
        c->best[w] = best;
    }
}

static void acceptability(ipsim_comparison *c)
{
    const int S = c->count;
    for (int w = 0; w < c->wtp_count; w++) {
        double *ceac = c->ceac + (size_t)w * (size_t)S;
        ipsim_acceptability(c->replicate_cost, c->replicate_qalys, c->replicates, S, c->wtp[w],
                            ceac, &c->evpi[w], c->expected_loss + (size_t)w * (size_t)S);
        c->ceaf[w] = ceac[c->best[w]];
        if (S > IPSIM_INCREMENTAL_MAX) {
            for (int s = 0; s < S; s++)
                c->incremental_ceac[(size_t)w * (size_t)S + (size_t)s] = NAN;
            continue;
        }
        ipsim_incremental analysis[IPSIM_INCREMENTAL_MAX];
        for (int s = 0; s < S; s++)
            analysis[s] = c->scenarios[s].incremental;
        ipsim_incremental_acceptability(c->replicate_cost, c->replicate_qalys, c->replicates, S,
                                        analysis, c->wtp[w],
                                        c->incremental_ceac + (size_t)w * (size_t)S);
    }
}

/* ---- computing ----------------------------------------------------------------------- */

static int allocate(ipsim_comparison *c, int count, int64_t R, ipsim_error *err)
{
    const size_t S = (size_t)count, W = (size_t)c->wtp_count;
    c->scenarios = calloc(S, sizeof *c->scenarios);
    c->wtp = malloc(W * sizeof *c->wtp);
    c->nmb = malloc(W * S * sizeof *c->nmb);
    c->nhb = malloc(W * S * sizeof *c->nhb);
    c->best = malloc(W * sizeof *c->best);
    int ok = c->scenarios && c->wtp && c->nmb && c->nhb && c->best;
    if (ok && c->psa) {
        c->ceac = malloc(W * S * sizeof *c->ceac);
        c->ceaf = malloc(W * sizeof *c->ceaf);
        c->evpi = malloc(W * sizeof *c->evpi);
        c->expected_loss = malloc(W * S * sizeof *c->expected_loss);
        c->incremental_ceac = malloc(W * S * sizeof *c->incremental_ceac);
        c->replicate_cost = malloc((size_t)R * S * sizeof *c->replicate_cost);
        c->replicate_qalys = malloc((size_t)R * S * sizeof *c->replicate_qalys);
        ok = c->ceac && c->ceaf && c->evpi && c->replicate_cost && c->replicate_qalys &&
             c->expected_loss && c->incremental_ceac;
    }
    return ok ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the comparison");
}

/* Deterministic: means, SEs and paired differences over patients. One
 * pass over the files per other scenario; the reference's own figures come
 * from the first of them (from itself when it is alone). */
static int compare_patients(ipsim_comparison *c, ipsim_h5_reader *const *readers,
                            const ipsim_difference *given, const volatile sig_atomic_t *cancel,
                            ipsim_error *err)
{
    int rc = IPSIM_OK;
    for (int s = c->count > 1 ? 1 : 0; s < c->count && !rc; s++) {
        ipsim_scenario_result *res = &c->scenarios[s], *ref = &c->scenarios[0];
        ipsim_difference d[IPSIM_OUTCOMES];
        bool paired = ipsim_paired_possible(ipsim_h5_reader_params(readers[0]),
                                            ipsim_h5_reader_params(readers[s]));
        if (given && given[(size_t)s * IPSIM_OUTCOMES].n_a > 0)
            memcpy(d, given + (size_t)s * IPSIM_OUTCOMES, sizeof d);
        else
            rc = ipsim_paired_compare(readers[0], readers[s], d, &paired, cancel, err);
        for (int o = 0; !rc && o < IPSIM_OUTCOMES; o++) {
            ipsim_sample_mean(d[o].sum_b, d[o].sum_b2, d[o].n_b, &res->mean[o], &res->se[o]);
            if (s <= 1)
                ipsim_sample_mean(d[o].sum_a, d[o].sum_a2, d[o].n_a, &ref->mean[o],
                                  &ref->se[o]);
            ipsim_difference_estimate(&d[o], paired, &res->difference[o],
                                      &res->difference_se[o],
                                      &res->difference_se_independent[o]);
        }
        res->paired = paired;
    }
    for (int s = 0; s < c->count; s++) {
        ipsim_scenario_result *res = &c->scenarios[s];
        if (s == 0) { /* against itself: no difference */
            res->paired = true;
            for (int o = 0; o < IPSIM_OUTCOMES; o++)
                res->difference[o] = res->difference_se[o] =
                    res->difference_se_independent[o] = 0;
        }
        res->cost_interval[0] = res->cost_interval[1] = NAN;
        res->qalys_interval[0] = res->qalys_interval[1] = NAN;
    }
    return rc;
}

/* PSA: means, SEs and paired differences over replicates (draws), each
 * scenario's over its own (a plain run beside a PSA study: independent). */
static int compare_replicates(ipsim_comparison *c, ipsim_h5_reader *const *readers,
                              ipsim_error *err)
{
    const int S = c->count;
    const int64_t R = c->replicates;
    /* Replicates are paired when the scenarios share the cohort (and
     * under PSA, the draws). */
    bool pairable = true;
    int64_t most = R;
    for (int s = 1; s < S; s++) {
        const ipsim_params *p = ipsim_h5_reader_params(readers[s]);
        pairable &= ipsim_paired_possible(p, ipsim_h5_reader_params(readers[0]));
        most = p->cohort.replicates > most ? p->cohort.replicates : most;
    }
    double *ref = malloc((size_t)R * IPSIM_OUTCOMES * sizeof *ref);
    double *mine = malloc((size_t)most * IPSIM_OUTCOMES * sizeof *mine);
    double *diff = malloc((size_t)R * sizeof *diff), *scratch = malloc((size_t)most * sizeof *scratch);
    int rc = ref && mine && diff && scratch
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the PSA tables");
    if (!rc)
        rc = read_replicate_outcomes(readers[0], ref, err);
    for (int s = 0; s < S && !rc; s++) {
        ipsim_scenario_result *res = &c->scenarios[s];
        const int64_t Rs = ipsim_h5_reader_params(readers[s])->cohort.replicates;
        if (s > 0)
            rc = read_replicate_outcomes(readers[s], mine, err);
        const double *x = s == 0 ? ref : mine;
        for (int o = 0; !rc && o < IPSIM_OUTCOMES; o++) {
            res->mean[o] = mean_of(x + o, Rs, IPSIM_OUTCOMES);
            res->se[o] = se_of(x + o, Rs, IPSIM_OUTCOMES);
            res->difference_se_independent[o] =
                s == 0 ? 0 : hypot(res->se[o], c->scenarios[0].se[o]);
            if (Rs != R) { /* independent, and of other replicate counts */
                res->difference[o] = res->mean[o] - c->scenarios[0].mean[o];
                res->difference_se[o] = res->difference_se_independent[o];
                continue;
            }
            for (int64_t r = 0; r < R; r++)
                diff[r] = x[r * IPSIM_OUTCOMES + o] - ref[r * IPSIM_OUTCOMES + o];
            res->difference[o] = mean_of(diff, R, 1);
            res->difference_se[o] = s == 0 ? 0 : pairable ? se_of(diff, R, 1)
                                                          : res->difference_se_independent[o];
        }
        res->paired = s == 0 || pairable;
        for (int64_t r = 0; !rc && c->psa && r < R; r++) {
            c->replicate_cost[r * S + s] = x[r * IPSIM_OUTCOMES + IPSIM_OUTCOME_COST];
            c->replicate_qalys[r * S + s] = x[r * IPSIM_OUTCOMES + IPSIM_OUTCOME_QALYS];
        }
        res->cost_interval[0] = res->cost_interval[1] = NAN;
        res->qalys_interval[0] = res->qalys_interval[1] = NAN;
        if (!rc && c->psa) {
            res->cost_interval[0] = ipsim_quantile(x + IPSIM_OUTCOME_COST, R, IPSIM_OUTCOMES, 0.025, scratch);
            res->cost_interval[1] = ipsim_quantile(x + IPSIM_OUTCOME_COST, R, IPSIM_OUTCOMES, 0.975, scratch);
            res->qalys_interval[0] = ipsim_quantile(x + IPSIM_OUTCOME_QALYS, R, IPSIM_OUTCOMES, 0.025, scratch);
            res->qalys_interval[1] = ipsim_quantile(x + IPSIM_OUTCOME_QALYS, R, IPSIM_OUTCOMES, 0.975, scratch);
        }
    }
    free(ref);
    free(mine);
    free(diff);
    free(scratch);
    return rc;
}

static int read_draws(ipsim_comparison *c, ipsim_h5_reader *r, ipsim_error *err)
{
    const ipsim_params *p = ipsim_h5_reader_params(r);
    c->parameters = ipsim_psa_dimension(p);
    c->draws = malloc((size_t)c->replicates * (size_t)c->parameters * sizeof *c->draws);
    c->parameter_names = malloc((size_t)c->parameters * sizeof *c->parameter_names);
    if (!c->draws || !c->parameter_names)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the PSA draws");
    for (int i = 0; i < c->parameters; i++)
        ipsim_psa_name(p, i, c->parameter_names[i], sizeof c->parameter_names[i]);
    return ipsim_h5_reader_read_root_table(r, "psa/parameters",
                                           c->replicates * (int64_t)c->parameters, c->draws, err);
}

/* Whether scenario p, compared with ref, keeps a PSA comparison (every
 * scenario must) and has per-patient records (likewise). */
static void mode_of(const ipsim_params *p, const ipsim_params *ref, bool *psa, bool *records)
{
    *records &= p->output.patient_records;
    *psa &= p->psa.sample && ipsim_psa_dimension(p) > 0 && ipsim_psa_same(p, ref) &&
            ipsim_paired_possible(p, ref);
}

bool ipsim_comparison_reads_patients(const ipsim_params *scenarios, int count)
{
    bool psa = scenarios[0].cohort.replicates >= 2, records = true;
    for (int s = 0; s < count; s++)
        mode_of(&scenarios[s], &scenarios[0], &psa, &records);
    return !psa && records;
}

int ipsim_comparison_compute(ipsim_comparison *out, ipsim_h5_reader *const *readers, int count,
                             const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    return ipsim_comparison_compute_given(out, readers, count, NULL, cancel, err);
}

int ipsim_comparison_compute_given(ipsim_comparison *out, ipsim_h5_reader *const *readers,
                                   int count, const ipsim_difference *pairs,
                                   const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    const ipsim_params *ref = ipsim_h5_reader_params(readers[0]);
    out->count = count;
    out->replicates = ref->cohort.replicates;
    snprintf(out->currency, sizeof out->currency, "%s", ref->economics.currency);
    out->price_year = ref->economics.price_year;
    out->psa = ref->cohort.replicates >= 2;
    bool records = true;
    for (int s = 0; s < count; s++) {
        const ipsim_params *p = ipsim_h5_reader_params(readers[s]);
        mode_of(p, ref, &out->psa, &records);
        if (strcmp(p->economics.currency, ref->economics.currency) != 0 ||
            p->economics.price_year != ref->economics.price_year) {
            IPSIM_FAIL(err, IPSIM_EFORMAT,
                       "scenario '%s' counts costs in %s of %lld and '%s' in %s of %lld: "
                       "costs in different currencies or price years cannot be compared",
                       p->name, p->economics.currency, (long long)p->economics.price_year,
                       ref->name, ref->economics.currency, (long long)ref->economics.price_year);
            return IPSIM_EFORMAT;
        }
    }
    /* Scenarios are told apart by name in every table and figure: two of
     * the same name (a run repeated with a changed --set but not a new
     * name) would print as one twice. A file given twice is compared with
     * itself, a check that the differences are zero. */
    for (int s = 1; s < count; s++)
        for (int j = 0; j < s; j++) {
            const char *name = ipsim_h5_reader_params(readers[s])->name;
            const char *a = ipsim_h5_reader_path(readers[j]), *b = ipsim_h5_reader_path(readers[s]);
            if (strcmp(name, ipsim_h5_reader_params(readers[j])->name) != 0 ||
                strcmp(a, b) == 0)
                continue;
            return IPSIM_FAIL(err, IPSIM_EUSAGE,
                              "'%s' and '%s' both hold a scenario named '%s': scenarios are "
                              "told apart by name, so run one of them again with --set "
                              "name=... (e.g. --set name=%.40s_2)",
                              a, b, name, name);
        }
    out->wtp_count = (int)floor(ref->decision.wtp_max / ref->decision.wtp_step + 1e-9) + 1;
    int rc = allocate(out, count, out->replicates, err);
    for (int w = 0; !rc && w < out->wtp_count; w++)
        out->wtp[w] = w * ref->decision.wtp_step;
    for (int s = 0; s < count && !rc; s++) {
        const ipsim_params *p = ipsim_h5_reader_params(readers[s]);
        snprintf(out->scenarios[s].name, sizeof out->scenarios[s].name, "%s", p->name);
        snprintf(out->scenarios[s].source, sizeof out->scenarios[s].source, "%s",
                 ipsim_h5_reader_path(readers[s]));
        rc = read_figures(readers[s], &out->scenarios[s], err);
    }
    if (!rc)
        /* Without per-patient records only replicate means remain. */
        rc = out->psa || !records ? compare_replicates(out, readers, err)
                                  : compare_patients(out, readers, pairs, cancel, err);
    if (!rc && out->psa)
        rc = read_draws(out, readers[0], err);
    bool same_replicates = true;
    for (int s = 1; s < count; s++)
        same_replicates &= ipsim_h5_reader_params(readers[s])->cohort.replicates == out->replicates;
    if (!rc && same_replicates && count <= IPSIM_INCREMENTAL_MAX) {
        out->subgroups = calloc(1, sizeof *out->subgroups);
        rc = out->subgroups
                 ? ipsim_subgroups_compute(out->subgroups, readers, count, out->psa, err)
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the subgroup analysis");
    }
    if (rc) {
        ipsim_comparison_free(out);
        return rc;
    }
    double cost[IPSIM_INCREMENTAL_MAX], qalys[IPSIM_INCREMENTAL_MAX];
    if (count <= IPSIM_INCREMENTAL_MAX) {
        ipsim_incremental inc[IPSIM_INCREMENTAL_MAX];
        for (int s = 0; s < count; s++) {
            cost[s] = out->scenarios[s].mean[IPSIM_OUTCOME_COST];
            qalys[s] = out->scenarios[s].mean[IPSIM_OUTCOME_QALYS];
        }
        ipsim_incremental_analysis(cost, qalys, count, inc);
        for (int s = 0; s < count; s++)
            out->scenarios[s].incremental = inc[s];
    } else {
        for (int s = 0; s < count; s++)
            out->scenarios[s].incremental = (ipsim_incremental){
                .status = IPSIM_FRONTIER, .compared_to = -1, .d_cost = NAN, .d_effect = NAN,
                .icer = NAN};
    }
    net_benefit(out);
    if (out->psa)
        acceptability(out);
    return IPSIM_OK;
}

/* ---- printing -------------------------------------------------------------------------- */

double ipsim_comparison_acceptability_at(const ipsim_comparison *c, double wtp, int scenario,
                                         double *evpi)
{
    double *probability = malloc((size_t)c->count * sizeof *probability), value = NAN, p = NAN;
    if (probability) { /* a sweep may compare more scenarios than fit the stack */
        ipsim_acceptability(c->replicate_cost, c->replicate_qalys, c->replicates, c->count, wtp,
                            probability, &value, NULL);
        p = probability[scenario];
    }
    free(probability);
    if (evpi)
        *evpi = value;
    return p;
}

int ipsim_comparison_best_at(const ipsim_comparison *c, double wtp)
{
    int best = 0;
    for (int s = 1; s < c->count; s++) {
        const ipsim_scenario_result *a = &c->scenarios[s], *b = &c->scenarios[best];
        if (ipsim_net_monetary_benefit(a->mean[IPSIM_OUTCOME_COST], a->mean[IPSIM_OUTCOME_QALYS],
                                       wtp) >
            ipsim_net_monetary_benefit(b->mean[IPSIM_OUTCOME_COST], b->mean[IPSIM_OUTCOME_QALYS],
                                       wtp))
            best = s;
    }
    return best;
}

void ipsim_comparison_print(FILE *out, const ipsim_comparison *c, const double *report_wtp,
                            int report_count)
{
    const ipsim_scenario_result *ref = &c->scenarios[0];
    /* The name columns as wide as the longest name (a sweep's are long). */
    int w = 26;
    for (int s = 0; s < c->count; s++)
        w = (int)strlen(c->scenarios[s].name) > w ? (int)strlen(c->scenarios[s].name) : w;
    fprintf(out, "Scenarios: per 100 patient-years lived (infections, serious, deaths, IVIG "
                 "grams), and %% of patients\n");
    fprintf(out, "  %-*s %9s %11s %8s %7s %13s | %7s %10s %8s\n", w, "scenario", "patients",
            "infections", "serious", "deaths", "IVIG g", "died", "inf.deaths", "on IVIG");
    for (int s = 0; s < c->count; s++) {
        const ipsim_scenario_result *r = &c->scenarios[s];
        fprintf(out, "  %-*s %9lld %11.1f %8.1f %7.2f %13.0f | %6.1f%% %9.1f%% %7.1f%%\n",
                w, r->name, (long long)r->patients, r->infections_per_100py, r->serious_per_100py,
                r->deaths_per_100py, r->ivig_grams_per_100py, r->died_pct,
                r->infection_deaths_pct, r->on_ivig_pct);
    }
    fprintf(out, "\nPer patient over the follow-up, mean (standard error%s); costs and effects "
                 "discounted\n",
            c->psa ? " over the PSA draws" : "");
    fprintf(out, "  %-*s %-20s %-18s %-18s %-18s %-18s\n", w, "scenario", "cost", "QALYs",
            "life-years", "infections", "deaths (per 100)");
    for (int s = 0; s < c->count; s++) {
        const ipsim_scenario_result *r = &c->scenarios[s];
        static const int shown[5] = {IPSIM_OUTCOME_COST, IPSIM_OUTCOME_QALYS,
                                     IPSIM_OUTCOME_LIFE_YEARS, IPSIM_OUTCOME_INFECTIONS,
                                     IPSIM_OUTCOME_DEATH};
        static const char *const formats[5] = {"%.0f (%.0f)", "%.4f (%.4f)", "%.4f (%.4f)",
                                               "%.3f (%.3f)", "%.2f (%.2f)"};
        fprintf(out, "  %-*s", w, r->name);
        for (int k = 0; k < 5; k++) {
            double scale = shown[k] == IPSIM_OUTCOME_DEATH ? 100.0 : 1.0;
            char cell[48];
            snprintf(cell, sizeof cell, formats[k], scale * r->mean[shown[k]],
                     scale * r->se[shown[k]]);
            fprintf(out, " %-*s", k == 0 ? 20 : 18, cell);
        }
        fputc('\n', out);
    }
    if (c->count > 1) {
        fprintf(out, "\nDifference from '%s', per patient (95%% interval%s)\n", ref->name,
                c->psa ? " of the PSA mean" : "");
        fprintf(out, "  %-*s %-24s %-24s %-22s %-22s %s\n", w, "scenario", "infections", "serious",
                "deaths (per 100)", "IVIG grams", "pairing");
        for (int s = 1; s < c->count; s++) {
            const ipsim_scenario_result *r = &c->scenarios[s];
            char cell[4][64];
            static const int shown[4] = {IPSIM_OUTCOME_INFECTIONS, IPSIM_OUTCOME_SERIOUS,
                                         IPSIM_OUTCOME_DEATH, IPSIM_OUTCOME_IVIG_GRAMS};
            for (int k = 0; k < 4; k++) {
                int o = shown[k];
                double scale = o == IPSIM_OUTCOME_DEATH ? 100.0 : 1.0;
                double m = r->difference[o], se = r->difference_se[o];
                snprintf(cell[k], sizeof cell[k], "%+.3g (%+.3g, %+.3g)", scale * m,
                         scale * (m - IPSIM_Z95 * se), scale * (m + IPSIM_Z95 * se));
            }
            char pairing[128];
            const double *se = r->difference_se, *ind = r->difference_se_independent;
            if (r->paired && se[IPSIM_OUTCOME_INFECTIONS] > 0 && se[IPSIM_OUTCOME_COST] > 0 &&
                se[IPSIM_OUTCOME_QALYS] > 0)
                snprintf(pairing, sizeof pairing,
                         "paired by %s (SE %.1fx smaller; cost %.1fx, QALYs %.1fx)",
                         c->psa ? "draw" : "patient",
                         ind[IPSIM_OUTCOME_INFECTIONS] / se[IPSIM_OUTCOME_INFECTIONS],
                         ind[IPSIM_OUTCOME_COST] / se[IPSIM_OUTCOME_COST],
                         ind[IPSIM_OUTCOME_QALYS] / se[IPSIM_OUTCOME_QALYS]);
            else
                snprintf(pairing, sizeof pairing, "%s", r->paired ? "paired" : "independent");
            fprintf(out, "  %-*s %-24s %-24s %-22s %-22s %s\n", w, r->name, cell[0], cell[1],
                    cell[2], cell[3], pairing);
        }
        fprintf(out, "  (Paired: the scenarios share their %s, so common random numbers; the "
                     "SE ratio is against independent %s.)\n",
                c->psa ? "parameter draws and patients" : "seed and cohort",
                c->psa ? "draws" : "cohorts");
    }

    fprintf(out, "\nCost-effectiveness per patient (%s, %lld prices; discounted)%s\n",
            c->currency, (long long)c->price_year,
            c->psa ? ", probabilistic: means over the PSA draws" : "");
    fprintf(out, "  %-*s %10s %8s %-25s %-21s %-*s %10s %8s %10s\n", w, "scenario", "cost",
            "QALYs", c->psa ? "95% interval (cost; QALYs)" : "", "status", w, "compared with",
            "d cost", "d QALYs", "ICER");
    for (int s = 0; s < c->count; s++) {
        const ipsim_scenario_result *r = &c->scenarios[s];
        const ipsim_incremental *inc = &r->incremental;
        char against[IPSIM_NAME_MAX] = "-", dc[24] = "-", de[24] = "-", icer[24] = "-",
             interval[64] = "";
        if (inc->compared_to >= 0) {
            snprintf(against, sizeof against, "%s", c->scenarios[inc->compared_to].name);
            snprintf(dc, sizeof dc, "%+.0f", inc->d_cost);
            snprintf(de, sizeof de, "%+.4f", inc->d_effect);
            snprintf(icer, sizeof icer, "%.0f", inc->icer);
        }
        if (c->psa)
            snprintf(interval, sizeof interval, "%.0f-%.0f; %.3f-%.3f", r->cost_interval[0],
                     r->cost_interval[1], r->qalys_interval[0], r->qalys_interval[1]);
        fprintf(out, "  %-*s %10.0f %8.4f %-25s %-21s %-*s %10s %8s %10s\n", w, r->name,
                r->mean[IPSIM_OUTCOME_COST], r->mean[IPSIM_OUTCOME_QALYS], interval,
                ipsim_dominance_names[inc->status], w, against, dc, de, icer);
    }

    if (report_count > 0) {
        fprintf(out, "\nNet monetary benefit per patient (%s) by willingness to pay per QALY%s\n",
                c->currency, c->psa ? "; P(cost-effective) is the acceptability curve" : "");
        fprintf(out, "  %-*s", w, "scenario");
        for (int k = 0; k < report_count; k++)
            fprintf(out, c->psa ? " %12.0f  P(c-e)" : " %12.0f", report_wtp[k]);
        fputc('\n', out);
        for (int s = 0; s < c->count; s++) {
            const ipsim_scenario_result *r = &c->scenarios[s];
            fprintf(out, "  %-*s", w, r->name);
            for (int k = 0; k < report_count; k++) {
                fprintf(out, " %12.0f",
                        ipsim_net_monetary_benefit(r->mean[IPSIM_OUTCOME_COST],
                                                   r->mean[IPSIM_OUTCOME_QALYS], report_wtp[k]));
                if (c->psa)
                    fprintf(out, "  %5.1f%%", 100 * ipsim_comparison_acceptability_at(c, report_wtp[k], s, NULL));
            }
            fputc('\n', out);
        }
        for (int k = 0; k < report_count; k++) {
            fprintf(out, "  At %.0f per QALY the highest expected net benefit is '%s'",
                    report_wtp[k], c->scenarios[ipsim_comparison_best_at(c, report_wtp[k])].name);
            if (c->psa) {
                double evpi;
                ipsim_comparison_acceptability_at(c, report_wtp[k], 0, &evpi);
                fprintf(out, "; EVPI %.0f per patient", evpi);
            }
            fputs(".\n", out);
        }
        if (c->psa)
            fprintf(out, "  (%lld PSA draws of %d uncertain values; P(c-e) and EVPI are "
                         "computed from the draws at each value.)\n",
                    (long long)c->replicates, c->parameters);
    }
    if (c->subgroups && c->count > 1)
        ipsim_subgroups_print(out, c->subgroups, report_wtp, report_count, c->currency);
}

/* ---- CSV ------------------------------------------------------------------------------- */

int ipsim_comparison_write_h5(const ipsim_comparison *c, ipsim_h5_writer *w, ipsim_error *err)
{
    const int S = c->count;
    const char **names = malloc((size_t)S * sizeof *names);
    const char **status = malloc((size_t)S * sizeof *status);
    const char **against = malloc((size_t)S * sizeof *against);
    double *table = malloc((size_t)S * IPSIM_OUTCOMES * 3 * sizeof *table);
    double *column = malloc((size_t)S * 3 * sizeof *column);
    int rc = names && status && against && table && column
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the comparison tables");
    for (int s = 0; !rc && s < S; s++) {
        const ipsim_incremental *inc = &c->scenarios[s].incremental;
        names[s] = c->scenarios[s].name;
        status[s] = ipsim_dominance_names[inc->status];
        against[s] = inc->compared_to >= 0 ? c->scenarios[inc->compared_to].name : "";
    }
    const ipsim_h5_axis scenario = {"scenario", S, names, NULL, "scenario of the study", NULL};
    const ipsim_h5_axis outcome = {"outcome", IPSIM_OUTCOMES, ipsim_outcome_keys, NULL,
                                   "outcome per patient over the follow-up (costs and effects "
                                   "discounted)",
                                   NULL};
    const ipsim_h5_axis wtp = {"wtp", c->wtp_count, NULL, c->wtp,
                               "willingness to pay per QALY", c->currency};
    const ipsim_h5_axis so[2] = {scenario, outcome}, ws[2] = {wtp, scenario};
    const struct {
        const char *name, *long_name;
        size_t offset; /* of the [IPSIM_OUTCOMES] array in ipsim_scenario_result */
    } per_outcome[] = {
        {"mean", "mean per patient", offsetof(ipsim_scenario_result, mean)},
        {"se", "its standard error", offsetof(ipsim_scenario_result, se)},
        {"difference", "difference from the first scenario",
         offsetof(ipsim_scenario_result, difference)},
        {"difference_se", "its standard error (paired)",
         offsetof(ipsim_scenario_result, difference_se)},
        {"difference_se_independent", "its standard error had the cohorts been independent",
         offsetof(ipsim_scenario_result, difference_se_independent)},
    };
    for (size_t k = 0; !rc && k < sizeof per_outcome / sizeof per_outcome[0]; k++) {
        for (int s = 0; s < S; s++)
            memcpy(table + (size_t)s * IPSIM_OUTCOMES,
                   (const char *)&c->scenarios[s] + per_outcome[k].offset,
                   IPSIM_OUTCOMES * sizeof *table);
        rc = ipsim_h5_writer_write_table(w, "comparison", per_outcome[k].name, 2, so, table,
                                         per_outcome[k].long_name, NULL, err);
    }
    if (!rc)
        rc = ipsim_h5_writer_write_strings(w, "comparison", "status", &scenario, status,
                                           "frontier, dominated or extendedly dominated", err);
    if (!rc)
        rc = ipsim_h5_writer_write_strings(w, "comparison", "compared_with", &scenario, against,
                                           "the next cheaper option on the frontier", err);
    const struct {
        const char *name, *long_name, *units;
        size_t offset;
    } incremental[] = {
        {"incremental_cost", "discounted cost minus that of compared_with", c->currency,
         offsetof(ipsim_incremental, d_cost)},
        {"incremental_qalys", "discounted QALYs minus those of compared_with", "QALY",
         offsetof(ipsim_incremental, d_effect)},
        {"icer", "incremental cost per QALY gained against compared_with", c->currency,
         offsetof(ipsim_incremental, icer)},
    };
    for (size_t k = 0; !rc && k < sizeof incremental / sizeof incremental[0]; k++) {
        for (int s = 0; s < S; s++)
            memcpy(&column[s],
                   (const char *)&c->scenarios[s].incremental + incremental[k].offset,
                   sizeof *column);
        rc = ipsim_h5_writer_write_table(w, "comparison", incremental[k].name, 1, &scenario,
                                         column, incremental[k].long_name, incremental[k].units,
                                         err);
    }
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "comparison", "nmb", 2, ws, c->nmb,
                                         "expected net monetary benefit per patient",
                                         c->currency, err);
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "comparison", "nhb", 2, ws, c->nhb,
                                         "expected net health benefit per patient (NaN at 0)",
                                         "QALY", err);
    if (!rc && c->psa) {
        const ipsim_h5_axis replicate = {"replicate", c->replicates, NULL, NULL,
                                         "PSA draw (replicate)", NULL};
        const ipsim_h5_axis rs[2] = {replicate, scenario};
        double *best = malloc((size_t)c->wtp_count * sizeof *best);
        rc = best ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the CEAF");
        for (int k = 0; !rc && k < c->wtp_count; k++)
            best[k] = c->best[k];
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "cost", 2, rs, c->replicate_cost,
                                             "discounted cost per patient in each draw",
                                             c->currency, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "qalys", 2, rs, c->replicate_qalys,
                                             "discounted QALYs per patient in each draw", "QALY",
                                             err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "ceac", 2, ws, c->ceac,
                                             "probability of the highest net monetary benefit "
                                             "(acceptability curve)",
                                             NULL, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "incremental_ceac", 2, ws,
                                             c->incremental_ceac,
                                             "probability of a higher net monetary benefit than "
                                             "the next cheaper frontier option (compared_with); "
                                             "NaN off the frontier",
                                             NULL, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "expected_loss", 2, ws, c->expected_loss,
                                             "expected net monetary benefit forgone by choosing "
                                             "this option, per patient",
                                             c->currency, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "evpi", 1, &wtp, c->evpi,
                                             "expected value of perfect information per patient",
                                             c->currency, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "ceaf", 1, &wtp, c->ceaf,
                                             "acceptability of the option with the highest "
                                             "expected net benefit (frontier)",
                                             NULL, err);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "psa", "best", 1, &wtp, best,
                                             "index in scenario of the option with the highest "
                                             "expected net benefit",
                                             NULL, err);
        free(best);
    }
    free(names);
    free(status);
    free(against);
    free(table);
    free(column);
    return rc;
}
