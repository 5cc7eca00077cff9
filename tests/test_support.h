/* tests/test_support.h: helpers shared by the cmocka test programs. */
#ifndef IPSIM_TEST_SUPPORT_H
#define IPSIM_TEST_SUPPORT_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "params/loader.h"

/* Resolves defaults plus overrides (a NULL-terminated list); fails the test
 * with the loader's message if they do not resolve. */
static inline ipsim_params test_params_resolve(const char *const *overrides)
{
    size_t n = 0;
    while (overrides && overrides[n])
        n++;
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_params_resolve(&p, NULL, overrides, n, &err);
    if (rc) {
        char msg[2048];
        ipsim_error_format(&err, msg, sizeof msg);
        fail_msg("test parameters do not resolve: %s", msg);
    }
    return p;
}

/* The defaults on the pathway grade model (the grade itself moves; the
 * chain's closed forms are simple), plus overrides (which may set another). */
static inline ipsim_params test_params_pathway(const char *const *overrides)
{
    enum { MAX = 64 };
    const char *all[MAX + 2] = {"grades.model=pathway"};
    size_t n = 1;
    for (size_t i = 0; overrides && overrides[i]; i++) {
        if (n >= MAX + 1)
            fail_msg("too many test overrides");
        all[n++] = overrides[i];
    }
    all[n] = NULL;
    return test_params_resolve(all);
}

/* The same on a simpler model for testing one mechanism at a time: grades
 * follow grades.transition_matrix whatever the treatment phase, no phase or
 * period changes the infection hazard, deaths of other causes are one
 * constant monthly probability and myeloma has no excess mortality. The
 * overrides come after these, so a test can still set any of them. */
static inline ipsim_params test_params(const char *const *overrides)
{
    enum { MAX = 64, FIXED = 6 };
    const char *all[MAX + FIXED + 1] = {
        "grades.model=matrix", "pathway.infection_rate_ratio=[1, 1, 1, 1, 1, 1]",
        "infection.early_rate_ratio=1", "infection.neutropenic_rate_ratio=1",
        "mortality.background=constant", "mortality.excess_hazard_per_month=[0, 0, 0, 0, 0, 0]"};
    size_t n = FIXED;
    for (size_t i = 0; overrides && overrides[i]; i++) {
        if (n >= MAX + FIXED)
            fail_msg("too many test overrides");
        all[n++] = overrides[i];
    }
    all[n] = NULL;
    return test_params_resolve(all);
}

/* Asserts |estimate - exact| <= 4 standard errors. A zero standard error
 * (a share of exactly 0 or 1) demands exact equality. */
#define assert_within_4se(estimate, exact, se, what)                                         \
    do {                                                                                     \
        double est_ = (estimate), ex_ = (exact), se_ = (se);                                 \
        if (!(fabs(est_ - ex_) <= 4 * se_))                                                  \
            fail_msg("%s: estimate %.6g, exact %.6g, differ by %.2f SE (SE %.3g)", (what),   \
                     est_, ex_, se_ > 0 ? fabs(est_ - ex_) / se_ : INFINITY, se_);            \
    } while (0)

/* Asserts |actual - expected| <= tolerance, printing both (cmocka 1.1 has
 * no double comparison). */
#define assert_close(actual, expected, tolerance)                                            \
    do {                                                                                     \
        double a_ = (actual), e_ = (expected);                                               \
        if (!(fabs(a_ - e_) <= (tolerance)))                                                 \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #actual, a_, e_,            \
                     (double)(tolerance));                                                   \
    } while (0)

#endif
