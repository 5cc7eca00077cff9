/* tests/test_sensitivity.c: the inputs of a deterministic sensitivity
 * analysis (params/sensitivity.h): their ranges from each distribution and
 * from a posterior file's column, the shares of a vector rescaled when one
 * is set, the parsing of --range; and the paired statistics of
 * analysis/sensitivity.h against hand computations. */
#define _DEFAULT_SOURCE
#include "test_support.h"

#include <gsl/gsl_cdf.h>
#include <unistd.h>

#include "analysis/sensitivity.h"
#include "params/posterior_file.h"
#include "params/psa.h"
#include "params/schema.h"
#include "params/sensitivity.h"

static ipsim_params resolve_text(const char *text)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_params_resolve_text(&p, text, strlen(text), "test.yaml", NULL, 0, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    return p;
}

static const ipsim_sensitivity_input *input_named(const ipsim_sensitivity_input *in, int n,
                                                  const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(in[i].name, name) == 0)
            return &in[i];
    fail_msg("no input %s", name);
    return NULL;
}

static void ranges_are_the_distributions_quantiles(void **state)
{
    (void)state;
    ipsim_params p = resolve_text(
        "ivig:\n"
        "  rate_ratio_all: {distribution: lognormal, ci95: [0.45, 1.0], value: 0.72}\n"
        "economics:\n"
        "  ivig_price_per_gram: {distribution: gamma, shape: 25, scale: 1.36}\n"
        "  ivig_administration_cost: {distribution: uniform, min: 100, max: 500}\n"
        "infection:\n"
        "  serious_share: {none: 0.1, mild: 0.1, moderate: 0.2,\n"
        "                  severe: {distribution: beta, alpha: 30, beta: 70}, very_severe: 0.3}\n"
        "  type_share: {distribution: dirichlet, alpha: [60, 30, 10]}\n");
    const int n = ipsim_psa_dimension(&p);
    assert_int_equal(n, 7);
    ipsim_sensitivity_input in[7];
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_sensitivity_inputs(&p, NULL, in, &err), IPSIM_OK);

    const ipsim_sensitivity_input *rr = input_named(in, n, "ivig.rate_ratio_all");
    assert_true(fabs(rr->low - 0.45) < 1e-9 && fabs(rr->high - 1.0) < 1e-9);
    assert_true(rr->base == 0.72 && rr->source == IPSIM_RANGE_DISTRIBUTION);
    const ipsim_sensitivity_input *price = input_named(in, n, "economics.ivig_price_per_gram");
    assert_true(fabs(price->low - gsl_cdf_gamma_Pinv(0.025, 25, 1.36)) < 1e-9);
    assert_true(fabs(price->high - gsl_cdf_gamma_Pinv(0.975, 25, 1.36)) < 1e-9);
    const ipsim_sensitivity_input *admin =
        input_named(in, n, "economics.ivig_administration_cost");
    assert_true(fabs(admin->low - 110) < 1e-9 && fabs(admin->high - 490) < 1e-9);
    const ipsim_sensitivity_input *serious = input_named(in, n, "infection.serious_share.severe");
    assert_true(fabs(serious->low - gsl_cdf_beta_Pinv(0.025, 30, 70)) < 1e-12);
    /* A Dirichlet share: its Beta(alpha_k, sum - alpha_k) marginal. */
    const ipsim_sensitivity_input *viral = input_named(in, n, "infection.type_share.viral");
    assert_true(fabs(viral->low - gsl_cdf_beta_Pinv(0.025, 30, 70)) < 1e-12);
    assert_true(fabs(viral->high - gsl_cdf_beta_Pinv(0.975, 30, 70)) < 1e-12);
    assert_true(fabs(viral->base - 0.3) < 1e-12);
}

static void ranges_of_a_posterior_column(void **state)
{
    (void)state;
    char dir[] = "/tmp/ipsim-test-sensitivity-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/draws.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* 41 draws 0.01, 0.02, ..., 0.41: the type-7 quantiles are at 1 + 0.025 x 40 = 2
     * and 1 + 0.975 x 40 = 40, so 0.02 and 0.40 exactly. Written out of order. */
    fprintf(f, "draw,ivig.rate_ratio_all\n");
    for (int i = 0; i < 41; i++)
        fprintf(f, "%d,%.2f\n", i + 1, 0.01 * (1 + (i * 17) % 41));
    fclose(f);
    char params_path[128];
    snprintf(params_path, sizeof params_path, "%s/params.yaml", dir);
    f = fopen(params_path, "w");
    assert_non_null(f);
    fprintf(f, "psa: {sample: true, posterior: draws.csv}\n");
    fclose(f);
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, params_path, NULL, 0, &err), IPSIM_OK);
    ipsim_posterior_file file;
    assert_int_equal(ipsim_posterior_file_open(&file, &p.psa.posterior, &err), IPSIM_OK);
    ipsim_sensitivity_input in;
    assert_int_equal(ipsim_sensitivity_find(&p, &file, "ivig.rate_ratio_all", &in, &err),
                     IPSIM_OK);
    assert_int_equal(in.source, IPSIM_RANGE_POSTERIOR);
    assert_true(fabs(in.low - 0.02) < 1e-12 && fabs(in.high - 0.40) < 1e-12);
    /* Without the opened file it cannot be ranged. */
    assert_int_equal(ipsim_sensitivity_find(&p, NULL, "ivig.rate_ratio_all", &in, &err),
                     IPSIM_EINTERNAL);
    ipsim_posterior_file_free(&file);
    unlink(path);
    unlink(params_path);
    rmdir(dir);
}

