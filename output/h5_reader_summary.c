/* output/h5_reader_summary.c: a scenario's summary rows, read back once
 * when the scenario is opened, and checked on the way: every count whole
 * and not negative, no count of patients above the cohort, the cohort's
 * patients all counted by grade at diagnosis, no death count above the
 * cohort, shares between 0 and 1, every stored number finite, and the
 * person-months agreeing with the occupancy they derive from. A file that
 * fails is refused (IPSIM_EFORMAT, naming the file and the dataset), so no
 * command prints a NaN, a negative share or a figure from an altered file
 * (docs/robustness.md, "Files read"). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/h5_internal.h"
#include "output/h5_reader_internal.h"

/* Checks the values of row d as read: n = R x width values per replicate
 * (int64 tables, or the two float64 rows). */
static int check_row(ipsim_h5_reader *r, const ipsim_dataset *d, const void *buf, hsize_t R,
                     hsize_t width, ipsim_error *err)
{
    const ipsim_params *p = &r->params;
    const double N = (double)p->cohort.patients;
    char path[2 * IPSIM_NAME_MAX];
    ipsim_h5i_path(d->group, d->name, path, sizeof path);
    const int patients = d->units && strcmp(d->units, "patients") == 0;
    /* Sums over replicates must not overflow; no run counts more than 255
     * episodes a cycle (the trajectory's uint8), so counts stay far below.
     * Sums of levels (and their squares) are bounded by that alone. */
    const double cap = (double)INT64_MAX / (double)(R + 1);
    const double most = patients ? N
                        : d == &ipsim_summaries[IPSIM_SUMMARY_CR_LEVEL_SUMS]
                            ? cap
                            : N * (double)p->cohort.horizon_months * 256.0;
    for (hsize_t i = 0; i < R * width; i++) {
        double v;
        const char *why = NULL;
        if (d->element == IPSIM_ELEMENT_FLOAT64) {
            v = ((const double *)buf)[i];
            const double top = d == &ipsim_summaries[IPSIM_SUMMARY_OCCUPANCY] ? 1.0 : 1e15;
            if (!isfinite(v) || v < 0 || v > top)
                why = d == &ipsim_summaries[IPSIM_SUMMARY_OCCUPANCY] ? "a share outside 0-1"
                                                                    : "an impossible amount";
        } else {
            v = (double)((const int64_t *)buf)[i];
            if (d == &ipsim_economic_totals[IPSIM_ECONOMICS_SUM_FIXED_POINT] ||
                d == &ipsim_economic_totals[IPSIM_ECONOMICS_SUBGROUP_SUM_FIXED_POINT])
                why = fabs(v) > cap ? "an impossible sum" : NULL;
            else if (v < 0)
                why = "a negative count";
            else if (v > most || v > cap)
                why = patients ? "more patients than the cohort" : "an impossible count";
        }
        if (why)
            return ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                                  "dataset '%s/%s' holds %g (replicate %llu): %s; the file "
                                  "was altered or damaged",
                                  p->name, path, v, (unsigned long long)(i / width), why);
    }
    /* Every patient has one grade at diagnosis and at most one death. */
    const int by_grade = d == &ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_BASELINE_GRADE];
    if (by_grade || d == &ipsim_summaries[IPSIM_SUMMARY_DEATHS])
        for (hsize_t rep = 0; rep < R; rep++) {
            int64_t sum = 0;
            for (hsize_t k = 0; k < width; k++)
                sum += ((const int64_t *)buf)[rep * width + k];
            if (by_grade ? sum != p->cohort.patients : sum > p->cohort.patients)
                return ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                                      "dataset '%s/%s' counts %lld patients in replicate %llu "
                                      "of a cohort of %lld: the file was altered or damaged",
                                      p->name, path, (long long)sum, (unsigned long long)rep,
                                      (long long)p->cohort.patients);
        }
    return IPSIM_OK;
}

/* Reads row d (M months) into buf and checks it. */
static int read_checked(ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M, void *buf,
                        ipsim_error *err)
{
    int rc = ipsim_h5r_read_row(r, d, M, buf, err);
    return rc ? rc
              : check_row(r, d, buf, (hsize_t)r->params.cohort.replicates,
                          ipsim_h5r_row_width(r, d, M), err);
}

