/* report/report_tables.c: the report's tables, each shown on the page and
 * written beside it as NAME.csv from the same cells, so what a reader sees
 * and what a script reads cannot differ: the incremental cost-effectiveness
 * table, the decision at each willingness to pay, net benefit, the value of
 * information (from /voi), the thresholds (from --dsa) and the key
 * parameters with their sources. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/incremental.h"
#include "output/csv.h"
#include "params/psa.h"
#include "params/schema.h"
#include "report/report_internal.h"

/* Every CSV a report's tables may write (report/report.c replaces an
 * earlier report only if it holds nothing else). */
static const char *const table_names[] = {
    "cea_table.csv", "decision.csv", "net_benefit.csv", "evppi.csv",
    "evsi.csv",      "thresholds.csv", "parameters.csv", "subgroup_decision.csv",
    "sweep_decision.csv", NULL};

bool ipsim_report_table_file(const char *name)
{
    for (int i = 0; table_names[i]; i++)
        if (strcmp(name, table_names[i]) == 0)
            return true;
    return false;
}

/* A table being written: HTML to the page, CSV to memory, cell by cell. */
typedef struct table {
    FILE *page, *csv;
    char *text;
    size_t size;
    const char *name;
    int columns, column;
} table;

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

/* Starts table `name` (its CSV's name) under heading `title` with a note
 * (HTML, may be NULL); columns[] pairs each column's CSV name with its
 * heading on the page. */
static int table_begin(table *t, FILE *page, const char *name, const char *title,
                       const char *note, const char *const (*columns)[2], int n,
                       ipsim_error *err)
{
    *t = (table){.page = page, .name = name, .columns = n};
    int rc = ipsim_csv_open(&t->csv, &t->text, &t->size, name, err);
    if (rc)
        return rc;
    fputs("<h3>", page);
    html_text(page, title);
    fprintf(page, " <small><a href=\"%s\">CSV</a></small></h3>\n", name);
    if (note)
        fprintf(page, "<p>%s</p>\n", note);
    fprintf(page, "<table id=\"%.*s\">\n<tr>", (int)(strlen(name) - 4), name);
    for (int i = 0; i < n; i++) {
        ipsim_csv_text(t->csv, i > 0, columns[i][0]);
        fputs("<th>", page);
        html_text(page, columns[i][1]);
        fputs("</th>", page);
    }
    fputs("</tr>\n", page);
    fputc('\n', t->csv);
    return IPSIM_OK;
}

static void cell_start(table *t)
{
    if (t->column == 0)
        fputs("<tr>", t->page);
}

static void cell_end(table *t)
{
    if (++t->column == t->columns) {
        fputs("</tr>\n", t->page);
        fputc('\n', t->csv);
        t->column = 0;
    }
}

static void cell_text(table *t, const char *s)
{
    cell_start(t);
    ipsim_csv_text(t->csv, t->column > 0, s);
    fputs("<td>", t->page);
    html_text(t->page, s);
    fputs("</td>", t->page);
    cell_end(t);
}

/* A number: in full in the CSV; on the page to `digits` significant
 * figures, whole numbers of 1,000 or more with separators, NaN as a dash;
 * digits 0: money, a whole number with separators. */
static void cell_number(table *t, double v, int digits)
{
    cell_start(t);
    if (t->column > 0)
        ipsim_csv_number(t->csv, v);
    else if (isfinite(v))
        fprintf(t->csv, "%.10g", v);
    char shown[64];
    if (!isfinite(v))
        snprintf(shown, sizeof shown, "&#8211;");
    else if (fabs(v) >= 1000 || digits == 0)
        ipsim_plot_thousands(shown, sizeof shown, v);
    else
        snprintf(shown, sizeof shown, "%.*g", digits, v);
    fprintf(t->page, "<td class=\"n\">%s</td>", shown);
    cell_end(t);
}

static int table_end(table *t, const char *dir, ipsim_error *err)
{
    fputs("</table>\n", t->page);
    return ipsim_csv_finish(dir, t->name, &t->text, &t->size, t->csv, err);
}

/* ---- cost-effectiveness ---------------------------------------------------------- */

