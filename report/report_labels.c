/* report/report_labels.c: the names a reader sees for each scenario in the
 * figures' panel titles and legends. A scenario of a sweep is named by the
 * values it varies, as the file's /sweep table holds them, each key by its
 * last part ("dose_mg_per_kg=400, titrate=true"), since its code name
 * says little; any other by its
 * code name made readable ("ivig_severe" -> "IVIG severe"). Tables and CSVs
 * keep the code names, which other tools match on. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

/* Words written as people write them in the field, not as code spells them. */
static const char *const acronyms[][2] = {
    {"ivig", "IVIG"}, {"scig", "SCIG"}, {"igg", "IgG"}, {"psa", "PSA"}, {"nhs", "NHS"},
    {"ip", "IP"},     {"qaly", "QALY"}, {"mm", "MM"},   {"icer", "ICER"},
};

/* "ivig_igg_below_4" -> "IVIG IgG below 4": underscores as spaces, known
 * acronyms in capitals, the first letter capital. */
static void humanise(const char *name, char *out, size_t size)
{
    size_t k = 0;
    const char *s = name;
    while (*s && k + 1 < size) {
        if (*s == '_') {
            out[k++] = ' ';
            s++;
            continue;
        }
        size_t len = strcspn(s, "_");
        const char *word = NULL;
        for (size_t a = 0; a < sizeof acronyms / sizeof acronyms[0]; a++)
            if (strlen(acronyms[a][0]) == len && strncmp(s, acronyms[a][0], len) == 0)
                word = acronyms[a][1];
        for (size_t i = 0; i < len && k + 1 < size; i++)
            out[k++] = word ? word[i] : s[i];
        s += len;
    }
    out[k] = '\0';
    if (out[0] && islower((unsigned char)out[0]))
        out[0] = (char)toupper((unsigned char)out[0]);
}

/* Scenario `name`'s key=value pairs from the /sweep table of r's file, or
 * false if the file holds no sweep or the sweep does not name it. */
static bool sweep_label(ipsim_h5_reader *r, const char *name, char *out, size_t size)
{
    char **scenarios = NULL, **keys = NULL;
    int64_t scenario_count = 0, key_count = 0;
    ipsim_error ignored = {0};
    if (ipsim_h5_reader_root_size(r, "sweep/scenario") <= 0 ||
        ipsim_h5_reader_root_size(r, "sweep/key") <= 0)
        return false;
    bool found = false;
    int64_t row = -1;
    if (ipsim_h5_reader_read_root_strings(r, "sweep/scenario", &scenarios, &scenario_count,
                                          &ignored) == IPSIM_OK &&
        ipsim_h5_reader_read_root_strings(r, "sweep/key", &keys, &key_count, &ignored) ==
            IPSIM_OK) {
        for (int64_t i = 0; i < scenario_count; i++)
            if (strcmp(scenarios[i], name) == 0)
                row = i;
        size_t k = 0;
        out[0] = '\0';
        for (int64_t j = 0; row >= 0 && j < key_count; j++) {
            char dataset[IPSIM_KEY_MAX + 16], **values = NULL;
            int64_t value_count = 0;
            snprintf(dataset, sizeof dataset, "sweep/%s", keys[j]);
            if (ipsim_h5_reader_read_root_strings(r, dataset, &values, &value_count, &ignored) ==
                    IPSIM_OK &&
                row < value_count) {
                /* The key's last part: "dose_mg_per_kg=200" says enough
                 * beside the figure, and the page's table has the whole key. */
                const char *tail = strrchr(keys[j], '.');
                int n = snprintf(out + k, size - k, "%s%s=%s", j ? ", " : "",
                                 tail ? tail + 1 : keys[j], values[row]);
                k = n < 0 ? k : k + (size_t)n >= size ? size - 1 : k + (size_t)n;
                found = true;
            }
            ipsim_h5_reader_free_strings(values, value_count);
        }
    }
    ipsim_h5_reader_free_strings(scenarios, scenario_count);
    ipsim_h5_reader_free_strings(keys, key_count);
    return found;
}

int ipsim_report_labels_read(ipsim_report_data *rp, ipsim_error *err)
{
    rp->labels = calloc((size_t)rp->count, sizeof *rp->labels);
    if (!rp->labels)
        return IPSIM_FAIL(err, IPSIM_ENOMEM, "out of memory");
    for (int s = 0; s < rp->count; s++)
        if (!sweep_label(rp->readers[s], rp->series[s].name, rp->labels[s],
                         sizeof rp->labels[s]))
            humanise(rp->series[s].name, rp->labels[s], sizeof rp->labels[s]);
    return IPSIM_OK;
}

const char *ipsim_report_label(const ipsim_report_data *rp, int s)
{
    return rp->labels ? rp->labels[s] : rp->series[s].name;
}
