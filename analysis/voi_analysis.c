/* analysis/voi_analysis.c: EVPI, EVPPI and EVSI of a study's PSA. */
#define _POSIX_C_SOURCE 200809L
#include "analysis/voi_analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/evsi.h"
#include "base/rng.h"
#include "output/csv.h"
#include "params/psa.h"
#include "params/schema.h"

/* ---- resolving keys to drawn values ---------------------------------------------- */

/* The parameter key (schema path) of drawn value i. */
static const char *key_of(const ipsim_params *p, int i)
{
    int k;
    const ipsim_uncertain *u = ipsim_psa_entry(p, i, &k);
    return ipsim_param_specs[u->spec].path;
}

/* Appends to columns[] (room for every drawn value) the drawn values `key`
 * names: its whole name, or its parameter key (all its drawn entries).
 * Returns how many. */
static int match(const ipsim_comparison *c, const ipsim_params *p, const char *key,
                 int *columns, int have)
{
    int found = 0;
    for (int i = 0; i < c->parameters; i++)
        if (strcmp(c->parameter_names[i], key) == 0 || strcmp(key_of(p, i), key) == 0) {
            bool dup = false;
            for (int j = 0; j < have + found; j++)
                dup |= columns[j] == i;
            if (!dup)
                columns[have + found++] = i;
        }
    return found;
}

static int unknown_key(const ipsim_comparison *c, const char *key, const char *what,
                       const ipsim_voi_plan *plan, long line, ipsim_error *err)
{
    char drawn[IPSIM_MESSAGE_MAX / 2] = "";
    size_t used = 0;
    for (int i = 0; i < c->parameters && used + 40 < sizeof drawn; i++)
        used += (size_t)snprintf(drawn + used, sizeof drawn - used, "%s%s", i ? ", " : "",
                                 c->parameter_names[i]);
    if (used + 40 >= sizeof drawn)
        snprintf(drawn + used, sizeof drawn - used, ", ...");
    IPSIM_FAIL(err, IPSIM_EPARAM, "%s '%s' is not a parameter drawn in the PSA; drawn: %s", what,
               key, drawn);
    ipsim_error_locate(err, plan->source, line, 0, key);
    return IPSIM_EPARAM;
}

/* A group's columns[*count]; of a share vector given whole (its values sum
 * to the same in every draw) the last is dropped, as it adds nothing. */
static int group_columns(const ipsim_comparison *c, const ipsim_params *p,
                         const ipsim_voi_group *g, const ipsim_voi_plan *plan, int *columns,
                         int *count_out, ipsim_error *err)
{
    int count = 0;
    for (int k = 0; k < g->keys; k++) {
        const int first = count;
        const int found = match(c, p, g->key[k], columns, count);
        if (found == 0)
            return unknown_key(c, g->key[k], "key", plan, g->line, err);
        count += found;
        if (found < 2)
            continue;
        bool constant = true;
        double sum0 = 0;
        for (int j = first; j < count; j++)
            sum0 += c->draws[columns[j]];
        for (int64_t r = 1; constant && r < c->replicates; r++) {
            double sum = 0;
            for (int j = first; j < count; j++)
                sum += c->draws[r * c->parameters + columns[j]];
            constant = fabs(sum - sum0) <= 1e-9 * fmax(1, fabs(sum0));
        }
        if (constant)
            count--;
    }
    *count_out = count;
    return IPSIM_OK;
}

/* ---- one regression --------------------------------------------------------------- */

/* The value of the information in inputs x, [datasets][draws][d]: one
 * set (EVPPI), or the results of several simulated studies (EVSI), whose
 * values are averaged, as are their bootstrap resamples, resample by
 * resample (each fit draws the same resamples), so that the SE is that of
 * the average. */
