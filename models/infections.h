/* models/infections.h: infection episodes by grade (docs/review.md,
 * review section 3.1.2).
 *
 * A living patient in grade g has episodes at a constant hazard
 * lambda_g = -ln(1 - p_g) / W per month, where p_g is the share of patients
 * with >= 1 infection over a window of W months. The number of episodes in a
 * cycle of c months is Poisson(lambda_g * c), drawn by inversion of one
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

/* Count tables are indexed [phase][on IVIG][grade]: the grade's hazard
 * times the phase's pathway.infection_rate_ratio (immunomodulatory drugs),
 * times ivig.rate_ratio_all on IVIG. The serious share is [on IVIG][grade]:
 * on IVIG it is multiplied by rate_ratio_serious / rate_ratio_all, so that
 * serious episodes occur at rate_ratio_serious times their rate off IVIG. */
typedef struct ipsim_infections {
    double count_cum[IPSIM_PHASES][2][IPSIM_GRADES][IPSIM_MAX_EPISODES_PER_CYCLE + 1];
    int count_categories[IPSIM_PHASES][2][IPSIM_GRADES]; /* table length in use */
    /* lambda_g * cycle length * phase rate ratio (* RR on IVIG) */
    double mean_per_cycle[IPSIM_PHASES][2][IPSIM_GRADES];
    double type_cum[IPSIM_INFECTION_TYPES];
    double serious_share[2][IPSIM_GRADES];
} ipsim_infections;

/* Builds the tables. IPSIM_EPARAM (key infection.share_within_window) if a
 * grade's episodes per cycle would not fit the uint8 store. */
int ipsim_infections_init(ipsim_infections *m, const ipsim_params *p, ipsim_error *err);

/* Number of episodes this cycle for a patient in `grade` and `phase`, on
 * IVIG or not, u in [0, 1). */
static inline int ipsim_infections_count(const ipsim_infections *m, int phase, int grade,
                                         bool ivig, double u)
{
    const double *cum = m->count_cum[phase][ivig][grade];
    if (u < cum[0])
        return 0;
    return ipsim_categorical_draw(cum, m->count_categories[phase][ivig][grade], u);
}

/* Type of one episode, u in [0, 1). */
static inline int ipsim_infections_type(const ipsim_infections *m, double u)
{
    return ipsim_categorical_draw(m->type_cum, IPSIM_INFECTION_TYPES, u);
}

/* Whether one episode in `grade` is serious, u in [0, 1). */
static inline bool ipsim_infections_serious(const ipsim_infections *m, int grade, bool ivig,
                                            double u)
{
    return u < m->serious_share[ivig][grade];
}

/* Constant monthly infection hazard of a grade, from the share with >= 1
 * infection over the window: lambda = -ln(1 - p) / W (docs/review.md, section 3.1.2). */
double ipsim_infections_hazard_per_month(const ipsim_params *p, int grade);

#endif
