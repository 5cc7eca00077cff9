/* report/report.c: the figures of a run, and the report's directory.
 *
 * Figures are a table of (file name, title, caption, drawing function):
 * each is drawn in every requested format into a hidden directory beside
 * the target, index.html (report/report_page.c) is written last, and the
 * directory is then renamed into place (report/report.h). */
#define _POSIX_C_SOURCE 200809L
#include "report/report.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/comparison.h"
#include "base/atomic_file.h"
#include "output/csv.h"
#include "output/h5_reader.h"
#include "output/intervals.h"
#include "report/report_internal.h"
#include "report/report_series.h"

const char *const ipsim_report_state_labels[IPSIM_STATES] = {
    "None", "Mild", "Moderate", "Severe", "Very severe", "Dead"};

/* Grades from green (no IP) to dark red (very severe), the dead in grey:
 * ordered, so a reader sees risk rise without the legend. */
static const ipsim_colour state_colours[IPSIM_STATES] = {
    {26, 152, 80, 1}, {145, 207, 96, 1}, {240, 190, 60, 1},
    {244, 109, 67, 1}, {165, 0, 38, 1},  {140, 140, 140, 1},
};

static const char *const rate_labels[IPSIM_RATE_KINDS] = {"Bacterial", "Viral", "Fungal",
                                                          "Serious, any type"};
static const int rate_palette[IPSIM_RATE_KINDS] = {0, 1, 2, 7};

/* Short names for the room's own types (report/report_internal.h). */
typedef ipsim_report_data report;
typedef ipsim_report_figure figure;

/* ---- numbers and scales ------------------------------------------------------------ */

/* The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above v (v > 0), for axis
 * ends; 1 for v <= 0. */
double ipsim_report_nice_ceiling(double v)
{
    if (!(v > 0) || !isfinite(v))
        return 1;
    double unit = pow(10, floor(log10(v)));
    const double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * unit >= v * (1 - 1e-12))
            return steps[i] * unit;
    return 10 * unit;
}

/* ---- the figures --------------------------------------------------------------------- */

double ipsim_report_horizon(const report *rp)
{
    double h = 0;
    for (int s = 0; s < rp->count; s++)
        h = fmax(h, rp->series[s].month[rp->series[s].rows - 1]);
    return h;
}

/* A scenario's panel title: its name, and under PSA the draws. */
void ipsim_report_panel_title(const report *rp, int s, char *buf, size_t size)
{
    const ipsim_report_series *x = &rp->series[s];
    if (x->across_draws)
        snprintf(buf, size, "%s (%lld PSA draws)", ipsim_report_label(rp, s),
                 (long long)x->replicates);
    else
        snprintf(buf, size, "%s", ipsim_report_label(rp, s));
}

const char *ipsim_report_band_note(const report *rp)
{
    return rp->series[0].across_draws ? "Bands: 95% of PSA draws" : "Bands: 95% intervals";
}

/* Starts scenario s's panel over months since diagnosis, 0 .. top on the
 * y axis; *axes keeps what it drew (title included, so `title` must
 * outlive it). */
static void time_panel(const report *rp, const ipsim_plot_figure *fig, int s, double top,
                       const char *ylabel, char *title, size_t title_size, ipsim_plot_axes *axes)
{
    ipsim_report_panel_title(rp, s, title, title_size);
    *axes = (ipsim_plot_axes){.xmin = 0, .xmax = ipsim_report_horizon(rp), .ymin = 0, .ymax = top,
                              .xlabel = "Months since diagnosis", .ylabel = ylabel,
                              .title = title, .grid = true};
    ipsim_plot_panel(fig, axes, s);
}

/* A curve of estimates over the months of x (scaled), with its band. */
static void draw_curve(const ipsim_report_series *x, const ipsim_estimate *e, double scale,
                       ipsim_colour c)
{
    double mean[x->rows], low[x->rows], high[x->rows];
    for (int64_t m = 0; m < x->rows; m++) {
        mean[m] = scale * e[m].mean;
        low[m] = scale * e[m].low;
        high[m] = scale * e[m].high;
    }
    ipsim_plot_band((int)x->rows, x->month, low, high, ipsim_plot_fade(c, 0.22));
    ipsim_plot_line((int)x->rows, x->month, mean, c, 2.5, false);
}

