/* sim/sensitivity_run.c: the deterministic sensitivity analyses of
 * sim/sensitivity_run.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim/sensitivity_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/patient.h"
#include "params/loader.h"
#include "params/posterior_file.h"
#include "params/psa.h"
#include "params/schema.h"
#include "sim/cohort.h"
#include "sim/progress.h"

/* What every point of an analysis shares. */
typedef struct context {
    const ipsim_study *study;
    const ipsim_sensitivity_settings *settings;
    ipsim_params *base; /* [strategies]: the scenarios without PSA, one replicate */
    ipsim_model *model; /* scratch */
    ipsim_params *scratch;
    ipsim_posterior_file posterior;
    bool has_posterior;
    int threads;
    ipsim_progress progress;
    int64_t point_months;          /* patient-months of one point (all strategies) */
    int64_t points_done, points_total;
    int evaluations;
} context;

static void context_free(context *c)
{
    free(c->base);
    free(c->model);
    free(c->scratch);
    if (c->has_posterior)
        ipsim_posterior_file_free(&c->posterior);
    ipsim_progress_finish(&c->progress);
}

static int context_init(context *c, const ipsim_study *study,
                        const ipsim_sensitivity_settings *settings, const char *label,
                        ipsim_error *err)
{
    *c = (context){.study = study, .settings = settings};
    ipsim_progress_init(&c->progress, stderr, settings->quiet, settings->progress_every, label);
    const int S = study->count;
    c->base = malloc((size_t)S * sizeof *c->base);
    c->model = malloc(sizeof *c->model);
    c->scratch = malloc(sizeof *c->scratch);
    if (!c->base || !c->model || !c->scratch)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the study's parameters");
    for (int s = 0; s < S; s++) {
        c->base[s] = study->scenarios[s];
        c->base[s].psa.sample = false;
        c->base[s].cohort.replicates = 1;
    }
    const ipsim_params *first = &c->base[0];
    c->point_months = (int64_t)S * first->cohort.patients * ipsim_params_cycles(first);
    if (first->psa.posterior.path[0]) {
        int rc = ipsim_posterior_file_open(&c->posterior, &first->psa.posterior, err);
        if (rc)
            return rc;
        c->has_posterior = true;
    }
    return ipsim_cohort_threads(settings->threads, &c->threads, err);
}

/* The frame every result starts with: the strategies, the wtp, the base
 * case's means (from `base`, the base point's outcomes). */
static int frame_init(ipsim_sensitivity_frame *f, const context *c,
                      const ipsim_strategy_outcomes *base, ipsim_error *err)
{
    const int S = c->study->count;
    *f = (ipsim_sensitivity_frame){.strategies = S, .wtp = c->settings->wtp,
                                   .patients = c->base[0].cohort.patients,
                                   .seed = c->base[0].seed};
    snprintf(f->currency, sizeof f->currency, "%s", c->base[0].economics.currency);
    f->names = malloc((size_t)S * sizeof *f->names);
    f->base_cost = malloc((size_t)S * sizeof *f->base_cost);
    f->base_qalys = malloc((size_t)S * sizeof *f->base_qalys);
    if (!f->names || !f->base_cost || !f->base_qalys)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the analysis");
    for (int s = 0; s < S; s++)
        snprintf(f->names[s], sizeof f->names[s], "%s", c->base[s].name);
    ipsim_strategy_means(base, f->base_cost, f->base_qalys);
    f->base_preferred = ipsim_preferred_strategy(f->base_cost, f->base_qalys, S, f->wtp);
    return IPSIM_OK;
}

/* ---- one point ------------------------------------------------------------------------ */

typedef struct point_sink {
    ipsim_strategy_outcomes *out;
    int strategy;
} point_sink;

