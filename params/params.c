/* params/params.c: names and derived quantities of a parameter set. */
#include "params/params.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
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

const char *const ipsim_ig_class_names[IPSIM_IG_CLASSES] = {"igg", "iga", "igm"};

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

int ipsim_params_timetable_moves(const ipsim_params *p, char *text, size_t size)
{
    ipsim_params monthly = *p;
    monthly.cohort.cycle_months = 1;
    const int64_t c = p->cohort.cycle_months;
    const int64_t induction = ipsim_params_induction_cycles(p) * c;
    const int64_t asct = ipsim_params_cycle_of_month(p, p->pathway.asct_month) * c;
    const struct {
        const char *event;
        int64_t here, monthly;
    } events[] = {
        {"induction ends at month", induction, ipsim_params_induction_cycles(&monthly)},
        {"ASCT comes at month", asct > induction ? asct : induction,
         p->pathway.asct_month > ipsim_params_induction_cycles(&monthly)
             ? p->pathway.asct_month
             : ipsim_params_induction_cycles(&monthly)},
        {"maintenance follows ASCT at month",
         (asct > induction ? asct : induction) +
             ipsim_params_cycle_of_month(p, p->pathway.transplant_phase_months) * c,
         (p->pathway.asct_month > ipsim_params_induction_cycles(&monthly)
              ? p->pathway.asct_month
              : ipsim_params_induction_cycles(&monthly)) +
             p->pathway.transplant_phase_months},
        {"the early months last", ipsim_params_cycle_of_month(p, p->infection.early_months) * c,
         p->infection.early_months},
        {"the neutropenic months last",
         ipsim_params_cycle_of_month(p, p->infection.neutropenic_months) * c,
         p->infection.neutropenic_months},
        {"recovery after ASCT is read at month",
         ipsim_params_cycle_of_month(p, p->pathway.asct_month + 12) * c,
         p->pathway.asct_month + 12},
    };
    int moves = 0;
    size_t used = 0;
    if (size > 0)
        text[0] = '\0';
    for (size_t k = 0; k < sizeof events / sizeof events[0]; k++) {
        if (events[k].here == events[k].monthly)
            continue;
        int w = snprintf(text + used, used < size ? size - used : 0,
                         "%s%s %lld, not %lld", moves ? "; " : "", events[k].event,
                         (long long)events[k].here, (long long)events[k].monthly);
        used += w > 0 ? (size_t)w : 0;
        moves++;
    }
    return moves;
}

/* Whether x is a whole multiple of step, to a relative 1e-9 (doses given in
 * decimal, such as 0.1 g/kg steps, are not exact in binary). */
static bool whole_steps(double x, double step)
{
    double k = x / step;
    return fabs(k - round(k)) <= 1e-9 * (1 + fabs(k));
}

const char *ipsim_params_ivig_rule(const ipsim_params *p, char *why, size_t size)
{
    const int64_t cycle = p->cohort.cycle_months;
    /* Each period is checked where it is used: reviews by the IgG
     * policies, measurements by titration. */
    const ipsim_ivig_policy policy = p->ivig.policy;
    const bool reviews = policy == IPSIM_IVIG_IGG || policy == IPSIM_IVIG_IGG_AND_INFECTIONS ||
                         policy == IPSIM_IVIG_IGG_OR_INFECTIONS;
    const struct {
        int64_t months;
        const char *key;
        bool used;
    } periods[] = {{p->ivig.review_months, "ivig.review_months", reviews},
                   {p->ivig.titration_months, "ivig.titration_months", p->ivig.titrate}};
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++)
        if (periods[i].used && periods[i].months % cycle != 0) {
            snprintf(why, size, "%lld months is not a whole number of %lld-month cycles",
                     (long long)periods[i].months, (long long)cycle);
            return periods[i].key;
        }
    if (p->ivig.require_vaccine_failure && p->ivig.policy != IPSIM_IVIG_NONE &&
        !(p->vaccination.pneumococcal_coverage > 0)) {
        snprintf(why, size, "a failed pneumococcal vaccine response is required, but nobody is "
                            "vaccinated (vaccination.pneumococcal_coverage is 0), so nobody "
                            "could start IVIG");
        return "ivig.require_vaccine_failure";
    }
    if (p->ivig.titrate) {
        const double lo = p->ivig.dose_min_mg_per_kg, hi = p->ivig.dose_max_mg_per_kg,
                     step = p->ivig.dose_step_mg_per_kg, dose = p->ivig.dose_mg_per_kg;
        if (!(lo <= hi) || !whole_steps(hi - lo, step) || (hi - lo) / step > 253.5) {
            snprintf(why, size, "the titrated doses %g to %g mg/kg must be at most 254 whole "
                                "steps of %g mg/kg",
                     lo, hi, step);
            return "ivig.dose_step_mg_per_kg";
        }
        if (dose < lo || dose > hi || !whole_steps(dose - lo, step)) {
            snprintf(why, size, "the starting dose %g mg/kg is not one of the titrated doses "
                                "(%g to %g mg/kg in steps of %g)",
                     dose, lo, hi, step);
            return "ivig.dose_mg_per_kg";
        }
    }
    /* At the reference regimen an episode is serious with probability
     * sigma * RRs / RR, which must stay a probability for every grade
     * (at other troughs models/infections.h caps it at every episode). */
    for (int g = 0; g < IPSIM_GRADES && p->ivig.rate_ratio_all > 0; g++) {
        double share = p->infection.serious_share[g] * p->ivig.rate_ratio_serious /
                       p->ivig.rate_ratio_all;
        if (share > 1) {
            snprintf(why, size, "with rate_ratio_all %g and the %s serious share %g, a rate "
                                "ratio of %g would make more than all of the episodes serious",
                     p->ivig.rate_ratio_all, ipsim_state_names[g], p->infection.serious_share[g],
                     p->ivig.rate_ratio_serious);
            return "ivig.rate_ratio_serious";
        }
    }
    return NULL;
}
