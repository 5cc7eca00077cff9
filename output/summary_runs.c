/* output/summary_runs.c: monthly rows as runs (output/summary_runs.h). */
#include "output/summary_runs.h"

#include <math.h>

#include "output/summary.h"

void ipsim_runs_add_states(int64_t *changes, int width, const uint8_t *row, int64_t end,
                           int64_t months, int dead)
{
    int state = end > 0 ? row[0] : dead;
    changes[state]++;
    for (int64_t m = 1; m < end; m++)
        if (row[m] != state) {
            changes[m * width + state]--;
            state = row[m];
            changes[m * width + state]++;
        }
    if (end > 0 && end < months) {
        changes[end * width + state]--;
        changes[end * width + dead]++;
    }
}

void ipsim_runs_add_level(int64_t *changes, int width, int column, const float *level,
                          int64_t end, int64_t months)
{
    float held = NAN; /* unequal to every level: the first month begins a run */
    int64_t mg = 0;
    for (int64_t m = 0; m < end; m++)
        if (level[m] != held) {
            held = level[m];
            const int64_t now = ipsim_whole_mg(held);
            changes[m * width + column] += now - mg;
            mg = now;
        }
    if (end < months)
        changes[end * width + column] -= mg;
}

void ipsim_runs_add_igg(int64_t *changes, int width, int column, const float *igg,
                        const uint8_t *infections, int64_t end, int64_t months,
                        int64_t cycle_months, int64_t (*band_months)[2],
                        int64_t (*band_episodes)[2])
{
    const int64_t cycles = months - 1; /* the horizon's row begins no cycle */
    float held = NAN;
    int64_t mg = 0;
    int band = -1;
    int64_t since = 0, episodes = 0; /* the band's run so far */
    for (int64_t m = 0; m < end; m++) {
        if (igg[m] != held) {
            held = igg[m];
            const int64_t now = ipsim_whole_mg(held);
            changes[m * width + column] += now - mg;
            mg = now;
            const int now_band = ipsim_igg_band(held);
            if (now_band != band) {
                if (band >= 0) {
                    band_months[band][0] += ((m < cycles ? m : cycles) - since) * cycle_months;
                    band_episodes[band][0] += episodes;
                }
                band = now_band;
                since = m;
                episodes = 0;
            }
        }
        episodes += infections[m]; /* the horizon's entry is 0 */
    }
    if (band >= 0) {
        const int64_t to = end < cycles ? end : cycles;
        band_months[band][0] += (to > since ? to - since : 0) * cycle_months;
        band_episodes[band][0] += episodes;
    }
    if (end < months)
        changes[end * width + column] -= mg;
}

void ipsim_runs_fold(int64_t *table, const int64_t *changes, int width, int64_t months)
{
    for (int k = 0; k < width; k++) {
        int64_t running = 0;
        for (int64_t m = 0; m < months; m++) {
            running += changes[m * width + k];
            table[m * width + k] += running;
        }
    }
}
