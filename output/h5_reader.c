/* output/h5_reader.c: format checks, and reading datasets of the shape and
 * type their parameters imply. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "output/h5_internal.h"
#include "output/h5_reader_internal.h"
#include "params/loader.h"

int ipsim_h5r_fail(const ipsim_h5_reader *r, ipsim_error *err, int code, const char *fmt, ...)
{
    char msg[IPSIM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    IPSIM_FAIL(err, code, "%s", msg);
    ipsim_error_locate(err, r->path, 0, 0, NULL);
    return code;
}
#define fail ipsim_h5r_fail

/* The longest string attribute read (a scenario's parameters are at most
 * the loader's 1 MiB file, emitted). */
enum { STRING_ATTR_MAX = 16 << 20 };

/* Opens attribute `name` of loc if it holds one value (a scalar, or an
 * array of one element) of type class `want`; -1 otherwise (missing, an
 * array, empty, another class). *type is its file type, to close. */
static hid_t open_single_attr(hid_t loc, const char *name, H5T_class_t want, hid_t *type)
{
    *type = -1;
    if (H5Aexists(loc, name) <= 0)
        return -1;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t space = attr < 0 ? -1 : H5Aget_space(attr);
    const H5S_class_t shape = space < 0 ? H5S_NO_CLASS : H5Sget_simple_extent_type(space);
    const int single = shape == H5S_SCALAR ||
                       (shape == H5S_SIMPLE && H5Sget_simple_extent_npoints(space) == 1);
    if (space >= 0)
        H5Sclose(space);
    *type = single ? H5Aget_type(attr) : -1;
    if (*type >= 0 && H5Tget_class(*type) == want)
        return attr;
    if (*type >= 0)
        H5Tclose(*type);
    *type = -1;
    if (attr >= 0)
        H5Aclose(attr);
    return -1;
}

/* A string attribute of any HDF5 string type holding one string, malloc'd;
 * NULL if absent or anything else (an array, a number, empty, huge). */
static char *read_string_attr(hid_t loc, const char *name)
{
    hid_t type;
    hid_t attr = open_single_attr(loc, name, H5T_STRING, &type);
    if (attr < 0)
        return NULL;
    char *out = NULL;
    hid_t mem = H5Tcopy(H5T_C_S1);
    /* HDF5 converts no string between ASCII and UTF-8: match the file's. */
    H5Tset_cset(mem, H5Tget_cset(type));
    if (H5Tis_variable_str(type) > 0) {
        H5Tset_size(mem, H5T_VARIABLE);
        char *value = NULL;
        if (H5Aread(attr, mem, &value) >= 0 && value) {
            out = strnlen(value, STRING_ATTR_MAX) < STRING_ATTR_MAX ? strdup(value) : NULL;
            H5free_memory(value);
        }
    } else {
        const size_t size = H5Tget_size(type);
        if (size > 0 && size < STRING_ATTR_MAX) {
            H5Tset_size(mem, size + 1);
            out = calloc(1, size + 2);
        }
        if (out && H5Aread(attr, mem, out) < 0) {
            free(out);
            out = NULL;
        }
    }
    H5Tclose(mem);
    H5Tclose(type);
    H5Aclose(attr);
    return out;
}

/* An unsigned integer attribute holding one value; -1 if absent or not
 * one (an array, a string, a float, negative or beyond 32 bits). */
static int read_unsigned_attr(hid_t loc, const char *name, unsigned *value)
{
    hid_t type;
    hid_t attr = open_single_attr(loc, name, H5T_INTEGER, &type);
    if (attr < 0)
        return -1;
    long long v = -1;
    const herr_t ok = H5Aread(attr, H5T_NATIVE_LLONG, &v);
    H5Tclose(type);
    H5Aclose(attr);
    if (ok < 0 || v < 0 || v > (long long)UINT32_MAX)
        return -1;
    *value = (unsigned)v;
    return 0;
}

/* Whether `path` ("a/b") names an object under loc, each step checked (HDF5
 * reports an error rather than false for a missing intermediate group). */
