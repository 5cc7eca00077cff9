/* tests/test_cohort.c: whole-cohort behaviour.
 *
 * Statistical checks compare Monte Carlo estimates with exact values (matrix
 * powers, closed forms) within 4 standard errors, on fixed seeds, so they
 * are deterministic. Reproducibility checks compare runs byte for byte. */
#include "test_support.h"

#include "models/expected.h"
#include "models/immunoglobulins.h"
#include "models/patient.h"
#include "output/summary.h"
#include "sim/cohort.h"

/* ---- running a cohort and keeping everything it produced ---------------- */

typedef struct capture {
    int64_t patients, months, replicates;
    uint8_t *grade, *infections;        /* [replicate][patient][month] */
    ipsim_patient_record *records;      /* [replicate][patient] */
    ipsim_summary **summaries;          /* [replicate] */
    int blocks, replicates_done;
} capture;

static int capture_sink(void *ctx, const ipsim_block *b, ipsim_error *err)
{
    (void)err;
    capture *c = ctx;
    size_t row = (size_t)(b->replicate * c->patients + b->first_patient);
    if (b->grade) {
        memcpy(c->grade + row * (size_t)c->months, b->grade, (size_t)(b->count * b->months));
        memcpy(c->infections + row * (size_t)c->months, b->infections,
               (size_t)(b->count * b->months));
    }
    memcpy(c->records + row, b->records, (size_t)b->count * sizeof *b->records);
    c->blocks++;
    return IPSIM_OK;
}

static int capture_replicate(void *ctx, int64_t replicate, const ipsim_summary *s,
                             ipsim_error *err)
{
    (void)err;
    capture *c = ctx;
    ipsim_summary_merge(c->summaries[replicate], s);
    c->replicates_done++;
    return IPSIM_OK;
}

static int run_cohort(const ipsim_params *p, int threads, int64_t block, capture *c,
                      const volatile sig_atomic_t *cancel)
{
    ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_model_init(&m, p, &err), IPSIM_OK);
    memset(c, 0, sizeof *c);
    c->patients = p->cohort.patients;
    c->replicates = p->cohort.replicates;
    c->months = m.cycles + 1;
    size_t rows = (size_t)(c->patients * c->replicates);
    int keep = p->output.trajectories == IPSIM_TRAJECTORIES_DENSE;
    if (keep) {
        c->grade = calloc(rows, (size_t)c->months);
        c->infections = calloc(rows, (size_t)c->months);
    }
    c->records = calloc(rows, sizeof *c->records);
    c->summaries = calloc((size_t)c->replicates, sizeof *c->summaries);
    for (int64_t r = 0; r < c->replicates; r++)
        assert_int_equal(ipsim_summary_create(&c->summaries[r], p, &err), IPSIM_OK);
    ipsim_cohort_config config = {.threads = threads,
                                  .block_patients = block,
                                  .keep_trajectories = keep,
                                  .cancel = cancel};
    ipsim_cohort_sinks sinks = {.block = capture_sink, .replicate = capture_replicate, .ctx = c};
    return ipsim_cohort_run(&m, p->seed, c->patients, 0, c->replicates, &config, &sinks, &err);
}

static void capture_free(capture *c)
{
    free(c->grade);
    free(c->infections);
    free(c->records);
    for (int64_t r = 0; r < c->replicates; r++)
        ipsim_summary_free(c->summaries[r]);
    free(c->summaries);
}

static void assert_summaries_equal(const ipsim_summary *a, const ipsim_summary *b)
{
    const size_t months = (size_t)a->shape.months;
    assert_int_equal(a->patients, b->patients);
    assert_memory_equal(a->occupancy, b->occupancy, months * IPSIM_STATES * sizeof(int64_t));
    assert_memory_equal(a->on_ivig, b->on_ivig, months * sizeof(int64_t));
    assert_memory_equal(a->phase_occupancy, b->phase_occupancy,
                        months * IPSIM_PHASE_STATES * sizeof(int64_t));
    assert_memory_equal(a->pfs_event_row, b->pfs_event_row, (months + 1) * 2 * sizeof(int64_t));
    /* Every fixed-size tally, from `patients` to `ivig_milligrams`. */
    size_t first = offsetof(ipsim_summary, patients);
    size_t last = offsetof(ipsim_summary, ivig_milligrams) + sizeof(int64_t);
    assert_memory_equal((const char *)a + first, (const char *)b + first, last - first);
}

/* ---- exact values, computed independently of the model's code ----------- */

/* Monthly hazard from a share over a window (docs/review.md, section 3.1.2). */
static double hazard(const ipsim_params *p, int g)
{
    return -log(1.0 - p->infection.share_within_window[g]) / (double)p->infection.window_months;
}

/* The 6x6 per-cycle matrix over grades and death. A patient in grade g
 * survives a cycle of c months with probability
 *   (1 - q)^c * E[(1 - f)^S],  S ~ Poisson(lambda_g c sigma_g)  (serious episodes)
 *   = (1 - q)^c * exp(-lambda_g c sigma_g f)
 * and, surviving, moves by the monthly matrix to the power c. */
