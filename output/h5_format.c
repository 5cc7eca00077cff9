/* output/h5_format.c: the table of the output file's datasets
 * (output/h5_format.h). Rows are in the order the writer creates them; the
 * descriptions and units are the datasets' long_name and units attributes,
 * so changing one changes the file. */
#include "output/h5_format.h"

#include "output/summary.h"

#include <stdlib.h>
#include <string.h>

#include "models/mortality.h"
#include "output/course.h"

const char *ipsim_element_name(ipsim_element e)
{
    static const char *const names[IPSIM_ELEMENT_ENUM_FIRST] = {
        "uint8", "int8", "uint32", "int32", "int64", "float32", "float64", "string"};
    return e < IPSIM_ELEMENT_ENUM_FIRST ? names[e] : "enum uint8";
}

size_t ipsim_element_size(ipsim_element e)
{
    static const size_t sizes[IPSIM_ELEMENT_ENUM_FIRST] = {1, 1, 4, 4, 8, 4, 8, 0};
    return e < IPSIM_ELEMENT_ENUM_FIRST ? sizes[e] : 1;
}

const char *const *ipsim_element_labels(ipsim_element e, int *count)
{
    static const struct {
        const char *const *names;
        int count;
    } labels[IPSIM_ELEMENTS - IPSIM_ELEMENT_ENUM_FIRST] = {
        {ipsim_state_names, IPSIM_STATES},
        {ipsim_death_cause_names, IPSIM_DEATH_CAUSES},
        {ipsim_phase_names, IPSIM_PHASE_STATES},
        {ipsim_myeloma_type_names, IPSIM_MYELOMA_TYPES},
        {ipsim_riss_names, IPSIM_RISS_STAGES},
        {ipsim_response_names, IPSIM_RESPONSES + 1},
        {ipsim_sex_names, IPSIM_SEXES},
    };
    if (e < IPSIM_ELEMENT_ENUM_FIRST || e >= IPSIM_ELEMENTS) {
        *count = 0;
        return NULL;
    }
    *count = labels[e - IPSIM_ELEMENT_ENUM_FIRST].count;
    return labels[e - IPSIM_ELEMENT_ENUM_FIRST].names;
}

/* ---- coordinates --------------------------------------------------------------- */

static const char *const asct_labels[2] = {"without_asct", "with_asct"};
static const char *const improved_labels[2] = {"not_improved", "improved"};
static const char *const period_labels[IPSIM_COURSE_PERIODS] = {"months_0_2", "months_3_5",
                                                                "months_6_11"};
/* The sums of summary/cr_level_sums, in mg/L: x the level at diagnosis, y
 * at the end of induction. */
static const char *const level_sum_labels[5] = {"x", "y", "x_squared", "y_squared",
                                                "x_times_y"};

static const char *const igg_band_labels[IPSIM_IGG_BANDS] = {
    "0_1",   "1_2",   "2_3",   "3_4",   "4_5",   "5_6",   "6_7",   "7_8",
    "8_9",   "9_10",  "10_11", "11_12", "12_13", "13_14", "14_15", "15_or_more"};
static const char *const ivig_given_labels[2] = {"without_ivig", "with_ivig"};

