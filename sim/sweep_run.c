/* sim/sweep_run.c: the sweep engine of sim/sweep_run.h: the checkpoint
 * directory and the resume rule, the scenarios' runs on the ranks, the
 * /sweep table written and read back, the assembly, and the merge. */
#define _POSIX_C_SOURCE 200809L
#include "sim/sweep_run.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/comparison.h"
#include "analysis/paired.h"
#include "analysis/sweep_decision.h"
#include "base/atomic_file.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "params/loader.h"
#include "params/psa.h"
#include "sim/progress.h"
#include "sim/run.h"

/* ---- the assembly ------------------------------------------------------------------- */

/* Writes /sweep/layout [point, strategy]: the scenario of each strategy at
 * each point, which gives the coordinates `point` and `strategy`. */
static int write_layout(ipsim_h5_writer *w, const ipsim_sweep *sw, ipsim_error *err)
{
    const int P = sw->points, S = sw->strategies;
    const char **points = malloc((size_t)P * sizeof *points);
    const char **strategies = malloc((size_t)S * sizeof *strategies);
    double *index = malloc((size_t)P * (size_t)S * sizeof *index);
    int rc = points && strategies && index
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep table");
    for (int p = 0; !rc && p < P; p++)
        points[p] = sw->point[p];
    for (int j = 0; !rc && j < S; j++)
        strategies[j] = sw->strategy[j];
    for (int k = 0; !rc && k < P * S; k++)
        index[k] = k;
    const ipsim_h5_axis axes[2] = {
        {"point", P, points, NULL, "the sweep's points: settings of the values it varies", NULL},
        {"strategy", S, strategies, NULL,
         "the options compared at each point (\"\" for a sweep without strategies)", NULL}};
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "sweep", "layout", 2, axes, index,
                                         "the index in `scenario` of each strategy at each point",
                                         NULL, err);
    free(points);
    free(strategies);
    free(index);
    return rc;
}

/* Writes /sweep: the scenarios in sweep order, the keys varied, each key's
 * values (as strings, and as numbers where they are), the fingerprint and
 * which part of the sweep the file holds. */
static int write_sweep_table(ipsim_h5_writer *w, const ipsim_sweep *sw, int part, int parts,
                             ipsim_error *err)
{
    const int S = sw->study.count, K = sw->keys;
    const char **names = malloc((size_t)S * sizeof *names);
    const char **keys = malloc((size_t)K * sizeof *keys);
    const char **column = malloc((size_t)S * sizeof *column);
    double *numbers = malloc((size_t)S * (size_t)K * sizeof *numbers);
    int rc = names && keys && column && numbers
                 ? IPSIM_OK
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep table");
    for (int s = 0; !rc && s < S; s++)
        names[s] = sw->study.scenarios[s].name;
    for (int k = 0; !rc && k < K; k++)
        keys[k] = sw->key[k];
    const ipsim_h5_axis axes[2] = {
        {"scenario", S, names, NULL, "the sweep's scenarios, in order", NULL},
        {"key", K, keys, NULL, "the parameters the sweep varies", NULL}};
    for (int k = 0; !rc && k < K; k++) {
        for (int s = 0; s < S; s++) {
            column[s] = sw->value[s][k];
            char *end;
            double v = strtod(column[s], &end);
            numbers[s * K + k] = end != column[s] && *end == '\0' ? v : NAN;
        }
        rc = ipsim_h5_writer_write_strings(w, "sweep", sw->key[k], &axes[0], column,
                                           "the value of this key in each scenario, as written",
                                           err);
    }
    if (!rc)
        rc = ipsim_h5_writer_write_table(w, "sweep", "value", 2, axes, numbers,
                                         "each scenario's value of each key (NaN: not a number)",
                                         NULL, err);
    if (!rc)
        rc = write_layout(w, sw, err);
    char label[32];
    snprintf(label, sizeof label, "%d/%d", part, parts);
    if (!rc)
        rc = ipsim_h5_writer_set_attribute(w, "sweep", "fingerprint", sw->fingerprint, err);
    if (!rc)
        rc = ipsim_h5_writer_set_attribute(w, "sweep", "part", label, err);
    free(names);
    free(keys);
    free(column);
    free(numbers);
    return rc;
}

