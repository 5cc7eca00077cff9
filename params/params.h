/* params/params.h: the resolved, validated parameter set of one scenario.
 *
 * An ipsim_params is plain data, filled from the schema's defaults, then a
 * YAML file, then --set overrides (params/loader.h), and checked as a whole
 * before anything runs. Once resolved it is read-only: every model is built
 * from it and nothing changes it during a run. The meaning, unit, default
 * and range of every field is in params/schema.c (and docs/parameters.md,
 * generated from it). */
#ifndef IPSIM_PARAMS_H
#define IPSIM_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* The five immunoparesis grades (docs/review.md, review section 3.2) and death. */
typedef enum ipsim_state {
    IPSIM_GRADE_NONE = 0,
    IPSIM_GRADE_MILD = 1,
    IPSIM_GRADE_MODERATE = 2,
    IPSIM_GRADE_SEVERE = 3,
    IPSIM_GRADE_VERY_SEVERE = 4,
    IPSIM_STATE_DEAD = 5
} ipsim_state;

enum { IPSIM_GRADES = 5, IPSIM_STATES = 6 };

/* Infection episode types (review section 3.1.2). */
typedef enum ipsim_infection_type {
    IPSIM_INFECTION_BACTERIAL = 0,
    IPSIM_INFECTION_VIRAL = 1,
    IPSIM_INFECTION_FUNGAL = 2
} ipsim_infection_type;

enum { IPSIM_INFECTION_TYPES = 3 };

/* Who gets IVIG (models/ivig.h). */
typedef enum ipsim_ivig_policy {
    IPSIM_IVIG_NONE = 0,
    IPSIM_IVIG_GRADE = 1,               /* grade >= ivig.grade_threshold */
    IPSIM_IVIG_INFECTIONS = 2,          /* >= k episodes within the lookback */
    IPSIM_IVIG_GRADE_OR_INFECTIONS = 3, /* either */
    IPSIM_IVIG_IGG = 4,                 /* own IgG below ivig.igg_threshold_g_per_l */
    IPSIM_IVIG_IGG_AND_INFECTIONS = 5,  /* low IgG and qualifying infections (NHS England 2018/19) */
    IPSIM_IVIG_IGG_OR_INFECTIONS = 6    /* either of them */
} ipsim_ivig_policy;

/* How immunoglobulin is given (models/ivig.h). */
typedef enum ipsim_ig_route { IPSIM_ROUTE_IVIG = 0, IPSIM_ROUTE_SCIG = 1 } ipsim_ig_route;

/* Myeloma type by the M-protein (docs/review.md, review section 3.1.1). */
typedef enum ipsim_myeloma_type {
    IPSIM_MYELOMA_IGG = 0,
    IPSIM_MYELOMA_IGA = 1,
    IPSIM_MYELOMA_LIGHT_CHAIN = 2
} ipsim_myeloma_type;

enum { IPSIM_MYELOMA_TYPES = 3, IPSIM_RISS_STAGES = 3 };

/* Depth of response at the end of induction. */
typedef enum ipsim_response {
    IPSIM_RESPONSE_CR = 0,   /* complete response */
    IPSIM_RESPONSE_VGPR = 1, /* very good partial response */
    IPSIM_RESPONSE_PR = 2,   /* partial response */
    IPSIM_RESPONSE_LESS = 3, /* less than partial: stable or progressive disease */
    IPSIM_RESPONSE_NOT_ASSESSED = 4 /* died before the end of induction (output only) */
} ipsim_response;

enum { IPSIM_RESPONSES = 4 };

/* Treatment phase of a living patient (models/pathway.h), and dead. */
typedef enum ipsim_phase {
    IPSIM_PHASE_INDUCTION = 0,   /* induction therapy (and, for transplant candidates, until ASCT) */
    IPSIM_PHASE_TRANSPLANT = 1,  /* ASCT and the recovery after it */
    IPSIM_PHASE_MAINTENANCE = 2, /* lenalidomide maintenance until the first progression */
    IPSIM_PHASE_SECOND_LINE = 3, /* the second line of therapy, after the first progression */
    IPSIM_PHASE_LATER_LINES = 4, /* third and later lines, after each later progression */
    IPSIM_PHASE_NO_TREATMENT = 5, /* no further anti-myeloma treatment after a progression */
    IPSIM_PHASE_DEAD = 6
} ipsim_phase;

