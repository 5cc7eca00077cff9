/* tests/toy_module.c: a test-only clinical module, built on the seam of
 * models/module.h exactly as a real one would be: "toy" prevents each viral
 * episode with probability modules.toy.share (say, an antiviral), costs
 * modules.toy.cost_per_cycle while it is on, and counts per patient the
 * episodes it prevented (patients/toy_prevented). tests/test_modules.c
 * registers it with one line. */
#include "models/module.h"

typedef struct toy_tables {
    double share, cost_per_cycle;
} toy_tables;

typedef struct toy_state {
    uint32_t prevented;
} toy_state;

static const ipsim_module_param toy_params[] = {
    {.key = "share", .default_value = 0, .min = 0, .max = 1, .unit = "probability",
     .doc = "Share of viral episodes prevented (test-only assumption)."},
    {.key = "cost_per_cycle", .default_value = 0, .min = 0, .max = 1e6, .unit = "currency",
     .doc = "Cost of each cycle on the toy prevention (test-only assumption)."},
};

static const ipsim_module_column toy_columns[] = {
    {.name = "toy_prevented", .integer = true, .unit = "episodes",
     .doc = "viral episodes the toy module prevented"},
};

static int toy_init(void *tables, const double *values, const ipsim_params *p, bool *active,
                    ipsim_error *err)
{
    (void)p;
    (void)err;
    toy_tables *t = tables;
    t->share = values[0];
    t->cost_per_cycle = values[1];
    *active = t->share > 0 || t->cost_per_cycle > 0;
    return IPSIM_OK;
}

static void toy_cycle(const void *tables, void *state, ipsim_module_cycle *c)
{
    (void)state;
    const toy_tables *t = tables;
    c->prevented[IPSIM_INFECTION_VIRAL] = t->share;
    c->cost = t->cost_per_cycle;
}

static void toy_prevented(const void *tables, void *state, int type)
{
    (void)tables;
    (void)type;
    ((toy_state *)state)->prevented++;
}

static void toy_finish(const void *tables, const void *state, double *columns)
{
    (void)tables;
    columns[0] = ((const toy_state *)state)->prevented;
}

const ipsim_module ipsim_toy_module = {
    .name = "toy",
    .params = toy_params,
    .param_count = 2,
    .columns = toy_columns,
    .column_count = 1,
    .tables_size = sizeof(toy_tables),
    .state_size = sizeof(toy_state),
    .init = toy_init,
    .cycle = toy_cycle,
    .prevented = toy_prevented,
    .finish = toy_finish,
};
