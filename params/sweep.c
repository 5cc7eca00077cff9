/* params/sweep.c: a sweep file expanded into its scenarios. Each scenario
 * is the file without `grid:`, `list:` and `name:`, resolved with the
 * scenario's values as the first --set overrides. */
#define _POSIX_C_SOURCE 200809L
#include "params/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "params/loader.h"
#include "params/yaml_tree.h"

/* POINT__STRATEGY fits in a name with room for the point's own. */
_Static_assert(IPSIM_SWEEP_STRATEGY_NAME_MAX + 2 + 16 < IPSIM_NAME_MAX,
               "a strategy's name leaves too little of a scenario's name for its point");

void ipsim_sweep_free(ipsim_sweep *s)
{
    ipsim_study_free(&s->study);
    free(s->value);
    free(s->point);
    free(s->strategy);
    s->value = NULL;
    s->point = NULL;
    s->strategy = NULL;
    s->keys = s->points = s->strategies = 0;
}

int ipsim_sweep_in_part(int scenario, int part, int parts)
{
    return scenario % parts == part - 1;
}

/* Digits from *s to the first non-digit, at most max; false if none or too many. */
static bool read_count(const char **s, long max, long *out)
{
    long v = 0;
    const char *start = *s;
    for (; **s >= '0' && **s <= '9'; ++*s) {
        v = v * 10 + (**s - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return *s > start;
}

bool ipsim_sweep_part_parse(const char *text, int *part, int *parts)
{
    long i = 0, n = 0;
    const char *s = text ? text : "";
    if (!read_count(&s, IPSIM_STUDY_MAX_SCENARIOS, &i) || *s++ != '/' ||
        !read_count(&s, IPSIM_STUDY_MAX_SCENARIOS, &n) || *s || i < 1 || i > n)
        return false;
    *part = (int)i;
    *parts = (int)n;
    return true;
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

/* A point's name from the values of scenario k (one at the point), in at
 * most size - 1 characters. Returns 0 if it does not fit. */
static int point_name(const ipsim_sweep *s, int k, int initials, char *buf, size_t size)
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

/* `root` without the keys `skip` names (a NULL-terminated list), as a
 * document of its own; *items holds its entries (free it). */
static int document_without(const ipsim_yaml_node *root, const char *const *skip,
                            ipsim_yaml_node *doc, ipsim_yaml_node ***items, ipsim_error *err)
{
    *items = malloc((root->count + 2) * sizeof **items);
    if (!*items)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    size_t n = 0;
    for (size_t i = 0; i + 1 < root->count; i += 2) {
        const ipsim_yaml_node *key = root->items[i];
        int skipped = 0;
        for (const char *const *k = skip; *k && key->kind == IPSIM_YAML_SCALAR; k++)
            skipped |= strcmp(key->scalar, *k) == 0;
        if (skipped)
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

/* The strategies a sweep compares at each point: the `scenarios:` of the
 * sweep file, or of the study file that is its base. */
typedef struct strategies {
    const char *path;             /* the file that lists them */
    const ipsim_yaml_node *list;  /* its `scenarios:` mapping; NULL: none */
    ipsim_yaml_node *study;       /* the base study's tree (owned), NULL when inline */
    char study_path[IPSIM_PATH_MAX];
    /* The documents a scenario resolves from, in order: the study's shared
     * keys (with a base study), the sweep file's, then the strategy's. */
    ipsim_yaml_node study_doc, sweep_doc;
    ipsim_yaml_node **study_items, **sweep_items;
} strategies;

static void strategies_free(strategies *st)
{
    ipsim_yaml_free(st->study);
    free(st->study_items);
    free(st->sweep_items);
}

/* The node of `map` that sets `key` (a dotted path), or a part of it;
 * NULL if none does. */
static const ipsim_yaml_node *sets_key(const ipsim_yaml_node *map, const char *key)
{
    if (!map || map->kind != IPSIM_YAML_MAPPING)
        return NULL;
    const size_t len = strlen(key);
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const ipsim_yaml_node *k = map->items[i];
        if (k->kind != IPSIM_YAML_SCALAR)
            continue;
        const size_t kl = strlen(k->scalar);
        if (strcmp(k->scalar, key) == 0 ||
            (len < kl && strncmp(k->scalar, key, len) == 0 && k->scalar[len] == '.'))
            return k;
        if (kl < len && strncmp(key, k->scalar, kl) == 0 && key[kl] == '.') {
            /* A whole list or value that holds the key sets it too. */
            if (map->items[i + 1]->kind != IPSIM_YAML_MAPPING)
                return k;
            const ipsim_yaml_node *inner = sets_key(map->items[i + 1], key + kl + 1);
            if (inner)
                return inner;
        }
    }
    return NULL;
}

/* Checks each strategy of st->list: a valid name and a mapping of the
 * parameters it changes, none of them swept. */
static int check_strategies(const strategies *st, const char *sweep_path, const axis *axes,
                            int keys, ipsim_error *err)
{
    const ipsim_yaml_node *list = st->list;
    if (list->kind != IPSIM_YAML_MAPPING || list->count == 0)
        return fail_at(err, st->path, list, "scenarios",
                       "'scenarios' must map each strategy's name to the parameters it "
                       "changes, e.g. `scenarios: {no_ivig: {}, ivig: {ivig: {policy: grade}}}`");
    if (list->count / 2 > IPSIM_SWEEP_STRATEGIES_MAX)
        return fail_at(err, st->path, list, "scenarios",
                       "a sweep compares at most 64 strategies at each point");
    for (size_t i = 0; i + 1 < list->count; i += 2) {
        const ipsim_yaml_node *name = list->items[i], *keys_node = list->items[i + 1];
        char where[IPSIM_KEY_MAX];
        snprintf(where, sizeof where, "scenarios.%s",
                 name->kind == IPSIM_YAML_SCALAR ? name->scalar : "?");
        int empty = keys_node->kind == IPSIM_YAML_SCALAR && keys_node->plain &&
                    (!*keys_node->scalar || strcmp(keys_node->scalar, "~") == 0 ||
                     strcmp(keys_node->scalar, "null") == 0);
        if (name->kind != IPSIM_YAML_SCALAR || strlen(name->scalar) > IPSIM_SWEEP_STRATEGY_NAME_MAX ||
            !ipsim_params_valid_name(name->scalar))
            return fail_at(err, st->path, name, where,
                           "a strategy's name, joined to each point's (POINT__STRATEGY), is 1 "
                           "to 40 letters, digits, '_', '-' or '.'");
        if ((keys_node->kind != IPSIM_YAML_MAPPING && !empty) ||
            ipsim_yaml_lookup(keys_node, "name") || ipsim_yaml_lookup(keys_node, "scenarios"))
            return fail_at(err, st->path, keys_node, where,
                           "a strategy is a name and a mapping of the parameters it changes "
                           "(`{}` for none); it cannot set 'name' or nest 'scenarios'");
        for (int a = 0; a < keys; a++) {
            const ipsim_yaml_node *at = sets_key(keys_node, axes[a].key->scalar);
            if (at) {
                char message[2 * IPSIM_KEY_MAX + IPSIM_PATH_MAX + 200];
                snprintf(message, sizeof message,
                         "strategy '%s' sets %s, which the sweep varies (%s:%ld): a point's "
                         "value would replace the strategy's own; sweep another key, or make "
                         "the values strategies",
                         name->scalar, axes[a].key->scalar, sweep_path, axes[a].key->line);
                return fail_at(err, st->path, at, where, message);
            }
        }
    }
    return IPSIM_OK;
}

/* Finds the sweep's strategies (none, its own `scenarios:`, or its base
 * study's) and builds the documents its scenarios resolve from. */
static int find_strategies(strategies *st, const char *path, const ipsim_yaml_node *root,
                           const axis *axes, int keys, ipsim_error *err)
{
    static const char *const sweep_keys[] = {"grid", "list", "name", "points_are_strategies",
                                             "scenarios", NULL};
    static const char *const sweep_keys_and_base[] = {
        "grid", "list", "name", "points_are_strategies", "scenarios", "base", NULL};
    static const char *const study_keys[] = {"scenarios", "name", NULL};
    st->path = path;
    st->list = ipsim_yaml_lookup(root, "scenarios");
    const ipsim_yaml_node *base = ipsim_yaml_lookup(root, "base");
    if (base && base->kind == IPSIM_YAML_SCALAR && *base->scalar) {
        const char *slash = strrchr(path, '/');
        if (base->scalar[0] == '/' || !slash)
            snprintf(st->study_path, sizeof st->study_path, "%s", base->scalar);
        else
            snprintf(st->study_path, sizeof st->study_path, "%.*s%s", (int)(slash - path + 1),
                     path, base->scalar);
        /* A base that cannot be read is the loader's to report, at `base:`. */
        ipsim_error ignored;
        ipsim_error_clear(&ignored);
        ipsim_yaml_node *tree = NULL;
        if (ipsim_yaml_parse_file(&tree, st->study_path, &ignored) == IPSIM_OK && tree &&
            ipsim_yaml_lookup(tree, "scenarios")) {
            if (st->list) {
                ipsim_yaml_free(tree);
                return fail_at(err, path, st->list, "scenarios",
                               "the sweep's base is a study, whose strategies it compares; it "
                               "cannot list strategies of its own as well");
            }
            st->study = tree;
            st->list = ipsim_yaml_lookup(tree, "scenarios");
            st->path = st->study_path;
        } else {
            ipsim_yaml_free(tree);
        }
    }
    int rc = st->list ? check_strategies(st, path, axes, keys, err) : IPSIM_OK;
    if (!rc && st->study)
        rc = document_without(st->study, study_keys, &st->study_doc, &st->study_items, err);
    if (!rc)
        rc = document_without(root, st->study ? sweep_keys_and_base : sweep_keys, &st->sweep_doc,
                              &st->sweep_items, err);
    return rc;
}

/* Resolves scenario k, strategy `strategy` (-1: none) at the point `pick`:
 * the documents, the point's values, then the command line's overrides. */
static int resolve(ipsim_sweep *s, int k, const char *path, const strategies *st, int strategy,
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
    ipsim_params_layer layers[3];
    size_t n = 0;
    if (st->study)
        layers[n++] = (ipsim_params_layer){st->study_path, &st->study_doc};
    layers[n++] = (ipsim_params_layer){path, &st->sweep_doc};
    /* A strategy of no keys may be written `{}`, `~` or nothing. */
    const ipsim_yaml_node *own = strategy >= 0 ? st->list->items[2 * strategy + 1] : NULL;
    if (own && own->kind == IPSIM_YAML_MAPPING)
        layers[n++] = (ipsim_params_layer){st->path, own};
    ipsim_params *p = &s->study.scenarios[k];
    int rc = ipsim_params_resolve_layers(p, layers, n, all, (size_t)s->keys + override_count,
                                         err);
    free(all);
    if (rc) {
        /* A value's own error belongs at the value in the sweep file; any
         * other, in a strategy's resolution, is the strategy's. */
        int at_value = 0;
        for (int a = 0; a < s->keys; a++)
            if (strcmp(err->file, "--set") == 0 && strcmp(err->key, s->key[a]) == 0) {
                const ipsim_yaml_node *v = axes[a].values->items[pick[a]];
                snprintf(err->file, sizeof err->file, "%s", path);
                err->line = v->line;
                err->column = v->column;
                at_value = 1;
            }
        if (strategy >= 0 && !at_value)
            ipsim_error_prefix(err, "strategy '%s': ", s->strategy[strategy]);
        return rc;
    }
    return IPSIM_OK;
}

int ipsim_sweep_allocate_layout(ipsim_sweep *s, int points, int strategies, ipsim_error *err)
{
    s->points = points;
    s->strategies = strategies;
    s->point = calloc((size_t)points, sizeof *s->point);
    s->strategy = calloc((size_t)strategies, sizeof *s->strategy);
    if (!s->point || !s->strategy)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep's %d points", points);
    return IPSIM_OK;
}

/* Names the points from their values, each short enough that
 * POINT__STRATEGY fits in a name, and the scenarios after them. */
static int name_scenarios(ipsim_sweep *out, const char *path, const ipsim_yaml_node *at,
                          const char *at_key, bool points_are_strategies, ipsim_error *err)
{
    size_t longest = 0;
    for (int j = 0; j < out->strategies; j++)
        if (strlen(out->strategy[j]) > longest)
            longest = strlen(out->strategy[j]);
    const size_t room = IPSIM_NAME_MAX - (longest ? longest + 2 : 0);
    const int points = points_are_strategies ? out->study.count : out->points;
    char (*name)[IPSIM_NAME_MAX] = points_are_strategies ? out->strategy : out->point;
    int fits = 0;
    for (int initials = 0; !fits && initials < 2; initials++) {
        fits = 1;
        for (int p = 0; p < points && fits; p++)
            fits = point_name(out, points_are_strategies ? p : p * out->strategies, initials,
                              name[p], room);
    }
    if (!fits)
        return fail_at(err, path, at, at_key,
                       "the scenarios' names (each key and value, and the strategy) do not fit "
                       "in 63 characters even with the keys shortened; vary fewer keys or "
                       "shorter values");
    if (points_are_strategies)
        snprintf(out->point[0], sizeof out->point[0], "%s", out->study.name);
    for (int p = 0; p < out->points; p++)
        for (int j = 0; j < out->strategies; j++) {
            char *scenario = out->study.scenarios[p * out->strategies + j].name;
            if (points_are_strategies)
                snprintf(scenario, IPSIM_NAME_MAX, "%s", out->strategy[j]);
            else if (longest)
                snprintf(scenario, IPSIM_NAME_MAX, "%s__%s", out->point[p], out->strategy[j]);
            else
                snprintf(scenario, IPSIM_NAME_MAX, "%s", out->point[p]);
        }
    for (int k = 1; k < out->study.count; k++)
        for (int j = 0; j < k; j++)
            if (strcmp(out->study.scenarios[k].name, out->study.scenarios[j].name) == 0) {
                char message[IPSIM_NAME_MAX + 96];
                snprintf(message, sizeof message,
                         "two scenarios would both be named '%s': a value repeats",
                         out->study.scenarios[k].name);
                return fail_at(err, path, at, at_key, message);
            }
    return IPSIM_OK;
}

int ipsim_sweep_load(ipsim_sweep *out, const char *path, const char *const *overrides,
                     size_t override_count, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    ipsim_yaml_node *root = NULL;
    char **texts = NULL;
    axis axes[IPSIM_SWEEP_KEYS_MAX];
    strategies st = {0};
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
    const ipsim_yaml_node *as_strategies = ipsim_yaml_lookup(root, "points_are_strategies");
    const ipsim_yaml_node *axes_node = grid ? grid : list;
    const char *axes_key = grid ? "grid" : "list";
    if (!grid && !list) {
        rc = fail_at(err, path, root, "grid",
                     "a sweep file needs grid: (every combination) or list: (values taken "
                     "together) naming the keys to vary");
        goto done;
    }
    bool points_are_strategies = false;
    const char *why = NULL;
    if (as_strategies && !ipsim_yaml_bool(as_strategies, &points_are_strategies, &why)) {
        rc = fail_at(err, path, as_strategies, "points_are_strategies",
                     "expected true (the swept values are the options compared) or false");
        goto done;
    }
    int grid_keys = 0, all_keys = 0;
    if (grid)
        rc = read_axes(path, grid, "grid", axes, &all_keys, err);
    grid_keys = all_keys;
    if (!rc && list)
        rc = read_axes(path, list, "list", axes, &all_keys, err);
    if (!rc)
        rc = find_strategies(&st, path, root, axes, all_keys, err);
    if (!rc && points_are_strategies && st.list)
        rc = fail_at(err, path, as_strategies, "points_are_strategies",
                     "the sweep compares strategies (`scenarios:`) at each point, so its points "
                     "are settings, not options; remove points_are_strategies");
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
    /* Points: grid combinations x list rows; scenarios: points x strategies. */
    const int strategy_count = st.list ? (int)(st.list->count / 2) : 1;
    double total = (double)rows;
    for (int a = 0; a < grid_keys; a++)
        total *= (double)axes[a].values->count;
    const double points = total;
    total *= strategy_count;
    if (total > IPSIM_STUDY_MAX_SCENARIOS) {
        rc = fail_at(err, path, axes_node, axes_key,
                     "the sweep has more scenarios (points x strategies) than a file holds "
                     "(100,000)");
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
    rc = points_are_strategies ? ipsim_sweep_allocate_layout(out, 1, count, err)
                               : ipsim_sweep_allocate_layout(out, (int)points, strategy_count, err);
    for (int j = 0; !rc && st.list && j < strategy_count; j++)
        snprintf(out->strategy[j], sizeof out->strategy[j], "%s", st.list->items[2 * j]->scalar);
    if (!rc && name)
        rc = ipsim_params_read_name(path, name, out->study.name, err);
    if (!rc && !out->study.name[0])
        snprintf(out->study.name, sizeof out->study.name, "%s", "sweep");
    size_t pick[IPSIM_SWEEP_KEYS_MAX] = {0};
    for (int k = 0; k < count && !rc; k++) {
        /* Mixed radix over the points: the last grid key fastest, then the
         * list row; the strategies fastest of all. */
        size_t rest = (size_t)(k / strategy_count);
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
        rc = resolve(out, k, path, &st, st.list ? k % strategy_count : -1, axes, pick, overrides,
                     override_count, err);
        out->study.count = k + 1;
    }
    if (!rc)
        rc = name_scenarios(out, path, axes_node, axes_key, points_are_strategies, err);
    if (!rc) {
        int k;
        const char *key = ipsim_study_differing_key(&out->study, &k);
        if (key) {
            char message[IPSIM_KEY_MAX + 160];
            snprintf(message, sizeof message,
                     "the scenarios of a sweep share one cohort and its PSA distributions "
                     "(common random numbers); %s cannot be swept or differ between strategies",
                     *key ? key : "a distribution");
            /* A key no point varies differs because a strategy sets it. */
            int swept = 0;
            for (int a = 0; a < all_keys; a++)
                swept |= strcmp(axes[a].key->scalar, key) == 0;
            const int j = k % strategy_count;
            if (st.list && !swept && j > 0) {
                const ipsim_yaml_node *own = st.list->items[2 * j + 1];
                const ipsim_yaml_node *at = *key ? sets_key(own, key) : NULL;
                rc = fail_at(err, st.path, at ? at : st.list->items[2 * j],
                             *key ? key : "scenarios", message);
            } else {
                rc = fail_at(err, path, axes_node, *key ? key : axes_key, message);
            }
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
    strategies_free(&st);
    ipsim_yaml_free(root);
    if (rc)
        ipsim_sweep_free(out);
    return rc;
}