static int keep_block(void *ctx, const ipsim_block *block, ipsim_error *err)
{
    (void)err;
    const point_sink *k = ctx;
    const size_t at = (size_t)k->strategy * (size_t)k->out->patients + (size_t)block->first_patient;
    for (int64_t j = 0; j < block->count; j++) {
        k->out->cost[at + (size_t)j] = block->records[j].outcomes.cost[1];
        k->out->qalys[at + (size_t)j] = block->records[j].outcomes.qalys[1];
    }
    return IPSIM_OK;
}

typedef struct point_progress {
    context *c;
    int strategy;
} point_progress;

static void on_progress(void *ctx, int64_t done, int64_t total)
{
    (void)total;
    const point_progress *pp = ctx;
    const context *c = pp->c;
    const int64_t per_strategy = c->point_months / c->study->count;
    ipsim_progress_update(&pp->c->progress,
                          c->points_done * c->point_months + pp->strategy * per_strategy + done,
                          c->points_total * c->point_months);
}

/* Runs every strategy with inputs in[0..n-1] set to values[0..n-1]. */
static int evaluate(context *c, const ipsim_sensitivity_input *in, const double *values, int n,
                    ipsim_strategy_outcomes *out, ipsim_error *err)
{
    int rc = IPSIM_OK;
    for (int s = 0; s < c->study->count && !rc; s++) {
        *c->scratch = c->base[s];
        for (int k = 0; k < n && !rc; k++)
            rc = ipsim_sensitivity_set(c->scratch, &in[k], values[k], err);
        if (rc)
            break;
        /* What the point set, for an error of the set as a whole. */
        char context_text[IPSIM_NAME_MAX + 2 * IPSIM_KEY_MAX + 96];
        int used = snprintf(context_text, sizeof context_text, "strategy '%s'", c->base[s].name);
        for (int k = 0; k < n && used > 0 && (size_t)used < sizeof context_text; k++)
            used += snprintf(context_text + used, sizeof context_text - (size_t)used,
                             "%s %s = %g", k ? "," : " with", in[k].name, values[k]);
        rc = ipsim_params_check(c->scratch, context_text, err);
        if (!rc) {
            rc = ipsim_model_init(c->model, c->scratch, err);
            if (rc)
                ipsim_error_prefix(err, "%s: ", context_text);
        }
        if (rc)
            break;
        point_sink sink = {.out = out, .strategy = s};
        point_progress pp = {.c = c, .strategy = s};
        ipsim_cohort_config config = {.threads = c->threads,
                                      .block_patients = 16384,
                                      .cancel = c->settings->cancel,
                                      .progress = on_progress,
                                      .progress_ctx = &pp};
        ipsim_cohort_sinks sinks = {.block = keep_block, .ctx = &sink};
        rc = ipsim_cohort_run(c->model, c->scratch->seed, c->scratch->cohort.patients, 0, 1,
                              &config, &sinks, err);
    }
    if (!rc) {
        c->points_done++;
        c->evaluations++;
        if (c->points_done > c->points_total)
            c->points_total = c->points_done;
    }
    return rc;
}

static int outcomes_for(const context *c, ipsim_strategy_outcomes *o, ipsim_error *err)
{
    return ipsim_strategy_outcomes_alloc(o, c->study->count, c->base[0].cohort.patients, err);
}

/* ---- inputs --------------------------------------------------------------------------- */

static const ipsim_given_range *given_range(const ipsim_sensitivity_settings *s, const char *key)
{
    for (int i = 0; i < s->range_count; i++)
        if (strcmp(s->ranges[i].key, key) == 0)
            return &s->ranges[i];
    return NULL;
}

/* The input `name`, with its --range if given; one without a range is
 * refused. */
static int named_input(const context *c, const char *name, ipsim_sensitivity_input *in,
                       ipsim_error *err)
{
    int rc = ipsim_sensitivity_find(&c->base[0], c->has_posterior ? &c->posterior : NULL, name,
                                    in, err);
    if (rc)
        return rc;
    const ipsim_given_range *g = given_range(c->settings, name);
    if (g) {
        in->low = g->low;
        in->high = g->high;
        in->source = IPSIM_RANGE_GIVEN;
    } else if (in->source == IPSIM_RANGE_GIVEN) {
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "'%s' has no distribution in the study, so no range of its own: give "
                          "one with --range %s=LOW:HIGH",
                          name, name);
    }
    return IPSIM_OK;
}

