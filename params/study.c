/* params/study.c: a study file's scenarios, each resolved as a parameter
 * file made of the shared keys followed by its own. */
#define _POSIX_C_SOURCE 200809L
#include "params/study.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/loader.h"
#include "params/psa.h"
#include "params/yaml_tree.h"

void ipsim_study_free(ipsim_study *s)
{
    free(s->scenarios);
    s->scenarios = NULL;
    s->count = 0;
}

/* The file's base name without its extension, as a study name. */
static void name_from_path(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len >= size)
        len = size - 1;
    memcpy(buf, base, len);
    buf[len] = '\0';
}

const char *ipsim_study_differing_key(const ipsim_study *s, int *scenario)
{
    const ipsim_params *first = &s->scenarios[0];
    for (int k = 1; k < s->count; k++) {
        const ipsim_params *p = &s->scenarios[k];
        const char *key = NULL;
        if (p->seed != first->seed)
            key = "seed";
        else if (p->cohort.patients != first->cohort.patients)
            key = "cohort.patients";
        else if (p->cohort.replicates != first->cohort.replicates)
            key = "cohort.replicates";
        else if (p->cohort.horizon_months != first->cohort.horizon_months)
            key = "cohort.horizon_months";
        else if (p->cohort.cycle_months != first->cohort.cycle_months)
            key = "cohort.cycle_months";
        else if (p->psa.sample != first->psa.sample)
            key = "psa.sample";
        else if (p->decision.wtp_max != first->decision.wtp_max)
            key = "decision.wtp_max"; /* the comparison has one grid */
        else if (p->decision.wtp_step != first->decision.wtp_step)
            key = "decision.wtp_step";
        else if (p->decision.population_per_year != first->decision.population_per_year)
            key = "decision.population_per_year"; /* one decision, one population */
        else if (p->decision.horizon_years != first->decision.horizon_years)
            key = "decision.horizon_years";
        else if (p->decision.discount_rate != first->decision.discount_rate)
            key = "decision.discount_rate";
        else if (!ipsim_psa_same(p, first))
            key = "";
        if (key) {
            *scenario = k;
            return key;
        }
    }
    return NULL;
}

/* Keys every scenario must share, and why. */
static int check_shared(const ipsim_study *s, const char *path, const ipsim_yaml_node *scenarios,
                        ipsim_error *err)
{
    int k;
    const char *key = ipsim_study_differing_key(s, &k);
    if (!key)
        return IPSIM_OK;
    const ipsim_params *p = &s->scenarios[k], *first = &s->scenarios[0];
    const ipsim_yaml_node *at = scenarios->items[2 * k];
    if (*key) {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "scenario '%s' has a different %s from scenario '%s': the scenarios of a "
                   "study share one cohort, so that their differences are paired patient "
                   "by patient; set it once, outside `scenarios:`",
                   p->name, key, first->name);
        ipsim_error_locate(err, path, at->line, at->column, key);
    } else {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "scenario '%s' gives different parameter distributions from scenario "
                   "'%s': every scenario must draw the same PSA values; give the "
                   "distributions once, outside `scenarios:`",
                   p->name, first->name);
        ipsim_error_locate(err, path, at->line, at->column, "scenarios");
    }
    return IPSIM_EPARAM;
}

/* Scenarios are told apart by name (in the output file, the comparison,
 * the report), so no two may share one. The file's keys cannot repeat (the
 * YAML reader refuses that), but `--set name=...` renames them all. */
static int check_names(const ipsim_study *s, const char *path, const ipsim_yaml_node *scenarios,
                       ipsim_error *err)
{
    for (int k = 1; k < s->count; k++)
        for (int j = 0; j < k; j++)
            if (strcmp(s->scenarios[k].name, s->scenarios[j].name) == 0) {
                const ipsim_yaml_node *first = scenarios->items[2 * j];
                const ipsim_yaml_node *at = scenarios->items[2 * k];
                IPSIM_FAIL(err, IPSIM_EPARAM,
                           "scenarios '%s' (line %ld) and '%s' would both be named '%s': the "
                           "scenarios of a study need names of their own (a --set name=... "
                           "names every scenario; a scenario's name is its key under "
                           "`scenarios:`)",
                           first->scalar, first->line, at->scalar, s->scenarios[k].name);
                ipsim_error_locate(err, path, at->line, at->column, "name");
                return IPSIM_EPARAM;
            }
    return IPSIM_OK;
}

/* Keys of a study file that every scenario takes (all but the study's own;
 * a malformed key is passed on for the loader to report). */
static int is_shared_key(const ipsim_yaml_node *key)
{
    return key->kind != IPSIM_YAML_SCALAR ||
           (strcmp(key->scalar, "scenarios") != 0 && strcmp(key->scalar, "name") != 0);
}

/* Scenario k's document: the shared keys, then its own, then its name. */
static int resolve_scenario(ipsim_params *out, const char *path, const ipsim_yaml_node *root,
                            const ipsim_yaml_node *name, const ipsim_yaml_node *keys,
                            const char *const *overrides, size_t override_count,
                            ipsim_error *err)
{
    size_t shared = 0;
    for (size_t i = 0; i + 1 < root->count; i += 2)
        if (is_shared_key(root->items[i]))
            shared += 2;
    size_t own = keys->kind == IPSIM_YAML_MAPPING ? keys->count : 0;
    ipsim_yaml_node **items = malloc((shared + own + 2) * sizeof *items);
    if (!items)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate scenario '%s'", name->scalar);
    size_t n = 0;
    for (size_t i = 0; i + 1 < root->count; i += 2)
        if (is_shared_key(root->items[i])) {
            items[n++] = root->items[i];
            items[n++] = root->items[i + 1];
        }
    for (size_t i = 0; i < own; i++)
        items[n++] = keys->items[i];
    /* The scenario's name is its key; "name" is a plain key node. */
    ipsim_yaml_node name_key = {.kind = IPSIM_YAML_SCALAR,
                                .line = name->line,
                                .column = name->column,
                                .scalar = (char *)"name",
                                .plain = 1};
    items[n++] = &name_key;
    items[n++] = (ipsim_yaml_node *)name;
    ipsim_yaml_node doc = {.kind = IPSIM_YAML_MAPPING,
                           .line = root->line,
                           .column = root->column,
                           .items = items,
                           .count = n,
                           .capacity = n};
    int rc = ipsim_params_resolve_tree(out, path, &doc, overrides, override_count, err);
    free(items);
    return rc;
}

