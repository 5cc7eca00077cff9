# Runs the shipped study (params/ivig-policies.yaml, made small) from R and
# checks every reader and converter against what the program itself wrote:
# its CSV tables (a separate writer in C), the HDF5 file indexed by hand, and
# relations between datasets the package reads separately (the PSA's costs
# are each scenario's economics/mean; the comparison's deaths are the
# summaries' deaths).
#
# Run from the tests directory (R CMD check does): helpers/setup.R has the
# program, the skip and the comparisons shared with sweep.R.
source(file.path("helpers", "setup.R"))
study_file <- shipped_or_skip(file.path("params", "ivig-policies.yaml"), "study")

patients <- 1000
replicates <- 30
dir <- tempfile("ipsim-study")
dir.create(dir)
csv <- file.path(dir, "csv")
started <- Sys.time()
file <- ipsim_run(study_file, output = file.path(dir, "study.h5"), csv = csv,
                  set = c(cohort.patients = patients, cohort.replicates = replicates),
                  threads = 2, program = program)
message(sprintf("ran the study in %.1f s", as.numeric(Sys.time() - started, units = "secs")))
stopifnot(file.exists(file))

read_table <- function(name) utils::read.csv(file.path(csv, name), check.names = FALSE,
                                             stringsAsFactors = FALSE, na.strings = "")
comparison_csv <- read_table("comparison.csv")
wtp_csv <- read_table("wtp.csv")
psa_csv <- read_table("psa.csv")

## Scenarios: the study's five, in its order (the first is the reference).
scenarios <- ipsim_scenarios(file)
stopifnot(identical(scenarios, comparison_csv$scenario), length(scenarios) == 5,
          scenarios[1] == "no_prophylaxis")

## The PSA sample against psa.csv: one row per draw and strategy.
psa <- ipsim_read_psa(file)
parameters <- setdiff(names(psa_csv), c("replicate", paste0("cost_", scenarios),
                                        paste0("qalys_", scenarios)))
stopifnot(nrow(psa) == replicates * length(scenarios),
          identical(names(psa), c("replicate", "scenario", "cost", "qalys", parameters)),
          identical(levels(psa$scenario), scenarios),
          length(parameters) > 10, attr(psa, "currency") == "GBP")
for (s in scenarios) {
  rows <- psa[psa$scenario == s, ]
  stopifnot(identical(rows$replicate, psa_csv$replicate))
  near(rows$cost, psa_csv[[paste0("cost_", s)]], paste("psa cost of", s))
  near(rows$qalys, psa_csv[[paste0("qalys_", s)]], paste("psa qalys of", s))
  for (p in parameters) near(rows[[p]], psa_csv[[p]], paste("psa parameter", p, "of", s))
}

## The comparison against comparison.csv and wtp.csv.
outcomes <- ipsim_read_comparison(file, "outcomes")
stopifnot(nrow(outcomes) == 8 * length(scenarios))
for (o in unique(outcomes$outcome)) {
  rows <- outcomes[outcomes$outcome == o, ]
  stopifnot(identical(as.character(rows$scenario), scenarios))
  near(rows$mean, comparison_csv[[o]], paste("mean", o))
  near(rows$se, comparison_csv[[paste0(o, "_se")]], paste("se", o))
  near(rows$difference, comparison_csv[[paste0("diff_", o)]], paste("difference", o))
  near(rows$difference_se, comparison_csv[[paste0("diff_", o, "_se")]], paste("difference_se", o))
  near(rows$difference_se_independent,
       comparison_csv[[paste0("diff_", o, "_se_independent")]],
       paste("difference_se_independent", o))
}
incremental <- ipsim_read_comparison(file, "incremental")
stopifnot(identical(incremental$status, comparison_csv$status),
          identical(incremental$compared_with, ifelse(is.na(comparison_csv$compared_with), "",
                                                      comparison_csv$compared_with)))
for (col in c("incremental_cost", "incremental_qalys", "icer"))
  near(incremental[[col]], comparison_csv[[col]], col)

