/* output/h5_tables.c: what analyses add to a file: float64 and string
 * tables under the root with named dimensions, group attributes, and
 * scenario groups copied whole from another file (merging sweep parts). */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

/* ---- tables at the root (comparisons, PSA) ---------------------------------- */

static hid_t open_or_create_group(hid_t file, const char *name)
{
    if (H5Lexists(file, name, H5P_DEFAULT) > 0)
        return H5Gopen2(file, name, H5P_DEFAULT);
    return H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* The coordinate dataset of an axis in group g, created on first use. */
static hid_t axis_scale(hid_t g, const ipsim_h5_axis *axis)
{
    if (H5Lexists(g, axis->name, H5P_DEFAULT) > 0)
        return H5Dopen2(g, axis->name, H5P_DEFAULT);
    hsize_t n = (hsize_t)axis->length;
    if (axis->labels)
        return ipsim_h5i_make_label_scale(g, axis->name, axis->labels, (int)axis->length, axis->long_name);
    if (axis->values) {
        hid_t ds = ipsim_h5i_make_scale(g, axis->name, H5T_IEEE_F64LE, n, n ? n : 1, axis->values,
                              axis->long_name);
        if (ds >= 0 && axis->units && ipsim_h5i_set_string_attr(ds, "units", axis->units) < 0) {
            H5Dclose(ds);
            return -1;
        }
        return ds;
    }
    int32_t *index = malloc((n ? n : 1) * sizeof *index);
    if (!index)
        return -1;
    for (hsize_t i = 0; i < n; i++)
        index[i] = (int32_t)i;
    hid_t ds = ipsim_h5i_make_scale(g, axis->name, H5T_STD_I32LE, n, n ? n : 1, index, axis->long_name);
    free(index);
    return ds;
}

static int write_table(ipsim_h5_writer *w, const char *group, const char *name, int rank,
                       const ipsim_h5_axis *axes, hid_t type, const void *data,
                       const char *long_name, const char *units, ipsim_error *err)
{
    hsize_t dims[IPSIM_H5_TABLE_RANK_MAX], chunk[IPSIM_H5_TABLE_RANK_MAX];
    hid_t scales[IPSIM_H5_TABLE_RANK_MAX];
    for (int i = 0; i < rank; i++) {
        dims[i] = (hsize_t)axes[i].length;
        chunk[i] = dims[i] ? dims[i] : 1;
        scales[i] = -1;
    }
    hid_t g = open_or_create_group(w->file, group);
    herr_t ok = g < 0 ? -1 : 0;
    for (int i = 0; i < rank && ok >= 0; i++) {
        scales[i] = axis_scale(g, &axes[i]);
        ok = scales[i] < 0 ? -1 : 0;
    }
    hid_t ds = -1;
    if (ok >= 0) {
        ds = ipsim_h5i_make_dataset(g, name, type, rank, dims, chunk, w->level > 0 ? 1 : 0, true, long_name,
                          units);
        ok = ds < 0 ? -1 : 0;
    }
    if (ok >= 0)
        ok = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ok >= 0)
        ok = ipsim_h5i_attach(ds, scales, rank);
    if (ds >= 0)
        H5Dclose(ds);
    for (int i = 0; i < rank; i++)
        if (scales[i] >= 0)
            H5Dclose(scales[i]);
    if (g >= 0)
        H5Gclose(g);
    if (ok < 0) {
        char what[IPSIM_KEY_MAX + 32];
        snprintf(what, sizeof what, "writing %s/%s", group, name);
        return ipsim_h5i_fail_hdf5(w, err, what);
    }
    return IPSIM_OK;
}

int ipsim_h5_writer_write_table(ipsim_h5_writer *w, const char *group, const char *name,
                                int rank, const ipsim_h5_axis *axes, const double *data,
                                const char *long_name, const char *units, ipsim_error *err)
{
    if (rank < 1 || rank > IPSIM_H5_TABLE_RANK_MAX)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "table %s/%s has rank %d", group, name, rank);
    return write_table(w, group, name, rank, axes, H5T_IEEE_F64LE, data, long_name, units, err);
}

