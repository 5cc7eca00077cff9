/* sim/options.c: the shared option parser. */
#include "sim/options.h"

#include "sim/progress.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_count(const char *text, const char *option, long long max, long long *out,
                       const char *usage, ipsim_error *err)
{
    char *end;
    errno = 0;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (!text || *text == '\0' || *end || errno || v < 1 || v > max)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s takes a whole number from 1 to %lld, not '%s'; %s",
                          option, max, text ? text : "nothing", usage);
    *out = v;
    return IPSIM_OK;
}

int ipsim_options_parse_every(const char *text, double *out, const char *usage, ipsim_error *err)
{
    char *end = NULL;
    double v = text ? strtod(text, &end) : -1;
    if (!text || end == text || *end || !(v >= 0 && v <= 7 * 86400.0))
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "--progress-every takes seconds from 0 (no progress lines) to 604800, "
                          "not '%s'; %s",
                          text ? text : "nothing", usage);
    *out = v;
    return IPSIM_OK;
}

int ipsim_options_parse(ipsim_options *o, int argc, char **argv, unsigned accepted,
                        const char *usage, ipsim_error *err)
{
    memset(o, 0, sizeof *o);
    o->progress_every = IPSIM_PROGRESS_EVERY_DEFAULT;
    o->overrides = calloc((size_t)argc + 1, sizeof *o->overrides);
    if (!o->overrides)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        long long n;
        int rc = IPSIM_OK;
        if (strcmp(a, "--set") == 0) {
            if (!value)
                return IPSIM_FAIL(err, IPSIM_EUSAGE, "--set needs section.key=value; %s", usage);
            o->overrides[o->override_count++] = value;
            i++;
        } else if (strncmp(a, "--set=", 6) == 0) {
            o->overrides[o->override_count++] = a + 6;
        } else if ((accepted & IPSIM_OPT_OUTPUT) &&
                   (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)) {
            if (!value)
                return IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a file name; %s", a, usage);
            o->output_path = value;
            i++;
        } else if ((accepted & IPSIM_OPT_THREADS) &&
                   (strcmp(a, "--threads") == 0 || strcmp(a, "-j") == 0)) {
            rc = parse_count(value, a, 4096, &n, usage, err);
            o->threads = (int)n;
            i++;
        } else if ((accepted & IPSIM_OPT_BLOCK) && strcmp(a, "--block-patients") == 0) {
            rc = parse_count(value, a, 1LL << 24, &n, usage, err);
            o->block_patients = n;
            i++;
        } else if ((accepted & IPSIM_OPT_QUIET) &&
                   (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
            o->quiet = 1;
        } else if ((accepted & IPSIM_OPT_PROGRESS) && strcmp(a, "--progress-every") == 0) {
            rc = ipsim_options_parse_every(value, &o->progress_every, usage, err);
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", a, usage);
        } else if (o->params_path) {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "more than one parameter file ('%s', '%s'); %s",
                            o->params_path, a, usage);
        } else {
            o->params_path = a;
        }
        if (rc)
            return rc;
    }
    if ((accepted & IPSIM_OPT_PARAMS_REQUIRED) && !o->params_path)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "no parameter file; %s", usage);
    return IPSIM_OK;
}

void ipsim_options_free(ipsim_options *o)
{
    free(o->overrides);
    o->overrides = NULL;
}

/* Parses --wtp 20000,30000,50000. */
int ipsim_options_parse_wtp(const char *text, double *values, int max, int *count,
                            ipsim_error *err)
{
    *count = 0;
    const char *s = text;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 0 || !(v < 1e12) || (*end && *end != ',') || *count >= max)
            return IPSIM_FAIL(err, IPSIM_EUSAGE,
                              "--wtp takes up to %d willingness-to-pay values >= 0, separated "
                              "by commas (e.g. 20000,30000,50000), got '%s'",
                              max, text);
        values[(*count)++] = v;
        s = *end ? end + 1 : end;
    }
    return *count ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_EUSAGE, "--wtp needs a value");
}

