/* tests/test_posterior_file.c: a PSA drawing whole rows of a file of joint
 * draws (psa.posterior, params/posterior_file.h): the file's reading and its
 * errors with file, line and key; the reference surviving the parameters'
 * written form without the file; a changed file refused; every replicate
 * taking one row for all its columns, each row equally often (within 4
 * standard errors) and the other distributions' draws unchanged by it. */
#define _DEFAULT_SOURCE
#include "test_support.h"

#include <unistd.h>

#include "base/rng.h"
#include "params/posterior_file.h"
#include "params/psa.h"
#include "params/schema.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ipsim-test-posterior-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command) == 0 ? 0 : -1;
}

/* Writes text to dir/name and returns the path (static storage per name slot). */
static const char *write_file(const char *name, const char *text)
{
    static char paths[4][256];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, 256, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *const good =
    "# posterior draws\n"
    "#\n"
    "draw,infection.serious_share.severe,infection.serious_share.very_severe,ivig.rate_ratio_all\r\n"
    "1, 0.2, 0.2, 0.5\n"
    "\n"
    "2,0.3,0.3,0.6\n"
    "3,0.4,0.4,0.7\n";

static void reads_a_file(void **state)
{
    (void)state;
    const char *path = write_file("good.csv", good);
    ipsim_posterior_file f;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_posterior_file_read(&f, path, &err), IPSIM_OK);
    assert_int_equal(f.ref.rows, 3);
    assert_int_equal(f.ref.columns, 3);
    assert_string_equal(ipsim_param_specs[f.ref.spec[0]].path, "infection.serious_share");
    assert_int_equal(f.ref.element[0], IPSIM_GRADE_SEVERE);
    assert_int_equal(f.ref.element[1], IPSIM_GRADE_VERY_SEVERE);
    assert_string_equal(ipsim_param_specs[f.ref.spec[2]].path, "ivig.rate_ratio_all");
    assert_true(f.values[0] == 0.2 && f.values[5] == 0.6 && f.values[8] == 0.7);
    const uint64_t checksum = f.ref.checksum;
    ipsim_posterior_file_free(&f);
    /* One digit changed: another checksum. */
    write_file("good.csv", "draw,infection.serious_share.severe\n1,0.25\n");
    assert_int_equal(ipsim_posterior_file_read(&f, path, &err), IPSIM_OK);
    assert_true(f.ref.checksum != checksum);
    ipsim_posterior_file_free(&f);
}

/* A file that must fail, with its message, line and key. */
static void expect_file_error(const char *text, int code, long line, const char *key,
                              const char *needle)
{
    const char *path = write_file("bad.csv", text);
    ipsim_posterior_file f;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_posterior_file_read(&f, path, &err);
    char msg[2048];
    ipsim_error_format(&err, msg, sizeof msg);
    if (rc != code || err.line != line || strcmp(err.key, key) != 0 || !strstr(msg, needle) ||
        !strstr(msg, path))
        fail_msg("expected %d at line %ld key '%s' with '%s'; got %d: %s", code, line, key, needle,
                 rc, msg);
}

