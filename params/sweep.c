/* params/sweep.c: a sweep file expanded into its scenarios. Each scenario
 * is the file without `grid:`, `list:` and `name:`, resolved with the
 * scenario's values as the first --set overrides. */
#define _POSIX_C_SOURCE 200809L
#include "params/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "params/loader.h"
#include "params/yaml_tree.h"

void ipsim_sweep_free(ipsim_sweep *s)
{
    ipsim_study_free(&s->study);
    free(s->value);
    s->value = NULL;
    s->keys = 0;
}

int ipsim_sweep_in_part(int scenario, int part, int parts)
{
    return scenario % parts == part - 1;
}

/* One varied key: its values in the file. */
typedef struct axis {
    const ipsim_yaml_node *key;
    const ipsim_yaml_node *values; /* a sequence of scalars */
} axis;

static int fail_at(ipsim_error *err, const char *path, const ipsim_yaml_node *at, const char *key,
                   const char *message)
{
    IPSIM_FAIL(err, IPSIM_EPARAM, "%s", message);
    ipsim_error_locate(err, path, at->line, at->column, key);
    return IPSIM_EPARAM;
}

/* Collects the axes of `grid:` or `list:` (a mapping of keys to sequences
 * of scalars). */
static int read_axes(const char *path, const ipsim_yaml_node *node, const char *what, axis *axes,
                     int *count, ipsim_error *err)
{
    if (node->kind != IPSIM_YAML_MAPPING || node->count == 0)
        return fail_at(err, path, node, what,
                       "must map each key to vary to a list of its values, e.g. "
                       "`ivig.dose_mg_per_kg: [200, 400]`");
    for (size_t i = 0; i + 1 < node->count; i += 2) {
        const ipsim_yaml_node *key = node->items[i], *values = node->items[i + 1];
        char where[IPSIM_KEY_MAX];
        snprintf(where, sizeof where, "%s.%s", what,
                 key->kind == IPSIM_YAML_SCALAR ? key->scalar : "?");
        if (key->kind != IPSIM_YAML_SCALAR || !strchr(key->scalar, '.'))
            return fail_at(err, path, key, where,
                           "a swept key is a parameter's full path, section.key, e.g. "
                           "ivig.dose_mg_per_kg");
        if (*count >= IPSIM_SWEEP_KEYS_MAX)
            return fail_at(err, path, key, where, "a sweep varies at most 16 keys");
        if (values->kind != IPSIM_YAML_SEQUENCE || values->count == 0)
            return fail_at(err, path, values, where, "must be a list of one or more values");
        for (size_t v = 0; v < values->count; v++) {
            const ipsim_yaml_node *x = values->items[v];
            if (x->kind != IPSIM_YAML_SCALAR)
                return fail_at(err, path, x, where,
                               "a swept value is a single number or name; sweep the entries "
                               "of a per-grade list one by one (e.g. "
                               "infection.serious_share.severe)");
            if (strlen(x->scalar) >= IPSIM_SWEEP_VALUE_MAX || strpbrk(x->scalar, "\n#"))
                return fail_at(err, path, x, where, "value too long or not a plain scalar");
        }
        for (int a = 0; a < *count; a++)
            if (strcmp(axes[a].key->scalar, key->scalar) == 0)
                return fail_at(err, path, key, where,
                               "this key is swept twice (once in grid:, once in list:?)");
        axes[(*count)++] = (axis){key, values};
    }
    return IPSIM_OK;
}

/* "ivig.grade_threshold" -> "grade_threshold", or its initials "gt". */
static void short_key(const char *key, int initials, char *buf, size_t size)
{
    const char *last = strrchr(key, '.') ? strrchr(key, '.') + 1 : key;
    if (!initials) {
        snprintf(buf, size, "%s", last);
        return;
    }
    size_t n = 0;
    for (const char *c = last; *c && n + 1 < size; c++)
        if (c == last || c[-1] == '_')
            buf[n++] = *c;
    buf[n] = '\0';
}

/* The scenario's name from its values; IPSIM_NAME_MAX - 1 characters at
 * most. Returns 0 if it does not fit. */
