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
 * episode) costs one comparison. Each episode is then typed (bacterial,
 * viral, fungal) and marked serious or not, independently. */
#ifndef IPSIM_INFECTIONS_H
#define IPSIM_INFECTIONS_H

#include <stdbool.h>

#include "base/error.h"
#include "models/categorical.h"
#include "params/params.h"

/* Episodes per cycle are stored as uint8; parameters whose Poisson tail
 * beyond this exceeds IPSIM_INFECTIONS_TAIL are rejected. */
enum { IPSIM_MAX_EPISODES_PER_CYCLE = 255 };
#define IPSIM_INFECTIONS_TAIL 1e-12

/* A change of the infection rate while a treatment is on, declared by the
 * clinical module that gives it (IVIG's rate ratios, models/ivig.h): every
 * episode's rate times `all`, serious episodes' rate times `serious`. */
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
} ipsim_infections;

/* Builds the tables, the changed ones with `change` (NULL: none, the
 * changed tables are the unchanged ones). IPSIM_EPARAM (key
 * infection.share_within_window) if a grade's episodes per cycle would not
 * fit the uint8 store. */
int ipsim_infections_init(ipsim_infections *m, const ipsim_params *p,
                          const ipsim_rate_change *change, ipsim_error *err);

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

/* Monthly infection hazard of a grade, outside any period's rate ratio, from
 * the share with >= 1 infection over the window: lambda = -ln(1 - p) / W
 * (docs/review.md, section 3.1.2). */
double ipsim_infections_hazard_per_month(const ipsim_params *p, int grade);

#endif