static int strategy_index(const context *c, const char *name, ipsim_error *err)
{
    char names[512] = "";
    for (int s = 0; s < c->study->count; s++) {
        if (strcmp(c->base[s].name, name) == 0)
            return s;
        const size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", s ? ", " : "", c->base[s].name);
    }
    IPSIM_FAIL(err, IPSIM_EUSAGE, "the study has no strategy named '%s'; it has %s", name, names);
    return -1;
}

/* ---- one-way -------------------------------------------------------------------------- */

/* The inputs of a one-way analysis: those named (settings->only), else every
 * uncertain value then every --range key that is not one. *out is malloc'd. */
static int oneway_inputs(const context *c, ipsim_sensitivity_input **out, int *count,
                         ipsim_error *err)
{
    const ipsim_sensitivity_settings *s = c->settings;
    const int drawn = ipsim_psa_dimension(&c->base[0]);
    const int most = (s->only ? s->only_count : drawn) + s->range_count;
    ipsim_sensitivity_input *in = calloc((size_t)(most > 0 ? most : 1), sizeof *in);
    if (!in)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the inputs");
    int n = 0, rc = IPSIM_OK;
    if (s->only) {
        for (int i = 0; i < s->only_count && !rc; i++)
            rc = named_input(c, s->only[i], &in[n++], err);
    } else {
        rc = ipsim_sensitivity_inputs(&c->base[0], c->has_posterior ? &c->posterior : NULL, in,
                                      err);
        n = drawn;
        for (int i = 0; i < n; i++) {
            const ipsim_given_range *g = given_range(s, in[i].name);
            if (g) {
                in[i].low = g->low;
                in[i].high = g->high;
                in[i].source = IPSIM_RANGE_GIVEN;
            }
        }
        for (int r = 0; r < s->range_count && !rc; r++) {
            bool known = false;
            for (int i = 0; i < drawn; i++)
                known = known || strcmp(in[i].name, s->ranges[r].key) == 0;
            if (!known)
                rc = named_input(c, s->ranges[r].key, &in[n++], err);
        }
    }
    if (!rc && n == 0)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "nothing to vary: the study has no uncertain inputs; give their ranges "
                        "with --range KEY=LOW:HIGH");
    if (rc) {
        free(in);
        return rc;
    }
    *out = in;
    *count = n;
    return IPSIM_OK;
}

