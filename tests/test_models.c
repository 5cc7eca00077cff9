/* tests/test_models.c: the clinical modules on crafted uniforms, where
 * every outcome is known exactly. (Their statistics over whole cohorts are
 * in test_cohort.c.) */
#include "test_support.h"

#include <gsl/gsl_cdf.h>

#include "models/categorical.h"
#include "models/grades.h"
#include "models/infections.h"
#include "models/mortality.h"
#include "models/patient.h"

static void categorical_inversion_boundaries(void **state)
{
    (void)state;
    const double w[4] = {0.2, 0.0, 0.5, 0.3};
    double cum[4];
    ipsim_categorical_build(cum, w, 4);
    assert_true(cum[3] == 1.0);
    assert_int_equal(ipsim_categorical_draw(cum, 4, 0.0), 0);
    assert_int_equal(ipsim_categorical_draw(cum, 4, nextafter(0.2, 0)), 0);
    assert_int_equal(ipsim_categorical_draw(cum, 4, 0.2), 2); /* weight 0 is never drawn */
    assert_int_equal(ipsim_categorical_draw(cum, 4, 0.69), 2);
    assert_int_equal(ipsim_categorical_draw(cum, 4, 0.71), 3);
    assert_int_equal(ipsim_categorical_draw(cum, 4, nextafter(1.0, 0)), 3);
    /* Unnormalised weights (within the loader's tolerance) are normalised. */
    const double w2[2] = {1.0, 3.0};
    ipsim_categorical_build(cum, w2, 2);
    assert_true(cum[0] == 0.25);
}

/* A 3-month cycle uses P^3 of the monthly matrix, computed here by hand. */
static void grade_step_matrix_is_the_monthly_matrix_to_the_cycle_power(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=3",
                               "grades.transition_matrix=[[0.91, 0.09, 0, 0, 0], "
                               "[0.13, 0.8, 0.07, 0, 0], [0, 0.11, 0.83, 0.06, 0], "
                               "[0, 0, 0.17, 0.71, 0.12], [0.05, 0, 0, 0.21, 0.74]]",
                               NULL};
    ipsim_params p = test_params(overrides);
    ipsim_grades g;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_grades_init(&g, &p, &err), IPSIM_OK);
    double p2[5][5] = {{0}}, p3[5][5] = {{0}};
    const double(*m)[5] = (const double(*)[5])p.grades.transition_matrix;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            for (int k = 0; k < 5; k++)
                p2[i][j] += m[i][k] * m[k][j];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            for (int k = 0; k < 5; k++)
                p3[i][j] += p2[i][k] * m[k][j];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            assert_true(fabs(g.step_matrix[i][j] - p3[i][j]) < 1e-15);
    /* Inversion on the cumulative row. */
    double below = nextafter(g.step_cum[3][1], 0);
    assert_int_equal(ipsim_grades_step(&g, 3, below), 1);
    assert_int_equal(ipsim_grades_step(&g, 3, g.step_cum[3][1]), 2);

    g.transitions = 0;
    for (int grade = 0; grade < 5; grade++)
        assert_int_equal(ipsim_grades_step(&g, grade, 0.999), grade);
}

/* Episode counts: P(N <= k) of a Poisson with mean -ln(1-p)/W * cycle. */
static void episode_table_is_the_poisson_cdf(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=2", "infection.window_months=10",
                               "cohort.horizon_months=20",
                               "infection.share_within_window=[0.05, 0.3, 0.6, 0.9, 0.99]",
                               NULL};
    ipsim_params p = test_params(overrides);
    ipsim_infections inf;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_infections_init(&inf, &p, &err), IPSIM_OK);
    for (int g = 0; g < 5; g++) {
        double mean = -log(1 - p.infection.share_within_window[g]) / 10.0 * 2.0;
        assert_true(fabs(inf.mean_per_cycle[g] - mean) < 1e-15);
        assert_true(fabs(inf.count_cum[g][0] - exp(-mean)) < 1e-15);
        for (int k = 0; k + 1 < inf.count_categories[g]; k++)
            assert_true(fabs(inf.count_cum[g][k] - gsl_cdf_poisson_P((unsigned)k, mean)) < 1e-14);
        assert_true(inf.count_cum[g][inf.count_categories[g] - 1] == 1.0);
        assert_int_equal(ipsim_infections_count(&inf, g, nextafter(exp(-mean), 0)), 0);
        assert_int_equal(ipsim_infections_count(&inf, g, inf.count_cum[g][0]), 1);
    }
    assert_int_equal(ipsim_infections_type(&inf, 0.652), IPSIM_INFECTION_BACTERIAL);
    assert_int_equal(ipsim_infections_type(&inf, 0.654), IPSIM_INFECTION_VIRAL);
    assert_int_equal(ipsim_infections_type(&inf, 0.94), IPSIM_INFECTION_FUNGAL);
    assert_true(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, 0.39));
    assert_false(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, 0.3915));
}

