/* report/report_igg.c: the immune state's figures (issue 19's output): how
 * mean IgG moves over time under each policy, and the infection rate by the
 * patient's own IgG, without and with IVIG. Drawn only for scenarios with
 * immunoglobulin levels (grades.model: levels); a scenario without them gets
 * an empty panel that says so. */
#include <math.h>
#include <stdio.h>

#include "output/csv.h"
#include "report/report_internal.h"

/* Bands of IgG with fewer patient-years than this are left off the risk
 * curve: their rate would be mostly noise (a whisker wider than the axis). */
#define IGG_RISK_MIN_YEARS 100.0

/* The NHS England criteria's IgG threshold, drawn for reference. */
#define NHS_IGG_THRESHOLD_G_PER_L 4.0

static const ipsim_colour grey = {150, 150, 150, 1};

void ipsim_report_draw_igg_over_time(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    double top = 0;
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        for (int64_t m = 0; x->levels && m < x->rows; m++) {
            const ipsim_estimate *e = &x->igg_with_ivig[m];
            top = fmax(top, isfinite(e->high) ? e->high : isfinite(e->mean) ? e->mean : 0);
        }
    }
    top = ipsim_report_nice_ceiling(fmax(top, 2 * NHS_IGG_THRESHOLD_G_PER_L));
    const double horizon = ipsim_report_horizon(rp);
    ipsim_plot_axes axes = {.xmin = 0, .xmax = horizon, .ymin = 0, .ymax = top,
                            .xlabel = "Months since diagnosis", .ylabel = "Mean IgG (g/L)",
                            .title = "Living patients, by scenario", .grid = true};
    ipsim_plot_panel(fig, &axes, 0);
    ipsim_plot_line(2, (double[2]){0, horizon},
                    (double[2]){NHS_IGG_THRESHOLD_G_PER_L, NHS_IGG_THRESHOLD_G_PER_L}, grey, 1,
                    true);
    ipsim_legend_entry legend[IPSIM_PLOT_COLUMNS * 8 + 4];
    const int room = (int)(sizeof legend / sizeof legend[0]) - 3;
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Scenario", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        if (!x->levels)
            continue;
        const ipsim_colour c = ipsim_plot_palette(s);
        double own[x->rows], with[x->rows], low[x->rows], high[x->rows];
        for (int64_t m = 0; m < x->rows; m++) {
            own[m] = x->igg_own[m].mean;
            with[m] = x->igg_with_ivig[m].mean;
            low[m] = x->igg_with_ivig[m].low;
            high[m] = x->igg_with_ivig[m].high;
        }
        if (x->across_draws)
            ipsim_plot_band((int)x->rows, x->month, low, high, ipsim_plot_fade(c, 0.18));
        ipsim_plot_line((int)x->rows, x->month, own, c, 1.2, true);
        ipsim_plot_line((int)x->rows, x->month, with, c, 2.5, false);
        if (n < room)
            legend[n++] = (ipsim_legend_entry){ipsim_report_label(rp, s), c, IPSIM_LEGEND_LINE, 0};
    }
    ipsim_plot_axes_on_top(&axes);
    legend[n++] = (ipsim_legend_entry){"Own IgG alone", grey, IPSIM_LEGEND_DASHED, 0};
    legend[n++] = (ipsim_legend_entry){"4 g/L (NHS criteria)", grey, IPSIM_LEGEND_DASHED, 0};
    ipsim_plot_legend(fig, legend, n);
}

void ipsim_report_data_igg_over_time(const ipsim_report_data *rp, FILE *f)
{
    fputs("scenario,month,own_igg_g_per_l,igg_with_ivig_g_per_l,low,high\n", f);
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        for (int64_t m = 0; x->levels && m < x->rows; m++) {
            ipsim_csv_text(f, false, x->name);
            fprintf(f, ",%g", x->month[m]);
            ipsim_csv_number(f, x->igg_own[m].mean);
            ipsim_csv_number(f, x->igg_with_ivig[m].mean);
            ipsim_csv_number(f, x->igg_with_ivig[m].low);
            ipsim_csv_number(f, x->igg_with_ivig[m].high);
            fputc('\n', f);
        }
    }
}

