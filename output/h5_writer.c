/* output/h5_writer.c: the file's lifecycle (output/h5_writer.h): the
 * temporary file beside the target, its root attributes, beginning and
 * ending scenarios, pausing and resuming, updating a finished file,
 * committing (rename) or discarding it, and the same for a file shared by
 * the ranks of an MPI job. The other jobs are in the files h5_internal.h
 * lists. */
#define _POSIX_C_SOURCE 200809L
#include "output/h5_internal.h"

#include "base/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* No HDF5 object open: every handle -1. */
static void forget_handles(ipsim_h5_writer *w)
{
    for (int i = 0; i < IPSIM_TRAJECTORY_SETS; i++)
        w->trajectory[i] = -1;
    for (int i = 0; w->column_ds && i < w->columns.count; i++)
        w->column_ds[i] = -1;
    w->patient_scale = -1;
    for (int i = 0; i < IPSIM_SUMMARIES; i++)
        w->summary_ds[i] = -1;
    for (int i = 0; i < IPSIM_ECONOMIC_TOTALS; i++)
        w->economic_total_ds[i] = -1;
    for (int i = 0; i < ENUM_COUNT; i++)
        w->enums[i] = -1;
    w->group = -1;
}

/* A new writer, with nothing open. */
static ipsim_h5_writer *writer_new(void)
{
    ipsim_h5_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->file = -1;
        w->temp_lock = -1;
        forget_handles(w);
    }
    return w;
}

static void close_all(ipsim_h5_writer *w)
{
    for (int i = 0; i < IPSIM_TRAJECTORY_SETS; i++)
        if (w->trajectory[i] >= 0)
            H5Dclose(w->trajectory[i]);
    for (int i = 0; w->column_ds && i < w->columns.count; i++)
        if (w->column_ds[i] >= 0)
            H5Dclose(w->column_ds[i]);
    if (w->patient_scale >= 0)
        H5Dclose(w->patient_scale);
    for (int i = 0; i < IPSIM_SUMMARIES; i++)
        if (w->summary_ds[i] >= 0)
            H5Dclose(w->summary_ds[i]);
    for (int i = 0; i < IPSIM_ECONOMIC_TOTALS; i++)
        if (w->economic_total_ds[i] >= 0)
            H5Dclose(w->economic_total_ds[i]);
    for (int i = 0; i < ENUM_COUNT; i++)
        if (w->enums[i] >= 0)
            H5Tclose(w->enums[i]);
    if (w->group >= 0)
        H5Gclose(w->group);
    forget_handles(w);
}

/* Forgets the scenario's per-patient columns (close_all first). */
static void free_columns(ipsim_h5_writer *w)
{
    ipsim_column_list_free(&w->columns);
    free(w->column_ds);
    w->column_ds = NULL;
}

static void writer_free(ipsim_h5_writer *w)
{
    ipsim_h5i_free_parts(w);
    free_columns(w);
    ipsim_column_list_free(&w->extra_columns);
    free(w->column);
    if (w->temp_lock >= 0)
        close(w->temp_lock);
    free(w);
}

/* Removes ".BASE.ipsim-tmp-PID-XXXXXX" files beside the target that no
 * run is writing: the remains of a killed run. A live run holds a lock on
 * its temporary (ipsim_temp_hold), seen from any PID namespace on the same
 * file system; a file is removed only if nobody holds it and its PID is no
 * running process here either. */
static void remove_stale_temporaries(const char *target_path, int dir_len)
{
    char dir[IPSIM_PATH_MAX], prefix[IPSIM_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", dir_len ? dir_len : 1, dir_len ? target_path : ".");
    snprintf(prefix, sizeof prefix, ".%s.ipsim-tmp-", target_path + dir_len);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t prefix_len = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, prefix_len) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + prefix_len, &end, 10);
        if (pid <= 0 || *end != '-')
            continue;
        /* Only "no such process" marks a dead run; EPERM means alive. */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[2 * IPSIM_PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!ipsim_temp_held(path))
            unlink(path);
    }
    closedir(d);
}

