/* models/pathway.h: the treatment pathway of one patient (docs/review.md,
 * review sections 3.1.3, 4 and 5.1).
 *
 *   induction ──► (eligible: induction continues to the ASCT month) ──►
 *   transplant (ASCT and recovery) ──► maintenance (lenalidomide)
 *   any phase ──progression──► relapse
 *
 * Response to induction (CR / VGPR / PR / less) is drawn at diagnosis and
 * revealed at the end of induction; grade dynamics during induction already
 * follow it, since recovery and response deepen together. At the end of
 * induction a patient who had IP is "improved" if the grade is better than
 * at diagnosis. Progression has a constant hazard per phase of follow-up:
 * progression_hazard_per_month during induction and after it for patients
 * whose IP did not improve, times progression_hazard_ratio_improved for
 * those whose IP improved (or who had none). It is drawn by inversion once,
 * at diagnosis: the patient progresses at the end of the first cycle whose
 * cumulative hazard exceeds an Exp(1) draw E, which is the same as a
 * Bernoulli draw per cycle with probability 1 - exp(-hazard x cycle) but
 * needs one uniform per patient rather than one per cycle. Since the hazard
 * is constant within induction and after it, that cycle follows from E in
 * closed form: floor(E / h) cycles at hazard h per cycle, worked out at
 * diagnosis for induction and at the end of induction for the rest. */
#ifndef IPSIM_PATHWAY_H
#define IPSIM_PATHWAY_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/categorical.h"
#include "params/params.h"

typedef struct ipsim_pathway {
    int64_t induction_end;  /* first cycle after induction: when response is assessed */
    int64_t asct_cycle;     /* cycle in which eligible patients receive ASCT */
    int64_t transplant_end; /* first cycle of maintenance after ASCT */
    /* Cumulative progression hazard added per cycle: [0] IP not improved
     * (and during induction), [1] improved or none at diagnosis. */
    double progression_per_cycle[2];
    double response_cum[IPSIM_RESPONSES];
} ipsim_pathway;

/* Where one patient is on the pathway. */
typedef struct ipsim_pathway_state {
    int response;          /* ipsim_response, drawn at diagnosis */
    bool eligible;         /* for ASCT */
    bool progressed;
    int improved;          /* 1 improved, 0 not, -1 not assessed or no IP at diagnosis */
    double hazard_at_progression; /* the Exp(1) draw */
    int64_t progression_cycle;    /* progresses at the end of this cycle; INT64_MAX: not (yet) */
} ipsim_pathway_state;

/* The number of whole cycles at `per_cycle` hazard before the cumulative
 * hazard exceeds `remaining`: floor(remaining / per_cycle); INT64_MAX if
 * never (a zero hazard, or beyond any horizon). */
static inline int64_t ipsim_pathway_cycles_before(double remaining, double per_cycle)
{
    if (!(per_cycle > 0))
        return INT64_MAX;
    double cycles = floor(remaining / per_cycle);
    return cycles < 1e15 ? (int64_t)cycles : INT64_MAX;
}

void ipsim_pathway_init(ipsim_pathway *m, const ipsim_params *p);

/* A patient's state at diagnosis, from three uniforms in [0, 1). */
static inline void ipsim_pathway_start(const ipsim_pathway *m, ipsim_pathway_state *s,
                                       bool eligible, double u_response, double u_progression)
{
    s->response = ipsim_categorical_draw(m->response_cum, IPSIM_RESPONSES, u_response);
    s->eligible = eligible;
    s->progressed = false;
    s->improved = -1;
    s->hazard_at_progression = -log1p(-u_progression);
    /* Within induction, at the not-improved hazard; after it, once known. */
    int64_t c = ipsim_pathway_cycles_before(s->hazard_at_progression, m->progression_per_cycle[0]);
    s->progression_cycle = c < m->induction_end ? c : INT64_MAX;
}

/* The phase of a living patient in cycle c. */
static inline int ipsim_pathway_phase(const ipsim_pathway *m, const ipsim_pathway_state *s,
                                      int64_t c)
{
    if (s->progressed)
        return IPSIM_PHASE_RELAPSE;
    if (c < m->induction_end)
        return IPSIM_PHASE_INDUCTION;
    if (s->eligible) {
        if (c < m->asct_cycle)
            return IPSIM_PHASE_INDUCTION;
        if (c < m->transplant_end)
            return IPSIM_PHASE_TRANSPLANT;
    }
    return IPSIM_PHASE_MAINTENANCE;
}

/* The first cycle after `c` at which the phase of a living patient can
 * change without progression (INT64_MAX if none): so that the phase need
 * be worked out only then. */
static inline int64_t ipsim_pathway_next_change(const ipsim_pathway *m,
                                                const ipsim_pathway_state *s, int64_t c)
{
    if (s->progressed)
        return INT64_MAX;
    if (c < m->induction_end)
        return m->induction_end;
    if (s->eligible && c < m->asct_cycle)
        return m->asct_cycle;
    if (s->eligible && c < m->transplant_end)
        return m->transplant_end;
    return INT64_MAX;
}

/* The end of induction, for a patient alive at the start of cycle
 * m->induction_end: records whether IP improved, and so when the patient
 * will progress, if not during induction. */
static inline void ipsim_pathway_assess(const ipsim_pathway *m, ipsim_pathway_state *s,
                                        int baseline_grade, int grade)
{
    s->improved = baseline_grade > IPSIM_GRADE_NONE ? grade < baseline_grade : -1;
    if (s->progressed || s->progression_cycle != INT64_MAX)
        return;
    double spent = m->progression_per_cycle[0] * (double)m->induction_end;
    int64_t after = ipsim_pathway_cycles_before(s->hazard_at_progression - spent,
                                                m->progression_per_cycle[s->improved != 0]);
    s->progression_cycle = after == INT64_MAX ? INT64_MAX : m->induction_end + after;
}

#endif
