/* benchmarks/model_tables.c: the model tables the bare chain
 * (benchmarks/bare_chain.h) reads, as JSON on stdout, for the numpy peer
 * (benchmarks/numpy_peer.py), so that the peer simulates ipsim's own model
 * rather than a copy of its parameters.
 *
 * The model is built from a parameter file as bare_kernel builds it (and so
 * as `ipsim run` does), the horizon set to MONTHS, and refused if the bare
 * chain does not follow it (a clinical module active, infection risk by
 * IgG). Each table is written under its field's name in the model's
 * structs, as nested lists in the C array's index order; where a table has
 * a "changed" dimension (models/infections.h) only the unchanged one is
 * written, the only one the chain reads. Values are printed with 17
 * significant digits, so they read back as the same doubles.
 *
 * usage: model_tables PARAMS.yaml MONTHS */
#include <stdio.h>

#include "benchmarks/bare_chain.h"

/* A table as nested JSON lists: dims[0] lists of dims[1] ... values. */
static void put_nested(FILE *out, const double *v, const int *dims, int ndim)
{
    size_t stride = 1;
    for (int k = 1; k < ndim; k++)
        stride *= (size_t)dims[k];
    fputc('[', out);
    for (int i = 0; i < dims[0]; i++) {
        if (i > 0)
            fputc(',', out);
        if (ndim == 1)
            fprintf(out, "%.17g", v[i]);
        else
            put_nested(out, v + (size_t)i * stride, dims + 1, ndim - 1);
    }
    fputc(']', out);
}

static void put_table(FILE *out, const char *name, const double *v, const int *dims, int ndim)
{
    fprintf(out, ",\n\"%s\": ", name);
    put_nested(out, v, dims, ndim);
}

static void put_number(FILE *out, const char *name, double value)
{
    fprintf(out, ",\n\"%s\": %.17g", name, value);
}

/* PUT(out, "name", table, dims...): a table of doubles of those dims. */
#define PUT(out, name, table, ...)                                                           \
    put_table(out, name, (const double *)(table), (const int[]){__VA_ARGS__},                \
              (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)))

static void put_diagnosis(FILE *out, const ipsim_diagnosis *d)
{
    put_number(out, "age_min", IPSIM_AGE_MIN);
    PUT(out, "age_cum", d->age_cum, IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1);
    put_number(out, "male_share", d->male_share);
    PUT(out, "type_cum", d->type_cum, IPSIM_MYELOMA_TYPES);
    PUT(out, "riss_cum", d->riss_cum, IPSIM_RISS_STAGES);
    PUT(out, "grade_cum", d->grade_cum, IPSIM_MYELOMA_TYPES, IPSIM_RISS_STAGES, IPSIM_GRADES);
    put_number(out, "age_limit", (double)d->age_limit);
    put_number(out, "eligible_share", d->eligible_share);
}

static void put_pathway(FILE *out, const ipsim_pathway *p)
{
    put_number(out, "induction_end", (double)p->induction_end);
    put_number(out, "asct_cycle", (double)p->asct_cycle);
    put_number(out, "transplant_end", (double)p->transplant_end);
    PUT(out, "progression_per_cycle", p->progression_per_cycle, 2);
    put_number(out, "transplant_hazard_ratio", p->transplant_hazard_ratio);
    PUT(out, "line_per_cycle", p->line_per_cycle, 2);
    PUT(out, "no_further_treatment", p->no_further_treatment, IPSIM_LINES);
    PUT(out, "response_cum", p->response_cum, IPSIM_RESPONSES);
}

static void put_infections(FILE *out, const ipsim_infections *inf)
{
    put_number(out, "early_end", (double)inf->early_end);
    put_number(out, "neutropenic_cycles", (double)inf->neutropenic_cycles);
    put_number(out, "period_early", IPSIM_PERIOD_EARLY);
    put_number(out, "period_neutropenic", IPSIM_PERIOD_NEUTROPENIC);
    double mean[IPSIM_INFECTION_PERIODS][IPSIM_GRADES];
    for (int period = 0; period < IPSIM_INFECTION_PERIODS; period++)
        for (int g = 0; g < IPSIM_GRADES; g++)
            mean[period][g] = inf->mean_per_cycle[period][0][g];
    PUT(out, "mean_per_cycle", mean, IPSIM_INFECTION_PERIODS, IPSIM_GRADES);
    PUT(out, "serious_share", inf->serious_share[0], IPSIM_GRADES);
}

static void put_mortality(FILE *out, const ipsim_mortality *mo)
{
    PUT(out, "month_survival", mo->month_survival, IPSIM_SEXES, IPSIM_MORTALITY_AGES);
    PUT(out, "excess_survival_per_cycle", mo->excess_survival_per_cycle, IPSIM_PHASES);
    put_number(out, "survive_serious", mo->survive_serious);
}

/* The levels model's tables (models/immunoglobulins.h). */
static void put_levels(FILE *out, const ipsim_immunoglobulins *ig)
{
    enum { MOVES = IPSIM_PHASES * IPSIM_RESPONSES * IPSIM_IG_CLASSES * IPSIM_IG_BANDS *
                   IPSIM_IG_BANDS };
    put_number(out, "ig_transitions", ig->transitions);
    double grade_of[IPSIM_MYELOMA_TYPES][IPSIM_IG_STATES];
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_IG_STATES; s++)
            grade_of[t][s] = ig->grade_of[t][s];
    PUT(out, "grade_of", grade_of, IPSIM_MYELOMA_TYPES, IPSIM_IG_STATES);
    PUT(out, "state_cum", ig->state_cum, IPSIM_MYELOMA_TYPES, IPSIM_RISS_STAGES, IPSIM_GRADES,
        IPSIM_IG_STATES);
    PUT(out, "stay_all", ig->stay_all, IPSIM_PHASES, IPSIM_RESPONSES, IPSIM_IG_STATES);
    PUT(out, "move_cum", ig->move_cum, IPSIM_PHASES, IPSIM_RESPONSES, IPSIM_IG_CLASSES,
        IPSIM_IG_BANDS, IPSIM_IG_BANDS);
    double move_to[MOVES];
    const int8_t *to = &ig->move_to[0][0][0][0][0];
    for (int k = 0; k < MOVES; k++)
        move_to[k] = to[k];
    PUT(out, "move_to", move_to, IPSIM_PHASES, IPSIM_RESPONSES, IPSIM_IG_CLASSES, IPSIM_IG_BANDS,
        IPSIM_IG_BANDS);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: model_tables PARAMS.yaml MONTHS\n");
        return 2;
    }
    static ipsim_params params; /* large: not on the stack */
    static ipsim_model model;
    if (ipsim_bare_chain_model("model_tables", argv[1], argv[2], &params, &model))
        return 1;
    FILE *out = stdout;
    fputs("{\"ipsim_model_tables\": 1", out);
    put_number(out, "cycles", (double)model.cycles);
    put_number(out, "cycle_months", (double)model.cycle_months);
    put_diagnosis(out, &model.diagnosis);
    put_pathway(out, &model.pathway);
    put_infections(out, &model.infections);
    put_mortality(out, &model.mortality);
    put_number(out, "levels", model.levels);
    if (model.levels)
        put_levels(out, &model.immunoglobulins);
    put_number(out, "grades_transitions", model.grades.transitions);
    PUT(out, "step_cum", model.grades.step_cum, IPSIM_PHASES, IPSIM_RESPONSES, IPSIM_GRADES,
        IPSIM_GRADES);
    fputs("}\n", out);
    return ferror(out) ? 1 : 0;
}