int ipsim_params_read_name(const char *path, const ipsim_yaml_node *name, char *out,
                           ipsim_error *err)
{
    if (name->kind != IPSIM_YAML_SCALAR || strlen(name->scalar) >= IPSIM_NAME_MAX ||
        !ipsim_params_valid_name(name->scalar)) {
        IPSIM_FAIL(err, IPSIM_EPARAM,
                   "'%s' is not a valid name: use 1 to %d letters, digits, '_', '-' or '.' (a "
                   "name is a label that names the output file, not a path)",
                   name->kind == IPSIM_YAML_SCALAR ? name->scalar : "(not a single value)",
                   IPSIM_NAME_MAX - 1);
        ipsim_error_locate(err, path, name->line, name->column, "name");
        return IPSIM_EPARAM;
    }
    snprintf(out, IPSIM_NAME_MAX, "%s", name->scalar);
    return IPSIM_OK;
}

int ipsim_study_load(ipsim_study *out, const char *path, const char *const *overrides,
                     size_t override_count, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    ipsim_yaml_node *root = NULL;
    int rc = ipsim_yaml_parse_file(&root, path, err);
    if (rc)
        return rc;
    const ipsim_yaml_node *scenarios = ipsim_yaml_lookup(root, "scenarios");
    const ipsim_yaml_node *name = ipsim_yaml_lookup(root, "name");
    name_from_path(path, out->name, sizeof out->name);
    /* A study's own name is checked here; a single scenario's by the
     * loader, as a parameter. */
    if (scenarios && name && (rc = ipsim_params_read_name(path, name, out->name, err)) != 0)
        goto done;

    if (!scenarios) {
        /* A plain parameter file: a study of one. */
        out->scenarios = malloc(sizeof *out->scenarios);
        if (!out->scenarios) {
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the parameters");
            goto done;
        }
        out->count = 1;
        rc = ipsim_params_resolve_tree(&out->scenarios[0], path, root, overrides, override_count,
                                       err);
        if (!rc)
            snprintf(out->name, sizeof out->name, "%s", out->scenarios[0].name);
        goto done;
    }
    if (scenarios->kind != IPSIM_YAML_MAPPING || scenarios->count == 0) {
        rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                        "'scenarios' must be a mapping of scenario names to their parameters, "
                        "e.g. `scenarios: {no_ivig: {}, ivig: {ivig: {policy: grade}}}`");
        ipsim_error_locate(err, path, scenarios->line, scenarios->column, "scenarios");
        goto done;
    }
    size_t count = scenarios->count / 2;
    if (count > IPSIM_STUDY_MAX_SCENARIOS) {
        rc = IPSIM_FAIL(err, IPSIM_EPARAM, "%zu scenarios; a study holds at most %d", count,
                        IPSIM_STUDY_MAX_SCENARIOS);
        ipsim_error_locate(err, path, scenarios->line, scenarios->column, "scenarios");
        goto done;
    }
    out->scenarios = calloc(count, sizeof *out->scenarios);
    if (!out->scenarios) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate %zu scenarios", count);
        goto done;
    }
    for (size_t k = 0; k < count && !rc; k++) {
        const ipsim_yaml_node *key = scenarios->items[2 * k], *value = scenarios->items[2 * k + 1];
        char where[IPSIM_KEY_MAX];
        snprintf(where, sizeof where, "scenarios.%s",
                 key->kind == IPSIM_YAML_SCALAR ? key->scalar : "?");
        int empty = value->kind == IPSIM_YAML_SCALAR && value->plain &&
                    (!*value->scalar || strcmp(value->scalar, "~") == 0 ||
                     strcmp(value->scalar, "null") == 0);
        if (key->kind != IPSIM_YAML_SCALAR || (value->kind != IPSIM_YAML_MAPPING && !empty)) {
            rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                            "a scenario is a name and a mapping of the parameters it changes "
                            "(`{}` for none)");
            ipsim_error_locate(err, path, value->line, value->column, where);
            break;
        }
        if (ipsim_yaml_lookup(value, "name") || ipsim_yaml_lookup(value, "scenarios")) {
            rc = IPSIM_FAIL(err, IPSIM_EPARAM,
                            "a scenario's name is its key; it cannot set 'name' or nest "
                            "'scenarios'");
            ipsim_error_locate(err, path, value->line, value->column, where);
            break;
        }
        rc = resolve_scenario(&out->scenarios[k], path, root, key, value, overrides,
                              override_count, err);
        if (rc)
            ipsim_error_prefix(err, "scenario '%s': ", key->scalar);
        out->count = (int)k + 1;
    }
    if (!rc)
        rc = check_names(out, path, scenarios, err);
    if (!rc)
        rc = check_shared(out, path, scenarios, err);
done:
    ipsim_yaml_free(root);
    if (rc)
        ipsim_study_free(out);
    return rc;
}
