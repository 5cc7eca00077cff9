/* base/rng.c: Philox4x64-10 streams and their gsl_rng adapter.
 *
 * Philox4x64 turns a 256-bit counter and a 128-bit key into 256 random bits
 * with ten rounds of 64x64->128-bit multiplies (Salmon et al., SC'11); it
 * passes BigCrush and is fast on x86-64. One call per patient-cycle gives
 * four doubles, exactly what a cycle of the core model needs. */
#include "base/rng.h"

#include <stdlib.h>

#include <Random123/philox.h>
#include <Random123/gsl_microrng.h>

/* Declares gsl_rng_ipsim_philox and ipsim_philox_reset. The draw index lives
 * in the top 32 bits of the counter's last word (Random123's convention for
 * W = 64), so callers of the GSL adapter leave that word zero. */
GSL_MICRORNG(ipsim_philox, philox4x64);

static philox4x64_ctr_t make_counter(uint64_t patient, uint64_t cycle, ipsim_purpose purpose,
                                     uint64_t draw)
{
    philox4x64_ctr_t c = {{patient, cycle, (uint64_t)purpose, draw}};
    return c;
}

static philox4x64_key_t make_key(ipsim_stream stream)
{
    philox4x64_key_t k = {{stream.seed, stream.replicate}};
    return k;
}

void ipsim_rng_philox(const uint64_t counter[4], const uint64_t key[2], uint64_t out[4])
{
    philox4x64_ctr_t c = {{counter[0], counter[1], counter[2], counter[3]}};
    philox4x64_key_t k = {{key[0], key[1]}};
    philox4x64_ctr_t r = philox4x64(c, k);
    for (int i = 0; i < 4; i++)
        out[i] = r.v[i];
}

void ipsim_rng_uniform4(ipsim_stream stream, uint64_t patient, uint64_t cycle,
                        ipsim_purpose purpose, uint64_t draw, double u[4])
{
    philox4x64_ctr_t r = philox4x64(make_counter(patient, cycle, purpose, draw), make_key(stream));
    /* The top 53 bits scaled by 2^-53: every double in [0,1) on that grid is
     * equally likely, and 1.0 is never returned. */
    const double scale = 0x1.0p-53;
    for (int i = 0; i < 4; i++)
        u[i] = (double)(r.v[i] >> 11) * scale;
}

struct ipsim_gsl_stream {
    gsl_rng *rng;
};

int ipsim_gsl_stream_create(ipsim_gsl_stream **out, ipsim_error *err)
{
    *out = NULL;
    ipsim_gsl_stream *s = calloc(1, sizeof *s);
    if (!s)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a random stream");
    s->rng = gsl_rng_alloc(gsl_rng_ipsim_philox);
    if (!s->rng) {
        free(s);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a GSL random stream");
    }
    *out = s;
    return IPSIM_OK;
}

void ipsim_gsl_stream_free(ipsim_gsl_stream *s)
{
    if (!s)
        return;
    gsl_rng_free(s->rng);
    free(s);
}

gsl_rng *ipsim_gsl_stream_reset(ipsim_gsl_stream *s, ipsim_stream stream, uint64_t patient,
                                uint64_t cycle, ipsim_purpose purpose)
{
    ipsim_philox_reset(s->rng, make_counter(patient, cycle, purpose, 0), make_key(stream));
    return s->rng;
}

uint64_t ipsim_rng_name_hash(const char *name)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *name; name++) {
        h ^= (unsigned char)*name;
        h *= 1099511628211ULL;
    }
    return h;
}
