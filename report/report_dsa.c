/* report/report_dsa.c: the deterministic sensitivity analysis in a report:
 * the tables `ipsim dsa ... --csv DIR` wrote (docs/output-format.md, "ipsim
 * dsa ... --csv DIR"), read back, and the tornado drawn from them. The
 * results are not in the HDF5 file (a dsa runs the study afresh), so the
 * report takes the CSVs (--dsa DIR); reading them checks the header and
 * every number, and a fault names the file and line. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv.h"
#include "report/report_internal.h"

enum { FIELDS_MAX = 32, LINE_MAX_BYTES = 8192 };

/* One line of a CSV file split into fields, in place (RFC 4180 quoting,
 * and output/csv.h's ' prefix taken off text). */
typedef struct csv_line {
    char text[LINE_MAX_BYTES];
    char *field[FIELDS_MAX];
    int fields;
} csv_line;

/* Reads and splits the next line; 0 at the end, 1 with a line, -1 for a
 * line too long or with too many fields or an open quote. */
static int csv_next(FILE *f, csv_line *l)
{
    if (!fgets(l->text, sizeof l->text, f))
        return 0;
    size_t len = strlen(l->text);
    if (len + 1 == sizeof l->text && l->text[len - 1] != '\n')
        return -1;
    while (len && (l->text[len - 1] == '\n' || l->text[len - 1] == '\r'))
        l->text[--len] = '\0';
    l->fields = 0;
    char *in = l->text, *out = l->text;
    for (;;) {
        if (l->fields == FIELDS_MAX)
            return -1;
        l->field[l->fields++] = out;
        if (*in == '"') {
            for (in++;; in++) {
                if (!*in)
                    return -1;
                if (*in == '"' && in[1] == '"')
                    *out++ = *in++;
                else if (*in == '"') {
                    in++;
                    break;
                } else
                    *out++ = *in;
            }
        } else {
            while (*in && *in != ',')
                *out++ = *in++;
        }
        if (*in != ',' && *in)
            return -1;
        bool more = *in == ',';
        *out++ = '\0';
        in++;
        if (l->field[l->fields - 1][0] == '\'') /* output/csv.h's formula guard */
            l->field[l->fields - 1]++;
        if (!more)
            return 1;
    }
}

/* A table being read: its path, line number and columns by name. */
typedef struct csv_table {
    char path[IPSIM_PATH_MAX + 32];
    FILE *f;
    long line;
    csv_line header, row;
} csv_table;

static int table_fail(const csv_table *t, ipsim_error *err, const char *what)
{
    return IPSIM_FAIL(err, IPSIM_EFORMAT, "%s, line %ld: %s (is it a table of ipsim dsa --csv?)",
                      t->path, t->line, what);
}

/* The index of column `name`, or -1. */
static int column(const csv_table *t, const char *name)
{
    for (int i = 0; i < t->header.fields; i++)
        if (strcmp(t->header.field[i], name) == 0)
            return i;
    return -1;
}

/* Opens dir/name and reads its header, which must have every column of
 * `needed` (NULL-terminated); *t->f is NULL if the file does not exist. */
static int table_open(csv_table *t, const char *dir, const char *name,
                      const char *const *needed, ipsim_error *err)
{
    snprintf(t->path, sizeof t->path, "%s/%s", dir, name);
    t->line = 1;
    t->f = fopen(t->path, "r");
    if (!t->f)
        return errno == ENOENT ? IPSIM_OK
                               : IPSIM_FAIL(err, IPSIM_EIO, "cannot read '%s': %s", t->path,
                                            strerror(errno));
    if (csv_next(t->f, &t->header) != 1)
        return table_fail(t, err, "no header");
    for (int i = 0; needed[i]; i++)
        if (column(t, needed[i]) < 0) {
            char what[128];
            snprintf(what, sizeof what, "no column '%s'", needed[i]);
            return table_fail(t, err, what);
        }
    return IPSIM_OK;
}

/* The next row: 1, or 0 at the end; -1 after a fault set in err. */
static int table_row(csv_table *t, ipsim_error *err)
{
    t->line++;
    int rc = csv_next(t->f, &t->row);
    if (rc < 0 || (rc == 1 && t->row.fields != t->header.fields)) {
        table_fail(t, err, rc < 0 ? "cannot be read as CSV" : "not as many fields as the header");
        return -1;
    }
    return rc;
}

