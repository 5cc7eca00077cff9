"""Checks that the numpy peer (benchmarks/numpy_peer.py) simulates ipsim's
model: runs it and `ipsim run` on the same parameter file (different random
numbers: independent estimates) and compares grade and phase occupancy at a
few months, deaths by the horizon by cause, ASCTs, first progressions, and
episodes and serious episodes per patient. Each difference is divided by the
standard error of the two estimates combined (binomial for shares, the
sample variance for episodes); every one must be within 4.

usage: /usr/bin/python3 benchmarks/check_numpy_peer.py [PATIENTS] [MONTHS]
           [--seed S] [--params FILE.yaml] [--threads N]
Exit status 1 if a difference is 4 standard errors or more."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

import numpy_peer

IPSIM = os.path.join(numpy_peer.ROOT, "build", "ipsim")
GRADE_NAMES = ["none", "mild", "moderate", "severe", "very_severe", "dead"]
PHASE_NAMES = ["induction", "transplant", "maintenance", "second_line", "later_lines",
               "no_treatment", "dead"]
CAUSE_NAMES = ["alive", "background", "infection", "myeloma"]
LIMIT = 4.0


def run_ipsim(params, patients, months, threads):
    """ipsim's tallies from `ipsim run` (summaries and per-patient records)."""
    with tempfile.TemporaryDirectory(prefix="ipsim-peer-check-") as tmp:
        out = os.path.join(tmp, "run.h5")
        subprocess.run([IPSIM, "run", params, "-o", out, "--quiet", "--threads", str(threads),
                        "--set", "cohort.patients=%d" % patients,
                        "--set", "cohort.horizon_months=%d" % months,
                        "--set", "output.trajectories=none",
                        "--set", "output.patient_records=true"], check=True)
        with h5py.File(out, "r") as f:
            scenario = next(f[name] for name in f if "summary" in f[name])
            s, p = scenario["summary"], scenario["patients"]
            return {"grade_share": s["occupancy"][0],
                    "phase_occupancy": s["phase_occupancy"][0],
                    "deaths": np.concatenate([[0], s["deaths_by_cause"][0]]),  # 0: alive
                    "episodes": p["infections_by_type"][0].sum(axis=1),
                    "serious_episodes": p["serious_infections"][0],
                    "asct": int((p["asct_month"][0] >= 0).sum()),
                    "progressed": int((p["progression_month"][0] >= 0).sum())}


def share_z(a, b, n):
    """Difference of two shares of n patients each, in standard errors; None
    for a share that is 0 or 1 in both (no variance: the same by
    construction, month 0's dead say)."""
    se = np.sqrt(a * (1 - a) / n + b * (1 - b) / n)
    if se == 0:
        return None if a == b else np.inf
    return (a - b) / se


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("patients", type=int, nargs="?", default=200000)
    ap.add_argument("months", type=int, nargs="?", default=120)
    ap.add_argument("--seed", type=int, default=1, help="the peer's seed")
    ap.add_argument("--params", default=numpy_peer.BASELINE)
    ap.add_argument("--threads", type=int, default=2, help="ipsim's")
    args = ap.parse_args()
    n, months = args.patients, args.months

    start = time.perf_counter()
    ours = run_ipsim(args.params, n, months, args.threads)
    ipsim_seconds = time.perf_counter() - start
    start = time.perf_counter()
    tables = numpy_peer.load_tables(args.params, months)
    peer = numpy_peer.simulate(tables, n, args.seed)
    peer_seconds = time.perf_counter() - start
    cycle_months = int(tables["cycle_months"])

    def at(table, month):
        """A table's row of a month: ipsim's tables by month or by cycle."""
        return table[month if len(table) == months + 1 else month // cycle_months]

    rows = []  # (quantity, ipsim, peer, z)
    checked = sorted({m for m in (0, 6, 12, 24, 60, months)
                      if m <= months and m % cycle_months == 0})
    for month in checked:
        cycle = month // cycle_months
        a, b = at(ours["grade_share"], month), peer["grade_occupancy"][cycle] / n
        for g, name in enumerate(GRADE_NAMES):
            rows.append(("grade %s at month %d" % (name, month), a[g], b[g], share_z(a[g], b[g], n)))
    for month in checked:
        cycle = month // cycle_months
        a = at(ours["phase_occupancy"], month) / n
        b = peer["phase_occupancy"][cycle] / n
        for f, name in enumerate(PHASE_NAMES):
            rows.append(("phase %s at month %d" % (name, month), a[f], b[f], share_z(a[f], b[f], n)))
    for k in range(1, 4):
        a, b = ours["deaths"][k] / n, peer["deaths"][k] / n
        rows.append(("deaths of %s by month %d" % (CAUSE_NAMES[k], months), a, b, share_z(a, b, n)))
    a, b = ours["deaths"][1:].sum() / n, peer["deaths"][1:].sum() / n
    rows.append(("deaths by month %d" % months, a, b, share_z(a, b, n)))
    for name in ("asct", "progressed"):
        a, b = ours[name] / n, peer[name] / n
        rows.append(("share with %s" % name.replace("progressed", "a progression"), a, b,
                     share_z(a, b, n)))
    for name in ("episodes", "serious_episodes"):
        a, b = ours[name], peer[name]
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        rows.append(("%s per patient" % name.replace("_", " "), a.mean(), b.mean(),
                     (a.mean() - b.mean()) / se))

    print("%d patients x %d months, %s; ipsim %.1f s (%d threads), peer %.1f s"
          % (n, months, os.path.relpath(args.params), ipsim_seconds, args.threads, peer_seconds))
    exact = sum(z is None for *_, z in rows)
    rows = [row for row in rows if row[3] is not None]
    print("(%d shares are 0 or 1 in both, the same by construction: not listed)" % exact)
    print("%-36s %10s %10s %7s" % ("quantity", "ipsim", "peer", "z"))
    for name, a, b, z in rows:
        flag = "  <-- beyond %g SE" % LIMIT if abs(z) >= LIMIT else ""
        print("%-36s %10.5f %10.5f %7.2f%s" % (name, a, b, z, flag))
    worst = max(abs(z) for *_, z in rows)
    failed = sum(abs(z) >= LIMIT for *_, z in rows)
    print("%d comparisons, largest |z| %.2f: %s" % (len(rows), worst,
          "agree" if not failed else "%d beyond %g standard errors" % (failed, LIMIT)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
