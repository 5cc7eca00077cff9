/* tests/test_calibration_targets.c: the calibration targets with their
 * uncertainty (params/calibration_targets.h): the shipped file against the
 * constants `ipsim calibrate` fits to, every refusal with its file, line and
 * key, and the log-likelihoods against hand-computed values. */
#define _GNU_SOURCE
#include "test_support.h"

#include <unistd.h>

#include "models/calibration.h"
#include "params/calibration_targets.h"
#include "params/published.h"
#include "params/review.h"

static const char shipped[] = IPSIM_SOURCE_DIR "/params/calibration/targets.yaml";

/* Writes text to a fresh temporary .yaml file; returns its malloc'd path. */
static char *write_yaml(const char *text)
{
    char *path = strdup("/tmp/ipsim-targets-XXXXXX.yaml");
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void shipped_file_follows_the_calibration(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        double value;
        ipsim_likelihood_kind likelihood;
        long n;
        double low, high;
    } want[] = {
        {"infected_mild", IPSIM_REVIEW_INFECTED_MILD, IPSIM_LIKELIHOOD_BINOMIAL, 99, 0, 0},
        {"infected_moderate", IPSIM_REVIEW_INFECTED_MODERATE, IPSIM_LIKELIHOOD_BINOMIAL, 203, 0,
         0},
        {"infected_severe_or_worse", IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE,
         IPSIM_LIKELIHOOD_BINOMIAL, 337, 0, 0},
        {"serious_rate_ratio", IPSIM_REVIEW_SERIOUS_RATE_RATIO, IPSIM_LIKELIHOOD_LOGNORMAL, 0,
         1.6, 6.4},
        {"cr_improved", IPSIM_REVIEW_CR_IMPROVED, IPSIM_LIKELIHOOD_BINOMIAL,
         IPSIM_REVIEW_CR_PATIENTS, 0, 0},
        {"cr_recovered_asct", IPSIM_REVIEW_CR_RECOVERED_ASCT, IPSIM_LIKELIHOOD_BINOMIAL,
         IPSIM_REVIEW_CR_PATIENTS, 0, 0},
        {"cr_recovered_no_asct", IPSIM_REVIEW_CR_RECOVERED_NO_ASCT, IPSIM_LIKELIHOOD_BINOMIAL,
         IPSIM_REVIEW_CR_PATIENTS, 0, 0},
        {"pfs_38_not_improved", 0.5, IPSIM_LIKELIHOOD_BINOMIAL, 40, 0, 0},
        {"severe_or_worse_igg_type", IPSIM_REVIEW_SEVERE_OR_WORSE_IGG, IPSIM_LIKELIHOOD_BINOMIAL,
         12, 0, 0},
        {"severe_or_worse_iga_type", IPSIM_REVIEW_SEVERE_OR_WORSE_IGA, IPSIM_LIKELIHOOD_BINOMIAL,
         31, 0, 0},
        {"pfs_median_s0777", IPSIM_PUBLISHED_S0777_PFS_MEDIAN, IPSIM_LIKELIHOOD_LOGNORMAL, 0, 37,
         50},
        {"pfs_median_asct_emn02", IPSIM_PUBLISHED_EMN02_PFS_MEDIAN, IPSIM_LIKELIHOOD_LOGNORMAL, 0,
         IPSIM_PUBLISHED_EMN02_PFS_LOW, IPSIM_PUBLISHED_EMN02_PFS_HIGH},
        {"dead_2_months", IPSIM_PUBLISHED_DEAD_2_MONTHS, IPSIM_LIKELIHOOD_BINOMIAL, 8672, 0, 0},
        {"os_median_s0777", IPSIM_PUBLISHED_S0777_OS_MEDIAN, IPSIM_LIKELIHOOD_LOGNORMAL, 0, 62,
         91},
        {"early_share_bove", IPSIM_PUBLISHED_EARLY_SHARE_OF_6_MONTHS, IPSIM_LIKELIHOOD_BINOMIAL,
         113, 0, 0},
    };
    enum { WANT = sizeof want / sizeof want[0] };
    _Static_assert((int)WANT == (int)IPSIM_CALIBRATION_SIZE, "one entry per calibration target");

    ipsim_calibration_targets t;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_calibration_targets_load(&t, shipped, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("the shipped targets do not load: %s", msg);
    }
    assert_int_equal(ipsim_calibration_targets_count(&t), WANT);
    assert_string_equal(t.file, shipped);
    long previous_line = 0;
    for (int k = 0; k < WANT; k++) {
        const ipsim_target_entry *e = &t.target[k];
        assert_string_equal(e->key, want[k].key);
        /* The same double as the constant and as the calibration's table. */
        assert_true(e->value == want[k].value);
        assert_true(e->value == ipsim_calibration_target(k));
        assert_int_equal(e->likelihood, want[k].likelihood);
        /* Shares are binomial; ratios and medians lognormal. */
        assert_int_equal(e->likelihood == IPSIM_LIKELIHOOD_BINOMIAL,
                         ipsim_calibration_target_kind(k) == IPSIM_TARGET_SHARE);
        assert_int_equal(e->n, want[k].n);
        assert_true(e->low == want[k].low && e->high == want[k].high);
        assert_true(strlen(e->source) > 0);
        assert_true(e->line > previous_line);
        previous_line = e->line;
        assert_ptr_equal(ipsim_calibration_targets_find(&t, want[k].key), e);
    }
    assert_null(ipsim_calibration_targets_find(&t, "infected_all"));

    /* The whole counts the comments give. */
    assert_int_equal(lround(t.target[0].value * 99), 18);
    assert_int_equal(lround(t.target[6].value * 16), 3);
    assert_int_equal(lround(t.target[12].value * 8672), 694);
    assert_int_equal(lround(t.target[14].value * 113), 76);
    /* The computed S0777 intervals are 43 and 75 x exp(+-1.96 SE), rounded,
     * with SE = 1/sqrt(150) and 0.1. */
    assert_int_equal(lround(43 * exp(-1.96 / sqrt(150))), 37);
    assert_int_equal(lround(43 * exp(1.96 / sqrt(150))), 50);
    assert_int_equal(lround(75 * exp(-1.96 * 0.1)), 62);
    assert_int_equal(lround(75 * exp(1.96 * 0.1)), 91);
}

