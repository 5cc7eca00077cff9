/* params/schema.h: every parameter ipsim knows, with its type, default, unit,
 * range and meaning.
 *
 * The schema is the single source of truth: the loader fills and checks
 * ipsim_params from it, the emitter writes a resolved parameter set back as
 * YAML from it, and `ipsim params` prints docs/parameters.md from it (a test
 * keeps that file in step). Adding a parameter is one row here plus a field
 * in params/params.h. */
#ifndef IPSIM_SCHEMA_H
#define IPSIM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

typedef enum ipsim_param_type {
    IPSIM_PARAM_STRING, /* char[IPSIM_NAME_MAX], [A-Za-z0-9_.-]+ */
    IPSIM_PARAM_UINT64, /* uint64_t */
    IPSIM_PARAM_INT,    /* int64_t, in [min, max] */
    IPSIM_PARAM_REAL,   /* double, finite, in [min, max] (or [min, max)) */
    IPSIM_PARAM_BOOL,   /* bool: true/false, yes/no, on/off */
    IPSIM_PARAM_CHOICE, /* int: index into choices */
    IPSIM_PARAM_POSTERIOR /* ipsim_posterior_ref: a file of joint draws */
} ipsim_param_type;

typedef enum ipsim_param_shape {
    IPSIM_SHAPE_SCALAR,
    IPSIM_SHAPE_VECTOR, /* `length` values, by label or in order */
    IPSIM_SHAPE_MATRIX  /* `length` rows of `length` values */
} ipsim_param_shape;

typedef enum ipsim_param_check {
    IPSIM_CHECK_NONE,
    IPSIM_CHECK_SUM_TO_ONE,     /* the vector sums to 1 within IPSIM_SUM_TOLERANCE */
    IPSIM_CHECK_ROWS_SUM_TO_ONE /* every matrix row does */
} ipsim_param_check;

/* Shares and matrix rows must sum to 1 within this absolute tolerance (so
 * figures published to three decimals pass); they are then divided by
 * their sum so that sampling sees an exact distribution. */
#define IPSIM_SUM_TOLERANCE 1e-6

typedef struct ipsim_param_spec {
    const char *path; /* "section.key", or "key" at the top level */
    ipsim_param_type type;
    ipsim_param_shape shape;
    size_t offset;              /* into ipsim_params */
    int length;                 /* VECTOR/MATRIX: elements per row */
    const char *const *labels;  /* VECTOR/MATRIX: element (and row) names */
    const char *const *choices; /* CHOICE: NULL-terminated list of values */
    double min, max;            /* INT/REAL: inclusive range... */
    bool max_exclusive;         /* ...unless this says max is excluded */
    ipsim_param_check check;
    const char *default_yaml;   /* the default, as YAML text */
    const char *unit;
    const char *doc;            /* meaning and, for defaults, their source */
} ipsim_param_spec;

/* Upper bound on the number of specs, for fixed-size per-spec tables. */
enum { IPSIM_PARAM_SPEC_MAX = 192 };

extern const ipsim_param_spec ipsim_param_specs[];
extern const size_t ipsim_param_spec_count;

/* The section names ("cohort", ...), in file order. Every dotted path's
 * prefix is one of them (a test checks). */
extern const char *const ipsim_param_sections[];
extern const size_t ipsim_param_section_count;

/* A spec's position in ipsim_param_specs. */
size_t ipsim_param_spec_index(const ipsim_param_spec *spec);

/* An INT or REAL spec's range as text ("1 to 16", "[0, 1)"), for errors and
 * the reference. */
void ipsim_param_spec_range(const ipsim_param_spec *spec, char *buf, size_t size);

/* The name of element e of a real parameter as --set names it: "path",
 * "path.label" (a vector's) or "path.row.column" (a matrix's). */
void ipsim_param_element_name(const ipsim_param_spec *spec, int e, char *buf, size_t size);

/* The spec with this exact path, or NULL. */
const ipsim_param_spec *ipsim_param_spec_find(const char *path);

/* The vector or matrix whose elements `path` names, with *labels set to
 * what follows its path and a dot: "infection.serious_share.severe" gives
 * infection.serious_share and "severe"; "grades.transition_matrix.mild.moderate"
 * gives the matrix and "mild.moderate". NULL if there is none. */
const ipsim_param_spec *ipsim_param_spec_find_within(const char *path, const char **labels);

/* The known path or section name closest to `path` (edit distance, for "did you mean"), or
 * NULL if nothing is close enough to be a plausible misspelling. */
const char *ipsim_param_spec_nearest(const char *path);

#endif
