/* tests/test_psa.c: parameter distributions for probabilistic sensitivity
 * analysis: their parametrisations in closed form, their draws against
 * their moments (within 4 standard errors, fixed seeds), Dirichlet draws
 * summing to one, the independence of each parameter's stream, and the
 * loader's messages for malformed distributions. */
#include "test_support.h"

#include "params/psa.h"
#include "params/schema.h"

static ipsim_params resolve_overrides(const char *const *overrides, size_t n)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_params_resolve(&p, NULL, overrides, n, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("does not resolve: %s", msg);
    }
    return p;
}

/* The loader's message for overrides that must fail. */
static void expect_error(const char *override, const char *needle)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    const char *o[] = {override};
    int rc = ipsim_params_resolve(&p, NULL, o, 1, &err);
    char msg[2048];
    ipsim_error_format(&err, msg, sizeof msg);
    if (rc != IPSIM_EPARAM || !strstr(msg, needle))
        fail_msg("'%s': expected an error containing '%s', got rc %d: %s", override, needle, rc,
                 msg);
}

static const ipsim_uncertain *only_entry(const ipsim_params *p)
{
    assert_int_equal(p->uncertain.count, 1);
    return &p->uncertain.items[0];
}

/* Mean and standard error given: the natural parameters reproduce them. */
static void test_moment_parametrisations(void **state)
{
    (void)state;
    static const struct {
        const char *override;
        double mean, sd;
    } cases[] = {
        {"ivig.rate_ratio_all={distribution: beta, mean: 0.49, se: 0.07}", 0.49, 0.07},
        {"ivig.rate_ratio_all={distribution: gamma, mean: 0.49, se: 0.07}", 0.49, 0.07},
        {"ivig.rate_ratio_all={distribution: lognormal, mean: 0.49, se: 0.07}", 0.49, 0.07},
        {"ivig.rate_ratio_all={distribution: normal, mean: 0.49, se: 0.07}", 0.49, 0.07},
        {"ivig.rate_ratio_all={distribution: uniform, mean: 0.49, se: 0.07}", 0.49, 0.07},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ipsim_params p = resolve_overrides(&cases[i].override, 1);
        const ipsim_uncertain *u = only_entry(&p);
        assert_close(ipsim_uncertain_mean(u, 0), cases[i].mean, 1e-12);
        assert_close(ipsim_uncertain_sd(u, 0), cases[i].sd, 1e-12);
        /* Without `value:` the deterministic value is the mean. */
        assert_close(p.ivig.rate_ratio_all, cases[i].mean, 1e-12);
    }
    /* A 95% interval: its bounds are the 2.5% and 97.5% quantiles. */
    const char *ln = "ivig.rate_ratio_all={distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}";
    ipsim_params p = resolve_overrides(&ln, 1);
    const ipsim_uncertain *u = only_entry(&p);
    assert_close(exp(u->a - 1.959963984540054 * u->b), 0.36, 1e-12);
    assert_close(exp(u->a + 1.959963984540054 * u->b), 0.66, 1e-12);
    assert_true(p.ivig.rate_ratio_all == 0.49);
    const char *gamma_rate = "economics.ivig_price_per_gram={distribution: gamma, shape: 4, rate: 0.1}";
    p = resolve_overrides(&gamma_rate, 1);
    assert_close(ipsim_uncertain_mean(only_entry(&p), 0), 40, 1e-12);
}

