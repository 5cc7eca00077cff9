/* sim/sweep_run.h: running a sweep (params/sweep.h) into one file:
 * resumable, in parts, on MPI ranks; and merging the parts. The engine of
 * `ipsim sweep` and `ipsim merge` (sim/command_sweep.c).
 *
 * A sweep runs each of its scenarios into a file of its own in a hidden
 * directory beside the target (`.TARGET.ipsim-sweep/`, one file per
 * scenario, `%05d.h5` by its index in the sweep, each renamed into place
 * only when complete), then assembles the target from them: the scenario
 * groups copied as they are, the PSA draws, the table of scenarios and
 * their values (/sweep) and, for a whole sweep, the comparison: with
 * several points, each point's strategies among themselves
 * (analysis/sweep_decision.h, under /sweep); with one point (a sweep whose
 * points are strategies), the study's comparison under /comparison. A stopped
 * sweep keeps its finished scenarios there, and a resumed one runs only
 * the rest: the resume rule is that a file counts as finished only if it
 * holds exactly one scenario whose parameters are the sweep's (compared as
 * resolved YAML), so a changed sweep reruns what changed. `part I/N` runs
 * every N-th scenario (params/sweep.h's ipsim_sweep_in_part) into a part
 * file whose /sweep table names the part, and ipsim_sweep_merge assembles
 * the parts the same way. Every path ends in the one assembly, and a
 * scenario's results depend on its parameters alone (sim/run.h), so a
 * resumed, split or merged sweep holds the same datasets as one
 * uninterrupted run.
 *
 * The /sweep table: `scenario` and `key` (string lists: the scenarios in
 * sweep order, the keys varied), one string dataset per key (its value in
 * each scenario, as written), `value` [scenario, key] (the values as
 * numbers, NaN where not a number), and the attributes `fingerprint` (16
 * hex digits: the sweep's identity, so that parts of different sweeps are
 * never merged) and `part` ("I/N"; "1/1" for a whole sweep).
 *
 * On MPI ranks (base/ranks.h) every rank calls the same functions, in the
 * same order: rank 0 looks at the directory and decides, the others
 * follow; whole scenarios go to the ranks in turn, and the last few, too
 * few to go round, are shared block by block through parallel HDF5; rank
 * 0 alone assembles the target. */
#ifndef IPSIM_SWEEP_RUN_H
#define IPSIM_SWEEP_RUN_H

#include <signal.h>
#include <stdint.h>

#include "base/error.h"
#include "base/ranks.h"
#include "params/sweep.h"

/* How a sweep is run and assembled. */
typedef struct ipsim_sweep_settings {
    int part, parts;        /* this part of the sweep, 1 <= part <= parts; 1/1: all of it */
    int resume;             /* keep the finished scenarios of a stopped run */
    const char *csv_dir;    /* the comparison also as CSV there (whole sweeps); NULL: none */
    const double *wtp;      /* willingness-to-pay values the comparison reports */
    int wtp_count;
    int threads;            /* >= 1, on each rank */
    int64_t block_patients; /* 0: the writer's choice */
    int quiet;              /* no banner, progress or comparison printed */
    double progress_every;  /* seconds between progress lines off a terminal; 0: none */
    const char *command_line;            /* provenance, in every file written */
    const volatile sig_atomic_t *cancel; /* SIGINT/SIGTERM; may be NULL */
    const ipsim_ranks *ranks;            /* the MPI job's ranks ({0, 1} outside MPI) */
} ipsim_sweep_settings;

/* A sweep prepared to run: which scenarios run, and where their files go. */
typedef struct ipsim_sweep_plan {
    const ipsim_sweep *sweep;
    const ipsim_sweep_settings *settings;
    const char *target;     /* the file the sweep (or part) assembles into */
    char directory[IPSIM_PATH_MAX + 32]; /* its finished scenarios: .TARGET.ipsim-sweep */
    unsigned char *include; /* per scenario: 0 not in this part, 1 to run, 2 finished before */
    char **sources;         /* per scenario of the part: its file in the directory */
    double *draws;          /* the PSA draws [replicate][dimension]; NULL without PSA */
    int todo, skipped;      /* scenarios to run; finished before and kept */
    int finished_now;       /* scenarios finished by ipsim_sweep_run_scenarios, on every rank */
} ipsim_sweep_plan;

/* Prepares the sweep `sw` to run into `target`: builds every scenario's
 * model and checks every PSA draw before anything runs, checks that the
 * part's share of the output fits (twice: the scenarios' own files stay
 * until the target is complete), applies the resume rule to the
 * checkpoint directory and creates it. Errors: the model's, the resource
 * checks' (IPSIM_EUSAGE, IPSIM_EPARAM), IPSIM_EUSAGE if a stopped sweep
 * left finished scenarios and settings->resume is not set, IPSIM_EIO,
 * IPSIM_ENOMEM. Collective on every rank. Free with ipsim_sweep_plan_free,
 * also after an error. */
int ipsim_sweep_prepare(ipsim_sweep_plan *plan, const ipsim_sweep *sw, const char *target,
                        const ipsim_sweep_settings *settings, ipsim_error *err);

/* Runs the plan's scenarios still to run, each into its file, showing
 * progress (rank 0, unless quiet); sets plan->finished_now. The ranks go
 * on together or stop together. Errors: a scenario's (named),
 * IPSIM_EINTERRUPTED, IPSIM_EIO when another rank failed. Collective. */
int ipsim_sweep_run_scenarios(ipsim_sweep_plan *plan, ipsim_error *err);

/* Assembles the target from the finished scenario files (rank 0), and
 * removes the directory once the target is complete. A whole sweep of two
 * or more scenarios is also compared (printed unless quiet, stored, and
 * as CSV with csv_dir). Collective: every rank returns rank 0's status. */
int ipsim_sweep_assemble(const ipsim_sweep_plan *plan, ipsim_error *err);

void ipsim_sweep_plan_free(ipsim_sweep_plan *plan);

/* Merges the part files parts[0..count-1] (every part of one sweep, each
 * once, in any order) into `target`, the file one run of the whole sweep
 * would have written; *scenarios receives the sweep's number of scenarios
 * and *part_count its number of parts. Only settings' csv_dir, wtp,
 * quiet, command_line and cancel are used. Errors: IPSIM_EFORMAT for a
 * file that is not a sweep's part or holds the wrong scenarios,
 * IPSIM_EUSAGE for parts of different sweeps, a part given twice or
 * missing, the reader's and writer's. One process. */
int ipsim_sweep_merge(const char *target, char *const *parts, int count,
                      const ipsim_sweep_settings *settings, int *scenarios, int *part_count,
                      ipsim_error *err);

#endif