int ipsim_h5_writer_write_strings(ipsim_h5_writer *w, const char *group, const char *name,
                                  const ipsim_h5_axis *axis, const char *const *strings,
                                  const char *long_name, ipsim_error *err)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    int rc = write_table(w, group, name, 1, axis, type, strings, long_name, NULL, err);
    H5Tclose(type);
    return rc;
}

int ipsim_h5_writer_set_attribute(ipsim_h5_writer *w, const char *group, const char *name,
                                  const char *value, ipsim_error *err)
{
    hid_t g = open_or_create_group(w->file, group);
    int bad = g < 0 || ipsim_h5i_set_string_attr(g, name, value) < 0;
    if (g >= 0)
        H5Gclose(g);
    if (bad) {
        char what[IPSIM_KEY_MAX + 32];
        snprintf(what, sizeof what, "writing attribute %s of %s", name, group);
        return ipsim_h5i_fail_hdf5(w, err, what);
    }
    return IPSIM_OK;
}

/* ---- copying a scenario ---------------------------------------------------------------- */

/* H5Ocopy copies the references of dimension-scale attributes
 * (DIMENSION_LIST, a variable-length list, and REFERENCE_LIST, a compound)
 * without updating them (HDF5 1.10), so they would still point into the
 * source. The copy drops them, and the scales are attached again, as in
 * the source, by path. */
typedef struct scale_fix {
    hid_t src, dst;
    int failed;
} scale_fix;

static herr_t scale_path(hid_t dataset, unsigned dim, hid_t scale, void *data)
{
    (void)dataset;
    (void)dim;
    return H5Iget_name(scale, data, IPSIM_PATH_MAX) > 0 ? 1 : -1;
}

static herr_t drop_scale_lists(hid_t group, const char *name, const H5O_info_t *info, void *data)
{
    scale_fix *fix = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t ds = H5Dopen2(group, name, H5P_DEFAULT);
    if (ds < 0)
        return fix->failed = 1, -1;
    const char *lists[] = {"DIMENSION_LIST", "REFERENCE_LIST"};
    for (int i = 0; i < 2; i++)
        if (H5Aexists(ds, lists[i]) > 0 && H5Adelete(ds, lists[i]) < 0)
            fix->failed = 1;
    H5Dclose(ds);
    return fix->failed ? -1 : 0;
}

/* Whether ds's DIMENSION_LIST (if any) is what H5DS functions expect: one
 * variable-length list of object references per dimension. HDF5's
 * high-level library reads it without checking (a string there crashes
 * H5DSiterate_scales), and a checkpoint or part is a file from outside. */
static int dimension_list_ok(hid_t ds, int rank)
{
    if (H5Aexists(ds, "DIMENSION_LIST") <= 0)
        return 1;
    hid_t attr = H5Aopen(ds, "DIMENSION_LIST", H5P_DEFAULT);
    hid_t type = attr < 0 ? -1 : H5Aget_type(attr);
    hid_t space = attr < 0 ? -1 : H5Aget_space(attr);
    hid_t base = type >= 0 && H5Tget_class(type) == H5T_VLEN ? H5Tget_super(type) : -1;
    const int ok = base >= 0 && H5Tget_class(base) == H5T_REFERENCE &&
                   H5Tequal(base, H5T_STD_REF_OBJ) > 0 && space >= 0 &&
                   H5Sget_simple_extent_type(space) == H5S_SIMPLE &&
                   H5Sget_simple_extent_ndims(space) == 1 &&
                   H5Sget_simple_extent_npoints(space) == rank;
    if (base >= 0)
        H5Tclose(base);
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (attr >= 0)
        H5Aclose(attr);
    return ok;
}

