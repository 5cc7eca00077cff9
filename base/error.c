/* base/error.c: the error record. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ipsim_error_clear(ipsim_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int ipsim_error_set(ipsim_error *err, int code, const char *src_file, int src_line,
                    const char *fmt, ...)
{
    if (!err || err->code != IPSIM_OK)
        return code;
    err->code = code;
    err->src_file = src_file;
    err->src_line = src_line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void ipsim_error_locate(ipsim_error *err, const char *file, long line, long column,
                        const char *key)
{
    if (!err)
        return;
    if (file && *file && !*err->file)
        snprintf(err->file, sizeof err->file, "%s", file);
    if (line > 0 && err->line == 0) {
        err->line = line;
        err->column = column;
    }
    if (key && *key && !*err->key)
        snprintf(err->key, sizeof err->key, "%s", key);
}

void ipsim_error_prefix(ipsim_error *err, const char *fmt, ...)
{
    if (!err || err->code == IPSIM_OK)
        return;
    char prefix[IPSIM_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Shift the message right by the prefix, cutting its end if need be. */
    const size_t size = sizeof err->message;
    size_t lp = strlen(prefix), lm = strlen(err->message);
    if (lp > size - 1)
        lp = size - 1;
    if (lm > size - 1 - lp)
        lm = size - 1 - lp;
    memmove(err->message + lp, err->message, lm);
    memcpy(err->message, prefix, lp);
    err->message[lp + lm] = '\0';
}

int ipsim_error_cancelled(const volatile sig_atomic_t *cancel, ipsim_error *err,
                          const char *what)
{
    if (!cancel || !*cancel)
        return IPSIM_OK;
    return IPSIM_FAIL(err, IPSIM_EINTERRUPTED, "stopped by a signal %s", what);
}

const char *ipsim_error_kind(int code)
{
    switch (code) {
    case IPSIM_OK: return "no error";
    case IPSIM_EPARAM: return "parameter error";
    case IPSIM_EYAML: return "YAML syntax error";
    case IPSIM_EIO: return "I/O error";
    case IPSIM_EHDF5: return "HDF5 error";
    case IPSIM_ENOMEM: return "out of memory";
    case IPSIM_EUSAGE: return "usage error";
    case IPSIM_EINTERRUPTED: return "interrupted";
    case IPSIM_EFORMAT: return "file format error";
    case IPSIM_EVALIDATION: return "validation failed";
    default: return "internal error";
    }
}

void ipsim_error_format(const ipsim_error *err, char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return;
    buf[0] = '\0';
#define APPEND(...)                                                   \
    do {                                                              \
        if (n < size) {                                               \
            int w = snprintf(buf + n, size - n, __VA_ARGS__);         \
            n += w > 0 ? (size_t)w : 0;                               \
        }                                                             \
    } while (0)
    if (*err->file) {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%ld:", err->line);
            if (err->column > 0)
                APPEND("%ld:", err->column);
        }
        APPEND(" ");
    }
    APPEND("%s: ", ipsim_error_kind(err->code));
    if (*err->key)
        APPEND("key '%s': ", err->key);
    APPEND("%s", err->message);
#undef APPEND
}