double ipsim_h5_writer_estimate_bytes(const ipsim_params *p)
{
    double rows = (double)p->cohort.replicates * (double)p->cohort.patients;
    double months = (double)(ipsim_params_cycles(p) + 1);
    double per_patient = 0;
    /* The run's columns, the modules' included (the list the writer lays
     * out); without memory for the list, the static table's. */
    ipsim_column_list columns;
    if (ipsim_column_list_init(&columns, p->output.patient_records, NULL) == IPSIM_OK) {
        for (int c = 0; c < columns.count; c++)
            per_patient += (double)ipsim_column_bytes(&columns.rows[c]);
        ipsim_column_list_free(&columns);
    }
    /* The scenario's trajectories, the levels' included. */
    int sets[IPSIM_TRAJECTORY_SETS];
    const int set_count = ipsim_trajectory_sets_of(p, sets);
    for (int k = 0; k < set_count; k++)
        per_patient +=
            (double)ipsim_element_size(ipsim_trajectory_datasets[sets[k]].element) * months;
    double summaries = (double)p->cohort.replicates *
                       (months * (IPSIM_STATES + IPSIM_PHASE_STATES + 3 + IPSIM_IG_CLASSES) + 160) *
                       8;
    return rows * per_patient + summaries;
}

/* The root: format identification, provenance, and the scenario table. */
static int write_file_header(ipsim_h5_writer *w, const ipsim_run_info *info,
                             const char *const *scenario_names, int scenarios, ipsim_error *err)
{
    uint32_t version = IPSIM_FORMAT_VERSION;
    if (ipsim_h5i_set_string_attr(w->file, "format", IPSIM_FORMAT_NAME) < 0 ||
        ipsim_h5i_set_scalar_attr(w->file, "format_version", H5T_NATIVE_UINT32, &version) < 0 ||
        ipsim_h5i_set_string_attr(w->file, "ipsim_version", info->ipsim_version) < 0 ||
        ipsim_h5i_set_scalar_attr(w->file, "seed", H5T_NATIVE_UINT64, &info->seed) < 0 ||
        ipsim_h5i_set_string_attr(w->file, "study", info->study_name) < 0 ||
        ipsim_h5i_set_string_attr(w->file, "created_utc", info->created_utc) < 0 ||
        ipsim_h5i_set_string_attr(w->file, "command_line", info->command_line) < 0)
        return ipsim_h5i_fail_hdf5(w, err, "writing the file attributes");
    hid_t ds = ipsim_h5i_make_label_scale(w->file, "scenarios", scenario_names, scenarios,
                                "the scenarios of the study, in order: one group each");
    if (ds < 0)
        return ipsim_h5i_fail_hdf5(w, err, "writing the scenario table");
    H5Dclose(ds);
    return IPSIM_OK;
}

/* A new writer with its temporary file created beside the target (empty,
 * not yet opened by HDF5). */
