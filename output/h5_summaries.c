/* output/h5_summaries.c: each replicate's row of the summary/ tables and of
 * economics/mean and economics/sum_fixed_point, from its ipsim_summary. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdlib.h>

#include <libdeflate.h>

/* As ipsim_h5i_write_slab; in a file the ranks share, a collective write (the
 * summaries are compressed) of rank 0's values, the same on every rank. */
static herr_t write_slab_shared(const ipsim_h5_writer *w, hid_t ds, hid_t memtype, int rank,
                                const hsize_t *start, const hsize_t *count, const void *buf)
{
#ifdef IPSIM_MPI
    if (w->ranks && w->ranks->size > 1) {
        hid_t fspace = H5Dget_space(ds);
        hid_t mspace = H5Screate_simple(rank, count, NULL);
        herr_t rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
        if (w->ranks->rank != 0) {
            H5Sselect_none(fspace);
            H5Sselect_none(mspace);
        }
        hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
        if (rc >= 0)
            rc = H5Dwrite(ds, memtype, mspace, fspace, dxpl, buf);
        H5Pclose(dxpl);
        H5Sclose(mspace);
        H5Sclose(fspace);
        return rc;
    }
#endif
    (void)w;
    return ipsim_h5i_write_slab(ds, memtype, rank, start, count, buf);
}

/* A summary/ row of a file this process writes alone is one whole chunk
 * (one per replicate): filtered here as HDF5 would (shuffle, then deflate
 * at the writer's level) and stored with H5Dwrite_chunk, as the patients'
 * chunks are (h5_chunks.c). HDF5's deflate filter sets up zlib's state
 * afresh for every chunk, which for rows of a few kilobytes cost more than
 * compressing them: a PSA of 1,000 draws writes some 60 rows a draw and
 * scenario. The values read back are the same. Returns a negative value on
 * failure. */
static herr_t write_row_chunk(ipsim_h5_writer *w, hid_t ds, const hsize_t *start,
                              const unsigned char *row, size_t bytes, size_t element_size)
{
    if (w->level == 0)
        return H5Dwrite_chunk(ds, H5P_DEFAULT, 0, start, bytes, row);
    const size_t capacity = libdeflate_zlib_compress_bound(w->summary_compressor, bytes);
    const bool shuffles = element_size > 1;
    unsigned char *shuffled = shuffles ? malloc(bytes) : NULL, *packed = malloc(capacity);
    herr_t rc = -1;
    if ((shuffled || !shuffles) && packed) {
        if (shuffles)
            ipsim_h5i_shuffle(row, shuffled, bytes / element_size, element_size, 0,
                              bytes / element_size);
        const size_t size = libdeflate_zlib_compress(w->summary_compressor,
                                                     shuffles ? shuffled : row, bytes,
                                                     packed, capacity);
        rc = size ? H5Dwrite_chunk(ds, H5P_DEFAULT, 0, start, size, packed) : -1;
    }
    free(shuffled);
    free(packed);
    return rc;
}

/* Writes row d's slab of `replicate` from data (native values) into its
 * dataset ds, open for the scenario; `whole_chunk`: the row is the
 * dataset's whole chunk (summary/ rows: h5_layout.c). */
static herr_t write_summary_row(ipsim_h5_writer *w, hid_t ds, const ipsim_dataset *d,
                                int64_t replicate, const void *data, bool whole_chunk)
{
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds);
    hsize_t dims[3];
    H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    hsize_t start[3] = {(hsize_t)replicate, 0, 0};
    dims[0] = 1;
    const hid_t memtype = ipsim_h5i_memory_type(d->element);
#ifdef IPSIM_MPI
    whole_chunk = whole_chunk && !(w->ranks && w->ranks->size > 1);
#endif
    if (whole_chunk) {
        size_t cells = 1;
        for (int k = 1; k < d->rank; k++)
            cells *= (size_t)dims[k];
        const size_t element_size = H5Tget_size(memtype);
        return write_row_chunk(w, ds, start, data, cells * element_size, element_size);
    }
    return write_slab_shared(w, ds, memtype, d->rank, start, dims, data);
}