const ipsim_coordinate ipsim_coordinates[IPSIM_DIMS] = {
    [IPSIM_DIM_REPLICATE] = {"replicate", IPSIM_ELEMENT_INT32, NULL, 0,
                             "replicate (independent cohort) index"},
    [IPSIM_DIM_PATIENT] = {"patient", IPSIM_ELEMENT_INT64, NULL, 0,
                           "patient index within the replicate"},
    [IPSIM_DIM_MONTH] = {"month", IPSIM_ELEMENT_INT32, NULL, 0,
                         "months since diagnosis at the start of the cycle"},
    [IPSIM_DIM_STATE] = {"state", IPSIM_ELEMENT_STRING, ipsim_state_names, IPSIM_STATES,
                         "immunoparesis grade, or dead"},
    [IPSIM_DIM_GRADE] = {"ip_grade", IPSIM_ELEMENT_STRING, ipsim_state_names, IPSIM_GRADES,
                         "immunoparesis grade"},
    [IPSIM_DIM_INFECTION_TYPE] = {"infection_type", IPSIM_ELEMENT_STRING,
                                  ipsim_infection_type_names, IPSIM_INFECTION_TYPES,
                                  "type of infection episode"},
    /* Alive is no cause of death. */
    [IPSIM_DIM_CAUSE] = {"cause", IPSIM_ELEMENT_STRING, ipsim_death_cause_names + 1,
                         IPSIM_DEATH_CAUSES - 1, "cause of death"},
    [IPSIM_DIM_PHASE] = {"treatment_phase", IPSIM_ELEMENT_STRING, ipsim_phase_names,
                         IPSIM_PHASE_STATES, "treatment phase, or dead"},
    [IPSIM_DIM_MYELOMA] = {"myeloma", IPSIM_ELEMENT_STRING, ipsim_myeloma_type_names,
                           IPSIM_MYELOMA_TYPES, "myeloma type by M-protein"},
    [IPSIM_DIM_RISS] = {"riss_stage", IPSIM_ELEMENT_STRING, ipsim_riss_names, IPSIM_RISS_STAGES,
                        "R-ISS stage at diagnosis"},
    [IPSIM_DIM_RESPONSE] = {"induction_response", IPSIM_ELEMENT_STRING, ipsim_response_names,
                            IPSIM_RESPONSES + 1, "response at the end of induction"},
    [IPSIM_DIM_ASCT] = {"asct", IPSIM_ELEMENT_STRING, asct_labels, 2,
                        "whether the patient received ASCT"},
    [IPSIM_DIM_IMPROVED] = {"ip_improvement", IPSIM_ELEMENT_STRING, improved_labels, 2,
                            "whether IP improved after induction"},
    [IPSIM_DIM_ECONOMIC] = {"economic_outcome", IPSIM_ELEMENT_STRING, ipsim_economic_names,
                            IPSIM_ECONOMIC_OUTCOMES,
                            "costs, QALYs and life-years, undiscounted and discounted"},
    [IPSIM_DIM_EVENT_ROW] = {"event_row", IPSIM_ELEMENT_INT32, NULL, 0,
                             "cycles since the curve's start at which the event is first "
                             "recorded; the last: none by the horizon"},
    [IPSIM_DIM_COURSE_CURVE] = {"course_curve", IPSIM_ELEMENT_STRING, ipsim_course_curve_names,
                                IPSIM_COURSE_CURVES, "survival curve or its censoring"},
    [IPSIM_DIM_LIVING_PHASE] = {"phase_alive", IPSIM_ELEMENT_STRING, ipsim_phase_names,
                                IPSIM_PHASES, "treatment phase"},
    [IPSIM_DIM_PERIOD] = {"infection_period", IPSIM_ELEMENT_STRING, period_labels,
                          IPSIM_COURSE_PERIODS, "months since diagnosis"},
    [IPSIM_DIM_LINE] = {"line", IPSIM_ELEMENT_STRING, ipsim_line_names, IPSIM_LINES,
                        "line of therapy (later_lines: the third)"},
    [IPSIM_DIM_IG_CLASS] = {"ig_class", IPSIM_ELEMENT_STRING, ipsim_ig_class_names,
                            IPSIM_IG_CLASSES, "immunoglobulin class (polyclonal level)"},
    [IPSIM_DIM_LEVEL_SUM] = {"level_sum", IPSIM_ELEMENT_STRING, level_sum_labels, 5,
                             "sum over patients of x (level at diagnosis), y (at the end of "
                             "induction), x^2, y^2, xy, in mg/L"},
    [IPSIM_DIM_IGG_BAND] = {"igg_band", IPSIM_ELEMENT_STRING, igg_band_labels, IPSIM_IGG_BANDS,
                            "own polyclonal IgG at the cycle's start, g/L: from a to b (a_b), "
                            "or 15 or more"},
    [IPSIM_DIM_IVIG_GIVEN] = {"ivig_given", IPSIM_ELEMENT_STRING, ivig_given_labels, 2,
                              "whether IVIG was given in the cycle"},
    [IPSIM_DIM_SUBGROUP] = {"subgroup", IPSIM_ELEMENT_STRING, ipsim_subgroup_names,
                            IPSIM_SUBGROUPS,
                            "subgroup at diagnosis: IP grade, myeloma type, R-ISS stage, age "
                            "band (under 65, 65-74, 75 and over)"},
};

int64_t ipsim_dim_length(ipsim_dim d, int64_t replicates, int64_t patients, int64_t months)
{
    switch (d) {
    case IPSIM_DIM_REPLICATE: return replicates;
    case IPSIM_DIM_PATIENT: return patients;
    case IPSIM_DIM_MONTH: return months;
    case IPSIM_DIM_EVENT_ROW: return months + 1;
    default: return ipsim_coordinates[d].length;
    }
}

/* ---- trajectories, summaries, economic totals ----------------------------------- */

#define R_ IPSIM_DIM_REPLICATE
#define N_ IPSIM_DIM_PATIENT
#define M_ IPSIM_DIM_MONTH

