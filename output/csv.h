/* output/csv.h: the CSV tables commands write: cells quoted per RFC 4180
 * with formula prefixes neutralised, each table assembled in memory
 * (open_memstream), and a command's tables written as a set, all or none
 * (docs/robustness.md, "CSV tables"). */
#ifndef IPSIM_CSV_H
#define IPSIM_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "base/error.h"

/* Creates directory dir if it is missing. Errors: IPSIM_EIO. */
int ipsim_csv_directory(const char *dir, ipsim_error *err);

/* Checks, before any work, that dir is a directory this user may write in,
 * or is missing from one (it is made when the tables are written). Errors:
 * IPSIM_EIO naming dir. */
int ipsim_csv_check_directory(const char *dir, ipsim_error *err);

/* Starts a CSV text in memory (open_memstream over *text and *size, which
 * it resets); `name` is the file it is for, in the error. Errors:
 * IPSIM_ENOMEM. */
int ipsim_csv_open(FILE **f, char **text, size_t *size, const char *name, ipsim_error *err);

/* Appends ",v" (",": an empty field for NaN). Numbers are written as
 * numbers: a negative one keeps its sign. */
void ipsim_csv_number(FILE *f, double v);

/* Appends a text cell, preceded by a comma when `comma`: a cell holding a
 * comma, a double quote, CR or LF is quoted, its quotes doubled (RFC 4180);
 * a cell starting with '=', '+', '-', '@', tab or CR gets a leading single
 * quote, so that a spreadsheet shows it as text rather than running it as a
 * formula (OWASP, "CSV injection"). */
void ipsim_csv_text(FILE *f, bool comma, const char *text);

/* The same, always quoted (a column of free text, quoted in every row). */
void ipsim_csv_text_quoted(FILE *f, bool comma, const char *text);

/* ipsim_csv_text of the printf-style `format` (a header such as "nmb_%s";
 * cut at 1023 bytes). */
void ipsim_csv_textf(FILE *f, bool comma, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Closes f, an open_memstream over *text and *size, and writes the text to
 * dir/name atomically; frees the text. Errors: IPSIM_ENOMEM, IPSIM_EIO. */
int ipsim_csv_finish(const char *dir, const char *name, char **text, size_t *size, FILE *f,
                     ipsim_error *err);

/* ---- a set of tables, written all or none ---------------------------------------------- */

#define IPSIM_CSV_SET_MAX 8

typedef struct ipsim_csv_table {
    char name[64];
    char *text; /* owned */
    size_t size;
    char temp[IPSIM_PATH_MAX + 96]; /* staged: the temporary file; "" if none */
    char real[IPSIM_PATH_MAX + 96]; /* staged: the path it becomes */
} ipsim_csv_table;

/* The tables of one command: zero-initialise, add, stage, commit, free. */
typedef struct ipsim_csv_set {
    int count;
    ipsim_csv_table table[IPSIM_CSV_SET_MAX];
} ipsim_csv_set;

/* Closes f (as ipsim_csv_finish) and keeps its text as table `name` of the
 * set. Errors: IPSIM_ENOMEM, IPSIM_EINTERNAL (more than IPSIM_CSV_SET_MAX). */
int ipsim_csv_set_add(ipsim_csv_set *set, const char *name, char **text, size_t *size, FILE *f,
                      ipsim_error *err);

/* Makes dir if missing and writes every table, in full and flushed, to a
 * temporary file beside its target; on any failure removes what it staged.
 * Nothing is renamed yet. Errors: IPSIM_EIO naming the table. */
int ipsim_csv_set_stage(ipsim_csv_set *set, const char *dir, ipsim_error *err);

/* Renames every staged table into place. Errors: IPSIM_EIO (the staged
 * tables left are removed). */
int ipsim_csv_set_commit(ipsim_csv_set *set, ipsim_error *err);

/* Removes the staged temporaries not committed and frees the texts. */
void ipsim_csv_set_free(ipsim_csv_set *set);

/* Stage and commit, then free. */
int ipsim_csv_set_write(ipsim_csv_set *set, const char *dir, ipsim_error *err);

#endif
