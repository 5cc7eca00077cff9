/* tests/test_voi.c: EVPI, EVPPI and EVSI by regression against closed forms.
 *
 * Two options; option 1's incremental net benefit is a known function of
 * normal parameters (cost = -INB, effect 0, so INB does not depend on the
 * willingness to pay). For INB = a + b theta, theta ~ N(m, s^2):
 *   EVPI = EVPPI(theta) = s|b| phi(z) + mu (Phi(z) - 1[mu > 0]),
 *   mu = a + b m, z = mu / (s|b|)
 * and a study measuring theta with error variance sigma^2/n has
 *   EVSI(n) = the same with s|b| replaced by |b| s^2 / sqrt(s^2 + sigma^2/n).
 * Every estimate is compared with its exact value within 4 bootstrap SEs,
 * on fixed seeds. */
#include "test_support.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "analysis/evsi.h"
#include "analysis/metamodel.h"
#include "analysis/voi.h"

enum { DRAWS = 4000, BOOTSTRAP = 200 };

/* The exact value of max(0, N(mu, sd^2)) beyond max(0, mu). */
static double normal_value(double mu, double sd)
{
    const double z = mu / sd;
    return sd * gsl_ran_ugaussian_pdf(z) + mu * (gsl_cdf_ugaussian_P(z) - (mu > 0));
}

typedef struct problem {
    double x[DRAWS * 3]; /* theta, phi (unused by the net benefit), psi */
    double cost[DRAWS * 2], effect[DRAWS * 2];
    ipsim_psa_outcomes outcomes;
} problem;

/* Draws the three normal parameters and sets option 1's INB = inb(x). */
static void make_problem(problem *pr, unsigned long seed, double (*inb)(const double *x))
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (int r = 0; r < DRAWS; r++) {
        for (int j = 0; j < 3; j++)
            pr->x[r * 3 + j] = gsl_ran_ugaussian(rng);
        pr->cost[2 * r] = pr->effect[2 * r] = pr->effect[2 * r + 1] = 0;
        pr->cost[2 * r + 1] = -inb(pr->x + r * 3);
    }
    gsl_rng_free(rng);
    pr->outcomes = (ipsim_psa_outcomes){DRAWS, 2, pr->cost, pr->effect};
}

/* The VOI of the inputs `columns` of the problem, with its bootstrap SE,
 * and the EVPI's SE. */
static double value_of(const problem *pr, const int *columns, int d, double *se, double *evpi_se)
{
    double *x = malloc(sizeof(double) * DRAWS * (size_t)d);
    for (int r = 0; r < DRAWS; r++)
        for (int j = 0; j < d; j++)
            x[r * d + j] = pr->x[r * 3 + columns[j]];
    ipsim_voi_fit f;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_voi_fit_create(&f, &pr->outcomes, x, d, &err), IPSIM_OK);
    const double wtp = 20000;
    double value;
    assert_int_equal(ipsim_voi_value(&f, wtp, &value, NULL, &err), IPSIM_OK);
    assert_int_equal(ipsim_voi_bootstrap(&f, &wtp, 1, BOOTSTRAP, 7, 1, se, evpi_se,
                                         &err),
                     IPSIM_OK);
    assert_true(value <= ipsim_voi_evpi(&pr->outcomes, wtp));
    if (getenv("IPSIM_TEST_VERBOSE")) {
        char basis[128];
        ipsim_metamodel_describe(f.model, basis, sizeof basis);
        printf("  %d inputs: value %.5f (SE %.5f), EVPI %.5f, %s, edf %.1f, R2 %.4f\n", d, value,
               *se, ipsim_voi_evpi(&pr->outcomes, wtp), basis, f.fits[0].edf, f.fits[0].r_squared);
    }
    ipsim_voi_fit_free(&f);
    free(x);
    return value;
}

static const double A = 1, B = 2, M = 0, S = 1;
static double linear(const double *x) { return A + B * (M + S * x[0]); }
/* With E[INB] = 0 the decision is on a knife edge, so that noise in a fit
 * on an unrelated parameter shows as value. */
static double balanced(const double *x) { return B * x[0]; }
static double quadratic(const double *x) { return 1 - x[0] * x[0]; }
static double interaction(const double *x) { return x[0] * x[2]; }