enum { IPSIM_PHASES = 6, IPSIM_PHASE_STATES = 7 };

/* Lines of therapy as ipsim reports them: the first (induction, ASCT,
 * maintenance), the second, and the third or any later one. */
enum { IPSIM_LINE_FIRST = 0, IPSIM_LINE_SECOND = 1, IPSIM_LINE_LATER = 2, IPSIM_LINES = 3 };

/* The phase in which a line is given (line: IPSIM_LINE_*); the first line's
 * phases are induction, transplant and maintenance. */
static inline int ipsim_phase_line(int phase)
{
    return phase == IPSIM_PHASE_SECOND_LINE ? IPSIM_LINE_SECOND
           : phase == IPSIM_PHASE_LATER_LINES || phase == IPSIM_PHASE_NO_TREATMENT
               ? IPSIM_LINE_LATER
               : IPSIM_LINE_FIRST;
}

/* Sex, for the general-population life table. */
typedef enum ipsim_sex { IPSIM_SEX_MALE = 0, IPSIM_SEX_FEMALE = 1 } ipsim_sex;
enum { IPSIM_SEXES = 2 };

/* Age bands of the age at diagnosis (diagnosis.age_band_share): under 45
 * (read as 35-44), 45-49, ..., 85-89, 90 and over (read as 90-99); ages
 * within a band are equally likely, in whole years. */
enum { IPSIM_AGE_BANDS = 11, IPSIM_AGE_MIN = 35, IPSIM_AGE_MAX = 99 };
extern const int ipsim_age_band_first[IPSIM_AGE_BANDS]; /* first age of each band */
extern const int ipsim_age_band_last[IPSIM_AGE_BANDS];

/* Where deaths from other causes come from (mortality.background). */
typedef enum ipsim_background_mortality {
    IPSIM_BACKGROUND_LIFE_TABLE = 0, /* the general population's, by age and sex */
    IPSIM_BACKGROUND_CONSTANT = 1    /* mortality.background_monthly_probability for everyone */
} ipsim_background_mortality;

/* How grades move between cycles (models/grades.h). */
typedef enum ipsim_grade_model {
    IPSIM_GRADE_MODEL_PATHWAY = 0, /* one grade better or worse, at rates by phase and response */
    IPSIM_GRADE_MODEL_MATRIX = 1,  /* one monthly matrix for every patient */
    IPSIM_GRADE_MODEL_LEVELS = 2   /* immunoglobulin levels, the grade derived from them
                                    * (models/immunoglobulins.h) */
} ipsim_grade_model;

/* What sets a patient's infection hazard (models/infections.h). */
typedef enum ipsim_infection_risk {
    IPSIM_RISK_BY_GRADE = 0, /* the grade's hazard */
    IPSIM_RISK_BY_IGG = 1    /* the grade's, times a log-linear function of own IgG */
} ipsim_infection_risk;

/* The immunoglobulin classes whose polyclonal (uninvolved) levels the
 * levels model follows (models/immunoglobulins.h). */
typedef enum ipsim_ig_class { IPSIM_IGG = 0, IPSIM_IGA = 1, IPSIM_IGM = 2 } ipsim_ig_class;
enum { IPSIM_IG_CLASSES = 3 };

typedef enum ipsim_trajectories {
    IPSIM_TRAJECTORIES_DENSE = 0, /* every trajectory, for every patient and month */
    IPSIM_TRAJECTORIES_NONE = 1,  /* per-patient records and summaries only */
    IPSIM_TRAJECTORIES_STATES = 2 /* dense without the immunoglobulin levels */
} ipsim_trajectories;

/* When a cycle's state values (utility, life-years, phase cost) are counted
 * (models/economics.h, docs/model.md "Counting methods"). */
typedef enum ipsim_counting {
    IPSIM_COUNT_BEGINNING = 0,  /* the state at each cycle's start */
    IPSIM_COUNT_END = 1,        /* the state at each cycle's end */
    IPSIM_COUNT_HALF_CYCLE = 2, /* life-table: the average of both, at the cycle's discount */
    IPSIM_COUNT_TRAPEZOID = 3,  /* the trapezoid rule on the discounted values */
    IPSIM_COUNTINGS
} ipsim_counting;

