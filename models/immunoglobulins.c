/* models/immunoglobulins.c: levels, bands and grades (see the header). */
#include "models/immunoglobulins.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>

#include "models/categorical.h"
#include "models/diagnosis.h"

bool ipsim_ig_uninvolved(int myeloma_type, int ig_class)
{
    return !(myeloma_type == IPSIM_MYELOMA_IGG && ig_class == IPSIM_IGG) &&
           !(myeloma_type == IPSIM_MYELOMA_IGA && ig_class == IPSIM_IGA);
}

int ipsim_ig_grade_of_bands(int myeloma_type, int state)
{
    int classes = 0, low = 0, deepest = 0;
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        if (!ipsim_ig_uninvolved(myeloma_type, c))
            continue;
        const int depth = ipsim_ig_depth(ipsim_ig_band(state, c));
        classes++;
        low += depth > 0;
        deepest = depth > deepest ? depth : deepest;
    }
    if (low == 0)
        return IPSIM_GRADE_NONE;
    if (low < classes)
        return low == 1 ? IPSIM_GRADE_MILD : IPSIM_GRADE_MODERATE;
    return deepest == 3   ? IPSIM_GRADE_VERY_SEVERE
           : deepest == 2 ? IPSIM_GRADE_SEVERE
                          : IPSIM_GRADE_MODERATE;
}

/* The band edges of a class, in g/L, falling. */
static void band_edges(const ipsim_params *p, int c, double edge[IPSIM_IG_BANDS + 1])
{
    const double lln = p->immunoglobulins.lower_limit_g_per_l[c];
    edge[0] = INFINITY;
    edge[1] = p->immunoglobulins.high_normal_fraction * lln;
    edge[2] = lln;
    edge[3] = p->immunoglobulins.mid_low_fraction * lln;
    edge[4] = p->immunoglobulins.severe_fraction * lln;
    edge[5] = p->immunoglobulins.near_detection_g_per_l[c];
    edge[6] = 0;
}

int ipsim_ig_band_of_level(const ipsim_params *p, int ig_class, double g_per_l)
{
    double edge[IPSIM_IG_BANDS + 1];
    band_edges(p, ig_class, edge);
    int band = 0;
    while (band < IPSIM_IG_BANDS - 1 && g_per_l < edge[band + 1])
        band++;
    return band;
}

int ipsim_ig_grade_of_levels(const ipsim_params *p, int myeloma_type,
                             const float level[IPSIM_IG_CLASSES])
{
    int state = 0;
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        state = ipsim_ig_with_band(state, c, ipsim_ig_band_of_level(p, c, level[c]));
    return ipsim_ig_grade_of_bands(myeloma_type, state);
}

static void multiply(double out[IPSIM_IG_BANDS][IPSIM_IG_BANDS],
                     const double a[IPSIM_IG_BANDS][IPSIM_IG_BANDS],
                     const double b[IPSIM_IG_BANDS][IPSIM_IG_BANDS])
{
    double r[IPSIM_IG_BANDS][IPSIM_IG_BANDS] = {{0}};
    for (int i = 0; i < IPSIM_IG_BANDS; i++)
        for (int k = 0; k < IPSIM_IG_BANDS; k++)
            for (int j = 0; j < IPSIM_IG_BANDS; j++)
                r[i][j] += a[i][k] * b[k][j];
    memcpy(out, r, sizeof r);
}

/* Monthly probabilities of one band up and one band down. */
static void monthly_rates(const ipsim_params *p, int phase, int response, int ig_class,
                          double *up, double *down)
{
    /* The response to induction steers recovery on the first line only. */
    const double factor = ipsim_phase_line(phase) != IPSIM_LINE_FIRST
                              ? 1.0
                              : p->grades.response_improve_factor[response];
    *up = p->grades.improve_per_month[phase] * factor *
          p->immunoglobulins.recovery_factor[ig_class];
    *down = p->grades.worsen_per_month[phase];
}

void ipsim_immunoglobulins_monthly(const ipsim_params *p, int phase, int response, int ig_class,
                                   double out[IPSIM_IG_BANDS][IPSIM_IG_BANDS])
{
    double up, down;
    monthly_rates(p, phase, response, ig_class, &up, &down);
    memset(out, 0, sizeof(double) * IPSIM_IG_BANDS * IPSIM_IG_BANDS);
    for (int b = 0; b < IPSIM_IG_BANDS; b++) {
        const double a = b > 0 ? up : 0, d = b < IPSIM_IG_BANDS - 1 ? down : 0;
        if (b > 0)
            out[b][b - 1] = a;
        if (b < IPSIM_IG_BANDS - 1)
            out[b][b + 1] = d;
        out[b][b] = 1 - a - d;
    }
}

