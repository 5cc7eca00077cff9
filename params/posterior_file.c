/* params/posterior_file.c: files of joint draws, and the PSA's reference
 * to one. */
#define _DEFAULT_SOURCE /* realpath */
#define _POSIX_C_SOURCE 200809L
#include "params/posterior_file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/psa.h"
#include "params/schema.h"

/* A draws file is numbers only; far above any posterior worth keeping. */
#define MAX_FILE_BYTES (512L << 20)

/* An error at a line of a draws file (no column). */
#define fail_line(err, path, at, ...)                                                           \
    ipsim_yaml_fail((err), (path), &(ipsim_yaml_node){.line = (at)}, __VA_ARGS__)

static uint64_t fnv1a(const char *bytes, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)bytes[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static int slurp(const char *path, char **text, size_t *size, ipsim_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot open the draws file '%s': %s", path,
                          strerror(errno));
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = IPSIM_OK;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? 2 * cap : 131072;
            char *grown = realloc(buf, cap);
            if (!grown) {
                rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot hold the draws file");
                break;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, 65536, f);
        n += got;
        if (got < 65536) {
            if (ferror(f))
                rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot read the draws file '%s' (a directory?)",
                                path);
            break;
        }
        if ((long)n > MAX_FILE_BYTES) {
            rc = IPSIM_FAIL(err, IPSIM_EIO, "the draws file '%s' is larger than %ld MiB", path,
                            MAX_FILE_BYTES >> 20);
            break;
        }
    }
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        return IPSIM_FAIL(err, IPSIM_EIO, "the draws file '%s' holds a NUL byte: it is not text",
                          path);
    }
    *text = buf;
    *size = n;
    return IPSIM_OK;
}

/* Splits a line (NUL-terminated, no newline) at commas, in place; returns
 * the number of fields, or -1 when there are more than max. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *s = line;;) {
        if (n == max)
            return -1;
        fields[n++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return n;
        *comma = '\0';
        s = comma + 1;
    }
}

/* Strips spaces (and a carriage return) from both ends, in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Why `name` cannot be a column (NULL if it can), and its spec and element:
 * it must be a real parameter or one element of a vector, and not of a
 * vector whose elements sum to 1, which a row could not keep summing. */
static const char *column_refused(const char *name, int32_t *spec, int32_t *element)
{
    if (ipsim_psa_find_element(name, spec, element))
        return "is not a real parameter or a vector's element as --set names it (such as "
               "infection.serious_share.severe)";
    if (ipsim_param_specs[*spec].check != IPSIM_CHECK_NONE)
        return "is one share of a vector that must sum to 1, which a column alone would break";
    return NULL;
}

/* The header: the columns' parameters; *label is 1 when the first column
 * is the `draw` label. */
static int read_header(char *line, long lineno, const char *path, ipsim_posterior_ref *ref,
                       int *label, ipsim_error *err)
{
    char *fields[IPSIM_POSTERIOR_COLUMNS_MAX + 2];
    int n = split(line, fields, IPSIM_POSTERIOR_COLUMNS_MAX + 1);
    *label = n > 0 && strcmp(trim(fields[0]), "draw") == 0;
    if (n < 0 || n - *label > IPSIM_POSTERIOR_COLUMNS_MAX)
        return fail_line(err, path, lineno, "psa.posterior",
                         "more than %d parameter columns", IPSIM_POSTERIOR_COLUMNS_MAX);
    if (n - *label < 1)
        return fail_line(err, path, lineno, "psa.posterior",
                         "the header names no parameter columns");
    ref->columns = n - *label;
    for (int c = 0; c < ref->columns; c++) {
        const char *name = trim(fields[c + *label]);
        const char *why = column_refused(name, &ref->spec[c], &ref->element[c]);
        if (why)
            return fail_line(err, path, lineno, *name ? name : "psa.posterior",
                             "parameter column %d %s", c + 1, why);
        for (int d = 0; d < c; d++)
            if (ref->spec[d] == ref->spec[c] && ref->element[d] == ref->element[c])
                return fail_line(err, path, lineno, name, "this column appears twice");
    }
    return IPSIM_OK;
}

