/* params/loader.c: defaults -> YAML file -> --set overrides -> validation. */
#define _POSIX_C_SOURCE 200809L
#include "params/loader.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "params/loader_internal.h"
#include "params/posterior_file.h"
#include "params/psa.h"
#include "params/schema.h"
#include "params/yaml_tree.h"

/* The resolver's state and the reading of one value: loader_internal.h,
 * values.c. */
typedef ipsim_loader resolver;
typedef ipsim_loader_origin origin;
enum { MAX_BASE_DEPTH = IPSIM_LOADER_MAX_BASE_DEPTH };
#define fail_at ipsim_loader_fail_at

static bool is_section(const char *name)
{
    for (size_t i = 0; i < ipsim_param_section_count; i++)
        if (strcmp(ipsim_param_sections[i], name) == 0)
            return true;
    return false;
}

/* ---- module-declared parameters ---------------------------------------- */

/* `modules.NAME.key`: kept as a number with its origin; the model checks it
 * against the module's declaration (models/module.h). */
static int store_module_value(resolver *r, const char *source, const char *module,
                              const char *key, const ipsim_yaml_node *v)
{
    char full[IPSIM_KEY_MAX];
    snprintf(full, sizeof full, "modules.%s.%s", module, key);
    if (!ipsim_params_valid_name(module) || !ipsim_params_valid_name(key) || strchr(module, '.') ||
        strchr(key, '.'))
        return fail_at(r, source, v, full, IPSIM_EPARAM,
                       "a module parameter is modules.NAME.key, with plain names");
    double x;
    const char *why = NULL;
    if (v->kind != IPSIM_YAML_SCALAR || !ipsim_yaml_real(v, &x, &why))
        return fail_at(r, source, v, full, IPSIM_EPARAM, "expected a number, got %s",
                       ipsim_yaml_kind_name(v));
    ipsim_params *p = r->params;
    char name[sizeof p->module_values[0].key];
    if ((size_t)snprintf(name, sizeof name, "%s.%s", module, key) >= sizeof name)
        return fail_at(r, source, v, full, IPSIM_EPARAM, "name too long");
    int k = 0;
    while (k < p->module_value_count && strcmp(p->module_values[k].key, name) != 0)
        k++;
    if (k == IPSIM_MODULE_VALUES_MAX)
        return fail_at(r, source, v, full, IPSIM_EPARAM, "more than %d module parameters",
                       IPSIM_MODULE_VALUES_MAX);
    ipsim_module_value *mv = &p->module_values[k];
    if (k == p->module_value_count)
        p->module_value_count++;
    snprintf(mv->key, sizeof mv->key, "%s", name);
    mv->value = x;
    snprintf(mv->source, sizeof mv->source, "%s", source ? source : "");
    mv->line = v->line;
    mv->column = v->column;
    return IPSIM_OK;
}

/* The `modules:` section: a mapping of module names to mappings of keys. */
static int apply_modules(resolver *r, const char *source, const ipsim_yaml_node *v)
{
    if (v->kind != IPSIM_YAML_MAPPING)
        return fail_at(r, source, v, "modules", IPSIM_EPARAM,
                       "section 'modules' must be a mapping of module names, got %s",
                       ipsim_yaml_kind_name(v));
    int rc = IPSIM_OK;
    for (size_t i = 0; i + 1 < v->count && !rc; i += 2) {
        const ipsim_yaml_node *name = v->items[i], *keys = v->items[i + 1];
        if (name->kind != IPSIM_YAML_SCALAR || keys->kind != IPSIM_YAML_MAPPING) {
            rc = fail_at(r, source, keys, "modules", IPSIM_EPARAM,
                         "expected NAME: {key: value, ...}");
            break;
        }
        for (size_t j = 0; j + 1 < keys->count && !rc; j += 2) {
            const ipsim_yaml_node *k = keys->items[j];
            rc = k->kind == IPSIM_YAML_SCALAR
                     ? store_module_value(r, source, name->scalar, k->scalar, keys->items[j + 1])
                     : fail_at(r, source, k, "modules", IPSIM_EPARAM, "a key must be a plain name");
        }
    }
    return rc;
}

/* ---- the file ---------------------------------------------------------- */

static int apply_tree(resolver *r, const char *path, ipsim_yaml_node *root, int depth);

/* `base: FILE`: applies FILE (relative to the directory of the file naming
 * it) before the file itself, so a scenario can state only what differs. */
