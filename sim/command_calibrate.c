/* sim/command_calibrate.c: `ipsim calibrate` (usage and options:
 * sim/commands.c): fit, check by simulation, write. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/validate.h"
#include "base/atomic_file.h"
#include "models/calibration.h"
#include "models/posterior.h"
#include "params/calibration_targets.h"
#include "output/summary.h"
#include "params/loader.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/validation_run.h"
#include "sim/version.h"

static void format_target(char *buf, size_t size, int k, double v)
{
    switch (ipsim_calibration_target_kind(k)) {
    case IPSIM_TARGET_RATIO: snprintf(buf, size, "%.4fx", v); break;
    case IPSIM_TARGET_MONTHS: snprintf(buf, size, "%.3f mo", v); break;
    case IPSIM_TARGET_RATE: snprintf(buf, size, "%.5f", v); break;
    default: snprintf(buf, size, "%.4f%%", 100 * v); break;
    }
}

/* The fit, as comment lines (prefix "# ") or plain text (prefix ""). */
static void print_fit(FILE *out, const char *prefix, const ipsim_calibration *c)
{
    fprintf(out, "%s%-76s %10s %10s %10s\n", prefix, "target (docs/model.md)", "source",
            "start", "fitted");
    for (int k = 0; k < c->size; k++) {
        char target[24], start[24], fitted[24];
        format_target(target, sizeof target, k, ipsim_calibration_target(k));
        format_target(start, sizeof start, k, c->start_values[k]);
        format_target(fitted, sizeof fitted, k, c->values[k]);
        fprintf(out, "%s%-76s %10s %10s %10s\n", prefix, ipsim_calibration_target_name(k),
                target, start, fitted);
    }
    fprintf(out, "%s\n%s%-76s %12s %12s\n", prefix, prefix, "parameter", "start", "fitted");
    for (int k = 0; k < c->size; k++)
        fprintf(out, "%s%-76s %12.6g %12.8g\n", prefix, ipsim_calibration_parameter_name(k),
                c->start[k], c->parameters[k]);
    fprintf(out,
            "%s\n%sLargest residual %.2g after %d iterations (%d model evaluations): exact "
            "expected values, no Monte Carlo error.\n",
            prefix, prefix, c->max_abs_residual, c->iterations, c->evaluations);
}

static void print_check(FILE *out, const char *prefix, const ipsim_params *p,
                        const ipsim_validation *v)
{
    fprintf(out, "%sGoodness of fit by simulation: ", prefix);
    ipsim_summary_print_scenario(out, p);
    fputc('\n', out);
    char *text = NULL;
    size_t size = 0;
    FILE *table = open_memstream(&text, &size);
    if (!table)
        return;
    ipsim_validation_print(table, v);
    fclose(table);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
        fprintf(out, "%s%s\n", prefix, line);
    free(text);
}

/* --posterior N and --targets FILE, taken out of argv (the rest goes to the
 * shared parser). *draws stays 0 without --posterior. */
static int take_posterior_options(int *argc, char **argv, long *draws, const char **targets,
                                  const char *usage, ipsim_error *err)
{
    int kept = 0;
    for (int i = 0; i < *argc; i++) {
        const bool posterior = strcmp(argv[i], "--posterior") == 0;
        if (!posterior && strcmp(argv[i], "--targets") != 0) {
            argv[kept++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc)
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value\n%s", argv[i], usage);
        const char *value = argv[++i];
        if (posterior) {
            char *end;
            errno = 0;
            *draws = strtol(value, &end, 10);
            if (errno || *end || end == value || *draws < 1 || *draws > IPSIM_POSTERIOR_DRAWS_MAX)
                return IPSIM_FAIL(err, IPSIM_EUSAGE, "--posterior takes 1 to %d draws, not "
                                  "'%s'\n%s", IPSIM_POSTERIOR_DRAWS_MAX, value, usage);
        } else {
            *targets = value;
        }
    }
    if (*targets && !*draws)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "--targets goes with --posterior N\n%s", usage);
    *argc = kept;
    return IPSIM_OK;
}

/* The targets file: --targets, else calibration/targets.yaml beside the
 * parameter file (params/baseline.yaml -> params/calibration/targets.yaml). */
static int targets_path(const char *given, const char *params_path, char *path, size_t size,
                        ipsim_error *err)
{
    if (given) {
        snprintf(path, size, "%s", given);
        return IPSIM_OK;
    }
    if (!params_path)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "--posterior without a parameter file needs --targets FILE");
    const char *slash = strrchr(params_path, '/');
    const int dir = slash ? (int)(slash - params_path) + 1 : 0;
    if (snprintf(path, size, "%.*scalibration/targets.yaml", dir, params_path) >= (int)size)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "the parameter file's path is too long");
    return IPSIM_OK;
}

