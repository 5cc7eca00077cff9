/* sim/progress.h: progress of long runs on stderr.
 *
 * On a terminal, a one-line bar redrawn at most ten times a second. When
 * stderr is not a terminal (a batch job's log, a pipe), a plain line every
 * `every_seconds` instead (none if 0), so that a log under Slurm shows how
 * far a run has come and when it should end, without the bar's carriage
 * returns. --quiet silences both. */
#ifndef IPSIM_PROGRESS_H
#define IPSIM_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* Seconds between progress lines when stderr is not a terminal, unless
 * --progress-every says otherwise. */
#define IPSIM_PROGRESS_EVERY_DEFAULT 60.0

typedef struct ipsim_progress {
    FILE *out;            /* NULL: disabled */
    int lines;            /* plain lines (not a terminal), else the bar */
    int written;          /* lines: how many so far */
    double every_seconds; /* lines: at most one per this many seconds */
    double start_seconds;
    double last_draw_seconds;
    const char *label;
    const char *unit;     /* of done and total: "patient-months" unless set */
    /* Lines: the scenario under way, k of n (n 0: not named). */
    int scenario, scenarios;
    const char *scenario_name;
} ipsim_progress;

/* Enables the bar if `out` is a terminal, or lines every every_seconds
 * (if > 0) if it is not; neither if quiet. */
void ipsim_progress_init(ipsim_progress *p, FILE *out, int quiet, double every_seconds,
                         const char *label);

/* Names the scenario under way (k of n, from 1) in the lines that follow. */
void ipsim_progress_scenario(ipsim_progress *p, int k, int n, const char *name);

/* An ipsim_progress_fn: redraws with `done` of `total` units (patient-months).
 * Lines: one when every_seconds have passed since the last (or the start),
 * and a last one when done reaches total if any came before, so that a run
 * shorter than the interval leaves the log as quiet as before. */
void ipsim_progress_update(void *progress, int64_t done, int64_t total);

/* Clears the bar's line. */
void ipsim_progress_finish(ipsim_progress *p);

/* Writes a duration as "42 s", "12 min 05 s" or "3 h 07 min". */
void ipsim_progress_duration(double seconds, char *buf, size_t size);

/* Monotonic wall-clock seconds. */
double ipsim_seconds(void);

#endif
