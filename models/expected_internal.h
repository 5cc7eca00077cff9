/* models/expected_internal.h: what models/expected.c and
 * models/expected_parts.c share; not for use outside the expected-value
 * model. */
#ifndef IPSIM_EXPECTED_INTERNAL_H
#define IPSIM_EXPECTED_INTERNAL_H

#include <stdint.h>

#include <gsl/gsl_integration.h>

#include "models/expected.h"
#include "models/grades.h"
#include "models/immune_chain.h"
#include "models/immunoglobulins.h"
#include "models/infections.h"
#include "models/mortality.h"
#include "params/params.h"

/* Populations of the other-cause survival: by eligibility (all ages), then
 * the trials' (not eligible up to 75; eligible up to 65). */
enum {
    IPSIM_POP_NOT_ELIGIBLE,
    IPSIM_POP_ELIGIBLE,
    IPSIM_POP_S0777,
    IPSIM_POP_EMN02,
    IPSIM_POPULATIONS
};

/* other_alive[pop][row]: the share of a population not dead of other
 * causes at the start of each row, over its ages and sexes; the
 * eligibility groups' shares of the cohort into eligible_share. */
void ipsim_expected_other_causes(const ipsim_params *p, const ipsim_mortality *mortality,
                                 int64_t rows, double *other_alive[IPSIM_POPULATIONS],
                                 double eligible_share[2]);

/* A group of patients that share their draws at diagnosis (type, grade,
 * response, eligibility; under infection.risk_by: igg also stage and IgG
 * node), traced on its own. */
typedef struct ipsim_group {
    const ipsim_immune_chain *chain;
    int grade, response, eligible;
    bool by_igg;
    double weight; /* of the cohort */
    double initial[IPSIM_IG_STATES];
    double igg_factor[IPSIM_IG_BANDS]; /* by_igg: the hazard's factor by IgG band */
} ipsim_group;

/* Under risk_by: igg the hazard depends on the IgG position u, which a
 * patient keeps for life, uniform on [0, 1) and independent of the bands'
 * path (models/immunoglobulins.h): the trace runs at Gauss-Legendre nodes
 * in u, weighted. The factor has a kink where the level crosses the
 * plateau, in one band: [0, 1) is split there, IPSIM_IGG_PIECE_NODES nodes
 * each side. The level in a band depends on type and stage, so under igg
 * groups are also split by stage. */
/* The CR rises (means of levels, whose quantile function in the top band
 * grows without bound) take more nodes: their traces are short. */
enum {
    IPSIM_IGG_PIECE_NODES = 3,
    IPSIM_IGG_RISE_PIECE_NODES = 24,
    IPSIM_IGG_NODES_MAX = 2 * IPSIM_IGG_RISE_PIECE_NODES
};
typedef struct ipsim_igg_nodes {
    int count; /* 2 x the points of gl */
    double position[IPSIM_IGG_NODES_MAX], weight[IPSIM_IGG_NODES_MAX];
    double factor[IPSIM_IGG_NODES_MAX][IPSIM_IG_BANDS];
} ipsim_igg_nodes;

/* The nodes of a type and stage, gl's points on each side of the kink
 * (at most IPSIM_IGG_RISE_PIECE_NODES). */
void ipsim_expected_igg_quadrature(const ipsim_infections *inf, const ipsim_immunoglobulins *ig,
                                   int type, int riss, const gsl_integration_glfixed_table *gl,
                                   ipsim_igg_nodes *out);

/* Builds each type's chain (ig NULL: the grade models' one chain) and the
 * groups (allocated; NULL if out of memory), with each type's grade mix at
 * diagnosis added into type_mix. gl: as above, NULL unless risk_by: igg. */
ipsim_group *ipsim_expected_groups(const ipsim_params *p, const ipsim_infections *inf,
                                   const ipsim_grades *grades, const ipsim_immunoglobulins *ig,
                                   const double eligible[2],
                                   const gsl_integration_glfixed_table *gl,
                                   ipsim_immune_chain chains[IPSIM_MYELOMA_TYPES], int *count,
                                   double type_mix[IPSIM_MYELOMA_TYPES][IPSIM_GRADES]);

#endif