/* Cell `name` of the current row as text. */
static const char *text(const csv_table *t, const char *name)
{
    return t->row.field[column(t, name)];
}

/* Cell `name` as a number: empty is NaN (output/csv.h); anything else
 * that is not a number is a fault. */
static int number(const csv_table *t, const char *name, double *v, ipsim_error *err)
{
    const char *s = text(t, name);
    char *end;
    *v = *s ? strtod(s, &end) : NAN;
    if (*s && (*end || end == s)) {
        char what[160];
        snprintf(what, sizeof what, "column '%s' holds '%.60s', not a number", name, s);
        return table_fail(t, err, what);
    }
    return IPSIM_OK;
}

static void copy(char *to, size_t size, const char *from)
{
    snprintf(to, size, "%s", from);
}

static int read_oneway(ipsim_report_dsa *d, csv_table *t, ipsim_error *err)
{
    int rc = IPSIM_OK, row;
    while (!rc && (row = table_row(t, err)) == 1) {
        double rank, value, inb, inb_se, swing, swing_se, wtp, preferred;
        rc = number(t, "rank", &rank, err);
        rc = rc ? rc : number(t, "value", &value, err);
        rc = rc ? rc : number(t, "inb", &inb, err);
        rc = rc ? rc : number(t, "inb_se", &inb_se, err);
        rc = rc ? rc : number(t, "swing", &swing, err);
        rc = rc ? rc : number(t, "swing_se", &swing_se, err);
        rc = rc ? rc : number(t, "wtp", &wtp, err);
        rc = rc ? rc : number(t, "preferred", &preferred, err);
        if (rc)
            break;
        const char *end = text(t, "end");
        if (!(rank >= 0 && rank < 1e6 && rank == floor(rank)))
            return table_fail(t, err, "rank is not a whole number");
        if (rank == 0) {
            d->wtp = wtp;
            d->inb_base = inb;
            d->inb_base_se = inb_se;
            copy(d->strategy, sizeof d->strategy, text(t, "inb_strategy"));
            copy(d->comparator, sizeof d->comparator, text(t, "inb_comparator"));
            continue;
        }
        bool low = strcmp(end, "low") == 0;
        if (!low && strcmp(end, "high") != 0)
            return table_fail(t, err, "end is not base, low or high");
        ipsim_report_dsa_bar *b = NULL;
        for (int i = 0; i < d->bars; i++)
            if (strcmp(d->bar[i].input, text(t, "input")) == 0)
                b = &d->bar[i];
        if (!b) {
            ipsim_report_dsa_bar *grown = realloc(d->bar, (size_t)(d->bars + 1) * sizeof *grown);
            if (!grown)
                return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading '%s'", t->path);
            d->bar = grown;
            b = &d->bar[d->bars++];
            *b = (ipsim_report_dsa_bar){.rank = (int)rank, .low = NAN, .high = NAN,
                                        .inb_low = NAN, .inb_high = NAN};
            copy(b->input, sizeof b->input, text(t, "input"));
        }
        *(low ? &b->low : &b->high) = value;
        *(low ? &b->inb_low : &b->inb_high) = inb;
        b->swing = swing;
        b->swing_se = swing_se;
        if (preferred == 1)
            copy(low ? b->preferred_low : b->preferred_high, sizeof b->preferred_low,
                 text(t, "strategy"));
    }
    if (!rc && row < 0)
        rc = IPSIM_EFORMAT;
    for (int i = 1; !rc && i < d->bars; i++) /* by rank: insertion sort, few rows */
        for (int j = i; j > 0 && d->bar[j - 1].rank > d->bar[j].rank; j--) {
            ipsim_report_dsa_bar swap = d->bar[j];
            d->bar[j] = d->bar[j - 1];
            d->bar[j - 1] = swap;
        }
    return rc;
}