static int evaluate(ipsim_voi_analysis *a, ipsim_voi_result *out, const ipsim_psa_outcomes *o,
                    const double *x, int d, int datasets, const char *label, ipsim_error *err)
{
    const ipsim_comparison *c = a->comparison;
    const int K = a->report_count, B = a->bootstrap;
    const size_t cells = (size_t)B * (size_t)K + 1;
    out->value = calloc((size_t)c->wtp_count, sizeof *out->value);
    double *resampled = calloc(cells, sizeof *resampled), *values = malloc(cells * sizeof *values);
    int rc = out->value && resampled && values
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for the value of information");
    bool capped = false;
    out->r_squared_min = 1;
    out->r_squared_max = 0;
    for (int k = 0; k < K; k++)
        out->report[k] = 0;
    for (int j = 0; !rc && j < datasets; j++) {
        ipsim_voi_fit fit;
        rc = ipsim_voi_fit_create(&fit, o, x + (size_t)j * (size_t)o->draws * (size_t)d, d, err);
        if (rc)
            break;
        for (int w = 0; !rc && w < c->wtp_count; w++) {
            double v;
            bool cap;
            rc = ipsim_voi_value(&fit, c->wtp[w], &v, &cap, err);
            out->value[w] += v / datasets;
            capped |= cap;
        }
        for (int k = 0; !rc && k < K; k++) {
            double v;
            bool cap;
            rc = ipsim_voi_value(&fit, a->report_wtp[k], &v, &cap, err);
            out->report[k] += v / datasets;
            capped |= cap;
        }
        if (!rc)
            rc = ipsim_voi_resample(&fit, a->report_wtp, K, B, a->seed, ipsim_rng_name_hash(label),
                                    values, NULL, err);
        for (size_t i = 0; !rc && i + 1 < cells; i++)
            resampled[i] += values[i] / datasets;
        for (int k = 0; k < 2 * (o->options - 1); k++) {
            out->r_squared_min = fmin(out->r_squared_min, fit.fits[k].r_squared);
            out->r_squared_max = fmax(out->r_squared_max, fit.fits[k].r_squared);
        }
        if (j == 0) {
            ipsim_metamodel_describe(fit.model, out->basis, sizeof out->basis);
            ipsim_voi_fit_warnings(&fit, out->warnings, sizeof out->warnings);
        }
        ipsim_voi_fit_free(&fit);
    }
    if (!rc)
        ipsim_voi_spread(resampled, B, K, out->report_se);
    if (!rc && capped) {
        size_t used = strlen(out->warnings);
        snprintf(out->warnings + used, sizeof out->warnings - used, "%s%s", used ? "; " : "",
                 "the estimate exceeded the EVPI somewhere and was capped at it: the fit "
                 "follows noise");
    }
    free(resampled);
    free(values);
    return rc;
}

/* ---- the analysis ------------------------------------------------------------------ */

void ipsim_voi_analysis_free(ipsim_voi_analysis *a)
{
    for (int g = 0; a->group && g < a->groups; g++)
        free(a->group[g].value);
    free(a->group);
    for (int s = 0; a->study && s < a->studies; s++) {
        for (int n = 0; a->study[s].size && n < a->study[s].study.sizes; n++)
            free(a->study[s].size[n].value);
        free(a->study[s].size);
    }
    free(a->study);
    memset(a, 0, sizeof *a);
}

/* Every drawn parameter key as its own group, in the file's order:
 * groups[*count] (at most IPSIM_VOI_GROUPS_MAX), to be freed. */
static int default_groups(const ipsim_comparison *c, const ipsim_params *p,
                          ipsim_voi_group **groups, int *count, ipsim_error *err)
{
    *count = 0;
    *groups = calloc(IPSIM_VOI_GROUPS_MAX, sizeof **groups);
    if (!*groups)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for EVPPI");
    for (int i = 0; i < c->parameters && *count < IPSIM_VOI_GROUPS_MAX; i++) {
        const char *key = key_of(p, i);
        if (*count > 0 && strcmp((*groups)[*count - 1].key[0], key) == 0)
            continue;
        ipsim_voi_group *g = &(*groups)[(*count)++];
        snprintf(g->name, sizeof g->name, "%s", key);
        snprintf(g->key[0], sizeof g->key[0], "%s", key);
        g->keys = 1;
    }
    return IPSIM_OK;
}