/* The level at `position` within a band: the quantile of the class's
 * diagnosis distribution, as float32, kept inside the band. */
static float level_in_band(const ipsim_immunoglobulins *m, int type, int riss, int c, int band,
                           double position)
{
    const double *cdf = m->edge_cdf[type][riss][c];
    const double hi = cdf[band], lo = cdf[band + 1];
    double q = lo + position * (hi - lo);
    double x;
    if (hi - lo > 0 && q > 0 && q < 1)
        x = exp(m->log_mean[type][riss][c] + m->log_sd[c] * gsl_cdf_ugaussian_Pinv(q));
    else /* a band the distribution does not reach: its inner edge */
        x = band == 0 ? m->edge[c][1] : m->edge[c][band + 1];
    /* Kept in [edge[band + 1], edge[band]) after rounding to float. */
    float f = (float)x;
    while ((double)f >= m->edge[c][band])
        f = nextafterf(f, 0.0f);
    while ((double)f < m->edge[c][band + 1])
        f = nextafterf(f, INFINITY);
    return f;
}

enum { HERMITE_NODES = 64 };

/* P(joint bands) under the reference distribution of a type and stage, by
 * Gauss-Hermite quadrature over the shared factor (exact to about 1e-12);
 * w holds the HERMITE_NODES nodes and weights for the weight exp(-x^2 / 2),
 * which sum to sqrt(2 pi). */
static void reference_bands(const ipsim_immunoglobulins *m, int myeloma_type, int riss,
                            const gsl_integration_fixed_workspace *w,
                            double out[IPSIM_IG_STATES])
{
    enum { NODES = HERMITE_NODES };
    memset(out, 0, IPSIM_IG_STATES * sizeof *out);
    const double *x = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
    const double norm = 1 / sqrt(2 * M_PI);
    double log_edge[IPSIM_IG_CLASSES][IPSIM_IG_BANDS];
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        for (int b = 1; b < IPSIM_IG_BANDS; b++)
            log_edge[c][b] = log(m->edge[c][b]);
    for (int i = 0; i < NODES; i++) {
        /* Given the shared factor, each class's band probabilities. */
        double band_p[IPSIM_IG_CLASSES][IPSIM_IG_BANDS];
        for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
            const double centre = m->log_mean[myeloma_type][riss][c] + m->log_sd[c] * m->shared * x[i];
            const double scale = m->log_sd[c] * m->own;
            double above = 1;
            for (int b = 0; b < IPSIM_IG_BANDS; b++) {
                const double below = b == IPSIM_IG_BANDS - 1
                                         ? 0
                                         : gsl_cdf_ugaussian_P((log_edge[c][b + 1] - centre) /
                                                               scale);
                band_p[c][b] = above - below;
                above = below;
            }
        }
        /* Every joint state, IgG's band varying fastest as in the state's
         * number, the product taken IgG, IgA, IgM in turn. */
        _Static_assert(IPSIM_IG_CLASSES == 3 &&
                           IPSIM_IG_STATES == IPSIM_IG_BANDS * IPSIM_IG_BANDS * IPSIM_IG_BANDS,
                       "three classes' bands make the joint state");
        const double weight = wt[i] * norm;
        int state = 0;
        for (int b2 = 0; b2 < IPSIM_IG_BANDS; b2++)
            for (int b1 = 0; b1 < IPSIM_IG_BANDS; b1++)
                for (int b0 = 0; b0 < IPSIM_IG_BANDS; b0++, state++)
                    out[state] += weight * band_p[0][b0] * band_p[1][b1] * band_p[2][b2];
    }
}

