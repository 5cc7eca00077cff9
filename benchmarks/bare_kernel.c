/* benchmarks/bare_kernel.c: the least work ipsim's core chain can be done
 * with, the limit the engine is measured against.
 *
 * Per patient-month: one Philox4x64 block (base/rng.h, as the engine draws
 * it), a grade move by inversion on a cumulative row, an infection draw and
 * a death draw (one comparison each), and one byte stored. No episodes'
 * types, no summaries, no I/O. OpenMP over patients, a row buffer per
 * thread, a checksum so that nothing is optimised away.
 *
 * usage: bare_kernel PATIENTS MONTHS THREADS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "base/rng.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bare_kernel PATIENTS MONTHS THREADS\n");
        return 2;
    }
    const int64_t patients = atoll(argv[1]);
    const int months = atoi(argv[2]);
    const int threads = atoi(argv[3]);
    /* The baseline's monthly matrix and rough per-grade monthly hazards. */
    static const double cum[5][5] = {{0.99, 1, 1, 1, 1},
                                     {0.03, 0.99, 1, 1, 1},
                                     {0, 0.03, 0.99, 1, 1},
                                     {0, 0, 0.03, 0.99, 1},
                                     {0, 0, 0, 0.03, 1}};
    static const double infection[5] = {0.0046, 0.0166, 0.0244, 0.0402, 0.0402};
    const double death = 0.01025;
    uint64_t checksum = 0;
    ipsim_stream stream = {1, 0};
#ifndef _OPENMP
    (void)threads;
#endif

#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : checksum)
#endif
    {
        uint8_t *row = malloc((size_t)months + 1);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int64_t p = 0; p < patients; p++) {
            int grade = (int)(p % 5);
            for (int m = 0; m < months; m++) {
                double u[4];
                ipsim_rng_uniform4(stream, (uint64_t)p, (uint64_t)m, IPSIM_PURPOSE_CYCLE, 0, u);
                int infected = u[0] < infection[grade];
                if (u[1] < death) {
                    row[m] = 5;
                    break;
                }
                int g = 0;
                while (g < 4 && u[3] >= cum[grade][g])
                    g++;
                grade = g;
                row[m] = (uint8_t)(grade | infected << 4);
            }
            checksum += row[p % months];
        }
        free(row);
    }
    printf("checksum %llu\n", (unsigned long long)checksum);
    return 0;
}