/* EVPPI of groups[count] (from the plan, whose source locates errors). */
static int run_groups(ipsim_voi_analysis *a, const ipsim_params *p, const ipsim_voi_group *groups,
                      int count, const ipsim_voi_plan *plan, const ipsim_psa_outcomes *o,
                      ipsim_error *err)
{
    const ipsim_comparison *c = a->comparison;
    a->groups = count;
    a->group = calloc((size_t)(count ? count : 1), sizeof *a->group);
    int *columns = malloc((size_t)(c->parameters + 1) * sizeof *columns);
    double *x = malloc((size_t)c->replicates * (size_t)(c->parameters + 1) * sizeof *x);
    int rc = a->group && columns && x ? IPSIM_OK
                                      : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for EVPPI");
    for (int g = 0; !rc && g < count; g++) {
        ipsim_voi_result *out = &a->group[g];
        snprintf(out->name, sizeof out->name, "%s", groups[g].name);
        int d;
        rc = group_columns(c, p, &groups[g], plan, columns, &d, err);
        if (rc)
            break;
        out->inputs = d;
        size_t used = 0;
        for (int j = 0; j < d && used < sizeof out->input_names; j++)
            used += (size_t)snprintf(out->input_names + used, sizeof out->input_names - used,
                                     "%s%s", j ? ", " : "", c->parameter_names[columns[j]]);
        for (int64_t r = 0; r < c->replicates; r++)
            for (int j = 0; j < d; j++)
                x[r * d + j] = c->draws[r * c->parameters + columns[j]];
        char label[sizeof out->name + 8];
        snprintf(label, sizeof label, "evppi.%s", out->name);
        rc = evaluate(a, out, o, x, d, 1, label, err);
        if (rc)
            ipsim_error_prefix(err, "EVPPI of group '%s': ", out->name);
    }
    free(columns);
    free(x);
    return rc;
}

static int run_study(ipsim_voi_analysis *a, const ipsim_params *p, const ipsim_voi_plan *plan,
                     int index, const ipsim_psa_outcomes *o, ipsim_error *err)
{
    const ipsim_comparison *c = a->comparison;
    ipsim_voi_study_result *out = &a->study[index];
    out->study = plan->study[index];
    const ipsim_voi_study *s = &out->study;
    int *columns = malloc((size_t)c->parameters * sizeof *columns);
    if (!columns)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for EVSI");
    const int found = match(c, p, s->parameter, columns, 0), column = columns[0];
    free(columns);
    if (found == 0)
        return unknown_key(c, s->parameter, "the study's parameter", plan,
                           plan->study_line[index], err);
    if (found > 1) {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "study '%s': '%s' names %d drawn values; a study measures one (name it "
                   "whole, e.g. '%s')",
                   s->name, s->parameter, found, c->parameter_names[column]);
        ipsim_error_locate(err, plan->source, plan->study_line[index], 0, s->parameter);
        return IPSIM_EPARAM;
    }
    out->size = calloc((size_t)s->sizes, sizeof *out->size);
    double *theta = malloc((size_t)c->replicates * sizeof *theta);
    double *result = malloc(IPSIM_EVSI_DATASETS * (size_t)c->replicates * sizeof *result);
    int rc = out->size && theta && result ? IPSIM_OK
                                          : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for EVSI");
    for (int64_t r = 0; !rc && r < c->replicates; r++)
        theta[r] = c->draws[r * c->parameters + column];
    for (int n = 0; !rc && n < s->sizes; n++) {
        ipsim_voi_result *v = &out->size[n];
        snprintf(v->name, sizeof v->name, "%s.n=%lld", s->name, (long long)s->n[n]);
        snprintf(v->input_names, sizeof v->input_names, "%s", s->parameter);
        v->inputs = 1;
        for (int j = 0; !rc && j < IPSIM_EVSI_DATASETS; j++)
            rc = ipsim_evsi_simulate(s, theta, c->replicates, s->n[n], j, a->seed,
                                     result + (size_t)j * (size_t)c->replicates, err);
        if (!rc)
            rc = evaluate(a, v, o, result, 1, IPSIM_EVSI_DATASETS, v->name, err);
        if (rc)
            ipsim_error_prefix(err, "EVSI of study '%s' at n = %lld: ", s->name,
                               (long long)s->n[n]);
        for (int k = 0; !rc && k < a->report_count; k++)
            out->gain[n][k] = a->population * v->report[k] - ipsim_evsi_cost(s, s->n[n]);
    }
    for (int k = 0; !rc && k < a->report_count; k++) {
        out->best[k] = -1;
        for (int n = 0; n < s->sizes; n++)
            if (out->gain[n][k] > 0 && (out->best[k] < 0 || out->gain[n][k] > out->gain[out->best[k]][k]))
                out->best[k] = n;
    }
    free(theta);
    free(result);
    return rc;
}