int ipsim_immunoglobulins_check(const ipsim_params *p, ipsim_error *err)
{
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        const double lln = p->immunoglobulins.lower_limit_g_per_l[c];
        if (!(p->immunoglobulins.near_detection_g_per_l[c] < p->immunoglobulins.severe_fraction * lln))
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "immunoglobulins.near_detection_g_per_l.%s (%g g/L) must be below "
                              "immunoglobulins.severe_fraction x lower_limit_g_per_l.%s (%g g/L)",
                              ipsim_ig_class_names[c], p->immunoglobulins.near_detection_g_per_l[c],
                              ipsim_ig_class_names[c], p->immunoglobulins.severe_fraction * lln);
        if (!(p->immunoglobulins.mid_low_fraction > p->immunoglobulins.severe_fraction))
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "immunoglobulins.mid_low_fraction (%g) must be above "
                              "immunoglobulins.severe_fraction (%g)",
                              p->immunoglobulins.mid_low_fraction,
                              p->immunoglobulins.severe_fraction);
    }
    return IPSIM_OK;
}

int ipsim_immunoglobulins_init(ipsim_immunoglobulins *m, const ipsim_params *p,
                               ipsim_error *err)
{
    memset(m, 0, sizeof *m);
    int rc = ipsim_immunoglobulins_check(p, err);
    if (rc)
        return rc;
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        band_edges(p, c, m->edge[c]);
        m->log_sd[c] = p->immunoglobulins.log_sd[c];
    }
    m->shared = sqrt(p->immunoglobulins.class_correlation);
    m->own = sqrt(1 - p->immunoglobulins.class_correlation);
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++) {
        for (int s = 0; s < IPSIM_RISS_STAGES; s++)
            for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
                const double mean = log(p->immunoglobulins.median_g_per_l[c]) + p->immunoglobulins.type_log_shift[t] +
                                    (ipsim_ig_uninvolved(t, c) ? 0 : p->immunoglobulins.involved_log_shift) +
                                    p->immunoglobulins.riss_log_shift[s];
                m->log_mean[t][s][c] = mean;
                double *cdf = m->edge_cdf[t][s][c];
                cdf[0] = 1;
                cdf[IPSIM_IG_BANDS] = 0;
                for (int b = 1; b < IPSIM_IG_BANDS; b++)
                    cdf[b] = gsl_cdf_ugaussian_P((log(m->edge[c][b]) - mean) / m->log_sd[c]);
            }
        for (int state = 0; state < IPSIM_IG_STATES; state++)
            m->grade_of[t][state] = (uint8_t)ipsim_ig_grade_of_bands(t, state);
    }

    /* The bands given the grade: the reference distribution restricted to
     * the grade's bands (all of them equally if it gives the grade no
     * mass, which only extreme parameters do). */
    ipsim_diagnosis diagnosis;
    rc = ipsim_diagnosis_init(&diagnosis, p, err);
    if (rc)
        return rc;
    memcpy(m->grade_given, diagnosis.grade_given, sizeof m->grade_given);
    /* The nodes and weights once for every type and stage, not once each:
     * working them out (an eigenproblem) costs more than the quadrature, and
     * a PSA builds the model again for every draw. */
    gsl_integration_fixed_workspace *hermite = gsl_integration_fixed_alloc(
        gsl_integration_fixed_hermite, HERMITE_NODES, 0, 0.5, 0, 0);
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
            double reference[IPSIM_IG_STATES], mass[IPSIM_GRADES] = {0};
            int count[IPSIM_GRADES] = {0};
            reference_bands(m, t, s, hermite, reference);
            for (int state = 0; state < IPSIM_IG_STATES; state++) {
                mass[m->grade_of[t][state]] += reference[state];
                count[m->grade_of[t][state]]++;
            }
            for (int g = 0; g < IPSIM_GRADES; g++) {
                double *given = m->state_given[t][s][g];
                for (int state = 0; state < IPSIM_IG_STATES; state++) {
                    const bool in = m->grade_of[t][state] == g;
                    given[state] = !in            ? 0
                                   : mass[g] > 0 ? reference[state] / mass[g]
                                                 : 1.0 / count[g];
                }
                ipsim_categorical_build(m->state_cum[t][s][g], given, IPSIM_IG_STATES);
            }
        }
    gsl_integration_fixed_free(hermite);

    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++) {
            for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
                double up, down;
                monthly_rates(p, ph, r, c, &up, &down);
                if (up + down > 1)
                    return IPSIM_FAIL(
                        err, IPSIM_EPARAM,
                        "in phase %s, %s's monthly probability of moving up (grades."
                        "improve_per_month x response_improve_factor x immunoglobulins."
                        "recovery_factor: %g) and down (grades.worsen_per_month: %g) sum to "
                        "more than 1",
                        ipsim_phase_names[ph], ipsim_ig_class_names[c], up, down);
                double monthly[IPSIM_IG_BANDS][IPSIM_IG_BANDS];
                ipsim_immunoglobulins_monthly(p, ph, r, c, monthly);
                double(*step)[IPSIM_IG_BANDS] = m->cycle_matrix[ph][r][c];
                memcpy(step, monthly, sizeof monthly);
                for (int64_t k = 1; k < p->cohort.cycle_months; k++)
                    multiply(step, step, monthly);
                for (int b = 0; b < IPSIM_IG_BANDS; b++) {
                    /* Outcomes in the order: stay, then the other bands. */
                    double *cum = m->move_cum[ph][r][c][b];
                    int8_t *to = m->move_to[ph][r][c][b];
                    to[0] = (int8_t)b;
                    for (int j = 0, k = 1; j < IPSIM_IG_BANDS; j++)
                        if (j != b)
                            to[k++] = (int8_t)j;
                    double sum = 0;
                    for (int k = 0; k < IPSIM_IG_BANDS; k++)
                        cum[k] = sum += step[b][to[k]];
                    for (int k = 0; k < IPSIM_IG_BANDS; k++)
                        cum[k] /= sum;
                    cum[IPSIM_IG_BANDS - 1] = 1;
                }
            }
            for (int state = 0; state < IPSIM_IG_STATES; state++) {
                double stay = 1;
                for (int c = 0; c < IPSIM_IG_CLASSES; c++)
                    stay *= m->move_cum[ph][r][c][ipsim_ig_band(state, c)][0];
                m->stay_all[ph][r][state] = stay;
            }
        }
    m->transitions = p->grades.transitions;
    return IPSIM_OK;
}

