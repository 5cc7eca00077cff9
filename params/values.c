/* params/values.c: one parameter's value, read from a YAML node into the
 * set being resolved: scalars, distributions, vectors and matrices, whole
 * or element by element (params/loader_internal.h). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "params/loader_internal.h"
#include "params/posterior_file.h"
#include "params/psa.h"

typedef ipsim_loader resolver;
typedef ipsim_loader_origin origin;
enum { VECTOR_MAX = IPSIM_VECTOR_MAX };

int ipsim_loader_fail_at(resolver *r, const char *source, const ipsim_yaml_node *node,
                         const char *key, int code, const char *fmt, ...)
{
    char msg[IPSIM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    IPSIM_FAIL(r->err, code, "%s", msg);
    ipsim_error_locate(r->err, source, node ? node->line : 0, node ? node->column : 0, key);
    return code;
}

#define fail_at ipsim_loader_fail_at

/* ---- scalars ---------------------------------------------------------- */

static bool is_distribution(const ipsim_yaml_node *n)
{
    return n->kind == IPSIM_YAML_MAPPING && ipsim_yaml_lookup(n, "distribution") != NULL;
}

static int check_range(resolver *r, const ipsim_param_spec *spec, const char *source,
                       const ipsim_yaml_node *n, const char *key, double v, const char *what)
{
    if (v < spec->min || v > spec->max || (spec->max_exclusive && v >= spec->max)) {
        /* The value as rejected: 1.0000000001 is not "1". */
        char range[64], value[40];
        ipsim_param_spec_range(spec, range, sizeof range);
        ipsim_yaml_format_real(v, value, sizeof value);
        return fail_at(r, source, n, key, IPSIM_EPARAM, "%s%s is out of range: must be in %s (%s)",
                       what, value, range, spec->unit);
    }
    return IPSIM_OK;
}

/* Records a distribution given for `element` of spec's values; its
 * deterministic value goes to *dst. */
static int store_distribution(resolver *r, const ipsim_param_spec *spec, const char *source,
                              const ipsim_yaml_node *n, const char *key, int element, double *dst)
{
    char why[IPSIM_MESSAGE_MAX];
    const ipsim_yaml_node *where = n;
    ipsim_uncertain u;
    double value;
    if (spec->type != IPSIM_PARAM_REAL)
        return fail_at(r, source, n, key, IPSIM_EPARAM,
                       "only real-valued parameters can be given as distributions");
    if (ipsim_uncertain_parse_scalar(n, &u, &value, why, sizeof why, &where))
        return fail_at(r, source, where, key, IPSIM_EPARAM, "%s", why);
    int rc = check_range(r, spec, source, n, key, value, "the deterministic value ");
    if (rc)
        return rc;
    u.spec = (int32_t)ipsim_param_spec_index(spec);
    u.element = element;
    if (ipsim_uncertain_add(r->params, &u, r->err)) {
        ipsim_error_locate(r->err, source, n->line, n->column, key);
        return IPSIM_EPARAM;
    }
    *dst = value;
    return IPSIM_OK;
}

/* Checks and stores one numeric element (REAL) or scalar value: a number,
 * or a distribution (params/psa.h) for element `element` of the spec. */
static int store_real(resolver *r, const ipsim_param_spec *spec, const char *source,
                      const ipsim_yaml_node *n, const char *key, int element, double *dst)
{
    if (is_distribution(n))
        return store_distribution(r, spec, source, n, key, element, dst);
    const char *why;
    double v;
    if (!ipsim_yaml_real(n, &v, &why))
        return fail_at(r, source, n, key, IPSIM_EPARAM, "%s, got %s%s%s", why,
                       n->kind == IPSIM_YAML_SCALAR ? "'" : ipsim_yaml_kind_name(n),
                       n->kind == IPSIM_YAML_SCALAR ? n->scalar : "",
                       n->kind == IPSIM_YAML_SCALAR ? "'" : "");
    int rc = check_range(r, spec, source, n, key, v, "");
    if (rc)
        return rc;
    *dst = v;
    return IPSIM_OK;
}

