/* models/expected_parts.c: the expected-value model's reading of its
 * curves, and the deaths of other causes it factors out (models/expected.h,
 * models/expected_internal.h). */
#include "models/expected_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/diagnosis.h"

void ipsim_expected_other_causes(const ipsim_params *p, const ipsim_mortality *mortality,
                                 int64_t rows, double *other_alive[IPSIM_POPULATIONS],
                                 double eligible_share[2])
{
    double ages[IPSIM_AGE_MAX - IPSIM_AGE_MIN + 1];
    ipsim_diagnosis_age_shares(p, ages);
    double total[IPSIM_POPULATIONS] = {0};
    for (int k = 0; k < IPSIM_POPULATIONS; k++)
        memset(other_alive[k], 0, (size_t)rows * sizeof(double));
    for (int a = IPSIM_AGE_MIN; a <= IPSIM_AGE_MAX; a++)
        for (int sex = 0; sex < IPSIM_SEXES; sex++) {
            const double w = ages[a - IPSIM_AGE_MIN] *
                             (sex == IPSIM_SEX_MALE ? p->diagnosis.male_share
                                                    : 1 - p->diagnosis.male_share);
            if (w == 0)
                continue;
            const double pe = a <= p->pathway.transplant_age_limit
                                  ? p->pathway.transplant_eligible_share
                                  : 0;
            const double in[IPSIM_POPULATIONS] = {w * (1 - pe), w * pe,
                                            a <= IPSIM_TRIAL_NO_ASCT_AGE_MAX ? w * (1 - pe) : 0,
                                            a <= IPSIM_TRIAL_ASCT_AGE_MAX ? w * pe : 0};
            double s = 1;
            for (int64_t r = 0; r < rows; r++) {
                for (int k = 0; k < IPSIM_POPULATIONS; k++)
                    other_alive[k][r] += in[k] * s;
                s *= ipsim_mortality_other_survival(mortality, sex, a, r * p->cohort.cycle_months);
            }
            for (int k = 0; k < IPSIM_POPULATIONS; k++)
                total[k] += in[k];
        }
    for (int k = 0; k < IPSIM_POPULATIONS; k++)
        for (int64_t r = 0; r < rows; r++)
            other_alive[k][r] = total[k] > 0 ? other_alive[k][r] / total[k] : 0;
    eligible_share[0] = total[IPSIM_POP_NOT_ELIGIBLE] / (total[0] + total[1]);
    eligible_share[1] = total[IPSIM_POP_ELIGIBLE] / (total[0] + total[1]);
}

void ipsim_expected_free(ipsim_expected *e)
{
    for (int k = 0; k < IPSIM_CURVES; k++) {
        free(e->curve[k]);
        e->curve[k] = NULL;
    }
}

double ipsim_expected_curve_at(const ipsim_expected *e, ipsim_expected_curve curve, double month)
{
    double row = month / (double)e->cycle_months;
    if (!(row >= 0) || row > (double)(e->rows - 1))
        return NAN;
    int64_t below = (int64_t)floor(row);
    if (below >= e->rows - 1)
        return e->curve[curve][e->rows - 1];
    double frac = row - (double)below;
    return (1 - frac) * e->curve[curve][below] + frac * e->curve[curve][below + 1];
}

double ipsim_expected_median(const ipsim_expected *e, ipsim_expected_curve curve)
{
    const double *s = e->curve[curve];
    for (int64_t r = 1; r < e->rows; r++)
        if (s[r] <= 0.5 && s[r - 1] > 0.5)
            return ((double)(r - 1) + (s[r - 1] - 0.5) / (s[r - 1] - s[r])) *
                   (double)e->cycle_months;
    return NAN;
}

double ipsim_expected_pfs_at(const ipsim_expected *e, int improved, double month)
{
    return ipsim_expected_curve_at(e, improved ? IPSIM_CURVE_PFS_IMPROVED
                                               : IPSIM_CURVE_PFS_NOT_IMPROVED,
                                   month);
}