/* Two good entries, then the one under test (from line 9). */
static const char good_head[] = "# two good entries first\n"
                                "infected_mild:\n"
                                "  value: 0.182\n"
                                "  likelihood: binomial\n"
                                "  n: 99\n"
                                "  source: review 3.1.2\n"
                                "ratio: {value: 3.2, likelihood: lognormal, interval: [1.6, 6.4],"
                                " source: assumption}\n"
                                "\n";

typedef struct bad_case {
    const char *entry; /* appended to good_head, starting at line 9 */
    int code;
    long line;
    const char *key;   /* the key the error names */
    const char *text;  /* in the message */
} bad_case;

static void check_refused(const bad_case *c)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s%s", good_head, c->entry);
    char *path = write_yaml(yaml);
    ipsim_calibration_targets t;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_calibration_targets_load(&t, path, &err);
    char formatted[2048], where[IPSIM_PATH_MAX + 32], key[IPSIM_KEY_MAX + 16];
    ipsim_error_format(&err, formatted, sizeof formatted);
    snprintf(where, sizeof where, "%s:%ld:", path, c->line);
    snprintf(key, sizeof key, "'%s'", c->key);
    if (rc != c->code)
        fail_msg("expected code %d, got %d: %s\n%s", c->code, rc, formatted, c->entry);
    if (strncmp(formatted, where, strlen(where)) != 0)
        fail_msg("expected the message to start with '%s': %s", where, formatted);
    if (!strstr(formatted, key))
        fail_msg("expected the key %s in: %s", key, formatted);
    if (!strstr(formatted, c->text))
        fail_msg("expected '%s' in: %s", c->text, formatted);
    /* The entries before the bad one were read (the YAML reader refuses a
     * file whole). */
    assert_int_equal(t.count, rc == IPSIM_EPARAM ? 2 : 0);
    unlink(path);
    free(path);
}

