/* models/diagnosis.h: what a patient brings to diagnosis: age and sex,
 * myeloma type, R-ISS stage, immunoparesis grade, transplant eligibility,
 * body weight (docs/review.md, review sections 1 and 3.1.1).
 *
 * Age is drawn by band (diagnosis.age_band_share), each whole year of a band
 * equally likely; sex with diagnosis.male_share. A patient is eligible for
 * ASCT only up to pathway.transplant_age_limit, and then with probability
 * pathway.transplant_eligible_share (fitness).
 *
 * The grade depends on type and stage through a proportional-odds model:
 *   logit P(grade >= k | type t, stage s) = alpha_k + beta_t + gamma_s,
 * with beta, gamma the parameters' log-odds shifts and the intercepts
 * alpha_k solved at init so that the cohort as a whole keeps exactly the
 * grade mix cohort.baseline_mix. A shift therefore moves severity between
 * types and stages without changing the overall mix. */
#ifndef IPSIM_DIAGNOSIS_H
#define IPSIM_DIAGNOSIS_H

#include <stdbool.h>

#include "base/error.h"
#include "models/categorical.h"
#include "params/params.h"

typedef struct ipsim_diagnosis {
    double type_cum[IPSIM_MYELOMA_TYPES];
    double riss_cum[IPSIM_RISS_STAGES];
    /* P(grade = g | type, stage), and its cumulative table. */
    double grade_given[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_GRADES];
    double grade_cum[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_GRADES];
    double age_cum[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1]; /* over whole years from IPSIM_AGE_MIN */
    double male_share;
    int64_t age_limit;
    double eligible_share;
    double weight_mean, weight_sd;
    double weight_min, weight_max;
    double cdf_min, cdf_max; /* standard normal CDF at the truncation points */
} ipsim_diagnosis;

/* IPSIM_EPARAM if the grade mix has no mass. */
int ipsim_diagnosis_init(ipsim_diagnosis *m, const ipsim_params *p, ipsim_error *err);

static inline int ipsim_diagnosis_type(const ipsim_diagnosis *m, double u)
{
    return ipsim_categorical_draw(m->type_cum, IPSIM_MYELOMA_TYPES, u);
}

static inline int ipsim_diagnosis_riss(const ipsim_diagnosis *m, double u)
{
    return ipsim_categorical_draw(m->riss_cum, IPSIM_RISS_STAGES, u);
}

/* Grade at diagnosis of a patient of this type and stage, u in [0, 1). */
static inline int ipsim_diagnosis_grade(const ipsim_diagnosis *m, int type, int riss, double u)
{
    return ipsim_categorical_draw(m->grade_cum[type][riss], IPSIM_GRADES, u);
}

/* Age in whole years at diagnosis, u in [0, 1). */
static inline int ipsim_diagnosis_age(const ipsim_diagnosis *m, double u)
{
    return IPSIM_AGE_MIN + ipsim_categorical_draw(m->age_cum, IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1, u);
}

static inline int ipsim_diagnosis_sex(const ipsim_diagnosis *m, double u)
{
    return u < m->male_share ? IPSIM_SEX_MALE : IPSIM_SEX_FEMALE;
}

static inline bool ipsim_diagnosis_eligible(const ipsim_diagnosis *m, int age, double u)
{
    return age <= m->age_limit && u < m->eligible_share;
}

/* P(age = IPSIM_AGE_MIN + i) for every whole year, into share[]. */
void ipsim_diagnosis_age_shares(const ipsim_params *p,
                                double share[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1]);

/* P(grade = g | type) over the stage mix: what the review's type figures
 * describe. */
void ipsim_diagnosis_grade_mix_of_type(const ipsim_diagnosis *m, const ipsim_params *p, int type,
                                       double mix[IPSIM_GRADES]);

/* Body weight in kg from one uniform in [0, 1): the normal truncated to
 * [min, max], by inversion (so it is monotone in u). */
double ipsim_diagnosis_weight_kg(const ipsim_diagnosis *m, double u);

#endif
