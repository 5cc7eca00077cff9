/* models/diagnosis.c: attributes at diagnosis. */
#include "models/diagnosis.h"

#include <gsl/gsl_cdf.h>

void ipsim_diagnosis_init(ipsim_diagnosis *m, const ipsim_params *p)
{
    m->weight_mean = p->diagnosis.weight_kg_mean;
    m->weight_sd = p->diagnosis.weight_kg_sd;
    m->weight_min = p->diagnosis.weight_kg_min;
    m->weight_max = p->diagnosis.weight_kg_max;
    if (m->weight_sd > 0) {
        m->cdf_min = gsl_cdf_ugaussian_P((m->weight_min - m->weight_mean) / m->weight_sd);
        m->cdf_max = gsl_cdf_ugaussian_P((m->weight_max - m->weight_mean) / m->weight_sd);
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
