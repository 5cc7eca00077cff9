/* params/voi_plan.c: reading a value-of-information plan. */
#include "params/voi_plan.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "params/schema.h"
#include "params/yaml_tree.h"

const char *const ipsim_voi_design_names[IPSIM_VOI_DESIGNS] = {"normal", "binomial",
                                                                   "rate_ratio"};

void ipsim_voi_plan_init(ipsim_voi_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->bootstrap = IPSIM_VOI_BOOTSTRAP_DEFAULT;
}

typedef struct reader {
    const char *path;
    ipsim_error *err;
} reader;

/* Fails with the file, the node's line and column, and the key. */
#define fail(r, n, key, ...) ipsim_yaml_fail((r)->err, (r)->path, (n), (key), __VA_ARGS__)

static int expect(const reader *r, const ipsim_yaml_node *n, ipsim_yaml_kind kind,
                  const char *key)
{
    static const char *const kinds[] = {"a single value", "a list", "a mapping"};
    if (n && n->kind == kind)
        return IPSIM_OK;
    return fail(r, n, key, "expected %s", kinds[kind]);
}

/* A number at least min and at most max (the bounds shown as written). */
static int real_at(const reader *r, const ipsim_yaml_node *n, const char *key, double min,
                   double max, double *out)
{
    const char *why = NULL;
    if (expect(r, n, IPSIM_YAML_SCALAR, key))
        return IPSIM_EPARAM;
    if (!ipsim_yaml_real(n, out, &why))
        return fail(r, n, key, "%s", why);
    if (*out < min || *out > max) {
        char text[160], lo[40], hi[40], value[40];
        ipsim_yaml_format_real(min, lo, sizeof lo);
        ipsim_yaml_format_real(max, hi, sizeof hi);
        ipsim_yaml_format_real(*out, value, sizeof value);
        if (isinf(max))
            snprintf(text, sizeof text, "%s is out of range: must be at least %s", value, lo);
        else
            snprintf(text, sizeof text, "%s is out of range: must be from %s to %s", value, lo,
                     hi);
        return fail(r, n, key, "%s", text);
    }
    return IPSIM_OK;
}

/* A whole number from min to max, read whole: a size too large to hold is
 * refused with the limit, never truncated. */
static int whole_at(const reader *r, const ipsim_yaml_node *n, const char *key, int64_t min,
                    int64_t max, int64_t *out)
{
    double v;
    if (real_at(r, n, key, (double)min, (double)max, &v))
        return IPSIM_EPARAM;
    if (v != floor(v))
        return fail(r, n, key, "expected a whole number, got '%s'", n->scalar);
    *out = (int64_t)v;
    return IPSIM_OK;
}

/* A population figure, in the range of the parameter it overrides. */
static int decision_at(const reader *r, const ipsim_yaml_node *n, const char *key,
                       const char *parameter, double *out)
{
    const ipsim_param_spec *spec = ipsim_param_spec_find(parameter);
    return real_at(r, n, key, spec->min, spec->max, out);
}

