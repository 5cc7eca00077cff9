/* params/emit.c: a resolved parameter set written back as YAML (stored in
 * every output file, so that a run can be repeated from its file alone), the
 * same with each key's documentation as comments (what `ipsim calibrate`
 * writes), and the Markdown parameter reference (docs/parameters.md), all
 * from the schema's rows. Declared in params/loader.h beside the reading. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/loader.h"
#include "params/psa.h"
#include "params/schema.h"

/* ---- emitting ------------------------------------------------------------ */

/* A value, or the distribution it was given as. */
static void emit_real(FILE *f, const ipsim_params *p, const ipsim_param_spec *spec, int element,
                      double v)
{
    char text[512];
    const ipsim_uncertain *u = ipsim_uncertain_find(p, (int)ipsim_param_spec_index(spec), element);
    /* psa.posterior's reference brings its columns back. */
    if (u && u->distribution != IPSIM_DIST_POSTERIOR)
        ipsim_uncertain_format(u, v, spec->labels, text, sizeof text);
    else
        ipsim_yaml_format_real(v, text, sizeof text);
    fputs(text, f);
}

/* A vector by label, or a matrix row starting at element_base as a list. */
static void emit_vector(FILE *f, const ipsim_params *p, const ipsim_param_spec *spec,
                        const double *v, int element_base, bool as_list)
{
    const ipsim_uncertain *u = ipsim_uncertain_find(p, (int)ipsim_param_spec_index(spec), element_base);
    if (u && u->distribution == IPSIM_DIST_DIRICHLET) {
        emit_real(f, p, spec, element_base, v[0]);
        return;
    }
    fputc(as_list ? '[' : '{', f);
    for (int i = 0; i < spec->length; i++) {
        fprintf(f, "%s", i ? ", " : "");
        if (!as_list)
            fprintf(f, "%s: ", spec->labels[i]);
        emit_real(f, p, spec, element_base + i, v[i]);
    }
    fputc(as_list ? ']' : '}', f);
}

static void emit_value(FILE *f, const ipsim_param_spec *spec, const ipsim_params *p,
                       const char *indent)
{
    /* The field at the spec's offsetof: aligned for its type by construction. */
    const void *src = (const char *)p + spec->offset;
    if (spec->shape == IPSIM_SHAPE_VECTOR) {
        emit_vector(f, p, spec, (const double *)src, 0, false);
        fputc('\n', f);
        return;
    }
    if (spec->shape == IPSIM_SHAPE_MATRIX) {
        const double *m = (const double *)src;
        fputc('\n', f);
        for (int i = 0; i < spec->length; i++) {
            fprintf(f, "%s  %s: ", indent, spec->labels[i]);
            emit_vector(f, p, spec, m + i * spec->length, i * spec->length, true);
            fputc('\n', f);
        }
        return;
    }
    switch (spec->type) {
    case IPSIM_PARAM_STRING: fprintf(f, "%s\n", (const char *)src); break;
    case IPSIM_PARAM_UINT64: fprintf(f, "%llu\n", (unsigned long long)*(const uint64_t *)src); break;
    case IPSIM_PARAM_INT: fprintf(f, "%lld\n", (long long)*(const int64_t *)src); break;
    case IPSIM_PARAM_REAL:
        emit_real(f, p, spec, 0, *(const double *)src);
        fputc('\n', f);
        break;
    case IPSIM_PARAM_BOOL: fprintf(f, "%s\n", *(const bool *)src ? "true" : "false"); break;
    case IPSIM_PARAM_CHOICE: fprintf(f, "%s\n", spec->choices[*(const int *)src]); break;
    case IPSIM_PARAM_POSTERIOR: {
        char ref[8192];
        ipsim_posterior_ref_format(src, ref, sizeof ref);
        fprintf(f, "%s\n", ref);
        break;
    }
    }
}