int ipsim_oneway_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                     ipsim_oneway *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    context c;
    ipsim_sensitivity_input *in = NULL;
    int n = 0;
    ipsim_strategy_outcomes base = {0}, end[2] = {{0}};
    int rc = context_init(&c, study, settings, "one-way", err);
    if (!rc)
        rc = oneway_inputs(&c, &in, &n, err);
    if (!rc)
        rc = outcomes_for(&c, &base, err);
    for (int e = 0; e < 2 && !rc; e++)
        rc = outcomes_for(&c, &end[e], err);
    c.points_total = 1 + 2 * (int64_t)n;
    if (!rc)
        rc = evaluate(&c, NULL, NULL, 0, &base, err);
    if (!rc)
        rc = frame_init(&out->frame, &c, &base, err);
    const int S = study->count;
    if (!rc) {
        /* The compared pair: as asked, else the preferred and the best of
         * the rest. */
        const ipsim_sensitivity_frame *f = &out->frame;
        out->a = settings->strategy && settings->strategy[0]
                     ? strategy_index(&c, settings->strategy, err)
                     : f->base_preferred;
        if (out->a < 0)
            rc = IPSIM_EUSAGE;
        else if (settings->comparator && settings->comparator[0])
            out->b = strategy_index(&c, settings->comparator, err);
        else {
            out->b = -1;
            for (int s = 0; s < S; s++)
                if (s != out->a &&
                    (out->b < 0 || f->wtp * f->base_qalys[s] - f->base_cost[s] >
                                       f->wtp * f->base_qalys[out->b] - f->base_cost[out->b]))
                    out->b = s;
        }
        if (!rc && out->b < 0)
            rc = S < 2 ? IPSIM_FAIL(err, IPSIM_EUSAGE,
                                    "a sensitivity analysis compares strategies: give a study "
                                    "of two or more scenarios")
                       : IPSIM_EUSAGE;
        if (!rc && out->a == out->b)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "compare two different strategies");
    }
    if (!rc) {
        ipsim_net_benefit_difference(&base, NULL, out->a, out->b, settings->wtp, &out->base_inb,
                                     &out->base_inb_se);
        out->rows = calloc((size_t)n, sizeof *out->rows);
        out->block = malloc((size_t)n * 4 * (size_t)S * sizeof *out->block);
        if (!out->rows || !out->block)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the one-way table");
    }
    for (int i = 0; i < n && !rc; i++) {
        ipsim_oneway_row *w = &out->rows[i];
        w->input = in[i];
        w->cost = out->block + (size_t)i * 4 * (size_t)S;
        w->qalys = w->cost + 2 * S;
        const double at[2] = {in[i].low, in[i].high};
        for (int e = 0; e < 2 && !rc; e++) {
            rc = evaluate(&c, &in[i], &at[e], 1, &end[e], err);
            if (rc)
                break;
            ipsim_strategy_means(&end[e], w->cost + e * S, w->qalys + e * S);
            w->preferred[e] = ipsim_preferred_strategy(w->cost + e * S, w->qalys + e * S, S,
                                                       settings->wtp);
            ipsim_net_benefit_difference(&end[e], NULL, out->a, out->b, settings->wtp,
                                         &w->inb[e], &w->inb_se[e]);
        }
        if (!rc)
            ipsim_net_benefit_difference(&end[1], &end[0], out->a, out->b, settings->wtp,
                                         &w->swing, &w->swing_se);
        out->count = i + 1;
    }
    if (!rc)
        ipsim_oneway_sort(out);
    ipsim_strategy_outcomes_free(&base);
    ipsim_strategy_outcomes_free(&end[0]);
    ipsim_strategy_outcomes_free(&end[1]);
    free(in);
    context_free(&c);
    if (rc)
        ipsim_oneway_free(out);
    return rc;
}

/* ---- threshold ------------------------------------------------------------------------ */

typedef struct root_context {
    context *c;
    const ipsim_sensitivity_input *input;
    ipsim_strategy_outcomes *scratch;
    int a, b;
    int rc;
    ipsim_error *err;
} root_context;

/* NB(a) - NB(b) at x: the function whose root is a threshold. */
static double difference_at(double x, void *params)
{
    root_context *r = params;
    if (r->rc)
        return 0; /* an earlier evaluation failed: end the search */
    r->rc = evaluate(r->c, r->input, &x, 1, r->scratch, r->err);
    if (r->rc)
        return 0;
    double mean, se;
    ipsim_net_benefit_difference(r->scratch, NULL, r->a, r->b, r->c->settings->wtp, &mean, &se);
    return mean;
}

static int preferred_at(context *c, const ipsim_sensitivity_input *in, double x,
                        ipsim_strategy_outcomes *o, int *preferred, ipsim_error *err)
{
    int rc = evaluate(c, in, &x, 1, o, err);
    if (rc)
        return rc;
    const int S = c->study->count;
    double *cost = malloc(2 * (size_t)S * sizeof *cost);
    if (!cost)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the strategies' means");
    ipsim_strategy_means(o, cost, cost + S);
    *preferred = ipsim_preferred_strategy(cost, cost + S, S, c->settings->wtp);
    free(cost);
    return IPSIM_OK;
}

