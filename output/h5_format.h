/* output/h5_format.h: the one table of the output file's datasets
 * (docs/output-format.md is their manual, and tests/check_format_docs.py
 * holds the two to agreement).
 *
 * Every dataset of a scenario group is a row here, with its name, group,
 * element type, dimensions, units and description: the writer lays the file
 * out from these rows (output/h5_layout.c), gathers per-patient chunks with
 * them (output/h5_chunks.c), the reader reads by them (output/h5_reader.h),
 * and so do the paired comparisons (analysis/paired.c). (The study
 * comparison and the report's series still name a few summary rows by
 * string: analysis/comparison.c, report/report_series.c.)
 * Adding a dataset is adding a row.
 *
 * Per-patient datasets are columns (ipsim_column): one value, or `width`
 * values, per patient, taken from the patient's ipsim_patient_record by an
 * offset or a function. A run writes the static table ipsim_patient_columns
 * followed by the registered clinical modules' per-patient columns
 * (models/module.h: read from the record's module_columns) and any columns
 * appended at run time (ipsim_h5_writer_add_column): the run's list is an
 * ipsim_column_list, built when each scenario is laid out.
 *
 * This header names no HDF5 type: HDF5 stays inside output/h5_*.c. */
#ifndef IPSIM_H5_FORMAT_H
#define IPSIM_H5_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "models/patient.h"
#include "output/summary.h"

/* Element types as stored (little-endian). The enumerations are uint8
 * HDF5 enumerated types whose values are named as in models/ (h5py and
 * xarray show the names). */
typedef enum ipsim_element {
    IPSIM_ELEMENT_UINT8,
    IPSIM_ELEMENT_INT8,
    IPSIM_ELEMENT_UINT32,
    IPSIM_ELEMENT_INT32,
    IPSIM_ELEMENT_INT64,
    IPSIM_ELEMENT_FLOAT32,
    IPSIM_ELEMENT_FLOAT64,
    IPSIM_ELEMENT_STRING,        /* variable-length UTF-8 */
    IPSIM_ELEMENT_ENUM_STATE,    /* ipsim_state_names: grade, or dead */
    IPSIM_ELEMENT_ENUM_CAUSE,    /* ipsim_death_cause_names */
    IPSIM_ELEMENT_ENUM_PHASE,    /* ipsim_phase_names */
    IPSIM_ELEMENT_ENUM_MYELOMA,  /* ipsim_myeloma_type_names */
    IPSIM_ELEMENT_ENUM_RISS,     /* ipsim_riss_names */
    IPSIM_ELEMENT_ENUM_RESPONSE, /* ipsim_response_names */
    IPSIM_ELEMENT_ENUM_SEX,      /* ipsim_sex_names */
    IPSIM_ELEMENTS
} ipsim_element;

/* The first enumerated element type; the enumerations follow it in order. */
#define IPSIM_ELEMENT_ENUM_FIRST IPSIM_ELEMENT_ENUM_STATE

/* How a type is written in docs/output-format.md: "uint8", ..., "string",
 * "enum uint8". */
const char *ipsim_element_name(ipsim_element e);

/* Bytes of one element (0 for strings). */
size_t ipsim_element_size(ipsim_element e);

/* The names of an enumerated type's values 0 .. *count-1 (NULL, 0 for
 * the other types). */
const char *const *ipsim_element_labels(ipsim_element e, int *count);

/* The dimensions of the scenario's datasets, each a coordinate dataset
 * (dimension scale) of the scenario group, in the order the writer makes
 * them (after replicate, month and patient). */