static void draw_occupancy(const report *rp, const ipsim_plot_figure *fig)
{
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        char title[IPSIM_REPORT_LABEL_MAX + 32];
        ipsim_plot_axes axes;
        time_panel(rp, fig, s, 100, "Share of the cohort (%)", title, sizeof title, &axes);
        double lower[x->rows], upper[x->rows];
        for (int64_t m = 0; m < x->rows; m++)
            lower[m] = 0;
        for (int k = 0; k < IPSIM_STATES; k++) {
            for (int64_t m = 0; m < x->rows; m++)
                upper[m] = lower[m] + 100 * x->occupancy[m * IPSIM_STATES + k];
            ipsim_plot_band((int)x->rows, x->month, lower, upper, state_colours[k]);
            memcpy(lower, upper, sizeof lower);
        }
        ipsim_plot_axes_on_top(&axes);
    }
    ipsim_legend_entry legend[IPSIM_STATES + 1] = {{"State", {0}, IPSIM_LEGEND_HEADING, 0}};
    for (int k = 0; k < IPSIM_STATES; k++) /* top-down as stacked */
        legend[1 + k] = (ipsim_legend_entry){ipsim_report_state_labels[IPSIM_STATES - 1 - k],
                                             state_colours[IPSIM_STATES - 1 - k],
                                             IPSIM_LEGEND_AREA, 0};
    ipsim_plot_legend(fig, legend, IPSIM_STATES + 1);
}

static void draw_infection_risk(const report *rp, const ipsim_plot_figure *fig)
{
    double top = 0;
    for (int s = 0; s < rp->count; s++)
        for (int64_t i = 0; i < IPSIM_GRADES * rp->series[s].rows; i++)
            if (isfinite(rp->series[s].infected[i].high))
                top = fmax(top, 100 * rp->series[s].infected[i].high);
    top = fmin(100, ipsim_report_nice_ceiling(top));
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        char title[IPSIM_REPORT_LABEL_MAX + 32];
        ipsim_plot_axes axes;
        time_panel(rp, fig, s, top, "Patients with ≥ 1 infection (%)", title, sizeof title,
                   &axes);
        for (int g = 0; g < IPSIM_GRADES; g++)
            if (x->baseline[g] > 0)
                draw_curve(x, &x->infected[g * x->rows], 100, state_colours[g]);
    }
    ipsim_legend_entry legend[IPSIM_GRADES + 3];
    char labels[IPSIM_GRADES][64];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Grade at diagnosis", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int g = 0; g < IPSIM_GRADES; g++) {
        if (rp->count == 1) {
            char count[32];
            ipsim_plot_thousands(count, sizeof count, (double)rp->series[0].baseline[g]);
            snprintf(labels[g], sizeof labels[g], "%s (n = %s)", ipsim_report_state_labels[g], count);
        } else {
            snprintf(labels[g], sizeof labels[g], "%s", ipsim_report_state_labels[g]);
        }
        legend[n++] = (ipsim_legend_entry){labels[g], state_colours[g], IPSIM_LEGEND_LINE, 0};
    }
    legend[n++] = (ipsim_legend_entry){ipsim_report_band_note(rp), {150, 150, 150, 0.35}, IPSIM_LEGEND_AREA, 0};
    ipsim_plot_legend(fig, legend, n);
}