const ipsim_dataset ipsim_trajectory_datasets[IPSIM_TRAJECTORY_SETS] = {
    [IPSIM_TRAJECTORY_GRADE] = {"", "grade", IPSIM_ELEMENT_ENUM_STATE, 3, {R_, N_, M_}, NULL,
                                "immunoparesis grade at the start of the month"},
    [IPSIM_TRAJECTORY_INFECTIONS] = {"", "infections", IPSIM_ELEMENT_UINT8, 3, {R_, N_, M_},
                                     "episodes",
                                     "infection episodes that began in the cycle starting "
                                     "this month"},
    [IPSIM_TRAJECTORY_PHASE] = {"", "phase", IPSIM_ELEMENT_ENUM_PHASE, 3, {R_, N_, M_}, NULL,
                                "treatment phase in the cycle starting this month"},
    [IPSIM_TRAJECTORY_IVIG] = {"", "ivig", IPSIM_ELEMENT_FLOAT32, 3, {R_, N_, M_}, "g",
                               "IVIG given in the cycle starting this month (0 if none)"},
    [IPSIM_TRAJECTORY_IGG] = {"", "igg", IPSIM_ELEMENT_FLOAT32, 3, {R_, N_, M_}, "g/L",
                              "polyclonal IgG at the start of the month (NaN once dead)"},
    [IPSIM_TRAJECTORY_IGA] = {"", "iga", IPSIM_ELEMENT_FLOAT32, 3, {R_, N_, M_}, "g/L",
                              "polyclonal IgA at the start of the month (NaN once dead)"},
    [IPSIM_TRAJECTORY_IGM] = {"", "igm", IPSIM_ELEMENT_FLOAT32, 3, {R_, N_, M_}, "g/L",
                              "polyclonal IgM at the start of the month (NaN once dead)"},
};

int ipsim_trajectory_sets_of(const ipsim_params *p, int sets[IPSIM_TRAJECTORY_SETS])
{
    if (p->output.trajectories == IPSIM_TRAJECTORIES_NONE)
        return 0;
    int n = 0;
    for (int set = IPSIM_TRAJECTORY_GRADE; set <= IPSIM_TRAJECTORY_PHASE; set++)
        sets[n++] = set;
    if (p->ivig.policy != IPSIM_IVIG_NONE)
        sets[n++] = IPSIM_TRAJECTORY_IVIG;
    if (p->grades.model == IPSIM_GRADE_MODEL_LEVELS &&
        p->output.trajectories == IPSIM_TRAJECTORIES_DENSE)
        for (int c = 0; c < IPSIM_IG_CLASSES; c++)
            sets[n++] = IPSIM_TRAJECTORY_IGG + c;
    return n;
}

#define S_(id, name, element, rank, d1, d2, units, long_name)                                     \
    [IPSIM_SUMMARY_##id] = {"summary", name, IPSIM_ELEMENT_##element, rank, {R_, d1, d2}, units, \
                            long_name}

