/* report/report_economics.c: the figures of a comparison's economics: the
 * cost-effectiveness plane, the acceptability curves and the EVPI curve,
 * with the data behind each. The report's willingness-to-pay values are
 * marked on each, every value in its own dash pattern named in the legend,
 * so a reader can tell 20,000 from 30,000 without colour. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output/csv.h"
#include "output/intervals.h"
#include "report/report_internal.h"

enum { LEGEND_MAX = 48 };

static const ipsim_colour threshold_ink = {80, 80, 80, 1};

/* The dash pattern of the report's w-th willingness-to-pay value (solid
 * is left to the scenarios). */
static int wtp_style(int w)
{
    return 1 + w % (IPSIM_PLOT_LINE_STYLES - 1);
}

/* Scenario s's marker: circles while colours last, then a shape each. */
static int scenario_shape(const ipsim_comparison *c, int s)
{
    return c->count > 8 ? s % IPSIM_PLOT_SHAPES : 0;
}

/* Scenario s's line: solid while colours last, then a dash pattern each. */
static int scenario_style(const ipsim_comparison *c, int s)
{
    return c->count > 8 && s >= 8 ? 1 + (s - 8) % (IPSIM_PLOT_LINE_STYLES - 1) : 0;
}

/* "20,000 GBP per QALY" */
static void wtp_label(const ipsim_report_data *rp, int w, char *buf, size_t size)
{
    char amount[48];
    ipsim_plot_thousands(amount, sizeof amount, rp->options->wtp[w]);
    snprintf(buf, size, "%s %s per QALY", amount, rp->comparison.currency);
}

/* Incremental cost and QALYs of scenario s over the first, draw r (r < 0:
 * the expected values). */
static void increment(const ipsim_comparison *c, int s, int64_t r, double *dq, double *dc)
{
    if (r < 0) {
        *dq = c->scenarios[s].difference[IPSIM_OUTCOME_QALYS];
        *dc = c->scenarios[s].difference[IPSIM_OUTCOME_COST];
        return;
    }
    const int S = c->count;
    *dq = c->replicate_qalys[r * S + s] - c->replicate_qalys[r * S];
    *dc = c->replicate_cost[r * S + s] - c->replicate_cost[r * S];
}

