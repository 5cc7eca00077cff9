/* output/h5_reader.c: format checks and reading summaries back. */
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
#include "params/loader.h"

struct ipsim_h5_reader {
    char path[IPSIM_PATH_MAX];
    hid_t file, group;
    ipsim_params params;
    char *created_utc, *version;
    int scenarios, scenario; /* how many the file holds; which is open */
};

static int fail(const ipsim_h5_reader *r, ipsim_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(const ipsim_h5_reader *r, ipsim_error *err, int code, const char *fmt, ...)
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

/* A string attribute of any HDF5 string type, malloc'd; NULL if absent or
 * not a string. */
static char *read_string_attr(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0)
        return NULL;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t type = attr < 0 ? -1 : H5Aget_type(attr);
    char *out = NULL;
    if (type >= 0 && H5Tget_class(type) == H5T_STRING) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        /* HDF5 converts no string between ASCII and UTF-8: match the file's. */
        H5Tset_cset(mem, H5Tget_cset(type));
        if (H5Tis_variable_str(type) > 0) {
            H5Tset_size(mem, H5T_VARIABLE);
            char *value = NULL;
            if (H5Aread(attr, mem, &value) >= 0 && value) {
                out = strdup(value);
                H5free_memory(value);
            }
        } else {
            size_t size = H5Tget_size(type);
            H5Tset_size(mem, size + 1);
            out = calloc(1, size + 2);
            if (out && H5Aread(attr, mem, out) < 0) {
                free(out);
                out = NULL;
            }
        }
        H5Tclose(mem);
    }
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return out;
}

/* A one-dimensional variable-length string dataset `name` of the file as
 * malloc'd copies; -1 (nothing allocated) if it is missing or not one. */
