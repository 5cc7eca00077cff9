/* params/psa.c: distributions of uncertain parameters, and their draws. */
#include "params/psa.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "params/schema.h"
#include "params/yaml_tree.h"

const char *const ipsim_distribution_names[IPSIM_DISTRIBUTIONS] = {
    "beta", "gamma", "lognormal", "normal", "uniform", "dirichlet", "posterior"};

/* The 97.5% standard normal quantile: a 95% interval is mean +- this x SD. */
#define Z975 1.959963984540054


/* ---- parsing ------------------------------------------------------------ */

typedef struct parse_state {
    const ipsim_yaml_node *map;
    char *why;
    size_t why_size;
    const ipsim_yaml_node **where;
} parse_state;

static int fail(parse_state *s, const ipsim_yaml_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(parse_state *s, const ipsim_yaml_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, s->why_size, fmt, ap);
    va_end(ap);
    *s->where = at ? at : s->map;
    return IPSIM_EPARAM;
}

/* Reads the real under `key` if present: 1 found, 0 absent, -1 error. */
static int get_real(parse_state *s, const char *key, double *out)
{
    const ipsim_yaml_node *n = ipsim_yaml_lookup(s->map, key);
    if (!n)
        return 0;
    const char *why;
    if (!ipsim_yaml_real(n, out, &why)) {
        fail(s, n, "'%s': %s", key, why);
        return -1;
    }
    return 1;
}

/* Refuses keys the chosen form does not use (a misspelt `sd` would
 * otherwise be silently ignored). allowed is NULL-terminated. */
static int check_keys(parse_state *s, const char *const *allowed, const char *forms)
{
    for (size_t i = 0; i + 1 < s->map->count; i += 2) {
        const ipsim_yaml_node *k = s->map->items[i];
        int ok = 0;
        for (int j = 0; allowed[j] && k->kind == IPSIM_YAML_SCALAR; j++)
            ok |= strcmp(k->scalar, allowed[j]) == 0;
        if (!ok)
            return fail(s, k, "unknown key '%s' in this distribution; give %s",
                        k->kind == IPSIM_YAML_SCALAR ? k->scalar : "?", forms);
    }
    return IPSIM_OK;
}

/* Refuses a parameter that must be positive, pointing at its key. */
static int positive(parse_state *s, const char *key, double v)
{
    if (v > 0)
        return IPSIM_OK;
    return fail(s, ipsim_yaml_lookup(s->map, key), "'%s' must be greater than 0, got %g", key, v);
}

static int read_ci95(parse_state *s, double *lo, double *hi, int logscale)
{
    const ipsim_yaml_node *n = ipsim_yaml_lookup(s->map, "ci95");
    const char *why;
    if (n->kind != IPSIM_YAML_SEQUENCE || n->count != 2)
        return fail(s, n, "'ci95' must be a list of two bounds, [lower, upper]");
    if (!ipsim_yaml_real(n->items[0], lo, &why) || !ipsim_yaml_real(n->items[1], hi, &why))
        return fail(s, n, "'ci95': %s", why);
    if (!(*lo < *hi))
        return fail(s, n, "'ci95': the lower bound %g is not below the upper bound %g", *lo, *hi);
    if (logscale && !(*lo > 0))
        return fail(s, n, "'ci95': a lognormal's bounds must be greater than 0, got %g", *lo);
    return IPSIM_OK;
}

int ipsim_psa_find_element(const char *name, int32_t *spec, int32_t *element)
{
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const ipsim_param_spec *q = &ipsim_param_specs[i];
        size_t n = strlen(q->path);
        if (q->type != IPSIM_PARAM_REAL || strncmp(name, q->path, n) != 0)
            continue;
        if (q->shape == IPSIM_SHAPE_SCALAR && name[n] == '\0') {
            *spec = (int32_t)i;
            *element = 0;
            return 0;
        }
        if (q->shape == IPSIM_SHAPE_VECTOR && name[n] == '.')
            for (int k = 0; k < q->length; k++)
                if (strcmp(name + n + 1, q->labels[k]) == 0) {
                    *spec = (int32_t)i;
                    *element = k;
                    return 0;
                }
    }
    return -1;
}

