/* sim/command_sweep.c: `ipsim sweep` and `ipsim merge`.
 *
 * A sweep runs each of its scenarios into a file of its own in a hidden
 * directory beside the target (`.TARGET.ipsim-sweep/`, one file per
 * scenario, each renamed into place only when complete), then assembles
 * the target from them: the scenario groups copied as they are, the PSA
 * draws, the table of scenarios and their values (/sweep) and, for a whole
 * sweep, the comparison. A stopped sweep keeps its finished scenarios
 * there, and `--resume` runs only the rest; `--part I/N` runs every N-th
 * scenario into a part file, and `ipsim merge` assembles parts the same
 * way. Every path ends in the one assembly, and a scenario's results
 * depend on its parameters alone (sim/run.h), so a resumed, split or
 * merged sweep holds the same datasets as one uninterrupted run. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "output/h5_reader.h"
#include "output/h5_writer.h"
#include "params/loader.h"
#include "params/psa.h"
#include "params/sweep.h"
#include "sim/cohort.h"
#include "sim/commands.h"
#include "sim/options.h"
#include "sim/run.h"
#include "sim/version.h"

/* Options beyond the shared ones. */
typedef struct sweep_options {
    int part, parts; /* 1/1 for a whole sweep */
    int resume;
    const char *csv_dir;
    double wtp[IPSIM_WTP_REPORT_MAX];
    int wtp_count;
} sweep_options;

static int parse_part(const char *text, sweep_options *so, ipsim_error *err)
{
    char *end;
    long i = strtol(text, &end, 10);
    long n = *end == '/' ? strtol(end + 1, &end, 10) : 0;
    if (*end || i < 1 || n < 1 || i > n || n > IPSIM_STUDY_MAX_SCENARIOS)
        return IPSIM_FAIL(err, IPSIM_EUSAGE,
                          "--part takes I/N, part I of N (1 <= I <= N), e.g. --part 2/8; got '%s'",
                          text);
    so->part = (int)i;
    so->parts = (int)n;
    return IPSIM_OK;
}

/* Takes --part, --resume, --csv and --wtp out of argv (those `allowed`). */
static int take_options(int *argc, char **argv, sweep_options *so, int allowed_part,
                        const char *usage, ipsim_error *err)
{
    *so = (sweep_options){.part = 1, .parts = 1, .wtp = {20000, 30000, 50000}, .wtp_count = 3};
    int kept = 0, rc = IPSIM_OK;
    for (int i = 0; i < *argc && !rc; i++) {
        const char *a = argv[i];
        int takes = strcmp(a, "--csv") == 0 || strcmp(a, "--wtp") == 0 ||
                    (allowed_part && strcmp(a, "--part") == 0);
        if (takes && i + 1 >= *argc)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s needs a value; %s", a, usage);
        else if (strcmp(a, "--csv") == 0)
            so->csv_dir = argv[++i];
        else if (strcmp(a, "--wtp") == 0)
            rc = ipsim_options_parse_wtp(argv[++i], so->wtp, IPSIM_WTP_REPORT_MAX, &so->wtp_count,
                                         err);
        else if (allowed_part && strcmp(a, "--part") == 0)
            rc = parse_part(argv[++i], so, err);
        else if (allowed_part && strcmp(a, "--resume") == 0)
            so->resume = 1;
        else
            argv[kept++] = argv[i];
    }
    *argc = kept;
    return rc;
}

/* ---- the assembly ------------------------------------------------------------------- */

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

/* Builds `target` from the scenarios of the sweep that `include` marks
 * (non-zero), each copied from the file sources[s], with the PSA draws
 * (NULL: drawn here, as a merge must). A whole sweep (parts == 1) of two or
 * more scenarios is also compared. */