const ipsim_dataset ipsim_summaries[IPSIM_SUMMARIES] = {
    S_(OCCUPANCY, "occupancy", FLOAT64, 3, M_, IPSIM_DIM_STATE, "1",
       "share of the cohort in each state at the start of the month"),
    S_(PATIENTS_BY_BASELINE_GRADE, "patients_by_baseline_grade", INT64, 2, IPSIM_DIM_GRADE, 0,
       "patients", "patients by grade at diagnosis"),
    S_(INFECTED_WITHIN_WINDOW, "infected_within_window_by_baseline_grade", INT64, 2,
       IPSIM_DIM_GRADE, 0, "patients",
       "patients with >= 1 infection episode within infection.window_months, by grade at "
       "diagnosis"),
    S_(FIRST_INFECTIONS, "first_infections_by_baseline_grade", INT64, 3, M_, IPSIM_DIM_GRADE,
       "patients",
       "patients whose first infection episode began in the cycle starting this month, by grade "
       "at diagnosis"),
    S_(PERSON_MONTHS, "person_months_by_grade", INT64, 2, IPSIM_DIM_GRADE, 0, "months",
       "months lived in each grade"),
    S_(EPISODES, "episodes_by_grade_and_type", INT64, 3, IPSIM_DIM_GRADE,
       IPSIM_DIM_INFECTION_TYPE, "episodes", "infection episodes by grade at onset and type"),
    S_(SERIOUS_EPISODES, "serious_episodes_by_grade", INT64, 2, IPSIM_DIM_GRADE, 0, "episodes",
       "serious infection episodes by grade at onset"),
    S_(ON_IVIG, "on_ivig", INT64, 2, M_, 0, "patients",
       "patients given IVIG in the cycle starting this month"),
    S_(DEATHS, "deaths_by_cause", INT64, 2, IPSIM_DIM_CAUSE, 0, "patients",
       "deaths before the horizon by cause"),
    S_(PREVENTED, "episodes_prevented_by_type", INT64, 2, IPSIM_DIM_INFECTION_TYPE, 0,
       "episodes", "infection episodes vaccination prevented, by type"),
    S_(VACCINE_DOSES, "vaccine_doses", INT64, 1, 0, 0, "doses",
       "influenza and pneumococcal vaccine doses given"),
    S_(IVIG_PATIENTS, "ivig_patients", INT64, 1, 0, 0, "patients", "patients ever given IVIG"),
    S_(IVIG_PATIENT_MONTHS, "ivig_patient_months", INT64, 1, 0, 0, "months",
       "patient-months on IVIG"),
    S_(IVIG_GRAMS, "ivig_grams", FLOAT64, 1, 0, 0, "g",
       "IVIG given, summed over patients in whole milligrams"),
    S_(PHASE_OCCUPANCY, "phase_occupancy", INT64, 3, M_, IPSIM_DIM_PHASE, "patients",
       "patients in each treatment phase in the cycle starting this month"),
    S_(PATIENTS_BY_TYPE, "patients_by_type_and_grade", INT64, 3, IPSIM_DIM_MYELOMA,
       IPSIM_DIM_GRADE, "patients", "patients by myeloma type and grade at diagnosis"),
    S_(PATIENTS_BY_RISS, "patients_by_riss_and_grade", INT64, 3, IPSIM_DIM_RISS, IPSIM_DIM_GRADE,
       "patients", "patients by R-ISS stage and grade at diagnosis"),
    S_(RESPONSES, "responses", INT64, 2, IPSIM_DIM_RESPONSE, 0, "patients",
       "patients by response at the end of induction"),
    S_(IMPROVEMENT_ASSESSED, "improvement_assessed", INT64, 2, IPSIM_DIM_RESPONSE, 0, "patients",
       "patients with IP at diagnosis alive at the end of induction, by response"),
    S_(IMPROVED, "improved", INT64, 2, IPSIM_DIM_RESPONSE, 0, "patients",
       "of those, patients whose grade was better than at diagnosis"),
    S_(RECOVERY_ASSESSED, "recovery_assessed", INT64, 2, IPSIM_DIM_ASCT, 0, "patients",
       "patients in CR with IP at diagnosis alive 12 months after the ASCT month"),
    S_(RECOVERED, "recovered", INT64, 2, IPSIM_DIM_ASCT, 0, "patients",
       "of those, patients in grade none then"),
    S_(PROGRESSION_FREE, "progression_free", INT64, 3, M_, IPSIM_DIM_IMPROVED, "patients",
       "patients with IP at diagnosis alive at the end of induction, by IP improvement, alive "
       "and progression-free at the start of the month"),
    S_(TRANSPLANT_ELIGIBLE, "transplant_eligible", INT64, 1, 0, 0, "patients",
       "patients eligible for ASCT"),
    S_(ASCT_PATIENTS, "asct_patients", INT64, 1, 0, 0, "patients", "patients who received ASCT"),
    S_(PROGRESSIONS, "progressions", INT64, 1, 0, 0, "patients",
       "patients whose myeloma progressed before death or the horizon"),
    S_(COURSE_EVENTS, "course_events", INT64, 3, IPSIM_DIM_COURSE_CURVE, IPSIM_DIM_EVENT_ROW,
       "patients",
       "per survival curve (course_curve), patients whose event is first recorded this many "
       "cycles after the curve's start (the last entry: none by the horizon); the censored_ "
       "curves count patients followed to the horizon without the event (output/course.h)"),
    S_(DEATHS_BY_PHASE, "deaths_by_phase_and_cause", INT64, 3, IPSIM_DIM_LIVING_PHASE,
       IPSIM_DIM_CAUSE, "patients", "deaths by the phase of the cycle of death, and cause"),
    S_(ALIVE_AT_PERIOD, "alive_at_infection_period", INT64, 2, IPSIM_DIM_PERIOD, 0, "patients",
       "patients alive at the start of each infection reporting period (0 where the cycle "
       "length or the horizon does not resolve it)"),
    S_(INFECTED_IN_PERIOD, "infected_in_infection_period", INT64, 2, IPSIM_DIM_PERIOD, 0,
       "patients", "of those, patients with >= 1 infection episode in the period"),
    S_(EPISODES_IN_PERIOD, "episodes_in_infection_period", INT64, 2, IPSIM_DIM_PERIOD, 0,
       "episodes", "infection episodes that began in the period"),
    S_(LINES_REACHED, "lines_reached", INT64, 2, IPSIM_DIM_LINE, 0, "patients",
       "patients who began the first, second, third line of therapy"),
    /* The levels model's (models/immunoglobulins.h): 0, and NaN means,
     * under the grade models. */
    S_(LEVEL_PATIENTS, "level_patients", INT64, 1, 0, 0, "patients",
       "patients with immunoglobulin levels (grades.model: levels; 0 otherwise)"),
    S_(IGG_BELOW_4, "igg_below_4_at_diagnosis", INT64, 1, 0, 0, "patients",
       "of those, patients with polyclonal IgG below 4 g/L at diagnosis"),
    S_(CR_LEVEL_PATIENTS, "cr_level_patients", INT64, 2, IPSIM_DIM_IG_CLASS, 0, "patients",
       "patients in CR alive at the end of induction in whom the class is uninvolved"),
    S_(CR_LEVEL_SUMS, "cr_level_sums", INT64, 3, IPSIM_DIM_IG_CLASS, IPSIM_DIM_LEVEL_SUM,
       "mg/L",
       "over those patients, sums of the class's level in whole mg/L at diagnosis (x) and at "
       "the end of induction (y), and of x^2, y^2, xy (in (mg/L)^2)"),
    S_(MEAN_LEVEL_BY_MONTH, "mean_level_by_month", FLOAT64, 3, M_, IPSIM_DIM_IG_CLASS, "g/L",
       "mean polyclonal level of the living patients at the start of the month (summed in "
       "whole mg/L; NaN without the levels model or without living patients)"),
    S_(MEAN_IGG_WITH_IVIG, "mean_igg_with_ivig_by_month", FLOAT64, 2, M_, 0, "g/L",
       "mean IgG of the living patients at the start of the month with the trough rise of given "
       "immunoglobulin added (summed in whole mg/L; NaN as mean_level_by_month)"),
    S_(IGG_BAND_MONTHS, "igg_band_months", INT64, 3, IPSIM_DIM_IGG_BAND, IPSIM_DIM_IVIG_GIVEN,
       "months", "months lived, by own polyclonal IgG at the cycle's start and IVIG given in it "
       "(0 without the levels model)"),
    S_(IGG_BAND_EPISODES, "igg_band_episodes", INT64, 3, IPSIM_DIM_IGG_BAND,
       IPSIM_DIM_IVIG_GIVEN, "episodes", "infection episodes that began in those months"),
};