static void exact_cycle_matrix(const ipsim_params *p, double out[6][6])
{
    double c = (double)p->cohort.cycle_months;
    double step[5][5], tmp[5][5];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            step[i][j] = p->grades.transitions ? (i == j) : (i == j);
    if (p->grades.transitions) {
        for (int k = 0; k < p->cohort.cycle_months; k++) {
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++) {
                    tmp[i][j] = 0;
                    for (int l = 0; l < 5; l++)
                        tmp[i][j] += step[i][l] * p->grades.transition_matrix[l][j];
                }
            memcpy(step, tmp, sizeof step);
        }
    }
    memset(out, 0, 36 * sizeof(double));
    for (int g = 0; g < 5; g++) {
        double survive = pow(1 - p->mortality.background_monthly_probability, c) *
                         exp(-hazard(p, g) * c * p->infection.serious_share[g] *
                             p->mortality.serious_infection_case_fatality);
        for (int h = 0; h < 5; h++)
            out[g][h] = survive * step[g][h];
        out[g][5] = 1 - survive;
    }
    out[5][5] = 1;
}

/* Occupancy averaged over the cohort equals p0 * P^t for every month and
 * state, within 4 SE (counts are binomial: patients are independent). */
static void check_occupancy_against_matrix_power(const char *const *overrides)
{
    ipsim_params p = test_params(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 8192, &c, NULL), IPSIM_OK);
    double P[6][6], v[6] = {0}, next[6];
    exact_cycle_matrix(&p, P);
    for (int g = 0; g < 5; g++)
        v[g] = p.cohort.baseline_mix[g];
    const double n = (double)p.cohort.patients;
    const ipsim_summary *s = c.summaries[0];
    for (int64_t t = 0; t < c.months; t++) {
        for (int st = 0; st < 6; st++) {
            char what[64];
            snprintf(what, sizeof what, "occupancy month %lld state %s",
                     (long long)(t * p.cohort.cycle_months), ipsim_state_names[st]);
            double observed = (double)s->occupancy[t * IPSIM_STATES + st] / n;
            assert_within_4se(observed, v[st], sqrt(v[st] * (1 - v[st]) / n), what);
        }
        for (int j = 0; j < 6; j++) {
            next[j] = 0;
            for (int i = 0; i < 6; i++)
                next[j] += v[i] * P[i][j];
        }
        memcpy(v, next, sizeof v);
    }
    capture_free(&c);
}

static const char *const nonround_chain[] = {
    "grades.transition_matrix=[[0.913, 0.087, 0, 0, 0], [0.061, 0.874, 0.065, 0, 0], "
    "[0.007, 0.118, 0.803, 0.072, 0], [0, 0.013, 0.171, 0.742, 0.074], "
    "[0.011, 0, 0.029, 0.133, 0.827]]",
    "cohort.baseline_mix=[0.083, 0.171, 0.297, 0.164, 0.285]",
    "mortality.background_monthly_probability=0.0137",
    "mortality.serious_infection_case_fatality=0.213",
    "infection.share_within_window=[0.071, 0.193, 0.281, 0.417, 0.533]",
    "cohort.patients=200000", "cohort.horizon_months=36", "seed=8675309",
    "output.trajectories=none", NULL};

static void occupancy_equals_p0_times_matrix_power(void **state)
{
    (void)state;
    check_occupancy_against_matrix_power(nonround_chain);
}

static void occupancy_with_two_month_cycles(void **state)
{
    (void)state;
    const char *overrides[16];
    size_t n = 0;
    while (nonround_chain[n]) {
        overrides[n] = nonround_chain[n];
        n++;
    }
    overrides[n++] = "cohort.cycle_months=2";
    overrides[n] = NULL;
    check_occupancy_against_matrix_power(overrides);
}

/* With grades held and nobody dying, the share with >= 1 episode within the
 * window is the parameter itself: 1 - exp(-lambda W) = p. */
static void window_shares_equal_the_seed_figures(void **state)
{
    (void)state;
    const char *overrides[] = {"grades.transitions=false", "cohort.patients=300000",
                               "cohort.baseline_mix=[0.2, 0.2, 0.2, 0.2, 0.2]",
                               "cohort.horizon_months=12", "infection.window_months=12",
                               "mortality.background_monthly_probability=0",
                               "mortality.serious_infection_case_fatality=0",
                               "output.trajectories=none", "seed=424242",
                               "infection.share_within_window={none: 0.054, mild: 0.182, "
                               "moderate: 0.256, severe: 0.389, very_severe: 0.389}",
                               NULL};
    ipsim_params p = test_params(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 10000, &c, NULL), IPSIM_OK);
    const ipsim_summary *s = c.summaries[0];
    /* The review's figures (section 3.1.2). */
    assert_true(p.infection.share_within_window[IPSIM_GRADE_MILD] == 0.182);
    assert_true(p.infection.share_within_window[IPSIM_GRADE_MODERATE] == 0.256);
    assert_true(p.infection.share_within_window[IPSIM_GRADE_SEVERE] == 0.389);
    for (int g = 0; g < 5; g++) {
        double n = (double)s->patients_by_baseline[g];
        double share = (double)s->infected_in_window_by_baseline[g] / n;
        double exact = p.infection.share_within_window[g];
        assert_within_4se(share, exact, sqrt(exact * (1 - exact) / n), ipsim_state_names[g]);
    }
    capture_free(&c);
}