static void setting_a_share_rescales_its_vector(void **state)
{
    (void)state;
    ipsim_params p = test_params_resolve(NULL);
    ipsim_sensitivity_input in;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_sensitivity_find(&p, NULL, "infection.type_share.viral", &in, &err),
                     IPSIM_OK);
    assert_int_equal(in.source, IPSIM_RANGE_GIVEN); /* no distribution: no range of its own */
    const double b = p.infection.type_share[0], fu = p.infection.type_share[2];
    assert_int_equal(ipsim_sensitivity_set(&p, &in, 0.5, &err), IPSIM_OK);
    const double *s = p.infection.type_share;
    assert_true(fabs(s[1] - 0.5) < 1e-15);
    assert_true(fabs(s[0] + s[1] + s[2] - 1) < 1e-12);
    assert_true(fabs(s[0] / s[2] - b / fu) < 1e-9); /* the others keep their ratio */
    assert_int_equal(ipsim_params_check(&p, "test", &err), IPSIM_OK);

    /* A matrix row: only that row is rescaled. */
    int32_t spec = (int32_t)ipsim_param_spec_index(ipsim_param_spec_find("grades.transition_matrix"));
    ipsim_sensitivity_input cell = {.spec = spec, .element = 1 * IPSIM_GRADES + 2,
                                    .name = "grades.transition_matrix.mild.moderate"};
    double before[IPSIM_GRADES][IPSIM_GRADES];
    memcpy(before, p.grades.transition_matrix, sizeof before);
    assert_int_equal(ipsim_sensitivity_set(&p, &cell, 0.1, &err), IPSIM_OK);
    double row = 0;
    for (int j = 0; j < IPSIM_GRADES; j++)
        row += p.grades.transition_matrix[1][j];
    assert_true(fabs(row - 1) < 1e-12);
    assert_true(fabs(p.grades.transition_matrix[1][2] - 0.1) < 1e-15);
    assert_memory_equal(before[0], p.grades.transition_matrix[0], sizeof before[0]);
    assert_memory_equal(before[2], p.grades.transition_matrix[2], sizeof before[2]);

    /* Out of range: refused, naming the element. */
    assert_int_equal(ipsim_sensitivity_set(&p, &in, 1.5, &err), IPSIM_EPARAM);
    assert_string_equal(err.key, "infection.type_share.viral");
}

static void parses_ranges(void **state)
{
    (void)state;
    char key[IPSIM_KEY_MAX];
    double lo, hi;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_sensitivity_parse_range("economics.ivig_price_per_gram=10:60.5", key,
                                                   sizeof key, &lo, &hi, &err),
                     IPSIM_OK);
    assert_string_equal(key, "economics.ivig_price_per_gram");
    assert_true(lo == 10 && hi == 60.5);
    const char *bad[] = {"x=1", "x=2:1", "=1:2", "x=1:", "x=a:2", "x=1:2junk", "x1:2", "x=1:inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ipsim_sensitivity_parse_range(bad[i], key, sizeof key, &lo, &hi, &err),
                         IPSIM_EUSAGE);
}

static void paired_statistics(void **state)
{
    (void)state;
    ipsim_strategy_outcomes x, y;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_strategy_outcomes_alloc(&x, 2, 4, &err), IPSIM_OK);
    assert_int_equal(ipsim_strategy_outcomes_alloc(&y, 2, 4, &err), IPSIM_OK);
    const double cost[2][4] = {{100, 200, 300, 400}, {150, 260, 330, 500}};
    const double qalys[2][4] = {{1.0, 2.0, 0.5, 1.5}, {1.1, 2.0, 0.6, 1.7}};
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < 4; i++) {
            x.cost[s * 4 + i] = cost[s][i];
            x.qalys[s * 4 + i] = qalys[s][i];
            y.cost[s * 4 + i] = cost[s][i] + (s == 1 ? 10.0 * i : 0);
            y.qalys[s * 4 + i] = qalys[s][i];
        }
    const double wtp = 1000;
    double c[2], q[2];
    ipsim_strategy_means(&x, c, q);
    assert_true(fabs(c[0] - 250) < 1e-12 && fabs(q[1] - 1.35) < 1e-12);
    /* Per patient NB(1) - NB(0): 1000 x dq - dc = 50, -60, 70, 100. */
    double mean, se;
    ipsim_net_benefit_difference(&x, NULL, 1, 0, wtp, &mean, &se);
    const double d[4] = {50, -60, 70, 100};
    double m = (d[0] + d[1] + d[2] + d[3]) / 4, ss = 0;
    for (int i = 0; i < 4; i++)
        ss += (d[i] - m) * (d[i] - m);
    assert_true(fabs(mean - m) < 1e-9);
    assert_true(fabs(se - sqrt(ss / 3 / 4)) < 1e-9);
    /* Less the same in y, where strategy 1 costs 10 i more: 0, 10, 20, 30. */
    ipsim_net_benefit_difference(&x, &y, 1, 0, wtp, &mean, &se);
    assert_true(fabs(mean - 15) < 1e-9);
    assert_true(fabs(se - sqrt((225 + 25 + 25 + 225) / 3.0 / 4)) < 1e-9);
    /* The preferred: the higher mean NB; the first on a tie. */
    assert_int_equal(ipsim_preferred_strategy(c, q, 2, wtp), 1);
    assert_int_equal(ipsim_preferred_strategy(c, q, 2, 0), 0);
    const double tie_c[2] = {0, 100}, tie_q[2] = {1, 1.1};
    assert_int_equal(ipsim_preferred_strategy(tie_c, tie_q, 2, 1000), 0);
    ipsim_strategy_outcomes_free(&x);
    ipsim_strategy_outcomes_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranges_are_the_distributions_quantiles),
        cmocka_unit_test(ranges_of_a_posterior_column),
        cmocka_unit_test(setting_a_share_rescales_its_vector),
        cmocka_unit_test(parses_ranges),
        cmocka_unit_test(paired_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
