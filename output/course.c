/* output/course.c: survival by line and group, deaths by phase, infection
 * by period: tallies and their printed form. */
#include "output/course.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "models/expected.h"
#include "output/intervals.h"

const char *const ipsim_course_curve_names[IPSIM_COURSE_CURVES] = {
    "os", "pfs", "progression_first", "os_not_improved", "os_improved",
    "pfs_second_line", "os_second_line", "pfs_third_line", "os_third_line", "pfs_s0777",
    "os_s0777", "pfs_emn02",
    "censored_pfs_second_line", "censored_os_second_line", "censored_pfs_third_line",
    "censored_os_third_line"};

/* The row of an event recorded at `month` (an end of cycle), counted from
 * the row `from`. */
static int64_t row_of(int32_t month, int64_t from, int64_t cycle)
{
    return month / cycle - from;
}

/* The line that starts at `start` (an end of cycle) and ends at `end` (-1:
 * not by the horizon): its PFS and OS events, or its censoring at the
 * horizon, counted from its start. */
static void add_line(int64_t *event_row, int64_t months, int64_t cycle, int32_t start,
                     int32_t end, int32_t death, ipsim_course_curve pfs)
{
    const int64_t from = start / cycle, horizon = months - 1 - from;
    const int64_t stride = months + 1;
    const ipsim_course_curve os = pfs + 1;
    const ipsim_course_curve censored = IPSIM_COURSE_CENSORED_PFS_SECOND_LINE +
                                        (pfs - IPSIM_COURSE_PFS_SECOND_LINE);
    int32_t first = end >= 0 && (death < 0 || end <= death) ? end : death;
    event_row[pfs * stride + (first >= 0 ? row_of(first, from, cycle) : months)]++;
    event_row[os * stride + (death >= 0 ? row_of(death, from, cycle) : months)]++;
    /* Followed to the horizon without the event. */
    if (first < 0)
        event_row[censored * stride + horizon]++;
    if (death < 0)
        event_row[(censored + 1) * stride + horizon]++;
}

void ipsim_course_add_patient(int64_t *event_row, ipsim_course_tallies *t, int64_t months,
                              int64_t cycle, const ipsim_patient_rows *rows,
                              const ipsim_patient_record *record)
{
    const int32_t death = record->death_month, progression = record->progression_month;
    int64_t *curve[IPSIM_COURSE_CURVES];
    for (int k = 0; k < IPSIM_COURSE_CURVES; k++)
        curve[k] = event_row + k * (months + 1);
    curve[IPSIM_COURSE_OS][death >= 0 ? row_of(death, 0, cycle) : months]++;
    int32_t first = progression >= 0 ? progression : death;
    curve[IPSIM_COURSE_PFS][first >= 0 ? row_of(first, 0, cycle) : months]++;
    /* A patient who progresses is alive then, so progression comes first. */
    curve[IPSIM_COURSE_PROGRESSION_FIRST][progression >= 0 ? row_of(progression, 0, cycle)
                                                           : months]++;
    if (record->improved_after_induction >= 0)
        curve[IPSIM_COURSE_OS_NOT_IMPROVED + record->improved_after_induction]
             [death >= 0 ? row_of(death, 0, cycle) : months]++;
    if (!record->transplant_eligible && record->age <= IPSIM_TRIAL_NO_ASCT_AGE_MAX) {
        curve[IPSIM_COURSE_PFS_S0777][first >= 0 ? row_of(first, 0, cycle) : months]++;
        curve[IPSIM_COURSE_OS_S0777][death >= 0 ? row_of(death, 0, cycle) : months]++;
    }
    if (record->asct_month >= 0 && record->age <= IPSIM_TRIAL_ASCT_AGE_MAX) {
        const int64_t from = record->asct_month / cycle;
        curve[IPSIM_COURSE_PFS_EMN02][first >= 0 ? row_of(first, from, cycle) : months]++;
    }
    t->lines_reached[IPSIM_LINE_FIRST]++;
    if (record->lines >= 2) {
        t->lines_reached[IPSIM_LINE_SECOND]++;
        add_line(event_row, months, cycle, progression, record->second_progression_month, death,
                 IPSIM_COURSE_PFS_SECOND_LINE);
    }
    if (record->lines >= 3) {
        t->lines_reached[IPSIM_LINE_LATER]++;
        add_line(event_row, months, cycle, record->second_progression_month,
                 record->third_progression_month, death, IPSIM_COURSE_PFS_THIRD_LINE);
    }
    if (death >= 0) {
        const int phase = rows->phase[row_of(death, 0, cycle) - 1];
        t->deaths_by_phase[phase][record->death_cause - 1]++;
    }
    for (int k = 0; k < IPSIM_COURSE_PERIODS; k++) {
        const int start = ipsim_infection_report_period_start[k], end = ipsim_infection_report_period_start[k + 1];
        if (start % cycle != 0 || end % cycle != 0 || end / cycle >= months)
            continue;
        if (rows->grade[start / cycle] == IPSIM_STATE_DEAD)
            continue;
        t->alive_at_period[k]++;
        bool infected = false;
        for (int64_t c = start / cycle; c < end / cycle; c++) {
            infected = infected || rows->infections[c] > 0;
            t->episodes_in_period[k] += rows->infections[c];
        }
        t->infected_in_period[k] += infected;
    }
}

