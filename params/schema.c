/* params/schema.c: the parameter table. Defaults are the calibrated-to-be
 * baseline (params/baseline.yaml repeats them with their sources); each doc
 * string names where its default comes from. docs/review.md = the source
 * review's figures; docs/sources.md = the source of every default. */
#include "params/schema.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "params/life_table.h"
#include "params/params.h"

_Static_assert(sizeof(ipsim_trajectories) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_ivig_policy) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_ig_route) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_grade_model) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_counting) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_background_mortality) == sizeof(int), "CHOICE fields are stored as int");

static const char *const grade_labels[] = {"none", "mild", "moderate", "severe", "very_severe"};
static const char *const type_labels[] = {"bacterial", "viral", "fungal"};
static const char *const trajectory_choices[] = {"dense", "none", "states", NULL};
static const char *const ivig_policy_choices[] = {
    "none", "grade", "infections", "grade_or_infections", "igg", "igg_and_infections",
    "igg_or_infections", NULL};
static const char *const ivig_route_choices[] = {"ivig", "scig", NULL};
static const char *const myeloma_type_labels[] = {"igg", "iga", "light_chain"};
static const char *const riss_labels[] = {"i", "ii", "iii"};
static const char *const response_labels[] = {"cr", "vgpr", "pr", "less"};
static const char *const phase_labels[] = {"induction",   "transplant",  "maintenance",
                                           "second_line", "later_lines", "no_treatment"};
static const char *const later_line_labels[] = {"second_line", "later_lines"};
static const char *const line_labels[] = {"first_line", "second_line", "later_lines"};
static const char *const age_band_labels[] = {"under_45", "45_49", "50_54", "55_59",
                                              "60_64",    "65_69", "70_74", "75_79",
                                              "80_84",    "85_89", "90_and_over"};
static const char *const background_choices[] = {"life_table", "constant", NULL};
static const char *const grade_model_choices[] = {"pathway", "matrix", "levels", NULL};
static const char *const risk_by_choices[] = {"grade", "igg", NULL};
static const char *const ig_class_labels[] = {"igg", "iga", "igm"};
static const char *const grade_choices[] = {"none", "mild", "moderate", "severe", "very_severe",
                                            NULL};


#define AT(field) offsetof(ipsim_params, field)

