/* output/block.h: what the writer accepts from a cohort run.
 *
 * The cohort (sim/cohort.h) simulates patients in blocks of consecutive
 * indices and hands each finished block, in patient order, to a sink such as
 * the HDF5 writer (output/h5_writer.h). The type lives here, with the
 * writers, so that output/ needs nothing from sim/. */
#ifndef IPSIM_BLOCK_H
#define IPSIM_BLOCK_H

#include <stdint.h>

#include "models/patient.h"

/* One block of simulated patients, valid only during the sink call. */
typedef struct ipsim_block {
    int64_t replicate;
    int64_t first_patient;
    int64_t count;
    int64_t months;         /* row length: cycles + 1 */
    const uint8_t *grade;   /* [count][months]; NULL when trajectories are not kept */
    const uint8_t *infections; /* [count][months]; NULL likewise */
    const uint8_t *ivig;       /* [count][months]; NULL likewise */
    const uint8_t *phase;      /* [count][months]; NULL likewise */
    const ipsim_patient_record *records; /* [count] */
} ipsim_block;

#endif
