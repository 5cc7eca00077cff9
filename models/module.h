/* models/module.h: the seam for clinical modules.
 *
 * A clinical module (antibiotic prophylaxis, immunoglobulin levels, ...) is
 * one file, models/NAME.[ch], that defines one const ipsim_module: its
 * parameters, its tables built from them, its per-patient state, what it
 * does in each cycle, the per-patient columns it leaves in the output file
 * and the costs it adds. It is registered by one line in models/modules.h
 * (the order of that list is the order modules act within a cycle). Nothing
 * else is edited: the loader keeps the module's parameter values
 * (`modules: {NAME: {key: value}}`, params/params.h), the model checks them
 * against the declaration below, the patient loop calls the module, and the
 * writer stores its columns under patients/.
 *
 * What a module may do in a living patient's cycle, before the infection
 * draw (modules act in registration order):
 *   - add a cost (undiscounted; the patient's accounts discount it), and a
 *     QALY loss (undiscounted, applied by the accounts like a cost);
 *   - change the cycle's infection rate: multiply rate_ratio_all (every
 *     episode's rate) and rate_ratio_serious (serious episodes' rate) by its
 *     own ratios, as IVIG does from the patient's IgG trough. Ratios of 1
 *     (the common case) draw the episodes from the precomputed tables, so a
 *     scenario without such a module runs as fast as before and gives the
 *     same results; other ratios draw the Poisson count on the fly from the
 *     same uniform (models/infections.h), so a patient's counts fall as the
 *     ratio falls (common random numbers);
 *   - thin episodes: give, per infection type, the probability that an
 *     episode of that type is prevented this cycle. Modules thin in
 *     registration order on the episode's one "prevented" uniform: module k
 *     takes the slice [lo, lo + (1 - lo) p_k) of it, lo being what
 *     vaccination and earlier modules took. So each module's prevention is
 *     independent of the others', a patient keeps a subset of the episodes of
 *     the course without the module (common random numbers), and a module
 *     that prevents nothing changes nothing;
 *   - hear of each episode it prevented (to count it).
 * After a cycle with episodes it hears how many there were (IVIG's policy
 * after recurrent infection). At the end of the course it writes its
 * per-patient column values.
 *
 * A module that draws random numbers declares its own stream purpose
 * (base/rng.h: a number no core purpose and no other module uses; new
 * modules take IPSIM_PURPOSE_MODULE_FIRST and up) and draws at (patient,
 * cycle, purpose, draw) with ipsim_rng_uniform4, so its numbers are the same
 * whatever the thread, and adding a module changes no other's draws.
 *
 * Antibiotic prophylaxis (models/antibiotics.c), IVIG (models/ivig.c) and
 * vaccination (models/vaccination.c) are modules.
 *
 * Hooks must be pure functions of their arguments (no globals, no I/O, no
 * allocation): they run on many threads, and results must not depend on
 * the thread or the block. */
#ifndef IPSIM_MODULE_H
#define IPSIM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "base/rng.h"
#include "models/infections.h"
#include "params/params.h"

/* A parameter the module declares: `modules.NAME.key` in a parameter file. */
typedef struct ipsim_module_param {
    const char *key;      /* plain name */
    double default_value; /* used when the file does not give it */
    double min, max;      /* inclusive range */
    bool integer;         /* whole numbers only (a code, a count of months) */
    const char *unit;
    const char *doc;      /* meaning, and the source of the default or "assumption" */
} ipsim_module_param;

/* A value the module keeps per patient: written as patients/NAME (one
 * value per patient) and/or, for a count, summed over each replicate's
 * patients into the summary (ipsim_summary.module_sums). A summed column
 * reaches the file through a row of the format table that reads it
 * (summary/vaccine_doses, summary/ivig_patient_months); a module cannot yet
 * declare a summary row of its own. */
