"""ipsim's benchmarks: the engine against the bare-kernel limit and a numpy
peer, the cost of per-patient records, thread scaling, compression, peak
memory against cohort size, the MPI sweep's scaling and hesim's published
workload.

Run through `bash benchmarks/run` (which builds first). Every timing is the
median of several runs made in this one invocation, the workloads taking
turns, so that ratios compare runs made under the same machine load. Prints
a Markdown report; --record also writes it into benchmarks/RESULTS.md (the
generated section, replaced) and adds a row to the history of the ratios
there (kept)."""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build", "ipsim")
BARE = os.path.join(ROOT, "build", "benchmarks", "bare_kernel")
PEER = os.path.join(ROOT, "benchmarks", "numpy_peer.py")
BASELINE = os.path.join(ROOT, "params", "baseline.yaml")
RESULTS = os.path.join(ROOT, "benchmarks", "RESULTS.md")
MONTHS = 120
BEGIN = "<!-- benchmarks/run --record writes from here -->"
END = "<!-- to here -->"
HISTORY = "## History of the ratios"


def measure(cmd, cpu=False):
    """Wall seconds and peak RSS (MiB) of one run of cmd; with cpu, wall
    seconds, CPU seconds (user + system, every thread) and peak RSS. RSS and
    CPU come from GNU time: a child forked from this Python process would
    count Python's own pages, from before its exec, in its peak."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", report.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        if r.returncode != 0:
            sys.exit("benchmark command failed: %s\n%s" % (" ".join(cmd), r.stderr.decode()))
        user, system, rss_kib = report.read().split()[-3:]
    if cpu:
        return wall, float(user) + float(system), int(rss_kib) / 1024.0
    return wall, int(rss_kib) / 1024.0


def ipsim_cmd(out, patients, trajectories, threads, records=True):
    return [IPSIM, "run", BASELINE, "-o", out, "--quiet", "--threads", str(threads),
            "--set", "cohort.patients=%d" % patients,
            "--set", "cohort.horizon_months=%d" % MONTHS,
            "--set", "output.trajectories=%s" % trajectories,
            "--set", "output.patient_records=%s" % ("true" if records else "false")]


def bare_cmd(patients, threads):
    return [BARE, BASELINE, str(patients), str(MONTHS), str(threads)]


def storage(path):
    """Stored and raw bytes of every dataset, and of the trajectories alone."""
    import h5py
    stored = raw = traj_stored = traj_raw = 0
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            nonlocal stored, raw, traj_stored, traj_raw
            if isinstance(obj, h5py.Dataset) and obj.dtype != object:
                s, r = obj.id.get_storage_size(), obj.size * obj.dtype.itemsize
                stored, raw = stored + s, raw + r
                if obj.ndim == 3 and obj.shape[2] == MONTHS + 1:
                    traj_stored, traj_raw = traj_stored + s, traj_raw + r
        f.visititems(visit)
    return stored, raw, traj_stored, traj_raw


# The timed workloads: (label, patients, threads, command(out)). Each
# repeat runs every one once, in this order, so all see the same load.
def workloads():
    rows = []
    for threads in (1, 2):
        rows += [
            ("bare kernel", 1000000, threads, lambda out, t=threads: bare_cmd(1000000, t)),
            ("ipsim, summaries only", 1000000, threads,
             lambda out, t=threads: ipsim_cmd(out, 1000000, "none", t, records=False)),
            ("ipsim, summaries and per-patient records", 1000000, threads,
             lambda out, t=threads: ipsim_cmd(out, 1000000, "none", t)),
            ("ipsim, dense trajectories to HDF5", 200000, threads,
             lambda out, t=threads: ipsim_cmd(out, 200000, "dense", t)),
        ]
    return rows


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    ap.add_argument("--numpy-repeats", type=int, default=3)
    ap.add_argument("--mpi-repeats", type=int, default=3,
                    help="runs per configuration of the MPI sweep (0: skip it)")
    ap.add_argument("--hesim-repeats", type=int, default=3,
                    help="runs per cycle length of hesim's workload (0: skip it)")
    ap.add_argument("--record", action="store_true", help="write benchmarks/RESULTS.md")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    tmp = tempfile.mkdtemp(prefix="ipsim-bench-")
    out = os.path.join(tmp, "run.h5")
    timed = workloads()
    runs = {(label, threads): [] for label, _, threads, _ in timed}

    print("timing (%d rounds of every workload)..." % args.repeats, file=sys.stderr)
    for i in range(args.repeats):
        for label, patients, threads, cmd in timed:
            runs[(label, threads)].append(measure(cmd(out)))
        print("  round %d of %d done" % (i + 1, args.repeats), file=sys.stderr)
    # The dense file of the last round, for the compression figures.
    measure(ipsim_cmd(out, 200000, "dense", 2))
    stored, raw, traj_stored, traj_raw = storage(out)
    numpy_runs = [measure(["/usr/bin/python3", PEER, "1000000", str(MONTHS)])
                  for _ in range(args.numpy_repeats)]

    rows, rates = [], {}
    for label, patients, threads, _ in timed:
        wall = statistics.median(w for w, _ in runs[(label, threads)])
        rss = max(r for _, r in runs[(label, threads)])
        rates[(label, threads)] = patients * MONTHS / wall
        rows.append((label, patients, threads, patients * MONTHS / wall, wall, rss))
    numpy_wall = statistics.median(w for w, _ in numpy_runs)
    numpy_rate = 1000000 * MONTHS / numpy_wall
    rows.append(("numpy peer (1 thread: numpy)", 1000000, 1, numpy_rate, numpy_wall,
                 max(r for _, r in numpy_runs)))

    print("memory against cohort size...", file=sys.stderr)
    memory = []
    for patients, trajectories in [(100000, "none"), (1000000, "none"), (10000000, "none"),
                                   (200000, "dense"), (2000000, "dense")]:
        wall, rss = measure(ipsim_cmd(out, patients, trajectories, 2))
        memory.append((patients, trajectories, rss, wall))
    os.unlink(out)
    os.rmdir(tmp)

    mpi = None
    if args.mpi_repeats > 0:
        print("the MPI sweep on 1 and 2 ranks...", file=sys.stderr)
        import sweep_scaling
        mpi = sweep_scaling.measure(args.mpi_repeats)
    hesim = None
    if args.hesim_repeats > 0:
        print("hesim's workload...", file=sys.stderr)
        import hesim_workload
        hesim = hesim_workload.section(args.hesim_repeats, 2)

    bare = {t: rates[("bare kernel", t)] for t in (1, 2)}
    summaries = {t: rates[("ipsim, summaries only", t)] for t in (1, 2)}
    records = {t: rates[("ipsim, summaries and per-patient records", t)] for t in (1, 2)}
    dense = {t: rates[("ipsim, dense trajectories to HDF5", t)] for t in (1, 2)}
    peak = max([rss for _, _, rss, _ in memory] +
               [row[5] for row in rows if row[0].startswith("ipsim")])

    def verdict(ok):
        return "met" if ok else "**not met**"

    checks = [
        ("summaries only / bare kernel", summaries[2] / bare[2], ">= 0.50",
         summaries[2] / bare[2] >= 0.5),
        ("dense trajectories / bare kernel", dense[2] / bare[2], ">= 0.30",
         dense[2] / bare[2] >= 0.3),
        ("time with per-patient records / summaries only", summaries[2] / records[2], "<= 1.25",
         summaries[2] / records[2] <= 1.25),
        ("speed-up 1 -> 2 threads, summaries only", summaries[2] / summaries[1], ">= 1.8",
         summaries[2] / summaries[1] >= 1.8),
        ("speed-up 1 -> 2 threads, dense", dense[2] / dense[1], ">= 1.8",
         dense[2] / dense[1] >= 1.8),
        ("summaries only / numpy peer", summaries[2] / numpy_rate, ">= 10",
         summaries[2] / numpy_rate >= 10),
        ("compressed / raw size, whole file (dense)", stored / raw, "<= 0.15",
         stored / raw <= 0.15),
        ("peak RSS of any ipsim run, MiB", peak, "< 256", peak < 256),
    ]
    if mpi:
        checks.append(("MPI sweep, 2 ranks: efficiency (whole command, summaries only)",
                       mpi["efficiency"], ">= 0.85", mpi["efficiency"] >= 0.85))

    lines = [BEGIN, "", "# Benchmark results", ""]
    lines.append("Produced by `bash benchmarks/run%s` on %s at commit %s, %s, %d cores (%s); "
                 "medians of %d rounds in which every workload ran once (numpy peer: %d runs), "
                 "all in one invocation. Horizon %d months, `params/baseline.yaml`. The machine "
                 "is shared: compare the ratios, which were measured together, not the rates "
                 "across days.\n"
                 % (" --record" if args.record else "",
                    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), git_commit(),
                    platform.machine(), os.cpu_count(), cpu_model(), args.repeats,
                    args.numpy_repeats, MONTHS))
    lines.append("| workload | patients | threads | patient-months/s | wall s | peak RSS MiB |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for label, patients, threads, rate, wall, rss in rows:
        lines.append("| %s | %d | %d | %.3g | %.3f | %.0f |" %
                     (label, patients, threads, rate, wall, rss))
    lines.append("\n## Ratios and targets (2 threads unless said)\n")
    lines.append("| measure | value | target | |")
    lines.append("|---|---:|---:|---|")
    for name, value, target, ok in checks:
        lines.append("| %s | %.3g | %s | %s |" % (name, value, target, verdict(ok)))
    lines.append("\nOn 1 thread: summaries only / bare kernel %.3g, dense / bare kernel %.3g, "
                 "time with records / without %.3g.\n"
                 % (summaries[1] / bare[1], dense[1] / bare[1], summaries[1] / records[1]))
    lines.append("Compression (dense, 200,000 patients): trajectories %.1f%% of raw, whole file "
                 "%.1f%% (%.1f of %.1f MiB).\n" % (100.0 * traj_stored / traj_raw,
                                                     100.0 * stored / raw, stored / 2**20,
                                                     raw / 2**20))
    lines.append("## Peak memory against cohort size (2 threads, with per-patient records)\n")
    lines.append("| patients | trajectories | peak RSS MiB | wall s |")
    lines.append("|---:|---|---:|---:|")
    for patients, trajectories, rss, wall in memory:
        lines.append("| %d | %s | %.0f | %.2f |" % (patients, trajectories, rss, wall))
    lines.append("")
    if mpi:
        lines.append(mpi["text"].rstrip("\n") + "\n")
    if hesim:
        lines.append(hesim.rstrip("\n") + "\n")
    lines.append(END)
    report = "\n".join(lines) + "\n"
    print(report)
    if args.record:
        history_row = "| %s | %s | %.3g | %.3g | %.3g | %.3g | %s |" % (
            datetime.datetime.utcnow().strftime("%Y-%m-%d"), git_commit(),
            summaries[2] / bare[2], dense[2] / bare[2], summaries[2] / records[2],
            summaries[2] / numpy_rate,
            "%.0f%%" % (100 * mpi["efficiency"]) if mpi else "-")
        record(report, history_row)


def record(report, history_row):
    """Replaces the generated section of RESULTS.md and adds history_row to
    the history table; every other section (the A/B records) is kept."""
    with open(RESULTS) as f:
        text = f.read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + report + text[text.index(END) + len(END) + 1:]
    else:
        text = report + "\n" + text
    if HISTORY not in text:
        sys.exit("benchmarks/RESULTS.md has no '%s' section to add the row to" % HISTORY)
    # The row goes after the table's last row.
    at = text.index(HISTORY)
    table = re.compile(r"(\n\|[^\n]*\|)+\n").search(text, at)
    text = text[:table.end()] + history_row + "\n" + text[table.end():]
    with open(RESULTS, "w") as f:
        f.write(text)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
