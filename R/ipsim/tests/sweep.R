# Runs the shipped sweep of strategies x prices
# (params/sweeps/ivig-policies-by-price.yaml, made small) from R and checks
# ipsim_read_sweep() against what the program itself wrote: its CSV table
# sweep_decision.csv (a separate writer in C) and /sweep/nmb read with hdf5r
# directly.
#
# Run from the tests directory (R CMD check does): helpers/setup.R has the
# program, the skip and the comparisons shared with study.R.
source(file.path("helpers", "setup.R"))
sweep_file <- shipped_or_skip(file.path("params", "sweeps", "ivig-policies-by-price.yaml"),
                              "sweep")

small <- c(cohort.patients = 200, cohort.replicates = 5, cohort.horizon_months = 12)
key <- "economics.ivig_price_per_gram"
dir <- tempfile("ipsim-sweep")
dir.create(dir)
csv <- file.path(dir, "csv")
started <- Sys.time()
file <- ipsim_sweep(sweep_file, output = file.path(dir, "sweep.h5"), csv = csv, set = small,
                    threads = 2, program = program)
message(sprintf("ran the sweep in %.1f s", as.numeric(Sys.time() - started, units = "secs")))
stopifnot(file.exists(file), length(attr(file, "stdout")) == 0)

# The key's values as written ("20", not 20): read as text, like the names.
decision_csv <- utils::read.csv(file.path(csv, "sweep_decision.csv"), check.names = FALSE,
                                stringsAsFactors = FALSE, na.strings = "",
                                colClasses = stats::setNames(rep("character", 4),
                                                             c("scenario", "point", "strategy",
                                                               key)))

## The decision: one row per scenario in sweep order, 4 points x 5 strategies.
decision <- ipsim_read_sweep(file)
outcomes <- c("infections", "serious_infections", "deaths", "infection_deaths", "ivig_grams",
              "cost_discounted", "qalys_discounted", "life_years_discounted")
columns <- c("scenario", "point", "strategy", key,
             as.vector(rbind(outcomes, paste0(outcomes, "_se"))),
             "status", "compared_with", "incremental_cost", "incremental_qalys", "icer")
points <- unique(decision_csv$point)
strategies <- unique(decision_csv$strategy)
stopifnot(identical(names(decision), columns), nrow(decision) == 20,
          length(points) == 4, length(strategies) == 5,
          all(columns %in% names(decision_csv)),
          identical(decision$scenario, decision_csv$scenario),
          identical(decision$scenario, ipsim_scenarios(file)),
          identical(decision$scenario, paste0(decision$point, "__", decision$strategy)),
          is.factor(decision$point), identical(levels(decision$point), points),
          is.factor(decision$strategy), identical(levels(decision$strategy), strategies),
          identical(as.character(decision$point), decision_csv$point),
          identical(as.character(decision$strategy), decision_csv$strategy),
          identical(decision[[key]], decision_csv[[key]]),
          identical(unique(decision[[key]]), c("20", "34", "50", "80")),
          # point-major: each point's five strategies together, in the study's order
          identical(as.integer(decision$point), rep(1:4, each = 5)),
          identical(as.integer(decision$strategy), rep(1:5, times = 4)),
          identical(decision$status, decision_csv$status),
          identical(decision$compared_with, ifelse(is.na(decision_csv$compared_with), "",
                                                   decision_csv$compared_with)))
for (col in setdiff(columns, c("scenario", "point", "strategy", key, "status",
                               "compared_with")))
  near(decision[[col]], decision_csv[[col]], col)
# Within each point the first strategy on the frontier is compared with none.
stopifnot(all(tapply(decision$compared_with == "", decision$point, any)))

## The preferred strategy: one row per point and wtp of the file's grid.
preferred <- ipsim_read_sweep(file, "preferred")
grid <- seq(0, 500000, 5000)
stopifnot(identical(names(preferred), c("point", "wtp", "preferred", "evpi")),
          nrow(preferred) == 4 * 101,
          identical(preferred$wtp, rep(grid, times = 4)),
          identical(as.character(preferred$point), rep(points, each = 101)),
          identical(levels(preferred$point), points),
          identical(levels(preferred$preferred), strategies),
          all(preferred$evpi >= 0))
