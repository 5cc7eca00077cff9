/* models/infections.h: infection episodes by grade (docs/review.md,
 * review section 3.1.2).
 *
 * A living patient in grade g has episodes at hazard lambda_g = -ln(1 - p_g)
 * / W per month (p_g the share of patients held in grade g with >= 1
 * infection over a window of W months), times the rate ratio of the cycle's
 * infection period: its phase's (pathway.infection_rate_ratio), and on top of
 * it infection.early_rate_ratio in the first infection.early_months after
 * diagnosis and infection.neutropenic_rate_ratio in the first
 * infection.neutropenic_months of the transplant phase (melphalan's
 * neutropenia). The number of episodes in a cycle of c months is
 * Poisson(lambda_g * ratio * c), drawn by inversion of one
 * uniform from a precomputed cumulative table, so the common case (no
 * episode) costs one comparison. A cycle whose rate a clinical module
 * changes (IVIG's trough-dependent rate ratios, models/module.h) draws its
 * count by inversion of the same uniform on the fly
 * (ipsim_infections_count_scaled), so a lower rate never gives a patient
 * more episodes in a cycle (common random numbers). Each episode is then
 * typed (bacterial, viral, fungal) and marked serious or not,
 * independently.
 *
 * With infection.risk_by: igg (levels model only) the hazard is the grade's
 * times a function of the patient's own polyclonal IgG L (g/L, excluding
 * paraprotein and given immunoglobulin):
 *   theta^(min(L, P) - min(LLN, P))
 * (theta: infection.igg_rate_ratio_per_g_per_l, P: infection.igg_plateau_
 * g_per_l, LLN: immunoglobulins.lower_limit_g_per_l.igg), log-linear as in
 * Lee 2020's meta-analysis of IgG troughs. The grade's hazard is thus the
 * hazard at an IgG at the LLN; the factor changes only when IgG changes
 * band, and the count is drawn as for a module's rate change. */
#ifndef IPSIM_INFECTIONS_H
#define IPSIM_INFECTIONS_H

#include <math.h>
#include <stdbool.h>

#include "base/error.h"
#include "models/categorical.h"
#include "params/params.h"

/* Episodes per cycle are stored as uint8; parameters whose Poisson tail
 * beyond this exceeds IPSIM_INFECTIONS_TAIL are rejected. */
enum { IPSIM_MAX_EPISODES_PER_CYCLE = 255 };
#define IPSIM_INFECTIONS_TAIL 1e-12

/* A constant change of the infection rate, tabulated by
 * ipsim_infections_init (every episode's rate times `all`, serious
 * episodes' rate times `serious`). The simulation no longer uses it
 * (modules change the rate per cycle, ipsim_infections_count_scaled);
 * models/expected.c still calls ipsim_infections_init with NULL, and the
 * "changed" dimension goes when that file is next reworked. */
typedef struct ipsim_rate_change {
    double all, serious;
    const char *label; /* for messages: "on IVIG" */
} ipsim_rate_change;

/* Infection periods: the phases, then the early months of induction and the
 * neutropenic months after ASCT, which have their own tables. */
enum {
    IPSIM_PERIOD_EARLY = IPSIM_PHASES,
    IPSIM_PERIOD_NEUTROPENIC = IPSIM_PHASES + 1,
    IPSIM_INFECTION_PERIODS = IPSIM_PHASES + 2
};

/* Count tables are indexed [period][changed][grade]: the grade's hazard
 * times the phase's pathway.infection_rate_ratio (immunomodulatory drugs),
 * times the rate change's `all` while it is on. The serious share is
 * [changed][grade]: while on it is multiplied by serious / all, so that
 * serious episodes occur at `serious` times their rate without it. */
typedef struct ipsim_infections {
    double count_cum[IPSIM_INFECTION_PERIODS][2][IPSIM_GRADES][IPSIM_MAX_EPISODES_PER_CYCLE + 1];
    int count_categories[IPSIM_INFECTION_PERIODS][2][IPSIM_GRADES]; /* table length in use */
    /* lambda_g * cycle length * period rate ratio (* RR on IVIG) */
    double mean_per_cycle[IPSIM_INFECTION_PERIODS][2][IPSIM_GRADES];
    int64_t early_end;         /* first cycle after the early months */
    int64_t neutropenic_cycles; /* cycles of the transplant phase that are neutropenic */
    double type_cum[IPSIM_INFECTION_TYPES];
    double serious_share[2][IPSIM_GRADES];
    bool by_igg;                         /* infection.risk_by: igg */
    double igg_log_ratio, igg_plateau, igg_reference; /* ln theta; P; min(LLN, P) */
} ipsim_infections;