static int apply_base(resolver *r, const char *path, const ipsim_yaml_node *value, int depth)
{
    if (!r->from_file)
        return fail_at(r, path, value, "base", IPSIM_EPARAM,
                       "'base' is for parameter files, not for parameter text held in memory");
    if (value->kind != IPSIM_YAML_SCALAR || !*value->scalar)
        return fail_at(r, path, value, "base", IPSIM_EPARAM,
                       "expected the path of a parameter file");
    if (depth + 1 >= MAX_BASE_DEPTH || r->bases >= MAX_BASE_DEPTH)
        return fail_at(r, path, value, "base", IPSIM_EPARAM,
                       "base files nest more than %d deep: is there a cycle?", MAX_BASE_DEPTH);
    char *base = r->base_paths[r->bases++];
    const char *slash = strrchr(path, '/');
    if (value->scalar[0] == '/' || !slash)
        snprintf(base, IPSIM_PATH_MAX, "%s", value->scalar);
    else
        snprintf(base, IPSIM_PATH_MAX, "%.*s%s", (int)(slash - path + 1), path, value->scalar);
    ipsim_yaml_node *tree = NULL;
    int rc = ipsim_yaml_parse_file(&tree, base, r->err);
    if (rc == IPSIM_EIO)
        ipsim_error_locate(r->err, NULL, 0, 0, "base");
    if (!rc)
        rc = apply_tree(r, base, tree, depth + 1);
    ipsim_yaml_free(tree);
    return rc;
}

/* Applies a parsed parameter file (root may be NULL: an empty document). */
static int apply_tree(resolver *r, const char *path, ipsim_yaml_node *root, int depth)
{
    int rc = IPSIM_OK;
    if (!root) {
        rc = fail_at(r, path, NULL, NULL, IPSIM_EPARAM,
                     "the file is empty; a parameter file is a YAML mapping of sections "
                     "(see params/baseline.yaml)");
        goto cleanup;
    }
    if (root->kind != IPSIM_YAML_MAPPING) {
        rc = fail_at(r, path, root, NULL, IPSIM_EPARAM,
                     "expected a mapping of sections (cohort:, grades:, ...), got %s",
                     ipsim_yaml_kind_name(root));
        goto cleanup;
    }
    /* The base first, wherever the key stands, so this file's values win. */
    for (size_t i = 0; i + 1 < root->count && !rc; i += 2) {
        const ipsim_yaml_node *k = root->items[i];
        if (k->kind == IPSIM_YAML_SCALAR && strcmp(k->scalar, "base") == 0)
            rc = apply_base(r, path, root->items[i + 1], depth);
    }
    for (size_t i = 0; i + 1 < root->count && !rc; i += 2) {
        const ipsim_yaml_node *k = root->items[i], *v = root->items[i + 1];
        if (k->kind != IPSIM_YAML_SCALAR) {
            rc = fail_at(r, path, k, NULL, IPSIM_EPARAM, "a key must be a plain name");
            break;
        }
        if (strcmp(k->scalar, "base") == 0)
            continue;
        if (strcmp(k->scalar, "modules") == 0) {
            rc = apply_modules(r, path, v);
            continue;
        }
        /* A dotted path at the top ("ivig.policy: grade", as a sweep or a
         * study writes, or an element's) is a key of its own. */
        if (!is_section(k->scalar)) {
            rc = ipsim_loader_assign_path(r, path, k, k->scalar, v);
            continue;
        }
        if (v->kind != IPSIM_YAML_MAPPING) {
            rc = fail_at(r, path, v, k->scalar, IPSIM_EPARAM,
                         "section '%s' must be a mapping of keys, got %s", k->scalar,
                         ipsim_yaml_kind_name(v));
            break;
        }
        for (size_t j = 0; j + 1 < v->count && !rc; j += 2) {
            const ipsim_yaml_node *sk = v->items[j], *sv = v->items[j + 1];
            char full[IPSIM_KEY_MAX];
            snprintf(full, sizeof full, "%s.%s", k->scalar,
                     sk->kind == IPSIM_YAML_SCALAR ? sk->scalar : "?");
            rc = ipsim_loader_assign_path(r, path, sk, full, sv);
        }
    }
cleanup:
    return rc;
}