static void evppi_linear_normal(void **state)
{
    (void)state;
    static problem pr;
    make_problem(&pr, 11, linear);
    const double exact = normal_value(A + B * M, S * fabs(B));
    double se, evpi_se;
    const int theta[] = {0}, phi[] = {1}, all[] = {0, 1, 2};
    const double evpi = ipsim_voi_evpi(&pr.outcomes, 20000);
    value_of(&pr, theta, 1, &se, &evpi_se);
    assert_within_4se(evpi, exact, evpi_se, "EVPI");
    const double evppi = value_of(&pr, theta, 1, &se, NULL);
    assert_within_4se(evppi, exact, se, "EVPPI(theta)");
    const double together = value_of(&pr, all, 3, &se, NULL);
    assert_within_4se(together, evpi, se, "EVPPI of all parameters against EVPI");

    static problem edge;
    make_problem(&edge, 15, balanced);
    const double unrelated = value_of(&edge, phi, 1, &se, NULL);
    assert_true(se > 0);
    assert_within_4se(unrelated, 0, se, "EVPPI of a parameter the net benefit ignores");
}

/* INB = 1 - theta^2: EVPI = EVPPI(theta) = E[max(0, 1 - theta^2)] = 2 phi(1),
 * since E[INB] = 0. A straight line would give 0: the spline must bend. */
static void evppi_curved(void **state)
{
    (void)state;
    static problem pr;
    make_problem(&pr, 12, quadratic);
    double se;
    const int theta[] = {0};
    const double evppi = value_of(&pr, theta, 1, &se, NULL);
    assert_within_4se(evppi, 2 * gsl_ran_ugaussian_pdf(1), se, "EVPPI of a curved net benefit");
}

/* INB = theta psi: EVPPI(theta, psi) = E|theta psi| / 2 = 1/pi, which only a
 * basis with interactions (the tensor product) finds; EVPPI(theta) = 0. */
static void evppi_interaction(void **state)
{
    (void)state;
    static problem pr;
    make_problem(&pr, 13, interaction);
    double se;
    const int pair[] = {0, 2}, one[] = {0};
    assert_within_4se(value_of(&pr, pair, 2, &se, NULL), 0.3183098861837907 /* 1/pi */, se,
                      "EVPPI(theta, psi) of theta x psi");
    assert_within_4se(value_of(&pr, one, 1, &se, NULL), 0, se, "EVPPI(theta) of theta x psi");
}

/* EVSI of a study measuring theta with observation SD sigma = 3, at three
 * sizes; it rises with n towards EVPPI. */
static void evsi_normal_study(void **state)
{
    (void)state;
    static problem pr;
    make_problem(&pr, 14, linear);
    double theta[DRAWS], result[DRAWS];
    for (int r = 0; r < DRAWS; r++)
        theta[r] = M + S * pr.x[r * 3];
    const double sigma = 3;
    ipsim_voi_study study = {.name = "trial", .parameter = "theta", .design = IPSIM_VOI_NORMAL,
                         .sd = sigma, .arms = 1};
    const int64_t sizes[3] = {2, 10, 100};
    double previous = 0;
    for (int i = 0; i < 3; i++) {
        ipsim_error err;
        ipsim_error_clear(&err);
        assert_int_equal(
            ipsim_evsi_simulate(&study, theta, DRAWS, sizes[i], 0, 99, result, &err), IPSIM_OK);
        ipsim_voi_fit f;
        assert_int_equal(ipsim_voi_fit_create(&f, &pr.outcomes, result, 1, &err), IPSIM_OK);
        const double wtp = 0;
        double evsi;
        assert_int_equal(ipsim_voi_value(&f, wtp, &evsi, NULL, &err), IPSIM_OK);
        double se;
        assert_int_equal(
            ipsim_voi_bootstrap(&f, &wtp, 1, BOOTSTRAP, 7, 2, &se, NULL, &err),
            IPSIM_OK);
        const double n = (double)sizes[i];
        const double sd = fabs(B) * S * S / sqrt(S * S + sigma * sigma / n);
        char what[64];
        snprintf(what, sizeof what, "EVSI at n = %d", (int)sizes[i]);
        assert_within_4se(evsi, normal_value(A + B * M, sd), se, what);
        assert_true(evsi > previous);
        assert_true(evsi <= ipsim_voi_evpi(&pr.outcomes, wtp));
        previous = evsi;
        ipsim_voi_fit_free(&f);
    }
}