/* Sample mean and variance of n draws of element k of the only entry. */
static void check_draws(const ipsim_params *p, int values, int k, double mean, double sd,
                        const char *what)
{
    enum { N = 20000 };
    ipsim_gsl_stream *gs;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_gsl_stream_create(&gs, &err), IPSIM_OK);
    double *x = malloc(N * sizeof *x), v[IPSIM_GRADES];
    double sum = 0;
    for (int r = 0; r < N; r++) {
        assert_int_equal(ipsim_psa_draw(p, NULL, 2026, r, gs, v, &err), IPSIM_OK);
        x[r] = v[k];
        sum += x[r];
        if (values > 1) {
            double total = 0;
            for (int i = 0; i < values; i++)
                total += v[i];
            /* Dirichlet draws are shares: they sum to one to rounding. */
            assert_close(total, 1.0, 1e-12);
        }
    }
    double m = sum / N, m2 = 0, m4 = 0;
    for (int r = 0; r < N; r++) {
        double d = x[r] - m;
        m2 += d * d;
        m4 += d * d * d * d;
    }
    m2 /= N - 1;
    m4 /= N;
    char label[128];
    snprintf(label, sizeof label, "%s mean", what);
    assert_within_4se(m, mean, sd / sqrt(N), label);
    /* The sample variance's standard error from the fourth central moment. */
    snprintf(label, sizeof label, "%s variance", what);
    assert_within_4se(m2, sd * sd, sqrt((m4 - m2 * m2) / N), label);
    free(x);
    ipsim_gsl_stream_free(gs);
}

static void test_draws_match_moments(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "economics.ivig_price_per_gram={distribution: beta, alpha: 2.5, beta: 3}",
        "economics.ivig_price_per_gram={distribution: gamma, shape: 3, scale: 0.15}",
        "economics.ivig_price_per_gram={distribution: lognormal, meanlog: -0.7, sdlog: 0.3}",
        "economics.ivig_price_per_gram={distribution: normal, mean: 0.5, sd: 0.05}",
        "economics.ivig_price_per_gram={distribution: uniform, min: 0.2, max: 0.9}",
        "economics.ivig_price_per_gram={distribution: gamma, shape: 0.5, scale: 0.2}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ipsim_params p = resolve_overrides(&cases[i], 1);
        const ipsim_uncertain *u = only_entry(&p);
        check_draws(&p, 1, 0, ipsim_uncertain_mean(u, 0), ipsim_uncertain_sd(u, 0), cases[i]);
    }
}

static void test_dirichlet(void **state)
{
    (void)state;
    const char *o = "infection.type_share={distribution: dirichlet, "
                    "alpha: {bacterial: 7, viral: 2.5, fungal: 0.5}}";
    ipsim_params p = resolve_overrides(&o, 1);
    const ipsim_uncertain *u = only_entry(&p);
    assert_int_equal(u->count, 3);
    assert_int_equal(ipsim_psa_dimension(&p), 3);
    /* Deterministic values are the mean shares alpha / sum(alpha). */
    assert_close(p.infection.type_share[1], 0.25, 1e-15);
    for (int k = 0; k < 3; k++)
        check_draws(&p, 3, k, ipsim_uncertain_mean(u, k), ipsim_uncertain_sd(u, k),
                    ipsim_infection_type_names[k]);
    char name[IPSIM_KEY_MAX];
    ipsim_psa_name(&p, 2, name, sizeof name);
    assert_string_equal(name, "infection.type_share.fungal");

    /* By mean and sample size, and for a matrix row. */
    const char *m = "infection.type_share={distribution: dirichlet, mean: [0.7, 0.25, 0.05], n: 40}";
    p = resolve_overrides(&m, 1);
    assert_close(only_entry(&p)->alpha[0], 28, 1e-12);
    const char *row[] = {"grades.model=matrix",
                         "grades.transition_matrix={none: [0.9, 0.1, 0, 0, 0], "
                         "mild: {distribution: dirichlet, alpha: [1, 80, 10, 5, 4]}, "
                         "moderate: [0, 0, 1, 0, 0], severe: [0, 0, 0, 1, 0], "
                         "very_severe: [0, 0, 0, 0, 1]}"};
    p = resolve_overrides(row, 2);
    assert_int_equal(only_entry(&p)->element, 5);
    check_draws(&p, 5, 1, 0.8, ipsim_uncertain_sd(only_entry(&p), 1), "matrix row");
    ipsim_psa_name(&p, 2, name, sizeof name);
    assert_string_equal(name, "grades.transition_matrix.mild.moderate");
}