static int writer_with_temp(ipsim_h5_writer **out, const char *target_path, ipsim_error *err)
{
    *out = NULL;
    ipsim_h5_writer *w = writer_new();
    if (!w)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the HDF5 writer");

    /* What may be replaced (base/atomic_file.h): a link is followed and
     * the real file replaced in its own directory. */
    char real[IPSIM_PATH_MAX];
    int rc = ipsim_output_target(target_path, real, sizeof real - 40, err);
    if (rc) {
        writer_free(w);
        return rc;
    }
    snprintf(w->target, sizeof w->target, "%s", real);
    /* The temporary file lives in the target's directory so that rename()
     * is atomic (same file system). Its name carries our PID, and it is
     * held (locked) while open, so that a later run can tell a killed
     * run's leftovers from a live run's file, from any container. */
    const char *slash = strrchr(real, '/');
    int dir_len = slash ? (int)(slash - real + 1) : 0;
    remove_stale_temporaries(real, dir_len);
    int fd = -1;
    for (int attempt = 0; attempt < 4 && fd < 0; attempt++) {
        snprintf(w->temp, sizeof w->temp, "%.*s.%s.ipsim-tmp-%ld-XXXXXX", dir_len, real,
                 real + dir_len, (long)getpid());
        fd = mkstemp(w->temp);
        if (fd < 0)
            break;
        /* Held before anyone could take it for a leftover? If another
         * run's clean-up removed it in between, make another. */
        struct stat st;
        if (ipsim_temp_hold(fd) != 0 || fstat(fd, &st) != 0 || st.st_nlink == 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        int e = errno ? errno : EAGAIN;
        IPSIM_FAIL(err, IPSIM_EIO, "cannot create the output file '%s' (in directory '%.*s'): %s",
                   target_path, dir_len ? dir_len : 1, dir_len ? real : ".", strerror(e));
        writer_free(w);
        return IPSIM_EIO;
    }
    /* mkstemp makes the file private (0600); give it the permissions any
     * other new file would get under the user's umask. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    w->temp_lock = fd;
    *out = w;
    return IPSIM_OK;
}

int ipsim_h5_writer_create(ipsim_h5_writer **out, const char *target_path,
                           const ipsim_run_info *info, const char *const *scenario_names,
                           int scenarios, ipsim_error *err)
{
    ipsim_h5_writer *w;
    int rc = writer_with_temp(&w, target_path, err);
    if (rc)
        return rc;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* Newest format features HDF5 1.10 readers understand, no later. */
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    w->file = H5Fcreate(w->temp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    rc = w->file < 0 ? ipsim_h5i_fail_hdf5(w, err, "creating the file")
                     : write_file_header(w, info, scenario_names, scenarios, err);
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    *out = w;
    return IPSIM_OK;
}

/* Copies the bytes of file `from` to the (empty) open file `to`. */
static int copy_file(const char *from, int to, ipsim_error *err)
{
    int in = open(from, O_RDONLY);
    if (in < 0) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot copy '%s': %s", from, strerror(e));
    }
    char buf[1 << 16];
    int e = 0;
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            e = got < 0 ? errno : 0;
            break;
        }
        for (ssize_t done = 0; done < got && !e;) {
            ssize_t n = write(to, buf + done, (size_t)(got - done));
            if (n < 0 && errno != EINTR)
                e = errno;
            else if (n == 0)
                e = EIO;
            done += n > 0 ? n : 0;
        }
        if (e)
            break;
    }
    close(in);
    return e ? IPSIM_FAIL(err, IPSIM_EIO, "cannot copy '%s': %s", from, strerror(e)) : IPSIM_OK;
}

int ipsim_h5_writer_update(ipsim_h5_writer **out, const char *path, const char *replace_group,
                           ipsim_error *err)
{
    ipsim_h5_writer *w;
    int rc = writer_with_temp(&w, path, err);
    if (rc)
        return rc;
    rc = copy_file(path, w->temp_lock, err);
    /* The updated file keeps the original's permissions. */
    struct stat st;
    if (!rc && stat(w->target, &st) == 0)
        fchmod(w->temp_lock, st.st_mode & 07777);
    if (!rc)
        rc = ipsim_h5_writer_resume(w, err);
    if (!rc && H5Lexists(w->file, replace_group, H5P_DEFAULT) > 0 &&
        H5Ldelete(w->file, replace_group, H5P_DEFAULT) < 0)
        rc = ipsim_h5i_fail_hdf5(w, err, "removing the previous results");
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    *out = w;
    return IPSIM_OK;
}

#ifdef IPSIM_MPI
static int begin_shared(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                        ipsim_error *err);
#endif

