/* sim/main.c: the ipsim program: dispatch, signals, error reporting, exit
 * codes. The only place that decides how the process ends.
 *
 * Exit codes: 0 success; 1 a run failed (I/O, HDF5, memory); 2 bad usage or
 * parameters; 3 validation failed; 130 / 143 interrupted by SIGINT / SIGTERM. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "base/ranks.h"
#include "sim/commands.h"
#include "sim/version.h"

/* Signal handlers can only set a flag; this is the one file-scope mutable
 * variable in ipsim, read by the cohort loop at block boundaries. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static const char help[] =
    "ipsim: Monte Carlo simulation of infection risk in multiple myeloma with immunoparesis\n"
    "\n"
    "usage:\n"
    "  ipsim run PARAMS.yaml [-o FILE.h5] [--set section.key=value]... [--threads N]\n"
    "            [--block-patients N] [--quiet]\n"
    "      simulate the scenario, write HDF5 (default NAME.h5), print a summary\n"
    "  ipsim sweep SWEEP.yaml [-o FILE.h5] [--set ...] [--threads N] [--block-patients N]\n"
    "            [--part I/N] [--resume] [--csv DIR] [--wtp W1,...] [--quiet]\n"
    "      every scenario of a sweep (grid or list of values) into one file, compared;\n"
    "      part I of N into its own file; --resume continues a stopped sweep (docs/hpc.md)\n"
    "  ipsim merge OUT.h5 PART.h5...   join a sweep's parts into the file one run would write\n"
    "  ipsim summary FILE.h5           print the summary of a finished run from its file\n"
    "  ipsim compare FILE.h5 [MORE.h5...] [--csv DIR] [--wtp W1,W2,...]\n"
    "      scenarios side by side, differences from the first, cost-effectiveness\n"
    "  ipsim voi FILE.h5 [PLAN.yaml] [--parameters a,b]... [--wtp W1,...] [--csv DIR]\n"
    "      value of information of a study's PSA: EVPI, EVPPI, EVSI (docs/voi.md)\n"
    "  ipsim report FILE.h5 [MORE.h5...] [-o DIR] [--format png,svg,pdf] [--wtp W1,...]\n"
    "      figures of a run (grades, infection risk by grade, rates, IVIG, cost-effectiveness)\n"
    "      and an index.html showing them (default DIR: FILE-report)\n"
    "  ipsim validate [PARAMS.yaml] [--set ...]\n"
    "      the review's table (MODEL.md) against a simulation; exit 3 if a row fails\n"
    "  ipsim calibrate [PARAMS.yaml] [-o OUT.yaml] [--set ...] [--threads N]\n"
    "      fit the parameters the review does not give to its table; check by simulation;\n"
    "      write the calibrated parameter file (params/baseline.yaml is one)\n"
    "  ipsim params                    print the parameter reference (Markdown)\n"
    "  ipsim params PARAMS.yaml [--set section.key=value]...\n"
    "      check a parameter file and print the resolved parameter set\n"
    "  ipsim version                   print the version\n"
    "\n"
    "Documentation: README.md, docs/parameters.md, docs/output-format.md\n";

/* The invocation as one string, each argument quoted if it needs it. */
static char *join_command_line(int argc, char **argv)
{
    size_t size = 1;
    for (int i = 0; i < argc; i++)
        size += 3 + 2 * strlen(argv[i]);
    char *s = malloc(size), *p = s;
    if (!s)
        return NULL;
    for (int i = 0; i < argc; i++) {
        int quote = strpbrk(argv[i], " \t\"'$*?{}[]") != NULL || argv[i][0] == '\0';
        if (i)
            *p++ = ' ';
        if (quote)
            *p++ = '\'';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '\'' && quote) {
                memcpy(p, "'\\''", 4);
                p += 4;
            } else {
                *p++ = *c;
            }
        }
        if (quote)
            *p++ = '\'';
    }
    *p = '\0';
    return s;
}

static int run_command(int argc, char **argv, const ipsim_ranks *ranks);

int main(int argc, char **argv)
{
    /* HDF5 would otherwise, at exit, retry flushing a file that a failed run
     * (say, a full disk) abandoned, and crash inside the library; we close
     * HDF5 ourselves after a successful run only. Parallel HDF5 also closes
     * itself at MPI_Finalize if it starts after MPI_Init, so it starts
     * first. */
    H5dont_atexit();
    H5open();
    ipsim_ranks ranks;
    ipsim_ranks_init(&ranks, &argc, &argv);
    int status = run_command(argc, argv, &ranks);
    ipsim_ranks_finalize(&ranks);
    return status;
}

static int run_command(int argc, char **argv, const ipsim_ranks *ranks)
{
    /* Errors are reported through return codes, never by GSL aborting or
     * HDF5 printing its stack. */
    gsl_set_error_handler_off();
    if (!getenv("IPSIM_HDF5_DEBUG"))
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    install_signal_handlers();

    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("ipsim %s\n", IPSIM_VERSION);
        return 0;
    }

    char *command_line = join_command_line(argc, argv);
    ipsim_command_context ctx = {.command_line = command_line ? command_line : argv[0],
                                 .cancel = &stop_signal,
                                 .ranks = ranks};
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc;
    if (ranks->size > 1 && strcmp(argv[1], "sweep") != 0)
        rc = IPSIM_FAIL(&err, IPSIM_EUSAGE,
                        "only `ipsim sweep` runs on several MPI ranks; run '%s' as one process",
                        argv[1]);
    else if (strcmp(argv[1], "run") == 0)
        rc = ipsim_command_run(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "validate") == 0)
        rc = ipsim_command_validate(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "calibrate") == 0)
        rc = ipsim_command_calibrate(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "compare") == 0)
        rc = ipsim_command_compare(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "voi") == 0)
        rc = ipsim_command_voi(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "sweep") == 0)
        rc = ipsim_command_sweep(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "merge") == 0)
        rc = ipsim_command_merge(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "report") == 0)
        rc = ipsim_command_report(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "summary") == 0)
        rc = ipsim_command_summary(argc - 2, argv + 2, &ctx, &err);
    else if (strcmp(argv[1], "params") == 0)
        rc = ipsim_command_params(argc - 2, argv + 2, &ctx, &err);
    else
        rc = IPSIM_FAIL(&err, IPSIM_EUSAGE, "unknown command '%s' (try 'ipsim help')", argv[1]);
    free(command_line);

    if (rc == IPSIM_OK) {
        H5close();
        return 0;
    }
    char message[IPSIM_PATH_MAX + IPSIM_MESSAGE_MAX + IPSIM_KEY_MAX + 64];
    ipsim_error_format(&err, message, sizeof message);
    if (ranks->size > 1)
        fprintf(stderr, "ipsim (rank %d of %d): %s\n", ranks->rank, ranks->size, message);
    else
        fprintf(stderr, "ipsim: %s\n", message);
    switch (rc) {
    case IPSIM_EINTERRUPTED: return stop_signal == SIGTERM ? 143 : 130;
    case IPSIM_EUSAGE:
    case IPSIM_EPARAM:
    case IPSIM_EYAML: return 2;
    case IPSIM_EVALIDATION: return 3;
    case IPSIM_EFORMAT:
    default: return 1;
    }
}
