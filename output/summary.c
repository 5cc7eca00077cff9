/* output/summary.c: integer tallies and the printed summary. */
#include "output/summary.h"

#include <math.h>

#include "output/intervals.h"
#include <stdlib.h>
#include <string.h>

int ipsim_summary_create_for(ipsim_summary **out, int64_t months, int64_t cycle_months,
                             int64_t window_months, ipsim_error *err)
{
    *out = NULL;
    ipsim_summary *s = calloc(1, sizeof *s);
    if (!s)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the run summary");
    s->months = months;
    s->cycle_months = cycle_months;
    s->window_months = window_months;
    s->occupancy = calloc((size_t)s->months * IPSIM_STATES, sizeof *s->occupancy);
    s->on_ivig = calloc((size_t)s->months, sizeof *s->on_ivig);
    if (!s->occupancy || !s->on_ivig) {
        free(s->occupancy);
        free(s->on_ivig);
        free(s);
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the run summary");
    }
    *out = s;
    return IPSIM_OK;
}

int ipsim_summary_create(ipsim_summary **out, const ipsim_params *p, ipsim_error *err)
{
    return ipsim_summary_create_for(out, ipsim_params_cycles(p) + 1, p->cohort.cycle_months,
                                    p->infection.window_months, err);
}

int ipsim_summary_create_like(ipsim_summary **out, const ipsim_summary *like, ipsim_error *err)
{
    return ipsim_summary_create_for(out, like->months, like->cycle_months, like->window_months,
                                    err);
}

void ipsim_summary_free(ipsim_summary *s)
{
    if (!s)
        return;
    free(s->occupancy);
    free(s->on_ivig);
    free(s);
}

void ipsim_summary_reset(ipsim_summary *s)
{
    int64_t *occupancy = s->occupancy, *on_ivig = s->on_ivig;
    memset(occupancy, 0, (size_t)s->months * IPSIM_STATES * sizeof *occupancy);
    memset(on_ivig, 0, (size_t)s->months * sizeof *on_ivig);
    int64_t months = s->months, cycle = s->cycle_months, window = s->window_months;
    memset(s, 0, sizeof *s);
    s->occupancy = occupancy;
    s->on_ivig = on_ivig;
    s->months = months;
    s->cycle_months = cycle;
    s->window_months = window;
}

void ipsim_summary_add_patient(ipsim_summary *s, const ipsim_patient_rows *rows,
                               const ipsim_patient_record *record)
{
    s->patients++;
    int64_t *occ = s->occupancy;
    const uint8_t *grade_row = rows->grade;
    for (int64_t m = 0; m < s->months; m++)
        occ[m * IPSIM_STATES + grade_row[m]]++;
    if (record->ivig_months > 0)
        for (int64_t m = 0; m < s->months; m++)
            s->on_ivig[m] += rows->ivig[m];
    int g0 = record->baseline_grade;
    s->patients_by_baseline[g0]++;
    if (record->first_infection_month >= 0 && record->first_infection_month < s->window_months)
        s->infected_in_window_by_baseline[g0]++;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
            s->episodes[g][t] += record->episodes[g][t];
        s->serious[g] += record->serious[g];
    }
    s->deaths[record->death_cause]++;
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
        s->prevented[t] += record->prevented[t];
    s->vaccine_doses += record->vaccine_doses;
    if (record->ivig_months > 0) {
        s->ivig_patients++;
        s->ivig_patient_months += record->ivig_months;
        s->ivig_milligrams += llround(record->ivig_grams * 1000.0);
    }
}

int64_t ipsim_summary_person_months(const ipsim_summary *s, int grade)
{
    /* The last row is the horizon, which starts no cycle. */
    int64_t cycles = 0;
    for (int64_t m = 0; m + 1 < s->months; m++)
        cycles += s->occupancy[m * IPSIM_STATES + grade];
    return cycles * s->cycle_months;
}

void ipsim_summary_merge(ipsim_summary *dst, const ipsim_summary *src)
{
    dst->patients += src->patients;
    for (int64_t i = 0; i < dst->months * IPSIM_STATES; i++)
        dst->occupancy[i] += src->occupancy[i];
    for (int64_t i = 0; i < dst->months; i++)
        dst->on_ivig[i] += src->on_ivig[i];
    for (int g = 0; g < IPSIM_GRADES; g++) {
        dst->patients_by_baseline[g] += src->patients_by_baseline[g];
        dst->infected_in_window_by_baseline[g] += src->infected_in_window_by_baseline[g];
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
            dst->episodes[g][t] += src->episodes[g][t];
        dst->serious[g] += src->serious[g];
    }
    for (int c = 0; c < IPSIM_DEATH_CAUSES; c++)
        dst->deaths[c] += src->deaths[c];
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
        dst->prevented[t] += src->prevented[t];
    dst->vaccine_doses += src->vaccine_doses;
    dst->ivig_patients += src->ivig_patients;
    dst->ivig_patient_months += src->ivig_patient_months;
    dst->ivig_milligrams += src->ivig_milligrams;
}