/* The decision at each point of a whole sweep (analysis/sweep_decision.h),
 * from its scenarios as written in w's unfinished file and the per-patient
 * sums `pairs` (NULL: read here): stored under /sweep, staged as CSV in
 * `csv`, printed unless quiet. */
static int compare_points(ipsim_h5_writer *w, const ipsim_sweep *sw, ipsim_csv_set *csv,
                          const ipsim_difference *pairs, const ipsim_sweep_settings *settings,
                          ipsim_error *err)
{
    const int count = sw->study.count;
    ipsim_h5_reader **readers = NULL;
    ipsim_sweep_decision decision = {0};
    int rc = ipsim_run_read_back(w, count, &readers, err);
    if (!rc)
        rc = ipsim_sweep_decision_compute(&decision, sw, readers, pairs, settings->cancel, err);
    ipsim_run_close_read_back(readers, count);
    if (!rc)
        rc = ipsim_h5_writer_resume(w, err);
    if (!rc)
        rc = ipsim_sweep_decision_write_h5(&decision, w, err);
    if (!rc && settings->csv_dir)
        rc = ipsim_sweep_decision_csv(&decision, settings->wtp, settings->wtp_count, csv, err);
    if (!rc && settings->csv_dir)
        rc = ipsim_csv_set_stage(csv, settings->csv_dir, err);
    if (!rc && !settings->quiet) {
        printf("\n");
        ipsim_sweep_decision_print(stdout, &decision, settings->wtp, settings->wtp_count);
    }
    ipsim_sweep_decision_free(&decision);
    return rc;
}

/* The target under construction: its writer (unfinished file) and the
 * names of the scenarios it holds. */
typedef struct assembly {
    ipsim_h5_writer *w;
    const char **names;
    int n;
} assembly;

/* Begins `target` with the scenarios of the sweep that `include` marks
 * (non-zero), each copied from the file sources[s], the PSA draws (NULL:
 * drawn here, as a merge must) and the /sweep table. */
static int assembly_begin(assembly *a, const char *target, const ipsim_sweep *sw,
                          const unsigned char *include, const char *const *sources,
                          const double *draws, int part, int parts,
                          const ipsim_sweep_settings *settings, ipsim_error *err)
{
    const ipsim_study *study = &sw->study;
    const ipsim_params *first = &study->scenarios[0];
    *a = (assembly){.names = malloc((size_t)study->count * sizeof *a->names)};
    double *drawn_here = NULL;
    int rc = a->names ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    for (int s = 0; !rc && s < study->count; s++)
        if (include[s])
            a->names[a->n++] = study->scenarios[s].name;
    char created[32];
    ipsim_run_utc_now(created, sizeof created);
    const ipsim_run_info info = ipsim_run_info_of(study, settings->command_line, created);
    if (!rc)
        rc = ipsim_h5_writer_create(&a->w, target, &info, a->names, a->n, err);
    char assembling[IPSIM_MESSAGE_MAX];
    snprintf(assembling, sizeof assembling, "while assembling '%s'", target);
    for (int s = 0; !rc && s < study->count; s++) {
        rc = ipsim_error_cancelled(settings->cancel, err, assembling);
        if (!rc && include[s])
            rc = ipsim_h5_writer_copy_scenario(a->w, sources[s], study->scenarios[s].name,
                                               settings->cancel, err);
    }
    if (!rc && first->psa.sample && ipsim_psa_dimension(first) > 0) {
        if (!draws)
            rc = ipsim_run_draw_parameters(study, settings->cancel, &drawn_here, err);
        if (!rc)
            rc = ipsim_run_write_draws(a->w, first, draws ? draws : drawn_here, err);
    }
    if (!rc)
        rc = write_sweep_table(a->w, sw, part, parts, err);
    free(drawn_here);
    return rc;
}

/* Finishes the target: a whole sweep (parts == 1) of two or more
 * scenarios is compared (with the per-patient sums `pairs` if read
 * already), then the file is committed, and its tables with it. Frees a's
 * contents whatever happens. */
