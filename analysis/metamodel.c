/* analysis/metamodel.c: B-spline bases, the P-spline penalty and REML fits. */
#include "analysis/metamodel.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_bspline.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_sort.h>

enum { TENSOR_MAX_INPUTS = 4, SPLINE_MAX = 20, SPLINE_MIN = 6, MIN_DRAWS = 20 };

struct ipsim_metamodel {
    int64_t n;
    int d, p;
    ipsim_basis_kind kind;
    int per_input;    /* basis functions per input */
    int order;        /* 4 cubic, 3 quadratic */
    gsl_matrix *x;    /* the basis at the draws, [n][p] */
    gsl_matrix *penalty;
    gsl_matrix *q;    /* X L^-T U: fitted = Q diag(w) Q'y */
    gsl_vector *s;    /* eigenvalues of L^-1 P L^-T */
    gsl_vector *qnorm; /* squared column norms of Q */
    double ridge;     /* added to X'X's diagonal: additive bases are collinear */
};

void ipsim_metamodel_free(ipsim_metamodel *m)
{
    if (!m)
        return;
    gsl_matrix_free(m->x);
    gsl_matrix_free(m->penalty);
    gsl_matrix_free(m->q);
    gsl_vector_free(m->s);
    gsl_vector_free(m->qnorm);
    free(m);
}

ipsim_basis_kind ipsim_metamodel_kind(const ipsim_metamodel *m) { return m->kind; }
int ipsim_metamodel_columns(const ipsim_metamodel *m) { return m->p; }

void ipsim_metamodel_describe(const ipsim_metamodel *m, char *buf, size_t size)
{
    const char *degree = m->order == 4 ? "cubic" : "quadratic";
    switch (m->kind) {
    case IPSIM_BASIS_SPLINE:
        snprintf(buf, size, "%s B-spline, %d functions", degree, m->p);
        break;
    case IPSIM_BASIS_TENSOR:
        snprintf(buf, size, "tensor-product %s B-splines, %d^%d = %d functions", degree,
                 m->per_input, m->d, m->p);
        break;
    default:
        snprintf(buf, size, "additive %s B-splines, %d inputs x %d functions (no interactions)",
                 degree, m->d, m->per_input);
    }
}

/* Chooses the basis: kind, functions per input and order. */
static void choose_basis(ipsim_metamodel *m)
{
    const int64_t n = m->n;
    if (m->d == 1) {
        int64_t k = n / 20;
        m->kind = IPSIM_BASIS_SPLINE;
        m->per_input = (int)(k < SPLINE_MIN ? SPLINE_MIN : k > SPLINE_MAX ? SPLINE_MAX : k);
        m->order = 4;
        return;
    }
    static const int cap[TENSOR_MAX_INPUTS + 1] = {0, 0, 8, 5, 4};
    if (m->d <= TENSOR_MAX_INPUTS) {
        int k = cap[m->d];
        while (k >= 3 && pow(k, m->d) > (double)n / 10)
            k--;
        if (k >= 3) {
            m->kind = IPSIM_BASIS_TENSOR;
            m->per_input = k;
            m->order = k >= 4 ? 4 : 3;
            return;
        }
    }
    int64_t k = n / (10 * (int64_t)m->d);
    m->kind = IPSIM_BASIS_ADDITIVE;
    m->per_input = (int)(k < 3 ? 3 : k > 10 ? 10 : k);
    m->order = m->per_input >= 4 ? 4 : 3;
}

/* One input's basis at every draw, B[n][k], knots at the input's
 * quantiles (uniform when ties make quantiles coincide). */