wtp <- ipsim_read_comparison(file, "wtp")
stopifnot(nrow(wtp) == nrow(wtp_csv) * length(scenarios))
for (s in scenarios) {
  rows <- wtp[wtp$scenario == s, ]
  stopifnot(identical(rows$wtp, as.numeric(wtp_csv$wtp)))
  for (col in c("nmb", "nhb", "ceac", "incremental_ceac", "expected_loss"))
    near(rows[[col]], wtp_csv[[paste0(col, "_", s)]], paste(col, "of", s))
}
decision <- ipsim_read_comparison(file, "decision")
stopifnot(identical(as.character(decision$best), wtp_csv$best_expected_nmb))
near(decision$ceaf, wtp_csv$ceaf_probability, "ceaf")
near(decision$evpi, wtp_csv$evpi, "evpi")

## Summaries: each scenario's economics/mean is its PSA cost and QALYs (the
## file stores them twice; the package reads them by different paths).
economics <- ipsim_read_summary(file, "economics/mean")
stopifnot(identical(names(economics), c("scenario", "replicate", "economic_outcome", "value")),
          nrow(economics) == length(scenarios) * replicates * 6)
for (s in scenarios) {
  cost <- economics[economics$scenario == s & economics$economic_outcome == "cost_discounted", ]
  qalys <- economics[economics$scenario == s & economics$economic_outcome == "qalys_discounted", ]
  stopifnot(identical(cost$replicate, 0:(replicates - 1)))
  near(cost$value, psa$cost[psa$scenario == s], paste("economics/mean cost of", s))
  near(qalys$value, psa$qalys[psa$scenario == s], paste("economics/mean qalys of", s))
}
# Deaths: the comparison's mean per patient is the deaths by cause over the
# cohort, averaged over draws.
deaths <- ipsim_read_summary(file, "deaths_by_cause")
stopifnot(identical(sort(unique(deaths$cause)), c("background", "infection", "myeloma")))
per_draw <- aggregate(value ~ scenario + replicate, deaths, sum)
per_scenario <- tapply(per_draw$value / patients, per_draw$scenario, mean)
near(per_scenario[scenarios], comparison_csv$deaths, "deaths from deaths_by_cause")
infection_deaths <- deaths[deaths$cause == "infection", ]
near(tapply(infection_deaths$value / patients, infection_deaths$scenario, mean)[scenarios],
     comparison_csv$infection_deaths, "infection deaths from deaths_by_cause")
# Every draw's cohort is all there, in the grades at diagnosis; the
# occupancy of every month sums to 1.
by_grade <- ipsim_read_summary(file, "patients_by_baseline_grade", scenarios = "ivig_severe")
stopifnot(all(tapply(by_grade$value, by_grade$replicate, sum) == patients),
          all(by_grade$scenario == "ivig_severe"))
occupancy <- ipsim_read_summary(file, "occupancy")
sums <- aggregate(value ~ scenario + replicate + month, occupancy, sum)
stopifnot(nrow(sums) == length(scenarios) * replicates * 121,
          all(abs(sums$value - 1) < 1e-9))
# Against the file itself, indexed by hand as docs/output-format.md lays it
# out: occupancy is [replicate, month, state], which hdf5r reads as an array
# [state, month, replicate]; /psa/parameters is [replicate, parameter].
h5 <- hdf5r::H5File$new(file, mode = "r")
raw <- h5[["ivig_severe/summary/occupancy"]][, , ]
states <- h5[["ivig_severe/state"]][]
months <- h5[["ivig_severe/month"]][]
raw_parameters <- h5[["psa/parameters"]][, ]
h5$close_all()
rows <- occupancy[occupancy$scenario == "ivig_severe", ]
stopifnot(identical(dim(raw), c(6L, 121L, as.integer(replicates))),
          identical(rows$value, as.vector(raw[cbind(match(rows$state, states), match(rows$month, months),
                                                    rows$replicate + 1L)])))
