/* report/plot.c: PLplot behind report/plot.h. PLplot keeps its drawing
 * state (current stream, viewport, colours) itself; this file is the only
 * one that touches it. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* M_PI */
#include "report/plot.h"

#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *const ipsim_plot_format_names[IPSIM_PLOT_FORMATS + 1] = {"png", "svg", "pdf", NULL};

/* PLplot's Cairo drivers (Debian: plplot-driver-cairo) draw antialiased
 * text and shapes with the system's fonts, the same in every format. */
static const char *const devices[IPSIM_PLOT_FORMATS] = {"pngcairo", "svgcairo", "pdfcairo"};

/* Page geometry in device units (pixels for PNG, points for SVG and PDF). */
enum {
    PANEL_WIDTH = 600,
    PANEL_HEIGHT = 560,
    LEGEND_WIDTH = 370,
    LEGEND_WIDTH_ONE_PANEL = 560, /* room for a sweep's "key=value, ..." names */
    TITLE_HEIGHT = 70,  /* the page title */
    MARGIN_LEFT = 130,  /* y numbers and label */
    MARGIN_RIGHT = 30,
    MARGIN_BOTTOM = 90, /* x numbers and label, category names */
    MARGIN_TOP = 40     /* panel title */
};

/* Default text height: PLplot's own for a one-panel page. */
static const double TEXT_HEIGHT_MM = 5.5;

/* Colour map 0 entries: 0 background, 1 ink, 2 grid, 15 the drawing colour
 * set by each call. */
enum { INK = 1, GRID = 2, DRAW = 15 };

static const ipsim_colour palette[IPSIM_PLOT_PALETTE] = {
    {0, 114, 178, 1},   /* blue */
    {230, 159, 0, 1},   /* orange */
    {0, 158, 115, 1},   /* bluish green */
    {204, 121, 167, 1}, /* reddish purple */
    {86, 180, 233, 1},  /* sky blue */
    {213, 94, 0, 1},    /* vermillion */
    {240, 228, 66, 1},  /* yellow */
    {0, 0, 0, 1},       /* black */
    /* Paul Tol's muted scheme, less its colours close to those above. */
    {51, 34, 136, 1},   /* indigo */
    {136, 34, 85, 1},   /* wine */
    {153, 153, 51, 1},  /* olive */
    {68, 170, 153, 1},  /* teal */
    {221, 204, 119, 1}, /* sand */
    {170, 68, 153, 1},  /* purple */
    {136, 204, 238, 1}, /* cyan */
    {120, 120, 120, 1}, /* grey */
};

ipsim_colour ipsim_plot_palette(int i)
{
    return palette[((i % IPSIM_PLOT_PALETTE) + IPSIM_PLOT_PALETTE) % IPSIM_PLOT_PALETTE];
}

ipsim_colour ipsim_plot_fade(ipsim_colour c, double alpha)
{
    c.alpha = alpha;
    return c;
}

static void use(ipsim_colour c)
{
    plscol0a(DRAW, c.red, c.green, c.blue, c.alpha);
    plcol0(DRAW);
}

/* PLplot calls this before it exits on an internal error; ipsim never
 * gives it cause (formats are checked and directories made first), but if
 * it does, the message says where it came from. */
static int on_plplot_exit(const char *message)
{
    fprintf(stderr, "ipsim: PLplot failed: %s\n", message ? message : "");
    return 1;
}

int ipsim_plot_check_format(ipsim_plot_format format, ipsim_error *err)
{
    const char *menu[64], *names[64];
    const char **menu_p = menu, **names_p = names;
    int n = 64;
    plgDevs(&menu_p, &names_p, &n);
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], devices[format]) == 0)
            return IPSIM_OK;
    return IPSIM_FAIL(err, IPSIM_EUSAGE,
                      "PLplot has no '%s' driver for %s figures: install Debian's "
                      "plplot-driver-cairo",
                      devices[format], ipsim_plot_format_names[format]);
}

