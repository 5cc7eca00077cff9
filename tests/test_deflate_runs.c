/* tests/test_deflate_runs.c: the run encoder's streams (output/deflate_runs.h)
 * are zlib streams that zlib's own inflate reads back to the input, for
 * runs of every length around deflate's limits, values of each width, and
 * inputs with no runs at all; and runs cost a small fraction of their
 * bytes. */
#include "test_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "output/deflate_runs.h"

/* Encodes `bytes` bytes, checks the stream fits the bound and inflates to
 * the input under zlib, and returns its size. */
static size_t round_trip(const unsigned char *in, size_t bytes, size_t element_size)
{
    const size_t bound = ipsim_deflate_runs_bound(bytes);
    unsigned char *packed = malloc(bound);
    unsigned char *back = malloc(bytes ? bytes : 1);
    assert_non_null(packed);
    assert_non_null(back);
    /* One byte short of the bound is refused, not overrun. */
    assert_int_equal(ipsim_deflate_runs(in, bytes, element_size, packed, bound - 1), 0);
    const size_t size = ipsim_deflate_runs(in, bytes, element_size, packed, bound);
    assert_true(size > 0 && size <= bound);
    uLongf back_size = (uLongf)bytes;
    const int rc = uncompress(back, &back_size, packed, (uLong)size);
    if (rc != Z_OK)
        fail_msg("zlib refused the stream of %zu bytes (element %zu): %d", bytes, element_size,
                 rc);
    assert_int_equal(back_size, bytes);
    assert_memory_equal(back, in, bytes);
    free(packed);
    free(back);
    return size;
}

/* Every run length from 1 to 3 x 258 + 3 (where matches are split), for
 * each width, between values that differ in every byte or in one only. */
static void runs_of_every_length_read_back(void **state)
{
    (void)state;
    const size_t widths[] = {1, 2, 4, 8};
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        const size_t width = widths[w];
        for (size_t run = 1; run <= 3 * 258 / width + 4; run++) {
            for (int one_byte = 0; one_byte < 2; one_byte++) {
                enum { VALUES = 4 };
                const size_t bytes = VALUES * run * width + 3 * width;
                unsigned char *in = malloc(bytes);
                assert_non_null(in);
                size_t p = 0;
                for (int v = 0; v < VALUES; v++)
                    for (size_t r = 0; r < run; r++)
                        for (size_t b = 0; b < width; b++)
                            in[p++] = (unsigned char)(one_byte ? (b == 0 ? (size_t)v * 17 : 0x5A)
                                                               : (size_t)v * 31 + b * 7 + 1);
                /* A tail shorter than a value's run, and one odd byte. */
                for (; p < bytes; p++)
                    in[p] = (unsigned char)(p % 3);
                round_trip(in, bytes, width);
                free(in);
            }
        }
    }
}

/* Inputs too short for a match, or empty; and bytes with no runs. */
static void short_and_runless_inputs_read_back(void **state)
{
    (void)state;
    unsigned char in[4096];
    for (size_t n = 0; n <= 17; n++) {
        memset(in, 0x42, n);
        round_trip(in, n, 1);
        round_trip(in, n, 4);
    }
    /* Every byte value, literals of 8 and 9 bits: a random sequence. */
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof in; i++) {
        x = x * 1664525u + 1013904223u;
        in[i] = (unsigned char)(x >> 24);
    }
    round_trip(in, sizeof in, 4); /* within the bound, as round_trip checks */
}

/* A chunk like a trajectory's: float rows of 121 months, each a few runs
 * and NaN once dead; the stream is a few percent of the bytes. */
static void trajectory_rows_compress(void **state)
{
    (void)state;
    enum { ROWS = 2000, MONTHS = 121 };
    float *rows = malloc(sizeof(float) * ROWS * MONTHS);
    assert_non_null(rows);
    uint32_t x = 7;
    for (int r = 0; r < ROWS; r++) {
        x = x * 1664525u + 1013904223u;
        float level = 2.0f + (float)(x >> 8) / (float)(1u << 24) * 10.0f;
        const int death = 20 + (int)(x % 150);
        for (int m = 0; m < MONTHS; m++) {
            x = x * 1664525u + 1013904223u;
            if (x % 40 == 0)
                level *= 1.25f;
            rows[r * MONTHS + m] = m >= death ? NAN : level;
        }
    }
    const size_t bytes = sizeof(float) * ROWS * MONTHS;
    const size_t size = round_trip((const unsigned char *)rows, bytes, sizeof(float));
    assert_true(size < bytes / 10);
    /* All one value: two bytes or so for each 258. */
    for (size_t i = 0; i < (size_t)ROWS * MONTHS; i++)
        rows[i] = 1.5f;
    assert_true(round_trip((const unsigned char *)rows, bytes, sizeof(float)) < bytes / 100);
    free(rows);
}

/* Widths other than 1, 2, 4 and 8 are refused. */
static void other_widths_are_refused(void **state)
{
    (void)state;
    unsigned char in[16] = {0}, out[64];
    assert_int_equal(ipsim_deflate_runs(in, sizeof in, 3, out, sizeof out), 0);
    assert_int_equal(ipsim_deflate_runs(in, sizeof in, 0, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runs_of_every_length_read_back),
        cmocka_unit_test(short_and_runless_inputs_read_back),
        cmocka_unit_test(trajectory_rows_compress),
        cmocka_unit_test(other_widths_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
