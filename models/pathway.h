/* models/pathway.h: the treatment pathway of one patient, line by line
 * (docs/model.md "The treatment pathway"; review sections 3.1.3, 4 and 5.1).
 *
 *   first line:  induction ──► (eligible: induction continues to the ASCT
 *                month) ──► transplant (ASCT and recovery) ──► maintenance
 *   progression ──► second line ──progression──► later lines (third, fourth,
 *                ...) ──progression──► later lines ...
 *   at any progression, a share receive no further treatment ──► no_treatment
 *
 * Response to induction (CR / VGPR / PR / less) is drawn at diagnosis and
 * revealed at the end of induction; grade dynamics during induction already
 * follow it, since recovery and response deepen together. At the end of
 * induction a patient who had IP is "improved" if the grade is better than
 * at diagnosis.
 *
 * Each line has its own progression hazard. On the first line it is
 * pathway.progression_hazard_per_month during induction and afterwards for
 * patients whose IP did not improve, times progression_hazard_ratio_improved
 * for those whose IP improved (or who had none), and times
 * progression_hazard_ratio_transplant from ASCT on. On the second and later
 * lines it is lines.progression_hazard_per_month. Progression is drawn by
 * inversion: each line draws one Exp(1) threshold E when it starts, and the
 * patient progresses at the end of the first cycle whose cumulative hazard
 * (since the line started) exceeds E. That is the same as a Bernoulli draw
 * per cycle with probability 1 - exp(-hazard x cycle), but needs one uniform
 * per line rather than one per cycle, and since the hazard changes only at
 * known cycles (end of induction, ASCT), the cycle of progression follows
 * from E in closed form whenever it does. */
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
    /* First-line progression hazard per cycle: [0] IP not improved (and
     * during induction), [1] improved or none at diagnosis. */
    double progression_per_cycle[2];
    double transplant_hazard_ratio; /* on the first line's hazard, from ASCT on */
    double line_per_cycle[2];       /* [0] second line, [1] later lines */
    double no_further_treatment[IPSIM_LINES]; /* at a progression from each line */
    double response_cum[IPSIM_RESPONSES];
} ipsim_pathway;

/* Where one patient is on the pathway. */
typedef struct ipsim_pathway_state {
    int response;          /* ipsim_response, drawn at diagnosis */
    bool eligible;         /* for ASCT */
    bool transplanted;     /* has had ASCT */
    bool progressed;       /* at least once */
    bool treated;          /* false once a progression was left untreated */
    int line;              /* the line being given: 1, 2, 3, ... */
    int improved;          /* 1 improved, 0 not, -1 not assessed or no IP at diagnosis */
    /* The current line's progression: the Exp(1) threshold still to be
     * reached from cycle `since` on, at `per_cycle` hazard per cycle. */
    double remaining;
    int64_t since;
    double per_cycle;
    int64_t progression_cycle; /* progresses at the end of this cycle; INT64_MAX: not (yet) */
} ipsim_pathway_state;

/* The number of whole cycles at `per_cycle` hazard before the cumulative
 * hazard exceeds `remaining`: floor(remaining / per_cycle); INT64_MAX if
 * never (a zero hazard, or beyond any horizon). */
static inline int64_t ipsim_pathway_cycles_before(double remaining, double per_cycle)
{
    if (!(per_cycle > 0))
        return INT64_MAX;
    double cycles = floor((remaining > 0 ? remaining : 0) / per_cycle);
    return cycles < 1e15 ? (int64_t)cycles : INT64_MAX;
}

void ipsim_pathway_init(ipsim_pathway *m, const ipsim_params *p);

/* From cycle c on, the current line progresses at `per_cycle` hazard per
 * cycle: spends the threshold at the old hazard up to c, and works out the
 * cycle of progression at the new one. */
static inline void ipsim_pathway_set_hazard(ipsim_pathway_state *s, int64_t c, double per_cycle)
{
    s->remaining -= s->per_cycle * (double)(c - s->since);
    s->since = c;
    s->per_cycle = per_cycle;
    int64_t n = ipsim_pathway_cycles_before(s->remaining, per_cycle);
    s->progression_cycle = n == INT64_MAX ? INT64_MAX : c + n;
}

/* A patient's state at diagnosis, from two uniforms in [0, 1). */
static inline void ipsim_pathway_start(const ipsim_pathway *m, ipsim_pathway_state *s,
                                       bool eligible, double u_response, double u_progression)
{
    s->response = ipsim_categorical_draw(m->response_cum, IPSIM_RESPONSES, u_response);
    s->eligible = eligible;
    s->transplanted = false;
    s->progressed = false;
    s->treated = true;
    s->line = 1;
    s->improved = -1;
    s->remaining = -log1p(-u_progression);
    s->since = 0;
    s->per_cycle = 0;
    /* During induction, at the not-improved hazard. */
    ipsim_pathway_set_hazard(s, 0, m->progression_per_cycle[0]);
}

/* The phase of a living patient in cycle c. */
static inline int ipsim_pathway_phase(const ipsim_pathway *m, const ipsim_pathway_state *s,
                                      int64_t c)
{
    if (!s->treated)
        return IPSIM_PHASE_NO_TREATMENT;
    if (s->line > 1)
        return s->line == 2 ? IPSIM_PHASE_SECOND_LINE : IPSIM_PHASE_LATER_LINES;
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

/* The end of induction, at cycle c = m->induction_end, for a patient alive
 * then: records whether IP improved, and so the first line's hazard from
 * now on (if it is still being given). */
static inline void ipsim_pathway_assess(const ipsim_pathway *m, ipsim_pathway_state *s,
                                        int baseline_grade, int grade, int64_t c)
{
    s->improved = baseline_grade > IPSIM_GRADE_NONE ? grade < baseline_grade : -1;
    if (!s->progressed)
        ipsim_pathway_set_hazard(s, c, m->progression_per_cycle[s->improved != 0]);
}

/* ASCT in cycle c (m->asct_cycle) for an eligible patient alive and still on
 * the first line: the first line's hazard is lowered from now on. */
static inline void ipsim_pathway_transplant(const ipsim_pathway *m, ipsim_pathway_state *s,
                                            int64_t c)
{
    s->transplanted = true;
    ipsim_pathway_set_hazard(s, c, s->per_cycle * m->transplant_hazard_ratio);
}

/* A progression at the end of cycle c: from u_treat, whether a next line is
 * given; if it is, its threshold from u_threshold (both in [0, 1)). */
static inline void ipsim_pathway_progress(const ipsim_pathway *m, ipsim_pathway_state *s,
                                          int64_t c, double u_treat, double u_threshold)
{
    const int from = s->line >= 3 ? IPSIM_LINE_LATER : s->line - 1;
    s->progressed = true;
    if (u_treat < m->no_further_treatment[from]) {
        s->treated = false;
        s->progression_cycle = INT64_MAX;
        return;
    }
    s->line++;
    s->remaining = -log1p(-u_threshold);
    s->since = c + 1;
    s->per_cycle = 0;
    ipsim_pathway_set_hazard(s, c + 1, m->line_per_cycle[s->line == 2 ? 0 : 1]);
}

#endif
