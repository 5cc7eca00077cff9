/* models/infections.c: Poisson episode tables. */
#include "models/infections.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

_Static_assert(IPSIM_PHASES == 6, "one name per phase below");
static const char *const period_names[IPSIM_INFECTION_PERIODS] = {
    "induction phase", "transplant phase", "maintenance phase", "second line",
    "later lines", "phase without treatment", "early months", "neutropenic months"};

double ipsim_infections_period_ratio(const ipsim_params *p, int period)
{
    if (period == IPSIM_PERIOD_EARLY)
        return p->pathway.infection_rate_ratio[IPSIM_PHASE_INDUCTION] *
               p->infection.early_rate_ratio;
    if (period == IPSIM_PERIOD_NEUTROPENIC)
        return p->pathway.infection_rate_ratio[IPSIM_PHASE_TRANSPLANT] *
               p->infection.neutropenic_rate_ratio;
    return p->pathway.infection_rate_ratio[period];
}

int ipsim_infections_init(ipsim_infections *m, const ipsim_params *p,
                          const ipsim_rate_change *change, ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    double cycle = (double)p->cohort.cycle_months;
    m->early_end = ipsim_params_cycle_of_month(p, p->infection.early_months);
    m->neutropenic_cycles = ipsim_params_cycle_of_month(p, p->infection.neutropenic_months);
    for (int table = 0; table < IPSIM_INFECTION_PERIODS * 2 * IPSIM_GRADES; table++) {
        int period = table / (2 * IPSIM_GRADES), changed = table / IPSIM_GRADES % 2,
            g = table % IPSIM_GRADES;
        const bool ivig = changed && change; /* the tables with a change, if any */
        double ratio = ivig ? change->all : 1.0;
        double mean = ipsim_infections_hazard_per_month(p, g) * cycle * ratio *
                      ipsim_infections_period_ratio(p, period);
        m->mean_per_cycle[period][changed][g] = mean;
        m->serious_share[changed][g] =
            ivig && ratio > 0 ? p->infection.serious_share[g] * change->serious / ratio
                              : p->infection.serious_share[g];
        double *cum = m->count_cum[period][changed][g];
        /* P(N <= k) by summing GSL's Poisson pmf; stop once the remaining
         * tail is below double resolution of the cumulative sum. */
        double running = 0;
        int k = 0;
        for (; k <= IPSIM_MAX_EPISODES_PER_CYCLE; k++) {
            running += gsl_ran_poisson_pdf((unsigned)k, mean);
            cum[k] = running;
            if (1.0 - running < 1e-16 && running > 0)
                break;
        }
        if (k > IPSIM_MAX_EPISODES_PER_CYCLE) {
            k = IPSIM_MAX_EPISODES_PER_CYCLE;
            double tail = gsl_sf_gamma_inc_P(IPSIM_MAX_EPISODES_PER_CYCLE + 1.0, mean);
            if (tail > IPSIM_INFECTIONS_TAIL) {
                IPSIM_FAIL(err, IPSIM_EPARAM,
                           "grade '%s' would average %.3g infection episodes per cycle in the "
                           "%s%s%s; more than %d in one cycle cannot be stored",
                           ipsim_state_names[g], mean, period_names[period],
                           ivig ? " " : "", ivig ? change->label : "",
                           IPSIM_MAX_EPISODES_PER_CYCLE);
                ipsim_error_locate(err, NULL, 0, 0, "infection.share_within_window");
                return IPSIM_EPARAM;
            }
        }
        cum[k] = 1.0;
        m->count_categories[period][changed][g] = k + 1;
    }
    ipsim_categorical_build(m->type_cum, p->infection.type_share, IPSIM_INFECTION_TYPES);
    m->by_igg = p->infection.risk_by == IPSIM_RISK_BY_IGG;
    if (m->by_igg && p->grades.model != IPSIM_GRADE_MODEL_LEVELS) {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "infection.risk_by: igg needs each patient's IgG: set grades.model: levels");
        ipsim_error_locate(err, NULL, 0, 0, "infection.risk_by");
        return IPSIM_EPARAM;
    }
    m->igg_log_ratio = log(p->infection.igg_rate_ratio_per_g_per_l);
    m->igg_plateau = p->infection.igg_plateau_g_per_l;
    m->igg_reference = fmin(p->immunoglobulins.lower_limit_g_per_l[IPSIM_IGG], m->igg_plateau);
    return IPSIM_OK;
}

double ipsim_infections_hazard_per_month(const ipsim_params *p, int grade)
{
    /* log1p keeps precision for small shares. */
    return -log1p(-p->infection.share_within_window[grade]) /
           (double)p->infection.window_months;
}
