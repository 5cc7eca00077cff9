/* models/diagnosis.c: attributes at diagnosis. */
#include "models/diagnosis.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* Share of the cohort with grade >= k for intercept alpha. */
static double share_at_least(const ipsim_params *p, double alpha)
{
    double total = 0;
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_RISS_STAGES; s++)
            total += p->diagnosis.myeloma_type_share[t] * p->diagnosis.riss_share[s] *
                     logistic(alpha + p->diagnosis.type_severity_log_odds[t] +
                              p->diagnosis.riss_severity_log_odds[s]);
    return total;
}

/* The intercept giving the cohort `target` with grade >= k: the share is
 * increasing in alpha, so bisection finds it to double precision. Shares
 * of 0 and 1 are handled by the caller (alpha would be infinite). */
static double solve_intercept(const ipsim_params *p, double target)
{
    double lo = -100, hi = 100;
    for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
        double mid = 0.5 * (lo + hi);
        if (share_at_least(p, mid) < target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int ipsim_diagnosis_init(ipsim_diagnosis *m, const ipsim_params *p, ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    double mix[IPSIM_GRADES], total = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        total += p->cohort.baseline_mix[g];
    if (!(total > 0))
        return IPSIM_FAIL(err, IPSIM_EPARAM, "the baseline grade mix has no mass");
    for (int g = 0; g < IPSIM_GRADES; g++)
        mix[g] = p->cohort.baseline_mix[g] / total;
    ipsim_categorical_build(m->type_cum, p->diagnosis.myeloma_type_share, IPSIM_MYELOMA_TYPES);
    ipsim_categorical_build(m->riss_cum, p->diagnosis.riss_share, IPSIM_RISS_STAGES);

    /* at_least[k]: P(grade >= k | type, stage); k = 0 is 1, k = 5 is 0. */
    double tail = 1;
    for (int k = 1; k <= IPSIM_GRADES; k++) {
        tail -= mix[k - 1];
        bool none = k == IPSIM_GRADES || tail <= 1e-15, all = tail >= 1 - 1e-15;
        double alpha = none || all ? 0 : solve_intercept(p, tail);
        for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
            for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
                double at_least =
                    none  ? 0
                    : all ? 1
                          : logistic(alpha + p->diagnosis.type_severity_log_odds[t] +
                                     p->diagnosis.riss_severity_log_odds[s]);
                m->grade_cum[t][s][k - 1] = 1 - at_least; /* P(grade <= k - 1) */
            }
    }
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
            double below = 0;
            for (int g = 0; g < IPSIM_GRADES; g++) {
                double c = m->grade_cum[t][s][g];
                m->grade_given[t][s][g] = c > below ? c - below : 0;
                below = c > below ? c : below;
            }
            ipsim_categorical_build(m->grade_cum[t][s], m->grade_given[t][s], IPSIM_GRADES);
        }

    double ages[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1];
    ipsim_diagnosis_age_shares(p, ages);
    ipsim_categorical_build(m->age_cum, ages, IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1);
    m->male_share = p->diagnosis.male_share;
    m->age_limit = p->pathway.transplant_age_limit;
    m->eligible_share = p->pathway.transplant_eligible_share;
    m->weight_mean = p->diagnosis.weight_kg_mean;
    m->weight_sd = p->diagnosis.weight_kg_sd;
    m->weight_min = p->diagnosis.weight_kg_min;
    m->weight_max = p->diagnosis.weight_kg_max;
    if (m->weight_sd > 0) {
        m->cdf_min = gsl_cdf_ugaussian_P((m->weight_min - m->weight_mean) / m->weight_sd);
        m->cdf_max = gsl_cdf_ugaussian_P((m->weight_max - m->weight_mean) / m->weight_sd);
    }
    return IPSIM_OK;
}

void ipsim_diagnosis_age_shares(const ipsim_params *p,
                                double share[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1])
{
    double total = 0;
    for (int b = 0; b < IPSIM_AGE_BANDS; b++)
        total += p->diagnosis.age_band_share[b];
    for (int b = 0; b < IPSIM_AGE_BANDS; b++) {
        const int first = ipsim_age_band_first[b], last = ipsim_age_band_last[b];
        for (int a = first; a <= last; a++)
            share[a - IPSIM_AGE_MIN] = p->diagnosis.age_band_share[b] / total / (last - first + 1);
    }
}

void ipsim_diagnosis_grade_mix_of_type(const ipsim_diagnosis *m, const ipsim_params *p, int type,
                                       double mix[IPSIM_GRADES])
{
    double stages = 0;
    for (int s = 0; s < IPSIM_RISS_STAGES; s++)
        stages += p->diagnosis.riss_share[s];
    for (int g = 0; g < IPSIM_GRADES; g++) {
        mix[g] = 0;
        for (int s = 0; s < IPSIM_RISS_STAGES; s++)
            mix[g] += p->diagnosis.riss_share[s] / stages * m->grade_given[type][s][g];
    }
}

double ipsim_diagnosis_weight_kg(const ipsim_diagnosis *m, double u)
{
    double w = m->weight_mean;
    /* A truncation so far in a tail that the CDFs coincide leaves no mass
     * to invert: the truncation point is then the answer. */
    if (m->weight_sd > 0 && m->cdf_max > m->cdf_min)
        w = m->weight_mean +
            m->weight_sd * gsl_cdf_ugaussian_Pinv(m->cdf_min + u * (m->cdf_max - m->cdf_min));
    return w < m->weight_min ? m->weight_min : w > m->weight_max ? m->weight_max : w;
}