/* With deaths competing, the closed form is a geometric sum: first episode
 * in month m needs m infection-free survived months, each with probability
 * exp(-lambda) (1 - q) (no episode, so no infection death). */
static void window_shares_with_competing_death(void **state)
{
    (void)state;
    const char *overrides[] = {"grades.transitions=false", "cohort.patients=250000",
                               "cohort.baseline_mix=[0.1, 0.3, 0.3, 0.15, 0.15]",
                               "cohort.horizon_months=24", "infection.window_months=18",
                               "mortality.background_monthly_probability=0.031",
                               "output.trajectories=none", "seed=99", NULL};
    ipsim_params p = test_params(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 10000, &c, NULL), IPSIM_OK);
    const ipsim_summary *s = c.summaries[0];
    const double q = p.mortality.background_monthly_probability;
    for (int g = 0; g < 5; g++) {
        double lambda = hazard(&p, g), exact = 0, alive_uninfected = 1;
        for (int m = 0; m < 18; m++) {
            exact += alive_uninfected * (1 - exp(-lambda));
            alive_uninfected *= exp(-lambda) * (1 - q);
        }
        double n = (double)s->patients_by_baseline[g];
        double share = (double)s->infected_in_window_by_baseline[g] / n;
        assert_within_4se(share, exact, sqrt(exact * (1 - exact) / n), ipsim_state_names[g]);
    }
    capture_free(&c);
}

/* Episode types over all episodes, serious shares by grade, and episode
 * rates per month lived in a grade, each against its parameter. */
static void episode_types_seriousness_and_rates(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.patients=100000", "cohort.horizon_months=60",
                               "seed=31337", "output.trajectories=none", NULL};
    ipsim_params p = test_params(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 8192, &c, NULL), IPSIM_OK);
    const ipsim_summary *s = c.summaries[0];
    double total = 0, by_type[3] = {0};
    for (int g = 0; g < 5; g++)
        for (int t = 0; t < 3; t++) {
            total += (double)s->episodes[g][t];
            by_type[t] += (double)s->episodes[g][t];
        }
    assert_true(total > 50000);
    /* Review section 3.1.2: 65.3 / 28.6 / 6.1%. */
    assert_true(p.infection.type_share[0] == 0.653 && p.infection.type_share[1] == 0.286 &&
                p.infection.type_share[2] == 0.061);
    for (int t = 0; t < 3; t++) {
        double exact = p.infection.type_share[t];
        assert_within_4se(by_type[t] / total, exact, sqrt(exact * (1 - exact) / total),
                          ipsim_infection_type_names[t]);
    }
    for (int g = 0; g < 5; g++) {
        double episodes = (double)(s->episodes[g][0] + s->episodes[g][1] + s->episodes[g][2]);
        double sigma = p.infection.serious_share[g];
        assert_within_4se((double)s->serious[g] / episodes, sigma,
                          sqrt(sigma * (1 - sigma) / episodes), "serious share");
        double months = (double)ipsim_summary_person_months(s, g), lambda = hazard(&p, g);
        assert_within_4se(episodes / months, lambda, sqrt(lambda / months), "episode rate");
    }
    capture_free(&c);
}

/* IVIG for everyone against IVIG for no one, grades held, at the reference
 * regimen's steady state (a half-life of a day reaches it in the first
 * cycle) and with no plateau: the ratio of episode rates is
 * ivig.rate_ratio_all and of serious-episode rates rate_ratio_serious,
 * within 4 SE of the log ratio, sqrt(1/k1 + 1/k0) (an upper bound here:
 * common random numbers correlate the two cohorts). */
