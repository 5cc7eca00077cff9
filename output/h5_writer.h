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

#include "base/error.h"
#include "base/ranks.h"
#include "output/block.h"
#include "output/h5_format.h"
#include "output/summary.h"
#include "params/params.h"

#define IPSIM_FORMAT_NAME "ipsim"
#define IPSIM_FORMAT_VERSION 9

typedef struct ipsim_run_info {
    const char *ipsim_version;
    const char *command_line;
    const char *created_utc;   /* ISO 8601, e.g. "2026-11-25T03:12:00Z" */
    const char *study_name;    /* the study (or single scenario) the file holds */
    uint64_t seed;             /* shared by every scenario */
} ipsim_run_info;

typedef struct ipsim_h5_writer ipsim_h5_writer;

/* Creates the temporary file with the root attributes and the table of
 * scenarios (`/scenarios`, one group each, in this order).
 * Errors: IPSIM_EIO (the target's directory is missing or not writable, or
 * the target is a directory), IPSIM_EHDF5, IPSIM_ENOMEM; nothing is left
 * behind on failure. */
int ipsim_h5_writer_create(ipsim_h5_writer **out, const char *target_path,
                           const ipsim_run_info *info, const char *const *scenario_names,
                           int scenarios, ipsim_error *err);

/* As ipsim_h5_writer_create, collectively on every rank of an MPI job
 * (base/ranks.h): rank 0 names the temporary file, all open it through
 * parallel HDF5 (MPI-IO). Every call on the writer is then collective, with
 * the same arguments on every rank, except ipsim_h5_writer_write_block_shared's
 * block; commit renames the file on rank 0. One rank (or a build without
 * MPI): ipsim_h5_writer_create. */
int ipsim_h5_writer_create_shared(ipsim_h5_writer **out, const ipsim_ranks *ranks,
                                  const char *target_path, const ipsim_run_info *info,
                                  const char *const *scenario_names, int scenarios,
                                  ipsim_error *err);

/* Collective: writes this rank's block b of the open scenario (NULL: this
 * rank has no block in this round), through HDF5's own filters; every rank
 * calls it once per round. Blocks are whole chunks, so no two ranks write
 * one chunk. */
int ipsim_h5_writer_write_block_shared(ipsim_h5_writer *w, const ipsim_block *b,
                                       ipsim_error *err);

/* Reopens the complete file at `path` to add results to it: the changes
 * go to a copy under a temporary name (replace_group, if present, is
 * removed from the copy first), and ipsim_h5_writer_commit renames the
 * copy over the original, so that a failure or interruption leaves the
 * original as it was. Write with the table functions below. */
int ipsim_h5_writer_update(ipsim_h5_writer **out, const char *path, const char *replace_group,
                           ipsim_error *err);

/* Appends a per-patient column (output/h5_format.h) to those of every
 * scenario begun after this call, after the table's ipsim_patient_columns
 * (none without output.patient_records): `/<scenario>/patients/<name>`,
 * gathered from each patient's record with the others. The row is copied;
 * its strings and value function must outlive the writer. Errors:
 * IPSIM_EINTERNAL (a malformed row, or a name taken), IPSIM_ENOMEM. */
int ipsim_h5_writer_add_column(ipsim_h5_writer *w, const ipsim_column *column, ipsim_error *err);

/* Starts the next scenario: its group `/<p->name>` with every dataset of
 * the layout, sized for p, for blocks of about block_patients (0: the
 * writer's choice). parameters_yaml is the resolved set (the group's
 * `parameters` attribute). The blocks and summaries that follow go here. */
int ipsim_h5_writer_begin_scenario(ipsim_h5_writer *w, const ipsim_params *p,
                                   const char *parameters_yaml, int64_t block_patients,
                                   ipsim_error *err);

/* Closes the scenario's datasets and frees its buffers. */
void ipsim_h5_writer_end_scenario(ipsim_h5_writer *w);

/* Bytes the run's datasets hold before compression (an upper bound on the
 * file's size, up to a little metadata), for checking disk space first. */
double ipsim_h5_writer_estimate_bytes(const ipsim_params *p);