static int exists(hid_t loc, const char *path)
{
    char prefix[2 * IPSIM_NAME_MAX];
    for (const char *slash = path; (slash = strchr(slash, '/')) != NULL; slash++) {
        snprintf(prefix, sizeof prefix, "%.*s", (int)(slash - path), path);
        if (H5Lexists(loc, prefix, H5P_DEFAULT) <= 0)
            return 0;
    }
    return H5Lexists(loc, path, H5P_DEFAULT) > 0;
}

/* A one-dimensional variable-length string dataset `name` of the file as
 * malloc'd copies; -1 (nothing allocated) if it is missing or not one. */
static int read_strings(hid_t file, const char *name, char ***out, int64_t *count)
{
    *out = NULL;
    *count = 0;
    hid_t ds = exists(file, name) ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
    hsize_t n = 0;
    int ok = space >= 0 && type >= 0 && H5Tget_class(type) == H5T_STRING &&
             H5Tis_variable_str(type) > 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_dims(space, &n, NULL) == 1;
    char **raw = ok && n ? calloc((size_t)n, sizeof *raw) : NULL;
    char **copy = ok && n ? calloc((size_t)n, sizeof *copy) : NULL;
    ok = ok && (n == 0 || (raw && copy));
    if (ok && n) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        /* HDF5 converts no string between ASCII and UTF-8: match the file's. */
        H5Tset_cset(mem, H5Tget_cset(type));
        const int read = H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0;
        ok = read;
        for (hsize_t i = 0; ok && i < n; i++)
            ok = (copy[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
        if (read)
            H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw);
        H5Tclose(mem);
    }
    free(raw);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    if (!ok) {
        for (hsize_t i = 0; copy && i < n; i++)
            free(copy[i]);
        free(copy);
        return -1;
    }
    *out = copy;
    *count = (int64_t)n;
    return 0;
}

void ipsim_h5_reader_free_strings(char **strings, int64_t count)
{
    for (int64_t i = 0; strings && i < count; i++)
        free(strings[i]);
    free(strings);
}

/* The scenario table: its length, and the name at `index`. */
static int read_scenario_name(ipsim_h5_reader *r, int index, char *name, size_t size,
                              ipsim_error *err)
{
    char **names;
    int64_t n;
    if (read_strings(r->file, "scenarios", &names, &n) != 0 || n == 0) {
        ipsim_h5_reader_free_strings(names, n);
        return fail(r, err, IPSIM_EFORMAT, "an ipsim file without a readable scenario table");
    }
    r->scenarios = (int)n;
    if (index >= 0 && index < n)
        snprintf(name, size, "%s", names[index]);
    ipsim_h5_reader_free_strings(names, n);
    if (index < 0 || index >= n)
        return fail(r, err, IPSIM_EFORMAT, "no scenario %d: the file holds %d", index,
                    r->scenarios);
    return IPSIM_OK;
}

int ipsim_h5_reader_open(ipsim_h5_reader **out, const char *path, ipsim_error *err)
{
    return ipsim_h5_reader_open_scenario(out, path, 0, err);
}