/* Finds where the preferred strategy changes from `left` (at xl) to
 * `right` (at xr), recursively when a third is preferred in between. */
static int find_crossings(context *c, const ipsim_sensitivity_input *in, double xl, int left,
                          double xr, int right, int depth, ipsim_threshold *t,
                          ipsim_strategy_outcomes *o, ipsim_error *err)
{
    root_context r = {.c = c, .input = in, .scratch = o, .a = left, .b = right, .err = err};
    gsl_function f = {.function = difference_at, .params = &r};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!solver)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the root finder");
    /* NB(left) - NB(right) is >= 0 at xl and <= 0 at xr, each the preferred
     * there; GSL wants a strict sign change, which a tie at an end does not
     * give: the end itself is then the threshold. */
    double root = NAN;
    const double fl = difference_at(xl, &r), fr = r.rc ? 0 : difference_at(xr, &r);
    if (r.rc) {
        gsl_root_fsolver_free(solver);
        return r.rc;
    }
    if (fl == 0 || fr == 0 || (fl > 0) == (fr > 0))
        root = fl == 0 ? xl : fr == 0 ? xr : 0.5 * (xl + xr);
    else {
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int status = gsl_root_fsolver_set(solver, &f, xl, xr);
        const double tolerance = 1e-7 * (in->high - in->low);
        for (int iter = 0; !status && iter < 100; iter++) {
            status = gsl_root_fsolver_iterate(solver);
            if (r.rc)
                break;
            root = gsl_root_fsolver_root(solver);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(solver),
                                       gsl_root_fsolver_x_upper(solver), tolerance,
                                       0) == GSL_SUCCESS)
                break;
        }
        gsl_set_error_handler(old);
    }
    gsl_root_fsolver_free(solver);
    if (r.rc)
        return r.rc;
    int there;
    int rc = preferred_at(c, in, root, o, &there, err);
    if (rc)
        return rc;
    if (there != left && there != right && depth < 8) {
        rc = find_crossings(c, in, xl, left, root, there, depth + 1, t, o, err);
        if (!rc)
            rc = find_crossings(c, in, root, there, xr, right, depth + 1, t, o, err);
        return rc;
    }
    if (t->count >= IPSIM_THRESHOLD_CROSSINGS_MAX)
        return IPSIM_OK;
    ipsim_threshold_crossing *x = &t->crossings[t->count];
    *x = (ipsim_threshold_crossing){.value = root, .below = left, .above = right};
    double mean, se;
    ipsim_net_benefit_difference(o, NULL, left, right, c->settings->wtp, &mean, &se);
    /* The slope over 2% of the range, kept inside it. */
    const double h = 0.01 * (in->high - in->low);
    const double lo = fmax(in->low, root - h), hi = fmin(in->high, root + h);
    const double dlo = difference_at(lo, &r), dhi = r.rc ? 0 : difference_at(hi, &r);
    if (r.rc)
        return r.rc;
    x->slope = (dhi - dlo) / (hi - lo);
    x->se = x->slope != 0 ? se / fabs(x->slope) : INFINITY;
    t->count++;
    return IPSIM_OK;
}