static void print_posterior(FILE *out, const char *prefix, const ipsim_posterior *post,
                            const ipsim_calibration_targets *targets)
{
    fprintf(out, "%sPosterior: %d draws; %d evaluations of the expected-value model, %d "
            "mixture components;\n%sESS %.1f (needed >= %.1f), largest weight %.4f "
            "(allowed <= %.4f), %.1f distinct points expected among the draws: %s.\n",
            prefix, post->draws, post->evaluations, post->iterations, prefix, post->ess,
            post->min_ess, post->max_weight, post->max_weight_allowed, post->expected_unique,
            post->converged ? "thresholds met" : "THRESHOLDS NOT MET");
    fprintf(out, "%s\n%s%-52s %12s %12s %25s\n", prefix, prefix, "parameter", "fitted",
            "mean", "95% interval");
    for (int j = 0; j < post->free_count; j++) {
        const int k = post->free_index[j];
        char interval[40];
        snprintf(interval, sizeof interval, "%.6g - %.6g", post->low[k], post->high[k]);
        fprintf(out, "%s%-52s %12.6g %12.6g %25s\n", prefix,
                ipsim_calibration_parameter_name(k), post->start[k], post->mean[k], interval);
    }
    fprintf(out, "%s\n%s%-28s %10s %10s %23s %8s\n", prefix, prefix, "target", "value",
            "+- SE", "posterior predictive 95%", "in it");
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++) {
        const ipsim_target_entry *t =
            ipsim_calibration_targets_find(targets, ipsim_calibration_target_key(k));
        if (!t)
            continue;
        double low, high;
        ipsim_posterior_predictive(post, k, &low, &high);
        char interval[40];
        snprintf(interval, sizeof interval, "%.4g - %.4g", low, high);
        fprintf(out, "%s%-28s %10.4g %10.3g %23s %8s\n", prefix, t->key, t->value,
                ipsim_target_standard_error(t), interval,
                t->value >= low && t->value <= high ? "yes" : "NO");
    }
}

/* The draws as CSV: a column per calibrated parameter and per element held
 * equal to one, each named by its key path (what `--set` takes). */
static int posterior_csv(const ipsim_posterior *post, const ipsim_options *o,
                         const char *targets, const ipsim_calibration_targets *t,
                         const ipsim_command_context *ctx, char **text, size_t *size,
                         ipsim_error *err)
{
    FILE *out = open_memstream(text, size);
    if (!out)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble the posterior file");
    fprintf(out, "# ipsim posterior draws of the calibrated parameters (models/posterior.h),\n"
            "# by `%s` (ipsim %s)\n# from %s, targets %s.\n#\n",
            ctx->command_line, IPSIM_VERSION, o->params_path ? o->params_path : "the defaults",
            targets);
    print_posterior(out, "# ", post, t);
    fprintf(out, "draw");
    for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++) {
        fprintf(out, ",%s", ipsim_calibration_parameter_name(k));
        if (ipsim_calibration_twin_name(k))
            fprintf(out, ",%s", ipsim_calibration_twin_name(k));
    }
    fputc('\n', out);
    for (int d = 0; d < post->draws; d++) {
        fprintf(out, "%d", d + 1);
        for (int k = 0; k < IPSIM_CALIBRATION_SIZE; k++) {
            const double x = post->parameters[(size_t)d * IPSIM_CALIBRATION_SIZE + k];
            fprintf(out, ",%.17g", x);
            if (ipsim_calibration_twin_name(k))
                fprintf(out, ",%.17g", x);
        }
        fputc('\n', out);
    }
    if (fclose(out) != 0)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble the posterior file");
    return IPSIM_OK;
}

/* `ipsim calibrate --posterior N`: the exact fit, then the posterior about
 * it, its diagnostics, and the draws. Fails (writing nothing) when the
 * diagnostics miss their thresholds. */
static int calibrate_posterior(const ipsim_options *o, const ipsim_params *start, long draws,
                               const char *given_targets, const ipsim_command_context *ctx,
                               ipsim_error *err)
{
    char path[IPSIM_PATH_MAX];
    ipsim_calibration_targets *targets = malloc(sizeof *targets);
    ipsim_calibration *fit = malloc(sizeof *fit);
    ipsim_posterior post = {0};
    char *file = NULL;
    size_t file_size = 0;
    int rc = !targets || !fit ? IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the posterior")
                              : targets_path(given_targets, o->params_path, path, sizeof path,
                                             err);
    if (!rc)
        rc = ipsim_calibration_targets_load(targets, path, err);
    if (!rc)
        rc = ipsim_posterior_check_targets(targets, err);
    if (!rc) {
        rc = ipsim_calibrate(start, ctx->cancel, fit, err);
        if (rc == IPSIM_EVALIDATION)
            print_fit(stderr, "", fit);
    }
    int threads = 1;
    if (!rc)
        rc = ipsim_cohort_threads(o->threads, &threads, err);
    if (!rc) {
        print_fit(stdout, "", fit);
        printf("\n");
        fflush(stdout);
        ipsim_posterior_settings s = {.draws = (int)draws, .seed = start->seed,
                                      .threads = threads, .cancel = ctx->cancel};
        rc = ipsim_posterior_sample(&fit->fitted, targets, &s, &post, err);
    }
    if (!rc) {
        print_posterior(stdout, "", &post, targets);
        if (!post.converged)
            rc = IPSIM_FAIL(err, IPSIM_EVALIDATION,
                            "the posterior's diagnostics miss their thresholds after %d "
                            "components; nothing was written",
                            post.iterations);
    }
    if (!rc)
        rc = posterior_csv(&post, o, path, targets, ctx, &file, &file_size, err);
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "before writing; nothing was written");
    if (!rc && o->output_path) {
        rc = ipsim_write_file_atomically(o->output_path, file, file_size, err);
        if (!rc)
            printf("\nWrote %s\n", o->output_path);
    } else if (!rc) {
        printf("\n");
        fwrite(file, 1, file_size, stdout);
    }
    free(file);
    ipsim_posterior_free(&post);
    free(fit);
    free(targets);
    return rc;
}

