/* output/h5_summaries.c: each replicate's row of the summary/ tables and of
 * economics/mean and economics/sum_fixed_point, from its ipsim_summary. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdlib.h>

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

static herr_t write_summary_row(const ipsim_h5_writer *w, hid_t group, const char *name,
                                hid_t memtype, int rank, int64_t replicate, const void *data)
{
    hid_t ds = H5Dopen2(group, name, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds);
    hsize_t dims[3];
    H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    hsize_t start[3] = {(hsize_t)replicate, 0, 0};
    dims[0] = 1;
    herr_t rc = write_slab_shared(w, ds, memtype, rank, start, dims, data);
    H5Dclose(ds);
    return rc;
}

int ipsim_h5_writer_write_summary(ipsim_h5_writer *w, int64_t replicate, const ipsim_summary *s,
                                  ipsim_error *err)
{
    const int64_t months = s->shape.months;
    size_t cells = (size_t)months * IPSIM_STATES;
    double *occupancy = malloc(cells * sizeof *occupancy);
    int64_t *progression_free = malloc((size_t)months * 2 * sizeof *progression_free);
    if (!occupancy || !progression_free) {
        free(occupancy);
        free(progression_free);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the occupancy table");
    }
    ipsim_summary_progression_free(s, progression_free);
    for (size_t i = 0; i < cells; i++)
        occupancy[i] = (double)s->occupancy[i] / (double)s->patients;
    hid_t group = H5Gopen2(w->group, "summary", H5P_DEFAULT);
    int64_t deaths[IPSIM_DEATH_CAUSES - 1] = {s->deaths[IPSIM_DEATH_BACKGROUND],
                                              s->deaths[IPSIM_DEATH_INFECTION]};
    int64_t person_months[IPSIM_GRADES];
    for (int g = 0; g < IPSIM_GRADES; g++)
        person_months[g] = ipsim_summary_person_months(s, g);
    herr_t ok = group < 0 ? -1 : 0;
    if (!ok) {
        ok |= write_summary_row(w, group, "occupancy", H5T_NATIVE_DOUBLE, 3, replicate, occupancy);
        ok |= write_summary_row(w, group, "patients_by_baseline_grade", H5T_NATIVE_INT64, 2,
                                replicate, s->patients_by_baseline);
        ok |= write_summary_row(w, group, "infected_within_window_by_baseline_grade",
                                H5T_NATIVE_INT64, 2, replicate,
                                s->infected_in_window_by_baseline);
        ok |= write_summary_row(w, group, "first_infections_by_baseline_grade", H5T_NATIVE_INT64, 3,
                                replicate, s->first_infection);
        ok |= write_summary_row(w, group, "person_months_by_grade", H5T_NATIVE_INT64, 2, replicate,
                                person_months);
        ok |= write_summary_row(w, group, "episodes_by_grade_and_type", H5T_NATIVE_INT64, 3,
                                replicate, s->episodes);
        ok |= write_summary_row(w, group, "serious_episodes_by_grade", H5T_NATIVE_INT64, 2,
                                replicate, s->serious);
        ok |= write_summary_row(w, group, "deaths_by_cause", H5T_NATIVE_INT64, 2, replicate, deaths);
        ok |= write_summary_row(w, group, "on_ivig", H5T_NATIVE_INT64, 2, replicate, s->on_ivig);
        ok |= write_summary_row(w, group, "episodes_prevented_by_type", H5T_NATIVE_INT64, 2,
                                replicate, s->prevented);
        ok |= write_summary_row(w, group, "vaccine_doses", H5T_NATIVE_INT64, 1, replicate,
                                &s->vaccine_doses);
        double ivig_grams = (double)s->ivig_milligrams / 1000.0;
        ok |= write_summary_row(w, group, "ivig_patients", H5T_NATIVE_INT64, 1, replicate,
                                &s->ivig_patients);
        ok |= write_summary_row(w, group, "ivig_patient_months", H5T_NATIVE_INT64, 1, replicate,
                                &s->ivig_patient_months);
        ok |= write_summary_row(w, group, "ivig_grams", H5T_NATIVE_DOUBLE, 1, replicate,
                                &ivig_grams);
        const struct {
            const char *name;
            int rank;
            const int64_t *data;
        } tallies[] = {
            {"phase_occupancy", 3, s->phase_occupancy},
            {"patients_by_type_and_grade", 3, &s->patients_by_type_and_grade[0][0]},
            {"patients_by_riss_and_grade", 3, &s->patients_by_riss_and_grade[0][0]},
            {"responses", 2, s->responses},
            {"improvement_assessed", 2, s->improvement_assessed},
            {"improved", 2, s->improved},
            {"recovery_assessed", 2, s->recovery_assessed},
            {"recovered", 2, s->recovered},
            {"progression_free", 3, progression_free},
            {"transplant_eligible", 1, &s->transplant_eligible},
            {"asct_patients", 1, &s->asct_patients},
            {"progressions", 1, &s->progressions},
        };
        for (size_t i = 0; i < sizeof tallies / sizeof tallies[0]; i++)
            ok |= write_summary_row(w, group, tallies[i].name, H5T_NATIVE_INT64, tallies[i].rank,
                                    replicate, tallies[i].data);
        H5Gclose(group);
        group = H5Gopen2(w->group, "economics", H5P_DEFAULT);
        double means[IPSIM_ECONOMIC_OUTCOMES];
        ipsim_summary_mean_economics(s, means);
        ok |= group < 0 ? -1 : 0;
        if (group >= 0) {
            ok |= write_summary_row(w, group, "mean", H5T_NATIVE_DOUBLE, 2, replicate, means);
            ok |= write_summary_row(w, group, "sum_fixed_point", H5T_NATIVE_INT64, 2, replicate,
                                    s->economic_sums);
            H5Gclose(group);
        }
    }
    free(occupancy);
    free(progression_free);
    if (ok < 0)
        return ipsim_h5i_fail_hdf5(w, err, "writing the summary");
    return IPSIM_OK;
}
