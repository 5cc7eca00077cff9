/* output/h5_common.c: the HDF5 helpers every part of the writer uses:
 * error messages with HDF5's innermost reason, attributes, enumerated
 * types, chunked datasets and dimension scales. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdio.h>
#include <string.h>

#include <hdf5_hl.h>

/* ---- HDF5 error reporting ---------------------------------------------- */

static herr_t innermost_error(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    if (n == 0 && e->desc)
        snprintf(buf, 256, "%s", e->desc);
    return 0;
}

/* Records an HDF5 failure with the library's innermost reason (valid only
 * right after the failing call: every HDF5 call clears the stack). For
 * writes and closes, errno says what the disk said (e.g. no space). */
int ipsim_h5i_fail_hdf5_errno(ipsim_h5_writer *w, ipsim_error *err, const char *what, int saved)
{
    char reason[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, reason);
    IPSIM_FAIL(err, IPSIM_EHDF5, "%s in '%s' failed%s%s%s%s", what, w->target,
               *reason ? ": " : "", reason, saved ? "; system error: " : "",
               saved ? strerror(saved) : "");
    return IPSIM_EHDF5;
}

int ipsim_h5i_fail_hdf5(ipsim_h5_writer *w, ipsim_error *err, const char *what)
{
    return ipsim_h5i_fail_hdf5_errno(w, err, what, 0);
}

/* ---- types and paths ------------------------------------------------------ */

hid_t ipsim_h5i_file_type(const ipsim_h5_writer *w, ipsim_element e)
{
    switch (e) {
    case IPSIM_ELEMENT_UINT8: return H5T_STD_U8LE;
    case IPSIM_ELEMENT_INT8: return H5T_STD_I8LE;
    case IPSIM_ELEMENT_UINT32: return H5T_STD_U32LE;
    case IPSIM_ELEMENT_INT32: return H5T_STD_I32LE;
    case IPSIM_ELEMENT_INT64: return H5T_STD_I64LE;
    case IPSIM_ELEMENT_FLOAT32: return H5T_IEEE_F32LE;
    case IPSIM_ELEMENT_FLOAT64: return H5T_IEEE_F64LE;
    case IPSIM_ELEMENT_STRING:
    case IPSIM_ELEMENTS: return -1;
    default: return w->enums[e - IPSIM_ELEMENT_ENUM_FIRST];
    }
}

hid_t ipsim_h5i_memory_type(ipsim_element e)
{
    switch (e) {
    case IPSIM_ELEMENT_INT8: return H5T_NATIVE_INT8;
    case IPSIM_ELEMENT_UINT32: return H5T_NATIVE_UINT32;
    case IPSIM_ELEMENT_INT32: return H5T_NATIVE_INT32;
    case IPSIM_ELEMENT_INT64: return H5T_NATIVE_INT64;
    case IPSIM_ELEMENT_FLOAT32: return H5T_NATIVE_FLOAT;
    case IPSIM_ELEMENT_FLOAT64: return H5T_NATIVE_DOUBLE;
    case IPSIM_ELEMENT_STRING:
    case IPSIM_ELEMENTS: return -1;
    default: return H5T_NATIVE_UINT8; /* uint8, and the enumerations' values */
    }
}

const char *ipsim_h5i_path(const char *group, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", group, *group ? "/" : "", name);
    return buf;
}

/* ---- small helpers --------------------------------------------------------- */

int ipsim_h5i_set_string_attr(hid_t loc, const char *name, const char *value)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr < 0 ? -1 : H5Awrite(attr, type, &value);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

int ipsim_h5i_set_scalar_attr(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr < 0 ? -1 : H5Awrite(attr, type, value);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

hid_t ipsim_h5i_make_enum(const char *const *names, int count)
{
    hid_t type = H5Tenum_create(H5T_NATIVE_UINT8);
    for (int i = 0; i < count; i++) {
        uint8_t v = (uint8_t)i;
        H5Tenum_insert(type, names[i], &v);
    }
    return type;
}

void ipsim_h5i_shuffle(const unsigned char *in, unsigned char *out, size_t n,
                       size_t element_size, size_t first, size_t last)
{
    for (size_t i = first; i < last; i++)
        for (size_t j = 0; j < element_size; j++)
            out[j * n + i] = in[i * element_size + j];
}

/* Creates a chunked, optionally compressed dataset with a description. */
hid_t ipsim_h5i_make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                          const hsize_t *chunk, int level, bool shuffle,
                          const char *description, const char *units)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    /* Shuffle groups the bytes of multi-byte values, which deflate then
     * compresses far better when neighbouring values differ; it is a no-op
     * for bytes. */
    if (level > 0 && shuffle && H5Tget_size(type) > 1)
        H5Pset_shuffle(dcpl);
    if (level > 0)
        H5Pset_deflate(dcpl, (unsigned)level);
    /* Unfiltered datasets get their space at once: ranks sharing a file
     * (MPI) may then write to it independently (the patient coordinate, by
     * the rank that has the block), which parallel HDF5 allows only for
     * storage that exists. Compressed ones are written collectively. */
    else
        H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    /* Every element is written, so skip pre-filling; HDF5 forbids that for
     * variable-length types, which need a defined fill value. */
    if (H5Tis_variable_str(type) <= 0)
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (ds >= 0 && (ipsim_h5i_set_string_attr(ds, "long_name", description) < 0 ||
                    (units && ipsim_h5i_set_string_attr(ds, "units", units) < 0))) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* Writes a contiguous in-memory block to a hyperslab. */
herr_t ipsim_h5i_write_slab(hid_t ds, hid_t memtype, int rank, const hsize_t *start,
                         const hsize_t *count, const void *buf)
{
    hid_t fspace = H5Dget_space(ds);
    hid_t mspace = H5Screate_simple(rank, count, NULL);
    herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    if (rc >= 0)
        rc = H5Dwrite(ds, memtype, mspace, fspace, H5P_DEFAULT, buf);
    H5Sclose(mspace);
    H5Sclose(fspace);
    return rc;
}

/* A dimension-scale dataset: the coordinate values of one named dimension,
 * which netCDF and xarray readers use as the dimension's name and labels. */
hid_t ipsim_h5i_make_scale(hid_t loc, const char *name, hid_t type, hsize_t length, hsize_t chunk,
                        const void *values, const char *description)
{
    hid_t ds = ipsim_h5i_make_dataset(loc, name, type, 1, &length, &chunk, 0, false, description, NULL);
    if (ds < 0)
        return -1;
    if ((values && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) ||
        H5DSset_scale(ds, name) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

hid_t ipsim_h5i_make_label_scale(hid_t loc, const char *name, const char *const *labels, int count,
                              const char *description)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t ds = ipsim_h5i_make_scale(loc, name, type, (hsize_t)count, (hsize_t)count, labels, description);
    H5Tclose(type);
    return ds;
}

herr_t ipsim_h5i_attach(hid_t ds, const hid_t *scales, int rank)
{
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(ds, scales[i], (unsigned)i) < 0)
            return -1;
    return 0;
}
