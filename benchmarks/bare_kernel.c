/* benchmarks/bare_kernel.c: the bare chain (benchmarks/bare_chain.h) over a
 * cohort, the limit `ipsim run` is measured against.
 *
 * The model is built from a parameter file as `ipsim run` builds it, the
 * horizon set to MONTHS; the patients are shared among the threads as the
 * engine shares them (dynamically, 256 at a time), each thread writing one
 * scratch row; a checksum keeps the work from being optimised away. One
 * replicate, the file's seed.
 *
 * usage: bare_kernel PARAMS.yaml PATIENTS MONTHS THREADS */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "benchmarks/bare_chain.h"

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bare_kernel PARAMS.yaml PATIENTS MONTHS THREADS\n");
        return 2;
    }
    const int64_t patients = atoll(argv[2]);
    const int threads = atoi(argv[4]);
    static ipsim_params params; /* large: not on the stack */
    static ipsim_model model;
    if (ipsim_bare_chain_model("bare_kernel", argv[1], argv[3], &params, &model))
        return 1;
    if (patients < 1 || threads < 1) {
        fprintf(stderr, "bare_kernel: PATIENTS and THREADS must be positive\n");
        return 2;
    }
    const ipsim_stream stream = {params.seed, 0};
    const int64_t cycles = model.cycles;
    uint64_t checksum = 0, lived = 0;
#ifndef _OPENMP
    (void)threads;
#endif

#ifdef _OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : checksum, lived)
#endif
    {
        uint8_t *row = malloc((size_t)cycles + 1);
        if (row) {
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 256)
#endif
            for (int64_t p = 0; p < patients; p++) {
                const int64_t n = ipsim_bare_chain_patient(&model, stream, (uint64_t)p, row);
                lived += (uint64_t)n;
                checksum += row[n];
            }
        }
        free(row);
    }
    printf("checksum %" PRIu64 " patient-cycles %" PRIu64 "\n", checksum, lived);
    return 0;
}
