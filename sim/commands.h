/* sim/commands.h: the subcommands of the ipsim program.
 *
 * Each takes the arguments after its name, returns an ipsim status, and
 * fills *err on failure; sim/main.c prints the error and chooses the exit
 * code. Output meant for the user goes to stdout, diagnostics to stderr. */
#ifndef IPSIM_COMMANDS_H
#define IPSIM_COMMANDS_H

#include <signal.h>

#include "analysis/validate.h"
#include "base/error.h"
#include "base/ranks.h"
#include "params/params.h"

typedef struct ipsim_command_context {
    const char *command_line; /* the whole invocation, for provenance */
    const volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM */
    const ipsim_ranks *ranks; /* the MPI job's ranks (one outside MPI); only sweep uses more */
} ipsim_command_context;

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
 * resumable. */
int ipsim_command_sweep(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);

/* ipsim merge OUT.h5 PART.h5... [--csv DIR] [--wtp ...] [--quiet]: the
 * parts of a sweep into the file one run of it would have written. */
int ipsim_command_merge(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err);

/* ipsim validate [PARAMS.yaml] [--set k=v]... [--threads N] [--quiet]: the
 * seed's table (MODEL.md) against a simulation held in memory; fails
 * (IPSIM_EVALIDATION) if a row is not reproduced. */
int ipsim_command_validate(int argc, char **argv, const ipsim_command_context *ctx,
                           ipsim_error *err);

/* Simulates a scenario in memory and fills the validation table (shared by
 * validate and calibrate). */
int ipsim_validate_scenario(const ipsim_params *params, int threads, int quiet,
                            const volatile sig_atomic_t *cancel, ipsim_validation_row *rows,
                            ipsim_error *err);

/* ipsim calibrate [PARAMS.yaml] [-o OUT.yaml] [--set k=v]... [--threads N] [--quiet]:
 * fits the parameters the review does not give to its table
 * (models/calibration.h), checks the fit by simulation, and writes the
 * calibrated parameter file. */
int ipsim_command_calibrate(int argc, char **argv, const ipsim_command_context *ctx,
                            ipsim_error *err);

#endif