int ipsim_voi_analysis_run(ipsim_voi_analysis *a, const ipsim_comparison *c,
                           const ipsim_params *p, const ipsim_voi_plan *plan,
                           const double *report_wtp, int report_count, ipsim_error *err)
{
    memset(a, 0, sizeof *a);
    if (!c->psa || c->count < 2)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "the value of information needs a PSA of two options or more: a "
                          "study with psa.sample true, distributions, and two scenarios or more");
    snprintf(a->source, sizeof a->source, "%s", c->scenarios[0].source);
    snprintf(a->currency, sizeof a->currency, "%s", c->currency);
    a->comparison = c;
    a->draws = c->replicates;
    a->options = c->count;
    a->bootstrap = plan->bootstrap;
    a->seed = p->seed;
    a->report_count = plan->wtp_count ? plan->wtp_count : report_count;
    memcpy(a->report_wtp, plan->wtp_count ? plan->wtp : report_wtp,
           (size_t)a->report_count * sizeof *a->report_wtp);
    a->per_year = plan->population_set ? plan->population_per_year : p->decision.population_per_year;
    a->horizon_years = plan->population_set ? plan->horizon_years : p->decision.horizon_years;
    a->discount_rate = plan->population_set ? plan->discount_rate : p->decision.discount_rate;
    a->population = ipsim_voi_population(a->per_year, a->horizon_years, a->discount_rate);

    const ipsim_psa_outcomes o = {c->replicates, c->count, c->replicate_cost, c->replicate_qalys};
    for (int k = 0; k < a->report_count; k++)
        a->evpi_report[k] = ipsim_voi_evpi(&o, a->report_wtp[k]);

    int rc = IPSIM_OK;
    if (plan->groups > 0) {
        rc = run_groups(a, p, plan->group, plan->groups, plan, &o, err);
    } else if (plan->studies == 0) {
        ipsim_voi_group *groups;
        int count;
        rc = default_groups(c, p, &groups, &count, err);
        if (!rc)
            rc = run_groups(a, p, groups, count, plan, &o, err);
        free(groups);
    }
    if (!rc && plan->studies > 0) {
        a->study = calloc((size_t)plan->studies, sizeof *a->study);
        rc = a->study ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for EVSI");
        for (int s = 0; !rc && s < plan->studies; s++) {
            a->studies = s + 1;
            rc = run_study(a, p, plan, s, &o, err);
        }
    }
    if (!rc && a->report_count > 0)
        rc = ipsim_voi_evpi_bootstrap(&o, a->report_wtp, a->report_count, a->bootstrap, a->seed,
                                      ipsim_rng_name_hash("evpi"), a->evpi_report_se, err);
    if (rc)
        ipsim_voi_analysis_free(a);
    return rc;
}

/* ---- printing ---------------------------------------------------------------------- */

static void print_row(FILE *out, const char *label, double value, double se, double population,
                      double evpi)
{
    fprintf(out, "  %-44s %12.2f %10.2f %16.0f %8.1f%%\n", label, value, se,
            value * population, evpi > 0 ? 100 * value / evpi : 0);
}

