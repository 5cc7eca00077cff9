/* sim/command_compare.c: `ipsim compare REFERENCE.h5 OTHER.h5... [--csv FILE]`. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/compare.h"
#include "output/h5_reader.h"
#include "output/incremental.h"
#include "output/intervals.h"
#include "output/summary.h"
#include "sim/atomic_file.h"
#include "sim/commands.h"

static const char usage[] = "usage: ipsim compare REFERENCE.h5 OTHER.h5... [--csv FILE]";

typedef struct scenario {
    const char *path;
    ipsim_h5_reader *reader;
    ipsim_summary *summary;
} scenario;

/* Per-scenario figures: rates per 100 patient-years lived, shares of patients. */
typedef struct figures {
    double infections, serious, death_rate, deaths, infection_deaths, on_ivig, ivig_grams;
} figures;

static figures figures_of(const ipsim_summary *s)
{
    figures f;
    double low, high;
    ipsim_summary_episode_rate(s, -1, 0, &f.infections, &low, &high);
    ipsim_summary_episode_rate(s, -1, 1, &f.serious, &low, &high);
    double n = (double)s->patients, years = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        years += (double)ipsim_summary_person_months(s, g) / 12.0;
    f.deaths = 100.0 * (double)(s->deaths[IPSIM_DEATH_BACKGROUND] +
                                s->deaths[IPSIM_DEATH_INFECTION]) / n;
    f.infection_deaths = 100.0 * (double)s->deaths[IPSIM_DEATH_INFECTION] / n;
    f.death_rate = years > 0 ? f.deaths / 100.0 * n / years * 100.0 : 0;
    f.on_ivig = 100.0 * (double)s->ivig_patients / n;
    f.ivig_grams = years > 0 ? (double)s->ivig_milligrams / 1000.0 / years * 100.0 : 0;
    return f;
}

/* Mean discounted costs and QALYs, the efficiency frontier and ICERs, and
 * net monetary benefit at NICE's thresholds (output/incremental.h). */
static void print_cost_effectiveness(const scenario *runs, int count)
{
    enum { MAX = 64 };
    if (count > MAX)
        return;
    double cost[MAX], qalys[MAX];
    for (int i = 0; i < count; i++) {
        double means[IPSIM_ECONOMIC_OUTCOMES];
        ipsim_summary_mean_economics(runs[i].summary, means);
        cost[i] = means[IPSIM_ECONOMIC_COST_DISCOUNTED];
        qalys[i] = means[IPSIM_ECONOMIC_QALYS_DISCOUNTED];
    }
    ipsim_incremental r[MAX];
    ipsim_incremental_analysis(cost, qalys, count, r);
    const ipsim_params *ref = ipsim_h5_reader_params(runs[0].reader);
    static const double wtp[2] = {20000, 30000};
    printf("\nCost-effectiveness per patient (%s, %lld prices; discounted), efficiency frontier\n",
           ref->economics.currency, (long long)ref->economics.price_year);
    printf("  %-26s %10s %8s  %-21s %-24s %10s %8s %12s %12s\n", "scenario", "cost", "QALYs",
           "status", "compared with", "d cost", "d QALYs", "ICER", "NMB at 20k");
    for (int i = 0; i < count; i++) {
        const ipsim_params *p = ipsim_h5_reader_params(runs[i].reader);
        char against[IPSIM_NAME_MAX] = "-", dc[24] = "-", de[24] = "-", icer[24] = "-";
        if (r[i].compared_to >= 0) {
            snprintf(against, sizeof against, "%s",
                     ipsim_h5_reader_params(runs[r[i].compared_to].reader)->name);
            snprintf(dc, sizeof dc, "%+.0f", r[i].d_cost);
            snprintf(de, sizeof de, "%+.4f", r[i].d_effect);
            snprintf(icer, sizeof icer, "%.0f", r[i].icer);
        }
        printf("  %-26s %10.0f %8.4f  %-21s %-24s %10s %8s %12s %12.0f\n", p->name, cost[i],
               qalys[i], ipsim_dominance_names[r[i].status], against, dc, de, icer,
               ipsim_net_monetary_benefit(cost[i], qalys[i], wtp[0]));
    }
    for (int k = 0; k < 2; k++) {
        int best = 0;
        for (int i = 1; i < count; i++)
            if (ipsim_net_monetary_benefit(cost[i], qalys[i], wtp[k]) >
                ipsim_net_monetary_benefit(cost[best], qalys[best], wtp[k]))
                best = i;
        printf("  At %.0f per QALY the highest net monetary benefit is '%s'.\n", wtp[k],
               ipsim_h5_reader_params(runs[best].reader)->name);
    }
}