const ipsim_param_spec ipsim_param_specs[] = {
    {.path = "name", .type = IPSIM_PARAM_STRING, .offset = AT(name),
     .default_yaml = "baseline", .unit = "-",
     .doc = "Scenario name; names the HDF5 group holding its results. Letters, digits, "
            "'_', '-' and '.' only."},
    {.path = "seed", .type = IPSIM_PARAM_UINT64, .offset = AT(seed), .default_yaml = "1",
     .unit = "-",
     .doc = "Random seed. Same seed and parameters give bit-identical results for any thread "
            "count; scenarios sharing a seed share random numbers (common random numbers)."},

    {.path = "cohort.patients", .type = IPSIM_PARAM_INT, .offset = AT(cohort.patients),
     .min = 1, .max = 1e12, .default_yaml = "10000", .unit = "patients",
     .doc = "Patients simulated in each replicate."},
    {.path = "cohort.replicates", .type = IPSIM_PARAM_INT, .offset = AT(cohort.replicates),
     .min = 1, .max = 1e6, .default_yaml = "1", .unit = "replicates",
     .doc = "Independent repeats of the cohort (each its own random stream)."},
    {.path = "cohort.horizon_months", .type = IPSIM_PARAM_INT,
     .offset = AT(cohort.horizon_months), .min = 1, .max = 1200, .default_yaml = "120",
     .unit = "months",
     .doc = "Follow-up from diagnosis; a multiple of cycle_months. Month 0 is diagnosis."},
    {.path = "cohort.cycle_months", .type = IPSIM_PARAM_INT, .offset = AT(cohort.cycle_months),
     .min = 1, .max = 12, .default_yaml = "1", .unit = "months",
     .doc = "Cycle length. Hazards scale with it; the monthly transition matrix is raised to "
            "this power."},
    {.path = "cohort.baseline_mix", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(cohort.baseline_mix), .length = IPSIM_GRADES, .labels = grade_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{none: 0.099, mild: 0.140, moderate: 0.286, severe: 0.099, "
                     "very_severe: 0.376}",
     .unit = "share",
     .doc = "Grade mix at diagnosis. Default: review sections 1 and 3.1.1 (IP in 90.1%, so none "
            "9.9%; mild 14.0%, moderate 28.6%); the remaining 47.5% is severe or worse, and "
            "the review's 76.1% 'severe or worse' reads as moderate or worse (docs/review.md). "
            "Its split, severe 9.9% and very_severe 37.6%, is an assumption (the review's "
            "'severe 9.9%' is very probably the share without IP)."},

    {.path = "grades.transitions", .type = IPSIM_PARAM_BOOL, .offset = AT(grades.transitions),
     .default_yaml = "true", .unit = "-",
     .doc = "Whether grades change during follow-up; false holds every patient at the grade "
            "of diagnosis."},
    {.path = "grades.model", .type = IPSIM_PARAM_CHOICE, .offset = AT(grades.model),
     .choices = grade_model_choices, .default_yaml = "levels", .unit = "-",
     .doc = "levels: each patient's polyclonal IgG, IgA and IgM (section immunoglobulins) move "
            "between bands, one band up with probability improve_per_month[phase] x "
            "response_improve_factor[response] x immunoglobulins.recovery_factor[class] or down "
            "with probability worsen_per_month[phase] each month, and the grade is derived from "
            "them (review section 3.2; docs/model.md); pathway: the grade itself moves one grade "
            "better or worse at those rates; matrix: every patient follows transition_matrix, "
            "whatever the phase."},
    {.path = "grades.transition_matrix", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_MATRIX,
     .offset = AT(grades.transition_matrix), .length = IPSIM_GRADES, .labels = grade_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_ROWS_SUM_TO_ONE,
     .default_yaml = "{none: [0.99, 0.01, 0, 0, 0], mild: [0.03, 0.96, 0.01, 0, 0], "
                     "moderate: [0, 0.03, 0.96, 0.01, 0], severe: [0, 0, 0.03, 0.96, 0.01], "
                     "very_severe: [0, 0, 0, 0.03, 0.97]}",
     .unit = "probability per month",
     .doc = "Monthly probability of moving from the row's grade to the column's grade, among "
            "survivors. Default: assumption (slow net recovery, 3%/month one grade better, "
            "1%/month one grade worse). Used only when model is matrix."},
    {.path = "grades.improve_per_month", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(grades.improve_per_month), .length = IPSIM_PHASES, .labels = phase_labels,
     .min = 0, .max = 1,
     .default_yaml = "{induction: 0.4971986142, transplant: 0.0232512146, "
                     "maintenance: 0.04923657874, second_line: 0.005, later_lines: 0.005, "
                     "no_treatment: 0}",
     .unit = "probability per month",
     .doc = "Monthly probability of moving one grade better, by phase, for a patient in "
            "complete response (other responses: times response_improve_factor; after the first "
            "line the factor is not applied). Induction, transplant and maintenance are fitted by "
            "`ipsim calibrate` to the review's recovery figures (62.5% improved after 3 VRD "
            "cycles in CR; 37.5% vs 18.8% fully recovered 12 months after ASCT or without it; "
            "docs/review.md); the later phases are assumptions."},
    {.path = "grades.worsen_per_month", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(grades.worsen_per_month), .length = IPSIM_PHASES, .labels = phase_labels,
     .min = 0, .max = 1,
     .default_yaml = "{induction: 0.005, transplant: 0.005, maintenance: 0.005, "
                     "second_line: 0.03, later_lines: 0.03, no_treatment: 0.05}",
     .unit = "probability per month",
     .doc = "Monthly probability of moving one grade worse, by phase. Default: assumption "
            "(IP rarely deepens on effective therapy; relapse suppresses polyclonal "
            "immunoglobulins again)."},
    {.path = "grades.response_improve_factor", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(grades.response_improve_factor),
     .length = IPSIM_RESPONSES, .labels = response_labels, .min = 0, .max = 1,
     .default_yaml = "{cr: 1, vgpr: 0.6, pr: 0.3, less: 0.1}", .unit = "factor",
     .doc = "Recovery rate of each response depth relative to complete response. Review "
            "section 3.1.3: CR patients recover more often than partial responders (no "
            "figure); the values are an assumption."},

#include "params/schema_immunoglobulins.h"

    {.path = "infection.window_months", .type = IPSIM_PARAM_INT,
     .offset = AT(infection.window_months), .min = 1, .max = 1200, .default_yaml = "12",
     .unit = "months",
     .doc = "Window over which share_within_window is measured; a multiple of cycle_months, "
            "at most the horizon. Default: assumption (the review names no window; the first "
            "year after diagnosis carries the highest infection risk, Blimark et al., "
            "Haematologica 2015 and 2025)."},
    {.path = "infection.share_within_window", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(infection.share_within_window),
     .length = IPSIM_GRADES, .labels = grade_labels, .min = 0, .max = 1, .max_exclusive = true,
     .default_yaml = "{none: 0.03216, mild: 0.09544762673, moderate: 0.146027144, "
                     "severe: 0.2243974497, very_severe: 0.2243974497}",
     .unit = "share",
     .doc = "Share of patients held in a grade (outside any phase's rate ratio) with >= 1 "
            "infection over the window; the grade's monthly hazard is -ln(1 - share) / "
            "window_months. Default: mild, moderate and severe (= very_severe) fitted by `ipsim "
            "calibrate` so that, with grades changing and lenalidomide's rate ratio, the shares "
            "by grade at diagnosis are the review's 18.2%, 25.6% and 38.9% (severe or worse; "
            "section 3.1.2); none is calc: mild's fitted value x 15.8/53.1, the no-IP/partial-IP "
            "ratio of first-6-month infection (Mediterr J Hematol Infect Dis, 213 patients)."},
    {.path = "infection.type_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(infection.type_share), .length = IPSIM_INFECTION_TYPES, .labels = type_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{bacterial: 0.653, viral: 0.286, fungal: 0.061}", .unit = "share",
     .doc = "Type of each infection episode. Default: review section 3.1.2."},
    {.path = "infection.serious_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(infection.serious_share), .length = IPSIM_GRADES, .labels = grade_labels,
     .min = 0, .max = 1,
     .default_yaml = "{none: 0.3, mild: 0.3, moderate: 0.3, severe: 0.3304409338, "
                     "very_severe: 0.3304409338}",
     .unit = "probability",
     .doc = "Probability that an episode is serious (hospitalised), by grade. Default: 0.30 is "
            "an assumption; severe (= very_severe) is fitted by `ipsim calibrate` so that "
            "serious infections are 3.2x as frequent per month in severe-or-worse IP as in mild "
            "IP (review section 3.1.2)."},

    {.path = "infection.risk_by", .type = IPSIM_PARAM_CHOICE, .offset = AT(infection.risk_by),
     .choices = risk_by_choices, .default_yaml = "grade", .unit = "-",
     .doc = "grade: a patient's infection hazard is the grade's (share_within_window); igg: the "
            "grade's hazard at an own IgG equal to the lower limit of normal "
            "(immunoglobulins.lower_limit_g_per_l.igg), times igg_rate_ratio_per_g_per_l for each g/L "
            "of own polyclonal IgG (excluding paraprotein and given immunoglobulin) above it, "
            "both IgG values capped at igg_plateau_g_per_l. igg needs grades.model: levels; "
            "share_within_window is then refitted by `ipsim calibrate` (params/risk-by-igg.yaml)."},
    {.path = "infection.igg_rate_ratio_per_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(infection.igg_rate_ratio_per_g_per_l), .min = 0.01, .max = 1,
     .default_yaml = "0.87", .unit = "rate ratio per g/L",
     .doc = "Infection rate ratio per 1 g/L higher own IgG (risk_by: igg). Default: Lee et al., "
            "J Clin Immunol 2020;40:682-98 (meta-analysis in primary immunodeficiency: infections "
            "13% fewer for each 100 mg/dL higher IgG trough); applying it to a myeloma patient's "
            "own polyclonal IgG within a grade is an assumption (docs/sources.md)."},
    {.path = "infection.igg_plateau_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(infection.igg_plateau_g_per_l), .min = 0.1, .max = 30,
     .default_yaml = "9.6", .unit = "g/L",
     .doc = "IgG above which a higher level lowers infections no further (risk_by: igg). "
            "Default: Lee 2020 (the decline held up to 960 mg/dL)."},

    {.path = "infection.early_months", .type = IPSIM_PARAM_INT,
     .offset = AT(infection.early_months), .min = 0, .max = 1200, .default_yaml = "3",
     .unit = "months",
     .doc = "The first months after diagnosis, while in induction, in which infections carry "
            "early_rate_ratio on top of the phase's: the highest-risk period (IMWG, Raje et "
            "al., Lancet Haematol 2022; TEAMM, Drayson et al., Lancet Oncol 2019: 12 weeks)."},
    {.path = "infection.early_rate_ratio", .type = IPSIM_PARAM_REAL,
     .offset = AT(infection.early_rate_ratio), .min = 0, .max = 50,
     .default_yaml = "3.006678952",
     .unit = "rate ratio",
     .doc = "Infection hazard in the early months relative to the rest of induction. Fitted by "
            "`ipsim calibrate` so that 67.3% of the infections of the first 6 months begin in "
            "the first 3 (Bove et al., JCO Glob Oncol 2022, 248 newly diagnosed patients)."},
    {.path = "infection.neutropenic_months", .type = IPSIM_PARAM_INT,
     .offset = AT(infection.neutropenic_months), .min = 0, .max = 60, .default_yaml = "1",
     .unit = "months",
     .doc = "The first months of the transplant phase, after high-dose melphalan, in which "
            "infections carry neutropenic_rate_ratio on top of the phase's (assumption: the "
            "neutropenic weeks fall in the month of ASCT)."},
    {.path = "infection.neutropenic_rate_ratio", .type = IPSIM_PARAM_REAL,
     .offset = AT(infection.neutropenic_rate_ratio), .min = 0, .max = 100, .default_yaml = "10",
     .unit = "rate ratio",
     .doc = "Infection hazard in the neutropenic months relative to the rest of the transplant "
            "phase. Default: calc, about the ratio of complication rates in the first 100 days "
            "after ASCT to those later, 24.85 against under 2.31 per 100 patient-years (EBMT "
            "CALM, 3,552 myeloma patients: Waszczuk-Gajda et al., J Clin Med 2022;11:3541), "
            "all complications standing for infections (assumption). Total Therapy 2's severe "
            "infection in a fifth after melphalan-ASCT is shown beside the model by `ipsim "
            "validate` (docs/model.md)."},

    {.path = "mortality.background", .type = IPSIM_PARAM_CHOICE, .offset = AT(mortality.background),
     .choices = background_choices, .default_yaml = "life_table", .unit = "-",
     .doc = "Deaths from causes other than myeloma and its infections: life_table, the general "
            "population's by age and sex (mortality.life_table); constant, "
            "background_monthly_probability for everyone (for tests and teaching)."},
    {.path = "mortality.life_table", .type = IPSIM_PARAM_CHOICE, .offset = AT(mortality.life_table),
     .choices = ipsim_life_table_names, .default_yaml = "uk_2017_2019", .unit = "-",
     .doc = "The general-population life table (params/data/; docs/sources.md): "
            "uk_2017_2019, the ONS National Life Tables for the United Kingdom, 2017-2019, the "
            "last period before COVID-19."},
    {.path = "mortality.background_monthly_probability", .type = IPSIM_PARAM_REAL,
     .offset = AT(mortality.background_monthly_probability), .min = 0, .max = 1,
     .default_yaml = "0.0015", .unit = "probability per month",
     .doc = "Monthly probability of death from other causes when background is constant. "
            "Default: about the general population's at 70 (assumption); unused with the life "
            "table."},
    {.path = "mortality.excess_hazard_per_month", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(mortality.excess_hazard_per_month),
     .length = IPSIM_PHASES, .labels = phase_labels, .min = 0, .max = 5,
     .default_yaml = "{induction: 0.03487029147, transplant: 0, maintenance: 0, "
                     "second_line: 0.01654802301, later_lines: 0.01654802301, no_treatment: 0.1}",
     .unit = "per month",
     .doc = "Myeloma's excess mortality (other than its simulated infection deaths) by phase. "
            "induction is fitted by `ipsim calibrate` to 8% dead within 2 months of diagnosis "
            "(Swedish Myeloma Registry 2008-2021, Blimark et al., Haematologica 2025), "
            "second_line (= later_lines) to the median overall survival of 75 months of VRd "
            "without ASCT (SWOG S0777, Durie et al., Lancet 2017). transplant and maintenance "
            "0: while the disease is controlled, deaths are of other causes and of infection, "
            "both simulated (assumption); no_treatment 0.1 (median about 7 months without "
            "treatment) is an assumption. Progression also raises infection deaths "
            "(pathway.infection_rate_ratio) and can end treatment "
            "(lines.no_further_treatment_share)."},
    {.path = "mortality.serious_infection_case_fatality", .type = IPSIM_PARAM_REAL,
     .offset = AT(mortality.serious_infection_case_fatality), .min = 0, .max = 1,
     .default_yaml = "0.157", .unit = "probability per serious episode",
     .doc = "Probability that a serious infection episode is fatal. Default: in-hospital "
            "mortality of sepsis admissions in cancer, 15.7% (J Clin Oncol 2020;38(15_suppl):"
            "e20513), a proxy."},

    {.path = "diagnosis.age_band_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(diagnosis.age_band_share), .length = IPSIM_AGE_BANDS,
     .labels = age_band_labels, .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{under_45: 0.03, 45_49: 0.03, 50_54: 0.05, 55_59: 0.08, 60_64: 0.11, "
                     "65_69: 0.13, 70_74: 0.14, 75_79: 0.15, 80_84: 0.14, 85_89: 0.10, "
                     "90_and_over: 0.04}",
     .unit = "share",
     .doc = "Age at diagnosis by band (under_45 read as 35-44, 90_and_over as 90-99; whole "
            "years within a band equally likely). Default: calc, a smooth distribution matched "
            "to the published anchors for the UK, no band table having been read: 43% aged 75 "
            "or over (Cancer Research UK), about 3-4% under 45, median about 72 (docs/sources.md)."},
    {.path = "diagnosis.male_share", .type = IPSIM_PARAM_REAL, .offset = AT(diagnosis.male_share),
     .min = 0, .max = 1, .default_yaml = "0.57", .unit = "share",
     .doc = "Share of men at diagnosis. Default: 57%, the UK's 56-58% in 2011-2015 (Cancer "
            "Research UK, myeloma incidence statistics)."},
    {.path = "diagnosis.weight_kg_mean", .type = IPSIM_PARAM_REAL,
     .offset = AT(diagnosis.weight_kg_mean), .min = 20, .max = 250, .default_yaml = "75",
     .unit = "kg",
     .doc = "Mean body weight at diagnosis, for IVIG doses (which are per kg). Default: "
            "assumption (adults with myeloma)."},
    {.path = "diagnosis.weight_kg_sd", .type = IPSIM_PARAM_REAL,
     .offset = AT(diagnosis.weight_kg_sd), .min = 0, .max = 100, .default_yaml = "15",
     .unit = "kg", .doc = "Standard deviation of body weight before truncation. Default: assumption."},
    {.path = "diagnosis.weight_kg_min", .type = IPSIM_PARAM_REAL,
     .offset = AT(diagnosis.weight_kg_min), .min = 20, .max = 250, .default_yaml = "40",
     .unit = "kg", .doc = "Lowest body weight drawn (the normal is truncated here)."},
    {.path = "diagnosis.weight_kg_max", .type = IPSIM_PARAM_REAL,
     .offset = AT(diagnosis.weight_kg_max), .min = 20, .max = 250, .default_yaml = "150",
     .unit = "kg", .doc = "Highest body weight drawn."},
    {.path = "diagnosis.myeloma_type_share", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(diagnosis.myeloma_type_share),
     .length = IPSIM_MYELOMA_TYPES, .labels = myeloma_type_labels, .min = 0, .max = 1,
     .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{igg: 0.584, iga: 0.236, light_chain: 0.180}", .unit = "share",
     .doc = "Myeloma type by M-protein. Default: calc from Kyle et al., Mayo Clin Proc "
            "2003;78:21 (1,027 patients: IgG 52%, IgA 21%, light chain 16%), the other types "
            "(IgD, biclonal, non-secretory) left out and the three renormalised. IgG- and "
            "IgA-type myeloma have two uninvolved classes, light chain three; the review "
            "applies its five-grade scale to all, and so does ipsim."},
    {.path = "diagnosis.riss_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(diagnosis.riss_share), .length = IPSIM_RISS_STAGES, .labels = riss_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{i: 0.28, ii: 0.62, iii: 0.10}", .unit = "share",
     .doc = "R-ISS stage at diagnosis. Default: Palumbo et al., J Clin Oncol 2015;33:2863 "
            "(3,060 patients: 28%, 62%, 10%)."},
    {.path = "diagnosis.type_severity_log_odds", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(diagnosis.type_severity_log_odds),
     .length = IPSIM_MYELOMA_TYPES, .labels = myeloma_type_labels, .min = -20, .max = 20,
     .default_yaml = "{igg: 0, iga: -0.5515596012, light_chain: -2.112823141}",
     .unit = "log odds",
     .doc = "Shift of the log odds of every 'grade >= k' by myeloma type (a proportional-odds "
            "model whose intercepts keep the cohort's mix at cohort.baseline_mix). iga and "
            "light_chain fitted by `ipsim calibrate` to severe-or-worse IP in 58.3% of IgG- and "
            "45.2% of IgA-type myeloma (review section 3.1.1); igg is the reference, 0. The "
            "review's very severe IP in 18.6% of light-chain myeloma cannot also hold: with the "
            "other two figures and the grade mix, light chain has at most 15.5% severe or "
            "worse (`ipsim validate` says so)."},
    {.path = "diagnosis.riss_severity_log_odds", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(diagnosis.riss_severity_log_odds),
     .length = IPSIM_RISS_STAGES, .labels = riss_labels, .min = -20, .max = 20,
     .default_yaml = "{i: 0, ii: 0.727, iii: 1.486}", .unit = "log odds",
     .doc = "Shift of the log odds of every 'grade >= k' by R-ISS stage (review: more severe "
            "IP in R-ISS II/III, no figure). Default: calc, the log odds ratios of IP "
            "prevalence 78/88/94% by ISS stage 1/2/3 (Greek Myeloma Study Group, Blood 2013), "
            "used for R-ISS."},

    {.path = "pathway.induction_cycles", .type = IPSIM_PARAM_INT,
     .offset = AT(pathway.induction_cycles), .min = 1, .max = 24, .default_yaml = "3",
     .unit = "treatment cycles",
     .doc = "Induction cycles before response (and IP improvement) is assessed. Default: the "
            "review's 3 cycles of VRD (section 3.1.3). Another regimen (e.g. daratumumab-VRD) "
            "is another parameter set: params/regimen-dvrd.yaml."},
    {.path = "pathway.induction_cycle_days", .type = IPSIM_PARAM_INT,
     .offset = AT(pathway.induction_cycle_days), .min = 7, .max = 84, .default_yaml = "21",
     .unit = "days",
     .doc = "Days per induction cycle (VRD: 21, SWOG S0777, Durie et al., Lancet "
            "2017;389:519). Induction lasts cycles x days, rounded to whole simulation cycles."},
    {.path = "pathway.response_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(pathway.response_share), .length = IPSIM_RESPONSES, .labels = response_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{cr: 0.157, vgpr: 0.278, pr: 0.380, less: 0.185}", .unit = "share",
     .doc = "Response at the end of induction. Default: calc from the VRD arm of SWOG S0777 "
            "(Durie et al., Lancet 2017: CR 15.7%, VGPR or better 43.5%, overall response "
            "81.5%), taken as the end-of-induction response (assumption)."},
    {.path = "pathway.transplant_eligible_share", .type = IPSIM_PARAM_REAL,
     .offset = AT(pathway.transplant_eligible_share), .min = 0, .max = 1, .default_yaml = "0.5",
     .unit = "share",
     .doc = "Share eligible for ASCT among patients up to transplant_age_limit (the fit "
            "enough). Default: assumption."},
    {.path = "pathway.transplant_age_limit", .type = IPSIM_PARAM_INT,
     .offset = AT(pathway.transplant_age_limit), .min = 0, .max = 120, .default_yaml = "70",
     .unit = "years",
     .doc = "Oldest age at diagnosis at which a patient may receive ASCT. Default: 70, the "
            "usual upper limit in UK practice (assumption; trials such as EMN02/HO95 took "
            "patients up to 65)."},
    {.path = "pathway.asct_month", .type = IPSIM_PARAM_INT, .offset = AT(pathway.asct_month),
     .min = 0, .max = 1200, .default_yaml = "4", .unit = "months",
     .doc = "Months after diagnosis at which eligible patients who have not progressed "
            "receive ASCT; induction continues until then. At least the end of induction. "
            "Default: assumption (induction, then stem-cell mobilisation)."},
    {.path = "pathway.transplant_phase_months", .type = IPSIM_PARAM_INT,
     .offset = AT(pathway.transplant_phase_months), .min = 1, .max = 60, .default_yaml = "3",
     .unit = "months",
     .doc = "Months from ASCT to the start of maintenance (assumption: maintenance from about "
            "day 100, as in the lenalidomide maintenance trials)."},
    {.path = "pathway.infection_rate_ratio", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(pathway.infection_rate_ratio),
     .length = IPSIM_PHASES, .labels = phase_labels, .min = 0, .max = 10,
     .default_yaml = "{induction: 1.5, transplant: 1, maintenance: 1.5, second_line: 4.05, "
                     "later_lines: 4.05, no_treatment: 4.05}",
     .unit = "rate ratio",
     .doc = "Infection hazard in each phase relative to the grade's own. Immunomodulatory "
            "drugs (lenalidomide, in VRD induction, in maintenance and in most relapse "
            "regimens) raise infection incidence even in mild IP (review section 3.1.2, no "
            "figure); 1.5 is an assumption. 1 in the transplant phase, which has no "
            "lenalidomide (its neutropenic months have their own ratio: infection.*). After a "
            "progression, calc 4.05 = 1.5 x 2.7: progressive disease had 4.9 infection events "
            "per patient-year against 1.8 in controlled disease (Mount Sinai IVIG cohort, Clin "
            "Lymphoma Myeloma Leuk 2021;21:e470, 68 patients)."},
    {.path = "pathway.progression_hazard_per_month", .type = IPSIM_PARAM_REAL,
     .offset = AT(pathway.progression_hazard_per_month), .min = 0, .max = 1,
     .default_yaml = "0.01359566892",
     .unit = "per month",
     .doc = "Hazard of progression for a patient whose IP did not improve after induction "
            "(and during induction). Fitted by `ipsim calibrate` to the review's median "
            "progression-free survival of 38 months in that group (section 5.1), deaths "
            "counted as events."},
    {.path = "pathway.progression_hazard_ratio_improved", .type = IPSIM_PARAM_REAL,
     .offset = AT(pathway.progression_hazard_ratio_improved), .min = 0, .max = 10,
     .default_yaml = "0.7224466073",
     .unit = "hazard ratio",
     .doc = "Progression hazard of patients whose IP improved after induction (or who had "
            "none at diagnosis) relative to those whose IP did not improve. Fitted by `ipsim "
            "calibrate` to the median PFS of 43 months of VRd without ASCT (SWOG S0777, "
            "Durie et al., Lancet 2017), together with the review's 38 months in the "
            "not-improved group; the review's 'median not reached' in the improved group is "
            "a validation target (docs/model.md)."},

    {.path = "pathway.progression_hazard_ratio_transplant", .type = IPSIM_PARAM_REAL,
     .offset = AT(pathway.progression_hazard_ratio_transplant), .min = 0, .max = 10,
     .default_yaml = "0.8932003072",
     .unit = "hazard ratio",
     .doc = "First-line progression hazard from ASCT on, relative to the same patient without "
            "it. Fitted by `ipsim calibrate` to the ASCT arm of EMN02/HO95 (median PFS 56.7 "
            "months from the first randomisation; Cavo et al., Lancet Haematol 2020)."},

    {.path = "lines.progression_hazard_per_month", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(lines.progression_hazard_per_month), .length = 2,
     .labels = later_line_labels, .min = 0, .max = 5,
     .default_yaml = "{second_line: 0.066, later_lines: 0.0877}", .unit = "per month",
     .doc = "Hazard of the next progression on the second line and on each later line. "
            "Default: calc ln 2 / median, from real-world median progression-free survival "
            "of 10.5 months on the second and 7.9 on the third line (Jagannath et al., Expert "
            "Rev Hematol 2016;9:707, US community practice), read as times to progression "
            "(assumption: deaths come on top)."},
    {.path = "lines.no_further_treatment_share", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(lines.no_further_treatment_share),
     .length = IPSIM_LINES, .labels = line_labels, .min = 0, .max = 1,
     .default_yaml = "{first_line: 0.05, second_line: 0.07, later_lines: 0.11}",
     .unit = "share",
     .doc = "At a progression on each line, the share of patients alive who receive no "
            "further anti-myeloma treatment (the rest start the next line). Default: calc, a "
            "third of the real-world attrition after lines 1, 2, 3 (no next line, or death: "
            "7/12/23% with ASCT, 19/26/40% without, weighted 35:65; Canadian Myeloma Research "
            "Group 2010-2020, Blood Cancer J 2023;13:111), death being the main part of "
            "attrition there (the third is an assumption)."},

#include "params/schema_ivig.h"

    {.path = "vaccination.influenza_coverage", .type = IPSIM_PARAM_REAL,
     .offset = AT(vaccination.influenza_coverage), .min = 0, .max = 1, .default_yaml = "0",
     .unit = "probability",
     .doc = "Probability a living patient is vaccinated against influenza each season (0: no "
            "vaccination). Review section 4.2: vaccination lowers infection risk."},
    {.path = "vaccination.influenza_month", .type = IPSIM_PARAM_INT,
     .offset = AT(vaccination.influenza_month), .min = 1, .max = 12, .default_yaml = "10",
     .unit = "calendar month",
     .doc = "Calendar month of the yearly dose (10: October, northern-hemisphere autumn). "
            "Each patient's calendar month of diagnosis is drawn uniformly."},
    {.path = "vaccination.influenza_protection_months", .type = IPSIM_PARAM_INT,
     .offset = AT(vaccination.influenza_protection_months), .min = 0, .max = 12,
     .default_yaml = "6", .unit = "months",
     .doc = "Months of protection after a dose that took (assumption: the season)."},
    {.path = "vaccination.influenza_response", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(vaccination.influenza_response),
     .length = IPSIM_GRADES, .labels = grade_labels, .min = 0, .max = 1,
     .default_yaml = "{none: 0.633, mild: 0.40, moderate: 0.25, severe: 0.146, "
                     "very_severe: 0.10}",
     .unit = "probability",
     .doc = "Probability a dose takes, by grade when given (review: weaker response under IP). "
            "none: 63.3% responded without IP (PubMed 40372494); severe: 14.6% seroprotected "
            "after one dose in myeloma (Haematologica 2015, PMC4486243); the grades between "
            "and very_severe are assumptions, interpolated."},
    {.path = "vaccination.influenza_viral_prevented", .type = IPSIM_PARAM_REAL,
     .offset = AT(vaccination.influenza_viral_prevented), .min = 0, .max = 1,
     .default_yaml = "0.2", .unit = "share",
     .doc = "Share of viral episodes prevented while protected: influenza's share of viral "
            "infections times the vaccine's efficacy against it (assumption: 0.4 x 0.5)."},
    {.path = "vaccination.pneumococcal_coverage", .type = IPSIM_PARAM_REAL,
     .offset = AT(vaccination.pneumococcal_coverage), .min = 0, .max = 1, .default_yaml = "0",
     .unit = "probability",
     .doc = "Probability a patient is vaccinated against pneumococcus (PCV13 then PPSV23), "
            "once (0: no vaccination)."},
    {.path = "vaccination.pneumococcal_month", .type = IPSIM_PARAM_INT,
     .offset = AT(vaccination.pneumococcal_month), .min = 0, .max = 1200, .default_yaml = "3",
     .unit = "months",
     .doc = "Months after diagnosis at which the course is given (assumption: after "
            "induction begins)."},
    {.path = "vaccination.pneumococcal_protection_months", .type = IPSIM_PARAM_INT,
     .offset = AT(vaccination.pneumococcal_protection_months), .min = 0, .max = 1200,
     .default_yaml = "36", .unit = "months",
     .doc = "Months of protection after a course that took (titres wane: Renaud et al., "
            "Cancer Med 2019; 36 is an assumption)."},
    {.path = "vaccination.pneumococcal_response", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(vaccination.pneumococcal_response),
     .length = IPSIM_GRADES, .labels = grade_labels, .min = 0, .max = 1,
     .default_yaml = "{none: 0.85, mild: 0.85, moderate: 0.65, severe: 0.55, "
                     "very_severe: 0.55}",
     .unit = "probability",
     .doc = "Probability the course takes, by grade when given. Renaud et al., Cancer Med "
            "2019: response in >= 1 / 2 / 3 antibody classes 85 / 65 / 55%, mapped to mild / "
            "moderate / severe (assumption)."},
    {.path = "vaccination.pneumococcal_bacterial_prevented", .type = IPSIM_PARAM_REAL,
     .offset = AT(vaccination.pneumococcal_bacterial_prevented), .min = 0, .max = 1,
     .default_yaml = "0.15", .unit = "share",
     .doc = "Share of bacterial episodes prevented while protected: the pneumococcal share "
            "of bacterial infections times the vaccine's efficacy (assumption: 0.3 x 0.5)."},

    {.path = "economics.currency", .type = IPSIM_PARAM_STRING, .offset = AT(economics.currency),
     .default_yaml = "GBP", .unit = "-",
     .doc = "Currency of every cost (ISO 4217 code; a label only: ipsim converts nothing)."},
    {.path = "economics.price_year", .type = IPSIM_PARAM_INT, .offset = AT(economics.price_year),
     .min = 1900, .max = 2200, .default_yaml = "2019", .unit = "year",
     .doc = "Price year of the costs (a label; the defaults' sources range from 2018 to 2022 and "
            "are not inflated)."},
    {.path = "economics.discount_rate_costs", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.discount_rate_costs), .min = 0, .max = 0.5, .default_yaml = "0.035",
     .unit = "per year",
     .doc = "Annual discount rate of costs; a cycle starting t months after diagnosis is "
            "weighted (1 + r)^(-t/12). Default: 3.5%, NICE methods guide."},
    {.path = "economics.discount_rate_effects", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.discount_rate_effects), .min = 0, .max = 0.5, .default_yaml = "0.035",
     .unit = "per year",
     .doc = "Annual discount rate of QALYs and life-years. Default: 3.5%, NICE methods guide "
            "(1.5% in special cases)."},
    {.path = "economics.counting", .type = IPSIM_PARAM_CHOICE, .offset = AT(economics.counting),
     .choices = ipsim_counting_names, .default_yaml = "trapezoid", .unit = "-",
     .doc = "When a cycle's state values (QALYs, life-years, phase costs) are counted. "
            "beginning: the state at the cycle's start, in full, discounted at the start; end: "
            "the state at its end (nothing for the cycle a patient dies in), discounted at the "
            "end; half_cycle: the life-table method, the average of the start and end states, "
            "discounted at the cycle's start; trapezoid: the average of the start and end "
            "values each discounted at its own time (the half-cycle correction applied to "
            "discounted values). Event costs (episodes, IVIG, vaccines) are counted in the "
            "cycle they occur by every method. Worked example in docs/model.md. Default: "
            "trapezoid (Elbasha & Chhatwal, Med Decis Making 2016;36:115)."},
    {.path = "economics.ivig_price_per_gram", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.ivig_price_per_gram), .min = 0, .max = 10000, .default_yaml = "34",
     .unit = "currency per g",
     .doc = "Price of immunoglobulin. Default: GBP 34 per gram, the UK average (National "
            "Immunoglobulin Database annual report 2018/19)."},
    {.path = "economics.ivig_administration_cost", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.ivig_administration_cost), .min = 0, .max = 100000,
     .default_yaml = "100", .unit = "currency per infusion",
     .doc = "Cost of giving one infusion (nursing, supplies). Default: about 100 per infusion "
            "(calc from Winters et al., BMC Health Serv Res 2011;11:101: USD 474 nursing + 25 "
            "supplies per 5 infusions), taken as GBP 100 (assumption: not converted)."},
    {.path = "economics.scig_price_per_gram", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.scig_price_per_gram), .min = 0, .max = 10000, .default_yaml = "34",
     .unit = "currency per g",
     .doc = "Price of subcutaneous immunoglobulin (ivig.route scig). Default: assumption, the UK "
            "average Ig price as for IVIG (National Immunoglobulin Database 2018/19)."},
    {.path = "economics.scig_administration_cost", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.scig_administration_cost), .min = 0, .max = 100000,
     .default_yaml = "15", .unit = "currency per infusion",
     .doc = "Cost of one SCIG infusion. Default: assumption, self-given at home after training "
            "(consumables and nurse support), in place of a day-case IVIG infusion."},
    {.path = "economics.ig_reaction_cost", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.ig_reaction_cost), .min = 0, .max = 100000, .default_yaml = "50",
     .unit = "currency per reaction",
     .doc = "Cost of managing one infusion reaction (slowing the infusion, oral antihistamine "
            "or paracetamol, about an hour of nurse time). Default: assumption."},
    {.path = "economics.ig_reaction_qalys", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.ig_reaction_qalys), .min = 0, .max = 1, .default_yaml = "0.0003",
     .unit = "QALYs per reaction",
     .doc = "QALYs lost to one infusion reaction. Default: assumption, utility 0.1 lower for "
            "one day (0.1 / 365.25)."},
    {.path = "economics.episode_cost", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(economics.episode_cost), .length = IPSIM_INFECTION_TYPES, .labels = type_labels,
     .min = 0, .max = 1e7, .default_yaml = "{bacterial: 150, viral: 100, fungal: 300}",
     .unit = "currency per episode",
     .doc = "Cost of an episode that is not serious (treated without admission), by type. "
            "Default: assumption (a consultation and oral treatment)."},
    {.path = "economics.serious_episode_cost", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(economics.serious_episode_cost),
     .length = IPSIM_INFECTION_TYPES, .labels = type_labels, .min = 0, .max = 1e7,
     .default_yaml = "{bacterial: 3904, viral: 3904, fungal: 11654}",
     .unit = "currency per episode",
     .doc = "Cost of a serious (admitted) episode, by type. Default: GBP 3,904, the mean UK "
            "pneumonia admission, and GBP 11,654 with critical care, used for fungal "
            "infections (Campling et al., J Med Econ 2022; the fungal choice is an "
            "assumption)."},
    {.path = "economics.influenza_vaccine_cost", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.influenza_vaccine_cost), .min = 0, .max = 1e5, .default_yaml = "20",
     .unit = "currency per dose",
     .doc = "Cost of one influenza dose, given (assumption: vaccine and administration)."},
    {.path = "economics.pneumococcal_vaccine_cost", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.pneumococcal_vaccine_cost), .min = 0, .max = 1e5,
     .default_yaml = "80", .unit = "currency per course",
     .doc = "Cost of the pneumococcal course (PCV13 then PPSV23), given (assumption)."},
    {.path = "economics.phase_cost_per_month", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(economics.phase_cost_per_month),
     .length = IPSIM_PHASES, .labels = phase_labels, .min = 0, .max = 1e7,
     .default_yaml = "{induction: 0, transplant: 0, maintenance: 0, second_line: 0, "
                     "later_lines: 0, no_treatment: 0}",
     .unit = "currency per month",
     .doc = "Cost of a month in each treatment phase (drugs, monitoring). Default: 0, left out: "
            "the IVIG policies compared do not change treatment, so these costs are the same "
            "in every policy except through survival."},
    {.path = "economics.utility_by_phase", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(economics.utility_by_phase), .length = IPSIM_PHASES, .labels = phase_labels,
     .min = -1, .max = 1,
     .default_yaml = "{induction: 0.723, transplant: 0.6, maintenance: 0.737, second_line: 0.65, "
                     "later_lines: 0.65, no_treatment: 0.55}",
     .unit = "utility",
     .doc = "Health utility of a month in each phase (before grade decrements and episode "
            "disutilities). Default: maintenance 0.737, progression-free (NICE TA1133); "
            "induction 0.723, real-world EQ-5D-5L in myeloma (Qerimi et al., Maced Pharm Bull "
            "2016); transplant 0.6, the later lines 0.65 and no treatment 0.55 are "
            "assumptions."},
    {.path = "economics.utility_decrement_by_grade", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(economics.utility_decrement_by_grade),
     .length = IPSIM_GRADES, .labels = grade_labels, .min = -1, .max = 2,
     .default_yaml = "{none: 0, mild: 0, moderate: 0, severe: 0, very_severe: 0}",
     .unit = "utility",
     .doc = "Utility taken off a month in each grade. Default: 0 (no published utility by IP "
            "grade: the grade acts on quality of life through infections only)."},
    {.path = "economics.episode_disutility", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.episode_disutility), .min = 0, .max = 2, .default_yaml = "0.1",
     .unit = "utility",
     .doc = "Utility lost while an episode that is not serious lasts (assumption)."},
    {.path = "economics.episode_disutility_days", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.episode_disutility_days), .min = 0, .max = 365, .default_yaml = "14",
     .unit = "days", .doc = "How long that loss lasts (assumption)."},
    {.path = "economics.serious_episode_disutility", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.serious_episode_disutility), .min = 0, .max = 2,
     .default_yaml = "0.218", .unit = "utility",
     .doc = "Utility lost while a serious episode lasts. Default: 0.218, serious infection in "
            "AML (Stein et al., Health Qual Life Outcomes 2018), a proxy."},
    {.path = "economics.serious_episode_disutility_days", .type = IPSIM_PARAM_REAL,
     .offset = AT(economics.serious_episode_disutility_days), .min = 0, .max = 365,
     .default_yaml = "13.4", .unit = "days",
     .doc = "How long that loss lasts. Default: calc, 13.4 days makes 0.218 x 13.4 / 365.25 = "
            "0.008 QALY, the loss per inpatient pneumonia episode (BMC Health Serv Res "
            "2012;12:386)."},

    {.path = "validation.pfs_followup_months", .type = IPSIM_PARAM_INT,
     .offset = AT(validation.pfs_followup_months), .min = 1, .max = 1200,
     .default_yaml = "48", .unit = "months",
     .doc = "Follow-up within which `ipsim validate` checks the review's 'median PFS not "
            "reached' for patients whose IP improved (the review gives none; assumption: "
            "4 years, past the other group's 38-month median)."},

    {.path = "psa.sample", .type = IPSIM_PARAM_BOOL, .offset = AT(psa.sample),
     .default_yaml = "true", .unit = "-",
     .doc = "Probabilistic sensitivity analysis: when parameters are given as distributions "
            "(docs/psa.md), each replicate draws its own values of them (true), or every "
            "replicate uses their deterministic values (false: the base case)."},
    {.path = "psa.posterior", .type = IPSIM_PARAM_POSTERIOR, .offset = AT(psa.posterior),
     .default_yaml = "''", .unit = "-",
     .doc = "A CSV file of joint draws, such as `ipsim calibrate --posterior N` writes (path "
            "relative to this file; '' for none): under PSA each replicate takes one whole "
            "row of it for the parameters that are its columns, so that calibrated "
            "parameters move together (params/posterior_file.h, docs/psa.md)."},

    {.path = "decision.wtp_max", .type = IPSIM_PARAM_REAL, .offset = AT(decision.wtp_max),
     .min = 0, .max = 1e9, .default_yaml = "100000", .unit = "currency/QALY",
     .doc = "Highest willingness to pay per QALY of the grid over which net benefit and the "
            "acceptability curve are reported (from 0). Default: covers NICE's 20,000-30,000 "
            "GBP/QALY range (NICE PMG36, 2022) and beyond."},
    {.path = "decision.wtp_step", .type = IPSIM_PARAM_REAL, .offset = AT(decision.wtp_step),
     .min = 1e-9, .max = 1e9, .default_yaml = "1000", .unit = "currency/QALY",
     .doc = "Spacing of that grid (at most 10,000 steps)."},
    {.path = "decision.population_per_year", .type = IPSIM_PARAM_REAL,
     .offset = AT(decision.population_per_year), .min = 0, .max = 1e9, .default_yaml = "5000",
     .unit = "patients per year",
     .doc = "Patients a year whom the decision concerns, for population value of information "
            "(`ipsim voi`). Default: assumption, about 5,000: some 6,000 new myeloma cases a "
            "year in the UK (Cancer Research UK; unverified, docs/sources.md), 85-90% with "
            "immunoparesis at diagnosis (Sorrig et al., PLoS One 2017; Heaney et al., Leukemia "
            "2018)."},
    {.path = "decision.horizon_years", .type = IPSIM_PARAM_REAL,
     .offset = AT(decision.horizon_years), .min = 0, .max = 100, .default_yaml = "10",
     .unit = "years",
     .doc = "How long the decision stands (the years of patients it affects), for population "
            "value of information. Default: assumption, 10 years (a common choice in "
            "value-of-information studies)."},
    {.path = "decision.discount_rate", .type = IPSIM_PARAM_REAL,
     .offset = AT(decision.discount_rate), .min = 0, .max = 0.5, .default_yaml = "0.035",
     .unit = "per year",
     .doc = "Annual discount rate of later years' patients in population value of information "
            "(the first year undiscounted). Default: 3.5%, NICE methods guide."},

    {.path = "output.trajectories", .type = IPSIM_PARAM_CHOICE, .offset = AT(output.trajectories),
     .choices = trajectory_choices, .default_yaml = "dense", .unit = "-",
     .doc = "dense: write every trajectory (grade, infections, phase, IVIG given, and under "
            "grades.model: levels the IgG, IgA and IgM levels) for every patient and month; "
            "states: the same without the levels, which are four fifths of dense's bytes and "
            "most of its compression time (benchmarks/RESULTS.md); none: only per-patient "
            "records and summaries."},
    {.path = "output.patient_records", .type = IPSIM_PARAM_BOOL,
     .offset = AT(output.patient_records), .default_yaml = "true", .unit = "-",
     .doc = "true: write each patient's record (patients/ and the per-patient economics/ "
            "datasets); false: only per-replicate summaries, enough for a PSA's comparison "
            "and far smaller. Differences are then paired by replicate, not by patient."},
    {.path = "output.compression_level", .type = IPSIM_PARAM_INT,
     .offset = AT(output.compression_level), .min = 0, .max = 9, .default_yaml = "1",
     .unit = "-",
     .doc = "Deflate level of the HDF5 datasets (0 = stored uncompressed). Level 1, the "
            "fastest, stores dense trajectories in about a twentieth of their raw size, "
            "coding their runs of repeated months directly; higher levels search for "
            "matches as deflate does and save a further 15% or so of the file in about twice "
            "the time of a dense run (docs/output-format.md, \"How chunks are written\"). A few "
            "per-patient float datasets whose values deflate barely shrinks are stored "
            "uncompressed at any level (docs/output-format.md, \"How chunks are written\")."},
};

