/* params/calibration_targets.c: reading the calibration targets with their
 * uncertainty, and the log-likelihood of a model value under one. */
#include "params/calibration_targets.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "params/yaml_tree.h"

const char *const ipsim_likelihood_names[IPSIM_LIKELIHOODS] = {"binomial", "lognormal"};

/* The normal quantile of a two-sided 95% interval, as the intervals of the
 * shipped file were computed with it. */
static const double z95 = 1.96;

/* The fields of an entry, in the order messages list them. */
static const char *const fields[] = {"value", "likelihood", "n", "interval", "source"};
enum { FIELD_VALUE, FIELD_LIKELIHOOD, FIELD_N, FIELD_INTERVAL, FIELD_SOURCE, FIELDS };

typedef struct reader {
    const char *path;
    ipsim_error *err;
} reader;

/* Fails with the file, the node's line and column, and the key. */
#define fail(r, n, key, ...) ipsim_yaml_fail((r)->err, (r)->path, (n), (key), __VA_ARGS__)

static int real_of(const reader *r, const ipsim_yaml_node *n, const char *key, double *out)
{
    const char *why = NULL;
    if (n->kind != IPSIM_YAML_SCALAR)
        return fail(r, n, key, "expected a number, got %s", ipsim_yaml_kind_name(n));
    if (!ipsim_yaml_real(n, out, &why))
        return fail(r, n, key, "%s", why);
    return IPSIM_OK;
}

