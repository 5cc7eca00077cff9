/* params/loader_internal.h: what the loader's two files share (private to
 * params/: loader.c resolves the layers, values.c reads one value).
 *
 * The resolver is the state of one resolution: the set being filled and
 * where each parameter's value came from. */
#ifndef IPSIM_LOADER_INTERNAL_H
#define IPSIM_LOADER_INTERNAL_H

#include <stdbool.h>

#include "base/error.h"
#include "params/params.h"
#include "params/schema.h"
#include "params/yaml_tree.h"

/* Where a parameter's value came from, for errors found after loading. */
typedef struct ipsim_loader_origin {
    const char *source; /* file path, "--set", or NULL for the default */
    long line, column;
} ipsim_loader_origin;

/* How deep `base:` files may nest (a file extending a file extending ...);
 * deeper is taken for a cycle. */
enum { IPSIM_LOADER_MAX_BASE_DEPTH = 8 };

/* A vector (or matrix row) of shares changed in part, whose sum is off
 * until a later layer (another --set, a sweep's next key) sets it right:
 * checked once every layer is applied, and reported where it was last
 * changed. */
typedef struct ipsim_loader_pending {
    int spec, row;
    bool given[IPSIM_VECTOR_MAX]; /* the entries the partial changes named */
    const char *source;
    long line, column;
    char key[IPSIM_KEY_MAX];
} ipsim_loader_pending;

enum { IPSIM_LOADER_PENDING_MAX = 32 };

typedef struct ipsim_loader {
    ipsim_params *params;
    ipsim_loader_origin origins[IPSIM_PARAM_SPEC_MAX];
    ipsim_error *err;
    /* Paths of the base files read, kept for the origins that point at them. */
    char base_paths[IPSIM_LOADER_MAX_BASE_DEPTH][IPSIM_PATH_MAX];
    int bases;
    bool from_file; /* text in memory (an HDF5 attribute) may not name files */
    const char *context; /* checking a set built in memory: where it came from */
    ipsim_loader_pending pending[IPSIM_LOADER_PENDING_MAX];
    int pending_count;
} ipsim_loader;

/* Records an error at a node of the input (node may be NULL); returns code. */
int ipsim_loader_fail_at(ipsim_loader *r, const char *source, const ipsim_yaml_node *node,
                         const char *key, int code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Gives spec the value at node n. A vector or matrix given as a mapping
 * changes only the elements (rows, entries) it names: the others keep the
 * value the earlier layers gave. A list gives every element. */
int ipsim_loader_assign(ipsim_loader *r, const ipsim_param_spec *spec, const char *source,
                        const ipsim_yaml_node *n);

/* Gives the parameter or element named by path ("ivig.dose_mg_per_kg",
 * "infection.serious_share.severe", "grades.transition_matrix.mild.moderate",
 * "grades.transition_matrix.mild") the value at n, as a one-label mapping
 * would; `at` (may be NULL) is where the path was written. Unknown paths
 * are refused with the nearest known key. */
int ipsim_loader_assign_path(ipsim_loader *r, const char *source, const ipsim_yaml_node *at,
                             const char *path, const ipsim_yaml_node *n);

/* Refuses the first vector of shares left by partial changes with a sum
 * other than 1 (after every layer), where it was last changed. */
int ipsim_loader_check_pending(ipsim_loader *r);

/* Refuses an unknown key path, with the nearest known one if any. */
int ipsim_loader_fail_unknown(ipsim_loader *r, const char *source, const ipsim_yaml_node *n,
                              const char *path);

#endif