static bool is_name(const char *s)
{
    if (!*s || strlen(s) >= IPSIM_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

static int read_groups(const reader *r, const ipsim_yaml_node *map, ipsim_voi_plan *plan)
{
    if (expect(r, map, IPSIM_YAML_MAPPING, "evppi"))
        return IPSIM_EPARAM;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const ipsim_yaml_node *name = map->items[i], *keys = map->items[i + 1];
        char key[IPSIM_KEY_MAX];
        snprintf(key, sizeof key, "evppi.%s", name->scalar ? name->scalar : "");
        if (!name->scalar || !is_name(name->scalar))
            return fail(r, name, key, "%s", "a group name is letters, digits, '_', '-' and '.'");
        if (plan->groups >= IPSIM_VOI_GROUPS_MAX)
            return fail(r, name, key, "more than %s groups", "64");
        if (expect(r, keys, IPSIM_YAML_SEQUENCE, key))
            return IPSIM_EPARAM;
        if (keys->count == 0 || keys->count > IPSIM_VOI_GROUP_KEYS_MAX)
            return fail(r, keys, key, "a group lists 1 to %s PSA keys", "16");
        ipsim_voi_group *g = &plan->group[plan->groups++];
        snprintf(g->name, sizeof g->name, "%s", name->scalar);
        g->line = name->line;
        for (size_t k = 0; k < keys->count; k++) {
            if (expect(r, keys->items[k], IPSIM_YAML_SCALAR, key))
                return IPSIM_EPARAM;
            if (strlen(keys->items[k]->scalar) >= IPSIM_KEY_MAX)
                return fail(r, keys->items[k], key, "%s", "key too long");
            for (size_t j = 0; j < k; j++)
                if (strcmp(keys->items[j]->scalar, keys->items[k]->scalar) == 0) {
                    char text[IPSIM_KEY_MAX + 96];
                    snprintf(text, sizeof text,
                             "'%s' is listed twice in the group, at line %ld column %ld and "
                             "line %ld column %ld",
                             keys->items[k]->scalar, keys->items[j]->line,
                             keys->items[j]->column, keys->items[k]->line,
                             keys->items[k]->column);
                    return fail(r, keys->items[k], key, "%s", text);
                }
            snprintf(g->key[g->keys++], IPSIM_KEY_MAX, "%s", keys->items[k]->scalar);
        }
    }
    return IPSIM_OK;
}

static int read_study(const reader *r, const ipsim_yaml_node *name, const ipsim_yaml_node *map,
                      ipsim_voi_study *s)
{
    char base[IPSIM_KEY_MAX], key[IPSIM_KEY_MAX + 32];
    snprintf(base, sizeof base, "evsi.%s", name->scalar ? name->scalar : "");
    if (!name->scalar || !is_name(name->scalar))
        return fail(r, name, base, "%s", "a study name is letters, digits, '_', '-' and '.'");
    if (expect(r, map, IPSIM_YAML_MAPPING, base))
        return IPSIM_EPARAM;
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name->scalar);
    s->design = IPSIM_VOI_DESIGNS;
    s->arms = 0;
    s->follow_up_years = 1;
    bool have_parameter = false, have_n = false;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const ipsim_yaml_node *k = map->items[i], *v = map->items[i + 1];
        const char *field = k->scalar ? k->scalar : "";
        snprintf(key, sizeof key, "%s.%s", base, field);
        int64_t whole;
        int rc = IPSIM_OK;
        if (strcmp(field, "parameter") == 0) {
            rc = expect(r, v, IPSIM_YAML_SCALAR, key);
            if (!rc && strlen(v->scalar) >= sizeof s->parameter)
                rc = fail(r, v, key, "%s", "key too long");
            if (!rc)
                snprintf(s->parameter, sizeof s->parameter, "%s", v->scalar);
            have_parameter = true;
        } else if (strcmp(field, "design") == 0) {
            rc = expect(r, v, IPSIM_YAML_SCALAR, key);
            for (int d = 0; !rc && d < IPSIM_VOI_DESIGNS; d++)
                if (strcmp(v->scalar, ipsim_voi_design_names[d]) == 0)
                    s->design = (ipsim_voi_design)d;
            if (!rc && s->design == IPSIM_VOI_DESIGNS)
                rc = fail(r, v, key, "%s", "expected normal, binomial or rate_ratio");
        } else if (strcmp(field, "sd") == 0) {
            rc = real_at(r, v, key, 0, HUGE_VAL, &s->sd);
        } else if (strcmp(field, "control_rate") == 0) {
            rc = real_at(r, v, key, 0, HUGE_VAL, &s->control_rate);
        } else if (strcmp(field, "follow_up_years") == 0) {
            rc = real_at(r, v, key, 0, HUGE_VAL, &s->follow_up_years);
        } else if (strcmp(field, "arms") == 0) {
            rc = whole_at(r, v, key, 1, IPSIM_VOI_ARMS_MAX, &whole);
            s->arms = rc ? 0 : (int)whole;
        } else if (strcmp(field, "cost_per_person") == 0) {
            rc = real_at(r, v, key, 0, HUGE_VAL, &s->cost_per_person);
        } else if (strcmp(field, "fixed_cost") == 0) {
            rc = real_at(r, v, key, 0, HUGE_VAL, &s->fixed_cost);
        } else if (strcmp(field, "n") == 0) {
            rc = expect(r, v, IPSIM_YAML_SEQUENCE, key);
            if (!rc && (v->count == 0 || v->count > IPSIM_VOI_SIZES_MAX))
                rc = fail(r, v, key, "list 1 to %s sample sizes", "64");
            for (size_t j = 0; !rc && j < v->count; j++) {
                rc = whole_at(r, v->items[j], key, 1, IPSIM_VOI_N_MAX, &s->n[j]);
                if (!rc && j > 0 && s->n[j] <= s->n[j - 1])
                    rc = fail(r, v->items[j], key, "%s", "sample sizes must increase");
            }
            s->sizes = rc ? 0 : (int)v->count;
            have_n = true;
        } else {
            rc = fail(r, k, key,
                      "unknown key; a study has %s",
                      "parameter, design, sd, control_rate, follow_up_years, arms, n, "
                      "cost_per_person and fixed_cost");
        }
        if (rc)
            return rc;
    }
    if (!have_parameter || s->design == IPSIM_VOI_DESIGNS || !have_n)
        return fail(r, name, base, "%s", "a study needs parameter, design and n");
    if (s->design == IPSIM_VOI_NORMAL && !(s->sd > 0))
        return fail(r, name, base, "%s", "a normal study needs sd > 0");
    if (s->design == IPSIM_VOI_RATE_RATIO && !(s->control_rate > 0 && s->follow_up_years > 0))
        return fail(r, name, base, "%s",
                    "a rate_ratio study needs control_rate > 0 and follow_up_years > 0");
    const double events = (double)s->n[s->sizes - 1] * s->follow_up_years * s->control_rate;
    if (s->design == IPSIM_VOI_RATE_RATIO && events > IPSIM_VOI_EVENTS_MAX) {
        char text[200];
        snprintf(text, sizeof text,
                 "a rate_ratio study of n = %lld expects %.3g events per arm "
                 "(n x follow_up_years x control_rate); at most %.0f can be simulated",
                 (long long)s->n[s->sizes - 1], events, (double)IPSIM_VOI_EVENTS_MAX);
        return fail(r, name, base, "%s", text);
    }
    if (s->arms == 0)
        s->arms = s->design == IPSIM_VOI_RATE_RATIO ? 2 : 1;
    return IPSIM_OK;
}