const ipsim_dataset ipsim_economic_totals[IPSIM_ECONOMIC_TOTALS] = {
    [IPSIM_ECONOMICS_MEAN] = {"economics", "mean", IPSIM_ELEMENT_FLOAT64, 2,
                              {R_, IPSIM_DIM_ECONOMIC}, NULL,
                              "mean per patient of each outcome, per replicate"},
    [IPSIM_ECONOMICS_SUM_FIXED_POINT] = {"economics", "sum_fixed_point", IPSIM_ELEMENT_INT64, 2,
                                         {R_, IPSIM_DIM_ECONOMIC}, NULL,
                                         "sum over patients in fixed point: cents (1e-2 "
                                         "currency) for costs, 1e-9 for QALYs and life-years "
                                         "(exact whatever the order of summation)"},
    [IPSIM_ECONOMICS_SUBGROUP_PATIENTS] = {"economics", "subgroup_patients",
                                           IPSIM_ELEMENT_INT64, 2, {R_, IPSIM_DIM_SUBGROUP}, "patients",
                                           "patients in each subgroup at diagnosis"},
    [IPSIM_ECONOMICS_SUBGROUP_SUM_FIXED_POINT] = {
        "economics", "subgroup_sum_fixed_point", IPSIM_ELEMENT_INT64, 3,
        {R_, IPSIM_DIM_SUBGROUP, IPSIM_DIM_ECONOMIC}, NULL,
        "sum_fixed_point over the patients of each subgroup (each dimension's subgroups add up "
        "to sum_fixed_point)"},
};

/* ---- per-patient columns ---------------------------------------------------------- */

/* Episodes and serious episodes are kept by grade at onset; the file has
 * the patient's totals. */
static void infections_by_type(const ipsim_patient_record *rec, void *out)
{
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
        uint32_t sum = 0;
        for (int g = 0; g < IPSIM_GRADES; g++)
            sum += rec->episodes[g][t];
        memcpy((unsigned char *)out + 4 * t, &sum, 4);
    }
}

static void serious_infections(const ipsim_patient_record *rec, void *out)
{
    uint32_t sum = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        sum += rec->serious[g];
    memcpy(out, &sum, 4);
}

/* A column's source: a field of the record, or a function of it. */
#define FIELD(f) offsetof(ipsim_patient_record, f), NULL
#define VALUE(fn) 0, fn
#define P_(id, name, element, units, long_name, source)                                           \
    [IPSIM_COLUMN_##id] = {"patients", name, IPSIM_ELEMENT_##element, 1, IPSIM_DIM_REPLICATE,     \
                           units, long_name, source, .from_module = false}
