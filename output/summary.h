/* output/summary.h: cohort totals accumulated patient by patient.
 *
 * Every tally is an integer count, so totals are exactly the same whatever
 * order patients are added in, and therefore whatever the thread count.
 * Shares and rates are derived when printed or written. */
#ifndef IPSIM_SUMMARY_H
#define IPSIM_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "models/mortality.h"
#include "models/patient.h"
#include "output/course.h"
#include "params/params.h"

/* What a summary's tables are sized and timed by. */
typedef struct ipsim_summary_shape {
    int64_t months;        /* entries per trajectory row: cycles + 1 */
    int64_t cycle_months;
    int64_t window_months;
    int64_t induction_end_row; /* row at which response and IP improvement are assessed */
    int64_t recovery_row;  /* row of the review's recovery figures (ASCT month + 12); -1 none */
    /* Where the registered modules' columns are in a record's module_columns
     * (models/module.h): IVIG's first, vaccination's dose count, and the
     * columns whose replicate sums the summary keeps (`summed`). */
    int ivig_column, vaccine_doses_column;
    int summed_count;
    int summed[IPSIM_MODULE_COLUMNS_MAX];
    /* The IVIG module's tables when a policy gives it (`ivig_given`): the
     * summary follows each patient's IgG trough from the dose trajectory
     * with them (ipsim_ivig_rise_after). */
    bool ivig_given;
    ipsim_ivig ivig;
} ipsim_summary_shape;

/* The IgG bands of the risk curve by IgG: band b holds own polyclonal IgG
 * from b to b + 1 g/L, the last 15 g/L or more. */
enum { IPSIM_IGG_BANDS = 16 };

/* The band of an IgG level (g/L; not NaN). */
static inline int ipsim_igg_band(float igg_g_per_l)
{
    return igg_g_per_l >= (float)(IPSIM_IGG_BANDS - 1) ? IPSIM_IGG_BANDS - 1
                                                         : (int)igg_g_per_l;
}

/* The subgroups at diagnosis the economics are also tallied by: grade,
 * myeloma type, R-ISS stage and age band, one index range each. Age bands
 * follow the usual split of myeloma trials and guidelines: under 65 (the
 * transplant age of most trials), 65-74, and 75 and over (frailty, reduced
 * doses). */
enum {
    IPSIM_SUBGROUP_AGE_BANDS = 3,
    IPSIM_SUBGROUP_GRADE = 0,
    IPSIM_SUBGROUP_TYPE = IPSIM_SUBGROUP_GRADE + IPSIM_GRADES,
    IPSIM_SUBGROUP_RISS = IPSIM_SUBGROUP_TYPE + IPSIM_MYELOMA_TYPES,
    IPSIM_SUBGROUP_AGE = IPSIM_SUBGROUP_RISS + IPSIM_RISS_STAGES,
    IPSIM_SUBGROUPS = IPSIM_SUBGROUP_AGE + IPSIM_SUBGROUP_AGE_BANDS,
    IPSIM_SUBGROUP_DIMENSIONS = 4
};
/* "grade_none", ..., "type_igg", ..., "riss_i", ..., "age_under_65", ... */
extern const char *const ipsim_subgroup_names[IPSIM_SUBGROUPS];
/* Each dimension: its title ("IP grade at diagnosis") and index range. */
typedef struct ipsim_subgroup_dimension {
    const char *title;
    int first, count;
} ipsim_subgroup_dimension;
extern const ipsim_subgroup_dimension ipsim_subgroup_dimensions[IPSIM_SUBGROUP_DIMENSIONS];

static inline int ipsim_subgroup_age_band(int age)
{
    return age < 65 ? 0 : age < 75 ? 1 : 2;
}

/* Value of one unit of economic_sums, by outcome. */
extern const double ipsim_economic_unit[IPSIM_ECONOMIC_OUTCOMES];