static int assembly_finish(assembly *a, const char *target, const ipsim_sweep *sw, int parts,
                           const ipsim_difference *pairs, const ipsim_sweep_settings *settings,
                           ipsim_error *err)
{
    ipsim_csv_set csv = {0};
    int rc = IPSIM_OK;
    if (parts == 1 && sw->points >= 2)
        rc = compare_points(a->w, sw, &csv, pairs, settings, err);
    else if (parts == 1 && a->n >= 2)
        rc = ipsim_run_compare(a->w, a->n, target, settings->csv_dir, &csv, settings->wtp,
                               settings->wtp_count, settings->quiet, pairs, settings->cancel,
                               err);
    if (!rc)
        rc = ipsim_error_cancelled(settings->cancel, err, "before the file was complete");
    /* The file first, then its tables: both, or neither (a failed rename
     * of the tables after the file's is reported). */
    if (!rc) {
        rc = ipsim_h5_writer_commit(a->w, err);
        a->w = NULL;
    }
    if (!rc)
        rc = ipsim_csv_set_commit(&csv, err);
    ipsim_csv_set_free(&csv);
    return rc;
}

static void assembly_free(assembly *a)
{
    ipsim_h5_writer_discard(a->w);
    free(a->names);
    *a = (assembly){0};
}

/* Builds `target` from the scenarios of the sweep that `include` marks,
 * each copied from the file sources[s], with the PSA draws (NULL: drawn
 * here, as a merge must). A whole sweep (parts == 1) of two or more
 * scenarios is also compared. */
static int assemble(const char *target, const ipsim_sweep *sw, const unsigned char *include,
                    const char *const *sources, const double *draws, int part, int parts,
                    const ipsim_sweep_settings *settings, ipsim_error *err)
{
    assembly a;
    int rc = assembly_begin(&a, target, sw, include, sources, draws, part, parts, settings, err);
    if (!rc)
        rc = assembly_finish(&a, target, sw, parts, NULL, settings, err);
    assembly_free(&a);
    return rc;
}

/* ---- the comparison's sums, on the ranks ------------------------------------------------ */

/* A whole sweep's comparison reads every patient's outcomes (no PSA, with
 * per-patient records): each of its groups (the strategies of a point; or,
 * for a sweep compared as a study, every scenario) pairs its first
 * scenario with each other (or, alone, with itself). Those reads are the
 * bulk of its cost, so the ranks share them out, one pair each in turn,
 * reading the scenarios' own finished files; rank 0, which meanwhile
 * copies the scenarios into the target, takes none when there are others.
 * Returns the size of the groups, or 0 when no group's comparison reads
 * patients (or there is no comparison). */
static int comparison_group(const ipsim_sweep *sw, int parts)
{
    const int count = sw->study.count;
    const int group = sw->points >= 2 ? sw->strategies : count;
    if (parts != 1 || count < 2 || group < 1)
        return 0;
    for (int first = 0; first < count; first += group)
        if (ipsim_comparison_reads_patients(&sw->study.scenarios[first], group))
            return group;
    return 0;
}

/* This rank's pairs: row s of pairs (zeroed, [count][IPSIM_OUTCOMES]) gets
 * the sums of scenario s against its group's first. */
static int compute_pairs(const ipsim_sweep_plan *plan, int group, ipsim_difference *pairs,
                         ipsim_error *err)
{
    const ipsim_ranks *ranks = plan->settings->ranks;
    const int count = plan->sweep->study.count;
    const int workers = ranks->size > 1 ? ranks->size - 1 : 1;
    const int me = ranks->size > 1 ? ranks->rank - 1 : 0;
    int rc = IPSIM_OK;
    for (int s = 0, k = 0; s < count && !rc; s++) {
        const int first = s - s % group;
        if ((s == first && group > 1) || /* the reference, compared with the others */
            !ipsim_comparison_reads_patients(&plan->sweep->study.scenarios[first], group))
            continue;
        if (k++ % workers != me)
            continue;
        ipsim_h5_reader *a = NULL, *b = NULL;
        bool paired;
        rc = ipsim_h5_reader_open(&a, plan->sources[first], err);
        if (!rc && s != first)
            rc = ipsim_h5_reader_open(&b, plan->sources[s], err);
        if (!rc)
            rc = ipsim_paired_compare(a, b ? b : a, pairs + (size_t)s * IPSIM_OUTCOMES, &paired,
                                      plan->settings->cancel, err);
        if (rc)
            ipsim_error_prefix(err, "comparing scenario '%s': ",
                               plan->sweep->study.scenarios[s].name);
        ipsim_h5_reader_close(b);
        ipsim_h5_reader_close(a);
    }
    return rc;
}

/* ---- the checkpoint directory ---------------------------------------------------------- */

