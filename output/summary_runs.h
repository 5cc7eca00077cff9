/* output/summary_runs.h: a patient's monthly rows added to the summary's
 * monthly tables as the changes along them (output/summary.c's helper).
 *
 * A patient's grade, phase and levels stay the same for months at a time,
 * and from death on they are the dead state for good. Rather than add to a
 * table's cell every month, these record where each run of a value begins
 * and ends: the change rows hold, at month m, +1 (or the level's mg/L)
 * where a run begins and -1 (or minus it) where it ends, so that the
 * running sum of a column over the months is the table's column. Every
 * entry is an integer, so the tables these fold into are exactly what adding
 * month by month gives, whatever the order. The runs are found eight
 * bytes at a time: a living month costs a fraction of a comparison, a dead
 * one nothing. */
#ifndef IPSIM_SUMMARY_RUNS_H
#define IPSIM_SUMMARY_RUNS_H

#include <stdint.h>

/* The patient's states in row[0..end) (the living months), then
 * `dead` from end to the last month; changes is [months][width]. */
void ipsim_runs_add_states(int64_t *changes, int width, const uint8_t *row, int64_t end,
                           int64_t months, int dead);

/* Whole mg/L of a level, rounded half up (levels being positive and a
 * float times 1000 exact in a double). */
static inline int64_t ipsim_whole_mg(double g_per_l)
{
    return (int64_t)(g_per_l * 1000.0 + 0.5);
}

/* The level of class `column` in level[0..end), in whole mg/L, into
 * changes ([months][width]); nothing from end on (the dead have none). */
void ipsim_runs_add_level(int64_t *changes, int width, int column, const float *level,
                          int64_t end, int64_t months);

/* The same for IgG, together with the months lived by IgG band and the
 * episodes begun in them (band_months[band][0], band_episodes[band][0]) over
 * the cycles begun alive, row[0..min(end, cycles)), each cycle
 * cycle_months long. */
void ipsim_runs_add_igg(int64_t *changes, int width, int column, const float *igg,
                        const uint8_t *infections, int64_t end, int64_t months,
                        int64_t cycle_months, int64_t (*band_months)[2],
                        int64_t (*band_episodes)[2]);

/* table[m][k] += the running sum over months of changes[.][k], m < months. */
void ipsim_runs_fold(int64_t *table, const int64_t *changes, int width, int64_t months);

#endif
