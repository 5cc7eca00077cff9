/* params/sensitivity.c: the inputs and ranges of params/sensitivity.h. */
#include "params/sensitivity.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/psa.h"
#include "params/schema.h"

const char *const ipsim_range_source_names[] = {"distribution", "posterior", "given"};

static double *field_of(ipsim_params *p, int spec)
{
    return (double *)((char *)p + ipsim_param_specs[spec].offset);
}

static double value_of(const ipsim_params *p, int spec, int element)
{
    return ((const double *)((const char *)p + ipsim_param_specs[spec].offset))[element];
}

/* Quantile q of a scalar distribution, or of share k of a Dirichlet. */
static double distribution_quantile(const ipsim_uncertain *u, int k, double q)
{
    switch ((ipsim_distribution)u->distribution) {
    case IPSIM_DIST_BETA: return gsl_cdf_beta_Pinv(q, u->a, u->b);
    case IPSIM_DIST_GAMMA: return gsl_cdf_gamma_Pinv(q, u->a, u->b);
    case IPSIM_DIST_LOGNORMAL: return exp(u->a + u->b * gsl_cdf_ugaussian_Pinv(q));
    case IPSIM_DIST_NORMAL: return u->a + u->b * gsl_cdf_ugaussian_Pinv(q);
    case IPSIM_DIST_UNIFORM: return u->a + (u->b - u->a) * q;
    case IPSIM_DIST_DIRICHLET: {
        double sum = 0;
        for (int j = 0; j < u->count; j++)
            sum += u->alpha[j];
        return gsl_cdf_beta_Pinv(q, u->alpha[k], sum - u->alpha[k]);
    }
    case IPSIM_DIST_POSTERIOR: break;
    }
    return NAN;
}

/* The low and high quantiles of column `column` of the posterior file. */
static int posterior_range(const ipsim_posterior_file *f, int column, double *low, double *high,
                           ipsim_error *err)
{
    const int rows = f->ref.rows;
    double *v = malloc((size_t)rows * sizeof *v);
    if (!v)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a posterior column");
    for (int r = 0; r < rows; r++)
        v[r] = f->values[(size_t)r * (size_t)f->ref.columns + (size_t)column];
    gsl_sort(v, 1, (size_t)rows);
    *low = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)rows, IPSIM_RANGE_LOW_QUANTILE);
    *high = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)rows, IPSIM_RANGE_HIGH_QUANTILE);
    free(v);
    return IPSIM_OK;
}

/* Fills `in` for drawn value i of p. */
static int input_of_draw(const ipsim_params *p, const ipsim_posterior_file *posterior, int i,
                         ipsim_sensitivity_input *in, ipsim_error *err)
{
    int k;
    const ipsim_uncertain *u = ipsim_psa_entry(p, i, &k);
    if (!u)
        return IPSIM_FAIL(err, IPSIM_EINTERNAL, "no uncertain value %d", i);
    *in = (ipsim_sensitivity_input){.spec = u->spec, .element = u->element + k};
    ipsim_psa_name(p, i, in->name, sizeof in->name);
    in->base = value_of(p, u->spec, u->element + k);
    if (u->distribution == IPSIM_DIST_POSTERIOR) {
        if (!posterior || !ipsim_posterior_same(&posterior->ref, &p->psa.posterior))
            return IPSIM_FAIL(err, IPSIM_EINTERNAL, "psa.posterior's file was not opened");
        in->source = IPSIM_RANGE_POSTERIOR;
        return posterior_range(posterior, (int)u->a, &in->low, &in->high, err);
    }
    in->source = IPSIM_RANGE_DISTRIBUTION;
    in->low = distribution_quantile(u, k, IPSIM_RANGE_LOW_QUANTILE);
    in->high = distribution_quantile(u, k, IPSIM_RANGE_HIGH_QUANTILE);
    return IPSIM_OK;
}

int ipsim_sensitivity_inputs(const ipsim_params *p, const ipsim_posterior_file *posterior,
                             ipsim_sensitivity_input *out, ipsim_error *err)
{
    const int n = ipsim_psa_dimension(p);
    for (int i = 0; i < n; i++) {
        int rc = input_of_draw(p, posterior, i, &out[i], err);
        if (rc)
            return rc;
    }
    return IPSIM_OK;
}

