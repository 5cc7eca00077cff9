/* base/rng.h: counter-based random streams (Philox4x64-10 from Random123).
 *
 * Every random number in ipsim is a pure function of its coordinates:
 *   key     = (seed, replicate)
 *   counter = (patient, cycle, purpose, draw)
 * so a draw never depends on which thread computed it, on how many patients
 * the cohort has, or on how much randomness other purposes consumed. Two
 * scenarios that share a seed see the same numbers for the same patient,
 * cycle and purpose (common random numbers): the scenario is deliberately
 * not part of the key.
 *
 * Only base/rng.c includes Random123. */
#ifndef IPSIM_RNG_H
#define IPSIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"

/* What a block of draws is for. Values are part of the output's identity:
 * append new purposes, never renumber, or every existing result changes. */
typedef enum ipsim_purpose {
    IPSIM_PURPOSE_BASELINE = 1, /* attributes drawn once at diagnosis */
    IPSIM_PURPOSE_CYCLE = 2,    /* the per-cycle infection, death and grade draws */
    IPSIM_PURPOSE_EPISODE = 3,  /* per infection episode: type and seriousness */
    IPSIM_PURPOSE_GSL = 4,      /* streams handed to GSL's distributions */
    IPSIM_PURPOSE_VACCINE = 5,  /* vaccination in a cycle: given? took? */
    IPSIM_PURPOSE_PSA = 6,      /* a replicate's draws of uncertain parameters (params/psa.h) */
    IPSIM_PURPOSE_BOOTSTRAP = 7, /* resampling PSA draws for the SE of a VOI estimate */
    IPSIM_PURPOSE_STUDY = 8,    /* a proposed study's simulated result, for EVSI */
    IPSIM_PURPOSE_LINE = 9,     /* at a progression: next line given? its progression threshold */
    IPSIM_PURPOSE_POSTERIOR = 10 /* the posterior sampler's proposals and resample (base/imis.h) */
} ipsim_purpose;

/* The stream of one replicate: a Philox key. Plain value, cheap to copy. */
typedef struct ipsim_stream {
    uint64_t seed;
    uint64_t replicate;
} ipsim_stream;

/* Four uniforms, each in [0, 1) with 53 random bits, at the given coordinates.
 * Pure: the same arguments always give the same numbers. */
void ipsim_rng_uniform4(ipsim_stream stream, uint64_t patient, uint64_t cycle,
                        ipsim_purpose purpose, uint64_t draw, double u[4]);

/* The bare Philox4x64-10 block function: 256 random bits for a counter and
 * a key. ipsim_rng_uniform4 is this with counter = (patient, cycle, purpose,
 * draw) and key = (seed, replicate). Exposed for known-answer tests against
 * Random123's published vectors. */
void ipsim_rng_philox(const uint64_t counter[4], const uint64_t key[2], uint64_t out[4]);

/* A gsl_rng whose output is a Philox stream (Random123's gsl_microrng), so
 * that GSL's samplers (gsl_ran_gamma, gsl_ran_dirichlet, ...) can draw from
 * counter-based coordinates. One per thread; reset before each use. */
typedef struct ipsim_gsl_stream ipsim_gsl_stream;

int ipsim_gsl_stream_create(ipsim_gsl_stream **out, ipsim_error *err);
void ipsim_gsl_stream_free(ipsim_gsl_stream *s); /* NULL is a no-op */

/* Repositions the stream at (patient, cycle, purpose) of the given replicate
 * stream and returns the gsl_rng to draw from (owned by s). Up to 2^32 draws
 * of 32 bits each may follow before the next reset. */
gsl_rng *ipsim_gsl_stream_reset(ipsim_gsl_stream *s, ipsim_stream stream, uint64_t patient,
                                uint64_t cycle, ipsim_purpose purpose);

/* A stable 64-bit identity for a named stream (FNV-1a of the name), used
 * as a counter coordinate: a parameter's PSA draws, a bootstrap's
 * resamples, a proposed study's results. Independent of any table order. */
uint64_t ipsim_rng_name_hash(const char *name);

#endif