typedef enum ipsim_dim {
    IPSIM_DIM_REPLICATE,  /* R = cohort.replicates: 0 .. R-1 */
    IPSIM_DIM_PATIENT,    /* N = cohort.patients: 0 .. N-1 */
    IPSIM_DIM_MONTH,      /* M = cycles + 1: months since diagnosis */
    IPSIM_DIM_STATE,
    IPSIM_DIM_GRADE,
    IPSIM_DIM_INFECTION_TYPE,
    IPSIM_DIM_CAUSE,
    IPSIM_DIM_PHASE,
    IPSIM_DIM_MYELOMA,
    IPSIM_DIM_RISS,
    IPSIM_DIM_RESPONSE,
    IPSIM_DIM_ASCT,
    IPSIM_DIM_IMPROVED,
    IPSIM_DIM_ECONOMIC,
    IPSIM_DIM_EVENT_ROW,     /* M + 1: rows since a curve's start, then "none by the horizon" */
    IPSIM_DIM_COURSE_CURVE,  /* output/course.h */
    IPSIM_DIM_LIVING_PHASE,  /* the treatment phases without dead */
    IPSIM_DIM_PERIOD,        /* infection reporting periods */
    IPSIM_DIM_LINE,          /* lines of therapy */
    IPSIM_DIM_IG_CLASS,      /* immunoglobulin classes: igg, iga, igm */
    IPSIM_DIM_LEVEL_SUM,     /* the sums of summary/cr_level_sums */
    IPSIM_DIM_IGG_BAND,      /* 1 g/L bands of own IgG (output/summary.h) */
    IPSIM_DIM_IVIG_GIVEN,    /* whether IVIG was given in the cycle */
    IPSIM_DIM_SUBGROUP,      /* subgroups at diagnosis (output/summary.h) */
    IPSIM_DIMS
} ipsim_dim;

/* A coordinate: R, N and M have values the run sets (length 0 here); the
 * others are labels. */
typedef struct ipsim_coordinate {
    const char *name;
    ipsim_element element;
    const char *const *labels; /* NULL for R, N, M */
    int length;                /* of labels */
    const char *long_name;
} ipsim_coordinate;

extern const ipsim_coordinate ipsim_coordinates[IPSIM_DIMS];

/* The length of dimension d in a scenario of R replicates, N patients and
 * M months (the labelled coordinates have fixed lengths). */
int64_t ipsim_dim_length(ipsim_dim d, int64_t replicates, int64_t patients, int64_t months);

/* Units a row gives as IPSIM_UNITS_CURRENCY are the run's
 * economics.currency. */
#define IPSIM_UNITS_CURRENCY "{economics.currency}"

/* A dataset that is not per patient: a trajectory [R, N, M], a summary
 * table [R, ...] or an economics total [R, economic_outcome]. */
typedef struct ipsim_dataset {
    const char *group; /* under the scenario group: "" (the group itself), "summary", "economics" */
    const char *name;
    ipsim_element element;
    int rank;
    ipsim_dim dims[3];
    const char *units; /* NULL: none */
    const char *long_name;
} ipsim_dataset;

/* Trajectories (output.trajectories: dense). A scenario writes those of
 * ipsim_trajectory_sets_of, in this order: IVIG only for scenarios whose
 * ivig.policy is not none, the three levels only under grades.model:
 * levels. */
enum {
    IPSIM_TRAJECTORY_GRADE,
    IPSIM_TRAJECTORY_INFECTIONS,
    IPSIM_TRAJECTORY_PHASE,
    IPSIM_TRAJECTORY_IVIG,
    IPSIM_TRAJECTORY_IGG, /* then IgA, IgM: IPSIM_TRAJECTORY_IGG + ipsim_ig_class */
    IPSIM_TRAJECTORY_IGA,
    IPSIM_TRAJECTORY_IGM,
    IPSIM_TRAJECTORY_SETS
};
extern const ipsim_dataset ipsim_trajectory_datasets[IPSIM_TRAJECTORY_SETS];

/* The trajectory datasets a scenario with these parameters writes, in the
 * file's order, into sets[]; returns how many (0 without dense
 * trajectories). */
int ipsim_trajectory_sets_of(const ipsim_params *p, int sets[IPSIM_TRAJECTORY_SETS]);

