/* output/h5_writer.h: writes a run to HDF5 (layout: docs/output-format.md).
 *
 * The file is built under a temporary name beside the target
 * (".NAME.ipsim-tmp-PID-XXXXXX" in the same directory, so the final rename is
 * atomic) and renamed to the target only by ipsim_h5_writer_commit. A run
 * that fails, is interrupted, or is killed never leaves a file at the target
 * path; a killed run leaves at most a dot-file named as above, which the
 * next run writing to the same target removes. */
#ifndef IPSIM_H5_WRITER_H
#define IPSIM_H5_WRITER_H

#include <stdint.h>

#include "output/summary.h"
#include "params/params.h"
#include "sim/cohort.h"
#include "sim/error.h"

#define IPSIM_FORMAT_NAME "ipsim"
#define IPSIM_FORMAT_VERSION 2

typedef struct ipsim_run_info {
    const char *ipsim_version;
    const char *command_line;
    const char *created_utc;   /* ISO 8601, e.g. "2026-11-25T03:12:00Z" */
    const char *parameters_yaml; /* the resolved parameter set (ipsim_params_to_yaml) */
} ipsim_run_info;

typedef struct ipsim_h5_writer ipsim_h5_writer;

/* Creates the temporary file with every dataset of the layout, sized for p,
 * for blocks of about block_patients (0: the writer's choice).
 * Errors: IPSIM_EIO (the target's directory is missing or not writable, or
 * the target is a directory), IPSIM_EHDF5, IPSIM_ENOMEM; nothing is left
 * behind on failure. */
int ipsim_h5_writer_create(ipsim_h5_writer **out, const char *target_path,
                           const ipsim_params *p, const ipsim_run_info *info,
                           int64_t block_patients, ipsim_error *err);

/* Bytes the run's datasets hold before compression (an upper bound on the
 * file's size, up to a little metadata), for checking disk space first. */
double ipsim_h5_writer_estimate_bytes(const ipsim_params *p);

/* Patients per block: the cohort must hand over blocks of exactly this
 * size (the last may be shorter), each one chunk of the per-patient
 * datasets and a whole number of trajectory chunks. */
int64_t ipsim_h5_writer_block_patients(const ipsim_h5_writer *w);

/* Bytes of buffers the writer holds, for memory estimates. */
double ipsim_h5_writer_buffer_bytes(const ipsim_h5_writer *w);

/* Writing a block, as ipsim_cohort_sinks (pass the writer as ctx): the
 * threads share the parts (each compresses one chunk with the dataset's
 * own filters, shuffle and deflate), then write_block stores them with
 * H5Dwrite_chunk, in a fixed order, on the calling thread. The file is
 * therefore byte-identical for any thread count. */
int ipsim_h5_writer_block_parts(void *writer, const ipsim_block *block);
void ipsim_h5_writer_prepare_part(void *writer, const ipsim_block *block, int part);
int ipsim_h5_writer_write_block(void *writer, const ipsim_block *block, ipsim_error *err);

/* Writes replicate r's summary datasets. */
int ipsim_h5_writer_write_summary(ipsim_h5_writer *w, int64_t replicate,
                                  const ipsim_summary *s, ipsim_error *err);

/* Closes the file, flushes it to disk and renames it to the target. Frees w
 * whatever happens; on failure the temporary file is removed. */
int ipsim_h5_writer_commit(ipsim_h5_writer *w, ipsim_error *err);

/* Abandons the run: closes and removes the temporary file, frees w. NULL is
 * a no-op. */
void ipsim_h5_writer_discard(ipsim_h5_writer *w);

#endif
