/* analysis/metamodel.h: penalised regression splines, the metamodel of the
 * value-of-information estimates (analysis/voi.h).
 *
 * A metamodel regresses an outcome of each PSA draw (an option's
 * incremental cost or QALYs) on a few inputs of that draw (the drawn
 * parameters, for EVPPI; a simulated study's result, for EVSI), and its
 * fitted values estimate the outcome's conditional expectation given those
 * inputs (Strong, Oakley & Brennan, Med Decis Making 2014;34:311).
 *
 * The basis, chosen from the number of inputs d and of draws n:
 *   d = 1       cubic B-splines (GSL's gsl_bspline), knots at quantiles of
 *               the input, min(20, max(6, n/20)) functions;
 *   d = 2..4    the tensor product of per-input B-spline bases, k functions
 *               per input, the largest k <= 8, 5, 4 (for d = 2, 3, 4) with
 *               k^d <= n/10, and k >= 3 (cubic for k >= 4, quadratic for
 *               k = 3);
 *   otherwise   (too many inputs for a tensor product with ten draws per
 *               coefficient) an additive basis: one B-spline basis per
 *               input, summed; it cannot represent interactions.
 * Each fit minimises |y - X b|^2 + lambda b'P b, with P the P-spline
 * penalty on second differences of the coefficients along each input
 * (Eilers & Marx, Stat Sci 1996), whose null space (linear functions of
 * each input) is left unpenalised. lambda is chosen per outcome by
 * restricted maximum likelihood (REML, the fit read as a mixed model;
 * less prone than GCV to undersmoothing a noisy outcome) through the
 * Demmler-Reinsch eigendecomposition, so that one factorisation serves
 * every outcome and every lambda, each lambda costing O(p). GSL does the linear algebra (BLAS, Cholesky, symmetric
 * eigensolver). */
#ifndef IPSIM_METAMODEL_H
#define IPSIM_METAMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef enum ipsim_basis_kind {
    IPSIM_BASIS_SPLINE = 0,  /* one input */
    IPSIM_BASIS_TENSOR = 1,  /* tensor product, 2-4 inputs */
    IPSIM_BASIS_ADDITIVE = 2 /* a sum of one-input splines */
} ipsim_basis_kind;

typedef struct ipsim_metamodel ipsim_metamodel;

/* How one outcome was fitted. */
typedef struct ipsim_fit {
    double lambda;    /* the penalty REML chose */
    double edf;       /* effective degrees of freedom: the trace of the hat matrix */
    double r_squared; /* share of the outcome's variance the fit explains */
} ipsim_fit;

/* Builds the basis for n draws of d inputs (x[i * d + j] is input j of
 * draw i) and factorises it. Errors: IPSIM_EPARAM for fewer than 20
 * draws, a non-finite input or an input that does not vary (named by its
 * index j; callers add the name); IPSIM_ENOMEM. */
int ipsim_metamodel_create(ipsim_metamodel **out, const double *x, int64_t n, int d,
                           ipsim_error *err);
void ipsim_metamodel_free(ipsim_metamodel *m); /* NULL is a no-op */

ipsim_basis_kind ipsim_metamodel_kind(const ipsim_metamodel *m);
int ipsim_metamodel_columns(const ipsim_metamodel *m); /* coefficients */

/* A phrase for reports, e.g. "tensor-product cubic B-splines, 7 x 7 functions". */
void ipsim_metamodel_describe(const ipsim_metamodel *m, char *buf, size_t size);

/* Fits y[n] with the REML-chosen penalty: fitted[n] and the fit's summary.
 * An outcome that does not vary is its own fit (lambda infinite, edf 1).
 * Errors: IPSIM_ENOMEM. */
int ipsim_metamodel_fit(const ipsim_metamodel *m, const double *y, double *fitted, ipsim_fit *fit,
                        ipsim_error *err);

/* Refits with weights (bootstrap multiplicities, >= 0) and the given
 * penalties: fitted[k][n] for each of the `count` outcomes y[k][n], with
 * lambda[k] (an infinite lambda: the outcome's weighted mean). Fitted
 * values are for every draw. Safe to call from several threads.
 * Errors: IPSIM_ENOMEM. */
int ipsim_metamodel_refit(const ipsim_metamodel *m, const double *weights, const double *y,
                          const double *lambda, int count, double *fitted, ipsim_error *err);

#endif