int ipsim_plot_begin(ipsim_plot_figure *fig, const char *path, ipsim_plot_format format,
                     const char *title, int panels, ipsim_error *err)
{
    int rc = ipsim_plot_check_format(format, err);
    if (rc)
        return rc;
    if (panels < 1)
        panels = 1;
    fig->path = path;
    fig->columns = panels < IPSIM_PLOT_COLUMNS ? panels : IPSIM_PLOT_COLUMNS;
    fig->rows = (panels + fig->columns - 1) / fig->columns;
    fig->width = fig->columns * PANEL_WIDTH +
                 (panels == 1 ? LEGEND_WIDTH_ONE_PANEL : LEGEND_WIDTH);
    fig->height = TITLE_HEIGHT + fig->rows * PANEL_HEIGHT;
    plsexit(on_plplot_exit);
    plsdev(devices[format]);
    plsfnam(path);
    plspage(0, 0, (PLINT)fig->width, (PLINT)fig->height, 0, 0);
    plscolbg(255, 255, 255);
    plinit();
    /* PLplot scales its default text height with the page; a fixed height
     * keeps text the same size in figures of one panel or many. */
    plschr(TEXT_HEIGHT_MM, 1.0);
    plscol0(INK, 0, 0, 0);
    plscol0(GRID, 225, 225, 225);
    pladv(0);
    /* The whole page as the window, for the title. */
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(INK);
    plschr(0, 1.35);
    plptex(0.5, 1 - 0.55 * TITLE_HEIGHT / fig->height, 1, 0, 0.5, title);
    plschr(0, 1.0);
    return IPSIM_OK;
}

int ipsim_plot_end(ipsim_plot_figure *fig, ipsim_error *err)
{
    plend();
    struct stat st;
    if (stat(fig->path, &st) != 0 || st.st_size == 0)
        return IPSIM_FAIL(err, IPSIM_EIO, "PLplot wrote no figure to %s", fig->path);
    return IPSIM_OK;
}

/* Panel `index`'s axes box in normalised page coordinates. */
static void panel_viewport(const ipsim_plot_figure *fig, int index, double box[4])
{
    const double left = (index % fig->columns) * PANEL_WIDTH;
    const double top = fig->height - TITLE_HEIGHT - (index / fig->columns) * PANEL_HEIGHT;
    box[0] = (left + MARGIN_LEFT) / fig->width;
    box[1] = (left + PANEL_WIDTH - MARGIN_RIGHT) / fig->width;
    box[2] = (top - PANEL_HEIGHT + MARGIN_BOTTOM) / fig->height;
    box[3] = (top - MARGIN_TOP) / fig->height;
}

void ipsim_plot_thousands(char *buf, size_t size, double v)
{
    char digits[64], out[96];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits), k = 0;
    if (v <= -0.5)
        out[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    snprintf(buf, size, "%s", out);
}

/* Axis numbers as people write them: 20,000 rather than 2x10^4, and no
 * trailing zeros (0.5, not 0.50). */
static void axis_label(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data)
{
    (void)axis;
    (void)data;
    if (fabs(value) < 1e-9 * (1 + fabs(value)))
        value = 0;
    if (fabs(value) >= 1000 && fabs(value - round(value)) < 1e-6)
        ipsim_plot_thousands(label, (size_t)length, value);
    else
        snprintf(label, (size_t)length, "%.6g", value);
}

static void draw_box(const ipsim_plot_axes *axes)
{
    plcol0(INK);
    plwidth(1);
    pllsty(1);
    plslabelfunc(axis_label, NULL);
    plbox(axes->x_categories ? "bc" : "bcnsto", 0, 0, axes->y_categories ? "bc" : "bcnstvo", 0,
          0);
}

void ipsim_plot_axes_on_top(const ipsim_plot_axes *axes)
{
    draw_box(axes);
}

/* The text size, at most `size`, at which `text` fits in `share` of the
 * current viewport's width (a long scenario name in the legend strip). */
static double fitted(const char *text, double size, double share)
{
    double vx0, vx1, vy0, vy1;
    plgspa(&vx0, &vx1, &vy0, &vy1); /* the page, in mm */
    double px0, px1, py0, py1;
    plgvpd(&px0, &px1, &py0, &py1);
    const double room = share * (px1 - px0) * (vx1 - vx0);
    /* This PLplot has no plstrl: a sans-serif character averages about
     * 0.8 of PLplot's character height in width (measured on the Cairo
     * drivers' DejaVu Sans; UTF-8 continuation bytes take none). */
    plschr(0, size);
    double default_mm, height_mm;
    plgchr(&default_mm, &height_mm);
    plschr(0, 1.0);
    size_t characters = 0;
    for (const char *c = text; *c; c++)
        characters += ((unsigned char)*c & 0xC0) != 0x80;
    const double length = 0.8 * height_mm * (double)characters;
    return length > room && length > 0 ? size * room / length : size;
}