static void draw_infection_rates(const report *rp, const ipsim_plot_figure *fig)
{
    double top = 0;
    for (int s = 0; s < rp->count; s++)
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int k = 0; k < IPSIM_RATE_KINDS; k++) {
                const ipsim_estimate *e = &rp->series[s].rate[g][k];
                if (isfinite(e->high))
                    top = fmax(top, e->high);
                else if (isfinite(e->mean))
                    top = fmax(top, e->mean);
            }
    top = ipsim_report_nice_ceiling(top);
    /* The types as bars side by side; serious episodes, of any type and so
     * a subset of the bars' sum, as a black diamond apart from them, so
     * they do not read as a fourth type. */
    const double width = 0.6 / IPSIM_INFECTION_TYPES;
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        char title[IPSIM_REPORT_LABEL_MAX + 32];
        ipsim_report_panel_title(rp, s, title, sizeof title);
        ipsim_plot_axes axes = {.xmin = 0, .xmax = IPSIM_GRADES, .ymin = 0, .ymax = top,
                                .xlabel = "Immunoparesis grade when the episode began",
                                .ylabel = "Episodes per 100 patient-years", .title = title,
                                .x_categories = true, .grid = true};
        ipsim_plot_panel(fig, &axes, s);
        for (int g = 0; g < IPSIM_GRADES; g++) {
            for (int k = 0; k < IPSIM_INFECTION_TYPES; k++) {
                const ipsim_estimate *e = &x->rate[g][k];
                double x0 = g + 0.08 + k * width;
                ipsim_plot_bar(x0, x0 + width, e->mean, ipsim_plot_palette(rate_palette[k]));
                ipsim_plot_whisker(x0 + width / 2, e->low, e->high, width / 4, true,
                                   (ipsim_colour){0, 0, 0, 1});
            }
            const ipsim_estimate *e = &x->rate[g][IPSIM_RATE_SERIOUS];
            double at = g + 0.82;
            ipsim_plot_whisker(at, e->low, e->high, 0.05, true, (ipsim_colour){0, 0, 0, 1});
            ipsim_plot_markers(1, &at, &e->mean, (ipsim_colour){0, 0, 0, 1}, 1.0, 3);
            ipsim_plot_category(g + 0.5, ipsim_report_state_labels[g]);
        }
        ipsim_plot_axes_on_top(&axes);
    }
    ipsim_legend_entry legend[IPSIM_RATE_KINDS + 4];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Episodes by type", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int k = 0; k < IPSIM_INFECTION_TYPES; k++)
        legend[n++] = (ipsim_legend_entry){rate_labels[k], ipsim_plot_palette(rate_palette[k]),
                                           IPSIM_LEGEND_AREA, 0};
    legend[n++] = (ipsim_legend_entry){"Of these, serious", {0}, IPSIM_LEGEND_HEADING, 0};
    legend[n++] = (ipsim_legend_entry){rate_labels[IPSIM_RATE_SERIOUS], {0, 0, 0, 1},
                                       IPSIM_LEGEND_POINT, 3};
    legend[n++] = (ipsim_legend_entry){rp->series[0].across_draws ? "Whiskers: 95% of PSA draws"
                                                                  : "Whiskers: 95% intervals",
                                       {0, 0, 0, 1}, IPSIM_LEGEND_LINE, 0};
    ipsim_plot_legend(fig, legend, n);
}

/* Whether scenario s gives IVIG: the IVIG figure has a panel for each
 * that does (an empty panel says nothing a table would not). */
static bool gives_ivig(const report *rp, int s)
{
    return ipsim_h5_reader_params(rp->readers[s])->ivig.policy != IPSIM_IVIG_NONE;
}