static int input_basis(const ipsim_metamodel *m, const double *x, int j, gsl_matrix *B)
{
    const int64_t n = m->n;
    const int k = m->per_input, nbreak = k - m->order + 2;
    double *sorted = malloc((size_t)n * sizeof *sorted);
    gsl_bspline_workspace *w = gsl_bspline_alloc((size_t)m->order, (size_t)nbreak);
    gsl_vector *breaks = gsl_vector_alloc((size_t)nbreak);
    gsl_vector *row = gsl_vector_alloc((size_t)k);
    int rc = sorted && w && breaks && row ? IPSIM_OK : IPSIM_ENOMEM;
    if (!rc) {
        for (int64_t i = 0; i < n; i++)
            sorted[i] = x[i * m->d + j];
        gsl_sort(sorted, 1, (size_t)n);
        bool distinct = true;
        for (int b = 0; b < nbreak; b++) {
            double at = sorted[(int64_t)llround((double)b * (double)(n - 1) / (nbreak - 1))];
            gsl_vector_set(breaks, (size_t)b, at);
            if (b > 0 && !(at > gsl_vector_get(breaks, (size_t)b - 1)))
                distinct = false;
        }
        if (distinct)
            gsl_bspline_knots(breaks, w);
        else
            gsl_bspline_knots_uniform(sorted[0], sorted[n - 1], w);
        for (int64_t i = 0; i < n; i++) {
            gsl_bspline_eval(x[i * m->d + j], row, w);
            for (int c = 0; c < k; c++)
                gsl_matrix_set(B, (size_t)i, (size_t)c, gsl_vector_get(row, (size_t)c));
        }
    }
    free(sorted);
    gsl_bspline_free(w);
    gsl_vector_free(breaks);
    gsl_vector_free(row);
    return rc;
}

/* The basis X and penalty P from the per-input bases and the per-input
 * second-difference penalty D'D. */
static int assemble(ipsim_metamodel *m, const double *x)
{
    const int d = m->d, k = m->per_input;
    const int64_t n = m->n;
    gsl_matrix *B[64] = {0};
    gsl_matrix *D = gsl_matrix_alloc((size_t)k - 2, (size_t)k);
    gsl_matrix *DtD = gsl_matrix_alloc((size_t)k, (size_t)k);
    int rc = D && DtD ? IPSIM_OK : IPSIM_ENOMEM;
    for (int j = 0; !rc && j < d; j++) {
        B[j] = gsl_matrix_alloc((size_t)n, (size_t)k);
        rc = B[j] ? input_basis(m, x, j, B[j]) : IPSIM_ENOMEM;
    }
    if (!rc) {
        gsl_multifit_linear_Lk((size_t)k, 2, D);
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, D, D, 0.0, DtD);
        /* Each input's functions sum to 1, so an additive basis carries
         * the constant d times: the inputs after the first drop their first
         * function (their coefficient is fixed at 0), leaving one. */
        m->p = m->kind == IPSIM_BASIS_TENSOR ? (int)lround(pow(k, d))
               : m->kind == IPSIM_BASIS_SPLINE ? k
                                               : k + (d - 1) * (k - 1);
        m->x = gsl_matrix_alloc((size_t)n, (size_t)m->p);
        m->penalty = gsl_matrix_calloc((size_t)m->p, (size_t)m->p);
        rc = m->x && m->penalty ? IPSIM_OK : IPSIM_ENOMEM;
    }
    if (!rc && m->kind == IPSIM_BASIS_TENSOR) {
        /* Column c is the multi-index (c_0, ..., c_{d-1}), input 0 slowest. */
        int digits[64];
        for (int c = 0; c < m->p; c++) {
            for (int j = d - 1, r = c; j >= 0; j--, r /= k)
                digits[j] = r % k;
            for (int64_t i = 0; i < n; i++) {
                double v = 1;
                for (int j = 0; j < d; j++)
                    v *= gsl_matrix_get(B[j], (size_t)i, (size_t)digits[j]);
                gsl_matrix_set(m->x, (size_t)i, (size_t)c, v);
            }
        }
        /* P = sum_j I x .. x D'D (at j) x .. x I */
        int a[64], b[64];
        for (int r = 0; r < m->p; r++)
            for (int c = 0; c < m->p; c++) {
                for (int j = d - 1, u = r, v = c; j >= 0; j--, u /= k, v /= k) {
                    a[j] = u % k;
                    b[j] = v % k;
                }
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    bool others_equal = true;
                    for (int o = 0; o < d && others_equal; o++)
                        others_equal = o == j || a[o] == b[o];
                    if (others_equal)
                        sum += gsl_matrix_get(DtD, (size_t)a[j], (size_t)b[j]);
                }
                gsl_matrix_set(m->penalty, (size_t)r, (size_t)c, sum);
            }
    } else if (!rc) {
        for (int j = 0, at = 0; j < d; j++) {
            const size_t skip = j > 0, width = (size_t)k - skip;
            gsl_matrix_view xs = gsl_matrix_submatrix(m->x, 0, (size_t)at, (size_t)n, width);
            gsl_matrix_view bs = gsl_matrix_submatrix(B[j], 0, skip, (size_t)n, width);
            gsl_matrix_memcpy(&xs.matrix, &bs.matrix);
            gsl_matrix_view ps = gsl_matrix_submatrix(m->penalty, (size_t)at, (size_t)at, width, width);
            gsl_matrix_view ds = gsl_matrix_submatrix(DtD, skip, skip, width, width);
            gsl_matrix_memcpy(&ps.matrix, &ds.matrix);
            at += (int)width;
        }
    }
    for (int j = 0; j < d; j++)
        gsl_matrix_free(B[j]);
    gsl_matrix_free(D);
    gsl_matrix_free(DtD);
    return rc;
}

