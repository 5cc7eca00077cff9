/* output/h5_layout.c: a scenario's layout, made when it begins (before any
 * patient is simulated): its group, coordinates, enumerated types and every
 * dataset, empty, with its description, units and dimension scales, all
 * from the rows of output/h5_format.h. The blocks and summaries written
 * later only fill them. The order of creation is the table's. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdlib.h>
#include <string.h>

/* The length of dimension d in this scenario. */
static hsize_t extent(const ipsim_h5_writer *w, ipsim_dim d)
{
    return (hsize_t)ipsim_dim_length(d, w->replicates, w->patients, w->months);
}

/* The coordinates: replicate, month and patient (written block by block,
 * so created empty), then the labelled ones in the table's order. */
static int make_coordinates(ipsim_h5_writer *w, const ipsim_params *p, hid_t *scales,
                            ipsim_error *err)
{
    const hsize_t R = (hsize_t)w->replicates, N = (hsize_t)w->patients, M = (hsize_t)w->months;
    int32_t *replicate_values = malloc(R * sizeof *replicate_values);
    int32_t *month_values = malloc((M + 1) * sizeof *month_values);
    if (!replicate_values || !month_values) {
        free(replicate_values);
        free(month_values);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate coordinates");
    }
    for (hsize_t r = 0; r < R; r++)
        replicate_values[r] = (int32_t)r;
    for (hsize_t m = 0; m < M; m++)
        month_values[m] = (int32_t)(m * (hsize_t)p->cohort.cycle_months);
    const ipsim_coordinate *c = ipsim_coordinates;
    scales[IPSIM_DIM_REPLICATE] = ipsim_h5i_make_scale(
        w->group, c[IPSIM_DIM_REPLICATE].name, ipsim_h5i_file_type(w, c[IPSIM_DIM_REPLICATE].element),
        R, R, replicate_values, c[IPSIM_DIM_REPLICATE].long_name);
    scales[IPSIM_DIM_MONTH] = ipsim_h5i_make_scale(
        w->group, c[IPSIM_DIM_MONTH].name, ipsim_h5i_file_type(w, c[IPSIM_DIM_MONTH].element), M,
        M, month_values, c[IPSIM_DIM_MONTH].long_name);
    /* An event curve's rows count cycles from its start: 0 .. M. */
    for (hsize_t m = 0; m <= M; m++)
        month_values[m] = (int32_t)m;
    scales[IPSIM_DIM_EVENT_ROW] = ipsim_h5i_make_scale(
        w->group, c[IPSIM_DIM_EVENT_ROW].name,
        ipsim_h5i_file_type(w, c[IPSIM_DIM_EVENT_ROW].element), M + 1, M + 1, month_values,
        c[IPSIM_DIM_EVENT_ROW].long_name);
    free(replicate_values);
    free(month_values);
    scales[IPSIM_DIM_PATIENT] = ipsim_h5i_make_scale(
        w->group, c[IPSIM_DIM_PATIENT].name, ipsim_h5i_file_type(w, c[IPSIM_DIM_PATIENT].element),
        N, (hsize_t)w->block_patients, NULL, c[IPSIM_DIM_PATIENT].long_name);
    for (int d = IPSIM_DIM_MONTH + 1; d < IPSIM_DIMS; d++)
        if (d != IPSIM_DIM_EVENT_ROW)
            scales[d] = ipsim_h5i_make_label_scale(w->group, c[d].name, c[d].labels,
                                                   c[d].length, c[d].long_name);
    for (int d = 0; d < IPSIM_DIMS; d++)
        if (scales[d] < 0)
            return ipsim_h5i_fail_hdf5(w, err, "creating the coordinate datasets");
    return IPSIM_OK;
}

/* The per-patient columns of `group` in the run's list, in its order:
 * [R, N] or [R, N, dim], one chunk per block. */
static int make_columns(ipsim_h5_writer *w, const ipsim_params *p, hid_t loc, const char *group,
                        const hid_t *scales)
{
    for (int i = 0; i < w->columns.count; i++) {
        const ipsim_column *c = &w->columns.rows[i];
        if (strcmp(c->group, group) != 0)
            continue;
        const int level = c->uncompressed ? 0 : w->level;
        const int rank = c->width > 1 ? 3 : 2;
        hsize_t dims[3] = {(hsize_t)w->replicates, (hsize_t)w->patients, (hsize_t)c->width};
        hsize_t chunk[3] = {1, (hsize_t)w->block_patients, (hsize_t)c->width};
        hid_t rp[3] = {scales[IPSIM_DIM_REPLICATE], w->patient_scale,
                       rank == 3 ? scales[c->dim] : -1};
        const char *units = c->units && strcmp(c->units, IPSIM_UNITS_CURRENCY) == 0
                                ? p->economics.currency
                                : c->units;
        hid_t ds = ipsim_h5i_make_dataset(loc, c->name, ipsim_h5i_file_type(w, c->element), rank,
                                          dims, chunk, level, true, c->long_name, units);
        w->column_ds[i] = ds;
        if (ds < 0 || ipsim_h5i_attach(ds, rp, rank) < 0)
            return -1;
    }
    return 0;
}

/* Creates row d's dataset in loc with its scales attached, chunked as
 * given (NULL: one chunk per replicate), deflated at `level` after the
 * shuffle filter if `shuffle` (ipsim_h5i_make_dataset), and returns it
 * open. */
