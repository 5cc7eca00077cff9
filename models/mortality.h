/* models/mortality.h: death in a cycle, from background causes and from
 * serious infection episodes.
 *
 * A living patient with s serious episodes in the cycle dies of infection
 * with probability 1 - (1 - f)^s (f the case fatality per serious episode)
 * and, independently, of other causes with probability 1 - (1 - q)^c
 * (q the monthly background probability, c the cycle length in months).
 * A patient who meets both is counted as an infection death. */
#ifndef IPSIM_MORTALITY_H
#define IPSIM_MORTALITY_H

#include <math.h>

#include "params/params.h"

typedef enum ipsim_death_cause {
    IPSIM_ALIVE = 0,
    IPSIM_DEATH_BACKGROUND = 1,
    IPSIM_DEATH_INFECTION = 2
} ipsim_death_cause;

enum { IPSIM_DEATH_CAUSES = 3 };
extern const char *const ipsim_death_cause_names[IPSIM_DEATH_CAUSES];

typedef struct ipsim_mortality {
    double background_per_cycle;  /* probability of a background death per cycle */
    double survive_serious;       /* 1 - case fatality of one serious episode */
} ipsim_mortality;

void ipsim_mortality_init(ipsim_mortality *m, const ipsim_params *p);

/* Outcome of one cycle, from two independent uniforms in [0, 1). Inline:
 * it runs for every patient-cycle. */
static inline ipsim_death_cause ipsim_mortality_draw(const ipsim_mortality *m,
                                                     int serious_episodes, double u_infection,
                                                     double u_background)
{
    if (serious_episodes > 0 && u_infection >= pow(m->survive_serious, (double)serious_episodes))
        return IPSIM_DEATH_INFECTION;
    if (u_background < m->background_per_cycle)
        return IPSIM_DEATH_BACKGROUND;
    return IPSIM_ALIVE;
}

#endif