typedef struct ipsim_module_column {
    const char *name; /* dataset name: unique among the file's datasets */
    bool integer;     /* a count: int32 per patient, int64 sums; otherwise float64 */
    bool per_patient; /* write patients/NAME */
    bool summed;      /* the summary keeps its replicate sum (integer columns only) */
    const char *unit;
    const char *doc;  /* the dataset's long name */
} ipsim_module_column;

/* Room a module may use: its tables live in the model, its state on the
 * patient loop's stack. */
enum {
    IPSIM_MODULE_TABLES_MAX = 512, /* bytes */
    IPSIM_MODULE_STATE_MAX = 128,  /* bytes */
    IPSIM_MODULE_PARAMS_MAX = 16,  /* parameters per module */
    IPSIM_MODULES_MAX = 8,         /* modules in one model */
    IPSIM_MODULE_COLUMNS_MAX = 16  /* per-patient columns of all modules together */
};

/* Stream purposes from this number up are for modules (base/rng.h has
 * the core ones). */
enum { IPSIM_PURPOSE_MODULE_FIRST = 32 };

/* The patient, as every hook sees it. */
typedef struct ipsim_module_patient {
    ipsim_stream stream; /* the replicate's */
    uint64_t patient;    /* index, for ipsim_rng_uniform4 */
    int baseline_grade;
    double weight_kg;
    double calendar_u;   /* the uniform that places the diagnosis in the calendar year */
} ipsim_module_patient;

/* One living patient's cycle as a module sees it. */
typedef struct ipsim_module_cycle {
    const ipsim_module_patient *patient;
    int64_t cycle, month; /* cycle index, and its first month after diagnosis */
    int grade, phase;     /* at the cycle's start (ipsim_grade, ipsim_phase) */
    /* In: the patient's own polyclonal IgG at the cycle's start, g/L,
     * excluding any paraprotein and any immunoglobulin given (what an IVIG
     * eligibility rule reads). */
    double igg_g_per_l;
    /* In: an earlier module (antibiotic prophylaxis) has the patient on
     * prophylactic antibiotics this cycle; out: set it to say so (false at
     * the first module). Read by later modules, such as an IVIG policy that
     * requires infections despite prophylaxis. */
    bool on_antibiotics;
    /* In/out: the patient's response to a pneumococcal (polysaccharide)
     * vaccine is known to have failed; kept from cycle to cycle (false at
     * diagnosis). Vaccination sets it in the cycle of a dose that does not
     * take, so a module before it in the order (IVIG, whose policy can
     * require it) reads it from the next cycle on: about when a response
     * would be measured. */
    bool vaccine_failed;
    /* Out: probability that an episode of each type is prevented this cycle,
     * [IPSIM_INFECTION_TYPES] (zeroed before the call). */
    double *prevented;
    double cost; /* out: cost added this cycle, undiscounted (zeroed before the call) */
    /* Out: QALYs lost this cycle, undiscounted (zeroed before the call); the
     * accounts discount it and subtract it, as they add a cost. */
    double qaly_loss;
    /* In/out: the cycle's infection rate ratios, for every episode and for
     * serious episodes (1 at the first module). A module multiplies them by
     * its own; each is at least 0. */
    double rate_ratio_all, rate_ratio_serious;
    /* Out: the immunoglobulin dose level given this cycle, 0 none (set by
     * IVIG, models/ivig.h, which decodes it into grams); the patient's
     * per-cycle `ivig` row records it. */
    int ivig_level;
    /* In, for the episodes hook: the cycle's episodes that were not
     * prevented, by type, and the serious ones among them. */
    int type_episodes[IPSIM_INFECTION_TYPES], type_serious[IPSIM_INFECTION_TYPES];
} ipsim_module_cycle;