int ipsim_h5_writer_write_summary(ipsim_h5_writer *w, int64_t replicate, const ipsim_summary *s,
                                  ipsim_error *err)
{
    const int64_t months = s->shape.months;
    size_t cells = (size_t)months * IPSIM_STATES;
    double *occupancy = malloc(cells * sizeof *occupancy);
    int64_t *progression_free = malloc((size_t)months * 2 * sizeof *progression_free);
    double *mean_levels = malloc((size_t)months * (IPSIM_IG_CLASSES + 1) * sizeof *mean_levels);
    if (!occupancy || !progression_free || !mean_levels) {
        free(occupancy);
        free(progression_free);
        free(mean_levels);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the occupancy table");
    }
    ipsim_summary_progression_free(s, progression_free);
    ipsim_summary_mean_levels(s, mean_levels);
    double *mean_igg_with_ivig = mean_levels + (size_t)months * IPSIM_IG_CLASSES;
    ipsim_summary_mean_igg_with_ivig(s, mean_igg_with_ivig);
    for (size_t i = 0; i < cells; i++)
        occupancy[i] = (double)s->occupancy[i] / (double)s->patients;
    int64_t deaths[IPSIM_DEATH_CAUSES - 1] = {s->deaths[IPSIM_DEATH_BACKGROUND],
                                              s->deaths[IPSIM_DEATH_INFECTION],
                                              s->deaths[IPSIM_DEATH_MYELOMA]};
    int64_t person_months[IPSIM_GRADES];
    for (int g = 0; g < IPSIM_GRADES; g++)
        person_months[g] = ipsim_summary_person_months(s, g);
    double ivig_grams = (double)s->ivig_milligrams / 1000.0;
    /* Each summary/ row and where its values are, in the order written. */
    const struct {
        int id; /* IPSIM_SUMMARY_* */
        const void *data;
    } rows[IPSIM_SUMMARIES] = {
        {IPSIM_SUMMARY_OCCUPANCY, occupancy},
        {IPSIM_SUMMARY_PATIENTS_BY_BASELINE_GRADE, s->patients_by_baseline},
        {IPSIM_SUMMARY_INFECTED_WITHIN_WINDOW, s->infected_in_window_by_baseline},
        {IPSIM_SUMMARY_FIRST_INFECTIONS, s->first_infection},
        {IPSIM_SUMMARY_PERSON_MONTHS, person_months},
        {IPSIM_SUMMARY_EPISODES, s->episodes},
        {IPSIM_SUMMARY_SERIOUS_EPISODES, s->serious},
        {IPSIM_SUMMARY_DEATHS, deaths},
        {IPSIM_SUMMARY_ON_IVIG, s->on_ivig},
        {IPSIM_SUMMARY_PREVENTED, s->prevented},
        {IPSIM_SUMMARY_VACCINE_DOSES, &s->module_sums[s->shape.vaccine_doses_column]},
        {IPSIM_SUMMARY_IVIG_PATIENTS, &s->ivig_patients},
        {IPSIM_SUMMARY_IVIG_PATIENT_MONTHS,
         &s->module_sums[s->shape.ivig_column + IPSIM_IVIG_COLUMN_MONTHS]},
        {IPSIM_SUMMARY_IVIG_GRAMS, &ivig_grams},
        {IPSIM_SUMMARY_PHASE_OCCUPANCY, s->phase_occupancy},
        {IPSIM_SUMMARY_PATIENTS_BY_TYPE, &s->patients_by_type_and_grade[0][0]},
        {IPSIM_SUMMARY_PATIENTS_BY_RISS, &s->patients_by_riss_and_grade[0][0]},
        {IPSIM_SUMMARY_RESPONSES, s->responses},
        {IPSIM_SUMMARY_IMPROVEMENT_ASSESSED, s->improvement_assessed},
        {IPSIM_SUMMARY_IMPROVED, s->improved},
        {IPSIM_SUMMARY_RECOVERY_ASSESSED, s->recovery_assessed},
        {IPSIM_SUMMARY_RECOVERED, s->recovered},
        {IPSIM_SUMMARY_PROGRESSION_FREE, progression_free},
        {IPSIM_SUMMARY_TRANSPLANT_ELIGIBLE, &s->transplant_eligible},
        {IPSIM_SUMMARY_ASCT_PATIENTS, &s->asct_patients},
        {IPSIM_SUMMARY_PROGRESSIONS, &s->progressions},
        {IPSIM_SUMMARY_COURSE_EVENTS, s->course_event_row},
        {IPSIM_SUMMARY_DEATHS_BY_PHASE, &s->course.deaths_by_phase[0][0]},
        {IPSIM_SUMMARY_ALIVE_AT_PERIOD, s->course.alive_at_period},
        {IPSIM_SUMMARY_INFECTED_IN_PERIOD, s->course.infected_in_period},
        {IPSIM_SUMMARY_EPISODES_IN_PERIOD, s->course.episodes_in_period},
        {IPSIM_SUMMARY_LINES_REACHED, s->course.lines_reached},
        {IPSIM_SUMMARY_LEVEL_PATIENTS, &s->level_patients},
        {IPSIM_SUMMARY_IGG_BELOW_4, &s->igg_below_4_at_diagnosis},
        {IPSIM_SUMMARY_CR_LEVEL_PATIENTS, s->cr_level_patients},
        {IPSIM_SUMMARY_CR_LEVEL_SUMS, &s->cr_level_sums[0][0]},
        {IPSIM_SUMMARY_MEAN_LEVEL_BY_MONTH, mean_levels},
        {IPSIM_SUMMARY_MEAN_IGG_WITH_IVIG, mean_igg_with_ivig},
        {IPSIM_SUMMARY_IGG_BAND_MONTHS, &s->igg_band_months[0][0]},
        {IPSIM_SUMMARY_IGG_BAND_EPISODES, &s->igg_band_episodes[0][0]},
    };
    herr_t ok = 0;
    for (int i = 0; i < IPSIM_SUMMARIES; i++)
        ok |= write_summary_row(w, w->summary_ds[rows[i].id], &ipsim_summaries[rows[i].id],
                                replicate, rows[i].data, true);
    double means[IPSIM_ECONOMIC_OUTCOMES];
    ipsim_summary_mean_economics(s, means);
    const struct {
        int id; /* IPSIM_ECONOMICS_* */
        const void *data;
    } totals[] = {
        {IPSIM_ECONOMICS_MEAN, means},
        {IPSIM_ECONOMICS_SUM_FIXED_POINT, s->economic_sums},
        {IPSIM_ECONOMICS_SUBGROUP_PATIENTS, s->subgroup_patients},
        {IPSIM_ECONOMICS_SUBGROUP_SUM_FIXED_POINT, &s->subgroup_economic_sums[0][0]},
    };
    for (size_t i = 0; i < sizeof totals / sizeof *totals; i++)
        ok |= write_summary_row(w, w->economic_total_ds[totals[i].id],
                                &ipsim_economic_totals[totals[i].id], replicate, totals[i].data,
                                false);
    free(occupancy);
    free(progression_free);
    free(mean_levels);
    if (ok < 0)
        return ipsim_h5i_fail_hdf5(w, err, "writing the summary");
    return IPSIM_OK;
}
