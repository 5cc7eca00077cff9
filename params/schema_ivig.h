/* params/schema_ivig.h: the ivig.* rows of ipsim_param_specs.
 *
 * Not a header of its own: params/schema.c includes it inside the array
 * (a .def-style fragment, so that the schema stays one array while its file
 * stays under the 800-line wall). Immunoglobulin replacement as a drug
 * (models/ivig.h): who gets it (policies as guidelines write them), how it
 * is given (route, dose, interval, titration to a trough), what it does (dose
 * -> IgG trough -> infection rate ratios) and its infusion reactions. Sources:
 * docs/sources.md, "IVIG and SCIG". */

    {.path = "ivig.policy", .type = IPSIM_PARAM_CHOICE, .offset = AT(ivig.policy),
     .choices = ivig_policy_choices, .default_yaml = "none", .unit = "-",
     .doc = "Who gets immunoglobulin replacement: none; grade (grade >= grade_threshold); "
            "infections (qualifying episodes within lookback_months); grade_or_infections; "
            "igg (own IgG below igg_threshold_g_per_l); igg_and_infections (low IgG and "
            "qualifying infections: NHS England 2018/19 commissioning criteria); "
            "igg_or_infections (either: the 2022 text, RATIONAL eligibility). The review "
            "recommends it for high-risk patients, not as routine prophylaxis (section 4.2)."},
    {.path = "ivig.grade_threshold", .type = IPSIM_PARAM_CHOICE,
     .offset = AT(ivig.grade_threshold), .choices = grade_choices, .default_yaml = "severe",
     .unit = "grade", .doc = "Lowest grade that triggers IVIG under the grade policies."},
    {.path = "ivig.infections_threshold", .type = IPSIM_PARAM_INT,
     .offset = AT(ivig.infections_threshold), .min = 1, .max = 16, .default_yaml = "2",
     .unit = "episodes",
     .doc = "Qualifying episodes within lookback_months that trigger IVIG under the infection "
            "policies (recurrent infection: 2, an assumption; RATIONAL trial eligibility, "
            "ACTRN12616001723471, names recurrent or severe infection)."},
    {.path = "ivig.serious_only", .type = IPSIM_PARAM_BOOL, .offset = AT(ivig.serious_only),
     .default_yaml = "false", .unit = "-",
     .doc = "Count only serious episodes towards infections_threshold."},
    {.path = "ivig.lookback_months", .type = IPSIM_PARAM_INT, .offset = AT(ivig.lookback_months),
     .min = 1, .max = 120, .default_yaml = "12", .unit = "months",
     .doc = "Window of past episodes the infection trigger counts; a multiple of cycle_months."},
    {.path = "ivig.start_month", .type = IPSIM_PARAM_INT, .offset = AT(ivig.start_month),
     .min = 0, .max = 1200, .default_yaml = "0", .unit = "months",
     .doc = "No IVIG before this month since diagnosis."},
    {.path = "ivig.stop_when_recovered", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.stop_when_recovered), .default_yaml = "true", .unit = "-",
     .doc = "true: IVIG stops when its trigger no longer holds: under the grade and infection "
            "policies in the first cycle it fails; under the IgG policies at a review "
            "(review_months) at which own IgG is at or above igg_threshold_g_per_l. false: once "
            "started, it continues (but for stop_without_benefit)."},
    {.path = "ivig.dose_mg_per_kg", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.dose_mg_per_kg),
     .min = 0, .max = 2000, .default_yaml = "400", .unit = "mg/kg per infusion",
     .doc = "Dose per infusion (the starting dose when titrate is true). Default: 0.4 g/kg "
            "(Chapel et al., Lancet 1994;343:1059; RATIONAL, ACTRN12616001723471); the review "
            "gives 200-400 mg/kg; SCIG 100-150 mg/kg weekly (Transfusion Ontario IG guidance)."},
    {.path = "ivig.interval_weeks", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.interval_weeks),
     .min = 1, .max = 52, .default_yaml = "4", .unit = "weeks",
     .doc = "Weeks between infusions (review: every 3-4 weeks; Chapel 1994 and RATIONAL: 4; "
            "SCIG: 1)."},
    {.path = "ivig.rate_ratio_all", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.rate_ratio_all),
     .min = 0, .max = 5, .default_yaml = "0.72", .unit = "rate ratio",
     .doc = "Infection rate ratio at the steady-state trough rise of the reference regimen "
            "(reference_dose_mg_per_kg every 4 weeks); other rises scale it log-linearly "
            "(models/ivig.h). Default: clinically documented infection RR 0.72 (0.54-0.96) in "
            "haematological cancers (Chai et al., Blood Adv 2023;7:20-31), inside the evidence "
            "range 0.49 (Raanani, Cochrane CD006501, 2008) to 0.92 (Mount Sinai cohort, Clin "
            "Lymphoma Myeloma Leuk 2021;21:e470)."},
    {.path = "ivig.rate_ratio_serious", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.rate_ratio_serious), .min = 0, .max = 5, .default_yaml = "0.52",
     .unit = "rate ratio",
     .doc = "Serious-infection rate ratio at the reference regimen's trough rise. Default: calc "
            "from Chapel et al., Lancet 1994 (0.4 g/kg every 4 weeks): 19 in 449 patient-months "
            "on IVIG vs 38 in 470 on placebo, (19/449)/(38/470) = 0.52."},
    {.path = "ivig.igg_threshold_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.igg_threshold_g_per_l), .min = 0, .max = 30, .default_yaml = "4",
     .unit = "g/L",
     .doc = "The IgG policies' threshold on the patient's own polyclonal IgG (excluding the "
            "paraprotein and any given immunoglobulin). Default: 4 g/L (NHS England "
            "commissioning criteria for secondary antibody deficiency, 2018/19 and 2022; "
            "RATIONAL eligibility)."},
    {.path = "ivig.bacterial_only", .type = IPSIM_PARAM_BOOL, .offset = AT(ivig.bacterial_only),
     .default_yaml = "false", .unit = "-",
     .doc = "Count only bacterial episodes as qualifying (the NHS criteria: recurrent or severe "
            "bacterial infection)."},
    {.path = "ivig.serious_qualifies", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.serious_qualifies), .default_yaml = "false", .unit = "-",
     .doc = "One serious qualifying episode within lookback_months is enough (\"recurrent or "
            "severe\", NHS England criteria), besides infections_threshold episodes."},
    {.path = "ivig.require_antibiotics", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.require_antibiotics), .default_yaml = "false", .unit = "-",
     .doc = "Count only episodes that began while on antibiotic prophylaxis (\"despite "
            "prophylaxis\", NHS England criteria); needs an antibiotic prophylaxis module acting "
            "before IVIG, without which no episode qualifies."},
    {.path = "ivig.require_vaccine_failure", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.require_vaccine_failure), .default_yaml = "false", .unit = "-",
     .doc = "Also require a failed polysaccharide vaccine response (NHS England 2018/19, "
            "\"when appropriate\"): a course starts only once the patient's pneumococcal "
            "vaccination (section vaccination) has been given and has not taken, from the "
            "cycle after the dose. Needs vaccination.pneumococcal_coverage above 0."},
    {.path = "ivig.review_months", .type = IPSIM_PARAM_INT, .offset = AT(ivig.review_months),
     .min = 1, .max = 120, .default_yaml = "12", .unit = "months",
     .doc = "Months on IVIG between reviews of the IgG policies' stopping rules; a multiple of "
            "cycle_months. Default: annual review (NHS England criteria)."},
    {.path = "ivig.stop_without_benefit", .type = IPSIM_PARAM_BOOL,
     .offset = AT(ivig.stop_without_benefit), .default_yaml = "false", .unit = "-",
     .doc = "At a review, stop when the qualifying episodes since the last review are no fewer "
            "than in the lookback_months before the start (no reduction in infections: NHS "
            "England criteria). A new course then needs new qualifying episodes."},
    {.path = "ivig.route", .type = IPSIM_PARAM_CHOICE, .offset = AT(ivig.route),
     .choices = ivig_route_choices, .default_yaml = "ivig", .unit = "-",
     .doc = "ivig: intravenous, in a day unit (economics.ivig_*, reaction_probability); scig: "
            "subcutaneous at home (economics.scig_*, scig_reaction_probability, "
            "scig_trough_factor); give SCIG's dose and interval (100 mg/kg weekly) too."},
    {.path = "ivig.trough_rise_per_100_mg_per_kg", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.trough_rise_per_100_mg_per_kg), .min = 0.01, .max = 10,
     .default_yaml = "0.73", .unit = "g/L per 100 mg/kg every 4 weeks",
     .doc = "Steady-state rise of the IgG trough per 100 mg/kg of immunoglobulin every 4 weeks. "
            "Default: +73 mg/dL per +100 mg/kg (Lee et al., J Clin Immunol 2020;40:682-98); "
            "Orange et al., Clin Immunol 2010;137:21-30 found +121 mg/dL."},
    {.path = "ivig.scig_trough_factor", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.scig_trough_factor), .min = 0.1, .max = 3, .default_yaml = "1",
     .unit = "ratio",
     .doc = "SCIG's trough rise per gram relative to IVIG's (the dose-equivalence factor). "
            "Default: 1, the same monthly dose (Ontario: SCIG 0.1-0.15 g/kg weekly for IVIG "
            "0.4-0.6 g/kg every 4 weeks); assumption: SCIG's steadier levels ignored."},
    {.path = "ivig.half_life_days", .type = IPSIM_PARAM_REAL, .offset = AT(ivig.half_life_days),
     .min = 1, .max = 120, .default_yaml = "21", .unit = "days",
     .doc = "Half-life of given IgG: the trough rises to its steady state, and falls after "
            "stopping, at this rate. Default: 3 weeks (IgG half-life about 3-4 weeks; "
            "Immunodeficiency UK: 17-21 days)."},
    {.path = "ivig.reference_dose_mg_per_kg", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.reference_dose_mg_per_kg), .min = 1, .max = 2000, .default_yaml = "400",
     .unit = "mg/kg every 4 weeks",
     .doc = "The regimen at which rate_ratio_all and rate_ratio_serious were measured: 0.4 g/kg "
            "every 4 weeks (Chapel et al., Lancet 1994; RATIONAL)."},
    {.path = "ivig.effect_plateau_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.effect_plateau_g_per_l), .min = 0, .max = 30, .default_yaml = "9.6",
     .unit = "g/L",
     .doc = "Trough above which a higher trough lowers infections no further. Default: 960 "
            "mg/dL (Lee et al., J Clin Immunol 2020: -13% infections per +100 mg/dL up to 960)."},
    {.path = "ivig.titrate", .type = IPSIM_PARAM_BOOL, .offset = AT(ivig.titrate),
     .default_yaml = "false", .unit = "-",
     .doc = "Adjust the dose to trough_target_g_per_l every titration_months on IVIG (NHS "
            "England, RATIONAL: titrate to a trough >= the lower limit of normal); false: "
            "dose_mg_per_kg throughout."},
    {.path = "ivig.trough_target_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.trough_target_g_per_l), .min = 0, .max = 30, .default_yaml = "7",
     .unit = "g/L",
     .doc = "Target IgG trough. Default: 7 g/L (Transfusion Ontario IG guidance: more than 5, "
            "ideally 7 g/L; also the IgG lower limit of normal in several references)."},
    {.path = "ivig.trough_tolerance_g_per_l", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.trough_tolerance_g_per_l), .min = 0.01, .max = 10, .default_yaml = "1",
     .unit = "g/L",
     .doc = "A trough within this of the target leaves the dose as it is. Default: assumption."},
    {.path = "ivig.titration_months", .type = IPSIM_PARAM_INT,
     .offset = AT(ivig.titration_months), .min = 1, .max = 24, .default_yaml = "3",
     .unit = "months",
     .doc = "Months on IVIG between trough measurements; a multiple of cycle_months. Default: "
            "assumption (about 3 half-lives, near steady state)."},
    {.path = "ivig.dose_min_mg_per_kg", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.dose_min_mg_per_kg), .min = 0, .max = 2000, .default_yaml = "200",
     .unit = "mg/kg per infusion",
     .doc = "Lowest titrated dose. Default: 0.2 g/kg (the review's lower dose)."},
    {.path = "ivig.dose_max_mg_per_kg", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.dose_max_mg_per_kg), .min = 0, .max = 2000, .default_yaml = "800",
     .unit = "mg/kg per infusion",
     .doc = "Highest titrated dose. Default: assumption, twice the standard 0.4 g/kg (NHS "
            "England and Ontario give 0.4-0.6 g/kg and allow more by response)."},
    {.path = "ivig.dose_step_mg_per_kg", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.dose_step_mg_per_kg), .min = 1, .max = 2000, .default_yaml = "100",
     .unit = "mg/kg per infusion",
     .doc = "The titrated doses are dose_min_mg_per_kg + k x this, up to dose_max_mg_per_kg "
            "(dose_mg_per_kg must be one of them). Default: assumption."},
    {.path = "ivig.reaction_probability", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.reaction_probability), .min = 0, .max = 1, .default_yaml = "0.12",
     .unit = "probability per infusion",
     .doc = "Probability of a (mild) reaction at an IVIG infusion. Default: 12% of IVIG "
            "infusions (5% of placebo infusions; Chapel et al., Lancet 1994)."},
    {.path = "ivig.scig_reaction_probability", .type = IPSIM_PARAM_REAL,
     .offset = AT(ivig.scig_reaction_probability), .min = 0, .max = 1, .default_yaml = "0.01",
     .unit = "probability per infusion",
     .doc = "Probability of a systemic reaction at a SCIG infusion (local site reactions, "
            "common and mild, are not counted). Default: assumption (SCIG has fewer systemic "
            "adverse events than IVIG)."},
