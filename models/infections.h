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

/* A change of the infection rate while a treatment is on, declared by the
 * clinical module that gives it (IVIG's rate ratios, models/ivig.h): every
 * episode's rate times `all`, serious episodes' rate times `serious`. */
typedef struct ipsim_rate_change {
    double all, serious;
    const char *label; /* for messages: "on IVIG" */
} ipsim_rate_change;

/* Count tables are indexed [phase][changed][grade]: the grade's hazard
 * times the phase's pathway.infection_rate_ratio (immunomodulatory drugs),
 * times the rate change's `all` while it is on. The serious share is
 * [changed][grade]: while on it is multiplied by serious / all, so that
 * serious episodes occur at `serious` times their rate without it. */
typedef struct ipsim_infections {
    double count_cum[IPSIM_PHASES][2][IPSIM_GRADES][IPSIM_MAX_EPISODES_PER_CYCLE + 1];
    int count_categories[IPSIM_PHASES][2][IPSIM_GRADES]; /* table length in use */
    /* lambda_g * cycle length * phase rate ratio (* RR on IVIG) */
    double mean_per_cycle[IPSIM_PHASES][2][IPSIM_GRADES];
    double type_cum[IPSIM_INFECTION_TYPES];
    double serious_share[2][IPSIM_GRADES];
} ipsim_infections;

/* Builds the tables, the changed ones with `change` (NULL: none, the
 * changed tables are the unchanged ones). IPSIM_EPARAM (key
 * infection.share_within_window) if a grade's episodes per cycle would not
 * fit the uint8 store. */
int ipsim_infections_init(ipsim_infections *m, const ipsim_params *p,
                          const ipsim_rate_change *change, ipsim_error *err);

/* Number of episodes this cycle for a patient in `grade` and `phase`, with
 * the rate change on or not, u in [0, 1). */
static inline int ipsim_infections_count(const ipsim_infections *m, int phase, int grade,
                                         bool changed, double u)
{
    const double *cum = m->count_cum[phase][changed][grade];
    if (u < cum[0])
        return 0;
    return ipsim_categorical_draw(cum, m->count_categories[phase][changed][grade], u);
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

/* Constant monthly infection hazard of a grade, from the share with >= 1
 * infection over the window: lambda = -ln(1 - p) / W (docs/review.md, section 3.1.2). */
double ipsim_infections_hazard_per_month(const ipsim_params *p, int grade);

#endif