typedef struct ipsim_summary {
    ipsim_summary_shape shape;
    int64_t *occupancy;    /* [months][IPSIM_STATES]: patients in each state */
    int64_t *on_ivig;      /* [months]: patients given IVIG in the cycle starting then */
    /* [months][IPSIM_GRADES]: patients, by grade at diagnosis, whose first
     * infection episode began in the cycle starting at that row; its running
     * sum over rows is the cumulative share with >= 1 infection (deaths
     * compete: the denominator is everyone in the grade at diagnosis). */
    int64_t *first_infection;
    int64_t *phase_occupancy; /* [months][IPSIM_PHASE_STATES]: patients in each phase */
    /* [months + 1][2], by IP improved after induction (0 no, 1 yes): patients
     * whose progression or death is first recorded at this row (the last
     * entry: neither by the horizon). Among patients with IP at diagnosis
     * alive at the end of induction. */
    int64_t *pfs_event_row;
    /* [IPSIM_COURSE_CURVES][months + 1]: the course's event curves
     * (output/course.h). */
    int64_t *course_event_row;
    /* [months][IPSIM_IG_CLASSES]: the levels model's polyclonal levels of
     * the living patients at the start of each month, summed in whole mg/L
     * (integers, so the sums do not depend on order); 0 without levels. */
    int64_t *level_mg_by_month;
    /* [months]: what the trough rise from given immunoglobulin (the rise
     * carried into the month; models/ivig.h) adds to the IgG column above,
     * in the same whole mg/L: the sum of round(own + rise) - round(own)
     * over the living, so that column plus this is their IgG with IVIG
     * (0 without IVIG). */
    int64_t *igg_rise_mg_by_month;
    /* Changes not yet in the tables above: ipsim_summary_add_patient adds a
     * patient's grades, phases and levels as the changes along the months
     * (output/summary_runs.h), [months][IPSIM_STATES], [months]
     * [IPSIM_PHASE_STATES] and [months][IPSIM_IG_CLASSES].
     * ipsim_summary_merge folds them into the destination's occupancy,
     * phase_occupancy and level_mg_by_month: the cohort reads the summaries
     * its threads added patients to only once merged. */
    int64_t *occupancy_changes;
    int64_t *phase_changes;
    int64_t *level_mg_changes;

    /* Fixed-size tallies, every one an int64_t (merged and reset as one
     * array: keep them between `patients` and `ivig_milligrams`). */
    int64_t patients;
    int64_t patients_by_baseline[IPSIM_GRADES];
    int64_t infected_in_window_by_baseline[IPSIM_GRADES]; /* >= 1 episode before window end */
    int64_t episodes[IPSIM_GRADES][IPSIM_INFECTION_TYPES];
    int64_t serious[IPSIM_GRADES];
    int64_t deaths[IPSIM_DEATH_CAUSES]; /* [IPSIM_ALIVE] counts survivors */
    int64_t prevented[IPSIM_INFECTION_TYPES]; /* episodes the modules prevented */
    /* The registered modules' summed columns (models/module.h), summed over
     * patients, at their column's index (0 for the others). The summary rows
     * vaccine_doses and ivig_patient_months read them. */
    int64_t module_sums[IPSIM_MODULE_COLUMNS_MAX];
    int64_t ivig_patients;        /* patients ever given IVIG */
    int64_t patients_by_type_and_grade[IPSIM_MYELOMA_TYPES][IPSIM_GRADES]; /* at diagnosis */
    int64_t patients_by_riss_and_grade[IPSIM_RISS_STAGES][IPSIM_GRADES];
    int64_t responses[IPSIM_RESPONSES + 1]; /* the last: not assessed */
    int64_t transplant_eligible;
    int64_t asct_patients;
    int64_t progressions;
    /* Patients with IP at diagnosis alive at the end of induction, by
     * response, and those of them whose grade improved (the last entry,
     * not assessed, stays 0: it keeps the response dimension whole). */
    int64_t improvement_assessed[IPSIM_RESPONSES + 1];
    int64_t improved[IPSIM_RESPONSES + 1];
    /* CR patients with IP at diagnosis, alive at the recovery row, without
     * [0] and with [1] ASCT; and those of them in grade none then. */
    int64_t recovery_assessed[2];
    int64_t recovered[2];
    ipsim_course_tallies course; /* deaths by phase, infection by period, lines reached */
    /* Levels model (models/immunoglobulins.h): patients with levels; those
     * with polyclonal IgG below 4 g/L at diagnosis; and, per class, the CR
     * patients alive at the end of induction in whom it is uninvolved, with
     * sums in mg/L of x (the level at diagnosis) and y (at the end of
     * induction): x, y, x^2, y^2, xy (for the ratio of means and its
     * standard error; integers, so the sums do not depend on order). */
    int64_t level_patients;
    int64_t igg_below_4_at_diagnosis;
    int64_t cr_level_patients[IPSIM_IG_CLASSES];
    int64_t cr_level_sums[IPSIM_IG_CLASSES][5];
    /* The risk curve by IgG (levels model): months lived (cycles begun
     * alive, times their length) and the infection episodes that began in
     * them, by own polyclonal IgG band at the cycle's start and by whether
     * IVIG was given in the cycle ([.][1]) or not ([.][0]). */
    int64_t igg_band_months[IPSIM_IGG_BANDS][2];
    int64_t igg_band_episodes[IPSIM_IGG_BANDS][2];
    /* Costs, QALYs and life-years (IPSIM_ECONOMIC_*), summed in fixed point
     * (ipsim_economic_unit: cents, 1e-9 QALY and life-year) so that the sums
     * do not depend on the order patients are added in. */
    int64_t economic_sums[IPSIM_ECONOMIC_OUTCOMES];
    /* The patients of each subgroup at diagnosis, and the same sums over
     * them (each patient is in one subgroup of each dimension, so each
     * dimension's sums add up to economic_sums). */
    int64_t subgroup_patients[IPSIM_SUBGROUPS];
    int64_t subgroup_economic_sums[IPSIM_SUBGROUPS][IPSIM_ECONOMIC_OUTCOMES];
    /* IVIG given, in whole milligrams per patient: an integer, so the total
     * does not depend on the order patients are added in. */
    int64_t ivig_milligrams;
} ipsim_summary;

