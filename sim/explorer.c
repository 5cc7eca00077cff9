/* sim/explorer.c: a scenario run in memory, a slice of patients at a time,
 * its summary as JSON (sim/explorer.h). */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/intervals.h"
#include "params/loader.h"
#include "params/psa.h"
#include "sim/cohort.h"
#include "sim/explorer.h"

struct ipsim_explorer {
    ipsim_params params;
    ipsim_model model;
    ipsim_summary *total;
    int64_t replicate, next_patient; /* where the next step starts */
    ipsim_error err;
    char message[IPSIM_MESSAGE_MAX + IPSIM_PATH_MAX + IPSIM_KEY_MAX + 64];
    char *json, *resolved_yaml;
};

/* Keeps the first error's text for ipsim_explorer_error. */
static int keep_error(ipsim_explorer *x, int rc)
{
    if (rc && !x->message[0])
        ipsim_error_format(&x->err, x->message, sizeof x->message);
    return rc;
}

ipsim_explorer *ipsim_explorer_open(const char *yaml)
{
    ipsim_explorer *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    int rc = ipsim_params_resolve_text(&x->params, yaml, strlen(yaml), "explorer.yaml", NULL, 0,
                                       &x->err);
    if (!rc && x->params.psa.sample && ipsim_psa_dimension(&x->params) > 0)
        rc = IPSIM_FAIL(&x->err, IPSIM_EUSAGE,
                        "the explorer runs one scenario without PSA: no distributions, "
                        "or psa.sample: false");
    if (!rc)
        rc = ipsim_model_init(&x->model, &x->params, &x->err);
    if (!rc)
        rc = ipsim_summary_create(&x->total, &x->params, &x->err);
    keep_error(x, rc);
    return x;
}

void ipsim_explorer_free(ipsim_explorer *x)
{
    if (!x)
        return;
    ipsim_summary_free(x->total);
    free(x->json);
    free(x->resolved_yaml);
    free(x);
}

const char *ipsim_explorer_error(const ipsim_explorer *x)
{
    return x->message;
}

static int merge_replicate(void *ctx, int64_t replicate, const ipsim_summary *summary,
                           ipsim_error *err)
{
    (void)replicate;
    (void)err;
    ipsim_summary_merge(ctx, summary);
    return IPSIM_OK;
}

int ipsim_explorer_step(ipsim_explorer *x, int patients)
{
    if (x->err.code)
        return -1;
    const int64_t cohort = x->params.cohort.patients;
    if (x->replicate >= x->params.cohort.replicates)
        return 1;
    int64_t slice = patients < 1 ? 1 : patients;
    if (slice > cohort - x->next_patient)
        slice = cohort - x->next_patient;
    /* One block per step: the block's size does not change any result, and
     * a slice is a part of the cohort like an MPI rank's (first_patient). */
    ipsim_cohort_config config = {.threads = 1,
                                  .block_patients = slice,
                                  .first_patient = x->next_patient,
                                  .patient_count = slice};
    ipsim_cohort_sinks sinks = {.replicate = merge_replicate, .ctx = x->total};
    int rc = ipsim_cohort_run(&x->model, x->params.seed, cohort, x->replicate, 1, &config,
                              &sinks, &x->err);
    if (keep_error(x, rc))
        return -1;
    x->next_patient += slice;
    if (x->next_patient == cohort) {
        x->next_patient = 0;
        x->replicate++;
    }
    return x->replicate >= x->params.cohort.replicates;
}

double ipsim_explorer_done(const ipsim_explorer *x)
{
    const double all = (double)x->params.cohort.patients * (double)x->params.cohort.replicates;
    const double done = (double)x->replicate * (double)x->params.cohort.patients +
                        (double)x->next_patient;
    return all > 0 ? done / all : 1.0;
}

/* JSON writers: integer arrays exactly, reals with round-trip precision,
 * NaN (not representable in JSON) as null. */
static void put_int_array(FILE *f, const char *name, const int64_t *v, int64_t n)
{
    fprintf(f, ",\n\"%s\":[", name);
    for (int64_t i = 0; i < n; i++)
        fprintf(f, "%s%lld", i ? "," : "", (long long)v[i]);
    fputc(']', f);
}

