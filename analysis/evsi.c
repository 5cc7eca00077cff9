/* analysis/evsi.c: simulating a proposed study's result for each PSA draw. */
#include "analysis/evsi.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "base/rng.h"

double ipsim_evsi_cost(const ipsim_voi_study *s, int64_t n)
{
    return s->fixed_cost + s->cost_per_person * s->arms * (double)n;
}

static int check_theta(const ipsim_voi_study *s, double theta, int64_t r, ipsim_error *err)
{
    bool ok = isfinite(theta);
    if (s->design == IPSIM_VOI_BINOMIAL)
        ok &= theta >= 0 && theta <= 1;
    if (s->design == IPSIM_VOI_RATE_RATIO)
        ok &= theta > 0;
    if (ok)
        return IPSIM_OK;
    return IPSIM_FAIL(err, IPSIM_EPARAM,
                      "study '%s': draw %lld of '%s' is %g, which a %s study cannot measure",
                      s->name, (long long)r, s->parameter, theta,
                      ipsim_voi_design_names[s->design]);
}

int ipsim_evsi_simulate(const ipsim_voi_study *s, const double *theta, int64_t draws, int64_t n,
                        int dataset, uint64_t seed, double *result, ipsim_error *err)
{
    for (int64_t r = 0; r < draws; r++)
        if (check_theta(s, theta[r], r, err))
            return IPSIM_EPARAM;
    if (n < 1 || (s->design == IPSIM_VOI_BINOMIAL && n > (int64_t)UINT32_MAX))
        return IPSIM_FAIL(err, IPSIM_EPARAM, "study '%s': sample size %lld is out of range",
                          s->name, (long long)n);
    const uint64_t label = ipsim_rng_name_hash(s->name) + (uint64_t)dataset;
    int rc = IPSIM_OK;
#pragma omp parallel
    {
        ipsim_gsl_stream *gs = NULL;
        ipsim_error local;
        ipsim_error_clear(&local);
        const int failed = ipsim_gsl_stream_create(&gs, &local);
#pragma omp for schedule(static)
        for (int64_t r = 0; r < draws; r++) {
            if (failed)
                continue;
            gsl_rng *rng = ipsim_gsl_stream_reset(gs, (ipsim_stream){seed, (uint64_t)r},
                                                  (uint64_t)n, label, IPSIM_PURPOSE_STUDY);
            switch (s->design) {
            case IPSIM_VOI_NORMAL:
                result[r] = theta[r] + gsl_ran_gaussian(rng, s->sd / sqrt((double)n));
                break;
            case IPSIM_VOI_BINOMIAL:
                result[r] = gsl_ran_binomial(rng, theta[r], (unsigned)n) / (double)n;
                break;
            default: {
                const double exposure = (double)n * s->follow_up_years * s->control_rate;
                const double control = gsl_ran_poisson(rng, exposure);
                const double treated = gsl_ran_poisson(rng, exposure * theta[r]);
                result[r] = log((treated + 0.5) / (control + 0.5));
            }
            }
        }
#pragma omp critical
        if (failed && !rc)
            rc = ipsim_error_set(err, local.code, local.src_file, local.src_line, "%s",
                                 local.message);
        ipsim_gsl_stream_free(gs);
    }
    return rc;
}