/* The incremental analysis: each scenario's cost and QALYs, its status on
 * the efficiency frontier, and against the frontier option it is compared
 * with, the increments (with PSA, their 95% intervals over the draws) and
 * the ICER. */
static int cea_table(const ipsim_report_data *rp, FILE *page, const char *dir, double *scratch,
                     ipsim_error *err)
{
    static const char *const columns[][2] = {
        {"scenario", "Scenario"},
        {"cost", "Cost"},
        {"cost_low", "2.5%"},
        {"cost_high", "97.5%"},
        {"qalys", "QALYs"},
        {"qalys_low", "2.5%"},
        {"qalys_high", "97.5%"},
        {"status", "Status"},
        {"compared_with", "Compared with"},
        {"incremental_cost", "Incremental cost"},
        {"incremental_cost_low", "2.5%"},
        {"incremental_cost_high", "97.5%"},
        {"incremental_qalys", "Incremental QALYs"},
        {"incremental_qalys_low", "2.5%"},
        {"incremental_qalys_high", "97.5%"},
        {"icer", "ICER (per QALY)"}};
    const ipsim_comparison *c = &rp->comparison;
    char note[512];
    snprintf(note, sizeof note,
             "Discounted cost (%s) and QALYs per patient, ordered as the file holds them. "
             "Options are dominated when another costs no more and yields no less, extendedly "
             "dominated when a mix of two others would do better; each option on the efficiency "
             "frontier is compared with the next cheaper one on it. %s",
             c->currency,
             c->psa ? "Intervals: 2.5% and 97.5% points over the PSA draws (of each draw's "
                      "increment, for the increments)."
                    : "No PSA in this file: no intervals.");
    table t;
    int rc = table_begin(&t, page, "cea_table.csv", "Incremental cost-effectiveness", note,
                         columns, 16, err);
    if (rc)
        return rc;
    for (int s = 0; s < c->count; s++) {
        const ipsim_scenario_result *x = &c->scenarios[s];
        const ipsim_incremental *inc = &x->incremental;
        double ci[2] = {NAN, NAN}, qi[2] = {NAN, NAN}, ni[2];
        if (c->psa && inc->compared_to >= 0)
            ipsim_incremental_interval(c->replicate_cost, c->replicate_qalys, c->replicates,
                                       c->count, s, inc->compared_to, 0, scratch, ci, qi, ni);
        cell_text(&t, x->name);
        cell_number(&t, x->mean[IPSIM_OUTCOME_COST], 0);
        cell_number(&t, x->cost_interval[0], 0);
        cell_number(&t, x->cost_interval[1], 0);
        cell_number(&t, x->mean[IPSIM_OUTCOME_QALYS], 5);
        cell_number(&t, x->qalys_interval[0], 5);
        cell_number(&t, x->qalys_interval[1], 5);
        cell_text(&t, ipsim_dominance_names[inc->status]);
        cell_text(&t, inc->compared_to >= 0 ? c->scenarios[inc->compared_to].name : "");
        cell_number(&t, inc->d_cost, 0);
        cell_number(&t, ci[0], 0);
        cell_number(&t, ci[1], 0);
        cell_number(&t, inc->d_effect, 4);
        cell_number(&t, qi[0], 4);
        cell_number(&t, qi[1], 4);
        cell_number(&t, inc->icer, 0);
    }
    return table_end(&t, dir, err);
}

/* The frontier option of highest ICER at or under wtp: the verdict of the
 * incremental analysis, which is the option of highest expected net
 * benefit. */
static int verdict(const ipsim_comparison *c, double wtp)
{
    int best = 0;
    double best_nmb = -INFINITY;
    for (int s = 0; s < c->count; s++) {
        double nmb = ipsim_net_monetary_benefit(c->scenarios[s].mean[IPSIM_OUTCOME_COST],
                                                c->scenarios[s].mean[IPSIM_OUTCOME_QALYS], wtp);
        if (nmb > best_nmb) {
            best_nmb = nmb;
            best = s;
        }
    }
    return best;
}

/* With PSA, at wtp: each option's probability of being the best and
 * expected loss, and the EVPI; NaN without PSA. */
