/* params/yaml_tree.c: libyaml events -> ipsim_yaml_node tree. */
#include "params/yaml_tree.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

typedef struct builder {
    yaml_parser_t parser;
    const char *source;
    size_t nodes;
    ipsim_error *err;
} builder;

static ipsim_yaml_node *node_new(builder *b, ipsim_yaml_kind kind, yaml_mark_t mark)
{
    if (++b->nodes > IPSIM_YAML_MAX_NODES) {
        IPSIM_FAIL(b->err, IPSIM_EYAML, "more than %d YAML nodes: not a parameter file",
                   IPSIM_YAML_MAX_NODES);
        ipsim_error_locate(b->err, b->source, (long)mark.line + 1, (long)mark.column + 1, NULL);
        return NULL;
    }
    ipsim_yaml_node *n = calloc(1, sizeof *n);
    if (!n) {
        IPSIM_FAIL(b->err, IPSIM_ENOMEM, "out of memory reading YAML");
        return NULL;
    }
    n->kind = kind;
    n->line = (long)mark.line + 1;
    n->column = (long)mark.column + 1;
    return n;
}

static int node_append(builder *b, ipsim_yaml_node *parent, ipsim_yaml_node *child)
{
    if (parent->count == parent->capacity) {
        size_t cap = parent->capacity ? 2 * parent->capacity : 8;
        ipsim_yaml_node **items = realloc(parent->items, cap * sizeof *items);
        if (!items)
            return IPSIM_FAIL(b->err, IPSIM_ENOMEM, "out of memory reading YAML");
        parent->items = items;
        parent->capacity = cap;
    }
    parent->items[parent->count++] = child;
    return IPSIM_OK;
}

static int fail_at(builder *b, yaml_mark_t mark, const char *what)
{
    IPSIM_FAIL(b->err, IPSIM_EYAML, "%s", what);
    ipsim_error_locate(b->err, b->source, (long)mark.line + 1, (long)mark.column + 1, NULL);
    return IPSIM_EYAML;
}

static int next_event(builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        yaml_parser_t *p = &b->parser;
        yaml_mark_t mark = p->problem_mark;
        if (p->problem_mark.line == 0 && p->problem_mark.column == 0 && p->context)
            mark = p->context_mark;
        char msg[IPSIM_MESSAGE_MAX];
        if (p->context)
            snprintf(msg, sizeof msg, "%s %s", p->context, p->problem ? p->problem : "");
        else
            snprintf(msg, sizeof msg, "%s", p->problem ? p->problem : "malformed YAML");
        if (p->error == YAML_READER_ERROR)
            snprintf(msg, sizeof msg, "%s (not UTF-8 text?)",
                     p->problem ? p->problem : "unreadable");
        return fail_at(b, mark, msg);
    }
    return IPSIM_OK;
}

static int mapping_has_key(const ipsim_yaml_node *map, const ipsim_yaml_node *key)
{
    if (key->kind != IPSIM_YAML_SCALAR)
        return 0;
    for (size_t i = 0; i + 1 < map->count; i += 2) {
        const ipsim_yaml_node *k = map->items[i];
        if (k->kind == IPSIM_YAML_SCALAR && strcmp(k->scalar, key->scalar) == 0)
            return 1;
    }
    return 0;
}

