/* base/atomic_file.h: outputs that appear whole or not at all, and never
 * replace what they should not (docs/robustness.md, "What an output may
 * replace").
 *
 * A text file is written to a temporary file in the target's directory,
 * flushed to disk, and renamed over the target, so that the target either
 * keeps its old contents or has the complete new ones. Before anything is
 * written (and again just before the rename) the target is checked: a
 * symbolic link is followed, and the file it reaches is replaced in its own
 * directory; what is there must be a regular file the user may write, or
 * nothing; FIFOs, devices, sockets and directories are refused. */
#ifndef IPSIM_ATOMIC_FILE_H
#define IPSIM_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/error.h"

/* Checks that `path` may receive an output, and puts in real[0..size-1]
 * the path to write: `path` itself, or, for a symbolic link, the file it
 * points to. The rules: an existing target is a regular file the user may
 * write (root too is held to the file's write bits, as to execute bits);
 * a link must reach an existing file; the directory exists and the user
 * may create files in it. Errors: IPSIM_EIO naming `path` and what is
 * wrong. */
int ipsim_output_target(const char *path, char *real, size_t size, ipsim_error *err);

/* The length of the directory part of `path`, its last slash included ("a/b/"
 * of "a/b/c" and of "a/b/c/"), 0 if it has none; *end (may be NULL) gets
 * the length of `path` without trailing slashes. */
size_t ipsim_path_parent(const char *path, size_t *end);

/* Puts in real[0..size-1] `path`, or, when `path` is a symbolic link,
 * the absolute path of what it reaches. Errors: IPSIM_EIO for a link that
 * reaches nothing (naming `what`: "file", "directory") or a path too
 * long. */
int ipsim_follow_link(const char *path, const char *what, char *real, size_t size,
                      ipsim_error *err);

/* Whether the file `st` describes, at `path`, may be written by this user
 * under the rule above. */
bool ipsim_output_writable(const char *path, const struct stat *st);

/* Checks that files may be created in directory `dir`: it exists (or,
 * when `may_be_missing`, its parent does and may receive it) and the user
 * may write in it. `what` names it in the error ("the CSV directory").
 * Errors: IPSIM_EIO. */
int ipsim_output_directory(const char *dir, bool may_be_missing, const char *what,
                           ipsim_error *err);

/* Writes `text` to a new temporary file `.NAME.ipsim-tmp-XXXXXX` beside the
 * real target of `path` (ipsim_output_target) and flushes it to disk; its
 * name goes to temp[0..size-1], the real target to real[0..size-1]. Nothing
 * is left behind on failure. Errors: IPSIM_EIO, IPSIM_ENOMEM. */
int ipsim_atomic_stage(const char *path, const char *text, size_t len, char *temp, char *real,
                       size_t size, ipsim_error *err);

/* Renames a staged `temp` over `real` after checking the target again;
 * removes `temp` on failure. Errors: IPSIM_EIO. */
int ipsim_atomic_commit(const char *temp, const char *real, ipsim_error *err);

/* Stage and commit in one. Errors: IPSIM_EIO naming the path and the
 * system's reason. */
int ipsim_write_file_atomically(const char *path, const char *text, size_t len,
                                ipsim_error *err);

/* Marks the open temporary file `fd` as in use for as long as this open
 * file stays open: an open-file-description lock (a shared one), which
 * other processes see whatever their PID namespace (another container on
 * the same file system) and which does not conflict with HDF5's own flock.
 * Returns 0 or the system's errno. */
int ipsim_temp_hold(int fd);

/* Whether the temporary file at `path` is held (ipsim_temp_hold) by a live
 * process, or cannot be checked: such a file is never removed. */
bool ipsim_temp_held(const char *path);

/* Removes the plain files of directory `dir` and the directory (a report's,
 * a sweep's finished scenarios); quietly leaves what it cannot remove. */
void ipsim_remove_flat_directory(const char *dir);

#endif
