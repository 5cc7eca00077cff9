/* tests/test_antibiotics.c: antibiotic prophylaxis (models/antibiotics.h).
 *
 * Exact checks, on courses paired by common random numbers: off by default,
 * bit for bit; nothing changes outside the months on drug, and on them a
 * patient keeps a subset of the episodes of the course without it; the
 * drug's cost is its months times its price, its adverse events' cost and
 * QALY loss their count times theirs; ipsim_module_cycle.on_antibiotics is
 * set in exactly the cycles on drug, as a module registered after it reads
 * it (primary and secondary schedules); bad values name the file, line and
 * key; 1 and 2 threads give the same bytes. Statistical checks (4 standard
 * errors, fixed seeds): the share of bacterial (and fungal) episodes
 * prevented on drug is the parameter; adverse events come at their rate. */
#include "test_support.h"

#include "models/antibiotics.h"
#include "models/ivig.h"
#include "models/modules.h"
#include "models/patient.h"
#include "models/vaccination.h"
#include "sim/cohort.h"

enum { HORIZON = 48, PATIENTS = 4000 };

typedef struct course {
    ipsim_patient_record rec;
    uint8_t grade[HORIZON + 1], infections[HORIZON + 1], ivig[HORIZON + 1],
        phase[HORIZON + 1];
} course;

/* ---- a probe: a test-only module that reads on_antibiotics --------------- */

/* Bit masks over the cycles: those in which it saw the flag, those with
 * episodes, those with serious episodes. */
typedef struct probe_state {
    uint64_t flagged, episodes, serious;
} probe_state;

static int probe_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                      ipsim_error *err)
{
    (void)tables, (void)values, (void)p, (void)err;
    *active = true;
    return IPSIM_OK;
}

static void probe_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    (void)tables;
    if (c->on_antibiotics)
        ((probe_state *)state)->flagged |= UINT64_C(1) << c->cycle;
}

static void probe_episodes(const void *tables, void *state, const ipsim_module_cycle *c,
                           int episodes, int serious)
{
    (void)tables;
    probe_state *s = state;
    if (episodes > 0)
        s->episodes |= UINT64_C(1) << c->cycle;
    if (serious > 0)
        s->serious |= UINT64_C(1) << c->cycle;
}

static void probe_finish(const void *tables, const void *state, double *columns)
{
    (void)tables;
    const probe_state *s = state;
    /* Exact: HORIZON < 53 bits. */
    columns[0] = (double)s->flagged;
    columns[1] = (double)s->episodes;
    columns[2] = (double)s->serious;
}

static const ipsim_module_column probe_columns[] = {
    {.name = "probe_flagged", .unit = "mask", .doc = "cycles with on_antibiotics"},
    {.name = "probe_episodes", .unit = "mask", .doc = "cycles with episodes"},
    {.name = "probe_serious", .unit = "mask", .doc = "cycles with serious episodes"},
};

static const ipsim_module probe_module = {
    .name = "probe",
    .columns = probe_columns,
    .column_count = 3,
    .state_size = sizeof(probe_state),
    .init = probe_init,
    .cycle = probe_cycle,
    .episodes = probe_episodes,
    .finish = probe_finish,
};

static const ipsim_module *const probe_after[] = {&ipsim_antibiotics_module, &probe_module,
                                                  NULL};
static const ipsim_module *const probe_before[] = {&probe_module, &ipsim_antibiotics_module,
                                                   NULL};
/* The shipped modules without the antibiotics: what a run was before them. */
static const ipsim_module *const without[] = {&ipsim_ivig_module, &ipsim_vaccination_module,
                                              NULL};

/* ---- helpers -------------------------------------------------------------- */

/* The pathway model over HORIZON months, with these overrides too. */
static ipsim_params params(const char *const *overrides)
{
    const char *all[32] = {"cohort.horizon_months=48", "infection.window_months=12"};
    size_t n = 2;
    for (size_t i = 0; overrides && overrides[i]; i++) {
        assert_true(n < 31);
        all[n++] = overrides[i];
    }
    all[n] = NULL;
    return test_params_pathway(all);
}