static int assemble(const char *target, const ipsim_sweep *sw, const unsigned char *include,
                    const char *const *sources, const double *draws, int part, int parts,
                    const sweep_options *so, const ipsim_command_context *ctx, int quiet,
                    ipsim_error *err)
{
    const ipsim_study *study = &sw->study;
    const ipsim_params *first = &study->scenarios[0];
    const char **names = malloc((size_t)study->count * sizeof *names);
    double *drawn_here = NULL;
    ipsim_h5_writer *w = NULL;
    int n = 0;
    int rc = names ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    for (int s = 0; !rc && s < study->count; s++)
        if (include[s])
            names[n++] = study->scenarios[s].name;
    char created[32];
    ipsim_run_utc_now(created, sizeof created);
    ipsim_run_info info = {.ipsim_version = IPSIM_VERSION,
                           .command_line = ctx->command_line,
                           .created_utc = created,
                           .study_name = study->name,
                           .seed = first->seed};
    if (!rc)
        rc = ipsim_h5_writer_create(&w, target, &info, names, n, err);
    for (int s = 0; !rc && s < study->count; s++) {
        if (ctx->cancel && *ctx->cancel)
            rc = IPSIM_FAIL(err, IPSIM_EINTERRUPTED, "interrupted while assembling '%s'", target);
        else if (include[s])
            rc = ipsim_h5_writer_copy_scenario(w, sources[s], study->scenarios[s].name, err);
    }
    if (!rc && first->psa.sample && ipsim_psa_dimension(first) > 0) {
        if (!draws)
            rc = ipsim_run_draw_parameters(study, &drawn_here, err);
        if (!rc)
            rc = ipsim_run_write_draws(w, first, draws ? draws : drawn_here, err);
    }
    if (!rc)
        rc = write_sweep_table(w, sw, part, parts, err);
    if (!rc && parts == 1 && n >= 2)
        rc = ipsim_run_compare(w, n, target, so->csv_dir, so->wtp, so->wtp_count, quiet, err);
    if (!rc) {
        rc = ipsim_h5_writer_commit(w, err);
        w = NULL;
    }
    ipsim_h5_writer_discard(w);
    free(drawn_here);
    free(names);
    return rc;
}

/* ---- ipsim sweep ------------------------------------------------------------------------ */

/* The directory of finished scenarios: `.BASE.ipsim-sweep` beside target. */
static void checkpoint_directory(const char *target, char *buf, size_t size)
{
    const char *slash = strrchr(target, '/');
    int dir = slash ? (int)(slash - target + 1) : 0;
    snprintf(buf, size, "%.*s.%s.ipsim-sweep", dir, target, target + dir);
}

/* True if the finished file of scenario p is there and holds exactly p. */
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

/* Runs scenario s into its own file: on this process alone (shared 0),
 * or on every rank of an MPI job, which share its blocks (shared 1). */
static int run_one(const char *path, const ipsim_sweep *sw, int s, const double *draws,
                   const ipsim_run_settings *settings, const ipsim_command_context *ctx,
                   const char *created, int shared, ipsim_error *err)
{
    const ipsim_params *p = &sw->study.scenarios[s];
    ipsim_run_info info = {.ipsim_version = IPSIM_VERSION,
                           .command_line = ctx->command_line,
                           .created_utc = created,
                           .study_name = sw->study.name,
                           .seed = p->seed};
    const char *name = p->name;
    ipsim_h5_writer *w = NULL;
    const ipsim_ranks alone = {.rank = 0, .size = 1};
    const ipsim_ranks *ranks = shared ? ctx->ranks : &alone;
    int rc = ipsim_h5_writer_create_shared(&w, ranks, path, &info, &name, 1, err);
    if (!rc)
        rc = ipsim_run_scenario_shared(w, ranks, p, draws, settings, err);
    if (!rc) {
        rc = ipsim_h5_writer_commit(w, err);
        w = NULL;
    }
    ipsim_h5_writer_discard(w);
    if (rc)
        ipsim_error_prefix(err, "scenario '%s': ", p->name);
    return rc;
}