static void refuses_bad_files(void **state)
{
    (void)state;
    expect_file_error("", IPSIM_EPARAM, 0, "psa.posterior", "the file is empty");
    expect_file_error("# only\ndraw,ivig.rate_ratio_all\n", IPSIM_EPARAM, 2, "psa.posterior",
                      "no draws");
    expect_file_error("#\ndraw,ivig.rate_ratio_al\n1,0.5\n", IPSIM_EPARAM, 2,
                      "ivig.rate_ratio_al", "not a real parameter");
    expect_file_error("draw,cohort.patients\n1,5\n", IPSIM_EPARAM, 1, "cohort.patients",
                      "not a real parameter");
    expect_file_error("draw,ivig.rate_ratio_all,ivig.rate_ratio_all\n1,0.5,0.5\n", IPSIM_EPARAM,
                      1, "ivig.rate_ratio_all", "appears twice");
    expect_file_error("draw,infection.serious_share.severe\n1,0.5\n2,1.5\n", IPSIM_EPARAM, 3,
                      "infection.serious_share.severe", "out of range");
    expect_file_error("draw,ivig.rate_ratio_all\n1,0.5x\n", IPSIM_EPARAM, 2,
                      "ivig.rate_ratio_all", "not a number");
    expect_file_error("draw,ivig.rate_ratio_all\n1,\n", IPSIM_EPARAM, 2, "ivig.rate_ratio_all",
                      "not a number");
    expect_file_error("draw,ivig.rate_ratio_all\n1,0.5,0.6\n", IPSIM_EPARAM, 2, "psa.posterior",
                      "3 fields where the header has 2");
    expect_file_error("draw\n1\n", IPSIM_EPARAM, 1, "psa.posterior", "no parameter columns");

    ipsim_posterior_file f;
    ipsim_error err;
    ipsim_error_clear(&err);
    char missing[128];
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    assert_int_equal(ipsim_posterior_file_read(&f, missing, &err), IPSIM_EIO);
    assert_non_null(strstr(err.message, missing));
    assert_string_equal(err.key, "psa.posterior");

    /* One share of a vector that sums to 1 would break the sum. */
    expect_file_error("draw,infection.type_share.viral\n1,0.25\n", IPSIM_EPARAM, 1,
                      "infection.type_share.viral", "must sum to 1");
    expect_file_error("draw,ivig.rate_ratio_all,\n1,0.5,\n", IPSIM_EPARAM, 1, "psa.posterior",
                      "parameter column 2 is not a real parameter");
    expect_file_error("draw,ivig.rate_ratio_all\n1,0.5,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,"
                      "18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33\n",
                      IPSIM_EPARAM, 2, "psa.posterior", "more fields than the header's 2");

    /* `posterior` is not a distribution a parameter can be given. */
    const char *given[] = {"ivig.rate_ratio_all={distribution: posterior, column: 1, rows: 3}"};
    ipsim_params p;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, NULL, given, 1, &err), IPSIM_EPARAM);
    assert_non_null(strstr(err.message, "psa.posterior"));
}

static ipsim_params resolve_file(const char *yaml, const char *const *overrides, size_t n)
{
    const char *path = write_file("scenario.yaml", yaml);
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_params_resolve(&p, path, overrides, n, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("does not resolve: %s", msg);
    }
    return p;
}

/* The columns replace the distributions the layers gave their elements,
 * wherever psa.posterior stands; the written form reads back without the
 * file; a file changed since is refused. */