void ipsim_report_draw_ce_plane(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    const ipsim_comparison *c = &rp->comparison;
    double qmax = 0, cmax = 0;
    for (int s = 1; s < c->count; s++) {
        const ipsim_scenario_result *x = &c->scenarios[s];
        for (int64_t r = c->psa ? 0 : -1; r < (c->psa ? c->replicates : 0); r++) {
            double dq, dc;
            increment(c, s, r, &dq, &dc);
            qmax = fmax(qmax, fabs(dq));
            cmax = fmax(cmax, fabs(dc));
        }
        if (!c->psa) { /* room for the whiskers */
            qmax = fmax(qmax, fabs(x->difference[IPSIM_OUTCOME_QALYS]) +
                                  IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_QALYS]);
            cmax = fmax(cmax, fabs(x->difference[IPSIM_OUTCOME_COST]) +
                                  IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_COST]);
        }
    }
    /* Room around the outermost point for its marker. */
    qmax = ipsim_report_nice_ceiling(qmax * 1.12);
    cmax = ipsim_report_nice_ceiling(cmax * 1.12);
    char title[IPSIM_REPORT_LABEL_MAX + 16], ylabel[IPSIM_NAME_MAX + 64];
    snprintf(title, sizeof title, "Against %s", ipsim_report_label(rp, 0));
    snprintf(ylabel, sizeof ylabel, "Incremental cost per patient (%s, discounted)", c->currency);
    ipsim_plot_axes axes = {.xmin = -qmax, .xmax = qmax, .ymin = -cmax, .ymax = cmax,
                            .xlabel = "Incremental QALYs per patient (discounted)",
                            .ylabel = ylabel, .title = title, .grid = true};
    ipsim_plot_panel(fig, &axes, 0);
    const ipsim_colour ink = {60, 60, 60, 1};
    double zx[2] = {-qmax, qmax}, zy[2] = {0, 0};
    ipsim_plot_line(2, zx, zy, ink, 1, false);
    ipsim_plot_line(2, zy, (double[2]){-cmax, cmax}, ink, 1, false);

    ipsim_legend_entry legend[LEGEND_MAX];
    char wtp_labels[IPSIM_WTP_REPORT_MAX][IPSIM_NAME_MAX + 64];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Scenario", {0}, IPSIM_LEGEND_HEADING, 0};
    const ipsim_report_options *o = rp->options;
    for (int w = 0; w < o->wtp_count; w++) {
        /* cost = wtp x QALYs, clipped to the box */
        double q = fmin(qmax, o->wtp[w] > 0 ? cmax / o->wtp[w] : qmax);
        double lx[2] = {-q, q}, ly[2] = {-q * o->wtp[w], q * o->wtp[w]};
        ipsim_plot_line_style(2, lx, ly, threshold_ink, 1.6, wtp_style(w));
        wtp_label(rp, w, wtp_labels[w], sizeof wtp_labels[w]);
    }
    /* The efficiency frontier: each frontier option joined to the one it
     * is compared with (the next cheaper on the frontier), in expected
     * values; the slope of each segment is its ICER. */
    for (int s = 0; s < c->count; s++) {
        int t = c->scenarios[s].incremental.compared_to;
        if (c->scenarios[s].incremental.status != IPSIM_FRONTIER || t < 0)
            continue;
        double fx[2], fy[2];
        increment(c, t, -1, &fx[0], &fy[0]);
        increment(c, s, -1, &fx[1], &fy[1]);
        if (t == 0)
            fx[0] = fy[0] = 0;
        ipsim_plot_line(2, fx, fy, (ipsim_colour){0, 0, 0, 1}, 2, false);
    }
    for (int s = 0; s < c->count; s++) {
        ipsim_colour col = ipsim_plot_palette(s);
        const int shape = scenario_shape(c, s);
        if (s > 0 && c->psa) {
            double qs[c->replicates], cs[c->replicates];
            for (int64_t r = 0; r < c->replicates; r++)
                increment(c, s, r, &qs[r], &cs[r]);
            ipsim_plot_markers((int)c->replicates, qs, cs, ipsim_plot_fade(col, 0.35), 0.45,
                               shape);
        } else if (s > 0) {
            double dq, dc;
            increment(c, s, -1, &dq, &dc);
            const ipsim_scenario_result *x = &c->scenarios[s];
            ipsim_plot_whisker(dc, dq - IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_QALYS],
                               dq + IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_QALYS],
                               cmax / 60, false, col);
            ipsim_plot_whisker(dq, dc - IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_COST],
                               dc + IPSIM_Z95 * x->difference_se[IPSIM_OUTCOME_COST],
                               qmax / 60, true, col);
        }
        double dq = 0, dc = 0;
        if (s > 0)
            increment(c, s, -1, &dq, &dc);
        ipsim_plot_markers(1, &dq, &dc, (ipsim_colour){0, 0, 0, 1}, 1.6, shape);
        ipsim_plot_markers(1, &dq, &dc, col, 1.2, shape);
        if (n < LEGEND_MAX - 3 - o->wtp_count)
            legend[n++] = (ipsim_legend_entry){ipsim_report_label(rp, s), col,
                                               IPSIM_LEGEND_POINT, shape};
    }
    legend[n++] = (ipsim_legend_entry){c->psa ? "Small points: PSA draws"
                                              : "Whiskers: 95% intervals",
                                       {0}, IPSIM_LEGEND_HEADING, 0};
    legend[n++] = (ipsim_legend_entry){"Efficiency frontier", {0, 0, 0, 1}, IPSIM_LEGEND_LINE, 0};
    for (int w = 0; w < o->wtp_count; w++)
        legend[n++] = (ipsim_legend_entry){wtp_labels[w], threshold_ink, IPSIM_LEGEND_DASHED,
                                           wtp_style(w)};
    ipsim_plot_legend(fig, legend, n);
}

/* Marks the report's willingness-to-pay values on a panel over WTP in
 * thousands, up to `top`, and names them in the legend from entry *n. */
static void mark_thresholds(const ipsim_report_data *rp, double top, ipsim_legend_entry *legend,
                            int *n, char (*labels)[IPSIM_NAME_MAX + 64])
{
    const ipsim_report_options *o = rp->options;
    for (int w = 0; w < o->wtp_count; w++) {
        double x[2] = {o->wtp[w] / 1000, o->wtp[w] / 1000}, y[2] = {0, top};
        ipsim_plot_line_style(2, x, y, threshold_ink, 1.6, wtp_style(w));
        wtp_label(rp, w, labels[w], sizeof labels[w]);
        if (*n < LEGEND_MAX)
            legend[(*n)++] = (ipsim_legend_entry){labels[w], threshold_ink, IPSIM_LEGEND_DASHED,
                                                  wtp_style(w)};
    }
}

/* The grid in thousands: axis numbers of "20,000 40,000 ..." would run into
 * each other under a panel 470 pixels wide. */
static void wtp_thousands(const ipsim_comparison *c, double *x, char *xlabel, size_t size)
{
    for (int w = 0; w < c->wtp_count; w++)
        x[w] = c->wtp[w] / 1000;
    snprintf(xlabel, size, "Willingness to pay per QALY (thousand %s)", c->currency);
}

