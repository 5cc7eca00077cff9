/* analysis/paired.c: paired and independent differences between runs. */
#include "analysis/paired.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/mortality.h"

const char *const ipsim_outcome_names[IPSIM_OUTCOMES] = {
    "infections", "serious infections", "deaths", "infection deaths", "IVIG grams",
    "cost (discounted)", "QALYs (discounted)", "life-years (discounted)"};
const char *const ipsim_outcome_keys[IPSIM_OUTCOMES] = {
    "infections", "serious_infections", "deaths", "infection_deaths", "ivig_grams",
    "cost_discounted", "qalys_discounted", "life_years_discounted"};

/* Patients read at a time: bounded memory whatever the cohort size. */
enum { CHUNK = 65536 };

bool ipsim_paired_possible(const ipsim_params *a, const ipsim_params *b)
{
    return a->seed == b->seed && a->cohort.patients == b->cohort.patients &&
           a->cohort.replicates == b->cohort.replicates &&
           a->cohort.horizon_months == b->cohort.horizon_months &&
           a->cohort.cycle_months == b->cohort.cycle_months;
}

/* Buffers for CHUNK patients' columns, read as doubles; and the row of the
 * IVIG module's grams (models/ivig.h), looked up once. */
typedef struct columns {
    double *by_type; /* [CHUNK][3] */
    double *serious, *death_month, *grams, *cost, *qalys, *life_years, *death_cause;
    ipsim_column ivig_grams;
} columns;

static int read_outcomes(ipsim_h5_reader *r, int64_t replicate, int64_t first, int64_t count,
                         columns *c, double (*values)[IPSIM_OUTCOMES], ipsim_error *err)
{
    const struct {
        const ipsim_column *column;
        double *buffer;
    } reads[] = {
        {&ipsim_patient_columns[IPSIM_COLUMN_INFECTIONS_BY_TYPE], c->by_type},
        {&ipsim_patient_columns[IPSIM_COLUMN_SERIOUS_INFECTIONS], c->serious},
        {&ipsim_patient_columns[IPSIM_COLUMN_DEATH_MONTH], c->death_month},
        {&ipsim_patient_columns[IPSIM_COLUMN_DEATH_CAUSE], c->death_cause},
        {&c->ivig_grams, c->grams},
        {&ipsim_patient_columns[IPSIM_COLUMN_ECONOMIC_FIRST + IPSIM_ECONOMIC_COST_DISCOUNTED],
         c->cost},
        {&ipsim_patient_columns[IPSIM_COLUMN_ECONOMIC_FIRST + IPSIM_ECONOMIC_QALYS_DISCOUNTED],
         c->qalys},
        {&ipsim_patient_columns[IPSIM_COLUMN_ECONOMIC_FIRST +
                                IPSIM_ECONOMIC_LIFE_YEARS_DISCOUNTED],
         c->life_years},
    };
    int rc = IPSIM_OK;
    for (size_t k = 0; k < sizeof reads / sizeof reads[0] && !rc; k++)
        rc = ipsim_h5_reader_read_column(r, reads[k].column, replicate, first, count,
                                         reads[k].buffer, err);
    for (int64_t i = 0; !rc && i < count; i++) {
        const double *t = c->by_type + IPSIM_INFECTION_TYPES * i;
        values[i][IPSIM_OUTCOME_INFECTIONS] = t[0] + t[1] + t[2];
        values[i][IPSIM_OUTCOME_SERIOUS] = c->serious[i];
        values[i][IPSIM_OUTCOME_DEATH] = c->death_month[i] >= 0;
        values[i][IPSIM_OUTCOME_INFECTION_DEATH] = c->death_cause[i] == IPSIM_DEATH_INFECTION;
        values[i][IPSIM_OUTCOME_IVIG_GRAMS] = c->grams[i];
        values[i][IPSIM_OUTCOME_COST] = c->cost[i];
        values[i][IPSIM_OUTCOME_QALYS] = c->qalys[i];
        values[i][IPSIM_OUTCOME_LIFE_YEARS] = c->life_years[i];
    }
    return rc;
}

static void add(double *sum, double *sum2, double x)
{
    *sum += x;
    *sum2 += x * x;
}

