/* base/ranks.c: MPI behind base/ranks.h; without IPSIM_MPI, one rank. */
#include "base/ranks.h"

#include <limits.h>

#ifdef IPSIM_MPI

void ipsim_ranks_init(ipsim_ranks *r, int *argc, char ***argv)
{
    /* Only the thread that called MPI_Init makes MPI calls (the OpenMP
     * master: sinks run there, sim/cohort.c). */
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &r->size);
}

void ipsim_ranks_finalize(const ipsim_ranks *r)
{
    (void)r;
    MPI_Finalize();
}

int ipsim_ranks_max(const ipsim_ranks *r, int value)
{
    (void)r;
    int out = value;
    MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

void ipsim_ranks_sum(const ipsim_ranks *r, int64_t *values, size_t n)
{
    (void)r;
    /* In pieces that fit an int count. */
    for (size_t done = 0; done < n;) {
        size_t piece = n - done < (size_t)INT_MAX ? n - done : (size_t)INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, values + done, (int)piece, MPI_INT64_T, MPI_SUM,
                      MPI_COMM_WORLD);
        done += piece;
    }
}

void ipsim_ranks_broadcast(const ipsim_ranks *r, void *buf, size_t n)
{
    (void)r;
    MPI_Bcast(buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
}

void ipsim_ranks_barrier(const ipsim_ranks *r)
{
    (void)r;
    MPI_Barrier(MPI_COMM_WORLD);
}

void ipsim_ranks_gather_owned(const ipsim_ranks *r, void *buf, size_t n)
{
    unsigned char *bytes = buf;
    /* In pieces that fit an int count. */
    for (size_t done = 0; done < n;) {
        size_t piece = n - done < (size_t)INT_MAX ? n - done : (size_t)INT_MAX;
        if (r->rank == 0)
            MPI_Reduce(MPI_IN_PLACE, bytes + done, (int)piece, MPI_BYTE, MPI_BOR, 0,
                       MPI_COMM_WORLD);
        else
            MPI_Reduce(bytes + done, NULL, (int)piece, MPI_BYTE, MPI_BOR, 0, MPI_COMM_WORLD);
        done += piece;
    }
}

MPI_Comm ipsim_ranks_comm(const ipsim_ranks *r)
{
    (void)r;
    return MPI_COMM_WORLD;
}

#else

void ipsim_ranks_init(ipsim_ranks *r, int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    r->rank = 0;
    r->size = 1;
}

void ipsim_ranks_finalize(const ipsim_ranks *r)
{
    (void)r;
}

int ipsim_ranks_max(const ipsim_ranks *r, int value)
{
    (void)r;
    return value;
}

void ipsim_ranks_sum(const ipsim_ranks *r, int64_t *values, size_t n)
{
    (void)r;
    (void)values;
    (void)n;
}

void ipsim_ranks_broadcast(const ipsim_ranks *r, void *buf, size_t n)
{
    (void)r;
    (void)buf;
    (void)n;
}

void ipsim_ranks_barrier(const ipsim_ranks *r)
{
    (void)r;
}

void ipsim_ranks_gather_owned(const ipsim_ranks *r, void *buf, size_t n)
{
    (void)r;
    (void)buf;
    (void)n;
}

#endif
