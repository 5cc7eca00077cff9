"""End-to-end tests of `ipsim dsa`: the one-way analysis against a closed
form, the threshold against runs on both sides of it, the two-way map, the
same tables whatever the thread count, and bad input.

Run by ctest with IPSIM (the program) and IPSIM_SOURCE_DIR set; needs
Debian's python3-h5py and python3-numpy (/usr/bin/python3)."""
import csv
import math
import os
import re
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

IPSIM = os.environ.get("IPSIM", "build/ipsim")
SOURCE_DIR = os.path.abspath(os.environ.get("IPSIM_SOURCE_DIR", "."))
BASELINE = os.path.join(SOURCE_DIR, "params", "baseline.yaml")
PRICE = "economics.ivig_price_per_gram"

# Two strategies whose incremental net benefit is linear in the price of
# IVIG: the price moves the IVIG arm's cost by exactly price x grams
# (models/ivig.h), and with costs undiscounted, so no other output moves.
STUDY = f"""name: price-study
base: {BASELINE}
cohort: {{patients: 3000, replicates: 1, horizon_months: 60}}
economics: {{discount_rate_costs: 0}}
output: {{trajectories: none}}
scenarios:
  no_ivig: {{}}
  ivig_severe:
    ivig: {{policy: grade, grade_threshold: severe, stop_when_recovered: true}}
"""


def run(*args):
    return subprocess.run([IPSIM, *args], capture_output=True, text=True, timeout=600)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Workdir(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="ipsim-dsa-")
        self.dir = self._tmp.name
        self.study = self.path("study.yaml")
        with open(self.study, "w") as f:
            f.write(STUDY)

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def dsa(self, *args, expect=0):
        r = run("dsa", self.study, "--quiet", *args)
        self.assertEqual(r.returncode, expect, r.stdout + r.stderr)
        return r

    def oneway(self, name, *args):
        """The one-way table: {(input, end, strategy): row}."""
        out = self.path(name)
        self.dsa(*args, "--csv", out)
        return {(r["input"], r["end"], r["strategy"]): r
                for r in read_csv(os.path.join(out, "dsa_oneway.csv"))}


