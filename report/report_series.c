/* report/report_series.c: the per-replicate summary tables reduced to the
 * curves `ipsim report` draws. */
#include "report/report_series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/intervals.h"
#include "params/psa.h"

/* The summary tables read, as doubles: counts are exact up to 2^53. */
typedef struct tables {
    double *occupancy;   /* [R][rows][IPSIM_STATES], shares */
    double *baseline;    /* [R][IPSIM_GRADES] */
    double *first;       /* [R][rows][IPSIM_GRADES] */
    double *person_months; /* [R][IPSIM_GRADES] */
    double *episodes;    /* [R][IPSIM_GRADES][IPSIM_INFECTION_TYPES] */
    double *serious;     /* [R][IPSIM_GRADES] */
    double *on_ivig;     /* [R][rows] */
    double *phases;      /* [R][rows][IPSIM_PHASE_STATES], counts; the last: dead */
    double *levels;      /* [R][rows][IPSIM_IG_CLASSES], mean g/L */
    double *igg_with_ivig; /* [R][rows], mean g/L */
    double *band_months;   /* [R][IPSIM_IGG_BANDS][2] */
    double *band_episodes; /* [R][IPSIM_IGG_BANDS][2] */
} tables;

static void tables_free(tables *t)
{
    free(t->occupancy);
    free(t->baseline);
    free(t->first);
    free(t->person_months);
    free(t->episodes);
    free(t->serious);
    free(t->on_ivig);
    free(t->phases);
    free(t->levels);
    free(t->igg_with_ivig);
    free(t->band_months);
    free(t->band_episodes);
}

static int read_tables(tables *t, ipsim_h5_reader *r, int64_t R, int64_t rows, ipsim_error *err)
{
    const struct {
        const char *name;
        double **buf;
        int64_t width;
    } table[] = {
        {"summary/occupancy", &t->occupancy, rows * IPSIM_STATES},
        {"summary/patients_by_baseline_grade", &t->baseline, IPSIM_GRADES},
        {"summary/first_infections_by_baseline_grade", &t->first, rows * IPSIM_GRADES},
        {"summary/person_months_by_grade", &t->person_months, IPSIM_GRADES},
        {"summary/episodes_by_grade_and_type", &t->episodes, IPSIM_GRADES * IPSIM_INFECTION_TYPES},
        {"summary/serious_episodes_by_grade", &t->serious, IPSIM_GRADES},
        {"summary/on_ivig", &t->on_ivig, rows},
        {"summary/phase_occupancy", &t->phases, rows * IPSIM_PHASE_STATES},
        {"summary/mean_level_by_month", &t->levels, rows * IPSIM_IG_CLASSES},
        {"summary/mean_igg_with_ivig_by_month", &t->igg_with_ivig, rows},
        {"summary/igg_band_months", &t->band_months, IPSIM_IGG_BANDS * 2},
        {"summary/igg_band_episodes", &t->band_episodes, IPSIM_IGG_BANDS * 2},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        *table[i].buf = malloc((size_t)(R * table[i].width) * sizeof(double));
        if (!*table[i].buf)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading %s", table[i].name);
        int rc = ipsim_h5_reader_read_replicate_table(r, table[i].name, table[i].width,
                                                      *table[i].buf, err);
        if (rc)
            return rc;
    }
    return IPSIM_OK;
}

/* An estimate from per-replicate values x[r * stride] (PSA: their mean and
 * 2.5% and 97.5% points; NaN values, where a draw had nothing to estimate
 * from, are left out). */
static ipsim_estimate across_draws(const double *x, int64_t R, int64_t stride, double *scratch)
{
    double sum = 0;
    int64_t n = 0;
    for (int64_t r = 0; r < R; r++)
        if (isfinite(x[r * stride])) {
            sum += x[r * stride];
            n++;
        }
    if (n == 0)
        return (ipsim_estimate){NAN, NAN, NAN};
    return (ipsim_estimate){sum / (double)n, ipsim_quantile(x, R, stride, 0.025, scratch),
                            ipsim_quantile(x, R, stride, 0.975, scratch)};
}