int ipsim_command_calibrate(int argc, char **argv, const ipsim_command_context *ctx,
                            ipsim_error *err)
{
    ipsim_options o;
    ipsim_calibration *fit = NULL;
    ipsim_validation *check = NULL;
    char *yaml = NULL, *file = NULL;
    size_t file_size = 0;
    long draws = 0;
    const char *targets = NULL;
    memset(&o, 0, sizeof o);
    int rc = take_posterior_options(&argc, argv, &draws, &targets, ctx->usage, err);
    if (!rc)
        rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_QUIET,
                                 ctx->usage, err);
    ipsim_params start;
    if (!rc)
        rc = ipsim_params_resolve(&start, o.params_path, o.overrides, o.override_count, err);
    /* The output checked before the fit (base/atomic_file.h). */
    char real[IPSIM_PATH_MAX];
    if (!rc && o.output_path)
        rc = ipsim_output_target(o.output_path, real, sizeof real, err);
    if (!rc && draws) {
        rc = calibrate_posterior(&o, &start, draws, targets, ctx, err);
        goto cleanup;
    }
    if (!rc && !(fit = malloc(sizeof *fit)))
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the calibration");
    if (!rc) {
        rc = ipsim_calibrate(&start, ctx->cancel, fit, err);
        /* Where the solver stopped says which targets it could not reach. */
        if (rc == IPSIM_EVALIDATION)
            print_fit(stderr, "", fit);
    }
    if (!rc)
        rc = ipsim_error_cancelled(ctx->cancel, err, "while fitting; nothing was written");
    if (rc)
        goto cleanup;
    print_fit(stdout, "", fit);
    fflush(stdout);

    /* The check: the calibrated scenario simulated (its own seed and size),
     * every row of the validation table with its Monte Carlo interval. */
    if (!(check = malloc(sizeof *check))) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the validation table");
        goto cleanup;
    }
    rc = ipsim_validation_run(&fit->fitted, o.threads, o.quiet, ctx->cancel, check, NULL, err);
    if (rc)
        goto cleanup;
    printf("\n");
    print_check(stdout, "", &fit->fitted, check);

    rc = ipsim_params_to_documented_yaml(&fit->fitted, &yaml, err);
    if (rc)
        goto cleanup;
    FILE *out = open_memstream(&file, &file_size);
    if (!out) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble the parameter file");
        goto cleanup;
    }
    fprintf(out,
            "# ipsim scenario '%s', calibrated by `ipsim calibrate` (ipsim %s) from %s.\n"
            "# Written by the program: rerun `%s` to reproduce it rather than editing the "
            "values below\n# by hand (a test checks that the calibration reproduces it).\n#\n"
            "# Calibration: the parameters below were fitted, by GSL's nonlinear least "
            "squares on the\n# model's exact expected values (models/calibration.h), to the "
            "calibration targets\n# (docs/model.md); every other value is as given, with its "
            "source in the comment above it.\n#\n",
            fit->fitted.name, IPSIM_VERSION, o.params_path ? o.params_path : "the defaults",
            ctx->command_line);
    print_fit(out, "# ", fit);
    fprintf(out, "#\n");
    print_check(out, "# ", &fit->fitted, check);
    fprintf(out, "\n%s", yaml);
    if (fclose(out) != 0) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble the parameter file");
        goto cleanup;
    }
    rc = ipsim_error_cancelled(ctx->cancel, err, "before writing; nothing was written");
    if (rc)
        goto cleanup;
    if (o.output_path) {
        rc = ipsim_write_file_atomically(o.output_path, file, file_size, err);
        if (!rc)
            printf("\nWrote %s\n", o.output_path);
    } else {
        printf("\n");
        fwrite(file, 1, file_size, stdout);
    }

cleanup:
    free(file);
    free(yaml);
    free(fit);
    free(check);
    ipsim_options_free(&o);
    return rc;
}