static void draw_ivig_use(const report *rp, const ipsim_plot_figure *fig)
{
    double top = 0;
    for (int s = 0; s < rp->count; s++)
        for (int64_t m = 0; gives_ivig(rp, s) && m < rp->series[s].rows; m++) {
            const ipsim_estimate *e = &rp->series[s].on_ivig[m];
            if (isfinite(e->high))
                top = fmax(top, e->high);
        }
    top = top > 0 ? fmin(100, ipsim_report_nice_ceiling(top)) : 10;
    ipsim_legend_entry legend[IPSIM_PLOT_COLUMNS * 8 + 2];
    int n = 0, panel = 0;
    legend[n++] = (ipsim_legend_entry){"Scenario", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int s = 0; s < rp->count; s++) {
        if (!gives_ivig(rp, s))
            continue;
        const ipsim_report_series *x = &rp->series[s];
        char title[IPSIM_REPORT_LABEL_MAX + 32];
        ipsim_report_panel_title(rp, s, title, sizeof title);
        ipsim_plot_axes axes = {.xmin = 0, .xmax = ipsim_report_horizon(rp), .ymin = 0,
                                .ymax = top, .xlabel = "Months since diagnosis",
                                .ylabel = "Living patients given IVIG (%)", .title = title,
                                .grid = true};
        ipsim_plot_panel(fig, &axes, panel++);
        draw_curve(x, x->on_ivig, 1, ipsim_plot_palette(s));
        if (n < (int)(sizeof legend / sizeof legend[0]) - 1)
            legend[n++] = (ipsim_legend_entry){ipsim_report_label(rp, s), ipsim_plot_palette(s),
                                               IPSIM_LEGEND_LINE, 0};
    }
    legend[n++] = (ipsim_legend_entry){ipsim_report_band_note(rp), {150, 150, 150, 0.35},
                                       IPSIM_LEGEND_AREA, 0};
    ipsim_plot_legend(fig, legend, n);
}

/* ---- the data behind each figure, as CSV -------------------------------------------- */

static void write_estimate(FILE *f, const ipsim_estimate *e, double scale)
{
    ipsim_csv_number(f, scale * e->mean);
    ipsim_csv_number(f, scale * e->low);
    ipsim_csv_number(f, scale * e->high);
    fputc('\n', f);
}

static void data_occupancy(const report *rp, FILE *f)
{
    fputs("scenario,month", f);
    for (int k = 0; k < IPSIM_STATES; k++)
        fprintf(f, ",%s_pct", ipsim_state_names[k]);
    fputc('\n', f);
    for (int s = 0; s < rp->count; s++)
        for (int64_t m = 0; m < rp->series[s].rows; m++) {
            ipsim_csv_text(f, false, rp->series[s].name);
            fprintf(f, ",%g", rp->series[s].month[m]);
            for (int k = 0; k < IPSIM_STATES; k++)
                ipsim_csv_number(f, 100 * rp->series[s].occupancy[m * IPSIM_STATES + k]);
            fputc('\n', f);
        }
}

static void data_infection_risk(const report *rp, FILE *f)
{
    fputs("scenario,baseline_grade,patients,month,infected_pct,low_pct,high_pct\n", f);
    for (int s = 0; s < rp->count; s++)
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int64_t m = 0; m < rp->series[s].rows; m++) {
                ipsim_csv_text(f, false, rp->series[s].name);
                fprintf(f, ",%s,%lld,%g", ipsim_state_names[g],
                        (long long)rp->series[s].baseline[g], rp->series[s].month[m]);
                write_estimate(f, &rp->series[s].infected[g * rp->series[s].rows + m], 100);
            }
}

static void data_infection_rates(const report *rp, FILE *f)
{
    static const char *const kinds[IPSIM_RATE_KINDS] = {"bacterial", "viral", "fungal",
                                                        "serious"};
    fputs("scenario,grade,episodes,per_100_patient_years,low,high\n", f);
    for (int s = 0; s < rp->count; s++)
        for (int g = 0; g < IPSIM_GRADES; g++)
            for (int k = 0; k < IPSIM_RATE_KINDS; k++) {
                ipsim_csv_text(f, false, rp->series[s].name);
                fprintf(f, ",%s,%s", ipsim_state_names[g], kinds[k]);
                write_estimate(f, &rp->series[s].rate[g][k], 1);
            }
}

static void data_ivig_use(const report *rp, FILE *f)
{
    fputs("scenario,month,on_ivig_pct_of_living,low_pct,high_pct\n", f);
    for (int s = 0; s < rp->count; s++)
        for (int64_t m = 0; m + 1 < rp->series[s].rows; m++) {
            ipsim_csv_text(f, false, rp->series[s].name);
            fprintf(f, ",%g", rp->series[s].month[m]);
            write_estimate(f, &rp->series[s].on_ivig[m], 1);
        }
}