stopifnot(identical(dim(raw_parameters), c(length(parameters), as.integer(replicates))))
for (j in seq_along(parameters))
  stopifnot(identical(psa[psa$scenario == "antibiotics", parameters[j]], raw_parameters[j, ]))
# Per-replicate scalars come back with one row per draw.
ivig <- ipsim_read_summary(file, "ivig_patients")
stopifnot(identical(names(ivig), c("scenario", "replicate", "value")),
          all(ivig$value[ivig$scenario == "no_prophylaxis"] == 0),
          any(ivig$value[ivig$scenario == "ivig_severe"] > 0))
listed <- ipsim_list_summaries(file)
stopifnot(all(c("summary/deaths_by_cause", "economics/mean") %in% listed$name),
          listed$dimensions[listed$name == "summary/occupancy"] == "replicate, month, state")

## The converters: the documented shapes and names, and the values where
## they are (the packages are not in Debian, so only their inputs are tested).
n_int <- length(scenarios)
bcea <- ipsim_bcea_inputs(psa, k = seq(0, 50000, 1000))
# BCEA::bcea(eff, cost, ref, interventions, k): eff and cost nsim x nint.
stopifnot(identical(names(bcea), c("eff", "cost", "ref", "interventions", "k")),
          is.matrix(bcea$eff), is.matrix(bcea$cost),
          identical(dim(bcea$eff), c(as.integer(replicates), n_int)),
          identical(dim(bcea$cost), c(as.integer(replicates), n_int)),
          identical(bcea$interventions, scenarios), identical(colnames(bcea$eff), scenarios),
          bcea$ref == 1L, ipsim_bcea_inputs(psa, ref = "ivig_severe")$ref == 5L)
for (s in scenarios) {
  near(bcea$eff[, s], psa_csv[[paste0("qalys_", s)]], paste("bcea eff of", s))
  near(bcea$cost[, s], psa_csv[[paste0("cost_", s)]], paste("bcea cost of", s))
}
# dampack::make_psa_obj(cost, effectiveness, parameters, strategies, currency).
dampack <- ipsim_dampack_psa(psa)
stopifnot(identical(names(dampack), c("cost", "effectiveness", "parameters", "strategies",
                                      "currency")),
          is.data.frame(dampack$cost), is.data.frame(dampack$effectiveness),
          is.data.frame(dampack$parameters),
          identical(dim(dampack$cost), c(as.integer(replicates), n_int)),
          identical(dim(dampack$effectiveness), c(as.integer(replicates), n_int)),
          identical(dim(dampack$parameters), c(as.integer(replicates), length(parameters))),
          identical(names(dampack$parameters), parameters),
          identical(dampack$strategies, scenarios),
          identical(make.names(scenarios), scenarios), dampack$currency == "GBP")
for (p in parameters) near(dampack$parameters[[p]], psa_csv[[p]], paste("dampack", p))
# voi::evppi(outputs, inputs, pars): outputs in the cea form list(c, e, k)
# or the net benefit form (nsim x options), inputs nsim x parameters.
voi <- ipsim_voi_inputs(psa, wtp = c(20000, 30000))
stopifnot(identical(names(voi), c("outputs", "inputs")),
          identical(names(voi$outputs), c("c", "e", "k")),
          identical(dim(voi$outputs$c), c(as.integer(replicates), n_int)),
          identical(dim(voi$outputs$e), c(as.integer(replicates), n_int)),
          identical(voi$outputs$k, c(20000, 30000)),
          is.data.frame(voi$inputs),
          identical(dim(voi$inputs), c(as.integer(replicates), length(parameters))),
          identical(names(voi$inputs), parameters))
# The net benefit at 30,000: its column means are the comparison's NMB, and
# E[max] - max E of it the EVPI, as the program computed them.
nb <- ipsim_voi_inputs(psa, wtp = 30000, form = "net_benefit")$outputs
stopifnot(is.matrix(nb), identical(dim(nb), c(as.integer(replicates), n_int)),
          identical(colnames(nb), scenarios))
