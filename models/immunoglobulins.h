/* models/immunoglobulins.h: polyclonal IgG, IgA and IgM levels, and the
 * immunoparesis grade derived from them (grades.model: levels; docs/model.md
 * "Immunoglobulin levels"; docs/review.md, review sections 3.1.1, 3.1.3 and
 * 3.2).
 *
 * Each patient carries, for each class, the polyclonal level in g/L
 * (excluding the paraprotein). A class's level lies in one of six bands,
 * which say how low it is:
 *   0, 1  normal        at or above the lower limit of normal (LLN); band 0
 *                       at or above high_normal_fraction x LLN
 *   2, 3  low           below the LLN, at or above severe_fraction x LLN;
 *                       band 3 below mid_low_fraction x LLN
 *   4     very low      below that, at or above the near-detection level
 *   5     undetectable  below the near-detection level
 * The edges inside "normal" and "low" change no grade: they let a level
 * move in smaller steps (a recovery is rarely one jump across the range).
 * The review's grade counts the uninvolved classes (those that are not the
 * M-protein's: two in IgG- and IgA-type myeloma, three in light-chain
 * myeloma) that are below the LLN:
 *   none: no uninvolved class low; mild: one; moderate: two, or every one
 *   low but none below severe_fraction x LLN;
 *   severe: every uninvolved class low and one below severe_fraction x LLN;
 *   very severe: every uninvolved class low and one near detection.
 * In a two-class myeloma "two low" is thus moderate unless one is very low,
 * as in a three-class one with three low (docs/review.md says why).
 *
 * At diagnosis the grade is drawn as under the grade models (cohort.
 * baseline_mix, shifted by type and stage: models/diagnosis.h), so that the
 * review's grade mix and type figures hold as calibrated. The bands are then
 * drawn given the grade, type and stage from a reference distribution of the
 * levels: log-normal, correlated through one shared factor,
 *   ln L_c = ln median_c + type shift + (the M-protein's own class: involved
 *            shift) + R-ISS shift + sd_c (sqrt(rho) Z0 + sqrt(1 - rho) Z_c),
 * restricted to the bands that give the grade. A patient keeps, for each
 * class, a position in [0, 1) within the band, drawn independently of
 * everything else: the level is the quantile of the class's reference
 * distribution at that position within the band. Levels
 * change when a class changes band: each month it moves one band up with
 * probability grades.improve_per_month[phase] x
 * grades.response_improve_factor[response] (first line only) x
 * immunoglobulins.recovery_factor[class], one band down with probability
 * grades.worsen_per_month[phase], the classes independently of each other;
 * the monthly matrices are raised to the cycle length. So the immune state
 * is a Markov chain over the 64 joint bands, which the expected-value model
 * follows exactly, and the positions make the levels continuous.
 *
 * Levels are stored as float32 (the output file's precision), each kept in
 * its band, so that the grade recomputed from the stored levels is the
 * grade the model used. */
#ifndef IPSIM_IMMUNOGLOBULINS_H
#define IPSIM_IMMUNOGLOBULINS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "params/params.h"

enum { IPSIM_IG_BANDS = 6, IPSIM_IG_STATES = 216 }; /* states: 6^3 joint bands */

/* How low a band is: 0 normal, 1 low, 2 very low, 3 undetectable. */
static inline int ipsim_ig_depth(int band)
{
    static const int depth[IPSIM_IG_BANDS] = {0, 0, 1, 1, 2, 3};
    return depth[band];
}

/* The joint band state: band of IgG + 6 x band of IgA + 36 x band of IgM
 * (the digits of a number in base IPSIM_IG_BANDS). */
static inline int ipsim_ig_stride(int ig_class)
{
    return ig_class == 0 ? 1 : ig_class == 1 ? IPSIM_IG_BANDS : IPSIM_IG_BANDS * IPSIM_IG_BANDS;
}

static inline int ipsim_ig_band(int state, int ig_class)
{
    return state / ipsim_ig_stride(ig_class) % IPSIM_IG_BANDS;
}

static inline int ipsim_ig_with_band(int state, int ig_class, int band)
{
    return state + (band - ipsim_ig_band(state, ig_class)) * ipsim_ig_stride(ig_class);
}

/* Whether a class is uninvolved (counts in the grade) in a myeloma type. */
bool ipsim_ig_uninvolved(int myeloma_type, int ig_class);

/* The grade of a joint band state in a myeloma type (the rule above). */
int ipsim_ig_grade_of_bands(int myeloma_type, int state);

/* The band of a level of a class under a parameter set's limits. */
int ipsim_ig_band_of_level(const ipsim_params *p, int ig_class, double g_per_l);

/* The grade of three levels (g/L) in a myeloma type: the definition the
 * output file's levels can be checked against. */
int ipsim_ig_grade_of_levels(const ipsim_params *p, int myeloma_type,
                             const float level[IPSIM_IG_CLASSES]);

