/* sim/progress.h: a one-line progress bar on stderr for long runs.
 *
 * Shown only when stderr is a terminal and not silenced (--quiet), so logs
 * and pipes stay clean. Redraws at most ten times a second. */
#ifndef IPSIM_PROGRESS_H
#define IPSIM_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct ipsim_progress {
    FILE *out;            /* NULL: disabled */
    double start_seconds;
    double last_draw_seconds;
    const char *label;
} ipsim_progress;

/* Enables the bar if `out` is a terminal and quiet is 0. */
void ipsim_progress_init(ipsim_progress *p, FILE *out, int quiet, const char *label);

/* An ipsim_progress_fn: redraws with `done` of `total` units (patient-cycles). */
void ipsim_progress_update(void *progress, int64_t done, int64_t total);

/* Clears the bar's line. */
void ipsim_progress_finish(ipsim_progress *p);

/* Monotonic wall-clock seconds. */
double ipsim_seconds(void);

#endif
