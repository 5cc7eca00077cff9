/* params/published.h: published figures on the course of myeloma that
 * ipsim calibrates to or validates against (docs/model.md "Calibration and
 * validation" says which set each belongs to; docs/sources.md gives each
 * source in full). The source review's own figures are in params/review.h. */
#ifndef IPSIM_PUBLISHED_H
#define IPSIM_PUBLISHED_H

/* SWOG S0777 (Durie et al., Lancet 2017;389:519-27), VRd without intent for
 * immediate ASCT: median progression-free and overall survival, months from
 * randomisation (at diagnosis). */
#define IPSIM_PUBLISHED_S0777_PFS_MEDIAN 43.0
#define IPSIM_PUBLISHED_S0777_OS_MEDIAN 75.0

/* EMN02/HO95 (Cavo et al., Lancet Haematol 2020;7:e456-68), ASCT arm: median
 * PFS 56.7 months (95% CI 49.3-64.5) from the first randomisation, taken as
 * the ASCT month. */
#define IPSIM_PUBLISHED_EMN02_PFS_MEDIAN 56.7
#define IPSIM_PUBLISHED_EMN02_PFS_LOW 49.3
#define IPSIM_PUBLISHED_EMN02_PFS_HIGH 64.5

/* Swedish Myeloma Registry, diagnosed 2008-2021 (Blimark et al.,
 * Haematologica 2025;110:163-72): dead within 2 months, within 1 year. */
#define IPSIM_PUBLISHED_DEAD_2_MONTHS 0.08
#define IPSIM_PUBLISHED_DEAD_12_MONTHS 0.20

/* Bove et al., JCO Glob Oncol 2022 (PMC9812460): prospective cohort of 248
 * newly diagnosed patients in seven Latin American countries; 67.3% of the
 * 113 infections needing admission in the first 6 months began in the first
 * 3 months. */
#define IPSIM_PUBLISHED_EARLY_SHARE_OF_6_MONTHS 0.673

/* TEAMM, placebo arm (Drayson et al., Lancet Oncol 2019;20:1760-72): a
 * febrile episode or death within 12 weeks of starting treatment, 134 of
 * 488; read as >= 1 infection episode or death in the early months. */
#define IPSIM_PUBLISHED_TEAMM_EARLY 0.27

/* Total Therapy 2 (Blood 2004;104(11):1158, abstract): severe infection
 * after melphalan-ASCT in 77 of 382; read as >= 1 serious episode in the
 * first neutropenic month. */
#define IPSIM_PUBLISHED_ASCT_SEVERE_INFECTION 0.20

/* Real-world median progression-free survival from the start of the second
 * and third line, months (Jagannath et al., Expert Rev Hematol
 * 2016;9:707-17, US community practice). */
#define IPSIM_PUBLISHED_PFS_SECOND_LINE 10.5
#define IPSIM_PUBLISHED_PFS_THIRD_LINE 7.9

/* Median overall survival from the start of the fourth line, months (PHAROS
 * registry, the Netherlands 2008-2013: Verelst et al., HemaSphere
 * 2018;2:e45), for the later lines. */
#define IPSIM_PUBLISHED_OS_FOURTH_LINE 9.2

/* Polyclonal IgG (excluding paraprotein) below 4 g/L at diagnosis: 25.2%
 * of 2,374 newly diagnosed patients of the Australia and New Zealand
 * Myeloma and Related Diseases Registry (Chai et al., eJHaem 2024;5:690,
 * table 1). Not fitted: a check of the levels model. */
#define IPSIM_PUBLISHED_IGG_BELOW_4 0.252

#endif
