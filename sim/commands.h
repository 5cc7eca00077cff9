/* sim/commands.h: the subcommands of the ipsim program, and their table.
 *
 * Each command takes the arguments after its name, returns an ipsim
 * status, and fills *err on failure; sim/main.c prints the error and
 * chooses the exit code. Output meant for the user goes to stdout,
 * diagnostics to stderr. A command parses its options and calls the
 * engine (sim/run.h, sim/sweep_run.h, sim/validation_run.h, analysis/,
 * report/); it holds no engine of its own.
 *
 * The command table (sim/commands.c) is the one list of commands: it gives
 * the dispatch, the program's usage text, `ipsim CMD --help` and the
 * "did you mean" of a misspelt command. A new command is a file
 * sim/command_X.c, its prototype below, its row in the table, and its
 * name in CMakeLists.txt. */
#ifndef IPSIM_COMMANDS_H
#define IPSIM_COMMANDS_H

#include <signal.h>
#include <stdio.h>

#include "base/error.h"
#include "base/ranks.h"

typedef struct ipsim_command ipsim_command;

typedef struct ipsim_command_context {
    const char *command_line; /* the whole invocation, for provenance */
    const volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM */
    const ipsim_ranks *ranks; /* the MPI job's ranks (one outside MPI); only sweep uses more */
    const char *usage;        /* "usage: ipsim CMD ...", the command's usage line for errors */
} ipsim_command_context;

typedef int (*ipsim_command_function)(int argc, char **argv, const ipsim_command_context *ctx,
                                      ipsim_error *err);

/* On how many MPI ranks a command may run. */
typedef enum ipsim_command_ranks {
    IPSIM_RANKS_ONE,  /* one process only: refused (usage error) under mpirun with several */
    IPSIM_RANKS_MANY, /* shares its work among the ranks (sweep) */
    IPSIM_RANKS_EACH  /* harmless on every rank, which each do it (help, version) */
} ipsim_command_ranks;

/* One row of the command table. */
struct ipsim_command {
    const char *name;            /* as typed: "run" */
    ipsim_command_function run;
    const char *usage;           /* "ipsim run PARAMS.yaml [-o FILE.h5] ...": one line */
    const char *summary;         /* what it does, one line or two, for the program's usage */
    const char *options;         /* every option it takes, one a line: "  -o FILE  meaning\n";
                                  * "" if none (-h/--help is added to every command's help) */
    ipsim_command_ranks ranks;
};

/* The table, in the order the program's usage lists it. */
extern const ipsim_command ipsim_commands[];
extern const int ipsim_command_count;

/* The command named `name`, or NULL. */
const ipsim_command *ipsim_command_find(const char *name);

/* A usage error for the unknown command `name`, suggesting the nearest
 * ("unknown command 'rnu'; did you mean 'run'?"). Returns IPSIM_EUSAGE. */
int ipsim_command_unknown(const char *name, ipsim_error *err);

/* The program's usage: every command's usage line and summary. */
void ipsim_commands_print_usage(FILE *out);

/* `ipsim CMD --help`: the command's usage line, summary and options. */
void ipsim_command_print_help(FILE *out, const ipsim_command *c);

/* The commands, one file each (sim/command_NAME.c). What each does, its
 * usage line and its options are its row of the table in sim/commands.c:
 * the one place they are written. */
int ipsim_command_run(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err);
int ipsim_command_sweep(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);
int ipsim_command_merge(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);
int ipsim_command_summary(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);
int ipsim_command_compare(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);
int ipsim_command_voi(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err);
int ipsim_command_report(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err);
int ipsim_command_dsa(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err);
int ipsim_command_validate(int argc, char **argv, const ipsim_command_context *ctx,
                           ipsim_error *err);
int ipsim_command_calibrate(int argc, char **argv, const ipsim_command_context *ctx,
                            ipsim_error *err);
int ipsim_command_params(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err);
int ipsim_command_help(int argc, char **argv, const ipsim_command_context *ctx,
                       ipsim_error *err);
int ipsim_command_version(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);

#endif