/* Progression-free counts per replicate and month back to the rows of the
 * events, summed over replicates. */
static void pfs_events(ipsim_summary *total, const int64_t *table, hsize_t R, hsize_t M)
{
    for (int group = 0; group < 2; group++) {
        int64_t assessed = 0;
        for (int k = 0; k <= IPSIM_RESPONSES; k++)
            assessed += group ? total->improved[k]
                              : total->improvement_assessed[k] - total->improved[k];
        int64_t before = assessed; /* summed over replicates below */
        for (hsize_t m = 0; m < M; m++) {
            int64_t now = 0;
            for (hsize_t rep = 0; rep < R; rep++)
                now += table[(rep * M + m) * 2 + (hsize_t)group];
            total->pfs_event_row[m * 2 + (hsize_t)group] = before - now;
            before = now;
        }
        total->pfs_event_row[M * 2 + (hsize_t)group] = before;
    }
}

/* The levels model's rows (models/immunoglobulins.h), checked replicate by
 * replicate against each other and the cohort: every patient has levels
 * under the levels model and none under the grade models; no more patients
 * with IgG below 4 g/L or in CR than with levels; sums of nobody are 0; a
 * mean level wherever somebody with levels is alive (NaN elsewhere), from
 * which the fixed-point sums are recovered exactly (mean x living x 1000,
 * the living from occupancy). `occupancy` is the file's [R, M, state]. */
