/* tests/test_params.c: the schema, the YAML loader, --set overrides, the
 * emitter, and the parameter reference. */
#define _GNU_SOURCE
#include "test_support.h"

#include <stdbool.h>

#include <unistd.h>

#include "models/module.h"
#include "params/psa.h"
#include "params/schema.h"

/* Writes text to a fresh temporary .yaml file; returns its malloc'd path. */
static char *write_yaml(const char *text)
{
    char *path = strdup("/tmp/ipsim-test-XXXXXX.yaml");
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

typedef struct expected_error {
    int code;
    long line;        /* 0: not checked */
    const char *key;  /* NULL: not checked; "" must be empty */
    const char *text; /* substring of the message */
} expected_error;

/* Resolves a file (and overrides) that must fail as described. */
static void expect_failure(const char *yaml, const char *const *overrides, expected_error want)
{
    char *path = yaml ? write_yaml(yaml) : NULL;
    size_t n = 0;
    while (overrides && overrides[n])
        n++;
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_params_resolve(&p, path, overrides, n, &err);
    char formatted[2048];
    ipsim_error_format(&err, formatted, sizeof formatted);
    if (rc != want.code)
        fail_msg("expected code %d, got %d: %s", want.code, rc, formatted);
    if (path && want.line && strcmp(err.file, path) != 0)
        fail_msg("error does not name the file: %s", formatted);
    if (!path && n && strcmp(err.file, "--set") != 0)
        fail_msg("error does not name --set: %s", formatted);
    if (want.line && err.line != want.line)
        fail_msg("expected line %ld, got %ld: %s", want.line, err.line, formatted);
    if (want.key && strcmp(err.key, want.key) != 0)
        fail_msg("expected key '%s', got '%s': %s", want.key, err.key, formatted);
    if (want.text && !strstr(err.message, want.text))
        fail_msg("expected message containing '%s': %s", want.text, formatted);
    if (path) {
        unlink(path);
        free(path);
    }
}

static void defaults_and_baseline_resolve(void **state)
{
    (void)state;
    ipsim_params defaults = test_params_resolve(NULL);
    assert_string_equal(defaults.name, "baseline");
    assert_int_equal(defaults.cohort.horizon_months, 120);
    assert_true(defaults.infection.share_within_window[IPSIM_GRADE_NONE] == 0.03216);

    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, IPSIM_SOURCE_DIR "/params/baseline.yaml", NULL, 0,
                                          &err),
                     IPSIM_OK);
    assert_true(p.infection.type_share[IPSIM_INFECTION_VIRAL] == 0.286);
    assert_true(p.grades.transition_matrix[IPSIM_GRADE_SEVERE][IPSIM_GRADE_MODERATE] == 0.03);
    /* The shipped baseline states the schema defaults (the calibrated
     * values included), apart from its own name, seed and cohort size. */
    p.seed = defaults.seed;
    p.cohort.patients = defaults.cohort.patients;
    assert_memory_equal(&p.cohort, &defaults.cohort, sizeof p.cohort);
    assert_memory_equal(&p.grades, &defaults.grades, sizeof p.grades);
    assert_memory_equal(&p.infection, &defaults.infection, sizeof p.infection);
    assert_memory_equal(&p.mortality, &defaults.mortality, sizeof p.mortality);
    assert_memory_equal(&p.diagnosis, &defaults.diagnosis, sizeof p.diagnosis);
    assert_memory_equal(&p.pathway, &defaults.pathway, sizeof p.pathway);
    assert_memory_equal(&p.ivig, &defaults.ivig, sizeof p.ivig);
    assert_memory_equal(&p.vaccination, &defaults.vaccination, sizeof p.vaccination);
}

