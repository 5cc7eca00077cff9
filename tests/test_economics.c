/* tests/test_economics.c: the incremental analysis against values worked
 * by hand. */
#include "test_support.h"

#include "analysis/incremental.h"

/* Five options, worked by hand:
 *   A  1000  5.0   cheapest: the reference
 *   B  3000  5.5   vs A: 2000 / 0.5 = 4000 per QALY
 *   C  4000  5.4   costs more than B and yields less: dominated
 *   D  8000  6.0   vs B: 5000 / 0.5 = 10000, but E vs D is 2000 / 0.5 = 4000
 *                  < 10000: a mix of B and E beats D, extendedly dominated
 *   E 10000  6.5   vs B: 7000 / 1.0 = 7000
 * Given in a scrambled order, to test the sorting. */
static void frontier_dominance_and_icers(void **state)
{
    (void)state;
    enum { A = 3, B = 0, C = 4, D = 1, E = 2 };
    double cost[5], effect[5];
    cost[A] = 1000, effect[A] = 5.0;
    cost[B] = 3000, effect[B] = 5.5;
    cost[C] = 4000, effect[C] = 5.4;
    cost[D] = 8000, effect[D] = 6.0;
    cost[E] = 10000, effect[E] = 6.5;
    ipsim_incremental r[5];
    ipsim_incremental_analysis(cost, effect, 5, r);
    assert_int_equal(r[A].status, IPSIM_FRONTIER);
    assert_int_equal(r[A].compared_to, -1);
    assert_true(isnan(r[A].icer));
    assert_int_equal(r[B].status, IPSIM_FRONTIER);
    assert_int_equal(r[B].compared_to, A);
    assert_true(fabs(r[B].icer - 4000) < 1e-9);
    assert_int_equal(r[C].status, IPSIM_DOMINATED);
    assert_true(isnan(r[C].icer));
    assert_int_equal(r[D].status, IPSIM_EXTENDEDLY_DOMINATED);
    assert_true(isnan(r[D].icer));
    assert_int_equal(r[E].status, IPSIM_FRONTIER);
    assert_int_equal(r[E].compared_to, B);
    assert_true(fabs(r[E].d_cost - 7000) < 1e-9 && fabs(r[E].d_effect - 1.0) < 1e-12);
    assert_true(fabs(r[E].icer - 7000) < 1e-9);

    /* Ties: equal cost, the less effective is dominated; equal effect, the
     * costlier is. */
    double tc[3] = {500, 500, 900}, te[3] = {2.0, 2.5, 2.5};
    ipsim_incremental t[3];
    ipsim_incremental_analysis(tc, te, 3, t);
    assert_int_equal(t[0].status, IPSIM_DOMINATED);
    assert_int_equal(t[1].status, IPSIM_FRONTIER);
    assert_int_equal(t[2].status, IPSIM_DOMINATED);

    /* Net benefit at 20,000 per QALY: E's NMB 6.5 x 20000 - 10000. */
    assert_true(ipsim_net_monetary_benefit(cost[E], effect[E], 20000) == 120000);
    assert_true(fabs(ipsim_net_health_benefit(cost[E], effect[E], 20000) - 6.0) < 1e-12);
}

/* Four PSA draws of two options, worked by hand: at 10,000 per QALY option
 * B wins draws 0 and 2 (NMB 10,100 and 10,200 against A's 10,000), so each
 * is cost-effective with probability 1/2; E[max NMB] = 10,075 while both
 * options expect 10,000, so EVPI = 75. At 20,000: E[max] = 20,250, E[B] =
 * 20,150, EVPI = 100. At 0, A (free) wins every draw and EVPI is 0.
 * Expected losses (E[max] - E[option]): 75 and 75 at 10,000; 250 and 100
 * at 20,000; 0 and 150 at 0. B (mean cost 150, QALYs 1.015) is on the
 * frontier against A, and beats it in draws 0 and 2 at 10,000 and 20,000
 * (incremental CEAC 1/2), in none at 0. */
static void acceptability_and_evpi(void **state)
{
    (void)state;
    const double cost[4][2] = {{0, 100}, {0, 100}, {0, 300}, {0, 100}};
    const double qalys[4][2] = {{1.0, 1.02}, {1.0, 1.00}, {1.0, 1.05}, {1.0, 0.99}};
    const struct {
        double wtp, p_a, evpi, loss[2], incremental_b;
    } cases[] = {{10000, 0.5, 75, {75, 75}, 0.5},
                 {20000, 0.5, 100, {250, 100}, 0.5},
                 {0, 1.0, 0, {0, 150}, 0}};
    const double mean_cost[2] = {0, 150}, mean_qalys[2] = {1.0, 1.015};
    ipsim_incremental analysis[2];
    ipsim_incremental_analysis(mean_cost, mean_qalys, 2, analysis);
    assert_int_equal(analysis[1].compared_to, 0);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double p[2], evpi, loss[2], incremental[2];
        ipsim_acceptability(&cost[0][0], &qalys[0][0], 4, 2, cases[k].wtp, p, &evpi, loss);
        assert_true(fabs(p[0] - cases[k].p_a) < 1e-12);
        assert_true(fabs(p[0] + p[1] - 1) < 1e-12);
        assert_true(fabs(evpi - cases[k].evpi) < 1e-9);
        assert_close(loss[0], cases[k].loss[0], 1e-9);
        assert_close(loss[1], cases[k].loss[1], 1e-9);
        ipsim_incremental_acceptability(&cost[0][0], &qalys[0][0], 4, 2, analysis, cases[k].wtp,
                                        incremental);
        assert_true(isnan(incremental[0]));
        assert_close(incremental[1], cases[k].incremental_b, 1e-12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frontier_dominance_and_icers),
        cmocka_unit_test(acceptability_and_evpi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
