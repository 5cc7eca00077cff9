/* base/ranks.h: the processes of a run: one, or the ranks of an MPI job.
 *
 * ipsim is built without MPI by default; then there is one rank and every
 * call here is trivial. Built with -DIPSIM_MPI=ON, `mpirun -n R ipsim
 * sweep ...` runs R ranks that share each scenario's work block by block
 * (sim/run.h) and write through parallel HDF5 (output/h5_writer.h). All MPI
 * calls live in base/ranks.c. Collective calls (all but rank/size queries)
 * must be made by every rank, in the same order. */
#ifndef IPSIM_RANKS_H
#define IPSIM_RANKS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ipsim_ranks {
    int rank, size; /* this process's rank, 0 .. size - 1 */
} ipsim_ranks;

/* Starts MPI (in MPI builds; OpenMP threads inside each rank, so funneled
 * thread support) and fills *r; a plain process is rank 0 of 1. */
void ipsim_ranks_init(ipsim_ranks *r, int *argc, char ***argv);

/* Ends MPI (a no-op without it). */
void ipsim_ranks_finalize(const ipsim_ranks *r);

/* Collective: the largest of every rank's value, e.g. to agree that a rank
 * has failed and all must stop. */
int ipsim_ranks_max(const ipsim_ranks *r, int value);

/* Collective: values[0..n-1] summed over the ranks, in place (integers, so
 * the sum does not depend on the order). */
void ipsim_ranks_sum(const ipsim_ranks *r, int64_t *values, size_t n);

/* Collective: rank 0's n bytes at buf, to every rank. */
void ipsim_ranks_broadcast(const ipsim_ranks *r, void *buf, size_t n);

void ipsim_ranks_barrier(const ipsim_ranks *r);

/* Collective: gathers on rank 0 the n bytes at buf that the ranks share
 * out, each byte written by at most one rank and left zero by the others:
 * rank 0 receives the bitwise OR of every rank's bytes (a reduction, so
 * its cost grows with log(ranks), not with ranks). The other ranks' bufs
 * are left as they were. */
void ipsim_ranks_gather_owned(const ipsim_ranks *r, void *buf, size_t n);

#ifdef IPSIM_MPI
#include <mpi.h>
/* The communicator of the ranks, for parallel HDF5. */
MPI_Comm ipsim_ranks_comm(const ipsim_ranks *r);
#endif

#endif
