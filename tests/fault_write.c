/* tests/fault_write.c: an LD_PRELOAD shim that makes writes to ipsim's
 * temporary output files fail with ENOSPC ("No space left on device") once
 * IPSIM_FAULT_WRITE_AFTER bytes have been written to them, as a full disk
 * would. Other files are untouched. Used by tests/test_cli.py. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written; /* bytes written to temporary outputs so far */

static int is_target(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0)
        return 0;
    path[n] = '\0';
    return strstr(path, ".ipsim-tmp-") != NULL;
}

/* 1 if this write must fail; otherwise counts it. */
static int must_fail(int fd, size_t count)
{
    const char *limit = getenv("IPSIM_FAULT_WRITE_AFTER");
    if (!limit || !is_target(fd))
        return 0;
    if (written + (long long)count > atoll(limit)) {
        errno = ENOSPC;
        return 1;
    }
    written += (long long)count;
    return 0;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    return must_fail(fd, count) ? -1 : real(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    return must_fail(fd, count) ? -1 : real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    return must_fail(fd, count) ? -1 : real(fd, buf, count, offset);
}