/* Names used in parameter files, output enums and summaries. */
extern const char *const ipsim_state_names[IPSIM_STATES];
extern const char *const ipsim_infection_type_names[IPSIM_INFECTION_TYPES];
extern const char *const ipsim_myeloma_type_names[IPSIM_MYELOMA_TYPES];
extern const char *const ipsim_ig_class_names[IPSIM_IG_CLASSES];
extern const char *const ipsim_riss_names[IPSIM_RISS_STAGES];
extern const char *const ipsim_response_names[IPSIM_RESPONSES + 1];
extern const char *const ipsim_phase_names[IPSIM_PHASE_STATES];
extern const char *const ipsim_line_names[IPSIM_LINES];
extern const char *const ipsim_sex_names[IPSIM_SEXES];
extern const char *const ipsim_counting_names[IPSIM_COUNTINGS + 1]; /* NULL-terminated */

#define IPSIM_NAME_MAX 64

/* Distributions a real parameter may be given instead of a number, for
 * probabilistic sensitivity analysis (params/psa.h). Values are stored in
 * output files: append, never renumber. */
typedef enum ipsim_distribution {
    IPSIM_DIST_BETA = 0,      /* alpha, beta */
    IPSIM_DIST_GAMMA = 1,     /* shape, scale */
    IPSIM_DIST_LOGNORMAL = 2, /* meanlog, sdlog */
    IPSIM_DIST_NORMAL = 3,    /* mean, sd */
    IPSIM_DIST_UNIFORM = 4,   /* min, max */
    IPSIM_DIST_DIRICHLET = 5, /* alpha[count]: a whole share vector or matrix row */
    IPSIM_DIST_POSTERIOR = 6  /* a column of psa.posterior's file: a = column, b = rows */
} ipsim_distribution;

enum { IPSIM_DISTRIBUTIONS = 7, IPSIM_UNCERTAIN_MAX = 64 };
/* The most columns a file of joint draws (psa.posterior) may have. */
enum { IPSIM_POSTERIOR_COLUMNS_MAX = 32 };

/* The file of joint draws a PSA takes whole rows of (params/posterior_file.h):
 * path "" for none. */
typedef struct ipsim_posterior_ref {
    char path[IPSIM_PATH_MAX];
    uint64_t checksum; /* FNV-1a (64-bit) of the file's bytes */
    int32_t rows, columns;
    int32_t spec[IPSIM_POSTERIOR_COLUMNS_MAX];    /* each column's parameter */
    int32_t element[IPSIM_POSTERIOR_COLUMNS_MAX]; /* and element */
} ipsim_posterior_ref;
/* The most values a vector parameter (or a matrix row) has: the schema's
 * longest is diagnosis.age_band_share. */
enum { IPSIM_VECTOR_MAX = 16 };

/* One uncertain parameter: the distribution of `count` consecutive reals
 * of the parameter set, starting at element `element` of the schema's
 * parameter `spec` (0 for a scalar, row x length + column in a matrix). */
typedef struct ipsim_uncertain {
    int32_t spec;    /* index into ipsim_param_specs */
    int32_t element;
    int32_t count;   /* 1, or the vector's length for a Dirichlet */
    int32_t distribution; /* ipsim_distribution */
    double a, b;     /* the natural parameters named above (not Dirichlet) */
    double alpha[IPSIM_VECTOR_MAX]; /* Dirichlet concentrations, [count] */
    /* Correlated with another scalar draw (a Gaussian copula, params/psa.h):
     * rho in [-1, 1], 0 for none; the other's spec and element. */
    double rho;
    int32_t with_spec, with_element;
} ipsim_uncertain;

/* Most willingness-to-pay values a table or figure reports beside the
 * grid (`--wtp 20000,30000,50000`). */
enum { IPSIM_WTP_REPORT_MAX = 16 };
/* Those reported when neither --wtp nor a plan names any, per QALY: the ends
 * of NICE's 20,000-30,000 range (NICE PMG36, 2022) and 50,000. */
#define IPSIM_WTP_DEFAULT {20000, 30000, 50000}
enum { IPSIM_WTP_DEFAULT_COUNT = 3 };

