/* sim/main.c: the ipsim program: dispatch through the command table
 * (sim/commands.h), signals, error reporting, exit codes. The only place
 * that decides how the process ends.
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

/* True if the command's arguments ask for its help (-h or --help). */
static int asks_for_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

/* The usage error of a one-process command started on several MPI ranks,
 * naming the commands that run on several (the table's). */
static int refuse_ranks(const char *name, ipsim_error *err)
{
    char many[256] = "";
    size_t used = 0;
    for (int i = 0; i < ipsim_command_count && used < sizeof many; i++)
        if (ipsim_commands[i].ranks == IPSIM_RANKS_MANY)
            used += (size_t)snprintf(many + used, sizeof many - used, "%s`ipsim %s`",
                                     used ? ", " : "", ipsim_commands[i].name);
    return IPSIM_FAIL(err, IPSIM_EUSAGE,
                      "only %s runs on several MPI ranks; run '%s' as one process", many, name);
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
    /* Before MPI_Init too: a singleton MPI_Init takes over half a second,
     * and a signal in it would otherwise kill the process outright (no
     * "interrupted", no clean-up). Installed again after it, in case the
     * MPI library set its own. */
    install_signal_handlers();
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

    if (argc < 2) {
        ipsim_commands_print_usage(stderr);
        return 2;
    }
    const char *name = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? "help"
                       : strcmp(argv[1], "--version") == 0                         ? "version"
                                                                                     : argv[1];
    const ipsim_command *command = ipsim_command_find(name);
    if (command && asks_for_help(argc - 2, argv + 2)) {
        ipsim_command_print_help(stdout, command);
        return 0;
    }

    char *command_line = join_command_line(argc, argv);
    char usage[1024] = "";
    if (command)
        snprintf(usage, sizeof usage, "usage: %s", command->usage);
    ipsim_command_context ctx = {.command_line = command_line ? command_line : argv[0],
                                 .cancel = &stop_signal,
                                 .ranks = ranks,
                                 .usage = usage};
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc;
    if (!command)
        rc = ipsim_command_unknown(argv[1], &err);
    else if (ranks->size > 1 && command->ranks == IPSIM_RANKS_ONE)
        rc = refuse_ranks(argv[1], &err);
    else
        rc = command->run(argc - 2, argv + 2, &ctx, &err);
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