int ipsim_threshold_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                        const char *input, ipsim_threshold *out, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    context c;
    ipsim_strategy_outcomes o = {0};
    int rc = context_init(&c, study, settings, "threshold", err);
    if (!rc && study->count < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "a threshold analysis compares strategies: give a "
                                           "study of two or more scenarios");
    if (!rc)
        rc = named_input(&c, input, &out->input, err);
    if (!rc)
        rc = outcomes_for(&c, &o, err);
    c.points_total = 1 + IPSIM_THRESHOLD_GRID + 16;
    if (!rc)
        rc = evaluate(&c, NULL, NULL, 0, &o, err);
    if (!rc)
        rc = frame_init(&out->frame, &c, &o, err);
    for (int g = 0; g < IPSIM_THRESHOLD_GRID && !rc; g++) {
        const ipsim_sensitivity_input *in = &out->input;
        out->grid[g] = in->low + (in->high - in->low) * g / (IPSIM_THRESHOLD_GRID - 1);
        rc = preferred_at(&c, in, out->grid[g], &o, &out->grid_preferred[g], err);
    }
    for (int g = 0; g + 1 < IPSIM_THRESHOLD_GRID && !rc; g++)
        if (out->grid_preferred[g] != out->grid_preferred[g + 1])
            rc = find_crossings(&c, &out->input, out->grid[g], out->grid_preferred[g],
                                out->grid[g + 1], out->grid_preferred[g + 1], 0, out, &o, err);
    out->evaluations = c.evaluations;
    ipsim_strategy_outcomes_free(&o);
    context_free(&c);
    if (rc)
        ipsim_threshold_free(out);
    return rc;
}

/* ---- two-way -------------------------------------------------------------------------- */

int ipsim_twoway_run(const ipsim_study *study, const ipsim_sensitivity_settings *settings,
                     const char *const inputs[2], int steps, ipsim_twoway *out,
                     ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (steps < 2 || steps > IPSIM_TWOWAY_STEPS_MAX)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "--steps must be 2 to %d, got %d",
                          IPSIM_TWOWAY_STEPS_MAX, steps);
    if (strcmp(inputs[0], inputs[1]) == 0)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "a two-way analysis varies two different inputs");
    context c;
    ipsim_strategy_outcomes o = {0};
    int rc = context_init(&c, study, settings, "two-way", err);
    const int S = study->count;
    if (!rc && S < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "a two-way analysis compares strategies: give a "
                                           "study of two or more scenarios");
    for (int k = 0; k < 2 && !rc; k++)
        rc = named_input(&c, inputs[k], &out->input[k], err);
    if (!rc && out->input[0].spec == out->input[1].spec &&
        ipsim_param_specs[out->input[0].spec].check != IPSIM_CHECK_NONE)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "'%s' and '%s' are shares of one vector, which setting one rescales: "
                        "vary them one at a time",
                        inputs[0], inputs[1]);
    if (!rc)
        rc = outcomes_for(&c, &o, err);
    const size_t cells = (size_t)steps * (size_t)steps;
    if (!rc) {
        out->steps = steps;
        out->preferred = malloc(cells * sizeof *out->preferred);
        out->cost = malloc(cells * (size_t)S * sizeof *out->cost);
        out->qalys = malloc(cells * (size_t)S * sizeof *out->qalys);
        if (!out->preferred || !out->cost || !out->qalys)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the two-way grid");
    }
    c.points_total = 1 + (int64_t)cells;
    if (!rc)
        rc = evaluate(&c, NULL, NULL, 0, &o, err);
    if (!rc)
        rc = frame_init(&out->frame, &c, &o, err);
    for (int k = 0; k < 2 && !rc; k++)
        for (int i = 0; i < steps; i++)
            out->value[k][i] = out->input[k].low +
                               (out->input[k].high - out->input[k].low) * i / (steps - 1);
    for (size_t cell = 0; cell < cells && !rc; cell++) {
        const int i = (int)(cell / (size_t)steps), j = (int)(cell % (size_t)steps);
        const double at[2] = {out->value[0][i], out->value[1][j]};
        rc = evaluate(&c, out->input, at, 2, &o, err);
        if (!rc) {
            double *cost = out->cost + cell * (size_t)S, *qalys = out->qalys + cell * (size_t)S;
            ipsim_strategy_means(&o, cost, qalys);
            out->preferred[cell] = ipsim_preferred_strategy(cost, qalys, S, settings->wtp);
        }
    }
    ipsim_strategy_outcomes_free(&o);
    context_free(&c);
    if (rc)
        ipsim_twoway_free(out);
    return rc;
}