static ipsim_model model_with(const ipsim_params *p, const ipsim_module *const *registry)
{
    ipsim_model m;
    ipsim_error err;
    ipsim_error_clear(&err);
    if (ipsim_model_init_with(&m, p, registry, &err)) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("model: %s", msg);
    }
    return m;
}

/* The model of the shipped modules with these overrides. */
static ipsim_model shipped(const char *const *overrides)
{
    ipsim_params p = params(overrides);
    return model_with(&p, ipsim_registered_modules);
}

static void simulate(const ipsim_model *m, uint64_t patient, course *c)
{
    assert_true(m->cycles <= HORIZON);
    ipsim_patient_rows rows = {c->grade, c->infections, c->ivig, c->phase, {NULL, NULL, NULL}};
    ipsim_patient_simulate(m, (ipsim_stream){29, 0}, patient, &rows, &c->rec);
}

/* Cycles the patient began alive (the cycle hooks ran in them). */
static int64_t lived(const ipsim_model *m, const ipsim_patient_record *r)
{
    return r->death_month < 0 ? m->cycles : r->death_month / m->cycle_months;
}

static uint32_t episodes_of(const ipsim_patient_record *r, int type)
{
    uint32_t n = 0;
    for (int g = 0; g < IPSIM_GRADES; g++)
        n += r->episodes[g][type];
    return n;
}

/* The antibiotics' columns in a model of the shipped modules. */
static double column(const ipsim_patient_record *r, int k)
{
    return r->module_columns[ipsim_modules_column_index(ipsim_registered_modules,
                                                        "antibiotic_months") +
                             k];
}

/* ---- off by default -------------------------------------------------------- */