int64_t ipsim_summary_window_share(const ipsim_summary *s, int grade, double *share,
                                   double *low, double *high)
{
    int64_t k = 0, n = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        if (grade >= 0 && g != grade)
            continue;
        k += s->infected_in_window_by_baseline[g];
        n += s->patients_by_baseline[g];
    }
    *share = n ? (double)k / (double)n : NAN;
    ipsim_interval_share(k, n, low, high);
    return n;
}

/* Episodes (or serious ones) that began in a grade. */
static int64_t episodes_in(const ipsim_summary *s, int grade, int serious)
{
    if (serious)
        return s->serious[grade];
    int64_t k = 0;
    for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
        k += s->episodes[grade][t];
    return k;
}

int64_t ipsim_summary_episode_rate(const ipsim_summary *s, int grade, int serious, double *rate,
                                   double *low, double *high)
{
    int64_t k = 0, months = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        if (grade >= 0 && g != grade)
            continue;
        months += ipsim_summary_person_months(s, g);
        k += episodes_in(s, g, serious);
    }
    double per_100_years = months ? 1200.0 / (double)months : NAN;
    *rate = (double)k * per_100_years;
    ipsim_interval_count(k, low, high);
    *low *= per_100_years;
    *high *= per_100_years;
    return k;
}

void ipsim_summary_severe_to_mild(const ipsim_summary *s, int serious, double *ratio,
                                  double *low, double *high)
{
    int64_t k1 = episodes_in(s, IPSIM_GRADE_SEVERE, serious) +
                 episodes_in(s, IPSIM_GRADE_VERY_SEVERE, serious);
    double t1 = (double)(ipsim_summary_person_months(s, IPSIM_GRADE_SEVERE) +
                         ipsim_summary_person_months(s, IPSIM_GRADE_VERY_SEVERE));
    int64_t k0 = episodes_in(s, IPSIM_GRADE_MILD, serious);
    double t0 = (double)ipsim_summary_person_months(s, IPSIM_GRADE_MILD);
    ipsim_interval_rate_ratio(k1, t1, k0, t0, ratio, low, high);
}

void ipsim_summary_print_scenario(FILE *out, const ipsim_params *p)
{
    fprintf(out, "scenario '%s', %lld patients x %lld replicate%s x %lld months (%lld-month "
                 "cycles), seed %llu",
            p->name, (long long)p->cohort.patients, (long long)p->cohort.replicates,
            p->cohort.replicates == 1 ? "" : "s", (long long)p->cohort.horizon_months,
            (long long)p->cohort.cycle_months, (unsigned long long)p->seed);
}

