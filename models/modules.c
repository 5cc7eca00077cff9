/* models/modules.c: the registry of clinical modules, and building them
 * against a parameter set (models/module.h). */
#include "models/module.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/modules.h"
#include "params/yaml_tree.h"

/* The modules ipsim ships (models/modules.h), in the order they act. */
#define IPSIM_MODULE_ADDRESS(name) &ipsim_##name##_module,
const ipsim_module *const ipsim_registered_modules[] = {
    IPSIM_SHIPPED_MODULES(IPSIM_MODULE_ADDRESS) NULL};
#undef IPSIM_MODULE_ADDRESS

static int check_declaration(const ipsim_module *mod, const ipsim_module *const *registry,
                             const ipsim_module *const *self, ipsim_error *err)
{
    for (const ipsim_module *const *r = registry; r < self; r++) {
        if (strcmp((*r)->name, mod->name) == 0 || (mod->purpose && (*r)->purpose == mod->purpose))
            return IPSIM_FAIL(err, IPSIM_EINTERNAL, "modules '%s' and '%s' share a name or a "
                              "random stream purpose", (*r)->name, mod->name);
        for (int i = 0; i < (*r)->column_count; i++)
            for (int j = 0; j < mod->column_count; j++)
                if (strcmp((*r)->columns[i].name, mod->columns[j].name) == 0)
                    return IPSIM_FAIL(err, IPSIM_EINTERNAL, "modules '%s' and '%s' both "
                                      "declare a column '%s'", (*r)->name, mod->name,
                                      mod->columns[j].name);
    }
    if (mod->purpose != 0 && mod->purpose != IPSIM_PURPOSE_VACCINE &&
        mod->purpose < IPSIM_PURPOSE_MODULE_FIRST)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "module '%s': purpose %d is a core stream's",
                          mod->name, mod->purpose);
    for (int k = 0; k < mod->param_count && k < IPSIM_MODULE_PARAMS_MAX; k++) {
        const ipsim_module_param *q = &mod->params[k];
        if (!(q->default_value >= q->min && q->default_value <= q->max) ||
            (q->integer && q->default_value != floor(q->default_value)))
            return IPSIM_FAIL(err, IPSIM_EINTERNAL, "module '%s': the default of '%s' is "
                              "outside what it allows", mod->name, q->key);
    }
    for (int j = 0; j < mod->column_count; j++)
        if (mod->columns[j].summed && !mod->columns[j].integer)
            return IPSIM_FAIL(err, IPSIM_EINTERNAL, "module '%s': column '%s' is summed but "
                              "not a count", mod->name, mod->columns[j].name);
    if (!mod->name || !*mod->name || strchr(mod->name, '.') || !mod->init ||
        (mod->column_count > 0 && !mod->finish))
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "module '%s': a name, init and (with columns) "
                          "finish are required", mod->name ? mod->name : "?");
    if (mod->tables_size > IPSIM_MODULE_TABLES_MAX || mod->state_size > IPSIM_MODULE_STATE_MAX ||
        mod->param_count < 0 || mod->param_count > IPSIM_MODULE_PARAMS_MAX ||
        mod->column_count < 0)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL,
                          "module '%s' exceeds the room models/module.h gives a module",
                          mod->name);
    return IPSIM_OK;
}

/* The module and parameter a `modules.NAME.key` value names, or an error at
 * the value's origin. */
static int find_value_target(const ipsim_module_value *v, const ipsim_module *const *registry,
                             const ipsim_module **mod_out, int *param_out, ipsim_error *err)
{
    char path[sizeof v->key + 16];
    snprintf(path, sizeof path, "modules.%s", v->key);
    const char *dot = strchr(v->key, '.');
    const size_t len = (size_t)(dot - v->key);
    for (const ipsim_module *const *r = registry; *r; r++) {
        const ipsim_module *mod = *r;
        if (strlen(mod->name) != len || strncmp(mod->name, v->key, len) != 0)
            continue;
        for (int k = 0; k < mod->param_count; k++) {
            if (strcmp(mod->params[k].key, dot + 1) == 0) {
                *mod_out = mod;
                *param_out = k;
                return IPSIM_OK;
            }
        }
        char known[IPSIM_MODULE_PARAMS_MAX * 40] = "";
        for (int k = 0; k < mod->param_count; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
                     mod->params[k].key);
        IPSIM_FAIL(err, IPSIM_EPARAM, "module '%s' has no parameter '%s' (it has: %s)",
                   mod->name, dot + 1, mod->param_count ? known : "none");
        ipsim_error_locate(err, v->source, v->line, v->column, path);
        return IPSIM_EPARAM;
    }
    char known[256] = "";
    for (const ipsim_module *const *r = registry; *r; r++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                 r == registry ? "" : ", ", (*r)->name);
    IPSIM_FAIL(err, IPSIM_EPARAM, "no module named '%.*s' (modules: %s)", (int)len, v->key,
               *registry ? known : "none");
    ipsim_error_locate(err, v->source, v->line, v->column, path);
    return IPSIM_EPARAM;
}