int ipsim_command_compare(int argc, char **argv, const ipsim_command_context *ctx,
                          ipsim_error *err)
{
    (void)ctx;
    const char *csv_path = NULL;
    scenario *runs = calloc((size_t)argc + 1, sizeof *runs);
    if (!runs)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    int count = 0, rc = IPSIM_OK;
    FILE *csv = NULL; /* in memory, written to csv_path whole at the end */
    char *csv_text = NULL;
    size_t csv_size = 0;
    for (int i = 0; i < argc && !rc; i++) {
        if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv_path = argv[++i];
        else if (argv[i][0] == '-')
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", argv[i], usage);
        else
            runs[count++].path = argv[i];
    }
    if (!rc && count < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "compare needs two or more files; %s", usage);
    for (int i = 0; i < count && !rc; i++) {
        rc = ipsim_h5_reader_open(&runs[i].reader, runs[i].path, err);
        if (!rc)
            rc = ipsim_summary_create(&runs[i].summary, ipsim_h5_reader_params(runs[i].reader),
                                      err);
        if (!rc)
            rc = ipsim_h5_reader_read_summary(runs[i].reader, runs[i].summary, err);
    }
    if (!rc && csv_path && !(csv = open_memstream(&csv_text, &csv_size)))
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble '%s'", csv_path);
    if (rc)
        goto cleanup;

    const ipsim_params *ref = ipsim_h5_reader_params(runs[0].reader);
    printf("Scenarios: per 100 patient-years lived (infections, serious, deaths, IVIG grams), "
           "and %% of patients\n");
    printf("  %-26s %9s %11s %8s %7s %13s | %7s %10s %8s\n", "scenario", "patients",
           "infections", "serious", "deaths", "IVIG g", "died", "inf.deaths", "on IVIG");
    if (csv)
        fprintf(csv, "scenario,file,patients,infections_per_100py,serious_per_100py,"
                     "deaths_per_100py,ivig_grams_per_100py,deaths_pct,infection_deaths_pct,"
                     "ivig_pct");
    for (int o = 0; csv && o < IPSIM_OUTCOMES; o++)
        fprintf(csv, ",diff_%s,diff_%s_low,diff_%s_high", ipsim_outcome_keys[o],
                ipsim_outcome_keys[o], ipsim_outcome_keys[o]);
    if (csv)
        fprintf(csv, ",paired\n");
    for (int i = 0; i < count; i++) {
        figures f = figures_of(runs[i].summary);
        const ipsim_params *p = ipsim_h5_reader_params(runs[i].reader);
        printf("  %-26s %9lld %11.1f %8.1f %7.2f %13.0f | %6.1f%% %9.1f%% %7.1f%%\n", p->name,
               (long long)runs[i].summary->patients, f.infections, f.serious, f.death_rate,
               f.ivig_grams, f.deaths, f.infection_deaths, f.on_ivig);
    }

    printf("\nDifference from '%s', per patient over %lld months (95%% interval)\n", ref->name,
           (long long)ref->cohort.horizon_months);
    printf("  %-26s %-24s %-24s %-22s %-22s %s\n", "scenario", "infections", "serious",
           "deaths (per 100)", "IVIG grams", "pairing");
    for (int i = 0; i < count; i++) {
        ipsim_difference d[IPSIM_OUTCOMES];
        bool paired = false;
        figures f = figures_of(runs[i].summary);
        const ipsim_params *p = ipsim_h5_reader_params(runs[i].reader);
        if (csv)
            fprintf(csv, "%s,%s,%lld,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g", p->name, runs[i].path,
                    (long long)runs[i].summary->patients, f.infections, f.serious, f.death_rate,
                    f.ivig_grams, f.deaths, f.infection_deaths, f.on_ivig);
        if (i == 0) {
            if (csv) {
                for (int o = 0; o < IPSIM_OUTCOMES; o++)
                    fprintf(csv, ",0,0,0");
                fprintf(csv, ",reference\n");
            }
            continue;
        }
        rc = ipsim_compare_runs(runs[0].reader, runs[i].reader, d, &paired, err);
        if (rc)
            goto cleanup;
        double mean[IPSIM_OUTCOMES], se[IPSIM_OUTCOMES], se_ind[IPSIM_OUTCOMES];
        for (int o = 0; o < IPSIM_OUTCOMES; o++)
            ipsim_difference_estimate(&d[o], paired, &mean[o], &se[o], &se_ind[o]);
        char cell[4][64];
        const int shown[4] = {IPSIM_OUTCOME_INFECTIONS, IPSIM_OUTCOME_SERIOUS,
                              IPSIM_OUTCOME_DEATH, IPSIM_OUTCOME_IVIG_GRAMS};
        for (int k = 0; k < 4; k++) {
            int o = shown[k];
            double scale = o == IPSIM_OUTCOME_DEATH ? 100.0 : 1.0;
            snprintf(cell[k], sizeof cell[k], "%+.3g (%+.3g, %+.3g)", scale * mean[o],
                     scale * (mean[o] - IPSIM_Z95 * se[o]), scale * (mean[o] + IPSIM_Z95 * se[o]));
        }
        char pairing[96];
        if (paired && se[IPSIM_OUTCOME_INFECTIONS] > 0 && se[IPSIM_OUTCOME_COST] > 0 &&
            se[IPSIM_OUTCOME_QALYS] > 0)
            snprintf(pairing, sizeof pairing,
                     "paired (SE %.1fx smaller; cost %.1fx, QALYs %.1fx)",
                     se_ind[IPSIM_OUTCOME_INFECTIONS] / se[IPSIM_OUTCOME_INFECTIONS],
                     se_ind[IPSIM_OUTCOME_COST] / se[IPSIM_OUTCOME_COST],
                     se_ind[IPSIM_OUTCOME_QALYS] / se[IPSIM_OUTCOME_QALYS]);
        else
            snprintf(pairing, sizeof pairing, "%s", paired ? "paired" : "independent");
        printf("  %-26s %-24s %-24s %-22s %-22s %s\n", p->name, cell[0], cell[1], cell[2],
               cell[3], pairing);
        for (int o = 0; csv && o < IPSIM_OUTCOMES; o++)
            fprintf(csv, ",%.6g,%.6g,%.6g", mean[o], mean[o] - IPSIM_Z95 * se[o],
                    mean[o] + IPSIM_Z95 * se[o]);
        if (csv)
            fprintf(csv, ",%s\n", paired ? "paired" : "independent");
    }
    printf("  (Paired: same seed and cohort, so common random numbers; the SE ratio is against "
           "independent cohorts.)\n");
    print_cost_effectiveness(runs, count);

cleanup:
    /* A failed comparison leaves no CSV; a finished one appears whole. */
    if (csv && fclose(csv) != 0 && !rc)
        rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble '%s'", csv_path);
    if (csv && !rc)
        rc = ipsim_write_file_atomically(csv_path, csv_text, csv_size, err);
    free(csv_text);
    for (int i = 0; i < count; i++) {
        ipsim_summary_free(runs[i].summary);
        ipsim_h5_reader_close(runs[i].reader);
    }
    free(runs);
    return rc;
}