/* Allocates an empty summary for runs with these parameters. */
int ipsim_summary_create(ipsim_summary **out, const ipsim_params *p, ipsim_error *err);
/* The shape of summaries for these parameters. */
ipsim_summary_shape ipsim_summary_shape_of(const ipsim_params *p);
/* The same, from the model built from them. */
ipsim_summary_shape ipsim_summary_shape_of_model(const ipsim_model *m);
/* Allocates an empty summary of this shape. */
int ipsim_summary_create_for(ipsim_summary **out, const ipsim_summary_shape *shape,
                             ipsim_error *err);
/* Allocates an empty summary shaped like `like`. */
int ipsim_summary_create_like(ipsim_summary **out, const ipsim_summary *like, ipsim_error *err);
void ipsim_summary_free(ipsim_summary *s); /* NULL is a no-op */
void ipsim_summary_reset(ipsim_summary *s);

/* The sum of a registered module's column (models/module.h) by its name;
 * 0 if no registered module has it. */
int64_t ipsim_summary_module_sum(const ipsim_summary *s, const char *column);

/* Patient-months on IVIG: the sum of the IVIG module's ivig_months. */
int64_t ipsim_summary_ivig_patient_months(const ipsim_summary *s);

/* Adds one patient: the rows of ipsim_patient_simulate and its record. The
 * monthly tables count the patient once the summary is merged into another
 * (see occupancy_changes). */
void ipsim_summary_add_patient(ipsim_summary *s, const ipsim_patient_rows *rows,
                               const ipsim_patient_record *record);

/* Months lived in a grade: every cycle started alive in it, counted from
 * the occupancy (so the per-patient loop need not count them twice). */
