/* tests/test_bare_chain.c: the bare kernel (benchmarks/bare_chain.h) stays in
 * step with the engine's chain (models/patient.h).
 *
 * This program compiles models/patient.c and benchmarks/bare_chain.c itself,
 * with ipsim_rng_uniform4 renamed to counted_uniform4 (tests/CMakeLists.txt),
 * so that every block either draws is counted by purpose. For each patient
 * of a cohort the two must draw the same blocks for every purpose and agree
 * on the grade at each cycle and the cycle of death: if the engine gains a
 * draw per cycle, or the kernel loses one, the limit no longer measures the
 * same work and this test says so. */
#include "test_support.h"

#include "base/rng.h"
#include "benchmarks/bare_chain.h"
#include "models/patient.h"

enum { PURPOSES = 16 };

/* Blocks drawn for each purpose since the last reset. The test runs on one
 * thread; only the two sources compiled for it call this. */
static int64_t drawn[PURPOSES];

void counted_uniform4(ipsim_stream stream, uint64_t patient, uint64_t cycle,
                      ipsim_purpose purpose, uint64_t draw, double u[4]);
void counted_uniform4(ipsim_stream stream, uint64_t patient, uint64_t cycle,
                      ipsim_purpose purpose, uint64_t draw, double u[4])
{
    if ((int)purpose >= 0 && (int)purpose < PURPOSES)
        drawn[purpose]++;
    ipsim_rng_uniform4(stream, patient, cycle, purpose, draw, u);
}

typedef struct totals {
    int64_t by_purpose[PURPOSES];
    int64_t deaths, patient_cycles;
} totals;

static ipsim_params resolve_file(const char *file, const char *const *overrides, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", IPSIM_SOURCE_DIR, file);
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_params_resolve(&p, path, overrides, n, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("%s does not resolve: %s", file, msg);
    }
    return p;
}

/* Runs `patients` patients through both and compares them one by one. */
static totals compare_chains(const ipsim_params *p, int64_t patients)
{
    static ipsim_model m; /* large */
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_model_init(&m, p, &err), IPSIM_OK);
    assert_int_equal(ipsim_bare_chain_check(&m, &err), IPSIM_OK);
    const size_t months = (size_t)m.cycles + 1;
    uint8_t *grade = malloc(months), *infections = malloc(months), *ivig = malloc(months);
    uint8_t *phase = malloc(months), *bare = malloc(months);
    assert_non_null(grade && infections && ivig && phase && bare);
    ipsim_patient_rows rows = {.grade = grade, .infections = infections, .ivig = ivig,
                               .phase = phase};
    ipsim_patient_record record;
    const ipsim_stream stream = {p->seed, 3};
    totals t = {0};
    for (int64_t i = 0; i < patients; i++) {
        memset(drawn, 0, sizeof drawn);
        ipsim_patient_simulate(&m, stream, (uint64_t)i, &rows, &record);
        int64_t engine[PURPOSES];
        memcpy(engine, drawn, sizeof drawn);
        memset(drawn, 0, sizeof drawn);
        const int64_t lived = ipsim_bare_chain_patient(&m, stream, (uint64_t)i, bare);
        for (int k = 0; k < PURPOSES; k++) {
            if (engine[k] != drawn[k])
                fail_msg("patient %lld: the engine drew %lld block(s) of purpose %d, the bare "
                         "kernel %lld", (long long)i, (long long)engine[k], k,
                         (long long)drawn[k]);
            t.by_purpose[k] += drawn[k];
        }
        const int64_t engine_lived =
            record.death_month >= 0 ? record.death_month / m.cycle_months : m.cycles;
        if (lived != engine_lived)
            fail_msg("patient %lld: the engine lived %lld cycles, the bare kernel %lld",
                     (long long)i, (long long)engine_lived, (long long)lived);
        for (int64_t c = 0; c < lived; c++)
            if (grade[c] != bare[c])
                fail_msg("patient %lld, cycle %lld: grade %d in the engine, %d in the bare "
                         "kernel", (long long)i, (long long)c, grade[c], bare[c]);
        assert_int_equal(bare[lived], grade[lived]);
        t.deaths += record.death_month >= 0;
        t.patient_cycles += lived;
    }
    free(grade);
    free(infections);
    free(ivig);
    free(phase);
    free(bare);
    return t;
}

/* The chain's every branch was taken: a test that compared nothing would
 * pass too. */
static void assert_exercised(const totals *t, int64_t patients)
{
    assert_int_equal(t->by_purpose[IPSIM_PURPOSE_CYCLE], t->patient_cycles);
    assert_true(t->by_purpose[IPSIM_PURPOSE_BASELINE] >= 3 * patients);
    assert_true(t->by_purpose[IPSIM_PURPOSE_EPISODE] > patients / 2);
    assert_true(t->by_purpose[IPSIM_PURPOSE_LINE] > patients / 10);
    assert_true(t->deaths > patients / 10);
    assert_true(t->deaths < patients);
}

/* The benchmark's scenario: the baseline (levels model). */
static void baseline_draws_the_same_blocks(void **state)
{
    (void)state;
    const char *overrides[] = {"cohort.horizon_months=120"};
    ipsim_params p = resolve_file("params/baseline.yaml", overrides, 1);
    assert_int_equal(p.grades.model, IPSIM_GRADE_MODEL_LEVELS);
    const int64_t patients = 4000;
    totals t = compare_chains(&p, patients);
    assert_exercised(&t, patients);
    assert_int_equal(t.by_purpose[IPSIM_PURPOSE_BASELINE], 4 * patients);
}

/* The grade model on the pathway, three-month cycles (the life table's
 * survival over several months), a longer horizon. */
static void pathway_grades_draw_the_same_blocks(void **state)
{
    (void)state;
    const char *overrides[] = {"grades.model=pathway", "cohort.cycle_months=3",
                               "cohort.horizon_months=240"};
    ipsim_params p = resolve_file("params/baseline.yaml", overrides, 3);
    const int64_t patients = 4000;
    totals t = compare_chains(&p, patients);
    assert_exercised(&t, patients);
    assert_int_equal(t.by_purpose[IPSIM_PURPOSE_BASELINE], 3 * patients);
}

/* Scenarios whose chain it does not follow are refused, not mismeasured. */
static void other_chains_are_refused(void **state)
{
    (void)state;
    static ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    ipsim_params ivig = resolve_file("params/ivig-severe.yaml", NULL, 0);
    assert_int_equal(ipsim_model_init(&m, &ivig, &err), IPSIM_OK);
    assert_int_equal(ipsim_bare_chain_check(&m, &err), IPSIM_EUSAGE);
    assert_non_null(strstr(err.message, "module"));
    const char *igg[] = {"infection.risk_by=igg"};
    ipsim_params by_igg = resolve_file("params/baseline.yaml", igg, 1);
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_model_init(&m, &by_igg, &err), IPSIM_OK);
    assert_int_equal(ipsim_bare_chain_check(&m, &err), IPSIM_EUSAGE);
    assert_non_null(strstr(err.message, "risk_by"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(baseline_draws_the_same_blocks),
        cmocka_unit_test(pathway_grades_draw_the_same_blocks),
        cmocka_unit_test(other_chains_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
