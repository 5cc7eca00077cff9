/* base/atomic_file.h: writing a small text file so that the target path
 * either keeps its old contents or has the complete new ones, never a
 * half-written file: the text goes to a temporary file in the same
 * directory, is flushed to disk, and is renamed over the target. */
#ifndef IPSIM_ATOMIC_FILE_H
#define IPSIM_ATOMIC_FILE_H

#include <stddef.h>

#include "base/error.h"

/* Errors: IPSIM_EIO naming the path and the system's reason. */
int ipsim_write_file_atomically(const char *path, const char *text, size_t len,
                                ipsim_error *err);

/* Removes the plain files of directory `dir` and the directory (a report's,
 * a sweep's finished scenarios); quietly leaves what it cannot remove. */
void ipsim_remove_flat_directory(const char *dir);

#endif