/* EVSI against exact preposterior values, with a net benefit like a real
 * PSA's at a willingness to pay near the ICER: each draw's cost and
 * effect increments share a large noise term (the other parameters,
 * moving both) that cancels in the net benefit, INB = A2 + B2 theta. For
 * a study measuring theta the preposterior mean of INB is A2 + B2
 * E[theta | X], so
 *   EVSI(n) = E_X[max(0, A2 + B2 E[theta | X])] - max(0, A2 + B2 E[theta]).
 * Two checks at each n: (1) given the draws, the average over 16 simulated
 * datasets matches that expectation under the draws' own prior (theta's
 * empirical distribution; X summed or integrated over), within 4 SEs of
 * the datasets' spread; fitting the cost and the effect apart, as ipsim
 * once did, overstates it by 10-25 SEs, and past the EVPPI at large n.
 * (2) Against the closed form for the continuous prior, the average over
 * IPSIM_EVSI_DATASETS datasets within 4 of its bootstrap SEs (resampled
 * resample by resample across the datasets, as `ipsim voi` reports). */
enum { SHARED_DRAWS = 4000, DATASETS = 16, RESAMPLES = 60 };
static const double A2 = -290, B2 = 1000, WTP2 = 20000, SHARED_SD = 1000;

typedef struct shared_noise {
    double theta[SHARED_DRAWS], cost[2 * SHARED_DRAWS], effect[2 * SHARED_DRAWS];
    ipsim_psa_outcomes outcomes;
} shared_noise;

static void make_shared_noise(shared_noise *pr, bool beta, double a, double b)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 21);
    for (int r = 0; r < SHARED_DRAWS; r++) {
        pr->theta[r] = beta ? gsl_ran_beta(rng, a, b) : a + b * gsl_ran_ugaussian(rng);
        const double shared = SHARED_SD * gsl_ran_ugaussian(rng);
        pr->cost[2 * r] = pr->effect[2 * r] = 0;
        pr->cost[2 * r + 1] = 5000 + shared;
        pr->effect[2 * r + 1] = (5000 + A2 + B2 * pr->theta[r] + shared) / WTP2;
    }
    gsl_rng_free(rng);
    pr->outcomes = (ipsim_psa_outcomes){SHARED_DRAWS, 2, pr->cost, pr->effect};
}

/* E_X[max(0, A2 + B2 E[theta | X])] - max(0, A2 + B2 E[theta]) with theta's
 * prior the draws themselves; X | theta has log-likelihood loglik. */
static double empirical_evsi(const shared_noise *pr, double (*loglik)(double x, double theta,
                                                                      int64_t n),
                             int64_t n, double lo, double hi, double step)
{
    static double lw[SHARED_DRAWS];
    double prior_mean = 0, value = 0;
    for (int r = 0; r < SHARED_DRAWS; r++)
        prior_mean += pr->theta[r] / SHARED_DRAWS;
    for (double x = lo; x <= hi + 1e-9; x += step) {
        double top = -INFINITY, weight = 0, mean = 0;
        for (int r = 0; r < SHARED_DRAWS; r++)
            top = fmax(top, lw[r] = loglik(x, pr->theta[r], n));
        for (int r = 0; r < SHARED_DRAWS; r++) {
            const double w = exp(lw[r] - top);
            weight += w;
            mean += w * pr->theta[r];
        }
        /* P(x) = mean_r L(x | theta_r) (times step for a density) */
        value += step * exp(top) * weight / SHARED_DRAWS * fmax(0, A2 + B2 * mean / weight);
    }
    return value - fmax(0, A2 + B2 * prior_mean);
}

static double binomial_loglik(double x, double theta, int64_t n)
{
    return gsl_sf_lnchoose((unsigned)n, (unsigned)x) + x * log(theta) +
           ((double)n - x) * log1p(-theta);
}

static const double STUDY_SD = 0.5;
static double normal_loglik(double x, double theta, int64_t n)
{
    const double sd = STUDY_SD / sqrt((double)n), z = (x - theta) / sd;
    return -0.5 * z * z - log(sd) - 0.91893853320467274 /* log sqrt(2 pi) */;
}