/* Patients per block: the cohort must hand over blocks of exactly this
 * size (the last may be shorter), each one chunk of the per-patient
 * datasets and a whole number of trajectory chunks. */
int64_t ipsim_h5_writer_block_patients(const ipsim_h5_writer *w);

/* Writing a block, as ipsim_cohort_sinks (pass the writer as ctx): the
 * threads share the gather parts (each takes a range of patients' values
 * of every per-patient column into the chunks' buffers), then the parts
 * (each compresses one chunk with the dataset's own filters, shuffle and
 * deflate), then write_block stores them with H5Dwrite_chunk, in a fixed
 * order, on the calling thread. The file is therefore byte-identical for
 * any thread count. */
int ipsim_h5_writer_gather_parts(void *writer, const ipsim_block *block);
void ipsim_h5_writer_gather_part(void *writer, const ipsim_block *block, int part);
int ipsim_h5_writer_block_parts(void *writer, const ipsim_block *block);
void ipsim_h5_writer_prepare_part(void *writer, const ipsim_block *block, int part);
int ipsim_h5_writer_write_block(void *writer, const ipsim_block *block, ipsim_error *err);

/* Writes replicate r's summary datasets. */
int ipsim_h5_writer_write_summary(ipsim_h5_writer *w, int64_t replicate,
                                  const ipsim_summary *s, ipsim_error *err);

/* One dimension of a root table: its name (also the name of its coordinate
 * dataset, created in the table's group on first use and shared by the
 * tables there) and its coordinates: labels, or values, or neither (an
 * index 0..length-1). */
typedef struct ipsim_h5_axis {
    const char *name;
    int64_t length;
    const char *const *labels;
    const double *values;
    const char *long_name;
    const char *units; /* of the values; may be NULL */
} ipsim_h5_axis;

enum { IPSIM_H5_TABLE_RANK_MAX = 3 };

/* Writes a float64 table `/<group>/<name>` (group created if need be) with
 * named dimensions, e.g. psa/ceac [wtp, scenario]. */
int ipsim_h5_writer_write_table(ipsim_h5_writer *w, const char *group, const char *name,
                                int rank, const ipsim_h5_axis *axes, const double *data,
                                const char *long_name, const char *units, ipsim_error *err);

/* Writes a string column `/<group>/<name>` along one axis. */
int ipsim_h5_writer_write_strings(ipsim_h5_writer *w, const char *group, const char *name,
                                  const ipsim_h5_axis *axis, const char *const *strings,
                                  const char *long_name, ipsim_error *err);

/* Sets a string attribute of `/<group>` (created if need be). */
int ipsim_h5_writer_set_attribute(ipsim_h5_writer *w, const char *group, const char *name,
                                  const char *value, ipsim_error *err);

/* Closes the unfinished file, still under its temporary name (*temp_path,
 * owned by w), so that it can be read back: a study's comparison is
 * computed from its scenarios as written. Resume before writing more. */
int ipsim_h5_writer_pause(ipsim_h5_writer *w, const char **temp_path, ipsim_error *err);
int ipsim_h5_writer_resume(ipsim_h5_writer *w, ipsim_error *err);

/* Copies scenario group `name` of the ipsim file at `source` into this
 * file (which lists it in /scenarios and does not hold it yet) as it is:
 * its datasets, chunks, attributes and dimension scales, so that the copy
 * reads the same, value for value. Errors: IPSIM_EFORMAT, IPSIM_EHDF5;
 * IPSIM_EINTERRUPTED once *cancel (may be NULL) is set, polled between
 * the datasets of its subgroups (the file is then incomplete: discard it). */
int ipsim_h5_writer_copy_scenario(ipsim_h5_writer *w, const char *source, const char *name,
                                  const volatile sig_atomic_t *cancel, ipsim_error *err);

/* Closes the file, flushes it to disk and renames it to the target. Frees w
 * whatever happens; on failure the temporary file is removed. */
int ipsim_h5_writer_commit(ipsim_h5_writer *w, ipsim_error *err);

/* Abandons the run: closes and removes the temporary file, frees w. NULL is
 * a no-op. */
void ipsim_h5_writer_discard(ipsim_h5_writer *w);

#endif
