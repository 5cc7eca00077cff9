/* output/course.h: the course of the disease in a run's totals: survival
 * from diagnosis and from the start of each line, overall and by IP
 * improvement; what ended progression-free survival; deaths by phase and
 * cause; infection in the first months (docs/model.md "What a run reports").
 *
 * The tallies live in the run's summary (output/summary.h), as integer
 * counts like every other, so they are the same whatever the thread or rank
 * count and are written to, and read back from, the file. */
#ifndef IPSIM_COURSE_H
#define IPSIM_COURSE_H

#include <stdint.h>
#include <stdio.h>

#include "models/expected.h"
#include "models/patient.h"
#include "params/params.h"

/* Event curves: each has months + 1 entries, the patients whose event is
 * first recorded at each row (time since the curve's start), the last entry
 * those without it by the horizon; the entries sum to the curve's
 * population. */
typedef enum ipsim_course_curve {
    IPSIM_COURSE_OS,                 /* everyone: death */
    IPSIM_COURSE_PFS,                /* everyone: first progression or death */
    IPSIM_COURSE_PROGRESSION_FIRST,  /* everyone whose first PFS event is a progression, at it */
    IPSIM_COURSE_OS_NOT_IMPROVED,    /* IP at diagnosis, assessed, not improved: death */
    IPSIM_COURSE_OS_IMPROVED,        /* the same, improved */
    IPSIM_COURSE_PFS_SECOND_LINE,    /* from the start of the second line: its end or death */
    IPSIM_COURSE_OS_SECOND_LINE,     /* from the start of the second line: death */
    IPSIM_COURSE_PFS_THIRD_LINE,     /* from the start of the third line */
    IPSIM_COURSE_OS_THIRD_LINE,
    /* The trials' populations (models/expected.h): not eligible for ASCT and
     * aged up to 75, from diagnosis (SWOG S0777); ASCT recipients aged up
     * to 65, from the ASCT month (EMN02/HO95). */
    IPSIM_COURSE_PFS_S0777,
    IPSIM_COURSE_OS_S0777,
    IPSIM_COURSE_PFS_EMN02,
    /* Patients followed to the horizon on a line without the curve's event,
     * by time since the line's start: the censoring of the four curves
     * above, in their order (the curves from diagnosis censor nobody
     * before the horizon). */
    IPSIM_COURSE_CENSORED_PFS_SECOND_LINE,
    IPSIM_COURSE_CENSORED_OS_SECOND_LINE,
    IPSIM_COURSE_CENSORED_PFS_THIRD_LINE,
    IPSIM_COURSE_CENSORED_OS_THIRD_LINE,
    IPSIM_COURSE_CURVES
} ipsim_course_curve;

extern const char *const ipsim_course_curve_names[IPSIM_COURSE_CURVES];

/* Reporting periods of infection risk, in months since diagnosis: 0-2,
 * 3-5, 6-11, the exact model's (models/expected.h). */
enum { IPSIM_COURSE_PERIODS = IPSIM_INFECTION_REPORT_PERIODS };

/* The fixed-size tallies (int64_t only: they join the summary's). */
typedef struct ipsim_course_tallies {
    /* By the phase of the cycle of death and cause - 1 (no "alive"). */
    int64_t deaths_by_phase[IPSIM_PHASES][IPSIM_DEATH_CAUSES - 1];
    int64_t alive_at_period[IPSIM_COURSE_PERIODS];    /* alive at the period's start */
    int64_t infected_in_period[IPSIM_COURSE_PERIODS]; /* of those, with >= 1 episode in it */
    int64_t lines_reached[IPSIM_LINES];               /* began the first, second, third line */
    int64_t episodes_in_period[IPSIM_COURSE_PERIODS]; /* episodes that began in it */
} ipsim_course_tallies;

/* Adds one patient (rows and record of ipsim_patient_simulate) to the event
 * curves (event_row: [IPSIM_COURSE_CURVES][months + 1]) and the tallies.
 * months: rows per patient (cycles + 1); cycle: months per cycle. */
void ipsim_course_add_patient(int64_t *event_row, ipsim_course_tallies *t, int64_t months,
                              int64_t cycle, const ipsim_patient_rows *rows,
                              const ipsim_patient_record *record);

/* A curve's population and its median time to the event in months, with
 * the Brookmeyer-Crowley 95% interval (the months at which the Wilson
 * interval of the share without the event contains one half). NaN where
 * the curve does not reach one half by the horizon. */
int64_t ipsim_course_median(const int64_t *event_row, int64_t months, int64_t cycle,
                            ipsim_course_curve curve, double *median, double *low,
                            double *high);

/* The share of a curve's population without the event at `month`. */
double ipsim_course_share_at(const int64_t *event_row, int64_t months, int64_t cycle,
                             ipsim_course_curve curve, double month);

/* Prints the course: medians by group and line, the share of PFS events
 * that are progressions, deaths per 100 patient-years by phase, infection
 * by period. */
void ipsim_course_print(FILE *out, const int64_t *event_row, const ipsim_course_tallies *t,
                        const int64_t *phase_occupancy, int64_t months, int64_t cycle);

#endif
