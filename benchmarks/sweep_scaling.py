#!/usr/bin/env python3
"""Strong scaling of a sweep over MPI ranks on this machine: the same sweep
(the same total work) on 1 rank and on 2, one thread each, and, for
reference, one process of 2 OpenMP threads. Runs are interleaved (1 rank,
2 ranks, 2 threads, again...) so that the shared machine's noise falls on
all alike; medians are reported, as ratios measured in this one run.

From the same timings it splits each run into its parallel part (ipsim's
own "Wall time": the scenarios) and its serial part (start-up, timed as
`mpirun -n R ipsim --version`, and the tail after the scenarios, on rank 0
while the others wait), and projects, on paper (Amdahl's law with the tail
growing with the scenarios), the efficiency at 16, 64 and 256 ranks of a
sweep of S = 10 R such scenarios.

    bash benchmarks/sweep-scaling [--repeats N]

`bash benchmarks/run --record` records it in benchmarks/RESULTS.md (measure()
gives it the text and the efficiency).
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build-mpi", "ipsim")
# No binding: Open MPI would otherwise pin a rank to one core, and its
# OpenMP threads with it.
MPIRUN = [shutil.which("mpirun") or "mpirun", "--allow-run-as-root", "--oversubscribe",
          "--bind-to", "none"]

SWEEP = """\
name: scaling
base: {root}/params/ivig-severe.yaml
cohort: {{patients: {patients}, replicates: 2}}
output: {{trajectories: {trajectories}}}
grid:
  ivig.grade_threshold: [moderate, severe, very_severe]
  ivig.dose_mg_per_kg: [200, 400]
