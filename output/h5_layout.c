/* output/h5_layout.c: a scenario's layout, made when it begins (before any
 * patient is simulated): its group, coordinates, enumerated types and every
 * dataset, empty, with its description, units and dimension scales. The
 * blocks and summaries written later only fill them. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include <stdlib.h>

/* ---- the layout -------------------------------------------------------------- */

enum {
    SC_REPLICATE,
    SC_PATIENT,
    SC_MONTH,
    SC_STATE,
    SC_GRADE,
    SC_TYPE,
    SC_CAUSE,
    SC_PHASE,
    SC_MYELOMA,
    SC_RISS,
    SC_RESPONSE,
    SC_ASCT,
    SC_IMPROVED,
    SC_ECONOMIC,
    SC_COUNT
};

static const char *const asct_labels[2] = {"without_asct", "with_asct"};
static const char *const improved_labels[2] = {"not_improved", "improved"};

int ipsim_h5i_build_layout(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                        ipsim_error *err)
{
    hid_t scales[SC_COUNT];
    for (int i = 0; i < SC_COUNT; i++)
        scales[i] = -1;
    hid_t patients_group = -1, summary_group = -1;
    int rc = IPSIM_OK;
    const int level = (int)p->output.compression_level;
    const hsize_t R = (hsize_t)w->replicates, N = (hsize_t)w->patients, M = (hsize_t)w->months;

    w->group = H5Gcreate2(w->file, p->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (w->group < 0 || ipsim_h5i_set_string_attr(w->group, "parameters", parameters_yaml) < 0) {
        rc = ipsim_h5i_fail_hdf5(w, err, "creating the scenario group");
        goto cleanup;
    }
    w->enums[ENUM_STATE] = ipsim_h5i_make_enum(ipsim_state_names, IPSIM_STATES);
    w->enums[ENUM_CAUSE] = ipsim_h5i_make_enum(ipsim_death_cause_names, IPSIM_DEATH_CAUSES);
    w->enums[ENUM_PHASE] = ipsim_h5i_make_enum(ipsim_phase_names, IPSIM_PHASE_STATES);
    w->enums[ENUM_MYELOMA] = ipsim_h5i_make_enum(ipsim_myeloma_type_names, IPSIM_MYELOMA_TYPES);
    w->enums[ENUM_RISS] = ipsim_h5i_make_enum(ipsim_riss_names, IPSIM_RISS_STAGES);
    w->enums[ENUM_RESPONSE] = ipsim_h5i_make_enum(ipsim_response_names, IPSIM_RESPONSES + 1);
    for (int i = 0; i < ENUM_COUNT; i++)
        if (w->enums[i] < 0) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the enumerated types");
            goto cleanup;
        }

    /* Coordinates. The patient coordinate is written block by block. */
    int32_t *replicate_values = malloc(R * sizeof *replicate_values);
    int32_t *month_values = malloc(M * sizeof *month_values);
    if (!replicate_values || !month_values) {
        free(replicate_values);
        free(month_values);
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate coordinates");
        goto cleanup;
    }
    for (hsize_t r = 0; r < R; r++)
        replicate_values[r] = (int32_t)r;
    for (hsize_t m = 0; m < M; m++)
        month_values[m] = (int32_t)(m * (hsize_t)p->cohort.cycle_months);
    scales[SC_REPLICATE] = ipsim_h5i_make_scale(w->group, "replicate", H5T_STD_I32LE, R, R,
                                      replicate_values, "replicate (independent cohort) index");
    scales[SC_MONTH] = ipsim_h5i_make_scale(w->group, "month", H5T_STD_I32LE, M, M, month_values,
                                  "months since diagnosis at the start of the cycle");
    free(replicate_values);
    free(month_values);
    scales[SC_PATIENT] = ipsim_h5i_make_scale(w->group, "patient", H5T_STD_I64LE, N,
                                    (hsize_t)w->block_patients, NULL,
                                    "patient index within the replicate");
    scales[SC_STATE] = ipsim_h5i_make_label_scale(w->group, "state", ipsim_state_names, IPSIM_STATES,
                                        "immunoparesis grade, or dead");
    scales[SC_GRADE] = ipsim_h5i_make_label_scale(w->group, "ip_grade", ipsim_state_names, IPSIM_GRADES,
                                        "immunoparesis grade");
    scales[SC_TYPE] = ipsim_h5i_make_label_scale(w->group, "infection_type", ipsim_infection_type_names,
                                       IPSIM_INFECTION_TYPES, "type of infection episode");
    scales[SC_CAUSE] = ipsim_h5i_make_label_scale(w->group, "cause", ipsim_death_cause_names + 1,
                                        IPSIM_DEATH_CAUSES - 1, "cause of death");
    scales[SC_PHASE] = ipsim_h5i_make_label_scale(w->group, "treatment_phase", ipsim_phase_names,
                                        IPSIM_PHASE_STATES, "treatment phase, or dead");
    scales[SC_MYELOMA] = ipsim_h5i_make_label_scale(w->group, "myeloma", ipsim_myeloma_type_names,
                                          IPSIM_MYELOMA_TYPES, "myeloma type by M-protein");
    scales[SC_RISS] = ipsim_h5i_make_label_scale(w->group, "riss_stage", ipsim_riss_names,
                                       IPSIM_RISS_STAGES, "R-ISS stage at diagnosis");
    scales[SC_RESPONSE] = ipsim_h5i_make_label_scale(w->group, "induction_response", ipsim_response_names,
                                           IPSIM_RESPONSES + 1,
                                           "response at the end of induction");
    scales[SC_ASCT] = ipsim_h5i_make_label_scale(w->group, "asct", asct_labels, 2,
                                       "whether the patient received ASCT");
    scales[SC_IMPROVED] = ipsim_h5i_make_label_scale(w->group, "ip_improvement", improved_labels, 2,
                                           "whether IP improved after induction");
    scales[SC_ECONOMIC] = ipsim_h5i_make_label_scale(w->group, "economic_outcome", ipsim_economic_names,
                                           IPSIM_ECONOMIC_OUTCOMES,
                                           "costs, QALYs and life-years, undiscounted and "
                                           "discounted");
    for (int i = 0; i < SC_COUNT; i++)
        if (scales[i] < 0) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the coordinate datasets");
            goto cleanup;
        }
    w->ds[DS_PATIENT] = scales[SC_PATIENT];
    scales[SC_PATIENT] = -1; /* kept open by the writer */
    hid_t patient_scale = w->ds[DS_PATIENT];

    if (w->keep_trajectories) {
        hsize_t dims[3] = {R, N, M}, chunk[3] = {1, (hsize_t)w->chunk_patients, M};
        hid_t dims_scales[3] = {scales[SC_REPLICATE], patient_scale, scales[SC_MONTH]};
        const struct {
            hid_t type;
            const char *description, *units;
        } sets[TRAJECTORY_SETS_MAX] = {
            {w->enums[ENUM_STATE], "immunoparesis grade at the start of the month", NULL},
            {H5T_STD_U8LE, "infection episodes that began in the cycle starting this month",
             "episodes"},
            {w->enums[ENUM_PHASE], "treatment phase in the cycle starting this month", NULL},
            {H5T_IEEE_F32LE, "IVIG given in the cycle starting this month (0 if none)", "g"},
        };
        for (int set = 0; set < w->trajectory_sets; set++) {
            hid_t ds = ipsim_h5i_make_dataset(w->group, ipsim_h5i_dataset_names[ipsim_h5i_trajectory_datasets[set]],
                                    sets[set].type, 3, dims, chunk, level,
                                    sets[set].description, sets[set].units);
            w->ds[ipsim_h5i_trajectory_datasets[set]] = ds;
            if (ds < 0 || ipsim_h5i_attach(ds, dims_scales, 3) < 0) {
                rc = ipsim_h5i_fail_hdf5(w, err, "creating the trajectory datasets");
                goto cleanup;
            }
        }
    }

    if (w->patient_columns) {
        patients_group = H5Gcreate2(w->group, "patients", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t dims[3] = {R, N, IPSIM_INFECTION_TYPES};
        hsize_t chunk[3] = {1, (hsize_t)w->block_patients, IPSIM_INFECTION_TYPES};
        hid_t rp[3] = {scales[SC_REPLICATE], patient_scale, scales[SC_TYPE]};
        struct {
            int id;
            hid_t type;
            int rank;
            const char *description, *units;
        } specs[] = {
            {DS_BASELINE_GRADE, w->enums[ENUM_STATE], 2,
             "immunoparesis grade at diagnosis", NULL},
            {DS_DEATH_MONTH, H5T_STD_I32LE, 2,
             "first month recorded dead; -1 if alive at the horizon", "months"},
            {DS_DEATH_CAUSE, w->enums[ENUM_CAUSE], 2,
             "cause of death (alive if alive at the horizon)", NULL},
            {DS_FIRST_INFECTION, H5T_STD_I32LE, 2,
             "start month of the cycle of the first infection episode; -1 if none", "months"},
            {DS_INFECTIONS_BY_TYPE, H5T_STD_U32LE, 3,
             "infection episodes over the follow-up, by type", "episodes"},
            {DS_SERIOUS, H5T_STD_U32LE, 2,
             "serious infection episodes over the follow-up", "episodes"},
            {DS_WEIGHT, H5T_IEEE_F32LE, 2, "body weight at diagnosis", "kg"},
            {DS_IVIG_MONTHS, H5T_STD_I32LE, 2, "months on IVIG", "months"},
            {DS_IVIG_GRAMS, H5T_IEEE_F64LE, 2, "IVIG given over the follow-up",
             "g"},
            {DS_MYELOMA_TYPE, w->enums[ENUM_MYELOMA], 2,
             "myeloma type by M-protein", NULL},
            {DS_RISS, w->enums[ENUM_RISS], 2, "R-ISS stage at diagnosis", NULL},
            {DS_ELIGIBLE, H5T_STD_U8LE, 2,
             "1 if eligible for ASCT", NULL},
            {DS_RESPONSE, w->enums[ENUM_RESPONSE], 2,
             "response at the end of induction (not_assessed: died before it)", NULL},
            {DS_ASCT_MONTH, H5T_STD_I32LE, 2, "month of ASCT; -1 if none",
             "months"},
            {DS_IMPROVED, H5T_STD_I8LE, 2,
             "1 if the grade at the end of induction was better than at diagnosis, 0 if not; "
             "-1 if no IP at diagnosis or dead before the end of induction",
             NULL},
            {DS_PROGRESSION_MONTH, H5T_STD_I32LE, 2,
             "month by which the myeloma progressed (end of the cycle); -1 if it did not "
             "before death or the horizon",
             "months"},
        };
        int failed = patients_group < 0;
        for (size_t i = 0; i < sizeof specs / sizeof specs[0] && !failed; i++) {
            hid_t ds = ipsim_h5i_make_dataset(patients_group, ipsim_h5i_dataset_names[specs[i].id], specs[i].type,
                                    specs[i].rank,
                                    dims, chunk, level, specs[i].description, specs[i].units);
            w->ds[specs[i].id] = ds;
            failed = ds < 0 || ipsim_h5i_attach(ds, rp, specs[i].rank) < 0;
        }
        if (failed) {
            rc = ipsim_h5i_fail_hdf5(w, err, "creating the per-patient datasets");
            goto cleanup;
        }
    }

    /* economics/: per patient, and per replicate (models/economics.h). */
    {
        hid_t group = H5Gcreate2(w->group, "economics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int failed = group < 0 || ipsim_h5i_set_string_attr(group, "currency", p->economics.currency) < 0;
        static const char *const descriptions[IPSIM_ECONOMIC_OUTCOMES] = {
            "costs over the follow-up, undiscounted", "costs over the follow-up, discounted",
            "QALYs over the follow-up, undiscounted", "QALYs over the follow-up, discounted",
            "life-years over the follow-up, undiscounted",
            "life-years over the follow-up, discounted"};
        hsize_t dims[2] = {R, N}, chunk[2] = {1, (hsize_t)w->block_patients};
        hid_t rp[2] = {scales[SC_REPLICATE], patient_scale};
        for (int k = 0; k < IPSIM_ECONOMIC_OUTCOMES && !failed && w->patient_columns; k++) {
            const char *units = k <= IPSIM_ECONOMIC_COST_DISCOUNTED ? p->economics.currency
                                : k <= IPSIM_ECONOMIC_QALYS_DISCOUNTED ? "QALY"
                                                                        : "years";
            hid_t ds = ipsim_h5i_make_dataset(group, ipsim_economic_names[k], H5T_IEEE_F64LE, 2, dims,
                                    chunk, level, descriptions[k], units);
            w->ds[DS_ECONOMIC_FIRST + k] = ds;
            failed = ds < 0 || ipsim_h5i_attach(ds, rp, 2) < 0;
        }
        hsize_t table[2] = {R, IPSIM_ECONOMIC_OUTCOMES};
        hid_t rs[2] = {scales[SC_REPLICATE], scales[SC_ECONOMIC]};
        const struct {
            const char *name;
            hid_t type;
            const char *description;
        } totals[2] = {
            {"mean", H5T_NATIVE_DOUBLE, "mean per patient of each outcome, per replicate"},
            {"sum_fixed_point", H5T_NATIVE_INT64,
             "sum over patients in fixed point: cents (1e-2 currency) for costs, 1e-9 for "
             "QALYs and life-years (exact whatever the order of summation)"},
        };
        for (int t = 0; t < 2 && !failed; t++) {
            hid_t ds = ipsim_h5i_make_dataset(group, totals[t].name, totals[t].type, 2, table, table, 0,
                                    totals[t].description, NULL);
            failed = ds < 0 || ipsim_h5i_attach(ds, rs, 2) < 0;
            if (ds >= 0)
                H5Dclose(ds);
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
    {
        struct {
            const char *name;
            hid_t type;
            int rank;
            hsize_t dims[3];
            int scales[3];
            const char *description, *units;
        } specs[] = {
            {"occupancy", H5T_NATIVE_DOUBLE, 3, {R, M, IPSIM_STATES},
             {SC_REPLICATE, SC_MONTH, SC_STATE},
             "share of the cohort in each state at the start of the month", "1"},
            {"patients_by_baseline_grade", H5T_NATIVE_INT64, 2, {R, IPSIM_GRADES},
             {SC_REPLICATE, SC_GRADE}, "patients by grade at diagnosis", "patients"},
            {"infected_within_window_by_baseline_grade", H5T_NATIVE_INT64, 2, {R, IPSIM_GRADES},
             {SC_REPLICATE, SC_GRADE},
             "patients with >= 1 infection episode within infection.window_months, by grade "
             "at diagnosis",
             "patients"},
            {"first_infections_by_baseline_grade", H5T_NATIVE_INT64, 3, {R, M, IPSIM_GRADES},
             {SC_REPLICATE, SC_MONTH, SC_GRADE},
             "patients whose first infection episode began in the cycle starting this month, "
             "by grade at diagnosis",
             "patients"},
            {"person_months_by_grade", H5T_NATIVE_INT64, 2, {R, IPSIM_GRADES},
             {SC_REPLICATE, SC_GRADE}, "months lived in each grade", "months"},
            {"episodes_by_grade_and_type", H5T_NATIVE_INT64, 3,
             {R, IPSIM_GRADES, IPSIM_INFECTION_TYPES}, {SC_REPLICATE, SC_GRADE, SC_TYPE},
             "infection episodes by grade at onset and type", "episodes"},
            {"serious_episodes_by_grade", H5T_NATIVE_INT64, 2, {R, IPSIM_GRADES},
             {SC_REPLICATE, SC_GRADE}, "serious infection episodes by grade at onset",
             "episodes"},
            {"on_ivig", H5T_NATIVE_INT64, 2, {R, M}, {SC_REPLICATE, SC_MONTH},
             "patients given IVIG in the cycle starting this month", "patients"},
            {"deaths_by_cause", H5T_NATIVE_INT64, 2, {R, IPSIM_DEATH_CAUSES - 1},
             {SC_REPLICATE, SC_CAUSE}, "deaths before the horizon by cause", "patients"},
            {"episodes_prevented_by_type", H5T_NATIVE_INT64, 2, {R, IPSIM_INFECTION_TYPES},
             {SC_REPLICATE, SC_TYPE}, "infection episodes vaccination prevented, by type",
             "episodes"},
            {"vaccine_doses", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "influenza and pneumococcal vaccine doses given", "doses"},
            {"ivig_patients", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "patients ever given IVIG", "patients"},
            {"ivig_patient_months", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "patient-months on IVIG", "months"},
            {"ivig_grams", H5T_NATIVE_DOUBLE, 1, {R}, {SC_REPLICATE},
             "IVIG given, summed over patients in whole milligrams", "g"},
            {"phase_occupancy", H5T_NATIVE_INT64, 3, {R, M, IPSIM_PHASE_STATES},
             {SC_REPLICATE, SC_MONTH, SC_PHASE},
             "patients in each treatment phase in the cycle starting this month", "patients"},
            {"patients_by_type_and_grade", H5T_NATIVE_INT64, 3,
             {R, IPSIM_MYELOMA_TYPES, IPSIM_GRADES}, {SC_REPLICATE, SC_MYELOMA, SC_GRADE},
             "patients by myeloma type and grade at diagnosis", "patients"},
            {"patients_by_riss_and_grade", H5T_NATIVE_INT64, 3,
             {R, IPSIM_RISS_STAGES, IPSIM_GRADES}, {SC_REPLICATE, SC_RISS, SC_GRADE},
             "patients by R-ISS stage and grade at diagnosis", "patients"},
            {"responses", H5T_NATIVE_INT64, 2, {R, IPSIM_RESPONSES + 1},
             {SC_REPLICATE, SC_RESPONSE}, "patients by response at the end of induction",
             "patients"},
            {"improvement_assessed", H5T_NATIVE_INT64, 2, {R, IPSIM_RESPONSES + 1},
             {SC_REPLICATE, SC_RESPONSE},
             "patients with IP at diagnosis alive at the end of induction, by response",
             "patients"},
            {"improved", H5T_NATIVE_INT64, 2, {R, IPSIM_RESPONSES + 1},
             {SC_REPLICATE, SC_RESPONSE},
             "of those, patients whose grade was better than at diagnosis", "patients"},
            {"recovery_assessed", H5T_NATIVE_INT64, 2, {R, 2}, {SC_REPLICATE, SC_ASCT},
             "patients in CR with IP at diagnosis alive 12 months after the ASCT month",
             "patients"},
            {"recovered", H5T_NATIVE_INT64, 2, {R, 2}, {SC_REPLICATE, SC_ASCT},
             "of those, patients in grade none then", "patients"},
            {"progression_free", H5T_NATIVE_INT64, 3, {R, M, 2},
             {SC_REPLICATE, SC_MONTH, SC_IMPROVED},
             "patients with IP at diagnosis alive at the end of induction, by IP improvement, "
             "alive and progression-free at the start of the month",
             "patients"},
            {"transplant_eligible", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "patients eligible for ASCT", "patients"},
            {"asct_patients", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "patients who received ASCT", "patients"},
            {"progressions", H5T_NATIVE_INT64, 1, {R}, {SC_REPLICATE},
             "patients whose myeloma progressed before death or the horizon", "patients"},
        };
        for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
            hsize_t chunk[3] = {1, specs[i].dims[1], specs[i].dims[2]};
            hid_t ds = ipsim_h5i_make_dataset(summary_group, specs[i].name, specs[i].type, specs[i].rank,
                                    specs[i].dims, chunk, level, specs[i].description,
                                    specs[i].units);
            hid_t dim_scales[3] = {scales[specs[i].scales[0]],
                                   specs[i].rank > 1 ? scales[specs[i].scales[1]] : -1,
                                   specs[i].rank > 2 ? scales[specs[i].scales[2]] : -1};
            herr_t ok = ds < 0 ? -1 : ipsim_h5i_attach(ds, dim_scales, specs[i].rank);
            if (ds >= 0)
                H5Dclose(ds);
            if (ok < 0) {
                rc = ipsim_h5i_fail_hdf5(w, err, "creating the summary datasets");
                goto cleanup;
            }
        }
    }

cleanup:
    for (int i = 0; i < SC_COUNT; i++)
        if (scales[i] >= 0)
            H5Dclose(scales[i]);
    if (patients_group >= 0)
        H5Gclose(patients_group);
    if (summary_group >= 0)
        H5Gclose(summary_group);
    return rc;
}
