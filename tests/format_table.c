/* tests/format_table.c: prints the table of the output file
 * (output/h5_format.h) with the registered modules' columns, one dataset a
 * line, tab-separated:
 *   path  type  dimensions  units  long_name  enumeration (a=0, b=1, ...)
 * with the path under the scenario group, the type as docs/output-format.md
 * writes it, the dimensions by coordinate name (a coordinate's own line
 * gives its length, or R, N or M). tests/check_format_docs.py compares it
 * with the manual. */
#include <stdio.h>

#include "output/h5_format.h"

static void dims(int rank, const ipsim_dim *d)
{
    for (int k = 0; k < rank; k++)
        printf("%s%s", k ? "," : "", ipsim_coordinates[d[k]].name);
}

/* An enumeration's values as the manual writes them ("a=0, b=1"), as a
 * sixth field; nothing for other types. */
static void labels(ipsim_element e)
{
    int count = 0;
    const char *const *names = ipsim_element_labels(e, &count);
    printf("\t");
    for (int k = 0; names && k < count; k++)
        printf("%s%s=%d", k ? ", " : "", names[k], k);
}

static void dataset(const ipsim_dataset *d)
{
    printf("%s%s%s\t%s\t", d->group, *d->group ? "/" : "", d->name, ipsim_element_name(d->element));
    dims(d->rank, d->dims);
    printf("\t%s\t%s", d->units ? d->units : "", d->long_name);
    labels(d->element);
    printf("\n");
}

int main(void)
{
    static const char *const sizes[3] = {"R", "N", "M"};
    for (int i = 0; i < IPSIM_DIMS; i++) {
        const ipsim_coordinate *c = &ipsim_coordinates[i];
        printf("%s\t%s\t", c->name, ipsim_element_name(c->element));
        if (i <= IPSIM_DIM_MONTH)
            printf("%s", sizes[i]);
        else if (i == IPSIM_DIM_EVENT_ROW)
            printf("M1");
        else
            printf("%d", c->length);
        printf("\t\t%s", c->long_name);
        labels(c->element);
        printf("\n");
    }
    for (int i = 0; i < IPSIM_TRAJECTORY_SETS; i++)
        dataset(&ipsim_trajectory_datasets[i]);
    /* A run's per-patient columns: the table's, then the registered clinical
     * modules' (models/module.h). */
    ipsim_column_list list;
    if (ipsim_column_list_init(&list, 1, NULL) != IPSIM_OK)
        return 1;
    for (int i = 0; i < list.count; i++) {
        const ipsim_column *c = &list.rows[i];
        ipsim_dim d[3] = {IPSIM_DIM_REPLICATE, IPSIM_DIM_PATIENT, c->dim};
        printf("%s/%s\t%s\t", c->group, c->name, ipsim_element_name(c->element));
        dims(c->width > 1 ? 3 : 2, d);
        printf("\t%s\t%s", c->units ? c->units : "", c->long_name);
        labels(c->element);
        printf("\n");
    }
    ipsim_column_list_free(&list);
    for (int i = 0; i < IPSIM_ECONOMIC_TOTALS; i++)
        dataset(&ipsim_economic_totals[i]);
    for (int i = 0; i < IPSIM_SUMMARIES; i++)
        dataset(&ipsim_summaries[i]);
    return 0;
}
