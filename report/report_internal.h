/* report/report_internal.h: what the files of the report room share, and
 * nothing outside report/ includes: the report being written, the table of
 * figures (report/report.c) and the page that shows them
 * (report/report_page.c). */
#ifndef IPSIM_REPORT_INTERNAL_H
#define IPSIM_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/comparison.h"
#include "analysis/sweep_decision.h"
#include "base/error.h"
#include "output/h5_reader.h"
#include "params/params.h"
#include "report/plot.h"
#include "report/report.h"
#include "report/report_series.h"

/* Room for a scenario's readable name (report/report_labels.c). */
enum { IPSIM_REPORT_LABEL_MAX = 256 };

/* One input's bar of a tornado (report/report_dsa.c): a row of `ipsim dsa`'s
 * dsa_oneway.csv at the low and high ends of the input's range. */
typedef struct ipsim_report_dsa_bar {
    int rank; /* 1 the widest */
    char input[IPSIM_KEY_MAX];
    double low, high;         /* the input's values at the ends */
    double inb_low, inb_high; /* the incremental net benefit there */
    double swing, swing_se;   /* high less low, and its Monte Carlo SE */
    char preferred_low[IPSIM_NAME_MAX], preferred_high[IPSIM_NAME_MAX];
} ipsim_report_dsa_bar;

/* A row of dsa_threshold.csv that is a threshold, or, for an input whose
 * preferred strategy never changes over its range, one row saying so
 * (found false, value NaN, low95 and high95 the range). */
typedef struct ipsim_report_dsa_threshold {
    char input[IPSIM_KEY_MAX];
    bool found;
    double wtp, value, se, low95, high95;
    char below[IPSIM_NAME_MAX], above[IPSIM_NAME_MAX];
} ipsim_report_dsa_threshold;

/* What `ipsim dsa ... --csv DIR` wrote, read back (--dsa DIR). */
typedef struct ipsim_report_dsa {
    bool oneway; /* dsa_oneway.csv was there */
    double wtp, inb_base, inb_base_se;
    char strategy[IPSIM_NAME_MAX], comparator[IPSIM_NAME_MAX]; /* INB = NB(strategy) - NB(comparator) */
    int bars;                    /* by rank */
    ipsim_report_dsa_bar *bar;
    int thresholds;
    ipsim_report_dsa_threshold *threshold;
} ipsim_report_dsa;

/* What `ipsim voi` stored under /voi, read back (report/report_voi.c). */
typedef struct ipsim_report_voi {
    bool present;
    int report_count;
    double report_wtp[IPSIM_WTP_REPORT_MAX];
    double population;
    double evpi[IPSIM_WTP_REPORT_MAX], evpi_se[IPSIM_WTP_REPORT_MAX];
    int groups, designs;
    char **group, **group_parameters, **design, **study;  /* [groups], [designs] */
    double *evppi, *evppi_se;    /* [group][report_wtp] */
    double *evsi, *evsi_se, *net_gain; /* [design][report_wtp] */
    double *sample_size, *study_cost;  /* [design] */
} ipsim_report_voi;

/* A report being written: the files read, their scenarios and series. */
typedef struct ipsim_report_data {
    const char *const *paths;        /* the files read */
    int files;
    int count;                       /* scenarios */
    ipsim_h5_reader **readers;       /* [count] */
    ipsim_report_series *series;     /* [count] */
    bool compared;                   /* comparison holds the scenarios' economics */
    ipsim_comparison comparison;
    /* A sweep's file of several points: each point's strategies compared
     * among themselves (never the points with each other), in place of
     * the comparison. */
    bool by_point;
    ipsim_sweep sweep;
    ipsim_sweep_decision sweep_decision;
    const ipsim_report_options *options;
    char (*labels)[IPSIM_REPORT_LABEL_MAX]; /* [count]: readable names */
    ipsim_report_dsa dsa;                   /* options->dsa_dir given */
    ipsim_report_voi voi;                   /* the first file's /voi */
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
    /* With per_scenario: whether scenario s has a panel (NULL: all do); a
     * figure without panels is not drawn. */
    bool (*shows)(const ipsim_report_data *rp, int s);
} ipsim_report_figure;

/* When a figure is drawn. */
enum {
    IPSIM_REPORT_NEEDS_NOTHING,     /* always */
    IPSIM_REPORT_NEEDS_COMPARISON,  /* scenarios compared (their economics) */
    IPSIM_REPORT_NEEDS_PSA,         /* a comparison with PSA */
    IPSIM_REPORT_NEEDS_LEVELS,      /* a scenario with immunoglobulin levels */
    IPSIM_REPORT_NEEDS_DSA          /* --dsa with a one-way analysis */
};

enum { IPSIM_REPORT_FIGURES = 10 };

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

/* Scenario s's readable name: its sweep values, or its code name made
 * readable ("ivig_severe" -> "IVIG severe"); read once by
 * ipsim_report_labels_read (report/report_labels.c). Errors: IPSIM_ENOMEM. */
const char *ipsim_report_label(const ipsim_report_data *rp, int s);
int ipsim_report_labels_read(ipsim_report_data *rp, ipsim_error *err);

/* The economics' figures (report/report_economics.c): the
 * cost-effectiveness plane, the acceptability curves, the EVPI curve. */
void ipsim_report_draw_ce_plane(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_ce_plane(const ipsim_report_data *rp, FILE *f);
void ipsim_report_draw_ceac(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_ceac(const ipsim_report_data *rp, FILE *f);
void ipsim_report_draw_evpi(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_evpi(const ipsim_report_data *rp, FILE *f);

/* Reads DIR/dsa_oneway.csv and DIR/dsa_threshold.csv, either or both
 * (report/report_dsa.c). Errors: IPSIM_EFORMAT naming the file and line,
 * IPSIM_EUSAGE if DIR holds neither, IPSIM_ENOMEM. */
int ipsim_report_dsa_read(ipsim_report_dsa *d, const char *dir, ipsim_error *err);
void ipsim_report_dsa_free(ipsim_report_dsa *d); /* safe on a zeroed one */
/* The tornado: the widest IPSIM_REPORT_TORNADO_ROWS bars. */
enum { IPSIM_REPORT_TORNADO_ROWS = 15 };
void ipsim_report_draw_tornado(const ipsim_report_data *rp, const ipsim_plot_figure *fig);
void ipsim_report_data_tornado(const ipsim_report_data *rp, FILE *f);

/* Reads the first file's /voi if it has one (report/report_voi.c).
 * Errors: the reader's, IPSIM_ENOMEM. */
int ipsim_report_voi_read(ipsim_report_voi *v, ipsim_h5_reader *r, ipsim_error *err);
void ipsim_report_voi_free(ipsim_report_voi *v); /* safe on a zeroed one */

/* The page's tables (report/report_tables.c), each written as HTML to
 * `page` and as DIR/NAME.csv, linked from the page. */
int ipsim_report_tables_write(const ipsim_report_data *rp, FILE *page, const char *dir,
                              ipsim_error *err);
/* Whether `name` is a CSV file ipsim_report_tables_write may write. */
bool ipsim_report_table_file(const char *name);

/* Writes DIR/index.html: the run's parameters and every figure drawn
 * (drawn[i] for ipsim_report_figures[i]) with its caption and links.
 * Errors: IPSIM_EIO naming the file. */
int ipsim_report_page_write(const ipsim_report_data *rp, const char *dir, const bool *drawn,
                            ipsim_error *err);

/* True if DIR/index.html is a page ipsim_report_page_write wrote (so the
 * directory is an earlier report, which may be replaced). */
bool ipsim_report_page_found(const char *dir);

#endif