/* The directory of finished scenarios: `.BASE.ipsim-sweep` beside target. */
static void checkpoint_directory(const char *target, char *buf, size_t size)
{
    const char *slash = strrchr(target, '/');
    int dir = slash ? (int)(slash - target + 1) : 0;
    snprintf(buf, size, "%.*s.%s.ipsim-sweep", dir, target, target + dir);
}

/* The resume rule: true if the finished file of scenario p is there and
 * holds exactly p. */
static int finished(const char *path, const ipsim_params *p)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    ipsim_error ignored;
    ipsim_error_clear(&ignored);
    ipsim_h5_reader *r = NULL;
    if (ipsim_h5_reader_open(&r, path, &ignored) != IPSIM_OK)
        return 0;
    char *stored = NULL, *wanted = NULL;
    int same = ipsim_h5_reader_scenario_count(r) == 1 &&
               ipsim_params_to_yaml(ipsim_h5_reader_params(r), &stored, &ignored) == IPSIM_OK &&
               ipsim_params_to_yaml(p, &wanted, &ignored) == IPSIM_OK &&
               strcmp(stored, wanted) == 0;
    free(stored);
    free(wanted);
    ipsim_h5_reader_close(r);
    return same;
}

/* How many finished scenario files the directory holds. */
static int count_checkpoints(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        n += e->d_name[0] != '.' && len > 3 && strcmp(e->d_name + len - 3, ".h5") == 0;
    }
    closedir(d);
    return n;
}

/* Rank 0 looks at the directory and decides, the others follow: refuses
 * to overwrite a stopped sweep's finished scenarios unless resuming, and
 * creates the directory. */
static int open_directory(const ipsim_sweep_plan *plan, ipsim_error *err)
{
    const ipsim_ranks *ranks = plan->settings->ranks;
    const int lead = ranks->rank == 0;
    const char *dir = plan->directory;
    int existing = lead ? count_checkpoints(dir) : 0;
    ipsim_ranks_broadcast(ranks, &existing, sizeof existing);
    if (existing && !plan->settings->resume)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "a stopped sweep left %d finished scenario%s in '%s': add --resume to "
                          "run only the rest, or remove the directory to start again",
                          existing, existing == 1 ? "" : "s", dir);
    int made = !lead || mkdir(dir, 0777) == 0 || errno == EEXIST ? 0 : errno;
    ipsim_ranks_broadcast(ranks, &made, sizeof made);
    if (made)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot create '%s' for the sweep's scenarios: %s", dir,
                          strerror(made));
    return IPSIM_OK;
}

/* Marks each scenario of the part to run (1) or, resuming, finished (2),
 * and names its file; rank 0 decides, the others follow. */
static int choose_scenarios(ipsim_sweep_plan *plan, ipsim_error *err)
{
    const ipsim_sweep_settings *settings = plan->settings;
    const ipsim_study *study = &plan->sweep->study;
    const ipsim_ranks *ranks = settings->ranks;
    const int lead = ranks->rank == 0;
    int rc = IPSIM_OK;
    for (int s = 0; s < study->count && !rc; s++) {
        plan->include[s] = ipsim_sweep_in_part(s, settings->part, settings->parts);
        if (!plan->include[s])
            continue;
        size_t size = strlen(plan->directory) + 32;
        plan->sources[s] = malloc(size);
        if (!plan->sources[s]) {
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
            break;
        }
        snprintf(plan->sources[s], size, "%s/%05d.h5", plan->directory, s);
        if (lead && settings->resume && finished(plan->sources[s], &study->scenarios[s]))
            plan->include[s] = 2;
    }
    if (ipsim_ranks_max(ranks, rc))
        return rc ? rc : IPSIM_FAIL(err, IPSIM_ENOMEM, "another rank could not allocate the sweep");
    ipsim_ranks_broadcast(ranks, plan->include, (size_t)study->count);
    for (int s = 0; s < study->count; s++) {
        plan->skipped += plan->include[s] == 2;
        plan->todo += plan->include[s] == 1;
    }
    return IPSIM_OK;
}

/* ---- ipsim sweep ------------------------------------------------------------------------ */

