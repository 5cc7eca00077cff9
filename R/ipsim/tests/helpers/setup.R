# Shared by the tests (sourced, not run: R CMD check runs tests/*.R only).
#
# They need the built program: IPSIM (its absolute path) and IPSIM_SOURCE_DIR
# (the repository, for the shipped parameter files). Without them a test
# skips with a message, unless IPSIM_REQUIRE_R=1 (scripts/test), when it
# fails: a CI run that skipped would prove nothing.
library(ipsim)

program <- Sys.getenv("IPSIM")
source_dir <- Sys.getenv("IPSIM_SOURCE_DIR")

# The shipped file at path (under the repository) the test runs, or the end
# of the test if the program or the file is missing.
shipped_or_skip <- function(path, what) {
  file <- file.path(source_dir, path)
  if (!nzchar(program) || !file.exists(program) || !nzchar(source_dir) || !file.exists(file)) {
    why <- "set IPSIM to the built program (build/ipsim) and IPSIM_SOURCE_DIR to the repository"
    if (Sys.getenv("IPSIM_REQUIRE_R") == "1")
      stop("IPSIM_REQUIRE_R=1 but the program or the ", what, " is missing: ", why)
    message("skipping the ", what, " test: ", why)
    quit(save = "no")
  }
  file
}

# Equal to the CSV's printed precision (10 significant digits); NaN in the
# file is an empty cell (NA) in the CSV.
near <- function(a, b, what) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (length(a) != length(b)) stop(what, ": ", length(a), " values, expected ", length(b))
  same_missing <- is.na(a) == is.na(b)
  close <- is.na(a) | abs(a - b) <= 1e-8 * pmax(1, abs(b))
  if (!all(same_missing & close))
    stop(what, " differs: ", paste(head(a[!(same_missing & close)]), collapse = " "),
         " against ", paste(head(b[!(same_missing & close)]), collapse = " "))
  invisible(TRUE)
}

# The error of expr, whose message must match pattern.
expect_error <- function(expr, pattern) {
  message <- tryCatch({ expr; NULL }, error = conditionMessage)
  if (is.null(message) || !grepl(pattern, message))
    stop("expected an error matching '", pattern, "', got: ", format(message))
}