/* The Demmler-Reinsch factorisation: X'X + ridge I = L L', L^-1 P L^-T =
 * U diag(s) U', Q = X L^-T U; then for any lambda the fit is
 * Q diag(1 / (1 + lambda s)) Q'y. */
static int factorise(ipsim_metamodel *m, ipsim_error *err)
{
    const size_t n = (size_t)m->n, p = (size_t)m->p;
    gsl_matrix *G = gsl_matrix_calloc(p, p), *M = gsl_matrix_alloc(p, p);
    gsl_matrix *U = gsl_matrix_alloc(p, p), *XL = gsl_matrix_alloc(n, p);
    gsl_eigen_symmv_workspace *eig = gsl_eigen_symmv_alloc(p);
    m->q = gsl_matrix_alloc(n, p);
    m->s = gsl_vector_alloc(p);
    m->qnorm = gsl_vector_alloc(p);
    int rc = G && M && U && XL && eig && m->q && m->s && m->qnorm ? IPSIM_OK : IPSIM_ENOMEM;
    if (rc) {
        IPSIM_FAIL(err, rc, "no memory for a %zu x %zu regression basis", n, p);
        goto done;
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, m->x, 0.0, G);
    double trace = 0;
    for (size_t i = 0; i < p; i++)
        trace += gsl_matrix_get(G, i, i);
    m->ridge = 1e-9 * trace / (double)p;
    for (size_t i = 0; i < p; i++)
        gsl_matrix_set(G, i, i, gsl_matrix_get(G, i, i) + m->ridge);
    if (gsl_linalg_cholesky_decomp1(G)) {
        rc = IPSIM_FAIL(err, IPSIM_EINTERNAL, "the regression basis is not positive definite");
        goto done;
    }
    /* M = L^-1 P L^-T */
    gsl_matrix_memcpy(M, m->penalty);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, G, M);
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, G, M);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++) {
            double v = 0.5 * (gsl_matrix_get(M, i, j) + gsl_matrix_get(M, j, i));
            gsl_matrix_set(M, i, j, v);
            gsl_matrix_set(M, j, i, v);
        }
    gsl_eigen_symmv(M, m->s, U, eig);
    for (size_t i = 0; i < p; i++)
        if (gsl_vector_get(m->s, i) < 0)
            gsl_vector_set(m->s, i, 0); /* rounding: P is positive semi-definite */
    gsl_matrix_memcpy(XL, m->x);
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, G, XL);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, XL, U, 0.0, m->q);
    for (size_t c = 0; c < p; c++) {
        gsl_vector_const_view col = gsl_matrix_const_column(m->q, c);
        double norm = gsl_blas_dnrm2(&col.vector);
        gsl_vector_set(m->qnorm, c, norm * norm);
    }