int ipsim_h5_reader_open_scenario(ipsim_h5_reader **out, const char *path, int index,
                                  ipsim_error *err)
{
    *out = NULL;
    ipsim_h5_reader *r = calloc(1, sizeof *r);
    if (!r)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    r->file = r->group = -1;
    snprintf(r->path, sizeof r->path, "%s", path);
    int rc = IPSIM_OK;
    char *format = NULL, *parameters = NULL;

    struct stat st;
    if (stat(path, &st) != 0) {
        rc = fail(r, err, IPSIM_EIO, "cannot open: %s", strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = fail(r, err, IPSIM_EIO, "not a regular file");
        goto done;
    }
    if (H5Fis_hdf5(path) <= 0) {
        rc = fail(r, err, IPSIM_EFORMAT, "not an HDF5 file (ipsim reads the .h5 files that "
                                         "`ipsim run` writes)");
        goto done;
    }
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) {
        rc = fail(r, err, IPSIM_EFORMAT,
                  "cannot open this HDF5 file: it is truncated or damaged (was its run "
                  "interrupted while copying?)");
        goto done;
    }
    format = read_string_attr(r->file, "format");
    if (!format || strcmp(format, IPSIM_FORMAT_NAME) != 0) {
        rc = fail(r, err, IPSIM_EFORMAT,
                  "an HDF5 file, but not one written by ipsim (no attribute format = \"%s\")",
                  IPSIM_FORMAT_NAME);
        goto done;
    }
    unsigned version = 0;
    if (read_unsigned_attr(r->file, "format_version", &version) != 0) {
        rc = fail(r, err, IPSIM_EFORMAT,
                  "an ipsim file without a readable format_version (one whole number)");
        goto done;
    }
    if (version != IPSIM_FORMAT_VERSION) {
        rc = fail(r, err, IPSIM_EFORMAT,
                  "written in format_version %u by %s ipsim; this ipsim reads format_version "
                  "%d (re-run it from its parameters attribute)",
                  version, version < IPSIM_FORMAT_VERSION ? "an older" : "a newer",
                  IPSIM_FORMAT_VERSION);
        goto done;
    }
    r->created_utc = read_string_attr(r->file, "created_utc");
    r->version = read_string_attr(r->file, "ipsim_version");
    if (!r->created_utc || !r->version) {
        rc = fail(r, err, IPSIM_EFORMAT,
                  "an ipsim file missing its created_utc or ipsim_version attribute");
        goto done;
    }
    char name[IPSIM_NAME_MAX] = "";
    rc = read_scenario_name(r, index, name, sizeof name, err);
    if (rc)
        goto done;
    r->scenario = index;
    if (!exists(r->file, name) ||
        (r->group = H5Gopen2(r->file, name, H5P_DEFAULT)) < 0) {
        rc = fail(r, err, IPSIM_EFORMAT, "no scenario group '/%s'", name);
        goto done;
    }
    parameters = read_string_attr(r->group, "parameters");
    if (!parameters) {
        rc = fail(r, err, IPSIM_EFORMAT, "scenario group '/%s' has no parameters attribute",
                  name);
        goto done;
    }
    char source[IPSIM_PATH_MAX + IPSIM_NAME_MAX + 16];
    snprintf(source, sizeof source, "%s:/%s/parameters", path, name);
    rc = ipsim_params_resolve_text(&r->params, parameters, strlen(parameters), source, NULL, 0,
                                   err);
    if (rc) {
        IPSIM_FAIL(err, IPSIM_EFORMAT, "unreadable parameters attribute");
        rc = IPSIM_EFORMAT;
        goto done;
    }
    if (strcmp(r->params.name, name) != 0) {
        rc = fail(r, err, IPSIM_EFORMAT, "scenario group '/%s' holds the parameters of '%s'",
                  name, r->params.name);
        goto done;
    }
    rc = ipsim_h5r_load_summary(r, err);

done:
    free(format);
    free(parameters);
    if (rc) {
        ipsim_h5_reader_close(r);
        return rc;
    }
    *out = r;
    return IPSIM_OK;
}

void ipsim_h5_reader_close(ipsim_h5_reader *r)
{
    if (!r)
        return;
    if (r->group >= 0)
        H5Gclose(r->group);
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r->created_utc);
    free(r->version);
    ipsim_summary_free(r->summary);
    free(r);
}

const ipsim_params *ipsim_h5_reader_params(const ipsim_h5_reader *r)
{
    return &r->params;
}

int ipsim_h5_reader_scenario_count(const ipsim_h5_reader *r)
{
    return r->scenarios;
}

const char *ipsim_h5_reader_path(const ipsim_h5_reader *r)
{
    return r->path;
}

const char *ipsim_h5_reader_created_utc(const ipsim_h5_reader *r)
{
    return r->created_utc;
}

const char *ipsim_h5_reader_version(const ipsim_h5_reader *r)
{
    return r->version;
}

/* The class an element must be stored as: HDF5 converts between integers
 * and floats, but an enumeration is read as its own bytes. */
static int class_fits(hid_t type, int element)
{
    const H5T_class_t c = H5Tget_class(type);
    if (element < 0) /* any number */
        return c == H5T_INTEGER || c == H5T_FLOAT;
    if (element == IPSIM_ELEMENT_FLOAT32 || element == IPSIM_ELEMENT_FLOAT64)
        return c == H5T_FLOAT;
    if (element >= IPSIM_ELEMENT_ENUM_FIRST)
        return c == H5T_ENUM && H5Tget_size(type) == 1;
    return c == H5T_INTEGER;
}