/* `correlated_with: NAME, rho: R` (both or neither). */
static int parse_correlation(parse_state *s, ipsim_uncertain *out)
{
    const ipsim_yaml_node *with = ipsim_yaml_lookup(s->map, "correlated_with");
    double rho = 0;
    int has_rho = get_real(s, "rho", &rho);
    if (has_rho < 0)
        return IPSIM_EPARAM;
    if (!with && !has_rho)
        return IPSIM_OK;
    if (!with || !has_rho)
        return fail(s, with ? with : ipsim_yaml_lookup(s->map, "rho"),
                    "a correlation needs both 'correlated_with' (the other parameter's key "
                    "path) and 'rho'");
    if (with->kind != IPSIM_YAML_SCALAR ||
        ipsim_psa_find_element(with->scalar, &out->with_spec, &out->with_element))
        return fail(s, with, "'correlated_with' must name a real parameter or vector element, "
                             "such as ivig.rate_ratio_all");
    if (!(rho >= -1 && rho <= 1) || rho == 0)
        return fail(s, ipsim_yaml_lookup(s->map, "rho"),
                    "'rho' must be in [-1, 1] and not 0, got %g", rho);
    out->rho = rho;
    return IPSIM_OK;
}

int ipsim_uncertain_parse_scalar(const ipsim_yaml_node *node, ipsim_uncertain *out, double *value,
                                 char *why, size_t why_size, const ipsim_yaml_node **where)
{
    parse_state s = {node, why, why_size, where};
    const ipsim_yaml_node *d = ipsim_yaml_lookup(node, "distribution");
    int dist = -1;
    for (int i = 0; d && d->kind == IPSIM_YAML_SCALAR && i < IPSIM_DISTRIBUTIONS; i++)
        if (strcmp(d->scalar, ipsim_distribution_names[i]) == 0)
            dist = i;
    if (dist < 0 || dist >= IPSIM_DIST_DIRICHLET)
        return fail(&s, d, "'distribution' must be one of beta, gamma, lognormal, normal, "
                           "uniform%s",
                    dist == IPSIM_DIST_DIRICHLET
                        ? " here (a Dirichlet is for a whole vector of shares that sums to 1)"
                    : dist == IPSIM_DIST_POSTERIOR
                        ? " (a posterior's draws come from a file that psa.posterior names)"
                        : "");
    memset(out, 0, sizeof *out);
    out->distribution = dist;
    out->count = 1;

    static const char *const beta_keys[] = {"distribution", "value", "alpha", "beta", "mean", "se", "correlated_with", "rho", NULL};
    static const char *const gamma_keys[] = {"distribution", "value", "shape", "scale", "rate", "mean", "se", "correlated_with", "rho", NULL};
    static const char *const lognormal_keys[] = {"distribution", "value", "meanlog", "sdlog", "mean", "se", "ci95", "correlated_with", "rho", NULL};
    static const char *const normal_keys[] = {"distribution", "value", "mean", "sd", "se", "ci95", "correlated_with", "rho", NULL};
    static const char *const uniform_keys[] = {"distribution", "value", "min", "max", "mean", "se", "correlated_with", "rho", NULL};
    static const char *const *const keys[] = {beta_keys, gamma_keys, lognormal_keys, normal_keys,
                                              uniform_keys};
    static const char *const forms[] = {
        "alpha and beta, or mean and se",
        "shape and scale (or rate), or mean and se",
        "meanlog and sdlog, mean and se, or ci95: [lower, upper]",
        "mean and sd (or se), or ci95: [lower, upper]",
        "min and max, or mean and se"};
    if (check_keys(&s, keys[dist], forms[dist]))
        return IPSIM_EPARAM;

    double x1 = 0, x2 = 0, mean = 0, se = 0;
    int has_mean = get_real(&s, "mean", &mean), has_se = get_real(&s, "se", &se);
    if (has_mean < 0 || has_se < 0)
        return IPSIM_EPARAM;
    int by_moments = has_mean && has_se;
    if (by_moments && !(se > 0))
        return fail(&s, ipsim_yaml_lookup(node, "se"), "'se' must be greater than 0, got %g", se);
    int has_ci = ipsim_yaml_lookup(node, "ci95") != NULL;
    const char *missing = NULL;
    /* Two complete forms could disagree; say which to keep rather than pick. */
    static const char *const first_natural[] = {"alpha", "shape", "meanlog", "sd", "min"};
    int forms_given = (by_moments && dist != IPSIM_DIST_NORMAL) + has_ci +
                      (ipsim_yaml_lookup(node, first_natural[dist]) != NULL);
    if (dist == IPSIM_DIST_NORMAL)
        forms_given = (has_mean || has_se || ipsim_yaml_lookup(node, "sd")) + has_ci;
    if (forms_given > 1)
        return fail(&s, node, "give the %s distribution in one form only: %s",
                    ipsim_distribution_names[dist], forms[dist]);

    switch (dist) {
    case IPSIM_DIST_BETA: {
        int h1 = get_real(&s, "alpha", &x1), h2 = get_real(&s, "beta", &x2);
        if (h1 < 0 || h2 < 0)
            return IPSIM_EPARAM;
        if (h1 && h2) {
            if (positive(&s, "alpha", x1) || positive(&s, "beta", x2))
                return IPSIM_EPARAM;
        } else if (by_moments) {
            if (!(mean > 0 && mean < 1))
                return fail(&s, ipsim_yaml_lookup(node, "mean"),
                            "a beta's mean must be between 0 and 1, got %g", mean);
            double k = mean * (1 - mean) / (se * se) - 1;
            if (!(k > 0))
                return fail(&s, ipsim_yaml_lookup(node, "se"),
                            "a beta with mean %g cannot have se %g: se must be below "
                            "sqrt(mean (1 - mean)) = %g",
                            mean, se, sqrt(mean * (1 - mean)));
            x1 = mean * k;
            x2 = (1 - mean) * k;
        } else {
            missing = forms[dist];
        }
        break;
    }
    case IPSIM_DIST_GAMMA: {
        double rate = 0;
        int h1 = get_real(&s, "shape", &x1), h2 = get_real(&s, "scale", &x2),
            h3 = get_real(&s, "rate", &rate);
        if (h1 < 0 || h2 < 0 || h3 < 0)
            return IPSIM_EPARAM;
        if (h1 && (h2 || h3) && !(h2 && h3)) {
            if (h3) {
                if (positive(&s, "rate", rate))
                    return IPSIM_EPARAM;
                x2 = 1 / rate;
            }
            if (positive(&s, "shape", x1) || positive(&s, "scale", x2))
                return IPSIM_EPARAM;
        } else if (by_moments) {
            if (positive(&s, "mean", mean))
                return IPSIM_EPARAM;
            x1 = mean * mean / (se * se);
            x2 = se * se / mean;
        } else {
            missing = forms[dist];
        }
        break;
    }
    case IPSIM_DIST_LOGNORMAL: {
        int h1 = get_real(&s, "meanlog", &x1), h2 = get_real(&s, "sdlog", &x2);
        if (h1 < 0 || h2 < 0)
            return IPSIM_EPARAM;
        if (h1 && h2) {
            if (positive(&s, "sdlog", x2))
                return IPSIM_EPARAM;
        } else if (has_ci) {
            double lo, hi;
            if (read_ci95(&s, &lo, &hi, 1))
                return IPSIM_EPARAM;
            x1 = 0.5 * (log(lo) + log(hi));
            x2 = (log(hi) - log(lo)) / (2 * Z975);
        } else if (by_moments) {
            if (positive(&s, "mean", mean))
                return IPSIM_EPARAM;
            x2 = sqrt(log1p(se * se / (mean * mean)));
            x1 = log(mean) - 0.5 * x2 * x2;
        } else {
            missing = forms[dist];
        }
        break;
    }
    case IPSIM_DIST_NORMAL: {
        int h2 = get_real(&s, "sd", &x2);
        if (h2 < 0)
            return IPSIM_EPARAM;
        if (has_mean && (h2 || has_se) && !(h2 && has_se)) {
            x1 = mean;
            x2 = h2 ? x2 : se;
            if (positive(&s, h2 ? "sd" : "se", x2))
                return IPSIM_EPARAM;
        } else if (has_ci && !has_mean) {
            double lo, hi;
            if (read_ci95(&s, &lo, &hi, 0))
                return IPSIM_EPARAM;
            x1 = 0.5 * (lo + hi);
            x2 = (hi - lo) / (2 * Z975);
        } else {
            missing = forms[dist];
        }
        break;
    }
    case IPSIM_DIST_UNIFORM: {
        int h1 = get_real(&s, "min", &x1), h2 = get_real(&s, "max", &x2);
        if (h1 < 0 || h2 < 0)
            return IPSIM_EPARAM;
        if (h1 && h2) {
            if (!(x1 < x2))
                return fail(&s, ipsim_yaml_lookup(node, "max"),
                            "'max' (%g) must be greater than 'min' (%g)", x2, x1);
        } else if (by_moments) {
            x1 = mean - sqrt(3.0) * se;
            x2 = mean + sqrt(3.0) * se;
        } else {
            missing = forms[dist];
        }
        break;
    }
    }
    if (missing)
        return fail(&s, node, "a %s distribution needs %s", ipsim_distribution_names[dist], missing);
    out->a = x1;
    out->b = x2;
    if (parse_correlation(&s, out))
        return IPSIM_EPARAM;
    int has_value = get_real(&s, "value", value);
    if (has_value < 0)
        return IPSIM_EPARAM;
    if (!has_value)
        *value = ipsim_uncertain_mean(out, 0);
    if (!isfinite(out->a) || !isfinite(out->b) || !isfinite(*value))
        return fail(&s, node, "the distribution's parameters overflow");
    return IPSIM_OK;
}

