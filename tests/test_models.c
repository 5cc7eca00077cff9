/* tests/test_models.c: the clinical modules on crafted uniforms, where
 * every outcome is known exactly. (Their statistics over whole cohorts are
 * in test_cohort.c.) */
#include "test_support.h"

#include <gsl/gsl_cdf.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "models/calibration.h"
#include "models/expected.h"
#include "models/immunoglobulins.h"
#include "models/categorical.h"
#include "models/diagnosis.h"
#include "models/grades.h"
#include "models/infections.h"
#include "models/ivig.h"
#include "models/mortality.h"
#include "params/life_table.h"
#include "models/patient.h"
#include "models/vaccination.h"
#include "output/summary.h"

/* The review's grade from the bands (models/immunoglobulins.h): counts of
 * low uninvolved classes, two in IgG- and IgA-type myeloma, three in
 * light-chain; and every level the model stores, at any position within
 * any band, lies in its band, so the grade recomputed from the stored
 * float32 levels is the model's. */
static void grade_from_levels(void **state)
{
    (void)state;
    /* Bands of IgG, IgA, IgM: 0-1 normal, 2-3 low, 4 very low, 5 undetectable. */
    static const struct {
        int type, igg, iga, igm, grade;
    } cases[] = {
        {IPSIM_MYELOMA_LIGHT_CHAIN, 0, 1, 0, IPSIM_GRADE_NONE},
        {IPSIM_MYELOMA_LIGHT_CHAIN, 2, 0, 1, IPSIM_GRADE_MILD},
        {IPSIM_MYELOMA_LIGHT_CHAIN, 3, 5, 0, IPSIM_GRADE_MODERATE}, /* two low, one normal */
        {IPSIM_MYELOMA_LIGHT_CHAIN, 2, 3, 3, IPSIM_GRADE_MODERATE}, /* three low, none < 50% */
        {IPSIM_MYELOMA_LIGHT_CHAIN, 2, 4, 3, IPSIM_GRADE_SEVERE},
        {IPSIM_MYELOMA_LIGHT_CHAIN, 5, 4, 2, IPSIM_GRADE_VERY_SEVERE},
        {IPSIM_MYELOMA_IGG, 5, 0, 2, IPSIM_GRADE_MILD},  /* IgG is the M-protein's: not counted */
        {IPSIM_MYELOMA_IGG, 0, 2, 3, IPSIM_GRADE_MODERATE},
        {IPSIM_MYELOMA_IGG, 0, 4, 2, IPSIM_GRADE_SEVERE},
        {IPSIM_MYELOMA_IGA, 2, 5, 5, IPSIM_GRADE_VERY_SEVERE}, /* IgA not counted */
        {IPSIM_MYELOMA_IGA, 1, 5, 0, IPSIM_GRADE_NONE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int st = 0;
        st = ipsim_ig_with_band(st, IPSIM_IGG, cases[k].igg);
        st = ipsim_ig_with_band(st, IPSIM_IGA, cases[k].iga);
        st = ipsim_ig_with_band(st, IPSIM_IGM, cases[k].igm);
        assert_int_equal(ipsim_ig_grade_of_bands(cases[k].type, st), cases[k].grade);
    }
    const char *overrides[] = {"grades.model=levels", NULL};
    ipsim_params p = test_params(overrides);
    static ipsim_immunoglobulins m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_immunoglobulins_init(&m, &p, &err), IPSIM_OK);
    static const double positions[] = {0, 1e-17, 0.25, 0.5, 0.999999999, 1 - 0x1p-53};
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int r = 0; r < IPSIM_RISS_STAGES; r++)
            for (int g = 0; g < IPSIM_GRADES; g++)
                for (int st = 0; st < IPSIM_IG_STATES; st++) {
                    if (m.grade_of[t][st] != g)
                        continue;
                    for (size_t k = 0; k < sizeof positions / sizeof positions[0]; k++) {
                        /* The first uniform picks a state; find one that picks st. */
                        double lo = st > 0 ? m.state_cum[t][r][g][st - 1] : 0;
                        if (!(m.state_cum[t][r][g][st] > lo))
                            continue;
                        const double u[4] = {lo, positions[k], positions[k], positions[k]};
                        ipsim_ig_state s;
                        ipsim_immunoglobulins_start(&m, t, r, g, u, &s);
                        assert_int_equal(s.state, st);
                        for (int c = 0; c < IPSIM_IG_CLASSES; c++)
                            assert_int_equal(ipsim_ig_band_of_level(&p, c, s.level[c]),
                                             ipsim_ig_band(st, c));
                        assert_int_equal(ipsim_ig_grade_of_levels(&p, t, s.level), g);
                    }
                }
}

/* Under infection.risk_by: igg the hazard's factor is 1 at the IgG lower
 * limit of normal, theta^-1 one g/L below it, and flat above the plateau;
 * under risk_by: grade it is 1 whatever the IgG. */
