/* sim/command_dsa.c: `ipsim dsa` (usage and options: sim/commands.c): the
 * deterministic sensitivity analyses of a study (sim/sensitivity_run.h):
 * one-way with its tornado, a threshold, or a two-way decision map. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/sensitivity.h"
#include "output/csv.h"
#include "params/study.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/sensitivity_run.h"
#include "sim/version.h"

enum { RANGES_MAX = 64, ONLY_MAX = 256 };

typedef struct dsa_options {
    ipsim_options shared;
    const char *csv_dir;
    const char *threshold;     /* --threshold KEY */
    char *two_way;             /* --two-way KEY1,KEY2 (a copy, split at the comma) */
    const char *two_way_keys[2];
    int steps;
    char *compare;             /* --compare A,B (a copy, split) */
    const char *compare_pair[2];
    char *only_text;           /* --only K1,K2,... (a copy, split) */
    const char *only[ONLY_MAX];
    int only_count;
    ipsim_given_range ranges[RANGES_MAX];
    int range_count;
    double wtp;
} dsa_options;

static void dsa_options_free(dsa_options *d)
{
    ipsim_options_free(&d->shared);
    free(d->two_way);
    free(d->compare);
    free(d->only_text);
}

/* Splits a copy of `text` at commas into at most `max` parts. */
static int split(const char *text, char **copy, const char **parts, int max, int *count,
                 const char *option, ipsim_error *err)
{
    *copy = strdup(text);
    if (!*copy)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot copy %s", option);
    *count = 0;
    for (char *save = NULL, *t = strtok_r(*copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*count == max)
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s takes at most %d names", option, max);
        parts[(*count)++] = t;
    }
    return IPSIM_OK;
}

static int parse(int argc, char **argv, const char *usage, dsa_options *d, ipsim_error *err)
{
    *d = (dsa_options){.steps = 5, .wtp = 30000};
    int kept = 0, rc = IPSIM_OK;
    static const char *const valued[] = {"--csv",  "--threshold", "--two-way", "--steps",
                                         "--only", "--range",     "--compare", "--wtp"};
    for (int i = 0; i < argc && !rc; i++) {
        bool takes = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            takes = takes || strcmp(argv[i], valued[k]) == 0;
        if (!takes) {
            argv[kept++] = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", argv[i], usage);
            break;
        }
        const char *option = argv[i], *value = argv[++i];
        if (strcmp(option, "--csv") == 0)
            d->csv_dir = value;
        else if (strcmp(option, "--threshold") == 0)
            d->threshold = value;
        else if (strcmp(option, "--two-way") == 0) {
            int n = 0;
            free(d->two_way);
            rc = split(value, &d->two_way, d->two_way_keys, 2, &n, option, err);
            if (!rc && n != 2)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "--two-way takes two inputs, KEY1,KEY2");
        } else if (strcmp(option, "--steps") == 0) {
            char *end;
            long v = strtol(value, &end, 10);
            if (*end || v < 2 || v > IPSIM_TWOWAY_STEPS_MAX)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "--steps must be a whole number from 2 to %d",
                                IPSIM_TWOWAY_STEPS_MAX);
            d->steps = (int)v;
        } else if (strcmp(option, "--only") == 0) {
            free(d->only_text);
            rc = split(value, &d->only_text, d->only, ONLY_MAX, &d->only_count, option, err);
        } else if (strcmp(option, "--range") == 0) {
            if (d->range_count == RANGES_MAX)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "at most %d --range", RANGES_MAX);
            else {
                ipsim_given_range *g = &d->ranges[d->range_count++];
                rc = ipsim_sensitivity_parse_range(value, g->key, sizeof g->key, &g->low,
                                                   &g->high, err);
            }
        } else if (strcmp(option, "--compare") == 0) {
            int n = 0;
            free(d->compare);
            rc = split(value, &d->compare, d->compare_pair, 2, &n, option, err);
            if (!rc && n != 2)
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "--compare takes two strategies, A,B");
        } else {
            double w[1];
            int n = 0;
            rc = ipsim_options_parse_wtp(value, w, 1, &n, err);
            d->wtp = w[0];
        }
    }
    if (!rc && d->threshold && d->two_way)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "give --threshold or --two-way, not both; %s", usage);
    if (!rc && (d->threshold || d->two_way) && (d->only_count || d->compare))
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--only and --compare belong to the one-way analysis, not to "
                        "--threshold or --two-way");
    if (!rc)
        rc = ipsim_options_parse(&d->shared, kept, argv,
                                 IPSIM_OPT_THREADS | IPSIM_OPT_QUIET | IPSIM_OPT_PROGRESS |
                                     IPSIM_OPT_PARAMS_REQUIRED,
                                 usage, err);
    return rc;
}

int ipsim_command_dsa(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err)
{
    dsa_options d;
    ipsim_study study = {0};
    int rc = parse(argc, argv, ctx->usage, &d, err);
    if (!rc && d.csv_dir)
        rc = ipsim_csv_check_directory(d.csv_dir, err);
    if (!rc)
        rc = ipsim_study_load(&study, d.shared.params_path, d.shared.overrides,
                              d.shared.override_count, err);
    if (rc)
        goto cleanup;
    ipsim_sensitivity_settings s = {.wtp = d.wtp,
                                    .threads = d.shared.threads,
                                    .quiet = d.shared.quiet,
                                    .progress_every = d.shared.progress_every,
                                    .cancel = ctx->cancel,
                                    .ranges = d.ranges,
                                    .range_count = d.range_count,
                                    .strategy = d.compare ? d.compare_pair[0] : NULL,
                                    .comparator = d.compare ? d.compare_pair[1] : NULL,
                                    .only = d.only_count ? d.only : NULL,
                                    .only_count = d.only_count};
    const ipsim_params *first = &study.scenarios[0];
    printf("ipsim %s: deterministic sensitivity of study %s, %d strategies; %lld patients x "
           "%lld months per strategy and point, seed %llu, no PSA\n\n",
           IPSIM_VERSION, study.name, study.count, (long long)first->cohort.patients,
           (long long)first->cohort.horizon_months, (unsigned long long)first->seed);
    fflush(stdout);
    ipsim_csv_set csv = {0};
    if (d.threshold) {
        ipsim_threshold t;
        rc = ipsim_threshold_run(&study, &s, d.threshold, &t, err);
        if (!rc) {
            ipsim_threshold_print(stdout, &t);
            if (d.csv_dir)
                rc = ipsim_threshold_csv(&t, &csv, err);
            ipsim_threshold_free(&t);
        }
    } else if (d.two_way) {
        ipsim_twoway t;
        rc = ipsim_twoway_run(&study, &s, d.two_way_keys, d.steps, &t, err);
        if (!rc) {
            ipsim_twoway_print(stdout, &t);
            if (d.csv_dir)
                rc = ipsim_twoway_csv(&t, &csv, err);
            ipsim_twoway_free(&t);
        }
    } else {
        ipsim_oneway o;
        rc = ipsim_oneway_run(&study, &s, &o, err);
        if (!rc) {
            ipsim_oneway_print(stdout, &o);
            if (d.csv_dir)
                rc = ipsim_oneway_csv(&o, &csv, err);
            ipsim_oneway_free(&o);
        }
    }
    if (!rc && d.csv_dir) {
        rc = ipsim_csv_set_write(&csv, d.csv_dir, err);
        if (!rc)
            printf("\nWrote CSV tables in %s\n", d.csv_dir);
    }
    ipsim_csv_set_free(&csv);

cleanup:
    ipsim_study_free(&study);
    dsa_options_free(&d);
    return rc;
}
