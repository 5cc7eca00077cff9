/* tests/fuzz/fuzz_overrides.c: libFuzzer target for --set overrides. The
 * input is split at newlines into up to 16 "section.key=value" strings,
 * applied in order on top of the defaults. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_OVERRIDES = 16 };
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *overrides[MAX_OVERRIDES];
    size_t n = 0;
    char *line = copy;
    while (n < MAX_OVERRIDES && line) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        overrides[n++] = line;
        line = next;
    }
    ipsim_params p;
    ipsim_error err;
    ipsim_error_clear(&err);
    int rc = ipsim_params_resolve(&p, NULL, overrides, n, &err);
    fuzz_check_result(rc, &p, &err);
    free(copy);
    return 0;
}