/* Builds the node that starts with event *ev (already parsed). */
static int build_node(builder *b, yaml_event_t *ev, int depth, ipsim_yaml_node **out)
{
    *out = NULL;
    if (depth > IPSIM_YAML_MAX_DEPTH)
        return fail_at(b, ev->start_mark, "YAML nested too deeply for a parameter file");
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return fail_at(b, ev->start_mark,
                       "YAML aliases (*name) are not allowed in parameter files; write the "
                       "value out");
    case YAML_SCALAR_EVENT: {
        ipsim_yaml_node *n = node_new(b, IPSIM_YAML_SCALAR, ev->start_mark);
        if (!n)
            return b->err->code;
        n->scalar = malloc(ev->data.scalar.length + 1);
        if (!n->scalar) {
            free(n);
            return IPSIM_FAIL(b->err, IPSIM_ENOMEM, "out of memory reading YAML");
        }
        memcpy(n->scalar, ev->data.scalar.value, ev->data.scalar.length);
        n->scalar[ev->data.scalar.length] = '\0';
        if (strlen(n->scalar) != ev->data.scalar.length) {
            ipsim_yaml_free(n);
            return fail_at(b, ev->start_mark, "a YAML scalar contains a NUL character");
        }
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        *out = n;
        return IPSIM_OK;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        ipsim_yaml_node *n =
            node_new(b, is_map ? IPSIM_YAML_MAPPING : IPSIM_YAML_SEQUENCE, ev->start_mark);
        if (!n)
            return b->err->code;
        for (;;) {
            yaml_event_t child_ev;
            int rc = next_event(b, &child_ev);
            if (rc) {
                ipsim_yaml_free(n);
                return rc;
            }
            if (child_ev.type == end) {
                yaml_event_delete(&child_ev);
                break;
            }
            ipsim_yaml_node *child = NULL;
            rc = build_node(b, &child_ev, depth + 1, &child);
            yaml_mark_t child_mark = child_ev.start_mark;
            yaml_event_delete(&child_ev);
            if (!rc && is_map && n->count % 2 == 0 && mapping_has_key(n, child)) {
                char msg[IPSIM_MESSAGE_MAX];
                snprintf(msg, sizeof msg, "duplicate key '%s' in this mapping", child->scalar);
                ipsim_yaml_free(child);
                child = NULL;
                rc = fail_at(b, child_mark, msg);
            }
            if (!rc)
                rc = node_append(b, n, child);
            if (rc) {
                ipsim_yaml_free(child);
                ipsim_yaml_free(n);
                return rc;
            }
        }
        *out = n;
        return IPSIM_OK;
    }
    default:
        return fail_at(b, ev->start_mark, "unexpected YAML event");
    }
}

int ipsim_yaml_parse(ipsim_yaml_node **out, const char *buf, size_t len, const char *source,
                     ipsim_error *err)
{
    *out = NULL;
    builder b = {.source = source, .err = err};
    if (!yaml_parser_initialize(&b.parser))
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)buf, len);

    int rc = IPSIM_OK;
    ipsim_yaml_node *root = NULL;
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        rc = next_event(&b, &ev);
        if (rc)
            break;
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
            rc = fail_at(&b, ev.start_mark,
                         "more than one YAML document; a parameter file holds one");
            yaml_event_delete(&ev);
            break;
        }
        if (type == YAML_SCALAR_EVENT || type == YAML_SEQUENCE_START_EVENT ||
            type == YAML_MAPPING_START_EVENT || type == YAML_ALIAS_EVENT) {
            rc = build_node(&b, &ev, 0, &root);
        }
        yaml_event_delete(&ev);
        if (rc)
            break;
    }
    yaml_parser_delete(&b.parser);
    if (rc) {
        ipsim_yaml_free(root);
        return rc;
    }
    *out = root;
    return IPSIM_OK;
}

int ipsim_yaml_parse_file(ipsim_yaml_node **out, const char *path, ipsim_error *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        IPSIM_FAIL(err, IPSIM_EIO, "cannot open parameter file: %s", strerror(errno));
        ipsim_error_locate(err, path, 0, 0, NULL);
        return IPSIM_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        IPSIM_FAIL(err, IPSIM_EIO, "is a directory, not a parameter file");
        ipsim_error_locate(err, path, 0, 0, NULL);
        return IPSIM_EIO;
    }
    /* A FIFO could block forever and a device could be endless. */
    if (!S_ISREG(st.st_mode)) {
        IPSIM_FAIL(err, IPSIM_EIO, "is not a regular file");
        ipsim_error_locate(err, path, 0, 0, NULL);
        return IPSIM_EIO;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        IPSIM_FAIL(err, IPSIM_EIO, "cannot open parameter file: %s", strerror(errno));
        ipsim_error_locate(err, path, 0, 0, NULL);
        return IPSIM_EIO;
    }
    char *buf = malloc(IPSIM_YAML_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading %s", path);
    }
    size_t len = fread(buf, 1, IPSIM_YAML_MAX_BYTES + 1, f);
    int read_error = ferror(f);
    fclose(f);
    int rc;
    if (read_error) {
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot read parameter file");
        ipsim_error_locate(err, path, 0, 0, NULL);
    } else if (len > IPSIM_YAML_MAX_BYTES) {
        rc = IPSIM_FAIL(err, IPSIM_EIO, "larger than %ld bytes: not a parameter file",
                        IPSIM_YAML_MAX_BYTES);
        ipsim_error_locate(err, path, 0, 0, NULL);
    } else if (memchr(buf, '\0', len)) {
        rc = IPSIM_FAIL(err, IPSIM_EYAML, "contains NUL bytes: a binary file, not YAML");
        ipsim_error_locate(err, path, 0, 0, NULL);
    } else {
        rc = ipsim_yaml_parse(out, buf, len, path, err);
    }
    free(buf);
    return rc;
}

