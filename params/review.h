/* params/review.h: the figures of the source review (docs/review.md;
 * section numbers are the review's), in one place. `ipsim validate` compares a
 * simulation with them and `ipsim calibrate` fits to them; parameter
 * defaults derived from them say so in params/schema.c. */
#ifndef IPSIM_REVIEW_H
#define IPSIM_REVIEW_H

/* Section 1: severe or worse IP at diagnosis (contradicts the per-grade mix
 * unless read as moderate or worse, docs/review.md). */
#define IPSIM_REVIEW_SEVERE_OR_WORSE 0.761
#define IPSIM_REVIEW_SEVERE_OR_WORSE_AT_DIAGNOSIS IPSIM_REVIEW_SEVERE_OR_WORSE
/* Sections 1 and 3.1.1: IP in 90.1% at diagnosis; mild 14.0%, moderate
 * 28.6% (the remaining 47.5% severe or worse, on the same reading). */
#define IPSIM_REVIEW_NO_IP_AT_DIAGNOSIS 0.099
#define IPSIM_REVIEW_MODERATE_AT_DIAGNOSIS 0.286

/* Section 3.1.3: rises of the uninvolved classes in CR after VRD. The CR
 * figures of sections 3.1.3 and 4 come from one centre's CR patients: 16,
 * inferred from the shares (62.5% = 10/16, 37.5% = 6/16, 18.8% = 3/16);
 * the review gives no count. */
#define IPSIM_REVIEW_CR_PATIENTS 16
#define IPSIM_REVIEW_CR_RISE_IGG 0.452
#define IPSIM_REVIEW_CR_RISE_IGA 0.386
#define IPSIM_REVIEW_CR_RISE_IGM 0.321

/* Section 3.1.1: by myeloma type. */
#define IPSIM_REVIEW_SEVERE_OR_WORSE_IGG 0.583
#define IPSIM_REVIEW_SEVERE_OR_WORSE_IGA 0.452
#define IPSIM_REVIEW_VERY_SEVERE_LIGHT_CHAIN 0.186

/* Section 3.1.2: share with >= 1 infection, by grade at diagnosis and overall. */
#define IPSIM_REVIEW_INFECTED_MILD 0.182
#define IPSIM_REVIEW_INFECTED_MODERATE 0.256
#define IPSIM_REVIEW_INFECTED_SEVERE_OR_WORSE 0.389
#define IPSIM_REVIEW_INFECTED_ALL 0.268
/* Serious infections, severe or worse IP against mild IP. */
#define IPSIM_REVIEW_SERIOUS_RATE_RATIO 3.2
/* Episode types: bacterial, viral, fungal. */
#define IPSIM_REVIEW_BACTERIAL 0.653
#define IPSIM_REVIEW_VIRAL 0.286
#define IPSIM_REVIEW_FUNGAL 0.061

/* Sections 3.1.3 and 4: recovery in complete response (CR). */
#define IPSIM_REVIEW_CR_IMPROVED 0.625           /* after 3 VRD cycles */
#define IPSIM_REVIEW_CR_RECOVERED_ASCT 0.375     /* 12 months after ASCT */
#define IPSIM_REVIEW_CR_RECOVERED_NO_ASCT 0.188  /* same time, induction alone */

/* Section 5.1: median PFS of patients whose IP did not improve, months
 * (not reached for those whose IP improved). */
#define IPSIM_REVIEW_PFS_MEDIAN_NOT_IMPROVED 38

#endif