static void references_the_file(void **state)
{
    (void)state;
    write_file("draws.csv", good);
    /* "./": the stored absolute path is shorter than the one joined to the
     * file's directory, and must leave no bytes of it behind. */
    const char *yaml = "psa: {posterior: ./draws.csv}\n"
                       "ivig:\n"
                       "  rate_ratio_all: {distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}\n"
                       "  rate_ratio_serious: {distribution: lognormal, ci95: [0.3, 0.9]}\n";
    ipsim_params p = resolve_file(yaml, NULL, 0);
    char expected[512];
    snprintf(expected, sizeof expected, "%s/draws.csv", dir);
    assert_string_equal(p.psa.posterior.path, expected);
    assert_int_equal(ipsim_psa_dimension(&p), 4);
    char name[IPSIM_KEY_MAX];
    int kinds[4] = {0};
    for (int i = 0; i < 4; i++) {
        int k;
        kinds[i] = ipsim_psa_entry(&p, i, &k)->distribution;
    }
    ipsim_psa_name(&p, 3, name, sizeof name);
    /* In (spec, element) order: serious_share's two, then IVIG's two. */
    assert_int_equal(kinds[0], IPSIM_DIST_POSTERIOR);
    assert_int_equal(kinds[1], IPSIM_DIST_POSTERIOR);
    assert_int_equal(kinds[2], IPSIM_DIST_POSTERIOR); /* rate_ratio_all, replaced */
    assert_int_equal(kinds[3], IPSIM_DIST_LOGNORMAL);
    assert_string_equal(name, "ivig.rate_ratio_serious");
    assert_true(p.ivig.rate_ratio_all == 0.49); /* its own value without PSA */

    char *text = NULL;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_to_yaml(&p, &text, &err), IPSIM_OK);
    ipsim_params back;
    assert_int_equal(ipsim_params_resolve_text(&back, text, strlen(text), "attribute", NULL, 0,
                                               &err),
                     IPSIM_OK);
    free(text);
    assert_true(ipsim_psa_same(&p, &back));
    assert_int_equal(memcmp(&p, &back, sizeof p), 0);

    /* Without the file, a path in text held in memory is refused. */
    const char *in_memory = "psa: {posterior: draws.csv}\n";
    assert_int_equal(ipsim_params_resolve_text(&back, in_memory, strlen(in_memory), "attribute",
                                               NULL, 0, &err),
                     IPSIM_EPARAM);
    assert_string_equal(err.key, "psa.posterior");

    ipsim_posterior_file f;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_posterior_file_open(&f, &p.psa.posterior, &err), IPSIM_OK);
    ipsim_posterior_file_free(&f);
    write_file("draws.csv", "draw,infection.serious_share.severe\n1,0.25\n");
    assert_int_equal(ipsim_posterior_file_open(&f, &p.psa.posterior, &err), IPSIM_EPARAM);
    char msg[2048];
    ipsim_error_format(&err, msg, sizeof msg);
    if (!strstr(msg, "changed"))
        fail_msg("%s", msg);

    /* '' drops the reference. */
    const char *none[] = {"psa.posterior=''"};
    write_file("draws.csv", good);
    p = resolve_file(yaml, none, 1);
    assert_int_equal(ipsim_psa_dimension(&p), 2);

    /* A missing file is named, located at the key in the parameter file. */
    const char *path = write_file("scenario.yaml", "psa: {posterior: gone.csv}\n");
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_params_resolve(&p, path, NULL, 0, &err), IPSIM_EIO);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "gone.csv"));
}

/* Each replicate takes one row for every column; each row about a third of
 * the time; the lognormal's draws are those it has without the file. */
static void draws_whole_rows(void **state)
{
    (void)state;
    write_file("draws.csv", good);
    const char *yaml = "psa: {posterior: draws.csv}\n"
                       "ivig:\n"
                       "  rate_ratio_serious: {distribution: lognormal, ci95: [0.3, 0.9]}\n";
    ipsim_params p = resolve_file(yaml, NULL, 0);
    const char *none[] = {"psa.posterior=''"};
    ipsim_params alone = resolve_file(yaml, none, 1);
    ipsim_posterior_file f;
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_posterior_file_open(&f, &p.psa.posterior, &err), IPSIM_OK);
    ipsim_gsl_stream *gs = NULL;
    assert_int_equal(ipsim_gsl_stream_create(&gs, &err), IPSIM_OK);
    enum { R = 6000 };
    int64_t count[3] = {0};
    for (int64_t r = 0; r < R; r++) {
        double v[4], w[1];
        assert_int_equal(ipsim_psa_draw(&p, &f, 99, r, gs, v, &err), IPSIM_OK);
        assert_int_equal(ipsim_psa_draw(&alone, NULL, 99, r, gs, w, &err), IPSIM_OK);
        int row = -1;
        for (int k = 0; k < 3; k++)
            if (v[0] == f.values[3 * k] && v[1] == f.values[3 * k + 1] &&
                v[2] == f.values[3 * k + 2])
                row = k;
        assert_true(row >= 0);
        count[row]++;
        assert_true(v[3] == w[0]);
    }
    const double se = sqrt(R * (1.0 / 3) * (2.0 / 3));
    for (int k = 0; k < 3; k++)
        assert_true(fabs((double)count[k] - R / 3.0) < 4 * se);
    /* Without the file opened the draw is refused. */
    double v[4];
    assert_int_equal(ipsim_psa_draw(&p, NULL, 99, 0, gs, v, &err), IPSIM_EINTERNAL);
    ipsim_gsl_stream_free(gs);
    ipsim_posterior_file_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_a_file),
        cmocka_unit_test(refuses_bad_files),
        cmocka_unit_test(references_the_file),
        cmocka_unit_test(draws_whole_rows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
