/* tests/test_rng.c: the Philox streams and their GSL adapter. */
#include "test_support.h"

#include <gsl/gsl_randist.h>

#include "base/rng.h"

/* Random123's known-answer vectors for Philox4x64-10 (kat_vectors). */
static void philox_matches_random123_known_answers(void **state)
{
    (void)state;
    static const struct {
        uint64_t counter[4], key[2], expected[4];
    } kat[] = {
        {{0, 0, 0, 0},
         {0, 0},
         {0x16554d9eca36314cULL, 0xdb20fe9d672d0fdcULL, 0xd7e772cee186176bULL,
          0x7e68b68aec7ba23bULL}},
        {{~0ULL, ~0ULL, ~0ULL, ~0ULL},
         {~0ULL, ~0ULL},
         {0x87b092c3013fe90bULL, 0x438c3c67be8d0224ULL, 0x9cc7d7c69cd777b6ULL,
          0xa09caebf594f0ba0ULL}},
        {{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
          0x082efa98ec4e6c89ULL},
         {0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL},
         {0xa528f45403e61d95ULL, 0x38c72dbd566e9788ULL, 0xa5a1610e72fd18b5ULL,
          0x57bd43b5e52b7fe6ULL}},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint64_t out[4];
        ipsim_rng_philox(kat[i].counter, kat[i].key, out);
        for (int j = 0; j < 4; j++)
            assert_int_equal(out[j], kat[i].expected[j]);
    }
}

/* The uniforms are the Philox words at (patient, cycle, purpose, draw) under
 * key (seed, replicate), top 53 bits scaled. */
static void uniforms_are_philox_at_their_coordinates(void **state)
{
    (void)state;
    ipsim_stream s = {0x243f6a8885a308d3ULL, 17};
    double u[4];
    ipsim_rng_uniform4(s, 123456789, 42, IPSIM_PURPOSE_CYCLE, 3, u);
    uint64_t counter[4] = {123456789, 42, IPSIM_PURPOSE_CYCLE, 3}, key[2] = {s.seed, 17}, raw[4];
    ipsim_rng_philox(counter, key, raw);
    for (int j = 0; j < 4; j++)
        assert_true(u[j] == (double)(raw[j] >> 11) * 0x1.0p-53);
}

/* Changing any one coordinate changes every word. */
static void every_coordinate_selects_a_different_stream(void **state)
{
    (void)state;
    ipsim_stream base = {99, 0};
    double ref[4], u[4];
    ipsim_rng_uniform4(base, 5, 6, IPSIM_PURPOSE_CYCLE, 0, ref);
    ipsim_stream other_seed = {100, 0}, other_rep = {99, 1};
    double *variants[6];
    double buf[6][4];
    ipsim_rng_uniform4(other_seed, 5, 6, IPSIM_PURPOSE_CYCLE, 0, buf[0]);
    ipsim_rng_uniform4(other_rep, 5, 6, IPSIM_PURPOSE_CYCLE, 0, buf[1]);
    ipsim_rng_uniform4(base, 4, 6, IPSIM_PURPOSE_CYCLE, 0, buf[2]);
    ipsim_rng_uniform4(base, 5, 7, IPSIM_PURPOSE_CYCLE, 0, buf[3]);
    ipsim_rng_uniform4(base, 5, 6, IPSIM_PURPOSE_EPISODE, 0, buf[4]);
    ipsim_rng_uniform4(base, 5, 6, IPSIM_PURPOSE_CYCLE, 1, buf[5]);
    for (int v = 0; v < 6; v++) {
        variants[v] = buf[v];
        for (int j = 0; j < 4; j++)
            assert_true(variants[v][j] != ref[j]);
    }
    ipsim_rng_uniform4(base, 5, 6, IPSIM_PURPOSE_CYCLE, 0, u);
    assert_memory_equal(u, ref, sizeof u);
}

/* Mean 1/2 and variance 1/12 of U(0,1), within 4 SE, over 4 x 250,000
 * draws; every draw in [0, 1). SE of the mean: sqrt(1/12 / n); of the
 * variance estimate: sqrt((1/80 - 1/144) / n) (fourth central moment 1/80). */
static void uniforms_have_uniform_moments(void **state)
{
    (void)state;
    ipsim_stream s = {20261125, 3};
    const int calls = 250000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < calls; i++) {
        double u[4];
        ipsim_rng_uniform4(s, (uint64_t)i, 0, IPSIM_PURPOSE_CYCLE, 0, u);
        for (int j = 0; j < 4; j++) {
            assert_true(u[j] >= 0.0 && u[j] < 1.0);
            sum += u[j];
            sum_sq += (u[j] - 0.5) * (u[j] - 0.5);
        }
    }
    double n = 4.0 * calls;
    assert_within_4se(sum / n, 0.5, sqrt(1.0 / 12 / n), "mean of U(0,1)");
    assert_within_4se(sum_sq / n, 1.0 / 12, sqrt((1.0 / 80 - 1.0 / 144) / n),
                      "variance of U(0,1)");
}

/* The GSL adapter: repositioning replays the same numbers; GSL's samplers
 * drawing from it give the right moments. */
static void gsl_stream_replays_and_feeds_gsl_samplers(void **state)
{
    (void)state;
    ipsim_error err;
    ipsim_error_clear(&err);
    ipsim_gsl_stream *g = NULL;
    assert_int_equal(ipsim_gsl_stream_create(&g, &err), IPSIM_OK);
    ipsim_stream s = {7, 1};

    gsl_rng *r = ipsim_gsl_stream_reset(g, s, 11, 0, IPSIM_PURPOSE_GSL);
    double first[10], again[10];
    for (int i = 0; i < 10; i++)
        first[i] = gsl_ran_gamma(r, 2.5, 1.3);
    r = ipsim_gsl_stream_reset(g, s, 12, 0, IPSIM_PURPOSE_GSL);
    double other = gsl_ran_gamma(r, 2.5, 1.3);
    r = ipsim_gsl_stream_reset(g, s, 11, 0, IPSIM_PURPOSE_GSL);
    for (int i = 0; i < 10; i++)
        again[i] = gsl_ran_gamma(r, 2.5, 1.3);
    assert_memory_equal(first, again, sizeof first);
    assert_true(other != first[0]);

    /* Normal(1.7, 0.6^2): mean within 4 SE, sqrt(0.36 / n). */
    const int n = 200000;
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; i++) {
        r = ipsim_gsl_stream_reset(g, s, (uint64_t)i, 0, IPSIM_PURPOSE_GSL);
        double x = 1.7 + gsl_ran_gaussian(r, 0.6);
        sum += x;
        sum_sq += (x - 1.7) * (x - 1.7);
    }
    assert_within_4se(sum / n, 1.7, 0.6 / sqrt(n), "normal mean");
    /* Variance of a normal sample variance: 2 sigma^4 / n. */
    assert_within_4se(sum_sq / n, 0.36, sqrt(2.0 / n) * 0.36, "normal variance");
    ipsim_gsl_stream_free(g);
    ipsim_gsl_stream_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(philox_matches_random123_known_answers),
        cmocka_unit_test(uniforms_are_philox_at_their_coordinates),
        cmocka_unit_test(every_coordinate_selects_a_different_stream),
        cmocka_unit_test(uniforms_have_uniform_moments),
        cmocka_unit_test(gsl_stream_replays_and_feeds_gsl_samplers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