/* Reads `count` positive reals from a list or a mapping by label. */
static int read_shares(parse_state *s, const ipsim_yaml_node *n, const char *key, int count,
                       const char *const *labels, double *out)
{
    const char *why;
    if (n->kind == IPSIM_YAML_SEQUENCE) {
        if ((int)n->count != count)
            return fail(s, n, "'%s' needs %d values, got %zu", key, count, n->count);
        for (int i = 0; i < count; i++)
            if (!ipsim_yaml_real(n->items[i], &out[i], &why))
                return fail(s, n->items[i], "'%s': %s", key, why);
        return IPSIM_OK;
    }
    if (n->kind != IPSIM_YAML_MAPPING)
        return fail(s, n, "'%s' must be a list of %d values or a mapping by label", key, count);
    for (int i = 0; i < count; i++) {
        const ipsim_yaml_node *v = ipsim_yaml_lookup(n, labels[i]);
        if (!v)
            return fail(s, n, "'%s' has no entry '%s'", key, labels[i]);
        if (!ipsim_yaml_real(v, &out[i], &why))
            return fail(s, v, "'%s.%s': %s", key, labels[i], why);
    }
    if ((int)n->count != 2 * count)
        return fail(s, n, "'%s' has entries that are not among its %d labels", key, count);
    return IPSIM_OK;
}