/* Opens dataset `name` of the scenario group if it has `rank` dimensions of
 * extents dims and holds `element`s (-1: any numbers); otherwise fails
 * naming the dataset and what is wrong with it. */
static int open_dataset(ipsim_h5_reader *r, const char *name, int rank, const hsize_t *dims,
                        int element, hid_t *out, ipsim_error *err)
{
    *out = -1;
    if (!exists(r->group, name))
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '%s/%s'", r->params.name, name);
    hid_t ds = H5Dopen2(r->group, name, H5P_DEFAULT);
    if (ds < 0)
        return fail(r, err, IPSIM_EFORMAT, "cannot open dataset '%s/%s'", r->params.name, name);
    hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
    hsize_t got[3] = {0, 0, 0};
    int same = space >= 0 && H5Sget_simple_extent_type(space) == H5S_SIMPLE &&
               H5Sget_simple_extent_ndims(space) == rank &&
               H5Sget_simple_extent_dims(space, got, NULL) == rank;
    for (int i = 0; same && i < rank; i++)
        same = got[i] == dims[i];
    const int fits = type >= 0 && class_fits(type, element);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (!same || !fits) {
        H5Dclose(ds);
        return fail(r, err, IPSIM_EFORMAT, "dataset '%s/%s' does not have the %s its "
                    "parameters imply", r->params.name, name, same ? "type" : "shape");
    }
    *out = ds;
    return IPSIM_OK;
}

/* Refuses a NaN (unless allowed) or infinity among n values read from
 * `name`. */
static int check_finite(ipsim_h5_reader *r, const char *name, const double *x, size_t n,
                        int nan_allowed, ipsim_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) && !(nan_allowed && isnan(x[i])))
            return fail(r, err, IPSIM_EFORMAT, "dataset '%s/%s' holds %g, where ipsim writes "
                        "only finite numbers: the file was altered or damaged",
                        r->params.name, name, x[i]);
    return IPSIM_OK;
}

/* Whether a dataset's doubles may be NaN: the mean levels, where nobody
 * with levels is alive (h5_reader_summary.c checks where). */
static int may_hold_nan(const char *name)
{
    static const int means[] = {IPSIM_SUMMARY_MEAN_LEVEL_BY_MONTH,
                                IPSIM_SUMMARY_MEAN_IGG_WITH_IVIG};
    for (size_t k = 0; k < sizeof means / sizeof means[0]; k++) {
        char path[2 * IPSIM_NAME_MAX];
        const ipsim_dataset *d = &ipsim_summaries[means[k]];
        if (strcmp(name, ipsim_h5i_path(d->group, d->name, path, sizeof path)) == 0)
            return 1;
    }
    return 0;
}

/* Reads a whole dataset of the expected shape into buf (memtype); doubles
 * are checked finite (but for may_hold_nan's, which may also be NaN). */