done:
    gsl_matrix_free(G);
    gsl_matrix_free(M);
    gsl_matrix_free(U);
    gsl_matrix_free(XL);
    gsl_eigen_symmv_free(eig);
    return rc;
}

int ipsim_metamodel_create(ipsim_metamodel **out, const double *x, int64_t n, int d,
                           ipsim_error *err)
{
    *out = NULL;
    if (n < MIN_DRAWS)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "%lld draws are too few for a regression metamodel (at least %d)",
                          (long long)n, MIN_DRAWS);
    if (d < 1 || d > 64)
        return IPSIM_FAIL(err, IPSIM_EPARAM, "a metamodel takes 1 to 64 inputs, not %d", d);
    for (int j = 0; j < d; j++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int64_t i = 0; i < n; i++) {
            const double v = x[i * d + j];
            if (!isfinite(v))
                return IPSIM_FAIL(err, IPSIM_EPARAM, "input %d of draw %lld is not finite", j,
                                  (long long)i);
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        if (!(hi > lo))
            return IPSIM_FAIL(err, IPSIM_EPARAM,
                              "input %d has the same value (%g) in every draw: it was not drawn",
                              j, lo);
    }
    ipsim_metamodel *m = calloc(1, sizeof *m);
    if (!m)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory for a metamodel");
    m->n = n;
    m->d = d;
    choose_basis(m);
    int rc = assemble(m, x);
    if (rc)
        IPSIM_FAIL(err, rc, "no memory for a regression basis of %lld draws", (long long)n);
    else
        rc = factorise(m, err);
    if (rc) {
        ipsim_metamodel_free(m);
        return rc;
    }
    *out = m;
    return IPSIM_OK;
}

/* Fitted values for penalty lambda from z = Q'y; returns the residual sum
 * of squares and the effective degrees of freedom. */
static double fit_at(const ipsim_metamodel *m, const double *y, const gsl_vector *z,
                     double lambda, gsl_vector *scaled, gsl_vector *fitted, double *edf)
{
    double trace = 0;
    for (int i = 0; i < m->p; i++) {
        const double w = 1.0 / (1.0 + lambda * gsl_vector_get(m->s, (size_t)i));
        gsl_vector_set(scaled, (size_t)i, w * gsl_vector_get(z, (size_t)i));
        trace += w * gsl_vector_get(m->qnorm, (size_t)i);
    }
    gsl_blas_dgemv(CblasNoTrans, 1.0, m->q, scaled, 0.0, fitted);
    double rss = 0;
    for (int64_t i = 0; i < m->n; i++) {
        const double r = y[i] - gsl_vector_get(fitted, (size_t)i);
        rss += r * r;
    }
    *edf = trace;
    return rss;
}

/* The REML criterion (up to a constant) of penalty lambda, from z = Q'y and
 * the residual outside the basis, rss_outside = |y - Q z|^2. In the
 * Demmler-Reinsch coordinates the penalised fit is the mixed model in
 * which each penalised coordinate z_i has variance sigma^2 (1 + 1 / (lambda
 * s_i)) and the residual has variance sigma^2; the unpenalised ones (the
 * penalty's null space, `free` of them) are fixed effects, which REML
 * integrates out. With sigma^2 profiled out:
 *   (n - free) log(sigma^2) + sum_{s_i > 0} log(1 + 1 / (lambda s_i)),
 *   sigma^2 = (rss_outside + sum_{s_i > 0} z_i^2 lambda s_i / (1 + lambda s_i)) / (n - free).
 * O(p) a penalty: Q's columns are orthonormal (up to the ridge). */