static void every_mistake_is_refused_with_file_line_and_key(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        /* Fields: unknown (misspelt, or not near any), missing, the other kind's. */
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  vlaue: 1\n  source: s\n",
         IPSIM_EPARAM, 13, "a.vlaue", "unknown key; did you mean 'value'?"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  sorce: s\n", IPSIM_EPARAM, 13,
         "a.sorce", "did you mean 'source'?"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  intreval: [1, 4]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.intreval", "did you mean 'interval'?"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  weight: 2\n  source: s\n",
         IPSIM_EPARAM, 13, "a.weight", "unknown key; an entry has value, likelihood"},
        {"a:\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM, 9, "a.value",
         "missing"},
        {"a:\n  value: 0.5\n  n: 40\n  source: s\n", IPSIM_EPARAM, 9, "a.likelihood", "missing"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n", IPSIM_EPARAM, 9, "a.source",
         "missing"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  source: s\n", IPSIM_EPARAM, 9, "a",
         "needs n"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  source: s\n", IPSIM_EPARAM, 9, "a",
         "needs interval"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [1, 4]\n  n: 10\n  source: s\n",
         IPSIM_EPARAM, 13, "a.n", "a lognormal target takes interval, not n"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  interval: [0.4, 0.6]\n"
         "  source: s\n",
         IPSIM_EPARAM, 13, "a.interval", "a binomial target takes n, not interval"},
        /* The likelihood. */
        {"a:\n  value: 0.5\n  likelihood: normal\n  n: 40\n  source: s\n", IPSIM_EPARAM, 11,
         "a.likelihood", "expected binomial (a share) or lognormal"},
        /* Shares. */
        {"a:\n  value: 1.2\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM, 10,
         "a.value", "1.2 is not a share"},
        {"a:\n  value: 0\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM, 10,
         "a.value", "0 is not a share"},
        {"a:\n  value: 1\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM, 10,
         "a.value", "1 is not a share"},
        /* n. */
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40.5\n  source: s\n", IPSIM_EPARAM, 12,
         "a.n", "expected n, a whole number"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 0\n  source: s\n", IPSIM_EPARAM, 12,
         "a.n", "from 1 to 1e9"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: -40\n  source: s\n", IPSIM_EPARAM, 12,
         "a.n", "expected n"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: \"40\"\n  source: s\n", IPSIM_EPARAM,
         12, "a.n", "expected n"},
        /* The count: 0.182 of 100 is 18.2 (18/100 = 0.18); 0.5 of 41. */
        {"a:\n  value: 0.182\n  likelihood: binomial\n  n: 100\n  source: s\n", IPSIM_EPARAM, 12,
         "a.n", "0.182 x 100 = 18.2 is not a whole count: 18/100 = 0.18 does not round to "
                "0.182"},
        {"a:\n  value: 0.25\n  likelihood: binomial\n  n: 41\n  source: s\n", IPSIM_EPARAM, 12,
         "a.n", "is not a whole count: 10/41 = 0.243902 does not round to 0.25"},
        /* Lognormal values and intervals. */
        {"a:\n  value: -3\n  likelihood: lognormal\n  interval: [1, 4]\n  source: s\n",
         IPSIM_EPARAM, 10, "a.value", "-3 is not positive"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [0, 6.4]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "[0, 6.4] is not positive"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [4, 6.4]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "[4, 6.4] does not contain the value 3.2"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [6.4, 1.6]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "does not contain the value"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [3.2, 6.4]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "low < value < high"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [1.6]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "expected [low, high]"},
        {"a:\n  value: 3.2\n  likelihood: lognormal\n  interval: [1.6, x]\n  source: s\n",
         IPSIM_EPARAM, 12, "a.interval", "number"},
        /* Values, sources and keys. */
        {"a:\n  value: 0.5x\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM, 10,
         "a.value", "number"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  source: \"\"\n", IPSIM_EPARAM, 13,
         "a.source", "expected a source"},
        {"Bad-Key:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  source: s\n", IPSIM_EPARAM,
         9, "Bad-Key", "snake_case"},
        {"a: 0.5\n", IPSIM_EPARAM, 9, "a", "expected a mapping"},
        /* Duplicates, refused by the YAML reader with the key in its message. */
        {"infected_mild:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  source: s\n",
         IPSIM_EYAML, 9, "infected_mild", "duplicate key"},
        {"a:\n  value: 0.5\n  likelihood: binomial\n  n: 40\n  n: 42\n  source: s\n",
         IPSIM_EYAML, 13, "n", "duplicate key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_refused(&cases[i]);
}