static void acceptability(const ipsim_comparison *c, double wtp, double *probability,
                          double *evpi, double *loss)
{
    *evpi = NAN;
    for (int s = 0; s < c->count; s++)
        probability[s] = loss[s] = NAN;
    if (c->psa)
        ipsim_acceptability(c->replicate_cost, c->replicate_qalys, c->replicates, c->count, wtp,
                            probability, evpi, loss);
}

/* At each of the report's WTP values: the option to choose, its expected net
 * benefit and, with PSA, the probability it is the best and the EVPI. */
static int decision_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                          ipsim_error *err)
{
    static const char *const columns[][2] = {{"wtp", "Willingness to pay per QALY"},
                                             {"cost_effective", "Cost-effective option"},
                                             {"nmb", "Its net monetary benefit"},
                                             {"probability_cost_effective",
                                              "Probability it is the best"},
                                             {"evpi", "EVPI per patient"}};
    const ipsim_comparison *c = &rp->comparison;
    const ipsim_report_options *o = rp->options;
    table t;
    int rc = table_begin(&t, page, "decision.csv", "Verdict at each willingness to pay",
                         "The option of highest expected net monetary benefit (equivalently, "
                         "the frontier option of highest ICER at or below the threshold); with "
                         "PSA, the share of draws in which it is the best, and the expected "
                         "value of perfect information.",
                         columns, 5, err);
    for (int w = 0; !rc && w < o->wtp_count; w++) {
        int best = verdict(c, o->wtp[w]);
        double probability[c->count], loss[c->count], evpi;
        acceptability(c, o->wtp[w], probability, &evpi, loss);
        cell_number(&t, o->wtp[w], 10);
        cell_text(&t, c->scenarios[best].name);
        cell_number(&t,
                    ipsim_net_monetary_benefit(c->scenarios[best].mean[IPSIM_OUTCOME_COST],
                                               c->scenarios[best].mean[IPSIM_OUTCOME_QALYS],
                                               o->wtp[w]),
                    0);
        cell_number(&t, probability[best], 3);
        cell_number(&t, evpi, 4);
    }
    return rc ? rc : table_end(&t, dir, err);
}

/* Each scenario's net monetary benefit at each WTP, and its increment over
 * the first, with their intervals over the draws, the probability it is
 * the best and its expected loss. */
static int net_benefit_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                             double *scratch, ipsim_error *err)
{
    static const char *const columns[][2] = {
        {"wtp", "WTP"},           {"scenario", "Scenario"},
        {"nmb", "NMB"},           {"nmb_low", "2.5%"},
        {"nmb_high", "97.5%"},    {"inmb", "Incremental NMB over the first"},
        {"inmb_low", "2.5%"},     {"inmb_high", "97.5%"},
        {"probability_best", "Probability best"},
        {"expected_loss", "Expected loss"}};
    const ipsim_comparison *c = &rp->comparison;
    const ipsim_report_options *o = rp->options;
    table t;
    int rc = table_begin(&t, page, "net_benefit.csv", "Net monetary benefit",
                         "Per patient, discounted: NMB = WTP x QALYs - cost. Intervals (PSA): "
                         "2.5% and 97.5% points over the draws; expected loss: the net benefit "
                         "forgone on average by choosing the option (its minimum is the EVPI).",
                         columns, 10, err);
    for (int w = 0; !rc && w < o->wtp_count; w++) {
        double probability[c->count], loss[c->count], evpi;
        acceptability(c, o->wtp[w], probability, &evpi, loss);
        for (int s = 0; s < c->count; s++) {
            const ipsim_scenario_result *x = &c->scenarios[s];
            double ci[2], qi[2], own[2] = {NAN, NAN}, inc[2] = {NAN, NAN};
            if (c->psa) {
                ipsim_incremental_interval(c->replicate_cost, c->replicate_qalys, c->replicates,
                                           c->count, s, -1, o->wtp[w], scratch, ci, qi, own);
                ipsim_incremental_interval(c->replicate_cost, c->replicate_qalys, c->replicates,
                                           c->count, s, 0, o->wtp[w], scratch, ci, qi, inc);
            }
            cell_number(&t, o->wtp[w], 10);
            cell_text(&t, x->name);
            cell_number(&t, ipsim_net_monetary_benefit(x->mean[IPSIM_OUTCOME_COST],
                                                       x->mean[IPSIM_OUTCOME_QALYS], o->wtp[w]),
                        0);
            cell_number(&t, own[0], 0);
            cell_number(&t, own[1], 0);
            cell_number(&t, o->wtp[w] * x->difference[IPSIM_OUTCOME_QALYS] -
                                x->difference[IPSIM_OUTCOME_COST],
                        0);
            cell_number(&t, s ? inc[0] : NAN, 0);
            cell_number(&t, s ? inc[1] : NAN, 0);
            cell_number(&t, probability[s], 3);
            cell_number(&t, loss[s], 4);
        }
    }
    return rc ? rc : table_end(&t, dir, err);
}

