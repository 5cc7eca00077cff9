/* output/summary_runs.c: monthly rows as runs (output/summary_runs.h). */
#include "output/summary_runs.h"

#include <math.h>
#include <string.h>

#include "output/summary.h"

/* The first element m in [from, end) of a row of `size`-byte elements whose
 * bytes differ from those of element m - 1, or end if none does (from >=
 * 1). Eight bytes at a time: runs are long, and most months of a living
 * patient cost an eighth of a comparison rather than one. Equal bytes are
 * equal values here: levels are positive numbers (never NaN or -0 before
 * death) and states are bytes. */
static inline int64_t next_change(const void *row, int64_t from, int64_t end, size_t size)
{
    const unsigned char *bytes = row;
    size_t k = (size_t)from * size;
    const size_t stop = (size_t)end * size;
    while (k + 8 <= stop) {
        uint64_t a, b;
        memcpy(&a, bytes + k, 8);
        memcpy(&b, bytes + k - size, 8);
        const uint64_t differ = a ^ b;
        if (differ) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            k += (size_t)__builtin_clzll(differ) >> 3;
#else
            k += (size_t)__builtin_ctzll(differ) >> 3;
#endif
            return (int64_t)(k / size);
        }
        k += 8;
    }
    for (; k < stop; k++)
        if (bytes[k] != bytes[k - size])
            return (int64_t)(k / size);
    return end;
}

void ipsim_runs_add_states(int64_t *changes, int width, const uint8_t *row, int64_t end,
                           int64_t months, int dead)
{
    int state = end > 0 ? row[0] : dead;
    changes[state]++;
    for (int64_t m = next_change(row, 1, end, 1); m < end; m = next_change(row, m + 1, end, 1)) {
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
    int64_t mg = 0;
    /* Month 0 begins a run; so does each month whose level is not the one
     * before. */
    for (int64_t m = 0; m < end; m = next_change(level, m + 1, end, sizeof *level)) {
        const int64_t now = ipsim_whole_mg(level[m]);
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
    int64_t mg = 0;
    int band = -1;
    int64_t since = 0, episodes = 0; /* the band's run so far */
    for (int64_t m = 0; m < end;) {
        /* Month m begins a run of one level (month 0, or a change). */
        const int64_t now = ipsim_whole_mg(igg[m]);
        changes[m * width + column] += now - mg;
        mg = now;
        const int now_band = ipsim_igg_band(igg[m]);
        if (now_band != band) {
            if (band >= 0) {
                band_months[band][0] += ((m < cycles ? m : cycles) - since) * cycle_months;
                band_episodes[band][0] += episodes;
            }
            band = now_band;
            since = m;
            episodes = 0;
        }
        const int64_t next = next_change(igg, m + 1, end, sizeof *igg);
        for (; m < next; m++)
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
