/* sim/command_calibrate.c: `ipsim calibrate` (usage and options:
 * sim/commands.c): fit, check by simulation, write. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/validate.h"
#include "base/atomic_file.h"
#include "models/calibration.h"
#include "output/summary.h"
#include "params/loader.h"
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

int ipsim_command_calibrate(int argc, char **argv, const ipsim_command_context *ctx,
                            ipsim_error *err)
{
    ipsim_options o;
    ipsim_calibration *fit = NULL;
    ipsim_validation *check = NULL;
    char *yaml = NULL, *file = NULL;
    size_t file_size = 0;
    int rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_QUIET, ctx->usage,
                                 err);
    ipsim_params start;
    if (!rc)
        rc = ipsim_params_resolve(&start, o.params_path, o.overrides, o.override_count, err);
    /* The output checked before the fit (base/atomic_file.h). */
    char real[IPSIM_PATH_MAX];
    if (!rc && o.output_path)
        rc = ipsim_output_target(o.output_path, real, sizeof real, err);
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
    rc = ipsim_validation_run(&fit->fitted, o.threads, o.quiet, ctx->cancel, check, err);
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