/* ---- vectors and matrices -------------------------------------------- */

static int find_label(const ipsim_param_spec *spec, const char *label)
{
    for (int i = 0; i < spec->length; i++)
        if (strcmp(spec->labels[i], label) == 0)
            return i;
    return -1;
}

static void label_list(const ipsim_param_spec *spec, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < spec->length && n < size; i++) {
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", spec->labels[i]);
        n += w > 0 ? (size_t)w : 0;
    }
}

/* Refuses shares whose sum is off, naming the entries that kept their
 * earlier values when only some were given. */
static int fail_sum(resolver *r, const ipsim_param_spec *spec, const char *source, long line,
                    long column, const char *key, const double *values, const bool *given)
{
    double sum = 0;
    char kept[256] = "";
    size_t used = 0;
    for (int i = 0; i < spec->length; i++) {
        sum += values[i];
        if (!given[i] && used < sizeof kept) {
            char v[40];
            ipsim_yaml_format_real(values[i], v, sizeof v);
            int w = snprintf(kept + used, sizeof kept - used, "%s%s %s", used ? ", " : "",
                             spec->labels[i], v);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    if (!kept[0])
        IPSIM_FAIL(r->err, IPSIM_EPARAM, "values sum to %.9g, not 1 (tolerance %g)", sum,
                   IPSIM_SUM_TOLERANCE);
    else
        IPSIM_FAIL(r->err, IPSIM_EPARAM,
                   "values sum to %.9g, not 1 (tolerance %g): the entries not given keep their "
                   "earlier values (%s); change some of them too, so that '%s' sums to 1",
                   sum, IPSIM_SUM_TOLERANCE, kept, key);
    ipsim_error_locate(r->err, source, line, column, key);
    return IPSIM_EPARAM;
}

static bool sums_to_one(const ipsim_param_spec *spec, const double *values)
{
    double sum = 0;
    for (int i = 0; i < spec->length; i++)
        sum += values[i];
    return fabs(sum - 1.0) <= IPSIM_SUM_TOLERANCE;
}

/* The shares a vector ends with must sum to 1, whichever entries were
 * given. A whole vector is checked at once, where it stands. One changed
 * in part may be set right by a later layer (a sweep's `list:` moving two
 * entries of a row, applied one --set at a time), so its check waits for
 * the end (ipsim_loader_check_pending); nothing is ever rescaled, which
 * would change values the user did not name. */
static int check_sum(resolver *r, const ipsim_param_spec *spec, const char *source,
                     const ipsim_yaml_node *n, const char *key, const double *values,
                     const bool *given, int row)
{
    if (spec->check != IPSIM_CHECK_SUM_TO_ONE && spec->check != IPSIM_CHECK_ROWS_SUM_TO_ONE)
        return IPSIM_OK;
    const int index = (int)ipsim_param_spec_index(spec);
    bool whole = true;
    for (int i = 0; i < spec->length; i++)
        whole &= given[i];
    int at = 0;
    while (at < r->pending_count &&
           (r->pending[at].spec != index || r->pending[at].row != row))
        at++;
    ipsim_loader_pending *p = at < r->pending_count ? &r->pending[at] : NULL;
    if (sums_to_one(spec, values) || whole) {
        if (p) /* settled: the last one takes its place */
            *p = r->pending[--r->pending_count];
        return whole && !sums_to_one(spec, values)
                   ? fail_sum(r, spec, source, n->line, n->column, key, values, given)
                   : IPSIM_OK;
    }
    if (!p) {
        if (r->pending_count == IPSIM_LOADER_PENDING_MAX)
            return fail_sum(r, spec, source, n->line, n->column, key, values, given);
        p = &r->pending[r->pending_count++];
        *p = (ipsim_loader_pending){.spec = index, .row = row};
    }
    for (int i = 0; i < spec->length; i++)
        p->given[i] |= given[i];
    p->source = source;
    p->line = n->line;
    p->column = n->column;
    snprintf(p->key, sizeof p->key, "%s", key);
    return IPSIM_OK;
}

int ipsim_loader_check_pending(resolver *r)
{
    for (int k = 0; k < r->pending_count; k++) {
        const ipsim_loader_pending *p = &r->pending[k];
        const ipsim_param_spec *spec = &ipsim_param_specs[p->spec];
        const double *values =
            (const double *)((const char *)r->params + spec->offset) + p->row * spec->length;
        if (!sums_to_one(spec, values))
            return fail_sum(r, spec, p->source, p->line, p->column, p->key, values, p->given);
    }
    return IPSIM_OK;
}

/* Reads a vector (or matrix row) into dst[length]: a list gives every
 * entry in label order; a mapping by label gives the entries it names and
 * leaves the others as dst holds them (the earlier layers' values). key is
 * the path for messages ("cohort.baseline_mix"); element_base the first
 * element's index in the spec (a matrix row's offset), for distributions. */
static int read_vector(resolver *r, const ipsim_param_spec *spec, const char *source,
                       const ipsim_yaml_node *n, const char *key, int element_base, double *dst)
{
    char labels[256];
    label_list(spec, labels, sizeof labels);
    double values[VECTOR_MAX];
    bool given[VECTOR_MAX] = {false};
    memcpy(values, dst, (size_t)spec->length * sizeof *dst);
    const int index = (int)ipsim_param_spec_index(spec);
    const bool shares = spec->check != IPSIM_CHECK_NONE;
    if (is_distribution(n)) {
        /* A Dirichlet over the whole vector (or matrix row). */
        char why[IPSIM_MESSAGE_MAX];
        const ipsim_yaml_node *where = n;
        ipsim_uncertain u;
        if (!shares)
            return fail_at(r, source, n, key, IPSIM_EPARAM,
                           "a distribution for the whole vector is a Dirichlet, for shares that "
                           "sum to 1; give each entry its own distribution instead");
        if (ipsim_uncertain_parse_dirichlet(n, spec->length, spec->labels, &u, values, why,
                                            sizeof why, &where))
            return fail_at(r, source, where, key, IPSIM_EPARAM, "%s", why);
        for (int i = 0; i < spec->length; i++) {
            int rc = check_range(r, spec, source, n, key, values[i], "a mean share of ");
            if (rc)
                return rc;
        }
        ipsim_uncertain_remove(r->params, index, element_base, spec->length);
        u.spec = (int32_t)index;
        u.element = element_base;
        if (ipsim_uncertain_add(r->params, &u, r->err)) {
            ipsim_error_locate(r->err, source, n->line, n->column, key);
            return IPSIM_EPARAM;
        }
        memcpy(dst, values, (size_t)spec->length * sizeof *dst);
        bool all[VECTOR_MAX];
        memset(all, 1, sizeof all);
        return check_sum(r, spec, source, n, key, values, all, element_base / spec->length);
    }
    /* A list's entries in order, a mapping's by label: (node, index) pairs. */
    const bool list = n->kind == IPSIM_YAML_SEQUENCE;
    if (list && (int)n->count != spec->length)
        return fail_at(r, source, n, key, IPSIM_EPARAM, "expected %d values (%s), got %zu",
                       spec->length, labels, n->count);
    if (!list && n->kind != IPSIM_YAML_MAPPING)
        return fail_at(r, source, n, key, IPSIM_EPARAM,
                       "expected a list of %d values or a mapping of some of %s", spec->length,
                       labels);
    const size_t entries = list ? n->count : n->count / 2;
    for (size_t e = 0; e < entries; e++) {
        const ipsim_yaml_node *k = list ? NULL : n->items[2 * e];
        const ipsim_yaml_node *v = list ? n->items[e] : n->items[2 * e + 1];
        int idx = list ? (int)e : k->kind == IPSIM_YAML_SCALAR ? find_label(spec, k->scalar) : -1;
        if (idx < 0)
            return fail_at(r, source, k, key, IPSIM_EPARAM, "unknown entry '%s'; expected %s",
                           k->kind == IPSIM_YAML_SCALAR ? k->scalar : "?", labels);
        char element[IPSIM_KEY_MAX];
        snprintf(element, sizeof element, "%s.%s", key, spec->labels[idx]);
        if (shares && is_distribution(v))
            return fail_at(r, source, v, element, IPSIM_EPARAM,
                           "these shares must sum to 1, so give the whole of '%s' one "
                           "Dirichlet distribution rather than one entry a distribution",
                           key);
        /* The new value replaces the entry's distribution; for shares, the
         * whole vector's Dirichlet (its shares are drawn together). */
        ipsim_uncertain_remove(r->params, index, element_base + idx, 1);
        int rc = store_real(r, spec, source, v, element, element_base + idx, &values[idx]);
        if (rc)
            return rc;
        given[idx] = true;
    }
    int rc = check_sum(r, spec, source, n, key, values, given, element_base / spec->length);
    if (rc)
        return rc;
    memcpy(dst, values, (size_t)spec->length * sizeof *dst);
    return IPSIM_OK;
}

/* Reads a matrix into dst[length x length]: a list of every row, or a
 * mapping of the rows it changes (each a list, or a mapping of the entries
 * it changes), the others left as dst holds them. */
static int read_matrix(resolver *r, const ipsim_param_spec *spec, const char *source,
                       const ipsim_yaml_node *n, double *dst)
{
    char labels[256];
    label_list(spec, labels, sizeof labels);
    const int len = spec->length;
    double rows[IPSIM_GRADES * IPSIM_GRADES];
    char row_key[IPSIM_KEY_MAX];
    memcpy(rows, dst, (size_t)(len * len) * sizeof *dst);
    const bool list = n->kind == IPSIM_YAML_SEQUENCE;
    if (list && (int)n->count != len)
        return fail_at(r, source, n, spec->path, IPSIM_EPARAM, "expected %d rows (%s), got %zu",
                       len, labels, n->count);
    if (!list && n->kind != IPSIM_YAML_MAPPING)
        return fail_at(r, source, n, spec->path, IPSIM_EPARAM,
                       "expected %d rows, as a list of lists or a mapping of some of %s", len,
                       labels);
    const size_t entries = list ? n->count : n->count / 2;
    for (size_t e = 0; e < entries; e++) {
        const ipsim_yaml_node *k = list ? NULL : n->items[2 * e];
        const ipsim_yaml_node *v = list ? n->items[e] : n->items[2 * e + 1];
        int idx = list ? (int)e : k->kind == IPSIM_YAML_SCALAR ? find_label(spec, k->scalar) : -1;
        if (idx < 0)
            return fail_at(r, source, k, spec->path, IPSIM_EPARAM,
                           "unknown row '%s'; expected %s",
                           k->kind == IPSIM_YAML_SCALAR ? k->scalar : "?", labels);
        snprintf(row_key, sizeof row_key, "%s.%s", spec->path, spec->labels[idx]);
        int rc = read_vector(r, spec, source, v, row_key, idx * len, rows + idx * len);
        if (rc)
            return rc;
    }
    memcpy(dst, rows, (size_t)(len * len) * sizeof *dst);
    return IPSIM_OK;
}

/* ---- one parameter ----------------------------------------------------- */

int ipsim_loader_assign(resolver *r, const ipsim_param_spec *spec, const char *source,
                        const ipsim_yaml_node *n)
{
    char *base = (char *)r->params;
    void *dst = base + spec->offset;
    const char *key = spec->path;
    const char *why = NULL;
    int rc = IPSIM_OK;

    /* A new value replaces the distributions an earlier layer gave (a
     * vector's or matrix's, element by element, as it reads them). */
    if (spec->shape == IPSIM_SHAPE_SCALAR)
        ipsim_uncertain_remove(r->params, (int)ipsim_param_spec_index(spec), 0, 1);
    if (spec->type == IPSIM_PARAM_POSTERIOR) {
        rc = ipsim_posterior_ref_parse(n, source, r->from_file, dst, r->err);
    } else if (spec->shape == IPSIM_SHAPE_VECTOR) {
        rc = read_vector(r, spec, source, n, key, 0, dst);
    } else if (spec->shape == IPSIM_SHAPE_MATRIX) {
        rc = read_matrix(r, spec, source, n, dst);
    } else if (is_distribution(n)) {
        rc = store_real(r, spec, source, n, key, 0, dst);
    } else if (n->kind != IPSIM_YAML_SCALAR) {
        rc = fail_at(r, source, n, key, IPSIM_EPARAM, "expected a single value, got %s",
                     ipsim_yaml_kind_name(n));
    } else {
        switch (spec->type) {
        case IPSIM_PARAM_POSTERIOR: break; /* above */
        case IPSIM_PARAM_STRING:
            if (strlen(n->scalar) >= IPSIM_NAME_MAX || !ipsim_params_valid_name(n->scalar))
                rc = fail_at(r, source, n, key, IPSIM_EPARAM,
                             "'%s' is not a valid name: use 1 to %d letters, digits, '_', '-' "
                             "or '.'",
                             n->scalar, IPSIM_NAME_MAX - 1);
            else /* zero-filled, so equal sets are equal byte for byte */
                strncpy(dst, n->scalar, IPSIM_NAME_MAX);
            break;
        case IPSIM_PARAM_UINT64: {
            uint64_t v;
            if (!ipsim_yaml_uint64(n, &v, &why))
                rc = fail_at(r, source, n, key, IPSIM_EPARAM, "%s, got '%s'", why, n->scalar);
            else
                *(uint64_t *)dst = v;
            break;
        }
        case IPSIM_PARAM_INT: {
            int64_t v;
            double whole;
            const char *ignored;
            if (!ipsim_yaml_int(n, &v, &why)) {
                char range[64];
                ipsim_param_spec_range(spec, range, sizeof range);
                /* A whole number too large to hold: say so, with the limit. */
                if (ipsim_yaml_real(n, &whole, &ignored) && whole == floor(whole))
                    rc = fail_at(r, source, n, key, IPSIM_EPARAM, "%s is too %s: must be %s (%s)",
                                 n->scalar, whole > 0 ? "large" : "small", range, spec->unit);
                else
                    rc = fail_at(r, source, n, key, IPSIM_EPARAM, "%s, got '%s'", why,
                                 n->scalar);
            } else if ((double)v < spec->min || (double)v > spec->max) {
                char range[64];
                ipsim_param_spec_range(spec, range, sizeof range);
                rc = fail_at(r, source, n, key, IPSIM_EPARAM,
                             "%lld is out of range: must be %s (%s)", (long long)v, range,
                             spec->unit);
            } else {
                *(int64_t *)dst = v;
            }
            break;
        }
        case IPSIM_PARAM_REAL:
            rc = store_real(r, spec, source, n, key, 0, dst);
            break;
        case IPSIM_PARAM_BOOL: {
            bool v;
            if (!ipsim_yaml_bool(n, &v, &why))
                rc = fail_at(r, source, n, key, IPSIM_EPARAM, "%s, got '%s'", why, n->scalar);
            else
                *(bool *)dst = v;
            break;
        }
        case IPSIM_PARAM_CHOICE: {
            int found = -1;
            char list[256] = "";
            size_t used = 0;
            for (int i = 0; spec->choices[i]; i++) {
                if (n->plain && strcmp(spec->choices[i], n->scalar) == 0)
                    found = i;
                int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 spec->choices[i]);
                used += w > 0 && (size_t)w < sizeof list - used ? (size_t)w : 0;
            }
            if (found < 0)
                rc = fail_at(r, source, n, key, IPSIM_EPARAM, "'%s' is not one of: %s",
                             n->scalar, list);
            else
                *(int *)dst = found;
            break;
        }
        }
    }
    if (rc == IPSIM_OK)
        r->origins[ipsim_param_spec_index(spec)] = (origin){source, n->line, n->column};
    return rc;
}

int ipsim_loader_fail_unknown(resolver *r, const char *source, const ipsim_yaml_node *n,
                              const char *path)
{
    if (strcmp(path, "scenarios") == 0)
        return fail_at(r, source, n, path, IPSIM_EPARAM,
                       "this is a study file (several scenarios), which `ipsim run` takes; "
                       "this command takes one parameter file");
    /* `--set cohort=5`: a section where one key is wanted (the nearest
     * name would be itself); its first key is the example. */
    for (size_t i = 0; !strchr(path, '.') && i < ipsim_param_spec_count; i++)
        if (strncmp(ipsim_param_specs[i].path, path, strlen(path)) == 0 &&
            ipsim_param_specs[i].path[strlen(path)] == '.')
            return fail_at(r, source, n, path, IPSIM_EUSAGE,
                           "'%s' is a section, not a key: --set takes section.key=value (e.g. "
                           "%s=...; `ipsim params` lists every key)",
                           path, ipsim_param_specs[i].path);
    const char *near = ipsim_param_spec_nearest(path);
    if (near)
        return fail_at(r, source, n, path, IPSIM_EPARAM, "unknown key; did you mean '%s'?", near);
    return fail_at(r, source, n, path, IPSIM_EPARAM,
                   "unknown key (`ipsim params` lists every key)");
}

/* A node standing for `label: value`, a mapping of one entry (the labels
 * are the schema's, which outlive it). */
typedef struct one_entry {
    ipsim_yaml_node key, map;
    ipsim_yaml_node *items[2];
} one_entry;

static void one_entry_make(one_entry *e, const char *label, const ipsim_yaml_node *value)
{
    e->key = (ipsim_yaml_node){.kind = IPSIM_YAML_SCALAR,
                               .line = value->line,
                               .column = value->column,
                               .scalar = (char *)label,
                               .plain = 1};
    e->items[0] = &e->key;
    e->items[1] = (ipsim_yaml_node *)value;
    e->map = (ipsim_yaml_node){.kind = IPSIM_YAML_MAPPING,
                               .line = value->line,
                               .column = value->column,
                               .items = e->items,
                               .count = 2,
                               .capacity = 2};
}

int ipsim_loader_assign_path(resolver *r, const char *source, const ipsim_yaml_node *at,
                             const char *path, const ipsim_yaml_node *n)
{
    const ipsim_param_spec *spec = ipsim_param_spec_find(path);
    if (spec)
        return ipsim_loader_assign(r, spec, source, n);
    /* An element is its vector given as a mapping of that one entry (a
     * matrix's, of one row holding one entry), so that a file, --set and a
     * sweep change one element by the same rule and with the same checks. */
    const char *labels = NULL;
    spec = ipsim_param_spec_find_within(path, &labels);
    if (!spec || spec->type != IPSIM_PARAM_REAL)
        return ipsim_loader_fail_unknown(r, source, at, path);
    const char *dot = strchr(labels, '.');
    char first[IPSIM_KEY_MAX];
    snprintf(first, sizeof first, "%.*s", dot ? (int)(dot - labels) : (int)strlen(labels), labels);
    const int row = find_label(spec, first);
    const int column = dot ? find_label(spec, dot + 1) : -1;
    if (row < 0 || (dot && (spec->shape != IPSIM_SHAPE_MATRIX || column < 0))) {
        char list[256];
        label_list(spec, list, sizeof list);
        return fail_at(r, source, at, path, IPSIM_EPARAM,
                       "unknown key: the %s of '%s' are %s",
                       spec->shape == IPSIM_SHAPE_MATRIX ? "rows (and columns)" : "entries",
                       spec->path, list);
    }
    one_entry inner, outer;
    if (dot) {
        one_entry_make(&inner, spec->labels[column], n);
        one_entry_make(&outer, spec->labels[row], &inner.map);
    } else {
        one_entry_make(&outer, spec->labels[row], n);
    }
    return ipsim_loader_assign(r, spec, source, &outer.map);
}
