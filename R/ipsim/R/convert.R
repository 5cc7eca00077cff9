# A study's PSA (ipsim_read_psa()'s long data frame) in the shapes three CRAN
# packages document for their inputs. None of them is a dependency: the
# functions return plain lists to pass on, so the package installs without
# them (and Debian packages none of the three).

# Checks a PSA frame and spreads one column into a draw x strategy matrix,
# rows in replicate order, columns in the study's order of strategies.
psa_wide <- function(psa, column) {
  needed <- c("replicate", "scenario", "cost", "qalys")
  if (!is.data.frame(psa) || !all(needed %in% names(psa)))
    stop("psa must be a data frame from ipsim_read_psa() (columns replicate, scenario, ",
         "cost, qalys, then the drawn parameters)", call. = FALSE)
  strategies <- if (is.factor(psa$scenario)) levels(droplevels(psa$scenario))
                else unique(as.character(psa$scenario))
  replicates <- sort(unique(psa$replicate))
  if (nrow(psa) != length(replicates) * length(strategies) ||
      anyDuplicated(psa[c("replicate", "scenario")]))
    stop("psa must have exactly one row per draw and strategy", call. = FALSE)
  m <- matrix(NA_real_, length(replicates), length(strategies),
              dimnames = list(NULL, strategies))
  m[cbind(match(psa$replicate, replicates),
          match(as.character(psa$scenario), strategies))] <- psa[[column]]
  m
}

# The drawn parameters, one row per draw: they are the same for every
# strategy of a draw (the strategies share the draw), so the first
# strategy's rows are taken.
psa_inputs <- function(psa) {
  columns <- setdiff(names(psa), c("replicate", "scenario", "cost", "qalys"))
  first <- psa[as.character(psa$scenario) == as.character(psa$scenario[1]), , drop = FALSE]
  first <- first[order(first$replicate), columns, drop = FALSE]
  rownames(first) <- NULL
  first
}

ipsim_bcea_inputs <- function(psa, ref = 1, k = NULL) {
  e <- psa_wide(psa, "qalys")
  c <- psa_wide(psa, "cost")
  if (is.character(ref)) ref <- match(ref, colnames(e))
  if (length(ref) != 1 || is.na(ref) || ref < 1 || ref > ncol(e))
    stop("ref must be a strategy's name or its column, 1 to ", ncol(e), call. = FALSE)
  # Named as bcea()'s arguments (BCEA >= 2.4; e and c before), so that
  # do.call(BCEA::bcea, inputs) works.
  inputs <- list(eff = e, cost = c, ref = as.integer(ref), interventions = colnames(e))
  if (!is.null(k)) inputs$k <- as.numeric(k)
  inputs
}

ipsim_dampack_psa <- function(psa, currency = attr(psa, "currency")) {
  if (!is.character(currency) || length(currency) != 1)
    stop("give currency= (the file's economics currency, e.g. \"GBP\"): psa carries ",
         "it only as read by ipsim_read_psa()", call. = FALSE)
  cost <- as.data.frame(psa_wide(psa, "cost"), optional = TRUE)
  effectiveness <- as.data.frame(psa_wide(psa, "qalys"), optional = TRUE)
  list(cost = cost, effectiveness = effectiveness, parameters = psa_inputs(psa),
       strategies = colnames(cost), currency = currency)
}

ipsim_voi_inputs <- function(psa, wtp, form = c("cea", "net_benefit")) {
  form <- match.arg(form)
  if (missing(wtp) || !is.numeric(wtp) || !length(wtp) || anyNA(wtp) || any(wtp < 0))
    stop("wtp must be willingness-to-pay values >= 0 (currency per QALY)", call. = FALSE)
  cost <- psa_wide(psa, "cost")
  effects <- psa_wide(psa, "qalys")
  outputs <- if (form == "cea") {
    # voi's "cost-effectiveness analysis" form.
    list(c = cost, e = effects, k = as.numeric(wtp))
  } else {
    # voi's "net benefit" form: one column per strategy, at one wtp.
    if (length(wtp) != 1)
      stop("the net benefit form is for one wtp; give one value, or form = \"cea\"",
           call. = FALSE)
    wtp * effects - cost
  }
  list(outputs = outputs, inputs = psa_inputs(psa))
}
