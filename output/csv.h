/* output/csv.h: small helpers for the CSV tables commands write (assembled
 * in memory with open_memstream, then written whole or not at all). */
#ifndef IPSIM_CSV_H
#define IPSIM_CSV_H

#include <stdio.h>

#include "base/error.h"

/* Creates directory dir if it is missing. Errors: IPSIM_EIO. */
int ipsim_csv_directory(const char *dir, ipsim_error *err);

/* Starts a CSV text in memory (open_memstream over *text and *size, which
 * it resets); `name` is the file it is for, in the error. Errors:
 * IPSIM_ENOMEM. */
int ipsim_csv_open(FILE **f, char **text, size_t *size, const char *name, ipsim_error *err);

/* Appends ",v" (",": an empty field for NaN). */
void ipsim_csv_number(FILE *f, double v);

/* Closes f, an open_memstream over *text and *size, and writes the text to
 * dir/name atomically; frees the text. Errors: IPSIM_ENOMEM, IPSIM_EIO. */
int ipsim_csv_finish(const char *dir, const char *name, char **text, size_t *size, FILE *f,
                     ipsim_error *err);

#endif