const ipsim_report_figure ipsim_report_figures[] = {
    {"occupancy", "Immunoparesis grade over time",
     "Share of the cohort in each immunoparesis grade, and dead, month by month since "
     "diagnosis.",
     draw_occupancy, data_occupancy, 1, IPSIM_REPORT_NEEDS_NOTHING, NULL},
    {"infection_risk", "Share with at least one infection, by grade at diagnosis",
     "Cumulative share of patients with at least one infection episode, by immunoparesis "
     "grade at diagnosis: risk climbs with grade (deaths compete; shaded: 95% band).",
     draw_infection_risk, data_infection_risk, 1, IPSIM_REPORT_NEEDS_NOTHING, NULL},
    {"infection_rates", "Infection episodes by immunoparesis grade and type",
     "Infection episodes per 100 patient-years lived in each grade, by type and serious "
     "(admitted) episodes of any type, with 95% whiskers.",
     draw_infection_rates, data_infection_rates, 1, IPSIM_REPORT_NEEDS_NOTHING, NULL},
    {"ivig_use", "IVIG replacement over time",
     "Share of the living patients given IVIG in each month since diagnosis (shaded: 95% "
     "band).",
     draw_ivig_use, data_ivig_use, 1, IPSIM_REPORT_NEEDS_NOTHING, gives_ivig},
    {"igg_over_time", "IgG over time",
     "Mean IgG of the living patients, month by month since diagnosis: with the trough rise of "
     "given immunoglobulin added (solid, one line per scenario) and their own polyclonal IgG "
     "alone (dashed), excluding the paraprotein; dotted: 4 g/L, the threshold of NHS "
     "England's criteria. Bands (PSA only): 95% of draws.",
     ipsim_report_draw_igg_over_time, ipsim_report_data_igg_over_time, 0,
     IPSIM_REPORT_NEEDS_LEVELS, NULL},
    {"igg_risk", "Infection rate by own IgG",
     "Infection episodes per 100 patient-years lived, by the patient's own polyclonal IgG at "
     "the start of the month (1 g/L bands; the last, 15 g/L or more), in months without and "
     "with IVIG given, with 95% whiskers; bands with under 100 patient-years are left out.",
     ipsim_report_draw_igg_risk, ipsim_report_data_igg_risk, 1, IPSIM_REPORT_NEEDS_LEVELS, NULL},
    {"ce_plane", "Cost-effectiveness plane",
     "Incremental discounted cost against incremental QALYs per patient of each scenario over "
     "the first (large points: expected values; solid black: the efficiency frontier; dashed: "
     "willingness-to-pay thresholds, each in its own pattern, below and right of which a "
     "scenario is cost-effective).",
     ipsim_report_draw_ce_plane, ipsim_report_data_ce_plane, 0, IPSIM_REPORT_NEEDS_COMPARISON,
     NULL},
    {"ceac", "Cost-effectiveness acceptability curves",
     "Probability that each scenario has the highest net monetary benefit, over the PSA "
     "draws, as willingness to pay per QALY grows; grey: the option with the highest "
     "expected net benefit; vertical lines: the report's thresholds.",
     ipsim_report_draw_ceac, ipsim_report_data_ceac, 0, IPSIM_REPORT_NEEDS_PSA, NULL},
    {"evpi", "Expected value of perfect information",
     "Expected value of perfect information per patient over the willingness-to-pay grid: "
     "what resolving all uncertainty in the PSA's inputs would be worth per patient "
     "(the data are wtp.csv's evpi column).",
     ipsim_report_draw_evpi, ipsim_report_data_evpi, 0, IPSIM_REPORT_NEEDS_PSA, NULL},
    {"tornado", "One-way sensitivity (tornado)",
     "Incremental net benefit at the low and high end of each input's range, the other inputs "
     "at their base values, around the base case (vertical line), widest bars first "
     "(from ipsim dsa; the CSV holds every input).",
     ipsim_report_draw_tornado, ipsim_report_data_tornado, 0, IPSIM_REPORT_NEEDS_DSA, NULL},
};
_Static_assert(sizeof ipsim_report_figures / sizeof ipsim_report_figures[0] ==
                   IPSIM_REPORT_FIGURES,
               "every figure in the table");