int ipsim_voi_plan_load(ipsim_voi_plan *plan, const char *path, ipsim_error *err)
{
    ipsim_voi_plan_init(plan);
    snprintf(plan->source, sizeof plan->source, "%s", path);
    ipsim_yaml_node *root = NULL;
    int rc = ipsim_yaml_parse_file(&root, path, err);
    if (rc)
        return rc;
    const reader r = {path, err};
    if (!root)
        rc = fail(&r, NULL, "", "%s", "the plan is empty: give evppi groups or evsi studies");
    else
        rc = expect(&r, root, IPSIM_YAML_MAPPING, "");
    for (size_t i = 0; !rc && i + 1 < root->count; i += 2) {
        const ipsim_yaml_node *k = root->items[i], *v = root->items[i + 1];
        const char *key = k->scalar ? k->scalar : "";
        if (strcmp(key, "evppi") == 0) {
            rc = read_groups(&r, v, plan);
        } else if (strcmp(key, "evsi") == 0) {
            rc = expect(&r, v, IPSIM_YAML_MAPPING, key);
            for (size_t j = 0; !rc && j + 1 < v->count; j += 2) {
                if (plan->studies >= IPSIM_VOI_STUDIES_MAX) {
                    rc = fail(&r, v->items[j], key, "more than %s studies", "8");
                    break;
                }
                plan->study_line[plan->studies] = v->items[j]->line;
                rc = read_study(&r, v->items[j], v->items[j + 1], &plan->study[plan->studies]);
                plan->studies += rc ? 0 : 1;
            }
        } else if (strcmp(key, "population") == 0) {
            rc = expect(&r, v, IPSIM_YAML_MAPPING, key);
            bool seen[3] = {false, false, false};
            for (size_t j = 0; !rc && j + 1 < v->count; j += 2) {
                const char *field = v->items[j]->scalar ? v->items[j]->scalar : "";
                char full[IPSIM_KEY_MAX];
                snprintf(full, sizeof full, "population.%s", field);
                const ipsim_yaml_node *value = v->items[j + 1];
                if (strcmp(field, "per_year") == 0)
                    rc = decision_at(&r, value, full, "decision.population_per_year",
                                     &plan->population_per_year), seen[0] = true;
                else if (strcmp(field, "horizon_years") == 0)
                    rc = decision_at(&r, value, full, "decision.horizon_years",
                                     &plan->horizon_years), seen[1] = true;
                else if (strcmp(field, "discount_rate") == 0)
                    rc = decision_at(&r, value, full, "decision.discount_rate",
                                     &plan->discount_rate), seen[2] = true;
                else
                    rc = fail(&r, v->items[j], full, "unknown key; population has %s",
                              "per_year, horizon_years and discount_rate");
            }
            if (!rc && !(seen[0] && seen[1] && seen[2]))
                rc = fail(&r, v, key, "%s", "give per_year, horizon_years and discount_rate");
            plan->population_set = !rc;
        } else if (strcmp(key, "bootstrap") == 0) {
            int64_t b;
            rc = whole_at(&r, v, key, 2, IPSIM_VOI_BOOTSTRAP_MAX, &b);
            if (!rc)
                plan->bootstrap = (int)b;
        } else if (strcmp(key, "wtp") == 0) {
            rc = expect(&r, v, IPSIM_YAML_SEQUENCE, key);
            if (!rc && (v->count == 0 || v->count > IPSIM_VOI_WTP_MAX))
                rc = fail(&r, v, key, "list 1 to %s values", "16");
            for (size_t j = 0; !rc && j < v->count; j++)
                rc = real_at(&r, v->items[j], key, 0, HUGE_VAL, &plan->wtp[j]);
            plan->wtp_count = rc ? 0 : (int)v->count;
        } else {
            rc = fail(&r, k, key, "unknown key; a plan has %s",
                      "evppi, evsi, population, bootstrap and wtp");
        }
    }
    if (!rc && plan->groups == 0 && plan->studies == 0)
        rc = fail(&r, root, "", "%s", "the plan has neither evppi groups nor evsi studies");
    ipsim_yaml_free(root);
    return rc;
}