/* Both spellings of a per-grade vector, and overrides on top of a file. */
static void vectors_by_label_or_list_and_overrides(void **state)
{
    (void)state;
    char *path = write_yaml("cohort:\n"
                            "  baseline_mix: [0.1, 0.2, 0.3, 0.15, 0.25]\n"
                            "infection:\n"
                            "  serious_share: {very_severe: 0.5, none: 0.1, mild: 0.2,\n"
                            "                  moderate: 0.3, severe: 0.4}\n");
    const char *overrides[] = {"cohort.patients=1e3", "grades.transitions=off",
                               "infection.type_share={bacterial: 0.5, viral: 0.25, fungal: 0.25}",
                               "name=trial-2.b"};
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, path, overrides, 4, &err), IPSIM_OK);
    assert_true(p.cohort.baseline_mix[3] == 0.15);
    assert_true(p.infection.serious_share[IPSIM_GRADE_VERY_SEVERE] == 0.5);
    assert_true(p.infection.serious_share[IPSIM_GRADE_NONE] == 0.1);
    assert_int_equal(p.cohort.patients, 1000);
    assert_false(p.grades.transitions);
    assert_true(p.infection.type_share[IPSIM_INFECTION_FUNGAL] == 0.25);
    assert_string_equal(p.name, "trial-2.b");
    unlink(path);
    free(path);
}

/* The emitted YAML resolves back to exactly the same parameter set. */
static void emitted_yaml_round_trips_bit_for_bit(void **state)
{
    (void)state;
    const char *overrides[] = {"mortality.background_monthly_probability=0.0123456789012345",
                               "infection.share_within_window=[0.1, 0.2, 0.3, 0.4, 0.7]",
                               "grades.transition_matrix=[[0.9, 0.1, 0, 0, 0], "
                               "[0.1, 0.7, 0.2, 0, 0], [0, 0.1, 0.8, 0.1, 0], "
                               "[0, 0, 0.3, 0.3, 0.4], [0.2, 0.2, 0.2, 0.2, 0.2]]",
                               "seed=18446744073709551615", "output.trajectories=none", NULL};
    ipsim_params p = test_params(overrides);
    ipsim_error err;
    ipsim_error_clear(&err);
    char *text = NULL;
    assert_int_equal(ipsim_params_to_yaml(&p, &text, &err), IPSIM_OK);
    char *path = write_yaml(text);
    ipsim_params back;
    assert_int_equal(ipsim_params_resolve(&back, path, NULL, 0, &err), IPSIM_OK);
    assert_memory_equal(&back, &p, sizeof p);
    assert_true(back.seed == UINT64_MAX);
    unlink(path);
    free(path);
    free(text);
}

static void malformed_yaml_is_located(void **state)
{
    (void)state;
    expect_failure("cohort:\n  patients: 10\n  horizon_months: [12\n", NULL,
                   (expected_error){IPSIM_EYAML, 0, NULL, NULL});
    expect_failure("cohort:\n  patients: 10\n bad_indent: 3\n", NULL,
                   (expected_error){IPSIM_EYAML, 3, NULL, NULL});
}

static void unknown_keys_suggest_the_nearest(void **state)
{
    (void)state;
    expect_failure("cohort:\n  patients: 10\n  patinets: 20\n", NULL,
                   (expected_error){IPSIM_EPARAM, 3, "cohort.patinets",
                                    "did you mean 'cohort.patients'"});
    expect_failure("infektion:\n  window_months: 12\n", NULL,
                   (expected_error){IPSIM_EPARAM, 1, "infektion", "unknown key"});
    expect_failure("cohort:\n  horizon: 12\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.horizon",
                                    "did you mean 'cohort.horizon_months'"});
    const char *set[] = {"mortality.serious_infection=0.1", NULL};
    expect_failure(NULL, set,
                   (expected_error){IPSIM_EPARAM, 0, "mortality.serious_infection",
                                    "unknown key"});
    expect_failure("cohort:\n  baseline_mix: {none: 0.2, mild: 0.2, modrate: 0.2, severe: 0.2,"
                   " very_severe: 0.2}\n",
                   NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.baseline_mix", "unknown entry"});
}

