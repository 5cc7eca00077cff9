/* output/h5_chunks.c: writing a block of patients. A block is split into
 * parts, one chunk of one dataset each; worker threads gather and compress
 * the parts with the dataset's own filters (shuffle for a column's
 * multi-byte values, then deflate, as HDF5 would; the deflate stream is
 * libdeflate's, or at level 1 a trajectory's is the run encoder's
 * (deflate_runs.h), which HDF5's deflate filter reads like zlib's), and the
 * master writes them raw with H5Dwrite_chunk in a fixed order, so the file
 * is byte-identical for any thread count. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libdeflate.h>

#include "output/deflate_runs.h"

/* Chunks are compressed here and written raw (H5Dwrite_chunk), so their
 * bytes must already be in the file's byte order: little-endian. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ipsim's direct chunk writes assume a little-endian host"
#endif

/* Trajectory chunks of about 1 MiB: large enough for deflate to do well and
 * for few chunk-index entries, small enough to sit in HDF5's chunk cache. */
#define CHUNK_BYTES (1 << 20)
/* Blocks hold this many trajectory chunks: enough parts to share among
 * threads, little enough memory. */
#define CHUNKS_PER_BLOCK 8
#define DEFAULT_BLOCK_WITHOUT_TRAJECTORIES 65536
/* A gather part's patients: few enough that their records (some 350 bytes
 * each) stay in a core's cache while every column takes its values. */
#define GATHER_PATIENTS 4096

void ipsim_h5i_free_parts(ipsim_h5_writer *w)
{
    for (int i = 0; w->parts && i < w->max_parts; i++) {
        free(w->parts[i].staging);
        free(w->parts[i].shuffled);
        free(w->parts[i].packed);
        free(w->parts[i].zeros);
    }
    free(w->parts);
    free(w->patient_ids);
    libdeflate_free_compressor(w->summary_compressor);
    w->parts = NULL;
    w->patient_ids = NULL;
    w->summary_compressor = NULL;
    w->max_parts = 0;
}

/* Chooses chunk and block sizes: trajectory chunks of about CHUNK_BYTES
 * for the widest element the scenario writes (the levels' floats, when it
 * writes them: a block, its compressed parts and their buffers then take
 * the same memory whatever the trajectories), blocks of whole trajectory
 * chunks (so no chunk is written twice), and per-patient chunks of exactly
 * one block. */
void ipsim_h5i_choose_geometry(ipsim_h5_writer *w, int64_t requested_block)
{
    int64_t widest = 1;
    for (int k = 0; k < w->trajectory_sets; k++) {
        const int64_t size = (int64_t)ipsim_element_size(
            ipsim_trajectory_datasets[w->trajectory_set[k]].element);
        widest = size > widest ? size : widest;
    }
    int64_t chunk = CHUNK_BYTES / (w->months * widest);
    chunk = chunk < 1 ? 1 : chunk > w->patients ? w->patients : chunk;
    int64_t block = requested_block > 0 ? requested_block
                    : w->trajectory_sets > 0 ? CHUNKS_PER_BLOCK * chunk
                                           : DEFAULT_BLOCK_WITHOUT_TRAJECTORIES;
    if (w->trajectory_sets > 0)
        block = (block + chunk - 1) / chunk * chunk;
    w->chunk_patients = chunk;
    w->block_patients = block < w->patients ? block : w->patients;
}

/* Each cycle on IVIG holds the patient's dose in grams. */
static void ivig_grams(const ipsim_h5_writer *w, const ipsim_block *b, int64_t first,
                       int64_t rows, float *grams)
{
    for (int64_t i = 0; i < rows; i++) {
        const double *columns = b->records[first + i].module_columns + w->ivig_dose_column;
        const float dose = (float)columns[0], per_level = (float)columns[1];
        const uint8_t *level = b->ivig + (first + i) * b->months;
        for (int64_t m = 0; m < b->months; m++)
            grams[i * b->months + m] = level[m] ? dose + (float)(level[m] - 1) * per_level : 0.0f;
    }
}

const void *ipsim_h5i_trajectory_rows(const ipsim_h5_writer *w, const ipsim_block *b, int set,
                                      int64_t first, int64_t rows, void *scratch)
{
    const int64_t at = first * b->months;
    switch (set) {
    case IPSIM_TRAJECTORY_GRADE: return b->grade + at;
    case IPSIM_TRAJECTORY_INFECTIONS: return b->infections + at;
    case IPSIM_TRAJECTORY_PHASE: return b->phase + at;
    case IPSIM_TRAJECTORY_IVIG: ivig_grams(w, b, first, rows, scratch); return scratch;
    default: return b->level[set - IPSIM_TRAJECTORY_IGG] + at;
    }
}

