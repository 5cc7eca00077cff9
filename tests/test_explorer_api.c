/* tests/test_explorer_api.c: sim/explorer.h natively (the WebAssembly build
 * of the same file is tested against `ipsim run` by test_explorer.py): the
 * run in slices, its JSON, the resolved file, and its errors. Under the
 * sanitizer build this is also where the explorer's memory is checked. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "test_support.h"

#include "sim/explorer.h"

static const char *const SMALL =
    "name: small\nseed: 31\ncohort:\n  patients: 300\n  replicates: 2\n  horizon_months: 24\n"
    "ivig:\n  policy: grade\n  grade_threshold: severe\n";

/* Runs `yaml` in slices of `step` patients; returns the JSON (malloc'd). */
static char *run_in_slices(const char *yaml, int step)
{
    ipsim_explorer *x = ipsim_explorer_open(yaml);
    assert_non_null(x);
    assert_string_equal(ipsim_explorer_error(x), "");
    int r, steps = 0;
    while ((r = ipsim_explorer_step(x, step)) == 0) {
        steps++;
        assert_true(ipsim_explorer_done(x) > 0 && ipsim_explorer_done(x) < 1);
    }
    assert_int_equal(r, 1);
    /* A slice never spans two replicates: 2 x ceil(300 / step) slices. */
    assert_int_equal(steps, 2 * ((300 + step - 1) / step) - 1);
    assert_true(ipsim_explorer_done(x) == 1.0);
    assert_int_equal(ipsim_explorer_step(x, step), 1); /* done stays done */
    char *json = strdup(ipsim_explorer_json(x));
    ipsim_explorer_free(x);
    return json;
}

static void slices_change_nothing(void **state)
{
    (void)state;
    char *one = run_in_slices(SMALL, 1), *some = run_in_slices(SMALL, 77),
         *all = run_in_slices(SMALL, 1000);
    assert_string_equal(one, some);
    assert_string_equal(one, all);
    /* Both replicates' patients, the file's names. */
    assert_non_null(strstr(one, "\"patients\":600,\"replicates\":2,\"months\":25"));
    assert_non_null(strstr(one, "\"first_infections_by_baseline_grade\":["));
    assert_non_null(strstr(one, "\"deaths_by_cause\":["));
    assert_null(strstr(one, "nan"));
    free(one);
    free(some);
    free(all);
}

static void the_resolved_file_resolves_to_the_same_set(void **state)
{
    (void)state;
    ipsim_explorer *x = ipsim_explorer_open(SMALL);
    const char *text = ipsim_explorer_resolved_yaml(x);
    assert_non_null(text);
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "resolved", NULL, 0, &err),
                     IPSIM_OK);
    assert_int_equal(p.seed, 31);
    assert_int_equal(p.cohort.patients, 300);
    assert_int_equal(p.ivig.policy, IPSIM_IVIG_GRADE);
    ipsim_explorer_free(x);
}

static void errors_say_where(void **state)
{
    (void)state;
    ipsim_explorer *x = ipsim_explorer_open("cohort:\n  patients: 10\n  horizon_monhts: 12\n");
    assert_non_null(strstr(ipsim_explorer_error(x), "explorer.yaml:3:"));
    assert_non_null(strstr(ipsim_explorer_error(x), "horizon_monhts"));
    assert_int_equal(ipsim_explorer_step(x, 10), -1);
    assert_null(ipsim_explorer_json(x));
    assert_null(ipsim_explorer_resolved_yaml(x));
    ipsim_explorer_free(x);
    /* A PSA is refused: the explorer runs one parameter set. */
    x = ipsim_explorer_open("infection:\n  early_rate_ratio: {distribution: gamma, mean: 3, se: 0.5}\n");
    assert_non_null(strstr(ipsim_explorer_error(x), "without PSA"));
    ipsim_explorer_free(x);
    ipsim_explorer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slices_change_nothing),
        cmocka_unit_test(the_resolved_file_resolves_to_the_same_set),
        cmocka_unit_test(errors_say_where),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