int ipsim_command_sweep(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err)
{
    ipsim_options o = {0};
    ipsim_sweep sw = {0};
    sweep_options so;
    double *draws = NULL;
    unsigned char *include = NULL; /* per scenario: 0 not in this part, 1 to run, 2 finished */
    char **sources = NULL;
    char target[IPSIM_PATH_MAX], dir[IPSIM_PATH_MAX + 32];
    int rc = take_options(&argc, argv, &so, 1, ctx->usage, err);
    if (!rc)
        rc = ipsim_options_parse(&o, argc, argv,
                                 IPSIM_OPT_OUTPUT | IPSIM_OPT_THREADS | IPSIM_OPT_BLOCK |
                                     IPSIM_OPT_QUIET | IPSIM_OPT_PARAMS_REQUIRED,
                                 ctx->usage, err);
    if (!rc)
        rc = ipsim_sweep_load(&sw, o.params_path, o.overrides, o.override_count, err);
    if (rc)
        goto cleanup;
    const ipsim_study *study = &sw.study;
    const ipsim_params *first = &study->scenarios[0];
    if (so.csv_dir && so.parts > 1) {
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "--csv writes the comparison of a whole sweep; give it to `ipsim "
                        "merge`, which compares the parts");
        goto cleanup;
    }
    if (o.output_path)
        snprintf(target, sizeof target, "%s", o.output_path);
    else if (so.parts > 1)
        snprintf(target, sizeof target, "%s.part-%d-of-%d.h5", study->name, so.part, so.parts);
    else
        snprintf(target, sizeof target, "%s.h5", study->name);
    checkpoint_directory(target, dir, sizeof dir);

    /* Every model is built, and every PSA draw checked, before anything
     * runs; and the sweep must fit. */
    include = calloc((size_t)study->count, sizeof *include);
    sources = calloc((size_t)study->count, sizeof *sources);
    const int threads = ipsim_cohort_threads(o.threads);
    double memory = 0, output = 0;
    rc = include && sources ? ipsim_run_check_study(study, threads, o.block_patients, &memory,
                                                    &output, err)
                            : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
    if (!rc && first->psa.sample && ipsim_psa_dimension(first) > 0)
        rc = ipsim_run_draw_parameters(study, &draws, err);
    /* The part's share of the output, twice: the scenarios' own files stay
     * until the target, assembled from them, is complete. (Every rank
     * checks, so that all stop together; rank 0 alone warns.) */
    if (!rc)
        rc = ipsim_run_check_resources(first, memory, 2 * output / so.parts, target,
                                       o.quiet || ctx->ranks->rank != 0, err);
    if (rc)
        goto cleanup;

    /* Rank 0 looks at the directory and decides; the others follow. */
    const ipsim_ranks *ranks = ctx->ranks;
    const int lead = ranks->rank == 0, quiet = o.quiet || !lead;
    int existing = lead ? count_checkpoints(dir) : 0;
    ipsim_ranks_broadcast(ranks, &existing, sizeof existing);
    if (existing && !so.resume) {
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                        "a stopped sweep left %d finished scenario%s in '%s': add --resume to "
                        "run only the rest, or remove the directory to start again",
                        existing, existing == 1 ? "" : "s", dir);
        goto cleanup;
    }
    int made = !lead || mkdir(dir, 0777) == 0 || errno == EEXIST ? 0 : errno;
    ipsim_ranks_broadcast(ranks, &made, sizeof made);
    if (made) {
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot create '%s' for the sweep's scenarios: %s", dir,
                        strerror(made));
        goto cleanup;
    }

    int todo = 0, skipped = 0;
    for (int s = 0; s < study->count && !rc; s++) {
        include[s] = ipsim_sweep_in_part(s, so.part, so.parts);
        if (!include[s])
            continue;
        size_t size = strlen(dir) + 32;
        sources[s] = malloc(size);
        if (!sources[s]) {
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
            break;
        }
        snprintf(sources[s], size, "%s/%05d.h5", dir, s);
        if (lead && so.resume && finished(sources[s], &study->scenarios[s]))
            include[s] = 2;
    }
    if (ipsim_ranks_max(ranks, rc)) {
        rc = rc ? rc : IPSIM_FAIL(err, IPSIM_ENOMEM, "another rank could not allocate the sweep");
        goto cleanup;
    }
    ipsim_ranks_broadcast(ranks, include, (size_t)study->count);
    for (int s = 0; s < study->count; s++) {
        skipped += include[s] == 2;
        todo += include[s] == 1;
    }
    if (!quiet) {
        printf("ipsim %s: sweep %s, %d scenarios", IPSIM_VERSION, study->name, study->count);
        if (so.parts > 1)
            printf(", part %d of %d", so.part, so.parts);
        printf("; %d to run", todo);
        if (skipped)
            printf(" (%d finished before, kept)", skipped);
        if (ranks->size > 1)
            printf(", %d MPI ranks of %d thread%s each\n", ranks->size, threads,
                   threads == 1 ? "" : "s");
        else
            printf(", %d thread%s\n", threads, threads == 1 ? "" : "s");
        fflush(stdout);
    }
    /* One time for every rank's files: their attributes must agree. */
    char created[32] = "";
    ipsim_run_utc_now(created, sizeof created);
    ipsim_ranks_broadcast(ranks, created, sizeof created);

    ipsim_progress bar;
    ipsim_progress_init(&bar, stderr, quiet, "sweeping");
    const int64_t per_scenario = first->cohort.patients * first->cohort.replicates *
                                 first->cohort.horizon_months;
    ipsim_run_settings settings = {.threads = threads,
                                   .block_patients = o.block_patients,
                                   .cancel = ctx->cancel,
                                   .progress = &bar,
                                   .progress_total = todo * per_scenario};
    double start = ipsim_seconds();
    /* With R ranks, whole scenarios go to the ranks in turn, each into its
     * own file with the rank's threads, independently: no collective I/O at
     * all. The last (todo mod R) scenarios, too few to go round, are shared
     * block by block by every rank, through parallel HDF5. */
    const int alone_count = todo / ranks->size * ranks->size;
    int done = 0, done_alone = 0;
    for (int phase = 0; phase < 2; phase++) {
        for (int s = 0, k = 0; s < study->count && !rc; s++) {
            if (include[s] != 1)
                continue;
            const int shared = k >= alone_count;
            const int mine = shared ? phase == 1 : phase == 0 && k % ranks->size == ranks->rank;
            k++;
            if (!mine)
                continue;
            settings.progress_offset = done * per_scenario;
            rc = run_one(sources[s], &sw, s, draws, &settings, ctx, created, shared, err);
            done += rc ? 0 : 1;
            done_alone += rc || shared ? 0 : 1;
        }
        /* Every rank, once per phase: go on together or stop together. */
        if (ipsim_ranks_max(ranks, rc) && !rc)
            rc = IPSIM_FAIL(err, ctx->cancel && *ctx->cancel ? IPSIM_EINTERRUPTED : IPSIM_EIO,
                            "stopped: another rank failed or was interrupted");
    }
    /* Scenarios finished by this run: each rank's own, and the shared ones
     * (which every rank counted) once. */
    int64_t finished_alone = done_alone;
    ipsim_ranks_sum(ranks, &finished_alone, 1);
    const int finished_now = (int)finished_alone + (done - done_alone);
    ipsim_progress_finish(&bar);
    if (rc) {
        if (rc == IPSIM_EINTERRUPTED && finished_now + skipped > 0 && lead)
            fprintf(stderr,
                    "ipsim: %d of the %d scenarios are finished and kept in '%s'; run the same "
                    "command with --resume to run the rest\n",
                    finished_now + skipped, todo + skipped, dir);
        goto cleanup;
    }
    double seconds = ipsim_seconds() - start;
    /* The target is assembled by rank 0 alone, from the finished files. */
    if (lead) {
        rc = assemble(target, &sw, include, (const char *const *)sources, draws, so.part,
                      so.parts, &so, ctx, o.quiet, err);
        if (!rc)
            ipsim_remove_flat_directory(dir);
    }
    int lead_rc = rc;
    ipsim_ranks_broadcast(ranks, &lead_rc, sizeof lead_rc);
    if (!lead && lead_rc)
        rc = IPSIM_FAIL(err, lead_rc, "rank 0 could not write '%s' (its message says why)",
                        target);
    if (rc)
        goto cleanup;
    if (!quiet) {
        printf("\nWall time %.2f s for %d scenario%s on ", seconds, finished_now,
               finished_now == 1 ? "" : "s");
        if (ranks->size > 1)
            printf("%d MPI ranks of ", ranks->size);
        printf("%d thread%s\nWrote %s%s%s\n", threads, threads == 1 ? "" : "s", target,
               so.csv_dir ? " and CSV tables in " : "", so.csv_dir ? so.csv_dir : "");
    }

