/* output/csv.c: CSV cells, tables and sets of tables. */
#define _POSIX_C_SOURCE 200809L
#include "output/csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"

int ipsim_csv_directory(const char *dir, ipsim_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        return IPSIM_FAIL(err, IPSIM_EIO, "cannot create the CSV directory '%s': %s", dir,
                          strerror(e));
    }
    return IPSIM_OK;
}

int ipsim_csv_check_directory(const char *dir, ipsim_error *err)
{
    return ipsim_output_directory(dir, true, "the CSV directory", err);
}

int ipsim_csv_open(FILE **f, char **text, size_t *size, const char *name, ipsim_error *err)
{
    *text = NULL;
    *size = 0;
    *f = open_memstream(text, size);
    return *f ? IPSIM_OK : IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble %s", name);
}

void ipsim_csv_number(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

static void write_text(FILE *f, bool comma, const char *text, bool always_quoted)
{
    if (comma)
        fputc(',', f);
    const bool formula = text[0] != '\0' && strchr("=+-@\t\r", text[0]) != NULL;
    const bool quoted = always_quoted || strpbrk(text, ",\"\r\n") != NULL;
    if (quoted)
        fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    if (quoted)
        fputc('"', f);
}

void ipsim_csv_text(FILE *f, bool comma, const char *text)
{
    write_text(f, comma, text, false);
}

void ipsim_csv_text_quoted(FILE *f, bool comma, const char *text)
{
    write_text(f, comma, text, true);
}

void ipsim_csv_textf(FILE *f, bool comma, const char *format, ...)
{
    char cell[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(cell, sizeof cell, format, args);
    va_end(args);
    ipsim_csv_text(f, comma, cell);
}

/* The path dir/name. Errors: IPSIM_EIO when it does not fit. */
static int table_path(char *path, size_t size, const char *dir, const char *name,
                      ipsim_error *err)
{
    if ((size_t)snprintf(path, size, "%s/%s", dir, name) >= size)
        return IPSIM_FAIL(err, IPSIM_EIO, "path too long: '%s/%s'", dir, name);
    return IPSIM_OK;
}

int ipsim_csv_finish(const char *dir, const char *name, char **text, size_t *size, FILE *f,
                     ipsim_error *err)
{
    /* open_memstream's text and size are final only after fclose. */
    int closed = fclose(f);
    char path[IPSIM_PATH_MAX + 32];
    int rc = closed != 0 ? IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble %s", name)
                         : table_path(path, sizeof path, dir, name, err);
    if (!rc)
        rc = ipsim_write_file_atomically(path, *text, *size, err);
    free(*text);
    *text = NULL;
    return rc;
}

int ipsim_csv_set_add(ipsim_csv_set *set, const char *name, char **text, size_t *size, FILE *f,
                      ipsim_error *err)
{
    int closed = fclose(f);
    int rc = closed != 0 ? IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble %s", name)
             : set->count == IPSIM_CSV_SET_MAX
                 ? IPSIM_FAIL(err, IPSIM_EINTERNAL, "more than %d CSV tables", IPSIM_CSV_SET_MAX)
                 : IPSIM_OK;
    if (rc) {
        free(*text);
        *text = NULL;
        return rc;
    }
    ipsim_csv_table *t = &set->table[set->count++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->text = *text;
    t->size = *size;
    t->temp[0] = t->real[0] = '\0';
    *text = NULL;
    return IPSIM_OK;
}

/* Removes the staged temporaries that are left. */
static void unstage(ipsim_csv_set *set)
{
    for (int i = 0; i < set->count; i++)
        if (set->table[i].temp[0]) {
            unlink(set->table[i].temp);
            set->table[i].temp[0] = '\0';
        }
}

int ipsim_csv_set_stage(ipsim_csv_set *set, const char *dir, ipsim_error *err)
{
    int rc = ipsim_csv_directory(dir, err);
    for (int i = 0; !rc && i < set->count; i++) {
        char path[IPSIM_PATH_MAX + 96];
        rc = table_path(path, sizeof path, dir, set->table[i].name, err);
        if (!rc)
            rc = ipsim_atomic_stage(path, set->table[i].text, set->table[i].size,
                                    set->table[i].temp, set->table[i].real,
                                    sizeof set->table[i].temp, err);
        if (rc)
            set->table[i].temp[0] = '\0';
    }
    if (rc)
        unstage(set);
    return rc;
}

int ipsim_csv_set_commit(ipsim_csv_set *set, ipsim_error *err)
{
    int rc = IPSIM_OK;
    for (int i = 0; !rc && i < set->count; i++) {
        if (!set->table[i].temp[0])
            continue;
        rc = ipsim_atomic_commit(set->table[i].temp, set->table[i].real, err);
        set->table[i].temp[0] = '\0'; /* renamed, or removed on failure */
    }
    unstage(set);
    return rc;
}

void ipsim_csv_set_free(ipsim_csv_set *set)
{
    unstage(set);
    for (int i = 0; i < set->count; i++) {
        free(set->table[i].text);
        set->table[i].text = NULL;
    }
    set->count = 0;
}

int ipsim_csv_set_write(ipsim_csv_set *set, const char *dir, ipsim_error *err)
{
    int rc = ipsim_csv_set_stage(set, dir, err);
    if (!rc)
        rc = ipsim_csv_set_commit(set, err);
    ipsim_csv_set_free(set);
    return rc;
}
