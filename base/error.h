/* base/error.h: status codes and the error record every fallible function fills.
 *
 * Functions that can fail return an int status (IPSIM_OK = 0) and write the
 * details into a caller-owned ipsim_error. The first failure wins: once a
 * record holds an error, later ipsim_error_set calls leave it alone, so the
 * innermost, most specific message survives the unwinding.
 *
 * Library code never exits or aborts; sim/main.c alone maps a status to an
 * exit code and prints ipsim_error_format's text. */
#ifndef IPSIM_ERROR_H
#define IPSIM_ERROR_H

#include <signal.h>
#include <stddef.h>

enum {
    IPSIM_OK = 0,
    IPSIM_EPARAM,   /* a parameter is missing, malformed or out of range */
    IPSIM_EYAML,    /* the parameter file is not well-formed YAML */
    IPSIM_EIO,      /* a file could not be read, written or renamed */
    IPSIM_EHDF5,    /* the HDF5 library reported a failure */
    IPSIM_ENOMEM,   /* an allocation failed */
    IPSIM_EUSAGE,   /* the command line is malformed */
    IPSIM_EINTERRUPTED, /* stopped by a signal (SIGINT, SIGTERM) */
    IPSIM_EFORMAT,  /* a file is not what ipsim wrote, or is damaged */
    IPSIM_EVALIDATION, /* a simulation does not reproduce the figures it is checked against */
    IPSIM_EINTERNAL /* a broken invariant: a bug in ipsim */
};

#define IPSIM_MESSAGE_MAX 512
#define IPSIM_PATH_MAX 1024
#define IPSIM_KEY_MAX 128

/* Where and why something failed. file/line/column/key describe the user's
 * input (file may be "--set" for a command-line override); src_file/src_line
 * the place in ipsim's source that raised it, for bug reports. */
typedef struct ipsim_error {
    int code;                      /* IPSIM_OK when no error has been set */
    char message[IPSIM_MESSAGE_MAX];
    char file[IPSIM_PATH_MAX];     /* input file, "" when none */
    long line;                     /* 1-based, 0 when unknown */
    long column;                   /* 1-based, 0 when unknown */
    char key[IPSIM_KEY_MAX];       /* parameter path such as "cohort.patients", "" when none */
    const char *src_file;
    int src_line;
} ipsim_error;

/* Resets *err to "no error". */
void ipsim_error_clear(ipsim_error *err);

/* Records an error unless one is already recorded; returns code so callers
 * can write `return IPSIM_FAIL(err, IPSIM_EIO, "...", ...)`. err may be NULL. */
int ipsim_error_set(ipsim_error *err, int code, const char *src_file, int src_line,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Attaches input context (file, line, column, key) to an error already set;
 * empty or zero arguments leave that field unchanged. */
void ipsim_error_locate(ipsim_error *err, const char *file, long line, long column,
                        const char *key);

/* Puts context before the message of an error already set, e.g.
 * "scenario 'x': ". No-op when no error is set. */
void ipsim_error_prefix(ipsim_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define IPSIM_FAIL(err, code, ...) ipsim_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Cancellation. sim/main.c's signal handler sets one flag (SIGINT or
 * SIGTERM); commands pass a pointer to it down (NULL: never cancelled) to
 * whatever runs long, which polls it in its loops and before it writes.
 * Returns IPSIM_OK while *cancel is 0; once set, IPSIM_EINTERRUPTED with
 * "stopped by a signal " and `what` (e.g. "while bootstrapping; nothing was
 * written") as the message. */
int ipsim_error_cancelled(const volatile sig_atomic_t *cancel, ipsim_error *err,
                          const char *what);

/* A short name for a status code, e.g. "parameter error". */
const char *ipsim_error_kind(int code);

/* Formats the error as one line, "FILE:LINE:COL: key 'K': MESSAGE", into buf. */
void ipsim_error_format(const ipsim_error *err, char *buf, size_t size);

#endif