/* The value of a parameter that a clinical module declares for itself
 * (models/module.h) rather than in the schema: `modules: {NAME: {key:
 * value}}` in a parameter file, or `--set modules.NAME.key=value`. The
 * loader keeps the number and where it was given; building the model checks
 * it against the module's declaration (a known key, in range), so an error
 * still names the file, line and key. */
enum { IPSIM_MODULE_VALUES_MAX = 16, IPSIM_MODULE_SOURCE_MAX = 160 };
typedef struct ipsim_module_value {
    char key[IPSIM_NAME_MAX * 2]; /* "NAME.key" */
    double value;
    char source[IPSIM_MODULE_SOURCE_MAX]; /* file, or "--set" */
    long line, column;
} ipsim_module_value;

typedef struct ipsim_params {
    char name[IPSIM_NAME_MAX]; /* scenario name: the HDF5 group; [A-Za-z0-9_.-] */
    uint64_t seed;

    struct {
        int64_t patients;
        int64_t replicates;
        int64_t horizon_months;
        int64_t cycle_months;
        double baseline_mix[IPSIM_GRADES]; /* shares at diagnosis, sum 1 */
    } cohort;

    struct {
        bool transitions; /* false: every patient keeps the grade of diagnosis */
        ipsim_grade_model model;
        double transition_matrix[IPSIM_GRADES][IPSIM_GRADES]; /* monthly, rows sum 1 */
        double improve_per_month[IPSIM_PHASES]; /* one grade better, in CR */
        double worsen_per_month[IPSIM_PHASES];  /* one grade worse */
        double response_improve_factor[IPSIM_RESPONSES]; /* scales improve_per_month */
    } grades;

    /* The levels model (grades.model: levels; models/immunoglobulins.h). */
    struct {
        double lower_limit_g_per_l[IPSIM_IG_CLASSES];   /* the laboratory's LLN */
        double severe_fraction;                         /* severe: below this x LLN */
        double high_normal_fraction; /* band edges that change no grade: this x LLN */
        double mid_low_fraction;     /* ... and this x LLN */
        double near_detection_g_per_l[IPSIM_IG_CLASSES]; /* very severe: below this */
        double median_g_per_l[IPSIM_IG_CLASSES]; /* uninvolved, at diagnosis, reference */
        double log_sd[IPSIM_IG_CLASSES];          /* of ln(level) at diagnosis */
        double class_correlation;                 /* of ln(level) between classes */
        double type_log_shift[IPSIM_MYELOMA_TYPES];
        double involved_log_shift; /* the M-protein's own class, polyclonal part */
        double riss_log_shift[IPSIM_RISS_STAGES];
        double recovery_factor[IPSIM_IG_CLASSES]; /* scales grades.improve_per_month */
    } immunoglobulins;

    struct {
        int64_t window_months;
        double share_within_window[IPSIM_GRADES]; /* P(>= 1 infection in window) */
        int64_t early_months;        /* the first months after diagnosis ... */
        double early_rate_ratio;     /* ... have this extra rate ratio */
        int64_t neutropenic_months;  /* the first months of the transplant phase ... */
        double neutropenic_rate_ratio; /* ... this one (melphalan's neutropenia) */
        double type_share[IPSIM_INFECTION_TYPES];  /* sum 1 */
        double serious_share[IPSIM_GRADES];        /* P(serious | episode, grade) */
        int risk_by;                               /* ipsim_infection_risk */
        double igg_rate_ratio_per_g_per_l;         /* per g/L of own IgG (risk_by: igg) */
        double igg_plateau_g_per_l;                /* no further effect above this */
    } infection;

    struct {
        ipsim_background_mortality background;
        int life_table; /* index into ipsim_life_tables (params/life_table.h) */
        double background_monthly_probability; /* with background = constant */
        double excess_hazard_per_month[IPSIM_PHASES]; /* myeloma's, by phase */
        double serious_infection_case_fatality;
    } mortality;

    struct {
        double age_band_share[IPSIM_AGE_BANDS]; /* age at diagnosis, sum 1 */
        double male_share;
        double weight_kg_mean; /* body weight at diagnosis: normal, truncated */
        double weight_kg_sd;
        double weight_kg_min;
        double weight_kg_max;
        double myeloma_type_share[IPSIM_MYELOMA_TYPES]; /* sum 1 */
        double riss_share[IPSIM_RISS_STAGES];           /* sum 1 */
        double type_severity_log_odds[IPSIM_MYELOMA_TYPES];
        double riss_severity_log_odds[IPSIM_RISS_STAGES];
    } diagnosis;

    struct {
        int64_t induction_cycles;     /* treatment cycles of induction */
        int64_t induction_cycle_days; /* days per treatment cycle */
        double response_share[IPSIM_RESPONSES]; /* at the end of induction, sum 1 */
        double transplant_eligible_share; /* among patients up to the age limit */
        int64_t transplant_age_limit;     /* oldest age at diagnosis eligible for ASCT */
        int64_t asct_month;              /* months after diagnosis */
        int64_t transplant_phase_months; /* ASCT and recovery, before maintenance */
        double infection_rate_ratio[IPSIM_PHASES];
        double progression_hazard_per_month;     /* IP not improved after induction */
        double progression_hazard_ratio_improved; /* IP improved (or none at diagnosis) */
        double progression_hazard_ratio_transplant; /* after ASCT, against without it */
    } pathway;

    struct {
        /* Hazard of the next progression on the second and on later lines. */
        double progression_hazard_per_month[2]; /* [0] second line, [1] later lines */
        /* At a progression on the first, second, later line: the share who
         * receive no further treatment. */
        double no_further_treatment_share[IPSIM_LINES];
    } lines;

    struct {
        ipsim_ivig_policy policy;
        int grade_threshold;        /* a grade, 0..4 */
        int64_t infections_threshold;
        bool serious_only;
        int64_t lookback_months;
        int64_t start_month;
        bool stop_when_recovered;
        double dose_mg_per_kg;
        double interval_weeks;
        double rate_ratio_all;     /* at the reference regimen's steady-state trough rise */
        double rate_ratio_serious;
        /* Policies as guidelines write them (models/ivig.h). */
        double igg_threshold_g_per_l; /* own IgG, excluding paraprotein and given Ig */
        bool bacterial_only;          /* count bacterial episodes only */
        bool serious_qualifies;       /* one serious qualifying episode is enough */
        bool require_antibiotics;     /* count episodes only while on prophylaxis */
        bool require_vaccine_failure; /* start only after a failed pneumococcal response */
        int64_t review_months;
        bool stop_without_benefit;
        /* The drug: route, dose -> trough -> effect, titration, reactions. */
        ipsim_ig_route route;
        double trough_rise_per_100_mg_per_kg; /* g/L per 100 mg/kg every 4 weeks */
        double scig_trough_factor;
        double half_life_days;
        double reference_dose_mg_per_kg;      /* every 4 weeks: the rate ratios' regimen */
        double effect_plateau_g_per_l;
        bool titrate;
        double trough_target_g_per_l;
        double trough_tolerance_g_per_l;
        int64_t titration_months;
        double dose_min_mg_per_kg, dose_max_mg_per_kg, dose_step_mg_per_kg;
        double reaction_probability;      /* per IVIG infusion */
        double scig_reaction_probability; /* per SCIG infusion */
    } ivig;

    struct {
        double influenza_coverage;           /* share vaccinated each season */
        int64_t influenza_month;             /* calendar month of the yearly dose, 1-12 */
        int64_t influenza_protection_months; /* protection after a responding dose */
        double influenza_response[IPSIM_GRADES]; /* P(responds), by grade when vaccinated */
        double influenza_viral_prevented;    /* share of viral episodes a response prevents */
        double pneumococcal_coverage;        /* share vaccinated once */
        int64_t pneumococcal_month;          /* months after diagnosis */
        int64_t pneumococcal_protection_months;
        double pneumococcal_response[IPSIM_GRADES];
        double pneumococcal_bacterial_prevented; /* share of bacterial episodes prevented */
    } vaccination;

    struct {
        char currency[IPSIM_NAME_MAX]; /* ISO 4217 code, for labels */
        int64_t price_year;
        double discount_rate_costs;   /* per year */
        double discount_rate_effects; /* per year */
        ipsim_counting counting;
        double ivig_price_per_gram;
        double ivig_administration_cost; /* per infusion */
        double scig_price_per_gram;
        double scig_administration_cost; /* per infusion */
        double ig_reaction_cost;         /* per infusion reaction */
        double ig_reaction_qalys;        /* QALYs lost per infusion reaction */
        double episode_cost[IPSIM_INFECTION_TYPES];         /* not serious (not admitted) */
        double serious_episode_cost[IPSIM_INFECTION_TYPES]; /* serious (admitted) */
        double influenza_vaccine_cost;    /* per dose, given */
        double pneumococcal_vaccine_cost; /* per course */
        double phase_cost_per_month[IPSIM_PHASES];
        double utility_by_phase[IPSIM_PHASES];
        double utility_decrement_by_grade[IPSIM_GRADES];
        double episode_disutility;         /* utility lost while an episode lasts */
        double episode_disutility_days;
        double serious_episode_disutility;
        double serious_episode_disutility_days;
    } economics;

    struct {
        int64_t pfs_followup_months; /* follow-up of the review's "median PFS not reached" */
    } validation;

    struct {
        bool sample; /* replicates draw the uncertain parameters */
        ipsim_posterior_ref posterior; /* joint draws to take rows of, if any */
    } psa;

    struct {
        double wtp_max;  /* willingness-to-pay grid 0, step, ..., max */
        double wtp_step;
        double population_per_year; /* patients a year the decision concerns */
        double horizon_years;       /* how long it stands */
        double discount_rate;       /* of later years' patients */
    } decision;

    struct {
        ipsim_trajectories trajectories;
        bool patient_records;      /* per-patient datasets */
        int64_t compression_level; /* deflate level 0..9 */
    } output;

    /* The parameters given as distributions, ordered by (spec, element).
     * Their fields above hold the deterministic value: the distribution's
     * mean, or its `value:` when one is given. Replicates draw them when
     * psa.sample is true (params/psa.h). */
    struct {
        int32_t count;
        ipsim_uncertain items[IPSIM_UNCERTAIN_MAX];
    } uncertain;

    /* Values of module-declared parameters, in the order first given; a
     * later value of the same key replaces an earlier one. */
    int32_t module_value_count;
    ipsim_module_value module_values[IPSIM_MODULE_VALUES_MAX];
} ipsim_params;

