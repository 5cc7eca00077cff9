/* models/mortality.h: death in a cycle, of a serious infection, of other
 * causes (the general population's mortality), or of myeloma.
 *
 * A living patient with s serious episodes in the cycle dies of infection
 * with probability 1 - (1 - f)^s (f the case fatality per serious episode).
 * Otherwise the patient dies of other causes with the general population's
 * probability for the patient's sex and age over the cycle's months (a life
 * table; or one constant monthly probability, mortality.background =
 * constant), and of myeloma with the excess hazard of the cycle's phase:
 * probability 1 - exp(-h c). Other causes and myeloma compete as independent
 * hazards, drawn from one uniform: below 1 - S_other it is other causes,
 * below 1 - S_other S_myeloma myeloma. A patient who meets an infection
 * death and another is counted as an infection death. */
#ifndef IPSIM_MORTALITY_H
#define IPSIM_MORTALITY_H

#include <math.h>
#include <stdint.h>

#include "base/error.h"
#include "params/params.h"

typedef enum ipsim_death_cause {
    IPSIM_ALIVE = 0,
    IPSIM_DEATH_BACKGROUND = 1, /* other causes: the general population's mortality */
    IPSIM_DEATH_INFECTION = 2,
    IPSIM_DEATH_MYELOMA = 3     /* myeloma's excess mortality */
} ipsim_death_cause;

enum { IPSIM_DEATH_CAUSES = 4 };
extern const char *const ipsim_death_cause_names[IPSIM_DEATH_CAUSES];

/* Ages the life table is kept for; older patients take the last age's. */
enum { IPSIM_MORTALITY_AGES = 111 };

typedef struct ipsim_mortality {
    /* Probability of surviving a month of other causes, by sex and age in
     * whole years. */
    double month_survival[IPSIM_SEXES][IPSIM_MORTALITY_AGES];
    double excess_survival_per_cycle[IPSIM_PHASES]; /* exp(-h c) */
    double survive_serious; /* 1 - case fatality of one serious episode */
    int64_t cycle_months;
} ipsim_mortality;

/* Errors: IPSIM_EPARAM if the life table named is not one ipsim has. */
int ipsim_mortality_init(ipsim_mortality *m, const ipsim_params *p, ipsim_error *err);

/* Probability of surviving other causes over the cycle starting `month`
 * months after diagnosis, for a patient of `sex` aged `age` (whole years)
 * at diagnosis. The age is the one reached on the anniversary of diagnosis. */
static inline double ipsim_mortality_other_survival(const ipsim_mortality *m, int sex, int age,
                                                    int64_t month)
{
    double s = 1.0;
    for (int64_t k = month; k < month + m->cycle_months; k++) {
        int64_t a = age + k / 12;
        s *= m->month_survival[sex][a < IPSIM_MORTALITY_AGES ? a : IPSIM_MORTALITY_AGES - 1];
    }
    return s;
}

/* Outcome of one cycle in `phase`, with survival `other` from other causes,
 * from two independent uniforms in [0, 1). Inline: it runs for every
 * patient-cycle. */
static inline ipsim_death_cause ipsim_mortality_draw(const ipsim_mortality *m,
                                                     int serious_episodes, double other,
                                                     int phase, double u_infection,
                                                     double u_other)
{
    if (serious_episodes > 0 && u_infection >= pow(m->survive_serious, (double)serious_episodes))
        return IPSIM_DEATH_INFECTION;
    if (u_other < 1.0 - other)
        return IPSIM_DEATH_BACKGROUND;
    if (u_other < 1.0 - other * m->excess_survival_per_cycle[phase])
        return IPSIM_DEATH_MYELOMA;
    return IPSIM_ALIVE;
}

#endif