static void ivig_multiplies_infection_rates_by_its_rate_ratios(void **state)
{
    (void)state;
    const char *never[] = {"grades.transitions=false", "cohort.patients=100000",
                           "cohort.horizon_months=36", "output.trajectories=none",
                           "mortality.background_monthly_probability=0.0071",
                           "ivig.rate_ratio_all=0.43", "ivig.rate_ratio_serious=0.57",
                           "seed=1994", NULL};
    const char *always[] = {"grades.transitions=false", "cohort.patients=100000",
                            "cohort.horizon_months=36", "output.trajectories=none",
                            "mortality.background_monthly_probability=0.0071",
                            "ivig.rate_ratio_all=0.43", "ivig.rate_ratio_serious=0.57",
                            "seed=1994", "ivig.policy=grade", "ivig.grade_threshold=none",
                            "ivig.half_life_days=1", "ivig.effect_plateau_g_per_l=30",
                            NULL};
    ipsim_params p0 = test_params(never), p1 = test_params(always);
    capture off, on;
    assert_int_equal(run_cohort(&p0, 2, 8192, &off, NULL), IPSIM_OK);
    assert_int_equal(run_cohort(&p1, 2, 8192, &on, NULL), IPSIM_OK);
    double k[2] = {0}, ks[2] = {0}, months[2] = {0};
    const ipsim_summary *sums[2] = {off.summaries[0], on.summaries[0]};
    for (int i = 0; i < 2; i++)
        for (int g = 0; g < IPSIM_GRADES; g++) {
            months[i] += (double)ipsim_summary_person_months(sums[i], g);
            ks[i] += (double)sums[i]->serious[g];
            for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
                k[i] += (double)sums[i]->episodes[g][t];
        }
    double ratio = (k[1] / months[1]) / (k[0] / months[0]);
    double serious = (ks[1] / months[1]) / (ks[0] / months[0]);
    assert_within_4se(log(ratio), log(0.43), sqrt(1 / k[1] + 1 / k[0]), "log rate ratio, all");
    assert_within_4se(log(serious), log(0.57), sqrt(1 / ks[1] + 1 / ks[0]),
                      "log rate ratio, serious");
    /* Everyone alive is on IVIG every month; no one in the other cohort. */
    assert_int_equal(ipsim_summary_ivig_patient_months(sums[1]), (int64_t)months[1]);
    assert_int_equal(ipsim_summary_ivig_patient_months(sums[0]), 0);
    for (int64_t m = 0; m + 1 < sums[1]->shape.months; m++) {
        int64_t alive = sums[1]->patients - sums[1]->occupancy[m * IPSIM_STATES + IPSIM_STATE_DEAD];
        assert_int_equal(sums[1]->on_ivig[m], alive);
        assert_int_equal(sums[0]->on_ivig[m], 0);
    }
    assert_int_equal(sums[1]->on_ivig[sums[1]->shape.months - 1], 0); /* the horizon starts no cycle */
    capture_free(&off);
    capture_free(&on);
}

/* Vaccination lowers only the types it targets. With deaths off, grade
 * paths and drawn episodes are the same with and without vaccines (common
 * random numbers), so patient by patient: untargeted types are identical,
 * and the targeted type's episodes plus those prevented equal the
 * unvaccinated count. Protected for the whole follow-up (pneumococcal at
 * month 0, protection beyond the horizon, every dose taking), the share of
 * bacterial episodes prevented is the parameter, within 4 SE. */
static void vaccination_lowers_only_the_types_it_targets(void **state)
{
    (void)state;
    const char *plain[] = {"cohort.patients=60000", "cohort.horizon_months=48",
                           "mortality.background_monthly_probability=0",
                           "mortality.serious_infection_case_fatality=0", "seed=2019",
                           "output.trajectories=none", NULL};
    const char *vaccinated[] = {"cohort.patients=60000", "cohort.horizon_months=48",
                                "mortality.background_monthly_probability=0",
                                "mortality.serious_infection_case_fatality=0", "seed=2019",
                                "output.trajectories=none",
                                "vaccination.pneumococcal_coverage=1",
                                "vaccination.pneumococcal_month=0",
                                "vaccination.pneumococcal_protection_months=600",
                                "vaccination.pneumococcal_response=[1, 1, 1, 1, 1]",
                                "vaccination.pneumococcal_bacterial_prevented=0.37",
                                "vaccination.influenza_coverage=0.7", NULL};
    ipsim_params p0 = test_params(plain), p1 = test_params(vaccinated);
    capture a, b;
    assert_int_equal(run_cohort(&p0, 2, 8192, &a, NULL), IPSIM_OK);
    assert_int_equal(run_cohort(&p1, 2, 8192, &b, NULL), IPSIM_OK);
    double prevented = 0, kept = 0;
    for (int64_t i = 0; i < a.patients; i++) {
        const ipsim_patient_record *ra = &a.records[i], *rb = &b.records[i];
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
            uint32_t before = 0, after = 0;
            for (int g = 0; g < IPSIM_GRADES; g++) {
                before += ra->episodes[g][t];
                after += rb->episodes[g][t];
            }
            assert_int_equal(after + rb->prevented[t], before);
            if (t == IPSIM_INFECTION_FUNGAL)
                assert_int_equal(after, before);
            if (t == IPSIM_INFECTION_BACTERIAL) {
                prevented += rb->prevented[t];
                kept += after;
            }
        }
        assert_int_equal(ra->prevented[0] + ra->prevented[1] + ra->prevented[2], 0);
    }
    double n = prevented + kept;
    assert_true(n > 10000);
    assert_within_4se(prevented / n, 0.37, sqrt(0.37 * 0.63 / n), "share of bacterial prevented");
    /* Influenza protection (coverage 0.7) prevented some viral episodes. */
    assert_true(b.summaries[0]->prevented[IPSIM_INFECTION_VIRAL] > 0);
    capture_free(&a);
    capture_free(&b);
}

/* ---- reproducibility ------------------------------------------------------ */

static const char *const small_run[] = {"cohort.patients=3001", "cohort.replicates=2",
                                        "cohort.horizon_months=36", "seed=2718281828", NULL};

/* With immunoglobulin given (titrated, its reactions drawn, the rates
 * changed on the fly) as without. */
static const char *const small_ivig_run[] = {
    "cohort.patients=3001", "cohort.replicates=2", "cohort.horizon_months=36",
    "seed=2718281828", "ivig.policy=grade", "ivig.grade_threshold=moderate", "ivig.titrate=true",
    NULL};