/* summary/: one row per replicate of each (output/summary.h). */
enum {
    IPSIM_SUMMARY_OCCUPANCY,
    IPSIM_SUMMARY_PATIENTS_BY_BASELINE_GRADE,
    IPSIM_SUMMARY_INFECTED_WITHIN_WINDOW,
    IPSIM_SUMMARY_FIRST_INFECTIONS,
    IPSIM_SUMMARY_PERSON_MONTHS,
    IPSIM_SUMMARY_EPISODES,
    IPSIM_SUMMARY_SERIOUS_EPISODES,
    IPSIM_SUMMARY_ON_IVIG,
    IPSIM_SUMMARY_DEATHS,
    IPSIM_SUMMARY_PREVENTED,
    IPSIM_SUMMARY_VACCINE_DOSES,
    IPSIM_SUMMARY_IVIG_PATIENTS,
    IPSIM_SUMMARY_IVIG_PATIENT_MONTHS,
    IPSIM_SUMMARY_IVIG_GRAMS,
    IPSIM_SUMMARY_PHASE_OCCUPANCY,
    IPSIM_SUMMARY_PATIENTS_BY_TYPE,
    IPSIM_SUMMARY_PATIENTS_BY_RISS,
    IPSIM_SUMMARY_RESPONSES,
    IPSIM_SUMMARY_IMPROVEMENT_ASSESSED,
    IPSIM_SUMMARY_IMPROVED,
    IPSIM_SUMMARY_RECOVERY_ASSESSED,
    IPSIM_SUMMARY_RECOVERED,
    IPSIM_SUMMARY_PROGRESSION_FREE,
    IPSIM_SUMMARY_TRANSPLANT_ELIGIBLE,
    IPSIM_SUMMARY_ASCT_PATIENTS,
    IPSIM_SUMMARY_PROGRESSIONS,
    IPSIM_SUMMARY_COURSE_EVENTS,
    IPSIM_SUMMARY_DEATHS_BY_PHASE,
    IPSIM_SUMMARY_ALIVE_AT_PERIOD,
    IPSIM_SUMMARY_INFECTED_IN_PERIOD,
    IPSIM_SUMMARY_EPISODES_IN_PERIOD,
    IPSIM_SUMMARY_LINES_REACHED,
    IPSIM_SUMMARY_LEVEL_PATIENTS,
    IPSIM_SUMMARY_IGG_BELOW_4,
    IPSIM_SUMMARY_CR_LEVEL_PATIENTS,
    IPSIM_SUMMARY_CR_LEVEL_SUMS,
    IPSIM_SUMMARY_MEAN_LEVEL_BY_MONTH,
    IPSIM_SUMMARY_MEAN_IGG_WITH_IVIG,
    IPSIM_SUMMARY_IGG_BAND_MONTHS,
    IPSIM_SUMMARY_IGG_BAND_EPISODES,
    IPSIM_SUMMARIES
};
extern const ipsim_dataset ipsim_summaries[IPSIM_SUMMARIES];

/* economics/: per replicate, of each economic outcome. */
enum {
    IPSIM_ECONOMICS_MEAN,
    IPSIM_ECONOMICS_SUM_FIXED_POINT,
    IPSIM_ECONOMICS_SUBGROUP_PATIENTS,
    IPSIM_ECONOMICS_SUBGROUP_SUM_FIXED_POINT,
    IPSIM_ECONOMIC_TOTALS
};
extern const ipsim_dataset ipsim_economic_totals[IPSIM_ECONOMIC_TOTALS];

/* Writes `width` values of one patient's column, in the column's element
 * type, to out. */
typedef void ipsim_column_value(const ipsim_patient_record *record, void *out);

/* A per-patient dataset `/<scenario>/<group>/<name>`: [R, N] or, for a
 * width above 1, [R, N, dim] with `dim`'s length = width. Its values are
 * the record's bytes at `offset` (value NULL) or what `value` writes. */
typedef struct ipsim_column {
    const char *group; /* "patients" or "economics" */
    const char *name;
    ipsim_element element;
    int width;         /* values per patient */
    ipsim_dim dim;     /* the third dimension when width > 1; else ignored */
    const char *units; /* NULL: none; or IPSIM_UNITS_CURRENCY */
    const char *long_name;
    size_t offset;     /* offsetof(ipsim_patient_record, field), when value is NULL */
    ipsim_column_value *value;
    /* A clinical module's column (models/module.h): the value is
     * record->module_columns[module_index], converted to the element type. */
    bool from_module;
    int module_index;
    /* A float column whose NaN means "none" (a level the model did not
     * give); the reader refuses NaN in the others. */
    bool nan_means_none;
    /* Stored without filters (no shuffle, no deflate) whatever the
     * compression level: values on a continuous scale, whose low mantissa
     * bytes are noise, so that deflate keeps over three fifths of their
     * bytes at most of its time (docs/output-format.md). */
    bool uncompressed;
} ipsim_column;

/* The row of column `index` of a model's modules (ipsim_modules_column):
 * patients/NAME, int32 for a count, float64 otherwise. */
ipsim_column ipsim_column_of_module(const ipsim_modules *m, int index);