static double reml_score(const ipsim_metamodel *m, const gsl_vector *z, double rss_outside,
                         double floor, double lambda)
{
    int free_count = 0;
    double ss = rss_outside, logdet = 0;
    for (int i = 0; i < m->p; i++) {
        const double s = gsl_vector_get(m->s, (size_t)i), zi = gsl_vector_get(z, (size_t)i);
        if (s <= floor) {
            free_count++;
            continue;
        }
        const double ls = lambda * s;
        ss += zi * zi * ls / (1 + ls);
        logdet += log1p(1 / ls);
    }
    const double dof = (double)m->n - free_count;
    return dof * log(fmax(ss / dof, DBL_MIN)) + logdet;
}

int ipsim_metamodel_fit(const ipsim_metamodel *m, const double *y, double *fitted, ipsim_fit *fit,
                        ipsim_error *err)
{
    const int64_t n = m->n;
    double mean = 0, tss = 0;
    for (int64_t i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (int64_t i = 0; i < n; i++)
        tss += (y[i] - mean) * (y[i] - mean);
    if (!(tss > 0)) {
        for (int64_t i = 0; i < n; i++)
            fitted[i] = y[i];
        *fit = (ipsim_fit){.lambda = INFINITY, .edf = 1, .r_squared = 1};
        return IPSIM_OK;
    }
    gsl_vector_const_view yv = gsl_vector_const_view_array(y, (size_t)n);
    gsl_vector_view out = gsl_vector_view_array(fitted, (size_t)n);
    gsl_vector *zv = gsl_vector_alloc((size_t)m->p), *sv = gsl_vector_alloc((size_t)m->p);
    if (!zv || !sv) {
        gsl_vector_free(zv);
        gsl_vector_free(sv);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "no memory to fit a metamodel");
    }
    gsl_vector_view z = gsl_vector_subvector(zv, 0, (size_t)m->p);
    gsl_vector_view scaled = gsl_vector_subvector(sv, 0, (size_t)m->p);
    gsl_blas_dgemv(CblasTrans, 1.0, m->q, &yv.vector, 0.0, &z.vector);

    /* The penalties that matter lie between 1e-3 / max(s), which leaves every
     * function free, and 1e3 / min(s > 0), which leaves only the penalty's
     * null space (linear in each input). A grid on log(lambda), then golden
     * section around its best point, minimising the REML criterion.
     * REML, not GCV: GCV's criterion is flat near its minimum and often
     * undersmooths a noisy outcome (Reiss & Ogden, JRSS B 2009;71:505;
     * Wood, JRSS B 2011;73:3), and every wiggle a fit follows from noise
     * raises the value of information, which takes a maximum over options
     * (docs/voi.md, "Method"). */
    double smax = 0, smin = INFINITY;
    for (int i = 0; i < m->p; i++)
        smax = fmax(smax, gsl_vector_get(m->s, (size_t)i));
    const double floor = 1e-12 * smax;
    for (int i = 0; i < m->p; i++) {
        const double s = gsl_vector_get(m->s, (size_t)i);
        if (s > floor)
            smin = fmin(smin, s);
    }
    double best_log = 0, best = INFINITY, edf;
    if (smax > 0) {
        const double outside = fit_at(m, y, &z.vector, 0, &scaled.vector, &out.vector, &edf);
        enum { GRID = 81 };
        const double lo = log(1e-3 / smax), hi = log(1e3 / smin), h = (hi - lo) / (GRID - 1);
        int best_i = 0;
        for (int i = 0; i < GRID; i++) {
            const double score = reml_score(m, &z.vector, outside, floor, exp(lo + i * h));
            if (score < best) {
                best = score;
                best_i = i;
            }
        }
        double a = lo + (best_i > 0 ? best_i - 1 : 0) * h;
        double b = lo + (best_i < GRID - 1 ? best_i + 1 : GRID - 1) * h;
        const double ratio = (sqrt(5.0) - 1) / 2;
        best_log = lo + best_i * h;
        for (int it = 0; it < 40 && b - a > 1e-6; it++) {
            const double c = b - ratio * (b - a), e = a + ratio * (b - a);
            const double sc = reml_score(m, &z.vector, outside, floor, exp(c));
            const double se = reml_score(m, &z.vector, outside, floor, exp(e));
            if (sc < se)
                b = e;
            else
                a = c;
            if (fmin(sc, se) < best) {
                best = fmin(sc, se);
                best_log = sc < se ? c : e;
            }
        }
    }
    const double lambda = smax > 0 ? exp(best_log) : 0;
    const double rss = fit_at(m, y, &z.vector, lambda, &scaled.vector, &out.vector, &edf);
    *fit = (ipsim_fit){.lambda = lambda, .edf = edf, .r_squared = 1 - rss / tss};
    gsl_vector_free(zv);
    gsl_vector_free(sv);
    return IPSIM_OK;
}