int ipsim_uncertain_parse_dirichlet(const ipsim_yaml_node *node, int count,
                                    const char *const *labels, ipsim_uncertain *out,
                                    double *values, char *why, size_t why_size,
                                    const ipsim_yaml_node **where)
{
    parse_state s = {node, why, why_size, where};
    const ipsim_yaml_node *d = ipsim_yaml_lookup(node, "distribution");
    if (d->kind != IPSIM_YAML_SCALAR || strcmp(d->scalar, "dirichlet") != 0)
        return fail(&s, d, "shares that sum to 1 take a Dirichlet distribution "
                           "(distribution: dirichlet), got '%s'",
                    d->kind == IPSIM_YAML_SCALAR ? d->scalar : "?");
    static const char *const keys[] = {"distribution", "alpha", "mean", "n", NULL};
    if (check_keys(&s, keys, "alpha, or mean and n"))
        return IPSIM_EPARAM;
    memset(out, 0, sizeof *out);
    out->distribution = IPSIM_DIST_DIRICHLET;
    out->count = count;
    const ipsim_yaml_node *alpha = ipsim_yaml_lookup(node, "alpha");
    const ipsim_yaml_node *mean = ipsim_yaml_lookup(node, "mean");
    if (alpha && !mean) {
        if (read_shares(&s, alpha, "alpha", count, labels, out->alpha))
            return IPSIM_EPARAM;
    } else if (mean && !alpha) {
        double n = 0, m[IPSIM_VECTOR_MAX], sum = 0;
        int has_n = get_real(&s, "n", &n);
        if (has_n < 0 || read_shares(&s, mean, "mean", count, labels, m))
            return IPSIM_EPARAM;
        if (!has_n || !(n > 0))
            return fail(&s, node, "a Dirichlet given by its mean needs n > 0, the sample size "
                                  "the shares are worth (alpha = mean x n)");
        for (int i = 0; i < count; i++)
            sum += m[i];
        if (fabs(sum - 1) > 1e-6)
            return fail(&s, mean, "the mean shares sum to %.9g, not 1", sum);
        for (int i = 0; i < count; i++)
            out->alpha[i] = m[i] * n;
    } else {
        return fail(&s, node, "a Dirichlet needs alpha, or mean and n");
    }
    for (int i = 0; i < count; i++)
        if (!(out->alpha[i] > 0) || !isfinite(out->alpha[i]))
            return fail(&s, alpha ? alpha : mean,
                        "every concentration must be greater than 0; '%s' is %g", labels[i],
                        out->alpha[i]);
    for (int i = 0; i < count; i++)
        values[i] = ipsim_uncertain_mean(out, i);
    return IPSIM_OK;
}