/* ---- value of information -------------------------------------------------------- */

static int evppi_table(const ipsim_report_data *rp, FILE *page, const char *dir, ipsim_error *err)
{
    static const char *const columns[][2] = {
        {"wtp", "WTP"},         {"rank", "Rank"},     {"group", "Parameter group"},
        {"parameters", "Inputs"}, {"evppi", "EVPPI per patient"}, {"se", "SE"},
        {"population", "Population EVPPI"}, {"share_of_evpi", "Share of EVPI"}};
    const ipsim_report_voi *v = &rp->voi;
    table t;
    int rc = table_begin(&t, page, "evppi.csv", "Expected value of partial perfect information",
                         "From <code>ipsim voi</code> (<code>/voi</code>): what learning each "
                         "group of inputs exactly would be worth, per patient and for the "
                         "population, ranked at each willingness to pay.",
                         columns, 8, err);
    for (int w = 0; !rc && w < v->report_count; w++) {
        int order[v->groups > 0 ? v->groups : 1];
        for (int g = 0; g < v->groups; g++) { /* ranked by EVPPI, highest first */
            int j = g;
            while (j > 0 && v->evppi[order[j - 1] * v->report_count + w] <
                                v->evppi[g * v->report_count + w]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = g;
        }
        for (int i = 0; i < v->groups; i++) {
            int g = order[i];
            double e = v->evppi[g * v->report_count + w];
            cell_number(&t, v->report_wtp[w], 10);
            cell_number(&t, i + 1, 3);
            cell_text(&t, v->group[g]);
            cell_text(&t, v->group_parameters[g]);
            cell_number(&t, e, 4);
            cell_number(&t, v->evppi_se[g * v->report_count + w], 2);
            cell_number(&t, e * v->population, 0);
            cell_number(&t, v->evpi[w] > 0 ? e / v->evpi[w] : NAN, 3);
        }
    }
    return rc ? rc : table_end(&t, dir, err);
}

static int evsi_table(const ipsim_report_data *rp, FILE *page, const char *dir, ipsim_error *err)
{
    static const char *const columns[][2] = {
        {"wtp", "WTP"},           {"study", "Study"},
        {"n", "Persons per arm"}, {"evsi", "EVSI per patient"},
        {"se", "SE"},             {"population_evsi", "Population EVSI"},
        {"study_cost", "Study cost"}, {"net_gain", "Expected net gain of sampling"}};
    const ipsim_report_voi *v = &rp->voi;
    table t;
    int rc = table_begin(&t, page, "evsi.csv", "Expected value of sample information, by n",
                         "From <code>ipsim voi</code>: each proposed study at each size, its "
                         "EVSI, and the expected net gain of sampling (population EVSI less the "
                         "study's cost); the best n is the one of highest gain.",
                         columns, 8, err);
    for (int w = 0; !rc && w < v->report_count; w++)
        for (int d = 0; d < v->designs; d++) {
            double e = v->evsi[d * v->report_count + w];
            cell_number(&t, v->report_wtp[w], 10);
            cell_text(&t, v->study[d]);
            cell_number(&t, v->sample_size[d], 10);
            cell_number(&t, e, 4);
            cell_number(&t, v->evsi_se[d * v->report_count + w], 2);
            cell_number(&t, e * v->population, 0);
            cell_number(&t, v->study_cost[d], 0);
            cell_number(&t, v->net_gain[d * v->report_count + w], 0);
        }
    return rc ? rc : table_end(&t, dir, err);
}

/* ---- deterministic sensitivity ------------------------------------------------------ */

static int threshold_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                           ipsim_error *err)
{
    static const char *const columns[][2] = {
        {"input", "Input"},
        {"wtp", "WTP"},
        {"threshold", "Threshold"},
        {"low95", "95% MC low (or range low)"},
        {"high95", "95% MC high (or range high)"},
        {"preferred_below", "Preferred below"},
        {"preferred_above", "Preferred above"}};
    const ipsim_report_dsa *d = &rp->dsa;
    table t;
    int rc = table_begin(&t, page, "thresholds.csv", "Thresholds",
                         "From <code>ipsim dsa --threshold</code>: the value of each input at "
                         "which the preferred strategy changes, with its 95% Monte Carlo "
                         "interval; an input without a threshold keeps one strategy over its "
                         "whole range (shown as the range).",
                         columns, 7, err);
    for (int i = 0; !rc && i < d->thresholds; i++) {
        const ipsim_report_dsa_threshold *x = &d->threshold[i];
        cell_text(&t, x->input);
        cell_number(&t, x->wtp, 10);
        cell_number(&t, x->value, 5);
        cell_number(&t, x->low95, 5);
        cell_number(&t, x->high95, 5);
        cell_text(&t, x->below);
        cell_text(&t, x->found ? x->above : x->below);
    }
    return rc ? rc : table_end(&t, dir, err);
}