static void igg_factor_is_log_linear_up_to_the_plateau(void **state)
{
    (void)state;
    const char *by_igg[] = {"infection.risk_by=igg", "infection.igg_rate_ratio_per_g_per_l=0.8",
                            "infection.igg_plateau_g_per_l=9", NULL};
    ipsim_params p = test_params_resolve(by_igg);
    ipsim_infections *m = malloc(sizeof *m);
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_infections_init(m, &p, NULL, &err), IPSIM_OK);
    const double lln = p.immunoglobulins.lower_limit_g_per_l[IPSIM_IGG];
    assert_float_equal(ipsim_infections_igg_factor(m, lln), 1.0, 1e-15);
    assert_float_equal(ipsim_infections_igg_factor(m, lln - 1), 1 / 0.8, 1e-12);
    assert_float_equal(ipsim_infections_igg_factor(m, lln - 3), pow(0.8, -3), 1e-12);
    assert_float_equal(ipsim_infections_igg_factor(m, 9), pow(0.8, 9 - lln), 1e-12);
    assert_true(ipsim_infections_igg_factor(m, 20) == ipsim_infections_igg_factor(m, 9));
    const char *by_grade[] = {"infection.igg_rate_ratio_per_g_per_l=0.8", NULL};
    p = test_params_resolve(by_grade);
    assert_int_equal(ipsim_infections_init(m, &p, NULL, &err), IPSIM_OK);
    assert_true(ipsim_infections_igg_factor(m, 0.5) == 1.0);
    free(m);
}

/* The expected-value model traces its groups in parallel and adds them up
 * in group order: the same values, bit for bit, on one thread and on two. */
static void expected_values_agree_on_one_and_two_threads(const char *risk, const char *horizon)
{
    const char *overrides[] = {"grades.model=levels", risk, horizon, NULL};
    ipsim_params p = test_params_resolve(overrides);
    ipsim_expected one, two;
    ipsim_error err;
    ipsim_error_clear(&err);
#ifdef _OPENMP
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    assert_int_equal(ipsim_expected_compute(&one, &p, &err), IPSIM_OK);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(ipsim_expected_compute(&two, &p, &err), IPSIM_OK);
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    assert_memory_equal(one.window_share, two.window_share, sizeof one.window_share);
    assert_true(one.cr_improved == two.cr_improved);
    assert_memory_equal(one.cr_rise, two.cr_rise, sizeof one.cr_rise);
    assert_memory_equal(one.deaths, two.deaths, sizeof one.deaths);
    for (int k = 0; k < IPSIM_CURVES; k++)
        assert_memory_equal(one.curve[k], two.curve[k], (size_t)one.rows * sizeof(double));
    ipsim_expected_free(&one);
    ipsim_expected_free(&two);
}

static void expected_values_do_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    expected_values_agree_on_one_and_two_threads("infection.risk_by=grade",
                                                 "cohort.horizon_months=36");
    expected_values_agree_on_one_and_two_threads("infection.risk_by=igg",
                                                 "cohort.horizon_months=12");
}

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
    ipsim_grades_init(&g, &p);
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
    /* The matrix model: the same matrix in every phase and response. */
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    assert_true(fabs(g.step_matrix[ph][r][i][j] - p3[i][j]) < 1e-15);
    /* Inversion on the cumulative row. */
    double below = nextafter(g.step_cum[0][0][3][1], 0);
    assert_int_equal(ipsim_grades_step(&g, 0, 0, 3, below), 1);
    assert_int_equal(ipsim_grades_step(&g, 0, 0, 3, g.step_cum[0][0][3][1]), 2);

    g.transitions = 0;
    for (int grade = 0; grade < 5; grade++)
        assert_int_equal(ipsim_grades_step(&g, 0, 0, grade, 0.999), grade);
}

/* The pathway model: one grade better at improve x response factor (on the
 * first line only), one worse at worsen, by phase; raised to the cycle length. */
static void pathway_grade_chain_is_tridiagonal_by_phase_and_response(void **state)
{
    (void)state;
    const char *overrides[] = {
        "grades.improve_per_month={induction: 0.2, transplant: 0.15, maintenance: 0.03, "
        "second_line: 0.01, later_lines: 0.02, no_treatment: 0.005}",
        "grades.worsen_per_month={induction: 0.01, transplant: 0.02, maintenance: 0.005, "
        "second_line: 0.04, later_lines: 0.05, no_treatment: 0.06}",
        "grades.response_improve_factor={cr: 1, vgpr: 0.5, pr: 0.25, less: 0.125}",
        "cohort.cycle_months=2", NULL};
    ipsim_params p = test_params_pathway(overrides);
    ipsim_grades g;
    ipsim_grades_init(&g, &p);
    const double improve[IPSIM_PHASES] = {0.2, 0.15, 0.03, 0.01, 0.02, 0.005};
    const double worsen[IPSIM_PHASES] = {0.01, 0.02, 0.005, 0.04, 0.05, 0.06};
    const double factor[4] = {1, 0.5, 0.25, 0.125};
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++) {
            double a = improve[ph] * (ph >= IPSIM_PHASE_SECOND_LINE ? 1 : factor[r]);
            double b = worsen[ph];
            double m[5][5] = {{0}}, two[5][5] = {{0}};
            for (int i = 0; i < 5; i++) {
                double up = i > 0 ? a : 0, down = i < 4 ? b : 0;
                if (i > 0)
                    m[i][i - 1] = up;
                if (i < 4)
                    m[i][i + 1] = down;
                m[i][i] = 1 - up - down;
            }
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    for (int k = 0; k < 5; k++)
                        two[i][j] += m[i][k] * m[k][j];
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    assert_true(fabs(g.step_matrix[ph][r][i][j] - two[i][j]) < 1e-15);
        }
}