/* Number of simulated cycles: horizon_months / cycle_months. */
int64_t ipsim_params_cycles(const ipsim_params *p);

/* Whether `s` may be a name (of a scenario, a study, a sweep): letters,
 * digits, '_', '-' or '.', at least one, and not "." or ".." (the length,
 * below IPSIM_NAME_MAX, is the caller's to check).
 * A name is a label that also names files and HDF5 groups, never a path:
 * no '/', no spaces or control characters. */
bool ipsim_params_valid_name(const char *s);

/* The calendar ipsim counts in: 365.25 days a year, so 30.4375 a month. */
#define IPSIM_DAYS_PER_YEAR 365.25
#define IPSIM_DAYS_PER_MONTH (IPSIM_DAYS_PER_YEAR / 12.0)

/* Months of induction: induction_cycles x induction_cycle_days, in whole
 * simulation cycles (nearest, at least one). */
int64_t ipsim_params_induction_cycles(const ipsim_params *p);

/* The simulation cycle in which an event at `month` after diagnosis takes
 * effect: month / cycle_months, rounded up. */
int64_t ipsim_params_cycle_of_month(const ipsim_params *p, int64_t month);

/* The review's recovery figures are read 12 months after ASCT: the cycle
 * of asct_month + 12, or -1 if that is beyond the horizon. */
int64_t ipsim_params_recovery_cycle(const ipsim_params *p);

/* The calibration holds at the timetable of 1-month cycles: induction's
 * end, ASCT, the start of maintenance after it, the end of the early and of
 * the neutropenic months, the review's recovery month. Longer cycles round
 * some of these to other months. Writes a sentence naming each event that
 * moves, with both months, into text (size bytes) and returns how many
 * move (0: none, text empty). */
int ipsim_params_timetable_moves(const ipsim_params *p, char *text, size_t size);

/* The IVIG rules a whole set must keep (models/ivig.h): review and
 * titration periods in whole cycles, the titrated doses on their grid (the
 * starting dose one of them, at most 255 of them), no vaccine-failure
 * requirement yet, and the serious share on IVIG a probability. Returns the
 * key of the first broken rule, with why (size bytes) saying how, or NULL. */
const char *ipsim_params_ivig_rule(const ipsim_params *p, char *why, size_t size);

#endif
