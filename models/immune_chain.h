/* models/immune_chain.h: the immune state as the expected-value model
 * (models/expected.c) follows it, exactly.
 *
 * Under the grade models the five grades; under the levels model
 * (models/immunoglobulins.h), per myeloma type, the joint bands of the
 * classes whose levels count in its grade, and IgG's when the infection
 * hazard reads it (the others move independently and change nothing the
 * trace follows). A chain says each state's grade
 * and how a block of survivors moves between states in a cycle. */
#ifndef IPSIM_IMMUNE_CHAIN_H
#define IPSIM_IMMUNE_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "models/grades.h"
#include "models/immunoglobulins.h"
#include "params/params.h"

enum { IPSIM_IMMUNE_MOVES_MAX = IPSIM_GRADES };
typedef struct ipsim_immune_chain {
    int states;
    int tracked[IPSIM_IG_CLASSES], tracked_count; /* levels: the classes followed */
    uint8_t grade_of[IPSIM_IG_STATES];
    uint8_t igg_band[IPSIM_IG_STATES]; /* levels with IgG followed: its band; else 0 */
    /* grade models: per cycle, each grade's successors and their probabilities */
    int moves[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_GRADES];
    int8_t to[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_GRADES][IPSIM_IMMUNE_MOVES_MAX];
    double probability[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_GRADES][IPSIM_IMMUNE_MOVES_MAX];
    /* levels: each followed class's per-cycle band matrix */
    double class_matrix[IPSIM_PHASES][IPSIM_RESPONSES][IPSIM_IG_CLASSES][IPSIM_IG_BANDS]
                       [IPSIM_IG_BANDS];
} ipsim_immune_chain;

/* The grade models' chain: the five grades, for every type. */
void ipsim_immune_chain_grades(ipsim_immune_chain *ch, const ipsim_grades *grades);

/* The levels model's chain of a myeloma type; with follow_igg IgG is
 * followed even where it is the M-protein's class (its polyclonal part:
 * infection.risk_by: igg reads it). */
void ipsim_immune_chain_levels(ipsim_immune_chain *ch, const ipsim_immunoglobulins *ig, int type,
                               bool follow_igg);

/* P(chain state) at diagnosis for a type and stage (levels model). */
void ipsim_immune_chain_at_diagnosis(const ipsim_immune_chain *ch, const ipsim_immunoglobulins *ig,
                                     int type, int riss, double out[IPSIM_IG_STATES]);

/* The immune move of a block of survivors (states x width values, each
 * state's `width` values moving together) in a phase and response: the
 * result in `mid` or `scratch` (returned). Under the levels model one pass
 * per class (they move independently), each a 4 x 4 matrix; under the
 * grade models the chain's moves. */
const double *ipsim_immune_chain_move(const ipsim_immune_chain *ch, int phase, int response,
                                      double *mid, double *scratch, int width);

#endif