int ipsim_modules_init(ipsim_modules *m, const ipsim_module *const *registry,
                       const ipsim_params *p, ipsim_error *err)
{
    int modules = 0, columns = 0;
    for (const ipsim_module *const *r = registry; *r; r++) {
        int rc = check_declaration(*r, registry, r, err);
        if (rc)
            return rc;
        modules++;
        columns += (*r)->column_count;
    }
    if (modules > IPSIM_MODULES_MAX || columns > IPSIM_MODULE_COLUMNS_MAX)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL,
                          "more modules or module columns than models/module.h has room for");
    ipsim_modules_declare(m, registry);
    /* Every given value must belong to a module, in range. */
    for (int i = 0; i < p->module_value_count; i++) {
        const ipsim_module_value *v = &p->module_values[i];
        const ipsim_module *mod = NULL;
        int k = 0;
        int rc = find_value_target(v, registry, &mod, &k, err);
        if (rc)
            return rc;
        const ipsim_module_param *spec = &mod->params[k];
        const bool in_range = v->value >= spec->min && v->value <= spec->max;
        if (!in_range || (spec->integer && v->value != floor(v->value))) {
            char path[sizeof v->key + 16];
            snprintf(path, sizeof path, "modules.%s", v->key);
            char given[32];
            ipsim_yaml_format_real(v->value, given, sizeof given);
            if (in_range)
                IPSIM_FAIL(err, IPSIM_EPARAM, "%s is not a whole number (%s)", given, spec->unit);
            else
                IPSIM_FAIL(err, IPSIM_EPARAM, "%g is out of range: must be in [%g, %g] (%s)",
                           v->value, spec->min, spec->max, spec->unit);
            ipsim_error_locate(err, v->source, v->line, v->column, path);
            return IPSIM_EPARAM;
        }
    }
    for (int s = 0; s < m->count; s++) {
        ipsim_module_slot *slot = &m->slots[s];
        const ipsim_module *mod = slot->module;
        double values[IPSIM_MODULE_PARAMS_MAX];
        for (int k = 0; k < mod->param_count; k++) {
            values[k] = mod->params[k].default_value;
            char key[2 * IPSIM_KEY_MAX];
            snprintf(key, sizeof key, "%s.%s", mod->name, mod->params[k].key);
            for (int i = 0; i < p->module_value_count; i++)
                if (strcmp(p->module_values[i].key, key) == 0)
                    values[k] = p->module_values[i].value;
        }
        int rc = mod->init(slot->tables, values, p, &slot->active, err);
        if (rc) {
            ipsim_error_prefix(err, "module '%s': ", mod->name);
            return rc;
        }
        if (!slot->active)
            continue;
        m->active[m->active_count++] = s;
        if (mod->cycle)
            m->cycling[m->cycling_count++] = s;
        if (mod->episodes)
            m->counting[m->counting_count++] = s;
    }
    return IPSIM_OK;
}

const ipsim_module_column *ipsim_modules_column(const ipsim_modules *m, int index)
{
    for (int s = 0; s < m->count; s++) {
        const ipsim_module_slot *slot = &m->slots[s];
        if (index < slot->first_column + slot->module->column_count)
            return &slot->module->columns[index - slot->first_column];
    }
    return NULL;
}

int ipsim_modules_column_index(const ipsim_module *const *registry, const char *name)
{
    int index = 0;
    for (const ipsim_module *const *r = registry; *r; r++)
        for (int k = 0; k < (*r)->column_count; k++, index++)
            if (strcmp((*r)->columns[k].name, name) == 0)
                return index;
    return -1;
}

void ipsim_modules_declare(ipsim_modules *m, const ipsim_module *const *registry)
{
    memset(m, 0, sizeof *m);
    for (const ipsim_module *const *r = registry; *r && m->count < IPSIM_MODULES_MAX; r++) {
        m->slots[m->count].module = *r;
        m->slots[m->count].first_column = m->column_count;
        m->column_count += (*r)->column_count;
        m->count++;
    }
}

void ipsim_modules_write_reference(FILE *out, const ipsim_module *const *registry)
{
    for (const ipsim_module *const *r = registry; *r; r++) {
        const ipsim_module *mod = *r;
        if (mod->param_count == 0)
            continue;
        fprintf(out, "\n## modules.%s\n\n"
                     "Declared by the clinical module `%s` (models/module.h).\n\n"
                     "| key | default | unit | allowed | meaning |\n"
                     "|---|---|---|---|---|\n",
                mod->name, mod->name);
        for (int k = 0; k < mod->param_count; k++) {
            const ipsim_module_param *q = &mod->params[k];
            char given[32];
            ipsim_yaml_format_real(q->default_value, given, sizeof given);
            fprintf(out, "| `%s` | `%s` | %s | [%g, %g]%s | %s |\n", q->key, given, q->unit,
                    q->min, q->max, q->integer ? ", whole" : "", q->doc);
        }
    }
}