static void out_of_range_values_are_refused(void **state)
{
    (void)state;
    expect_failure("mortality:\n  serious_infection_case_fatality: 1.2\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "mortality.serious_infection_case_fatality",
                                    "out of range"});
    expect_failure("mortality:\n  background_monthly_probability: -0.01\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "mortality.background_monthly_probability",
                                    "out of range"});
    expect_failure("infection:\n  share_within_window: [0.1, 0.2, 1.0, 0.3, 0.4]\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "infection.share_within_window.moderate",
                                    "[0, 1)"});
    expect_failure("cohort:\n  patients: -5\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.patients", "out of range"});
    expect_failure("cohort:\n  patients: 2.5\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.patients", "whole number"});
    expect_failure("mortality:\n  background_monthly_probability: .nan\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "mortality.background_monthly_probability",
                                    "finite"});
    expect_failure("mortality:\n  background_monthly_probability: '0.1'\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "mortality.background_monthly_probability",
                                    "quoted"});
    expect_failure("grades:\n  transitions: maybe\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "grades.transitions", "true or false"});
    expect_failure("output:\n  trajectories: sparse\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "output.trajectories", "dense, none"});
    expect_failure("name: my/scenario\n", NULL,
                   (expected_error){IPSIM_EPARAM, 1, "name", "not a valid name"});
    const char *set[] = {"cohort.replicates=0", NULL};
    expect_failure(NULL, set,
                   (expected_error){IPSIM_EPARAM, 0, "cohort.replicates", "out of range"});
}

static void shares_and_rows_must_sum_to_one(void **state)
{
    (void)state;
    expect_failure("cohort:\n  baseline_mix: [0.1, 0.2, 0.3, 0.2, 0.1]\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.baseline_mix", "sum to 0.9"});
    expect_failure("grades:\n  transition_matrix:\n"
                   "    none: [1, 0, 0, 0, 0]\n"
                   "    mild: [0.1, 0.8, 0.05, 0, 0]\n"
                   "    moderate: [0, 0, 1, 0, 0]\n"
                   "    severe: [0, 0, 0, 1, 0]\n"
                   "    very_severe: [0, 0, 0, 0, 1]\n",
                   NULL,
                   (expected_error){IPSIM_EPARAM, 4, "grades.transition_matrix.mild",
                                    "sum to 0.95"});
    /* Within the stated tolerance passes. */
    const char *ok[] = {"infection.type_share=[0.6530004, 0.286, 0.061]", NULL};
    (void)test_params(ok);
    const char *bad[] = {"infection.type_share=[0.653002, 0.286, 0.061]", NULL};
    expect_failure(NULL, bad,
                   (expected_error){IPSIM_EPARAM, 0, "infection.type_share", "tolerance"});
}

static void structural_mistakes_are_refused(void **state)
{
    (void)state;
    expect_failure("", NULL, (expected_error){IPSIM_EPARAM, 0, NULL, "empty"});
    expect_failure("# only a comment\n", NULL, (expected_error){IPSIM_EPARAM, 0, NULL, "empty"});
    expect_failure("- a\n- b\n", NULL,
                   (expected_error){IPSIM_EPARAM, 1, NULL, "mapping of sections"});
    expect_failure("cohort: 5\n", NULL,
                   (expected_error){IPSIM_EPARAM, 1, "cohort", "must be a mapping"});
    expect_failure("cohort:\n  patients: 10\n  patients: 20\n", NULL,
                   (expected_error){IPSIM_EYAML, 3, NULL, "duplicate key 'patients'"});
    expect_failure("a: &x [1, 2]\ncohort:\n  baseline_mix: *x\n", NULL,
                   (expected_error){IPSIM_EYAML, 3, NULL, "aliases"});
    expect_failure("cohort:\n  patients: [1, 2]\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.patients", "single value"});
    expect_failure("cohort:\n  baseline_mix: [0.5, 0.5]\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.baseline_mix", "expected 5 values"});
    expect_failure("---\nseed: 1\n---\nseed: 2\n", NULL,
                   (expected_error){IPSIM_EYAML, 3, NULL, "more than one YAML document"});
    const char *no_eq[] = {"cohort.patients", NULL};
    expect_failure(NULL, no_eq, (expected_error){IPSIM_EUSAGE, 0, NULL, "not an override"});
    const char *no_value[] = {"cohort.patients=", NULL};
    expect_failure(NULL, no_value,
                   (expected_error){IPSIM_EPARAM, 0, "cohort.patients", "no value"});
}

