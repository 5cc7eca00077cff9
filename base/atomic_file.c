/* base/atomic_file.c: what an output may replace; temporary file, fsync,
 * rename. */
/* Linux's open-file-description locks (F_OFD_SETLK) are a GNU extension. */
#define _GNU_SOURCE
#include "base/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a file that is not a regular one is, for messages. */
static const char *kind_of(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISREG(mode))
        return "a regular file";
    return "not a regular file";
}

/* 0 if files may be created in directory `dir`, else why not (errno). */
static int directory_error(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0 ? errno : 0;
}

bool ipsim_output_writable(const char *path, const struct stat *st)
{
    /* The superuser may write anything; a file without write bits is still
     * one its owner meant to keep, so root is held to the bits (as the
     * kernel holds it to execute bits). */
    if (geteuid() == 0)
        return (st->st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0;
    return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

size_t ipsim_path_parent(const char *path, size_t *end)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    if (end)
        *end = len;
    while (len > 0 && path[len - 1] != '/')
        len--;
    return len;
}

int ipsim_output_directory(const char *dir, bool may_be_missing, const char *what,
                           ipsim_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        int e = errno;
        if (e != ENOENT || !may_be_missing)
            return IPSIM_FAIL(err, IPSIM_EIO, "cannot write %s '%s': %s", what, dir, strerror(e));
        /* Missing: it will be made in its parent. */
        char parent[IPSIM_PATH_MAX];
        size_t len = ipsim_path_parent(dir, NULL);
        snprintf(parent, sizeof parent, "%.*s", len ? (int)len : 1, len ? dir : ".");
        int why = directory_error(parent);
        if (why)
            return IPSIM_FAIL(err, IPSIM_EIO, "cannot create %s '%s' (in directory '%s'): %s",
                              what, dir, parent, strerror(why));
        return IPSIM_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write %s '%s': it is %s, not a directory",
                          what, dir, kind_of(st.st_mode));
    if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write %s '%s': %s", what, dir, strerror(e));
    }
    return IPSIM_OK;
}

int ipsim_follow_link(const char *path, const char *what, char *real, size_t size,
                      ipsim_error *err)
{
    struct stat st;
    if (strlen(path) >= size)
        return IPSIM_FAIL(err, IPSIM_EIO, "path too long: %s", path);
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode)) {
        snprintf(real, size, "%s", path);
        return IPSIM_OK;
    }
    /* Followed: what the link reaches is the output, replaced in its own
     * directory, and the link is kept. */
    char *resolved = realpath(path, NULL);
    if (!resolved) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO,
                          "'%s' is a symbolic link that reaches no %s (%s); ipsim writes "
                          "through a link only to an existing %s",
                          path, what, strerror(e), what);
    }
    int fits = strlen(resolved) < size;
    if (fits)
        snprintf(real, size, "%s", resolved);
    free(resolved);
    return fits ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_EIO, "path too long: %s", path);
}

int ipsim_output_target(const char *path, char *real, size_t size, ipsim_error *err)
{
    struct stat st;
    if (!*path)
        return IPSIM_FAIL(err, IPSIM_EIO, "the output path is empty");
    if (strlen(path) >= size)
        return IPSIM_FAIL(err, IPSIM_EIO, "output path too long: %s", path);
    int rc = ipsim_follow_link(path, "file", real, size, err);
    if (rc)
        return rc;
    if (stat(real, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return IPSIM_FAIL(err, IPSIM_EIO, "output path '%s' is a directory", path);
        if (!S_ISREG(st.st_mode))
            return IPSIM_FAIL(err, IPSIM_EIO,
                              "cannot write to '%s': it is %s; ipsim replaces only regular "
                              "files (give a file name)",
                              path, kind_of(st.st_mode));
        if (!ipsim_output_writable(real, &st))
            return IPSIM_FAIL(err, IPSIM_EIO,
                              "cannot replace '%s': the file is write-protected (make it "
                              "writable to allow it)",
                              path);
    } else if (errno != ENOENT) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    const char *slash = strrchr(real, '/');
    char dir[IPSIM_PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - real + 1) : 1, slash ? real : ".");
    int e = directory_error(dir);
    if (e) {
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot create the output file '%s' (in directory "
                          "'%s'): %s", path, dir, strerror(e));
    }
    return IPSIM_OK;
}

int ipsim_atomic_stage(const char *path, const char *text, size_t len, char *temp, char *real,
                       size_t size, ipsim_error *err)
{
    int rc = ipsim_output_target(path, real, size, err);
    if (rc)
        return rc;
    const char *slash = strrchr(real, '/');
    int dir_len = slash ? (int)(slash - real + 1) : 0;
    if ((size_t)snprintf(temp, size, "%.*s.%s.ipsim-tmp-XXXXXX", dir_len, real,
                         real + dir_len) >= size)
        return IPSIM_FAIL(err, IPSIM_EIO, "output path too long: %s", path);
    int fd = mkstemp(temp);
    if (fd < 0) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    size_t done = 0;
    errno = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int e = done < len ? (errno ? errno : EIO) : 0;
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        unlink(temp);
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return IPSIM_OK;
}

int ipsim_atomic_commit(const char *temp, const char *real, ipsim_error *err)
{
    /* Checked again: the target may have changed while the text was made. */
    char again[IPSIM_PATH_MAX];
    int rc = ipsim_output_target(real, again, sizeof again, err);
    if (!rc && rename(temp, again) != 0) {
        int e = errno;
        rc = IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", real, strerror(e));
    }
    if (rc)
        unlink(temp);
    return rc;
}

int ipsim_write_file_atomically(const char *path, const char *text, size_t len,
                                ipsim_error *err)
{
    char temp[IPSIM_PATH_MAX + 32], real[IPSIM_PATH_MAX + 32];
    int rc = ipsim_atomic_stage(path, text, len, temp, real, sizeof temp, err);
    return rc ? rc : ipsim_atomic_commit(temp, real, err);
}

/* Open-file-description locks (Linux 3.15 and later). */
#ifdef F_OFD_SETLK
int ipsim_temp_hold(int fd)
{
    struct flock lock = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
    return fcntl(fd, F_OFD_SETLK, &lock) == 0 ? 0 : errno;
}

bool ipsim_temp_held(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno != ENOENT;
    /* Would a write lock on the whole file be refused? Then someone holds
     * a lock on it. */
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    bool held = fcntl(fd, F_OFD_GETLK, &lock) != 0 || lock.l_type != F_UNLCK;
    close(fd);
    return held;
}
#else
/* No lock that survives HDF5 closing its own descriptor and does not clash
 * with its flock: the PID in the name is all there is. */
int ipsim_temp_hold(int fd)
{
    (void)fd;
    return 0;
}

bool ipsim_temp_held(const char *path)
{
    (void)path;
    return false;
}
#endif

void ipsim_remove_flat_directory(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        size_t size = strlen(dir) + 300;
        char *path = malloc(size);
        for (struct dirent *e; path && (e = readdir(d)) != NULL;) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, size, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        free(path);
        closedir(d);
    }
    rmdir(dir);
}
