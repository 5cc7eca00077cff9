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
    int needs;        /* 0 always, 1 a comparison, 2 a comparison with PSA */
} ipsim_report_figure;

enum { IPSIM_REPORT_FIGURES = 6 };

/* The IPSIM_REPORT_FIGURES figures, in the page's order (report/report.c). */
extern const ipsim_report_figure ipsim_report_figures[];

/* The grades' names, none to very severe, and the dead. */
extern const char *const ipsim_report_state_labels[IPSIM_STATES];

/* Writes DIR/index.html: the run's parameters and every figure drawn
 * (drawn[i] for ipsim_report_figures[i]) with its caption and links.
 * Errors: IPSIM_EIO naming the file. */
int ipsim_report_page_write(const ipsim_report_data *rp, const char *dir, const bool *drawn,
                            ipsim_error *err);

/* True if DIR/index.html is a page ipsim_report_page_write wrote (so the
 * directory is an earlier report, which may be replaced). */
bool ipsim_report_page_found(const char *dir);

#endif
