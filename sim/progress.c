/* sim/progress.c: the terminal progress bar and the log's progress lines. */
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

void ipsim_progress_init(ipsim_progress *p, FILE *out, int quiet, double every_seconds,
                         const char *label)
{
    const int terminal = out && isatty(fileno(out));
    *p = (ipsim_progress){.out = !quiet && out && (terminal || every_seconds > 0) ? out : NULL,
                          .lines = !terminal,
                          .every_seconds = every_seconds,
                          .start_seconds = ipsim_seconds(),
                          .label = label,
                          .unit = "patient-months"};
    /* The first line comes one interval after the start, not at once. */
    p->last_draw_seconds = p->start_seconds;
}

void ipsim_progress_scenario(ipsim_progress *p, int k, int n, const char *name)
{
    p->scenario = k;
    p->scenarios = n;
    p->scenario_name = name;
}

void ipsim_progress_duration(double seconds, char *buf, size_t size)
{
    long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (s < 60)
        snprintf(buf, size, "%ld s", s);
    else if (s < 3600)
        snprintf(buf, size, "%ld min %02ld s", s / 60, s % 60);
    else
        snprintf(buf, size, "%ld h %02ld min", s / 3600, s % 3600 / 60);
}

/* One line for a log: whole lines, each complete in itself, so that a log
 * read while the run goes on (tail -f, Slurm's output file) says where it
 * is and when it should end. */
static void write_line(const ipsim_progress *p, int64_t done, int64_t total, double elapsed,
                       double rate, double eta)
{
    char scenario[160] = "", spent[32], left[32];
    if (p->scenarios > 0)
        snprintf(scenario, sizeof scenario, " scenario %d of %d (%s):", p->scenario,
                 p->scenarios, p->scenario_name ? p->scenario_name : "");
    ipsim_progress_duration(elapsed, spent, sizeof spent);
    ipsim_progress_duration(eta, left, sizeof left);
    fprintf(p->out, "ipsim: %s:%s %lld of %lld %s (%.1f%%), %.3g %s/s, %s elapsed, ETA %s\n",
            p->label, scenario, (long long)done, (long long)total, p->unit,
            100.0 * (double)done / (double)total, rate, p->unit, spent,
            done < total ? left : "0 s");
    fflush(p->out);
}

void ipsim_progress_update(void *progress, int64_t done, int64_t total)
{
    ipsim_progress *p = progress;
    if (!p->out || total <= 0)
        return;
    double now = ipsim_seconds();
    double wait = p->lines ? p->every_seconds : 0.1;
    if (done < total && now - p->last_draw_seconds < wait)
        return;
    if (p->lines && done >= total && !p->written)
        return;
    p->last_draw_seconds = now;
    double fraction = (double)done / (double)total;
    double elapsed = now - p->start_seconds;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    if (p->lines) {
        p->written++;
        write_line(p, done, total, elapsed, rate, eta);
        return;
    }
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = (int)(fraction * WIDTH);
    for (int i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(p->out, "\r%s [%s] %5.1f%%  %.3g %s/s  ETA %.0f s   ", p->label, bar,
            100 * fraction, rate, p->unit, eta);
    fflush(p->out);
}

void ipsim_progress_finish(ipsim_progress *p)
{
    if (!p->out || p->lines)
        return;
    /* Carriage return, then erase the line (the bar is only drawn on a
     * terminal, which understands ANSI erase-in-line). */
    fputs("\r\033[K", p->out);
    fflush(p->out);
}