void ipsim_yaml_free(ipsim_yaml_node *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->count; i++)
        ipsim_yaml_free(node->items[i]);
    free(node->items);
    free(node->scalar);
    free(node);
}

/* Parses a finite real. Plain (unquoted) scalars only: a quoted "0.5" is a
 * string in YAML, and accepting it would hide a mistake. */
bool ipsim_yaml_real(const ipsim_yaml_node *n, double *out, const char **why)
{
    if (n->kind != IPSIM_YAML_SCALAR) {
        *why = "expected a number";
        return false;
    }
    if (!n->plain) {
        *why = "expected a number, got a quoted string";
        return false;
    }
    const char *s = n->scalar;
    if (!*s || isspace((unsigned char)*s)) {
        *why = "expected a number, got nothing";
        return false;
    }
    /* YAML spells non-finite numbers .nan, .inf, -.inf (any case). */
    const char *t = (*s == '+' || *s == '-') ? s + 1 : s;
    if (strcasecmp(t, ".nan") == 0 || strcasecmp(t, ".inf") == 0) {
        *why = "must be a finite number (no .nan, .inf or overflow)";
        return false;
    }
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s) {
        *why = "expected a number";
        return false;
    }
    if (!isfinite(v) || errno == ERANGE) {
        *why = "must be a finite number (no .nan, .inf or overflow)";
        return false;
    }
    *out = v;
    return true;
}

const ipsim_yaml_node *ipsim_yaml_lookup(const ipsim_yaml_node *map, const char *key)
{
    if (!map || map->kind != IPSIM_YAML_MAPPING)
        return NULL;
    for (size_t i = 0; i + 1 < map->count; i += 2)
        if (map->items[i]->kind == IPSIM_YAML_SCALAR && strcmp(map->items[i]->scalar, key) == 0)
            return map->items[i + 1];
    return NULL;
}

/* Shortest decimal that reads back as exactly v; whole numbers as such. */
void ipsim_yaml_format_real(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

const char *ipsim_yaml_kind_name(const ipsim_yaml_node *n)
{
    switch (n->kind) {
    case IPSIM_YAML_MAPPING: return "a mapping";
    case IPSIM_YAML_SEQUENCE: return "a list";
    default: return "a scalar";
    }
}

bool ipsim_yaml_int(const ipsim_yaml_node *n, int64_t *out, const char **why)
{
    double v;
    if (!ipsim_yaml_real(n, &v, why)) {
        if (n->kind == IPSIM_YAML_SCALAR && n->plain && !strstr(*why, "finite"))
            *why = "expected a whole number";
        return false;
    }
    /* Accept 1e6 for a million, but not 2.5 patients. */
    if (v != floor(v) || fabs(v) > 9007199254740992.0) {
        *why = "expected a whole number";
        return false;
    }
    char *end;
    errno = 0;
    long long exact = strtoll(n->scalar, &end, 10);
    *out = (*end == '\0' && errno == 0) ? (int64_t)exact : (int64_t)v;
    return true;
}

bool ipsim_yaml_uint64(const ipsim_yaml_node *n, uint64_t *out, const char **why)
{
    if (n->kind != IPSIM_YAML_SCALAR || !n->plain) {
        *why = "expected a whole number from 0 to 18446744073709551615";
        return false;
    }
    const char *s = n->scalar;
    if (!isdigit((unsigned char)*s)) {
        *why = "expected a whole number from 0 to 18446744073709551615";
        return false;
    }
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE) {
        *why = "expected a whole number from 0 to 18446744073709551615";
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

bool ipsim_yaml_bool(const ipsim_yaml_node *n, bool *out, const char **why)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    *why = "expected true or false";
    if (n->kind != IPSIM_YAML_SCALAR || !n->plain)
        return false;
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(n->scalar, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(n->scalar, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

int ipsim_yaml_fail(ipsim_error *err, const char *path, const ipsim_yaml_node *n,
                    const char *key, const char *fmt, ...)
{
    char message[IPSIM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    IPSIM_FAIL(err, IPSIM_EPARAM, "%s", message);
    ipsim_error_locate(err, path, n ? n->line : 0, n ? n->column : 0, key);
    return IPSIM_EPARAM;
}