static int read_dataset(ipsim_h5_reader *r, const char *name, hid_t memtype, int element,
                        int rank, const hsize_t *dims, void *buf, ipsim_error *err)
{
    hid_t ds;
    int rc = open_dataset(r, name, rank, dims, element, &ds, err);
    if (rc)
        return rc;
    const herr_t ok = H5Dread(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(ds);
    if (ok < 0)
        return fail(r, err, IPSIM_EFORMAT,
                    "cannot read dataset '%s/%s': the file is truncated or damaged",
                    r->params.name, name);
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    if (H5Tequal(memtype, H5T_NATIVE_DOUBLE) <= 0)
        return IPSIM_OK;
    return check_finite(r, name, buf, n, may_hold_nan(name), err);
}

/* Refuses a column's value that no run writes: a NaN (but where it means
 * none) or infinity, an
 * enumeration's number without a name, or a negative count (-1 is "none"
 * for the static table's signed columns: months, improvement). */
static int check_column(ipsim_h5_reader *r, const ipsim_column *c, const char *path,
                        const double *x, size_t n, ipsim_error *err)
{
    int labels = 0;
    ipsim_element_labels(c->element, &labels);
    const double lowest = c->from_module ? 0 : -1;
    const int is_float = c->element == IPSIM_ELEMENT_FLOAT32 || c->element == IPSIM_ELEMENT_FLOAT64;
    for (size_t i = 0; i < n; i++) {
        const int bad = is_float  ? !isfinite(x[i]) && !(c->nan_means_none && isnan(x[i]))
                        : labels ? x[i] >= labels
                                 : x[i] < lowest;
        if (bad)
            return fail(r, err, IPSIM_EFORMAT, "dataset '%s/%s' holds %g, which no run writes "
                        "there: the file was altered or damaged", r->params.name, path, x[i]);
    }
    return IPSIM_OK;
}

int ipsim_h5_reader_read_column(ipsim_h5_reader *r, const ipsim_column *c, int64_t replicate,
                                int64_t first, int64_t count, double *buf, ipsim_error *err)
{
    char path[2 * IPSIM_NAME_MAX];
    ipsim_h5i_path(c->group, c->name, path, sizeof path);
    const int64_t width = c->width;
    const int rank = width > 1 ? 3 : 2;
    const hsize_t dims[3] = {(hsize_t)r->params.cohort.replicates,
                             (hsize_t)r->params.cohort.patients, (hsize_t)width};
    hid_t ds;
    int rc = open_dataset(r, path, rank, dims, (int)c->element, &ds, err);
    if (rc)
        return rc;
    hid_t fspace = H5Dget_space(ds);
    hsize_t start[3] = {(hsize_t)replicate, (hsize_t)first, 0};
    hsize_t size[3] = {1, (hsize_t)count, (hsize_t)width};
    hid_t mspace = H5Screate_simple(rank, size, NULL);
    herr_t ok = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, size, NULL);
    /* HDF5 converts no enum to a number: read an enum (one byte, checked
     * above) as the bytes it is, at the start of buf, then widen them from
     * the last. */
    hid_t dtype = H5Dget_type(ds);
    const int is_enum = H5Tget_class(dtype) == H5T_ENUM;
    if (ok >= 0)
        ok = H5Dread(ds, is_enum ? dtype : H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, buf);
    const size_t n = (size_t)(count * width);
    for (size_t i = n; ok >= 0 && is_enum && i-- > 0;) {
        const uint8_t value = ((const uint8_t *)buf)[i];
        buf[i] = value;
    }
    H5Tclose(dtype);
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Dclose(ds);
    if (ok < 0)
        return fail(r, err, IPSIM_EFORMAT,
                    "cannot read dataset '%s/%s': the file is truncated or damaged",
                    r->params.name, path);
    return check_column(r, c, path, buf, n, err);
}

hsize_t ipsim_h5r_row_width(const ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M)
{
    hsize_t per_replicate = 1;
    for (int k = 1; k < d->rank; k++)
        per_replicate *= (hsize_t)ipsim_dim_length(d->dims[k], r->params.cohort.replicates,
                                                   r->params.cohort.patients, (int64_t)M);
    return per_replicate;
}

int ipsim_h5r_read_row(ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M, void *buf,
                       ipsim_error *err)
{
    char path[2 * IPSIM_NAME_MAX];
    hsize_t dims[3];
    for (int k = 0; k < d->rank; k++)
        dims[k] = (hsize_t)ipsim_dim_length(d->dims[k], r->params.cohort.replicates,
                                            r->params.cohort.patients, (int64_t)M);
    return read_dataset(r, ipsim_h5i_path(d->group, d->name, path, sizeof path),
                        ipsim_h5i_memory_type(d->element), (int)d->element, d->rank, dims, buf,
                        err);
}

int ipsim_h5_reader_read_summary(ipsim_h5_reader *r, ipsim_summary *total, ipsim_error *err)
{
    (void)err;
    ipsim_summary_merge(total, r->summary);
    return IPSIM_OK;
}

/* The rank and extents of a dataset of the scenario; -1 if there is none. */
static int dataset_dims(ipsim_h5_reader *r, const char *name, hsize_t dims[3])
{
    if (!exists(r->group, name))
        return -1;
    hid_t ds = H5Dopen2(r->group, name, H5P_DEFAULT);
    hid_t space = ds < 0 ? -1 : H5Dget_space(ds);
    const int ndims = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    int rank = ndims < 1 || ndims > 3
                   ? -1
                   : H5Sget_simple_extent_dims(space, dims, NULL);
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    return rank;
}