typedef struct ipsim_immunoglobulins {
    int transitions; /* 0: bands are held (grades.transitions false) */
    double edge[IPSIM_IG_CLASSES][IPSIM_IG_BANDS + 1]; /* g/L, falling: inf, ..., 0 */
    double log_mean[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_IG_CLASSES];
    double log_sd[IPSIM_IG_CLASSES];
    double shared, own; /* sqrt(rho), sqrt(1 - rho) */
    /* The diagnosis distribution's CDF at each band edge (falling, 1 to 0). */
    double edge_cdf[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_IG_CLASSES][IPSIM_IG_BANDS + 1];
    uint8_t grade_of[IPSIM_MYELOMA_TYPES][IPSIM_IG_STATES];
    /* P(grade | type, stage) at diagnosis (models/diagnosis.h), and
     * P(joint bands | type, stage, grade) with its cumulative table. */
    double grade_given[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_GRADES];
    double state_given[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_GRADES][IPSIM_IG_STATES];
    double state_cum[IPSIM_MYELOMA_TYPES][IPSIM_RISS_STAGES][IPSIM_GRADES][IPSIM_IG_STATES];
    double cycle_matrix[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_IG_CLASSES][IPSIM_IG_BANDS]
                       [IPSIM_IG_BANDS];
    /* Per cycle, each class's move from a band: cumulative probabilities
     * of the outcomes in the order stay, then the other bands, and the band
     * each outcome leads to. */
    double move_cum[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_IG_CLASSES][IPSIM_IG_BANDS]
                   [IPSIM_IG_BANDS];
    int8_t move_to[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_IG_CLASSES][IPSIM_IG_BANDS]
                  [IPSIM_IG_BANDS];
    /* P(no class moves) from each joint state. */
    double stay_all[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_IG_STATES];
} ipsim_immunoglobulins;

/* IPSIM_EPARAM if a band's limits are out of order (the near-detection
 * level at or above severe_fraction x LLN), naming the keys. */
int ipsim_immunoglobulins_init(ipsim_immunoglobulins *m, const ipsim_params *p,
                               ipsim_error *err);

/* The same refusals without building the tables (which cannot fail). */
int ipsim_immunoglobulins_check(const ipsim_params *p, ipsim_error *err);

/* One patient's immune state. */
typedef struct ipsim_ig_state {
    int state;                         /* joint bands */
    int myeloma_type, riss;
    double position[IPSIM_IG_CLASSES]; /* within each band, [0, 1) */
    /* g/L, as of the last ipsim_immunoglobulins_levels: a move marks a
     * class stale rather than working out its new level at once (most
     * runs read levels only at a few points). */
    float level[IPSIM_IG_CLASSES];
    unsigned stale; /* bit c: level[c] is out of date */
} ipsim_ig_state;

/* The state at diagnosis of a patient of this type, stage and grade, from
 * four uniforms in [0, 1): one for the bands, three for the positions. */
void ipsim_immunoglobulins_start(const ipsim_immunoglobulins *m, int myeloma_type, int riss,
                                 int grade, const double u[4], ipsim_ig_state *s);

static inline int ipsim_immunoglobulins_grade(const ipsim_immunoglobulins *m,
                                              const ipsim_ig_state *s)
{
    return m->grade_of[s->myeloma_type][s->state];
}

/* Brings the levels up to date with the bands (see ipsim_ig_state). */
void ipsim_immunoglobulins_refresh(const ipsim_immunoglobulins *m, ipsim_ig_state *s);

static inline const float *ipsim_immunoglobulins_levels(const ipsim_immunoglobulins *m,
                                                        ipsim_ig_state *s)
{
    if (s->stale)
        ipsim_immunoglobulins_refresh(m, s);
    return s->level;
}

/* Moves the classes that change band this cycle (their levels follow, when
 * next read). */
void ipsim_immunoglobulins_move(const ipsim_immunoglobulins *m, int phase, int response,
                                ipsim_ig_state *s, double u);

/* The next cycle's state for a survivor, from one uniform in [0, 1): most
 * cycles nobody moves, at the cost of one comparison. Returns whether any
 * class changed band. */
static inline bool ipsim_immunoglobulins_step(const ipsim_immunoglobulins *m, int phase,
                                              int response, ipsim_ig_state *s, double u)
{
    if (!m->transitions || u < m->stay_all[phase][response][s->state])
        return false;
    ipsim_immunoglobulins_move(m, phase, response, s, u);
    return true;
}

/* ---- for the expected-value model and its tests ------------------------ */

/* P(joint bands at diagnosis) of a type and stage: over the grades. */
void ipsim_immunoglobulins_bands_at_diagnosis(const ipsim_immunoglobulins *m, int myeloma_type,
                                              int riss, double out[IPSIM_IG_STATES]);

/* A class's monthly band matrix in a phase and response (rows: from). */
void ipsim_immunoglobulins_monthly(const ipsim_params *p, int phase, int response, int ig_class,
                                   double out[IPSIM_IG_BANDS][IPSIM_IG_BANDS]);

/* The per-cycle matrix the simulation uses (the monthly one raised to the
 * cycle length). */
void ipsim_immunoglobulins_cycle_matrix(const ipsim_immunoglobulins *m, int phase, int response,
                                        int ig_class,
                                        double out[IPSIM_IG_BANDS][IPSIM_IG_BANDS]);

/* The mean level of a class within a band for a type and stage: the mean
 * of the log-normal truncated to the band (what a uniform position gives). */
double ipsim_immunoglobulins_mean_in_band(const ipsim_immunoglobulins *m, int myeloma_type,
                                          int riss, int ig_class, int band);

/* The level (g/L, the float32 the simulation keeps) of a class at a
 * position within a band, for a type and stage. */
float ipsim_immunoglobulins_level_at(const ipsim_immunoglobulins *m, int myeloma_type, int riss,
                                     int ig_class, int band, double position);

/* The position within a band at which a class's level is g_per_l; -1 if
 * the level is not inside the band or the distribution does not reach
 * the band. */
double ipsim_immunoglobulins_position_of(const ipsim_immunoglobulins *m, int myeloma_type,
                                         int riss, int ig_class, int band, double g_per_l);

/* The share of the cohort whose polyclonal level of a class is below
 * g_per_l at diagnosis (every type, the involved class's polyclonal part
 * included: what an IVIG rule "IgG below 4 g/L" reads). */
double ipsim_immunoglobulins_share_below(const ipsim_immunoglobulins *m, const ipsim_params *p,
                                         int ig_class, double g_per_l);

#endif
