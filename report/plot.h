/* report/plot.h: figures drawn with PLplot, one file per figure.
 *
 * A thin layer over PLplot that keeps ipsim's figures alike: white page,
 * one font, one palette, panels in a grid with a legend strip on the right,
 * and PLplot's global drawing state confined to report/plot.c. Coordinates
 * given to the drawing calls are those of the current panel's axes.
 *
 * Usage:
 *   ipsim_plot_figure fig;
 *   ipsim_plot_begin(&fig, path, IPSIM_PLOT_PNG, "Page title", panels, err);
 *   ipsim_plot_panel(&fig, &axes, 0);   then lines, fills, bars ...
 *   ipsim_plot_legend(&fig, entries, n);
 *   ipsim_plot_end(&fig, err);
 *
 * Only one figure can be open at a time (PLplot keeps one current stream),
 * so figures are drawn one after another, from one thread. */
#ifndef IPSIM_PLOT_H
#define IPSIM_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

typedef enum ipsim_plot_format {
    IPSIM_PLOT_PNG, /* 1,200 pixels wide per column of panels, Cairo */
    IPSIM_PLOT_SVG,
    IPSIM_PLOT_PDF,
    IPSIM_PLOT_FORMATS
} ipsim_plot_format;

/* "png", "svg", "pdf": file extensions and --format names; NULL-terminated. */
extern const char *const ipsim_plot_format_names[IPSIM_PLOT_FORMATS + 1];

typedef struct ipsim_colour {
    unsigned char red, green, blue;
    double alpha; /* 1 opaque */
} ipsim_colour;

/* Colour i of a qualitative palette for scenarios and categories: Okabe
 * and Ito's 8, which colour-blind readers can tell apart, then 8 of Paul
 * Tol's muted set; wraps after IPSIM_PLOT_PALETTE. With more than 8
 * scenarios, give each its own marker too (ipsim_plot_markers). */
enum { IPSIM_PLOT_PALETTE = 16 };
ipsim_colour ipsim_plot_palette(int i);
/* The same colour with another opacity. */
ipsim_colour ipsim_plot_fade(ipsim_colour c, double alpha);

/* A whole number with thousands separators: 12345.6 -> "12,346". */
void ipsim_plot_thousands(char *buf, size_t size, double v);

/* IPSIM_OK if PLplot can write `format` here; else IPSIM_EUSAGE naming the
 * Debian package that brings the driver. */
int ipsim_plot_check_format(ipsim_plot_format format, ipsim_error *err);

/* The page of one figure: its file and panel grid. */
typedef struct ipsim_plot_figure {
    const char *path; /* borrowed until ipsim_plot_end */
    int columns, rows; /* panels: up to IPSIM_PLOT_COLUMNS side by side, then more rows */
    double width, height; /* device units */
} ipsim_plot_figure;

enum { IPSIM_PLOT_COLUMNS = 3 };

/* Opens a figure file at `path` (whose directory must exist and be
 * writable) with `title` across its top and room for `panels` panels
 * (>= 1), left to right and then top to bottom, with a legend strip on the
 * right. */
int ipsim_plot_begin(ipsim_plot_figure *fig, const char *path, ipsim_plot_format format,
                     const char *title, int panels, ipsim_error *err);

/* Finishes the figure and checks that a non-empty file was written. */
int ipsim_plot_end(ipsim_plot_figure *fig, ipsim_error *err);

typedef struct ipsim_plot_axes {
    double xmin, xmax, ymin, ymax;
    const char *xlabel, *ylabel, *title;
    bool x_categories; /* no numbers on the x axis: label with ipsim_plot_category */
    bool y_categories; /* no numbers on the y axis: rows named by ipsim_plot_text */
    bool grid;         /* light grid lines at the major ticks */
} ipsim_plot_axes;

/* Starts panel `index` (0 .. panels - 1) and draws its axes, labels and
 * title. */
void ipsim_plot_panel(const ipsim_plot_figure *fig, const ipsim_plot_axes *axes, int index);

/* Draws the panel's frame and ticks again, over fills that hid them. */
void ipsim_plot_axes_on_top(const ipsim_plot_axes *axes);

/* Filled polygon (x[i], y[i]). */
void ipsim_plot_polygon(int n, const double *x, const double *y, ipsim_colour c);
/* The area between low[i] and high[i] over x[i] (a band); NaNs end it. */
void ipsim_plot_band(int n, const double *x, const double *low, const double *high,
                     ipsim_colour c);
/* A polyline; NaN values break it. */
void ipsim_plot_line(int n, const double *x, const double *y, ipsim_colour c, double width,
                     bool dashed);
/* Markers (filled circles) of `size` (1 = the default character height). */
void ipsim_plot_points(int n, const double *x, const double *y, ipsim_colour c, double size);
/* Filled markers of shape `shape`: 0 circle, 1 square, 2 triangle, 3
 * diamond, 4 inverted triangle (wraps), so that series stay apart where
 * colours run out. */
enum { IPSIM_PLOT_SHAPES = 5 };
void ipsim_plot_markers(int n, const double *x, const double *y, ipsim_colour c, double size,
                        int shape);
/* A polyline in line style `style`: 0 solid, then 1 .. 7 PLplot's dash
 * patterns (long dashes, short dashes, dash-dot ...), for lines that must
 * be told apart in grey. */
enum { IPSIM_PLOT_LINE_STYLES = 8 };
void ipsim_plot_line_style(int n, const double *x, const double *y, ipsim_colour c, double width,
                           int style);
/* A bar from 0 to y over [x0, x1]. */
void ipsim_plot_bar(double x0, double x1, double y, ipsim_colour c);
/* A vertical (horizontal: !vertical) interval with end caps of half-width
 * `cap` in axis units, centred at `at`. */
void ipsim_plot_whisker(double at, double low, double high, double cap, bool vertical,
                        ipsim_colour c);
/* A category name under the x axis at x. */
void ipsim_plot_category(double x, const char *text);
/* Text at (x, y), justified (0 left, 0.5 centre, 1 right), at `size` x the
 * default height. */
void ipsim_plot_text(double x, double y, double justify, double size, const char *text);

typedef enum ipsim_legend_kind {
    IPSIM_LEGEND_AREA,
    IPSIM_LEGEND_LINE,
    IPSIM_LEGEND_DASHED,
    IPSIM_LEGEND_POINT,
    IPSIM_LEGEND_HEADING /* text only, bold-ish: a heading for the entries after it */
} ipsim_legend_kind;

typedef struct ipsim_legend_entry {
    const char *text;
    ipsim_colour colour;
    ipsim_legend_kind kind;
    int style; /* LINE and DASHED: ipsim_plot_line_style's (0: the kind's own);
                  POINT: ipsim_plot_markers' shape */
} ipsim_legend_entry;

/* The legend, top-down in the strip to the right of the first row of
 * panels; many entries are set closer, and text too long for the strip
 * smaller, so that every entry is shown whole. */
void ipsim_plot_legend(const ipsim_plot_figure *fig, const ipsim_legend_entry *entries, int n);

#endif