static void empty_and_missing_files_are_refused(void **state)
{
    (void)state;
    ipsim_calibration_targets t;
    ipsim_error err;
    ipsim_error_clear(&err);
    char *path = write_yaml("# nothing\n");
    assert_int_equal(ipsim_calibration_targets_load(&t, path, &err), IPSIM_EPARAM);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.message, "empty"));
    unlink(path);
    free(path);

    ipsim_error_clear(&err);
    path = write_yaml("- 0.182\n- 0.256\n");
    assert_int_equal(ipsim_calibration_targets_load(&t, path, &err), IPSIM_EPARAM);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "expected a mapping"));
    unlink(path);
    free(path);

    /* One entry too many. */
    enum { SIZE = (IPSIM_TARGETS_MAX + 1) * 64 };
    char *many = malloc(SIZE);
    size_t at = 0;
    for (int i = 0; i <= IPSIM_TARGETS_MAX; i++)
        at += (size_t)snprintf(many + at, SIZE - at,
                               "t%d: {value: 0.5, likelihood: binomial, n: 2, source: s}\n", i);
    path = write_yaml(many);
    free(many);
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_calibration_targets_load(&t, path, &err), IPSIM_EPARAM);
    assert_int_equal(err.line, IPSIM_TARGETS_MAX + 1);
    assert_string_equal(err.key, "t64");
    assert_non_null(strstr(err.message, "more than 64 targets"));
    assert_int_equal(t.count, IPSIM_TARGETS_MAX);
    unlink(path);
    free(path);

    ipsim_error_clear(&err);
    assert_int_equal(ipsim_calibration_targets_load(&t, "/nonexistent/targets.yaml", &err),
                     IPSIM_EIO);
    assert_string_equal(err.file, "/nonexistent/targets.yaml");
}

static void binomial_log_likelihood_by_hand(void **state)
{
    (void)state;
    /* 0 at the target, whatever n. */
    assert_true(ipsim_target_binomial_log_likelihood(0.182, 0.182, 99) == 0);
    assert_true(ipsim_target_binomial_log_likelihood(0.08, 0.08, 8672) == 0);
    /* k = 3 of n = 16 at value 0.1875, p = 0.25:
     * 3 log(0.25/0.1875) + 13 log(0.75/0.8125) = 3 log(4/3) + 13 log(12/13). */
    const double want = 3 * log(4.0 / 3) + 13 * log(12.0 / 13);
    assert_close(ipsim_target_binomial_log_likelihood(0.25, 0.1875, 16), want, 1e-13);
    assert_true(want < 0);
    /* Unrounded k: value 0.188 of 16 is k = 3.008. */
    const double k = 0.188 * 16;
    assert_close(ipsim_target_binomial_log_likelihood(0.2, 0.188, 16),
                        k * log(0.2 / 0.188) + (16 - k) * log(0.8 / 0.812), 1e-13);
    /* Impossible shares. */
    assert_true(isinf(ipsim_target_binomial_log_likelihood(0, 0.5, 40)));
    assert_true(isinf(ipsim_target_binomial_log_likelihood(1, 0.5, 40)));
    assert_true(isinf(ipsim_target_binomial_log_likelihood(NAN, 0.5, 40)));
    assert_true(ipsim_target_binomial_log_likelihood(1.5, 0.5, 40) < 0);
}