static int read_thresholds(ipsim_report_dsa *d, csv_table *t, ipsim_error *err)
{
    int rc = IPSIM_OK, row;
    while (!rc && (row = table_row(t, err)) == 1) {
        ipsim_report_dsa_threshold x = {.found = strcmp(text(t, "kind"), "threshold") == 0};
        copy(x.input, sizeof x.input, text(t, "input"));
        rc = number(t, "wtp", &x.wtp, err);
        rc = rc ? rc : number(t, "value", &x.value, err);
        rc = rc ? rc : number(t, "se", &x.se, err);
        rc = rc ? rc : number(t, "low95", &x.low95, err);
        rc = rc ? rc : number(t, "high95", &x.high95, err);
        if (rc)
            break;
        if (!x.found && strcmp(text(t, "kind"), "grid") != 0)
            return table_fail(t, err, "kind is not grid or threshold");
        copy(x.below, sizeof x.below, text(t, "preferred_below"));
        copy(x.above, sizeof x.above, text(t, "preferred_above"));
        /* An input's grid rows make one "no change" row, its range the
         * grid's ends; a threshold found replaces it. */
        ipsim_report_dsa_threshold *same = NULL;
        for (int i = 0; i < d->thresholds; i++)
            if (strcmp(d->threshold[i].input, x.input) == 0 && !d->threshold[i].found)
                same = &d->threshold[i];
        if (!x.found && same) {
            same->low95 = fmin(same->low95, x.value);
            same->high95 = fmax(same->high95, x.value);
            continue;
        }
        if (x.found && same) {
            *same = x;
            continue;
        }
        if (!x.found) {
            x.low95 = x.high95 = x.value;
            x.value = NAN;
        }
        ipsim_report_dsa_threshold *grown =
            realloc(d->threshold, (size_t)(d->thresholds + 1) * sizeof *grown);
        if (!grown)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory reading '%s'", t->path);
        d->threshold = grown;
        d->threshold[d->thresholds++] = x;
    }
    return !rc && row < 0 ? IPSIM_EFORMAT : rc;
}

int ipsim_report_dsa_read(ipsim_report_dsa *d, const char *dir, ipsim_error *err)
{
    static const char *const oneway_columns[] = {
        "rank", "input", "end", "value", "wtp", "strategy", "preferred", "inb_strategy",
        "inb_comparator", "inb", "inb_se", "swing", "swing_se", NULL};
    static const char *const threshold_columns[] = {
        "input", "wtp", "kind", "value", "se", "low95", "high95", "preferred_below",
        "preferred_above", NULL};
    csv_table *t = calloc(1, sizeof *t);
    if (!t)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    bool any = false;
    int rc = table_open(t, dir, "dsa_oneway.csv", oneway_columns, err);
    if (!rc && t->f) {
        any = d->oneway = true;
        rc = read_oneway(d, t, err);
    }
    if (t->f)
        fclose(t->f);
    t->f = NULL;
    if (!rc)
        rc = table_open(t, dir, "dsa_threshold.csv", threshold_columns, err);
    if (!rc && t->f) {
        any = true;
        rc = read_thresholds(d, t, err);
    }
    if (t->f)
        fclose(t->f);
    free(t);
    if (!rc && !any)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--dsa '%s' holds neither dsa_oneway.csv nor dsa_threshold.csv (write "
                        "them with ipsim dsa STUDY.yaml --csv DIR)",
                        dir);
    return rc;
}

void ipsim_report_dsa_free(ipsim_report_dsa *d)
{
    free(d->bar);
    free(d->threshold);
    *d = (ipsim_report_dsa){0};
}

/* ---- the tornado ------------------------------------------------------------------- */

