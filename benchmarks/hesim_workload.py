#!/usr/bin/env python3
"""hesim's published benchmark workload run through ipsim's own model
(issue 24, item 5): 2 strategies x 1,000 patients x 1,000 PSA draws x 60
years, at yearly cycles (60) and at monthly cycles (720), from
params/benchmarks/hesim-workload.yaml. Each timing is the median of
--repeats runs of

    build/ipsim run params/benchmarks/hesim-workload.yaml -o tmp.h5 --quiet --threads 2 \\
        --set cohort.cycle_months=C

with the two cycle lengths alternating, so that the shared machine's noise
falls on both alike. Prints a Markdown section with hesim's published
figures beside ipsim's (measured elsewhere, on another model: see the
caveats it prints). section() returns the same text for a caller.

    /usr/bin/python3 benchmarks/hesim_workload.py [--repeats 3] [--threads 2]
"""
import argparse
import os
import re
import statistics
import sys
import tempfile

from run_benchmarks import measure  # wall, CPU seconds and GNU time's peak RSS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build", "ipsim")
SCENARIO = os.path.join(ROOT, "params", "benchmarks", "hesim-workload.yaml")
CYCLES = [("yearly", 12), ("monthly", 1)]

# hesim's "Benchmarks" vignette: the table "Markov models", its largest row.
HESIM = {
    "url": "https://hesim-dev.github.io/hesim/articles/benchmarks.html",
    "source": "hesim-dev/hesim, vignettes/benchmarks.Rmd (code: vignettes/benchmarks.R)",
    "version": "hesim 0.5.0.9999 (development version; dated 2021-03-25, commit 02f3bb2a)",
    "machine": "R 4.0.3, x86_64-apple-darwin17.0, macOS Mojave 10.14.6 "
               "(processor and cores not stated)",
    "model": "5-state (4 + death) time-inhomogeneous Markov model of total hip replacement, "
             "2 strategies, 60 years",
    "rows": [
        # label, patients per strategy and draw, draws, cycles (None: continuous time), seconds
        ("hesim, cohort model (CohortDtstm)", 1, 1000, 60, 1.2),
        ("hesim, individual-level model (IndivCtstm)", 1000, 1000, None, 11.0),
    ],
}


def workload(path=SCENARIO):
    """Strategies, patients, draws and horizon (months) as the file states them."""
    with open(path) as f:
        text = f.read()

    def key(name):
        return int(re.search(r"^  %s: (\d+)" % name, text, re.M).group(1))

    scenarios = text[text.index("\nscenarios:"):]
    strategies = len(re.findall(r"^  \w+:", scenarios, re.M))
    return strategies, key("patients"), key("replicates"), key("horizon_months")


def command(out, cycle_months, threads, ipsim=IPSIM):
    return [ipsim, "run", SCENARIO, "-o", out, "--quiet", "--threads", str(threads),
            "--set", "cohort.cycle_months=%d" % cycle_months]


def display(cmd):
    return " ".join(os.path.relpath(a, ROOT) if a.startswith(ROOT) else a for a in cmd)


def section(repeats=3, threads=2, ipsim=IPSIM):
    strategies, patients, draws, months = workload()
    tmp = tempfile.mkdtemp(prefix="ipsim-hesim-")
    out = os.path.join(tmp, "tmp.h5")
    runs = {c: [] for _, c in CYCLES}
    try:
        for _ in range(repeats):
            for _, c in CYCLES:
                runs[c].append(measure(command(out, c, threads, ipsim), cpu=True))
    finally:
        if os.path.exists(out):
            os.unlink(out)
        os.rmdir(tmp)

    histories = strategies * patients * draws
    lines = [
        "## hesim's benchmark workload (issue 24)",
        "",
        "ipsim's own model at the size of hesim's published benchmark: %d strategies x %d "
        "patients x %d PSA draws x %d years, `output.trajectories: none`, %d threads, "
        "median of %d runs each (the two cycle lengths alternating):"
        % (strategies, patients, draws, months // 12, threads, repeats),
        "",
        "```",
    ]
    lines += [display(command("tmp.h5", c, threads, ipsim)) for _, c in CYCLES]
    lines += [
        "```",
        "",
        "| run | patients | PSA draws | cycles | wall s | CPU s | patient-cycles/s | "
        "patient histories/s | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, c in CYCLES:
        wall = statistics.median(w for w, _, _ in runs[c])
        cpu = statistics.median(u for _, u, _ in runs[c])
        rss = max(r for _, _, r in runs[c])
        cycles = months // c
        lines.append("| ipsim, %s cycles (this machine) | %d | %d | %d | %.1f | %.1f | %.3g | "
                     "%.3g | %.0f |"
                     % (label, patients, draws, cycles, wall, cpu, histories * cycles / wall,
                        histories / wall, rss))
    for label, n, d, cycles, wall in HESIM["rows"]:
        # A cohort model's "patient" is one state-occupancy vector: its
        # cohort-cycles are not patient-cycles, and it has no histories.
        cohort = n == 1
        h = strategies * n * d
        lines.append("| %s, measured elsewhere | %s | %d | %s | %.1f | - | %s | %s | - |"
                     % (label, "1 cohort" if cohort else n, d,
                        cycles if cycles else "continuous time", wall,
                        "%.3g" % (h * cycles / wall) if cycles and not cohort else "-",
                        "-" if cohort else "%.3g" % (h / wall)))
    lines += [
        "",
        "hesim's figures are published, not measured here: %s (%s; %s), the table "
        "\"Markov models\", row \"1000 PSA samples\": %s; %s. Measured elsewhere."
        % (HESIM["url"], HESIM["source"], HESIM["version"], HESIM["model"], HESIM["machine"]),
        "",
        "Not comparable as like for like: the models differ (ipsim: 5 immunoparesis grades + "
        "death with the treatment pathway, infections and their episodes, mortality, IVIG, "
        "costs and QALYs every cycle, each draw's model tables rebuilt, per-draw summaries "
        "written to HDF5; hesim: 4 states + death, transition probabilities, costs and "
        "utilities), as do the machines, the years and the languages (C with OpenMP; R with "
        "C++). hesim's cohort model follows one representative cohort (a state-occupancy "
        "vector per cycle), not patients, and its individual-level model is in continuous "
        "time (events, not cycles). Patient-cycles count every patient to the horizon, alive "
        "or not, as ipsim's own patient-months/s do; patient histories are strategies x "
        "patients x draws; both rates are per second of wall time. CPU s is user + system "
        "time of all threads (GNU time), which includes OpenMP's waiting threads spinning. The yearly run moves ipsim's pathway timetable to whole years "
        "(ipsim warns so; its calibration holds at monthly cycles), so its results are for "
        "timing only.",
    ]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="runs per cycle length (median)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    sys.stdout.write(section(args.repeats, args.threads))


if __name__ == "__main__":
    main()
