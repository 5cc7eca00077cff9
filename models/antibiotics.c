/* models/antibiotics.c: antibiotic prophylaxis (models/antibiotics.h). */
#include "models/antibiotics.h"

#include <math.h>
#include <stdint.h>

#include "models/modules.h"

/* Adverse events counted in one cycle at most (the tail of a Poisson
 * count whose mean is at most 12, a rate of 1 a month over 12 months, is
 * negligible beyond). */
enum { EVENTS_MAX = 64 };

typedef struct antibiotics_tables {
    ipsim_antibiotic_schedule schedule;
    int64_t cycle_months;
    int64_t start_month;
    int64_t end_month;      /* primary: off from this month; INT64_MAX continuous */
    int64_t course_months;  /* secondary: a course's length; INT64_MAX continuous */
    double prevented[IPSIM_INFECTION_TYPES];
    double cost_per_cycle;
    double events_mean;     /* adverse events a cycle on drug, Poisson mean */
    double no_event;        /* exp(-events_mean) */
    double event_cost, event_qalys;
} antibiotics_tables;

typedef struct antibiotics_patient {
    int64_t until_month; /* secondary: on while the cycle starts before this */
    int32_t months;      /* on drug so far */
    int32_t events;      /* adverse events so far */
} antibiotics_patient;

_Static_assert(sizeof(antibiotics_tables) <= IPSIM_MODULE_TABLES_MAX,
               "the antibiotic tables outgrew the seam");
_Static_assert(sizeof(antibiotics_patient) <= IPSIM_MODULE_STATE_MAX,
               "the antibiotic state outgrew the seam");

/* The agent's parameters: where its values sit among the module's. */
typedef struct agent_keys {
    int bacterial, fungal, cost_per_month, event_rate, event_cost, event_qalys; /* -1: none */
} agent_keys;

static const agent_keys agents[] = {
    [IPSIM_ANTIBIOTIC_LEVOFLOXACIN] =
        {IPSIM_ANTIBIOTICS_LEVOFLOXACIN_BACTERIAL_PREVENTED, -1,
         IPSIM_ANTIBIOTICS_LEVOFLOXACIN_COST_PER_MONTH, IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_RATE,
         IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_COST, IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_QALYS},
    [IPSIM_ANTIBIOTIC_COTRIMOXAZOLE] =
        {IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_BACTERIAL_PREVENTED,
         IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_FUNGAL_PREVENTED,
         IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_COST_PER_MONTH,
         IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_RATE, IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_COST,
         IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_QALYS},
};

static int module_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                       ipsim_error *err)
{
    (void)err;
    antibiotics_tables *t = tables;
    const int agent = (int)values[IPSIM_ANTIBIOTICS_AGENT];
    *active = agent != IPSIM_ANTIBIOTIC_NONE;
    if (!*active)
        return IPSIM_OK;
    const agent_keys *k = &agents[agent];
    const int64_t months = (int64_t)p->cohort.cycle_months;
    const int64_t duration = (int64_t)values[IPSIM_ANTIBIOTICS_DURATION_MONTHS];
    t->schedule = (ipsim_antibiotic_schedule)values[IPSIM_ANTIBIOTICS_SCHEDULE];
    t->cycle_months = months;
    t->start_month = (int64_t)values[IPSIM_ANTIBIOTICS_START_MONTH];
    t->course_months = duration == 0 ? INT64_MAX : duration;
    t->end_month = duration == 0 ? INT64_MAX : t->start_month + duration;
    t->prevented[IPSIM_INFECTION_BACTERIAL] = values[k->bacterial];
    t->prevented[IPSIM_INFECTION_FUNGAL] = k->fungal < 0 ? 0 : values[k->fungal];
    t->cost_per_cycle = values[k->cost_per_month] * (double)months;
    t->events_mean = values[k->event_rate] * (double)months;
    t->no_event = exp(-t->events_mean);
    t->event_cost = values[k->event_cost];
    t->event_qalys = values[k->event_qalys];
    return IPSIM_OK;
}

static void module_start(const void *tables, void *state, const ipsim_module_patient *patient)
{
    (void)tables;
    (void)patient;
    ((antibiotics_patient *)state)->until_month = -1;
}

/* A Poisson count of mean m (e^-m given) by inversion of u. */
static int poisson_count(double m, double no_event, double u)
{
    double term = no_event, below = no_event;
    int k = 0;
    while (u >= below && k < EVENTS_MAX) {
        k++;
        term *= m / k;
        below += term;
    }
    return k;
}