cleanup:
    if (sources)
        for (int s = 0; s < sw.study.count; s++)
            free(sources[s]);
    free(sources);
    free(include);
    free(draws);
    ipsim_sweep_free(&sw);
    ipsim_options_free(&o);
    return rc;
}

/* ---- ipsim merge ---------------------------------------------------------------------- */

/* The sweep a part file belongs to, as written in its /sweep table: the
 * scenarios (parameters from their groups where the part holds them), the
 * keys and values, the fingerprint. */
static int read_sweep_table(ipsim_h5_reader *r, ipsim_sweep *sw, ipsim_error *err)
{
    char **names = NULL, **keys = NULL, **column = NULL;
    int64_t S = 0, K = 0, n = 0;
    int rc = ipsim_h5_reader_read_root_strings(r, "sweep/scenario", &names, &S, err);
    if (!rc)
        rc = ipsim_h5_reader_read_root_strings(r, "sweep/key", &keys, &K, err);
    if (!rc && (S < 1 || K < 1 || K > IPSIM_SWEEP_KEYS_MAX))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has a malformed sweep table",
                        ipsim_h5_reader_path(r));
    if (!rc) {
        sw->study.scenarios = calloc((size_t)S, sizeof *sw->study.scenarios);
        sw->value = calloc((size_t)S, sizeof *sw->value);
        if (!sw->study.scenarios || !sw->value)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the sweep");
        else
            sw->study.count = (int)S;
    }
    for (int64_t s = 0; !rc && s < S; s++)
        snprintf(sw->study.scenarios[s].name, sizeof sw->study.scenarios[s].name, "%s", names[s]);
    sw->keys = (int)K;
    for (int64_t k = 0; !rc && k < K; k++) {
        snprintf(sw->key[k], sizeof sw->key[k], "%s", keys[k]);
        char dataset[IPSIM_KEY_MAX + 8];
        snprintf(dataset, sizeof dataset, "sweep/%s", keys[k]);
        rc = ipsim_h5_reader_read_root_strings(r, dataset, &column, &n, err);
        if (!rc && n != S)
            rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has a malformed sweep table",
                            ipsim_h5_reader_path(r));
        for (int64_t s = 0; !rc && s < S; s++)
            snprintf(sw->value[s][k], sizeof sw->value[s][k], "%s", column[s]);
        ipsim_h5_reader_free_strings(column, n);
        column = NULL;
    }
    char *fingerprint = ipsim_h5_reader_root_attribute(r, "sweep", "fingerprint");
    if (!rc && (!fingerprint || strlen(fingerprint) != 16))
        rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' has no sweep fingerprint",
                        ipsim_h5_reader_path(r));
    if (!rc)
        snprintf(sw->fingerprint, sizeof sw->fingerprint, "%s", fingerprint);
    free(fingerprint);
    ipsim_h5_reader_free_strings(names, S);
    ipsim_h5_reader_free_strings(keys, K);
    return rc;
}