static void off_unless_an_agent_is_chosen(void **state)
{
    (void)state;
    /* Its other values alone do not switch it on. */
    ipsim_params p = params((const char *[]){"modules.antibiotics.duration_months=0",
                                             "modules.antibiotics.levofloxacin_event_rate=0.5",
                                             NULL});
    ipsim_params plain = params(NULL);
    ipsim_model with = model_with(&p, ipsim_registered_modules);
    ipsim_model before = model_with(&plain, without);
    assert_int_equal(with.modules.active_count, 0);
    static course a, b;
    for (uint64_t i = 0; i < 500; i++) {
        simulate(&before, i, &a);
        simulate(&with, i, &b);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

/* ---- effect ----------------------------------------------------------------- */

/* Continuous prophylaxis: the share of episodes of `type` prevented. */
static void check_prevented_share(const char *const *overrides, int type, double share)
{
    ipsim_model m = shipped(overrides);
    static course c;
    double prevented = 0, kept = 0, others = 0;
    for (uint64_t i = 0; i < 10 * PATIENTS; i++) {
        simulate(&m, i, &c);
        prevented += c.rec.prevented[type];
        kept += episodes_of(&c.rec, type);
        others += c.rec.prevented[IPSIM_INFECTION_VIRAL];
    }
    const double n = prevented + kept;
    assert_true(n > 1000);
    assert_within_4se(prevented / n, share, sqrt(share * (1 - share) / n),
                      "share of episodes prevented on drug");
    assert_true(others == 0); /* neither agent touches viral episodes */
}

static void prevents_its_share_of_episodes_on_drug(void **state)
{
    (void)state;
    /* Levofloxacin's default, from TEAMM's hazard ratio. */
    const char *levo[] = {"modules.antibiotics.agent=1", "modules.antibiotics.duration_months=0",
                          NULL};
    check_prevented_share(levo, IPSIM_INFECTION_BACTERIAL,
                          ipsim_antibiotics_module.params[IPSIM_ANTIBIOTICS_LEVOFLOXACIN_BACTERIAL_PREVENTED]
                              .default_value);
    /* Co-trimoxazole's own values, bacterial and fungal. */
    const char *ctx[] = {"modules.antibiotics.agent=2", "modules.antibiotics.duration_months=0",
                         "modules.antibiotics.cotrimoxazole_bacterial_prevented=0.37",
                         "modules.antibiotics.cotrimoxazole_fungal_prevented=0.45", NULL};
    check_prevented_share(ctx, IPSIM_INFECTION_BACTERIAL, 0.37);
    check_prevented_share(ctx, IPSIM_INFECTION_FUNGAL, 0.45);
}

/* Months 2-4 on levofloxacin against none, no infection deaths (so that a
 * prevented episode changes nothing else): outside them every cycle is the
 * same; in them a patient keeps a subset of the episodes. */
static void nothing_changes_off_drug_and_on_it_episodes_are_a_subset(void **state)
{
    (void)state;
    const char *off[] = {"mortality.serious_infection_case_fatality=0", NULL};
    const char *on[] = {"mortality.serious_infection_case_fatality=0",
                        "modules.antibiotics.agent=1", "modules.antibiotics.start_month=2",
                        "modules.antibiotics.duration_months=3", NULL};
    ipsim_model m0 = shipped(off), m1 = shipped(on);
    static course a, b;
    uint64_t fewer = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        simulate(&m0, i, &a);
        simulate(&m1, i, &b);
        assert_int_equal(a.rec.death_month, b.rec.death_month);
        assert_memory_equal(a.grade, b.grade, sizeof a.grade);
        assert_memory_equal(a.phase, b.phase, sizeof a.phase);
        for (int64_t c = 0; c <= HORIZON; c++) {
            if (c >= 2 && c < 5)
                assert_true(b.infections[c] <= a.infections[c]);
            else
                assert_int_equal(a.infections[c], b.infections[c]);
            fewer += (uint64_t)(a.infections[c] - b.infections[c]);
        }
        assert_int_equal(episodes_of(&a.rec, IPSIM_INFECTION_BACTERIAL),
                         episodes_of(&b.rec, IPSIM_INFECTION_BACTERIAL) +
                             b.rec.prevented[IPSIM_INFECTION_BACTERIAL]);
        assert_int_equal(episodes_of(&a.rec, IPSIM_INFECTION_VIRAL),
                         episodes_of(&b.rec, IPSIM_INFECTION_VIRAL));
        assert_int_equal(episodes_of(&a.rec, IPSIM_INFECTION_FUNGAL),
                         episodes_of(&b.rec, IPSIM_INFECTION_FUNGAL));
    }
    assert_true(fewer > 50);
}

/* ---- costs and adverse events ------------------------------------------------ */

/* On drug in the cycles starting in months [2, 5), with no effect and no
 * adverse events: its months are whole cycles, its cost is exactly its
 * months times its price, and the QALYs do not move. */
static void check_drug_cost(const char *cycle_months, int64_t on_from_cycle, int64_t on_cycles)
{
    const char *off[] = {"mortality.serious_infection_case_fatality=0", cycle_months, NULL};
    const char *on[] = {"mortality.serious_infection_case_fatality=0", cycle_months,
                        "modules.antibiotics.agent=1", "modules.antibiotics.start_month=2",
                        "modules.antibiotics.duration_months=3",
                        "modules.antibiotics.levofloxacin_bacterial_prevented=0",
                        "modules.antibiotics.levofloxacin_event_rate=0",
                        "modules.antibiotics.levofloxacin_cost_per_month=37.25", NULL};
    ipsim_model m0 = shipped(off), m1 = shipped(on);
    static course a, b;
    double months_total = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        simulate(&m0, i, &a);
        simulate(&m1, i, &b);
        const int64_t alive = lived(&m0, &a.rec);
        int64_t cycles = alive - on_from_cycle;
        cycles = cycles < 0 ? 0 : cycles > on_cycles ? on_cycles : cycles;
        const double months = column(&b.rec, IPSIM_ANTIBIOTICS_COLUMN_MONTHS);
        assert_true(months == (double)(cycles * m0.cycle_months));
        assert_close(b.rec.outcomes.cost[0] - a.rec.outcomes.cost[0], months * 37.25,
                     1e-9 * (1 + a.rec.outcomes.cost[0]));
        assert_true(b.rec.outcomes.qalys[0] == a.rec.outcomes.qalys[0]);
        assert_true(b.rec.outcomes.qalys[1] == a.rec.outcomes.qalys[1]);
        assert_true(column(&b.rec, IPSIM_ANTIBIOTICS_COLUMN_EVENTS) == 0);
        months_total += months;
    }
    assert_true(months_total > 0);
}