"""

WORKLOADS = [("summaries only", "none", 200000), ("dense trajectories to HDF5", "dense", 60000)]
CONFIGS = [("1 rank x 1 thread", 1, 1), ("2 ranks x 1 thread", 2, 1),
           ("1 rank x 2 threads", 1, 2)]


CLUSTER = """\
What a real cluster changes (this is a model, from one 2-core machine): the \
simulation (w) is the same per core, but the serial part is not. The copy \
into the target (c) is rank 0 reading and writing every stored byte once: \
on a network file system that is its bandwidth from one client (often \
0.5-2 GB/s on Lustre or GPFS, less on NFS) rather than this machine's page \
cache, for bytes that grow with the patients (per-patient records take about \
100 bytes per patient and replicate compressed, dense trajectories a quarter \
of a byte per patient-month more), so c, not w, sets the limit: with S = 10 R the copy grows with R while each \
rank's share of the simulation does not, which is why the projection falls \
at 64-256 ranks. Every small metadata operation (opening a scenario file, \
creating groups, the rename) pays the file system's latency, milliseconds \
rather than microseconds. The comparison's reading of per-patient outcomes, \
once rank 0's alone, is shared by the other ranks and reduced to rank 0 \
(log R messages), so it no longer grows with the scenarios on rank 0. \
MPI start-up (u) grows with the job: seconds to tens of seconds at 256 \
ranks across nodes, against a fraction of a second here. And whole scenarios \
are dealt to ranks in turn: when they differ in cost (IVIG for moderate \
IP costs more than for very severe) the last rank to finish sets the time, \
a load imbalance this model leaves out and S = 10 R keeps small (about \
one scenario's cost in ten). Beyond some tens of ranks, keep the sweep in \
parts (`--part`) read as parts, or give the assembly a fast local disk.
"""


def timed(command, cwd):
    """Whole command's seconds, and the simulation's alone (ipsim's own
    "Wall time": the scenarios, without start-up, assembly and comparison)."""
    start = time.perf_counter()
    r = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(command), r.stderr))
    return elapsed, float(re.search(r"Wall time ([0-9.]+) s", r.stdout).group(1))


def started(ranks, cwd, ipsim=IPSIM):
    """Seconds to start ranks processes of ipsim and end them: MPI's
    start-up and ipsim's own, without a sweep."""
    start = time.perf_counter()
    r = subprocess.run([*MPIRUN, "-n", str(ranks), ipsim, "--version"], cwd=cwd,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("failed: ipsim --version on %d ranks\n%s" % (ranks, r.stderr))
    return time.perf_counter() - start


PROJECTED = [16, 64, 256]
PER_RANK = 10  # scenarios per rank in the projection: S = 10 R


def projection(scenarios, whole, simulate, startup):
    """The serial and parallel parts of the 1- and 2-rank runs, and the
    Amdahl projection (a model on paper) at PROJECTED ranks with S = 10 R.

    Per scenario: w, simulation seconds on one rank (the parallel part);
    c1, the tail's seconds on one rank (rank 0 copies each scenario and reads
    it for the comparison); c, the tail's seconds with other ranks (rank 0
    copies while the others read the scenarios for the comparison: what is
    left is serial). u is the start-up. A sweep of S scenarios then takes
    T(1) = u + S (w + c1) on one rank and T(R) = u + S w / R + S c on R,
    whose efficiency is T(1) / (R T(R)); the serial fraction is
    (u + S c) / T(1)."""
    one, two = CONFIGS[0][0], CONFIGS[1][0]
    u = startup[2]
    tail1 = max(whole[one] - simulate[one] - startup[1], 0.0)
    tail2 = max(whole[two] - simulate[two] - startup[2], 0.0)
    w, c1, c = simulate[one] / scenarios, tail1 / scenarios, tail2 / scenarios
    rows = []
    for ranks in PROJECTED:
        S = PER_RANK * ranks
        t1 = u + S * (w + c1)
        tr = u + S * w / ranks + S * c
        rows.append((ranks, S, (u + S * c) / t1, t1 / (ranks * tr)))
    return {"startup": (startup[1], startup[2]), "tail": (tail1, tail2),
            "serial": (startup[1] + tail1, startup[2] + tail2),
            "parallel": (simulate[one], simulate[two]), "per_scenario": (w, c1, c),
            "rows": rows}


def measure(repeats=3, ipsim=IPSIM):
    """Times the sweep; returns {"text": the Markdown section, "efficiency":
    the whole command's 1 -> 2 rank efficiency on the summaries-only
    workload, as a fraction}."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="ipsim-scaling-") as tmp:
        for label, trajectories, patients in WORKLOADS:
            sweep = os.path.join(tmp, "sweep-%s.yaml" % trajectories)
            with open(sweep, "w") as f:
                f.write(SWEEP.format(root=ROOT, patients=patients, trajectories=trajectories))
            times = {c[0]: [] for c in CONFIGS}
            simulate = {c[0]: [] for c in CONFIGS}
            startup = {1: [], 2: []}
            for _ in range(repeats):
                for ranks in startup:
                    startup[ranks].append(started(ranks, tmp, ipsim))
                for name, ranks, threads in CONFIGS:
                    out = os.path.join(tmp, "out.h5")
                    if os.path.exists(out):
                        os.remove(out)
                    whole, sim = timed([*MPIRUN, "-n", str(ranks), ipsim, "sweep", sweep,
                                        "-o", out, "--threads", str(threads)], tmp)
                    times[name].append(whole)
                    simulate[name].append(sim)
            medians = {k: statistics.median(v) for k, v in times.items()}
            sim_medians = {k: statistics.median(v) for k, v in simulate.items()}
            start_medians = {k: statistics.median(v) for k, v in startup.items()}
            rows.append((label, patients, medians, sim_medians,
                         projection(6, medians, sim_medians, start_medians)))
    scenarios = 6
    lines = []
    lines.append("## Sweep strong scaling over MPI ranks\n")
    lines.append("Measured on %s UTC, %s, %d cores; "
                 "medians of %d interleaved runs. One sweep of %d scenarios x 2 replicates "
                 "(120 months), the same total work in every column; `mpirun -n R build-mpi/ipsim "
                 "sweep ... --threads T`.\n"
                 % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), platform.machine(),
                    os.cpu_count(), repeats, scenarios))
    lines.append("| workload | patients per scenario | part | 1 rank x 1 thread, s | 2 ranks x 1 "
                 "thread, s | speed-up 1 -> 2 ranks | efficiency | 1 rank x 2 threads, s | "
                 "ranks / threads |")
    lines.append("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for label, patients, m, sm, _ in rows:
        for part, values in [("whole command", m), ("simulating", sm)]:
            one, two, threads = (values[c[0]] for c in CONFIGS)
            lines.append("| %s | %d | %s | %.2f | %.2f | %.2f | %.0f%% | %.2f | %.2f |"
                         % (label, patients, part, one, two, one / two, 50 * one / two, threads,
                            threads / two))
    lines.append("")
    lines.append("`simulating` is ipsim's own wall time for the scenarios; the rest of the whole "
                 "command is start-up and the tail: rank 0 assembling the file from the finished "
                 "scenarios (copying them) while the other ranks read them for the comparison, "
                 "then rank 0 comparing from the ranks' sums and renaming the file into place.\n")
    lines.append("### Serial and parallel parts, and a projection\n")
    lines.append("From the medians above: start-up is `mpirun -n R ipsim --version`, timed in the "
                 "same interleaved runs; the tail is the whole command minus simulating minus "
                 "start-up. Parallel is the simulation (it divides among ranks); serial is "
                 "start-up plus tail.\n")
    lines.append("| workload | ranks | start-up, s | tail, s | serial, s | parallel "
                 "(simulating), s |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for label, _, _, _, p in rows:
        for k, ranks in enumerate([1, 2]):
            lines.append("| %s | %d | %.2f | %.2f | %.2f | %.2f |"
                         % (label, ranks, p["startup"][k], p["tail"][k], p["serial"][k],
                            p["parallel"][k]))
    lines.append("")
    lines.append("Projected efficiency (a model on paper, not a measurement) of a sweep of "
                 "S = %d R such scenarios on R ranks: per scenario, w seconds of simulation "
                 "(parallel), c1 seconds of tail on one rank and c on several (what rank 0 "
                 "does while the others wait: the copy, mostly), u seconds of start-up; "
                 "T(1) = u + S (w + c1), T(R) = u + S w / R + S c, efficiency "
                 "T(1) / (R T(R)), serial fraction (u + S c) / T(1).\n" % PER_RANK)
    lines.append("| workload | w, s | c1, s | c, s | " +
                 " | ".join("R = %d (S = %d): serial fraction, efficiency" % (r, PER_RANK * r)
                            for r in PROJECTED) + " |")
    lines.append("|---|---:|---:|---:|" + "---:|" * len(PROJECTED))
    for label, _, _, _, p in rows:
        w, c1, c = p["per_scenario"]
        lines.append("| %s | %.3f | %.3f | %.3f | " % (label, w, c1, c) +
                     " | ".join("%.1f%%, %.0f%%" % (100 * f, 100 * e)
                                for _, _, f, e in p["rows"]) + " |")
    lines.append("")
    lines.append(CLUSTER)
    lines.append("Here the 6 scenarios go whole to the 2 ranks (3 each), each rank writing its own "
                 "files with no collective I/O; scenarios left over when they do not divide among "
                 "the ranks are shared block by block through parallel HDF5. Threads share each "
                 "block and compress its chunks in parallel. `ranks / threads` above 1 means two "
                 "ranks beat two threads of one process. docs/hpc.md explains what limits "
                 "scaling.\n")
    summaries = rows[0][2]
    return {"text": "\n".join(lines),
            "efficiency": summaries[CONFIGS[0][0]] / (2 * summaries[CONFIGS[1][0]])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ipsim", default=IPSIM, help="the MPI build's binary to time")
    args = parser.parse_args()
    print(measure(args.repeats, args.ipsim)["text"])


if __name__ == "__main__":
    main()