# Against /sweep/nmb, indexed by hand: nmb is [wtp, scenario] in the file,
# read by hdf5r as [scenario, wtp]; layout [point, strategy] as [strategy, point].
h5 <- hdf5r::H5File$new(file, mode = "r")
nmb <- h5[["sweep/nmb"]][, ]
layout <- h5[["sweep/layout"]][, ]
stopifnot(identical(dim(nmb), c(20L, 101L)), identical(dim(layout), c(5L, 4L)),
          identical(as.vector(h5[["sweep/wtp"]][]), grid))
h5$close_all()
for (p in seq_along(points))
  for (x in seq_along(grid)) {
    best <- strategies[which.max(nmb[layout[, p] + 1, x])]
    row <- preferred[preferred$point == points[p] & preferred$wtp == grid[x], ]
    if (nrow(row) != 1 || as.character(row$preferred) != best)
      stop("preferred at ", points[p], ", wtp ", grid[x], ": ", format(row$preferred),
           ", but the highest NMB is ", best)
  }
# Against the CSV at the sweep's default --wtp: preferred_W is 1 for the
# point's choice; evpi_W is the point's, on each of its rows.
for (w in c(20000, 30000, 50000)) {
  at <- preferred[preferred$wtp == w, ]
  chosen <- decision_csv[decision_csv[[paste0("preferred_", w)]] == 1, ]
  stopifnot(identical(chosen$point, points),
            identical(as.character(at$preferred), chosen$strategy))
  near(at$evpi, chosen[[paste0("evpi_", w)]], paste("evpi at", w))
}

## Errors: a sweep is run and read as one, and nothing else is read as a sweep.
expect_error(ipsim_sweep(file.path(dir, "missing.yaml"), program = program),
             "sweep_file must name an existing sweep file")
expect_error(ipsim_sweep(sweep_file, output = file.path(dir, "bad.h5"),
                         set = c(small, economics.ivig_price_per_gram = 10), program = program),
             "ipsim sweep failed \\(exit status 2\\)[^\n]*\n.*ivig_price_per_gram")
expect_error(ipsim_read_sweep(file, "nope"), "should be one of")
# One scenario (a plain parameter file): no /sweep.
single <- ipsim_run(file.path(source_dir, "params", "baseline.yaml"),
                    output = file.path(dir, "single.h5"), threads = 2, program = program,
                    set = c(cohort.patients = 100, cohort.replicates = 2,
                            cohort.horizon_months = 12, output.trajectories = "none"))
expect_error(ipsim_read_sweep(single), "no /sweep group: it is not a sweep's file")
# A part of the sweep holds no comparison: merge it first.
part <- file.path(dir, "part.h5")
status <- system2(program, shQuote(c("sweep", sweep_file, "--part", "1/4", "--output", part,
                                     "--quiet", as.vector(rbind("--set", paste0(names(small),
                                                                                "=", small))))))
stopifnot(status == 0, file.exists(part))
expect_error(ipsim_read_sweep(part), "part 1/4 of a sweep.*ipsim merge")
# A sweep whose points are the strategies (the shipped threshold and dose
# grid, 18 points) is a study: its comparison, not a per-point decision.
as_study <- ipsim_sweep(file.path(source_dir, "params", "sweeps", "ivig-threshold-dose.yaml"),
                        output = file.path(dir, "dose.h5"), threads = 2, program = program,
                        set = c(cohort.patients = 100, cohort.horizon_months = 12))
expect_error(ipsim_read_sweep(as_study), "points are its strategies.*ipsim_read_comparison")
stopifnot(nrow(ipsim_read_comparison(as_study, "incremental")) == 18)

unlink(dir, recursive = TRUE)
message("the sweep's data frames agree with the program's tables")