static int scenario_name(const ipsim_sweep *s, int k, int initials, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int a = 0; a < s->keys; a++) {
        char key[IPSIM_KEY_MAX];
        short_key(s->key[a], initials, key, sizeof key);
        char part[IPSIM_KEY_MAX + IPSIM_SWEEP_VALUE_MAX + 4];
        snprintf(part, sizeof part, "%s%s-%s", a ? "__" : "", key, s->value[k][a]);
        /* Group names take [A-Za-z0-9_.-]: anything else becomes '_'. */
        for (char *c = part; *c; c++)
            if (!(*c == '_' || *c == '.' || *c == '-' || (*c >= '0' && *c <= '9') ||
                  (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
                *c = '_';
        size_t len = strlen(part);
        if (n + len >= size)
            return 0;
        memcpy(buf + n, part, len + 1);
        n += len;
    }
    return 1;
}

static void fingerprint(ipsim_sweep *s, const char *const *texts)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a offset basis */
    for (int k = 0; k < s->study.count; k++)
        for (const unsigned char *c = (const unsigned char *)texts[k]; ; c++) {
            h ^= *c;
            h *= 1099511628211ULL;
            if (!*c)
                break;
        }
    snprintf(s->fingerprint, sizeof s->fingerprint, "%016llx", (unsigned long long)h);
}

/* The file as a scenario's document: every key but grid, list and name. */
static int shared_document(const ipsim_yaml_node *root, ipsim_yaml_node *doc,
                           ipsim_yaml_node ***items, ipsim_error *err)
{
    *items = malloc((root->count + 2) * sizeof **items);
    if (!*items)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    size_t n = 0;
    for (size_t i = 0; i + 1 < root->count; i += 2) {
        const ipsim_yaml_node *key = root->items[i];
        if (key->kind == IPSIM_YAML_SCALAR &&
            (strcmp(key->scalar, "grid") == 0 || strcmp(key->scalar, "list") == 0 ||
             strcmp(key->scalar, "name") == 0))
            continue;
        (*items)[n++] = root->items[i];
        (*items)[n++] = root->items[i + 1];
    }
    *doc = (ipsim_yaml_node){.kind = IPSIM_YAML_MAPPING,
                             .line = root->line,
                             .column = root->column,
                             .items = *items,
                             .count = n,
                             .capacity = n};
    return IPSIM_OK;
}

/* Resolves scenario k: its values, then the command line's overrides. */
static int resolve(ipsim_sweep *s, int k, const char *path, const ipsim_yaml_node *doc,
                   const axis *axes, const size_t *pick, const char *const *overrides,
                   size_t override_count, ipsim_error *err)
{
    enum { MAX = IPSIM_SWEEP_KEYS_MAX };
    char sets[MAX][IPSIM_KEY_MAX + IPSIM_SWEEP_VALUE_MAX + 2];
    const char **all = malloc((MAX + override_count) * sizeof *all);
    if (!all)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    for (int a = 0; a < s->keys; a++) {
        const ipsim_yaml_node *v = axes[a].values->items[pick[a]];
        /* Quoted values stay strings in the override's YAML. */
        snprintf(sets[a], sizeof sets[a], v->plain ? "%s=%s" : "%s='%s'", s->key[a], v->scalar);
        snprintf(s->value[k][a], sizeof s->value[k][a], "%s", v->scalar);
        all[a] = sets[a];
    }
    for (size_t i = 0; i < override_count; i++)
        all[s->keys + i] = overrides[i];
    ipsim_params *p = &s->study.scenarios[k];
    int rc = ipsim_params_resolve_tree(p, path, doc, all, (size_t)s->keys + override_count, err);
    free(all);
    if (rc) {
        /* A value's own error belongs at the value in the sweep file. */
        for (int a = 0; a < s->keys; a++)
            if (strcmp(err->file, "--set") == 0 && strcmp(err->key, s->key[a]) == 0) {
                const ipsim_yaml_node *v = axes[a].values->items[pick[a]];
                snprintf(err->file, sizeof err->file, "%s", path);
                err->line = v->line;
                err->column = v->column;
            }
        return rc;
    }
    return IPSIM_OK;
}

int ipsim_sweep_load(ipsim_sweep *out, const char *path, const char *const *overrides,
                     size_t override_count, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    ipsim_yaml_node *root = NULL, **items = NULL, doc;
    char **texts = NULL;
    axis axes[IPSIM_SWEEP_KEYS_MAX];
    int rc = ipsim_yaml_parse_file(&root, path, err);
    if (rc)
        return rc;
    if (!root || root->kind != IPSIM_YAML_MAPPING) {
        rc = IPSIM_FAIL(err, IPSIM_EPARAM, "a sweep file is a mapping with grid: or list:");
        ipsim_error_locate(err, path, root ? root->line : 1, root ? root->column : 1, NULL);
        goto done;
    }
    const ipsim_yaml_node *grid = ipsim_yaml_lookup(root, "grid");
    const ipsim_yaml_node *list = ipsim_yaml_lookup(root, "list");
    const ipsim_yaml_node *name = ipsim_yaml_lookup(root, "name");
    if (ipsim_yaml_lookup(root, "scenarios")) {
        rc = fail_at(err, path, root, "scenarios",
                     "a sweep makes its scenarios from grid: and list:; it cannot also list "
                     "scenarios: (run a study with `ipsim run`)");
        goto done;
    }
    if (!grid && !list) {
        rc = fail_at(err, path, root, "grid",
                     "a sweep file needs grid: (every combination) or list: (values taken "
                     "together) naming the keys to vary");
        goto done;
    }
    int grid_keys = 0, all_keys = 0;
    if (grid)
        rc = read_axes(path, grid, "grid", axes, &all_keys, err);
    grid_keys = all_keys;
    if (!rc && list)
        rc = read_axes(path, list, "list", axes, &all_keys, err);
    if (rc)
        goto done;
    size_t rows = list ? axes[grid_keys].values->count : 1;
    for (int a = grid_keys + 1; a < all_keys; a++)
        if (axes[a].values->count != rows) {
            rc = fail_at(err, path, axes[a].values, "list",
                         "every key of list: needs as many values as the first (they are "
                         "taken together, the i-th of each)");
            goto done;
        }
    /* Scenarios: grid combinations x list rows. */
    double total = (double)rows;
    for (int a = 0; a < grid_keys; a++)
        total *= (double)axes[a].values->count;
    if (total > IPSIM_STUDY_MAX_SCENARIOS) {
        rc = fail_at(err, path, grid ? grid : list, grid ? "grid" : "list",
                     "the sweep has more scenarios than a file holds (100,000)");
        goto done;
    }
    for (size_t i = 0; i < override_count; i++)
        for (int a = 0; a < all_keys; a++) {
            size_t len = strlen(axes[a].key->scalar);
            if (strncmp(overrides[i], axes[a].key->scalar, len) == 0 && overrides[i][len] == '=') {
                rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                                "--set %s: the sweep varies this key (%s:%ld); change its "
                                "values in the sweep file",
                                overrides[i], path, axes[a].key->line);
                goto done;
            }
        }
    const int count = (int)total;
    out->keys = all_keys;
    for (int a = 0; a < all_keys; a++)
        snprintf(out->key[a], sizeof out->key[a], "%s", axes[a].key->scalar);
    out->study.scenarios = calloc((size_t)count, sizeof *out->study.scenarios);
    out->value = calloc((size_t)count, sizeof *out->value);
    texts = calloc((size_t)count, sizeof *texts);
    if (!out->study.scenarios || !out->value || !texts) {
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate %d scenarios", count);
        goto done;
    }
    if (name)
        rc = ipsim_params_read_name(path, name, out->study.name, err);
    if (!rc)
        rc = shared_document(root, &doc, &items, err);
    size_t pick[IPSIM_SWEEP_KEYS_MAX] = {0};
    for (int k = 0; k < count && !rc; k++) {
        /* Mixed radix: the last grid key fastest, then the list row. */
        size_t rest = (size_t)k;
        if (list) {
            size_t row = rest % rows;
            for (int a = grid_keys; a < all_keys; a++)
                pick[a] = row;
            rest /= rows;
        }
        for (int a = grid_keys - 1; a >= 0; a--) {
            pick[a] = rest % axes[a].values->count;
            rest /= axes[a].values->count;
        }
        rc = resolve(out, k, path, &doc, axes, pick, overrides, override_count, err);
        out->study.count = k + 1;
    }
    for (int initials = 0; !rc && initials < 2; initials++) {
        int fits = 1;
        for (int k = 0; k < count && fits; k++)
            fits = scenario_name(out, k, initials, out->study.scenarios[k].name,
                                 sizeof out->study.scenarios[k].name);
        if (fits)
            break;
        if (initials)
            rc = fail_at(err, path, grid ? grid : list, grid ? "grid" : "list",
                         "the scenarios' names (each key and value) do not fit in 63 "
                         "characters even with the keys shortened; vary fewer keys or "
                         "shorter values");
    }
    for (int k = 1; k < count && !rc; k++)
        for (int j = 0; j < k && !rc; j++)
            if (strcmp(out->study.scenarios[k].name, out->study.scenarios[j].name) == 0) {
                char message[IPSIM_NAME_MAX + 96];
                snprintf(message, sizeof message,
                         "two scenarios would both be named '%s': a value repeats",
                         out->study.scenarios[k].name);
                rc = fail_at(err, path, grid ? grid : list, grid ? "grid" : "list", message);
            }
    if (!rc && !out->study.name[0])
        snprintf(out->study.name, sizeof out->study.name, "%s", "sweep");
    if (!rc) {
        int k;
        const char *key = ipsim_study_differing_key(&out->study, &k);
        if (key) {
            char message[IPSIM_KEY_MAX + 160];
            snprintf(message, sizeof message,
                     "the scenarios of a sweep share one cohort and its PSA distributions "
                     "(common random numbers); %s cannot be swept",
                     *key ? key : "a distribution");
            rc = fail_at(err, path, grid ? grid : list, *key ? key : "grid", message);
        }
    }
    for (int k = 0; k < count && !rc; k++)
        rc = ipsim_params_to_yaml(&out->study.scenarios[k], &texts[k], err);
    if (!rc)
        fingerprint(out, (const char *const *)texts);
done:
    if (texts)
        for (int k = 0; k < out->study.count; k++)
            free(texts[k]);
    free(texts);
    free(items);
    ipsim_yaml_free(root);
    if (rc)
        ipsim_sweep_free(out);
    return rc;
}