int ipsim_metamodel_refit(const ipsim_metamodel *m, const double *weights, const double *y,
                          const double *lambda, int count, double *fitted, ipsim_error *err)
{
    const size_t n = (size_t)m->n, p = (size_t)m->p;
    gsl_matrix *xw = gsl_matrix_alloc(n, p), *G = gsl_matrix_calloc(p, p);
    gsl_matrix *A = gsl_matrix_calloc(p, p);
    gsl_vector *b = gsl_vector_alloc(p), *beta = gsl_vector_alloc(p), *wy = gsl_vector_alloc(n);
    int rc = xw && G && A && b && beta && wy ? IPSIM_OK : IPSIM_ENOMEM;
    if (rc) {
        IPSIM_FAIL(err, rc, "no memory to refit a metamodel");
        goto done;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        const double root = sqrt(weights[i]);
        total += weights[i];
        for (size_t c = 0; c < p; c++)
            gsl_matrix_set(xw, i, c, root * gsl_matrix_get(m->x, i, c));
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, xw, 0.0, G);
    for (int k = 0; k < count; k++) {
        const double *yk = y + (size_t)k * n;
        double *out = fitted + (size_t)k * n;
        if (!isfinite(lambda[k])) {
            double mean = 0;
            for (size_t i = 0; i < n; i++)
                mean += weights[i] * yk[i];
            mean /= total;
            for (size_t i = 0; i < n; i++)
                out[i] = mean;
            continue;
        }
        for (size_t i = 0; i < n; i++)
            gsl_vector_set(wy, i, weights[i] * yk[i]);
        gsl_blas_dgemv(CblasTrans, 1.0, m->x, wy, 0.0, b);
        /* A resample can leave a basis function with (almost) no draws and
         * so no information; a larger ridge then shrinks its coefficient. */
        bool factorised = false;
        for (double ridge = m->ridge; !factorised && ridge <= 1e6 * m->ridge; ridge *= 1e3) {
            for (size_t r = 0; r < p; r++)
                for (size_t c = 0; c <= r; c++)
                    gsl_matrix_set(A, r, c,
                                   gsl_matrix_get(G, r, c) +
                                       lambda[k] * gsl_matrix_get(m->penalty, r, c) +
                                       (r == c ? ridge : 0));
            factorised = gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS;
        }
        if (!factorised) {
            rc = IPSIM_FAIL(err, IPSIM_EINTERNAL, "a bootstrap refit is not positive definite");
            goto done;
        }
        gsl_linalg_cholesky_solve(A, b, beta);
        gsl_vector_view o = gsl_vector_view_array(out, n);
        gsl_blas_dgemv(CblasNoTrans, 1.0, m->x, beta, 0.0, &o.vector);
    }
done:
    gsl_matrix_free(xw);
    gsl_matrix_free(G);
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(beta);
    gsl_vector_free(wy);
    return rc;
}