/* ---- moments ------------------------------------------------------------- */

static double alpha_sum(const ipsim_uncertain *u)
{
    double sum = 0;
    for (int i = 0; i < u->count; i++)
        sum += u->alpha[i];
    return sum;
}

double ipsim_uncertain_mean(const ipsim_uncertain *u, int k)
{
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return u->a / (u->a + u->b);
    case IPSIM_DIST_GAMMA: return u->a * u->b;
    case IPSIM_DIST_LOGNORMAL: return exp(u->a + 0.5 * u->b * u->b);
    case IPSIM_DIST_NORMAL: return u->a;
    case IPSIM_DIST_UNIFORM: return 0.5 * (u->a + u->b);
    case IPSIM_DIST_DIRICHLET: return u->alpha[k] / alpha_sum(u);
    case IPSIM_DIST_POSTERIOR: break; /* the file's, not known here */
    }
    return NAN;
}

double ipsim_uncertain_sd(const ipsim_uncertain *u, int k)
{
    double a = u->a, b = u->b;
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
    case IPSIM_DIST_GAMMA: return sqrt(a) * b;
    case IPSIM_DIST_LOGNORMAL: return sqrt(expm1(b * b)) * exp(a + 0.5 * b * b);
    case IPSIM_DIST_NORMAL: return b;
    case IPSIM_DIST_UNIFORM: return (b - a) / sqrt(12.0);
    case IPSIM_DIST_DIRICHLET: {
        double s = alpha_sum(u), ak = u->alpha[k];
        return sqrt(ak * (s - ak) / (s * s * (s + 1)));
    }
    case IPSIM_DIST_POSTERIOR: break;
    }
    return NAN;
}

/* ---- formatting ------------------------------------------------------------ */

void ipsim_uncertain_format(const ipsim_uncertain *u, double value, const char *const *labels,
                            char *buf, size_t size)
{
    static const char *const natural[IPSIM_DISTRIBUTIONS][2] = {
        {"alpha", "beta"}, {"shape", "scale"}, {"meanlog", "sdlog"},
        {"mean", "sd"},    {"min", "max"},     {NULL, NULL}, {"column", "rows"}};
    char x[32], y[32], v[32];
    size_t n = (size_t)snprintf(buf, size, "{distribution: %s",
                                ipsim_distribution_names[u->distribution]);
    if (u->distribution == IPSIM_DIST_DIRICHLET) {
        n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, ", alpha: {");
        for (int i = 0; i < u->count; i++) {
            ipsim_yaml_format_real(u->alpha[i], x, sizeof x);
            n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
                                  "%s%s: %s", i ? ", " : "", labels[i], x);
        }
        snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "}}");
        return;
    }
    /* A posterior column's number counts the file's parameter columns from
     * 1, as its errors do. */
    ipsim_yaml_format_real(u->distribution == IPSIM_DIST_POSTERIOR ? u->a + 1 : u->a, x, sizeof x);
    ipsim_yaml_format_real(u->b, y, sizeof y);
    ipsim_yaml_format_real(value, v, sizeof v);
    n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
                          ", %s: %s, %s: %s, value: %s", natural[u->distribution][0], x,
                          natural[u->distribution][1], y, v);
    if (u->rho != 0) {
        char with[IPSIM_KEY_MAX];
        ipsim_param_element_name(&ipsim_param_specs[u->with_spec], u->with_element, with, sizeof with);
        ipsim_yaml_format_real(u->rho, x, sizeof x);
        n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
                              ", correlated_with: %s, rho: %s", with, x);
    }
    snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "}");
}

