/* tests/test_modules.c: the seam for clinical modules (models/module.h),
 * exercised by a test-only module (tests/toy_module.c) that prevents a share
 * of viral episodes, costs something per cycle and counts what it prevented.
 *
 * Exact checks: an inactive module changes nothing, bit for bit; with no
 * infection deaths, the toy's patients keep a subset of the episodes they
 * would have had (common random numbers) and its cost is exactly its price
 * times the cycles lived. Statistical check: the share of viral episodes it
 * prevents is its parameter, within 4 standard errors (binomial), on a
 * fixed seed. Errors in its parameters name the file, line and key. */
#define _POSIX_C_SOURCE 200809L
#include "test_support.h"

#include <unistd.h>

#include "models/antibiotics.h"
#include "models/module.h"
#include "models/patient.h"
#include "models/ivig.h"
#include "models/vaccination.h"
#include "output/h5_format.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "test_writer.h"

extern const ipsim_module ipsim_toy_module;

/* The registration line: the modules ipsim ships, then the toy. */
static const ipsim_module *const with_toy[] = {&ipsim_antibiotics_module, &ipsim_ivig_module,
                                               &ipsim_vaccination_module, &ipsim_toy_module,
                                               NULL};

/* The toy's column: after the antibiotics', IVIG's and vaccination's. */
enum { PATIENTS = 4000, TOY = IPSIM_ANTIBIOTICS_COLUMNS + IPSIM_IVIG_COLUMNS + 1 };

typedef struct course {
    ipsim_patient_record rec;
    uint8_t grade[200], infections[200], ivig[200], phase[200];
} course;

static void simulate(const ipsim_model *m, uint64_t patient, course *c)
{
    assert_true(m->cycles + 1 <= 200);
    ipsim_patient_rows rows = {c->grade, c->infections, c->ivig, c->phase, {NULL, NULL, NULL}};
    ipsim_stream s = {11, 0};
    ipsim_patient_simulate(m, s, patient, &rows, &c->rec);
}

static ipsim_model model_with(const ipsim_params *p, const ipsim_module *const *registry)
{
    ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_model_init_with(&m, p, registry, &err);
    if (rc) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("model: %s", msg);
    }
    return m;
}