static void put_real(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void put_real_array(FILE *f, const char *name, const double *v, int64_t n)
{
    fprintf(f, ",\n\"%s\":[", name);
    for (int64_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        put_real(f, v[i]);
    }
    fputc(']', f);
}

static void put_names(FILE *f, const char *name, const char *const *names, int n)
{
    fprintf(f, ",\n\"%s\":[", name);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s\"%s\"", i ? "," : "", names[i]);
    fputc(']', f);
}

/* The cumulative share with >= 1 infection by grade at diagnosis and its
 * Wilson 95% interval, [months][grade] (deaths compete: the denominator is
 * everyone in the grade at diagnosis), as `ipsim report` draws it: row m is
 * the share infected before month m (row 0 is 0), i.e. the first infections
 * of the cycles that started at rows 0 .. m - 1. */
static void put_cumulative_infection(FILE *f, const ipsim_summary *s, double *share,
                                     double *low, double *high)
{
    const int64_t months = s->shape.months;
    int64_t running[IPSIM_GRADES] = {0};
    for (int64_t m = 0; m < months; m++)
        for (int g = 0; g < IPSIM_GRADES; g++) {
            const int64_t i = m * IPSIM_GRADES + g, n = s->patients_by_baseline[g];
            share[i] = n ? (double)running[g] / (double)n : NAN;
            ipsim_interval_share(running[g], n, &low[i], &high[i]);
            running[g] += s->first_infection[i];
        }
    put_real_array(f, "cumulative_infected_share", share, months * IPSIM_GRADES);
    put_real_array(f, "cumulative_infected_low", low, months * IPSIM_GRADES);
    put_real_array(f, "cumulative_infected_high", high, months * IPSIM_GRADES);
}

/* Episodes per 100 patient-years by grade at onset: [grade][type, then
 * all types], with Garwood's interval of the count over the grade's
 * patient-years. */
static void put_rates(FILE *f, const ipsim_summary *s)
{
    enum { COLUMNS = IPSIM_INFECTION_TYPES + 1 };
    double rate[IPSIM_GRADES * COLUMNS], low[IPSIM_GRADES * COLUMNS], high[IPSIM_GRADES * COLUMNS];
    for (int g = 0; g < IPSIM_GRADES; g++) {
        const double years = (double)ipsim_summary_person_months(s, g) / 12.0;
        int64_t all = 0;
        for (int c = 0; c < COLUMNS; c++) {
            int64_t k = c < IPSIM_INFECTION_TYPES ? s->episodes[g][c] : all;
            all += c < IPSIM_INFECTION_TYPES ? k : 0;
            double lo, hi;
            ipsim_interval_count(k, &lo, &hi);
            const int i = g * COLUMNS + c;
            rate[i] = years > 0 ? 100.0 * (double)k / years : NAN;
            low[i] = years > 0 ? 100.0 * lo / years : NAN;
            high[i] = years > 0 ? 100.0 * hi / years : NAN;
        }
    }
    put_real_array(f, "rate_per_100py", rate, IPSIM_GRADES * COLUMNS);
    put_real_array(f, "rate_per_100py_low", low, IPSIM_GRADES * COLUMNS);
    put_real_array(f, "rate_per_100py_high", high, IPSIM_GRADES * COLUMNS);
}