/* One row of values, checked against the columns' ranges. */
static int read_row(char *line, long lineno, const char *path, const ipsim_posterior_ref *ref,
                    int label, double *out, ipsim_error *err)
{
    char *fields[IPSIM_POSTERIOR_COLUMNS_MAX + 2];
    int n = split(line, fields, IPSIM_POSTERIOR_COLUMNS_MAX + 1);
    if (n != ref->columns + label)
        return n < 0 ? fail_line(err, path, lineno, "psa.posterior",
                                 "this row has more fields than the header's %d",
                                 ref->columns + label)
                     : fail_line(err, path, lineno, "psa.posterior",
                                 "this row has %d fields where the header has %d", n,
                                 ref->columns + label);
    for (int c = 0; c < ref->columns; c++) {
        const ipsim_param_spec *spec = &ipsim_param_specs[ref->spec[c]];
        const char *text = trim(fields[c + label]);
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        const bool number = *text && !*end && errno != ERANGE && v == v;
        if (number && v >= spec->min && v <= spec->max && !(spec->max_exclusive && v >= spec->max)) {
            out[c] = v;
            continue;
        }
        /* The column's key only for the message: rows are read by the
         * thousand. */
        char key[IPSIM_KEY_MAX], range[64];
        ipsim_param_element_name(spec, ref->element[c], key, sizeof key);
        if (!number)
            return fail_line(err, path, lineno, key, "'%s' is not a number", text);
        ipsim_param_spec_range(spec, range, sizeof range);
        return fail_line(err, path, lineno, key, "%s is out of range: must be in %s (%s)", text,
                         range, spec->unit);
    }
    return IPSIM_OK;
}

int ipsim_posterior_file_read(ipsim_posterior_file *out, const char *path, ipsim_error *err)
{
    memset(out, 0, sizeof *out);
    if (strlen(path) >= sizeof out->ref.path)
        return fail_line(err, NULL, 0, "psa.posterior", "the path is longer than %d bytes",
                         IPSIM_PATH_MAX - 1);
    char *text = NULL;
    size_t size = 0;
    int rc = slurp(path, &text, &size, err);
    if (rc) {
        ipsim_error_locate(err, NULL, 0, 0, "psa.posterior");
        return rc;
    }
    snprintf(out->ref.path, sizeof out->ref.path, "%s", path);
    out->ref.checksum = fnv1a(text, size);
    size_t capacity = 0;
    int label = 0;
    bool header = false;
    long lineno = 0;
    for (char *line = text; !rc && line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        char *content = trim(line);
        line = next;
        if (!*content || content[0] == '#')
            continue;
        if (!header) {
            rc = read_header(content, lineno, path, &out->ref, &label, err);
            header = true;
            continue;
        }
        if (out->ref.rows == IPSIM_POSTERIOR_ROWS_MAX) {
            rc = fail_line(err, path, lineno, "psa.posterior", "more than %d rows",
                           IPSIM_POSTERIOR_ROWS_MAX);
            break;
        }
        if ((size_t)out->ref.rows == capacity) {
            capacity = capacity ? 2 * capacity : 256;
            double *grown =
                realloc(out->values, capacity * (size_t)out->ref.columns * sizeof *grown);
            if (!grown) {
                rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot hold the draws");
                break;
            }
            out->values = grown;
        }
        rc = read_row(content, lineno, path,&out->ref, label,
                      out->values + (size_t)out->ref.rows * (size_t)out->ref.columns, err);
        out->ref.rows += !rc;
    }
    free(text);
    if (!rc && out->ref.rows == 0)
        rc = fail_line(err, path, lineno, "psa.posterior",
                       header ? "the file has a header but no draws"
                              : "the file is empty: it needs a header naming the parameter "
                                "columns, then one row per draw");
    if (rc)
        ipsim_posterior_file_free(out);
    return rc;
}

void ipsim_posterior_file_free(ipsim_posterior_file *f)
{
    if (!f)
        return;
    free(f->values);
    f->values = NULL;
}

