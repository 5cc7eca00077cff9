/* base/atomic_file.c: temporary file, fsync, rename. */
#define _POSIX_C_SOURCE 200809L
#include "base/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ipsim_write_file_atomically(const char *path, const char *text, size_t len,
                                ipsim_error *err)
{
    size_t size = strlen(path) + 32;
    char *temp = malloc(size);
    if (!temp)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot write '%s': out of memory", path);
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    snprintf(temp, size, "%.*s.%s.ipsim-tmp-XXXXXX", dir_len, path, path + dir_len);
    int fd = mkstemp(temp);
    if (fd < 0) {
        int e = errno;
        free(temp);
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    size_t done = 0;
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
    if (!e && rename(temp, path) != 0)
        e = errno;
    if (e)
        unlink(temp);
    free(temp);
    if (e)
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot write '%s': %s", path, strerror(e));
    return IPSIM_OK;
}

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
