# ipsim_run() and ipsim_sweep(): the ipsim program run from R. The package
# drives the program rather than linking the C library (docs/r.md says why),
# so this is the only place that knows how the program is found and called.

# The program to run: the argument, else $IPSIM, else ipsim on the PATH.
ipsim_program <- function(program = NULL) {
  if (is.null(program) || !nzchar(program)) program <- Sys.getenv("IPSIM")
  if (!nzchar(program)) {
    program <- Sys.which("ipsim")[[1]]
    if (!nzchar(program))
      stop("cannot find the ipsim program: give program=, set the environment ",
           "variable IPSIM to its path (e.g. build/ipsim), or put it on the PATH",
           call. = FALSE)
  }
  if (!file.exists(program))
    stop("the ipsim program '", program, "' does not exist", call. = FALSE)
  normalizePath(program)
}

# set = c(cohort.patients = 2000) or list(...) as --set key=value arguments.
set_arguments <- function(set) {
  if (is.null(set) || length(set) == 0) return(character())
  keys <- names(set)
  if (is.null(keys) || any(!nzchar(keys)) || anyNA(keys))
    stop("set= must be named: set = c(cohort.patients = 2000)", call. = FALSE)
  values <- vapply(set, function(v) {
    if (length(v) != 1 || is.na(v))
      stop("each value of set= must be one value, not NA", call. = FALSE)
    # Whole numbers as integers (2000, not 2e+03), logicals as YAML's.
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.numeric(v)) return(format(v, scientific = FALSE, digits = 15, trim = TRUE))
    as.character(v)
  }, character(1))
  as.vector(rbind("--set", paste0(keys, "=", values)))
}

# Runs `ipsim COMMAND FILE` (run: a parameter file; sweep: a sweep file) with
# the options ipsim_run() and ipsim_sweep() share, and returns the path of the
# HDF5 file written, the program's standard output as its attribute "stdout".
run_program <- function(command, file, what, output, set, threads, quiet, csv, program) {
  if (!is.character(file) || length(file) != 1 || !file.exists(file))
    stop(what, " must name an existing ", if (command == "sweep") "sweep" else "parameter",
         " file, not '", format(file), "'", call. = FALSE)
  program <- ipsim_program(program)
  if (is.null(output))
    output <- tempfile(sub("\\.ya?ml$", "", basename(file)), fileext = ".h5")
  args <- c(command, file, "--output", output, set_arguments(set))
  if (!is.null(threads)) args <- c(args, "--threads", format(as.integer(threads)))
  if (isTRUE(quiet)) args <- c(args, "--quiet")
  if (!is.null(csv)) args <- c(args, "--csv", csv)
  stderr_file <- tempfile("ipsim-stderr")
  on.exit(unlink(stderr_file), add = TRUE)
  # shQuote: system2 passes the arguments through the shell (it quotes the
  # command itself).
  stdout <- suppressWarnings(system2(program, shQuote(args), stdout = TRUE,
                                     stderr = stderr_file))
  status <- attr(stdout, "status")
  if (!is.null(status) && status != 0) {
    message <- paste(readLines(stderr_file, warn = FALSE), collapse = "\n")
    stop("ipsim ", command, " failed (exit status ", status, "):\n", message, call. = FALSE)
  }
  if (!file.exists(output))
    stop("ipsim ", command, " exited without error but wrote no file '", output, "'",
         call. = FALSE)
  structure(normalizePath(output), stdout = as.character(stdout))
}

ipsim_run <- function(params, output = NULL, set = NULL, threads = NULL, quiet = TRUE,
                      csv = NULL, program = NULL) {
  run_program("run", params, "params", output, set, threads, quiet, csv, program)
}

ipsim_sweep <- function(sweep_file, output = NULL, set = NULL, threads = NULL, quiet = TRUE,
                        csv = NULL, program = NULL) {
  run_program("sweep", sweep_file, "sweep_file", output, set, threads, quiet, csv, program)
}
