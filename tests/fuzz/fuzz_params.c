/* tests/fuzz/fuzz_params.c: libFuzzer target for the YAML parameter loader
 * (libyaml events, tree building, schema checks, emitter round trip). */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_params_resolve_text(&p, (const char *)data, size, "fuzz.yaml", NULL, 0, &err);
    fuzz_check_result(rc, &p, &err);
    return 0;
}