const size_t ipsim_param_spec_count = sizeof ipsim_param_specs / sizeof ipsim_param_specs[0];

const char *const ipsim_param_sections[] = {"cohort",    "grades", "immunoglobulins", "infection",   "mortality",
                                            "diagnosis", "pathway", "lines",       "ivig",        "vaccination",
                                            "economics", "validation", "psa", "decision",
                                            "output"};
const size_t ipsim_param_section_count =
    sizeof ipsim_param_sections / sizeof ipsim_param_sections[0];
_Static_assert(sizeof ipsim_param_specs / sizeof ipsim_param_specs[0] <= IPSIM_PARAM_SPEC_MAX,
               "raise IPSIM_PARAM_SPEC_MAX");

const ipsim_param_spec *ipsim_param_spec_find(const char *path)
{
    for (size_t i = 0; i < ipsim_param_spec_count; i++)
        if (strcmp(ipsim_param_specs[i].path, path) == 0)
            return &ipsim_param_specs[i];
    return NULL;
}

const ipsim_param_spec *ipsim_param_spec_find_within(const char *path, const char **labels)
{
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const ipsim_param_spec *spec = &ipsim_param_specs[i];
        size_t n = strlen(spec->path);
        if (spec->shape != IPSIM_SHAPE_SCALAR && strncmp(path, spec->path, n) == 0 &&
            path[n] == '.' && path[n + 1]) {
            *labels = path + n + 1;
            return spec;
        }
    }
    return NULL;
}

