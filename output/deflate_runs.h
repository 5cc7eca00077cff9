/* output/deflate_runs.h: a zlib stream of values that repeat in runs.
 *
 * A trajectory chunk holds patients' months side by side, and most months
 * repeat the month before: a grade, a phase or a level changes a few times
 * in ten years, and a dead patient's months are all the same. A general
 * deflate encoder (libdeflate, zlib) searches a 32 KiB window for matches
 * at every position and spends most of a dense run's writing time doing so;
 * here the only matches worth having are the value before, so this encoder
 * looks nowhere else. It writes each value that differs from the one
 * before as literal bytes and each run of repeats as matches at a distance
 * of one value (up to 258 bytes each), under deflate's fixed Huffman codes
 * in one final block: a standard zlib stream (RFC 1950 and 1951) that any
 * inflater reads, made at several GB/s, some 1.5 times the size of
 * libdeflate's at level 1 on such data. On values that do not repeat it
 * is no better than storing them (9/8 of their size at worst).
 *
 * Pure and allocation-free: the same input always gives the same bytes,
 * whatever thread makes them. */
#ifndef IPSIM_DEFLATE_RUNS_H
#define IPSIM_DEFLATE_RUNS_H

#include <stddef.h>

/* The most bytes ipsim_deflate_runs can write for `bytes` bytes of input. */
size_t ipsim_deflate_runs_bound(size_t bytes);

/* Writes the zlib stream of the `bytes` bytes at `in`, values of
 * `element_size` bytes (1, 2, 4 or 8; runs are sought at that distance),
 * into `out`, and returns its size: 0 if `capacity` is below
 * ipsim_deflate_runs_bound(bytes) or element_size is not one of those. */
size_t ipsim_deflate_runs(const unsigned char *in, size_t bytes, size_t element_size,
                          unsigned char *out, size_t capacity);

#endif
