/* analysis/incremental.c: dominance, extended dominance, ICERs. */
#include "analysis/incremental.h"

#include <math.h>
#include <stdbool.h>

#include "output/intervals.h"

const char *const ipsim_dominance_names[3] = {"frontier", "dominated",
                                              "extendedly dominated"};


void ipsim_incremental_analysis(const double *cost, const double *effect, int n,
                                ipsim_incremental *out)
{
    /* Order by cost, then by effect (better first): insertion sort, n is small. */
    int order[IPSIM_INCREMENTAL_MAX];
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && (cost[order[j - 1]] > cost[i] ||
                         (cost[order[j - 1]] == cost[i] && effect[order[j - 1]] < effect[i]))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (int i = 0; i < n; i++)
        out[i] = (ipsim_incremental){.status = IPSIM_FRONTIER, .compared_to = -1,
                                     .d_cost = NAN, .d_effect = NAN, .icer = NAN};

    /* Strong dominance: in cost order, an option no more effective than the
     * best cheaper one is dominated by it. */
    int frontier[IPSIM_INCREMENTAL_MAX], count = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (count > 0 && effect[i] <= effect[frontier[count - 1]]) {
            out[i].status = IPSIM_DOMINATED;
            continue;
        }
        frontier[count++] = i;
    }
    /* Extended dominance: drop any option whose ICER exceeds the next one's,
     * until the ICERs rise along the frontier. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (int k = 1; k + 1 < count; k++) {
            int a = frontier[k - 1], b = frontier[k], c = frontier[k + 1];
            double icer_b = (cost[b] - cost[a]) / (effect[b] - effect[a]);
            double icer_c = (cost[c] - cost[b]) / (effect[c] - effect[b]);
            if (icer_b > icer_c) {
                out[b].status = IPSIM_EXTENDEDLY_DOMINATED;
                for (int m = k; m + 1 < count; m++)
                    frontier[m] = frontier[m + 1];
                count--;
                changed = true;
                break;
            }
        }
    }
    for (int k = 1; k < count; k++) {
        int a = frontier[k - 1], b = frontier[k];
        out[b].compared_to = a;
        out[b].d_cost = cost[b] - cost[a];
        out[b].d_effect = effect[b] - effect[a];
        out[b].icer = out[b].d_cost / out[b].d_effect;
    }
}

double ipsim_net_monetary_benefit(double cost, double effect, double wtp)
{
    return effect * wtp - cost;
}

double ipsim_net_health_benefit(double cost, double effect, double wtp)
{
    return effect - cost / wtp;
}

void ipsim_acceptability(const double *cost, const double *effect, int64_t draws, int options,
                         double wtp, double *probability, double *evpi, double *loss)
{
    for (int s = 0; s < options; s++)
        probability[s] = 0;
    double expected_max = 0;
    for (int64_t r = 0; r < draws; r++) {
        int best = 0;
        double best_nmb = -INFINITY;
        for (int s = 0; s < options; s++) {
            double nmb = ipsim_net_monetary_benefit(cost[r * options + s],
                                                    effect[r * options + s], wtp);
            if (nmb > best_nmb) { /* ties go to the first, as everywhere */
                best_nmb = nmb;
                best = s;
            }
        }
        probability[best] += 1;
        expected_max += best_nmb;
    }
    double max_expected = -INFINITY;
    for (int s = 0; s < options; s++) {
        double mean = 0;
        for (int64_t r = 0; r < draws; r++)
            mean += ipsim_net_monetary_benefit(cost[r * options + s], effect[r * options + s],
                                               wtp);
        mean /= (double)draws;
        max_expected = mean > max_expected ? mean : max_expected;
        probability[s] /= (double)draws;
        if (loss)
            loss[s] = mean; /* until expected_max is known */
    }
    expected_max /= (double)draws;
    for (int s = 0; loss && s < options; s++)
        loss[s] = expected_max > loss[s] ? expected_max - loss[s] : 0;
    /* Never negative; rounding could make it a hair below zero. */
    *evpi = expected_max > max_expected ? expected_max - max_expected : 0;
}

void ipsim_incremental_acceptability(const double *cost, const double *effect, int64_t draws,
                                     int options, const ipsim_incremental *analysis, double wtp,
                                     double *probability)
{
    for (int s = 0; s < options; s++) {
        const int against = analysis[s].compared_to;
        if (analysis[s].status != IPSIM_FRONTIER || against < 0) {
            probability[s] = NAN;
            continue;
        }
        int64_t wins = 0;
        for (int64_t r = 0; r < draws; r++)
            wins += ipsim_net_monetary_benefit(cost[r * options + s], effect[r * options + s],
                                               wtp) >
                    ipsim_net_monetary_benefit(cost[r * options + against],
                                               effect[r * options + against], wtp);
        probability[s] = (double)wins / (double)draws;
    }
}

void ipsim_incremental_interval(const double *cost, const double *effect, int64_t draws,
                                int options, int a, int b, double wtp, double *scratch,
                                double cost_interval[2], double effect_interval[2],
                                double nmb_interval[2])
{
    /* Values per draw go into the scratch's second half while the first is
     * ipsim_quantile's own; so scratch holds 2 x draws. */
    double *values = scratch + draws;
    for (int k = 0; k < 3; k++) {
        for (int64_t r = 0; r < draws; r++) {
            const double *c = cost + r * options, *e = effect + r * options;
            double dc = c[a] - (b >= 0 ? c[b] : 0), de = e[a] - (b >= 0 ? e[b] : 0);
            values[r] = k == 0 ? dc : k == 1 ? de : wtp * de - dc;
        }
        double *out = k == 0 ? cost_interval : k == 1 ? effect_interval : nmb_interval;
        out[0] = ipsim_quantile(values, draws, 1, 0.025, scratch);
        out[1] = ipsim_quantile(values, draws, 1, 0.975, scratch);
    }
}