/* ---- key parameters --------------------------------------------------------------- */

/* The uncertain inputs of the first scenario (what the PSA draws and the
 * tornado varies): base value, distribution and the schema's account of its
 * meaning and source. */
static int parameters_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                            ipsim_error *err)
{
    static const char *const columns[][2] = {{"parameter", "Parameter"},
                                             {"base", "Base value"},
                                             {"unit", "Unit"},
                                             {"distribution", "Distribution"},
                                             {"source", "Meaning and source"}};
    const ipsim_params *p = ipsim_h5_reader_params(rp->readers[0]);
    table t;
    int rc = table_begin(&t, page, "parameters.csv", "Key parameters and their sources",
                         "The study's uncertain inputs (those the PSA draws), as the first "
                         "scenario resolved them; sources from the parameter reference "
                         "(<code>docs/parameters.md</code>, <code>docs/sources.md</code>).",
                         columns, 5, err);
    for (int i = 0; !rc && i < ipsim_psa_dimension(p); i++) {
        char name[IPSIM_KEY_MAX + 64], description[512];
        int k = 0;
        const ipsim_uncertain *u = ipsim_psa_entry(p, i, &k);
        const ipsim_param_spec *spec = &ipsim_param_specs[u->spec];
        ipsim_psa_name(p, i, name, sizeof name);
        ipsim_psa_describe(p, i, description, sizeof description);
        const double *values = (const double *)((const char *)p + spec->offset);
        cell_text(&t, name);
        cell_number(&t, spec->type == IPSIM_PARAM_REAL ? values[u->element + k] : NAN, 4);
        cell_text(&t, spec->unit ? spec->unit : "");
        cell_text(&t, description);
        cell_text(&t, spec->doc ? spec->doc : "");
    }
    return rc ? rc : table_end(&t, dir, err);
}

/* The decision by subgroup at diagnosis (analysis/subgroups.h): each
 * subgroup's share and, at each WTP, its preferred option and (PSA) the
 * share of draws in which it is the best. */