int ipsim_sweep_prepare(ipsim_sweep_plan *plan, const ipsim_sweep *sw, const char *target,
                        const ipsim_sweep_settings *settings, ipsim_error *err)
{
    *plan = (ipsim_sweep_plan){.sweep = sw, .settings = settings, .target = target};
    const ipsim_study *study = &sw->study;
    const ipsim_params *first = &study->scenarios[0];
    checkpoint_directory(target, plan->directory, sizeof plan->directory);

    /* Every model is built, and every PSA draw checked, before anything
     * runs; and the sweep must fit. */
    plan->include = calloc((size_t)study->count, sizeof *plan->include);
    plan->sources = calloc((size_t)study->count, sizeof *plan->sources);
    double memory = 0, output = 0;
    int rc = plan->include && plan->sources
                 ? ipsim_run_check_study(study, settings->threads, settings->block_patients,
                                         settings->cancel, &memory, &output, err)
                 : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    if (!rc && first->psa.sample && ipsim_psa_dimension(first) > 0)
        rc = ipsim_run_draw_parameters(study, settings->cancel, &plan->draws, err);
    /* The part's share of the output, twice: the scenarios' own files stay
     * until the target, assembled from them, is complete. (Every rank
     * checks, so that all stop together; rank 0 alone warns.) */
    if (!rc)
        rc = ipsim_run_check_resources(first, memory, 2 * output / settings->parts, target,
                                       settings->quiet || settings->ranks->rank != 0, err);
    if (!rc)
        rc = open_directory(plan, err);
    if (!rc)
        rc = choose_scenarios(plan, err);
    return rc;
}

/* Runs scenario s into its own file: on this process alone (shared 0),
 * or on every rank of an MPI job, which share its blocks (shared 1). */
static int run_one(const char *path, const ipsim_sweep *sw, int s, const double *draws,
                   const ipsim_run_settings *run_settings, const ipsim_sweep_settings *settings,
                   const char *created, int shared, ipsim_error *err)
{
    const ipsim_params *p = &sw->study.scenarios[s];
    const ipsim_run_info info = ipsim_run_info_of(&sw->study, settings->command_line, created);
    const char *name = p->name;
    ipsim_h5_writer *w = NULL;
    const ipsim_ranks alone = {.rank = 0, .size = 1};
    const ipsim_ranks *ranks = shared ? settings->ranks : &alone;
    int rc = ipsim_h5_writer_create_shared(&w, ranks, path, &info, &name, 1, err);
    if (!rc)
        rc = ipsim_run_scenario_shared(w, ranks, p, draws, run_settings, err);
    if (!rc) {
        rc = ipsim_h5_writer_commit(w, err);
        w = NULL;
    }
    ipsim_h5_writer_discard(w);
    if (rc)
        ipsim_error_prefix(err, "scenario '%s': ", p->name);
    return rc;
}

int ipsim_sweep_run_scenarios(ipsim_sweep_plan *plan, ipsim_error *err)
{
    const ipsim_sweep_settings *settings = plan->settings;
    const ipsim_sweep *sw = plan->sweep;
    const ipsim_ranks *ranks = settings->ranks;
    const ipsim_params *first = &sw->study.scenarios[0];
    /* One time for every rank's files: their attributes must agree. */
    char created[32] = "";
    ipsim_run_utc_now(created, sizeof created);
    ipsim_ranks_broadcast(ranks, created, sizeof created);

    ipsim_progress bar;
    ipsim_progress_init(&bar, stderr, settings->quiet || ranks->rank != 0, settings->progress_every,
                        "sweeping");
    const int64_t per_scenario = first->cohort.patients * first->cohort.replicates *
                                 first->cohort.horizon_months;
    ipsim_run_settings run_settings = {.threads = settings->threads,
                                       .block_patients = settings->block_patients,
                                       .cancel = settings->cancel,
                                       .progress = &bar,
                                       .progress_total = plan->todo * per_scenario};
    /* With R ranks, whole scenarios go to the ranks in turn, each into its
     * own file with the rank's threads, independently: no collective I/O at
     * all. The last (todo mod R) scenarios, too few to go round, are shared
     * block by block by every rank, through parallel HDF5. */
    const int alone_count = plan->todo / ranks->size * ranks->size;
    int done = 0, done_alone = 0, rc = IPSIM_OK;
    for (int phase = 0; phase < 2; phase++) {
        for (int s = 0, k = 0; s < sw->study.count && !rc; s++) {
            if (plan->include[s] != 1)
                continue;
            const int shared = k >= alone_count;
            const int mine = shared ? phase == 1 : phase == 0 && k % ranks->size == ranks->rank;
            k++;
            if (!mine)
                continue;
            run_settings.progress_offset = done * per_scenario;
            ipsim_progress_scenario(&bar, k, plan->todo, sw->study.scenarios[s].name);
            rc = run_one(plan->sources[s], sw, s, plan->draws, &run_settings, settings, created,
                         shared, err);
            done += rc ? 0 : 1;
            done_alone += rc || shared ? 0 : 1;
        }
        /* Every rank, once per phase: go on together or stop together. */
        if (ipsim_ranks_max(ranks, rc) && !rc)
            rc = IPSIM_FAIL(err,
                            settings->cancel && *settings->cancel ? IPSIM_EINTERRUPTED : IPSIM_EIO,
                            "stopped: another rank failed or was interrupted");
    }
    /* Scenarios finished by this run: each rank's own, and the shared ones
     * (which every rank counted) once. */
    int64_t finished_alone = done_alone;
    ipsim_ranks_sum(ranks, &finished_alone, 1);
    plan->finished_now = (int)finished_alone + (done - done_alone);
    ipsim_progress_finish(&bar);
    return rc;
}