class OneWay(Workdir):
    def test_price_bar_equals_closed_form(self):
        """The price bar's width, INB(high) - INB(low), is -(high - low) x E[grams]
        in the IVIG arm: compared with E[grams] from an independent cohort (another
        seed), within 4 standard errors of the difference."""
        low, high = 20.0, 50.0
        t = self.oneway("oneway", "--only", PRICE, "--range", f"{PRICE}={low}:{high}",
                        "--compare", "ivig_severe,no_ivig", "--wtp", "100000")
        row = t[(PRICE, "low", "ivig_severe")]
        swing, swing_se = float(row["swing"]), float(row["swing_se"])
        self.assertLess(swing, 0)  # a dearer IVIG lowers its net benefit
        # Each patient's swing is -(high - low) x grams exactly on common random numbers;
        # its reported standard error must be that of the grams.
        r = run("run", self.study, "--set", "seed=777", "--set", "output.patient_records=true",
                "-o", self.path("independent.h5"), "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.path("independent.h5"), "r") as f:
            grams = f["ivig_severe/patients/ivig_grams"][()].astype(float).ravel()
        self.assertGreater(grams.mean(), 0)
        closed = -(high - low) * grams.mean()
        closed_se = (high - low) * grams.std(ddof=1) / math.sqrt(grams.size)
        self.assertLess(abs(swing - closed), 4 * math.hypot(swing_se, closed_se),
                        f"bar {swing} +- {swing_se}, closed form {closed} +- {closed_se}")
        # The bar is the difference of the two ends' net benefits, as printed.
        inb = {end: float(t[(PRICE, end, "ivig_severe")]["inb"]) for end in ("low", "high")}
        self.assertAlmostEqual(swing, inb["high"] - inb["low"], delta=1e-6 * abs(swing))
        nb = {(end, s): float(t[(PRICE, end, s)]["net_benefit"])
              for end in ("low", "high") for s in ("ivig_severe", "no_ivig")}
        self.assertAlmostEqual(inb["low"], nb["low", "ivig_severe"] - nb["low", "no_ivig"],
                               delta=1e-6 * max(1.0, abs(inb["low"])))

    def test_uncertain_inputs_and_their_ranges(self):
        """Without --only, every uncertain input of the study is a row, its range the
        distribution's 2.5% and 97.5% points; an input that does not touch the two
        strategies compared gets a bar of exactly zero."""
        # A study with distributions: the shipped policies, two of its strategies.
        study = self.path("policies.yaml")
        with open(study, "w") as f:
            f.write(f"""name: policies
base: {os.path.join(SOURCE_DIR, 'params', 'baseline.yaml')}
cohort: {{patients: 1500, replicates: 1, horizon_months: 36}}
output: {{trajectories: none}}
ivig:
  rate_ratio_all: {{distribution: lognormal, ci95: [0.45, 1.0], value: 0.72}}
economics:
  ivig_price_per_gram: {{distribution: gamma, mean: 34, se: 6.8}}
  ivig_administration_cost: {{distribution: gamma, mean: 300, se: 60}}
infection:
  type_share: {{distribution: dirichlet, mean: [0.653, 0.286, 0.061], n: 200}}
scenarios:
  no_ivig: {{}}
  ivig_severe:
    ivig: {{policy: grade, grade_threshold: severe}}
""")
        self.study = study
        t = self.oneway("uncertain", "--compare", "ivig_severe,no_ivig")
        inputs = {k[0] for k in t if k[1] != "base"}
        self.assertEqual(inputs, {"ivig.rate_ratio_all", PRICE,
                                  "economics.ivig_administration_cost",
                                  "infection.type_share.bacterial", "infection.type_share.viral",
                                  "infection.type_share.fungal"})
        rr = t[("ivig.rate_ratio_all", "low", "no_ivig")]
        self.assertAlmostEqual(float(rr["value"]), 0.45, places=6)
        self.assertEqual(rr["range_source"], "distribution")
        # gamma(mean 34, se 6.8): shape 25, scale 1.36; its 2.5% point.
        self.assertAlmostEqual(float(t[(PRICE, "low", "no_ivig")]["value"]), 22.0030,
                               places=3)
        # The price moves the IVIG arm only, and not the no-IVIG arm's net benefit at all.
        self.assertEqual(t[(PRICE, "low", "no_ivig")]["net_benefit"],
                         t[(PRICE, "high", "no_ivig")]["net_benefit"])
        # Rows are sorted by the bar's width.
        widths = []
        for (name, end, strategy), r in t.items():
            if end == "low" and strategy == "no_ivig":
                widths.append((int(r["rank"]), abs(float(r["swing"]))))
        widths.sort()
        self.assertEqual([w for _, w in widths], sorted([w for _, w in widths], reverse=True))

    def test_same_tables_for_any_thread_count(self):
        tables = []
        for threads in ("1", "2"):
            out = self.path(f"t{threads}")
            self.dsa("--only", PRICE, "--range", f"{PRICE}=10:60", "--threads", threads,
                     "--csv", out)
            with open(os.path.join(out, "dsa_oneway.csv"), "rb") as f:
                tables.append(f.read())
        self.assertEqual(tables[0], tables[1])


class Threshold(Workdir):
    WTP = "500000"

    def threshold(self, *args):
        out = self.path("threshold")
        r = self.dsa("--threshold", PRICE, "--range", f"{PRICE}=0:200", "--wtp", self.WTP,
                     "--csv", out, *args)
        rows = read_csv(os.path.join(out, "dsa_threshold.csv"))
        found = [x for x in rows if x["kind"] == "threshold"]
        return r, found

    def preferred_at(self, low, high, *args):
        """The preferred strategy at `low` and at `high` of the price."""
        t = self.oneway(f"at-{low}-{high}-{len(args)}", "--only", PRICE,
                        "--range", f"{PRICE}={low}:{high}", "--wtp", self.WTP, *args)
        out = {}
        for (name, end, strategy), r in t.items():
            if name == PRICE and r["preferred"] == "1":
                out[end] = strategy
        return out["low"], out["high"]

    def test_threshold_flips_the_decision(self):
        r, found = self.threshold()
        self.assertEqual(len(found), 1, r.stdout)
        x = found[0]
        value, se = float(x["value"]), float(x["se"])
        self.assertEqual((x["preferred_below"], x["preferred_above"]), ("ivig_severe", "no_ivig"))
        self.assertTrue(0 < value < 200 and 0 < se < 50, x)
        self.assertIn("Threshold: economics.ivig_price_per_gram = ", r.stdout)
        # On the same cohort the decision flips at the threshold itself...
        eps = 1e-3 * se
        self.assertEqual(self.preferred_at(value - eps, value + eps), ("ivig_severe", "no_ivig"))
        # ...and at its 95% interval's ends, as printed.
        self.assertEqual(self.preferred_at(float(x["low95"]), float(x["high95"])),
                         ("ivig_severe", "no_ivig"))
        # On an independent cohort the threshold moves by its Monte Carlo error: two
        # independent estimates differ by sqrt(2) standard errors, so 4 sqrt(2) SE either
        # side must still flip the decision as stated (fails if the SE is far too small).
        margin = 4 * math.sqrt(2) * se
        self.assertEqual(self.preferred_at(max(0.0, value - margin), value + margin,
                                           "--set", "seed=4242"),
                         ("ivig_severe", "no_ivig"))

    def test_no_threshold_in_range(self):
        out = self.path("none")
        r = self.dsa("--threshold", PRICE, "--range", f"{PRICE}=150:200", "--wtp", self.WTP,
                     "--csv", out)
        self.assertIn("does not change over the range", r.stdout)
        rows = read_csv(os.path.join(out, "dsa_threshold.csv"))
        self.assertEqual([x for x in rows if x["kind"] == "threshold"], [])


class TwoWay(Workdir):
    def test_decision_map(self):
        """Over price and the IVIG effect the map agrees with the threshold: at the
        threshold's effect the cheap end prefers IVIG, the dear end not; a weaker
        effect (rate ratio nearer 1) never makes IVIG better."""
        out = self.path("twoway")
        r = self.dsa("--two-way", f"{PRICE},ivig.rate_ratio_all", "--range", f"{PRICE}=0:200",
                     "--range", "ivig.rate_ratio_all=0.3:1", "--steps", "3", "--wtp", "500000",
                     "--csv", out)
        self.assertIn("A = no_ivig, B = ivig_severe", r.stdout)
        rows = read_csv(os.path.join(out, "dsa_twoway.csv"))
        self.assertEqual(len(rows), 3 * 3 * 2)
        best = {(round(float(x[PRICE]), 6), round(float(x["ivig.rate_ratio_all"]), 6)):
                x["strategy"]
                for x in rows if x["preferred"] == "1"}
        self.assertEqual(len(best), 9)
        self.assertEqual(best[(0.0, 0.3)], "ivig_severe")
        self.assertEqual(best[(200.0, 0.3)], "no_ivig")
        for price in (0.0, 100.0, 200.0):
            order = [best[(price, rr)] for rr in (0.3, 0.65, 1.0)]
            # once IVIG stops being preferred as its effect weakens, it stays so
            seen_no = False
            for s in order:
                seen_no = seen_no or s == "no_ivig"
                if seen_no:
                    self.assertEqual(s, "no_ivig", order)


class BadInput(Workdir):
    def test_errors_are_named(self):
        r = self.dsa("--only", "economics.ivig_price_per_gran", expect=2)
        self.assertIn("did you mean 'economics.ivig_price_per_gram'", r.stderr)
        r = self.dsa("--only", PRICE, expect=2)
        self.assertIn(f"--range {PRICE}=LOW:HIGH", r.stderr)
        r = self.dsa("--range", f"{PRICE}=50:20", expect=2)
        self.assertIn("LOW below HIGH", r.stderr)
        r = self.dsa("--compare", "ivig_severe,nothing", "--range", f"{PRICE}=1:2", expect=2)
        self.assertIn("no strategy named 'nothing'; it has no_ivig, ivig_severe", r.stderr)
        r = self.dsa("--threshold", PRICE, "--two-way", f"{PRICE},ivig.rate_ratio_all",
                     expect=2)
        self.assertIn("not both", r.stderr)
        # A value outside the parameter's range names the input.
        r = self.dsa("--only", PRICE, "--range", f"{PRICE}=-5:20", expect=2)
        self.assertIn(f"key '{PRICE}': -5 is out of range: must be in [0, 10000]", r.stderr)

    def test_single_scenario_refused(self):
        r = run("dsa", BASELINE, "--range", f"{PRICE}=1:2", "--quiet")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("two or more scenarios", r.stderr)


if __name__ == "__main__":
    unittest.main()