#define E_(k, name, units, long_name, field, raw)                                                 \
    [IPSIM_COLUMN_ECONOMIC_FIRST + k] = {"economics", name, IPSIM_ELEMENT_FLOAT64, 1,            \
                                         IPSIM_DIM_REPLICATE, units, long_name, FIELD(field),    \
                                         .from_module = false, .uncompressed = raw}

const ipsim_column ipsim_patient_columns[IPSIM_PATIENT_COLUMNS] = {
    P_(BASELINE_GRADE, "baseline_grade", ENUM_STATE, NULL, "immunoparesis grade at diagnosis",
       FIELD(baseline_grade)),
    P_(DEATH_MONTH, "death_month", INT32, "months",
       "first month recorded dead; -1 if alive at the horizon", FIELD(death_month)),
    P_(DEATH_CAUSE, "death_cause", ENUM_CAUSE, NULL,
       "cause of death (alive if alive at the horizon)", FIELD(death_cause)),
    P_(FIRST_INFECTION_MONTH, "first_infection_month", INT32, "months",
       "start month of the cycle of the first infection episode; -1 if none",
       FIELD(first_infection_month)),
    [IPSIM_COLUMN_INFECTIONS_BY_TYPE] = {"patients", "infections_by_type", IPSIM_ELEMENT_UINT32,
                                         IPSIM_INFECTION_TYPES, IPSIM_DIM_INFECTION_TYPE,
                                         "episodes",
                                         "infection episodes over the follow-up, by type",
                                         VALUE(infections_by_type), .from_module = false},
    P_(SERIOUS_INFECTIONS, "serious_infections", UINT32, "episodes",
       "serious infection episodes over the follow-up", VALUE(serious_infections)),
    [IPSIM_COLUMN_WEIGHT_KG] = {"patients", "weight_kg", IPSIM_ELEMENT_FLOAT32, 1,
                                IPSIM_DIM_REPLICATE, "kg", "body weight at diagnosis",
                                FIELD(weight_kg), .uncompressed = true},
    P_(MYELOMA_TYPE, "myeloma_type", ENUM_MYELOMA, NULL, "myeloma type by M-protein",
       FIELD(myeloma_type)),
    P_(RISS, "riss", ENUM_RISS, NULL, "R-ISS stage at diagnosis", FIELD(riss)),
    P_(TRANSPLANT_ELIGIBLE, "transplant_eligible", UINT8, NULL, "1 if eligible for ASCT",
       FIELD(transplant_eligible)),
    P_(RESPONSE, "response", ENUM_RESPONSE, NULL,
       "response at the end of induction (not_assessed: died before it)", FIELD(response)),
    P_(ASCT_MONTH, "asct_month", INT32, "months", "month of ASCT; -1 if none",
       FIELD(asct_month)),
    P_(IMPROVED_AFTER_INDUCTION, "improved_after_induction", INT8, NULL,
       "1 if the grade at the end of induction was better than at diagnosis, 0 if not; -1 if "
       "no IP at diagnosis or dead before the end of induction",
       FIELD(improved_after_induction)),
    P_(PROGRESSION_MONTH, "progression_month", INT32, "months",
       "month by which the myeloma progressed (end of the cycle); -1 if it did not before "
       "death or the horizon",
       FIELD(progression_month)),
    P_(SECOND_PROGRESSION_MONTH, "second_progression_month", INT32, "months",
       "month by which the myeloma progressed on the second line; -1 if it did not",
       FIELD(second_progression_month)),
    P_(THIRD_PROGRESSION_MONTH, "third_progression_month", INT32, "months",
       "month by which the myeloma progressed on the third line; -1 if it did not",
       FIELD(third_progression_month)),
    P_(NO_TREATMENT_MONTH, "no_treatment_month", INT32, "months",
       "month from which no further treatment was given (a progression left untreated); -1 "
       "if never",
       FIELD(no_treatment_month)),
    P_(LINES, "lines", UINT8, "lines",
       "lines of therapy begun (a line begins at each treated progression)", FIELD(lines)),
    P_(AGE, "age", UINT8, "years", "age at diagnosis, in whole years", FIELD(age)),
    P_(SEX, "sex", ENUM_SEX, NULL, "sex", FIELD(sex)),
    [IPSIM_COLUMN_LEVELS_AT_DIAGNOSIS] = {"patients", "levels_at_diagnosis", IPSIM_ELEMENT_FLOAT32,
                                          IPSIM_IG_CLASSES, IPSIM_DIM_IG_CLASS, "g/L",
                                          "polyclonal IgG, IgA, IgM at diagnosis (NaN without "
                                          "the levels model)",
                                          FIELD(level_at_diagnosis),
                                          .nan_means_none = true, .uncompressed = true},
    [IPSIM_COLUMN_LEVELS_AFTER_INDUCTION] = {"patients", "levels_after_induction",
                                             IPSIM_ELEMENT_FLOAT32, IPSIM_IG_CLASSES,
                                             IPSIM_DIM_IG_CLASS, "g/L",
                                             "polyclonal IgG, IgA, IgM at the end of induction "
                                             "(NaN without the levels model or if dead before "
                                             "it)",
                                             FIELD(level_at_assessment),
                                             .nan_means_none = true, .uncompressed = true},
    /* The names are ipsim_economic_names (tests/test_format.c checks). */
    E_(IPSIM_ECONOMIC_COST, "cost", IPSIM_UNITS_CURRENCY,
       "costs over the follow-up, undiscounted", outcomes.cost[0], false),
    E_(IPSIM_ECONOMIC_COST_DISCOUNTED, "cost_discounted", IPSIM_UNITS_CURRENCY,
       "costs over the follow-up, discounted", outcomes.cost[1], true),
    E_(IPSIM_ECONOMIC_QALYS, "qalys", "QALY", "QALYs over the follow-up, undiscounted",
       outcomes.qalys[0], true),
    E_(IPSIM_ECONOMIC_QALYS_DISCOUNTED, "qalys_discounted", "QALY",
       "QALYs over the follow-up, discounted", outcomes.qalys[1], true),
    E_(IPSIM_ECONOMIC_LIFE_YEARS, "life_years", "years",
       "life-years over the follow-up, undiscounted", outcomes.life_years[0], false),
    E_(IPSIM_ECONOMIC_LIFE_YEARS_DISCOUNTED, "life_years_discounted", "years",
       "life-years over the follow-up, discounted", outcomes.life_years[1], true),
};