int ipsim_sweep_assemble(const ipsim_sweep_plan *plan, ipsim_error *err)
{
    const ipsim_sweep_settings *settings = plan->settings;
    const ipsim_ranks *ranks = settings->ranks;
    const ipsim_sweep *sw = plan->sweep;
    const int lead = ranks->rank == 0;
    /* Rank 0 copies the finished scenarios into the target while the
     * others read them for the comparison's sums (all ranks wait for
     * the last of those, a reduction); then rank 0 alone compares from
     * those sums and commits the target. */
    const int group = comparison_group(sw, settings->parts);
    ipsim_difference *pairs =
        group ? calloc((size_t)sw->study.count * IPSIM_OUTCOMES, sizeof *pairs) : NULL;
    /* Without memory anywhere for them, rank 0 reads them itself. */
    if (ipsim_ranks_max(ranks, group && !pairs)) {
        free(pairs);
        pairs = NULL;
    }
    int rc = IPSIM_OK;
    assembly a = {0};
    if (!rc && lead)
        rc = assembly_begin(&a, plan->target, sw, plan->include,
                            (const char *const *)plan->sources, plan->draws, settings->part,
                            settings->parts, settings, err);
    if (!rc && pairs && (!lead || ranks->size == 1))
        rc = compute_pairs(plan, group, pairs, err);
    if (pairs)
        ipsim_ranks_gather_owned(ranks, pairs,
                                 (size_t)sw->study.count * IPSIM_OUTCOMES * sizeof *pairs);
    const int others_failed = ipsim_ranks_max(ranks, rc != 0) && !rc;
    if (lead && others_failed)
        rc = IPSIM_FAIL(err,
                        settings->cancel && *settings->cancel ? IPSIM_EINTERRUPTED : IPSIM_EIO,
                        "stopped: another rank could not read the scenarios to compare them");
    if (!rc && lead)
        rc = assembly_finish(&a, plan->target, sw, settings->parts, pairs, settings, err);
    assembly_free(&a);
    free(pairs);
    if (!rc && lead)
        ipsim_remove_flat_directory(plan->directory);
    /* The target's outcome, as rank 0 saw it, for every rank. */
    int lead_rc = rc;
    ipsim_ranks_broadcast(ranks, &lead_rc, sizeof lead_rc);
    if (!lead && lead_rc && !rc)
        rc = IPSIM_FAIL(err, lead_rc, "rank 0 could not write '%s' (its message says why)",
                        plan->target);
    return rc;
}

void ipsim_sweep_plan_free(ipsim_sweep_plan *plan)
{
    if (plan->sources)
        for (int s = 0; s < plan->sweep->study.count; s++)
            free(plan->sources[s]);
    free(plan->sources);
    free(plan->include);
    free(plan->draws);
    plan->sources = NULL;
    plan->include = NULL;
    plan->draws = NULL;
}

/* ---- ipsim merge ---------------------------------------------------------------------- */

/* The parts read so far. */
typedef struct merge {
    ipsim_sweep sw;               /* the first part's sweep, its scenarios filled as found */
    int parts;                    /* the sweep's number of parts */
    int *seen_part;               /* [1..parts]: given already */
    unsigned char *include;       /* per scenario: found in a part */
    const char **sources;         /* per scenario: the part file holding it */
    ipsim_h5_reader **readers;    /* every scenario of every part, as opened */
    int count;
} merge;

