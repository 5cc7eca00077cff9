/* tests/test_summary.c: tallies and the figures derived from them. */
#include "test_support.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "analysis/validate.h"
#include "output/intervals.h"
#include "output/summary.h"

/* A summary of one 12-month cycle with `k` episodes in 100 patient-years of
 * mild IP, so the rate per 100 patient-years is k itself. */
static ipsim_summary *summary_with(int64_t k, int serious)
{
    ipsim_summary *s = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    const ipsim_summary_shape shape = {.months = 2, .cycle_months = 12, .window_months = 12,
                                       .induction_end_row = 1, .recovery_row = -1};
    assert_int_equal(ipsim_summary_create_for(&s, &shape, &err), IPSIM_OK);
    s->occupancy[0 * IPSIM_STATES + IPSIM_GRADE_MILD] = 100;
    s->occupancy[1 * IPSIM_STATES + IPSIM_GRADE_MILD] = 100; /* the horizon: not counted */
    if (serious)
        s->serious[IPSIM_GRADE_MILD] = k;
    else
        s->episodes[IPSIM_GRADE_MILD][IPSIM_INFECTION_VIRAL] = k;
    return s;
}

static void person_months_come_from_occupancy(void **state)
{
    (void)state;
    ipsim_summary *s = summary_with(0, 0);
    assert_int_equal(ipsim_summary_person_months(s, IPSIM_GRADE_MILD), 1200);
    assert_int_equal(ipsim_summary_person_months(s, IPSIM_GRADE_SEVERE), 0);
    ipsim_summary_free(s);
}

/* Garwood's exact intervals, as tabulated (e.g. Ulm, Am J Epidemiol
 * 1990;131:373): k = 0: (0, 3.689); 1: (0.0253, 5.572); 10: (4.795, 18.39).
 * For large k (Byar's approximation), the interval must bracket k and be
 * close to the normal one. */
static void episode_rates_have_exact_poisson_intervals(void **state)
{
    (void)state;
    const struct {
        int64_t k;
        double low, high;
    } table[] = {{0, 0, 3.6889}, {1, 0.0253, 5.5716}, {10, 4.7954, 18.3904}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        for (int serious = 0; serious < 2; serious++) {
            ipsim_summary *s = summary_with(table[i].k, serious);
            double rate, low, high;
            assert_int_equal(ipsim_summary_episode_rate(s, IPSIM_GRADE_MILD, serious, &rate,
                                                        &low, &high),
                             table[i].k);
            assert_true(rate == (double)table[i].k);
            assert_true(fabs(low - table[i].low) < 1e-3);
            assert_true(fabs(high - table[i].high) < 1e-3);
            ipsim_summary_free(s);
        }
    }
}

/* Above 100 the bounds come from Byar's approximation, accurate to a few
 * parts in 10^5 (Breslow & Day): check it against GSL's exact gamma
 * quantiles where those still converge. */
static void large_count_intervals_match_the_exact_ones(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    for (int64_t k = 101; k <= 8181; k *= 3) {
        double low, high;
        ipsim_interval_count(k, &low, &high);
        double exact_low = gsl_cdf_gamma_Pinv(0.025, (double)k, 1.0);
        double exact_high = gsl_cdf_gamma_Pinv(0.975, (double)k + 1, 1.0);
        assert_true(fabs(low - exact_low) < 5e-5 * exact_low);
        assert_true(fabs(high - exact_high) < 5e-5 * exact_high);
    }
}

/* Log-scale rate-ratio interval: 100 events in 2 units against 40 in 1.6. */
static void rate_ratio_interval(void **state)
{
    (void)state;
    double ratio, low, high;
    ipsim_interval_rate_ratio(100, 2.0, 40, 1.6, &ratio, &low, &high);
    double half = 1.959963984540054 * sqrt(1.0 / 100 + 1.0 / 40);
    assert_true(fabs(ratio - 2.0) < 1e-15);
    assert_true(fabs(low - 2.0 * exp(-half)) < 1e-12 && fabs(high - 2.0 * exp(half)) < 1e-12);
    ipsim_interval_rate_ratio(0, 2.0, 40, 1.6, &ratio, &low, &high);
    assert_true(ratio == 0 && isnan(low) && isnan(high));
}