int ipsim_paired_compare(ipsim_h5_reader *a, ipsim_h5_reader *b, ipsim_difference *out,
                         bool *paired, const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    memset(out, 0, IPSIM_OUTCOMES * sizeof *out);
    const ipsim_params *pa = ipsim_h5_reader_params(a), *pb = ipsim_h5_reader_params(b);
    *paired = ipsim_paired_possible(pa, pb);
    /* One allocation for the columns: by type (3 each), then seven. */
    double *doubles = malloc(CHUNK * (IPSIM_INFECTION_TYPES + 7) * sizeof *doubles);
    columns c = {0};
    ipsim_modules registered;
    ipsim_modules_declare(&registered, ipsim_registered_modules);
    const int grams = ipsim_modules_column_index(ipsim_registered_modules, "ivig_grams");
    if (grams < 0) {
        free(doubles);
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "no registered module gives ivig_grams");
    }
    c.ivig_grams = ipsim_column_of_module(&registered, grams);
    if (doubles) {
        c.by_type = doubles;
        c.serious = doubles + CHUNK * IPSIM_INFECTION_TYPES;
        c.death_month = c.serious + CHUNK;
        c.grams = c.death_month + CHUNK;
        c.cost = c.grams + CHUNK;
        c.qalys = c.cost + CHUNK;
        c.life_years = c.qalys + CHUNK;
        c.death_cause = c.life_years + CHUNK;
    }
    double(*va)[IPSIM_OUTCOMES] = malloc(CHUNK * sizeof *va);
    double(*vb)[IPSIM_OUTCOMES] = malloc(CHUNK * sizeof *vb);
    int rc = IPSIM_OK;
    if (!doubles || !va || !vb) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the comparison buffers");
        goto cleanup;
    }
    /* Each run in patient order; when paired, both at once. */
    for (int run = 0; run < (*paired ? 1 : 2) && !rc; run++) {
        const ipsim_params *p = run ? pb : pa;
        for (int64_t r = 0; r < p->cohort.replicates && !rc; r++) {
            for (int64_t first = 0; first < p->cohort.patients && !rc; first += CHUNK) {
                int64_t count = p->cohort.patients - first < CHUNK ? p->cohort.patients - first
                                                                   : CHUNK;
                rc = ipsim_error_cancelled(cancel, err, "while reading the runs");
                if (!rc && (*paired || run == 0))
                    rc = read_outcomes(a, r, first, count, &c, va, err);
                /* A run against itself (a sweep point's own figures) is
                 * read once. */
                if (!rc && (*paired || run == 1) && b == a)
                    memcpy(vb, va, (size_t)count * sizeof *va);
                else if (!rc && (*paired || run == 1))
                    rc = read_outcomes(b, r, first, count, &c, vb, err);
                for (int64_t i = 0; !rc && i < count; i++) {
                    for (int o = 0; o < IPSIM_OUTCOMES; o++) {
                        ipsim_difference *d = &out[o];
                        if (*paired || run == 0) {
                            add(&d->sum_a, &d->sum_a2, va[i][o]);
                            d->n_a++;
                        }
                        if (*paired || run == 1) {
                            add(&d->sum_b, &d->sum_b2, vb[i][o]);
                            d->n_b++;
                        }
                        if (*paired)
                            add(&d->sum_d, &d->sum_d2, vb[i][o] - va[i][o]);
                    }
                }
            }
        }
    }
cleanup:
    free(doubles);
    free(va);
    free(vb);
    return rc;
}

/* Variance of the mean of n values from their sum and sum of squares. */
static double variance_of_mean(double sum, double sum2, int64_t n)
{
    if (n < 2)
        return NAN;
    double mean = sum / (double)n;
    double var = (sum2 - (double)n * mean * mean) / (double)(n - 1);
    return (var > 0 ? var : 0) / (double)n;
}

void ipsim_sample_mean(double sum, double sum2, int64_t n, double *mean, double *se)
{
    *mean = sum / (double)n;
    *se = sqrt(variance_of_mean(sum, sum2, n));
}

void ipsim_difference_estimate(const ipsim_difference *d, bool paired, double *mean, double *se,
                               double *se_independent)
{
    *mean = d->sum_b / (double)d->n_b - d->sum_a / (double)d->n_a;
    *se_independent = sqrt(variance_of_mean(d->sum_a, d->sum_a2, d->n_a) +
                           variance_of_mean(d->sum_b, d->sum_b2, d->n_b));
    *se = paired ? sqrt(variance_of_mean(d->sum_d, d->sum_d2, d->n_a)) : *se_independent;
}