static void print_metamodel(FILE *out, const ipsim_voi_result *v)
{
    fprintf(out, "  %s: %s on %s; R^2 %.3f-%.3f\n", v->name, v->basis, v->input_names,
            v->r_squared_min, v->r_squared_max);
    if (v->warnings[0])
        fprintf(out, "    warning: %s\n", v->warnings);
}

void ipsim_voi_analysis_print(FILE *out, const ipsim_voi_analysis *a)
{
    fprintf(out,
            "\nValue of information (%s; per patient over the model's follow-up, discounted),\n"
            "from %lld PSA draws of %d options, bootstrap SEs from %d resamples.\n"
            "Population: %.0f patients a year over %g years, discounted at %.1f%% a year = %.0f "
            "patients.\n",
            a->currency, (long long)a->draws, a->options, a->bootstrap, a->per_year,
            a->horizon_years, 100 * a->discount_rate, a->population);
    for (int k = 0; k < a->report_count; k++) {
        const double evpi = a->evpi_report[k];
        fprintf(out, "\nAt %.0f %s per QALY:\n", a->report_wtp[k], a->currency);
        fprintf(out, "  %-44s %12s %10s %16s %9s\n", "", "per patient", "SE", "population",
                "of EVPI");
        print_row(out, "EVPI (all parameters)", evpi, a->evpi_report_se[k], a->population, evpi);
        for (int g = 0; g < a->groups; g++) {
            char label[sizeof a->group[g].name + 8];
            snprintf(label, sizeof label, "EVPPI %s", a->group[g].name);
            print_row(out, label, a->group[g].report[k], a->group[g].report_se[k],
                      a->population, evpi);
        }
        for (int s = 0; s < a->studies; s++) {
            const ipsim_voi_study_result *r = &a->study[s];
            fprintf(out, "  EVSI of study '%s' (%s, measuring %s):\n", r->study.name,
                    ipsim_voi_design_names[r->study.design], r->study.parameter);
            fprintf(out, "    %10s %12s %10s %16s %14s %14s\n", "n per arm", "per patient", "SE",
                    "population", "study cost", "net gain");
            for (int n = 0; n < r->study.sizes; n++) {
                const ipsim_voi_result *v = &r->size[n];
                fprintf(out, "    %10lld %12.2f %10.2f %16.0f %14.0f %14.0f\n",
                        (long long)r->study.n[n], v->report[k], v->report_se[k],
                        v->report[k] * a->population, ipsim_evsi_cost(&r->study, r->study.n[n]),
                        r->gain[n][k]);
            }
            if (r->best[k] >= 0)
                fprintf(out, "    best size: n = %lld per arm (expected net gain %.0f)\n",
                        (long long)r->study.n[r->best[k]], r->gain[r->best[k]][k]);
            else
                fprintf(out, "    no size gains: the study costs more than its information "
                             "is worth\n");
        }
    }
    if (a->groups + a->studies > 0)
        fprintf(out, "\nMetamodels (R^2: the share of the variance across draws of each option's "
                     "cost and QALY increments that the fit explains, lowest to highest):\n");
    for (int g = 0; g < a->groups; g++)
        print_metamodel(out, &a->group[g]);
    for (int s = 0; s < a->studies; s++)
        for (int n = 0; n < a->study[s].study.sizes; n++)
            print_metamodel(out, &a->study[s].size[n]);
}

/* ---- CSV --------------------------------------------------------------------------- */

