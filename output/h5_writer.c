/* output/h5_writer.c: the HDF5 layout of a run. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>
#include <zlib.h>

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

enum {
    DS_GRADE,
    DS_INFECTIONS,
    DS_PHASE,
    DS_IVIG,
    DS_BASELINE_GRADE,
    DS_DEATH_MONTH,
    DS_DEATH_CAUSE,
    DS_FIRST_INFECTION,
    DS_INFECTIONS_BY_TYPE,
    DS_SERIOUS,
    DS_WEIGHT,
    DS_IVIG_MONTHS,
    DS_IVIG_GRAMS,
    DS_MYELOMA_TYPE,
    DS_RISS,
    DS_ELIGIBLE,
    DS_RESPONSE,
    DS_ASCT_MONTH,
    DS_IMPROVED,
    DS_PROGRESSION_MONTH,
    DS_ECONOMIC_FIRST, /* IPSIM_ECONOMIC_OUTCOMES float64 columns in economics/ */
    DS_ECONOMIC_LAST = DS_ECONOMIC_FIRST + IPSIM_ECONOMIC_OUTCOMES - 1,
    DS_PATIENT,
    DS_COUNT
};

/* The trajectory datasets, in part order, and their element sizes: grade,
 * infections and phase are one byte; IVIG is float32 grams. */
enum { TRAJECTORY_SETS_MAX = 4 };
static const int trajectory_datasets[TRAJECTORY_SETS_MAX] = {DS_GRADE, DS_INFECTIONS, DS_PHASE,
                                                             DS_IVIG};
static const size_t trajectory_element_size[TRAJECTORY_SETS_MAX] = {1, 1, 1, 4};

/* Dataset names: trajectories in the scenario group, per-patient records
 * in patients/ (economics/ takes ipsim_economic_names). */
static const char *const dataset_names[DS_ECONOMIC_FIRST] = {
    [DS_GRADE] = "grade",
    [DS_INFECTIONS] = "infections",
    [DS_PHASE] = "phase",
    [DS_IVIG] = "ivig",
    [DS_BASELINE_GRADE] = "baseline_grade",
    [DS_DEATH_MONTH] = "death_month",
    [DS_DEATH_CAUSE] = "death_cause",
    [DS_FIRST_INFECTION] = "first_infection_month",
    [DS_INFECTIONS_BY_TYPE] = "infections_by_type",
    [DS_SERIOUS] = "serious_infections",
    [DS_WEIGHT] = "weight_kg",
    [DS_IVIG_MONTHS] = "ivig_months",
    [DS_IVIG_GRAMS] = "ivig_grams",
    [DS_MYELOMA_TYPE] = "myeloma_type",
    [DS_RISS] = "riss",
    [DS_ELIGIBLE] = "transplant_eligible",
    [DS_RESPONSE] = "response",
    [DS_ASCT_MONTH] = "asct_month",
    [DS_IMPROVED] = "improved_after_induction",
    [DS_PROGRESSION_MONTH] = "progression_month",
};

/* Enumerated types: each value stored as its name, as h5py and xarray show. */
enum { ENUM_STATE, ENUM_CAUSE, ENUM_PHASE, ENUM_MYELOMA, ENUM_RISS, ENUM_RESPONSE, ENUM_COUNT };

/* The per-patient datasets, each written one chunk (= one block) at a time. */
enum { PATIENT_COLUMNS = 16 + IPSIM_ECONOMIC_OUTCOMES };
static const struct {
    int ds;
    size_t element_size;
    size_t per_patient; /* elements per patient */
} patient_columns[PATIENT_COLUMNS] = {
    {DS_BASELINE_GRADE, 1, 1}, {DS_DEATH_CAUSE, 1, 1},  {DS_DEATH_MONTH, 4, 1},
    {DS_FIRST_INFECTION, 4, 1}, {DS_INFECTIONS_BY_TYPE, 4, IPSIM_INFECTION_TYPES},
    {DS_SERIOUS, 4, 1},         {DS_WEIGHT, 4, 1},      {DS_IVIG_MONTHS, 4, 1},
    {DS_IVIG_GRAMS, 8, 1},      {DS_MYELOMA_TYPE, 1, 1}, {DS_RISS, 1, 1},
    {DS_ELIGIBLE, 1, 1},        {DS_RESPONSE, 1, 1},     {DS_ASCT_MONTH, 4, 1},
    {DS_IMPROVED, 1, 1},        {DS_PROGRESSION_MONTH, 4, 1},
    {DS_ECONOMIC_FIRST + 0, 8, 1}, {DS_ECONOMIC_FIRST + 1, 8, 1}, {DS_ECONOMIC_FIRST + 2, 8, 1},
    {DS_ECONOMIC_FIRST + 3, 8, 1}, {DS_ECONOMIC_FIRST + 4, 8, 1}, {DS_ECONOMIC_FIRST + 5, 8, 1},
};
_Static_assert(IPSIM_ECONOMIC_OUTCOMES == 6, "one patient column per economic outcome");

/* One chunk of one dataset in the block being written: filled and
 * compressed by a worker thread (prepare), written by the master. */
typedef struct chunk_part {
    int ds;                 /* DS_* */
    hsize_t offset[3];      /* the chunk's position in the dataset */
    size_t bytes;           /* of a full chunk, before compression */
    unsigned char *staging; /* gathered or padded bytes */
    unsigned char *shuffled;
    unsigned char *packed;
    size_t packed_capacity;
    const unsigned char *out; /* what to write: packed, or the raw bytes */
    size_t out_size;
    int status;             /* zlib status; Z_OK when ready */
} chunk_part;

struct ipsim_h5_writer {
    char target[IPSIM_PATH_MAX];
    char temp[IPSIM_PATH_MAX];
    hid_t file, group;
    hid_t enums[ENUM_COUNT]; /* the file's enumerated types, ENUM_* */
    hid_t ds[DS_COUNT];
    int64_t replicates, patients, months;
    int64_t chunk_patients; /* trajectory chunk rows */
    int64_t block_patients; /* patients per block = per-patient chunk rows */
    int keep_trajectories;
    int trajectory_sets;    /* trajectory datasets: grade, infections, phase (, ivig) */
    int patient_columns;    /* PATIENT_COLUMNS, or 0 without per-patient records */
    int level;              /* deflate level, 0 = none */
    chunk_part *parts;      /* [sets * chunks per block + PATIENT_COLUMNS] */
    int max_parts;
    int64_t *patient_ids;   /* [block] coordinate values */
    size_t buffer_bytes;    /* allocated for parts, for memory estimates */
    /* Shared by the ranks of an MPI job (ipsim_h5_writer_create_shared):
     * blocks go through collective writes, the file's name is rank 0's. */
    const ipsim_ranks *ranks; /* NULL: this process alone */
    unsigned char *column;    /* a block's values of one dataset, collective writes */
    size_t column_bytes;
};

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
static int fail_hdf5_errno(ipsim_h5_writer *w, ipsim_error *err, const char *what, int saved)
{
    char reason[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, reason);
    IPSIM_FAIL(err, IPSIM_EHDF5, "%s in '%s' failed%s%s%s%s", what, w->target,
               *reason ? ": " : "", reason, saved ? "; system error: " : "",
               saved ? strerror(saved) : "");
    return IPSIM_EHDF5;
}

