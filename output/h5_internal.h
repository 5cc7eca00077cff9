/* output/h5_internal.h: what the files of the HDF5 writer share, and
 * nothing else includes. The writer is one object (struct ipsim_h5_writer)
 * split by job over several files:
 *   h5_writer.c     the file's lifecycle: create, temporary file, pause and
 *                   resume, update, commit, discard, and MPI shared mode
 *   h5_common.c     HDF5 error messages, attributes, datasets and scales
 *   h5_layout.c     a scenario's groups, coordinates and empty datasets
 *   h5_chunks.c     a block's chunks: gathered, shuffled (columns), deflated (trajectories
 *                   at level 1 by deflate_runs.h), written
 *   h5_summaries.c  each replicate's summary and economics rows
 *   h5_tables.c     root tables for analyses; copying a scenario group
 * Functions shared between them are named ipsim_h5i_ (the library's
 * exports must all start with ipsim_; tests/check_exports.sh). */
#ifndef IPSIM_H5_INTERNAL_H
#define IPSIM_H5_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "output/h5_format.h"
#include "output/h5_writer.h"

/* The file's enumerated types, one per IPSIM_ELEMENT_ENUM_* in order. */
enum { ENUM_COUNT = IPSIM_ELEMENTS - IPSIM_ELEMENT_ENUM_FIRST };

/* One chunk of one dataset in the block being written: filled and
 * compressed by a worker thread (prepare), written by the master. */
typedef struct chunk_part {
    hid_t dataset;          /* whose chunk it is */
    hsize_t offset[3];      /* the chunk's position in the dataset */
    size_t bytes;           /* of a full chunk, before compression */
    int level;              /* its dataset's deflate level, 0 = no filters */
    unsigned char *staging; /* gathered or padded bytes */
    bool shuffles;          /* its dataset's filters shuffle (trajectories' do not) */
    bool runs;              /* deflated by ipsim_deflate_runs, not libdeflate */
    unsigned char *shuffled;
    bool gathered_shuffled; /* a column's values are gathered straight into `shuffled` */
    unsigned char *packed;
    size_t packed_capacity;
    unsigned char *zeros;   /* the stream of an all-zero chunk, once made (else NULL) */
    size_t zeros_size;
    const unsigned char *out; /* what to write: packed, or the raw bytes */
    size_t out_size;
    int status;             /* a part status: PART_READY when ready */
} chunk_part;

/* chunk_part.status: ready to write, or why not. */
enum { PART_READY = 0, PART_CANCELLED, PART_NO_MEMORY, PART_OVERFLOW };

struct ipsim_h5_writer {
    char target[IPSIM_PATH_MAX];
    char temp[IPSIM_PATH_MAX];
    int temp_lock;           /* an open descriptor holding temp's lock (-1: none) */
    hid_t file, group;
    hid_t enums[ENUM_COUNT]; /* the file's enumerated types */
    /* The open scenario's trajectory datasets: trajectory[k] is the dataset
     * of row trajectory_set[k] of ipsim_trajectory_datasets (-1: none),
     * k < trajectory_sets (ipsim_trajectory_sets_of). */
    hid_t trajectory[IPSIM_TRAJECTORY_SETS];
    int trajectory_set[IPSIM_TRAJECTORY_SETS];
    hid_t patient_scale;     /* its patient coordinate, written block by block */
    ipsim_column_list columns; /* its per-patient columns: the table, then extra_columns */
    hid_t *column_ds;        /* [columns.count] */
    /* Its summary/ and per-replicate economics/ datasets, open for the
     * scenario: a PSA writes a row of each per replicate. */
    hid_t summary_ds[IPSIM_SUMMARIES];
    hid_t economic_total_ds[IPSIM_ECONOMIC_TOTALS];
    /* Compresses the summary rows (h5_summaries.c) at the scenario's level;
     * made with the parts (NULL at level 0). */
    struct libdeflate_compressor *summary_compressor;
    ipsim_column_list extra_columns; /* ipsim_h5_writer_add_column's, for every scenario */
    int64_t replicates, patients, months;
    int64_t chunk_patients; /* trajectory chunk rows */
    int64_t block_patients; /* patients per block = per-patient chunk rows */
    int trajectory_sets;    /* how many trajectory datasets the scenario writes */
    int ivig_dose_column;   /* the IVIG module's dose at level 1 in a record's module_columns,
                             * and at the next its dose per level above 1 */
    int level;              /* deflate level, 0 = none */
    chunk_part *parts;      /* [sets * chunks per block + columns.count] */
    int max_parts;
    int64_t *patient_ids;   /* [block] coordinate values */
    /* Shared by the ranks of an MPI job (ipsim_h5_writer_create_shared):
     * blocks go through collective writes, the file's name is rank 0's. */
    const ipsim_ranks *ranks; /* NULL: this process alone */
    unsigned char *column;    /* a block's values of one dataset, collective writes */
    size_t column_bytes;
};