static void put_summary(FILE *f, const ipsim_summary *s, double *scratch)
{
    const int64_t months = s->shape.months;
    int64_t person_months[IPSIM_GRADES];
    for (int g = 0; g < IPSIM_GRADES; g++)
        person_months[g] = ipsim_summary_person_months(s, g);
    put_int_array(f, "patients_by_baseline_grade", s->patients_by_baseline, IPSIM_GRADES);
    put_int_array(f, "infected_within_window_by_baseline_grade",
                  s->infected_in_window_by_baseline, IPSIM_GRADES);
    put_int_array(f, "first_infections_by_baseline_grade", s->first_infection,
                  months * IPSIM_GRADES);
    put_int_array(f, "occupancy_patients", s->occupancy, months * IPSIM_STATES);
    put_int_array(f, "person_months_by_grade", person_months, IPSIM_GRADES);
    put_int_array(f, "episodes_by_grade_and_type", &s->episodes[0][0],
                  IPSIM_GRADES * IPSIM_INFECTION_TYPES);
    put_int_array(f, "serious_episodes_by_grade", s->serious, IPSIM_GRADES);
    /* As in the file: the causes only; the survivors are "alive_at_horizon". */
    put_int_array(f, "deaths_by_cause", s->deaths + IPSIM_DEATH_BACKGROUND,
                  IPSIM_DEATH_CAUSES - IPSIM_DEATH_BACKGROUND);
    put_int_array(f, "on_ivig", s->on_ivig, months);
    put_int_array(f, "episodes_prevented_by_type", s->prevented, IPSIM_INFECTION_TYPES);
    fprintf(f, ",\n\"alive_at_horizon\":%lld", (long long)s->deaths[IPSIM_ALIVE]);
    fprintf(f, ",\n\"vaccine_doses\":%lld,\"ivig_patients\":%lld,\"ivig_patient_months\":%lld,"
               "\"ivig_milligrams\":%lld",
            (long long)s->module_sums[s->shape.vaccine_doses_column], (long long)s->ivig_patients,
            (long long)ipsim_summary_ivig_patient_months(s), (long long)s->ivig_milligrams);
    put_int_array(f, "sum_fixed_point", s->economic_sums, IPSIM_ECONOMIC_OUTCOMES);
    put_real_array(f, "economic_unit", ipsim_economic_unit, IPSIM_ECONOMIC_OUTCOMES);
    put_cumulative_infection(f, s, scratch, scratch + months * IPSIM_GRADES,
                             scratch + 2 * months * IPSIM_GRADES);
    put_rates(f, s);
}

const char *ipsim_explorer_json(ipsim_explorer *x)
{
    if (x->err.code)
        return NULL;
    const ipsim_summary *s = x->total;
    const int64_t months = s->shape.months;
    free(x->json);
    x->json = NULL;
    size_t size = 0;
    double *scratch = malloc(3 * (size_t)months * IPSIM_GRADES * sizeof *scratch);
    FILE *f = scratch ? open_memstream(&x->json, &size) : NULL;
    if (!f) {
        free(scratch);
        keep_error(x, IPSIM_FAIL(&x->err, IPSIM_ENOMEM, "cannot allocate the JSON summary"));
        return NULL;
    }
    fprintf(f, "{\"scenario\":\"%s\",\"seed\":%llu,\"done\":", x->params.name,
            (unsigned long long)x->params.seed);
    put_real(f, ipsim_explorer_done(x));
    fprintf(f, ",\n\"patients\":%lld,\"replicates\":%lld,\"months\":%lld,\"cycle_months\":%lld",
            (long long)s->patients, (long long)x->params.cohort.replicates, (long long)months,
            (long long)s->shape.cycle_months);
    put_names(f, "states", ipsim_state_names, IPSIM_STATES);
    put_names(f, "infection_types", ipsim_infection_type_names, IPSIM_INFECTION_TYPES);
    put_names(f, "death_causes", ipsim_death_cause_names + IPSIM_DEATH_BACKGROUND,
              IPSIM_DEATH_CAUSES - IPSIM_DEATH_BACKGROUND);
    put_names(f, "economic_outcomes", ipsim_economic_names, IPSIM_ECONOMIC_OUTCOMES);
    put_summary(f, s, scratch);
    fputs("}\n", f);
    free(scratch);
    if (fclose(f)) {
        free(x->json);
        x->json = NULL;
        keep_error(x, IPSIM_FAIL(&x->err, IPSIM_ENOMEM, "cannot write the JSON summary"));
    }
    return x->json;
}

const char *ipsim_explorer_resolved_yaml(ipsim_explorer *x)
{
    if (x->err.code)
        return NULL;
    free(x->resolved_yaml);
    x->resolved_yaml = NULL;
    if (keep_error(x, ipsim_params_to_yaml(&x->params, &x->resolved_yaml, &x->err)))
        return NULL;
    return x->resolved_yaml;
}
