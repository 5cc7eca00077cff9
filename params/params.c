/* params/params.c: names and derived quantities of a parameter set. */
#include "params/params.h"

#include <math.h>

const char *const ipsim_state_names[IPSIM_STATES] = {"none",   "mild",        "moderate",
                                                     "severe", "very_severe", "dead"};

const char *const ipsim_infection_type_names[IPSIM_INFECTION_TYPES] = {"bacterial", "viral",
                                                                       "fungal"};

int64_t ipsim_params_cycles(const ipsim_params *p)
{
    return p->cohort.horizon_months / p->cohort.cycle_months;
}

double ipsim_params_infection_hazard_per_month(const ipsim_params *p, int grade)
{
    /* log1p keeps precision for small shares. */
    return -log1p(-p->infection.share_within_window[grade]) /
           (double)p->infection.window_months;
}