/* Episode counts: P(N <= k) of a Poisson with mean -ln(1-p)/W * cycle. */
static void episode_table_is_the_poisson_cdf(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=2", "infection.window_months=10",
                               "cohort.horizon_months=20",
                               "infection.share_within_window=[0.05, 0.3, 0.6, 0.9, 0.99]",
                               "infection.serious_share=[0.3, 0.3, 0.3, 0.3915, 0.3915]", NULL};
    ipsim_params p = test_params(overrides);
    const ipsim_rate_change on_ivig = {p.ivig.rate_ratio_all, p.ivig.rate_ratio_serious, "on IVIG"};
    ipsim_infections inf;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_infections_init(&inf, &p, &on_ivig, &err), IPSIM_OK);
    /* Off IVIG the parameters' hazard; on IVIG times rate_ratio_all;
     * in the maintenance phase times its rate ratio (1.7 here). */
    p.pathway.infection_rate_ratio[IPSIM_PHASE_MAINTENANCE] = 1.7;
    assert_int_equal(ipsim_infections_init(&inf, &p, &on_ivig, &err), IPSIM_OK);
    for (int phase = 0; phase < IPSIM_PHASES; phase++)
        for (int ivig = 0; ivig < 2; ivig++) {
            for (int g = 0; g < 5; g++) {
                double mean = -log(1 - p.infection.share_within_window[g]) / 10.0 * 2.0 *
                              (ivig ? p.ivig.rate_ratio_all : 1.0) *
                              (phase == IPSIM_PHASE_MAINTENANCE ? 1.7 : 1.0);
                assert_true(fabs(inf.mean_per_cycle[phase][ivig][g] - mean) < 1e-15);
                const double *cum = inf.count_cum[phase][ivig][g];
                int categories = inf.count_categories[phase][ivig][g];
                assert_true(fabs(cum[0] - exp(-mean)) < 1e-15);
                for (int k = 0; k + 1 < categories; k++)
                    assert_true(fabs(cum[k] - gsl_cdf_poisson_P((unsigned)k, mean)) < 1e-14);
                assert_true(cum[categories - 1] == 1.0);
                assert_int_equal(
                    ipsim_infections_count(&inf, phase, g, ivig, nextafter(exp(-mean), 0)), 0);
                assert_int_equal(ipsim_infections_count(&inf, phase, g, ivig, cum[0]), 1);
            }
        }
    assert_int_equal(ipsim_infections_type(&inf, 0.652), IPSIM_INFECTION_BACTERIAL);
    assert_int_equal(ipsim_infections_type(&inf, 0.654), IPSIM_INFECTION_VIRAL);
    assert_int_equal(ipsim_infections_type(&inf, 0.94), IPSIM_INFECTION_FUNGAL);
    assert_true(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, false, 0.39));
    assert_false(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, false, 0.3915));
    /* On IVIG the serious share is scaled by RRs / RR, so that serious
     * episodes occur at RRs times their rate off IVIG. */
    double on = 0.3915 * p.ivig.rate_ratio_serious / p.ivig.rate_ratio_all;
    assert_true(fabs(inf.serious_share[1][IPSIM_GRADE_SEVERE] - on) < 1e-15);
    assert_true(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, true, nextafter(on, 0)));
    assert_false(ipsim_infections_serious(&inf, IPSIM_GRADE_SEVERE, true, on));
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
    const ipsim_rate_change on_ivig = {p.ivig.rate_ratio_all, p.ivig.rate_ratio_serious, "on IVIG"};
    ipsim_infections inf;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_infections_init(&inf, &p, &on_ivig, &err), IPSIM_OK);
    assert_true(inf.count_cum[0][0][4][inf.count_categories[0][0][4] - 2] > 1 - 1e-12);
    p.infection.window_months = 1; /* bypasses the loader: 32 x 12 per cycle */
    assert_int_equal(ipsim_infections_init(&inf, &p, &on_ivig, &err), IPSIM_EPARAM);
    assert_string_equal(err.key, "infection.share_within_window");
    assert_non_null(strstr(err.message, "very_severe"));
}

/* ipsim_model_check, a PSA's up-front check of every draw, accepts what
 * ipsim_model_init accepts and refuses what it refuses, with the same
 * error, though it builds less. */
static void model_check_agrees_with_init(void **state)
{
    (void)state;
    static ipsim_model built, checked; /* large */
    ipsim_params cases[5];
    cases[0] = test_params_resolve((const char *[]){"grades.model=levels", NULL});
    cases[1] = test_params_resolve((const char *[]){"grades.model=pathway", NULL});
    /* Refusals the loader lets through, one per part that can fail. */
    cases[2] = cases[0];
    cases[2].immunoglobulins.near_detection_g_per_l[IPSIM_IGA] = 10;
    cases[3] = cases[1];
    cases[3].infection.window_months = 1; /* 32 x 12 episodes a cycle */
    cases[3].infection.share_within_window[4] = 0.99999999999999;
    cases[4] = cases[0];
    for (int g = 0; g < IPSIM_GRADES; g++)
        cases[4].cohort.baseline_mix[g] = 0;
    const int expected[5] = {IPSIM_OK, IPSIM_OK, IPSIM_EPARAM, IPSIM_EPARAM, IPSIM_EPARAM};
    for (int i = 0; i < 5; i++) {
        ipsim_error init_err, check_err;
        ipsim_error_clear(&init_err);
        ipsim_error_clear(&check_err);
        const int init_rc = ipsim_model_init(&built, &cases[i], &init_err);
        const int check_rc = ipsim_model_check(&checked, &cases[i], &check_err);
        assert_int_equal(init_rc, expected[i]);
        assert_int_equal(check_rc, init_rc);
        assert_string_equal(check_err.message, init_err.message);
        assert_string_equal(check_err.key, init_err.key);
    }
}