void ipsim_immunoglobulins_start(const ipsim_immunoglobulins *m, int myeloma_type, int riss,
                                 int grade, const double u[4], ipsim_ig_state *s)
{
    s->myeloma_type = myeloma_type;
    s->riss = riss;
    s->state =
        ipsim_categorical_draw(m->state_cum[myeloma_type][riss][grade], IPSIM_IG_STATES, u[0]);
    s->stale = 0;
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        s->position[c] = u[c + 1];
        s->level[c] = level_in_band(m, myeloma_type, riss, c, ipsim_ig_band(s->state, c), u[c + 1]);
    }
}

void ipsim_immunoglobulins_move(const ipsim_immunoglobulins *m, int phase, int response,
                                ipsim_ig_state *s, double u)
{
    /* One uniform decides every class: each takes the slice of u its
     * outcome covers and passes the rescaled rest to the next, so the
     * classes move independently; "nobody moves" is u < stay_all. */
    int state = s->state;
    for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
        const int band = ipsim_ig_band(state, c);
        const double *cum = m->move_cum[phase][response][c][band];
        int k = 0;
        while (k < IPSIM_IG_BANDS - 1 && u >= cum[k])
            k++;
        const double lo = k > 0 ? cum[k - 1] : 0, width = cum[k] - lo;
        u = width > 0 ? (u - lo) / width : 0;
        if (u >= 1)
            u = nextafter(1.0, 0.0);
        const int to = m->move_to[phase][response][c][band][k];
        if (to != band) {
            state = ipsim_ig_with_band(state, c, to);
            s->stale |= 1u << c;
        }
    }
    s->state = state;
}

void ipsim_immunoglobulins_refresh(const ipsim_immunoglobulins *m, ipsim_ig_state *s)
{
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        if (s->stale & (1u << c))
            s->level[c] = level_in_band(m, s->myeloma_type, s->riss, c,
                                        ipsim_ig_band(s->state, c), s->position[c]);
    s->stale = 0;
}

void ipsim_immunoglobulins_bands_at_diagnosis(const ipsim_immunoglobulins *m, int myeloma_type,
                                              int riss, double out[IPSIM_IG_STATES])
{
    for (int state = 0; state < IPSIM_IG_STATES; state++) {
        out[state] = 0;
        for (int g = 0; g < IPSIM_GRADES; g++)
            out[state] += m->grade_given[myeloma_type][riss][g] *
                          m->state_given[myeloma_type][riss][g][state];
    }
}

