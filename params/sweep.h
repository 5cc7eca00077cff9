/* params/sweep.h: a scenario sweep, many scenarios from one parameter file
 * and the values of a few of its keys.
 *
 * A sweep file is a parameter file (its `base:`, its keys) with `grid:`
 * and/or `list:` naming the keys to vary and their values:
 *
 *   name: ivig-grid
 *   base: ../ivig-severe.yaml
 *   cohort: {patients: 20000}
 *   grid:                        # every combination (Cartesian product)
 *     ivig.grade_threshold: [moderate, severe, very_severe]
 *     vaccination.influenza_coverage: [0, 0.8]
 *   list:                        # zipped: the i-th values together
 *     ivig.dose_mg_per_kg: [200, 400]
 *     ivig.interval_weeks: [2, 4]
 *
 * The scenarios are the grid's combinations, the first key slowest, each
 * with every row of the list (the list is one more axis, fastest). Each
 * value is a scalar in YAML syntax, applied as `--set key=value` would be,
 * before the command line's own --set (which may not name a swept key).
 * A scenario is named from its values, `grade_threshold-severe__
 * influenza_coverage-0.8__dose_mg_per_kg-400__interval_weeks-4`, with
 * each key shortened to its initials when the whole would exceed the
 * length of a name.
 *
 * The scenarios form a study (params/study.h): they must share the cohort
 * (seed, patients, replicates, horizon, cycle), the PSA distributions and
 * the decision grid, so that every difference is paired patient by
 * patient (common random numbers); sweeping one of those keys is refused.
 *
 * Points and strategies. The values of one row of the grid (and list) are
 * a sweep *point*: a setting of the world the decision is made in (a
 * price, an effect, a risk). A sweep may also carry *strategies*, the
 * options compared at every point, as a study's `scenarios:`, either its
 * own or those of a study file named as its `base:`:
 *
 *   name: ivig-policies-by-price
 *   base: ../ivig-policies.yaml          # a study: its five strategies
 *   grid:
 *     economics.ivig_price_per_gram: [20, 34, 50]
 *
 * Each point then runs every strategy (scenario `POINT__STRATEGY`,
 * point-major: scenario p x strategies + s), and each point gets its own
 * incremental analysis among the strategies; points are never compared
 * with each other as if they were options. A strategy resolves as: the
 * schema's defaults, the study's shared keys (its base first), the sweep
 * file's own keys, the strategy's keys, the point's values, then --set.
 * A strategy may not set a swept key (it would silently lose its own
 * value): that is refused at the strategy's key.
 *
 * A sweep without strategies has points only: each point is one set of
 * parameter values, reported side by side without ICERs, unless the file
 * says `points_are_strategies: true` (the swept keys are themselves the
 * policy, e.g. IVIG threshold x dose), in which case the points are
 * compared with each other as options, as the strategies of one study. */
#ifndef IPSIM_SWEEP_H
#define IPSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "params/study.h"

/* Strategies compared at a point: as many as one incremental analysis
 * takes (analysis/incremental.h, checked there). */
enum {
    IPSIM_SWEEP_KEYS_MAX = 16,
    IPSIM_SWEEP_VALUE_MAX = 64,
    IPSIM_SWEEP_STRATEGIES_MAX = 64,
    IPSIM_SWEEP_STRATEGY_NAME_MAX = 40 /* characters; the rest of a name is its point's */
};

typedef struct ipsim_sweep {
    ipsim_study study;         /* the scenarios, resolved and checked, in sweep order */
    /* How the scenarios are compared: study.count = points x strategies,
     * scenario p x strategies + s being strategy s at point p. A sweep
     * without strategies has (points, 1), or (1, points) when its points
     * are strategies. */
    int points, strategies;
    char (*point)[IPSIM_NAME_MAX];    /* [points]: a point's name, from its values */
    char (*strategy)[IPSIM_NAME_MAX]; /* [strategies]: as in `scenarios:` ("" for none) */
    int keys;                  /* keys varied */
    char key[IPSIM_SWEEP_KEYS_MAX][IPSIM_KEY_MAX];
    /* [study.count][keys]: each scenario's value of each key, as written. */
    char (*value)[IPSIM_SWEEP_KEYS_MAX][IPSIM_SWEEP_VALUE_MAX];
    /* A digest of every scenario's resolved parameters (FNV-1a, 64 bits, in
     * hex): parts of a sweep, and a stopped sweep's finished scenarios,
     * belong to this sweep only if they carry the same. */
    char fingerprint[17];
} ipsim_sweep;

/* Loads and expands a sweep file, then applies `overrides` (--set) to
 * every scenario. Errors: IPSIM_EYAML, IPSIM_EPARAM with the file, line and
 * key (a value's own errors at the value), IPSIM_ENOMEM. */
int ipsim_sweep_load(ipsim_sweep *out, const char *path, const char *const *overrides,
                     size_t override_count, ipsim_error *err);

void ipsim_sweep_free(ipsim_sweep *s); /* safe on a zeroed or freed sweep */

/* Allocates s->point and s->strategy for `points` x `strategies`
 * scenarios (zero-filled). Errors: IPSIM_ENOMEM. */
int ipsim_sweep_allocate_layout(ipsim_sweep *s, int points, int strategies, ipsim_error *err);

/* The scenarios of part `part` (1-based) of `parts`: scenario s belongs to
 * part (s mod parts) + 1, so that costs that grow along an axis spread
 * evenly over the parts. */
int ipsim_sweep_in_part(int scenario, int part, int parts);

/* Reads "I/N" (digits only, 1 <= I <= N <= IPSIM_STUDY_MAX_SCENARIOS) into
 * *part and *parts; false for anything else (nothing too large to hold is
 * truncated). A part count is checked against the sweep's scenarios by the
 * caller: each part holds at least one. */
bool ipsim_sweep_part_parse(const char *text, int *part, int *parts);

#endif