int ipsim_h5_writer_begin_scenario(ipsim_h5_writer *w, const ipsim_params *p,
                                   const char *parameters_yaml, int64_t block_patients,
                                   ipsim_error *err)
{
    close_all(w);
    ipsim_h5i_free_parts(w);
    free_columns(w);
    w->replicates = p->cohort.replicates;
    w->patients = p->cohort.patients;
    w->months = ipsim_params_cycles(p) + 1;
    w->trajectory_sets = ipsim_trajectory_sets_of(p, w->trajectory_set);
    w->ivig_dose_column = ipsim_modules_column_index(ipsim_registered_modules,
                                                     "ivig_grams_per_cycle");
    w->level = (int)p->output.compression_level;
    /* The run's per-patient columns: the table's, then those appended. */
    int rc = ipsim_column_list_init(&w->columns, p->output.patient_records, err);
    bool ivig_row = false;
    for (int k = 0; k < w->trajectory_sets; k++)
        ivig_row |= w->trajectory_set[k] == IPSIM_TRAJECTORY_IVIG;
    if (!rc && ivig_row && w->ivig_dose_column < 0)
        rc = IPSIM_FAIL(err, IPSIM_EINTERNAL, "the ivig trajectory needs the ivig module "
                        "registered (models/modules.h)");
    /* Without the levels model the level columns hold NaN alone, which
     * deflate all but removes: then they are compressed like the rest. */
    if (!rc && p->output.patient_records && p->grades.model != IPSIM_GRADE_MODEL_LEVELS) {
        w->columns.rows[IPSIM_COLUMN_LEVELS_AT_DIAGNOSIS].uncompressed = false;
        w->columns.rows[IPSIM_COLUMN_LEVELS_AFTER_INDUCTION].uncompressed = false;
    }
    for (int i = 0; !rc && p->output.patient_records && i < w->extra_columns.count; i++)
        rc = ipsim_column_list_append(&w->columns, &w->extra_columns.rows[i], err);
    if (!rc && w->columns.count) {
        w->column_ds = malloc((size_t)w->columns.count * sizeof *w->column_ds);
        if (!w->column_ds)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the per-patient columns");
        for (int i = 0; w->column_ds && i < w->columns.count; i++)
            w->column_ds[i] = -1;
    }
    ipsim_h5i_choose_geometry(w, block_patients);
    if (!rc)
        rc = ipsim_h5i_allocate_parts(w, err);
#ifdef IPSIM_MPI
    if (w->ranks && w->ranks->size > 1)
        return ipsim_ranks_max(w->ranks, rc) ? (rc ? rc : IPSIM_ENOMEM)
                                             : begin_shared(w, p, parameters_yaml, err);
#endif
    if (!rc)
        rc = ipsim_h5i_build_layout(w, p, parameters_yaml, err);
    return rc;
}

void ipsim_h5_writer_end_scenario(ipsim_h5_writer *w)
{
    close_all(w);
    ipsim_h5i_free_parts(w);
    free_columns(w);
}

int ipsim_h5_writer_add_column(ipsim_h5_writer *w, const ipsim_column *column, ipsim_error *err)
{
    int rc = ipsim_column_check(column, NULL, err);
    return rc ? rc : ipsim_column_list_append(&w->extra_columns, column, err);
}

int64_t ipsim_h5_writer_block_patients(const ipsim_h5_writer *w)
{
    return w->block_patients;
}


/* Closes the HDF5 file, keeping its temporary name. */
static int close_file(ipsim_h5_writer *w, ipsim_error *err)
{
    close_all(w);
    if (w->file < 0)
        return IPSIM_OK;
    errno = 0;
    herr_t closed = H5Fclose(w->file);
    w->file = -1;
    if (closed < 0)
        return ipsim_h5i_fail_hdf5_errno(w, err, "closing the file", errno);
    return IPSIM_OK;
}

int ipsim_h5_writer_pause(ipsim_h5_writer *w, const char **temp_path, ipsim_error *err)
{
    *temp_path = w->temp;
    return close_file(w, err);
}