static void missing_unreadable_and_binary_files(void **state)
{
    (void)state;
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, "/nonexistent/params.yaml", NULL, 0, &err),
                     IPSIM_EIO);
    assert_string_equal(err.file, "/nonexistent/params.yaml");
    assert_non_null(strstr(err.message, "No such file"));
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, "/tmp", NULL, 0, &err), IPSIM_EIO);
    assert_non_null(strstr(err.message, "directory"));

    char *path = write_yaml("");
    FILE *f = fopen(path, "wb");
    fwrite("\x7f" "ELF\0\1\2\3", 1, 8, f);
    fclose(f);
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, path, NULL, 0, &err), IPSIM_EYAML);
    assert_string_equal(err.file, path);
    unlink(path);
    free(path);
}

/* `base:` applies another file first, relative to the naming file's
 * directory; the naming file's values and overrides win. */
static void base_files_extend_each_other(void **state)
{
    (void)state;
    char dir[] = "/tmp/ipsim-base-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64], c[64], loop1[64], loop2[64];
    snprintf(a, sizeof a, "%s/a.yaml", dir);
    snprintf(b, sizeof b, "%s/b.yaml", dir);
    snprintf(c, sizeof c, "%s/c.yaml", dir);
    snprintf(loop1, sizeof loop1, "%s/loop1.yaml", dir);
    snprintf(loop2, sizeof loop2, "%s/loop2.yaml", dir);
    struct {
        const char *path, *text;
    } files[] = {{a, "seed: 11\ncohort: {patients: 300, replicates: 2}\n"},
                 {b, "cohort:\n  patients: 400\nbase: a.yaml\n"},
                 {c, "base: b.yaml\ncohort:\n  replicates: -3\n"},
                 {loop1, "base: loop2.yaml\n"},
                 {loop2, "base: loop1.yaml\n"}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(files[i].path, "w");
        fputs(files[i].text, f);
        fclose(f);
    }
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    const char *set[] = {"cohort.replicates=5"};
    assert_int_equal(ipsim_params_resolve(&p, b, set, 1, &err), IPSIM_OK);
    assert_int_equal(p.seed, 11);                 /* from the base */
    assert_int_equal(p.cohort.patients, 400);     /* the file wins over its base */
    assert_int_equal(p.cohort.replicates, 5);     /* the override wins over both */
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, c, NULL, 0, &err), IPSIM_EPARAM);
    assert_string_equal(err.file, c);
    assert_int_equal(err.line, 3);
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, loop1, NULL, 0, &err), IPSIM_EPARAM);
    assert_non_null(strstr(err.message, "cycle"));
    ipsim_error_clear(&err);
    const char *text = "base: a.yaml\n";
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "attr", NULL, 0, &err),
                     IPSIM_EPARAM);
    assert_string_equal(err.key, "base");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i].path);
    rmdir(dir);
}

/* One rule for a vector's or matrix's elements, in a file, in --set and in
 * a sweep (which passes its values as --set): a mapping (or a dotted path)
 * naming some entries changes those and keeps the others from the earlier
 * layers; shares must still sum to 1. */