int ipsim_h5_reader_read_replicate_table(ipsim_h5_reader *r, const char *name, int64_t width,
                                         double *buf, ipsim_error *err)
{
    /* [R], [R, width] or [R, a, b] with a x b = width, read as doubles. */
    hsize_t dims[3] = {0, 1, 1};
    int rank = dataset_dims(r, name, dims);
    if (rank < 0)
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '%s/%s'", r->params.name, name);
    if (rank < 1 || dims[0] != (hsize_t)r->params.cohort.replicates ||
        dims[1] * (rank == 3 ? dims[2] : 1) != (hsize_t)width)
        return fail(r, err, IPSIM_EFORMAT,
                    "dataset '%s/%s' does not have the shape its parameters imply",
                    r->params.name, name);
    return read_dataset(r, name, H5T_NATIVE_DOUBLE, -1, rank, dims, buf, err);
}

int64_t ipsim_h5_reader_root_size(ipsim_h5_reader *r, const char *name)
{
    hid_t ds = exists(r->file, name) ? H5Dopen2(r->file, name, H5P_DEFAULT) : -1;
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds);
    const hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    return n;
}

int ipsim_h5_reader_read_root_table(ipsim_h5_reader *r, const char *name, int64_t count,
                                    double *buf, ipsim_error *err)
{
    hid_t ds = exists(r->file, name) ? H5Dopen2(r->file, name, H5P_DEFAULT) : -1;
    if (ds < 0)
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '/%s'", name);
    hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
    const hssize_t n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    const int fits = type >= 0 && class_fits(type, -1);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    herr_t ok = n == count && fits
                    ? H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)
                    : -1;
    H5Dclose(ds);
    if (ok < 0)
        return fail(r, err, IPSIM_EFORMAT, "dataset '/%s' is not the %lld numbers expected",
                    name, (long long)count);
    for (int64_t i = 0; i < count; i++)
        if (!isfinite(buf[i]))
            return fail(r, err, IPSIM_EFORMAT, "dataset '/%s' holds %g, where ipsim writes "
                        "only finite numbers: the file was altered or damaged", name, buf[i]);
    return IPSIM_OK;
}

int ipsim_h5_reader_open_all(const char *path, ipsim_h5_reader ***readers, int *count,
                             ipsim_error *err)
{
    ipsim_h5_reader *first = NULL;
    int rc = ipsim_h5_reader_open(&first, path, err);
    if (rc)
        return rc;
    const int n = ipsim_h5_reader_scenario_count(first);
    ipsim_h5_reader **grown = realloc(*readers, (size_t)(*count + n) * sizeof *grown);
    if (!grown) {
        ipsim_h5_reader_close(first);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    }
    *readers = grown;
    grown[*count] = first;
    int opened = 1;
    for (int s = 1; s < n && !rc; s++) {
        rc = ipsim_h5_reader_open_scenario(&grown[*count + s], path, s, err);
        opened += rc ? 0 : 1;
    }
    if (rc) {
        for (int s = 0; s < opened; s++)
            ipsim_h5_reader_close(grown[*count + s]);
        return rc;
    }
    *count += n;
    return IPSIM_OK;
}

char *ipsim_h5_reader_root_attribute(const ipsim_h5_reader *r, const char *group,
                                     const char *name)
{
    int root = strcmp(group, "/") == 0;
    if (!root && !exists(r->file, group))
        return NULL;
    hid_t g = H5Oopen(r->file, root ? "/" : group, H5P_DEFAULT);
    char *value = g < 0 ? NULL : read_string_attr(g, name);
    if (g >= 0)
        H5Oclose(g);
    return value;
}

int ipsim_h5_reader_read_root_strings(ipsim_h5_reader *r, const char *name, char ***out,
                                      int64_t *count, ipsim_error *err)
{
    if (read_strings(r->file, name, out, count) != 0) {
        if (!exists(r->file, name))
            return fail(r, err, IPSIM_EFORMAT, "missing dataset '/%s'", name);
        return fail(r, err, IPSIM_EFORMAT, "dataset '/%s' is not a list of strings", name);
    }
    return IPSIM_OK;
}
