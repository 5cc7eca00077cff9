/* output/block.h: what the writer accepts from a cohort run.
 *
 * The cohort (sim/cohort.h) simulates patients in blocks of consecutive
 * indices and hands each finished block, in patient order, to a sink such as
 * the HDF5 writer (output/h5_writer.h). The type lives here, with the
 * writers, so that output/ needs nothing from sim/. */
#ifndef IPSIM_BLOCK_H
#define IPSIM_BLOCK_H

#include <signal.h>
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
    /* Polyclonal IgG, IgA, IgM (g/L) [count][months], NaN once dead; NULL
     * likewise, and without the levels model (models/immunoglobulins.h). */
    const float *level[IPSIM_IG_CLASSES];
    const ipsim_patient_record *records; /* [count] */
    /* Set (non-zero) once the run is being stopped: the block will be
     * discarded, so a sink may abandon work on it. NULL: never stopped. */
    const volatile sig_atomic_t *cancel;
} ipsim_block;

#endif