/* ---- the list ------------------------------------------------------------- */

static int before(const ipsim_uncertain *x, int spec, int element)
{
    return x->spec < spec || (x->spec == spec && x->element < element);
}

int ipsim_uncertain_add(ipsim_params *p, const ipsim_uncertain *u, ipsim_error *err)
{
    int n = p->uncertain.count, at = 0;
    while (at < n && before(&p->uncertain.items[at], u->spec, u->element))
        at++;
    if (at < n && p->uncertain.items[at].spec == u->spec &&
        p->uncertain.items[at].element == u->element) {
        p->uncertain.items[at] = *u;
        return IPSIM_OK;
    }
    if (n >= IPSIM_UNCERTAIN_MAX)
        return IPSIM_FAIL(err, IPSIM_EPARAM,
                          "more than %d parameters are given as distributions; ipsim draws at "
                          "most %d",
                          IPSIM_UNCERTAIN_MAX, IPSIM_UNCERTAIN_MAX);
    memmove(&p->uncertain.items[at + 1], &p->uncertain.items[at],
            (size_t)(n - at) * sizeof p->uncertain.items[0]);
    p->uncertain.items[at] = *u;
    p->uncertain.count = n + 1;
    return IPSIM_OK;
}

void ipsim_uncertain_remove(ipsim_params *p, int spec, int first, int count)
{
    int kept = 0;
    for (int i = 0; i < p->uncertain.count; i++) {
        const ipsim_uncertain *u = &p->uncertain.items[i];
        if (u->spec != spec || u->element + u->count <= first || u->element >= first + count)
            p->uncertain.items[kept++] = *u;
    }
    /* Zeroed, so that equal parameter sets stay equal byte for byte. */
    memset(&p->uncertain.items[kept], 0,
           (size_t)(p->uncertain.count - kept) * sizeof p->uncertain.items[0]);
    p->uncertain.count = kept;
}

const ipsim_uncertain *ipsim_uncertain_find(const ipsim_params *p, int spec, int element)
{
    for (int i = 0; i < p->uncertain.count; i++) {
        const ipsim_uncertain *u = &p->uncertain.items[i];
        if (u->spec == spec && element >= u->element && element < u->element + u->count)
            return u;
    }
    return NULL;
}

int ipsim_psa_dimension(const ipsim_params *p)
{
    int n = 0;
    for (int i = 0; i < p->uncertain.count; i++)
        n += p->uncertain.items[i].count;
    return n;
}

const ipsim_uncertain *ipsim_psa_entry(const ipsim_params *p, int i, int *k)
{
    for (int j = 0; j < p->uncertain.count; j++) {
        const ipsim_uncertain *u = &p->uncertain.items[j];
        if (i < u->count) {
            *k = i;
            return u;
        }
        i -= u->count;
    }
    *k = 0;
    return NULL;
}

void ipsim_psa_name(const ipsim_params *p, int i, char *buf, size_t size)
{
    int k;
    const ipsim_uncertain *u = ipsim_psa_entry(p, i, &k);
    if (!u) {
        snprintf(buf, size, "?");
        return;
    }
    ipsim_param_element_name(&ipsim_param_specs[u->spec], u->element + k, buf, size);
}

void ipsim_psa_describe(const ipsim_params *p, int i, char *buf, size_t size)
{
    int k;
    const ipsim_uncertain *u = ipsim_psa_entry(p, i, &k);
    if (!u) {
        snprintf(buf, size, "?");
        return;
    }
    const ipsim_param_spec *spec = &ipsim_param_specs[u->spec];
    const double *field = (const double *)((const char *)p + spec->offset);
    ipsim_uncertain_format(u, field[u->element + k], spec->labels, buf, size);
}

/* ---- drawing --------------------------------------------------------------- */

static double draw_scalar(const ipsim_uncertain *u, gsl_rng *rng)
{
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return gsl_ran_beta(rng, u->a, u->b);
    case IPSIM_DIST_GAMMA: return gsl_ran_gamma(rng, u->a, u->b);
    case IPSIM_DIST_LOGNORMAL: return gsl_ran_lognormal(rng, u->a, u->b);
    case IPSIM_DIST_NORMAL: return u->a + gsl_ran_gaussian(rng, u->b);
    case IPSIM_DIST_UNIFORM: return gsl_ran_flat(rng, u->a, u->b);
    case IPSIM_DIST_DIRICHLET:
    case IPSIM_DIST_POSTERIOR: break;
    }
    return NAN;
}