static void lognormal_log_likelihood_by_hand(void **state)
{
    (void)state;
    /* [1.6, 6.4] about 3.2 is a factor of 2 either way: sd = log 4 / 3.92. */
    const double sd = ipsim_target_log_sd(1.6, 6.4);
    assert_close(sd, log(4) / 3.92, 1e-15);
    assert_true(ipsim_target_lognormal_log_likelihood(3.2, 3.2, sd) == 0);
    /* At either end of the interval: -0.5 x 1.96^2. */
    assert_close(ipsim_target_lognormal_log_likelihood(6.4, 3.2, sd), -0.5 * 1.96 * 1.96,
                        1e-12);
    assert_close(ipsim_target_lognormal_log_likelihood(1.6, 3.2, sd), -0.5 * 1.96 * 1.96,
                        1e-12);
    /* Halfway to the end, on the log scale: a quarter of that. */
    assert_close(ipsim_target_lognormal_log_likelihood(3.2 * sqrt(2), 3.2, sd),
                        -0.125 * 1.96 * 1.96, 1e-12);
    assert_true(isinf(ipsim_target_lognormal_log_likelihood(0, 3.2, sd)));
    assert_true(isinf(ipsim_target_lognormal_log_likelihood(-1, 3.2, sd)));
}

static void entries_dispatch_and_print_their_spread(void **state)
{
    (void)state;
    ipsim_calibration_targets t;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_calibration_targets_load(&t, shipped, &err), IPSIM_OK);
    const ipsim_target_entry *ratio = ipsim_calibration_targets_find(&t, "serious_rate_ratio");
    const ipsim_target_entry *dead = ipsim_calibration_targets_find(&t, "dead_2_months");
    const ipsim_target_entry *emn02 = ipsim_calibration_targets_find(&t, "pfs_median_asct_emn02");
    assert_non_null(ratio);
    assert_non_null(dead);
    assert_non_null(emn02);

    assert_close(ipsim_target_log_likelihood(ratio, 6.4), -0.5 * 1.96 * 1.96, 1e-12);
    assert_true(ipsim_target_log_likelihood(dead, 0.08) == 0);
    assert_close(ipsim_target_log_likelihood(dead, 0.09),
                        ipsim_target_binomial_log_likelihood(0.09, 0.08, 8672), 0);
    /* The published EMN02 interval is not symmetric about 56.7 on the log
     * scale: its sd is the interval's width, wherever the value lies. */
    const double sd = (log(64.5) - log(49.3)) / 3.92;
    assert_close(ipsim_target_log_likelihood(emn02, 60), -0.5 * pow(log(60 / 56.7) / sd, 2),
                        1e-12);

    /* Standard errors on the natural scale. */
    assert_close(ipsim_target_standard_error(dead), sqrt(0.08 * 0.92 / 8672), 1e-15);
    assert_close(ipsim_target_standard_error(ratio), 3.2 * log(4) / 3.92, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_file_follows_the_calibration),
        cmocka_unit_test(every_mistake_is_refused_with_file_line_and_key),
        cmocka_unit_test(empty_and_missing_files_are_refused),
        cmocka_unit_test(binomial_log_likelihood_by_hand),
        cmocka_unit_test(lognormal_log_likelihood_by_hand),
        cmocka_unit_test(entries_dispatch_and_print_their_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