const char *ipsim_param_spec_nearest(const char *path)
{
    /* Candidates: every full path, then every section name. */
    const size_t candidates = ipsim_param_spec_count + ipsim_param_section_count;
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; i < candidates; i++) {
        const char *candidate = i < ipsim_param_spec_count
                                    ? ipsim_param_specs[i].path
                                    : ipsim_param_sections[i - ipsim_param_spec_count];
        size_t dist = ipsim_text_distance(path, candidate);
        /* A truncated name ("cohort.horizon") is as plausible as a typo. */
        if (strncmp(candidate, path, strlen(path)) == 0 && dist > 1)
            dist = 1;
        if (dist < best_distance) {
            best_distance = dist;
            best = candidate;
        }
    }
    /* Plausible misspelling: at most a third of the name changed. */
    size_t len = strlen(path);
    return best_distance <= (len < 9 ? 3 : len / 3) ? best : NULL;
}

void ipsim_param_element_name(const ipsim_param_spec *spec, int e, char *buf, size_t size)
{
    if (spec->shape == IPSIM_SHAPE_SCALAR)
        snprintf(buf, size, "%s", spec->path);
    else if (spec->shape == IPSIM_SHAPE_VECTOR)
        snprintf(buf, size, "%s.%s", spec->path, spec->labels[e]);
    else
        snprintf(buf, size, "%s.%s.%s", spec->path, spec->labels[e / spec->length],
                 spec->labels[e % spec->length]);
}

size_t ipsim_param_spec_index(const ipsim_param_spec *spec)
{
    return (size_t)(spec - ipsim_param_specs);
}

void ipsim_param_spec_range(const ipsim_param_spec *spec, char *buf, size_t size)
{
    if (spec->type == IPSIM_PARAM_INT)
        snprintf(buf, size, "%.0f to %.0f", spec->min, spec->max);
    else
        snprintf(buf, size, "[%g, %g%s", spec->min, spec->max, spec->max_exclusive ? ")" : "]");
}
