# Readers of ipsim's HDF5 file (docs/output-format.md) into data frames.
#
# hdf5r returns an HDF5 dataset of C shape [a, b, c] as an R array of
# dimensions c(c, b, a): R is column-major, HDF5 row-major, and hdf5r keeps
# the bytes where they are. Every reader below therefore reverses the
# dimension names it takes from the file before labelling an array.

# Opens a file ipsim wrote, refusing anything else with a clear message.
open_ipsim_file <- function(file) {
  if (!is.character(file) || length(file) != 1 || !file.exists(file))
    stop("no such file: '", format(file), "'", call. = FALSE)
  h5 <- tryCatch(hdf5r::H5File$new(file, mode = "r"),
                 error = function(e) stop("'", file, "' is not an HDF5 file: ",
                                          conditionMessage(e), call. = FALSE))
  format <- if (h5$attr_exists("format")) hdf5r::h5attr(h5, "format") else ""
  if (!identical(format, "ipsim")) {
    h5$close_all()
    stop("'", file, "' is not an ipsim results file (no format = \"ipsim\" attribute)",
         call. = FALSE)
  }
  h5
}

# The dimension scales attached to a dataset, in the file's (C) order: a
# named list (the scales' names, as netCDF readers see them) of their values.
dimension_scales <- function(dataset) {
  if (!length(dataset$dims)) return(list())
  if (!dataset$attr_exists("DIMENSION_LIST"))
    stop("dataset '", dataset$get_obj_name(), "' has no dimension scales", call. = FALSE)
  scales <- lapply(hdf5r::h5attr(dataset, "DIMENSION_LIST"), function(r) {
    scale <- r$dereference()[[1]]
    on.exit(scale$close())
    list(name = basename(scale$get_obj_name()), values = scale$read())
  })
  values <- lapply(scales, `[[`, "values")
  names(values) <- vapply(scales, `[[`, "", "name")
  values
}

# A per-replicate summary's values as an array labelled with its
# coordinates, refused before it is read if it is not one (a per-patient
# dataset can be large). hdf5r's $dims and the array it reads are in R's
# (reversed) order already.
read_labelled <- function(group, name) {
  dataset <- group[[name]]
  on.exit(dataset$close())
  scales <- dimension_scales(dataset)
  dims <- names(scales)
  if (!length(dims) || dims[1] != "replicate" || "patient" %in% dims)
    stop("'", dataset$get_obj_name(), "' is not a per-replicate summary (dimensions: ",
         paste(dims, collapse = ", "), ")", call. = FALSE)
  values <- dataset$read()
  if (length(scales) <= 1)
    return(list(values = as.vector(values), dims = names(scales), scales = scales))
  labels <- lapply(rev(scales), as.character)
  names(labels) <- rev(names(scales))
  dimnames(values) <- labels
  list(values = values, dims = names(scales))
}

# A labelled array as a long data frame: one column per dimension, in the
# file's order, then value.
long_frame <- function(values) {
  labels <- dimnames(values)
  grid <- expand.grid(labels, KEEP.OUT.ATTRS = FALSE, stringsAsFactors = FALSE)
  grid <- grid[rev(names(labels))]
  for (d in names(grid))
    if (d %in% c("replicate", "month", "event_row", "patient"))
      grid[[d]] <- as.integer(grid[[d]])
    else if (d == "wtp") grid[[d]] <- as.numeric(grid[[d]])
  grid$value <- as.vector(values)
  grid
}

ipsim_scenarios <- function(file) {
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  h5[["scenarios"]][]
}

ipsim_list_summaries <- function(file) {
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  g <- h5[[h5[["scenarios"]][][1]]]
  rows <- list()
  for (group in c("summary", "economics")) {
    if (!g$exists(group)) next
    for (name in g[[group]]$ls()$name) {
      d <- g[[paste0(group, "/", name)]]
      attr_or_empty <- function(a) if (d$attr_exists(a)) hdf5r::h5attr(d, a) else ""
      dims <- names(dimension_scales(d))
      # The per-replicate datasets start with the replicate dimension; the
      # per-patient ones (economics/cost ...) are records, not summaries.
      if (length(dims) && dims[1] == "replicate" && !("patient" %in% dims))
        rows[[length(rows) + 1]] <- data.frame(
          name = paste0(group, "/", name), dimensions = paste(dims, collapse = ", "),
          units = attr_or_empty("units"), long_name = attr_or_empty("long_name"))
      d$close()
    }
  }
  frame <- do.call(rbind, rows)
  frame <- frame[order(frame$name), ]
  rownames(frame) <- NULL
  frame
}