void ipsim_summary_print(FILE *out, const ipsim_summary *s, const ipsim_params *p)
{
    int64_t n = s->patients;
    fprintf(out, "\nGrade occupancy (%% of patients)\n  %6s", "month");
    for (int st = 0; st < IPSIM_STATES; st++)
        fprintf(out, " %11s", ipsim_state_names[st]);
    fputc('\n', out);
    const int64_t wanted[] = {0, 3, 6, 12, 24, 36, 60, 120, 240, 600, 1200};
    int64_t horizon = (s->months - 1) * s->cycle_months;
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        int64_t month = wanted[i];
        if (month > horizon || month % s->cycle_months)
            continue;
        int64_t row = month / s->cycle_months;
        fprintf(out, "  %6lld", (long long)month);
        for (int st = 0; st < IPSIM_STATES; st++)
            fprintf(out, " %10.1f%%",
                    100.0 * (double)s->occupancy[row * IPSIM_STATES + st] / (double)n);
        fputc('\n', out);
    }
    if (horizon % 12 != 0 || horizon > 1200) {
        fprintf(out, "  %6lld", (long long)horizon);
        for (int st = 0; st < IPSIM_STATES; st++)
            fprintf(out, " %10.1f%%",
                    100.0 * (double)s->occupancy[(s->months - 1) * IPSIM_STATES + st] /
                        (double)n);
        fputc('\n', out);
    }

    fprintf(out, "\nShare with >= 1 infection within %lld months, by grade at diagnosis\n",
            (long long)s->window_months);
    fprintf(out, "  %-12s %8s %10s   %-17s %s\n", "grade", "patients", "share", "95% interval",
            "parameter");
    for (int g = -1; g < IPSIM_GRADES; g++) {
        double share, low, high;
        int64_t count = ipsim_summary_window_share(s, g, &share, &low, &high);
        if (count == 0) {
            fprintf(out, "  %-12s %8lld %10s\n", g < 0 ? "all" : ipsim_state_names[g], 0LL,
                    "-");
            continue;
        }
        fprintf(out, "  %-12s %8lld %9.1f%%   %5.1f%% - %5.1f%%", g < 0 ? "all" : ipsim_state_names[g],
                (long long)count, 100 * share, 100 * low, 100 * high);
        if (g >= 0)
            fprintf(out, "   %.1f%%", 100 * p->infection.share_within_window[g]);
        fputc('\n', out);
    }
    fputs("  (Grades change during follow-up, so a baseline grade's share differs from its "
          "parameter.)\n",
          out);

    int64_t episodes = 0, by_type[IPSIM_INFECTION_TYPES] = {0}, serious = 0, months = 0;
    for (int g = 0; g < IPSIM_GRADES; g++) {
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++) {
            episodes += s->episodes[g][t];
            by_type[t] += s->episodes[g][t];
        }
        serious += s->serious[g];
        months += ipsim_summary_person_months(s, g);
    }
    fprintf(out, "\nInfection episodes: %lld (%.1f per 100 patient-years), %lld serious\n",
            (long long)episodes, months ? 1200.0 * (double)episodes / (double)months : 0.0,
            (long long)serious);
    if (episodes) {
        fputs("  by type:", out);
        for (int t = 0; t < IPSIM_INFECTION_TYPES; t++)
            fprintf(out, " %s %.1f%%", ipsim_infection_type_names[t],
                    100.0 * (double)by_type[t] / (double)episodes);
        fputc('\n', out);
    }
    fputs("\nInfection episodes per 100 patient-years, by grade at onset (95% interval)\n", out);
    fprintf(out, "  %-12s %12s   %-26s %-26s\n", "grade", "patient-yrs", "all episodes",
            "serious episodes");
    for (int g = 0; g <= IPSIM_GRADES; g++) {
        int grade = g < IPSIM_GRADES ? g : -1;
        double years = 0;
        for (int h = 0; h < IPSIM_GRADES; h++)
            if (grade < 0 || h == grade)
                years += (double)ipsim_summary_person_months(s, h) / 12.0;
        if (years <= 0)
            continue;
        double r, lo, hi, rs, los, his;
        ipsim_summary_episode_rate(s, grade, 0, &r, &lo, &hi);
        ipsim_summary_episode_rate(s, grade, 1, &rs, &los, &his);
        fprintf(out, "  %-12s %12.0f   %6.1f (%5.1f - %5.1f)      %6.1f (%5.1f - %5.1f)\n",
                grade < 0 ? "all" : ipsim_state_names[grade], years, r, lo, hi, rs, los, his);
    }
    double all, all_low, all_high, grave, grave_low, grave_high;
    ipsim_summary_severe_to_mild(s, 0, &all, &all_low, &all_high);
    ipsim_summary_severe_to_mild(s, 1, &grave, &grave_low, &grave_high);
    fprintf(out, "  severe or worse vs mild: all episodes %.2fx (%.2f - %.2f), serious %.2fx "
                 "(%.2f - %.2f); review: serious 3.2x\n",
            all, all_low, all_high, grave, grave_low, grave_high);

    if (p->vaccination.influenza_coverage > 0 || p->vaccination.pneumococcal_coverage > 0)
        fprintf(out,
                "Vaccination: %lld doses; episodes prevented: bacterial %lld, viral %lld "
                "(%.1f per 100 patient-years)\n",
                (long long)s->vaccine_doses, (long long)s->prevented[IPSIM_INFECTION_BACTERIAL],
                (long long)s->prevented[IPSIM_INFECTION_VIRAL],
                months ? 1200.0 *
                             (double)(s->prevented[0] + s->prevented[1] + s->prevented[2]) /
                             (double)months
                       : 0.0);
    if (p->ivig.policy != IPSIM_IVIG_NONE) {
        double years = (double)months / 12.0;
        fprintf(out,
                "IVIG (policy %s): %lld patients (%.1f%%), %.1f%% of patient-months, %.0f g "
                "per 100 patient-years\n",
                p->ivig.policy == IPSIM_IVIG_GRADE        ? "grade"
                : p->ivig.policy == IPSIM_IVIG_INFECTIONS ? "infections"
                                                          : "grade_or_infections",
                (long long)s->ivig_patients, n ? 100.0 * (double)s->ivig_patients / (double)n : 0,
                months ? 100.0 * (double)s->ivig_patient_months / (double)months : 0.0,
                years > 0 ? (double)s->ivig_milligrams / 1000.0 / years * 100.0 : 0.0);
    }
    int64_t dead = s->deaths[IPSIM_DEATH_BACKGROUND] + s->deaths[IPSIM_DEATH_INFECTION];
    fprintf(out, "Deaths by month %lld: %lld of %lld patients (%.1f%%); %lld after a serious "
                 "infection\n",
            (long long)horizon, (long long)dead, (long long)n,
            n ? 100.0 * (double)dead / (double)n : 0.0,
            (long long)s->deaths[IPSIM_DEATH_INFECTION]);
}