/* Each parameter draws from its own stream: adding a distribution, or
 * changing anything that is not one, leaves the others' draws alone. */
static void test_streams_are_per_parameter(void **state)
{
    (void)state;
    const char *one[] = {"economics.ivig_price_per_gram={distribution: gamma, mean: 50, se: 5}"};
    const char *two[] = {"ivig.rate_ratio_all={distribution: beta, mean: 0.49, se: 0.07}",
                         "economics.ivig_price_per_gram={distribution: gamma, mean: 50, se: 5}",
                         "ivig.policy=grade"};
    ipsim_params a = resolve_overrides(one, 1), b = resolve_overrides(two, 3);
    ipsim_gsl_stream *gs;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_gsl_stream_create(&gs, &err), IPSIM_OK);
    for (int r = 0; r < 50; r++) {
        double va[1], vb[2];
        assert_int_equal(ipsim_psa_draw(&a, NULL, 7, r, gs, va, &err), IPSIM_OK);
        assert_int_equal(ipsim_psa_draw(&b, NULL, 7, r, gs, vb, &err), IPSIM_OK);
        /* b's entries are in schema order: ivig before economics. */
        assert_true(va[0] == vb[1]);
        double again[2];
        assert_int_equal(ipsim_psa_draw(&b, NULL, 7, r, gs, again, &err), IPSIM_OK);
        assert_memory_equal(again, vb, sizeof vb);
        ipsim_psa_apply(&b, vb);
        assert_true(b.ivig.rate_ratio_all == vb[0] && b.economics.ivig_price_per_gram == vb[1]);
    }
    assert_true(ipsim_psa_same(&b, &b));
    assert_false(ipsim_psa_same(&a, &b));
    ipsim_gsl_stream_free(gs);
}

/* Distributions survive the trip through YAML (as output files store
 * parameters) exactly; a later plain value replaces a distribution. */
static void test_round_trip_and_replacement(void **state)
{
    (void)state;
    const char *o[] = {
        "ivig.rate_ratio_all={distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}",
        "economics.utility_by_phase={induction: {distribution: beta, mean: 0.6, se: 0.05}, "
        "transplant: 0.6, maintenance: 0.7, second_line: 0.5, later_lines: 0.5, "
        "no_treatment: 0.4}",
        "infection.type_share={distribution: dirichlet, alpha: [70, 25, 5]}"};
    ipsim_params p = resolve_overrides(o, 3), back;
    char *text = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_to_yaml(&p, &text, &err), IPSIM_OK);
    assert_int_equal(ipsim_params_resolve_text(&back, text, strlen(text), "round trip", NULL, 0,
                                               &err),
                     IPSIM_OK);
    free(text);
    assert_memory_equal(&back, &p, sizeof p);
    assert_int_equal(p.uncertain.count, 3);

    const char *replaced[] = {o[0], "ivig.rate_ratio_all=0.4"};
    ipsim_params q = resolve_overrides(replaced, 2);
    assert_int_equal(q.uncertain.count, 0);
    assert_true(q.ivig.rate_ratio_all == 0.4);
}

/* Correlated draws (a Gaussian copula): two lognormals whose logarithms
 * correlate at rho within 4 SE ((1 - rho^2) / sqrt(n), the large-sample SE
 * of Pearson's r); the other draw is the same as without the correlation;
 * each keeps its marginal (the mean log within 4 SE); the correlation
 * survives the trip through YAML; a beta correlated with a gamma keeps its
 * range. */
