/* report/report_page.c: a report's index.html, which shows every figure
 * with its caption, links to each format and to the data behind it, and
 * the run's key parameters; it opens from the file system (relative
 * links). The page carries a mark by which a later report recognises the
 * directory as a report's, the only kind it replaces (report/report.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/report_internal.h"

/* Marks index.html as a report's page, so that a later report may replace
 * the directory and nothing else is ever replaced. */
static const char generator_mark[] = "<meta name=\"generator\" content=\"ipsim report\" />";

static void html_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void describe_ivig(FILE *f, const ipsim_params *p)
{
    const char *grade = ipsim_report_state_labels[p->ivig.grade_threshold];
    switch (p->ivig.policy) {
    case IPSIM_IVIG_NONE: fputs("none", f); return;
    case IPSIM_IVIG_GRADE: fprintf(f, "grade %s or worse", grade); break;
    case IPSIM_IVIG_INFECTIONS:
        fprintf(f, "after %lld %sinfections in %lld months", (long long)p->ivig.infections_threshold,
                p->ivig.serious_only ? "serious " : "", (long long)p->ivig.lookback_months);
        break;
    case IPSIM_IVIG_GRADE_OR_INFECTIONS:
        fprintf(f, "grade %s or worse, or after %lld %sinfections in %lld months", grade,
                (long long)p->ivig.infections_threshold, p->ivig.serious_only ? "serious " : "",
                (long long)p->ivig.lookback_months);
        break;
    case IPSIM_IVIG_IGG: fprintf(f, "own IgG below %g g/L", p->ivig.igg_threshold_g_per_l); break;
    case IPSIM_IVIG_IGG_AND_INFECTIONS:
    case IPSIM_IVIG_IGG_OR_INFECTIONS:
        fprintf(f, "own IgG below %g g/L %s %lld %s%sinfections in %lld months%s",
                p->ivig.igg_threshold_g_per_l,
                p->ivig.policy == IPSIM_IVIG_IGG_OR_INFECTIONS ? "or" : "and",
                (long long)p->ivig.infections_threshold, p->ivig.serious_only ? "serious " : "",
                p->ivig.bacterial_only ? "bacterial " : "", (long long)p->ivig.lookback_months,
                p->ivig.require_antibiotics ? " despite antibiotic prophylaxis" : "");
        break;
    }
    fprintf(f, ", %s %g mg/kg every %g weeks%s", p->ivig.route == IPSIM_ROUTE_SCIG ? "SCIG" : "IVIG",
            p->ivig.dose_mg_per_kg, p->ivig.interval_weeks,
            p->ivig.titrate ? " titrated to the trough target" : "");
}

