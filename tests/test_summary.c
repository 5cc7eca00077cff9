/* tests/test_summary.c: tallies and the figures derived from them. */
#include "test_support.h"

#include "output/summary.h"

/* A summary of one 12-month cycle with `k` episodes in 100 patient-years of
 * mild IP, so the rate per 100 patient-years is k itself. */
static ipsim_summary *summary_with(int64_t k, int serious)
{
    ipsim_summary *s = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_summary_create_for(&s, 2, 12, 12, &err), IPSIM_OK);
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
    for (int64_t k = 50; k <= 200000; k *= 3) {
        ipsim_summary *s = summary_with(k, 0);
        double rate, low, high, half = 1.959963984540054 * sqrt((double)k);
        ipsim_summary_episode_rate(s, -1, 0, &rate, &low, &high);
        assert_true(low < rate && rate < high);
        /* Skewed towards higher counts, within a couple of units of the
         * symmetric normal interval. */
        assert_true(fabs(low - (rate - half)) < 2.0 && fabs(high - (rate + half)) < 3.0);
        ipsim_summary_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(person_months_come_from_occupancy),
        cmocka_unit_test(episode_rates_have_exact_poisson_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
