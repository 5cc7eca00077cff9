/* models/categorical.h: drawing from a small discrete distribution by
 * inversion of its cumulative table, one uniform per draw.
 *
 * Inversion (rather than GSL's alias tables) keeps draws monotone in the
 * uniform: raising a probability moves each patient's outcome in one
 * direction only, which makes common-random-number comparisons between
 * scenarios as tight as they can be. */
#ifndef IPSIM_CATEGORICAL_H
#define IPSIM_CATEGORICAL_H

/* Fills cum[0..n-1] with the running sums of weights[0..n-1] divided by
 * their total, and sets cum[n-1] to exactly 1 so that every u in [0, 1)
 * maps to a category. Weights must be >= 0 with a positive total. */
void ipsim_categorical_build(double *cum, const double *weights, int n);

/* The first category i with u < cum[i]; u in [0, 1). */
static inline int ipsim_categorical_draw(const double *cum, int n, double u)
{
    int i = 0;
    while (i < n - 1 && u >= cum[i])
        i++;
    return i;
}

#endif