/* The panels of figure f: one per scenario it shows, or one. */
static int figure_panels(const report *rp, const figure *f)
{
    if (!f->per_scenario)
        return 1;
    int n = 0;
    for (int s = 0; s < rp->count; s++)
        n += !f->shows || f->shows(rp, s);
    return n;
}

static bool figure_applies(const report *rp, const figure *f)
{
    if (figure_panels(rp, f) == 0)
        return false;
    switch (f->needs) {
    case IPSIM_REPORT_NEEDS_NOTHING: return true;
    case IPSIM_REPORT_NEEDS_DSA: return rp->dsa.oneway && rp->dsa.bars > 0;
    case IPSIM_REPORT_NEEDS_COMPARISON: return rp->compared;
    case IPSIM_REPORT_NEEDS_PSA: return rp->compared && rp->comparison.psa;
    case IPSIM_REPORT_NEEDS_LEVELS:
        for (int s = 0; s < rp->count; s++)
            if (rp->series[s].levels)
                return true;
        return false;
    default: return false;
    }
}

/* ---- the directory ----------------------------------------------------------------- */

/* Whether `name` is a file a report writes: its page, or a figure's
 * image or data. */
static bool report_file(const char *name)
{
    if (strcmp(name, "index.html") == 0 || ipsim_report_table_file(name))
        return true;
    for (int i = 0; i < IPSIM_REPORT_FIGURES; i++) {
        size_t len = strlen(ipsim_report_figures[i].name);
        if (strncmp(name, ipsim_report_figures[i].name, len) != 0 || name[len] != '.')
            continue;
        if (strcmp(name + len + 1, "csv") == 0)
            return true;
        for (int k = 0; k < IPSIM_PLOT_FORMATS; k++)
            if (strcmp(name + len + 1, ipsim_plot_format_names[k]) == 0)
                return true;
    }
    return false;
}

/* The directory a report goes to, `real` (`dir`, or where the symbolic
 * link `dir` points), checked before anything is read or drawn: missing
 * (its parent writable), empty, or an earlier report holding nothing but
 * what a report writes. Anything else is refused, never replaced. */
static int check_target(const char *dir, char *real, size_t size, ipsim_error *err)
{
    struct stat st;
    int rc = ipsim_follow_link(dir, "directory", real, size, err);
    if (rc)
        return rc;
    if (stat(real, &st) != 0) {
        if (errno != ENOENT)
            return IPSIM_FAIL(err, IPSIM_EIO, "cannot write the report to '%s': %s", dir,
                              strerror(errno));
        return ipsim_output_directory(real, true, "the report directory", err);
    }
    if (!S_ISDIR(st.st_mode))
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "cannot write the report to '%s': it exists and is not a directory", dir);
    /* It is replaced by a rename in its parent. */
    char parent[IPSIM_PATH_MAX + 8];
    size_t len = ipsim_path_parent(real, NULL);
    snprintf(parent, sizeof parent, "%.*s", len ? (int)len : 1, len ? real : ".");
    rc = ipsim_output_directory(parent, false, "the directory of the report", err);
    if (rc)
        return rc;
    DIR *d = opendir(real);
    if (!d)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write the report to '%s': %s", dir,
                          strerror(errno));
    int entries = 0;
    char foreign[256] = "";
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        entries++;
        char path[2 * IPSIM_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", real, e->d_name);
        if (!foreign[0] &&
            (!report_file(e->d_name) || lstat(path, &st) != 0 || !S_ISREG(st.st_mode)))
            snprintf(foreign, sizeof foreign, "%s", e->d_name);
    }
    closedir(d);
    if (entries == 0)
        return IPSIM_OK;
    if (!ipsim_report_page_found(real))
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "'%s' is a directory that does not hold an ipsim report; give -o a new "
                          "or empty directory (an earlier report there is replaced)",
                          dir);
    if (foreign[0])
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "'%s' holds an earlier report and '%s', which ipsim did not write; a "
                          "report replaces only a directory holding nothing but a report (move "
                          "'%s' out, or give -o another directory)",
                          dir, foreign, foreign);
    return IPSIM_OK;
}

