/* params/life_table.h: the general-population life tables ipsim ships
 * (params/data/life-table-NAME.csv, each with its source in its header and in
 * docs/sources.md), compiled into the program so that a run never depends
 * on finding a data file.
 *
 * A table gives q_x, the probability that a person aged exactly x (whole
 * years) dies before x + 1, by sex, for ages 0 to its last age; older ages
 * take the last age's value. mortality.life_table names one by its `name`. */
#ifndef IPSIM_LIFE_TABLE_H
#define IPSIM_LIFE_TABLE_H

#include "params/params.h"

typedef struct ipsim_life_table_row {
    int age;
    double q[IPSIM_SEXES]; /* male, female */
} ipsim_life_table_row;

typedef struct ipsim_life_table {
    const char *name;       /* as mortality.life_table names it */
    const char *population; /* who and when, for summaries and reports */
    const ipsim_life_table_row *rows; /* ages 0, 1, ..., count - 1 */
    int count;
} ipsim_life_table;

extern const ipsim_life_table ipsim_life_tables[];
extern const int ipsim_life_table_count;
/* The tables' names, NULL-terminated (the schema's choices). */
extern const char *const ipsim_life_table_names[];

/* q_x of `sex` at `age` (ages beyond the table take its last row). */
double ipsim_life_table_q(const ipsim_life_table *t, int sex, int age);

#endif