static ipsim_estimate pooled_share(double k, double n, double scale)
{
    if (n <= 0)
        return (ipsim_estimate){NAN, NAN, NAN};
    double low, high;
    ipsim_interval_share((int64_t)k, (int64_t)n, &low, &high);
    return (ipsim_estimate){scale * k / n, scale * low, scale * high};
}

/* Episodes per 100 patient-years from a count over months lived. */
static ipsim_estimate pooled_rate(double episodes, double person_months)
{
    if (person_months <= 0)
        return (ipsim_estimate){NAN, NAN, NAN};
    double low, high, per = 1200.0 / person_months;
    ipsim_interval_count((int64_t)episodes, &low, &high);
    return (ipsim_estimate){episodes * per, low * per, high * per};
}

/* Patients alive in the cycle starting at a row of replicate r: a count
 * (phase_occupancy's dead column is the dead of occupancy, as a count). */
static double alive(const tables *t, int64_t r, int64_t rows, int64_t row, int64_t patients)
{
    return (double)patients -
           t->phases[(r * rows + row) * IPSIM_PHASE_STATES + IPSIM_PHASE_STATES - 1];
}

/* The immune state's curves: mean levels over the living (pooled, or
 * across PSA draws), and the rates by IgG band. */
static void reduce_levels(ipsim_report_series *s, const tables *t, double *value,
                          double *scratch)
{
    const int64_t R = s->replicates, rows = s->rows, N = s->patients;
    for (int64_t m = 0; m < rows; m++)
        for (int with_ivig = 0; with_ivig < 2; with_ivig++) {
            double sum = 0, living = 0;
            for (int64_t r = 0; r < R; r++) {
                const double a = alive(t, r, rows, m, N);
                value[r] = with_ivig ? t->igg_with_ivig[r * rows + m]
                                     : t->levels[(r * rows + m) * IPSIM_IG_CLASSES + IPSIM_IGG];
                if (a > 0 && isfinite(value[r])) {
                    sum += value[r] * a;
                    living += a;
                }
            }
            ipsim_estimate *e = with_ivig ? &s->igg_with_ivig[m] : &s->igg_own[m];
            *e = s->across_draws ? across_draws(value, R, 1, scratch)
                 : living > 0    ? (ipsim_estimate){sum / living, NAN, NAN}
                                 : (ipsim_estimate){NAN, NAN, NAN};
        }
    for (int b = 0; b < IPSIM_IGG_BANDS; b++)
        for (int on = 0; on < 2; on++) {
            double episodes = 0, months = 0;
            for (int64_t r = 0; r < R; r++) {
                const double e = t->band_episodes[(r * IPSIM_IGG_BANDS + b) * 2 + on];
                const double pm = t->band_months[(r * IPSIM_IGG_BANDS + b) * 2 + on];
                value[r] = pm > 0 ? 1200.0 * e / pm : NAN;
                episodes += e;
                months += pm;
            }
            s->igg_years[b][on] = months / 12.0;
            s->igg_rate[b][on] = s->across_draws ? across_draws(value, R, 1, scratch)
                                                 : pooled_rate(episodes, months);
        }
}

