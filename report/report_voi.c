/* report/report_voi.c: the value-of-information analysis `ipsim voi` stored
 * under /voi (docs/output-format.md), read back for the report's tables:
 * EVPI, EVPPI of each parameter group and EVSI and expected net gain of
 * sampling of each study design, at the reported willingness-to-pay
 * values. A file without /voi simply has no such tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

/* Reads numeric dataset voi/NAME of `count` values into a new array. */
static int numbers(ipsim_h5_reader *r, const char *name, int64_t count, double **out,
                   ipsim_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "voi/%s", name);
    *out = malloc((size_t)(count > 0 ? count : 1) * sizeof **out);
    if (!*out)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    return count > 0 ? ipsim_h5_reader_read_root_table(r, path, count, *out, err) : IPSIM_OK;
}

/* As numbers, for a standard error: a bootstrap of none leaves SEs that are
 * not numbers, which the reader refuses; the table then shows none. */
static int optional_numbers(ipsim_h5_reader *r, const char *name, int64_t count, double **out,
                            ipsim_error *err)
{
    ipsim_error ignored;
    if (numbers(r, name, count, out, &ignored) == IPSIM_OK)
        return IPSIM_OK;
    if (!*out)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    for (int64_t i = 0; i < count; i++)
        (*out)[i] = NAN;
    return IPSIM_OK;
}

static int strings(ipsim_h5_reader *r, const char *name, int expected, char ***out,
                   ipsim_error *err)
{
    char path[64];
    int64_t n = 0;
    snprintf(path, sizeof path, "voi/%s", name);
    int rc = ipsim_h5_reader_read_root_strings(r, path, out, &n, err);
    if (!rc && n != expected)
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "%s: dataset '/%s' has %lld names, not %d",
                        ipsim_h5_reader_path(r), path, (long long)n, expected);
    return rc;
}

int ipsim_report_voi_read(ipsim_report_voi *v, ipsim_h5_reader *r, ipsim_error *err)
{
    int64_t w = ipsim_h5_reader_root_size(r, "voi/report_wtp");
    if (w <= 0)
        return IPSIM_OK; /* no /voi: no tables */
    if (w > IPSIM_WTP_REPORT_MAX)
        return IPSIM_FAIL(err, IPSIM_EFORMAT, "%s: /voi/report_wtp has %lld values, over %d",
                          ipsim_h5_reader_path(r), (long long)w, IPSIM_WTP_REPORT_MAX);
    v->present = true;
    v->report_count = (int)w;
    int64_t g = ipsim_h5_reader_root_size(r, "voi/group");
    int64_t d = ipsim_h5_reader_root_size(r, "voi/design");
    v->groups = g > 0 ? (int)g : 0;
    v->designs = d > 0 ? (int)d : 0;
    int rc = ipsim_h5_reader_read_root_table(r, "voi/report_wtp", w, v->report_wtp, err);
    if (!rc)
        rc = ipsim_h5_reader_read_root_table(r, "voi/evpi_report", w, v->evpi, err);
    double *se = NULL;
    if (!rc)
        rc = optional_numbers(r, "evpi_se", w, &se, err);
    if (!rc)
        memcpy(v->evpi_se, se, (size_t)w * sizeof *se);
    free(se);
    char *population = ipsim_h5_reader_root_attribute(r, "voi", "population");
    v->population = population ? strtod(population, NULL) : 0;
    free(population);
    if (!rc && v->groups) {
        rc = strings(r, "group", v->groups, &v->group, err);
        if (!rc)
            rc = strings(r, "evppi_parameters", v->groups, &v->group_parameters, err);
        if (!rc)
            rc = numbers(r, "evppi_report", g * w, &v->evppi, err);
        if (!rc)
            rc = optional_numbers(r, "evppi_se", g * w, &v->evppi_se, err);
    }
    if (!rc && v->designs) {
        rc = strings(r, "design", v->designs, &v->design, err);
        if (!rc)
            rc = strings(r, "study", v->designs, &v->study, err);
        if (!rc)
            rc = numbers(r, "evsi_report", d * w, &v->evsi, err);
        if (!rc)
            rc = optional_numbers(r, "evsi_se", d * w, &v->evsi_se, err);
        if (!rc)
            rc = optional_numbers(r, "net_gain", d * w, &v->net_gain, err);
        if (!rc)
            rc = numbers(r, "sample_size", d, &v->sample_size, err);
        if (!rc)
            rc = numbers(r, "study_cost", d, &v->study_cost, err);
    }
    return rc;
}

void ipsim_report_voi_free(ipsim_report_voi *v)
{
    ipsim_h5_reader_free_strings(v->group, v->groups);
    ipsim_h5_reader_free_strings(v->group_parameters, v->groups);
    ipsim_h5_reader_free_strings(v->design, v->designs);
    ipsim_h5_reader_free_strings(v->study, v->designs);
    free(v->evppi);
    free(v->evppi_se);
    free(v->evsi);
    free(v->evsi_se);
    free(v->net_gain);
    free(v->sample_size);
    free(v->study_cost);
    *v = (ipsim_report_voi){0};
}
