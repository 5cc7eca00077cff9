/* params/schema_immunoglobulins.h: the schema's rows for the levels model
 * (section immunoglobulins; models/immunoglobulins.h). A fragment of the
 * table in params/schema.c, which includes it inside ipsim_param_specs[]
 * (it uses that file's AT() and label lists): kept apart so that neither
 * file outgrows the house's 800 lines. Sources: docs/sources.md,
 * "Immunoglobulin levels". */
    {.path = "immunoglobulins.lower_limit_g_per_l", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.lower_limit_g_per_l),
     .length = IPSIM_IG_CLASSES, .labels = ig_class_labels, .min = 0.01, .max = 50,
     .default_yaml = "{igg: 5.3, iga: 0.8, igm: 0.5}", .unit = "g/L",
     .doc = "The laboratory's lower limit of normal of each class: a class below it is low "
            "(review section 3.2's definition of immunoparesis). Default: adult reference "
            "range over 45 years, North West London Pathology (NHS)."},
    {.path = "immunoglobulins.severe_fraction", .type = IPSIM_PARAM_REAL,
     .offset = AT(immunoglobulins.severe_fraction), .min = 0.01, .max = 1, .max_exclusive = true,
     .default_yaml = "0.5", .unit = "fraction of the LLN",
     .doc = "Severe immunoparesis needs a class below this fraction of its lower limit of "
            "normal. Default: review section 3.2 (50%)."},
    {.path = "immunoglobulins.high_normal_fraction", .type = IPSIM_PARAM_REAL,
     .offset = AT(immunoglobulins.high_normal_fraction), .min = 1, .max = 10,
     .max_exclusive = true, .default_yaml = "1.5", .unit = "fraction of the LLN",
     .doc = "An edge inside the normal range: a level moves between 'normal' and 'high normal' "
            "in one step, so that recovery proceeds by steps smaller than the whole range. Changes "
            "no grade. Default: assumption."},
    {.path = "immunoglobulins.mid_low_fraction", .type = IPSIM_PARAM_REAL,
     .offset = AT(immunoglobulins.mid_low_fraction), .min = 0.01, .max = 1, .max_exclusive = true,
     .default_yaml = "0.75", .unit = "fraction of the LLN",
     .doc = "An edge inside the low range (between severe_fraction and the LLN), for the same "
            "reason; changes no grade. Default: assumption."},
    {.path = "immunoglobulins.near_detection_g_per_l", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.near_detection_g_per_l),
     .length = IPSIM_IG_CLASSES, .labels = ig_class_labels, .min = 0.001, .max = 50,
     .default_yaml = "{igg: 0.5, iga: 0.1, igm: 0.1}", .unit = "g/L",
     .doc = "Very severe immunoparesis needs a class below this level: 'near the assay's "
            "detection limit' (review section 3.2). Default: assumption, about twice the "
            "lower measuring limits of nephelometric assays (docs/sources.md)."},
    {.path = "immunoglobulins.median_g_per_l", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.median_g_per_l),
     .length = IPSIM_IG_CLASSES, .labels = ig_class_labels, .min = 0.001, .max = 100,
     .default_yaml = "{igg: 6.1, iga: 0.5, igm: 0.2}", .unit = "g/L",
     .doc = "Median polyclonal level of each class at diagnosis when it is not the M-protein's "
            "class, in R-ISS stage II, before type_log_shift. Default: docs/sources.md "
            "(uninvolved immunoglobulins at diagnosis)."},
    {.path = "immunoglobulins.log_sd", .type = IPSIM_PARAM_REAL, .shape = IPSIM_SHAPE_VECTOR,
     .offset = AT(immunoglobulins.log_sd), .length = IPSIM_IG_CLASSES, .labels = ig_class_labels,
     .min = 0.01, .max = 5, .default_yaml = "{igg: 0.705, iga: 1.106, igm: 0.727}", .unit = "ln(g/L)",
     .doc = "Standard deviation of the natural logarithm of each class's level at diagnosis "
            "(log-normal levels). Default: docs/sources.md (from published interquartile "
            "ranges, IQR / 1.349)."},
    {.path = "immunoglobulins.class_correlation", .type = IPSIM_PARAM_REAL,
     .offset = AT(immunoglobulins.class_correlation), .min = 0, .max = 0.99,
     .default_yaml = "0.5", .unit = "correlation",
     .doc = "Correlation between the classes' log levels at diagnosis (one shared factor: "
            "suppression of all polyclonal plasma cells). Default: assumption."},
    {.path = "immunoglobulins.type_log_shift", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.type_log_shift),
     .length = IPSIM_MYELOMA_TYPES, .labels = myeloma_type_labels, .min = -5, .max = 5,
     .default_yaml = "{igg: 0, iga: 0, light_chain: 0}", .unit = "ln(g/L)",
     .doc = "Shift of every class's log level at diagnosis by myeloma type (the levels are drawn "
            "given the grade, whose mix by type diagnosis.type_severity_log_odds sets, so this "
            "moves levels within grades). Default: assumption (none)."},
    {.path = "immunoglobulins.involved_log_shift", .type = IPSIM_PARAM_REAL,
     .offset = AT(immunoglobulins.involved_log_shift), .min = -5, .max = 5,
     .default_yaml = "-0.3", .unit = "ln(g/L)",
     .doc = "Extra shift of the log level of the M-protein's own class (its polyclonal part, "
            "excluding the paraprotein, as a heavy/light-chain pair assay measures it). Not "
            "part of the grade; it is the IgG that IVIG rules read in IgG myeloma. Default: "
            "assumption (the uninvolved pair is suppressed most; docs/sources.md)."},
    {.path = "immunoglobulins.riss_log_shift", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.riss_log_shift),
     .length = IPSIM_RISS_STAGES, .labels = riss_labels, .min = -5, .max = 5,
     .default_yaml = "{i: 0.25, ii: 0, iii: -0.25}", .unit = "ln(g/L)",
     .doc = "Shift of every class's log level at diagnosis by R-ISS stage. Default: assumption "
            "in the direction of review section 3.1.1 (more severe immunoparesis in stages II "
            "and III)."},
    {.path = "immunoglobulins.recovery_factor", .type = IPSIM_PARAM_REAL,
     .shape = IPSIM_SHAPE_VECTOR, .offset = AT(immunoglobulins.recovery_factor),
     .length = IPSIM_IG_CLASSES, .labels = ig_class_labels, .min = 0, .max = 10,
     .default_yaml = "{igg: 1, iga: 1, igm: 1}", .unit = "factor",
     .doc = "Each class's monthly probability of moving one band up relative to "
            "grades.improve_per_month. Default: assumption (the same for every class)."},