static void reduce(ipsim_report_series *s, const tables *t, double *value, double *scratch)
{
    const int64_t R = s->replicates, rows = s->rows, N = s->patients;
    for (int64_t m = 0; m < rows; m++)
        for (int k = 0; k < IPSIM_STATES; k++) {
            double sum = 0;
            for (int64_t r = 0; r < R; r++)
                sum += t->occupancy[(r * rows + m) * IPSIM_STATES + k];
            s->occupancy[m * IPSIM_STATES + k] = sum / (double)R;
        }

    for (int g = 0; g < IPSIM_GRADES; g++) {
        /* value[r]: patients of replicate r with >= 1 episode before row m
         * (first episodes in the cycles starting at rows 0 .. m-1). */
        double pooled_n = 0;
        for (int64_t r = 0; r < R; r++) {
            value[r] = 0;
            pooled_n += t->baseline[r * IPSIM_GRADES + g];
        }
        s->baseline[g] = (int64_t)pooled_n;
        for (int64_t m = 0; m < rows; m++) {
            double pooled_k = 0;
            for (int64_t r = 0; r < R; r++) {
                if (m > 0)
                    value[r] += t->first[(r * rows + m - 1) * IPSIM_GRADES + g];
                pooled_k += value[r];
            }
            ipsim_estimate *e = &s->infected[g * rows + m];
            if (s->across_draws) {
                for (int64_t r = 0; r < R; r++) {
                    double n = t->baseline[r * IPSIM_GRADES + g];
                    value[R + r] = n > 0 ? value[r] / n : NAN;
                }
                *e = across_draws(value + R, R, 1, scratch);
            } else {
                *e = pooled_share(pooled_k, pooled_n, 1);
            }
        }
    }

    for (int g = 0; g < IPSIM_GRADES; g++)
        for (int k = 0; k < IPSIM_RATE_KINDS; k++) {
            double episodes = 0, months = 0;
            for (int64_t r = 0; r < R; r++) {
                double e = k == IPSIM_RATE_SERIOUS
                               ? t->serious[r * IPSIM_GRADES + g]
                               : t->episodes[(r * IPSIM_GRADES + g) * IPSIM_INFECTION_TYPES + k];
                double pm = t->person_months[r * IPSIM_GRADES + g];
                value[r] = pm > 0 ? 1200.0 * e / pm : NAN;
                episodes += e;
                months += pm;
            }
            s->rate[g][k] = s->across_draws ? across_draws(value, R, 1, scratch)
                                            : pooled_rate(episodes, months);
        }

    for (int64_t m = 0; m + 1 < rows; m++) {
        double on = 0, living = 0;
        for (int64_t r = 0; r < R; r++) {
            double a = alive(t, r, rows, m, N);
            value[r] = a > 0 ? 100.0 * t->on_ivig[r * rows + m] / a : NAN;
            on += t->on_ivig[r * rows + m];
            living += a;
        }
        s->on_ivig[m] = s->across_draws ? across_draws(value, R, 1, scratch)
                                        : pooled_share(on, living, 100);
    }
    reduce_levels(s, t, value, scratch);
}

int ipsim_report_series_read(ipsim_report_series *out, ipsim_h5_reader *r, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    const ipsim_params *p = ipsim_h5_reader_params(r);
    const ipsim_summary_shape shape = ipsim_summary_shape_of(p);
    snprintf(out->name, sizeof out->name, "%s", p->name);
    out->replicates = p->cohort.replicates;
    out->patients = p->cohort.patients;
    out->rows = shape.months;
    out->across_draws = p->psa.sample && ipsim_psa_dimension(p) > 0 && out->replicates >= 2;
    const int64_t R = out->replicates, rows = out->rows;

    tables t = {0};
    double *value = NULL, *scratch = NULL;
    int rc = IPSIM_OK;
    out->month = malloc((size_t)rows * sizeof *out->month);
    out->occupancy = malloc((size_t)(rows * IPSIM_STATES) * sizeof *out->occupancy);
    out->infected = malloc((size_t)(rows * IPSIM_GRADES) * sizeof *out->infected);
    out->on_ivig = malloc((size_t)rows * sizeof *out->on_ivig);
    out->igg_own = malloc((size_t)rows * sizeof *out->igg_own);
    out->igg_with_ivig = malloc((size_t)rows * sizeof *out->igg_with_ivig);
    out->levels = p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
    value = malloc((size_t)(2 * R) * sizeof *value);
    scratch = malloc((size_t)R * sizeof *scratch);
    if (!out->month || !out->occupancy || !out->infected || !out->on_ivig || !out->igg_own ||
        !out->igg_with_ivig || !value || !scratch) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading '%s' for the report",
                        p->name);
        goto cleanup;
    }
    rc = read_tables(&t, r, R, rows, err);
    if (rc)
        goto cleanup;
    for (int64_t m = 0; m < rows; m++)
        out->month[m] = (double)(m * shape.cycle_months);
    out->on_ivig[rows - 1] = (ipsim_estimate){NAN, NAN, NAN};
    reduce(out, &t, value, scratch);

cleanup:
    tables_free(&t);
    free(value);
    free(scratch);
    if (rc)
        ipsim_report_series_free(out);
    return rc;
}

void ipsim_report_series_free(ipsim_report_series *s)
{
    free(s->month);
    free(s->occupancy);
    free(s->infected);
    free(s->on_ivig);
    free(s->igg_own);
    free(s->igg_with_ivig);
    memset(s, 0, sizeof *s);
}