int ipsim_h5_writer_resume(ipsim_h5_writer *w, ipsim_error *err)
{
    if (w->file >= 0)
        return IPSIM_OK;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    w->file = H5Fopen(w->temp, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (w->file < 0)
        return ipsim_h5i_fail_hdf5(w, err, "reopening the unfinished file");
    return IPSIM_OK;
}

/* In a shared file, the file system's part (flushing, renaming,
 * removing) is rank 0's; the others learn how it went. */
static int is_lead(const ipsim_h5_writer *w)
{
    return !w->ranks || w->ranks->rank == 0;
}

static int commit_shared(ipsim_h5_writer *w, ipsim_error *err);

int ipsim_h5_writer_commit(ipsim_h5_writer *w, ipsim_error *err)
{
    if (w->ranks)
        return commit_shared(w, err);
    int rc = close_file(w, err);
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    /* Make the bytes durable before the name says the file is complete. */
    int fd = open(w->temp, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        IPSIM_FAIL(err, IPSIM_EIO, "cannot flush '%s' to disk: %s", w->temp, strerror(e));
        ipsim_h5_writer_discard(w);
        return IPSIM_EIO;
    }
    /* The target may have changed while the file was made (a FIFO, a
     * write-protected file put there): the same rules, checked again. */
    char real[IPSIM_PATH_MAX];
    rc = ipsim_output_target(w->target, real, sizeof real, err);
    if (rc) {
        ipsim_h5_writer_discard(w);
        return rc;
    }
    if (rename(w->temp, w->target) != 0) {
        int e = errno;
        IPSIM_FAIL(err, IPSIM_EIO, "cannot rename the finished file to '%s': %s", w->target,
                   strerror(e));
        ipsim_h5_writer_discard(w);
        return IPSIM_EIO;
    }
    writer_free(w);
    return IPSIM_OK;
}

void ipsim_h5_writer_discard(ipsim_h5_writer *w)
{
    if (!w)
        return;
    close_all(w);
    if (w->file >= 0)
        H5Fclose(w->file);
    if (is_lead(w))
        unlink(w->temp);
    writer_free(w);
}

/* ---- a file shared by the ranks of an MPI job --------------------------------------- */

static int commit_shared(ipsim_h5_writer *w, ipsim_error *err)
{
    const ipsim_ranks *ranks = w->ranks;
    int rc = close_file(w, err);
    char real[IPSIM_PATH_MAX];
    if (!rc && is_lead(w))
        rc = ipsim_output_target(w->target, real, sizeof real, err);
    if (!rc && is_lead(w)) {
        int fd = open(w->temp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0 || close(fd) != 0 || rename(w->temp, w->target) != 0)
            rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot finish '%s': %s", w->target,
                            strerror(errno));
    }
    if (ipsim_ranks_max(ranks, rc) && !rc)
        rc = IPSIM_FAIL(err, IPSIM_EIO, "another rank failed to finish '%s'", w->target);
    if (rc) {
        if (is_lead(w))
            unlink(w->temp);
        writer_free(w);
        return rc;
    }
    writer_free(w);
    return IPSIM_OK;
}

#ifdef IPSIM_MPI

int ipsim_h5_writer_create_shared(ipsim_h5_writer **out, const ipsim_ranks *ranks,
                                  const char *target_path, const ipsim_run_info *info,
                                  const char *const *scenario_names, int scenarios,
                                  ipsim_error *err)
{
    if (ranks->size == 1)
        return ipsim_h5_writer_create(out, target_path, info, scenario_names, scenarios, err);
    *out = NULL;
    /* Parallel HDF5 writes no variable-length data (the labels, the
     * scenario table), so rank 0 makes the file and each scenario's layout
     * alone (ipsim_h5_writer_begin_scenario); the ranks then open it
     * together for the patients' data. */
    ipsim_h5_writer *w = NULL;
    char temp[IPSIM_PATH_MAX] = "";
    int rc = IPSIM_OK;
    if (ranks->rank == 0) {
        rc = ipsim_h5_writer_create(&w, target_path, info, scenario_names, scenarios, err);
        if (!rc)
            rc = close_file(w, err);
        if (!rc)
            snprintf(temp, sizeof temp, "%s", w->temp);
    } else {
        w = writer_new();
        if (!w)
            rc = IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate the HDF5 writer");
        else
            snprintf(w->target, sizeof w->target, "%s", target_path);
    }
    ipsim_ranks_broadcast(ranks, temp, sizeof temp);
    if (w && ranks->rank != 0)
        snprintf(w->temp, sizeof w->temp, "%s", temp);
    if (ipsim_ranks_max(ranks, rc) || !temp[0]) {
        if (w) {
            w->ranks = ranks->rank == 0 && temp[0] ? NULL : ranks; /* rank 0 removes it */
            ipsim_h5_writer_discard(w);
        }
        return rc ? rc : IPSIM_FAIL(err, IPSIM_EIO, "rank 0 could not create '%s'", target_path);
    }
    w->ranks = ranks;
    *out = w;
    return IPSIM_OK;
}

