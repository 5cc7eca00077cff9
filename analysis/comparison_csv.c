/* analysis/comparison_csv.c: a study's comparison as CSV tables
 * (docs/output-format.md, "CSV tables"): one job apart from computing and
 * printing it (analysis/comparison.c). */
#define _POSIX_C_SOURCE 200809L
#include "analysis/comparison.h"

#include <math.h>
#include <stdio.h>

#include "output/csv.h"

int ipsim_comparison_csv(const ipsim_comparison *c, const double *report_wtp, int report_count,
                         ipsim_csv_set *set, ipsim_error *err)
{
    char *text;
    size_t size;
    FILE *f;
    int rc = ipsim_csv_open(&f, &text, &size, "comparison.csv", err);
    if (rc)
        return rc;
    const int S = c->count;
    fprintf(f, "scenario,source,patients,infections_per_100py,serious_per_100py,deaths_per_100py,"
               "ivig_grams_per_100py,died_pct,infection_deaths_pct,on_ivig_pct");
    for (int o = 0; o < IPSIM_OUTCOMES; o++)
        fprintf(f, ",%s,%s_se", ipsim_outcome_keys[o], ipsim_outcome_keys[o]);
    for (int o = 0; o < IPSIM_OUTCOMES; o++)
        fprintf(f, ",diff_%s,diff_%s_se,diff_%s_se_independent", ipsim_outcome_keys[o],
                ipsim_outcome_keys[o], ipsim_outcome_keys[o]);
    fprintf(f, ",pairing,cost_low,cost_high,qalys_low,qalys_high,status,compared_with,"
               "incremental_cost,incremental_qalys,icer\n");
    for (int s = 0; s < S; s++) {
        const ipsim_scenario_result *r = &c->scenarios[s];
        ipsim_csv_text(f, false, r->name);
        ipsim_csv_text(f, true, r->source);
        fprintf(f, ",%lld", (long long)r->patients);
        const double figures[] = {r->infections_per_100py, r->serious_per_100py,
                                  r->deaths_per_100py,     r->ivig_grams_per_100py,
                                  r->died_pct,             r->infection_deaths_pct,
                                  r->on_ivig_pct};
        for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
            ipsim_csv_number(f, figures[k]);
        for (int o = 0; o < IPSIM_OUTCOMES; o++) {
            ipsim_csv_number(f, r->mean[o]);
            ipsim_csv_number(f, r->se[o]);
        }
        for (int o = 0; o < IPSIM_OUTCOMES; o++) {
            ipsim_csv_number(f, r->difference[o]);
            ipsim_csv_number(f, r->difference_se[o]);
            ipsim_csv_number(f, r->difference_se_independent[o]);
        }
        fprintf(f, ",%s", s == 0 ? "reference" : !r->paired ? "independent"
                                                : c->psa   ? "paired_by_draw"
                                                           : "paired_by_patient");
        ipsim_csv_number(f, r->cost_interval[0]);
        ipsim_csv_number(f, r->cost_interval[1]);
        ipsim_csv_number(f, r->qalys_interval[0]);
        ipsim_csv_number(f, r->qalys_interval[1]);
        const ipsim_incremental *inc = &r->incremental;
        fprintf(f, ",%s", ipsim_dominance_names[inc->status]);
        ipsim_csv_text(f, true, inc->compared_to >= 0 ? c->scenarios[inc->compared_to].name : "");
        ipsim_csv_number(f, inc->d_cost);
        ipsim_csv_number(f, inc->d_effect);
        ipsim_csv_number(f, inc->icer);
        fputc('\n', f);
    }
    rc = ipsim_csv_set_add(set, "comparison.csv", &text, &size, f, err);
    if (rc)
        return rc;

    if (ipsim_csv_open(&f, &text, &size, "wtp.csv", err))
        return IPSIM_ENOMEM;
    fprintf(f, "wtp,best_expected_nmb");
    if (c->psa)
        fprintf(f, ",ceaf_probability,evpi");
    /* Per scenario: the first two, and with PSA all five. */
    static const char *const per_scenario[] = {"nmb_", "nhb_", "ceac_", "incremental_ceac_",
                                               "expected_loss_"};
    for (int s = 0; s < S; s++)
        for (int k = 0; k < (c->psa ? 5 : 2); k++)
            ipsim_csv_textf(f, true, "%s%s", per_scenario[k], c->scenarios[s].name);
    fputc('\n', f);
    for (int w = 0; w < c->wtp_count; w++) {
        fprintf(f, "%.10g", c->wtp[w]);
        ipsim_csv_text(f, true, c->scenarios[c->best[w]].name);
        if (c->psa) {
            ipsim_csv_number(f, c->ceaf[w]);
            ipsim_csv_number(f, c->evpi[w]);
        }
        for (int s = 0; s < S; s++) {
            ipsim_csv_number(f, c->nmb[w * S + s]);
            ipsim_csv_number(f, c->nhb[w * S + s]);
            if (c->psa) {
                ipsim_csv_number(f, c->ceac[w * S + s]);
                ipsim_csv_number(f, c->incremental_ceac[w * S + s]);
                ipsim_csv_number(f, c->expected_loss[w * S + s]);
            }
        }
        fputc('\n', f);
    }
    rc = ipsim_csv_set_add(set, "wtp.csv", &text, &size, f, err);
    if (!rc && c->subgroups && c->count > 1)
        rc = ipsim_subgroups_csv(c->subgroups, report_wtp, report_count, set, err);
    if (rc || !c->psa)
        return rc;

    if (ipsim_csv_open(&f, &text, &size, "psa.csv", err))
        return IPSIM_ENOMEM;
    fprintf(f, "replicate");
    for (int i = 0; i < c->parameters; i++)
        ipsim_csv_text(f, true, c->parameter_names[i]);
    for (int s = 0; s < S; s++) {
        ipsim_csv_textf(f, true, "cost_%s", c->scenarios[s].name);
        ipsim_csv_textf(f, true, "qalys_%s", c->scenarios[s].name);
    }
    fputc('\n', f);
    for (int64_t r = 0; r < c->replicates; r++) {
        fprintf(f, "%lld", (long long)r);
        for (int i = 0; i < c->parameters; i++)
            ipsim_csv_number(f, c->draws[r * c->parameters + i]);
        for (int s = 0; s < S; s++) {
            ipsim_csv_number(f, c->replicate_cost[r * S + s]);
            ipsim_csv_number(f, c->replicate_qalys[r * S + s]);
        }
        fputc('\n', f);
    }
    return ipsim_csv_set_add(set, "psa.csv", &text, &size, f, err);
}

/* ---- HDF5 -------------------------------------------------------------------------------- */