static void test_correlated_draws(void **state)
{
    (void)state;
    const char *o[] = {"ivig.rate_ratio_all={distribution: lognormal, ci95: [0.45, 1.0], "
                       "value: 0.72}",
                       "ivig.rate_ratio_serious={distribution: lognormal, ci95: [0.30, 0.90], "
                       "value: 0.52, correlated_with: ivig.rate_ratio_all, rho: 0.8}"};
    ipsim_params p = resolve_overrides(o, 2), alone = resolve_overrides(o, 1), back;
    assert_true(p.uncertain.items[1].rho == 0.8);
    char *text = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_to_yaml(&p, &text, &err), IPSIM_OK);
    assert_non_null(strstr(text, "correlated_with: ivig.rate_ratio_all, rho: 0.8"));
    assert_int_equal(ipsim_params_resolve_text(&back, text, strlen(text), "round trip", NULL, 0,
                                               &err),
                     IPSIM_OK);
    free(text);
    assert_memory_equal(&back, &p, sizeof p);

    ipsim_gsl_stream *gs;
    assert_int_equal(ipsim_gsl_stream_create(&gs, &err), IPSIM_OK);
    enum { N = 20000 };
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int r = 0; r < N; r++) {
        double v[2], w[1];
        assert_int_equal(ipsim_psa_draw(&p, NULL, 11, r, gs, v, &err), IPSIM_OK);
        assert_int_equal(ipsim_psa_draw(&alone, NULL, 11, r, gs, w, &err), IPSIM_OK);
        assert_true(v[0] == w[0]);
        double x = log(v[0]), y = log(v[1]);
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    double mx = sx / N, my = sy / N;
    double cxy = sxy / N - mx * my, vx = sxx / N - mx * mx, vy = syy / N - my * my;
    double rho = cxy / sqrt(vx * vy);
    assert_within_4se(rho, 0.8, (1 - 0.64) / sqrt(N), "correlation of the log rate ratios");
    const ipsim_uncertain *u = &p.uncertain.items[1];
    assert_within_4se(my, u->a, u->b / sqrt(N), "mean log of the correlated draw");
    assert_within_4se(sqrt(vy), u->b, u->b / sqrt(2.0 * N), "sd log of the correlated draw");

    /* Other marginals through their quantile functions: a beta stays a beta
     * in its range, negatively correlated with a gamma. */
    const char *mixed[] = {"economics.ivig_price_per_gram={distribution: gamma, mean: 50, se: 5}",
                           "ivig.reaction_probability={distribution: beta, mean: 0.12, se: 0.03, "
                           "correlated_with: economics.ivig_price_per_gram, rho: -0.5}"};
    ipsim_params q = resolve_overrides(mixed, 2);
    double sb = 0, sbb = 0, sg = 0, sgg = 0, sbg = 0;
    for (int r = 0; r < N; r++) {
        double v[2];
        assert_int_equal(ipsim_psa_draw(&q, NULL, 3, r, gs, v, &err), IPSIM_OK);
        /* schema order: ivig.* before economics.* */
        assert_true(v[0] > 0 && v[0] < 1);
        sb += v[0], sbb += v[0] * v[0], sg += v[1], sgg += v[1] * v[1], sbg += v[0] * v[1];
    }
    double mb = sb / N;
    assert_within_4se(mb, 0.12, 0.03 / sqrt(N), "mean of the correlated beta");
    double r_bg = (sbg / N - mb * sg / N) /
                  sqrt((sbb / N - mb * mb) * (sgg / N - (sg / N) * (sg / N)));
    assert_true(r_bg < -0.4 && r_bg > -0.6); /* Pearson's r of the values, near -0.5 */
    ipsim_gsl_stream_free(gs);

    /* Without the other drawn, the draw is independent (and allowed). */
    const char *fixed[] = {o[1], "ivig.rate_ratio_all=0.7"};
    ipsim_params f = resolve_overrides(fixed, 2);
    assert_int_equal(f.uncertain.count, 1);
}