/* Shared: rank 0 builds the scenario's layout alone; then every rank opens
 * the file through MPI-IO and the layout's per-patient, summary and
 * per-replicate economics datasets. */
static int begin_shared(ipsim_h5_writer *w, const ipsim_params *p, const char *parameters_yaml,
                        ipsim_error *err)
{
    const ipsim_ranks *ranks = w->ranks;
    int rc = IPSIM_OK;
    if (ranks->rank == 0) {
        w->ranks = NULL; /* a plain file for now */
        rc = ipsim_h5_writer_resume(w, err);
        if (!rc)
            rc = ipsim_h5i_build_layout(w, p, parameters_yaml, err);
        int closed = close_file(w, err);
        rc = rc ? rc : closed;
        w->ranks = ranks;
    }
    if (ipsim_ranks_max(ranks, rc))
        return rc ? rc : IPSIM_FAIL(err, IPSIM_EHDF5, "rank 0 could not lay out '%s'", p->name);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    H5Pset_fapl_mpio(fapl, ipsim_ranks_comm(ranks), MPI_INFO_NULL);
    w->file = H5Fopen(w->temp, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    w->group = w->file < 0 ? -1 : H5Gopen2(w->file, p->name, H5P_DEFAULT);
    int failed = w->group < 0;
    char buf[2 * IPSIM_NAME_MAX];
    for (int set = 0; set < w->trajectory_sets && !failed; set++) {
        const ipsim_dataset *d = &ipsim_trajectory_datasets[w->trajectory_set[set]];
        failed = (w->trajectory[set] = H5Dopen2(
                      w->group, ipsim_h5i_path(d->group, d->name, buf, sizeof buf), H5P_DEFAULT)) < 0;
    }
    for (int c = 0; c < w->columns.count && !failed; c++) {
        const ipsim_column *col = &w->columns.rows[c];
        failed = (w->column_ds[c] = H5Dopen2(
                      w->group, ipsim_h5i_path(col->group, col->name, buf, sizeof buf),
                      H5P_DEFAULT)) < 0;
    }
    if (!failed)
        failed = (w->patient_scale = H5Dopen2(w->group, ipsim_coordinates[IPSIM_DIM_PATIENT].name,
                                              H5P_DEFAULT)) < 0;
    /* The per-replicate rows, written collectively (h5_summaries.c). */
    for (int i = 0; i < IPSIM_SUMMARIES && !failed; i++) {
        const ipsim_dataset *d = &ipsim_summaries[i];
        failed = (w->summary_ds[i] = H5Dopen2(
                      w->group, ipsim_h5i_path(d->group, d->name, buf, sizeof buf), H5P_DEFAULT)) < 0;
    }
    for (int t = 0; t < IPSIM_ECONOMIC_TOTALS && !failed; t++) {
        const ipsim_dataset *d = &ipsim_economic_totals[t];
        failed = (w->economic_total_ds[t] = H5Dopen2(
                      w->group, ipsim_h5i_path(d->group, d->name, buf, sizeof buf), H5P_DEFAULT)) < 0;
    }
    rc = failed ? ipsim_h5i_fail_hdf5(w, err, "opening the shared file") : IPSIM_OK;
    if (ipsim_ranks_max(ranks, rc) && !rc)
        rc = IPSIM_FAIL(err, IPSIM_EHDF5, "another rank could not open '%s'", w->target);
    return rc;
}

/* One collective write of dataset ds: this rank's block rows (rank 3 with
 * `width` values per patient, or 2) or, for b == NULL, nothing. */
static herr_t write_collective(hid_t ds, const ipsim_block *b, int rank, hsize_t width,
                               const void *buf)
{
    hid_t fspace = H5Dget_space(ds);
    hid_t type = H5Dget_type(ds);
    hsize_t one = 1;
    hid_t mspace;
    herr_t rc = 0;
    if (b) {
        hsize_t start[3] = {(hsize_t)b->replicate, (hsize_t)b->first_patient, 0};
        hsize_t count[3] = {1, (hsize_t)b->count, width};
        mspace = H5Screate_simple(rank, count, NULL);
        rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL);
    } else {
        mspace = H5Screate_simple(1, &one, NULL);
        H5Sselect_none(mspace);
        H5Sselect_none(fspace);
    }
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    /* Parallel HDF5 writes compressed (filtered) datasets collectively only:
     * the ranks agree on where each new chunk goes. */
    H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
    if (rc >= 0)
        rc = H5Dwrite(ds, type, mspace, fspace, dxpl, buf);
    H5Pclose(dxpl);
    H5Sclose(mspace);
    H5Sclose(fspace);
    H5Tclose(type);
    return rc;
}