static bool is_snake_case(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') || strlen(s) >= IPSIM_TARGET_KEY_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* An unknown field, with the nearest known one when it is a plausible typo. */
static int unknown_field(const reader *r, const ipsim_yaml_node *k, const char *key)
{
    const char *typed = k->scalar ? k->scalar : "";
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (int f = 0; f < FIELDS; f++) {
        size_t d = ipsim_text_distance(typed, fields[f]);
        if (d < best_distance) {
            best_distance = d;
            best = fields[f];
        }
    }
    if (best_distance <= 2 && best_distance < strlen(typed))
        return fail(r, k, key, "unknown key; did you mean '%s'?", best);
    return fail(r, k, key, "unknown key; an entry has %s",
                "value, likelihood, n (binomial), interval (lognormal) and source");
}

/* The place of value's last decimal: the fewest decimals that write it. */
static double last_decimal(double value)
{
    double unit = 1;
    for (int d = 0; d < 15; d++, unit /= 10) {
        double scaled = value / unit;
        if (fabs(scaled - nearbyint(scaled)) <= 1e-9 * fmax(1, fabs(scaled)))
            return unit;
    }
    return unit;
}

static int check_binomial(const reader *r, const ipsim_yaml_node *at, const char *base,
                          const ipsim_yaml_node *value_node, const ipsim_yaml_node *n_node,
                          const ipsim_target_entry *t)
{
    char key[IPSIM_TARGET_KEY_MAX + 16], text[IPSIM_MESSAGE_MAX];
    snprintf(key, sizeof key, "%s.value", base);
    if (!(t->value > 0 && t->value < 1)) {
        snprintf(text, sizeof text,
                 "%g is not a share: a binomial value is strictly between 0 and 1", t->value);
        return fail(r, value_node, key, "%s", text);
    }
    if (!n_node)
        return fail(r, at, base, "%s", "a binomial target needs n, the patients or events");
    /* k/n must give back the value as written: within half a unit of its
     * last decimal (a relative 1e-9 spares ties such as 3/16 for 0.188
     * from the rounding of the decimal figures). */
    const double count = t->value * (double)t->n;
    const double k = nearbyint(count);
    const double half_unit = 0.5 * last_decimal(t->value);
    if (fabs(k / (double)t->n - t->value) > half_unit * (1 + 1e-9)) {
        snprintf(key, sizeof key, "%s.n", base);
        snprintf(text, sizeof text,
                 "value x n = %g x %ld = %g is not a whole count: %.0f/%ld = %.6g does not "
                 "round to %g; give the number of patients (or events) behind the share",
                 t->value, t->n, count, k, t->n, k / (double)t->n, t->value);
        return fail(r, n_node, key, "%s", text);
    }
    return IPSIM_OK;
}

static int read_interval(const reader *r, const ipsim_yaml_node *v, const char *key,
                         ipsim_target_entry *t)
{
    if (v->kind != IPSIM_YAML_SEQUENCE || v->count != 2)
        return fail(r, v, key, "%s", "expected [low, high], a 95% interval");
    if (real_of(r, v->items[0], key, &t->low) || real_of(r, v->items[1], key, &t->high))
        return IPSIM_EPARAM;
    return IPSIM_OK;
}

static int check_lognormal(const reader *r, const ipsim_yaml_node *at, const char *base,
                           const ipsim_yaml_node *value_node,
                           const ipsim_yaml_node *interval_node, const ipsim_target_entry *t)
{
    char key[IPSIM_TARGET_KEY_MAX + 16], text[IPSIM_MESSAGE_MAX];
    snprintf(key, sizeof key, "%s.value", base);
    if (!(t->value > 0)) {
        snprintf(text, sizeof text, "%g is not positive: a lognormal value is a median or a "
                 "ratio", t->value);
        return fail(r, value_node, key, "%s", text);
    }
    if (!interval_node)
        return fail(r, at, base, "%s", "a lognormal target needs interval: [low, high]");
    snprintf(key, sizeof key, "%s.interval", base);
    if (!(t->low > 0 && t->high > 0)) {
        snprintf(text, sizeof text, "[%g, %g] is not positive: a lognormal interval has "
                 "0 < low < high", t->low, t->high);
        return fail(r, interval_node, key, "%s", text);
    }
    if (!(t->low < t->value && t->value < t->high)) {
        snprintf(text, sizeof text,
                 "[%g, %g] does not contain the value %g: it must hold low < value < high",
                 t->low, t->high, t->value);
        return fail(r, interval_node, key, "%s", text);
    }
    return IPSIM_OK;
}

/* Reads one entry: `name` is its key node, `map` its fields. */
static int read_entry(const reader *r, const ipsim_yaml_node *name, const ipsim_yaml_node *map,
                      ipsim_target_entry *t)
{
    const char *base = name->scalar ? name->scalar : "";
    if (name->kind != IPSIM_YAML_SCALAR || !is_snake_case(base))
        return fail(r, name, base, "a target's key is snake_case (a-z, 0-9, '_', from a "
                    "letter), shorter than %s characters", "64");
    memset(t, 0, sizeof *t);
    snprintf(t->key, sizeof t->key, "%s", base);
    t->line = name->line;
    t->likelihood = IPSIM_LIKELIHOODS;
    if (map->kind != IPSIM_YAML_MAPPING)
        return fail(r, map, base, "expected a mapping of value, likelihood, n or interval, "
                    "and source; got %s", ipsim_yaml_kind_name(map));
    const ipsim_yaml_node *seen[FIELDS] = {NULL}; /* each field's value node */
    char key[IPSIM_TARGET_KEY_MAX + 16];
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const ipsim_yaml_node *k = map->items[i], *v = map->items[i + 1];
        const char *field = k->scalar ? k->scalar : "";
        snprintf(key, sizeof key, "%s.%s", base, field);
        int f = 0;
        while (f < FIELDS && strcmp(field, fields[f]) != 0)
            f++;
        int rc = IPSIM_OK;
        int64_t whole = 0;
        const char *why = NULL;
        switch (f) {
        case FIELD_VALUE: rc = real_of(r, v, key, &t->value); break;
        case FIELD_LIKELIHOOD:
            for (int l = 0; v->kind == IPSIM_YAML_SCALAR && l < IPSIM_LIKELIHOODS; l++)
                if (strcmp(v->scalar, ipsim_likelihood_names[l]) == 0)
                    t->likelihood = (ipsim_likelihood_kind)l;
            if (t->likelihood == IPSIM_LIKELIHOODS)
                rc = fail(r, v, key, "expected %s", "binomial (a share) or lognormal (a median "
                          "or a ratio)");
            break;
        case FIELD_N:
            if (v->kind != IPSIM_YAML_SCALAR || !ipsim_yaml_int(v, &whole, &why) ||
                whole < 1 || whole > IPSIM_TARGET_N_MAX)
                rc = fail(r, v, key, "%s", "expected n, a whole number of patients (or "
                          "events) from 1 to 1e9");
            t->n = (long)whole;
            break;
        case FIELD_INTERVAL: rc = read_interval(r, v, key, t); break;
        case FIELD_SOURCE:
            if (v->kind != IPSIM_YAML_SCALAR || !*v->scalar ||
                strlen(v->scalar) >= sizeof t->source)
                rc = fail(r, v, key, "expected a source: a short string, 1 to %s characters",
                          "255");
            else
                snprintf(t->source, sizeof t->source, "%s", v->scalar);
            break;
        default: rc = unknown_field(r, k, key); break;
        }
        if (rc)
            return rc;
        seen[f] = v;
    }
    static const bool needed[FIELDS] = {true, true, false, false, true};
    for (int f = 0; f < FIELDS; f++)
        if (needed[f] && !seen[f]) {
            snprintf(key, sizeof key, "%s.%s", base, fields[f]);
            return fail(r, name, key, "missing: every target needs %s",
                        "value, likelihood and source");
        }
    const bool binomial = t->likelihood == IPSIM_LIKELIHOOD_BINOMIAL;
    const int other = binomial ? FIELD_INTERVAL : FIELD_N;
    if (seen[other]) {
        snprintf(key, sizeof key, "%s.%s", base, fields[other]);
        return fail(r, seen[other], key, "%s", binomial
                                                   ? "a binomial target takes n, not interval"
                                                   : "a lognormal target takes interval, not n");
    }
    return binomial ? check_binomial(r, name, base, seen[FIELD_VALUE], seen[FIELD_N], t)
                    : check_lognormal(r, name, base, seen[FIELD_VALUE], seen[FIELD_INTERVAL], t);
}