static void its_cost_is_its_months_times_its_price(void **state)
{
    (void)state;
    check_drug_cost("cohort.cycle_months=1", 2, 3); /* months 2, 3, 4 */
    check_drug_cost("cohort.cycle_months=3", 1, 1); /* the cycle of months 3-5 */
}

/* Continuous, no effect, no drug cost: adverse events at `rate` a month on
 * drug, each costing exactly its cost and losing exactly its QALYs. */
static void check_adverse_events(const char *cycle_months, const char *rate_setting, double rate)
{
    const char *off[] = {"mortality.serious_infection_case_fatality=0", cycle_months, NULL};
    const char *on[] = {"mortality.serious_infection_case_fatality=0", cycle_months,
                        "modules.antibiotics.agent=2", "modules.antibiotics.duration_months=0",
                        "modules.antibiotics.cotrimoxazole_bacterial_prevented=0",
                        "modules.antibiotics.cotrimoxazole_cost_per_month=0",
                        "modules.antibiotics.cotrimoxazole_event_cost=250",
                        "modules.antibiotics.cotrimoxazole_event_qalys=0.0125", rate_setting, NULL};
    ipsim_model m0 = shipped(off), m1 = shipped(on);
    static course a, b;
    double events = 0, months = 0;
    for (uint64_t i = 0; i < PATIENTS; i++) {
        simulate(&m0, i, &a);
        simulate(&m1, i, &b);
        const double k = column(&b.rec, IPSIM_ANTIBIOTICS_COLUMN_EVENTS);
        assert_true(column(&b.rec, IPSIM_ANTIBIOTICS_COLUMN_MONTHS) ==
                    (double)(lived(&m0, &a.rec) * m0.cycle_months));
        assert_close(b.rec.outcomes.cost[0] - a.rec.outcomes.cost[0], k * 250,
                     1e-9 * (1 + a.rec.outcomes.cost[0]));
        assert_close(b.rec.outcomes.qalys[0] - a.rec.outcomes.qalys[0], -k * 0.0125,
                     1e-12 * (1 + a.rec.outcomes.qalys[0]));
        /* Discounted: the same loss, discounted by when it came. */
        const double lost = a.rec.outcomes.qalys[1] - b.rec.outcomes.qalys[1];
        assert_true(lost >= -1e-12 && lost <= k * 0.0125 + 1e-12);
        events += k;
        months += column(&b.rec, IPSIM_ANTIBIOTICS_COLUMN_MONTHS);
    }
    assert_true(events > 500);
    assert_within_4se(events / months, rate, sqrt(rate / months),
                      "adverse events per month on drug");
}

static void adverse_events_come_at_their_rate_with_their_cost_and_qalys(void **state)
{
    (void)state;
    check_adverse_events("cohort.cycle_months=1",
                         "modules.antibiotics.cotrimoxazole_event_rate=0.0123", 0.0123);
    /* Several in a cycle: a Poisson count, mean 0.6 a cycle. */
    check_adverse_events("cohort.cycle_months=3",
                         "modules.antibiotics.cotrimoxazole_event_rate=0.2", 0.2);
}

/* ---- the flag a later module reads ------------------------------------------ */

/* The masks of the cycles in [from, to) (to at most HORIZON). */
static uint64_t cycles_mask(int64_t from, int64_t to)
{
    uint64_t mask = 0;
    for (int64_t c = from < 0 ? 0 : from; c < to && c < HORIZON; c++)
        mask |= UINT64_C(1) << c;
    return mask;
}

/* Runs the probe after the antibiotics with `overrides`; expect(course,
 * probe masks) gives the cycles that must carry the flag. */
typedef uint64_t (*expected_flags)(const ipsim_model *m, const course *c, uint64_t episodes,
                                   uint64_t serious);