/* The cumulative distribution function of a scalar distribution, and its
 * inverse, for the Gaussian copula of correlated draws. */
static double scalar_cdf(const ipsim_uncertain *u, double x)
{
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return gsl_cdf_beta_P(x, u->a, u->b);
    case IPSIM_DIST_GAMMA: return gsl_cdf_gamma_P(x, u->a, u->b);
    case IPSIM_DIST_LOGNORMAL: return gsl_cdf_ugaussian_P((log(x) - u->a) / u->b);
    case IPSIM_DIST_NORMAL: return gsl_cdf_ugaussian_P((x - u->a) / u->b);
    case IPSIM_DIST_UNIFORM: return (x - u->a) / (u->b - u->a);
    case IPSIM_DIST_DIRICHLET:
    case IPSIM_DIST_POSTERIOR: break;
    }
    return NAN;
}

/* The value at standard normal score z (its quantile at Phi(z)); the
 * lognormal and normal exactly, so that their correlation is rho itself. */
static double scalar_at_score(const ipsim_uncertain *u, double z)
{
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return gsl_cdf_beta_Pinv(gsl_cdf_ugaussian_P(z), u->a, u->b);
    case IPSIM_DIST_GAMMA: return gsl_cdf_gamma_Pinv(gsl_cdf_ugaussian_P(z), u->a, u->b);
    case IPSIM_DIST_LOGNORMAL: return exp(u->a + u->b * z);
    case IPSIM_DIST_NORMAL: return u->a + u->b * z;
    case IPSIM_DIST_UNIFORM: return u->a + (u->b - u->a) * gsl_cdf_ugaussian_P(z);
    case IPSIM_DIST_DIRICHLET:
    case IPSIM_DIST_POSTERIOR: break;
    }
    return NAN;
}

/* The entry drawing element `element` of spec `spec`, and its first value's
 * position among the draws; NULL if none. */
static const ipsim_uncertain *entry_of(const ipsim_params *p, int spec, int element, int *at)
{
    *at = 0;
    for (int j = 0; j < p->uncertain.count; j++) {
        const ipsim_uncertain *u = &p->uncertain.items[j];
        if (u->spec == spec && element >= u->element && element < u->element + u->count)
            return u;
        *at += u->count;
    }
    return NULL;
}

const char *ipsim_psa_rule(const ipsim_params *p, char *why, size_t size)
{
    for (int j = 0; j < p->uncertain.count; j++) {
        const ipsim_uncertain *u = &p->uncertain.items[j];
        if (u->rho == 0)
            continue;
        int at;
        const ipsim_uncertain *w = entry_of(p, u->with_spec, u->with_element, &at);
        char name[IPSIM_KEY_MAX], with[IPSIM_KEY_MAX];
        ipsim_param_element_name(&ipsim_param_specs[u->spec], u->element, name, sizeof name);
        ipsim_param_element_name(&ipsim_param_specs[u->with_spec], u->with_element, with, sizeof with);
        const char *problem = w == u                                 ? "itself"
                              : w && w->distribution == IPSIM_DIST_DIRICHLET ? "a Dirichlet's share"
                              : w && w->distribution == IPSIM_DIST_POSTERIOR
                                  ? "a column of psa.posterior's file"
                              : w && w->rho != 0 ? "a draw that is itself correlated with another"
                                                 : NULL;
        if (problem) {
            snprintf(why, size, "%s cannot be correlated with %s (%s): correlate each with "
                                "one independently drawn scalar",
                     name, with, problem);
            return ipsim_param_specs[u->spec].path;
        }
    }
    return NULL;
}

/* The row of psa.posterior's file replicate `stream` takes: one for all its
 * columns, from a stream of its own. */
static int64_t posterior_row(const ipsim_posterior_file *f, ipsim_stream stream,
                             ipsim_gsl_stream *gs)
{
    gsl_rng *rng = ipsim_gsl_stream_reset(gs, stream, ipsim_rng_name_hash("psa.posterior"), 0,
                                          IPSIM_PURPOSE_PSA);
    return (int64_t)gsl_rng_uniform_int(rng, (unsigned long)f->ref.rows);
}

