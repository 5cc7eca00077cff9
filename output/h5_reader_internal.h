/* output/h5_reader_internal.h: what the two files of the reader share, and
 * nothing else includes:
 *   h5_reader.c          opening a file: its attributes, scenario table and
 *                        parameters; reading datasets of the checked shape
 *   h5_reader_summary.c  a scenario's summary rows, read once when it is
 *                        opened and checked value by value (docs/robustness.md,
 *                        "Files read") */
#ifndef IPSIM_H5_READER_INTERNAL_H
#define IPSIM_H5_READER_INTERNAL_H

#include <hdf5.h>

#include "output/h5_reader.h"

struct ipsim_h5_reader {
    char path[IPSIM_PATH_MAX];
    hid_t file, group;
    ipsim_params params;
    char *created_utc, *version;
    int scenarios, scenario; /* how many the file holds; which is open */
    ipsim_summary *summary;  /* the open scenario's, summed over replicates */
};

/* Records an IPSIM_EFORMAT (or other code) failure naming r's file. */
int ipsim_h5r_fail(const ipsim_h5_reader *r, ipsim_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads row d of the open scenario whole (M months), as its native type,
 * after checking its shape and type class. Its values per replicate are
 * returned by ipsim_h5r_row_width. */
int ipsim_h5r_read_row(ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M, void *buf,
                       ipsim_error *err);
hsize_t ipsim_h5r_row_width(const ipsim_h5_reader *r, const ipsim_dataset *d, hsize_t M);

/* Reads and checks every summary row of the open scenario into r->summary
 * (made here). */
int ipsim_h5r_load_summary(ipsim_h5_reader *r, ipsim_error *err);

#endif