static void check_flag(const char *const *overrides, expected_flags expect)
{
    ipsim_params p = params(overrides);
    ipsim_model m = model_with(&p, probe_after), first = model_with(&p, probe_before);
    static course c;
    uint64_t flagged = 0;
    for (uint64_t i = 0; i < 1500; i++) {
        simulate(&m, i, &c);
        const double *probe = c.rec.module_columns + IPSIM_ANTIBIOTICS_COLUMNS;
        const uint64_t seen = (uint64_t)probe[0];
        const uint64_t want = expect(&m, &c, (uint64_t)probe[1], (uint64_t)probe[2]);
        if (seen != want)
            fail_msg("patient %llu: flag in cycles %#llx, on drug in %#llx",
                     (unsigned long long)i, (unsigned long long)seen,
                     (unsigned long long)want);
        /* Months on drug: the flagged cycles. */
        assert_true(c.rec.module_columns[IPSIM_ANTIBIOTICS_COLUMN_MONTHS] ==
                    (double)__builtin_popcountll(seen) * (double)m.cycle_months);
        flagged += seen != 0;
        /* A module before the antibiotics never sees the flag. */
        simulate(&first, i, &c);
        assert_true(c.rec.module_columns[0] == 0);
    }
    assert_true(flagged > 100);
}

static uint64_t primary_months_2_to_4(const ipsim_model *m, const course *c, uint64_t episodes,
                                      uint64_t serious)
{
    (void)episodes, (void)serious;
    return cycles_mask(2, 5) & cycles_mask(0, lived(m, &c->rec));
}

/* After an episode in a cycle from month 6: the next two cycles. */
static uint64_t after_episodes_for_2(const ipsim_model *m, const course *c, uint64_t episodes,
                                     uint64_t serious)
{
    (void)serious;
    const uint64_t qualifying = episodes & ~cycles_mask(0, 6);
    return ((qualifying << 1) | (qualifying << 2)) & cycles_mask(0, lived(m, &c->rec));
}

/* After a serious episode from month 6: every later cycle. */
static uint64_t after_serious_for_good(const ipsim_model *m, const course *c, uint64_t episodes,
                                       uint64_t serious)
{
    (void)episodes;
    const uint64_t qualifying = serious & ~cycles_mask(0, 6);
    if (!qualifying)
        return 0;
    return cycles_mask(__builtin_ctzll(qualifying) + 1, lived(m, &c->rec));
}

static void on_antibiotics_is_set_exactly_in_the_cycles_on_drug(void **state)
{
    (void)state;
    check_flag((const char *[]){"modules.antibiotics.agent=1", "modules.antibiotics.start_month=2",
                                "modules.antibiotics.duration_months=3", NULL},
               primary_months_2_to_4);
    check_flag((const char *[]){"modules.antibiotics.agent=2", "modules.antibiotics.schedule=1",
                                "modules.antibiotics.start_month=6",
                                "modules.antibiotics.duration_months=2", NULL},
               after_episodes_for_2);
    check_flag((const char *[]){"modules.antibiotics.agent=1", "modules.antibiotics.schedule=2",
                                "modules.antibiotics.start_month=6",
                                "modules.antibiotics.duration_months=0", NULL},
               after_serious_for_good);
}

/* ---- bad values ------------------------------------------------------------ */

static void expect_error(const char *text, const char *set, const char *key, long line,
                         const char *words)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    const char *overrides[] = {set, NULL};
    assert_int_equal(ipsim_params_resolve_text(&p, text, strlen(text), "abx.yaml", overrides,
                                               set ? 1 : 0, &err),
                     IPSIM_OK);
    ipsim_model m;
    assert_int_equal(ipsim_model_init(&m, &p, &err), IPSIM_EPARAM);
    assert_string_equal(err.key, key);
    assert_int_equal(err.line, line);
    if (!strstr(err.message, words))
        fail_msg("message '%s' lacks '%s'", err.message, words);
    assert_string_equal(err.file, set ? "--set" : "abx.yaml");
}

