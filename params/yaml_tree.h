/* params/yaml_tree.h: a YAML document as a small tree with source positions.
 *
 * Built from libyaml's event stream rather than its document loader so that
 * every node keeps its line and column, and so that the things a parameter
 * file never needs are refused outright: aliases (the "billion laughs" size
 * blow-up), more than one document, nesting deeper than IPSIM_YAML_MAX_DEPTH,
 * more than IPSIM_YAML_MAX_NODES nodes, and duplicate keys in a mapping. */
#ifndef IPSIM_YAML_TREE_H
#define IPSIM_YAML_TREE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "base/error.h"

enum { IPSIM_YAML_MAX_DEPTH = 16, IPSIM_YAML_MAX_NODES = 100000 };
#define IPSIM_YAML_MAX_BYTES (1L << 20) /* parameter files are small; refuse larger */

typedef enum ipsim_yaml_kind {
    IPSIM_YAML_SCALAR,
    IPSIM_YAML_SEQUENCE,
    IPSIM_YAML_MAPPING
} ipsim_yaml_kind;

typedef struct ipsim_yaml_node ipsim_yaml_node;
struct ipsim_yaml_node {
    ipsim_yaml_kind kind;
    long line, column;    /* 1-based start of the node in its source */
    char *scalar;         /* SCALAR: the text, NUL-terminated */
    int plain;            /* SCALAR: 1 if unquoted (so "1" and 1 can differ) */
    ipsim_yaml_node **items; /* SEQUENCE: the items; MAPPING: key, value, key, value... */
    size_t count;         /* number of entries in items */
    size_t capacity;      /* allocated length of items (internal) */
};

/* Parses the YAML text in buf (len bytes). source names it in errors (a file
 * path, or "--set"). An empty document gives *out == NULL and IPSIM_OK.
 * Errors: IPSIM_EYAML with line and column, IPSIM_ENOMEM. */
int ipsim_yaml_parse(ipsim_yaml_node **out, const char *buf, size_t len, const char *source,
                     ipsim_error *err);

/* Reads and parses a file. Errors: IPSIM_EIO (missing, unreadable, a
 * directory, larger than IPSIM_YAML_MAX_BYTES), and those of ipsim_yaml_parse. */
int ipsim_yaml_parse_file(ipsim_yaml_node **out, const char *path, ipsim_error *err);

void ipsim_yaml_free(ipsim_yaml_node *node); /* NULL is a no-op */

/* Reads a finite real from a plain (unquoted) scalar: a quoted "0.5" is a
 * string in YAML, and accepting it would hide a mistake. On failure *why
 * says what was wrong. */
bool ipsim_yaml_real(const ipsim_yaml_node *n, double *out, const char **why);

/* A whole number (1e6 is a million; 2.5 is refused), an unsigned 64-bit
 * whole number (a seed), or a boolean (true/false, yes/no, on/off). On
 * failure *why says what was expected. */
bool ipsim_yaml_int(const ipsim_yaml_node *n, int64_t *out, const char **why);
bool ipsim_yaml_uint64(const ipsim_yaml_node *n, uint64_t *out, const char **why);
bool ipsim_yaml_bool(const ipsim_yaml_node *n, bool *out, const char **why);

/* "a mapping", "a list" or "a scalar", for messages. */
const char *ipsim_yaml_kind_name(const ipsim_yaml_node *n);

/* Writes the shortest decimal that reads back as exactly v (whole numbers
 * without a point), so that emitted parameter files round-trip. */
void ipsim_yaml_format_real(double v, char *buf, size_t size);

/* The value of `key` in a mapping, or NULL (also when map is not one). */
const ipsim_yaml_node *ipsim_yaml_lookup(const ipsim_yaml_node *map, const char *key);

/* Records IPSIM_EPARAM with the message, located at node n (NULL: no
 * position) of the file `path`, under `key`; returns IPSIM_EPARAM. For
 * readers of YAML files other than parameter files (targets, plans). */
int ipsim_yaml_fail(ipsim_error *err, const char *path, const ipsim_yaml_node *n,
                    const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