static void inactive_module_changes_nothing(void **state)
{
    (void)state;
    ipsim_params p = test_params_pathway(NULL);
    ipsim_model plain, toy = model_with(&p, with_toy);
    plain = model_with(&p, ipsim_registered_modules);
    assert_int_equal(toy.modules.active_count, 0);
    assert_int_equal(toy.modules.column_count, plain.modules.column_count + 1);
    static course a, b;
    for (uint64_t i = 0; i < 500; i++) {
        simulate(&plain, i, &a);
        simulate(&toy, i, &b);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

static void prevents_its_share_of_viral_episodes(void **state)
{
    (void)state;
    const double share = 0.4;
    ipsim_params p = test_params_pathway((const char *[]){"modules.toy.share=0.4", NULL});
    ipsim_model m = model_with(&p, with_toy);
    assert_int_equal(m.modules.active_count, 1);
    static course c;
    double prevented = 0, kept = 0;
    for (uint64_t i = 0; i < PATIENTS; i++) {
        simulate(&m, i, &c);
        prevented += c.rec.module_columns[TOY];
        for (int g = 0; g < IPSIM_GRADES; g++)
            kept += c.rec.episodes[g][IPSIM_INFECTION_VIRAL];
    }
    const double n = prevented + kept;
    assert_true(n > 1000);
    assert_within_4se(prevented / n, share, sqrt(share * (1 - share) / n),
                      "share of viral episodes the toy prevented");
}

static void keeps_a_subset_of_episodes_and_costs_its_price(void **state)
{
    (void)state;
    /* No infection deaths: preventing an episode then changes nothing else. */
    const char *base[] = {"mortality.serious_infection_case_fatality=0", NULL};
    const char *toy[] = {"mortality.serious_infection_case_fatality=0", "modules.toy.share=0.7",
                         "modules.toy.cost_per_cycle=100", NULL};
    ipsim_params p0 = test_params_pathway(base), p1 = test_params_pathway(toy);
    ipsim_model m0 = model_with(&p0, with_toy), m1 = model_with(&p1, with_toy);
    static course a, b;
    uint64_t prevented = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        simulate(&m0, i, &a);
        simulate(&m1, i, &b);
        assert_int_equal(a.rec.death_month, b.rec.death_month);
        assert_memory_equal(a.grade, b.grade, sizeof a.grade);
        uint32_t viral_a = 0, viral_b = 0;
        for (int g = 0; g < IPSIM_GRADES; g++) {
            assert_int_equal(a.rec.episodes[g][IPSIM_INFECTION_BACTERIAL],
                             b.rec.episodes[g][IPSIM_INFECTION_BACTERIAL]);
            assert_int_equal(a.rec.episodes[g][IPSIM_INFECTION_FUNGAL],
                             b.rec.episodes[g][IPSIM_INFECTION_FUNGAL]);
            viral_a += a.rec.episodes[g][IPSIM_INFECTION_VIRAL];
            viral_b += b.rec.episodes[g][IPSIM_INFECTION_VIRAL];
        }
        assert_int_equal(viral_a, viral_b + (uint32_t)b.rec.module_columns[TOY]);
        prevented += (uint64_t)b.rec.module_columns[TOY];
        /* Its price in every cycle the patient began alive, undiscounted,
         * less what the prevented episodes would have cost. */
        const int64_t lived = a.rec.death_month < 0 ? m0.cycles
                                                    : a.rec.death_month / m0.cycle_months;
        double episodes_cost = b.rec.outcomes.cost[0] - a.rec.outcomes.cost[0] - 100.0 * lived;
        assert_true(episodes_cost <= 1e-6 * (1 + a.rec.outcomes.cost[0]));
        if (b.rec.module_columns[TOY] == 0)
            assert_close(b.rec.outcomes.cost[0] - a.rec.outcomes.cost[0], 100.0 * lived,
                         1e-9 * (1 + a.rec.outcomes.cost[0]));
    }
    assert_true(prevented > 0);
}

/* Resolves `text` and builds the toy model, expecting a parameter error. */
static void expect_error(const char *text, const char *const *overrides, const char *key,
                         long line, const char *words)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    size_t n = 0;
    while (overrides && overrides[n])
        n++;
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "toy.yaml", overrides, n,
                                               &err),
                     IPSIM_OK);
    ipsim_model m;
    assert_int_equal(ipsim_model_init_with(&m, &p, with_toy, &err), IPSIM_EPARAM);
    assert_string_equal(err.key, key);
    assert_int_equal(err.line, line);
    assert_non_null(strstr(err.message, words));
    assert_string_equal(err.file, n ? "--set" : "toy.yaml");
}

static void bad_module_parameters_name_file_line_and_key(void **state)
{
    (void)state;
    expect_error("seed: 1\nmodules:\n  toy:\n    shares: 0.1\n", NULL, "modules.toy.shares", 4,
                 "it has: share, cost_per_cycle");
    expect_error("modules:\n  tyo: {share: 0.1}\n", NULL, "modules.tyo.share", 2,
                 "no module named 'tyo'");
    expect_error("modules:\n  toy:\n    share: 1.5\n", NULL, "modules.toy.share", 3,
                 "out of range");
    expect_error("seed: 1\n", (const char *[]){"modules.toy.share=-1", NULL}, "modules.toy.share",
                 0, "out of range");
    /* Malformed values are the loader's: not a number. */
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    const char *text = "modules:\n  toy:\n    share: [1]\n";
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "toy.yaml", NULL, 0, &err),
                     IPSIM_EPARAM);
    assert_string_equal(err.key, "modules.toy.share");
    /* A module's name is a plain name: no dot to split it at. */
    ipsim_error_clear(&err);
    text = "modules:\n  toy.x: {share: 0.1}\n";
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "toy.yaml", NULL, 0, &err),
                     IPSIM_EPARAM);
    assert_string_equal(err.key, "modules.toy.x.share");
    assert_int_equal(err.line, 2);
}

