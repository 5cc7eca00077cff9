/* models/vaccination.h: influenza and pneumococcal vaccination (review
 * section 4.2: vaccination lowers infection risk; the response is weaker
 * under immunoparesis).
 *
 * Influenza: every year in the calendar month influenza_month, a living
 * patient is vaccinated with probability influenza_coverage; the dose takes
 * with a probability that depends on the grade then, and protects for
 * influenza_protection_months. Pneumococcal: once, pneumococcal_month after
 * diagnosis, likewise. Each patient's calendar month of diagnosis is drawn
 * at diagnosis. A dose falling within a cycle takes effect from that
 * cycle's start.
 *
 * While protected, each viral (influenza) or bacterial (pneumococcal)
 * episode is prevented with probability *_prevented: the episodes of the
 * unvaccinated course are thinned, which leaves a Poisson process with the
 * targeted type's rate times (1 - prevented) and every other type's
 * untouched, and keeps common random numbers: a vaccinated patient has a
 * subset of the episodes they would have had. */
#ifndef IPSIM_VACCINATION_H
#define IPSIM_VACCINATION_H

#include <stdbool.h>
#include <stdint.h>

#include "models/module.h"
#include "params/params.h"

typedef struct ipsim_vaccination {
    bool any;           /* false: both coverages are 0, nothing to do */
    int64_t cycle_months;
    double flu_coverage, flu_response[IPSIM_GRADES], flu_prevented;
    int flu_calendar_month;    /* 0-11 */
    int64_t flu_protection_months;
    double pn_coverage, pn_response[IPSIM_GRADES], pn_prevented;
    int64_t pn_month, pn_protection_months;
} ipsim_vaccination;

typedef struct ipsim_vaccination_state {
    int calendar_month;     /* 0-11, of diagnosis */
    int64_t flu_until;      /* protected while month < flu_until */
    int64_t pn_until;
} ipsim_vaccination_state;

void ipsim_vaccination_init(ipsim_vaccination *m, const ipsim_params *p);

/* A fresh state for a patient diagnosed in the calendar month drawn from u. */
void ipsim_vaccination_state_init(ipsim_vaccination_state *s, double u);

/* Doses given in a cycle, as bits; and whether the pneumococcal one failed
 * to take (the response a policy may require, models/ivig.h). */
enum { IPSIM_DOSE_INFLUENZA = 1, IPSIM_DOSE_PNEUMOCOCCAL = 2, IPSIM_DOSE_PNEUMOCOCCAL_FAILED = 4 };

/* Vaccinates in the cycle starting at `month` if a dose falls in it, from
 * four uniforms (influenza given, took; pneumococcal given, took). Returns
 * the doses given: IPSIM_DOSE_* bits, 0 if none. */
int ipsim_vaccination_cycle(const ipsim_vaccination *m, ipsim_vaccination_state *s, int64_t month,
                            int grade, const double u[4]);

/* Probability that an episode of each type is prevented in the cycle
 * starting at `month`. */
void ipsim_vaccination_prevention(const ipsim_vaccination *m, const ipsim_vaccination_state *s,
                                  int64_t month, double prevented[IPSIM_INFECTION_TYPES]);

/* Vaccination as a clinical module (models/module.h): the schedule above
 * each cycle, from four uniforms at IPSIM_PURPOSE_VACCINE; the doses' costs
 * (economics.influenza_vaccine_cost, economics.pneumococcal_vaccine_cost);
 * its protection thins episodes; it counts the doses given (summed as
 * summary/vaccine_doses). Its parameters are the schema's vaccination.*
 * section, which the PSA can draw. Active when a coverage is above 0. */
extern const ipsim_module ipsim_vaccination_module;

#endif