/* The EVSI of one simulated dataset. */
static double evsi_of(const shared_noise *pr, const ipsim_voi_study *study, int64_t n, int dataset,
                      double *resampled)
{
    static double result[SHARED_DRAWS];
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_evsi_simulate(study, pr->theta, SHARED_DRAWS, n, dataset, 99, result,
                                         &err),
                     IPSIM_OK);
    ipsim_voi_fit f;
    assert_int_equal(ipsim_voi_fit_create(&f, &pr->outcomes, result, 1, &err), IPSIM_OK);
    double value;
    assert_int_equal(ipsim_voi_value(&f, WTP2, &value, NULL, &err), IPSIM_OK);
    if (resampled)
        assert_int_equal(ipsim_voi_resample(&f, &WTP2, 1, RESAMPLES, 7, 3, resampled, NULL, &err),
                         IPSIM_OK);
    ipsim_voi_fit_free(&f);
    return value;
}

/* Both checks for a study at sizes n[3]; exact(n) the closed form. */
static void check_evsi(const shared_noise *pr, const ipsim_voi_study *study, const int64_t *sizes,
                       double (*exact)(int64_t n), double evppi, bool binomial)
{
    for (int i = 0; i < 3; i++) {
        const int64_t n = sizes[i];
        double sum = 0, ss = 0;
        for (int j = 0; j < DATASETS; j++) {
            const double v = evsi_of(pr, study, n, j, NULL);
            sum += v;
            ss += v * v;
        }
        const double mean = sum / DATASETS;
        const double se = sqrt(fmax(0, ss - DATASETS * mean * mean) / (DATASETS - 1) / DATASETS);
        const double sd_x = binomial ? 0 : STUDY_SD / sqrt((double)n);
        const double given = binomial ? empirical_evsi(pr, binomial_loglik, n, 0, (double)n, 1)
                                      : empirical_evsi(pr, normal_loglik, n, -0.5 - 8 * sd_x,
                                                       1.1 + 8 * sd_x, sd_x / 20);
        char what[96];
        snprintf(what, sizeof what, "%s EVSI at n = %lld given the draws",
                 binomial ? "binomial" : "normal", (long long)n);
        assert_within_4se(mean, given, fmax(se, 1e-3 * given), what);

        double resampled[RESAMPLES], average[RESAMPLES] = {0}, estimate = 0, boot_se;
        for (int j = 0; j < IPSIM_EVSI_DATASETS; j++) {
            estimate += evsi_of(pr, study, n, j, resampled) / IPSIM_EVSI_DATASETS;
            for (int b = 0; b < RESAMPLES; b++)
                average[b] += resampled[b] / IPSIM_EVSI_DATASETS;
        }
        ipsim_voi_spread(average, RESAMPLES, 1, &boot_se);
        snprintf(what, sizeof what, "%s EVSI at n = %lld against the closed form",
                 binomial ? "binomial" : "normal", (long long)n);
        assert_within_4se(estimate, exact(n), boot_se, what);
        assert_true(estimate <= evppi + 4 * boot_se);
        if (getenv("IPSIM_TEST_VERBOSE"))
            printf("  %s n = %lld: %.3f (SE %.3f over datasets) given the draws %.3f; "
                   "%.3f (bootstrap SE %.3f), exact %.3f; EVPPI %.3f\n",
                   binomial ? "binomial" : "normal", (long long)n, mean, se, given, estimate,
                   boot_se, exact(n), evppi);
    }
}

static const double ALPHA = 30, BETA = 70;
/* Beta-binomial: sum over the binomial outcomes. */
static double beta_binomial_evsi(int64_t n)
{
    double value = 0;
    for (int64_t x = 0; x <= n; x++) {
        const double p = exp(gsl_sf_lnchoose((unsigned)n, (unsigned)x) +
                             gsl_sf_lnbeta(ALPHA + (double)x, BETA + (double)(n - x)) -
                             gsl_sf_lnbeta(ALPHA, BETA));
        value += p * fmax(0, A2 + B2 * (ALPHA + (double)x) / (ALPHA + BETA + (double)n));
    }
    return value - fmax(0, A2 + B2 * ALPHA / (ALPHA + BETA));
}

static void evsi_binomial_beta_exact(void **state)
{
    (void)state;
    static shared_noise pr;
    make_shared_noise(&pr, true, ALPHA, BETA);
    ipsim_voi_study study = {.name = "cohort", .parameter = "theta",
                             .design = IPSIM_VOI_BINOMIAL, .arms = 1};
    const int64_t sizes[3] = {20, 200, 2000};
    check_evsi(&pr, &study, sizes, beta_binomial_evsi, beta_binomial_evsi(1000000), true);
}