static void bad_values_name_the_file_line_and_key(void **state)
{
    (void)state;
    expect_error("modules:\n  antibiotics:\n    agent: 3\n", NULL, "modules.antibiotics.agent", 3,
                 "out of range");
    expect_error("seed: 1\nmodules:\n  antibiotics:\n    agent: 1.5\n", NULL,
                 "modules.antibiotics.agent", 4, "1.5 is not a whole number");
    expect_error("modules:\n  antibiotics:\n    agent: 1\n    duration_months: 2.5\n", NULL,
                 "modules.antibiotics.duration_months", 4, "not a whole number");
    expect_error("modules:\n  antibiotics:\n    levofloxacin_event_rate: -0.1\n", NULL,
                 "modules.antibiotics.levofloxacin_event_rate", 3, "out of range");
    expect_error("modules:\n  antibiotics:\n    cotrimoxazole_bacterial_prevented: 1.01\n", NULL,
                 "modules.antibiotics.cotrimoxazole_bacterial_prevented", 3, "out of range");
    /* A misspelt key: every key listed, the last one too. */
    expect_error("modules:\n  antibiotics:\n    levofloxacin_prevented: 0.5\n", NULL,
                 "modules.antibiotics.levofloxacin_prevented", 3, "cotrimoxazole_event_qalys)");
    expect_error("seed: 1\n", "modules.antibiotics.schedule=4", "modules.antibiotics.schedule",
                 0, "out of range");
}

/* ---- threads ------------------------------------------------------------- */

typedef struct records {
    int64_t patients;
    ipsim_patient_record *rows; /* [replicate][patient] */
} records;

static int keep_block(void *ctx, const ipsim_block *b, ipsim_error *err)
{
    (void)err;
    records *r = ctx;
    memcpy(r->rows + b->replicate * r->patients + b->first_patient, b->records,
           (size_t)b->count * sizeof *b->records);
    return IPSIM_OK;
}

static void run_cohort(const ipsim_params *p, int threads, int64_t block, records *out)
{
    ipsim_model m = model_with(p, ipsim_registered_modules);
    out->patients = p->cohort.patients;
    out->rows = calloc((size_t)(p->cohort.patients * p->cohort.replicates), sizeof *out->rows);
    assert_non_null(out->rows);
    ipsim_cohort_config config = {.threads = threads, .block_patients = block};
    ipsim_cohort_sinks sinks = {.block = keep_block, .ctx = out};
    ipsim_error err;
    ipsim_error_clear(&err);
    assert_int_equal(ipsim_cohort_run(&m, p->seed, p->cohort.patients, 0, p->cohort.replicates,
                                      &config, &sinks, &err),
                     IPSIM_OK);
}

static void identical_for_one_and_two_threads(void **state)
{
    (void)state;
    /* Secondary continuous co-trimoxazole with frequent adverse events, so
     * every part of the module acts. */
    ipsim_params p = params((const char *[]){
        "cohort.patients=2001", "cohort.replicates=2", "output.trajectories=none",
        "modules.antibiotics.agent=2", "modules.antibiotics.schedule=1",
        "modules.antibiotics.duration_months=0", "modules.antibiotics.cotrimoxazole_event_rate=0.05",
        NULL});
    records one, two;
    run_cohort(&p, 1, 4096, &one);
    run_cohort(&p, 2, 97, &two);
    const size_t n = (size_t)(p.cohort.patients * p.cohort.replicates);
    assert_memory_equal(one.rows, two.rows, n * sizeof *one.rows);
    double events = 0;
    for (size_t i = 0; i < n; i++)
        events += column(&one.rows[i], IPSIM_ANTIBIOTICS_COLUMN_EVENTS);
    assert_true(events > 0);
    free(one.rows);
    free(two.rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(off_unless_an_agent_is_chosen),
        cmocka_unit_test(prevents_its_share_of_episodes_on_drug),
        cmocka_unit_test(nothing_changes_off_drug_and_on_it_episodes_are_a_subset),
        cmocka_unit_test(its_cost_is_its_months_times_its_price),
        cmocka_unit_test(adverse_events_come_at_their_rate_with_their_cost_and_qalys),
        cmocka_unit_test(on_antibiotics_is_set_exactly_in_the_cycles_on_drug),
        cmocka_unit_test(bad_values_name_the_file_line_and_key),
        cmocka_unit_test(identical_for_one_and_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
