/* params/loader.h: from YAML file and --set overrides to a validated
 * ipsim_params.
 *
 * Resolution order: schema defaults, then the file, then each override in
 * order. Every error names where the offending value came from: the file,
 * line and column (or "--set"), and the key path, e.g.
 *   params/x.yaml:7:14: parameter error: key 'cohort.patients': ...
 * Unknown keys suggest the nearest valid one. */
#ifndef IPSIM_LOADER_H
#define IPSIM_LOADER_H

#include <stddef.h>
#include <stdio.h>

#include "base/error.h"
#include "params/params.h"
#include "params/yaml_tree.h"

/* Resolves a parameter set. path may be NULL (defaults only). overrides are
 * "section.key=value" strings, the value in YAML syntax (e.g. "[1, 0]" or
 * "{none: 0.5, ...}"). On failure *out is unspecified. */
int ipsim_params_resolve(ipsim_params *out, const char *path, const char *const *overrides,
                         size_t override_count, ipsim_error *err);

/* As ipsim_params_resolve, with the file at `path` already parsed into
 * root (which may be a mapping assembled from parts of it, as a study's
 * scenarios are; `base:` is found relative to path). */
int ipsim_params_resolve_tree(ipsim_params *out, const char *path, const ipsim_yaml_node *root,
                              const char *const *overrides, size_t override_count,
                              ipsim_error *err);

/* One parsed document of a resolution: `base:` in it is found relative
 * to path, and errors name path. */
typedef struct ipsim_params_layer {
    const char *path;
    const ipsim_yaml_node *root;
} ipsim_params_layer;

/* As ipsim_params_resolve_tree, with several documents applied in order,
 * each over the ones before (a sweep's strategy: the study's shared keys,
 * then the sweep file's, then the strategy's own; params/sweep.h). */
int ipsim_params_resolve_layers(ipsim_params *out, const ipsim_params_layer *layers,
                                size_t layer_count, const char *const *overrides,
                                size_t override_count, ipsim_error *err);

/* As ipsim_params_resolve, with the parameter file's text given in memory
 * (len bytes, need not be NUL-terminated); source names it in errors. */
int ipsim_params_resolve_text(ipsim_params *out, const char *text, size_t len, const char *source,
                              const char *const *overrides, size_t override_count,
                              ipsim_error *err);

/* The checks a resolved set passes as a whole (cross-parameter limits), for
 * a set changed in memory, e.g. by PSA draws; context says where it came
 * from in messages ("PSA replicate 12 of scenario 'x'"). */
int ipsim_params_check(const ipsim_params *p, const char *context, ipsim_error *err);

/* Writes p as a complete YAML parameter file that resolves back to exactly
 * p (reals printed with round-trip precision). *text is malloc'd; free it. */
int ipsim_params_to_yaml(const ipsim_params *p, char **text, ipsim_error *err);

/* The same with every key's meaning and source (the schema's) as a comment
 * above it: a parameter file a reader can check line by line. */
int ipsim_params_to_documented_yaml(const ipsim_params *p, char **text, ipsim_error *err);

/* Prints the parameter reference (docs/parameters.md) as Markdown. */
void ipsim_params_write_reference(FILE *out);

#endif