/* More episodes per cycle than a uint8 holds cannot be simulated faithfully.
 * The loader's limits (window a multiple of the cycle, share < 1) keep the
 * mean below 37 per cycle; the module guards its own limit regardless, for
 * hazards that later modules multiply up. */
static void hazards_beyond_storable_counts_are_refused(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=12", "infection.window_months=12",
                               "infection.share_within_window=[0.05, 0.3, 0.6, 0.9, "
                               "0.99999999999999]",
                               NULL};
    ipsim_params p = test_params(overrides);
    ipsim_infections inf;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_infections_init(&inf, &p, &err), IPSIM_OK);
    assert_true(inf.count_cum[4][inf.count_categories[4] - 2] > 1 - 1e-12);
    p.infection.window_months = 1; /* bypasses the loader: 32 x 12 per cycle */
    assert_int_equal(ipsim_infections_init(&inf, &p, &err), IPSIM_EPARAM);
    assert_string_equal(err.key, "infection.share_within_window");
    assert_non_null(strstr(err.message, "very_severe"));
}

static void mortality_draws(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=3",
                               "mortality.background_monthly_probability=0.02",
                               "mortality.serious_infection_case_fatality=0.25", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_mortality m;
    ipsim_mortality_init(&m, &p);
    double q3 = 1 - pow(0.98, 3);
    assert_true(fabs(m.background_per_cycle - q3) < 1e-15);
    double q = m.background_per_cycle;
    assert_int_equal(ipsim_mortality_draw(&m, 0, 0.0, q), IPSIM_ALIVE);
    assert_int_equal(ipsim_mortality_draw(&m, 0, 0.999, nextafter(q, 0)),
                     IPSIM_DEATH_BACKGROUND);
    /* Two serious episodes: survive both with probability 0.75^2 = 0.5625. */
    assert_int_equal(ipsim_mortality_draw(&m, 2, 0.5624, 0.9), IPSIM_ALIVE);
    assert_int_equal(ipsim_mortality_draw(&m, 2, 0.5625, 0.9), IPSIM_DEATH_INFECTION);
    assert_int_equal(ipsim_mortality_draw(&m, 2, 0.9, 0.0), IPSIM_DEATH_INFECTION);
}

/* Rows and record of one patient when the outcome is certain. */
static void patient_rows_and_record(void **state)
{
    (void)state;
    const char *never[] = {"cohort.horizon_months=24", "grades.transitions=false",
                           "infection.share_within_window=[0, 0, 0, 0, 0]",
                           "mortality.background_monthly_probability=0", NULL};
    ipsim_params p = test_params(never);
    ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_OK);
    uint8_t grade[25], infections[25];
    ipsim_patient_record rec;
    ipsim_stream s = {5, 0};
    ipsim_patient_simulate(&m, s, 77, grade, infections, &rec);
    for (int c = 0; c <= 24; c++) {
        assert_int_equal(grade[c], rec.baseline_grade);
        assert_int_equal(infections[c], 0);
    }
    assert_int_equal(rec.death_month, -1);
    assert_int_equal(rec.first_infection_month, -1);
    assert_int_equal(rec.death_cause, IPSIM_ALIVE);

    /* Certain death in the first 2-month cycle: dead from month 2 on. */
    const char *doomed[] = {"cohort.horizon_months=24", "cohort.cycle_months=2",
                            "infection.window_months=12",
                            "mortality.background_monthly_probability=1", NULL};
    p = test_params(doomed);
    assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_OK);
    ipsim_patient_simulate(&m, s, 77, grade, infections, &rec);
    assert_int_equal(m.cycles, 12);
    assert_true(grade[0] < IPSIM_GRADES);
    for (int c = 1; c <= 12; c++)
        assert_int_equal(grade[c], IPSIM_STATE_DEAD);
    assert_int_equal(rec.death_month, 2);
    assert_true(rec.death_cause == IPSIM_DEATH_BACKGROUND ||
                rec.death_cause == IPSIM_DEATH_INFECTION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(categorical_inversion_boundaries),
        cmocka_unit_test(grade_step_matrix_is_the_monthly_matrix_to_the_cycle_power),
        cmocka_unit_test(episode_table_is_the_poisson_cdf),
        cmocka_unit_test(hazards_beyond_storable_counts_are_refused),
        cmocka_unit_test(mortality_draws),
        cmocka_unit_test(patient_rows_and_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