static int subgroups_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                           ipsim_error *err)
{
    const ipsim_subgroups *g = rp->comparison.subgroups;
    const ipsim_report_options *o = rp->options;
    enum { FIXED = 3 };
    const int n = FIXED + 2 * o->wtp_count;
    const char *(*columns)[2] = calloc((size_t)n, sizeof *columns);
    char (*names)[2][80] = calloc((size_t)n, sizeof *names);
    if (!columns || !names) {
        free(columns);
        free(names);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    }
    static const char *const fixed[FIXED][2] = {
        {"dimension", "At diagnosis"}, {"subgroup", "Subgroup"}, {"share", "Share of patients"}};
    for (int i = 0; i < FIXED; i++) {
        columns[i][0] = fixed[i][0];
        columns[i][1] = fixed[i][1];
    }
    for (int w = 0; w < o->wtp_count; w++) {
        char wtp[32];
        ipsim_plot_thousands(wtp, sizeof wtp, o->wtp[w]);
        for (int k = 0; k < 2; k++) {
            const int i = FIXED + 2 * w + k;
            snprintf(names[i][0], sizeof names[i][0], "%s_%.0f",
                     k ? "probability_best" : "preferred", o->wtp[w]);
            snprintf(names[i][1], sizeof names[i][1], "%s at %s per QALY",
                     k ? "Probability it is the best" : "Preferred", wtp);
            columns[i][0] = names[i][0];
            columns[i][1] = names[i][1];
        }
    }
    table t;
    int rc = table_begin(&t, page, "subgroup_decision.csv",
                         "The decision by subgroup at diagnosis",
                         "The option of highest expected net monetary benefit among the patients "
                         "of each subgroup at diagnosis, from the same run (every replicate tallies "
                         "its costs and QALYs by subgroup); with PSA, the share of draws in which it "
                         "is the best. The costs, QALYs and ICERs of every option in every subgroup "
                         "are in <code>ipsim compare --csv</code>'s subgroups.csv.",
                         (const char *const (*)[2])columns, n, err);
    for (int d = 0; !rc && d < IPSIM_SUBGROUP_DIMENSIONS; d++) {
        const ipsim_subgroup_dimension *dim = &ipsim_subgroup_dimensions[d];
        for (int k = dim->first; k < dim->first + dim->count; k++) {
            cell_text(&t, dim->title);
            cell_text(&t, ipsim_subgroup_names[k]);
            cell_number(&t, g->share[k], 3);
            for (int w = 0; w < o->wtp_count; w++) {
                double probability = NAN;
                const int best = g->patients[k] ? ipsim_subgroups_best(g, k, o->wtp[w],
                                                                       &probability)
                                                : -1;
                cell_text(&t, best >= 0 ? g->names[best] : "");
                cell_number(&t, probability, 3);
            }
        }
    }
    free(columns);
    free(names);
    return rc ? rc : table_end(&t, dir, err);
}

/* A sweep's decision at each point: each strategy's cost and QALYs there,
 * the incremental analysis among the point's strategies, and whether it is
 * the preferred one at each report WTP (with PSA, P(cost-effective)). */
static int sweep_table(const ipsim_report_data *rp, FILE *page, const char *dir,
                       ipsim_error *err)
{
    const ipsim_sweep_decision *d = &rp->sweep_decision;
    const ipsim_sweep *sw = &rp->sweep;
    const ipsim_report_options *o = rp->options;
    const bool psa = d->at[0].psa, named = sw->strategies > 1;
    enum { FIXED = 8 };
    /* Without strategies a point has one option, preferred by default. */
    const int choices = named ? o->wtp_count : 0;
    const int n = FIXED + choices * (psa ? 2 : 1);
    const char *(*columns)[2] = malloc((size_t)n * sizeof *columns);
    char (*names)[2][48] = malloc((size_t)n * sizeof *names);
    if (!columns || !names) {
        free(columns);
        free(names);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    }
    static const char *const fixed[FIXED][2] = {
        {"point", "Point"},   {"strategy", "Strategy"}, {"cost", "Cost"},
        {"qalys", "QALYs"},   {"status", "Status at the point"},
        {"compared_with", "Compared with"}, {"icer", "ICER"}, {"values", "Swept values"}};
    for (int k = 0; k < FIXED; k++) {
        columns[k][0] = fixed[k][0];
        columns[k][1] = fixed[k][1];
    }
    for (int w = 0, k = FIXED; w < choices; w++) {
        snprintf(names[k][0], sizeof names[k][0], "preferred_%.0f", o->wtp[w]);
        snprintf(names[k][1], sizeof names[k][1], "Preferred at %.0f", o->wtp[w]);
        columns[k][0] = names[k][0];
        columns[k][1] = names[k][1];
        k++;
        if (psa) {
            snprintf(names[k][0], sizeof names[k][0], "probability_ce_%.0f", o->wtp[w]);
            snprintf(names[k][1], sizeof names[k][1], "P(best) at %.0f", o->wtp[w]);
            columns[k][0] = names[k][0];
            columns[k][1] = names[k][1];
            k++;
        }
    }
    table t;
    int rc = table_begin(&t, page, "sweep_decision.csv", "Decision at each sweep point",
                         named ? "Each point of the sweep is a setting of the values it varies; "
                                 "its strategies are compared among themselves there (cost "
                                 "and QALYs per patient, discounted), and never with the "
                                 "strategies of another point."
                               : "Each point of the sweep is a setting of the values it varies, "
                                 "not an option: its outcomes are shown side by side, without "
                                 "ICERs between points.",
                         (const char *const (*)[2])columns, n, err);
    for (int p = 0; !rc && p < sw->points; p++) {
        const ipsim_comparison *c = &d->at[p];
        for (int s = 0; s < c->count; s++) {
            const ipsim_scenario_result *r = &c->scenarios[s];
            const ipsim_incremental *inc = &r->incremental;
            char values[512] = "";
            for (int a = 0, used = 0; a < sw->keys && used < (int)sizeof values; a++)
                used += snprintf(values + used, sizeof values - (size_t)used, "%s%s=%s",
                                 a ? ", " : "", sw->key[a],
                                 sw->value[(size_t)p * sw->strategies + s][a]);
            cell_text(&t, sw->point[p]);
            cell_text(&t, sw->strategy[s]);
            cell_number(&t, r->mean[IPSIM_OUTCOME_COST], 0);
            cell_number(&t, r->mean[IPSIM_OUTCOME_QALYS], 4);
            cell_text(&t, named ? ipsim_dominance_names[inc->status] : "");
            cell_text(&t, inc->compared_to >= 0 ? sw->strategy[inc->compared_to] : "");
            cell_number(&t, inc->icer, 0);
            cell_text(&t, values);
            for (int w = 0; w < choices; w++) {
                cell_text(&t, ipsim_comparison_best_at(c, o->wtp[w]) == s ? "yes" : "");
                if (psa)
                    cell_number(&t, ipsim_comparison_acceptability_at(c, o->wtp[w], s, NULL), 3);
            }
        }
    }
    free(columns);
    free(names);
    return rc ? rc : table_end(&t, dir, err);
}