int ipsim_sensitivity_find(const ipsim_params *p, const ipsim_posterior_file *posterior,
                           const char *name, ipsim_sensitivity_input *out, ipsim_error *err)
{
    const int n = ipsim_psa_dimension(p);
    for (int i = 0; i < n; i++) {
        char drawn[IPSIM_KEY_MAX];
        ipsim_psa_name(p, i, drawn, sizeof drawn);
        if (strcmp(drawn, name) == 0)
            return input_of_draw(p, posterior, i, out, err);
    }
    int32_t spec, element;
    if (ipsim_psa_find_element(name, &spec, &element) != 0) {
        const char *near = ipsim_param_spec_nearest(name);
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "'%s' is not a real parameter or element that a sensitivity analysis "
                          "can vary%s%s%s",
                          name, near ? "; did you mean '" : "", near ? near : "",
                          near ? "'?" : "");
    }
    *out = (ipsim_sensitivity_input){.spec = spec, .element = element, .source = IPSIM_RANGE_GIVEN};
    snprintf(out->name, sizeof out->name, "%s", name);
    out->base = out->low = out->high = value_of(p, spec, element);
    return IPSIM_OK;
}

int ipsim_sensitivity_parse_range(const char *text, char *key, size_t size, double *low,
                                  double *high, ipsim_error *err)
{
    const char *eq = strchr(text, '=');
    const char *colon = eq ? strchr(eq, ':') : NULL;
    char *end1 = NULL, *end2 = NULL;
    if (eq && colon && eq > text && (size_t)(eq - text) < size) {
        *low = strtod(eq + 1, &end1);
        *high = strtod(colon + 1, &end2);
    }
    if (!end1 || end1 != colon || !end2 || *end2 != '\0' || colon[1] == '\0' ||
        !isfinite(*low) || !isfinite(*high) || !(*low < *high))
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "--range '%s': give KEY=LOW:HIGH with LOW below HIGH, e.g. "
                          "economics.ivig_price_per_gram=10:60",
                          text);
    memcpy(key, text, (size_t)(eq - text));
    key[eq - text] = '\0';
    return IPSIM_OK;
}

int ipsim_sensitivity_set(ipsim_params *p, const ipsim_sensitivity_input *in, double value,
                          ipsim_error *err)
{
    const ipsim_param_spec *spec = &ipsim_param_specs[in->spec];
    if (!(value >= spec->min && value <= spec->max) || (spec->max_exclusive && value >= spec->max)) {
        char range[64];
        ipsim_param_spec_range(spec, range, sizeof range);
        IPSIM_FAIL(err, IPSIM_EPARAM, "%g is out of range: must be in %s", value, range);
        ipsim_error_locate(err, NULL, 0, 0, in->name);
        return IPSIM_EPARAM;
    }
    double *field = field_of(p, in->spec);
    /* The shares that must sum to one with this element: its vector, or
     * its matrix row. */
    int first = in->element, count = 1;
    if (spec->check == IPSIM_CHECK_SUM_TO_ONE) {
        first = 0;
        count = spec->length;
    } else if (spec->check == IPSIM_CHECK_ROWS_SUM_TO_ONE) {
        first = in->element - in->element % spec->length;
        count = spec->length;
    }
    if (count > 1) {
        double others = 0;
        for (int j = first; j < first + count; j++)
            if (j != in->element)
                others += field[j];
        if (others <= 0 && value < 1) {
            IPSIM_FAIL(err, IPSIM_EPARAM,
                       "cannot set this share to %g: the other shares of its vector are all 0, "
                       "so none can make up the rest",
                       value);
            ipsim_error_locate(err, NULL, 0, 0, in->name);
            return IPSIM_EPARAM;
        }
        for (int j = first; j < first + count; j++)
            if (j != in->element)
                field[j] = others > 0 ? field[j] * (1 - value) / others : 0;
    }
    field[in->element] = value;
    return IPSIM_OK;
}