static void partial_overrides_change_only_the_named_elements(void **state)
{
    (void)state;
    ipsim_params base, derived, set;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&base, IPSIM_SOURCE_DIR "/params/baseline.yaml", NULL,
                                          0, &err),
                     IPSIM_OK);
    char *path = write_yaml("base: " IPSIM_SOURCE_DIR "/params/baseline.yaml\n"
                            "infection:\n"
                            "  serious_share: {severe: 0.4}\n"
                            "grades:\n"
                            "  transition_matrix: {mild: {mild: 0.9, moderate: 0.07}}\n"
                            "economics:\n"
                            "  utility_by_phase.induction: 0.5\n");
    assert_int_equal(ipsim_params_resolve(&derived, path, NULL, 0, &err), IPSIM_OK);
    /* Exactly the base, but for the three elements named. */
    ipsim_params want = base;
    want.infection.serious_share[IPSIM_GRADE_SEVERE] = 0.4;
    want.grades.transition_matrix[IPSIM_GRADE_MILD][IPSIM_GRADE_MILD] = 0.9;
    want.grades.transition_matrix[IPSIM_GRADE_MILD][IPSIM_GRADE_MODERATE] = 0.07;
    want.economics.utility_by_phase[0] = 0.5;
    assert_memory_equal(&derived, &want, sizeof want);
    /* --set by element path gives the same set. */
    const char *sets[] = {"infection.serious_share.severe=0.4",
                          "grades.transition_matrix.mild.mild=0.9",
                          "grades.transition_matrix.mild={moderate: 0.07, none: 0.03}",
                          "economics.utility_by_phase.induction=0.5"};
    /* mild.mild alone leaves the row's sum off: refused once every layer is
     * applied, naming the row and where it was changed. */
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&set, IPSIM_SOURCE_DIR "/params/baseline.yaml", sets,
                                          2, &err),
                     IPSIM_EPARAM);
    assert_string_equal(err.file, "--set");
    assert_string_equal(err.key, "grades.transition_matrix.mild");
    assert_non_null(strstr(err.message, "values sum to 0.94"));
    assert_non_null(strstr(err.message, "moderate 0.01"));
    /* Set right by a later layer (as a sweep's list: moves two entries of a
     * row, one --set at a time), the row passes. */
    const char *together[] = {sets[0], sets[1], "grades.transition_matrix.mild.moderate=0.07",
                              sets[3]};
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&set, IPSIM_SOURCE_DIR "/params/baseline.yaml",
                                          together, 4, &err),
                     IPSIM_OK);
    assert_memory_equal(&set, &want, sizeof want);
    const char *mapping[] = {sets[0], "grades.transition_matrix.mild={mild: 0.9, moderate: 0.07}",
                             sets[3]};
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&set, IPSIM_SOURCE_DIR "/params/baseline.yaml",
                                          mapping, 3, &err),
                     IPSIM_OK);
    assert_memory_equal(&set, &want, sizeof want);
    /* A file's partial change that is never set right: at its line. */
    expect_failure("grades:\n  transition_matrix:\n    severe: {severe: 0.9}\n", NULL,
                   (expected_error){IPSIM_EPARAM, 3, "grades.transition_matrix.severe",
                                    "values sum to 0.94"});
    unlink(path);
    free(path);

    /* Errors name the element, in a file or in --set. */
    const char *range[] = {"infection.serious_share.severe=1.2", NULL};
    expect_failure(NULL, range,
                   (expected_error){IPSIM_EPARAM, 0, "infection.serious_share.severe",
                                    "1.2 is out of range"});
    expect_failure("infection:\n  serious_share.severe: 1.5\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "infection.serious_share.severe",
                                    "1.5 is out of range"});
    expect_failure("infection:\n  serious_share: {mild: 0.2, severe: -1}\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "infection.serious_share.severe",
                                    "out of range"});
    const char *label[] = {"infection.serious_share.sever=0.1", NULL};
    expect_failure(NULL, label,
                   (expected_error){IPSIM_EPARAM, 0, "infection.serious_share.sever",
                                    "entries of 'infection.serious_share' are none, mild"});
    const char *deep[] = {"cohort.baseline_mix.none.mild=0.1", NULL};
    expect_failure(NULL, deep, (expected_error){IPSIM_EPARAM, 0, NULL, "unknown key"});
    /* Shares: a partial change must leave them summing to 1. */
    expect_failure("cohort:\n  baseline_mix: {none: 0.2}\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.baseline_mix",
                                    "the entries not given keep their earlier values (mild 0.14"});
    const char *moved[] = {"cohort.baseline_mix={none: 0.2, mild: 0.039}", NULL};
    ipsim_params p = test_params_resolve(moved);
    assert_true(p.cohort.baseline_mix[IPSIM_GRADE_NONE] == 0.2);
    assert_true(p.cohort.baseline_mix[IPSIM_GRADE_MODERATE] == base.cohort.baseline_mix[2]);
}

