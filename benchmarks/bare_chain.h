/* benchmarks/bare_chain.h: the least work one patient's course can be
 * simulated with, the limit the engine is measured against
 * (benchmarks/README.md).
 *
 * It follows the same chain as models/patient.h on the same model tables
 * and draws exactly the same random blocks (base/rng.h), so that a patient
 * has the same course in both: at diagnosis the attributes and the immune
 * state (levels model) or grade; per cycle the pathway's phase (assessment,
 * ASCT, progression and its next line), the infection period and the count
 * of episodes, each episode's seriousness, death (serious episodes, the
 * life table, myeloma's excess hazard) and the next immune state. What it
 * leaves out is everything the engine does beyond the chain: episodes'
 * types and the per-patient record, costs and QALYs, the clinical modules,
 * the summary's tallies, levels' values, and all output. One byte per cycle
 * is stored, so that the work cannot be optimised away.
 *
 * tests/test_bare_chain.c keeps it in step with the engine: for every
 * patient of a cohort, the same blocks drawn for each purpose, and the same
 * grades and death cycle. */
#ifndef IPSIM_BARE_CHAIN_H
#define IPSIM_BARE_CHAIN_H

#include <stdint.h>

#include "base/error.h"
#include "base/rng.h"
#include "models/patient.h"

/* IPSIM_EUSAGE unless the model is one the bare chain follows exactly: no
 * clinical module active, infection risk by grade (the baseline's). */
int ipsim_bare_chain_check(const ipsim_model *m, ipsim_error *err);

/* The benchmarks' model: built from the parameter file at `path` as `ipsim
 * run` builds it, the horizon set to `months` (a number, as text), and
 * checked with ipsim_bare_chain_check. On failure prints "program: message"
 * on stderr and returns the error's code. Both structs are large: give them
 * static storage. */
int ipsim_bare_chain_model(const char *program, const char *path, const char *months,
                           ipsim_params *params, ipsim_model *model);

/* Simulates patient `patient` of the replicate whose stream is given into
 * `row` (m->cycles + 1 bytes): the grade at the start of each cycle lived
 * and at the horizon if alive, or IPSIM_STATE_DEAD in the entry after the
 * cycle of death (the entries after that are not written). Returns the
 * number of cycles lived through, the cycle of death included. */
int64_t ipsim_bare_chain_patient(const ipsim_model *m, ipsim_stream stream, uint64_t patient,
                                 uint8_t *row);

#endif