/* Every byte of every output is the same for 1, 2 and 3 threads and for any
 * block size. */
static void identical_for_any_thread_count_and_block_size(void **state)
{
    (void)state;
    for (int set = 0; set < 2; set++) {
        ipsim_params p = test_params(set ? small_ivig_run : small_run);
        capture ref, other;
        assert_int_equal(run_cohort(&p, 1, 4096, &ref, NULL), IPSIM_OK);
        const struct {
            int threads;
            int64_t block;
        } variants[] = {{2, 4096}, {3, 777}, {2, 1}, {1, 100000}};
        size_t cells = (size_t)(ref.patients * ref.replicates * ref.months);
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            assert_int_equal(run_cohort(&p, variants[v].threads, variants[v].block, &other, NULL),
                             IPSIM_OK);
            assert_memory_equal(ref.grade, other.grade, cells);
            assert_memory_equal(ref.infections, other.infections, cells);
            assert_memory_equal(ref.records, other.records,
                                (size_t)(ref.patients * ref.replicates) * sizeof *ref.records);
            for (int64_t r = 0; r < ref.replicates; r++)
                assert_summaries_equal(ref.summaries[r], other.summaries[r]);
            capture_free(&other);
        }
        /* The IVIG set does give IVIG (its doses, troughs and reactions are
         * columns of the records compared above). */
        double reactions = 0;
        const int column = ipsim_modules_column_index(ipsim_registered_modules, "ivig_reactions");
        assert_true(column >= 0);
        for (int64_t i = 0; i < ref.patients * ref.replicates; i++)
            reactions += ref.records[i].module_columns[column];
        assert_true(set ? reactions > 0 : reactions == 0);
        /* Replicates are different cohorts. */
        assert_memory_not_equal(ref.grade, ref.grade + (size_t)(ref.patients * ref.months),
                                (size_t)(ref.patients * ref.months));
        capture_free(&ref);
    }
}

/* A patient's trajectory is the same in a 1,000- and a 20,000-patient run. */
static void trajectory_does_not_depend_on_cohort_size(void **state)
{
    (void)state;
    const char *small[] = {"cohort.patients=1000", "cohort.horizon_months=60", "seed=5", NULL};
    const char *large[] = {"cohort.patients=20000", "cohort.horizon_months=60", "seed=5", NULL};
    ipsim_params ps = test_params(small), pl = test_params(large);
    capture a, b;
    assert_int_equal(run_cohort(&ps, 2, 300, &a, NULL), IPSIM_OK);
    assert_int_equal(run_cohort(&pl, 2, 4096, &b, NULL), IPSIM_OK);
    size_t cells = (size_t)(1000 * a.months);
    assert_memory_equal(a.grade, b.grade, cells);
    assert_memory_equal(a.infections, b.infections, cells);
    assert_memory_equal(a.records, b.records, 1000 * sizeof *a.records);
    capture_free(&a);
    capture_free(&b);
}

/* Common random numbers: two scenarios differing only in one grade's
 * infection share see the same grade draws, so (without deaths) identical
 * grade paths; and because counts are drawn by inversion of the same
 * uniform, every patient-cycle has at least as many episodes in the
 * higher-risk scenario. */
static void scenarios_share_random_numbers(void **state)
{
    (void)state;
    const char *low[] = {"cohort.patients=5000", "cohort.horizon_months=48",
                         "mortality.background_monthly_probability=0",
                         "mortality.serious_infection_case_fatality=0", "seed=77",
                         "infection.share_within_window={none: 0.054, mild: 0.182, "
                         "moderate: 0.256, severe: 0.389, very_severe: 0.389}",
                         NULL};
    const char *high[] = {"cohort.patients=5000", "cohort.horizon_months=48",
                          "mortality.background_monthly_probability=0",
                          "mortality.serious_infection_case_fatality=0", "seed=77",
                          "infection.share_within_window={none: 0.054, mild: 0.182, "
                          "moderate: 0.256, severe: 0.55, very_severe: 0.389}",
                          NULL};
    ipsim_params pa = test_params(low), pb = test_params(high);
    capture a, b;
    assert_int_equal(run_cohort(&pa, 2, 4096, &a, NULL), IPSIM_OK);
    assert_int_equal(run_cohort(&pb, 1, 1000, &b, NULL), IPSIM_OK);
    size_t cells = (size_t)(a.patients * a.months);
    assert_memory_equal(a.grade, b.grade, cells);
    size_t more = 0;
    for (size_t i = 0; i < cells; i++) {
        assert_true(b.infections[i] >= a.infections[i]);
        if (a.grade[i] != IPSIM_GRADE_SEVERE)
            assert_int_equal(b.infections[i], a.infections[i]);
        more += b.infections[i] > a.infections[i];
    }
    assert_true(more > 100);
    capture_free(&a);
    capture_free(&b);
}

/* A raised cancel flag stops the run: the block in progress is discarded,
 * nothing more reaches the sinks. */