void ipsim_antibiotics_module_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    const antibiotics_tables *t = tables;
    antibiotics_patient *s = state;
    const bool on = t->schedule == IPSIM_ANTIBIOTICS_PRIMARY
                        ? c->month >= t->start_month && c->month < t->end_month
                        : c->month < s->until_month;
    if (!on)
        return;
    c->on_antibiotics = true;
    for (int type = 0; type < IPSIM_INFECTION_TYPES; type++)
        c->prevented[type] = t->prevented[type];
    c->cost = t->cost_per_cycle;
    s->months += (int32_t)t->cycle_months;
    if (t->events_mean > 0) {
        double u[4];
        ipsim_rng_uniform4(c->patient->stream, c->patient->patient, (uint64_t)c->cycle,
                           (ipsim_purpose)IPSIM_PURPOSE_ANTIBIOTICS, 0, u);
        const int events = poisson_count(t->events_mean, t->no_event, u[0]);
        if (events > 0) {
            s->events += events;
            c->cost += events * t->event_cost;
            c->qaly_loss = events * t->event_qalys;
        }
    }
}

/* Secondary prophylaxis: a qualifying episode starts a course from the
 * next cycle. */
void ipsim_antibiotics_module_episodes(const void *tables, void *state,
                                       const ipsim_module_cycle *c, int episodes, int serious)
{
    const antibiotics_tables *t = tables;
    antibiotics_patient *s = state;
    const int qualifying = t->schedule == IPSIM_ANTIBIOTICS_AFTER_INFECTION ? episodes
                           : t->schedule == IPSIM_ANTIBIOTICS_AFTER_SERIOUS ? serious
                                                                             : 0;
    if (qualifying == 0 || c->month < t->start_month)
        return;
    const int64_t next = c->month + t->cycle_months;
    s->until_month = t->course_months == INT64_MAX ? INT64_MAX : next + t->course_months;
}

static void module_finish(const void *tables, const void *state, double *columns)
{
    (void)tables;
    const antibiotics_patient *s = state;
    columns[IPSIM_ANTIBIOTICS_COLUMN_MONTHS] = s->months;
    columns[IPSIM_ANTIBIOTICS_COLUMN_EVENTS] = s->events;
}