void ipsim_report_draw_tornado(const ipsim_report_data *rp, const ipsim_plot_figure *fig)
{
    const ipsim_report_dsa *d = &rp->dsa;
    const int rows = d->bars < IPSIM_REPORT_TORNADO_ROWS ? d->bars : IPSIM_REPORT_TORNADO_ROWS;
    double lo = d->inb_base, hi = d->inb_base;
    for (int i = 0; i < rows; i++)
        for (int k = 0; k < 2; k++) {
            double v = k ? d->bar[i].inb_high : d->bar[i].inb_low;
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    double pad = 0.08 * (hi - lo > 0 ? hi - lo : fabs(d->inb_base) + 1);
    char xlabel[2 * IPSIM_NAME_MAX + 96], amount[48];
    ipsim_plot_thousands(amount, sizeof amount, d->wtp);
    snprintf(xlabel, sizeof xlabel, "Incremental net benefit per patient at %s per QALY", amount);
    char title[2 * IPSIM_NAME_MAX + 16];
    snprintf(title, sizeof title, "%s over %s", d->strategy, d->comparator);
    /* One row per input, the widest at the top; each row's name sits above
     * its bar, inside the panel, so long keys are never cut. */
    ipsim_plot_axes axes = {.xmin = lo - pad, .xmax = hi + pad, .ymin = 0, .ymax = rows,
                            .xlabel = xlabel, .ylabel = "", .title = title,
                            .y_categories = true, .grid = true};
    ipsim_plot_panel(fig, &axes, 0);
    const ipsim_colour low_colour = ipsim_plot_palette(0), high_colour = ipsim_plot_palette(1);
    for (int i = 0; i < rows; i++) {
        const ipsim_report_dsa_bar *b = &d->bar[i];
        double y = rows - i - 0.75;
        for (int k = 0; k < 2; k++) {
            double v = k ? b->inb_high : b->inb_low;
            if (!isfinite(v))
                continue;
            double px[4] = {d->inb_base, v, v, d->inb_base};
            double py[4] = {y - 0.17, y - 0.17, y + 0.17, y + 0.17};
            ipsim_plot_polygon(4, px, py, k ? high_colour : low_colour);
        }
        char name[IPSIM_KEY_MAX + 64];
        snprintf(name, sizeof name, "%s (%.4g to %.4g)", b->input, b->low, b->high);
        ipsim_plot_text(lo - pad * 0.9, y + 0.26, 0, 0.7, name);
    }
    double bx[2] = {d->inb_base, d->inb_base}, by[2] = {0, rows};
    ipsim_plot_line(2, bx, by, (ipsim_colour){0, 0, 0, 1}, 1.5, false);
    if (lo < 0 && hi > 0) {
        double zx[2] = {0, 0};
        ipsim_plot_line_style(2, zx, by, (ipsim_colour){150, 0, 0, 1}, 1.2, 1);
    }
    ipsim_legend_entry legend[6];
    int n = 0;
    legend[n++] = (ipsim_legend_entry){"Input at", {0}, IPSIM_LEGEND_HEADING, 0};
    legend[n++] = (ipsim_legend_entry){"Low end of its range", low_colour, IPSIM_LEGEND_AREA, 0};
    legend[n++] = (ipsim_legend_entry){"High end of its range", high_colour, IPSIM_LEGEND_AREA, 0};
    legend[n++] = (ipsim_legend_entry){"Base case", {0, 0, 0, 1}, IPSIM_LEGEND_LINE, 0};
    if (lo < 0 && hi > 0)
        legend[n++] = (ipsim_legend_entry){"Zero: the decision changes", {150, 0, 0, 1},
                                           IPSIM_LEGEND_DASHED, 1};
    ipsim_plot_legend(fig, legend, n);
}

/* Every bar, widest first: the rows of dsa_oneway.csv, one per input. */
void ipsim_report_data_tornado(const ipsim_report_data *rp, FILE *f)
{
    const ipsim_report_dsa *d = &rp->dsa;
    fputs("rank,input,low,high,inb_base,inb_low,inb_high,swing,swing_se,preferred_low,"
          "preferred_high\n",
          f);
    for (int i = 0; i < d->bars; i++) {
        const ipsim_report_dsa_bar *b = &d->bar[i];
        fprintf(f, "%d", b->rank);
        ipsim_csv_text(f, true, b->input);
        ipsim_csv_number(f, b->low);
        ipsim_csv_number(f, b->high);
        ipsim_csv_number(f, d->inb_base);
        ipsim_csv_number(f, b->inb_low);
        ipsim_csv_number(f, b->inb_high);
        ipsim_csv_number(f, b->swing);
        ipsim_csv_number(f, b->swing_se);
        ipsim_csv_text(f, true, b->preferred_low);
        ipsim_csv_text(f, true, b->preferred_high);
        fputc('\n', f);
    }
}