static void cancel_flag_stops_at_the_next_block(void **state)
{
    (void)state;
    ipsim_params p = test_params(small_run);
    volatile sig_atomic_t cancel = 1;
    capture c;
    assert_int_equal(run_cohort(&p, 2, 500, &c, &cancel), IPSIM_EINTERRUPTED);
    assert_int_equal(c.blocks, 0);
    assert_int_equal(c.replicates_done, 0);
    capture_free(&c);
}

/* Share k / n against an exact value p, within 4 binomial SE. */
static void assert_share(int64_t k, int64_t n, double p, const char *what)
{
    assert_true(n > 0);
    assert_within_4se((double)k / (double)n, p, sqrt(p * (1 - p) / (double)n), what);
}

/* The course of the disease, from the records, against the exact trace:
 * overall survival and progression-free survival from diagnosis (and for
 * patients not eligible for ASCT), the share reaching the second and the
 * third line, deaths by cause, and infection or death in the early months. */
static void course_agrees_with_its_exact_expectation(const capture *c, const ipsim_summary *s,
                                                     const ipsim_params *p,
                                                     const ipsim_expected *e)
{
    const int64_t n = c->patients, cycle = p->cohort.cycle_months;
    const int64_t early = ipsim_params_cycle_of_month(p, p->infection.early_months) * cycle;
    int64_t second = 0, third = 0, early_events = 0, causes[IPSIM_DEATH_CAUSES] = {0};
    int64_t not_eligible = 0;
    for (int64_t i = 0; i < n; i++) {
        const ipsim_patient_record *r = &c->records[i];
        second += r->lines >= 2;
        third += r->lines >= 3;
        causes[r->death_cause]++;
        not_eligible += !r->transplant_eligible && r->age <= IPSIM_TRIAL_NO_ASCT_AGE_MAX;
        early_events += (r->first_infection_month >= 0 && r->first_infection_month < early) ||
                        (r->death_month >= 0 && r->death_month <= early);
    }
    assert_share(second, n, e->reached_line[IPSIM_LINE_SECOND], "reached the second line");
    assert_share(third, n, e->reached_line[IPSIM_LINE_LATER], "reached the third line");
    assert_share(early_events, n, e->early_infection_or_death, "infection or death, early months");
    for (int cause = IPSIM_DEATH_BACKGROUND; cause < IPSIM_DEATH_CAUSES; cause++) {
        double exact = 0;
        for (int ph = 0; ph < IPSIM_PHASES; ph++)
            exact += e->deaths[ph][cause];
        assert_share(causes[cause], n, exact, ipsim_death_cause_names[cause]);
    }
    for (int64_t month = 12; month <= p->cohort.horizon_months; month += 12) {
        int64_t alive = 0, free = 0, alive_ne = 0, free_ne = 0;
        for (int64_t i = 0; i < n; i++) {
            const ipsim_patient_record *r = &c->records[i];
            const bool lives = r->death_month < 0 || r->death_month > month;
            const bool unprogressed = r->progression_month < 0 || r->progression_month > month;
            alive += lives;
            free += lives && unprogressed;
            const bool trial = !r->transplant_eligible && r->age <= IPSIM_TRIAL_NO_ASCT_AGE_MAX;
            alive_ne += lives && trial;
            free_ne += lives && unprogressed && trial;
        }
        assert_share(alive, n, ipsim_expected_curve_at(e, IPSIM_CURVE_OS_ALL, (double)month),
                     "overall survival");
        assert_share(free, n, ipsim_expected_curve_at(e, IPSIM_CURVE_PFS_ALL, (double)month),
                     "progression-free survival, everyone");
        assert_share(alive_ne, not_eligible,
                     ipsim_expected_curve_at(e, IPSIM_CURVE_OS_NOT_ELIGIBLE, (double)month),
                     "overall survival, not eligible for ASCT, up to 75");
        assert_share(free_ne, not_eligible,
                     ipsim_expected_curve_at(e, IPSIM_CURVE_PFS_NOT_ELIGIBLE, (double)month),
                     "progression-free survival, not eligible for ASCT, up to 75");
    }
    /* The run's own tallies (output/course.h) against the same: deaths by
     * phase and cause, infection in the reporting periods the cycle length
     * resolves, PFS of ASCT recipients up to 65 from the ASCT month. */
    const ipsim_course_tallies *t = &s->course;
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int cause = IPSIM_DEATH_BACKGROUND; cause < IPSIM_DEATH_CAUSES; cause++)
            assert_share(t->deaths_by_phase[ph][cause - 1], n, e->deaths[ph][cause],
                         "deaths by phase and cause");
    int periods = 0;
    for (int k = 0; k < IPSIM_COURSE_PERIODS; k++)
        if (t->alive_at_period[k] > 0) {
            periods++;
            assert_share(t->infected_in_period[k], t->alive_at_period[k],
                         e->infected_in_period[k], "infected in a reporting period");
        }
    assert_true(periods > 0);
    const int64_t rows = s->shape.months, asct_month = e->asct_cycle * cycle;
    const int64_t *emn02 = s->course_event_row + IPSIM_COURSE_PFS_EMN02 * (rows + 1);
    int64_t recipients = 0;
    for (int64_t r = 0; r <= rows; r++)
        recipients += emn02[r];
    for (int64_t month = 12; month + asct_month <= p->cohort.horizon_months; month += 12) {
        double share = ipsim_course_share_at(s->course_event_row, rows, cycle,
                                             IPSIM_COURSE_PFS_EMN02, (double)month);
        assert_share(llround(share * (double)recipients), recipients,
                     ipsim_expected_curve_at(e, IPSIM_CURVE_PFS_ASCT, (double)(month + asct_month)),
                     "progression-free survival from ASCT, up to 65");
    }
}

