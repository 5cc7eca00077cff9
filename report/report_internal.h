/* report/report_internal.h: what the files of the report room share, and
 * nothing outside report/ includes: the report being written, the table of
 * figures (report/report.c) and the page that shows them
 * (report/report_page.c). */
#ifndef IPSIM_REPORT_INTERNAL_H
#define IPSIM_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/comparison.h"
#include "base/error.h"
#include "output/h5_reader.h"
#include "params/params.h"
#include "report/plot.h"
#include "report/report.h"
#include "report/report_series.h"

/* A report being written: the files read, their scenarios and series. */
typedef struct ipsim_report_data {
    const char *const *paths;        /* the files read */
    int files;
    int count;                       /* scenarios */
    ipsim_h5_reader **readers;       /* [count] */
    ipsim_report_series *series;     /* [count] */
    bool compared;                   /* comparison holds the scenarios' economics */
    ipsim_comparison comparison;
    const ipsim_report_options *options;
} ipsim_report_data;

/* One figure: its files, its place on the page, how it is drawn. */
typedef struct ipsim_report_figure {
    const char *name;  /* file name without extension */
    const char *title; /* across the top of the page */
    const char *caption;
    void (*draw)(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
    void (*data)(const ipsim_report_data *rp, FILE *f); /* NAME.csv: the values drawn */
    int per_scenario; /* one panel per scenario (else one panel) */
    int needs;        /* IPSIM_REPORT_NEEDS_* */
} ipsim_report_figure;

/* When a figure is drawn. */
enum {
    IPSIM_REPORT_NEEDS_NOTHING,     /* always */
    IPSIM_REPORT_NEEDS_COMPARISON,  /* scenarios compared (their economics) */
    IPSIM_REPORT_NEEDS_PSA,         /* a comparison with PSA */
    IPSIM_REPORT_NEEDS_LEVELS       /* a scenario with immunoglobulin levels */
};

enum { IPSIM_REPORT_FIGURES = 8 };

/* The IPSIM_REPORT_FIGURES figures, in the page's order (report/report.c). */
extern const ipsim_report_figure ipsim_report_figures[];

/* The grades' names, none to very severe, and the dead. */
extern const char *const ipsim_report_state_labels[IPSIM_STATES];

/* Shared by the figures' files (report/report.c). The smallest of 1, 1.5,
 * 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above v, for axis ends (1 for v <= 0);
 * the last month of the longest scenario; a scenario's panel title (its
 * name, and the PSA draws); what the bands are. */
double ipsim_report_nice_ceiling(double v);
double ipsim_report_horizon(const ipsim_report_data *rp);
void ipsim_report_panel_title(const ipsim_report_data *rp, int s, char *buf, size_t size);
const char *ipsim_report_band_note(const ipsim_report_data *rp);

/* The immune state's figures (report/report_igg.c): mean IgG over time by
 * scenario, own and with given immunoglobulin; and the infection rate by
 * own IgG band, without and with IVIG, per scenario. */
void ipsim_report_draw_igg_over_time(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_igg_over_time(const ipsim_report_data *rp, FILE *f);
void ipsim_report_draw_igg_risk(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_igg_risk(const ipsim_report_data *rp, FILE *f);

/* Writes DIR/index.html: the run's parameters and every figure drawn
 * (drawn[i] for ipsim_report_figures[i]) with its caption and links.
 * Errors: IPSIM_EIO naming the file. */
int ipsim_report_page_write(const ipsim_report_data *rp, const char *dir, const bool *drawn,
                            ipsim_error *err);

/* True if DIR/index.html is a page ipsim_report_page_write wrote (so the
 * directory is an earlier report, which may be replaced). */
bool ipsim_report_page_found(const char *dir);

#endif