/* Builds the tables, the changed ones with `change` (NULL: none, the
 * changed tables are the unchanged ones). IPSIM_EPARAM (key
 * infection.share_within_window) if a grade's episodes per cycle would not
 * fit the uint8 store; (key infection.risk_by) for risk_by: igg without
 * grades.model: levels. */
int ipsim_infections_init(ipsim_infections *m, const ipsim_params *p,
                          const ipsim_rate_change *change, ipsim_error *err);

/* The hazard's factor for own IgG g_per_l under risk_by: igg (1 at the
 * LLN; see the top of this header); 1 under risk_by: grade. */
static inline double ipsim_infections_igg_factor(const ipsim_infections *m, double g_per_l)
{
    if (!m->by_igg)
        return 1.0;
    return exp(m->igg_log_ratio * (fmin(g_per_l, m->igg_plateau) - m->igg_reference));
}

/* The infection period of cycle c for a living patient in `phase`, whose
 * transplant phase (if any) began in cycle asct_cycle. */
static inline int ipsim_infections_period(const ipsim_infections *m, int phase, int64_t c,
                                          int64_t asct_cycle)
{
    if (phase == IPSIM_PHASE_INDUCTION && c < m->early_end)
        return IPSIM_PERIOD_EARLY;
    if (phase == IPSIM_PHASE_TRANSPLANT && c < asct_cycle + m->neutropenic_cycles)
        return IPSIM_PERIOD_NEUTROPENIC;
    return phase;
}

/* The rate ratio of a period (on top of the grade's hazard). */
double ipsim_infections_period_ratio(const ipsim_params *p, int period);

/* Number of episodes this cycle for a patient in `grade` and infection
 * `period`, with the rate change on or not, u in [0, 1). */
static inline int ipsim_infections_count(const ipsim_infections *m, int period, int grade,
                                         bool changed, double u)
{
    const double *cum = m->count_cum[period][changed][grade];
    if (u < cum[0])
        return 0;
    return ipsim_categorical_draw(cum, m->count_categories[period][changed][grade], u);
}

/* Number of episodes this cycle with the rate times `ratio` (>= 0), by
 * inversion of u in [0, 1) on the Poisson CDF summed on the fly; at most
 * IPSIM_MAX_EPISODES_PER_CYCLE. Monotone: for the same u, a smaller ratio
 * gives no more episodes. */
static inline int ipsim_infections_count_scaled(const ipsim_infections *m, int period, int grade,
                                                double ratio, double u)
{
    const double mean = m->mean_per_cycle[period][0][grade] * ratio;
    double pmf = exp(-mean), cum = pmf;
    int k = 0;
    while (u >= cum && k < IPSIM_MAX_EPISODES_PER_CYCLE) {
        k++;
        pmf *= mean / k;
        const double next = cum + pmf;
        if (next == cum) /* the tail is below double resolution */
            break;
        cum = next;
    }
    return k;
}

/* Type of one episode, u in [0, 1). */
static inline int ipsim_infections_type(const ipsim_infections *m, double u)
{
    return ipsim_categorical_draw(m->type_cum, IPSIM_INFECTION_TYPES, u);
}

/* Whether one episode in `grade` is serious, u in [0, 1). */
static inline bool ipsim_infections_serious(const ipsim_infections *m, int grade, bool changed,
                                            double u)
{
    return u < m->serious_share[changed][grade];
}

/* The same in a cycle whose serious episodes' rate is `factor` times what
 * the all-episode rate ratio alone gives them (rate_ratio_serious /
 * rate_ratio_all): the serious share times factor, every episode serious
 * when that reaches 1. */
static inline bool ipsim_infections_serious_scaled(const ipsim_infections *m, int grade,
                                                   double factor, double u)
{
    return u < m->serious_share[0][grade] * factor;
}

/* Monthly infection hazard of a grade, outside any period's rate ratio, from
 * the share with >= 1 infection over the window: lambda = -ln(1 - p) / W
 * (docs/review.md, section 3.1.2). */
double ipsim_infections_hazard_per_month(const ipsim_params *p, int grade);

#endif