static int load_levels(ipsim_h5_reader *r, ipsim_summary *total, const double *occupancy,
                       ipsim_error *err)
{
    const ipsim_params *p = &r->params;
    const hsize_t R = (hsize_t)p->cohort.replicates, M = (hsize_t)total->shape.months;
    const int64_t N = p->cohort.patients;
    const int levels = p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
    enum { SUMS = IPSIM_IG_CLASSES * 5 };
    int64_t *counts = malloc((size_t)R * (2 + IPSIM_IG_CLASSES + SUMS) * sizeof *counts);
    /* The classes' means, then IgG's with given immunoglobulin: a fourth
     * column, checked and summed back alike. */
    enum { MEANS = IPSIM_IG_CLASSES + 1 };
    double *mean = malloc((size_t)(R * M) * MEANS * sizeof *mean);
    double *with_ivig = mean ? mean + (size_t)(R * M) * IPSIM_IG_CLASSES : NULL;
    int rc = counts && mean ? IPSIM_OK
                            : ipsim_h5r_fail(r, err, IPSIM_ENOMEM, "cannot allocate the summary");
    int64_t *with = counts, *below = with + R, *cr = below + R, *sums = cr + R * IPSIM_IG_CLASSES;
    const ipsim_dataset *rows = ipsim_summaries;
    if (!rc)
        rc = read_checked(r, &rows[IPSIM_SUMMARY_LEVEL_PATIENTS], M, with, err);
    if (!rc)
        rc = read_checked(r, &rows[IPSIM_SUMMARY_IGG_BELOW_4], M, below, err);
    if (!rc)
        rc = read_checked(r, &rows[IPSIM_SUMMARY_CR_LEVEL_PATIENTS], M, cr, err);
    if (!rc)
        rc = read_checked(r, &rows[IPSIM_SUMMARY_CR_LEVEL_SUMS], M, sums, err);
    if (!rc)
        rc = ipsim_h5r_read_row(r, &rows[IPSIM_SUMMARY_MEAN_LEVEL_BY_MONTH], M, mean, err);
    if (!rc)
        rc = ipsim_h5r_read_row(r, &rows[IPSIM_SUMMARY_MEAN_IGG_WITH_IVIG], M, with_ivig, err);
    const char *why = NULL;
    hsize_t rep = 0;
    for (; !rc && !why && rep < R; rep++) {
        if (with[rep] != (levels ? N : 0))
            why = levels ? "summary/level_patients is not the cohort under grades.model: levels"
                         : "summary/level_patients is not 0 without grades.model: levels";
        else if (below[rep] > with[rep])
            why = "summary/igg_below_4_at_diagnosis counts more patients than have levels";
        for (int c = 0; c < IPSIM_IG_CLASSES && !why; c++) {
            const int64_t n = cr[rep * IPSIM_IG_CLASSES + (hsize_t)c];
            const int64_t *sum = sums + (rep * IPSIM_IG_CLASSES + (hsize_t)c) * 5;
            if (n > with[rep])
                why = "summary/cr_level_patients counts more patients than have levels";
            for (int k = 0; k < 5 && !why; k++)
                if (n == 0 && sum[k] != 0)
                    why = "summary/cr_level_sums holds sums over no patient";
        }
        for (hsize_t m = 0; m < M && !why; m++) {
            const double *share = occupancy + (rep * M + m) * IPSIM_STATES;
            const int64_t alive = N - llround(share[IPSIM_STATE_DEAD] * (double)N);
            for (int c = 0; c < MEANS && !why; c++) {
                const int own = c < IPSIM_IG_CLASSES;
                const double v = own ? mean[(rep * M + m) * IPSIM_IG_CLASSES + (hsize_t)c]
                                     : with_ivig[rep * M + m];
                if (with[rep] == 0 || alive == 0) {
                    if (!isnan(v))
                        why = own ? "summary/mean_level_by_month holds a mean over nobody"
                                  : "summary/mean_igg_with_ivig_by_month holds a mean over "
                                    "nobody";
                } else if (!isfinite(v) || v < 0 || v > 1e6) {
                    why = own ? "summary/mean_level_by_month holds an impossible level"
                              : "summary/mean_igg_with_ivig_by_month holds an impossible level";
                } else {
                    /* The rise's sum: IgG with IVIG less own IgG. */
                    const double igg = mean[(rep * M + m) * IPSIM_IG_CLASSES + IPSIM_IGG];
                    if (own)
                        total->level_mg_by_month[m * IPSIM_IG_CLASSES + (hsize_t)c] +=
                            llround(v * (double)alive * 1000.0);
                    else
                        total->igg_rise_mg_by_month[m] += llround(v * (double)alive * 1000.0) -
                                                           llround(igg * (double)alive * 1000.0);
                }
            }
        }
    }
    if (!rc && why)
        rc = ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                            "%s (scenario '%s', replicate %llu): the file was altered or damaged",
                            why, p->name, (unsigned long long)(rep - 1));
    for (hsize_t i = 0; !rc && i < R; i++) {
        total->level_patients += with[i];
        total->igg_below_4_at_diagnosis += below[i];
        for (int c = 0; c < IPSIM_IG_CLASSES; c++) {
            total->cr_level_patients[c] += cr[i * IPSIM_IG_CLASSES + (hsize_t)c];
            for (int k = 0; k < 5; k++)
                total->cr_level_sums[c][k] += sums[(i * IPSIM_IG_CLASSES + (hsize_t)c) * 5 + (hsize_t)k];
        }
    }
    free(counts);
    free(mean);
    return rc;
}

