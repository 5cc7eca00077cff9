/* sim/command_report.c: `ipsim report` (usage and options:
 * sim/commands.c): the figures of finished runs and a page that shows them
 * (report/report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "sim/commands.h"
#include "sim/options.h"

/* "png,svg" -> formats[]. */
static int parse_formats(const char *text, bool *formats, const char *usage,
                         ipsim_error *err)
{
    for (int k = 0; k < IPSIM_PLOT_FORMATS; k++)
        formats[k] = false;
    const char *s = text;
    bool any = false;
    while (*s) {
        size_t len = strcspn(s, ",");
        int found = -1;
        for (int k = 0; k < IPSIM_PLOT_FORMATS; k++)
            if (strlen(ipsim_plot_format_names[k]) == len &&
                strncmp(s, ipsim_plot_format_names[k], len) == 0)
                found = k;
        if (found < 0)
            return IPSIM_FAIL(err, IPSIM_EUSAGE,
                              "--format takes png, svg and pdf, separated by commas; got '%s'",
                              text);
        formats[found] = any = true;
        s += len + (s[len] == ',');
    }
    return any ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_EUSAGE, "--format needs a value; %s", usage);
}

int ipsim_command_report(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err)
{
    ipsim_report_options o = ipsim_report_default_options();
    o.cancel = ctx->cancel;
    const char *usage = ctx->usage;
    const char *dir = NULL;
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int quiet = 0, count = 0, rc = inputs ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    for (int i = 0; i < argc && !rc; i++) {
        const char *a = argv[i];
        bool takes_value = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
                           strcmp(a, "--format") == 0 || strcmp(a, "--wtp") == 0 ||
                           strcmp(a, "--dsa") == 0;
        if (takes_value && i + 1 >= argc)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", a, usage);
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)
            dir = argv[++i];
        else if (strcmp(a, "--format") == 0)
            rc = parse_formats(argv[++i], o.formats, usage, err);
        else if (strcmp(a, "--wtp") == 0)
            rc = ipsim_options_parse_wtp(argv[++i], o.wtp, IPSIM_WTP_REPORT_MAX, &o.wtp_count,
                                         err);
        else if (strcmp(a, "--dsa") == 0)
            o.dsa_dir = argv[++i];
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            quiet = 1;
        else if (a[0] == '-')
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", a, usage);
        else
            inputs[count++] = a;
    }
    if (!rc && count == 0)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "which file? %s", usage);
    if (rc) {
        free(inputs);
        return rc;
    }
    const char *input = inputs[0];

    /* Default: beside the file, FILE-report/ for FILE.h5. */
    char default_dir[IPSIM_PATH_MAX];
    if (!dir) {
        size_t len = strlen(input);
        if (len > 3 && strcmp(input + len - 3, ".h5") == 0)
            len -= 3;
        if (snprintf(default_dir, sizeof default_dir, "%.*s-report", (int)len, input) >=
            (int)sizeof default_dir) {
            free(inputs);
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "file name too long: '%s'", input);
        }
        dir = default_dir;
    }
    int figures = 0;
    rc = ipsim_report_write(inputs, count, dir, &o, &figures, err);
    if (!rc && !quiet)
        printf("report: %d figures of %s%s in %s/index.html\n", figures, input,
               count > 1 ? " and more" : "", dir);
    free(inputs);
    return rc;
}