static void write_parameters(FILE *f, const ipsim_report_data *rp)
{
    fputs("<table>\n<tr><th>Scenario</th><th>Patients</th><th>Replicates</th>"
          "<th>Follow-up</th><th>IVIG</th><th>Vaccination (influenza, pneumococcal)</th>"
          "<th>Discounting (costs, effects)</th><th>Seed</th><th>Named in figures</th></tr>\n",
          f);
    for (int s = 0; s < rp->count; s++) {
        const ipsim_params *p = ipsim_h5_reader_params(rp->readers[s]);
        char patients[32];
        ipsim_plot_thousands(patients, sizeof patients, (double)p->cohort.patients);
        fputs("<tr><td>", f);
        html_escaped(f, p->name);
        fprintf(f, "</td><td>%s</td><td>%lld%s</td><td>%lld months, in %lld-month cycles</td><td>",
                patients, (long long)p->cohort.replicates,
                rp->series[s].across_draws ? " PSA draws" : "", (long long)p->cohort.horizon_months,
                (long long)p->cohort.cycle_months);
        describe_ivig(f, p);
        fprintf(f, "</td><td>%.0f%%, %.0f%%</td><td>%g%%, %g%% a year</td><td>%llu</td><td>",
                100 * p->vaccination.influenza_coverage,
                100 * p->vaccination.pneumococcal_coverage,
                100 * p->economics.discount_rate_costs, 100 * p->economics.discount_rate_effects,
                (unsigned long long)p->seed);
        html_escaped(f, ipsim_report_label(rp, s));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

int ipsim_report_page_write(const ipsim_report_data *rp, const char *dir, const bool *drawn,
                            ipsim_error *err)
{
    char path[IPSIM_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(errno));
    const char *first = rp->paths[0];
    const char *base = strrchr(first, '/') ? strrchr(first, '/') + 1 : first;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n%s\n",
            generator_mark);
    fputs("<title>ipsim report: ", f);
    html_escaped(f, base);
    if (rp->files > 1)
        fprintf(f, " and %d more", rp->files - 1);
    fputs("</title>\n<style>\n"
          "body { font-family: sans-serif; max-width: 1500px; margin: 2em auto; padding: 0 1em; "
          "color: #222; }\n"
          "table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }\n"
          "th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }\n"
          "figure { margin: 2em 0; } img { max-width: 100%; border: 1px solid #eee; }\n"
          "figcaption { margin-top: 0.4em; }\n"
          "td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
          "h3 small { font-weight: normal; }\n</style>\n",
          f);
    /* For tests in a browser only (the page needs no script): counts
     * script errors and notes, once loaded, each image that did not load,
     * in attributes of <html> that --dump-dom shows (tests/test_report.py).
     * No '&' or '<' in it, so the page stays well-formed XML (the tests
     * parse it so). */
    fputs("<script>\n"
          "window.addEventListener('error', function (e) {\n"
          "  var h = document.documentElement;\n"
          "  if (e.target) { if (e.target.tagName === 'IMG') return; }\n"
          "  h.dataset.scriptErrors = (+(h.dataset.scriptErrors || 0) + 1) + '';\n"
          "}, true);\n"
          "window.addEventListener('load', function () {\n"
          "  var bad = [];\n"
          "  document.querySelectorAll('img').forEach(function (i) {\n"
          "    if (!i.complete || i.naturalWidth === 0) bad.push(i.getAttribute('src'));\n"
          "  });\n"
          "  var h = document.documentElement;\n"
          "  h.dataset.images = document.images.length + '';\n"
          "  h.dataset.brokenImages = bad.join(' ');\n"
          "  h.dataset.loaded = 'yes';\n"
          "});\n"
          "</script>\n</head>\n<body>\n",
          f);
    fputs("<h1>ipsim report: ", f);
    html_escaped(f, base);
    if (rp->files > 1)
        fprintf(f, " and %d more", rp->files - 1);
    fputs("</h1>\n<p>From", f);
    for (int i = 0; i < rp->files; i++) {
        fputs(i == 0 ? " <code>" : i + 1 < rp->files ? ", <code>" : " and <code>", f);
        html_escaped(f, rp->paths[i]);
        fputs("</code>", f);
    }
    fputs(", written by ipsim ", f);
    html_escaped(f, ipsim_h5_reader_version(rp->readers[0]));
    fputs(" at ", f);
    html_escaped(f, ipsim_h5_reader_created_utc(rp->readers[0]));
    fputs(". Each scenario group of a file holds its full parameter set "
          "(<code>ipsim summary</code> prints its tables; the group's "
          "<code>parameters</code> attribute reruns it).</p>\n",
          f);
    fputs("<h2>Run</h2>\n", f);
    write_parameters(f, rp);
    int rc = ipsim_report_tables_write(rp, f, dir, err);
    if (rc) {
        fclose(f);
        return rc;
    }
    fputs("<h2>Figures</h2>\n", f);
    const ipsim_report_options *o = rp->options;
    for (int i = 0; i < IPSIM_REPORT_FIGURES; i++) {
        if (!drawn[i])
            continue;
        const ipsim_report_figure *fig = &ipsim_report_figures[i];
        /* Shown as PNG where there is one, else SVG; PDF is linked. */
        const char *shown = o->formats[IPSIM_PLOT_PNG]   ? "png"
                             : o->formats[IPSIM_PLOT_SVG] ? "svg"
                                                          : NULL;
        fprintf(f, "<figure id=\"%s\">\n", fig->name);
        if (shown) {
            fprintf(f, "<img src=\"%s.%s\" alt=\"", fig->name, shown);
            html_escaped(f, fig->title);
            fputs("\" />\n", f);
        }
        fputs("<figcaption><b>", f);
        html_escaped(f, fig->title);
        fputs(".</b> ", f);
        html_escaped(f, fig->caption);
        for (int k = 0; k < IPSIM_PLOT_FORMATS; k++)
            if (o->formats[k])
                fprintf(f, " <a href=\"%s.%s\">%s</a>", fig->name, ipsim_plot_format_names[k],
                        ipsim_plot_format_names[k]);
        fprintf(f, " <a href=\"%s.csv\">data (CSV)</a>", fig->name);
        fputs("</figcaption>\n</figure>\n", f);
    }
    bool any_ivig = false;
    for (int s = 0; s < rp->count; s++)
        any_ivig |= ipsim_h5_reader_params(rp->readers[s])->ivig.policy != IPSIM_IVIG_NONE;
    if (!any_ivig)
        fputs("<p>No scenario gives IVIG: no figure of IVIG use.</p>\n", f);
    if (rp->by_point)
        fputs("<p>A sweep of several points: each point's strategies are compared among "
              "themselves in the table above, and no figure compares one point with another "
              "as if the points were options.</p>\n",
              f);
    else if (rp->sweep.points > 1)
        fputs("<p>Part of a sweep, or a sweep beside other files: a sweep's points are "
              "compared only in the whole sweep's file (<code>ipsim merge</code>), point by "
              "point, never with each other.</p>\n",
              f);
    else if (!rp->compared)
        fputs("<p>One scenario: the cost-effectiveness plane and acceptability curves need a "
              "study of two or more (<code>docs/psa.md</code>).</p>\n",
              f);
    else if (!rp->comparison.psa)
        fputs("<p>No probabilistic sensitivity analysis in this file: acceptability curves "
              "need PSA draws (<code>docs/psa.md</code>).</p>\n",
              f);
    fputs("</body>\n</html>\n", f);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path,
                          strerror(errno ? errno : EIO));
    return IPSIM_OK;
}

bool ipsim_report_page_found(const char *dir)
{
    char path[IPSIM_PATH_MAX + 16], head[1024] = "";
    snprintf(path, sizeof path, "%s/index.html", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(head, 1, sizeof head - 1, f);
        head[n] = '\0';
        fclose(f);
    }
    return strstr(head, generator_mark) != NULL;
}