int ipsim_command_merge(int argc, char **argv, const ipsim_command_context *ctx,
                        ipsim_error *err)
{
    sweep_options so;
    ipsim_sweep sw = {0};
    ipsim_h5_reader **readers = NULL;
    int count = 0, quiet = 0;
    int *seen_part = NULL;
    unsigned char *include = NULL;
    const char **sources = NULL;
    const char *target = NULL;
    int rc = take_options(&argc, argv, &so, 0, ctx->usage, err);
    int files = 0;
    for (int i = 0; !rc && i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            quiet = 1;
        else if (argv[i][0] == '-')
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "unknown option '%s'; %s", argv[i], ctx->usage);
        else
            argv[files++] = argv[i];
    }
    if (!rc && files < 2)
        rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "%s", ctx->usage);
    if (rc)
        return rc;
    target = argv[0];
    int parts = 0;
    for (int f = 1; f < files && !rc; f++) {
        const char *path = argv[f];
        int before = count;
        rc = ipsim_h5_reader_open_all(path, &readers, &count, err);
        if (rc)
            break;
        ipsim_sweep mine = {0};
        rc = read_sweep_table(readers[before], &mine, err);
        char *label = rc ? NULL : ipsim_h5_reader_root_attribute(readers[before], "sweep", "part");
        int part = 0, n = 0;
        if (!rc && (!label || sscanf(label, "%d/%d", &part, &n) != 2 || part < 1 || part > n))
            rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "'%s' is not part of a sweep", path);
        free(label);
        if (!rc && f == 1) {
            sw = mine;
            memset(&mine, 0, sizeof mine);
            parts = n;
            seen_part = calloc((size_t)n + 1, sizeof *seen_part);
            include = calloc((size_t)sw.study.count, 1);
            sources = calloc((size_t)sw.study.count, sizeof *sources);
            if (!seen_part || !include || !sources)
                rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the merge");
        } else if (!rc && (strcmp(mine.fingerprint, sw.fingerprint) != 0 || n != parts)) {
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE,
                            "'%s' is part %d of %d of another sweep (or of the same sweep run "
                            "with other parameters) than '%s'",
                            path, part, n, argv[1]);
        }
        ipsim_sweep_free(&mine);
        if (!rc && seen_part[part]++)
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "part %d of %d is given twice ('%s')", part, parts,
                            path);
        /* Each of its scenarios, found in the sweep's order. */
        for (int r = before; !rc && r < count; r++) {
            const ipsim_params *p = ipsim_h5_reader_params(readers[r]);
            int s = 0;
            while (s < sw.study.count && strcmp(sw.study.scenarios[s].name, p->name) != 0)
                s++;
            if (s == sw.study.count || include[s] || !ipsim_sweep_in_part(s, part, parts)) {
                rc = IPSIM_FAIL(err, IPSIM_EFORMAT,
                                "'%s' holds scenario '%s', which is not one of part %d of %d",
                                path, p->name, part, parts);
                break;
            }
            sw.study.scenarios[s] = *p;
            include[s] = 1;
            sources[s] = path;
        }
    }
    for (int k = 1; !rc && k <= parts; k++)
        if (!seen_part[k])
            rc = IPSIM_FAIL(err, IPSIM_EUSAGE, "part %d of %d is missing; give every part", k,
                            parts);
    for (int s = 0; !rc && s < sw.study.count; s++)
        if (!include[s])
            rc = IPSIM_FAIL(err, IPSIM_EFORMAT, "no part holds scenario '%s'",
                            sw.study.scenarios[s].name);
    if (!rc) {
        char *study = ipsim_h5_reader_root_attribute(readers[0], "/", "study");
        snprintf(sw.study.name, sizeof sw.study.name, "%s", study ? study : "sweep");
        free(study);
    }
    for (int r = 0; r < count; r++)
        ipsim_h5_reader_close(readers[r]);
    free(readers);
    if (!rc)
        rc = assemble(target, &sw, include, sources, NULL, 1, 1, &so, ctx, quiet, err);
    if (!rc && !quiet)
        printf("\nMerged %d parts (%d scenarios) into %s\n", parts, sw.study.count, target);
    free(seen_part);
    free(include);
    free(sources);
    ipsim_sweep_free(&sw);
    return rc;
}
