/* tests/fuzz/fuzz_check.h: what every fuzz target checks of a resolved
 * parameter set: an error must format, and an accepted set must emit YAML
 * that resolves back to exactly the same set. abort() marks a finding. */
#ifndef IPSIM_FUZZ_CHECK_H
#define IPSIM_FUZZ_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "params/loader.h"

static inline void fuzz_check_result(int rc, const ipsim_params *p, ipsim_error *err)
{
    char message[4096];
    ipsim_error_format(err, message, sizeof message);
    if (rc != IPSIM_OK) {
        if (err->code != rc || err->message[0] == '\0')
            abort(); /* a failure without a message */
        return;
    }
    char *text = NULL;
    ipsim_error again;
    ipsim_error_clear(&again);
    if (ipsim_params_to_yaml(p, &text, &again) != IPSIM_OK)
        abort();
    ipsim_params back;
    if (ipsim_params_resolve_text(&back, text, strlen(text), "emitted", NULL, 0, &again) !=
            IPSIM_OK ||
        memcmp(&back, p, sizeof back) != 0)
        abort(); /* the emitter and the loader disagree */
    free(text);
}

#endif