static const double PRIOR_MEAN = 0.3, PRIOR_SD = 0.05;
/* Normal-normal: the preposterior mean is normal with SD
 * B2 s^2 / sqrt(s^2 + sigma^2 / n). */
static double normal_normal_evsi(int64_t n)
{
    const double s = PRIOR_SD, sigma = STUDY_SD;
    return normal_value(A2 + B2 * PRIOR_MEAN, B2 * s * s / sqrt(s * s + sigma * sigma / (double)n));
}

static void evsi_normal_normal_exact(void **state)
{
    (void)state;
    static shared_noise pr;
    make_shared_noise(&pr, false, PRIOR_MEAN, PRIOR_SD);
    ipsim_voi_study study = {.name = "trial", .parameter = "theta", .design = IPSIM_VOI_NORMAL,
                             .sd = STUDY_SD, .arms = 1};
    const int64_t sizes[3] = {20, 200, 2000};
    check_evsi(&pr, &study, sizes, normal_normal_evsi,
               normal_value(A2 + B2 * PRIOR_MEAN, B2 * PRIOR_SD), false);
}

/* The same seed gives the same study results and bootstrap SE; binomial
 * and rate-ratio results have their sampling means. */
static void study_results_are_reproducible_and_unbiased(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double theta[N], a[N], b[N];
    ipsim_error err;
    ipsim_error_clear(&err);
    for (int r = 0; r < N; r++)
        theta[r] = 0.3;
    ipsim_voi_study cohort = {.name = "cohort", .design = IPSIM_VOI_BINOMIAL, .arms = 1};
    assert_int_equal(ipsim_evsi_simulate(&cohort, theta, N, 50, 0, 5, a, &err), IPSIM_OK);
    assert_int_equal(ipsim_evsi_simulate(&cohort, theta, N, 50, 0, 5, b, &err), IPSIM_OK);
    assert_memory_equal(a, b, sizeof a);
    double mean = 0;
    for (int r = 0; r < N; r++)
        mean += a[r] / N;
    assert_within_4se(mean, 0.3, sqrt(0.3 * 0.7 / 50 / N), "binomial study mean");

    /* log((X1 + 1/2)/(X0 + 1/2)) with large expected counts: about log(theta). */
    for (int r = 0; r < N; r++)
        theta[r] = 0.5;
    ipsim_voi_study trial = {.name = "trial", .design = IPSIM_VOI_RATE_RATIO, .control_rate = 1,
                         .follow_up_years = 1, .arms = 2};
    assert_int_equal(ipsim_evsi_simulate(&trial, theta, N, 2000, 0, 5, a, &err), IPSIM_OK);
    mean = 0;
    for (int r = 0; r < N; r++)
        mean += a[r] / N;
    const double var = 1.0 / 2000 + 1.0 / 1000; /* delta method */
    assert_within_4se(mean, log(0.5), sqrt(var / N), "rate-ratio study mean log RR");
    theta[7] = -1;
    assert_int_equal(ipsim_evsi_simulate(&trial, theta, N, 10, 0, 5, a, &err), IPSIM_EPARAM);
    assert_non_null(strstr(err.message, "draw 7"));
}

static void population_multiplier(void **state)
{
    (void)state;
    assert_close(ipsim_voi_population(100, 3, 0.035), 100 * (1 + 1 / 1.035 + 1 / (1.035 * 1.035)),
                 1e-9);
    assert_close(ipsim_voi_population(100, 2.5, 0), 250, 1e-12);
}

static void metamodel_refuses_inputs_that_do_not_vary(void **state)
{
    (void)state;
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = 0.5;
    ipsim_metamodel *m = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_metamodel_create(&m, x, 100, 1, &err), IPSIM_EPARAM);
    assert_null(m);
    assert_non_null(strstr(err.message, "same value"));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evppi_linear_normal),
        cmocka_unit_test(evppi_curved),
        cmocka_unit_test(evppi_interaction),
        cmocka_unit_test(evsi_normal_study),
        cmocka_unit_test(evsi_binomial_beta_exact),
        cmocka_unit_test(evsi_normal_normal_exact),
        cmocka_unit_test(study_results_are_reproducible_and_unbiased),
        cmocka_unit_test(population_multiplier),
        cmocka_unit_test(metamodel_refuses_inputs_that_do_not_vary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