int64_t ipsim_summary_person_months(const ipsim_summary *s, int grade);

/* progression_free[months][2]: patients (with IP at diagnosis, alive at the
 * end of induction), by IP improved or not, alive and progression-free at
 * the start of each month row. */
void ipsim_summary_progression_free(const ipsim_summary *s, int64_t *progression_free);

/* Share of a group (improved: 0 or 1) alive and progression-free at
 * `month` since diagnosis, with its Wilson 95% interval (NaN beyond the
 * horizon). Returns the group's size. */
int64_t ipsim_summary_pfs(const ipsim_summary *s, int improved, int64_t month, double *share,
                          double *low, double *high);

/* The group's median progression-free survival in months (linear between
 * rows) with its Brookmeyer-Crowley 95% interval: the months at which the
 * Wilson interval of the progression-free share contains one half (no
 * censoring: every patient is followed to death or the horizon). NaN where
 * the curve does not reach one half by the horizon. Returns the group's
 * size. */
int64_t ipsim_summary_pfs_median(const ipsim_summary *s, int improved, double *median,
                                 double *low, double *high);

/* mean[months][IPSIM_IG_CLASSES]: the mean polyclonal level (g/L) of the
 * living patients at the start of each month; NaN without the levels model
 * (no patient with levels) or where nobody is alive. */
void ipsim_summary_mean_levels(const ipsim_summary *s, double *mean);

/* mean[months]: the mean IgG trough with given immunoglobulin (own IgG plus
 * the rise IVIG carries into the month) of the living; NaN as above. */
void ipsim_summary_mean_igg_with_ivig(const ipsim_summary *s, double *mean);

/* Mean of each outcome per patient. */
void ipsim_summary_mean_economics(const ipsim_summary *s, double means[IPSIM_ECONOMIC_OUTCOMES]);

/* The summary's tallies as arrays of integers (every table and the
 * fixed-size counts), for summing across processes: fills arrays[i] and
 * lengths[i] and returns how many. dst += src over each is
 * ipsim_summary_merge. */
enum { IPSIM_SUMMARY_ARRAYS = 9 };
int ipsim_summary_arrays(ipsim_summary *s, int64_t *arrays[IPSIM_SUMMARY_ARRAYS],
                         size_t lengths[IPSIM_SUMMARY_ARRAYS]);

/* dst += src, src's pending changes folded in; both made for the same
 * parameters. */
void ipsim_summary_merge(ipsim_summary *dst, const ipsim_summary *src);

/* Share of patients in a baseline grade (or all grades, grade < 0) with >= 1
 * episode within the window, and its Wilson 95% interval. Returns the count
 * of patients it is computed over. */
int64_t ipsim_summary_window_share(const ipsim_summary *s, int grade, double *share,
                                   double *low, double *high);

/* Episodes per 100 patient-years lived in a grade (grade < 0: all grades;
 * serious != 0: serious episodes only), with the exact (Garwood) 95%
 * Poisson interval. Returns the episode count. */
int64_t ipsim_summary_episode_rate(const ipsim_summary *s, int grade, int serious, double *rate,
                                   double *low, double *high);

/* Rate ratio of episodes (serious != 0: serious ones) per month lived in
 * severe-or-worse IP to those in mild IP, with its 95% interval (NaN where
 * a count is zero): the review's 3.2x for serious infections. */
void ipsim_summary_severe_to_mild(const ipsim_summary *s, int serious, double *ratio,
                                  double *low, double *high);

/* Prints one line describing the scenario: name, cohort size, replicates,
 * horizon, cycle length, seed (no newline). */
void ipsim_summary_print_scenario(FILE *out, const ipsim_params *p);

/* Prints the human summary of a run: occupancy at a few months, the
 * infection window shares with 95% intervals, deaths, and episode mix. */
void ipsim_summary_print(FILE *out, const ipsim_summary *s, const ipsim_params *p);

#endif