/* Reads the part file `path` into the merge; the first part read (none
 * yet: parts 0) gives the sweep, which first_path names when another part
 * does not match it. */
static int add_part(merge *m, const char *path, const char *first_path, ipsim_error *err)
{
    int before = m->count;
    int rc = ipsim_h5_reader_open_all(path, &m->readers, &m->count, err);
    if (rc)
        return rc;
    ipsim_sweep mine = {0};
    rc = ipsim_sweep_read_table(m->readers[before], &mine, err);
    char *label = rc ? NULL : ipsim_h5_reader_root_attribute(m->readers[before], "sweep", "part");
    int part = 0, n = 0;
    if (!rc && (!label || !ipsim_sweep_part_parse(label, &part, &n) ||
                n > mine.study.count))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' is not part of a sweep", path);
    free(label);
    if (!rc && m->parts == 0) {
        m->sw = mine;
        memset(&mine, 0, sizeof mine);
        m->parts = n;
        m->seen_part = calloc((size_t)n + 1, sizeof *m->seen_part);
        m->include = calloc((size_t)m->sw.study.count, 1);
        m->sources = calloc((size_t)m->sw.study.count, sizeof *m->sources);
        if (!m->seen_part || !m->include || !m->sources)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the merge");
    } else if (!rc && (strcmp(mine.fingerprint, m->sw.fingerprint) != 0 || n != m->parts)) {
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "'%s' is part %d of %d of another sweep (or of the same sweep run "
                        "with other parameters) than '%s'",
                        path, part, n, first_path);
    }
    ipsim_sweep_free(&mine);
    if (!rc && m->seen_part[part]++)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "part %d of %d is given twice ('%s')", part, m->parts,
                        path);
    /* Each of its scenarios, found in the sweep's order. */
    ipsim_study *study = &m->sw.study;
    for (int r = before; !rc && r < m->count; r++) {
        const ipsim_params *p = ipsim_h5_reader_params(m->readers[r]);
        int s = 0;
        while (s < study->count && strcmp(study->scenarios[s].name, p->name) != 0)
            s++;
        if (s == study->count || m->include[s] || !ipsim_sweep_in_part(s, part, m->parts))
            return IPSIM_FAIL(err, IPSIM_EFORMAT,
                              "'%s' holds scenario '%s', which is not one of part %d of %d",
                              path, p->name, part, m->parts);
        study->scenarios[s] = *p;
        m->include[s] = 1;
        m->sources[s] = path;
    }
    return rc;
}

/* Every part given, and every scenario found. */
static int check_complete(const merge *m, ipsim_error *err)
{
    for (int k = 1; k <= m->parts; k++)
        if (!m->seen_part[k])
            return IPSIM_FAIL(err, IPSIM_EUSAGE, "part %d of %d is missing; give every part", k,
                              m->parts);
    for (int s = 0; s < m->sw.study.count; s++)
        if (!m->include[s])
            return IPSIM_FAIL(err, IPSIM_EFORMAT, "no part holds scenario '%s'",
                              m->sw.study.scenarios[s].name);
    return IPSIM_OK;
}

int ipsim_sweep_merge(const char *target, char *const *parts, int count,
                      const ipsim_sweep_settings *settings, int *scenarios, int *part_count,
                      ipsim_error *err)
{
    merge m = {0};
    int rc = IPSIM_OK;
    for (int f = 0; f < count && !rc; f++)
        rc = add_part(&m, parts[f], parts[0], err);
    if (!rc)
        rc = check_complete(&m, err);
    if (!rc) {
        char *study = ipsim_h5_reader_root_attribute(m.readers[0], "/", "study");
        snprintf(m.sw.study.name, sizeof m.sw.study.name, "%s", study ? study : "sweep");
        free(study);
    }
    for (int r = 0; r < m.count; r++)
        ipsim_h5_reader_close(m.readers[r]);
    free(m.readers);
    if (!rc)
        rc = assemble(target, &m.sw, m.include, m.sources, NULL, 1, 1, settings, err);
    *scenarios = m.sw.study.count;
    *part_count = m.parts;
    free(m.seen_part);
    free(m.include);
    free(m.sources);
    ipsim_sweep_free(&m.sw);
    return rc;
}