/* A set cancellation flag ends the calibration's solver at its next
 * evaluation of the targets, with IPSIM_EINTERRUPTED. */
static void calibration_stops_when_cancelled(void **state)
{
    (void)state;
    const ipsim_params p = test_params_resolve(NULL); /* the calibrated defaults */
    static ipsim_calibration fit;
    volatile sig_atomic_t cancel = SIGINT;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_calibrate(&p, &cancel, &fit, &err), IPSIM_EINTERRUPTED);
    assert_non_null(strstr(err.message, "stopped by a signal while fitting"));
    assert_int_equal(fit.iterations, 0);
}

/* IVIG policies on crafted histories: each trigger fires exactly when its
 * rule says. Cycles are months here. */
static void ivig_grade_policy(void **state)
{
    (void)state;
    const char *overrides[] = {"ivig.policy=grade", "ivig.grade_threshold=severe",
                               "ivig.start_month=3", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_ivig m;
    ipsim_ivig_init(&m, &p);
    ipsim_ivig_state s;
    ipsim_ivig_state_init(&m, &s);
    assert_false(ipsim_ivig_decide(&m, &s, 2, IPSIM_GRADE_VERY_SEVERE, 5.0)); /* before start */
    assert_true(ipsim_ivig_decide(&m, &s, 3, IPSIM_GRADE_SEVERE, 5.0));
    assert_true(ipsim_ivig_decide(&m, &s, 4, IPSIM_GRADE_VERY_SEVERE, 5.0));
    assert_false(ipsim_ivig_decide(&m, &s, 5, IPSIM_GRADE_MODERATE, 5.0)); /* recovered: stops */
    assert_true(ipsim_ivig_decide(&m, &s, 6, IPSIM_GRADE_SEVERE, 5.0));

    /* Without stop_when_recovered, once started it continues. */
    const char *sticky[] = {"ivig.policy=grade", "ivig.grade_threshold=moderate",
                            "ivig.stop_when_recovered=false", NULL};
    p = test_params(sticky);
    ipsim_ivig_init(&m, &p);
    ipsim_ivig_state_init(&m, &s);
    assert_false(ipsim_ivig_decide(&m, &s, 0, IPSIM_GRADE_MILD, 5.0));
    assert_true(ipsim_ivig_decide(&m, &s, 1, IPSIM_GRADE_MODERATE, 5.0));
    assert_true(ipsim_ivig_decide(&m, &s, 2, IPSIM_GRADE_NONE, 5.0));

    const char *none[] = {"ivig.grade_threshold=none", NULL};
    p = test_params(none);
    ipsim_ivig_init(&m, &p);
    assert_false(ipsim_ivig_decide(&m, &s, 7, IPSIM_GRADE_VERY_SEVERE, 5.0)); /* policy none */
}

static void ivig_infection_policy(void **state)
{
    (void)state;
    /* Three episodes within 6 months, counted before the cycle starts. */
    const char *overrides[] = {"ivig.policy=infections", "ivig.infections_threshold=3",
                               "ivig.lookback_months=6", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_ivig m;
    ipsim_ivig_init(&m, &p);
    ipsim_ivig_state s;
    ipsim_ivig_state_init(&m, &s);
    ipsim_ivig_record(&m, &s, 10, 2, 0); /* two episodes in month 10 */
    assert_false(ipsim_ivig_decide(&m, &s, 11, IPSIM_GRADE_VERY_SEVERE, 5.0));
    ipsim_ivig_record(&m, &s, 11, 0, 0);
    assert_false(ipsim_ivig_decide(&m, &s, 15, IPSIM_GRADE_MILD, 5.0));
    ipsim_ivig_record(&m, &s, 15, 1, 0); /* the third: months 10, 10, 15 */
    assert_true(ipsim_ivig_decide(&m, &s, 16, IPSIM_GRADE_NONE, 5.0)); /* 16 - 6 = 10: within */
    assert_false(ipsim_ivig_decide(&m, &s, 17, IPSIM_GRADE_NONE, 5.0)); /* month 10 has left */
    ipsim_ivig_record(&m, &s, 17, 1, 0); /* last three 10, 15, 17; months 12-17: two */
    assert_false(ipsim_ivig_decide(&m, &s, 18, IPSIM_GRADE_NONE, 5.0));
    ipsim_ivig_record(&m, &s, 18, 1, 0); /* 15, 17, 18 */
    assert_true(ipsim_ivig_decide(&m, &s, 21, IPSIM_GRADE_NONE, 5.0));
    assert_false(ipsim_ivig_decide(&m, &s, 22, IPSIM_GRADE_NONE, 5.0));

    /* Serious only: ordinary episodes do not count. */
    const char *serious[] = {"ivig.policy=grade_or_infections", "ivig.grade_threshold=very_severe",
                             "ivig.infections_threshold=1", "ivig.serious_only=true", NULL};
    p = test_params(serious);
    ipsim_ivig_init(&m, &p);
    ipsim_ivig_state_init(&m, &s);
    ipsim_ivig_record(&m, &s, 0, 3, 0);
    assert_false(ipsim_ivig_decide(&m, &s, 1, IPSIM_GRADE_SEVERE, 5.0));
    assert_true(ipsim_ivig_decide(&m, &s, 1, IPSIM_GRADE_VERY_SEVERE, 5.0)); /* the grade arm */
    ipsim_ivig_record(&m, &s, 1, 1, 1);
    assert_true(ipsim_ivig_decide(&m, &s, 2, IPSIM_GRADE_MILD, 5.0));
    /* Dose: 0.4 g/kg every 4 weeks is 0.4 x 30.4375 / 28 g/kg per month. */
    assert_true(fabs(ipsim_ivig_level_grams(&m, 1.0, 1) - 0.4 * 30.4375 / 28) < 1e-15);
}

/* Body weight: the truncated normal by inversion stays in its bounds and
 * is monotone in the uniform; its median is the mean for symmetric bounds. */
static void weight_is_a_truncated_normal(void **state)
{
    (void)state;
    const char *overrides[] = {"diagnosis.weight_kg_mean=70", "diagnosis.weight_kg_sd=12",
                               "diagnosis.weight_kg_min=46", "diagnosis.weight_kg_max=94", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_diagnosis d;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_diagnosis_init(&d, &p, &err), IPSIM_OK);
    assert_true(fabs(ipsim_diagnosis_weight_kg(&d, 0.5) - 70) < 1e-9);
    assert_true(ipsim_diagnosis_weight_kg(&d, 0.0) >= 46);
    assert_true(ipsim_diagnosis_weight_kg(&d, nextafter(1.0, 0)) <= 94);
    double previous = 0;
    for (double u = 0; u < 1; u += 0.01) {
        double w = ipsim_diagnosis_weight_kg(&d, u);
        assert_true(w >= previous);
        previous = w;
    }
    const char *fixed[] = {"diagnosis.weight_kg_sd=0", NULL};
    p = test_params(fixed);
    assert_int_equal(ipsim_diagnosis_init(&d, &p, &err), IPSIM_OK);
    assert_true(ipsim_diagnosis_weight_kg(&d, 0.123) == 75);
}

/* Influenza seasons in the patient's calendar, pneumococcal once; doses
 * take by grade; protection windows. */
static void vaccination_schedule_and_protection(void **state)
{
    (void)state;
    const char *overrides[] = {"vaccination.influenza_coverage=0.9",
                               "vaccination.influenza_month=10",
                               "vaccination.influenza_protection_months=6",
                               "vaccination.pneumococcal_coverage=0.8",
                               "vaccination.pneumococcal_month=4",
                               "vaccination.pneumococcal_protection_months=24", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_vaccination m;
    ipsim_vaccination_init(&m, &p);
    ipsim_vaccination_state s;
    ipsim_vaccination_state_init(&s, 2.5 / 12); /* diagnosed in March */
    assert_int_equal(s.calendar_month, 2);
    const double take_all[4] = {0, 0, 0, 0}, refuse[4] = {0.95, 0, 0.95, 0};
    double prevented[3];
    /* October is 7 months after March: nothing before month 7 but the
     * pneumococcal course at month 4. */
    for (int64_t month = 0; month < 7; month++) {
        int doses = ipsim_vaccination_cycle(&m, &s, month, IPSIM_GRADE_MILD, take_all);
        assert_int_equal(doses, month == 4 ? IPSIM_DOSE_PNEUMOCOCCAL : 0);
    }
    ipsim_vaccination_prevention(&m, &s, 6, prevented);
    assert_true(prevented[IPSIM_INFECTION_VIRAL] == 0);
    assert_true(prevented[IPSIM_INFECTION_BACTERIAL] == 0.15);
    assert_true(prevented[IPSIM_INFECTION_FUNGAL] == 0);
    assert_int_equal(ipsim_vaccination_cycle(&m, &s, 7, IPSIM_GRADE_MILD, take_all),
                     IPSIM_DOSE_INFLUENZA);
    ipsim_vaccination_prevention(&m, &s, 12, prevented); /* months 7-12 protected */
    assert_true(prevented[IPSIM_INFECTION_VIRAL] == 0.2);
    ipsim_vaccination_prevention(&m, &s, 13, prevented);
    assert_true(prevented[IPSIM_INFECTION_VIRAL] == 0);
    ipsim_vaccination_prevention(&m, &s, 28, prevented); /* pneumococcal: months 4-27 */
    assert_true(prevented[IPSIM_INFECTION_BACTERIAL] == 0);
    /* Next season: not vaccinated (coverage), then vaccinated but in severe
     * IP the dose does not take (response 14.6% < 0.5). */
    assert_int_equal(ipsim_vaccination_cycle(&m, &s, 19, IPSIM_GRADE_MILD, refuse), 0);
    const double weak[4] = {0, 0.5, 1, 1};
    assert_int_equal(ipsim_vaccination_cycle(&m, &s, 31, IPSIM_GRADE_SEVERE, weak), 1);
    ipsim_vaccination_prevention(&m, &s, 32, prevented);
    assert_true(prevented[IPSIM_INFECTION_VIRAL] == 0);
    assert_int_equal(ipsim_vaccination_cycle(&m, &s, 43, IPSIM_GRADE_NONE, weak), 1);
    ipsim_vaccination_prevention(&m, &s, 44, prevented); /* none: 63.3% > 0.5 */
    assert_true(prevented[IPSIM_INFECTION_VIRAL] == 0.2);

    /* A 3-month cycle meets October once a year, at the cycle holding it. */
    const char *quarterly[] = {"vaccination.influenza_coverage=1", "cohort.cycle_months=3",
                               NULL};
    p = test_params(quarterly);
    ipsim_vaccination_init(&m, &p);
    ipsim_vaccination_state_init(&s, 2.5 / 12);
    int doses = 0;
    for (int64_t month = 0; month < 36; month += 3)
        doses += ipsim_vaccination_cycle(&m, &s, month, IPSIM_GRADE_NONE, take_all) ==
                 IPSIM_DOSE_INFLUENZA;
    assert_int_equal(doses, 3);
}

static void mortality_draws(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.cycle_months=3", "mortality.background=constant",
                               "mortality.background_monthly_probability=0.02",
                               "mortality.excess_hazard_per_month=[0, 0, 0.1, 0, 0, 0]",
                               "mortality.serious_infection_case_fatality=0.25", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_mortality m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_mortality_init(&m, &p, &err), IPSIM_OK);
    /* Other causes: the same at every age, 0.98 a month. */
    double other = ipsim_mortality_other_survival(&m, IPSIM_SEX_MALE, 70, 12);
    assert_true(fabs(other - pow(0.98, 3)) < 1e-15);
    assert_true(fabs(ipsim_mortality_other_survival(&m, IPSIM_SEX_FEMALE, 40, 0) - other) < 1e-15);
    const int ph = IPSIM_PHASE_MAINTENANCE;
    double q = 1 - other, both = 1 - other * exp(-0.3);
    assert_int_equal(ipsim_mortality_draw(&m, 0, other, ph, 0.0, both), IPSIM_ALIVE);
    assert_int_equal(ipsim_mortality_draw(&m, 0, other, ph, 0.999, nextafter(q, 0)),
                     IPSIM_DEATH_BACKGROUND);
    assert_int_equal(ipsim_mortality_draw(&m, 0, other, ph, 0.999, q), IPSIM_DEATH_MYELOMA);
    assert_int_equal(ipsim_mortality_draw(&m, 0, other, ph, 0.999, nextafter(both, 0)),
                     IPSIM_DEATH_MYELOMA);
    /* No excess mortality in induction here. */
    assert_int_equal(ipsim_mortality_draw(&m, 0, other, IPSIM_PHASE_INDUCTION, 0.999, q),
                     IPSIM_ALIVE);
    /* Two serious episodes: survive both with probability 0.75^2 = 0.5625. */
    assert_int_equal(ipsim_mortality_draw(&m, 2, other, ph, 0.5624, 0.9), IPSIM_ALIVE);
    assert_int_equal(ipsim_mortality_draw(&m, 2, other, ph, 0.5625, 0.9), IPSIM_DEATH_INFECTION);
    assert_int_equal(ipsim_mortality_draw(&m, 2, other, ph, 0.9, 0.0), IPSIM_DEATH_INFECTION);
}

/* The life table: the male and female q_x at a few ages as ONS published
 * them (params/data/life-table-uk-2017-2019.csv), every age from 0 to 100
 * present, and a month's survival (1 - q)^(1/12), the year's birthday
 * reached on each anniversary of diagnosis. */
static void life_table_by_age_and_sex(void **state)
{
    (void)state;
    const ipsim_life_table *t = &ipsim_life_tables[0];
    assert_int_equal(t->count, 101);
    for (int a = 0; a < t->count; a++) {
        assert_int_equal(t->rows[a].age, a);
        for (int sex = 0; sex < IPSIM_SEXES; sex++)
            assert_true(t->rows[a].q[sex] > 0 && t->rows[a].q[sex] < 1);
    }
    assert_true(ipsim_life_table_q(t, IPSIM_SEX_MALE, 0) == 0.004267);
    assert_true(ipsim_life_table_q(t, IPSIM_SEX_FEMALE, 100) == 0.343363);
    assert_true(ipsim_life_table_q(t, IPSIM_SEX_FEMALE, 130) == 0.343363);
    /* Mortality rises with age from middle age on, and men's is higher. */
    for (int a = 40; a < 100; a++) {
        assert_true(t->rows[a + 1].q[IPSIM_SEX_MALE] > t->rows[a].q[IPSIM_SEX_MALE]);
        assert_true(t->rows[a].q[IPSIM_SEX_MALE] > t->rows[a].q[IPSIM_SEX_FEMALE]);
    }
    ipsim_params p = test_params_pathway(NULL);
    ipsim_mortality m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_mortality_init(&m, &p, &err), IPSIM_OK);
    double q70 = ipsim_life_table_q(t, IPSIM_SEX_MALE, 70), q71 = ipsim_life_table_q(t, IPSIM_SEX_MALE, 71);
    assert_true(fabs(ipsim_mortality_other_survival(&m, IPSIM_SEX_MALE, 70, 11) -
                     pow(1 - q70, 1.0 / 12)) < 1e-14);
    assert_true(fabs(ipsim_mortality_other_survival(&m, IPSIM_SEX_MALE, 70, 12) -
                     pow(1 - q71, 1.0 / 12)) < 1e-14);
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
    uint8_t grade[25], infections[25], ivig[25], phase[25];
    const ipsim_patient_rows rows = {grade, infections, ivig, phase, {NULL, NULL, NULL}};
    ipsim_patient_record rec;
    ipsim_stream s = {5, 0};
    ipsim_patient_simulate(&m, s, 77, &rows, &rec);
    for (int c = 0; c <= 24; c++) {
        assert_int_equal(grade[c], rec.baseline_grade);
        assert_int_equal(infections[c], 0);
        assert_int_equal(ivig[c], 0);
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
    ipsim_patient_simulate(&m, s, 77, &rows, &rec);
    assert_int_equal(m.cycles, 12);
    assert_true(grade[0] < IPSIM_GRADES);
    for (int c = 1; c <= 12; c++)
        assert_int_equal(grade[c], IPSIM_STATE_DEAD);
    assert_int_equal(rec.death_month, 2);
    assert_true(rec.death_cause == IPSIM_DEATH_BACKGROUND ||
                rec.death_cause == IPSIM_DEATH_INFECTION);
}

/* Discounted annuities, exactly: no deaths, no infections, a constant
 * monthly cost C and utility U. Counted at the start of each cycle, the
 * discounted sum over N cycles is A = C c (1 - v^N) / (1 - v), v the
 * discount factor of one cycle; at the end of each cycle it is v A; the
 * life table (constant membership) gives A, and the trapezoid (1 + v)/2 A.
 * Undiscounted every method gives C c N. */
static void economics_closed_forms(void **state)
{
    (void)state;
    for (int how = 0; how < IPSIM_COUNTINGS; how++)
        for (int cycle = 1; cycle <= 3; cycle += 2) {
            char cycle_set[64], counting_set[64];
            snprintf(cycle_set, sizeof cycle_set, "cohort.cycle_months=%d", cycle);
            snprintf(counting_set, sizeof counting_set, "economics.counting=%s",
                     ipsim_counting_names[how]);
            const char *overrides[] = {
                "cohort.horizon_months=120", cycle_set, counting_set,
                "infection.share_within_window=[0, 0, 0, 0, 0]",
                "mortality.background_monthly_probability=0",
                "economics.phase_cost_per_month=[250, 250, 250, 250, 250, 250]",
                "economics.utility_by_phase=[0.8, 0.8, 0.8, 0.8, 0.8, 0.8]",
                "economics.discount_rate_costs=0.035", "economics.discount_rate_effects=0.015",
                NULL};
            ipsim_params p = test_params(overrides);
            ipsim_model m;
            ipsim_error err;
            ipsim_error_clear(&err);
            assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_OK);
            uint8_t grade[121], infections[121], ivig[121], phase[121];
            const ipsim_patient_rows rows = {grade, infections, ivig, phase, {NULL, NULL, NULL}};
            ipsim_patient_record rec;
            ipsim_stream s = {9, 0};
            ipsim_patient_simulate(&m, s, 3, &rows, &rec);
            const double n = 120.0 / cycle, years = cycle / 12.0;
            const double v = pow(1.035, -years), w = pow(1.015, -years);
            const double factor[IPSIM_COUNTINGS][2] = {
                [IPSIM_COUNT_BEGINNING] = {1, 1},
                [IPSIM_COUNT_END] = {v, w},
                [IPSIM_COUNT_HALF_CYCLE] = {1, 1},
                [IPSIM_COUNT_TRAPEZOID] = {(1 + v) / 2, (1 + w) / 2}};
            const double cost = 250.0 * cycle, qalys = 0.8 * years;
            const double expect[6] = {
                cost * n, cost * factor[how][0] * (1 - pow(v, n)) / (1 - v), qalys * n,
                qalys * factor[how][1] * (1 - pow(w, n)) / (1 - w), years * n,
                years * factor[how][1] * (1 - pow(w, n)) / (1 - w)};
            double got[6];
            ipsim_economic_values(&rec.outcomes, got);
            for (int k = 0; k < 6; k++)
                if (fabs(got[k] - expect[k]) > 1e-12 * expect[k])
                    fail_msg("%s, %d-month cycles, %s counting: %.15g, exact %.15g",
                             ipsim_economic_names[k], cycle, ipsim_counting_names[how], got[k],
                             expect[k]);
        }

    /* Death at the end of the first month: a whole month counted at its
     * start, none at its end, half by the life table and the trapezoid. */
    const double month_share[IPSIM_COUNTINGS] = {1, 0, 0.5, 0.5};
    for (int how = 0; how < IPSIM_COUNTINGS; how++) {
        char counting_set[64];
        snprintf(counting_set, sizeof counting_set, "economics.counting=%s",
                 ipsim_counting_names[how]);
        const char *dying[] = {"cohort.horizon_months=12", counting_set,
                               "infection.share_within_window=[0, 0, 0, 0, 0]",
                               "mortality.background_monthly_probability=1",
                               "economics.utility_by_phase=[0.6, 0.6, 0.6, 0.6, 0.6, 0.6]", NULL};
        ipsim_params p = test_params(dying);
        ipsim_model m;
        ipsim_error err;
        ipsim_error_clear(&err);
        assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_OK);
        uint8_t grade[13], infections[13], ivig[13], phase[13];
        const ipsim_patient_rows rows = {grade, infections, ivig, phase, {NULL, NULL, NULL}};
        ipsim_patient_record rec;
        ipsim_stream s = {9, 0};
        ipsim_patient_simulate(&m, s, 3, &rows, &rec);
        assert_int_equal(rec.death_month, 1);
        assert_true(fabs(rec.outcomes.qalys[0] - month_share[how] * 0.6 / 12) < 1e-15);
        assert_true(fabs(rec.outcomes.life_years[1] - month_share[how] / 12) < 1e-15);
        assert_true(rec.outcomes.cost[0] == 0);
    }

    /* A serious episode costs its admission and 0.218 x 13.4 / 365.25 QALY,
     * discounted in the cycle it occurs. */
    const char *none[] = {NULL};
    ipsim_params p = test_params(none);
    ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_OK);
    ipsim_economics_state accounts;
    ipsim_economics_start(&accounts);
    ipsim_economics_next_cycle(&m.economics, &accounts);
    ipsim_economics_episode(&m.economics, &accounts, true, IPSIM_INFECTION_FUNGAL);
    assert_true(accounts.total.cost[0] == 11654);
    assert_true(fabs(accounts.total.cost[1] - 11654 * pow(1.035, -1.0 / 12)) < 1e-9);
    assert_true(fabs(accounts.total.qalys[0] + 0.218 * 13.4 / 365.25) < 1e-15);
}