static hid_t make_row(ipsim_h5_writer *w, hid_t loc, const ipsim_dataset *d, const hid_t *scales,
                      const hsize_t *chunk, int level, bool shuffle)
{
    hsize_t dims[3] = {0, 0, 0};
    hid_t dim_scales[3] = {-1, -1, -1};
    for (int k = 0; k < d->rank; k++) {
        dims[k] = extent(w, d->dims[k]);
        dim_scales[k] = d->dims[k] == IPSIM_DIM_PATIENT ? w->patient_scale : scales[d->dims[k]];
    }
    hsize_t by_replicate[3] = {1, dims[1], dims[2]};
    hid_t ds = ipsim_h5i_make_dataset(loc, d->name, ipsim_h5i_file_type(w, d->element), d->rank,
                                      dims, chunk ? chunk : by_replicate, level,
                                      shuffle, d->long_name, d->units);
    if (ds >= 0 && ipsim_h5i_attach(ds, dim_scales, d->rank) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

int ipsim_h5i_build_layout(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                           ipsim_error *err)
{
    hid_t scales[IPSIM_DIMS];
    for (int i = 0; i < IPSIM_DIMS; i++)
        scales[i] = -1;
    hid_t patients_group = -1, summary_group = -1;
    int rc = IPSIM_OK;
    const int level = (int)p->output.compression_level;

    w->group = H5Gcreate2(w->file, p->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (w->group < 0 || ipsim_h5i_set_string_attr(w->group, "parameters", parameters_yaml) < 0) {
        rc = ipsim_h5i_fail_hdf5(w, err, "creating the scenario group");
        goto cleanup;
    }
    for (int i = 0; i < ENUM_COUNT; i++) {
        int count;
        const char *const *names = ipsim_element_labels(IPSIM_ELEMENT_ENUM_FIRST + i, &count);
        w->enums[i] = ipsim_h5i_make_enum(names, count);
    }
    for (int i = 0; i < ENUM_COUNT; i++)
        if (w->enums[i] < 0) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the enumerated types");
            goto cleanup;
        }

    rc = make_coordinates(w, p, scales, err);
    if (rc)
        goto cleanup;
    w->patient_scale = scales[IPSIM_DIM_PATIENT];
    scales[IPSIM_DIM_PATIENT] = -1; /* kept open by the writer */

    if (w->trajectory_sets > 0) {
        hsize_t chunk[3] = {1, (hsize_t)w->chunk_patients, (hsize_t)w->months};
        for (int set = 0; set < w->trajectory_sets; set++) {
            /* Not shuffled: a patient's months lie side by side and most
             * repeat the month before (a level changes only when its class
             * changes band), runs that deflate finds in the values as they
             * are and that shuffling breaks into byte planes. On the
             * baseline's levels deflate then keeps half as many bytes, in
             * half the time (docs/output-format.md). The chunk parts do
             * the same (h5_chunks.c). */
            hid_t ds = make_row(w, w->group, &ipsim_trajectory_datasets[w->trajectory_set[set]],
                                scales, chunk, level, false);
            w->trajectory[set] = ds;
            if (ds < 0) {
                rc = ipsim_h5i_fail_hdf5(w, err, "creating the trajectory datasets");
                goto cleanup;
            }
        }
    }

    if (w->columns.count) {
        patients_group = H5Gcreate2(w->group, "patients", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (patients_group < 0 || make_columns(w, p, patients_group, "patients", scales) < 0) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the per-patient datasets");
            goto cleanup;
        }
    }

    /* economics/: per patient, and per replicate (models/economics.h). */
    {
        hid_t group = H5Gcreate2(w->group, "economics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int failed = group < 0 ||
                     ipsim_h5i_set_string_attr(group, "currency", p->economics.currency) < 0 ||
                     make_columns(w, p, group, "economics", scales) < 0;
        /* Small and read whole: one chunk, uncompressed. */
        for (int t = 0; t < IPSIM_ECONOMIC_TOTALS && !failed; t++) {
            const ipsim_dataset *d = &ipsim_economic_totals[t];
            hsize_t whole[3] = {(hsize_t)w->replicates, 1, 1};
            for (int k = 1; k < d->rank; k++)
                whole[k] = extent(w, d->dims[k]);
            hid_t ds = make_row(w, group, d, scales, whole, 0, true);
            failed = ds < 0;
            w->economic_total_ds[t] = ds;
        }
        if (group >= 0)
            H5Gclose(group);
        if (failed) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the economics datasets");
            goto cleanup;
        }
    }

    summary_group = H5Gcreate2(w->group, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (summary_group < 0) {
        rc = ipsim_h5i_fail_hdf5(w, err, "creating the summary group");
        goto cleanup;
    }
    /* Kept open for the scenario's replicates, each of which writes one
     * whole chunk of each: past HDF5's chunk cache, so that the chunks are
     * compressed and written as they come rather than held dirty (up to 1
     * MiB a dataset) until the scenario ends. */
    hid_t uncached = H5Pcreate(H5P_DATASET_ACCESS);
    if (uncached < 0 || H5Pset_chunk_cache(uncached, 0, 0, 1.0) < 0) {
        if (uncached >= 0)
            H5Pclose(uncached);
        rc = ipsim_h5i_fail_hdf5(w, err, "creating the summary datasets");
        goto cleanup;
    }
    for (int i = 0; i < IPSIM_SUMMARIES; i++) {
        hid_t ds = make_row(w, summary_group, &ipsim_summaries[i], scales, NULL, level, true);
        if (ds >= 0) {
            H5Dclose(ds);
            ds = H5Dopen2(summary_group, ipsim_summaries[i].name, uncached);
        }
        w->summary_ds[i] = ds;
        if (ds < 0) {
            H5Pclose(uncached);
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the summary datasets");
            goto cleanup;
        }
    }
    H5Pclose(uncached);

cleanup:
    for (int i = 0; i < IPSIM_DIMS; i++)
        if (scales[i] >= 0)
            H5Dclose(scales[i]);
    if (patients_group >= 0)
        H5Gclose(patients_group);
    if (summary_group >= 0)
        H5Gclose(summary_group);
    return rc;
}