/* The static per-patient columns, in the file's order, indexed by these. */
enum {
    IPSIM_COLUMN_BASELINE_GRADE,
    IPSIM_COLUMN_DEATH_MONTH,
    IPSIM_COLUMN_DEATH_CAUSE,
    IPSIM_COLUMN_FIRST_INFECTION_MONTH,
    IPSIM_COLUMN_INFECTIONS_BY_TYPE,
    IPSIM_COLUMN_SERIOUS_INFECTIONS,
    IPSIM_COLUMN_WEIGHT_KG,
    IPSIM_COLUMN_MYELOMA_TYPE,
    IPSIM_COLUMN_RISS,
    IPSIM_COLUMN_TRANSPLANT_ELIGIBLE,
    IPSIM_COLUMN_RESPONSE,
    IPSIM_COLUMN_ASCT_MONTH,
    IPSIM_COLUMN_IMPROVED_AFTER_INDUCTION,
    IPSIM_COLUMN_PROGRESSION_MONTH,
    IPSIM_COLUMN_SECOND_PROGRESSION_MONTH,
    IPSIM_COLUMN_THIRD_PROGRESSION_MONTH,
    IPSIM_COLUMN_NO_TREATMENT_MONTH,
    IPSIM_COLUMN_LINES,
    IPSIM_COLUMN_AGE,
    IPSIM_COLUMN_SEX,
    IPSIM_COLUMN_LEVELS_AT_DIAGNOSIS,
    IPSIM_COLUMN_LEVELS_AFTER_INDUCTION,
    IPSIM_COLUMN_ECONOMIC_FIRST, /* economics/<ipsim_economic_names[k]>, in that order */
    IPSIM_PATIENT_COLUMNS = IPSIM_COLUMN_ECONOMIC_FIRST + IPSIM_ECONOMIC_OUTCOMES
};
extern const ipsim_column ipsim_patient_columns[IPSIM_PATIENT_COLUMNS];

/* Bytes of one patient's values of c. */
size_t ipsim_column_bytes(const ipsim_column *c);

/* Writes c's values of records[0 .. count-1] to buf, patient after patient,
 * then zeros up to `bytes` (HDF5 stores edge chunks whole). */
void ipsim_column_gather(const ipsim_column *c, const ipsim_patient_record *records,
                         int64_t count, unsigned char *buf, size_t bytes);

/* Patients first .. first + count - 1 of records, written where they go in
 * a chunk of `bytes` as HDF5's shuffle filter leaves it (byte j of every
 * element, for each j in turn): what ipsim_column_gather of the whole
 * chunk then a shuffle would put there. The rest of buf is not touched.
 * Returns -1, writing nothing, for a column of more than
 * IPSIM_COLUMN_SHUFFLED_MAX bytes per patient (then gather and shuffle in
 * turn). */
#define IPSIM_COLUMN_SHUFFLED_MAX 64
int ipsim_column_gather_shuffled(const ipsim_column *c, const ipsim_patient_record *records,
                                 int64_t first, int64_t count, unsigned char *buf, size_t bytes);

/* Checks a column a module declares: group "patients", a name that is a
 * single path component and not already a column of `list` (NULL: of the
 * static table), an integer or float element, width >= 1 (a dimension
 * other than replicate, patient or month, of that length, if above 1), a
 * long_name, and a value function or an offset inside the record.
 * IPSIM_EINTERNAL (a bug in the module) with the reason if not. */
typedef struct ipsim_column_list ipsim_column_list;
int ipsim_column_check(const ipsim_column *c, const ipsim_column_list *list, ipsim_error *err);

/* A run's per-patient columns: the static table, then appended ones. */
struct ipsim_column_list {
    ipsim_column *rows;
    int count, capacity;
};

/* Starts a list holding the static table, then the per-patient columns of
 * the registered modules (ipsim_registered_modules); empty if
 * !patient_records. */
int ipsim_column_list_init(ipsim_column_list *l, int patient_records, ipsim_error *err);

/* Appends a checked copy of *c (its strings and function are referenced,
 * not copied: they must outlive the list). */
int ipsim_column_list_append(ipsim_column_list *l, const ipsim_column *c, ipsim_error *err);

void ipsim_column_list_free(ipsim_column_list *l); /* leaves an empty list */

#endif