static unsigned char *alloc_bytes(size_t n)
{
    return malloc(n ? n : 1);
}

/* One buffer set per part a block can have. */
int ipsim_h5i_allocate_parts(ipsim_h5_writer *w, ipsim_error *err)
{
    int64_t per_block = w->trajectory_sets > 0
                            ? (w->block_patients + w->chunk_patients - 1) / w->chunk_patients
                            : 0;
    w->max_parts = (int)(w->trajectory_sets * per_block) + w->columns.count;
    w->parts = calloc((size_t)w->max_parts, sizeof *w->parts);
    w->patient_ids = malloc((size_t)w->block_patients * sizeof *w->patient_ids);
    w->summary_compressor = w->level > 0 ? libdeflate_alloc_compressor(w->level) : NULL;
    if (!w->parts || !w->patient_ids || (w->level > 0 && !w->summary_compressor))
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate output buffers");
    for (int i = 0; i < w->max_parts; i++) {
        chunk_part *part = &w->parts[i];
        int column = i - (int)(w->trajectory_sets * per_block);
        const ipsim_element element =
            column < 0 ? ipsim_trajectory_datasets[w->trajectory_set[i / per_block]].element
                       : w->columns.rows[column].element;
        size_t element_size = ipsim_element_size(element);
        part->bytes = column < 0 ? (size_t)(w->chunk_patients * w->months) * element_size
                                 : (size_t)w->block_patients *
                                       ipsim_column_bytes(&w->columns.rows[column]);
        part->level = column >= 0 && w->columns.rows[column].uncompressed ? 0 : w->level;
        part->staging = alloc_bytes(part->bytes);
        /* As ipsim_h5i_build_layout made the datasets: columns shuffle,
         * trajectories do not. */
        const bool shuffles = element_size > 1 && part->level > 0 && column >= 0;
        part->shuffles = shuffles;
        part->gathered_shuffled =
            shuffles &&
            ipsim_column_bytes(&w->columns.rows[column]) <= IPSIM_COLUMN_SHUFFLED_MAX;
        part->shuffled = shuffles ? alloc_bytes(part->bytes) : NULL;
        /* At the fastest level a trajectory's runs are coded as runs. */
        part->runs = column < 0 && part->level == 1;
        part->packed_capacity = libdeflate_zlib_compress_bound(NULL, part->bytes);
        if (ipsim_deflate_runs_bound(part->bytes) > part->packed_capacity)
            part->packed_capacity = ipsim_deflate_runs_bound(part->bytes);
        part->packed = part->level > 0 ? alloc_bytes(part->packed_capacity) : NULL;
        if (!part->staging || (shuffles && !part->shuffled) || (part->level > 0 && !part->packed))
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate output buffers");
    }
    return IPSIM_OK;
}

/* The chunks of trajectory dataset rows in this block. */
static int trajectory_chunks(const ipsim_h5_writer *w, const ipsim_block *b)
{
    if (w->trajectory_sets == 0)
        return 0;
    return (int)((b->count + w->chunk_patients - 1) / w->chunk_patients);
}

int ipsim_h5_writer_block_parts(void *writer, const ipsim_block *b)
{
    const ipsim_h5_writer *w = writer;
    return w->trajectory_sets * trajectory_chunks(w, b) + w->columns.count;
}

/* The buffers of part `index` of block b. A block's parts are the chunks
 * of each trajectory dataset in turn (the scenario's list), then the
 * patient columns; a short last block has fewer chunks, but each kind of
 * part keeps its own buffers. */
static chunk_part *part_at(ipsim_h5_writer *w, const ipsim_block *b, int index)
{
    const int chunks = trajectory_chunks(w, b);
    const int sets = w->trajectory_sets;
    const int max_chunks = sets ? (w->max_parts - w->columns.count) / sets : 0;
    if (index < sets * chunks)
        return &w->parts[(index / chunks) * max_chunks + index % chunks];
    return &w->parts[sets * max_chunks + index - sets * chunks];
}

/* A part is shuffled in slices of this many bytes, with a look at the
 * block's cancel flag between them: a whole chunk can take a large part of
 * a second under the sanitizers or on a busy machine, and a signal must
 * stop the run well within one. */
#define SLICE_BYTES (1 << 18)

static bool cancelled(const ipsim_block *b)
{
    return b->cancel && *b->cancel;
}

/* HDF5's shuffle filter: byte j of every element, for each j in turn.
 * Returns false, leaving `out` partly written, if the block was cancelled. */
static bool shuffle_bytes(const ipsim_block *b, const unsigned char *in, unsigned char *out,
                          size_t bytes, size_t element_size)
{
    const size_t n = bytes / element_size;
    const size_t slice = SLICE_BYTES / element_size;
    for (size_t first = 0; first < n; first += slice) {
        if (cancelled(b))
            return false;
        const size_t last = n - first < slice ? n : first + slice;
        ipsim_h5i_shuffle(in, out, n, element_size, first, last);
    }
    return true;
}