bool ipsim_posterior_same(const ipsim_posterior_ref *a, const ipsim_posterior_ref *b)
{
    if (strcmp(a->path, b->path) != 0 || a->checksum != b->checksum || a->rows != b->rows ||
        a->columns != b->columns)
        return false;
    for (int c = 0; c < a->columns; c++)
        if (a->spec[c] != b->spec[c] || a->element[c] != b->element[c])
            return false;
    return true;
}

int ipsim_posterior_file_open(ipsim_posterior_file *out, const ipsim_posterior_ref *ref,
                              ipsim_error *err)
{
    int rc = ipsim_posterior_file_read(out, ref->path, err);
    if (rc == IPSIM_EIO)
        ipsim_error_locate(err, ref->path, 0, 0, "psa.posterior");
    if (!rc && !ipsim_posterior_same(&out->ref, ref)) {
        ipsim_posterior_file_free(out);
        rc = fail_line(err, ref->path, 0, "psa.posterior",
                       "the draws file changed after the parameters were read; run again");
    }
    return rc;
}

/* ---- the reference in a parameter file --------------------------------------------- */

/* An error at node n of the parameter file `source`, under psa.posterior. */
#define fail_node(err, source, n, ...)                                                          \
    ipsim_yaml_fail((err), (source), (n), "psa.posterior", __VA_ARGS__)

/* The written form: {file: PATH, rows: N, checksum: C, columns: [...]}. */
static int parse_written(const ipsim_yaml_node *n, const char *source, ipsim_posterior_ref *out,
                         ipsim_error *err)
{
    static const char *const keys[] = {"file", "rows", "checksum", "columns"};
    if (n->count != 8)
        return fail_node(err, source, n, "expected a file's path, or {file, rows, checksum, "
                                          "columns} as ipsim writes it");
    const ipsim_yaml_node *v[4];
    for (int i = 0; i < 4; i++)
        if (!(v[i] = ipsim_yaml_lookup(n, keys[i])))
            return fail_node(err, source, n, "the written form needs '%s'", keys[i]);
    const char *why;
    int64_t rows;
    if (v[0]->kind != IPSIM_YAML_SCALAR || !*v[0]->scalar ||
        strlen(v[0]->scalar) >= sizeof out->path)
        return fail_node(err, source, v[0], "'file' must be a path");
    if (!ipsim_yaml_int(v[1], &rows, &why) || rows < 1 || rows > IPSIM_POSTERIOR_ROWS_MAX)
        return fail_node(err, source, v[1], "'rows' must be 1 to %d", IPSIM_POSTERIOR_ROWS_MAX);
    if (!ipsim_yaml_uint64(v[2], &out->checksum, &why))
        return fail_node(err, source, v[2], "'checksum': %s", why);
    if (v[3]->kind != IPSIM_YAML_SEQUENCE || v[3]->count < 1 ||
        v[3]->count > IPSIM_POSTERIOR_COLUMNS_MAX)
        return fail_node(err, source, v[3], "'columns' must list 1 to %d parameters",
                         IPSIM_POSTERIOR_COLUMNS_MAX);
    snprintf(out->path, sizeof out->path, "%s", v[0]->scalar);
    out->rows = (int32_t)rows;
    out->columns = (int32_t)v[3]->count;
    for (int c = 0; c < out->columns; c++) {
        const ipsim_yaml_node *name = v[3]->items[c];
        const char *why = name->kind == IPSIM_YAML_SCALAR
                              ? column_refused(name->scalar, &out->spec[c], &out->element[c])
                              : "is not a name";
        if (why)
            return fail_node(err, source, name, "'columns' entry %d %s", c + 1, why);
    }
    return IPSIM_OK;
}