/* Whether band b (on: with IVIG) has enough patient-years to draw. */
static bool drawn_band(const ipsim_report_series *x, int b, int on)
{
    return x->igg_years[b][on] >= IGG_RISK_MIN_YEARS && isfinite(x->igg_rate[b][on].mean);
}

void ipsim_report_draw_igg_risk(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    static const char *const label[2] = {"Months without IVIG", "Months with IVIG"};
    static const int palette[2] = {0, 3};
    double top = 0;
    for (int s = 0; s < rp->count; s++)
        for (int b = 0; rp->series[s].levels && b < IPSIM_IGG_BANDS; b++)
            for (int on = 0; on < 2; on++) {
                const ipsim_estimate *e = &rp->series[s].igg_rate[b][on];
                if (drawn_band(&rp->series[s], b, on))
                    top = fmax(top, isfinite(e->high) ? e->high : e->mean);
            }
    top = ipsim_report_nice_ceiling(top);
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        char title[IPSIM_REPORT_LABEL_MAX + 32];
        ipsim_report_panel_title(rp, s, title, sizeof title);
        ipsim_plot_axes axes = {.xmin = 0, .xmax = IPSIM_IGG_BANDS, .ymin = 0, .ymax = top,
                                .xlabel = "Own polyclonal IgG at the month's start (g/L)",
                                .ylabel = "Episodes per 100 patient-years", .title = title,
                                .grid = true};
        ipsim_plot_panel(fig, &axes, s);
        if (!x->levels) {
            ipsim_plot_text(IPSIM_IGG_BANDS / 2.0, top / 2, 0.5, 1.1,
                            "No immunoglobulin levels in this scenario");
            continue;
        }
        for (int on = 0; on < 2; on++) {
            const ipsim_colour c = ipsim_plot_palette(palette[on]);
            double at[IPSIM_IGG_BANDS], rate[IPSIM_IGG_BANDS];
            for (int b = 0; b < IPSIM_IGG_BANDS; b++) {
                /* The open last band is drawn at its lower end's midpoint too. */
                at[b] = b + 0.5;
                rate[b] = drawn_band(x, b, on) ? x->igg_rate[b][on].mean : NAN;
                if (drawn_band(x, b, on))
                    ipsim_plot_whisker(at[b], x->igg_rate[b][on].low, x->igg_rate[b][on].high,
                                       0.15, true, c);
            }
            ipsim_plot_line(IPSIM_IGG_BANDS, at, rate, c, 2, false);
            ipsim_plot_points(IPSIM_IGG_BANDS, at, rate, c, 0.7);
        }
        ipsim_plot_axes_on_top(&axes);
    }
    ipsim_legend_entry legend[4];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Episodes in", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int on = 0; on < 2; on++)
        legend[n++] = (ipsim_legend_entry){label[on], ipsim_plot_palette(palette[on]),
                                           IPSIM_LEGEND_LINE, 0};
    legend[n++] = (ipsim_legend_entry){rp->series[0].across_draws ? "Whiskers: 95% of PSA draws"
                                                                  : "Whiskers: 95% intervals",
                                       grey, IPSIM_LEGEND_LINE, 0};
    ipsim_plot_legend(fig, legend, n);
}

void ipsim_report_data_igg_risk(const ipsim_report_data *rp, FILE *f)
{
    static const char *const given[2] = {"without_ivig", "with_ivig"};
    fputs("scenario,igg_band_g_per_l,ivig,patient_years,per_100_patient_years,low,high\n", f);
    for (int s = 0; s < rp->count; s++) {
        const ipsim_report_series *x = &rp->series[s];
        for (int b = 0; x->levels && b < IPSIM_IGG_BANDS; b++)
            for (int on = 0; on < 2; on++) {
                const ipsim_estimate *e = &x->igg_rate[b][on];
                ipsim_csv_text(f, false, x->name);
                if (b + 1 < IPSIM_IGG_BANDS)
                    fprintf(f, ",%d-%d,%s", b, b + 1, given[on]);
                else
                    fprintf(f, ",%d+,%s", b, given[on]);
                ipsim_csv_number(f, x->igg_years[b][on]);
                ipsim_csv_number(f, e->mean);
                ipsim_csv_number(f, e->low);
                ipsim_csv_number(f, e->high);
                fputc('\n', f);
            }
    }
}