void ipsim_report_draw_ceac(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    const ipsim_comparison *c = &rp->comparison;
    char xlabel[IPSIM_NAME_MAX + 64];
    double x[c->wtp_count], y[c->wtp_count];
    wtp_thousands(c, x, xlabel, sizeof xlabel);
    ipsim_plot_axes axes = {.xmin = 0, .xmax = x[c->wtp_count - 1], .ymin = 0, .ymax = 100,
                            .xlabel = xlabel, .ylabel = "Probability cost-effective (%)",
                            .title = "Acceptability over the PSA draws", .grid = true};
    ipsim_plot_panel(fig, &axes, 0);
    for (int w = 0; w < c->wtp_count; w++)
        y[w] = 100 * c->ceaf[w];
    ipsim_plot_line(c->wtp_count, x, y, (ipsim_colour){190, 190, 190, 1}, 7, false);
    ipsim_legend_entry legend[LEGEND_MAX];
    char labels[IPSIM_WTP_REPORT_MAX][IPSIM_NAME_MAX + 64];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Scenario", {0}, IPSIM_LEGEND_HEADING, 0};
    for (int s = 0; s < c->count; s++) {
        for (int w = 0; w < c->wtp_count; w++)
            y[w] = 100 * c->ceac[w * c->count + s];
        ipsim_plot_line_style(c->wtp_count, x, y, ipsim_plot_palette(s), 2.5,
                              scenario_style(c, s));
        if (n < LEGEND_MAX - 3 - rp->options->wtp_count)
            legend[n++] = (ipsim_legend_entry){ipsim_report_label(rp, s), ipsim_plot_palette(s),
                                               IPSIM_LEGEND_LINE, scenario_style(c, s)};
    }
    legend[n++] = (ipsim_legend_entry){"Best expected net benefit", {190, 190, 190, 1},
                                       IPSIM_LEGEND_LINE, 0};
    legend[n++] = (ipsim_legend_entry){"Thresholds", {0}, IPSIM_LEGEND_HEADING, 0};
    mark_thresholds(rp, 100, legend, &n, labels);
    ipsim_plot_legend(fig, legend, n);
}

void ipsim_report_draw_evpi(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    const ipsim_comparison *c = &rp->comparison;
    char xlabel[IPSIM_NAME_MAX + 64], ylabel[IPSIM_NAME_MAX + 64];
    double x[c->wtp_count], top = 0;
    wtp_thousands(c, x, xlabel, sizeof xlabel);
    for (int w = 0; w < c->wtp_count; w++)
        top = fmax(top, c->evpi[w]);
    top = ipsim_report_nice_ceiling(top * 1.05);
    snprintf(ylabel, sizeof ylabel, "EVPI per patient (%s)", c->currency);
    ipsim_plot_axes axes = {.xmin = 0, .xmax = x[c->wtp_count - 1], .ymin = 0, .ymax = top,
                            .xlabel = xlabel, .ylabel = ylabel,
                            .title = "Expected value of perfect information", .grid = true};
    ipsim_plot_panel(fig, &axes, 0);
    ipsim_plot_line(c->wtp_count, x, c->evpi, ipsim_plot_palette(0), 2.5, false);
    ipsim_legend_entry legend[LEGEND_MAX];
    char labels[IPSIM_WTP_REPORT_MAX][IPSIM_NAME_MAX + 64];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"EVPI per patient", ipsim_plot_palette(0),
                                       IPSIM_LEGEND_LINE, 0};
    legend[n++] = (ipsim_legend_entry){"Thresholds", {0}, IPSIM_LEGEND_HEADING, 0};
    mark_thresholds(rp, top, legend, &n, labels);
    ipsim_plot_legend(fig, legend, n);
}

void ipsim_report_data_ce_plane(const ipsim_report_data *rp, FILE *f)
{
    const ipsim_comparison *c = &rp->comparison;
    fputs("scenario,replicate,incremental_qalys,incremental_cost\n", f);
    for (int s = 1; s < c->count; s++)
        for (int64_t r = -1; r < (c->psa ? c->replicates : 0); r++) {
            double dq, dc;
            increment(c, s, r, &dq, &dc);
            ipsim_csv_text(f, false, c->scenarios[s].name);
            if (r < 0)
                fputs(",expected", f);
            else
                fprintf(f, ",%lld", (long long)r);
            ipsim_csv_number(f, dq);
            ipsim_csv_number(f, dc);
            fputc('\n', f);
        }
}

void ipsim_report_data_ceac(const ipsim_report_data *rp, FILE *f)
{
    const ipsim_comparison *c = &rp->comparison;
    fputs("wtp", f);
    for (int s = 0; s < c->count; s++)
        ipsim_csv_text(f, true, c->scenarios[s].name);
    fputs(",ceaf\n", f);
    for (int w = 0; w < c->wtp_count; w++) {
        fprintf(f, "%.10g", c->wtp[w]);
        for (int s = 0; s < c->count; s++)
            ipsim_csv_number(f, c->ceac[w * c->count + s]);
        ipsim_csv_number(f, c->ceaf[w]);
        fputc('\n', f);
    }
}

/* As wtp.csv's wtp and evpi columns (analysis/comparison_csv.c). */
void ipsim_report_data_evpi(const ipsim_report_data *rp, FILE *f)
{
    const ipsim_comparison *c = &rp->comparison;
    fputs("wtp,evpi\n", f);
    for (int w = 0; w < c->wtp_count; w++) {
        fprintf(f, "%.10g", c->wtp[w]);
        ipsim_csv_number(f, c->evpi[w]);
        fputc('\n', f);
    }
}
