/* sim/options.h: the command-line options the subcommands share.
 *
 * One parser, so that `--set`, `--threads`, `--quiet` and the rest mean the
 * same and are checked the same in every command. Each command says which
 * options it accepts; any other is a usage error naming the command's
 * usage line. */
#ifndef IPSIM_OPTIONS_H
#define IPSIM_OPTIONS_H

#include <stddef.h>

#include "base/error.h"
#include "params/params.h"

enum {
    IPSIM_OPT_OUTPUT = 1 << 0,      /* -o / --output FILE */
    IPSIM_OPT_THREADS = 1 << 1,     /* --threads / -j N (1..4096) */
    IPSIM_OPT_BLOCK = 1 << 2,       /* --block-patients N (1..2^24) */
    IPSIM_OPT_QUIET = 1 << 3,       /* --quiet / -q */
    IPSIM_OPT_PARAMS_REQUIRED = 1 << 4, /* the parameter file must be given */
    IPSIM_OPT_PROGRESS = 1 << 5         /* --progress-every SECONDS (0 to a week) */
};

typedef struct ipsim_options {
    const char *params_path;  /* the one positional argument; NULL if none */
    const char *output_path;  /* NULL if not given */
    const char **overrides;   /* --set values, in order (malloc'd array) */
    size_t override_count;
    int threads;              /* 0: not given */
    long long block_patients; /* 0: not given */
    int quiet;
    double progress_every;    /* seconds between progress lines off a terminal; 0: none */
} ipsim_options;

/* Parses argv[0..argc-1] (the arguments after the command's name). `--set`
 * is always accepted; `accepted` adds the others. Errors: IPSIM_EUSAGE with
 * the usage line, IPSIM_ENOMEM. Free with ipsim_options_free, also after
 * an error. */
int ipsim_options_parse(ipsim_options *o, int argc, char **argv, unsigned accepted,
                        const char *usage, ipsim_error *err);

void ipsim_options_free(ipsim_options *o);

/* Willingness-to-pay values to report (`--wtp 20000,30000,50000`): up to
 * max values >= 0 (IPSIM_WTP_REPORT_MAX, params/params.h). Errors: IPSIM_EUSAGE. */
/* Parses --progress-every's SECONDS: a number from 0 (no lines) to a week.
 * Errors: IPSIM_EUSAGE with the usage line. */
int ipsim_options_parse_every(const char *text, double *out, const char *usage, ipsim_error *err);

int ipsim_options_parse_wtp(const char *text, double *values, int max, int *count,
                            ipsim_error *err);

#endif