static int fail_hdf5(ipsim_h5_writer *w, ipsim_error *err, const char *what)
{
    return fail_hdf5_errno(w, err, what, 0);
}

/* ---- small helpers --------------------------------------------------------- */

static int set_string_attr(hid_t loc, const char *name, const char *value)
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

static int set_scalar_attr(hid_t loc, const char *name, hid_t type, const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr < 0 ? -1 : H5Awrite(attr, type, value);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

static hid_t make_enum(const char *const *names, int count)
{
    hid_t type = H5Tenum_create(H5T_NATIVE_UINT8);
    for (int i = 0; i < count; i++) {
        uint8_t v = (uint8_t)i;
        H5Tenum_insert(type, names[i], &v);
    }
    return type;
}

/* Creates a chunked, optionally compressed dataset with a description. */
static hid_t make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                          const hsize_t *chunk, int level, const char *description,
                          const char *units)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    /* Shuffle groups the bytes of multi-byte values, which deflate then
     * compresses far better; it is a no-op for bytes. */
    if (level > 0 && H5Tget_size(type) > 1)
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
    if (ds >= 0 && (set_string_attr(ds, "long_name", description) < 0 ||
                    (units && set_string_attr(ds, "units", units) < 0))) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* Writes a contiguous in-memory block to a hyperslab. */
static herr_t write_slab(hid_t ds, hid_t memtype, int rank, const hsize_t *start,
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
static hid_t make_scale(hid_t loc, const char *name, hid_t type, hsize_t length, hsize_t chunk,
                        const void *values, const char *description)
{
    hid_t ds = make_dataset(loc, name, type, 1, &length, &chunk, 0, description, NULL);
    if (ds < 0)
        return -1;
    if ((values && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) ||
        H5DSset_scale(ds, name) < 0) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

static hid_t make_label_scale(hid_t loc, const char *name, const char *const *labels, int count,
                              const char *description)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t ds = make_scale(loc, name, type, (hsize_t)count, (hsize_t)count, labels, description);
    H5Tclose(type);
    return ds;
}

static herr_t attach(hid_t ds, const hid_t *scales, int rank)
{
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(ds, scales[i], (unsigned)i) < 0)
            return -1;
    return 0;
}

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