/* The curve's censoring (NULL if everyone is followed to the horizon). */
static const int64_t *censoring(const int64_t *event_row, int64_t months,
                                ipsim_course_curve curve)
{
    if (curve < IPSIM_COURSE_PFS_SECOND_LINE || curve > IPSIM_COURSE_OS_THIRD_LINE)
        return NULL;
    return event_row + (IPSIM_COURSE_CENSORED_PFS_SECOND_LINE +
                        (curve - IPSIM_COURSE_PFS_SECOND_LINE)) * (months + 1);
}

/* Kaplan-Meier: the share without the event at the start of each row, and
 * its 95% interval (Greenwood's variance; without censoring, Wilson's
 * interval of the plain share). Returns the population. */
static int64_t kaplan_meier(const int64_t *event_row, int64_t months, ipsim_course_curve curve,
                            double *share, double *low, double *high)
{
    const int64_t *events = event_row + curve * (months + 1);
    const int64_t *censored = censoring(event_row, months, curve);
    int64_t n = 0;
    for (int64_t r = 0; r <= months; r++)
        n += events[r];
    int64_t at_risk = n;
    double s = 1, greenwood = 0;
    for (int64_t r = 0; r < months; r++) {
        const int64_t d = events[r];
        if (at_risk > 0 && d > 0) {
            s *= 1 - (double)d / (double)at_risk;
            if (at_risk > d)
                greenwood += (double)d / ((double)at_risk * (double)(at_risk - d));
        }
        at_risk -= d;
        share[r] = n > 0 ? s : NAN;
        if (!censored) {
            ipsim_interval_share(llround(s * (double)n), n, &low[r], &high[r]);
        } else {
            double se = s * sqrt(greenwood);
            low[r] = fmax(0, s - 1.959963984540054 * se);
            high[r] = fmin(1, s + 1.959963984540054 * se);
            at_risk -= censored[r];
        }
    }
    return n;
}

int64_t ipsim_course_median(const int64_t *event_row, int64_t months, int64_t cycle,
                            ipsim_course_curve curve, double *median, double *low,
                            double *high)
{
    *median = *low = *high = NAN;
    double *y = malloc((size_t)months * 3 * sizeof *y);
    if (!y)
        return 0;
    int64_t n = kaplan_meier(event_row, months, curve, y, y + months, y + 2 * months);
    if (n > 0) {
        *median = ipsim_interval_half_crossing(y, months, cycle);
        *low = ipsim_interval_half_crossing(y + months, months, cycle);
        *high = ipsim_interval_half_crossing(y + 2 * months, months, cycle);
    }
    free(y);
    return n;
}

double ipsim_course_share_at(const int64_t *event_row, int64_t months, int64_t cycle,
                             ipsim_course_curve curve, double month)
{
    double *y = malloc((size_t)months * 3 * sizeof *y);
    double value = NAN;
    if (y && kaplan_meier(event_row, months, curve, y, y + months, y + 2 * months) > 0) {
        double row = month / (double)cycle;
        if (row >= 0 && row <= (double)(months - 1)) {
            int64_t below = (int64_t)floor(row);
            double frac = row - (double)below;
            value = below + 1 < months ? (1 - frac) * y[below] + frac * y[below + 1] : y[below];
        }
    }
    free(y);
    return value;
}

/* "38.0 (36.9-39.1)", or "not reached by 120", in a fixed width. */
static void print_median(FILE *out, const int64_t *event_row, int64_t months, int64_t cycle,
                         ipsim_course_curve curve)
{
    double median, low, high;
    char text[64];
    int64_t n = ipsim_course_median(event_row, months, cycle, curve, &median, &low, &high);
    if (n == 0)
        snprintf(text, sizeof text, "no patients");
    else if (isnan(median))
        snprintf(text, sizeof text, "not reached by %lld", (long long)((months - 1) * cycle));
    else if (isnan(high))
        snprintf(text, sizeof text, "%.1f (%.1f-?)", median, low);
    else
        snprintf(text, sizeof text, "%.1f (%.1f-%.1f)", median, low, high);
    fprintf(out, "%-22s", text);
}