int ipsim_posterior_ref_parse(const ipsim_yaml_node *n, const char *source, bool from_file,
                              ipsim_posterior_ref *out, ipsim_error *err)
{
    ipsim_posterior_ref ref;
    memset(&ref, 0, sizeof ref);
    int rc = IPSIM_OK;
    if (n->kind == IPSIM_YAML_MAPPING) {
        rc = parse_written(n, source, &ref, err);
    } else if (n->kind != IPSIM_YAML_SCALAR) {
        rc = fail_node(err, source, n, "expected the path of a file of draws (CSV), got %s",
                       ipsim_yaml_kind_name(n));
    } else if (*n->scalar && !from_file) {
        rc = fail_node(err, source, n, "a path is for parameter files, not for parameter text "
                                       "held in memory");
    } else if (*n->scalar) {
        char path[IPSIM_PATH_MAX];
        const char *slash = source ? strrchr(source, '/') : NULL;
        int length = n->scalar[0] == '/' || !slash
                         ? snprintf(path, sizeof path, "%s", n->scalar)
                         : snprintf(path, sizeof path, "%.*s%s", (int)(slash - source + 1),
                                    source, n->scalar);
        if (length < 0 || (size_t)length >= sizeof path)
            return fail_node(err, source, n, "the path is longer than %d bytes",
                             IPSIM_PATH_MAX - 1);
        ipsim_posterior_file f;
        rc = ipsim_posterior_file_read(&f, path, err);
        if (rc == IPSIM_EIO)
            ipsim_error_locate(err, source, n->line, n->column, "psa.posterior");
        if (!rc)
            ref = f.ref;
        ipsim_posterior_file_free(&f);
        /* Absolute, so that the run (and a rerun of an output file's
         * parameters) finds it from any directory. */
        char *absolute = rc ? NULL : realpath(path, NULL);
        if (!rc && (!absolute || strlen(absolute) >= sizeof ref.path))
            rc = fail_node(err, source, n, "cannot resolve the draws file's path '%s'%s", path,
                           absolute ? ": longer than ipsim keeps" : "");
        if (!rc) {
            /* Zero-filled, so that equal sets are equal byte for byte. */
            memset(ref.path, 0, sizeof ref.path);
            snprintf(ref.path, sizeof ref.path, "%s", absolute);
        }
        free(absolute);
    }
    if (!rc)
        *out = ref;
    return rc;
}

void ipsim_posterior_ref_format(const ipsim_posterior_ref *ref, char *buf, size_t size)
{
    if (!ref->path[0]) {
        snprintf(buf, size, "''");
        return;
    }
    /* A single-quoted scalar: any character but a quote stands for itself. */
    size_t n = (size_t)snprintf(buf, size, "{file: '");
    for (const char *c = ref->path; *c && n + 2 < size; c++) {
        if (*c == '\'')
            buf[n++] = '\'';
        buf[n++] = *c;
    }
    n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
                          "', rows: %" PRId32 ", checksum: %" PRIu64 ", columns: [",
                          ref->rows, ref->checksum);
    for (int c = 0; c < ref->columns; c++) {
        char key[IPSIM_KEY_MAX];
        ipsim_param_element_name(&ipsim_param_specs[ref->spec[c]], ref->element[c], key,
                                 sizeof key);
        n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s%s",
                              c ? ", " : "", key);
    }
    snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "]}");
}

int ipsim_posterior_attach(ipsim_params *p, ipsim_error *err)
{
    const ipsim_posterior_ref *ref = &p->psa.posterior;
    for (int c = 0; ref->path[0] && c < ref->columns; c++) {
        /* No column is a share of a vector that sums to one (the reader
         * refuses them), so none belongs to a Dirichlet, which a column's
         * entry would otherwise split. */
        ipsim_uncertain u;
        memset(&u, 0, sizeof u);
        u.spec = ref->spec[c];
        u.element = ref->element[c];
        u.count = 1;
        u.distribution = IPSIM_DIST_POSTERIOR;
        u.a = c;
        u.b = ref->rows;
        if (ipsim_uncertain_add(p, &u, err))
            return IPSIM_EPARAM;
    }
    return IPSIM_OK;
}

void ipsim_posterior_file_apply(const ipsim_posterior_file *f, int64_t row, ipsim_params *p)
{
    const double *values = f->values + (size_t)row * (size_t)f->ref.columns;
    for (int c = 0; c < f->ref.columns; c++) {
        double *field = (double *)((char *)p + ipsim_param_specs[f->ref.spec[c]].offset);
        field[f->ref.element[c]] = values[c];
    }
}