typedef struct ipsim_module {
    const char *name; /* [a-z0-9_]: the parameters' section under modules: */
    const ipsim_module_param *params;
    int param_count;
    const ipsim_module_column *columns;
    int column_count;
    size_t tables_size, state_size; /* at most IPSIM_MODULE_TABLES_MAX, _STATE_MAX */
    int purpose; /* its random stream purpose; 0 if it draws nothing */

    /* Builds the tables from the parameter values (`values`, in the order of
     * `params`, defaults filled in and ranges checked) and the whole set.
     * Sets *active to false when the module has nothing to do in this
     * scenario: the loop then never calls it and its columns are all 0.
     * Errors: IPSIM_EPARAM for values each in range but together invalid. */
    int (*init)(void *tables, const double *values, const ipsim_params *p, bool *active,
                ipsim_error *err);
    /* A new patient's state (zeroed before the call); may be NULL. */
    void (*start)(const void *tables, void *state, const ipsim_module_patient *patient);
    /* One living patient's cycle; may be NULL. */
    void (*cycle)(const void *tables, void *state, ipsim_module_cycle *c);
    /* An episode of `type` this module prevented; may be NULL. */
    void (*prevented)(const void *tables, void *state, int type);
    /* After a cycle in which the patient had episodes (all, and serious,
     * that were not prevented); may be NULL. */
    void (*episodes)(const void *tables, void *state, const ipsim_module_cycle *c, int episodes,
                     int serious);
    /* The patient's column values, in the order of `columns`. */
    void (*finish)(const void *tables, const void *state, double *columns);
} ipsim_module;

/* One module as built into a model. */
typedef struct ipsim_module_slot {
    const ipsim_module *module;
    int first_column; /* its first column in ipsim_patient_record.module_columns */
    bool active;
    _Alignas(max_align_t) unsigned char tables[IPSIM_MODULE_TABLES_MAX];
} ipsim_module_slot;

/* The modules of a model, built from a registry and a parameter set. */
typedef struct ipsim_modules {
    int count;        /* registered modules, active or not */
    int column_count; /* their columns together */
    /* The slots the loop calls, in order: every active one (start, finish),
     * those with a cycle hook, those with an episodes hook. */
    int active_count, cycling_count, counting_count;
    int active[IPSIM_MODULES_MAX], cycling[IPSIM_MODULES_MAX], counting[IPSIM_MODULES_MAX];
    ipsim_module_slot slots[IPSIM_MODULES_MAX];
} ipsim_modules;

/* The modules ipsim ships (models/modules.h), in the order they act within
 * a cycle; NULL-terminated. */
extern const ipsim_module *const ipsim_registered_modules[];

/* Builds `registry` (NULL-terminated) against the parameter set: every
 * module's declaration is checked (sizes, names), every `modules.NAME.key`
 * value of the set must name a registered module's parameter and lie in its
 * range, and each module's init is called. Errors: IPSIM_EPARAM naming the
 * value's file, line and key (listing the module's keys); IPSIM_EINTERNAL for a
 * declaration that breaks the limits above (sizes, a name, purpose or
 * column name used twice). */
int ipsim_modules_init(ipsim_modules *m, const ipsim_module *const *registry,
                       const ipsim_params *p, ipsim_error *err);

/* The reference of the registry's module-declared parameters, in the form
 * of docs/parameters.md: a section per module that declares any
 * (modules.NAME.key), nothing when none does. `ipsim params` prints it after
 * the schema's reference. */
void ipsim_modules_write_reference(FILE *out, const ipsim_module *const *registry);

/* The slots of a registry's modules without building them (every module
 * inactive): enough to list their columns. */
void ipsim_modules_declare(ipsim_modules *m, const ipsim_module *const *registry);

/* The index of the column `name` among a registry's columns (every
 * module's, active or not, in order), or -1. */
int ipsim_modules_column_index(const ipsim_module *const *registry, const char *name);

/* The column `index` (0 <= index < column_count) of the model's modules. */
const ipsim_module_column *ipsim_modules_column(const ipsim_modules *m, int index);

#endif