void ipsim_immunoglobulins_cycle_matrix(const ipsim_immunoglobulins *m, int phase, int response,
                                        int ig_class,
                                        double out[IPSIM_IG_BANDS][IPSIM_IG_BANDS])
{
    memcpy(out, m->cycle_matrix[phase][response][ig_class],
           sizeof(double) * IPSIM_IG_BANDS * IPSIM_IG_BANDS);
}

double ipsim_immunoglobulins_mean_in_band(const ipsim_immunoglobulins *m, int myeloma_type,
                                          int riss, int ig_class, int band)
{
    const double mu = m->log_mean[myeloma_type][riss][ig_class], sd = m->log_sd[ig_class];
    const double *cdf = m->edge_cdf[myeloma_type][riss][ig_class];
    const double mass = cdf[band] - cdf[band + 1];
    if (!(mass > 0))
        return band == 0 ? m->edge[ig_class][1] : m->edge[ig_class][band + 1];
    /* E[L; a <= L < b] for ln L ~ N(mu, sd^2): exp(mu + sd^2 / 2) times the
     * N(mu + sd^2, sd^2) probability of [ln a, ln b). */
    const double hi = band == 0 ? 1
                                : gsl_cdf_ugaussian_P((log(m->edge[ig_class][band]) - mu - sd * sd) /
                                                      sd);
    const double lo = band == IPSIM_IG_BANDS - 1
                          ? 0
                          : gsl_cdf_ugaussian_P((log(m->edge[ig_class][band + 1]) - mu - sd * sd) /
                                                sd);
    return exp(mu + sd * sd / 2) * (hi - lo) / mass;
}

double ipsim_immunoglobulins_share_below(const ipsim_immunoglobulins *m, const ipsim_params *p,
                                         int ig_class, double g_per_l)
{
    double types = 0, stages = 0, share = 0;
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        types += p->diagnosis.myeloma_type_share[t];
    for (int s = 0; s < IPSIM_RISS_STAGES; s++)
        stages += p->diagnosis.riss_share[s];
    for (int t = 0; t < IPSIM_MYELOMA_TYPES; t++)
        for (int s = 0; s < IPSIM_RISS_STAGES; s++) {
            /* Within a band the position is uniform on the reference CDF. */
            const double *cdf = m->edge_cdf[t][s][ig_class];
            const double at = gsl_cdf_ugaussian_P((log(g_per_l) - m->log_mean[t][s][ig_class]) /
                                                  m->log_sd[ig_class]);
            double below[IPSIM_IG_BANDS];
            for (int b = 0; b < IPSIM_IG_BANDS; b++) {
                const double hi = cdf[b], lo = cdf[b + 1];
                const double edge_hi = m->edge[ig_class][b], edge_lo = m->edge[ig_class][b + 1];
                below[b] = g_per_l >= edge_hi  ? 1
                           : g_per_l <= edge_lo ? 0
                           : hi > lo            ? (at - lo) / (hi - lo)
                                                : 0.5;
            }
            double bands[IPSIM_IG_STATES];
            ipsim_immunoglobulins_bands_at_diagnosis(m, t, s, bands);
            double part = 0;
            for (int state = 0; state < IPSIM_IG_STATES; state++)
                part += bands[state] * below[ipsim_ig_band(state, ig_class)];
            share += p->diagnosis.myeloma_type_share[t] / types * p->diagnosis.riss_share[s] /
                     stages * part;
        }
    return share;
}

float ipsim_immunoglobulins_level_at(const ipsim_immunoglobulins *m, int myeloma_type, int riss,
                                     int ig_class, int band, double position)
{
    return level_in_band(m, myeloma_type, riss, ig_class, band, position);
}

double ipsim_immunoglobulins_position_of(const ipsim_immunoglobulins *m, int myeloma_type,
                                         int riss, int ig_class, int band, double g_per_l)
{
    const double *cdf = m->edge_cdf[myeloma_type][riss][ig_class];
    const double hi = cdf[band], lo = cdf[band + 1];
    if (!(hi - lo > 0) || !(g_per_l > m->edge[ig_class][band + 1]) ||
        !(g_per_l < m->edge[ig_class][band]))
        return -1;
    const double q = gsl_cdf_ugaussian_P((log(g_per_l) - m->log_mean[myeloma_type][riss][ig_class]) /
                                         m->log_sd[ig_class]);
    return (q - lo) / (hi - lo);
}