/* ---- h5_common.c ---- */

/* Records an HDF5 failure with the library's innermost reason (valid only
 * right after the failing call: every HDF5 call clears the stack). For
 * writes and closes, errno (saved) says what the disk said (e.g. no space). */
int ipsim_h5i_fail_hdf5_errno(ipsim_h5_writer *w, ipsim_error *err, const char *what, int saved);
int ipsim_h5i_fail_hdf5(ipsim_h5_writer *w, ipsim_error *err, const char *what);

/* The file's type of an element (an enumeration: w's), and the native
 * type it is read and written as in memory. */
hid_t ipsim_h5i_file_type(const ipsim_h5_writer *w, ipsim_element e);
hid_t ipsim_h5i_memory_type(ipsim_element e);

/* "group/name" of a dataset in the scenario group ("name" for group ""). */
const char *ipsim_h5i_path(const char *group, const char *name, char *buf, size_t size);

/* Attributes of loc: a UTF-8 string, a scalar of `type`. 0, or -1. */
int ipsim_h5i_set_string_attr(hid_t loc, const char *name, const char *value);
int ipsim_h5i_set_scalar_attr(hid_t loc, const char *name, hid_t type, const void *value);

/* A uint8 enumerated type with values 0 .. count-1 named as given. */
hid_t ipsim_h5i_make_enum(const char *const *names, int count);

/* Creates a chunked, optionally compressed dataset with a description.
 * With level > 0 it is deflated, after HDF5's shuffle filter if `shuffle`
 * and its values are wider than a byte. */
hid_t ipsim_h5i_make_dataset(hid_t loc, const char *name, hid_t type, int rank,
                             const hsize_t *dims, const hsize_t *chunk, int level, bool shuffle,
                             const char *description, const char *units);

/* HDF5's shuffle filter on elements first .. last - 1 of the n elements
 * of element_size bytes at `in`: byte j of element i goes to out[j * n + i]. */
void ipsim_h5i_shuffle(const unsigned char *in, unsigned char *out, size_t n,
                       size_t element_size, size_t first, size_t last);

/* Writes a contiguous in-memory block to a hyperslab. */
herr_t ipsim_h5i_write_slab(hid_t ds, hid_t memtype, int rank, const hsize_t *start,
                            const hsize_t *count, const void *buf);

/* Dimension scales (coordinates), of values or of string labels, and
 * attaching them to a dataset's dimensions 0 .. rank-1. */
hid_t ipsim_h5i_make_scale(hid_t loc, const char *name, hid_t type, hsize_t length,
                           hsize_t chunk, const void *values, const char *description);
hid_t ipsim_h5i_make_label_scale(hid_t loc, const char *name, const char *const *labels,
                                 int count, const char *description);
herr_t ipsim_h5i_attach(hid_t ds, const hid_t *scales, int rank);

/* ---- h5_layout.c ---- */

/* Creates scenario p's group and every dataset of its layout, empty. */
int ipsim_h5i_build_layout(ipsim_h5_writer *w, const ipsim_params *p,
                           const char *parameters_yaml, ipsim_error *err);

/* ---- h5_chunks.c ---- */

/* Chooses chunk and block sizes for the scenario begun; allocates and
 * frees the buffers of a block's parts. */
void ipsim_h5i_choose_geometry(ipsim_h5_writer *w, int64_t requested_block);
int ipsim_h5i_allocate_parts(ipsim_h5_writer *w, ipsim_error *err);
void ipsim_h5i_free_parts(ipsim_h5_writer *w);
/* The bytes, in the file's layout, of trajectory dataset `set`
 * (IPSIM_TRAJECTORY_*) for `rows` patients of block b from `first`: the
 * block's own rows, or, for ivig, the grams written into scratch (room for
 * rows x months floats): the simulation keeps a dose level per cycle, the
 * file the patient's dose in grams. */
const void *ipsim_h5i_trajectory_rows(const ipsim_h5_writer *w, const ipsim_block *b, int set,
                                      int64_t first, int64_t rows, void *scratch);

/* Writes block b's values of the patient coordinate (replicate 0 only). */
int ipsim_h5i_write_patient_ids(ipsim_h5_writer *w, const ipsim_block *b, ipsim_error *err);

#endif