/* A distribution for one element stays when another element changes; a
 * Dirichlet (drawn jointly) goes when one of its shares is given a value. */
static void partial_overrides_keep_the_other_elements_distributions(void **state)
{
    (void)state;
    char *path = write_yaml("infection:\n"
                            "  serious_share: {severe: {distribution: beta, mean: 0.4, se: 0.05}}\n"
                            "  type_share: {distribution: dirichlet,\n"
                            "               alpha: {bacterial: 70, viral: 25, fungal: 5}}\n");
    const char *sets[] = {"infection.serious_share.very_severe=0.3",
                          "infection.type_share={viral: 0.2, fungal: 0.1}"};
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, path, sets, 1, &err), IPSIM_OK);
    const int serious = (int)ipsim_param_spec_index(ipsim_param_spec_find("infection.serious_share"));
    const int type = (int)ipsim_param_spec_index(ipsim_param_spec_find("infection.type_share"));
    assert_non_null(ipsim_uncertain_find(&p, serious, IPSIM_GRADE_SEVERE));
    assert_null(ipsim_uncertain_find(&p, serious, IPSIM_GRADE_VERY_SEVERE));
    assert_true(p.infection.serious_share[IPSIM_GRADE_VERY_SEVERE] == 0.3);
    assert_non_null(ipsim_uncertain_find(&p, type, IPSIM_INFECTION_VIRAL));
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, path, sets, 2, &err), IPSIM_OK);
    assert_null(ipsim_uncertain_find(&p, type, IPSIM_INFECTION_BACTERIAL));
    assert_true(p.infection.type_share[IPSIM_INFECTION_BACTERIAL] == 0.7);
    assert_true(p.infection.type_share[IPSIM_INFECTION_FUNGAL] == 0.1);
    assert_non_null(ipsim_uncertain_find(&p, serious, IPSIM_GRADE_SEVERE));
    unlink(path);
    free(path);
}

/* Checks across keys report the key and where it was set. */
static void cross_checks_name_where_the_value_came_from(void **state)
{
    (void)state;
    expect_failure("cohort:\n  cycle_months: 7\n", NULL,
                   (expected_error){IPSIM_EPARAM, 0, "cohort.horizon_months",
                                    "not a whole number of 7-month cycles"});
    expect_failure("cohort:\n  horizon_months: 6\n", NULL,
                   (expected_error){IPSIM_EPARAM, 0, "infection.window_months",
                                    "longer than the horizon"});
    expect_failure("cohort:\n  horizon_months: 24\ninfection:\n  window_months: 30\n", NULL,
                   (expected_error){IPSIM_EPARAM, 4, "infection.window_months",
                                    "longer than the horizon"});
    expect_failure("ivig:\n  rate_ratio_all: 0.25\n  rate_ratio_serious: 0.9\n", NULL,
                   (expected_error){IPSIM_EPARAM, 3, "ivig.rate_ratio_serious",
                                    "more than all of the episodes serious"});
    expect_failure("ivig:\n  lookback_months: 12\ncohort:\n  cycle_months: 5\n  "
                   "horizon_months: 60\ninfection:\n  window_months: 10\n",
                   NULL,
                   (expected_error){IPSIM_EPARAM, 2, "ivig.lookback_months",
                                    "not a whole number of 5-month cycles"});
    expect_failure("cohort:\n  patients: 1e12\n  replicates: 100000\n", NULL,
                   (expected_error){IPSIM_EPARAM, 2, "cohort.patients", "more than ipsim can index"});
}