static int build_layout(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
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
    if (w->group < 0 || set_string_attr(w->group, "parameters", parameters_yaml) < 0) {
        rc = fail_hdf5(w, err, "creating the scenario group");
        goto cleanup;
    }
    w->enums[ENUM_STATE] = make_enum(ipsim_state_names, IPSIM_STATES);
    w->enums[ENUM_CAUSE] = make_enum(ipsim_death_cause_names, IPSIM_DEATH_CAUSES);
    w->enums[ENUM_PHASE] = make_enum(ipsim_phase_names, IPSIM_PHASE_STATES);
    w->enums[ENUM_MYELOMA] = make_enum(ipsim_myeloma_type_names, IPSIM_MYELOMA_TYPES);
    w->enums[ENUM_RISS] = make_enum(ipsim_riss_names, IPSIM_RISS_STAGES);
    w->enums[ENUM_RESPONSE] = make_enum(ipsim_response_names, IPSIM_RESPONSES + 1);
    for (int i = 0; i < ENUM_COUNT; i++)
        if (w->enums[i] < 0) {
            rc = fail_hdf5(w, err, "creating the enumerated types");
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
    scales[SC_REPLICATE] = make_scale(w->group, "replicate", H5T_STD_I32LE, R, R,
                                      replicate_values, "replicate (independent cohort) index");
    scales[SC_MONTH] = make_scale(w->group, "month", H5T_STD_I32LE, M, M, month_values,
                                  "months since diagnosis at the start of the cycle");
    free(replicate_values);
    free(month_values);
    scales[SC_PATIENT] = make_scale(w->group, "patient", H5T_STD_I64LE, N,
                                    (hsize_t)w->block_patients, NULL,
                                    "patient index within the replicate");
    scales[SC_STATE] = make_label_scale(w->group, "state", ipsim_state_names, IPSIM_STATES,
                                        "immunoparesis grade, or dead");
    scales[SC_GRADE] = make_label_scale(w->group, "ip_grade", ipsim_state_names, IPSIM_GRADES,
                                        "immunoparesis grade");
    scales[SC_TYPE] = make_label_scale(w->group, "infection_type", ipsim_infection_type_names,
                                       IPSIM_INFECTION_TYPES, "type of infection episode");
    scales[SC_CAUSE] = make_label_scale(w->group, "cause", ipsim_death_cause_names + 1,
                                        IPSIM_DEATH_CAUSES - 1, "cause of death");
    scales[SC_PHASE] = make_label_scale(w->group, "treatment_phase", ipsim_phase_names,
                                        IPSIM_PHASE_STATES, "treatment phase, or dead");
    scales[SC_MYELOMA] = make_label_scale(w->group, "myeloma", ipsim_myeloma_type_names,
                                          IPSIM_MYELOMA_TYPES, "myeloma type by M-protein");
    scales[SC_RISS] = make_label_scale(w->group, "riss_stage", ipsim_riss_names,
                                       IPSIM_RISS_STAGES, "R-ISS stage at diagnosis");
    scales[SC_RESPONSE] = make_label_scale(w->group, "induction_response", ipsim_response_names,
                                           IPSIM_RESPONSES + 1,
                                           "response at the end of induction");
    scales[SC_ASCT] = make_label_scale(w->group, "asct", asct_labels, 2,
                                       "whether the patient received ASCT");
    scales[SC_IMPROVED] = make_label_scale(w->group, "ip_improvement", improved_labels, 2,
                                           "whether IP improved after induction");
    scales[SC_ECONOMIC] = make_label_scale(w->group, "economic_outcome", ipsim_economic_names,
                                           IPSIM_ECONOMIC_OUTCOMES,
                                           "costs, QALYs and life-years, undiscounted and "
                                           "discounted");
    for (int i = 0; i < SC_COUNT; i++)
        if (scales[i] < 0) {
            rc = fail_hdf5(w, err, "creating the coordinate datasets");
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
            hid_t ds = make_dataset(w->group, dataset_names[trajectory_datasets[set]],
                                    sets[set].type, 3, dims, chunk, level,
                                    sets[set].description, sets[set].units);
            w->ds[trajectory_datasets[set]] = ds;
            if (ds < 0 || attach(ds, dims_scales, 3) < 0) {
                rc = fail_hdf5(w, err, "creating the trajectory datasets");
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
            hid_t ds = make_dataset(patients_group, dataset_names[specs[i].id], specs[i].type,
                                    specs[i].rank,
                                    dims, chunk, level, specs[i].description, specs[i].units);
            w->ds[specs[i].id] = ds;
            failed = ds < 0 || attach(ds, rp, specs[i].rank) < 0;
        }
        if (failed) {
            rc = fail_hdf5(w, err, "creating the per-patient datasets");
            goto cleanup;
        }
    }

    /* economics/: per patient, and per replicate (models/economics.h). */
    {
        hid_t group = H5Gcreate2(w->group, "economics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int failed = group < 0 || set_string_attr(group, "currency", p->economics.currency) < 0;
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
            hid_t ds = make_dataset(group, ipsim_economic_names[k], H5T_IEEE_F64LE, 2, dims,
                                    chunk, level, descriptions[k], units);
            w->ds[DS_ECONOMIC_FIRST + k] = ds;
            failed = ds < 0 || attach(ds, rp, 2) < 0;
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
            hid_t ds = make_dataset(group, totals[t].name, totals[t].type, 2, table, table, 0,
                                    totals[t].description, NULL);
            failed = ds < 0 || attach(ds, rs, 2) < 0;
            if (ds >= 0)
                H5Dclose(ds);
        }
        if (group >= 0)
            H5Gclose(group);
        if (failed) {
            rc = fail_hdf5(w, err, "creating the economics datasets");
            goto cleanup;
        }
    }

    summary_group = H5Gcreate2(w->group, "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (summary_group < 0) {
        rc = fail_hdf5(w, err, "creating the summary group");
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
            hid_t ds = make_dataset(summary_group, specs[i].name, specs[i].type, specs[i].rank,
                                    specs[i].dims, chunk, level, specs[i].description,
                                    specs[i].units);
            hid_t dim_scales[3] = {scales[specs[i].scales[0]],
                                   specs[i].rank > 1 ? scales[specs[i].scales[1]] : -1,
                                   specs[i].rank > 2 ? scales[specs[i].scales[2]] : -1};
            herr_t ok = ds < 0 ? -1 : attach(ds, dim_scales, specs[i].rank);
            if (ds >= 0)
                H5Dclose(ds);
            if (ok < 0) {
                rc = fail_hdf5(w, err, "creating the summary datasets");
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

static void close_all(ipsim_h5_writer *w)
{
    for (int i = 0; i < DS_COUNT; i++)
        if (w->ds[i] >= 0)
            H5Dclose(w->ds[i]);
    for (int i = 0; i < ENUM_COUNT; i++)
        if (w->enums[i] >= 0)
            H5Tclose(w->enums[i]);
    if (w->group >= 0)
        H5Gclose(w->group);
    for (int i = 0; i < DS_COUNT; i++)
        w->ds[i] = -1;
    for (int i = 0; i < ENUM_COUNT; i++)
        w->enums[i] = -1;
    w->group = -1;
}

static void free_parts(ipsim_h5_writer *w)
{
    for (int i = 0; w->parts && i < w->max_parts; i++) {
        free(w->parts[i].staging);
        free(w->parts[i].shuffled);
        free(w->parts[i].packed);
    }
    free(w->parts);
    free(w->patient_ids);
    w->parts = NULL;
    w->patient_ids = NULL;
    w->max_parts = 0;
    w->buffer_bytes = 0;
}

static void writer_free(ipsim_h5_writer *w)
{
    free_parts(w);
    free(w->column);
    free(w);
}

/* Chooses chunk and block sizes: trajectory chunks of about CHUNK_BYTES,
 * blocks of whole trajectory chunks (so no chunk is written twice), and
 * per-patient chunks of exactly one block. */
static void choose_geometry(ipsim_h5_writer *w, int64_t requested_block)
{
    int64_t chunk = CHUNK_BYTES / w->months;
    chunk = chunk < 1 ? 1 : chunk > w->patients ? w->patients : chunk;
    int64_t block = requested_block > 0 ? requested_block
                    : w->keep_trajectories ? CHUNKS_PER_BLOCK * chunk
                                           : DEFAULT_BLOCK_WITHOUT_TRAJECTORIES;
    if (w->keep_trajectories)
        block = (block + chunk - 1) / chunk * chunk;
    w->chunk_patients = chunk;
    w->block_patients = block < w->patients ? block : w->patients;
}

static unsigned char *alloc_bytes(ipsim_h5_writer *w, size_t n)
{
    w->buffer_bytes += n;
    return malloc(n ? n : 1);
}

/* One buffer set per part a block can have. */
static int allocate_parts(ipsim_h5_writer *w, ipsim_error *err)
{
    int64_t per_block = w->keep_trajectories
                            ? (w->block_patients + w->chunk_patients - 1) / w->chunk_patients
                            : 0;
    w->max_parts = (int)(w->trajectory_sets * per_block) + w->patient_columns;
    w->parts = calloc((size_t)w->max_parts, sizeof *w->parts);
    w->patient_ids = malloc((size_t)w->block_patients * sizeof *w->patient_ids);
    if (!w->parts || !w->patient_ids)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate output buffers");
    for (int i = 0; i < w->max_parts; i++) {
        chunk_part *part = &w->parts[i];
        int column = i - (int)(w->trajectory_sets * per_block);
        size_t element_size = column < 0 ? trajectory_element_size[i / per_block]
                                         : patient_columns[column].element_size;
        part->bytes = column < 0 ? (size_t)(w->chunk_patients * w->months) * element_size
                                 : (size_t)w->block_patients * element_size *
                                       patient_columns[column].per_patient;
        part->staging = alloc_bytes(w, part->bytes);
        bool shuffles = element_size > 1 && w->level > 0;
        part->shuffled = shuffles ? alloc_bytes(w, part->bytes) : NULL;
        part->packed_capacity = compressBound((uLong)part->bytes);
        part->packed = w->level > 0 ? alloc_bytes(w, part->packed_capacity) : NULL;
        if (!part->staging || (shuffles && !part->shuffled) || (w->level > 0 && !part->packed))
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate output buffers");
    }
    return IPSIM_OK;
}

/* Removes ".BASE.ipsim-tmp-PID-XXXXXX" files beside the target whose PID
 * is no longer a running process: the remains of a killed run. */
static void remove_stale_temporaries(const char *target_path, int dir_len)
{
    char dir[IPSIM_PATH_MAX], prefix[IPSIM_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", dir_len ? dir_len : 1, dir_len ? target_path : ".");
    snprintf(prefix, sizeof prefix, ".%s.ipsim-tmp-", target_path + dir_len);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t prefix_len = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + prefix_len, &end, 10);
        if (pid <= 0 || *end != '-')
            continue;
        /* Only "no such process" marks a dead run; EPERM means alive. */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[2 * IPSIM_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

double ipsim_h5_writer_estimate_bytes(const ipsim_params *p)
{
    double rows = (double)p->cohort.replicates * (double)p->cohort.patients;
    double months = (double)(ipsim_params_cycles(p) + 1);
    double per_patient = 0;
    for (int c = 0; c < (p->output.patient_records ? PATIENT_COLUMNS : 0); c++)
        per_patient += (double)(patient_columns[c].element_size * patient_columns[c].per_patient);
    if (p->output.trajectories == IPSIM_TRAJECTORIES_DENSE)
        per_patient += (p->ivig.policy == IPSIM_IVIG_NONE ? 3 : 7) * months;
    double summaries =
        (double)p->cohort.replicates * (months * (IPSIM_STATES + IPSIM_PHASE_STATES + 3) + 128) * 8;
    return rows * per_patient + summaries;
}

/* The root: format identification, provenance, and the scenario table. */
static int write_file_header(ipsim_h5_writer *w, const ipsim_run_info *info,
                             const char *const *scenario_names, int scenarios, ipsim_error *err)
{
    uint32_t version = IPSIM_FORMAT_VERSION;
    if (set_string_attr(w->file, "format", IPSIM_FORMAT_NAME) < 0 ||
        set_scalar_attr(w->file, "format_version", H5T_NATIVE_UINT32, &version) < 0 ||
        set_string_attr(w->file, "ipsim_version", info->ipsim_version) < 0 ||
        set_scalar_attr(w->file, "seed", H5T_NATIVE_UINT64, &info->seed) < 0 ||
        set_string_attr(w->file, "study", info->study_name) < 0 ||
        set_string_attr(w->file, "created_utc", info->created_utc) < 0 ||
        set_string_attr(w->file, "command_line", info->command_line) < 0)
        return fail_hdf5(w, err, "writing the file attributes");
    hid_t ds = make_label_scale(w->file, "scenarios", scenario_names, scenarios,
                                "the scenarios of the study, in order: one group each");
    if (ds < 0)
        return fail_hdf5(w, err, "writing the scenario table");
    H5Dclose(ds);
    return IPSIM_OK;
}

/* A new writer with its temporary file created beside the target (empty,
 * not yet opened by HDF5). */
static int writer_with_temp(ipsim_h5_writer **out, const char *target_path, ipsim_error *err)
{
    *out = NULL;
    ipsim_h5_writer *w = calloc(1, sizeof *w);
    if (!w)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the HDF5 writer");
    w->file = w->group = -1;
    for (int i = 0; i < ENUM_COUNT; i++)
        w->enums[i] = -1;
    for (int i = 0; i < DS_COUNT; i++)
        w->ds[i] = -1;

    if (strlen(target_path) + 32 >= sizeof w->target) {
        writer_free(w);
        return IPSIM_FAIL(err, IPSIM_EIO, "output path too long: %s", target_path);
    }
    snprintf(w->target, sizeof w->target, "%s", target_path);

    struct stat st;
    if (stat(target_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        writer_free(w);
        return IPSIM_FAIL(err, IPSIM_EIO, "output path '%s' is a directory", target_path);
    }
    /* The temporary file lives in the target's directory so that rename()
     * is atomic (same file system). Its name carries our PID so that a later
     * run can tell a killed run's leftovers from a live run's file. */
    const char *slash = strrchr(target_path, '/');
    int dir_len = slash ? (int)(slash - target_path + 1) : 0;
    remove_stale_temporaries(target_path, dir_len);
    snprintf(w->temp, sizeof w->temp, "%.*s.%s.ipsim-tmp-%ld-XXXXXX", dir_len, target_path,
             target_path + dir_len, (long)getpid());
    int fd = mkstemp(w->temp);
    if (fd < 0) {
        int e = errno;
        IPSIM_FAIL(err, IPSIM_EIO, "cannot create the output file '%s' (in directory '%.*s'): %s",
                   target_path, dir_len ? dir_len : 1, dir_len ? target_path : ".", strerror(e));
        writer_free(w);
        return IPSIM_EIO;
    }
    /* mkstemp makes the file private (0600); give it the permissions any
     * other new file would get under the user's umask. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    close(fd);
    *out = w;
    return IPSIM_OK;
}

int ipsim_h5_writer_create(ipsim_h5_writer **out, const char *target_path,
                           const ipsim_run_info *info, const char *const *scenario_names,
                           int scenarios, ipsim_error *err)
{
    ipsim_h5_writer *w;
    int rc = writer_with_temp(&w, target_path, err);
    if (rc)
        return rc;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* Newest format features HDF5 1.10 readers understand, no later. */
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    w->file = H5Fcreate(w->temp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    rc = w->file < 0 ? fail_hdf5(w, err, "creating the file")
                     : write_file_header(w, info, scenario_names, scenarios, err);
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    *out = w;
    return IPSIM_OK;
}

/* Copies the bytes of file `from` to the (empty) file `to`. */
static int copy_file(const char *from, const char *to, ipsim_error *err)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    int rc = IPSIM_OK;
    if (!in || !out) {
        int e = errno;
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot copy '%s': %s", from, strerror(e));
    }
    char buf[1 << 16];
    size_t got;
    while (!rc && (got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, out) != got) {
            int e = errno;
            rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot copy '%s': %s", from, strerror(e));
        }
    if (!rc && ferror(in))
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot read '%s'", from);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0 && !rc) {
        int e = errno;
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot copy '%s': %s", from, strerror(e));
    }
    return rc;
}

int ipsim_h5_writer_update(ipsim_h5_writer **out, const char *path, const char *replace_group,
                           ipsim_error *err)
{
    ipsim_h5_writer *w;
    int rc = writer_with_temp(&w, path, err);
    if (rc)
        return rc;
    rc = copy_file(path, w->temp, err);
    if (!rc)
        rc = ipsim_h5_writer_resume(w, err);
    if (!rc && H5Lexists(w->file, replace_group, H5P_DEFAULT) > 0 &&
        H5Ldelete(w->file, replace_group, H5P_DEFAULT) < 0)
        rc = fail_hdf5(w, err, "removing the previous results");
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    *out = w;
    return IPSIM_OK;
}

#ifdef IPSIM_MPI
static int begin_shared(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                        ipsim_error *err);
#endif

int ipsim_h5_writer_begin_scenario(ipsim_h5_writer *w, const ipsim_params *p,
                                   const char *parameters_yaml, int64_t block_patients,
                                   ipsim_error *err)
{
    close_all(w);
    free_parts(w);
    w->replicates = p->cohort.replicates;
    w->patients = p->cohort.patients;
    w->months = ipsim_params_cycles(p) + 1;
    w->keep_trajectories = p->output.trajectories == IPSIM_TRAJECTORIES_DENSE;
    /* The IVIG row is written for scenarios that can give IVIG only. */
    w->trajectory_sets = !w->keep_trajectories ? 0 : p->ivig.policy == IPSIM_IVIG_NONE ? 3 : 4;
    w->level = (int)p->output.compression_level;
    w->patient_columns = p->output.patient_records ? PATIENT_COLUMNS : 0;
    choose_geometry(w, block_patients);
    int rc = allocate_parts(w, err);
#ifdef IPSIM_MPI
    if (w->ranks && w->ranks->size > 1)
        return ipsim_ranks_max(w->ranks, rc) ? (rc ? rc : IPSIM_ENOMEM)
                                             : begin_shared(w, p, parameters_yaml, err);
#endif
    if (!rc)
        rc = build_layout(w, p, parameters_yaml, err);
    return rc;
}

void ipsim_h5_writer_end_scenario(ipsim_h5_writer *w)
{
    close_all(w);
    free_parts(w);
}

int64_t ipsim_h5_writer_block_patients(const ipsim_h5_writer *w)
{
    return w->block_patients;
}

double ipsim_h5_writer_buffer_bytes(const ipsim_h5_writer *w)
{
    return (double)w->buffer_bytes;
}

/* The chunks of trajectory dataset rows in this block. */
static int trajectory_chunks(const ipsim_h5_writer *w, const ipsim_block *b)
{
    if (!w->keep_trajectories)
        return 0;
    return (int)((b->count + w->chunk_patients - 1) / w->chunk_patients);
}

int ipsim_h5_writer_block_parts(void *writer, const ipsim_block *b)
{
    const ipsim_h5_writer *w = writer;
    return w->trajectory_sets * trajectory_chunks(w, b) + w->patient_columns;
}

/* The buffers of part `index` of block b. A block's parts are the chunks
 * of each trajectory dataset in turn (grade, infections, ivig), then the
 * patient columns; a short last block has fewer chunks, but each kind of
 * part keeps its own buffers. */
static chunk_part *part_at(ipsim_h5_writer *w, const ipsim_block *b, int index)
{
    const int chunks = trajectory_chunks(w, b);
    const int sets = w->trajectory_sets;
    const int max_chunks = sets ? (w->max_parts - w->patient_columns) / sets : 0;
    if (index < sets * chunks)
        return &w->parts[(index / chunks) * max_chunks + index % chunks];
    return &w->parts[sets * max_chunks + index - sets * chunks];
}

/* Gathers one per-patient column of the block into buf, zero-padded to a
 * whole chunk (HDF5 stores edge chunks whole). */
static void gather_column(int ds, const ipsim_block *b, unsigned char *buf, size_t bytes)
{
    memset(buf, 0, bytes);
    const ipsim_patient_record *rec = b->records;
    for (int64_t i = 0; i < b->count; i++) {
        switch (ds) {
        case DS_BASELINE_GRADE: buf[i] = rec[i].baseline_grade; break;
        case DS_DEATH_CAUSE: buf[i] = rec[i].death_cause; break;
        case DS_DEATH_MONTH: memcpy(buf + 4 * i, &rec[i].death_month, 4); break;
        case DS_FIRST_INFECTION: memcpy(buf + 4 * i, &rec[i].first_infection_month, 4); break;
        case DS_INFECTIONS_BY_TYPE:
            for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
                uint32_t sum = 0;
                for (int g = 0; g < IPSIM_GRADES; g++)
                    sum += rec[i].episodes[g][t];
                memcpy(buf + 4 * (IPSIM_INFECTION_TYPES * i + t), &sum, 4);
            }
            break;
        case DS_SERIOUS: {
            uint32_t sum = 0;
            for (int g = 0; g < IPSIM_GRADES; g++)
                sum += rec[i].serious[g];
            memcpy(buf + 4 * i, &sum, 4);
            break;
        }
        case DS_WEIGHT: memcpy(buf + 4 * i, &rec[i].weight_kg, 4); break;
        case DS_IVIG_MONTHS: memcpy(buf + 4 * i, &rec[i].ivig_months, 4); break;
        case DS_IVIG_GRAMS: memcpy(buf + 8 * i, &rec[i].ivig_grams, 8); break;
        case DS_MYELOMA_TYPE: buf[i] = rec[i].myeloma_type; break;
        case DS_RISS: buf[i] = rec[i].riss; break;
        case DS_ELIGIBLE: buf[i] = rec[i].transplant_eligible; break;
        case DS_RESPONSE: buf[i] = rec[i].response; break;
        case DS_ASCT_MONTH: memcpy(buf + 4 * i, &rec[i].asct_month, 4); break;
        case DS_IMPROVED: memcpy(buf + i, &rec[i].improved_after_induction, 1); break;
        case DS_PROGRESSION_MONTH: memcpy(buf + 4 * i, &rec[i].progression_month, 4); break;
        default: {
            double values[IPSIM_ECONOMIC_OUTCOMES];
            ipsim_economic_values(&rec[i].outcomes, values);
            memcpy(buf + 8 * i, &values[ds - DS_ECONOMIC_FIRST], 8);
            break;
        }
        }
    }
}

/* HDF5's shuffle filter: byte j of element i goes to position j * n + i. */
static void shuffle_bytes(const unsigned char *in, unsigned char *out, size_t bytes,
                          size_t element_size)
{
    size_t n = bytes / element_size;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < element_size; j++)
            out[j * n + i] = in[i * element_size + j];
}

void ipsim_h5_writer_prepare_part(void *writer, const ipsim_block *b, int index)
{
    ipsim_h5_writer *w = writer;
    chunk_part *part = part_at(w, b, index);
    const int chunks = trajectory_chunks(w, b);
    const unsigned char *source;
    size_t element_size = 1;
    if (index < w->trajectory_sets * chunks) {
        const int set = index / chunks, c = index % chunks;
        const uint8_t *set_rows[TRAJECTORY_SETS_MAX] = {b->grade, b->infections, b->phase,
                                                        b->ivig};
        int64_t first_row = (int64_t)c * w->chunk_patients;
        int64_t rows = b->count - first_row < w->chunk_patients ? b->count - first_row
                                                                : w->chunk_patients;
        const uint8_t *rows_start = set_rows[set] + first_row * b->months;
        part->ds = trajectory_datasets[set];
        element_size = trajectory_element_size[set];
        part->offset[0] = (hsize_t)b->replicate;
        part->offset[1] = (hsize_t)(b->first_patient + first_row);
        part->offset[2] = 0;
        if (part->ds == DS_IVIG) {
            /* The simulation keeps a 0/1 byte per cycle; the file stores
             * grams, the patient's dose per cycle where it was given. */
            float *grams = (float *)(void *)part->staging;
            memset(part->staging, 0, part->bytes);
            for (int64_t i = 0; i < rows; i++) {
                const float dose = b->records[first_row + i].ivig_grams_per_cycle;
                const uint8_t *given = rows_start + i * b->months;
                for (int64_t m = 0; m < b->months; m++)
                    grams[i * b->months + m] = given[m] ? dose : 0.0f;
            }
            source = part->staging;
        } else if (rows == w->chunk_patients) {
            source = rows_start; /* a whole chunk: compress in place */
        } else {
            size_t used = (size_t)(rows * b->months);
            memcpy(part->staging, rows_start, used);
            memset(part->staging + used, 0, part->bytes - used);
            source = part->staging;
        }
    } else {
        int column = index - w->trajectory_sets * chunks;
        part->ds = patient_columns[column].ds;
        element_size = patient_columns[column].element_size;
        part->offset[0] = (hsize_t)b->replicate;
        part->offset[1] = (hsize_t)b->first_patient;
        part->offset[2] = 0;
        gather_column(part->ds, b, part->staging, part->bytes);
        source = part->staging;
    }
    if (w->level == 0) {
        part->out = source;
        part->out_size = part->bytes;
        part->status = Z_OK;
        return;
    }
    /* The filters of the dataset, in pipeline order: shuffle (for
     * multi-byte elements), then deflate, as zlib's compress2 writes it. */
    if (element_size > 1) {
        shuffle_bytes(source, part->shuffled, part->bytes, element_size);
        source = part->shuffled;
    }
    uLongf packed = (uLongf)part->packed_capacity;
    part->status = compress2(part->packed, &packed, source, (uLong)part->bytes, w->level);
    part->out = part->packed;
    part->out_size = (size_t)packed;
}

/* The patient coordinate, from the blocks of the first replicate. */
static int write_patient_ids(ipsim_h5_writer *w, const ipsim_block *b, ipsim_error *err)
{
    if (b->replicate != 0)
        return IPSIM_OK;
    for (int64_t i = 0; i < b->count; i++)
        w->patient_ids[i] = b->first_patient + i;
    hsize_t start = (hsize_t)b->first_patient, count = (hsize_t)b->count;
    errno = 0;
    if (write_slab(w->ds[DS_PATIENT], H5T_NATIVE_INT64, 1, &start, &count, w->patient_ids) < 0)
        return fail_hdf5_errno(w, err, "writing the patient coordinate", errno);
    return IPSIM_OK;
}

int ipsim_h5_writer_write_block(void *writer, const ipsim_block *b, ipsim_error *err)
{
    ipsim_h5_writer *w = writer;
    const int parts = ipsim_h5_writer_block_parts(w, b);
    for (int i = 0; i < parts; i++) {
        const chunk_part *part = part_at(w, b, i);
        if (part->status != Z_OK)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "compressing a chunk for '%s' failed (zlib "
                              "status %d)", w->target, part->status);
        errno = 0;
        if (H5Dwrite_chunk(w->ds[part->ds], H5P_DEFAULT, 0, part->offset, part->out_size,
                           part->out) < 0)
            return fail_hdf5_errno(w, err, "writing patient data", errno);
    }
    return write_patient_ids(w, b, err);
}

/* As write_slab; in a file the ranks share, a collective write (the
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
    return write_slab(ds, memtype, rank, start, count, buf);
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
                                &s->module_sums[ipsim_modules_column_index(ipsim_registered_modules, "vaccine_doses")]);
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
        return fail_hdf5(w, err, "writing the summary");
    return IPSIM_OK;
}

/* Closes the HDF5 file, keeping its temporary name. */
static int close_file(ipsim_h5_writer *w, ipsim_error *err)
{
    close_all(w);
    if (w->file < 0)
        return IPSIM_OK;
    errno = 0;
    herr_t closed = H5Fclose(w->file);
    w->file = -1;
    if (closed < 0)
        return fail_hdf5_errno(w, err, "closing the file", errno);
    return IPSIM_OK;
}

int ipsim_h5_writer_pause(ipsim_h5_writer *w, const char **temp_path, ipsim_error *err)
{
    *temp_path = w->temp;
    return close_file(w, err);
}

int ipsim_h5_writer_resume(ipsim_h5_writer *w, ipsim_error *err)
{
    if (w->file >= 0)
        return IPSIM_OK;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    w->file = H5Fopen(w->temp, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (w->file < 0)
        return fail_hdf5(w, err, "reopening the unfinished file");
    return IPSIM_OK;
}

/* In a shared file, the file system's part (flushing, renaming,
 * removing) is rank 0's; the others learn how it went. */
static int is_lead(const ipsim_h5_writer *w)
{
    return !w->ranks || w->ranks->rank == 0;
}

static int commit_shared(ipsim_h5_writer *w, ipsim_error *err);

int ipsim_h5_writer_commit(ipsim_h5_writer *w, ipsim_error *err)
{
    if (w->ranks)
        return commit_shared(w, err);
    int rc = close_file(w, err);
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    /* Make the bytes durable before the name says the file is complete. */
    int fd = open(w->temp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        IPSIM_FAIL(err, IPSIM_EIO, "cannot flush '%s' to disk: %s", w->temp, strerror(e));
        ipsim_h5_writer_discard(w);
        return IPSIM_EIO;
    }
    if (rename(w->temp, w->target) != 0) {
        int e = errno;
        IPSIM_FAIL(err, IPSIM_EIO, "cannot rename the finished file to '%s': %s", w->target,
                   strerror(e));
        ipsim_h5_writer_discard(w);
        return IPSIM_EIO;
    }
    writer_free(w);
    return IPSIM_OK;
}

void ipsim_h5_writer_discard(ipsim_h5_writer *w)
{
    if (!w)
        return;
    close_all(w);
    if (w->file >= 0)
        H5Fclose(w->file);
    if (is_lead(w))
        unlink(w->temp);
    writer_free(w);
}

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
        return make_label_scale(g, axis->name, axis->labels, (int)axis->length, axis->long_name);
    if (axis->values) {
        hid_t ds = make_scale(g, axis->name, H5T_IEEE_F64LE, n, n ? n : 1, axis->values,
                              axis->long_name);
        if (ds >= 0 && axis->units && set_string_attr(ds, "units", axis->units) < 0) {
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
    hid_t ds = make_scale(g, axis->name, H5T_STD_I32LE, n, n ? n : 1, index, axis->long_name);
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
        ds = make_dataset(g, name, type, rank, dims, chunk, w->level > 0 ? 1 : 0, long_name,
                          units);
        ok = ds < 0 ? -1 : 0;
    }
    if (ok >= 0)
        ok = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ok >= 0)
        ok = attach(ds, scales, rank);
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
        return fail_hdf5(w, err, what);
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
    int bad = g < 0 || set_string_attr(g, name, value) < 0;
    if (g >= 0)
        H5Gclose(g);
    if (bad) {
        char what[IPSIM_KEY_MAX + 32];
        snprintf(what, sizeof what, "writing attribute %s of %s", name, group);
        return fail_hdf5(w, err, what);
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
    fix->failed |= src < 0 || dst < 0 || rank < 0;
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

int ipsim_h5_writer_copy_scenario(ipsim_h5_writer *w, const char *source, const char *name,
                                  ipsim_error *err)
{
    hid_t src = H5Fopen(source, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (src < 0)
        return IPSIM_FAIL(err, IPSIM_EFORMAT, "cannot open '%s' to copy scenario '%s'", source,
                          name);
    /* Whole groups: datasets keep their chunks as stored (no recompression). */
    scale_fix fix = {-1, -1, 0};
    herr_t ok = H5Lexists(src, name, H5P_DEFAULT) > 0
                    ? H5Ocopy(src, name, w->file, name, H5P_DEFAULT, H5P_DEFAULT)
                    : -1;
    if (ok >= 0) {
        fix.src = H5Gopen2(src, name, H5P_DEFAULT);
        fix.dst = H5Gopen2(w->file, name, H5P_DEFAULT);
        ok = fix.src < 0 || fix.dst < 0 ||
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
    if (ok < 0) {
        char what[IPSIM_PATH_MAX + IPSIM_NAME_MAX + 32];
        snprintf(what, sizeof what, "copying scenario '%s' from '%s'", name, source);
        return fail_hdf5(w, err, what);
    }
    return IPSIM_OK;
}

/* ---- a file shared by the ranks of an MPI job --------------------------------------- */

static int commit_shared(ipsim_h5_writer *w, ipsim_error *err)
{
    const ipsim_ranks *ranks = w->ranks;
    int rc = close_file(w, err);
    if (!rc && is_lead(w)) {
        int fd = open(w->temp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0 || close(fd) != 0 || rename(w->temp, w->target) != 0)
            rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot finish '%s': %s", w->target,
                            strerror(errno));
    }
    if (ipsim_ranks_max(ranks, rc) && !rc)
        rc = IPSIM_FAIL(err, IPSIM_EIO, "another rank failed to finish '%s'", w->target);
    if (rc) {
        if (is_lead(w))
            unlink(w->temp);
        writer_free(w);
        return rc;
    }
    writer_free(w);
    return IPSIM_OK;
}

#ifdef IPSIM_MPI

int ipsim_h5_writer_create_shared(ipsim_h5_writer **out, const ipsim_ranks *ranks,
                                  const char *target_path, const ipsim_run_info *info,
                                  const char *const *scenario_names, int scenarios,
                                  ipsim_error *err)
{
    if (ranks->size == 1)
        return ipsim_h5_writer_create(out, target_path, info, scenario_names, scenarios, err);
    *out = NULL;
    /* Parallel HDF5 writes no variable-length data (the labels, the
     * scenario table), so rank 0 makes the file and each scenario's layout
     * alone (ipsim_h5_writer_begin_scenario); the ranks then open it
     * together for the patients' data. */
    ipsim_h5_writer *w = NULL;
    char temp[IPSIM_PATH_MAX] = "";
    int rc = IPSIM_OK;
    if (ranks->rank == 0) {
        rc = ipsim_h5_writer_create(&w, target_path, info, scenario_names, scenarios, err);
        if (!rc)
            rc = close_file(w, err);
        if (!rc)
            snprintf(temp, sizeof temp, "%s", w->temp);
    } else {
        w = calloc(1, sizeof *w);
        if (!w)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the HDF5 writer");
        else {
            w->file = w->group = -1;
            for (int i = 0; i < ENUM_COUNT; i++)
                w->enums[i] = -1;
            for (int i = 0; i < DS_COUNT; i++)
                w->ds[i] = -1;
            snprintf(w->target, sizeof w->target, "%s", target_path);
        }
    }
    ipsim_ranks_broadcast(ranks, temp, sizeof temp);
    if (w && ranks->rank != 0)
        snprintf(w->temp, sizeof w->temp, "%s", temp);
    if (ipsim_ranks_max(ranks, rc) || !temp[0]) {
        if (w) {
            w->ranks = ranks->rank == 0 && temp[0] ? NULL : ranks; /* rank 0 removes it */
            ipsim_h5_writer_discard(w);
        }
        return rc ? rc : IPSIM_FAIL(err, IPSIM_EIO, "rank 0 could not create '%s'", target_path);
    }
    w->ranks = ranks;
    *out = w;
    return IPSIM_OK;
}

/* A per-patient dataset's path in the scenario group (dataset_names), to
 * open it in a layout rank 0 made. */
static const char *dataset_path(int ds, char *buf, size_t size)
{
    if (ds == DS_PATIENT)
        snprintf(buf, size, "patient");
    else if (ds >= DS_ECONOMIC_FIRST)
        snprintf(buf, size, "economics/%s", ipsim_economic_names[ds - DS_ECONOMIC_FIRST]);
    else
        snprintf(buf, size, "%s%s", ds >= DS_BASELINE_GRADE ? "patients/" : "",
                 dataset_names[ds]);
    return buf;
}

/* Shared: rank 0 builds the scenario's layout alone; then every rank opens
 * the file through MPI-IO and the layout's per-patient datasets. */
static int begin_shared(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                        ipsim_error *err)
{
    const ipsim_ranks *ranks = w->ranks;
    int rc = IPSIM_OK;
    if (ranks->rank == 0) {
        w->ranks = NULL; /* a plain file for now */
        rc = ipsim_h5_writer_resume(w, err);
        if (!rc)
            rc = build_layout(w, p, parameters_yaml, err);
        int closed = close_file(w, err);
        rc = rc ? rc : closed;
        w->ranks = ranks;
    }
    if (ipsim_ranks_max(ranks, rc))
        return rc ? rc : IPSIM_FAIL(err, IPSIM_EHDF5, "rank 0 could not lay out '%s'", p->name);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    H5Pset_fapl_mpio(fapl, ipsim_ranks_comm(ranks), MPI_INFO_NULL);
    w->file = H5Fopen(w->temp, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    w->group = w->file < 0 ? -1 : H5Gopen2(w->file, p->name, H5P_DEFAULT);
    int failed = w->group < 0;
    char buf[64];
    for (int set = 0; set < w->trajectory_sets && !failed; set++) {
        const int ds = trajectory_datasets[set];
        failed = (w->ds[ds] = H5Dopen2(w->group, dataset_path(ds, buf, sizeof buf),
                                       H5P_DEFAULT)) < 0;
    }
    for (int c = 0; c < w->patient_columns && !failed; c++) {
        const int ds = patient_columns[c].ds;
        failed = (w->ds[ds] = H5Dopen2(w->group, dataset_path(ds, buf, sizeof buf),
                                       H5P_DEFAULT)) < 0;
    }
    if (!failed)
        failed = (w->ds[DS_PATIENT] = H5Dopen2(w->group, "patient", H5P_DEFAULT)) < 0;
    rc = failed ? fail_hdf5(w, err, "opening the shared file") : IPSIM_OK;
    if (ipsim_ranks_max(ranks, rc) && !rc)
        rc = IPSIM_FAIL(err, IPSIM_EHDF5, "another rank could not open '%s'", w->target);
    return rc;
}

/* One collective write of dataset ds: this rank's block rows (rank 3 with
 * `width` values per patient, or 2) or, for b == NULL, nothing. */
static herr_t write_collective(ipsim_h5_writer *w, int ds, const ipsim_block *b, int rank,
                               hsize_t width, const void *buf)
{
    hid_t fspace = H5Dget_space(w->ds[ds]);
    hid_t type = H5Dget_type(w->ds[ds]);
    hsize_t one = 1;
    hid_t mspace;
    herr_t rc = 0;
    if (b) {
        hsize_t start[3] = {(hsize_t)b->replicate, (hsize_t)b->first_patient, 0};
        hsize_t count[3] = {1, (hsize_t)b->count, width};
        mspace = H5Screate_simple(rank, count, NULL);
        rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    } else {
        mspace = H5Screate_simple(1, &one, NULL);
        H5Sselect_none(mspace);
        H5Sselect_none(fspace);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    /* Parallel HDF5 writes compressed (filtered) datasets collectively only:
     * the ranks agree on where each new chunk goes. */
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    if (rc >= 0)
        rc = H5Dwrite(w->ds[ds], type, mspace, fspace, dxpl, buf);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Tclose(type);
    return rc;
}

int ipsim_h5_writer_write_block_shared(ipsim_h5_writer *w, const ipsim_block *b,
                                       ipsim_error *err)
{
    /* The buffers hold the file's byte layout (little-endian, as the direct
     * chunk writes do), so the file's own type is the memory type. */
    size_t need = (size_t)w->block_patients * (size_t)(w->months > 3 ? w->months : 3) * 8;
    if (w->column_bytes < need) {
        free(w->column);
        w->column = malloc(need);
        w->column_bytes = w->column ? need : 0;
        if (!w->column)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a block's column");
    }
    for (int set = 0; set < w->trajectory_sets; set++) {
        const int ds = trajectory_datasets[set];
        const void *buf = NULL;
        if (b && ds == DS_IVIG) {
            float *grams = (float *)(void *)w->column;
            for (int64_t i = 0; i < b->count; i++)
                for (int64_t m = 0; m < b->months; m++)
                    grams[i * b->months + m] =
                        b->ivig[i * b->months + m] ? b->records[i].ivig_grams_per_cycle : 0.0f;
            buf = grams;
        } else if (b) {
            const uint8_t *rows[TRAJECTORY_SETS_MAX] = {b->grade, b->infections, b->phase,
                                                        b->ivig};
            buf = rows[set];
        }
        errno = 0;
        if (write_collective(w, ds, b, 3, (hsize_t)w->months, buf) < 0)
            return fail_hdf5_errno(w, err, "writing patient trajectories", errno);
    }
    for (int c = 0; c < w->patient_columns; c++) {
        const int ds = patient_columns[c].ds;
        if (b)
            gather_column(ds, b, w->column,
                          (size_t)b->count * patient_columns[c].element_size *
                              patient_columns[c].per_patient);
        errno = 0;
        if (write_collective(w, ds, b, patient_columns[c].per_patient > 1 ? 3 : 2,
                             (hsize_t)patient_columns[c].per_patient, b ? w->column : NULL) < 0)
            return fail_hdf5_errno(w, err, "writing patient data", errno);
    }
    /* Unfiltered, its space allocated when created: written by the rank
     * that has the block alone. */
    return b ? write_patient_ids(w, b, err) : IPSIM_OK;
}

#else

int ipsim_h5_writer_create_shared(ipsim_h5_writer **out, const ipsim_ranks *ranks,
                                  const char *target_path, const ipsim_run_info *info,
                                  const char *const *scenario_names, int scenarios,
                                  ipsim_error *err)
{
    (void)ranks; /* one rank without MPI */
    return ipsim_h5_writer_create(out, target_path, info, scenario_names, scenarios, err);
}

int ipsim_h5_writer_write_block_shared(ipsim_h5_writer *w, const ipsim_block *b,
                                       ipsim_error *err)
{
    (void)w;
    (void)b;
    return IPSIM_FAIL(err, IPSIM_EINTERNAL, "collective writes need the MPI build");
}

#endif
