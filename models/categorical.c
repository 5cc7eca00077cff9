/* models/categorical.c: cumulative tables for inversion sampling. */
#include "models/categorical.h"

void ipsim_categorical_build(double *cum, const double *weights, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    double running = 0;
    for (int i = 0; i < n; i++) {
        running += weights[i];
        cum[i] = running / total;
    }
    cum[n - 1] = 1.0;
}