/* The worked three-cycle example of docs/model.md: 100 patients, annual
 * cycles costing 1,200 each, 20 dying in the first cycle, 20 in the second
 * and 10 in the third, 50 alive at the horizon; membership at the cycle
 * boundaries is 100, 80, 60, 50. Each method's total is its formula
 * exactly, discounted (v = 1/1.035) and not. */
static void counting_methods_worked_cohort(void **state)
{
    (void)state;
    const double v = 1 / 1.035, c = 1200;
    const double l[4] = {100, 80, 60, 50};
    for (int how = 0; how < IPSIM_COUNTINGS; how++) {
        char counting_set[64];
        snprintf(counting_set, sizeof counting_set, "economics.counting=%s",
                 ipsim_counting_names[how]);
        const char *overrides[] = {"cohort.cycle_months=12", "cohort.horizon_months=36",
                                   counting_set, "economics.discount_rate_costs=0.035",
                                   "economics.phase_cost_per_month=[100, 100, 100, 100, 100, 100]", NULL};
        ipsim_params p = test_params(overrides);
        ipsim_economics m;
        ipsim_economics_init(&m, &p);
        double total[2] = {0, 0};
        const int death_cycle[4] = {0, 1, 2, 3}, patients[4] = {20, 20, 10, 50};
        for (int group = 0; group < 4; group++)
            for (int i = 0; i < patients[group]; i++) {
                ipsim_economics_state s;
                ipsim_economics_start(&s);
                bool alive = true;
                for (int t = 0; t < 3 && alive; t++) {
                    ipsim_economics_state_values(&m, &s, IPSIM_PHASE_MAINTENANCE, 0);
                    if (t == death_cycle[group])
                        alive = false; /* dies during cycle t */
                    else
                        ipsim_economics_next_cycle(&m, &s);
                }
                ipsim_economics_finish(&m, &s, IPSIM_PHASE_MAINTENANCE, 0, alive,
                                       IPSIM_PHASE_MAINTENANCE, 0);
                total[0] += s.total.cost[0];
                total[1] += s.total.cost[1];
            }
        double exact[2];
        switch ((ipsim_counting)how) {
        case IPSIM_COUNT_BEGINNING:
            exact[0] = c * (l[0] + l[1] + l[2]);
            exact[1] = c * (l[0] + l[1] * v + l[2] * v * v);
            break;
        case IPSIM_COUNT_END:
            exact[0] = c * (l[1] + l[2] + l[3]);
            exact[1] = c * (l[1] * v + l[2] * v * v + l[3] * v * v * v);
            break;
        case IPSIM_COUNT_HALF_CYCLE:
            exact[0] = c * ((l[0] + l[1]) / 2 + (l[1] + l[2]) / 2 + (l[2] + l[3]) / 2);
            exact[1] = c * ((l[0] + l[1]) / 2 + (l[1] + l[2]) / 2 * v + (l[2] + l[3]) / 2 * v * v);
            break;
        default:
            exact[0] = c * ((l[0] + l[1]) / 2 + (l[1] + l[2]) / 2 + (l[2] + l[3]) / 2);
            exact[1] = c * ((l[0] + l[1] * v) / 2 + (l[1] * v + l[2] * v * v) / 2 +
                            (l[2] * v * v + l[3] * v * v * v) / 2);
        }
        for (int k = 0; k < 2; k++)
            if (fabs(total[k] - exact[k]) > 1e-12 * exact[k])
                fail_msg("%s counting, %s: %.15g, worked %.15g", ipsim_counting_names[how],
                         k ? "discounted" : "undiscounted", total[k], exact[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(categorical_inversion_boundaries),
        cmocka_unit_test(grade_from_levels),
        cmocka_unit_test(expected_values_do_not_depend_on_the_thread_count),
        cmocka_unit_test(igg_factor_is_log_linear_up_to_the_plateau),
        cmocka_unit_test(grade_step_matrix_is_the_monthly_matrix_to_the_cycle_power),
        cmocka_unit_test(pathway_grade_chain_is_tridiagonal_by_phase_and_response),
        cmocka_unit_test(episode_table_is_the_poisson_cdf),
        cmocka_unit_test(hazards_beyond_storable_counts_are_refused),
        cmocka_unit_test(calibration_stops_when_cancelled),
        cmocka_unit_test(ivig_grade_policy),
        cmocka_unit_test(ivig_infection_policy),
        cmocka_unit_test(weight_is_a_truncated_normal),
        cmocka_unit_test(vaccination_schedule_and_protection),
        cmocka_unit_test(mortality_draws),
        cmocka_unit_test(life_table_by_age_and_sex),
        cmocka_unit_test(patient_rows_and_record),
        cmocka_unit_test(model_check_agrees_with_init),
        cmocka_unit_test(economics_closed_forms),
        cmocka_unit_test(counting_methods_worked_cohort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
