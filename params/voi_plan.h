/* params/voi_plan.h: what a value-of-information analysis asks of a PSA
 * file (`ipsim voi FILE.h5 PLAN.yaml`): which parameter groups get an
 * EVPPI, which proposed studies an EVSI, and the decision's population.
 *
 *   evppi:                        # group name: PSA keys (a key stands for
 *     ivig_effect: [ivig.rate_ratio_all, ivig.rate_ratio_serious]
 *     ivig_price: [economics.ivig_price_per_gram]   # all its drawn entries)
 *   evsi:
 *     ivig_trial:                 # study name
 *       parameter: ivig.rate_ratio_all
 *       design: rate_ratio        # normal | binomial | rate_ratio (analysis/evsi.h)
 *       control_rate: 0.5         # rate_ratio: events per person-year without
 *       follow_up_years: 1        # rate_ratio
 *       sd: 0.2                   # normal: one observation's SD
 *       arms: 2                   # persons per unit of n (default: 2 for
 *                                 #   rate_ratio, else 1)
 *       n: [50, 100, 200, 500]    # sample sizes per arm, increasing
 *       cost_per_person: 2000     # optional, for the net gain of sampling
 *       fixed_cost: 500000        # optional
 *   population:                   # optional: overrides the file's decision.*
 *     per_year: 5000
 *     horizon_years: 10
 *     discount_rate: 0.035
 *   bootstrap: 200                # resamples for the SEs (default 200)
 *   wtp: [20000, 30000, 50000]    # reported values (`--wtp` replaces them)
 *
 * Every key is checked: unknown or misspelt keys, wrong types, negative
 * costs, sizes out of order or beyond the limits below, and a key listed
 * twice in a group are refused with the file, line and key.
 * Whether the keys name drawn parameters is checked against the PSA file
 * (analysis/voi_analysis.h). */
#ifndef IPSIM_VOI_PLAN_H
#define IPSIM_VOI_PLAN_H

#include <stdbool.h>

#include "base/error.h"
#include "params/params.h"

/* A proposed study (simulated by analysis/evsi.h). */
typedef enum ipsim_voi_design {
    IPSIM_VOI_NORMAL = 0,
    IPSIM_VOI_BINOMIAL = 1,
    IPSIM_VOI_RATE_RATIO = 2,
    IPSIM_VOI_DESIGNS
} ipsim_voi_design;

extern const char *const ipsim_voi_design_names[IPSIM_VOI_DESIGNS];

/* The largest sizes a plan may ask for, refused before any work: a study
 * of at most a billion persons per arm (the binomial sampler takes 2^32),
 * 100 arms, a rate_ratio study expecting at most a billion control events
 * (the Poisson sampler counts in 32 bits; analysis/evsi.c checks each draw's
 * treated arm too), and 100,000 bootstrap resamples. */
#define IPSIM_VOI_N_MAX 1000000000LL
#define IPSIM_VOI_ARMS_MAX 100
#define IPSIM_VOI_EVENTS_MAX 1000000000LL
#define IPSIM_VOI_BOOTSTRAP_MAX 100000

enum { IPSIM_VOI_SIZES_MAX = 64 };

typedef struct ipsim_voi_study {
    char name[IPSIM_NAME_MAX];
    char parameter[IPSIM_KEY_MAX]; /* the PSA value it measures, e.g. "ivig.rate_ratio_all" */
    ipsim_voi_design design;
    double sd;              /* normal: one observation's standard deviation */
    double control_rate;    /* rate_ratio: events per person-year without the intervention */
    double follow_up_years; /* rate_ratio */
    int arms;               /* persons recruited per unit of n (2 for a two-arm trial) */
    double cost_per_person; /* for the expected net gain of sampling */
    double fixed_cost;
    int sizes;
    int64_t n[IPSIM_VOI_SIZES_MAX]; /* sample sizes (per arm), increasing */
} ipsim_voi_study;

enum {
    IPSIM_VOI_GROUPS_MAX = 64,
    IPSIM_VOI_GROUP_KEYS_MAX = 16,
    IPSIM_VOI_STUDIES_MAX = 8,
    IPSIM_VOI_WTP_MAX = 16,
    IPSIM_VOI_BOOTSTRAP_DEFAULT = 200
};

typedef struct ipsim_voi_group {
    char name[IPSIM_NAME_MAX];
    int keys;
    char key[IPSIM_VOI_GROUP_KEYS_MAX][IPSIM_KEY_MAX];
    long line; /* in the plan (0: from the command line) */
} ipsim_voi_group;

typedef struct ipsim_voi_plan {
    char source[IPSIM_PATH_MAX]; /* the plan file ("" for none) */
    int groups;
    ipsim_voi_group group[IPSIM_VOI_GROUPS_MAX];
    int studies;
    ipsim_voi_study study[IPSIM_VOI_STUDIES_MAX];
    long study_line[IPSIM_VOI_STUDIES_MAX];
    bool population_set; /* else the file's decision.population_* */
    double population_per_year, horizon_years, discount_rate;
    int bootstrap;       /* resamples */
    int wtp_count;       /* 0: the command's default */
    double wtp[IPSIM_VOI_WTP_MAX];
} ipsim_voi_plan;

/* An empty plan: no groups, no studies, the default bootstrap. */
void ipsim_voi_plan_init(ipsim_voi_plan *plan);

/* Reads a plan file into plan (initialised here). Errors: those of the
 * YAML reader; IPSIM_EPARAM with file, line and key. */
int ipsim_voi_plan_load(ipsim_voi_plan *plan, const char *path, ipsim_error *err);

/* Adds a group from a comma-separated list of keys (`--parameters a,b`),
 * named by the list itself. Errors: IPSIM_EUSAGE. */
int ipsim_voi_plan_add_group(ipsim_voi_plan *plan, const char *list, ipsim_error *err);

#endif