/* A hidden directory beside `dir`, named from it with `kind` ("tmp",
 * "old"). */
static int sibling_directory(const char *dir, const char *kind, char *out, size_t size,
                             ipsim_error *err)
{
    size_t len;
    int parent = (int)ipsim_path_parent(dir, &len);
    int n = snprintf(out, size, "%.*s.%.*s.ipsim-%s-%ld-XXXXXX", parent, dir,
                     (int)len - parent, dir + parent, kind, (long)getpid());
    if (n < 0 || (size_t)n >= size)
        return IPSIM_FAIL(err, IPSIM_EUSAGE, "report directory name too long: '%s'", dir);
    if (!mkdtemp(out))
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write the report to '%s': %s", dir,
                          strerror(errno));
    /* mkdtemp makes it private; a report is as readable as any other file. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(out, 0777 & ~mask);
    return IPSIM_OK;
}

/* Moves the finished report `temp` to `dir`, replacing what is there. */
static int move_into_place(const char *temp, const char *dir, ipsim_error *err)
{
    if (rename(temp, dir) == 0)
        return IPSIM_OK; /* dir was missing or empty */
    if (errno != ENOTEMPTY && errno != EEXIST)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot move the report to '%s': %s", dir,
                          strerror(errno));
    char old[IPSIM_PATH_MAX + 64];
    int rc = sibling_directory(dir, "old", old, sizeof old, err);
    if (rc)
        return rc;
    if (rename(dir, old) != 0 || rename(temp, dir) != 0) {
        int e = errno;
        rename(old, dir); /* put the earlier report back if it moved */
        rmdir(old);
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot move the report to '%s': %s", dir,
                          strerror(e));
    }
    ipsim_remove_flat_directory(old);
    return IPSIM_OK;
}

/* ---- the whole ------------------------------------------------------------------------ */

ipsim_report_options ipsim_report_default_options(void)
{
    ipsim_report_options o = {.wtp = {20000, 30000}, .wtp_count = 2};
    o.formats[IPSIM_PLOT_PNG] = o.formats[IPSIM_PLOT_SVG] = true;
    return o;
}

static int draw_all(const report *rp, const char *temp, bool *drawn, int *figures_drawn,
                    ipsim_error *err)
{
    const ipsim_report_options *o = rp->options;
    for (int i = 0; i < IPSIM_REPORT_FIGURES; i++) {
        const figure *fg = &ipsim_report_figures[i];
        if (!figure_applies(rp, fg))
            continue;
        for (int k = 0; k < IPSIM_PLOT_FORMATS; k++) {
            if (!o->formats[k])
                continue;
            if (o->cancel && *o->cancel)
                return IPSIM_FAIL(err, IPSIM_EINTERRUPTED, "interrupted; no report written");
            char path[IPSIM_PATH_MAX + 128];
            snprintf(path, sizeof path, "%s/%s.%s", temp, fg->name, ipsim_plot_format_names[k]);
            ipsim_plot_figure fig;
            int rc = ipsim_plot_begin(&fig, path, (ipsim_plot_format)k, fg->title,
                                      figure_panels(rp, fg), err);
            if (rc)
                return rc;
            fg->draw(rp, &fig);
            rc = ipsim_plot_end(&fig, err);
            if (rc)
                return rc;
        }
        FILE *f;
        char *text = NULL, name[64];
        size_t size = 0;
        snprintf(name, sizeof name, "%s.csv", fg->name);
        int rc = ipsim_csv_open(&f, &text, &size, name, err);
        if (rc)
            return rc;
        fg->data(rp, f);
        rc = ipsim_csv_finish(temp, name, &text, &size, f, err);
        if (rc)
            return rc;
        drawn[i] = true;
        ++*figures_drawn;
    }
    return IPSIM_OK;
}