/* A zlib stream (RFC 1950) of the part's `bytes` at `in`, elements of
 * element_size bytes: the run encoder's for a trajectory at level 1
 * (deflate_runs.h), else libdeflate's at the part's level, two to three
 * times as fast as zlib's deflate at level 1. Both are standard, so HDF5's
 * deflate filter (zlib's inflate) reads them back (tests/test_outputs.py
 * checks); the bytes are not zlib's, the values read back are the same.
 * One call compresses a chunk (about 1 MiB at most) in milliseconds, so
 * the cancel flag is looked at before it only. The compressor is made for
 * the call: it is a plain allocation, and one per part (or per thread)
 * would hold some hundreds of KiB to MiB for each of dozens of parts.
 * Returns a part status. */
static int compress_part(const ipsim_block *b, const chunk_part *part, const unsigned char *in,
                         size_t element_size, unsigned char *out, size_t *out_size)
{
    if (cancelled(b))
        return PART_CANCELLED;
    if (part->runs) {
        *out_size = ipsim_deflate_runs(in, part->bytes, element_size, out, part->packed_capacity);
    } else {
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(part->level);
        if (!c)
            return PART_NO_MEMORY;
        *out_size = libdeflate_zlib_compress(c, in, part->bytes, out, part->packed_capacity);
        libdeflate_free_compressor(c);
    }
    /* The capacity is at least either encoder's bound, so this cannot
     * happen. */
    return *out_size ? PART_READY : PART_OVERFLOW;
}

/* Whether the n bytes are all 0: 64 at a time, so it costs little beside
 * the gather even when they are. */
static bool all_zero(const unsigned char *bytes, size_t n)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint64_t any = 0, word;
        for (size_t k = 0; k < 64; k += 8) {
            memcpy(&word, bytes + i + k, 8);
            any |= word;
        }
        if (any)
            return false;
    }
    for (; i < n; i++)
        if (bytes[i])
            return false;
    return true;
}

/* An all-zero chunk (a column of a module the scenario does not use, say):
 * its stream is the same each time, so each part compresses it once and
 * keeps it (libdeflate is slower on zeros than the check for them). */
static int zeros_part(const ipsim_block *b, chunk_part *part, const unsigned char *zeros,
                      size_t element_size)
{
    if (!part->zeros) {
        unsigned char *kept = alloc_bytes(part->packed_capacity);
        if (!kept)
            return PART_NO_MEMORY;
        size_t size = 0;
        int status = compress_part(b, part, zeros, element_size, kept, &size);
        if (status != PART_READY) {
            free(kept);
            return status;
        }
        unsigned char *fitted = realloc(kept, size);
        part->zeros = fitted ? fitted : kept;
        part->zeros_size = size;
    }
    part->out = part->zeros;
    part->out_size = part->zeros_size;
    return PART_READY;
}

/* Zeros after the last patient's values in a short last block's chunk:
 * after `elements` elements of the gathered bytes, or of each byte plane. */
static void pad_column(chunk_part *part, int64_t elements, size_t element_size)
{
    if (part->gathered_shuffled) {
        const size_t n = part->bytes / element_size, used = (size_t)elements;
        for (size_t j = 0; j < element_size; j++)
            memset(part->shuffled + j * n + used, 0, n - used);
    } else {
        const size_t used = (size_t)elements * element_size;
        memset(part->staging + used, 0, part->bytes - used);
    }
}

int ipsim_h5_writer_gather_parts(void *writer, const ipsim_block *b)
{
    const ipsim_h5_writer *w = writer;
    return w->columns.count ? (int)((b->count + GATHER_PATIENTS - 1) / GATHER_PATIENTS) : 0;
}

void ipsim_h5_writer_gather_part(void *writer, const ipsim_block *b, int index)
{
    ipsim_h5_writer *w = writer;
    const int64_t first = (int64_t)index * GATHER_PATIENTS;
    const int64_t count = b->count - first < GATHER_PATIENTS ? b->count - first : GATHER_PATIENTS;
    const int columns_from = w->trajectory_sets * trajectory_chunks(w, b);
    if (cancelled(b))
        return;
    for (int column = 0; column < w->columns.count; column++) {
        const ipsim_column *c = &w->columns.rows[column];
        chunk_part *part = part_at(w, b, columns_from + column);
        if (part->gathered_shuffled) {
            ipsim_column_gather_shuffled(c, b->records, first, count, part->shuffled,
                                         part->bytes);
        } else {
            const size_t size = ipsim_column_bytes(c);
            ipsim_column_gather(c, b->records + first, count,
                                part->staging + size * (size_t)first, size * (size_t)count);
        }
    }
}