int ipsim_calibration_targets_load(ipsim_calibration_targets *out, const char *path,
                                   ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->file, sizeof out->file, "%s", path);
    ipsim_yaml_node *root = NULL;
    int rc = ipsim_yaml_parse_file(&root, path, err);
    if (rc)
        return rc;
    const reader r = {path, err};
    if (!root)
        rc = fail(&r, NULL, "", "%s", "the file is empty: give one entry per target");
    else if (root->kind != IPSIM_YAML_MAPPING || root->count == 0)
        rc = fail(&r, root, "", "%s", "expected a mapping from each target's key to its entry");
    for (size_t i = 0; !rc && i + 1 < root->count; i += 2) {
        if (out->count >= IPSIM_TARGETS_MAX) {
            const char *key = root->items[i]->scalar ? root->items[i]->scalar : "";
            rc = fail(&r, root->items[i], key, "more than %s targets", "64");
            break;
        }
        rc = read_entry(&r, root->items[i], root->items[i + 1], &out->target[out->count]);
        out->count += rc ? 0 : 1;
    }
    ipsim_yaml_free(root);
    return rc;
}

int ipsim_calibration_targets_count(const ipsim_calibration_targets *t)
{
    return t->count;
}

const ipsim_target_entry *ipsim_calibration_targets_find(const ipsim_calibration_targets *t,
                                                         const char *key)
{
    for (int i = 0; i < t->count; i++)
        if (strcmp(t->target[i].key, key) == 0)
            return &t->target[i];
    return NULL;
}

double ipsim_target_binomial_log_likelihood(double p, double value, long n)
{
    if (!(p > 0 && p < 1))
        return -HUGE_VAL;
    const double k = value * (double)n;
    return k * (log(p) - log(value)) + ((double)n - k) * (log1p(-p) - log1p(-value));
}

double ipsim_target_lognormal_log_likelihood(double m, double value, double sd)
{
    if (!(m > 0))
        return -HUGE_VAL;
    const double z = (log(m) - log(value)) / sd;
    return -0.5 * z * z;
}

double ipsim_target_log_sd(double low, double high)
{
    return (log(high) - log(low)) / (2 * z95);
}

double ipsim_target_log_likelihood(const ipsim_target_entry *t, double m)
{
    if (t->likelihood == IPSIM_LIKELIHOOD_BINOMIAL)
        return ipsim_target_binomial_log_likelihood(m, t->value, t->n);
    return ipsim_target_lognormal_log_likelihood(m, t->value, ipsim_target_log_sd(t->low, t->high));
}

double ipsim_target_standard_error(const ipsim_target_entry *t)
{
    if (t->likelihood == IPSIM_LIKELIHOOD_BINOMIAL)
        return sqrt(t->value * (1 - t->value) / (double)t->n);
    return t->value * ipsim_target_log_sd(t->low, t->high);
}
