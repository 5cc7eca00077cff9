# Load an ipsim run in R and draw the risk-stratification curve: the share of
# patients with at least one infection by months since diagnosis, one line per
# immunoparesis grade at diagnosis.
#
#   Rscript docs/examples/infection_risk.R baseline.h5 infection_risk.png
#
# Needs hdf5r (Debian: r-cran-hdf5r). Datasets: docs/output-format.md.
library(hdf5r)

args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
png_path <- args[2]

f <- H5File$new(path, mode = "r")
scenario <- f[["scenarios"]][][1]               # the first scenario's group
g <- f[[scenario]]
grades <- g[["ip_grade"]][]                     # "none" ... "very_severe"
months <- g[["month"]][]

# hdf5r gives arrays in R's (reversed) dimension order:
# first_infections_by_baseline_grade is [ip_grade, month, replicate] here.
first <- g[["summary/first_infections_by_baseline_grade"]][, , , drop = FALSE]
patients <- g[["summary/patients_by_baseline_grade"]][, , drop = FALSE]
f$close_all()

first <- apply(first, c(1, 2), sum)             # over replicates: [grade, month]
patients <- rowSums(patients)                   # [grade]
# Patients whose first episode began before each month (0 at month 0).
infected <- t(apply(first, 1, function(x) c(0, cumsum(x)[-length(x)])))
share <- 100 * infected / patients

png(png_path, width = 840, height = 540)
matplot(months, t(share), type = "l", lty = 1, lwd = 2,
        col = c("#1a9850", "#91cf60", "#f0be3c", "#f46d43", "#a50026"),
        xlab = "Months since diagnosis", ylab = "Patients with >= 1 infection (%)",
        main = paste(scenario, ": infection risk by grade at diagnosis", sep = ""))
legend("bottomright", legend = grades, title = "Grade at diagnosis", lwd = 2,
       col = c("#1a9850", "#91cf60", "#f0be3c", "#f46d43", "#a50026"))
invisible(dev.off())
for (k in seq_along(grades))
  cat(sprintf("%s: %.1f%% with >= 1 infection by month %d\n", grades[k],
              share[k, 13], months[13]))