static void csv_result(FILE *f, const ipsim_voi_analysis *a, const char *quantity,
                       const ipsim_voi_result *v, int k, double n, double cost, double gain)
{
    fprintf(f, "%s", quantity);
    ipsim_csv_text_quoted(f, true, v ? v->name : "evpi");
    ipsim_csv_text_quoted(f, true, v ? v->input_names : "");
    ipsim_csv_number(f, n);
    ipsim_csv_number(f, a->report_wtp[k]);
    const double value = v ? v->report[k] : a->evpi_report[k];
    ipsim_csv_number(f, value);
    ipsim_csv_number(f, v ? v->report_se[k] : a->evpi_report_se[k]);
    ipsim_csv_number(f, value * a->population);
    ipsim_csv_number(f, cost);
    ipsim_csv_number(f, gain);
    ipsim_csv_text_quoted(f, true, v ? v->basis : "");
    ipsim_csv_number(f, v ? v->r_squared_min : NAN);
    ipsim_csv_number(f, v ? v->r_squared_max : NAN);
    ipsim_csv_text_quoted(f, true, v ? v->warnings : "");
    fputc('\n', f);
}

int ipsim_voi_analysis_csv(const ipsim_voi_analysis *a, ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "voi.csv", err);
    if (rc)
        return rc;
    fprintf(f, "quantity,name,parameters,n,wtp,per_patient,se,population,study_cost,net_gain,"
               "metamodel,r_squared_min,r_squared_max,warnings\n");
    for (int k = 0; k < a->report_count; k++) {
        csv_result(f, a, "evpi", NULL, k, NAN, NAN, NAN);
        for (int g = 0; g < a->groups; g++)
            csv_result(f, a, "evppi", &a->group[g], k, NAN, NAN, NAN);
        for (int s = 0; s < a->studies; s++)
            for (int n = 0; n < a->study[s].study.sizes; n++)
                csv_result(f, a, "evsi", &a->study[s].size[n], k, (double)a->study[s].study.n[n],
                           ipsim_evsi_cost(&a->study[s].study, a->study[s].study.n[n]),
                           a->study[s].gain[n][k]);
    }
    rc = ipsim_csv_set_add(set, "voi.csv", &text, &size, f, err);
    if (rc)
        return rc;

    if (ipsim_csv_open(&f, &text, &size, "voi_wtp.csv", err))
        return IPSIM_ENOMEM;
    const ipsim_comparison *c = a->comparison;
    fprintf(f, "wtp,evpi");
    for (int g = 0; g < a->groups; g++)
        ipsim_csv_textf(f, true, "evppi_%s", a->group[g].name);
    for (int s = 0; s < a->studies; s++)
        for (int n = 0; n < a->study[s].study.sizes; n++)
            ipsim_csv_textf(f, true, "evsi_%s_n%lld", a->study[s].study.name,
                            (long long)a->study[s].study.n[n]);
    fputc('\n', f);
    for (int w = 0; w < c->wtp_count; w++) {
        fprintf(f, "%.10g", c->wtp[w]);
        ipsim_csv_number(f, c->evpi[w]);
        for (int g = 0; g < a->groups; g++)
            ipsim_csv_number(f, a->group[g].value[w]);
        for (int s = 0; s < a->studies; s++)
            for (int n = 0; n < a->study[s].study.sizes; n++)
                ipsim_csv_number(f, a->study[s].size[n].value[w]);
        fputc('\n', f);
    }
    return ipsim_csv_set_add(set, "voi_wtp.csv", &text, &size, f, err);
}

/* ---- HDF5 -------------------------------------------------------------------------- */

/* Each design row's study, as the plan gave it, so that the EVSI can be
 * re-derived from the file: table has room for 6 E values. */
