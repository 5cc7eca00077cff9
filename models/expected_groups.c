/* models/expected_groups.c: the expected-value model's groups, the
 * patients who share their draws at diagnosis and are traced together
 * (models/expected_internal.h). */
#include "models/expected_internal.h"

#include <stdlib.h>
#include <string.h>

void ipsim_expected_igg_quadrature(const ipsim_infections *inf, const ipsim_immunoglobulins *ig,
                                   int type, int riss, const gsl_integration_glfixed_table *gl,
                                   ipsim_igg_nodes *out)
{
    double split = 0.5;
    for (int b = 0; b < IPSIM_IG_BANDS; b++) {
        const double u = ipsim_immunoglobulins_position_of(ig, type, riss, IPSIM_IGG, b,
                                                           inf->igg_plateau);
        if (u > 0 && u < 1)
            split = u;
    }
    const int points = (int)gl->n;
    out->count = 2 * points;
    for (int piece = 0; piece < 2; piece++)
        for (int k = 0; k < points; k++) {
            const int n = piece * points + k;
            gsl_integration_glfixed_point(piece ? split : 0, piece ? 1 : split, (size_t)k,
                                          &out->position[n], &out->weight[n], gl);
            for (int b = 0; b < IPSIM_IG_BANDS; b++)
                out->factor[n][b] = ipsim_infections_igg_factor(
                    inf, ipsim_immunoglobulins_level_at(ig, type, riss, IPSIM_IGG, b,
                                                        out->position[n]));
        }
}

/* Each state's share of a type's patients at diagnosis under the levels
 * model (stage `riss`, or every stage by its share with riss < 0); the
 * grade mix under the grade models. Returns the type's share of the
 * cohort times the stage's (1 under the grade models). */
static double at_diagnosis(const ipsim_immune_chain *ch, const ipsim_immunoglobulins *ig,
                           const ipsim_params *p, int type, int riss,
                           double out[IPSIM_IG_STATES])
{
    memset(out, 0, IPSIM_IG_STATES * sizeof *out);
    if (!ig) {
        double total = 0;
        for (int g = 0; g < IPSIM_GRADES; g++)
            total += p->cohort.baseline_mix[g];
        for (int g = 0; g < IPSIM_GRADES; g++)
            out[g] = p->cohort.baseline_mix[g] / total;
        return 1;
    }
    double stages = 0, types = 0;
    for (int s = 0; s < IPSIM_RISS_STAGES; s++)
        stages += p->diagnosis.riss_share[s];
    for (int k = 0; k < IPSIM_MYELOMA_TYPES; k++)
        types += p->diagnosis.myeloma_type_share[k];
    if (riss >= 0) {
        ipsim_immune_chain_at_diagnosis(ch, ig, type, riss, out);
        return p->diagnosis.myeloma_type_share[type] / types * p->diagnosis.riss_share[riss] /
               stages;
    }
    for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
        double stage[IPSIM_IG_STATES];
        ipsim_immune_chain_at_diagnosis(ch, ig, type, s, stage);
        const double w = p->diagnosis.myeloma_type_share[type] / types *
                         p->diagnosis.riss_share[s] / stages;
        for (int i = 0; i < ch->states; i++)
            out[i] += w * stage[i];
    }
    return 1;
}

/* The groups of one start (a type, and under risk_by: igg a stage): by
 * grade at diagnosis, response, eligibility, and under igg IgG node. */
static void add_groups(const ipsim_immune_chain *ch, const ipsim_params *p,
                       const double start[IPSIM_IG_STATES], double start_weight,
                       const double eligible[2], const ipsim_igg_nodes *nodes, ipsim_group *groups,
                       int *count, double type_mix[IPSIM_GRADES])
{
    double response_total = 0;
    for (int r = 0; r < IPSIM_RESPONSES; r++)
        response_total += p->pathway.response_share[r];
    const int node_count = nodes ? nodes->count : 1;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        double share = 0;
        for (int i = 0; i < ch->states; i++)
            share += ch->grade_of[i] == g ? start[i] : 0;
        if (!(share > 0))
            continue;
        type_mix[g] += start_weight * share;
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int e = 0; e < 2; e++)
                for (int k = 0; k < node_count; k++) {
                    double weight =
                        share * p->pathway.response_share[r] / response_total * eligible[e];
                    if (nodes)
                        weight = start_weight * weight * nodes->weight[k];
                    if (!(weight > 0))
                        continue;
                    ipsim_group *gr = &groups[(*count)++];
                    *gr = (ipsim_group){.chain = ch, .grade = g, .response = r, .eligible = e,
                                        .by_igg = nodes != NULL, .weight = weight};
                    for (int i = 0; i < ch->states; i++)
                        gr->initial[i] = ch->grade_of[i] == g ? start[i] / share : 0;
                    if (nodes)
                        memcpy(gr->igg_factor, nodes->factor[k], sizeof gr->igg_factor);
                }
    }
}

ipsim_group *ipsim_expected_groups(const ipsim_params *p, const ipsim_infections *inf,
                                   const ipsim_grades *grades, const ipsim_immunoglobulins *ig,
                                   const double eligible[2],
                                   const gsl_integration_glfixed_table *gl,
                                   ipsim_immune_chain chains[IPSIM_MYELOMA_TYPES], int *count,
                                   double type_mix[IPSIM_MYELOMA_TYPES][IPSIM_GRADES])
{
    const bool by_igg = ig && inf->by_igg;
    const int types = ig ? IPSIM_MYELOMA_TYPES : 1;
    const size_t most = (size_t)types * IPSIM_GRADES * IPSIM_RESPONSES * 2 *
                        (by_igg ? IPSIM_RISS_STAGES * 2 * IPSIM_IGG_PIECE_NODES : 1);
    ipsim_group *groups = calloc(most, sizeof *groups);
    *count = 0;
    if (!groups)
        return NULL;
    for (int type = 0; type < types; type++) {
        ipsim_immune_chain *ch = &chains[type];
        if (ig)
            ipsim_immune_chain_levels(ch, ig, type, by_igg);
        else
            ipsim_immune_chain_grades(ch, grades);
        double start[IPSIM_IG_STATES];
        if (!by_igg) {
            at_diagnosis(ch, ig, p, type, -1, start);
            add_groups(ch, p, start, 1, eligible, NULL, groups, count, type_mix[type]);
            continue;
        }
        for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
            const double w = at_diagnosis(ch, ig, p, type, s, start);
            if (!(w > 0))
                continue;
            ipsim_igg_nodes nodes;
            ipsim_expected_igg_quadrature(inf, ig, type, s, gl, &nodes);
            add_groups(ch, p, start, w, eligible, &nodes, groups, count, type_mix[type]);
        }
    }
    return groups;
}