/* The levels model's own figures: the rise of each class's mean level in
 * CR by the end of induction (a ratio of means, with its delta-method
 * standard error), the share with IgG below 4 g/L at diagnosis, and the
 * grade mix at diagnosis. */
static void levels_agree_with_their_exact_expectation(const ipsim_summary *s,
                                                      const ipsim_params *p,
                                                      const ipsim_expected *e)
{
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        const int64_t n = s->cr_level_patients[c];
        const int64_t *sum = s->cr_level_sums[c];
        assert_true(n > 1000);
        const double x = (double)sum[0], y = (double)sum[1], ratio = y / x;
        const double residual =
            (double)sum[3] - 2 * ratio * (double)sum[4] + ratio * ratio * (double)sum[2];
        const double se = sqrt(residual / ((double)n * (double)(n - 1))) / (x / (double)n);
        assert_within_4se(ratio - 1, e->cr_rise[c], se, "rise of a class's mean level in CR");
    }
    ipsim_immunoglobulins *ig = malloc(sizeof *ig);
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_immunoglobulins_init(ig, p, &err), IPSIM_OK);
    assert_share(s->igg_below_4_at_diagnosis, s->level_patients,
                 ipsim_immunoglobulins_share_below(ig, p, IPSIM_IGG, 4.0),
                 "polyclonal IgG below 4 g/L at diagnosis");
    free(ig);
    for (int g = 0; g < IPSIM_GRADES; g++)
        assert_share(s->patients_by_baseline[g], s->level_patients, e->grade_mix[g],
                     "grade mix at diagnosis");
}

/* The full pathway model: the Monte Carlo engine against the exact Markov
 * trace of models/expected.h, for every figure of the review's table and
 * the course of the disease. Non-round rates, 2-month cycles (so that the
 * trace's cycle arithmetic is exercised too), deaths of every cause,
 * progression on every line, a life table by age and sex. */
static void agrees_with_its_exact_expectation(const char *model, const char *risk)
{
    const char *overrides[] = {model, risk, "infection.igg_rate_ratio_per_g_per_l=0.75",
                               "infection.igg_plateau_g_per_l=6.5", "cohort.patients=400000", "cohort.horizon_months=60",
                               "cohort.cycle_months=2", "output.trajectories=none",
                               "grades.improve_per_month={induction: 0.23, transplant: 0.13, "
                               "maintenance: 0.037, second_line: 0.011, later_lines: 0.011, "
                               "no_treatment: 0.011}",
                               "pathway.progression_hazard_per_month=0.017",
                               "pathway.progression_hazard_ratio_transplant=0.6",
                               "lines.progression_hazard_per_month=[0.06, 0.09]",
                               "lines.no_further_treatment_share=[0.15, 0.25, 0.45]",
                               "mortality.excess_hazard_per_month=[0.01, 0.02, 0.004, 0.012, "
                               "0.03, 0.2]",
                               "pathway.asct_month=5", "seed=4242", NULL};
    ipsim_params p = test_params_pathway(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 0, &c, NULL), IPSIM_OK);
    const ipsim_summary *s = c.summaries[0];
    ipsim_expected e;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_expected_compute(&e, &p, &err), IPSIM_OK);

    for (int g = 0; g < IPSIM_GRADES; g++)
        assert_share(s->infected_in_window_by_baseline[g], s->patients_by_baseline[g],
                     e.window_share[g], "share infected in the window, by grade at diagnosis");
    const int cr = IPSIM_RESPONSE_CR;
    assert_share(s->improved[cr], s->improvement_assessed[cr], e.cr_improved,
                 "improved after induction, CR");
    for (int a = 0; a < 2; a++)
        assert_share(s->recovered[a], s->recovery_assessed[a], e.cr_recovered[a],
                     "full recovery 12 months after the ASCT month, CR");
    for (int group = 0; group < 2; group++)
        for (int64_t month = 12; month <= 60; month += 12) {
            double share, low, high;
            int64_t n = ipsim_summary_pfs(s, group, month, &share, &low, &high);
            assert_share(llround(share * (double)n), n, ipsim_expected_pfs_at(&e, group, month),
                         "progression-free survival");
        }
    /* The serious-rate ratio, on the log scale with the delta-method SE. */
    double ratio, low, high;
    ipsim_summary_severe_to_mild(s, 1, &ratio, &low, &high);
    assert_within_4se(log(ratio), log(e.serious_rate_ratio), (log(high) - log(low)) / (2 * 1.96),
                      "serious-infection rate ratio");
    /* Grade mix by myeloma type at diagnosis. */
    for (int type = 0; type < IPSIM_MYELOMA_TYPES; type++) {
        int64_t n = 0, severe = 0;
        for (int g = 0; g < IPSIM_GRADES; g++) {
            n += s->patients_by_type_and_grade[type][g];
            severe += g >= IPSIM_GRADE_SEVERE ? s->patients_by_type_and_grade[type][g] : 0;
        }
        assert_share(severe, n, e.severe_or_worse_by_type[type], "severe or worse by type");
    }
    if (p.grades.model == IPSIM_GRADE_MODEL_LEVELS)
        levels_agree_with_their_exact_expectation(s, &p, &e);
    course_agrees_with_its_exact_expectation(&c, s, &p, &e);
    ipsim_expected_free(&e);
    capture_free(&c);
}

