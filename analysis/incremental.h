/* analysis/incremental.h: the incremental cost-effectiveness analysis of
 * several options (IVIG policies) from their mean costs and effects.
 *
 * The options are ordered by cost. An option is strongly dominated when
 * another costs no more and yields no less (and is better in one); it is
 * extendedly dominated when a mix of two others would beat it, which shows
 * as its ICER against the previous option on the frontier exceeding the
 * next option's ICER against it. What remains is the efficiency frontier:
 * each option on it is compared with the next cheaper one on it, and its
 * ICER is the extra cost per extra unit of effect. Ties in cost are broken
 * by effect (the better first). This is the textbook procedure (Drummond
 * et al., Methods for the Economic Evaluation of Health Care Programmes;
 * as in R's dampack::calculate_icers). */
#ifndef IPSIM_INCREMENTAL_H
#define IPSIM_INCREMENTAL_H

#include <stdint.h>

typedef enum ipsim_dominance {
    IPSIM_FRONTIER = 0,             /* on the efficiency frontier */
    IPSIM_DOMINATED = 1,            /* strongly dominated */
    IPSIM_EXTENDEDLY_DOMINATED = 2  /* dominated by a mix of two frontier options */
} ipsim_dominance;

extern const char *const ipsim_dominance_names[3];

typedef struct ipsim_incremental {
    ipsim_dominance status;
    int compared_to; /* the next cheaper frontier option; -1 for the cheapest, or off it */
    double d_cost, d_effect; /* against compared_to (NaN if none) */
    double icer;             /* d_cost / d_effect on the frontier; NaN otherwise */
} ipsim_incremental;

enum { IPSIM_INCREMENTAL_MAX = 64 };

/* Fills out[n] for options with these mean costs and effects
 * (n <= IPSIM_INCREMENTAL_MAX). */
void ipsim_incremental_analysis(const double *cost, const double *effect, int n,
                                ipsim_incremental *out);

/* Net monetary benefit effect x wtp - cost, and net health benefit
 * effect - cost / wtp (wtp > 0), of one option. */
double ipsim_net_monetary_benefit(double cost, double effect, double wtp);
double ipsim_net_health_benefit(double cost, double effect, double wtp);

/* From PSA draws of each option's mean cost and effect ([draws][options],
 * row-major), at willingness to pay wtp: the share of draws in which each
 * option has the highest net monetary benefit (the acceptability curve's
 * points, probability[options]), the expected value of perfect
 * information, E[max_s NMB(s)] - max_s E[NMB(s)], and (if not NULL) each
 * option's expected loss, E[max_s' NMB(s') - NMB(s)], what choosing it
 * forgoes on average against always choosing the best (loss[options];
 * its minimum is the EVPI, reached by the option of highest expected NMB). */
void ipsim_acceptability(const double *cost, const double *effect, int64_t draws, int options,
                         double wtp, double *probability, double *evpi, double *loss);

/* The incremental acceptability curve's points at wtp: for each option on
 * the efficiency frontier of `analysis` (ipsim_incremental_analysis of the
 * same options' mean costs and effects) other than the cheapest, the share
 * of draws in which it has a higher NMB than the frontier option it is
 * compared with (the next cheaper one); NaN for the others. */
void ipsim_incremental_acceptability(const double *cost, const double *effect, int64_t draws,
                                     int options, const ipsim_incremental *analysis, double wtp,
                                     double *probability);

/* The spread of a comparison over PSA draws (cost and effect [draws][options],
 * row-major): the 2.5% and 97.5% points of option a's cost less option b's
 * (cost_interval), of its effect less b's (effect_interval) and of its net
 * monetary benefit less b's at wtp (nmb_interval); with b < 0, of option a's
 * own values. scratch holds 2 x `draws` doubles. These are the intervals of the
 * report's ICER table (the ICER itself, a ratio, has no useful interval when
 * the effect difference may be near zero, so its parts are given). */
void ipsim_incremental_interval(const double *cost, const double *effect, int64_t draws,
                                int options, int a, int b, double wtp, double *scratch,
                                double cost_interval[2], double effect_interval[2],
                                double nmb_interval[2]);

#endif
