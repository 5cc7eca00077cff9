"""ipsim's benchmarks: the engine against the bare-kernel limit and a numpy
peer, thread scaling, compression, and peak memory against cohort size.

Run through `bash benchmarks/run` (which builds first). Every figure is the
median of several runs made in this one invocation, so ratios compare runs
made under the same machine load. Prints a Markdown report; --record also
writes it to benchmarks/RESULTS.md."""
import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build", "ipsim")
BARE = os.path.join(ROOT, "build", "benchmarks", "bare_kernel")
PEER = os.path.join(ROOT, "benchmarks", "numpy_peer.py")
BASELINE = os.path.join(ROOT, "params", "baseline.yaml")
MONTHS = 120


def measure(cmd):
    """Wall seconds and peak RSS (MiB) of one run of cmd. The RSS comes from
    GNU time: a child forked from this Python process would count Python's
    own pages, from before its exec, in its peak."""
    with tempfile.NamedTemporaryFile("r") as report:
        start = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - start
        if r.returncode != 0:
            sys.exit("benchmark command failed: %s\n%s" % (" ".join(cmd), r.stderr.decode()))
        return wall, int(report.read().split()[-1]) / 1024.0


def median_run(cmd, repeats):
    runs = [measure(cmd) for _ in range(repeats)]
    return statistics.median(w for w, _ in runs), max(r for _, r in runs)


def ipsim_cmd(out, patients, trajectories, threads):
    return [IPSIM, "run", BASELINE, "-o", out, "--quiet", "--threads", str(threads),
            "--set", "cohort.patients=%d" % patients,
            "--set", "cohort.horizon_months=%d" % MONTHS,
            "--set", "output.trajectories=%s" % trajectories]


def storage(path):
    """Stored and raw bytes of every dataset, and of the trajectories alone."""
    stored = raw = traj_stored = traj_raw = 0
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            nonlocal stored, raw, traj_stored, traj_raw
            if isinstance(obj, h5py.Dataset) and obj.dtype != object:
                s, r = obj.id.get_storage_size(), obj.size * obj.dtype.itemsize
                stored, raw = stored + s, raw + r
                if name.endswith("/grade") or name.endswith("/infections"):
                    traj_stored, traj_raw = traj_stored + s, traj_raw + r
        f.visititems(visit)
    return stored, raw, traj_stored, traj_raw


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5, help="runs per timing (median)")
    ap.add_argument("--numpy-repeats", type=int, default=3)
    ap.add_argument("--record", action="store_true", help="write benchmarks/RESULTS.md")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ipsim-bench-")
    out = os.path.join(tmp, "run.h5")
    rows, rates = [], {}

    def add(label, patients, threads, cmd, repeats):
        wall, rss = median_run(cmd, repeats)
        rate = patients * MONTHS / wall
        rates[(label, threads)] = rate
        rows.append((label, patients, threads, rate, wall, rss))
        print("  %-34s %9d patients %d thread(s): %8.3g patient-months/s" %
              (label, patients, threads, rate), file=sys.stderr)

    print("timing (median of %d runs each)..." % args.repeats, file=sys.stderr)
    for threads in (1, 2):
        add("bare kernel", 1000000, threads, [BARE, "1000000", str(MONTHS), str(threads)],
            args.repeats)
        add("ipsim, summaries only", 1000000, threads,
            ipsim_cmd(out, 1000000, "none", threads), args.repeats)
        add("ipsim, dense trajectories to HDF5", 200000, threads,
            ipsim_cmd(out, 200000, "dense", threads), args.repeats)
    stored, raw, traj_stored, traj_raw = storage(out)
    add("numpy peer (1 thread: numpy)", 1000000, 1,
        ["/usr/bin/python3", PEER, "1000000", str(MONTHS)], args.numpy_repeats)

    print("memory against cohort size...", file=sys.stderr)
    memory = []
    for patients, trajectories in [(100000, "none"), (1000000, "none"), (10000000, "none"),
                                   (200000, "dense"), (2000000, "dense")]:
        wall, rss = measure(ipsim_cmd(out, patients, trajectories, 2))
        memory.append((patients, trajectories, rss, wall))

    bare2 = rates[("bare kernel", 2)]
    summaries2 = rates[("ipsim, summaries only", 2)]
    dense2 = rates[("ipsim, dense trajectories to HDF5", 2)]
    numpy1 = rates[("numpy peer (1 thread: numpy)", 1)]
    speedup_summaries = summaries2 / rates[("ipsim, summaries only", 1)]
    speedup_dense = dense2 / rates[("ipsim, dense trajectories to HDF5", 1)]
    peak = max([rss for _, _, rss, _ in memory] +
               [row[5] for row in rows if row[0].startswith("ipsim")])

    def verdict(ok):
        return "met" if ok else "**not met**"

    lines = []
    lines.append("# Benchmark results\n")
    lines.append("Produced by `bash benchmarks/run%s` on %s, %s, %d cores (%s); medians of %d runs "
                 "(numpy peer: %d), all in one invocation. Horizon %d months, baseline "
                 "parameters.\n" % (" --record" if args.record else "",
                                    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
                                    platform.machine(), os.cpu_count(), cpu_model(),
                                    args.repeats, args.numpy_repeats, MONTHS))
    lines.append("| workload | patients | threads | patient-months/s | wall s | peak RSS MiB |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for label, patients, threads, rate, wall, rss in rows:
        lines.append("| %s | %d | %d | %.3g | %.3f | %.0f |" %
                     (label, patients, threads, rate, wall, rss))
    lines.append("\n## Ratios and targets (2 threads unless said)\n")
    lines.append("| measure | value | target | |")
    lines.append("|---|---:|---:|---|")
    checks = [
        ("summaries only / bare kernel", summaries2 / bare2, ">= 0.50", summaries2 / bare2 >= 0.5),
        ("dense trajectories / bare kernel", dense2 / bare2, ">= 0.30", dense2 / bare2 >= 0.3),
        ("speed-up 1 -> 2 threads, summaries only", speedup_summaries, ">= 1.8",
         speedup_summaries >= 1.8),
        ("speed-up 1 -> 2 threads, dense", speedup_dense, ">= 1.8", speedup_dense >= 1.8),
        ("summaries only / numpy peer", summaries2 / numpy1, ">= 10", summaries2 / numpy1 >= 10),
        ("compressed / raw size, whole file (dense)", stored / raw, "<= 0.15",
         stored / raw <= 0.15),
        ("peak RSS of any ipsim run, MiB", peak, "< 256", peak < 256),
    ]
    for name, value, target, ok in checks:
        lines.append("| %s | %.3g | %s | %s |" % (name, value, target, verdict(ok)))
    lines.append("\nCompression (dense, 200,000 patients): trajectories %.1f%% of raw, whole file "
                 "%.1f%% (%.1f of %.1f MiB).\n" % (100.0 * traj_stored / traj_raw,
                                                     100.0 * stored / raw, stored / 2**20,
                                                     raw / 2**20))
    lines.append("## Peak memory against cohort size (2 threads)\n")
    lines.append("| patients | trajectories | peak RSS MiB | wall s |")
    lines.append("|---:|---|---:|---:|")
    for patients, trajectories, rss, wall in memory:
        lines.append("| %d | %s | %.0f | %.2f |" % (patients, trajectories, rss, wall))
    report = "\n".join(lines) + "\n"
    print(report)
    if args.record:
        with open(os.path.join(ROOT, "benchmarks", "RESULTS.md"), "w") as f:
            f.write(report)
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)


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
