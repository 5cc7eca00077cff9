/* models/immune_chain.c: the expected-value model's immune chains (see the
 * header). */
#include "models/immune_chain.h"

#include <string.h>

/* Digit j of a chain state: the band of the j-th followed class (the
 * chain's states number the followed classes' bands in base
 * IPSIM_IG_BANDS, as ipsim_ig_band does all three). */
static int digit(int i, int j)
{
    return i / ipsim_ig_stride(j) % IPSIM_IG_BANDS;
}

/* The grade models: one chain over the five grades, for every type. */
void ipsim_immune_chain_grades(ipsim_immune_chain *ch, const ipsim_grades *grades)
{
    memset(ch, 0, sizeof *ch);
    ch->states = IPSIM_GRADES;
    for (int g = 0; g < IPSIM_GRADES; g++)
        ch->grade_of[g] = (uint8_t)g;
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int g = 0; g < IPSIM_GRADES; g++) {
                int n = 0;
                for (int h = 0; h < IPSIM_GRADES; h++) {
                    const double pr =
                        grades->transitions ? grades->step_matrix[ph][r][g][h] : (double)(g == h);
                    if (pr != 0) {
                        ch->to[ph][r][g][n] = (int8_t)h;
                        ch->probability[ph][r][g][n++] = pr;
                    }
                }
                ch->moves[ph][r][g] = n;
            }
}

/* A levels chain's state i as joint bands of all three classes (the
 * classes not followed in band 0). */
static int full_state(const ipsim_immune_chain *ch, int i)
{
    int full = 0;
    for (int j = 0; j < ch->tracked_count; j++)
        full = ipsim_ig_with_band(full, ch->tracked[j], digit(i, j));
    return full;
}

static int chain_state(const ipsim_immune_chain *ch, int full)
{
    int i = 0;
    for (int j = 0; j < ch->tracked_count; j++)
        i += ipsim_ig_band(full, ch->tracked[j]) * ipsim_ig_stride(j);
    return i;
}

/* The levels model: a type's chain over the joint bands of the classes
 * that count in its grade; they move independently, so a move's
 * probability is the product of each class's. */
void ipsim_immune_chain_levels(ipsim_immune_chain *ch, const ipsim_immunoglobulins *ig, int type,
                               bool follow_igg)
{
    memset(ch, 0, sizeof *ch);
    for (int c = 0; c < IPSIM_IG_CLASSES; c++)
        if (ipsim_ig_uninvolved(type, c) || (follow_igg && c == IPSIM_IGG))
            ch->tracked[ch->tracked_count++] = c;
    ch->states = ipsim_ig_stride(ch->tracked_count - 1) * IPSIM_IG_BANDS;
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        for (int r = 0; r < IPSIM_RESPONSES; r++)
            for (int j = 0; j < ch->tracked_count; j++)
                for (int a = 0; a < IPSIM_IG_BANDS; a++)
                    for (int b = 0; b < IPSIM_IG_BANDS; b++)
                        ch->class_matrix[ph][r][j][a][b] =
                            ig->transitions ? ig->cycle_matrix[ph][r][ch->tracked[j]][a][b]
                                            : (double)(a == b);
    for (int i = 0; i < ch->states; i++) {
        ch->grade_of[i] = (uint8_t)ipsim_ig_grade_of_bands(type, full_state(ch, i));
        ch->igg_band[i] = (uint8_t)(ch->tracked[0] == IPSIM_IGG ? digit(i, 0) : 0);
    }
}

/* P(chain state) at diagnosis for a type and stage. */
void ipsim_immune_chain_at_diagnosis(const ipsim_immune_chain *ch, const ipsim_immunoglobulins *ig,
                                     int type, int riss, double out[IPSIM_IG_STATES])
{
    double full[IPSIM_IG_STATES];
    ipsim_immunoglobulins_bands_at_diagnosis(ig, type, riss, full);
    memset(out, 0, IPSIM_IG_STATES * sizeof *out);
    for (int f = 0; f < IPSIM_IG_STATES; f++)
        out[chain_state(ch, f)] += full[f];
}

/* The immune move of a block of survivors (states x width values, each
 * state's `width` values moving together) in a phase and response: the
 * result in `mid` or `scratch` (returned). Under the levels model one pass
 * per class (they move independently), each a 4 x 4 matrix; under the
 * grade models the chain's moves. */
const double *ipsim_immune_chain_move(const ipsim_immune_chain *ch, int phase, int response,
                                      double *mid, double *scratch, int width)
{
    const size_t n = (size_t)ch->states * (size_t)width;
    double *in = mid, *out = scratch;
    if (ch->tracked_count == 0) {
        memset(out, 0, n * sizeof *out);
        for (int i = 0; i < ch->states; i++) {
            const double *from = &in[(size_t)i * (size_t)width];
            for (int k = 0; k < ch->moves[phase][response][i]; k++) {
                const double pk = ch->probability[phase][response][i][k];
                double *to = &out[(size_t)ch->to[phase][response][i][k] * (size_t)width];
                for (int x = 0; x < width; x++)
                    to[x] += pk * from[x];
            }
        }
        return out;
    }
    for (int j = 0; j < ch->tracked_count; j++) {
        const double(*matrix)[IPSIM_IG_BANDS] = ch->class_matrix[phase][response][j];
        const int stride = ipsim_ig_stride(j);
        memset(out, 0, n * sizeof *out);
        for (int i = 0; i < ch->states; i++) {
            const int band = i / stride % IPSIM_IG_BANDS, base = i - band * stride;
            const double *from = &in[(size_t)i * (size_t)width];
            for (int b = 0; b < IPSIM_IG_BANDS; b++) {
                const double pk = matrix[band][b];
                if (pk == 0)
                    continue;
                double *to = &out[(size_t)(base + b * stride) * (size_t)width];
                for (int x = 0; x < width; x++)
                    to[x] += pk * from[x];
            }
        }
        double *t = in;
        in = out;
        out = t;
    }
    return in;
}