ipsim_read_summary <- function(file, name, scenarios = NULL) {
  if (!is.character(name) || length(name) != 1)
    stop("name must be one dataset name, e.g. \"deaths_by_cause\" or \"economics/mean\"",
         call. = FALSE)
  if (!grepl("/", name, fixed = TRUE)) name <- paste0("summary/", name)
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  all <- h5[["scenarios"]][]
  if (is.null(scenarios)) scenarios <- all
  unknown <- setdiff(scenarios, all)
  if (length(unknown))
    stop("no scenario ", paste0("'", unknown, "'", collapse = ", "), " in '", file,
         "'; it has ", paste(all, collapse = ", "), call. = FALSE)
  frames <- lapply(scenarios, function(s) {
    g <- h5[[s]]
    if (!g$exists(name))
      stop("scenario '", s, "' has no dataset '", name, "' (ipsim_list_summaries() ",
           "lists them)", call. = FALSE)
    parent <- g[[dirname(name)]]
    x <- read_labelled(parent, basename(name))
    frame <- if (length(x$dims) == 1)
      data.frame(replicate = as.integer(x$scales$replicate), value = x$values)
    else long_frame(x$values)
    cbind(data.frame(scenario = rep(s, nrow(frame))), frame)
  })
  frame <- do.call(rbind, frames)
  frame$scenario <- factor(frame$scenario, levels = all)
  rownames(frame) <- NULL
  frame
}

# The PSA's drawn parameters as a replicate x parameter matrix.
psa_parameters <- function(psa) {
  values <- psa[["parameters"]]$read()
  parameters <- psa[["parameter"]][]
  values <- matrix(values, nrow = length(parameters))
  values <- t(values)
  colnames(values) <- parameters
  values
}

ipsim_read_psa <- function(file) {
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  if (!h5$exists("psa"))
    stop("'", file, "' has no /psa group: its replicates drew no parameters ",
         "(psa.sample is false, or nothing is given as a distribution)", call. = FALSE)
  psa <- h5[["psa"]]
  scenarios <- psa[["scenario"]][]
  replicates <- psa[["replicate"]][]
  # cost and qalys are [replicate, scenario] in the file, [scenario, replicate] here.
  cost <- matrix(psa[["cost"]]$read(), nrow = length(scenarios))
  qalys <- matrix(psa[["qalys"]]$read(), nrow = length(scenarios))
  parameters <- psa_parameters(psa)
  n <- length(replicates)
  frame <- data.frame(replicate = rep(as.integer(replicates), each = length(scenarios)),
                      scenario = factor(rep(scenarios, times = n), levels = scenarios),
                      cost = as.vector(cost), qalys = as.vector(qalys))
  draws <- as.data.frame(parameters[rep(seq_len(n), each = length(scenarios)), , drop = FALSE],
                         optional = TRUE)
  frame <- cbind(frame, draws)
  rownames(frame) <- NULL
  # The costs' currency, for ipsim_dampack_psa() (every scenario of a study has the same).
  economics <- h5[[paste0(scenarios[1], "/economics")]]
  if (economics$attr_exists("currency")) attr(frame, "currency") <- hdf5r::h5attr(economics, "currency")
  frame
}