void ipsim_h5_writer_prepare_part(void *writer, const ipsim_block *b, int index)
{
    ipsim_h5_writer *w = writer;
    chunk_part *part = part_at(w, b, index);
    const int chunks = trajectory_chunks(w, b);
    const unsigned char *source;
    size_t element_size = 1;
    bool shuffled = false;
    if (index < w->trajectory_sets * chunks) {
        const int k = index / chunks, c = index % chunks;
        const int set = w->trajectory_set[k];
        int64_t first_row = (int64_t)c * w->chunk_patients;
        int64_t rows = b->count - first_row < w->chunk_patients ? b->count - first_row
                                                                : w->chunk_patients;
        part->dataset = w->trajectory[k];
        element_size = ipsim_element_size(ipsim_trajectory_datasets[set].element);
        part->offset[0] = (hsize_t)b->replicate;
        part->offset[1] = (hsize_t)(b->first_patient + first_row);
        part->offset[2] = 0;
        /* The staging buffer holds a whole chunk: room for ivig's grams. */
        source = ipsim_h5i_trajectory_rows(w, b, set, first_row, rows, part->staging);
        if (rows < w->chunk_patients) {
            /* A short last chunk, padded with zeros. */
            size_t used = (size_t)(rows * b->months) * element_size;
            if (source != part->staging)
                memcpy(part->staging, source, used);
            memset(part->staging + used, 0, part->bytes - used);
            source = part->staging;
        }
    } else {
        int column = index - w->trajectory_sets * chunks;
        const ipsim_column *c = &w->columns.rows[column];
        part->dataset = w->column_ds[column];
        element_size = ipsim_element_size(c->element);
        part->offset[0] = (hsize_t)b->replicate;
        part->offset[1] = (hsize_t)b->first_patient;
        part->offset[2] = 0;
        /* Gathered by the gather parts, shuffled if it could be. */
        shuffled = part->gathered_shuffled;
        source = shuffled ? part->shuffled : part->staging;
        if (b->count < w->block_patients)
            pad_column(part, b->count * c->width, element_size);
    }
    if (part->level == 0) {
        part->out = source;
        part->out_size = part->bytes;
        part->status = PART_READY;
        return;
    }
    /* The filters of the dataset, in pipeline order: shuffle (for
     * multi-byte elements, unless a trajectory), then deflate. */
    if (part->shuffles && !shuffled) {
        if (!shuffle_bytes(b, source, part->shuffled, part->bytes, element_size)) {
            part->status = PART_CANCELLED;
            return;
        }
        source = part->shuffled;
    }
    if (all_zero(source, part->bytes)) {
        part->status = zeros_part(b, part, source, element_size);
        return;
    }
    part->status = compress_part(b, part, source, element_size, part->packed, &part->out_size);
    part->out = part->packed;
}

/* The patient coordinate, from the blocks of the first replicate. */
int ipsim_h5i_write_patient_ids(ipsim_h5_writer *w, const ipsim_block *b, ipsim_error *err)
{
    if (b->replicate != 0)
        return IPSIM_OK;
    for (int64_t i = 0; i < b->count; i++)
        w->patient_ids[i] = b->first_patient + i;
    hsize_t start = (hsize_t)b->first_patient, count = (hsize_t)b->count;
    errno = 0;
    if (ipsim_h5i_write_slab(w->patient_scale, H5T_NATIVE_INT64, 1, &start, &count, w->patient_ids) < 0)
        return ipsim_h5i_fail_hdf5_errno(w, err, "writing the patient coordinate", errno);
    return IPSIM_OK;
}

int ipsim_h5_writer_write_block(void *writer, const ipsim_block *b, ipsim_error *err)
{
    ipsim_h5_writer *w = writer;
    const int parts = ipsim_h5_writer_block_parts(w, b);
    for (int i = 0; i < parts; i++) {
        const chunk_part *part = part_at(w, b, i);
        if (part->status != PART_READY)
            return IPSIM_FAIL(err, part->status == PART_NO_MEMORY ? IPSIM_ENOMEM : IPSIM_EINTERNAL,
                              "compressing a chunk for '%s' failed: %s",
                              w->target,
                              part->status == PART_NO_MEMORY ? "out of memory"
                              : part->status == PART_CANCELLED ? "cancelled"
                                                               : "larger than its bound");
        errno = 0;
        if (H5Dwrite_chunk(part->dataset, H5P_DEFAULT, 0, part->offset, part->out_size,
                           part->out) < 0)
            return ipsim_h5i_fail_hdf5_errno(w, err, "writing patient data", errno);
    }
    return ipsim_h5i_write_patient_ids(w, b, err);
}