int ipsim_report_tables_write(const ipsim_report_data *rp, FILE *page, const char *dir,
                              ipsim_error *err)
{
    int rc = IPSIM_OK;
    double *scratch = NULL;
    if (rp->compared) {
        scratch = malloc((size_t)(2 * (rp->comparison.replicates + 1)) * sizeof *scratch);
        if (!scratch)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
        fputs("<h2 id=\"cost-effectiveness\">Cost-effectiveness</h2>\n", page);
        rc = cea_table(rp, page, dir, scratch, err);
        if (!rc)
            rc = decision_table(rp, page, dir, err);
        if (!rc)
            rc = net_benefit_table(rp, page, dir, scratch, err);
    }
    if (!rc && rp->by_point) {
        fputs("<h2 id=\"cost-effectiveness\">Cost-effectiveness at each sweep point</h2>\n",
              page);
        rc = sweep_table(rp, page, dir, err);
    }
    if (!rc && rp->voi.present) {
        fputs("<h2 id=\"value-of-information\">Value of information</h2>\n", page);
        if (rp->voi.groups)
            rc = evppi_table(rp, page, dir, err);
        if (!rc && rp->voi.designs)
            rc = evsi_table(rp, page, dir, err);
    }
    if (!rc && rp->dsa.thresholds) {
        fputs("<h2 id=\"deterministic-sensitivity\">Deterministic sensitivity</h2>\n", page);
        if (rp->dsa.oneway)
            fputs("<p>The tornado figure below shows the one-way analysis; "
                  "<a href=\"tornado.csv\">tornado.csv</a> holds every input.</p>\n",
                  page);
        rc = threshold_table(rp, page, dir, err);
    }
    if (!rc && rp->compared && rp->comparison.subgroups && rp->comparison.count > 1) {
        fputs("<h2 id=\"subgroups\">Subgroups</h2>\n", page);
        rc = subgroups_table(rp, page, dir, err);
    }
    if (!rc && ipsim_psa_dimension(ipsim_h5_reader_params(rp->readers[0])) > 0) {
        fputs("<h2 id=\"parameters\">Key parameters</h2>\n", page);
        rc = parameters_table(rp, page, dir, err);
    }
    free(scratch);
    return rc;
}