static int read_strings(hid_t file, const char *name, char ***out, int64_t *count)
{
    *out = NULL;
    *count = 0;
    hid_t ds = H5Lexists(file, name, H5P_DEFAULT) > 0 ? H5Dopen2(file, name, H5P_DEFAULT) : -1;
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
    hid_t attr = H5Aexists(r->file, "format_version") > 0
                     ? H5Aopen(r->file, "format_version", H5P_DEFAULT)
                     : -1;
    herr_t got = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_UINT, &version);
    if (attr >= 0)
        H5Aclose(attr);
    if (got < 0) {
        rc = fail(r, err, IPSIM_EFORMAT, "an ipsim file without a readable format_version");
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
    if (H5Lexists(r->file, name, H5P_DEFAULT) <= 0 ||
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

/* Reads a whole dataset of the expected shape into buf (memtype). */
static int read_dataset(ipsim_h5_reader *r, const char *name, hid_t memtype, int rank,
                        const hsize_t *dims, void *buf, ipsim_error *err)
{
    if (H5Lexists(r->group, name, H5P_DEFAULT) <= 0)
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '%s/%s'", r->params.name, name);
    hid_t ds = H5Dopen2(r->group, name, H5P_DEFAULT);
    if (ds < 0)
        return fail(r, err, IPSIM_EFORMAT, "cannot open dataset '%s/%s'", r->params.name, name);
    hid_t space = H5Dget_space(ds);
    hsize_t got[3] = {0, 0, 0};
    int got_rank = space < 0 ? -1 : H5Sget_simple_extent_dims(space, got, NULL);
    if (space >= 0)
        H5Sclose(space);
    int same = got_rank == rank;
    for (int i = 0; same && i < rank; i++)
        same = got[i] == dims[i];
    if (!same) {
        H5Dclose(ds);
        return fail(r, err, IPSIM_EFORMAT,
                    "dataset '%s/%s' does not have the shape its parameters imply",
                    r->params.name, name);
    }
    herr_t ok = H5Dread(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    H5Dclose(ds);
    if (ok < 0)
        return fail(r, err, IPSIM_EFORMAT,
                    "cannot read dataset '%s/%s': the file is truncated or damaged",
                    r->params.name, name);
    return IPSIM_OK;
}

int ipsim_h5_reader_read_column(ipsim_h5_reader *r, const ipsim_column *c, int64_t replicate,
                                int64_t first, int64_t count, double *buf, ipsim_error *err)
{
    char path[2 * IPSIM_NAME_MAX];
    ipsim_h5i_path(c->group, c->name, path, sizeof path);
    if (H5Lexists(r->group, c->group, H5P_DEFAULT) <= 0 ||
        H5Lexists(r->group, path, H5P_DEFAULT) <= 0)
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '%s/%s'", r->params.name, path);
    hid_t ds = H5Dopen2(r->group, path, H5P_DEFAULT);
    if (ds < 0)
        return fail(r, err, IPSIM_EFORMAT, "cannot open dataset '%s/%s'", r->params.name, path);
    const int64_t width = c->width;
    int rank = width > 1 ? 3 : 2;
    hid_t fspace = H5Dget_space(ds);
    hsize_t dims[3] = {0, 0, 0};
    int got = H5Sget_simple_extent_dims(fspace, dims, NULL);
    if (got != rank || dims[0] != (hsize_t)r->params.cohort.replicates ||
        dims[1] != (hsize_t)r->params.cohort.patients || (rank == 3 && dims[2] != (hsize_t)width)) {
        H5Sclose(fspace);
        H5Dclose(ds);
        return fail(r, err, IPSIM_EFORMAT,
                    "dataset '%s/%s' does not have the shape its parameters imply",
                    r->params.name, path);
    }
    hsize_t start[3] = {(hsize_t)replicate, (hsize_t)first, 0};
    hsize_t size[3] = {1, (hsize_t)count, (hsize_t)width};
    hid_t mspace = H5Screate_simple(rank, size, NULL);
    herr_t ok = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, size, NULL);
    /* HDF5 converts no enum to a number: read an enum as the bytes it is,
     * at the start of buf, then widen them from the last. */
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
    return IPSIM_OK;
}

/* Row d's extents in this file (M months), and its values per replicate. */
static hsize_t row_dims(const ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M,
                        hsize_t dims[3])
{
    hsize_t per_replicate = 1;
    for (int k = 0; k < d->rank; k++) {
        dims[k] = (hsize_t)ipsim_dim_length(d->dims[k], r->params.cohort.replicates,
                                            r->params.cohort.patients, (int64_t)M);
        per_replicate *= k ? dims[k] : 1;
    }
    return per_replicate;
}

/* Reads row d whole, as its native type, checking its shape. */
static int read_row(ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M, void *buf,
                    ipsim_error *err)
{
    char path[2 * IPSIM_NAME_MAX];
    hsize_t dims[3];
    row_dims(r, d, M, dims);
    return read_dataset(r, ipsim_h5i_path(d->group, d->name, path, sizeof path),
                        ipsim_h5i_memory_type(d->element), d->rank, dims, buf, err);
}

int ipsim_h5_reader_read_summary(ipsim_h5_reader *r, ipsim_summary *total, ipsim_error *err)
{
    const ipsim_params *p = &r->params;
    const hsize_t R = (hsize_t)p->cohort.replicates, M = (hsize_t)total->shape.months;
    const size_t per_replicate = (size_t)M * IPSIM_STATES;
    double *occupancy = malloc((size_t)R * per_replicate * sizeof *occupancy);
    int64_t *counts = malloc((size_t)R * IPSIM_GRADES * IPSIM_INFECTION_TYPES * sizeof *counts);
    if (!occupancy || !counts) {
        free(occupancy);
        free(counts);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the summary of %s", r->path);
    }
    int rc;
    rc = read_row(r, &ipsim_summaries[IPSIM_SUMMARY_OCCUPANCY], M, occupancy, err);
    /* Shares back to counts: exact, since share = count / patients. */
    for (hsize_t i = 0; !rc && i < R * per_replicate; i++)
        total->occupancy[i % per_replicate] +=
            (int64_t)llround(occupancy[i] * (double)p->cohort.patients);

    /* Integer tables [replicate, ...], summed over replicates. */
    const struct {
        const ipsim_dataset *row;
        int64_t *dst;
    } tables[] = {
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_BASELINE_GRADE], total->patients_by_baseline},
        {&ipsim_summaries[IPSIM_SUMMARY_INFECTED_WITHIN_WINDOW],
         total->infected_in_window_by_baseline},
        {&ipsim_summaries[IPSIM_SUMMARY_SERIOUS_EPISODES], total->serious},
        {&ipsim_summaries[IPSIM_SUMMARY_EPISODES], &total->episodes[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_DEATHS], &total->deaths[IPSIM_DEATH_BACKGROUND]},
        {&ipsim_summaries[IPSIM_SUMMARY_PREVENTED], total->prevented},
        {&ipsim_summaries[IPSIM_SUMMARY_PHASE_OCCUPANCY], total->phase_occupancy},
        {&ipsim_summaries[IPSIM_SUMMARY_FIRST_INFECTIONS], total->first_infection},
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_TYPE], &total->patients_by_type_and_grade[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_RISS], &total->patients_by_riss_and_grade[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_RESPONSES], total->responses},
        {&ipsim_summaries[IPSIM_SUMMARY_IMPROVEMENT_ASSESSED], total->improvement_assessed},
        {&ipsim_summaries[IPSIM_SUMMARY_IMPROVED], total->improved},
        {&ipsim_summaries[IPSIM_SUMMARY_RECOVERY_ASSESSED], total->recovery_assessed},
        {&ipsim_summaries[IPSIM_SUMMARY_RECOVERED], total->recovered},
        {&ipsim_economic_totals[IPSIM_ECONOMICS_SUM_FIXED_POINT], total->economic_sums},
        {&ipsim_summaries[IPSIM_SUMMARY_ON_IVIG], total->on_ivig},
        {&ipsim_summaries[IPSIM_SUMMARY_VACCINE_DOSES],
         &total->module_sums[total->shape.vaccine_doses_column]},
        {&ipsim_summaries[IPSIM_SUMMARY_IVIG_PATIENTS], &total->ivig_patients},
        {&ipsim_summaries[IPSIM_SUMMARY_IVIG_PATIENT_MONTHS],
         &total->module_sums[total->shape.ivig_column + IPSIM_IVIG_COLUMN_MONTHS]},
        {&ipsim_summaries[IPSIM_SUMMARY_TRANSPLANT_ELIGIBLE], &total->transplant_eligible},
        {&ipsim_summaries[IPSIM_SUMMARY_ASCT_PATIENTS], &total->asct_patients},
        {&ipsim_summaries[IPSIM_SUMMARY_PROGRESSIONS], &total->progressions},
    };
    /* One buffer, as large as the largest table read into it. */
    hsize_t dims[3], largest = row_dims(r, &ipsim_summaries[IPSIM_SUMMARY_PROGRESSION_FREE], M,
                                        dims);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        const hsize_t cols = row_dims(r, tables[t].row, M, dims);
        largest = cols > largest ? cols : largest;
    }
    int64_t *table = rc ? NULL : malloc((size_t)(R * largest) * sizeof *table);
    if (!rc && !table)
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the summary of %s", r->path);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0] && !rc; t++) {
        const hsize_t cols = row_dims(r, tables[t].row, M, dims);
        rc = read_row(r, tables[t].row, M, table, err);
        for (hsize_t i = 0; !rc && i < R * cols; i++)
            tables[t].dst[i % cols] += table[i];
    }
    /* Progression-free counts back to the rows of the events. */
    if (!rc)
        rc = read_row(r, &ipsim_summaries[IPSIM_SUMMARY_PROGRESSION_FREE], M, table, err);
    for (int group = 0; !rc && group < 2; group++) {
        int64_t assessed = 0;
        for (int k = 0; k <= IPSIM_RESPONSES; k++)
            assessed += group ? total->improved[k]
                              : total->improvement_assessed[k] - total->improved[k];
        int64_t before = assessed; /* summed over replicates below */
        for (hsize_t m = 0; m < M; m++) {
            int64_t now = 0;
            for (hsize_t rep = 0; rep < R; rep++)
                now += table[(rep * M + m) * 2 + (hsize_t)group];
            total->pfs_event_row[m * 2 + (hsize_t)group] = before - now;
            before = now;
        }
        total->pfs_event_row[M * 2 + (hsize_t)group] = before;
    }
    free(table);
    if (!rc)
        rc = read_row(r, &ipsim_summaries[IPSIM_SUMMARY_IVIG_GRAMS], M, occupancy, err);
    for (hsize_t i = 0; !rc && i < R; i++)
        total->ivig_milligrams += llround(occupancy[i] * 1000.0);
    /* Person-months are derived from occupancy; the stored table must agree. */
    int64_t person_months[IPSIM_GRADES] = {0};
    if (!rc)
        rc = read_row(r, &ipsim_summaries[IPSIM_SUMMARY_PERSON_MONTHS], M, counts, err);
    for (hsize_t i = 0; !rc && i < R * IPSIM_GRADES; i++)
        person_months[i % IPSIM_GRADES] += counts[i];
    for (int g = 0; !rc && g < IPSIM_GRADES; g++)
        if (person_months[g] != ipsim_summary_person_months(total, g))
            rc = fail(r, err, IPSIM_EFORMAT,
                      "summary/person_months_by_grade disagrees with summary/occupancy: the "
                      "file was altered");
    if (!rc) {
        total->patients += p->cohort.patients * p->cohort.replicates;
        total->deaths[IPSIM_ALIVE] = total->patients - total->deaths[IPSIM_DEATH_BACKGROUND] -
                                     total->deaths[IPSIM_DEATH_INFECTION];
    }
    free(occupancy);
    free(counts);
    return rc;
}