int ipsim_report_write(const char *const *paths, int files, const char *dir,
                       const ipsim_report_options *o, int *figures_drawn, ipsim_error *err)
{
    report rp = {.paths = paths, .files = files, .options = o};
    char temp[IPSIM_PATH_MAX + 64] = "", real[IPSIM_PATH_MAX];
    bool drawn[IPSIM_REPORT_FIGURES] = {false};
    *figures_drawn = 0;
    int rc = check_target(dir, real, sizeof real, err);
    for (int k = 0; !rc && k < IPSIM_PLOT_FORMATS; k++)
        if (o->formats[k])
            rc = ipsim_plot_check_format((ipsim_plot_format)k, err);
    for (int i = 0; !rc && i < files; i++)
        rc = ipsim_h5_reader_open_all(paths[i], &rp.readers, &rp.count, err);
    if (!rc) {
        rp.series = calloc((size_t)rp.count, sizeof *rp.series);
        if (!rp.series)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading '%s'", paths[0]);
    }
    for (int s = 0; !rc && s < rp.count; s++)
        rc = ipsim_report_series_read(&rp.series[s], rp.readers[s], err);
    if (!rc)
        rc = ipsim_report_labels_read(&rp, err);
    /* A sweep's points are never compared with each other as options: a
     * whole sweep's file is compared point by point, a part's not at all. */
    int with_points = -1;
    for (int s = 0; !rc && with_points < 0 && s < rp.count; s++)
        if (ipsim_sweep_file_has_points(rp.readers[s]))
            with_points = s;
    if (with_points >= 0) {
        rc = ipsim_sweep_read_table(rp.readers[with_points], &rp.sweep, err);
        rp.by_point = !rc && files == 1 && rp.sweep.study.count == rp.count;
        if (rp.by_point)
            rc = ipsim_sweep_decision_compute(&rp.sweep_decision, &rp.sweep, rp.readers,
                                              NULL, o->cancel, err);
    } else if (!rc && rp.count >= 2) {
        rc = ipsim_comparison_compute(&rp.comparison, rp.readers, rp.count, o->cancel, err);
        rp.compared = rc == IPSIM_OK;
    }
    if (!rc && rp.compared && rp.comparison.psa)
        rc = ipsim_report_voi_read(&rp.voi, rp.readers[0], err);
    if (!rc && o->dsa_dir)
        rc = ipsim_report_dsa_read(&rp.dsa, o->dsa_dir, err);
    if (!rc)
        rc = sibling_directory(real, "tmp", temp, sizeof temp, err);
    if (!rc)
        rc = draw_all(&rp, temp, drawn, figures_drawn, err);
    if (!rc)
        rc = ipsim_report_page_write(&rp, temp, drawn, err);
    if (!rc && o->cancel && *o->cancel)
        rc = IPSIM_FAIL(err, IPSIM_EINTERRUPTED, "interrupted; no report written");
    /* Checked again: the directory may have changed while drawing. */
    char again[IPSIM_PATH_MAX];
    if (!rc)
        rc = check_target(real, again, sizeof again, err);
    if (!rc)
        rc = move_into_place(temp, real, err);
    if (rc && temp[0])
        ipsim_remove_flat_directory(temp);

    ipsim_comparison_free(&rp.comparison);
    ipsim_sweep_decision_free(&rp.sweep_decision);
    ipsim_sweep_free(&rp.sweep);
    ipsim_report_dsa_free(&rp.dsa);
    ipsim_report_voi_free(&rp.voi);
    free(rp.labels);
    for (int s = 0; s < rp.count; s++) {
        if (rp.series)
            ipsim_report_series_free(&rp.series[s]);
        ipsim_h5_reader_close(rp.readers[s]);
    }
    free(rp.series);
    free(rp.readers);
    return rc;
}
