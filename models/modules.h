/* models/modules.h: the clinical modules ipsim ships (models/module.h), in
 * the order they act within a cycle. A new module is one line here (and its
 * models/NAME.[ch]). Antibiotic prophylaxis comes before IVIG, whose policy
 * may read ipsim_module_cycle.on_antibiotics.
 *
 * The list is a macro so that the patient loop can call the shipped
 * modules' per-cycle hooks by name: a direct call, which link-time
 * optimisation inlines into the loop as it did when those steps were
 * written there, where a call through the descriptor's pointer is not
 * inlined (measured: IVIG and vaccination scenarios 7-16% slower). So a
 * shipped module NAME defines its two per-cycle hooks as the functions
 * ipsim_NAME_module_cycle and ipsim_NAME_module_episodes (an empty one if it needs none;
 * its descriptor may leave that hook NULL) and its descriptor as
 * ipsim_NAME_module. Modules not in the list (a test's) are called through
 * their descriptors. */
#ifndef IPSIM_MODULES_H
#define IPSIM_MODULES_H

#include "models/module.h"

#define IPSIM_SHIPPED_MODULES(X) \
    X(antibiotics)               \
    X(ivig)                      \
    X(vaccination)

#define IPSIM_DECLARE_MODULE(name)                                                           \
    extern const ipsim_module ipsim_##name##_module;                                         \
    void ipsim_##name##_module_cycle(const void *tables, void *state, ipsim_module_cycle *c);       \
    void ipsim_##name##_module_episodes(const void *tables, void *state, const ipsim_module_cycle *c, \
                                 int episodes, int serious);
IPSIM_SHIPPED_MODULES(IPSIM_DECLARE_MODULE)
#undef IPSIM_DECLARE_MODULE

#endif