int ipsim_psa_draw(const ipsim_params *p, const ipsim_posterior_file *posterior, uint64_t seed,
                   int64_t replicate, ipsim_gsl_stream *gs, double *values, ipsim_error *err)
{
    const ipsim_stream stream = {seed, (uint64_t)replicate};
    if (p->psa.posterior.path[0] && (!posterior || !ipsim_posterior_same(&posterior->ref,
                                                                          &p->psa.posterior)))
        return IPSIM_FAIL(err, IPSIM_EINTERNAL,
                          "the PSA draws from psa.posterior's file, which was not opened");
    int64_t row = -1;
    /* Independent draws first, then the correlated ones, which read the
     * value of the draw they are correlated with (ipsim_psa_rule keeps
     * that one independent). */
    for (int pass = 0; pass < 2; pass++) {
        double *out = values;
        for (int j = 0; j < p->uncertain.count; out += p->uncertain.items[j].count, j++) {
            const ipsim_uncertain *u = &p->uncertain.items[j];
            if ((u->rho != 0) != (pass == 1))
                continue;
            const ipsim_param_spec *spec = &ipsim_param_specs[u->spec];
            char name[IPSIM_KEY_MAX];
            ipsim_param_element_name(spec, u->element, name, sizeof name);
            gsl_rng *rng = ipsim_gsl_stream_reset(gs, stream, ipsim_rng_name_hash(name), 0,
                                                  IPSIM_PURPOSE_PSA);
            int at;
            const ipsim_uncertain *w =
                pass == 1 ? entry_of(p, u->with_spec, u->with_element, &at) : NULL;
            if (u->distribution == IPSIM_DIST_POSTERIOR) {
                if (row < 0)
                    row = posterior_row(posterior, stream, gs);
                out[0] = posterior->values[row * posterior->ref.columns + (int64_t)u->a];
            } else if (u->distribution == IPSIM_DIST_DIRICHLET) {
                gsl_ran_dirichlet(rng, (size_t)u->count, u->alpha, out);
            } else if (w) {
                /* Gaussian copula: the other draw's normal score, mixed with
                 * this one's own. A draw the other is not (given as a number)
                 * leaves this one independent. */
                double q = scalar_cdf(w, values[at + u->with_element - w->element]);
                q = q < 1e-300 ? 1e-300 : q > 1 - 1e-16 ? 1 - 1e-16 : q;
                const double z = u->rho * gsl_cdf_ugaussian_Pinv(q) +
                                 sqrt(1 - u->rho * u->rho) * gsl_ran_ugaussian(rng);
                out[0] = scalar_at_score(u, z);
            } else {
                out[0] = draw_scalar(u, rng);
            }
            for (int k = 0; k < u->count; k++) {
                double v = out[k];
                if (!(v >= spec->min && v <= spec->max) || (spec->max_exclusive && v >= spec->max)) {
                    char drawn[40];
                    ipsim_param_element_name(spec, u->element + k, name, sizeof name);
                    ipsim_yaml_format_real(v, drawn, sizeof drawn);
                    IPSIM_FAIL(err, IPSIM_EPARAM,
                               "PSA replicate %lld drew %s, outside the parameter's range [%g, "
                               "%g%s; give it a distribution that stays inside (a beta for a "
                               "probability, a gamma or lognormal for a positive value)",
                               (long long)replicate, drawn, spec->min, spec->max,
                               spec->max_exclusive ? ")" : "]");
                    ipsim_error_locate(err, NULL, 0, 0, name);
                    return IPSIM_EPARAM;
                }
            }
        }
    }
    return IPSIM_OK;
}

void ipsim_psa_apply(ipsim_params *p, const double *values)
{
    for (int j = 0; j < p->uncertain.count; j++) {
        const ipsim_uncertain *u = &p->uncertain.items[j];
        double *field = (double *)((char *)p + ipsim_param_specs[u->spec].offset);
        memcpy(field + u->element, values, (size_t)u->count * sizeof *values);
        values += u->count;
    }
}

int ipsim_psa_same(const ipsim_params *a, const ipsim_params *b)
{
    return ipsim_posterior_same(&a->psa.posterior, &b->psa.posterior) &&
           a->uncertain.count == b->uncertain.count &&
           memcmp(a->uncertain.items, b->uncertain.items,
                  (size_t)a->uncertain.count * sizeof a->uncertain.items[0]) == 0;
}
