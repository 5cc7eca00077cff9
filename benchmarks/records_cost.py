#!/usr/bin/env python3
"""What the per-patient records cost (issue 24, item 3): the baseline,
1,000,000 patients x 120 months, summaries only (no trajectories), timed
with the records (output.patient_records: true, the default) and without,
alternating in one session so that the shared machine's noise falls on both
alike. Prints each configuration's median wall seconds and the ratio
records / no records (the target: at most 1.25 on 2 threads).

    /usr/bin/python3 benchmarks/records_cost.py [--repeats N] [--threads 2,1]
        [--patients N] [--ipsim PATH ...]

With several --ipsim programs (say a reference build and this tree's), all
are alternated in the same loop, each with and without records.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "params", "baseline.yaml")


def command(ipsim, out, threads, patients, records):
    return [ipsim, "run", BASELINE, "-o", out, "--quiet", "--threads", str(threads),
            "--set", "cohort.patients=%d" % patients, "--set", "cohort.horizon_months=120",
            "--set", "output.trajectories=none",
            "--set", "output.patient_records=%s" % ("true" if records else "false")]


def timed(cmd):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", default="2,1", help="thread counts, comma-separated")
    parser.add_argument("--patients", type=int, default=1000000)
    parser.add_argument("--ipsim", action="append",
                        help="program(s) to time (default build/ipsim)")
    args = parser.parse_args()
    programs = args.ipsim or [os.path.join(ROOT, "build", "ipsim")]
    threads = [int(t) for t in args.threads.split(",")]
    print("Per-patient records' cost: baseline, %d patients x 120 months, summaries only; "
          "%d alternating runs each, median wall seconds\n" % (args.patients, args.repeats))
    print("| program | threads | records | no records | ratio |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for t in threads:
            times = {(p, rec): [] for p in programs for rec in (True, False)}
            for _ in range(args.repeats):
                for p in programs:
                    for rec in (True, False):
                        out = os.path.join(tmp, "out.h5")
                        times[(p, rec)].append(timed(command(p, out, t, args.patients, rec)))
                        os.remove(out)
            for p in programs:
                with_records = statistics.median(times[(p, True)])
                without = statistics.median(times[(p, False)])
                print("| %s | %d | %.2f | %.2f | %.2f |" % (p, t, with_records,
                                                           without, with_records / without),
                      flush=True)


if __name__ == "__main__":
    main()
