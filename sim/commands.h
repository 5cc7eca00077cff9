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

/* The command whose name is nearest a misspelt `name` (base/text.h), or
 * NULL if none is plausibly meant. */
const ipsim_command *ipsim_command_nearest(const char *name);

/* A usage error for the unknown command `name`, suggesting the nearest
 * ("unknown command 'rnu'; did you mean 'run'?"). Returns IPSIM_EUSAGE. */
int ipsim_command_unknown(const char *name, ipsim_error *err);

/* The program's usage: every command's usage line and summary. */
void ipsim_commands_print_usage(FILE *out);

/* `ipsim CMD --help`: the command's usage line, summary and options. */
void ipsim_command_print_help(FILE *out, const ipsim_command *c);

/* ipsim run PARAMS.yaml [-o FILE.h5] [--set k=v]... [--threads N] [--quiet] */
int ipsim_command_run(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err);

/* ipsim params [PARAMS.yaml] [--set k=v]...: without a file, the parameter
 * reference (Markdown); with one, the resolved parameter set (YAML). */
int ipsim_command_params(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err);

/* ipsim summary FILE.h5: the summary of a finished run, read from its file. */
int ipsim_command_summary(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);

/* ipsim compare FILE.h5 [MORE.h5...] [--csv DIR] [--wtp ...]: scenarios
 * side by side, and differences from the first (paired when the runs share
 * seed and cohort). */
int ipsim_command_compare(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);

/* ipsim voi FILE.h5 [PLAN.yaml] [--parameters a,b]... [--wtp ...] [--csv DIR]
 * [--bootstrap B]: the value of information of a study's PSA
 * (analysis/voi_analysis.h), printed, stored under /voi in the file and,
 * with --csv, written as CSV. */
int ipsim_command_voi(int argc, char **argv, const ipsim_command_context *ctx, ipsim_error *err);

/* ipsim report FILE.h5 [-o DIR] [--format png,svg,pdf] [--wtp ...] [--quiet]:
 * figures of a finished run and index.html showing them (report/report.h). */
int ipsim_command_report(int argc, char **argv, const ipsim_command_context *ctx,
                         ipsim_error *err);

/* ipsim sweep SWEEP.yaml [-o FILE.h5] [--set k=v]... [--threads N]
 * [--part I/N] [--resume] [--csv DIR] [--wtp ...] [--quiet]: every scenario
 * of a sweep (params/sweep.h) into one file, or part I of N into its own;
 * resumable (sim/sweep_run.h). */
int ipsim_command_sweep(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);

/* ipsim merge OUT.h5 PART.h5... [--csv DIR] [--wtp ...] [--quiet]: the
 * parts of a sweep into the file one run of it would have written. */
int ipsim_command_merge(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);

/* ipsim validate [PARAMS.yaml] [--set k=v]... [--threads N] [--quiet]: the
 * review's table (docs/review.md) against a simulation held in memory;
 * fails (IPSIM_EVALIDATION) if a row is not reproduced. */
int ipsim_command_validate(int argc, char **argv, const ipsim_command_context *ctx,
                           ipsim_error *err);

/* ipsim calibrate [PARAMS.yaml] [-o OUT.yaml] [--set k=v]... [--threads N] [--quiet]:
 * fits the parameters the review does not give to its table
 * (models/calibration.h), checks the fit by simulation, and writes the
 * calibrated parameter file. */
int ipsim_command_calibrate(int argc, char **argv, const ipsim_command_context *ctx,
                            ipsim_error *err);

/* ipsim help [COMMAND]: the program's usage, or a command's help. */
int ipsim_command_help(int argc, char **argv, const ipsim_command_context *ctx,
                       ipsim_error *err);

/* ipsim version: the version. */
int ipsim_command_version(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err);

#endif