static void module_values_survive_the_yaml_round_trip(void **state)
{
    (void)state;
    ipsim_params p = test_params_pathway(
        (const char *[]){"modules.toy.share=0.25", "modules.toy.cost_per_cycle=12.5",
                         "modules.toy.share=0.3", NULL});
    assert_int_equal(p.module_value_count, 2);
    char *text = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_to_yaml(&p, &text, &err), IPSIM_OK);
    assert_non_null(strstr(text, "modules:\n  toy:\n    share: 0.29999999999999999\n"
                                 "    cost_per_cycle: 12.5\n"));
    ipsim_params q;
    assert_int_equal(ipsim_params_resolve_text(&q, text, strlen(text), "mem", NULL, 0, &err),
                     IPSIM_OK);
    free(text);
    assert_int_equal(q.module_value_count, 2);
    assert_string_equal(q.module_values[0].key, "toy.share");
    assert_true(q.module_values[0].value == 0.3);
    assert_true(q.module_values[1].value == 12.5);
    /* A set without module values emits no modules section. */
    ipsim_params plain = test_params_pathway(NULL);
    assert_int_equal(ipsim_params_to_yaml(&plain, &text, &err), IPSIM_OK);
    assert_null(strstr(text, "modules"));
    free(text);
}

/* The toy's count reaches the file as patients/toy_prevented, through the
 * writer's column list, and reads back as simulated. */
static void its_count_is_written_per_patient(void **state)
{
    (void)state;
    enum { N = 300 };
    ipsim_params p = test_params_pathway((const char *[]){
        "cohort.patients=300", "cohort.replicates=1", "output.trajectories=none",
        "modules.toy.share=0.5", NULL});
    ipsim_model m = model_with(&p, with_toy);
    static ipsim_patient_record records[N];
    static course c;
    for (int i = 0; i < N; i++) {
        simulate(&m, (uint64_t)i, &c);
        records[i] = c.rec;
    }
    const ipsim_column toy = ipsim_column_of_module(&m.modules, TOY);
    assert_string_equal(toy.name, "toy_prevented");
    char path[] = "/tmp/ipsim-test-XXXXXX";
    test_write_records(path, &p, &toy, 1, records, N);
    ipsim_error err;
    ipsim_error_clear(&err);
    ipsim_h5_reader *r;
    assert_int_equal(ipsim_h5_reader_open(&r, path, &err), IPSIM_OK);
    static double values[N];
    assert_int_equal(ipsim_h5_reader_read_column(r, &toy, 0, 0, N, values, &err), IPSIM_OK);
    double total = 0;
    for (int i = 0; i < N; i++) {
        assert_true(values[i] == records[i].module_columns[TOY]);
        total += values[i];
    }
    assert_true(total > 0);
    ipsim_h5_reader_close(r);
    unlink(path);
}

/* `ipsim params` documents a module's declared parameters (a module that
 * declares none adds nothing). */
static void its_parameters_are_in_the_reference(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    ipsim_modules_write_reference(mem, with_toy);
    fclose(mem);
    assert_non_null(strstr(text, "## modules.toy\n"));
    assert_non_null(strstr(text, "| `share` | `0` | probability | [0, 1] | Share of viral "));
    assert_non_null(strstr(text, "| `cost_per_cycle` |"));
    assert_null(strstr(text, "vaccination"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inactive_module_changes_nothing),
        cmocka_unit_test(prevents_its_share_of_viral_episodes),
        cmocka_unit_test(keeps_a_subset_of_episodes_and_costs_its_price),
        cmocka_unit_test(bad_module_parameters_name_file_line_and_key),
        cmocka_unit_test(module_values_survive_the_yaml_round_trip),
        cmocka_unit_test(its_count_is_written_per_patient),
        cmocka_unit_test(its_parameters_are_in_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