void ipsim_course_print(FILE *out, const int64_t *event_row, const ipsim_course_tallies *t,
                        const int64_t *phase_occupancy, int64_t months, int64_t cycle)
{
    fprintf(out, "Course of the disease (median months from the start, 95%% interval):\n");
    static const struct {
        const char *label;
        ipsim_course_curve pfs, os;
        int line;
    } lines[] = {
        {"first line, from diagnosis", IPSIM_COURSE_PFS, IPSIM_COURSE_OS, IPSIM_LINE_FIRST},
        {"second line, from its start", IPSIM_COURSE_PFS_SECOND_LINE, IPSIM_COURSE_OS_SECOND_LINE,
         IPSIM_LINE_SECOND},
        {"third line, from its start", IPSIM_COURSE_PFS_THIRD_LINE, IPSIM_COURSE_OS_THIRD_LINE,
         IPSIM_LINE_LATER},
    };
    for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
        fprintf(out, "  %-29s %9lld patients  PFS ", lines[k].label,
                (long long)t->lines_reached[lines[k].line]);
        print_median(out, event_row, months, cycle, lines[k].pfs);
        fprintf(out, "  OS ");
        print_median(out, event_row, months, cycle, lines[k].os);
        fputc('\n', out);
    }
    fprintf(out, "  OS by IP improvement after induction: not improved ");
    print_median(out, event_row, months, cycle, IPSIM_COURSE_OS_NOT_IMPROVED);
    fprintf(out, " improved ");
    print_median(out, event_row, months, cycle, IPSIM_COURSE_OS_IMPROVED);
    fputc('\n', out);

    /* What ended progression-free survival, by 38 months and by the horizon. */
    const int64_t *pfs = event_row + IPSIM_COURSE_PFS * (months + 1);
    const int64_t *prog = event_row + IPSIM_COURSE_PROGRESSION_FIRST * (months + 1);
    const int64_t at[2] = {38 / cycle < months ? 38 / cycle : months - 1, months - 1};
    for (int k = 0; k < 2; k++) {
        int64_t events = 0, progressions = 0;
        for (int64_t r = 0; r <= at[k]; r++) {
            events += pfs[r];
            progressions += prog[r];
        }
        fprintf(out, "  PFS events by month %lld: %lld, of which progressions %.1f%%\n",
                (long long)(at[k] * cycle), (long long)events,
                events ? 100.0 * (double)progressions / (double)events : NAN);
    }

    fprintf(out, "Deaths per 100 patient-years by phase (of infection / myeloma / other causes):\n");
    for (int ph = 0; ph < IPSIM_PHASES; ph++) {
        int64_t cycles = 0, dead = 0;
        for (int64_t m = 0; m + 1 < months; m++)
            cycles += phase_occupancy[m * IPSIM_PHASE_STATES + ph];
        for (int d = 0; d < IPSIM_DEATH_CAUSES - 1; d++)
            dead += t->deaths_by_phase[ph][d];
        const double per = cycles ? 1200.0 / (double)(cycles * cycle) : NAN;
        fprintf(out, "  %-13s %7.1f  (%.1f / %.1f / %.1f)  over %.0f patient-years\n",
                ipsim_phase_names[ph], (double)dead * per,
                (double)t->deaths_by_phase[ph][IPSIM_DEATH_INFECTION - 1] * per,
                (double)t->deaths_by_phase[ph][IPSIM_DEATH_MYELOMA - 1] * per,
                (double)t->deaths_by_phase[ph][IPSIM_DEATH_BACKGROUND - 1] * per,
                (double)(cycles * cycle) / 12.0);
    }
    fprintf(out, "Share alive at a period's start with >= 1 infection in it:");
    for (int k = 0; k < IPSIM_COURSE_PERIODS; k++) {
        fprintf(out, "%s months %d-%d ", k ? "," : "", ipsim_infection_report_period_start[k],
                ipsim_infection_report_period_start[k + 1] - 1);
        if (t->alive_at_period[k] > 0)
            fprintf(out, "%.1f%%",
                    100.0 * (double)t->infected_in_period[k] / (double)t->alive_at_period[k]);
        else
            fprintf(out, "-");
    }
    fputc('\n', out);
}