static int write_designs(const ipsim_voi_analysis *a, ipsim_h5_writer *w, const ipsim_h5_axis *row,
                         int E, double *table, ipsim_error *err)
{
    const char **text = calloc(2 * (size_t)E + 1, sizeof *text);
    if (!text)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for /voi");
    for (int s = 0, i = 0; s < a->studies; s++)
        for (int n = 0; n < a->study[s].study.sizes; n++, i++) {
            const ipsim_voi_study *st = &a->study[s].study;
            text[i] = st->name;
            text[E + i] = ipsim_voi_design_names[st->design];
            table[i] = st->arms;
            table[E + i] = st->design == IPSIM_VOI_NORMAL ? st->sd : NAN;
            table[2 * E + i] = st->design == IPSIM_VOI_RATE_RATIO ? st->control_rate : NAN;
            table[3 * E + i] = st->design == IPSIM_VOI_RATE_RATIO ? st->follow_up_years : NAN;
            table[4 * E + i] = st->cost_per_person;
            table[5 * E + i] = st->fixed_cost;
        }
    int rc = ipsim_h5_writer_write_strings(w, "voi", "study", row, text, "the proposed study",
                                           err);
    if (!rc)
        rc = ipsim_h5_writer_write_strings(w, "voi", "study_design", row, text + E,
                                           "its design: normal, binomial or rate_ratio "
                                           "(analysis/evsi.h)",
                                           err);
    static const struct {
        const char *name, *long_name;
        bool money;
    } columns[6] = {
        {"study_arms", "persons recruited per unit of sample_size", false},
        {"study_sd", "normal design: one observation's SD (NaN for other designs)", false},
        {"study_control_rate",
         "rate_ratio design: events per person-year without the intervention (NaN otherwise)",
         false},
        {"study_follow_up_years", "rate_ratio design: follow-up per person (NaN otherwise)",
         false},
        {"study_cost_per_person", "the study's cost per person", true},
        {"study_fixed_cost", "the study's fixed cost", true}};
    for (int k = 0; !rc && k < 6; k++)
        rc = ipsim_h5_writer_write_table(w, "voi", columns[k].name, 1, row, table + k * E,
                                         columns[k].long_name,
                                         columns[k].money ? a->currency : NULL, err);
    free(text);
    return rc;
}