ipsim_read_comparison <- function(file, table = c("outcomes", "incremental", "wtp",
                                                  "decision")) {
  table <- match.arg(table)
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  if (!h5$exists("comparison"))
    stop("'", file, "' has no /comparison group: it holds one scenario, not a study",
         call. = FALSE)
  cmp <- h5[["comparison"]]
  scenarios <- cmp[["scenario"]][]
  by_scenario <- function(g, name) {
    if (g$exists(name)) as.vector(g[[name]][]) else rep(NA_real_, length(scenarios))
  }
  if (table == "outcomes") {
    outcomes <- cmp[["outcome"]][]
    cols <- c("mean", "se", "difference", "difference_se", "difference_se_independent")
    frame <- data.frame(scenario = factor(rep(scenarios, each = length(outcomes)),
                                          levels = scenarios),
                        outcome = rep(outcomes, times = length(scenarios)))
    # [scenario, outcome] in the file: outcome varies fastest, as in the rows above.
    for (col in cols) frame[[col]] <- as.vector(cmp[[col]]$read())
    return(frame)
  }
  if (table == "incremental") {
    return(data.frame(scenario = factor(scenarios, levels = scenarios),
                      status = cmp[["status"]][],
                      compared_with = cmp[["compared_with"]][],
                      incremental_cost = by_scenario(cmp, "incremental_cost"),
                      incremental_qalys = by_scenario(cmp, "incremental_qalys"),
                      icer = by_scenario(cmp, "icer")))
  }
  wtp <- as.vector(cmp[["wtp"]][])
  psa <- if (h5$exists("psa")) h5[["psa"]] else NULL
  if (table == "decision") {
    if (is.null(psa))
      stop("'", file, "' has no PSA, so no decision table (ceaf, evpi)", call. = FALSE)
    return(data.frame(wtp = wtp,
                      best = factor(scenarios[as.vector(psa[["best"]][]) + 1],
                                    levels = scenarios),
                      ceaf = as.vector(psa[["ceaf"]][]),
                      evpi = as.vector(psa[["evpi"]][])))
  }
  # wtp: the [wtp, scenario] datasets; scenario varies fastest in the file.
  frame <- data.frame(wtp = rep(wtp, each = length(scenarios)),
                      scenario = factor(rep(scenarios, times = length(wtp)),
                                        levels = scenarios))
  frame$nmb <- as.vector(cmp[["nmb"]]$read())
  frame$nhb <- as.vector(cmp[["nhb"]]$read())
  if (!is.null(psa))
    for (col in c("ceac", "expected_loss", "incremental_ceac"))
      frame[[col]] <- as.vector(psa[[col]]$read())
  frame
}

ipsim_read_sweep <- function(file, table = c("decision", "preferred")) {
  table <- match.arg(table)
  h5 <- open_ipsim_file(file)
  on.exit(h5$close_all())
  if (!h5$exists("sweep"))
    stop("'", file, "' has no /sweep group: it is not a sweep's file (ipsim sweep or ",
         "ipsim merge); read a study with ipsim_read_comparison()", call. = FALSE)
  sw <- h5[["sweep"]]
  if (!sw$exists("mean")) {
    part <- if (sw$attr_exists("part")) hdf5r::h5attr(sw, "part") else "1/1"
    if (!identical(part, "1/1"))
      stop("'", file, "' is part ", part, " of a sweep, which holds no comparison: ",
           "join the parts with `ipsim merge` and read the merged file", call. = FALSE)
    stop("'", file, "' is a sweep of one point (its points are its strategies, ",
         "points_are_strategies: true, or its grid has one value), compared as a study: ",
         "read it with ipsim_read_comparison()", call. = FALSE)
  }
  points <- sw[["point"]][]
  strategies <- sw[["strategy"]][]
  if (table == "preferred") {
    # [point, wtp] in the file: wtp varies fastest, as in the rows below.
    wtp <- as.vector(sw[["wtp"]][])
    frame <- data.frame(point = factor(rep(points, each = length(wtp)), levels = points),
                        wtp = rep(wtp, times = length(points)))
    frame$preferred <- factor(strategies[as.vector(sw[["preferred"]]$read()) + 1],
                              levels = strategies)
    if (sw$exists("evpi")) frame$evpi <- as.vector(sw[["evpi"]]$read())
    return(frame)
  }
  scenarios <- sw[["scenario"]][]
  # layout [point, strategy] (read as [strategy, point]): each scenario's
  # point and strategy, from the scenario index the file gives each pair.
  layout <- as.integer(round(as.vector(sw[["layout"]]$read()))) + 1L
  point_of <- strategy_of <- integer(length(scenarios))
  point_of[layout] <- rep(seq_along(points), each = length(strategies))
  strategy_of[layout] <- rep(seq_along(strategies), times = length(points))
  frame <- data.frame(scenario = scenarios,
                      point = factor(points[point_of], levels = points),
                      strategy = factor(strategies[strategy_of], levels = strategies))
  for (key in sw[["key"]][]) frame[[key]] <- as.character(sw[[key]][])
  # mean and se are [scenario, outcome]: read as [outcome, scenario].
  outcomes <- sw[["outcome"]][]
  mean <- matrix(sw[["mean"]]$read(), nrow = length(outcomes))
  se <- matrix(sw[["se"]]$read(), nrow = length(outcomes))
  for (i in seq_along(outcomes)) {
    frame[[outcomes[i]]] <- mean[i, ]
    frame[[paste0(outcomes[i], "_se")]] <- se[i, ]
  }
  frame$status <- sw[["status"]][]
  frame$compared_with <- sw[["compared_with"]][]
  for (col in c("incremental_cost", "incremental_qalys", "icer"))
    frame[[col]] <- as.vector(sw[[col]][])
  frame
}