void ipsim_plot_panel(const ipsim_plot_figure *fig, const ipsim_plot_axes *axes, int index)
{
    double box[4];
    panel_viewport(fig, index, box);
    plvpor(box[0], box[1], box[2], box[3]);
    plwind(axes->xmin, axes->xmax, axes->ymin, axes->ymax);
    plwidth(1);
    pllsty(1);
    if (axes->grid) {
        plcol0(GRID);
        plbox(axes->x_categories ? "" : "g", 0, 0, axes->y_categories ? "" : "g", 0, 0);
    }
    draw_box(axes);
    plmtex("b", axes->x_categories ? 4.2 : 3.0, 0.5, 0.5, axes->xlabel ? axes->xlabel : "");
    plmtex("l", 7.2, 0.5, 0.5, axes->ylabel ? axes->ylabel : "");
    const char *title = axes->title ? axes->title : "";
    plschr(0, fitted(title, 1.0, 1.0));
    plmtex("t", 1.2, 0.5, 0.5, title);
    plschr(0, 1.0);
}

void ipsim_plot_polygon(int n, const double *x, const double *y, ipsim_colour c)
{
    if (n < 3)
        return;
    use(c);
    plfill(n, x, y);
}

void ipsim_plot_band(int n, const double *x, const double *low, const double *high,
                     ipsim_colour c)
{
    if (n <= 0)
        return;
    double px[2 * n], py[2 * n];
    int start = 0;
    while (start < n) {
        /* One polygon per run of finite values. */
        while (start < n && !(isfinite(low[start]) && isfinite(high[start])))
            start++;
        int end = start;
        while (end < n && isfinite(low[end]) && isfinite(high[end]))
            end++;
        int k = 0;
        for (int i = start; i < end; i++, k++) {
            px[k] = x[i];
            py[k] = high[i];
        }
        for (int i = end - 1; i >= start; i--, k++) {
            px[k] = x[i];
            py[k] = low[i];
        }
        ipsim_plot_polygon(k, px, py, c);
        start = end;
    }
}

void ipsim_plot_line(int n, const double *x, const double *y, ipsim_colour c, double width,
                     bool dashed)
{
    ipsim_plot_line_style(n, x, y, c, width, dashed ? 1 : 0);
}

void ipsim_plot_line_style(int n, const double *x, const double *y, ipsim_colour c, double width,
                           int style)
{
    use(c);
    plwidth(width);
    /* PLplot's styles 2 .. 8 are its dash patterns; 1 is solid. */
    pllsty(1 + ((style % IPSIM_PLOT_LINE_STYLES) + IPSIM_PLOT_LINE_STYLES) %
                   IPSIM_PLOT_LINE_STYLES);
    int start = 0;
    while (start < n) {
        while (start < n && !isfinite(y[start]))
            start++;
        int end = start;
        while (end < n && isfinite(y[end]))
            end++;
        if (end - start >= 2)
            plline(end - start, x + start, y + start);
        start = end;
    }
    plwidth(1);
    pllsty(1);
}

void ipsim_plot_points(int n, const double *x, const double *y, ipsim_colour c, double size)
{
    ipsim_plot_markers(n, x, y, c, size, 0);
}

void ipsim_plot_markers(int n, const double *x, const double *y, ipsim_colour c, double size,
                        int shape)
{
    /* Filled polygons, sized in pixels (a text glyph would sit on its
     * baseline, not centred on the point): a circle is one of 20 sides. */
    static const int shape_sides[IPSIM_PLOT_SHAPES] = {20, 4, 3, 4, 3};
    static const double shape_turn[IPSIM_PLOT_SHAPES] = {0, 0.25, 0.5, 0, 1.5};
    shape = ((shape % IPSIM_PLOT_SHAPES) + IPSIM_PLOT_SHAPES) % IPSIM_PLOT_SHAPES;
    double vx0, vx1, vy0, vy1, wx0, wx1, wy0, wy1, xdpi, ydpi;
    PLINT width, height, xoff, yoff;
    plgvpd(&vx0, &vx1, &vy0, &vy1);
    plgvpw(&wx0, &wx1, &wy0, &wy1);
    plgpage(&xdpi, &ydpi, &width, &height, &xoff, &yoff);
    const double radius_px = 5.5 * size;
    const double rx = radius_px * (wx1 - wx0) / ((vx1 - vx0) * width);
    const double ry = radius_px * (wy1 - wy0) / ((vy1 - vy0) * height);
    const int sides = shape_sides[shape];
    const double turn = shape_turn[shape] * M_PI / (sides == 3 ? 3 : 1);
    double px[20], py[20];
    use(c);
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        for (int k = 0; k < sides; k++) {
            double a = turn + M_PI / 2 + 2 * M_PI * k / sides;
            px[k] = x[i] + rx * cos(a);
            py[k] = y[i] + ry * sin(a);
        }
        plfill(sides, px, py);
    }
}