int ipsim_h5r_load_summary(ipsim_h5_reader *r, ipsim_error *err)
{
    const ipsim_params *p = &r->params;
    int rc = ipsim_summary_create(&r->summary, p, err);
    if (rc)
        return rc;
    ipsim_summary *total = r->summary;
    const hsize_t R = (hsize_t)p->cohort.replicates, M = (hsize_t)total->shape.months;
    const size_t per_replicate = (size_t)M * IPSIM_STATES;
    double *occupancy = malloc((size_t)R * per_replicate * sizeof *occupancy);
    int64_t *counts = malloc((size_t)R * IPSIM_GRADES * IPSIM_INFECTION_TYPES * sizeof *counts);
    if (!occupancy || !counts) {
        free(occupancy);
        free(counts);
        return ipsim_h5r_fail(r, err, IPSIM_ENOMEM, "cannot allocate the summary");
    }
    rc = read_checked(r, &ipsim_summaries[IPSIM_SUMMARY_OCCUPANCY], M, occupancy, err);
    /* Shares back to counts: exact, since share = count / patients. */
    for (hsize_t i = 0; !rc && i < R * per_replicate; i++)
        total->occupancy[i % per_replicate] +=
            (int64_t)llround(occupancy[i] * (double)p->cohort.patients);
    /* Before the buffer is used again (ivig_grams). */
    if (!rc)
        rc = load_levels(r, total, occupancy, err);

    /* Integer tables [replicate, ...], summed over replicates. */
    const struct {
        const ipsim_dataset *row;
        int64_t *dst;
    } tables[] = {
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_BASELINE_GRADE], total->patients_by_baseline},
        {&ipsim_summaries[IPSIM_SUMMARY_INFECTED_WITHIN_WINDOW],
         total->infected_in_window_by_baseline},
        {&ipsim_summaries[IPSIM_SUMMARY_SERIOUS_EPISODES], total->serious},
        {&ipsim_summaries[IPSIM_SUMMARY_EPISODES], &total->episodes[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_DEATHS], &total->deaths[IPSIM_DEATH_BACKGROUND]},
        {&ipsim_summaries[IPSIM_SUMMARY_PREVENTED], total->prevented},
        {&ipsim_summaries[IPSIM_SUMMARY_PHASE_OCCUPANCY], total->phase_occupancy},
        {&ipsim_summaries[IPSIM_SUMMARY_FIRST_INFECTIONS], total->first_infection},
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_TYPE], &total->patients_by_type_and_grade[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_PATIENTS_BY_RISS], &total->patients_by_riss_and_grade[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_RESPONSES], total->responses},
        {&ipsim_summaries[IPSIM_SUMMARY_IMPROVEMENT_ASSESSED], total->improvement_assessed},
        {&ipsim_summaries[IPSIM_SUMMARY_IMPROVED], total->improved},
        {&ipsim_summaries[IPSIM_SUMMARY_RECOVERY_ASSESSED], total->recovery_assessed},
        {&ipsim_summaries[IPSIM_SUMMARY_RECOVERED], total->recovered},
        {&ipsim_economic_totals[IPSIM_ECONOMICS_SUM_FIXED_POINT], total->economic_sums},
        {&ipsim_economic_totals[IPSIM_ECONOMICS_SUBGROUP_PATIENTS], total->subgroup_patients},
        {&ipsim_economic_totals[IPSIM_ECONOMICS_SUBGROUP_SUM_FIXED_POINT],
         &total->subgroup_economic_sums[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_ON_IVIG], total->on_ivig},
        {&ipsim_summaries[IPSIM_SUMMARY_VACCINE_DOSES],
         &total->module_sums[total->shape.vaccine_doses_column]},
        {&ipsim_summaries[IPSIM_SUMMARY_IVIG_PATIENTS], &total->ivig_patients},
        {&ipsim_summaries[IPSIM_SUMMARY_IVIG_PATIENT_MONTHS],
         &total->module_sums[total->shape.ivig_column + IPSIM_IVIG_COLUMN_MONTHS]},
        {&ipsim_summaries[IPSIM_SUMMARY_TRANSPLANT_ELIGIBLE], &total->transplant_eligible},
        {&ipsim_summaries[IPSIM_SUMMARY_ASCT_PATIENTS], &total->asct_patients},
        {&ipsim_summaries[IPSIM_SUMMARY_PROGRESSIONS], &total->progressions},
        {&ipsim_summaries[IPSIM_SUMMARY_COURSE_EVENTS], total->course_event_row},
        {&ipsim_summaries[IPSIM_SUMMARY_DEATHS_BY_PHASE], &total->course.deaths_by_phase[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_ALIVE_AT_PERIOD], total->course.alive_at_period},
        {&ipsim_summaries[IPSIM_SUMMARY_INFECTED_IN_PERIOD], total->course.infected_in_period},
        {&ipsim_summaries[IPSIM_SUMMARY_EPISODES_IN_PERIOD], total->course.episodes_in_period},
        {&ipsim_summaries[IPSIM_SUMMARY_LINES_REACHED], total->course.lines_reached},
        {&ipsim_summaries[IPSIM_SUMMARY_IGG_BAND_MONTHS], &total->igg_band_months[0][0]},
        {&ipsim_summaries[IPSIM_SUMMARY_IGG_BAND_EPISODES], &total->igg_band_episodes[0][0]},
    };
    /* One buffer, as large as the largest table read into it (and the
     * economic outcomes' means). */
    hsize_t largest = ipsim_h5r_row_width(r, &ipsim_summaries[IPSIM_SUMMARY_PROGRESSION_FREE], M);
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        const hsize_t cols = ipsim_h5r_row_width(r, tables[t].row, M);
        largest = cols > largest ? cols : largest;
    }
    largest = largest > IPSIM_ECONOMIC_OUTCOMES ? largest : IPSIM_ECONOMIC_OUTCOMES;
    int64_t *table = rc ? NULL : malloc((size_t)(R * largest) * sizeof *table);
    if (!rc && !table)
        rc = ipsim_h5r_fail(r, err, IPSIM_ENOMEM, "cannot allocate the summary");
    for (size_t t = 0; t < sizeof tables / sizeof tables[0] && !rc; t++) {
        const hsize_t cols = ipsim_h5r_row_width(r, tables[t].row, M);
        rc = read_checked(r, tables[t].row, M, table, err);
        for (hsize_t i = 0; !rc && i < R * cols; i++)
            tables[t].dst[i % cols] += table[i];
    }
    if (!rc)
        rc = read_checked(r, &ipsim_summaries[IPSIM_SUMMARY_PROGRESSION_FREE], M, table, err);
    if (!rc)
        pfs_events(total, table, R, M);
    /* The means are read by the analyses (ipsim_h5_reader_read_replicate_table):
     * checked finite here, once. */
    if (!rc)
        rc = ipsim_h5r_read_row(r, &ipsim_economic_totals[IPSIM_ECONOMICS_MEAN], M, table, err);
    free(table);
    if (!rc)
        rc = read_checked(r, &ipsim_summaries[IPSIM_SUMMARY_IVIG_GRAMS], M, occupancy, err);
    for (hsize_t i = 0; !rc && i < R; i++)
        total->ivig_milligrams += llround(occupancy[i] * 1000.0);
    /* Person-months are derived from occupancy; the stored table must agree. */
    int64_t person_months[IPSIM_GRADES] = {0};
    if (!rc)
        rc = read_checked(r, &ipsim_summaries[IPSIM_SUMMARY_PERSON_MONTHS], M, counts, err);
    for (hsize_t i = 0; !rc && i < R * IPSIM_GRADES; i++)
        person_months[i % IPSIM_GRADES] += counts[i];
    for (int g = 0; !rc && g < IPSIM_GRADES; g++)
        if (person_months[g] != ipsim_summary_person_months(total, g))
            rc = ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                                "summary/person_months_by_grade disagrees with "
                                "summary/occupancy: the file was altered");
    /* Every month lived by a patient with levels is in one IgG band, and
     * every episode. */
    const int levels = p->grades.model == IPSIM_GRADE_MODEL_LEVELS;
    int64_t lived = 0, banded = 0, episodes = 0, banded_episodes = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        lived += person_months[g];
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
            episodes += total->episodes[g][t];
    }
    for (int b = 0; b < IPSIM_IGG_BANDS; b++)
        for (int on = 0; on < 2; on++) {
            banded += total->igg_band_months[b][on];
            banded_episodes += total->igg_band_episodes[b][on];
        }
    if (!rc && banded != (levels ? lived : 0))
        rc = ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                            "summary/igg_band_months disagrees with summary/occupancy: the "
                            "file was altered");
    if (!rc && banded_episodes != (levels ? episodes : 0))
        rc = ipsim_h5r_fail(r, err, IPSIM_EFORMAT,
                            "summary/igg_band_episodes disagrees with "
                            "summary/episodes_by_grade_and_type: the file was altered");
    if (!rc) {
        total->patients += p->cohort.patients * p->cohort.replicates;
        total->deaths[IPSIM_ALIVE] = total->patients - total->deaths[IPSIM_DEATH_BACKGROUND] -
                                     total->deaths[IPSIM_DEATH_INFECTION] -
                                     total->deaths[IPSIM_DEATH_MYELOMA];
    }
    free(occupancy);
    free(counts);
    return rc;
}
