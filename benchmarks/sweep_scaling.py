#!/usr/bin/env python3
"""Strong scaling of a sweep over MPI ranks on this machine: the same sweep
(the same total work) on 1 rank and on 2, one thread each, and, for
reference, one process of 2 OpenMP threads. Runs are interleaved (1 rank,
2 ranks, 2 threads, again...) so that the shared machine's noise falls on
all alike; medians are reported, as ratios measured in this one run.

    bash benchmarks/sweep-scaling [--repeats N] [--record]

--record replaces the "Sweep strong scaling" section of benchmarks/RESULTS.md.
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


def timed(command, cwd):
    """Whole command's seconds, and the simulation's alone (ipsim's own
    "Wall time": the scenarios, without start-up, assembly and comparison)."""
    start = time.perf_counter()
    r = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(command), r.stderr))
    return elapsed, float(re.search(r"Wall time ([0-9.]+) s", r.stdout).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ipsim-scaling-") as tmp:
        for label, trajectories, patients in WORKLOADS:
            sweep = os.path.join(tmp, "sweep-%s.yaml" % trajectories)
            with open(sweep, "w") as f:
                f.write(SWEEP.format(root=ROOT, patients=patients, trajectories=trajectories))
            times = {c[0]: [] for c in CONFIGS}
            simulate = {c[0]: [] for c in CONFIGS}
            for _ in range(args.repeats):
                for name, ranks, threads in CONFIGS:
                    out = os.path.join(tmp, "out.h5")
                    if os.path.exists(out):
                        os.remove(out)
                    whole, sim = timed([*MPIRUN, "-n", str(ranks), IPSIM, "sweep", sweep, "-o",
                                        out, "--threads", str(threads)], tmp)
                    times[name].append(whole)
                    simulate[name].append(sim)
            medians = {k: statistics.median(v) for k, v in times.items()}
            sim_medians = {k: statistics.median(v) for k, v in simulate.items()}
            rows.append((label, patients, medians, sim_medians))
    scenarios = 6
    lines = []
    lines.append("## Sweep strong scaling over MPI ranks\n")
    lines.append("Produced by `bash benchmarks/sweep-scaling --record` on %s UTC, %s, %d cores; "
                 "medians of %d interleaved runs. One sweep of %d scenarios x 2 replicates "
                 "(120 months), the same total work in every column; `mpirun -n R build-mpi/ipsim "
                 "sweep ... --threads T`.\n"
                 % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), platform.machine(),
                    os.cpu_count(), args.repeats, scenarios))
    lines.append("| workload | patients per scenario | part | 1 rank x 1 thread, s | 2 ranks x 1 "
                 "thread, s | speed-up 1 -> 2 ranks | efficiency | 1 rank x 2 threads, s | "
                 "ranks / threads |")
    lines.append("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for label, patients, m, sm in rows:
        for part, values in [("whole command", m), ("simulating", sm)]:
            one, two, threads = (values[c[0]] for c in CONFIGS)
            lines.append("| %s | %d | %s | %.2f | %.2f | %.2f | %.0f%% | %.2f | %.2f |"
                         % (label, patients, part, one, two, one / two, 50 * one / two, threads,
                            threads / two))
    lines.append("")
    lines.append("`simulating` is ipsim's own wall time for the scenarios; the rest of the whole "
                 "command is start-up and rank 0's serial tail: assembling the file from the "
                 "finished scenarios and comparing them.\n")
    lines.append("Here the 6 scenarios go whole to the 2 ranks (3 each), each rank writing its own "
                 "files with no collective I/O; scenarios left over when they do not divide among "
                 "the ranks are shared block by block through parallel HDF5. Threads share each "
                 "block and compress its chunks in parallel. `ranks / threads` above 1 means two "
                 "ranks beat two threads of one process. docs/hpc.md explains what limits "
                 "scaling.\n")
    text = "\n".join(lines)
    print(text)
    if args.record:
        path = os.path.join(ROOT, "benchmarks", "RESULTS.md")
        with open(path) as f:
            results = f.read()
        section = re.compile(r"## Sweep strong scaling over MPI ranks\n.*?(?=\n## |\Z)", re.S)
        if section.search(results):
            results = section.sub(text.rstrip("\n") + "\n", results)
        else:
            results = results.rstrip("\n") + "\n\n" + text
        with open(path, "w") as f:
            f.write(results)


if __name__ == "__main__":
    main()