size_t ipsim_column_bytes(const ipsim_column *c)
{
    return ipsim_element_size(c->element) * (size_t)c->width;
}

static void module_value(const ipsim_column *c, const ipsim_patient_record *r, unsigned char *out)
{
    const double v = r->module_columns[c->module_index];
    if (c->element == IPSIM_ELEMENT_INT32) {
        const int32_t n = (int32_t)v;
        memcpy(out, &n, sizeof n);
    } else {
        memcpy(out, &v, sizeof v);
    }
}

ipsim_column ipsim_column_of_module(const ipsim_modules *m, int index)
{
    const ipsim_module_column *mc = ipsim_modules_column(m, index);
    return (ipsim_column){.group = "patients", .name = mc->name,
                          .element = mc->integer ? IPSIM_ELEMENT_INT32 : IPSIM_ELEMENT_FLOAT64,
                          .width = 1, .units = mc->unit, .long_name = mc->doc,
                          .from_module = true, .module_index = index};
}

/* One patient's bytes of c. */
static void record_bytes(const ipsim_column *c, const ipsim_patient_record *r, unsigned char *out)
{
    if (c->from_module)
        module_value(c, r, out);
    else if (c->value)
        c->value(r, out);
    else
        memcpy(out, (const unsigned char *)r + c->offset, ipsim_column_bytes(c));
}

/* A record field of T, copied patient after patient: a fixed-size memcpy
 * the compiler inlines, where one of c's runtime size is a library call per
 * patient. */
#define GATHER_FIELD(T)                                                                        \
    for (int64_t i = 0; i < count; i++)                                                        \
        memcpy(buf + sizeof(T) * (size_t)i, (const unsigned char *)&records[i] + c->offset,    \
               sizeof(T))

void ipsim_column_gather(const ipsim_column *c, const ipsim_patient_record *records,
                         int64_t count, unsigned char *buf, size_t bytes)
{
    const size_t size = ipsim_column_bytes(c);
    memset(buf + size * (size_t)count, 0, bytes - size * (size_t)count);
    if (!c->from_module && !c->value && size == 1)
        GATHER_FIELD(uint8_t);
    else if (!c->from_module && !c->value && size == 4)
        GATHER_FIELD(uint32_t);
    else if (!c->from_module && !c->value && size == 8)
        GATHER_FIELD(uint64_t);
    else
        for (int64_t i = 0; i < count; i++)
            record_bytes(c, &records[i], buf + size * (size_t)i);
}

/* Byte j of each patient's T (one element: width 1) to byte plane j. */
#define SHUFFLE_FIELD(T)                                                                       \
    for (int64_t i = first; i < first + count; i++) {                                          \
        T x;                                                                                   \
        memcpy(&x, (const unsigned char *)&records[i] + c->offset, sizeof x);                  \
        for (size_t j = 0; j < sizeof x; j++)                                                  \
            buf[j * n + (size_t)i] = (unsigned char)(x >> (8 * j));                            \
    }