static void nearest_key_is_a_plausible_misspelling(void **state)
{
    (void)state;
    assert_string_equal(ipsim_param_spec_nearest("seeed"), "seed");
    assert_string_equal(ipsim_param_spec_nearest("grades.transition_matrx"),
                        "grades.transition_matrix");
    assert_string_equal(ipsim_param_spec_nearest("cohort.pateints"), "cohort.patients");
    assert_string_equal(ipsim_param_spec_nearest("infektion"), "infection");
    assert_null(ipsim_param_spec_nearest("completely.unrelated_thing"));
}

/* The section table lists exactly the sections the paths use. */
static void sections_match_the_paths(void **state)
{
    (void)state;
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const char *path = ipsim_param_specs[i].path, *dot = strchr(path, '.');
        if (!dot)
            continue;
        bool found = false;
        for (size_t s = 0; s < ipsim_param_section_count; s++)
            found |= strlen(ipsim_param_sections[s]) == (size_t)(dot - path) &&
                     strncmp(ipsim_param_sections[s], path, (size_t)(dot - path)) == 0;
        if (!found)
            fail_msg("section of '%s' is not in ipsim_param_sections", path);
    }
    for (size_t s = 0; s < ipsim_param_section_count; s++) {
        bool used = false;
        for (size_t i = 0; i < ipsim_param_spec_count; i++)
            used |= strncmp(ipsim_param_specs[i].path, ipsim_param_sections[s],
                            strlen(ipsim_param_sections[s])) == 0;
        if (!used)
            fail_msg("section '%s' has no keys", ipsim_param_sections[s]);
    }
}

/* docs/parameters.md is exactly what `ipsim params` prints: the schema's
 * reference, then the registered modules' parameters. */
static void reference_document_is_current(void **state)
{
    (void)state;
    char *generated = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&generated, &size);
    ipsim_params_write_reference(mem);
    ipsim_modules_write_reference(mem, ipsim_registered_modules);
    fclose(mem);
    FILE *f = fopen(IPSIM_SOURCE_DIR "/docs/parameters.md", "rb");
    if (!f)
        fail_msg("docs/parameters.md is missing; regenerate it with "
                 "`build/ipsim params > docs/parameters.md`");
    char *committed = calloc(1, size + 2);
    size_t got = fread(committed, 1, size + 1, f);
    fclose(f);
    if (got != size || memcmp(committed, generated, size) != 0)
        fail_msg("docs/parameters.md is out of date; regenerate it with "
                 "`build/ipsim params > docs/parameters.md`");
    free(committed);
    free(generated);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_baseline_resolve),
        cmocka_unit_test(vectors_by_label_or_list_and_overrides),
        cmocka_unit_test(emitted_yaml_round_trips_bit_for_bit),
        cmocka_unit_test(malformed_yaml_is_located),
        cmocka_unit_test(unknown_keys_suggest_the_nearest),
        cmocka_unit_test(out_of_range_values_are_refused),
        cmocka_unit_test(shares_and_rows_must_sum_to_one),
        cmocka_unit_test(structural_mistakes_are_refused),
        cmocka_unit_test(missing_unreadable_and_binary_files),
        cmocka_unit_test(base_files_extend_each_other),
        cmocka_unit_test(partial_overrides_change_only_the_named_elements),
        cmocka_unit_test(partial_overrides_keep_the_other_elements_distributions),
        cmocka_unit_test(cross_checks_name_where_the_value_came_from),
        cmocka_unit_test(nearest_key_is_a_plausible_misspelling),
        cmocka_unit_test(sections_match_the_paths),
        cmocka_unit_test(reference_document_is_current),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
