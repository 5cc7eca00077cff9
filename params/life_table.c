/* params/life_table.c: the shipped life tables. The rows come from
 * params/data/life-table-NAME.csv, turned into C initialisers at build time
 * (cmake/life_tables.cmake), so the CSV file is the one place they live. */
#include "params/life_table.h"

#include <stddef.h>

#include "life_table_data.h" /* generated: IPSIM_LIFE_TABLE_ROWS_* */

static const ipsim_life_table_row uk_2017_2019[] = {
    IPSIM_LIFE_TABLE_ROWS_UK_2017_2019};

const ipsim_life_table ipsim_life_tables[] = {
    {.name = "uk_2017_2019",
     .population = "United Kingdom, 2017-2019 (ONS National Life Tables)",
     .rows = uk_2017_2019,
     .count = (int)(sizeof uk_2017_2019 / sizeof uk_2017_2019[0])},
};

const int ipsim_life_table_count = (int)(sizeof ipsim_life_tables / sizeof ipsim_life_tables[0]);

const char *const ipsim_life_table_names[] = {"uk_2017_2019", NULL};

double ipsim_life_table_q(const ipsim_life_table *t, int sex, int age)
{
    if (age < 0)
        age = 0;
    if (age >= t->count)
        age = t->count - 1;
    return t->rows[age].q[sex];
}