static void test_bad_distributions(void **state)
{
    (void)state;
    expect_error("ivig.rate_ratio_all={distribution: beta, mean: 0.5, se: 0.6}",
                 "se must be below");
    expect_error("ivig.rate_ratio_all={distribution: betta, mean: 0.5, se: 0.1}",
                 "must be one of beta");
    expect_error("ivig.rate_ratio_all={distribution: gamma, mean: 0.5, sd: 0.1}",
                 "unknown key 'sd'");
    expect_error("ivig.rate_ratio_all={distribution: gamma, shape: 2}", "needs shape and scale");
    expect_error("ivig.rate_ratio_all={distribution: gamma, shape: 2, scale: 1, mean: 2, se: 1}",
                 "one form only");
    expect_error("ivig.rate_ratio_all={distribution: normal, mean: 0.5, sd: -1}",
                 "greater than 0");
    expect_error("ivig.rate_ratio_all={distribution: uniform, min: 1, max: 0.5}",
                 "greater than 'min'");
    expect_error("ivig.rate_ratio_all={distribution: lognormal, ci95: [0, 1]}",
                 "greater than 0");
    expect_error("ivig.rate_ratio_all={distribution: gamma, mean: 50, se: 5}",
                 "deterministic value 50 is out of range");
    expect_error("cohort.patients={distribution: gamma, mean: 50, se: 5}",
                 "only real-valued parameters");
    expect_error("infection.type_share={bacterial: {distribution: beta, mean: 0.7, se: 0.1}, "
                 "viral: 0.25, fungal: 0.05}",
                 "one Dirichlet");
    expect_error("infection.serious_share={distribution: dirichlet, alpha: [1, 1, 1, 1, 1]}",
                 "give each entry its own distribution");
    expect_error("infection.type_share={distribution: dirichlet, alpha: [1, 0, 1]}",
                 "greater than 0");
    expect_error("infection.type_share={distribution: dirichlet, mean: [0.5, 0.3, 0.1], n: 10}",
                 "sum to 0.9");
    expect_error("infection.type_share={distribution: gamma, shape: 1, scale: 1}",
                 "Dirichlet distribution");
    expect_error("ivig.rate_ratio_serious={distribution: lognormal, mean: 0.5, se: 0.1, "
                 "correlated_with: ivig.rate_ratio_all}",
                 "needs both 'correlated_with'");
    expect_error("ivig.rate_ratio_serious={distribution: lognormal, mean: 0.5, se: 0.1, "
                 "correlated_with: ivig.rate_ratio_al, rho: 0.5}",
                 "'correlated_with' must name a real parameter");
    expect_error("ivig.rate_ratio_serious={distribution: lognormal, mean: 0.5, se: 0.1, "
                 "correlated_with: ivig.rate_ratio_all, rho: 1.5}",
                 "'rho' must be in [-1, 1]");
    expect_error("ivig.rate_ratio_serious={distribution: lognormal, mean: 0.5, se: 0.1, "
                 "correlated_with: ivig.rate_ratio_serious, rho: 0.5}",
                 "cannot be correlated with ivig.rate_ratio_serious (itself)");
}

/* A draw outside the parameter's range is refused, naming it. */
static void test_draw_out_of_range(void **state)
{
    (void)state;
    const char *o = "economics.ivig_price_per_gram={distribution: normal, mean: 0.1, sd: 0.2}";
    ipsim_params p = resolve_overrides(&o, 1);
    ipsim_gsl_stream *gs;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_gsl_stream_create(&gs, &err), IPSIM_OK);
    int rc = IPSIM_OK;
    double v;
    for (int r = 0; r < 100 && !rc; r++)
        rc = ipsim_psa_draw(&p, NULL, 1, r, gs, &v, &err);
    assert_int_equal(rc, IPSIM_EPARAM);
    char msg[2048];
    ipsim_error_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, "economics.ivig_price_per_gram"));
    assert_non_null(strstr(msg, "outside the parameter's range"));
    ipsim_gsl_stream_free(gs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moment_parametrisations),
        cmocka_unit_test(test_draws_match_moments),
        cmocka_unit_test(test_dirichlet),
        cmocka_unit_test(test_streams_are_per_parameter),
        cmocka_unit_test(test_round_trip_and_replacement),
        cmocka_unit_test(test_correlated_draws),
        cmocka_unit_test(test_bad_distributions),
        cmocka_unit_test(test_draw_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