void ipsim_plot_bar(double x0, double x1, double y, ipsim_colour c)
{
    if (!isfinite(y))
        return;
    double px[4] = {x0, x1, x1, x0}, py[4] = {0, 0, y, y};
    ipsim_plot_polygon(4, px, py, c);
}

void ipsim_plot_whisker(double at, double low, double high, double cap, bool vertical,
                        ipsim_colour c)
{
    if (!isfinite(low) || !isfinite(high))
        return;
    use(c);
    plwidth(1.5);
    if (vertical) {
        pljoin(at, low, at, high);
        pljoin(at - cap, low, at + cap, low);
        pljoin(at - cap, high, at + cap, high);
    } else {
        pljoin(low, at, high, at);
        pljoin(low, at - cap, low, at + cap);
        pljoin(high, at - cap, high, at + cap);
    }
    plwidth(1);
}

void ipsim_plot_category(double x, const char *text)
{
    double xmin, xmax, ymin, ymax;
    plgvpw(&xmin, &xmax, &ymin, &ymax);
    plcol0(INK);
    plschr(0, 0.82); /* five grade names side by side in one panel */
    plmtex("b", 1.9, (x - xmin) / (xmax - xmin), 0.5, text);
    plschr(0, 1.0);
}

void ipsim_plot_text(double x, double y, double justify, double size, const char *text)
{
    plcol0(INK);
    plschr(0, size);
    plptex(x, y, 1, 0, justify, text);
    plschr(0, 1.0);
}

/* An entry's text right of its key: on one line if it fits at a readable
 * size, else in two split at the comma nearest its middle (a sweep
 * scenario's "key=value, key=value"). */
static void legend_text(const char *text, double y, double mark)
{
    const double size = 0.85 * fmin(1, mark);
    const double one = fitted(text, size, 0.82);
    const char *split = NULL;
    const size_t len = strlen(text);
    for (const char *c = strchr(text, ','); c; c = strchr(c + 1, ','))
        if (!split || fabs((double)(c - text) - len / 2.0) < fabs((double)(split - text) - len / 2.0))
            split = c;
    if (one >= 0.75 * size || !split) {
        ipsim_plot_text(0.18, y - 0.012 * mark, 0, one, text);
        return;
    }
    char first[512];
    snprintf(first, sizeof first, "%.*s,", (int)(split - text), text);
    const char *second = split + 1 + (split[1] == ' ');
    const double two = fmin(fitted(first, size, 0.82), fitted(second, size, 0.82)) * 0.9;
    ipsim_plot_text(0.18, y + 0.012 * mark, 0, two, first);
    ipsim_plot_text(0.18, y - 0.032 * mark, 0, two, second);
}

void ipsim_plot_legend(const ipsim_plot_figure *fig, const ipsim_legend_entry *entries, int n)
{
    /* The strip right of the first row of panels, in its own unit window. */
    double box[4];
    panel_viewport(fig, fig->columns - 1, box);
    plvpor(box[1] + (double)MARGIN_RIGHT / fig->width + 0.01, 0.995, box[2], box[3]);
    plwind(0, 1, 0, 1);
    /* Up to 15 entries at the usual spacing; more are set closer. */
    const double step = n > 15 ? 0.98 / n : 0.065;
    const double mark = step / 0.065;
    double y = 1 - step / 2;
    for (int i = 0; i < n; i++, y -= step) {
        const ipsim_legend_entry *e = &entries[i];
        switch (e->kind) {
        case IPSIM_LEGEND_AREA: {
            double px[4] = {0.02, 0.14, 0.14, 0.02};
            double py[4] = {y - 0.022 * mark, y - 0.022 * mark, y + 0.022 * mark,
                            y + 0.022 * mark};
            ipsim_plot_polygon(4, px, py, e->colour);
            break;
        }
        case IPSIM_LEGEND_LINE:
        case IPSIM_LEGEND_DASHED: {
            double px[2] = {0.02, 0.14}, py[2] = {y, y};
            int style = e->style ? e->style : e->kind == IPSIM_LEGEND_DASHED ? 1 : 0;
            ipsim_plot_line_style(2, px, py, e->colour, 2.5, style);
            break;
        }
        case IPSIM_LEGEND_POINT: {
            double px = 0.08;
            ipsim_plot_markers(1, &px, &y, e->colour, fmin(1.0, mark), e->style);
            break;
        }
        case IPSIM_LEGEND_HEADING:
            ipsim_plot_text(0.0, y - 0.012 * mark, 0, fitted(e->text, 0.95 * fmin(1, mark), 1.0),
                            e->text);
            continue;
        }
        legend_text(e->text, y, mark);
    }
}
