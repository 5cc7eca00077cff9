/* params/schema.c: the parameter table. Defaults are the calibrated-to-be
 * baseline (params/baseline.yaml repeats them with their sources); each doc
 * string names where its default comes from. MODEL.md = the source review's
 * figures; SOURCES.md = published values for what the review leaves out. */
#include "params/schema.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "params/params.h"

_Static_assert(sizeof(ipsim_trajectories) == sizeof(int), "CHOICE fields are stored as int");
_Static_assert(sizeof(ipsim_ivig_policy) == sizeof(int), "CHOICE fields are stored as int");

static const char *const grade_labels[] = {"none", "mild", "moderate", "severe", "very_severe"};
static const char *const type_labels[] = {"bacterial", "viral", "fungal"};
static const char *const trajectory_choices[] = {"dense", "none", NULL};
static const char *const ivig_policy_choices[] = {"none", "grade", "infections",
                                                  "grade_or_infections", NULL};
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
            "9.9%; mild 14.0%, moderate 28.6%, severe 9.9%); very_severe takes the remaining "
            "37.6% (calc). The review's 76.1% 'severe or worse' does not fit these figures "
            "(MODEL.md)."},

    {.path = "grades.transitions", .type = IPSIM_PARAM_BOOL, .offset = AT(grades.transitions),
     .default_yaml = "true", .unit = "-",
     .doc = "Whether grades change during follow-up; false holds every patient at the grade "
            "of diagnosis."},
    {.path = "grades.transition_matrix", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_MATRIX,
     .offset = AT(grades.transition_matrix), .length = IPSIM_GRADES, .labels = grade_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_ROWS_SUM_TO_ONE,
     .default_yaml = "{none: [0.99, 0.01, 0, 0, 0], mild: [0.03, 0.96, 0.01, 0, 0], "
                     "moderate: [0, 0.03, 0.96, 0.01, 0], severe: [0, 0, 0.03, 0.96, 0.01], "
                     "very_severe: [0, 0, 0, 0.03, 0.97]}",
     .unit = "probability per month",
     .doc = "Monthly probability of moving from the row's grade to the column's grade, among "
            "survivors. Default: assumption (slow net recovery, 3%/month one grade better, "
            "1%/month one grade worse); the review gives no monthly rates, and the treatment-"
            "pathway calibration replaces it."},

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
     .default_yaml = "{none: 0.054, mild: 0.182, moderate: 0.256, severe: 0.389, "
                     "very_severe: 0.389}",
     .unit = "share",
     .doc = "Share of patients in a grade with >= 1 infection over the window; the monthly "
            "hazard is -ln(1 - share) / window_months. Default: review section 3.1.2 (mild "
            "18.2%, moderate 25.6%, severe or worse 38.9%); none 5.4% is calc: 18.2% x 15.8/53.1, "
            "the no-IP/partial-IP ratio of first-6-month infection (Mediterr J Hematol Infect "
            "Dis, 213 patients)."},
    {.path = "infection.type_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(infection.type_share), .length = IPSIM_INFECTION_TYPES, .labels = type_labels,
     .min = 0, .max = 1, .check = IPSIM_CHECK_SUM_TO_ONE,
     .default_yaml = "{bacterial: 0.653, viral: 0.286, fungal: 0.061}", .unit = "share",
     .doc = "Type of each infection episode. Default: review section 3.1.2."},
    {.path = "infection.serious_share", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(infection.serious_share), .length = IPSIM_GRADES, .labels = grade_labels,
     .min = 0, .max = 1,
     .default_yaml = "{none: 0.30, mild: 0.30, moderate: 0.30, severe: 0.3915, "
                     "very_severe: 0.3915}",
     .unit = "probability",
     .doc = "Probability that an episode is serious (hospitalised), by grade. Default: 0.30 is "
            "an assumption; severe and very_severe are calc so that the serious-infection rate "
            "of severe-or-worse IP is 3.2x that of mild (review section 3.1.2): 0.30 x 3.2 / "
            "(hazard ratio 2.452) = 0.3915."},

    {.path = "mortality.background_monthly_probability", .type = IPSIM_PARAM_REAL,
     .offset = AT(mortality.background_monthly_probability), .min = 0, .max = 1,
     .default_yaml = "0.01025", .unit = "probability per month",
     .doc = "Monthly probability of death from causes other than a simulated serious "
            "infection. Default: calc 1 - 0.539^(1/60) from 5-year relative survival 53.9% "
            "(MMRF, 2010-16); it includes some infection deaths, so infection mortality is "
            "slightly double-counted (conservative)."},
    {.path = "mortality.serious_infection_case_fatality", .type = IPSIM_PARAM_REAL,
     .offset = AT(mortality.serious_infection_case_fatality), .min = 0, .max = 1,
     .default_yaml = "0.157", .unit = "probability per serious episode",
     .doc = "Probability that a serious infection episode is fatal. Default: in-hospital "
            "mortality of sepsis admissions in cancer, 15.7% (J Clin Oncol 2020;38(15_suppl):"
            "e20513), a proxy."},

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

    {.path = "ivig.policy", .type = IPSIM_PARAM_CHOICE, .offset = AT(ivig.policy),
     .choices = ivig_policy_choices, .default_yaml = "none", .unit = "-",
     .doc = "Who gets IVIG replacement: none; grade (grade >= grade_threshold); infections "
            "(>= infections_threshold episodes within lookback_months); grade_or_infections. "
            "The review recommends it for high-risk patients, not as routine prophylaxis "
            "(section 4.2)."},
    {.path = "ivig.grade_threshold", .type = IPSIM_PARAM_CHOICE,
     .offset = AT(ivig.grade_threshold), .choices = grade_choices, .default_yaml = "severe",
     .unit = "grade", .doc = "Lowest grade that triggers IVIG under the grade policies."},
    {.path = "ivig.infections_threshold", .type = IPSIM_PARAM_INT,
     .offset = AT(ivig.infections_threshold), .min = 1, .max = 16, .default_yaml = "2",
     .unit = "episodes",
     .doc = "Episodes within lookback_months that trigger IVIG under the infection policies "
            "(recurrent infection: 2, an assumption; RATIONAL trial eligibility, "
            "ACTRN12616001723471, names recurrent or severe infection)."},
    {.path = "ivig.serious_only", .type = IPSIM_PARAM_BOOL, .offset = AT(ivig.serious_only),
     .default_yaml = "false", .unit = "-",
     .doc = "Count only serious episodes towards infections_threshold."},
    {.path = "ivig.lookback_months", .type = IPSIM_PARAM_INT, .offset = AT(ivig.lookback_months),
     .min = 1, .max = 120, .default_yaml = "12", .unit = "months",
     .doc = "Window of past episodes the infection trigger counts; a multiple of cycle_months."},
    {.path = "ivig.start_month", .type = IPSIM_PARAM_INT, .offset = AT(ivig.start_month),
     .min = 0, .max = 1200, .default_yaml = "0", .unit = "months",
     .doc = "No IVIG before this month since diagnosis."},
    {.path = "ivig.stop_when_recovered", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.stop_when_recovered), .default_yaml = "true", .unit = "-",
     .doc = "true: IVIG stops in the first cycle its trigger no longer holds (grade below the "
            "threshold, too few recent episodes); false: once started, it continues for life."},
    {.path = "ivig.dose_mg_per_kg", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.dose_mg_per_kg),
     .min = 0, .max = 2000, .default_yaml = "400", .unit = "mg/kg per infusion",
     .doc = "Dose per infusion. Default: 0.4 g/kg (Chapel et al., Lancet 1994;343:1059; "
            "RATIONAL, ACTRN12616001723471); the review gives 200-400 mg/kg."},
    {.path = "ivig.interval_weeks", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.interval_weeks),
     .min = 1, .max = 52, .default_yaml = "4", .unit = "weeks",
     .doc = "Weeks between infusions (review: every 3-4 weeks; Chapel 1994 and RATIONAL: 4)."},
    {.path = "ivig.rate_ratio_all", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.rate_ratio_all),
     .min = 0, .max = 5, .default_yaml = "0.49", .unit = "rate ratio",
     .doc = "Infection hazard on IVIG relative to off. Default: clinically documented "
            "infection RR 0.49 (0.39-0.61) in lymphoproliferative disorders (Raanani et al., "
            "Cochrane CD006501, 2008)."},
    {.path = "ivig.rate_ratio_serious", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.rate_ratio_serious), .min = 0, .max = 5, .default_yaml = "0.52",
     .unit = "rate ratio",
     .doc = "Serious-infection hazard on IVIG relative to off. Default: calc from Chapel et "
            "al., Lancet 1994: 19 in 449 patient-months on IVIG vs 38 in 470 on placebo, "
            "(19/449)/(38/470) = 0.52."},

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

    {.path = "output.trajectories", .type = IPSIM_PARAM_CHOICE, .offset = AT(output.trajectories),
     .choices = trajectory_choices, .default_yaml = "dense", .unit = "-",
     .doc = "dense: write grade and infections for every patient and month; none: only "
            "per-patient records and summaries."},
    {.path = "output.compression_level", .type = IPSIM_PARAM_INT,
     .offset = AT(output.compression_level), .min = 0, .max = 9, .default_yaml = "1",
     .unit = "-",
     .doc = "Deflate level of the HDF5 datasets (0 = stored uncompressed). Level 1 stores "
            "dense trajectories in about a tenth of their raw size; higher levels save a "
            "further 15% or so at a fifth of the speed (benchmarks/RESULTS.md)."},
};

const size_t ipsim_param_spec_count = sizeof ipsim_param_specs / sizeof ipsim_param_specs[0];

const char *const ipsim_param_sections[] = {"cohort", "grades",      "infection",
                                            "mortality", "diagnosis", "ivig",
                                            "vaccination", "output"};
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

/* Optimal string alignment distance (Levenshtein plus adjacent swaps), the
 * usual model of typing mistakes. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return (size_t)-1;
    size_t d[129][129];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
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
        size_t dist = edit_distance(path, candidate);
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