static void pathway_agrees_with_its_exact_expectation(void **state)
{
    (void)state;
    agrees_with_its_exact_expectation("grades.model=pathway", "infection.risk_by=grade");
}

/* The same with the immune state in immunoglobulin levels (the grade
 * derived from them; models/immunoglobulins.h). */
static void levels_agree_with_their_exact_expectation_too(void **state)
{
    (void)state;
    agrees_with_its_exact_expectation("grades.model=levels", "infection.risk_by=grade");
}

/* And with the infection hazard a function of each patient's own IgG
 * (infection.risk_by: igg; models/infections.h), at the slope (0.75 per
 * g/L, steeper than the default) and plateau (6.5 g/L, inside the band
 * just above the LLN, so that the trace's quadrature over the IgG
 * position meets the kink in a band patients move through) that the
 * other two runs ignore. */
static void risk_by_igg_agrees_with_its_exact_expectation(void **state)
{
    (void)state;
    agrees_with_its_exact_expectation("grades.model=levels", "infection.risk_by=igg");
}

/* ASCT raises full recovery at 12 months: among CR patients, the ASCT
 * phase's recovery rate makes grade none after ASCT more common than
 * without it, by the amount the chain's matrix powers give. */
static void asct_raises_full_recovery(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.patients=200000", "cohort.horizon_months=24",
                               "output.trajectories=none", "pathway.progression_hazard_per_month=0",
                               "mortality.background=constant",
                               "mortality.background_monthly_probability=0",
                               "mortality.excess_hazard_per_month=[0, 0, 0, 0, 0, 0]",
                               "mortality.serious_infection_case_fatality=0",
                               "cohort.baseline_mix=[0, 1, 0, 0, 0]",
                               "pathway.response_share=[1, 0, 0, 0]",
                               "pathway.transplant_age_limit=120",
                               "pathway.transplant_eligible_share=0.5", NULL};
    ipsim_params p = test_params_pathway(overrides);
    capture c;
    assert_int_equal(run_cohort(&p, 2, 0, &c, NULL), IPSIM_OK);
    const ipsim_summary *s = c.summaries[0];
    /* Mild at diagnosis, CR, nobody dies or progresses: grade none at month
     * 16 is e_mild P_ind^4 P_trans^3 P_maint^9 with ASCT, e_mild P_ind^2
     * P_maint^14 without (2 months of induction, ASCT at month 4). */
    double with[5] = {0, 1, 0, 0, 0}, without[5] = {0, 1, 0, 0, 0};
    const int with_phases[16] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2};
    for (int month = 0; month < 16; month++) {
        int phases[2] = {with_phases[month], month < 2 ? 0 : 2};
        double *v[2] = {with, without};
        for (int k = 0; k < 2; k++) {
            double m[5][5], out[5] = {0};
            ipsim_grades_monthly(&p, phases[k], IPSIM_RESPONSE_CR, m);
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    out[j] += v[k][i] * m[i][j];
            memcpy(v[k], out, sizeof out);
        }
    }
    assert_true(with[0] > without[0] + 0.05);
    assert_share(s->recovered[1], s->recovery_assessed[1], with[0], "recovery with ASCT");
    assert_share(s->recovered[0], s->recovery_assessed[0], without[0], "recovery without ASCT");
    assert_true(s->recovery_assessed[1] > 90000 && s->recovery_assessed[0] > 90000);
    capture_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(occupancy_equals_p0_times_matrix_power),
        cmocka_unit_test(occupancy_with_two_month_cycles),
        cmocka_unit_test(window_shares_equal_the_seed_figures),
        cmocka_unit_test(window_shares_with_competing_death),
        cmocka_unit_test(episode_types_seriousness_and_rates),
        cmocka_unit_test(ivig_multiplies_infection_rates_by_its_rate_ratios),
        cmocka_unit_test(vaccination_lowers_only_the_types_it_targets),
        cmocka_unit_test(identical_for_any_thread_count_and_block_size),
        cmocka_unit_test(trajectory_does_not_depend_on_cohort_size),
        cmocka_unit_test(scenarios_share_random_numbers),
        cmocka_unit_test(cancel_flag_stops_at_the_next_block),
        cmocka_unit_test(pathway_agrees_with_its_exact_expectation),
        cmocka_unit_test(levels_agree_with_their_exact_expectation_too),
        cmocka_unit_test(risk_by_igg_agrees_with_its_exact_expectation),
        cmocka_unit_test(asct_raises_full_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