at <- wtp_csv$wtp == 30000
near(colMeans(nb), unlist(wtp_csv[at, paste0("nmb_", scenarios)]), "net benefit at 30,000")
near(mean(apply(nb, 1, max)) - max(colMeans(nb)), wtp_csv$evpi[at], "EVPI at 30,000")

## Errors: the program's own message reaches R; misuse is refused clearly.
expect_error(ipsim_run(study_file, output = file.path(dir, "bad.h5"),
                       set = c(cohort.no_such_key = 1), program = program),
             "ipsim run failed \\(exit status 2\\)[^\n]*\n.*no_such_key")
expect_error(ipsim_run(study_file, set = c(2000), program = program), "must be named")
expect_error(ipsim_run(study_file, program = file.path(dir, "missing")), "does not exist")
expect_error(ipsim_read_summary(file, "no_such_summary"), "has no dataset 'summary/no_such")
expect_error(ipsim_read_summary(file, "occupancy", scenarios = "nope"), "no scenario 'nope'")
not_ipsim <- file.path(dir, "other.h5")
h5 <- hdf5r::H5File$new(not_ipsim, mode = "w")
h5$close_all()
expect_error(ipsim_read_psa(not_ipsim), "not an ipsim results file")
expect_error(ipsim_read_psa(file.path(dir, "missing.h5")), "no such file")
expect_error(ipsim_voi_inputs(psa, wtp = c(1, 2), form = "net_benefit"), "one wtp")
expect_error(ipsim_bcea_inputs(psa[-1, ]), "one row per draw and strategy")

## The same study without PSA (psa.sample=false: the base case), small: the
## comparison has no acceptability columns and no decision table, and there
## is no PSA sample to read.
base_case <- ipsim_run(study_file, output = file.path(dir, "base.h5"), csv = file.path(dir, "base"),
                       set = list(cohort.patients = 300, cohort.replicates = 2,
                                  psa.sample = FALSE),
                       threads = 2, program = program)
base_csv <- utils::read.csv(file.path(dir, "base", "wtp.csv"), check.names = FALSE,
                            na.strings = "")
base_wtp <- ipsim_read_comparison(base_case, "wtp")
stopifnot(identical(names(base_wtp), c("wtp", "scenario", "nmb", "nhb")),
          !file.exists(file.path(dir, "base", "psa.csv")))
for (s in scenarios)
  near(base_wtp$nmb[base_wtp$scenario == s], base_csv[[paste0("nmb_", s)]],
       paste("base case nmb of", s))
expect_error(ipsim_read_psa(base_case), "no /psa group")
expect_error(ipsim_read_comparison(base_case, "decision"), "no PSA")

## One scenario (a plain parameter file): summaries, but no comparison.
single <- ipsim_run(file.path(source_dir, "params", "baseline.yaml"),
                    output = file.path(dir, "single.h5"), threads = 2, program = program,
                    quiet = FALSE,
                    set = c(cohort.patients = 300, cohort.replicates = 2,
                            cohort.horizon_months = 24, output.trajectories = "none"))
stopifnot(identical(ipsim_scenarios(single), "baseline"),
          any(grepl("scenario 'baseline', 300 patients x 2 replicates", attr(single, "stdout"))),
          length(attr(file, "stdout")) == 0)
by_grade <- ipsim_read_summary(single, "patients_by_baseline_grade")
stopifnot(identical(names(by_grade), c("scenario", "replicate", "ip_grade", "value")),
          all(tapply(by_grade$value, by_grade$replicate, sum) == 300),
          identical(unique(by_grade$ip_grade),
                    c("none", "mild", "moderate", "severe", "very_severe")))
expect_error(ipsim_read_comparison(single), "one scenario, not a study")
expect_error(ipsim_read_summary(single, "economics/cost"),
             "not a per-replicate summary \\(dimensions: replicate, patient\\)")

unlink(dir, recursive = TRUE)
message("the study's data frames agree with the program's tables")