/* The rank and extents of a dataset of the scenario; -1 if there is none. */
static int dataset_dims(ipsim_h5_reader *r, const char *name, hsize_t dims[3])
{
    if (H5Lexists(r->group, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(r->group, name, H5P_DEFAULT);
    hid_t space = ds < 0 ? -1 : H5Dget_space(ds);
    int rank = space < 0 || H5Sget_simple_extent_ndims(space) > 3
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
    return read_dataset(r, name, H5T_NATIVE_DOUBLE, rank, dims, buf, err);
}

int ipsim_h5_reader_read_root_table(ipsim_h5_reader *r, const char *name, int64_t count,
                                    double *buf, ipsim_error *err)
{
    hid_t ds = H5Lexists(r->file, name, H5P_DEFAULT) > 0 ? H5Dopen2(r->file, name, H5P_DEFAULT)
                                                        : -1;
    if (ds < 0)
        return fail(r, err, IPSIM_EFORMAT, "missing dataset '/%s'", name);
    hid_t space = H5Dget_space(ds);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    herr_t ok = n == count ? H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)
                           : -1;
    H5Dclose(ds);
    if (ok < 0)
        return fail(r, err, IPSIM_EFORMAT, "dataset '/%s' is not the %lld values expected",
                    name, (long long)count);
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
    if (!root && H5Lexists(r->file, group, H5P_DEFAULT) <= 0)
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
        if (H5Lexists(r->file, name, H5P_DEFAULT) <= 0)
            return fail(r, err, IPSIM_EFORMAT, "missing dataset '/%s'", name);
        return fail(r, err, IPSIM_EFORMAT, "dataset '/%s' is not a list of strings", name);
    }
    return IPSIM_OK;
}
