/* params/study.h: a study, several scenarios run on one cohort.
 *
 * A study file is a parameter file with a `scenarios:` mapping. Its other
 * keys (including `base:`) are what the scenarios share; each scenario is
 * a name and the parameters in which it differs, as in a parameter file:
 *
 *   name: ivig-policies
 *   base: baseline.yaml
 *   ivig: {rate_ratio_all: {distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}}
 *   scenarios:
 *     no_ivig: {}
 *     ivig_severe: {ivig: {policy: grade, grade_threshold: severe}}
 *
 * Scenario k resolves as: schema defaults, the shared keys (base first),
 * then scenario k's keys, then --set overrides; its `name` is its key.
 * The first scenario is the comparator the others are listed against.
 *
 * Every scenario must share the cohort (seed, patients, replicates,
 * horizon, cycle), the PSA distributions (and psa.sample) and the
 * comparison's willingness-to-pay grid (decision.*), so that patient i of
 * replicate r is the same patient, with the same parameter draws, in each
 * (common random numbers); the loader refuses a study that does not.
 * A file without `scenarios:` is a study of one scenario. */
#ifndef IPSIM_STUDY_H
#define IPSIM_STUDY_H

#include <stddef.h>

#include "base/error.h"
#include "params/params.h"
#include "params/yaml_tree.h"

enum { IPSIM_STUDY_MAX_SCENARIOS = 100000 };

typedef struct ipsim_study {
    char name[IPSIM_NAME_MAX]; /* the file's `name`, else its base name */
    int count;
    ipsim_params *scenarios;   /* [count], resolved and checked */
} ipsim_study;

/* Loads and checks a study (or a single parameter file). Errors: those of
 * ipsim_params_resolve, with the scenario named; IPSIM_EPARAM for
 * scenarios that do not share the cohort or the distributions. */
int ipsim_study_load(ipsim_study *out, const char *path, const char *const *overrides,
                     size_t override_count, ipsim_error *err);

void ipsim_study_free(ipsim_study *s); /* safe on a zeroed or freed study */

/* Reads the `name:` of a study or sweep file (node `name`, from file
 * `path`) into out[0..IPSIM_NAME_MAX-1]: a name (ipsim_params_valid_name),
 * never a path, since it names the default output. Errors: IPSIM_EPARAM
 * with the file, line and key. */
int ipsim_params_read_name(const char *path, const ipsim_yaml_node *name, char *out,
                           ipsim_error *err);

/* The first key a scenario does not share with the first scenario (as
 * above), with *scenario its index; "" for different distributions; NULL
 * when every scenario shares the cohort. */
const char *ipsim_study_differing_key(const ipsim_study *s, int *scenario);

#endif