int ipsim_column_gather_shuffled(const ipsim_column *c, const ipsim_patient_record *records,
                                 int64_t first, int64_t count, unsigned char *buf, size_t bytes)
{
    const size_t element = ipsim_element_size(c->element), width = (size_t)c->width;
    const size_t n = bytes / element; /* elements in the chunk */
    unsigned char one[IPSIM_COLUMN_SHUFFLED_MAX];
    if (element * width > sizeof one)
        return -1;
    /* Little-endian, as the file (output/h5_chunks.c checks the host). */
    if (!c->from_module && !c->value && width == 1 && element == 4)
        SHUFFLE_FIELD(uint32_t)
    else if (!c->from_module && !c->value && width == 1 && element == 8)
        SHUFFLE_FIELD(uint64_t)
    else
        for (int64_t i = first; i < first + count; i++) {
            record_bytes(c, &records[i], one);
            for (size_t e = 0; e < width; e++)
                for (size_t j = 0; j < element; j++)
                    buf[j * n + (size_t)i * width + e] = one[e * element + j];
        }
    return 0;
}

/* ---- a run's list -------------------------------------------------------------------- */

int ipsim_column_check(const ipsim_column *c, const ipsim_column_list *list, ipsim_error *err)
{
    const char *name = c->name ? c->name : "";
    const char *why = NULL;
    if (!*name || strchr(name, '/'))
        why = "its name is empty or not a single path component";
    else if (!c->group || strcmp(c->group, "patients") != 0)
        why = "it is not in patients/";
    else if (c->element == IPSIM_ELEMENT_STRING || (int)c->element < 0 ||
             c->element >= IPSIM_ELEMENT_ENUM_FIRST)
        why = "its element type is not an integer or float";
    else if (c->width < 1 || (c->width > 1 && (c->dim <= IPSIM_DIM_MONTH || c->dim >= IPSIM_DIMS ||
                                               ipsim_coordinates[c->dim].length != c->width)))
        why = "its width does not match its third dimension";
    else if (!c->long_name)
        why = "it has no long_name";
    else if (c->from_module && (c->module_index < 0 || c->module_index >= IPSIM_MODULE_COLUMNS_MAX ||
                                (c->element != IPSIM_ELEMENT_INT32 &&
                                 c->element != IPSIM_ELEMENT_FLOAT64) || c->width != 1))
        why = "a module's column is one int32 or float64 from the record's module_columns";
    else if (!c->value && c->offset + ipsim_column_bytes(c) > sizeof(ipsim_patient_record))
        why = "its offset is outside the patient record";
    const ipsim_column *rows = list ? list->rows : ipsim_patient_columns;
    const int count = list ? list->count : IPSIM_PATIENT_COLUMNS;
    for (int i = 0; i < count && !why; i++)
        if (strcmp(rows[i].group, c->group) == 0 && strcmp(rows[i].name, name) == 0)
            why = "a column of that name exists";
    if (why)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "per-patient column '%s': %s", name, why);
    return IPSIM_OK;
}

int ipsim_column_list_init(ipsim_column_list *l, int patient_records, ipsim_error *err)
{
    *l = (ipsim_column_list){0};
    if (!patient_records)
        return IPSIM_OK;
    l->rows = malloc(sizeof ipsim_patient_columns);
    if (!l->rows)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the per-patient columns");
    memcpy(l->rows, ipsim_patient_columns, sizeof ipsim_patient_columns);
    l->count = l->capacity = IPSIM_PATIENT_COLUMNS;
    /* The registered modules' per-patient columns. Their declarations do
     * not depend on the parameters, so neither does the file's layout. */
    ipsim_modules registered;
    ipsim_modules_declare(&registered, ipsim_registered_modules);
    for (int k = 0; k < registered.column_count; k++) {
        if (!ipsim_modules_column(&registered, k)->per_patient)
            continue;
        const ipsim_column c = ipsim_column_of_module(&registered, k);
        int rc = ipsim_column_list_append(l, &c, err);
        if (rc) {
            ipsim_column_list_free(l);
            return rc;
        }
    }
    return IPSIM_OK;
}

int ipsim_column_list_append(ipsim_column_list *l, const ipsim_column *c, ipsim_error *err)
{
    int rc = ipsim_column_check(c, l, err);
    if (rc)
        return rc;
    if (l->count == l->capacity) {
        int capacity = l->capacity ? 2 * l->capacity : 8;
        ipsim_column *grown = realloc(l->rows, (size_t)capacity * sizeof *grown);
        if (!grown)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the per-patient columns");
        l->rows = grown;
        l->capacity = capacity;
    }
    l->rows[l->count++] = *c;
    return IPSIM_OK;
}

void ipsim_column_list_free(ipsim_column_list *l)
{
    free(l->rows);
    *l = (ipsim_column_list){0};
}