/* The row whose quantity begins with `prefix`. */
static const ipsim_validation_row *row_named(const ipsim_validation *v, const char *prefix)
{
    for (int i = 0; i < v->count; i++)
        if (strncmp(v->rows[i].quantity, prefix, strlen(prefix)) == 0)
            return &v->rows[i];
    fail_msg("no validation row '%s'", prefix);
    return NULL;
}

/* The validation table from known tallies. */
static void validation_rows_from_known_counts(void **state)
{
    (void)state;
    ipsim_params p = test_params(NULL);
    ipsim_summary *s = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    const ipsim_summary_shape shape = {.months = 61, .cycle_months = 1, .window_months = 12,
                                       .induction_end_row = 2, .recovery_row = 16};
    assert_int_equal(ipsim_summary_create_for(&s, &shape, &err), IPSIM_OK);
    /* 1000 mild patients, 182 of them infected: exactly the review's 18.2%. */
    s->patients_by_baseline[IPSIM_GRADE_MILD] = 1000;
    s->infected_in_window_by_baseline[IPSIM_GRADE_MILD] = 182;
    /* Moderate: 100 of 1000, far from 25.6%. */
    s->patients_by_baseline[IPSIM_GRADE_MODERATE] = 1000;
    s->infected_in_window_by_baseline[IPSIM_GRADE_MODERATE] = 100;
    /* Severe and very severe pooled: 389 of 1000. */
    s->patients_by_baseline[IPSIM_GRADE_SEVERE] = 600;
    s->infected_in_window_by_baseline[IPSIM_GRADE_SEVERE] = 233;
    s->patients_by_baseline[IPSIM_GRADE_VERY_SEVERE] = 400;
    s->infected_in_window_by_baseline[IPSIM_GRADE_VERY_SEVERE] = 156;
    s->episodes[IPSIM_GRADE_MILD][IPSIM_INFECTION_BACTERIAL] = 653;
    s->episodes[IPSIM_GRADE_MILD][IPSIM_INFECTION_VIRAL] = 286;
    s->episodes[IPSIM_GRADE_MILD][IPSIM_INFECTION_FUNGAL] = 61;
    /* The pathway: CR improved 625 of 1000 (62.5%), recovered with ASCT 375
     * of 1000 (37.5%), without 100 of 1000 (not 18.8%). */
    s->improvement_assessed[IPSIM_RESPONSE_CR] = 1000;
    s->improved[IPSIM_RESPONSE_CR] = 625;
    s->recovery_assessed[1] = 1000;
    s->recovered[1] = 375;
    s->recovery_assessed[0] = 1000;
    s->recovered[0] = 100;
    /* PFS, not improved: half progress at month 38, the rest at month 50,
     * so the median is 38 months; improved: 100 of 1000 by month 10. */
    s->pfs_event_row[38 * 2 + 0] = 500;
    s->pfs_event_row[50 * 2 + 0] = 500;
    s->pfs_event_row[10 * 2 + 1] = 100;
    s->pfs_event_row[61 * 2 + 1] = 900;
    /* Types at diagnosis: exactly the review's shares. */
    s->patients_by_type_and_grade[IPSIM_MYELOMA_IGG][IPSIM_GRADE_SEVERE] = 583;
    s->patients_by_type_and_grade[IPSIM_MYELOMA_IGG][IPSIM_GRADE_MILD] = 417;
    s->patients_by_type_and_grade[IPSIM_MYELOMA_IGA][IPSIM_GRADE_VERY_SEVERE] = 452;
    s->patients_by_type_and_grade[IPSIM_MYELOMA_IGA][IPSIM_GRADE_NONE] = 548;
    s->patients_by_type_and_grade[IPSIM_MYELOMA_LIGHT_CHAIN][IPSIM_GRADE_VERY_SEVERE] = 186;
    s->patients_by_type_and_grade[IPSIM_MYELOMA_LIGHT_CHAIN][IPSIM_GRADE_SEVERE] = 814;
    ipsim_validation *v = malloc(sizeof *v);
    assert_non_null(v);
    ipsim_validation_compute(s, &p, NULL, v);
    /* Without the expected-value model, a judged row is checked against its
     * source and, where the parameters give it exactly (an input share, the
     * grade mix), against that; z is the Sidak multiplier for them all. */
    int judged = 0;
    for (int i = 0; i < v->count; i++)
        if (v->rows[i].status != IPSIM_ROW_UNATTAINABLE && v->rows[i].status != IPSIM_ROW_CONTEXT)
            judged += !isnan(v->rows[i].target) + !isnan(v->rows[i].exact);
    assert_int_equal(v->checks, judged);
    assert_true(fabs(2 * gsl_cdf_ugaussian_Q(v->z) -
                     (1 - pow(IPSIM_VALIDATION_LEVEL, 1.0 / judged))) < 1e-12);
    const ipsim_validation_row *r = row_named(v, ">= 1 infection in 12 months, mild");
    assert_true(r->estimate == 0.182 && r->status == IPSIM_ROW_PASS);
    assert_true(r->low < 0.182 && r->high > 0.182);
    /* The interval is z standard errors wide each side. */
    assert_true(fabs((r->high - r->estimate) - v->z * r->se) < 1e-12);
    r = row_named(v, ">= 1 infection in 12 months, moderate");
    assert_true(r->estimate == 0.1 && r->status == IPSIM_ROW_FAIL);
    assert_non_null(strstr(r->note, "source"));
    assert_int_equal(row_named(v, ">= 1 infection in 12 months, whole")->status,
                     IPSIM_ROW_UNATTAINABLE);
    assert_int_equal(row_named(v, "IP improved after")->status, IPSIM_ROW_PASS);
    assert_int_equal(row_named(v, "full recovery at 12 months without")->status, IPSIM_ROW_FAIL);
    /* Median 38 months, within its interval. */
    r = row_named(v, "median PFS, IP not improved");
    assert_true(fabs(r->estimate - 38) < 1e-12 && r->status == IPSIM_ROW_PASS);
    /* 90% progression-free at 48 months: not below one half. */
    r = row_named(v, "PFS at 48 months, IP improved");
    assert_true(r->estimate == 0.9 && r->status == IPSIM_ROW_PASS);
    /* 25% moderate or worse here, where the review says 76.1%. */
    assert_int_equal(row_named(v, "moderate or worse IP at diagnosis")->status, IPSIM_ROW_FAIL);
    assert_int_equal(row_named(v, "severe or worse IP, IgG")->status, IPSIM_ROW_PASS);
    FILE *sink = fopen("/dev/null", "w");
    assert_int_equal(ipsim_validation_print(sink, v), v->failed);
    /* An exact model that disagrees with the estimate fails the row even
     * where the source agrees: the engine must match its own model. */
    ipsim_expected e;
    memset(&e, 0, sizeof e);
    for (int g = 0; g < IPSIM_GRADES; g++)
        e.window_share[g] = 0.25;
    e.window_share_severe_or_worse = e.window_share_all = e.serious_rate_ratio = NAN;
    e.cr_improved = e.cr_recovered[0] = e.cr_recovered[1] = NAN;
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        e.severe_or_worse_by_type[t] = e.very_severe_by_type[t] = NAN;
    e.early_infection_or_death = e.neutropenic_serious = NAN;
    e.rows = 1;
    e.cycle_months = 1;
    double nan_row[1] = {NAN};
    for (int k = 0; k < IPSIM_CURVES; k++)
        e.curve[k] = nan_row;
    ipsim_validation_compute(s, &p, &e, v);
    r = row_named(v, ">= 1 infection in 12 months, mild");
    assert_int_equal(r->status, IPSIM_ROW_FAIL);
    assert_non_null(strstr(r->note, "exact model"));
    /* Without a group, the median is not estimable, and fails. */
    memset(s->pfs_event_row, 0, 62 * 2 * sizeof *s->pfs_event_row);
    ipsim_validation_compute(s, &p, NULL, v);
    r = row_named(v, "median PFS, IP not improved");
    assert_int_equal(r->status, IPSIM_ROW_FAIL);
    assert_non_null(strstr(r->note, "not estimable"));
    fclose(sink);
    free(v);
    ipsim_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(person_months_come_from_occupancy),
        cmocka_unit_test(episode_rates_have_exact_poisson_intervals),
        cmocka_unit_test(large_count_intervals_match_the_exact_ones),
        cmocka_unit_test(rate_ratio_interval),
        cmocka_unit_test(validation_rows_from_known_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
