/* params/params.c: names and derived quantities of a parameter set. */
#include "params/params.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <math.h>

const char *const ipsim_state_names[IPSIM_STATES] = {"none",   "mild",        "moderate",
                                                     "severe", "very_severe", "dead"};

const char *const ipsim_infection_type_names[IPSIM_INFECTION_TYPES] = {"bacterial", "viral",
                                                                       "fungal"};

int64_t ipsim_params_cycles(const ipsim_params *p)
{
    return p->cohort.horizon_months / p->cohort.cycle_months;
}

bool ipsim_params_valid_name(const char *s)
{
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

const char *const ipsim_myeloma_type_names[IPSIM_MYELOMA_TYPES] = {"igg", "iga", "light_chain"};

const char *const ipsim_riss_names[IPSIM_RISS_STAGES] = {"i", "ii", "iii"};

const char *const ipsim_response_names[IPSIM_RESPONSES + 1] = {"cr", "vgpr", "pr", "less",
                                                               "not_assessed"};

const char *const ipsim_phase_names[IPSIM_PHASE_STATES] = {
    "induction", "transplant", "maintenance", "second_line", "later_lines", "no_treatment", "dead"};

const char *const ipsim_line_names[IPSIM_LINES] = {"first_line", "second_line", "later_lines"};

const char *const ipsim_sex_names[IPSIM_SEXES] = {"male", "female"};

const int ipsim_age_band_first[IPSIM_AGE_BANDS] = {35, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90};
const int ipsim_age_band_last[IPSIM_AGE_BANDS] = {44, 49, 54, 59, 64, 69, 74, 79, 84, 89, 99};

const char *const ipsim_counting_names[IPSIM_COUNTINGS + 1] = {"beginning", "end", "half_cycle",
                                                               "trapezoid", NULL};

int64_t ipsim_params_induction_cycles(const ipsim_params *p)
{
    double months = (double)p->pathway.induction_cycles * (double)p->pathway.induction_cycle_days /
                    IPSIM_DAYS_PER_MONTH;
    int64_t cycles = (int64_t)llround(months / (double)p->cohort.cycle_months);
    return cycles < 1 ? 1 : cycles;
}

int64_t ipsim_params_cycle_of_month(const ipsim_params *p, int64_t month)
{
    return (month + p->cohort.cycle_months - 1) / p->cohort.cycle_months;
}

int64_t ipsim_params_recovery_cycle(const ipsim_params *p)
{
    int64_t cycle = ipsim_params_cycle_of_month(p, p->pathway.asct_month + 12);
    return cycle <= ipsim_params_cycles(p) ? cycle : -1;
}