int ipsim_h5_writer_write_block_shared(ipsim_h5_writer *w, const ipsim_block *b,
                                       ipsim_error *err)
{
    /* The buffers hold the file's byte layout (little-endian, as the direct
     * chunk writes do), so the file's own type is the memory type. */
    size_t widest = (size_t)(w->months > 3 ? w->months : 3) * 8;
    for (int c = 0; c < w->columns.count; c++)
        if (ipsim_column_bytes(&w->columns.rows[c]) > widest)
            widest = ipsim_column_bytes(&w->columns.rows[c]);
    size_t need = (size_t)w->block_patients * widest;
    if (w->column_bytes < need) {
        free(w->column);
        w->column = malloc(need);
        w->column_bytes = w->column ? need : 0;
        if (!w->column)
            return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot allocate a block's column");
    }
    for (int k = 0; k < w->trajectory_sets; k++) {
        const void *buf =
            b ? ipsim_h5i_trajectory_rows(w, b, w->trajectory_set[k], 0, b->count, w->column)
              : NULL;
        errno = 0;
        if (write_collective(w->trajectory[k], b, 3, (hsize_t)w->months, buf) < 0)
            return ipsim_h5i_fail_hdf5_errno(w, err, "writing patient trajectories", errno);
    }
    for (int c = 0; c < w->columns.count; c++) {
        const ipsim_column *col = &w->columns.rows[c];
        if (b)
            ipsim_column_gather(col, b->records, b->count, w->column,
                                (size_t)b->count * ipsim_column_bytes(col));
        errno = 0;
        if (write_collective(w->column_ds[c], b, col->width > 1 ? 3 : 2, (hsize_t)col->width,
                             b ? w->column : NULL) < 0)
            return ipsim_h5i_fail_hdf5_errno(w, err, "writing patient data", errno);
    }
    /* Unfiltered, its space allocated when created: written by the rank
     * that has the block alone. */
    return b ? ipsim_h5i_write_patient_ids(w, b, err) : IPSIM_OK;
}

#else

int ipsim_h5_writer_create_shared(ipsim_h5_writer **out, const ipsim_ranks *ranks,
                                  const char *target_path, const ipsim_run_info *info,
                                  const char *const *scenario_names, int scenarios,
                                  ipsim_error *err)
{
    (void)ranks; /* one rank without MPI */
    return ipsim_h5_writer_create(out, target_path, info, scenario_names, scenarios, err);
}

int ipsim_h5_writer_write_block_shared(ipsim_h5_writer *w, const ipsim_block *b,
                                       ipsim_error *err)
{
    (void)w;
    (void)b;
    return IPSIM_FAIL(err, IPSIM_EINTERNAL, "collective writes need the MPI build");
}

#endif
