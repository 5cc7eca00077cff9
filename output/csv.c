/* output/csv.c: CSV helpers. */
#define _POSIX_C_SOURCE 200809L
#include "output/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

int ipsim_csv_finish(const char *dir, const char *name, char **text, size_t *size, FILE *f,
                     ipsim_error *err)
{
    /* open_memstream's text and size are final only after fclose. */
    int closed = fclose(f);
    char path[IPSIM_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = closed != 0 ? IPSIM_FAIL(err, IPSIM_ENOMEM, "cannot assemble %s", name)
                         : ipsim_write_file_atomically(path, *text, *size, err);
    free(*text);
    *text = NULL;
    return rc;
}