int ipsim_voi_analysis_write_h5(const ipsim_voi_analysis *a, ipsim_h5_writer *w,
                                ipsim_error *err)
{
    const ipsim_comparison *c = a->comparison;
    const int G = a->groups, W = c->wtp_count, K = a->report_count;
    int E = 0;
    for (int s = 0; s < a->studies; s++)
        E += a->study[s].study.sizes;
    const ipsim_h5_axis wtp = {"wtp", W, NULL, c->wtp, "willingness to pay per QALY",
                               c->currency};
    const ipsim_h5_axis report = {"report_wtp", K, NULL, a->report_wtp,
                                  "willingness to pay per QALY (reported, with SEs)", c->currency};
    const int rows = (G > E ? G : E) + 1;
    const char **names = calloc((size_t)rows * 4, sizeof *names);
    double *table = malloc((size_t)rows * (size_t)(W > K ? W : K) * 6 * sizeof *table);
    int rc = names && table ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for /voi");
    const char **inputs = names + rows, **bases = names + 2 * rows, **notes = names + 3 * rows;
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "voi", "evpi", 1, &wtp, c->evpi,
                                         "expected value of perfect information per patient",
                                         c->currency, err);
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "voi", "evpi_report", 1, &report, a->evpi_report,
                                         "EVPI per patient at the reported values", c->currency,
                                         err);
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "voi", "evpi_se", 1, &report, a->evpi_report_se,
                                         "bootstrap standard error of evpi_report", c->currency,
                                         err);
    /* EVPPI by group, then EVSI by study and size: the same three tables. */
    for (int part = 0; !rc && part < 2; part++) {
        const int count = part ? E : G;
        if (count == 0)
            continue;
        const ipsim_voi_result *v[IPSIM_VOI_GROUPS_MAX + IPSIM_VOI_STUDIES_MAX *
                                                         IPSIM_VOI_SIZES_MAX];
        int at = 0;
        if (part)
            for (int s = 0; s < a->studies; s++)
                for (int n = 0; n < a->study[s].study.sizes; n++)
                    v[at++] = &a->study[s].size[n];
        else
            for (int g = 0; g < G; g++)
                v[at++] = &a->group[g];
        for (int i = 0; i < count; i++) {
            names[i] = v[i]->name;
            inputs[i] = v[i]->input_names;
            bases[i] = v[i]->basis;
            notes[i] = v[i]->warnings;
        }
        const char *axis_name = part ? "design" : "group";
        const ipsim_h5_axis row = {axis_name, count, names, NULL,
                                   part ? "proposed study and sample size" : "parameter group",
                                   NULL};
        const ipsim_h5_axis by_wtp[2] = {row, wtp}, by_report[2] = {row, report};
        const char *q = part ? "evsi" : "evppi";
        char name[32], long_name[160];
        for (int i = 0; i < count; i++)
            memcpy(table + (size_t)i * (size_t)W, v[i]->value, (size_t)W * sizeof *table);
        snprintf(long_name, sizeof long_name, "%s per patient",
                 part ? "expected value of sample information"
                      : "expected value of partial perfect information");
        rc = ipsim_h5_writer_write_table(w, "voi", q, 2, by_wtp, table, long_name, c->currency,
                                         err);
        for (int i = 0; i < count; i++)
            memcpy(table + (size_t)i * (size_t)K, v[i]->report, (size_t)K * sizeof *table);
        snprintf(name, sizeof name, "%s_report", q);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "voi", name, 2, by_report, table,
                                             "per patient at the reported values", c->currency,
                                             err);
        for (int i = 0; i < count; i++)
            memcpy(table + (size_t)i * (size_t)K, v[i]->report_se, (size_t)K * sizeof *table);
        snprintf(name, sizeof name, "%s_se", q);
        if (!rc)
            rc = ipsim_h5_writer_write_table(w, "voi", name, 2, by_report, table,
                                             "bootstrap standard error", c->currency, err);
        snprintf(name, sizeof name, "%s_parameters", q);
        if (!rc)
            rc = ipsim_h5_writer_write_strings(w, "voi", name, &row, inputs,
                                               "the PSA values regressed on", err);
        snprintf(name, sizeof name, "%s_metamodel", q);
        if (!rc)
            rc = ipsim_h5_writer_write_strings(w, "voi", name, &row, bases,
                                               "the regression basis", err);
        snprintf(name, sizeof name, "%s_warnings", q);
        if (!rc)
            rc = ipsim_h5_writer_write_strings(w, "voi", name, &row, notes,
                                               "why the fit may be poor (empty: no warning)", err);
        if (!rc && part) {
            for (int s = 0, i = 0; s < a->studies; s++)
                for (int n = 0; n < a->study[s].study.sizes; n++, i++) {
                    table[i] = (double)a->study[s].study.n[n];
                    table[E + i] = ipsim_evsi_cost(&a->study[s].study, a->study[s].study.n[n]);
                    for (int k = 0; k < K; k++)
                        table[2 * E + i * K + k] = a->study[s].gain[n][k];
                }
            rc = ipsim_h5_writer_write_table(w, "voi", "sample_size", 1, &row, table,
                                             "persons per arm", NULL, err);
            if (!rc)
                rc = ipsim_h5_writer_write_table(w, "voi", "study_cost", 1, &row, table + E,
                                                 "the study's cost", c->currency, err);
            if (!rc)
                rc = ipsim_h5_writer_write_table(w, "voi", "net_gain", 2, by_report,
                                                 table + 2 * E,
                                                 "expected net gain of sampling: population "
                                                 "EVSI minus the study's cost",
                                                 c->currency, err);
            if (!rc)
                rc = write_designs(a, w, &row, E, table, err);
        }
    }
    char text[64];
    struct {
        const char *name;
        double value;
    } attributes[] = {{"population_per_year", a->per_year},
                      {"horizon_years", a->horizon_years},
                      {"discount_rate", a->discount_rate},
                      {"population", a->population},
                      {"bootstrap", a->bootstrap},
                      {"seed", (double)a->seed},
                      {"evsi_datasets", IPSIM_EVSI_DATASETS}};
    for (size_t i = 0; !rc && i < sizeof attributes / sizeof attributes[0]; i++) {
        snprintf(text, sizeof text, "%.17g", attributes[i].value);
        rc = ipsim_h5_writer_set_attribute(w, "voi", attributes[i].name, text, err);
    }
    free(names);
    free(table);
    return rc;
}