static herr_t reattach_scales(hid_t group, const char *name, const H5O_info_t *info, void *data)
{
    scale_fix *fix = data;
    (void)group;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t src = H5Dopen2(fix->src, name, H5P_DEFAULT);
    hid_t dst = H5Dopen2(fix->dst, name, H5P_DEFAULT);
    hid_t space = src < 0 ? -1 : H5Dget_space(src);
    int rank = space < 0 ? -1 : H5Sget_simple_extent_ndims(space);
    fix->failed |= src < 0 || dst < 0 || rank < 0 || !dimension_list_ok(src, rank);
    for (int d = 0; !fix->failed && d < rank && H5DSis_scale(src) <= 0; d++) {
        if (H5DSget_num_scales(src, (unsigned)d) <= 0)
            continue;
        char path[IPSIM_PATH_MAX] = "";
        int idx = 0;
        if (H5DSiterate_scales(src, (unsigned)d, &idx, scale_path, path) != 1) {
            fix->failed = 1;
            break;
        }
        hid_t scale = H5Dopen2(fix->dst, path, H5P_DEFAULT); /* absolute: the same in both files */
        fix->failed |= scale < 0 || H5DSattach_scale(dst, scale, (unsigned)d) < 0;
        if (scale >= 0)
            H5Dclose(scale);
    }
    if (space >= 0)
        H5Sclose(space);
    if (src >= 0)
        H5Dclose(src);
    if (dst >= 0)
        H5Dclose(dst);
    return fix->failed ? -1 : 0;
}

/* Copies the members of the scenario's subgroups (patients/, summary/,
 * economics/) one at a time, polling the cancel flag between them: the
 * group itself was copied shallow (its attributes, its own datasets and
 * empty subgroups), and a scenario's per-patient columns can take seconds
 * to copy. Visited paths are relative to the scenario group; deeper
 * objects come with their subgroup member. */
typedef struct member_copy {
    hid_t src, dst;
    const volatile sig_atomic_t *cancel;
    int stopped;
} member_copy;

static herr_t copy_member(hid_t group, const char *name, const H5O_info_t *info, void *data)
{
    (void)group;
    (void)info;
    member_copy *mc = data;
    const char *slash = strchr(name, '/');
    if (!slash || strchr(slash + 1, '/'))
        return 0;
    if (mc->cancel && *mc->cancel) {
        mc->stopped = 1;
        return 1; /* stops the visit */
    }
    return H5Ocopy(mc->src, name, mc->dst, name, H5P_DEFAULT, H5P_DEFAULT) < 0 ? -1 : 0;
}

int ipsim_h5_writer_copy_scenario(ipsim_h5_writer *w, const char *source, const char *name,
                                  const volatile sig_atomic_t *cancel, ipsim_error *err)
{
    hid_t src = H5Fopen(source, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (src < 0)
        return IPSIM_FAIL(err, IPSIM_EFORMAT, "cannot open '%s' to copy scenario '%s'", source,
                          name);
    /* Datasets keep their chunks as stored (no recompression). */
    scale_fix fix = {-1, -1, 0};
    hid_t shallow = H5Pcreate(H5P_OBJECT_COPY);
    herr_t ok = shallow >= 0 && H5Pset_copy_object(shallow, H5O_COPY_SHALLOW_HIERARCHY_FLAG) >= 0 &&
                        H5Lexists(src, name, H5P_DEFAULT) > 0
                    ? H5Ocopy(src, name, w->file, name, shallow, H5P_DEFAULT)
                    : -1;
    if (shallow >= 0)
        H5Pclose(shallow);
    member_copy members = {-1, -1, cancel, 0};
    if (ok >= 0) {
        fix.src = members.src = H5Gopen2(src, name, H5P_DEFAULT);
        fix.dst = members.dst = H5Gopen2(w->file, name, H5P_DEFAULT);
        ok = fix.src < 0 || fix.dst < 0 ||
                     H5Ovisit(fix.src, H5_INDEX_NAME, H5_ITER_NATIVE, copy_member, &members) < 0 ||
                     members.stopped ||
                     H5Ovisit(fix.dst, H5_INDEX_NAME, H5_ITER_NATIVE, drop_scale_lists, &fix) < 0 ||
                     H5Ovisit(fix.dst, H5_INDEX_NAME, H5_ITER_NATIVE, reattach_scales, &fix) < 0
                 ? -1
                 : 0;
        if (fix.src >= 0)
            H5Gclose(fix.src);
        if (fix.dst >= 0)
            H5Gclose(fix.dst);
    }
    H5Fclose(src);
    if (members.stopped)
        return ipsim_error_cancelled(cancel, err, "while copying scenarios");
    if (ok < 0) {
        char what[IPSIM_PATH_MAX + IPSIM_NAME_MAX + 32];
        snprintf(what, sizeof what, "copying scenario '%s' from '%s'", name, source);
        return ipsim_h5i_fail_hdf5(w, err, what);
    }
    return IPSIM_OK;
}
