/* sim/progress.c: the terminal progress bar. */
#define _POSIX_C_SOURCE 200809L
#include "sim/progress.h"

#include <time.h>
#include <unistd.h>

double ipsim_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ipsim_progress_init(ipsim_progress *p, FILE *out, int quiet, const char *label)
{
    p->out = (!quiet && out && isatty(fileno(out))) ? out : NULL;
    p->start_seconds = ipsim_seconds();
    p->last_draw_seconds = 0;
    p->label = label;
}

void ipsim_progress_update(void *progress, int64_t done, int64_t total)
{
    ipsim_progress *p = progress;
    if (!p->out || total <= 0)
        return;
    double now = ipsim_seconds();
    if (done < total && now - p->last_draw_seconds < 0.1)
        return;
    p->last_draw_seconds = now;
    double fraction = (double)done / (double)total;
    double elapsed = now - p->start_seconds;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = (int)(fraction * WIDTH);
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(p->out, "\r%s [%s] %5.1f%%  %.3g patient-months/s  ETA %.0f s   ", p->label, bar,
            100 * fraction, rate, eta);
    fflush(p->out);
}

void ipsim_progress_finish(ipsim_progress *p)
{
    if (!p->out)
        return;
    /* Carriage return, then erase the line (the bar is only drawn on a
     * terminal, which understands ANSI erase-in-line). */
    fputs("\r\033[K", p->out);
    fflush(p->out);
}
