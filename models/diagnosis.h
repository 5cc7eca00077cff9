/* models/diagnosis.h: patient attributes drawn once, at diagnosis, beyond
 * the immunoparesis grade. For now body weight (IVIG is dosed per kg);
 * myeloma type, R-ISS stage and transplant eligibility join it with the
 * treatment pathway. */
#ifndef IPSIM_DIAGNOSIS_H
#define IPSIM_DIAGNOSIS_H

#include "params/params.h"

typedef struct ipsim_diagnosis {
    double weight_mean, weight_sd;
    double weight_min, weight_max;
    double cdf_min, cdf_max; /* standard normal CDF at the truncation points */
} ipsim_diagnosis;

void ipsim_diagnosis_init(ipsim_diagnosis *m, const ipsim_params *p);

/* Body weight in kg from one uniform in [0, 1): the normal truncated to
 * [min, max], by inversion (so it is monotone in u). */
double ipsim_diagnosis_weight_kg(const ipsim_diagnosis *m, double u);

#endif