/* Writes text as YAML comment lines of at most about 96 columns. */
static void emit_comment(FILE *f, const char *indent, const char *text)
{
    const size_t width = 96 - strlen(indent) - 2;
    while (*text) {
        size_t len = strlen(text), cut = len;
        if (len > width) {
            cut = width;
            while (cut > 0 && text[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = width;
        }
        fprintf(f, "%s# %.*s\n", indent, (int)cut, text);
        text += cut;
        while (*text == ' ')
            text++;
    }
}

static int to_yaml(const ipsim_params *p, bool documented, char **text, ipsim_error *err)
{
    *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(text, &size);
    if (!f)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the parameter text");
    char section[IPSIM_KEY_MAX] = "";
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const ipsim_param_spec *spec = &ipsim_param_specs[i];
        const char *dot = strchr(spec->path, '.');
        if (!dot) {
            if (documented)
                emit_comment(f, "", spec->doc);
            fprintf(f, "%s: ", spec->path);
            emit_value(f, spec, p, "");
            continue;
        }
        size_t len = (size_t)(dot - spec->path);
        if (strlen(section) != len || strncmp(section, spec->path, len) != 0) {
            snprintf(section, sizeof section, "%.*s", (int)len, spec->path);
            fprintf(f, "%s%s:\n", documented ? "\n" : "", section);
        }
        if (documented)
            emit_comment(f, "  ", spec->doc);
        fprintf(f, "  %s: ", dot + 1);
        emit_value(f, spec, p, "  ");
    }
    /* Module-declared values (models/module.h), only when given, so that a
     * set without them reads as it always did. */
    if (p->module_value_count > 0)
        fprintf(f, "%smodules:\n", documented ? "\n" : "");
    for (int k = 0; k < p->module_value_count; k++) {
        const char *key = p->module_values[k].key;
        const int len = (int)(strchr(key, '.') - key + 1); /* "NAME." */
        bool seen = false;
        for (int j = 0; j < k && !seen; j++)
            seen = strncmp(p->module_values[j].key, key, (size_t)len) == 0;
        if (seen)
            continue;
        fprintf(f, "  %.*s:\n", len - 1, key);
        for (int j = k; j < p->module_value_count; j++)
            if (strncmp(p->module_values[j].key, key, (size_t)len) == 0)
                fprintf(f, "    %s: %.17g\n", p->module_values[j].key + len,
                        p->module_values[j].value);
    }
    if (fclose(f) != 0) {
        free(*text);
        *text = NULL;
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot write the parameter text");
    }
    return IPSIM_OK;
}

int ipsim_params_to_yaml(const ipsim_params *p, char **text, ipsim_error *err)
{
    return to_yaml(p, false, text, err);
}

int ipsim_params_to_documented_yaml(const ipsim_params *p, char **text, ipsim_error *err)
{
    return to_yaml(p, true, text, err);
}

/* ---- reference ------------------------------------------------------------ */

void ipsim_params_write_reference(FILE *out)
{
    fputs("# Parameter reference\n\n"
          "Generated by `ipsim params` from `params/schema.c`; a test keeps this file in step "
          "with the code, so do not edit it by hand.\n\n"
          "A parameter file is YAML: top-level `name` and `seed`, then one mapping per section. "
          "Any key can be overridden on the command line with `--set section.key=value` (the "
          "value in YAML syntax, e.g. `--set cohort.baseline_mix=[0.1,0.2,0.3,0.2,0.2]`). "
          "Per-grade (and per-phase) values are given as a list of all of them in order "
          "(none, mild, moderate, severe, very_severe), or as a mapping by name of those that "
          "change: the others keep the value of the defaults, the `base:` file or an earlier "
          "`--set`. One entry may also be named by its path, in a file, in `--set "
          "infection.serious_share.severe=0.4` and in a sweep (a matrix entry: "
          "`grades.transition_matrix.mild.moderate`). Shares marked *sums to 1* must sum to 1 "
          "within 1e-6 once the file, its bases and every `--set` are applied (a change that "
          "leaves the sum off is refused, never rescaled). Unknown keys are errors.\n\n"
          "Any real-valued key, or one entry of a per-grade list, may instead be a "
          "distribution for probabilistic sensitivity analysis, e.g. `{distribution: gamma, "
          "mean: 50, se: 5}`; shares that sum to 1 take a Dirichlet, e.g. `{distribution: "
          "dirichlet, alpha: [70, 25, 5]}`. docs/psa.md lists the forms.\n",
          out);
    char section[IPSIM_KEY_MAX] = "(none)";
    for (size_t i = 0; i < ipsim_param_spec_count; i++) {
        const ipsim_param_spec *spec = &ipsim_param_specs[i];
        const char *dot = strchr(spec->path, '.');
        char this_section[IPSIM_KEY_MAX];
        snprintf(this_section, sizeof this_section, "%.*s",
                 dot ? (int)(dot - spec->path) : 0, spec->path);
        if (strcmp(this_section, section) != 0) {
            snprintf(section, sizeof section, "%s", this_section);
            fprintf(out, "\n## %s\n\n| key | default | unit | allowed | meaning |\n"
                         "|---|---|---|---|---|\n",
                    *section ? section : "top level");
        }
        char allowed[256] = "";
        switch (spec->type) {
        case IPSIM_PARAM_STRING: snprintf(allowed, sizeof allowed, "name"); break;
        case IPSIM_PARAM_POSTERIOR: snprintf(allowed, sizeof allowed, "a CSV file, or ''"); break;
        case IPSIM_PARAM_UINT64: snprintf(allowed, sizeof allowed, "0 to 2^64-1"); break;
        case IPSIM_PARAM_BOOL: snprintf(allowed, sizeof allowed, "true, false"); break;
        case IPSIM_PARAM_CHOICE: {
            size_t n = 0;
            for (int c = 0; spec->choices[c]; c++) {
                int w = snprintf(allowed + n, sizeof allowed - n, "%s`%s`", c ? ", " : "",
                                 spec->choices[c]);
                n += w > 0 ? (size_t)w : 0;
            }
            break;
        }
        case IPSIM_PARAM_INT:
        case IPSIM_PARAM_REAL: ipsim_param_spec_range(spec, allowed, sizeof allowed); break;
        }
        if (spec->shape != IPSIM_SHAPE_SCALAR)
            strncat(allowed, " each", sizeof allowed - strlen(allowed) - 1);
        if (spec->check == IPSIM_CHECK_SUM_TO_ONE)
            strncat(allowed, "; sums to 1", sizeof allowed - strlen(allowed) - 1);
        if (spec->check == IPSIM_CHECK_ROWS_SUM_TO_ONE)
            strncat(allowed, "; each row sums to 1", sizeof allowed - strlen(allowed) - 1);
        fprintf(out, "| `%s` | `%s` | %s | %s | %s |\n", dot ? dot + 1 : spec->path,
                spec->default_yaml, spec->unit, allowed, spec->doc);
    }
}