static int apply_override(resolver *r, const char *assignment)
{
    static const char *const source = "--set";
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        IPSIM_FAIL(r->err, IPSIM_EUSAGE,
                   "'%s' is not an override; write --set section.key=value", assignment);
        ipsim_error_locate(r->err, source, 0, 0, NULL);
        return IPSIM_EUSAGE;
    }
    char path[IPSIM_KEY_MAX];
    size_t len = (size_t)(eq - assignment);
    if (len >= sizeof path)
        len = sizeof path - 1;
    memcpy(path, assignment, len);
    path[len] = '\0';
    const char *labels;
    const bool module = strncmp(path, "modules.", 8) == 0 && strchr(path + 8, '.');
    if (!module && !ipsim_param_spec_find(path) && !ipsim_param_spec_find_within(path, &labels))
        return ipsim_loader_fail_unknown(r, source, NULL, path);
    const char *text = eq + 1;
    ipsim_yaml_node *value = NULL;
    int rc = ipsim_yaml_parse(&value, text, strlen(text), source, r->err);
    if (rc) {
        ipsim_error_locate(r->err, NULL, 0, 0, path);
        return rc;
    }
    if (!value)
        return fail_at(r, source, NULL, path, IPSIM_EPARAM, "no value after '='");
    /* Positions inside a one-line override are not worth reporting. */
    value->line = value->column = 0;
    if (module) {
        char name[IPSIM_KEY_MAX];
        const char *dot = strchr(path + 8, '.');
        snprintf(name, sizeof name, "%.*s", (int)(dot - (path + 8)), path + 8);
        rc = store_module_value(r, source, name, dot + 1, value);
    } else {
        rc = ipsim_loader_assign_path(r, source, NULL, path, value);
    }
    ipsim_yaml_free(value);
    return rc;
}

/* ---- whole-set checks ---------------------------------------------------- */