int ipsim_voi_plan_add_group(ipsim_voi_plan *plan, const char *list, ipsim_error *err)
{
    if (plan->groups >= IPSIM_VOI_GROUPS_MAX)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "more than %d parameter groups",
                          IPSIM_VOI_GROUPS_MAX);
    ipsim_voi_group *g = &plan->group[plan->groups];
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", list);
    const char *at = list;
    while (*at) {
        const char *end = strchr(at, ',');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        if (len == 0 || len >= IPSIM_KEY_MAX || g->keys >= IPSIM_VOI_GROUP_KEYS_MAX)
            return IPSIM_FAIL(err, IPSIM_EUSAGE,
                              "--parameters takes 1 to %d PSA keys separated by commas, not '%s'",
                              IPSIM_VOI_GROUP_KEYS_MAX, list);
        memcpy(g->key[g->keys], at, len);
        g->key[g->keys][len] = '\0';
        for (int k = 0; k < g->keys; k++)
            if (strcmp(g->key[k], g->key[g->keys]) == 0)
                return IPSIM_FAIL(err, IPSIM_EUSAGE, "--parameters lists '%s' twice ('%s')",
                                  g->key[k], list);
        g->keys++;
        at = end ? end + 1 : at + len;
    }
    if (g->keys == 0)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "--parameters needs at least one PSA key");
    plan->groups++;
    return IPSIM_OK;
}