/* Defaults: docs/sources.md, "Antibiotic prophylaxis". */
static const ipsim_module_param module_params[IPSIM_ANTIBIOTICS_PARAMS] = {
    [IPSIM_ANTIBIOTICS_AGENT] =
        {.key = "agent", .default_value = 0, .min = 0, .max = 2, .integer = true,
         .unit = "code",
         .doc = "0: no prophylaxis (the module is off); 1: levofloxacin 500 mg once daily "
                "(TEAMM); 2: co-trimoxazole 960 mg once daily (RATIONAL). Chooses which of the "
                "levofloxacin_* and cotrimoxazole_* values apply."},
    [IPSIM_ANTIBIOTICS_SCHEDULE] =
        {.key = "schedule", .default_value = 0, .min = 0, .max = 2, .integer = true,
         .unit = "code",
         .doc = "0: primary, in the months [start_month, start_month + duration_months); 1: "
                "secondary, from the cycle after any episode (at or after start_month) for "
                "duration_months; 2: the same after a serious episode. A further qualifying "
                "episode starts the course again."},
    [IPSIM_ANTIBIOTICS_START_MONTH] =
        {.key = "start_month", .default_value = 0, .min = 0, .max = 1200, .integer = true,
         .unit = "months",
         .doc = "First month after diagnosis from which prophylaxis is given (TEAMM: within 14 "
                "days of starting myeloma treatment, taken as month 0)."},
    [IPSIM_ANTIBIOTICS_DURATION_MONTHS] =
        {.key = "duration_months", .default_value = 3, .min = 0, .max = 1200, .integer = true,
         .unit = "months",
         .doc = "Length of a course; 0: continuous, until death or the horizon. Default: "
                "TEAMM's 12 weeks, calc 84 / 30.44 = 2.8 months, rounded to 3 whole months. A "
                "cycle is on or off as a whole."},
    [IPSIM_ANTIBIOTICS_LEVOFLOXACIN_BACTERIAL_PREVENTED] =
        {.key = "levofloxacin_bacterial_prevented", .default_value = 0.521, .min = 0, .max = 1,
         .unit = "probability",
         .doc = "Probability that a bacterial episode is prevented while on levofloxacin (no "
                "effect on viral or fungal ones). Default: calc from TEAMM (Drayson et al., "
                "Lancet Oncol 2019;20:1760-72), febrile episode or death HR 0.66 (0.51-0.86), "
                "taken as the rate ratio of all episodes: with 65.3% of episodes bacterial "
                "(infection.type_share), (1 - 0.66) / 0.653 = 0.521 (CI 0.214-0.750)."},
    [IPSIM_ANTIBIOTICS_LEVOFLOXACIN_COST_PER_MONTH] =
        {.key = "levofloxacin_cost_per_month", .default_value = 10, .min = 0, .max = 1e6,
         .unit = "currency per month",
         .doc = "Drug cost of a month on levofloxacin 500 mg daily. Default: assumption, about "
                "30 generic tablets at GBP 0.30 (no Drug Tariff price could be checked)."},
    [IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_RATE] =
        {.key = "levofloxacin_event_rate", .default_value = 0.0037, .min = 0, .max = 1,
         .unit = "events per month on drug",
         .doc = "Clinically relevant adverse events (tendinopathy) per month on levofloxacin. "
                "Default: calc from TEAMM, tendinitis in 5 of 489 on levofloxacin and none on "
                "placebo over 12 weeks: 5 / (489 x 2.76 months) = 0.0037. TEAMM found no "
                "excess of C. difficile or of resistant-organism carriage."},
    [IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_COST] =
        {.key = "levofloxacin_event_cost", .default_value = 150, .min = 0, .max = 1e7,
         .unit = "currency per event",
         .doc = "Cost of one such event. Default: assumption, a consultation and treatment, as "
                "economics.episode_cost for a bacterial episode."},
    [IPSIM_ANTIBIOTICS_LEVOFLOXACIN_EVENT_QALYS] =
        {.key = "levofloxacin_event_qalys", .default_value = 0.0077, .min = 0, .max = 1,
         .unit = "QALYs per event",
         .doc = "QALYs lost per event. Default: assumption, utility 0.1 lower for 4 weeks, "
                "calc 0.1 x 28 / 365.25 = 0.0077."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_BACTERIAL_PREVENTED] =
        {.key = "cotrimoxazole_bacterial_prevented", .default_value = 0.62, .min = 0,
         .max = 1, .unit = "probability",
         .doc = "Probability that a bacterial episode is prevented while on co-trimoxazole. "
                "Assumption: no placebo-controlled trial in myeloma. Anchored on RATIONAL "
                "(McQuilten et al., Blood Adv 2024;8:1787): time to first major infection, "
                "lower quartile 9.7 months on antibiotics and 11.1 on immunoglobulin (P = 0.65), "
                "so a rate 11.1 / 9.7 = 1.14 times IVIG's, whose serious-infection rate ratio is "
                "0.52 (ivig.rate_ratio_serious): calc (1 - 0.52 x 1.14) / 0.653 = 0.62."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_FUNGAL_PREVENTED] =
        {.key = "cotrimoxazole_fungal_prevented", .default_value = 0, .min = 0, .max = 1,
         .unit = "probability",
         .doc = "Probability that a fungal episode is prevented while on co-trimoxazole "
                "(Pneumocystis prophylaxis). Default: assumption, 0: Pneumocystis's share of "
                "the model's fungal episodes is not known."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_COST_PER_MONTH] =
        {.key = "cotrimoxazole_cost_per_month", .default_value = 5, .min = 0, .max = 1e6,
         .unit = "currency per month",
         .doc = "Drug cost of a month on co-trimoxazole 960 mg daily. Default: assumption, "
                "about 30 generic tablets at GBP 0.15 (no Drug Tariff price could be "
                "checked)."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_RATE] =
        {.key = "cotrimoxazole_event_rate", .default_value = 0.004, .min = 0, .max = 1,
         .unit = "events per month on drug",
         .doc = "Grade 3 or worse treatment-related adverse events (rash, cytopenia) per month "
                "on co-trimoxazole. Default: calc from RATIONAL, 2 of 42 in the antibiotic arm "
                "over 12 months: 2 / (42 x 12) = 0.004."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_COST] =
        {.key = "cotrimoxazole_event_cost", .default_value = 3904, .min = 0, .max = 1e7,
         .unit = "currency per event",
         .doc = "Cost of one such event. Default: assumption, an admission, priced as a "
                "serious episode (GBP 3,904, Campling et al., J Med Econ 2022)."},
    [IPSIM_ANTIBIOTICS_COTRIMOXAZOLE_EVENT_QALYS] =
        {.key = "cotrimoxazole_event_qalys", .default_value = 0.008, .min = 0, .max = 1,
         .unit = "QALYs per event",
         .doc = "QALYs lost per event. Default: assumption, as a serious episode (0.218 x 13.4 "
                "/ 365.25 = 0.008)."},
};

static const ipsim_module_column module_columns[IPSIM_ANTIBIOTICS_COLUMNS] = {
    [IPSIM_ANTIBIOTICS_COLUMN_MONTHS] = {.name = "antibiotic_months", .integer = true,
                                         .per_patient = true, .unit = "months",
                                         .doc = "months on prophylactic antibiotics"},
    [IPSIM_ANTIBIOTICS_COLUMN_EVENTS] = {.name = "antibiotic_adverse_events", .integer = true,
                                         .per_patient = true, .unit = "events",
                                         .doc = "adverse events of prophylactic antibiotics"},
};

const ipsim_module ipsim_antibiotics_module = {
    .name = "antibiotics",
    .params = module_params,
    .param_count = IPSIM_ANTIBIOTICS_PARAMS,
    .columns = module_columns,
    .column_count = IPSIM_ANTIBIOTICS_COLUMNS,
    .tables_size = sizeof(antibiotics_tables),
    .state_size = sizeof(antibiotics_patient),
    .purpose = IPSIM_PURPOSE_ANTIBIOTICS,
    .init = module_init,
    .start = module_start,
    .cycle = ipsim_antibiotics_module_cycle,
    .episodes = ipsim_antibiotics_module_episodes,
    .finish = module_finish,
};