static int fail_param(resolver *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_param(resolver *r, const char *path, const char *fmt, ...)
{
    char msg[IPSIM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const origin *o = &r->origins[ipsim_param_spec_index(ipsim_param_spec_find(path))];
    if (r->context) {
        IPSIM_FAIL(r->err, IPSIM_EPARAM, "%s (%s)", msg, r->context);
        ipsim_error_locate(r->err, NULL, 0, 0, path);
        return IPSIM_EPARAM;
    }
    IPSIM_FAIL(r->err, IPSIM_EPARAM, "%s%s", msg, o->source ? "" : " (this is the default)");
    ipsim_error_locate(r->err, o->source, o->line, o->column, path);
    return IPSIM_EPARAM;
}

static int validate(resolver *r)
{
    const ipsim_params *p = r->params;
    int64_t cycle = p->cohort.cycle_months;
    if (p->cohort.horizon_months % cycle != 0)
        return fail_param(r, "cohort.horizon_months",
                          "%lld months is not a whole number of %lld-month cycles",
                          (long long)p->cohort.horizon_months, (long long)cycle);
    if (p->infection.window_months % cycle != 0)
        return fail_param(r, "infection.window_months",
                          "%lld months is not a whole number of %lld-month cycles",
                          (long long)p->infection.window_months, (long long)cycle);
    if (p->infection.window_months > p->cohort.horizon_months)
        return fail_param(r, "infection.window_months",
                          "the window (%lld months) is longer than the horizon (%lld months)",
                          (long long)p->infection.window_months,
                          (long long)p->cohort.horizon_months);
    if (p->ivig.lookback_months % cycle != 0)
        return fail_param(r, "ivig.lookback_months",
                          "%lld months is not a whole number of %lld-month cycles",
                          (long long)p->ivig.lookback_months, (long long)cycle);
    if (p->diagnosis.weight_kg_min >= p->diagnosis.weight_kg_max)
        return fail_param(r, "diagnosis.weight_kg_min",
                          "the lowest weight (%g kg) is not below the highest (%g kg)",
                          p->diagnosis.weight_kg_min, p->diagnosis.weight_kg_max);
    for (int ph = 0; ph < IPSIM_PHASES; ph++)
        if (p->grades.improve_per_month[ph] + p->grades.worsen_per_month[ph] > 1)
            return fail_param(r, "grades.improve_per_month",
                              "in phase %s, improving (%g) and worsening (%g) per month add up "
                              "to more than 1",
                              ipsim_phase_names[ph], p->grades.improve_per_month[ph],
                              p->grades.worsen_per_month[ph]);
    if (p->infection.risk_by == IPSIM_RISK_BY_IGG && p->grades.model != IPSIM_GRADE_MODEL_LEVELS)
        return fail_param(r, "infection.risk_by",
                          "igg reads each patient's own IgG, which only grades.model: levels "
                          "simulates");
    /* In whole simulation cycles ASCT never comes before the end of
     * induction (models/pathway.c); here the months as given must agree. */
    double induction_days =
        (double)p->pathway.induction_cycles * (double)p->pathway.induction_cycle_days;
    if ((double)p->pathway.asct_month * IPSIM_DAYS_PER_MONTH < induction_days)
        return fail_param(r, "pathway.asct_month",
                          "ASCT at month %lld would come before the end of induction (%lld "
                          "cycles of %lld days: %.1f months)",
                          (long long)p->pathway.asct_month, (long long)p->pathway.induction_cycles,
                          (long long)p->pathway.induction_cycle_days, induction_days / IPSIM_DAYS_PER_MONTH);
    char why[IPSIM_MESSAGE_MAX];
    const char *key = ipsim_params_ivig_rule(p, why, sizeof why);
    if (!key)
        key = ipsim_psa_rule(p, why, sizeof why);
    if (key)
        return fail_param(r, key, "%s", why);
    if (p->decision.wtp_max / p->decision.wtp_step > 10000)
        return fail_param(r, "decision.wtp_step",
                          "a step of %g makes more than 10,000 points up to decision.wtp_max "
                          "= %g",
                          p->decision.wtp_step, p->decision.wtp_max);
    /* Every patient-cycle must be addressable by a 64-bit index with room
     * to spare; beyond that no machine could hold the output anyway. */
    double cells = (double)p->cohort.patients * (double)p->cohort.replicates *
                   (double)ipsim_params_cycles(p);
    if (cells > 0x1p62)
        return fail_param(r, "cohort.patients",
                          "%g patient-cycles in all (patients x replicates x cycles) is more "
                          "than ipsim can index",
                          cells);
    return IPSIM_OK;
}

static int resolve(ipsim_params *out, const ipsim_params_layer *layers, size_t layer_count,
                   bool from_file, const char *const *overrides, size_t override_count,
                   ipsim_error *err);

int ipsim_params_check(const ipsim_params *p, const char *context, ipsim_error *err)
{
    resolver r = {.params = (ipsim_params *)p, .err = err, .context = context};
    return validate(&r);
}

int ipsim_params_resolve(ipsim_params *out, const char *path, const char *const *overrides,
                         size_t override_count, ipsim_error *err)
{
    ipsim_yaml_node *root = NULL;
    if (path) {
        int rc = ipsim_yaml_parse_file(&root, path, err);
        if (rc)
            return rc;
    }
    const ipsim_params_layer file = {path, root};
    int rc = resolve(out, &file, path ? 1 : 0, true, overrides, override_count, err);
    ipsim_yaml_free(root);
    return rc;
}


int ipsim_params_resolve_tree(ipsim_params *out, const char *path, const ipsim_yaml_node *root,
                              const char *const *overrides, size_t override_count,
                              ipsim_error *err)
{
    const ipsim_params_layer file = {path, root};
    return resolve(out, &file, 1, true, overrides, override_count, err);
}

int ipsim_params_resolve_layers(ipsim_params *out, const ipsim_params_layer *layers,
                                size_t layer_count, const char *const *overrides,
                                size_t override_count, ipsim_error *err)
{
    return resolve(out, layers, layer_count, true, overrides, override_count, err);
}

int ipsim_params_resolve_text(ipsim_params *out, const char *text, size_t len, const char *source,
                              const char *const *overrides, size_t override_count,
                              ipsim_error *err)
{
    ipsim_yaml_node *root = NULL;
    int rc = ipsim_yaml_parse(&root, text, len, source, err);
    if (rc)
        return rc;
    const ipsim_params_layer text_layer = {source, root};
    rc = resolve(out, &text_layer, 1, false, overrides, override_count, err);
    ipsim_yaml_free(root);
    return rc;
}

/* Defaults, then the parsed documents in order, then overrides. */
static int resolve(ipsim_params *out, const ipsim_params_layer *layers, size_t layer_count,
                   bool from_file, const char *const *overrides, size_t override_count,
                   ipsim_error *err)
{
    resolver r = {.params = out, .err = err, .from_file = from_file};
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const ipsim_param_spec *spec = &ipsim_param_specs[i];
        ipsim_yaml_node *value = NULL;
        int rc = ipsim_yaml_parse(&value, spec->default_yaml, strlen(spec->default_yaml),
                                  "(schema default)", err);
        if (!rc && !value)
            rc = IPSIM_FAIL(err, IPSIM_EINTERNAL, "empty default for %s", spec->path);
        if (!rc)
            rc = ipsim_loader_assign(&r, spec, "(schema default)", value);
        ipsim_yaml_free(value);
        if (rc)
            return rc;
        r.origins[i] = (origin){NULL, 0, 0};
    }
    for (size_t k = 0; k < layer_count; k++) {
        int rc = apply_tree(&r, layers[k].path, (ipsim_yaml_node *)layers[k].root, 0);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < override_count; i++) {
        int rc = apply_override(&r, overrides[i]);
        if (rc)
            return rc;
    }
    int rc = ipsim_loader_check_pending(&r);
    if (!rc)
        rc = ipsim_posterior_attach(out, err);
    return rc ? rc : validate(&r);
}
