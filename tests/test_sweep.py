"""End-to-end tests of scenario sweeps: `ipsim sweep` (grid and list),
parts merged with `ipsim merge`, and a killed sweep resumed, each giving the
same datasets, bit for bit, as one uninterrupted run; and the sweep's bad
inputs. With IPSIM_MPIRUN set (the MPI build's tests), the same sweep under
`mpirun -n 2` and `-n 3` too.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR)."""
import os
import re
import shlex
import signal
import subprocess
import time
import unittest

import h5py
import numpy as np

from test_cli import IPSIM, SOURCE_DIR, Workdir, datasets, run

SOURCE_DIR = os.path.abspath(SOURCE_DIR)

SWEEP = """\
name: grid
base: {base}
cohort: {{patients: 700, replicates: 2, horizon_months: 24}}
grid:
  ivig.grade_threshold: [moderate, very_severe]
  ivig.dose_mg_per_kg: [200, 400]
list:
  vaccination.influenza_coverage: [0, 0.8]
  vaccination.pneumococcal_coverage: [0.1, 0.9]
"""

# The same with PSA: every replicate draws the IVIG effect.
SWEEP_PSA = """\
name: psa
base: {base}
cohort: {{patients: 500, replicates: 5, horizon_months: 24}}
psa: {{sample: true}}
ivig:
  rate_ratio_all: {{distribution: lognormal, ci95: [0.36, 0.66], value: 0.49}}
grid:
  ivig.grade_threshold: [moderate, severe, very_severe]
"""

MPIRUN = shlex.split(os.environ.get("IPSIM_MPIRUN", ""))


def assert_same_datasets(test, a_path, b_path):
    a, b = datasets(a_path), datasets(b_path)
    test.assertEqual(sorted(a), sorted(b))
    for name in a:
        test.assertEqual(a[name], b[name], name)


def wait_for_finished(checkpoints, count, seconds=120):
    """Waits until a running sweep has finished `count` scenarios."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        done = [n for n in os.listdir(checkpoints) if n.endswith(".h5") and
                not n.startswith(".")] if os.path.isdir(checkpoints) else []
        if len(done) >= count:
            return
        time.sleep(0.02)


class Sweep(Workdir):
    def sweep_file(self, text=SWEEP, name="grid.yaml"):
        base = os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")
        return self.write(name, text.format(base=base))

    def run_sweep(self, *args, out="whole.h5"):
        r = run("sweep", self.sweep_file(), "-o", self.path(out), *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return self.path(out), r

    def test_scenarios_values_and_comparison(self):
        out, r = self.run_sweep()
        self.assertIn("sweep grid, 8 scenarios; 8 to run", r.stdout)
        names = ["grade_threshold-%s__dose_mg_per_kg-%d__influenza_coverage-%s__"
                 "pneumococcal_coverage-%s" % (g, d, i, p)
                 for g in ["moderate", "very_severe"] for d in [200, 400]
                 for i, p in [("0", "0.1"), ("0.8", "0.9")]]
        # Too long for a group name with the full keys: shortened to initials.
        short = [n.replace("grade_threshold", "gt").replace("dose_mg_per_kg", "dmpk")
                 .replace("influenza_coverage", "ic").replace("pneumococcal_coverage", "pc")
                 for n in names]
        with h5py.File(out, "r") as f:
            listed = [s.decode() for s in f["scenarios"][()]]
            self.assertEqual(listed, short)
            self.assertEqual([s.decode() for s in f["sweep/scenario"][()]], short)
            self.assertEqual([s.decode() for s in f["sweep/key"][()]],
                             ["ivig.grade_threshold", "ivig.dose_mg_per_kg",
                              "vaccination.influenza_coverage",
                              "vaccination.pneumococcal_coverage"])
            np.testing.assert_array_equal(f["sweep/value"][:, 1], [200, 200, 400, 400] * 2)
            self.assertTrue(np.isnan(f["sweep/value"][:, 0]).all())
            self.assertEqual(f["sweep"].attrs["part"], "1/1")
            import yaml
            for k, name in enumerate(short):
                p = yaml.safe_load(f[name].attrs["parameters"])
                self.assertEqual(p["name"], name)
                self.assertEqual(p["ivig"]["grade_threshold"], "moderate" if k < 4 else "very_severe")
                self.assertEqual(p["ivig"]["dose_mg_per_kg"], 200 if k % 4 < 2 else 400)
                self.assertEqual(p["vaccination"]["influenza_coverage"], [0, 0.8][k % 2])
                self.assertEqual(p["vaccination"]["pneumococcal_coverage"], [0.1, 0.9][k % 2])
                self.assertEqual(p["cohort"]["patients"], 700)
            # One cohort: every scenario's patients are the same people.
            base = f[short[0] + "/patients/baseline_grade"][()]
            for name in short[1:]:
                np.testing.assert_array_equal(f[name + "/patients/baseline_grade"][()], base)
            # Points are settings, not options: shown side by side, never
            # compared with each other by an incremental analysis.
            self.assertNotIn("comparison", f)
            self.assertEqual(f["sweep/layout"][()].tolist(), [[k] for k in range(8)])
            self.assertEqual([s.decode() for s in f["sweep/point"][()]], short)
            self.assertEqual([s.decode() for s in f["sweep/strategy"][()]], [""])
            self.assertEqual({s.decode() for s in f["sweep/status"][()]}, {"frontier"})
            self.assertTrue(np.isnan(f["sweep/icer"][()]).all())
            self.assertEqual(f["sweep/mean"].shape, (8, 8))
        self.assertIn("no ICERs are computed between them", r.stdout)
        self.assertNotIn("compared with", r.stdout)
        self.assertNotIn("frontier", r.stdout)
        # The finished scenarios' files are gone once the target is complete.
        self.assertEqual(sorted(os.listdir(self.dir)), ["grid.yaml", "whole.h5"])

    def test_points_that_are_strategies_are_compared_as_a_study(self):
        r = run("sweep", self.sweep_file(SWEEP + "points_are_strategies: true\n"), "-o",
                self.path("s.h5"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Cost-effectiveness per patient", r.stdout)
        with h5py.File(self.path("s.h5"), "r") as f:
            names = [s.decode() for s in f["scenarios"][()]]
            self.assertEqual([s.decode() for s in f["comparison/scenario"][()]], names)
            np.testing.assert_array_equal(f["comparison/difference"][0], 0)
            self.assertEqual(f["sweep/layout"][()].tolist(), [list(range(8))])
            self.assertEqual([s.decode() for s in f["sweep/strategy"][()]], names)
            self.assertEqual([s.decode() for s in f["sweep/point"][()]], ["grid"])

    def test_more_points_than_one_analysis_takes_merge(self):
        # 65 points that are strategies: one layout row of 65, beyond the
        # 64 strategies a point of a strategies sweep may hold.
        text = ("name: many\nbase: {base}\npoints_are_strategies: true\n"
                "cohort: {{patients: 20, replicates: 1, horizon_months: 12}}\n"
                "output: {{trajectories: none, patient_records: false}}\n"
                "list:\n  ivig.dose_mg_per_kg: [%s]\n" % ", ".join(
                    str(200 + k) for k in range(65)))
        path = self.sweep_file(text, "many.yaml")
        parts = [self.path("m%d.h5" % i) for i in (1, 2)]
        for i, part in enumerate(parts, 1):
            r = run("sweep", path, "--part", "%d/2" % i, "-o", part, "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
        r = run("merge", self.path("merged.h5"), *parts, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.path("merged.h5"), "r") as f:
            self.assertEqual(f["sweep/layout"].shape, (1, 65))
            self.assertEqual(len(f["comparison/scenario"]), 65)

    def test_a_scenario_is_the_same_as_its_own_run(self):
        out, _ = self.run_sweep()
        with h5py.File(out, "r") as f:
            name = f["scenarios"][3].decode()
            params = f[name].attrs["parameters"]
        single = self.path("single.h5")
        with open(self.path("single.yaml"), "w") as p:
            p.write(params)
        r = run("run", self.path("single.yaml"), "-o", single, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        a, b = datasets(out), datasets(single)
        for key in b:
            if key.startswith(name + "/"):
                self.assertEqual(a[key], b[key], key)

    def test_three_parts_merged_are_one_run(self):
        whole, _ = self.run_sweep()
        parts = []
        for i in [1, 2, 3]:
            part, r = self.run_sweep("--part", "%d/3" % i, out="part%d.h5" % i)
            self.assertIn("part %d of 3" % i, r.stdout)
            with h5py.File(part, "r") as f:
                self.assertEqual(f["sweep"].attrs["part"], "%d/3" % i)
                self.assertEqual(len(f["scenarios"]), [3, 3, 2][i - 1])
                self.assertNotIn("comparison", f)
            parts.append(part)
        merged = self.path("merged.h5")
        r = run("merge", merged, parts[2], parts[0], parts[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Merged 3 parts (8 scenarios)", r.stdout)
        assert_same_datasets(self, whole, merged)
        # Dimension scales survive the copies: netCDF readers see named dimensions.
        import xarray as xr
        with h5py.File(merged, "r") as f:
            name = f["scenarios"][5].decode()
        with xr.open_dataset(merged, group=name, engine="h5netcdf") as ds:
            self.assertEqual(ds["grade"].dims, ("replicate", "patient", "month"))
        with xr.open_dataset(merged, group=name + "/summary", engine="h5netcdf") as ds:
            self.assertEqual(ds["occupancy"].dims, ("replicate", "month", "state"))

    def test_merge_refuses_incomplete_or_foreign_parts(self):
        parts = [self.run_sweep("--part", "%d/3" % i, out="p%d.h5" % i)[0] for i in [1, 2, 3]]
        other = self.write("other.yaml", SWEEP.replace("700", "600").format(
            base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        foreign = self.path("foreign.h5")
        r = run("sweep", other, "--part", "3/3", "-o", foreign, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("merged.h5")
        for args, message in [([parts[0], parts[1]], "part 3 of 3 is missing"),
                              ([parts[0], parts[1], parts[1]], "part 2 of 3 is given twice"),
                              ([parts[0], parts[1], foreign], "of another sweep")]:
            r = run("merge", out, *args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(out))
        single = self.path("single.h5")
        self.assertEqual(run("run", os.path.join(SOURCE_DIR, "params", "baseline.yaml"), "-o",
                             single, "--quiet", "--set", "cohort.patients=100").returncode, 0)
        r = run("merge", out, single, parts[0])
        self.assertEqual(r.returncode, 1)
        self.assertIn("missing dataset '/sweep/scenario'", r.stderr)

    def test_killed_sweep_resumes_to_the_same_file(self):
        whole, _ = self.run_sweep()
        sweep = self.sweep_file(SWEEP.replace("patients: 700", "patients: 40000"), "big.yaml")
        big_whole = self.path("big-whole.h5")
        r = run("sweep", sweep, "-o", big_whole, "--quiet", "--threads", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        target = self.path("big.h5")
        checkpoints = os.path.join(self.dir, ".big.h5.ipsim-sweep")
        proc = subprocess.Popen([IPSIM, "sweep", sweep, "-o", target, "--quiet", "--threads",
                                 "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill it once some scenarios are finished and others are not.
        wait_for_finished(checkpoints, 3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self.assertFalse(os.path.exists(target))
        finished = len([n for n in os.listdir(checkpoints) if n.endswith(".h5")
                        and not n.startswith(".")])
        self.assertGreaterEqual(finished, 3)
        self.assertLess(finished, 8, "the sweep finished before it could be killed")

        r = run("sweep", sweep, "-o", target, "--threads", "1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("add --resume", r.stderr)
        r = run("sweep", sweep, "-o", target, "--threads", "1", "--resume")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("%d to run (%d finished before, kept)" % (8 - finished, finished), r.stdout)
        assert_same_datasets(self, big_whole, target)
        self.assertFalse(os.path.exists(checkpoints))

    def test_sigint_keeps_finished_scenarios_and_says_how_to_resume(self):
        sweep = self.sweep_file(SWEEP.replace("patients: 700", "patients: 40000"), "big.yaml")
        target = self.path("big.h5")
        checkpoints = os.path.join(self.dir, ".big.h5.ipsim-sweep")
        proc = subprocess.Popen([IPSIM, "sweep", sweep, "-o", target, "--threads", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for_finished(checkpoints, 2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn("are finished and kept in", err)
        self.assertIn("--resume", err)
        self.assertFalse(os.path.exists(target))
        # Nothing unfinished looks finished: only complete scenario files.
        for name in os.listdir(checkpoints):
            if not name.startswith("."):
                with h5py.File(os.path.join(checkpoints, name), "r") as f:
                    self.assertEqual(len(f["scenarios"]), 1)

    def test_resume_reruns_scenarios_whose_parameters_changed(self):
        sweep = self.sweep_file()
        target = self.path("t.h5")
        checkpoints = os.path.join(self.dir, ".t.h5.ipsim-sweep")
        os.mkdir(checkpoints)
        # A finished file for scenario 0 from other parameters.
        r = run("sweep", sweep, "-o", self.path("other.h5"), "--quiet", "--set",
                "mortality.background_monthly_probability=0.01", "--part", "1/8")
        self.assertEqual(r.returncode, 0, r.stderr)
        stale = self.path("stale.h5")
        r = run("run", os.path.join(SOURCE_DIR, "params", "baseline.yaml"), "-o", stale,
                "--quiet", "--set", "cohort.patients=50")
        os.rename(stale, os.path.join(checkpoints, "00000.h5"))
        r = run("sweep", sweep, "-o", target, "--resume")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("8 to run", r.stdout)
        whole, _ = self.run_sweep()
        assert_same_datasets(self, whole, target)

    def test_sweeps_too_large_for_the_disk_are_refused_first(self):
        sweep = self.sweep_file()
        target = self.path("big.h5")
        r = run("sweep", sweep, "-o", target, "--set", "cohort.patients=1e11",
                "--set", "output.compression_level=0")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, r"key 'output.compression_level': the output would take .* "
                                   r"and only .* is free")
        self.assertEqual(sorted(os.listdir(self.dir)), ["grid.yaml"])

    def test_an_element_swept_is_the_element_set(self):
        # A per-grade element by its dotted path: each scenario's parameters are
        # those `--set` gives for the same value (one rule, issue 21 part 6).
        sweep = self.write("element.yaml", (
            "name: element\nbase: {base}\ncohort: {{patients: 200, horizon_months: 12}}\n"
            "grid:\n  infection.serious_share.severe: [0.4, 0.5]\n").format(
                base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        out = self.path("element.h5")
        r = run("sweep", sweep, "-o", out, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        import yaml
        with h5py.File(out, "r") as f:
            names = [s.decode() for s in f["scenarios"][()]]
            stored = [yaml.safe_load(f[n].attrs["parameters"]) for n in names]
        self.assertEqual(names, ["severe-0.4", "severe-0.5"])
        for name, value, params in zip(names, ["0.4", "0.5"], stored):
            r = run("params", os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml"),
                    "--set", "cohort.patients=200", "--set", "cohort.horizon_months=12",
                    "--set", "infection.serious_share.severe=" + value, "--set", "name=" + name)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(params, yaml.safe_load(r.stdout))
        # Two entries of a matrix row moved together (list:): the row sums to 1 once
        # both are applied, though not after the first alone.
        row = self.write("row.yaml", (
            "name: row\nbase: {base}\ncohort: {{patients: 200, horizon_months: 12}}\n"
            "list:\n  grades.transition_matrix.mild.mild: [0.96, 0.9]\n"
            "  grades.transition_matrix.mild.moderate: [0.01, 0.07]\n").format(
                base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        r = run("sweep", row, "-o", self.path("row.h5"), "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.path("row.h5"), "r") as f:
            last = f["scenarios"][1].decode()
            self.assertEqual(last, "mild-0.9__moderate-0.07")
            p = yaml.safe_load(f[last].attrs["parameters"])
        self.assertEqual(p["grades"]["transition_matrix"]["mild"], [0.03, 0.9, 0.07, 0, 0])
        # The element's own error, at its value in the sweep file.
        bad = self.write("bad-element.yaml", (
            "base: {base}\ngrid:\n  infection.serious_share.severe: [0.4, 1.2]\n").format(
                base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        r = run("sweep", bad, "-o", self.path("bad.h5"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, re.escape(bad) + r":3:\d+: parameter error: key "
                         r"'infection.serious_share.severe': 1.2 is out of range")

    def test_progress_lines_name_the_scenario(self):
        _, r = self.run_sweep("--progress-every", "0.001", "--threads", "1")
        pattern = (r"^ipsim: sweeping: scenario (\d) of 8 \((\S+)\): (\d+) of (\d+) "
                   r"patient-months \((\d+\.\d)%\), \S+ patient-months/s, .* elapsed, ETA .*$")
        lines = [m for m in (re.match(pattern, l) for l in r.stderr.splitlines()) if m]
        self.assertGreater(len(lines), 1, r.stderr)
        self.assertEqual({int(m.group(4)) for m in lines}, {8 * 700 * 2 * 24})
        self.assertEqual(lines[-1].group(1), "8")
        self.assertEqual(lines[-1].group(5), "100.0")
        _, r = self.run_sweep("--progress-every", "0.001", "--quiet")
        self.assertEqual(r.stderr, "")

    def test_bad_sweeps(self):
        base = os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")
        cases = [
            ("grid:\n  ivig.dose_mg_per_kgg: [200, 400]\n", 2, ":2:", "did you mean"),
            ("grid:\n  ivig.dose_mg_per_kg: [200, -400]\n", 2, ":2:32:", "ivig.dose_mg_per_kg"),
            ("grid:\n  cohort.patients: [100, 200]\n", 2, ":2:", "cohort.patients cannot be swept"),
            ("list:\n  ivig.dose_mg_per_kg: [200, 400]\n  ivig.interval_weeks: [4]\n", 2, ":4:",
             "as many values as the first"),
            ("grid:\n  ivig.dose_mg_per_kg: 200\n", 2, ":2:", "list of one or more values"),
            ("grid:\n  dose: [1, 2]\n", 2, ":2:", "full path"),
            ("cohort: {patients: 10}\n", 2, ":1:", "needs grid:"),
            ("grid:\n  ivig.dose_mg_per_kg: [200, 200]\n", 2, ":1:", "would both be named"),
            ("grid: [\n", 2, ":", "YAML"),
        ]
        for text, code, where, message in cases:
            path = self.write("bad.yaml", "base: %s\n" % base + text if "base" not in text else text)
            r = run("sweep", path, "-o", self.path("bad.h5"))
            self.assertEqual(r.returncode, code, (text, r.stderr))
            self.assertIn(message, r.stderr, text)
            self.assertIn("bad.yaml", r.stderr, text)
            self.assertFalse(os.path.exists(self.path("bad.h5")))
        good = self.sweep_file()
        for args, message in [(["--part", "4/3"], "--part takes I/N"),
                              (["--part", "1/2", "--csv", self.dir], "--csv writes"),
                              (["--set", "ivig.dose_mg_per_kg=300"], "the sweep varies this key")]:
            r = run("sweep", good, *args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message, r.stderr)


# A study of three strategies, and a sweep of the IVIG price over it.
STUDY = """\
name: policies
base: {base}
cohort: {{patients: 600, replicates: 2, horizon_months: 24}}
scenarios:
  no_ivig: {{ivig: {{policy: none}}}}
  ivig_severe: {{ivig: {{policy: grade, grade_threshold: severe}}}}
  ivig_moderate: {{ivig: {{policy: grade, grade_threshold: moderate}}}}
"""
BY_PRICE = """\
name: by-price
base: study.yaml
grid:
  economics.ivig_price_per_gram: [10, 400]
"""
PRICES = [10, 400]
STRATEGIES = ["no_ivig", "ivig_severe", "ivig_moderate"]


class Strategies(Workdir):
    """A sweep whose base is a study: every point runs the study's
    strategies, and each point gets its own analysis among them."""

    def setUp(self):
        super().setUp()
        self.base = os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")
        self.study = self.write("study.yaml", STUDY.format(base=self.base))
        self.sweep = self.write("by-price.yaml", BY_PRICE)

    def run_ok(self, *args):
        r = run(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_each_point_is_the_study_run_at_its_values(self):
        whole = self.path("whole.h5")
        r = self.run_ok("sweep", self.sweep, "-o", whole, "--csv", self.path("csv"))
        self.assertIn("The decision at each sweep point", r.stdout)
        self.assertNotIn("Cost-effectiveness per patient", r.stdout)  # no pooled table
        names = ["ivig_price_per_gram-%d__%s" % (p, s) for p in PRICES for s in STRATEGIES]
        swept = datasets(whole)
        with h5py.File(whole, "r") as f:
            self.assertNotIn("comparison", f)
            self.assertEqual([s.decode() for s in f["scenarios"][()]], names)
            self.assertEqual(f["sweep/layout"][()].tolist(), [[0, 1, 2], [3, 4, 5]])
            self.assertEqual([s.decode() for s in f["sweep/strategy"][()]], STRATEGIES)
            self.assertEqual([s.decode() for s in f["sweep/point"][()]],
                             ["ivig_price_per_gram-%d" % p for p in PRICES])
            mean, icer = f["sweep/mean"][()], f["sweep/icer"][()]
            status = [s.decode() for s in f["sweep/status"][()]]
            against = [s.decode() for s in f["sweep/compared_with"][()]]
            nmb, preferred = f["sweep/nmb"][()], f["sweep/preferred"][()]
        for p, price in enumerate(PRICES):
            alone = self.path("study-%d.h5" % price)
            self.run_ok("run", self.study, "--set", "economics.ivig_price_per_gram=%d" % price,
                        "-o", alone, "--quiet")
            mine = slice(3 * p, 3 * p + 3)
            with h5py.File(alone, "r") as f:
                # The point's analysis is the study's, exactly.
                np.testing.assert_array_equal(mean[mine], f["comparison/mean"][()])
                np.testing.assert_array_equal(icer[mine], f["comparison/icer"][()])
                self.assertEqual(status[mine], [s.decode() for s in f["comparison/status"][()]])
                self.assertEqual(against[mine],
                                 [s.decode() for s in f["comparison/compared_with"][()]])
            # And so are its patients: each scenario group, dataset by dataset.
            study = datasets(alone)
            for s in STRATEGIES:
                prefix = s + "/"
                for key in (k for k in study if k.startswith(prefix)):
                    self.assertEqual(swept[names[3 * p + STRATEGIES.index(s)] + "/" +
                                          key[len(prefix):]], study[key], key)
            # The preferred strategy is the point's own best, never another point's.
            np.testing.assert_array_equal(preferred[p], np.argmax(nmb[:, mine], axis=1))
        # Without IVIG the price changes nothing: the same patients, the same figures.
        np.testing.assert_array_equal(mean[0], mean[3])
        # IVIG at 400 a gram costs more than at 10 (the same grams given).
        self.assertGreater(mean[4][5], mean[1][5])
        np.testing.assert_array_equal(mean[4][4], mean[1][4])
        # ipsim compare recomputes the same, point by point.
        r2 = self.run_ok("compare", whole, "--csv", self.path("again"))
        with open(self.path("csv/sweep_decision.csv")) as a, \
                open(self.path("again/sweep_decision.csv")) as b:
            table = a.read()
            self.assertEqual(table, b.read())
        self.assertEqual(len(table.splitlines()), 1 + 6)
        self.assertIn(r2.stdout.strip(), r.stdout)
        r3 = run("compare", whole, self.path("study-10.h5"))
        self.assertEqual(r3.returncode, 2, r3.stderr)
        self.assertIn("compare it alone", r3.stderr)

    def test_strategies_listed_in_the_sweep_file_are_the_same_sweep(self):
        inline = self.write("inline.yaml", BY_PRICE.replace("base: study.yaml", STUDY.format(
            base=self.base).replace("name: policies\n", "")))
        a, b = self.path("a.h5"), self.path("b.h5")
        self.run_ok("sweep", self.sweep, "-o", a, "--quiet")
        self.run_ok("sweep", inline, "-o", b, "--quiet")
        assert_same_datasets(self, a, b)

    def test_empty_strategies_and_errors_at_a_value(self):
        inline = self.write("empty.yaml", BY_PRICE.replace("base: study.yaml", "base: %s" %
                                                           self.base) +
                            "scenarios:\n  a: ~\n  b:\n  c: {}\n  d: {ivig: {policy: none}}\n")
        self.run_ok("sweep", inline, "-o", self.path("e.h5"), "--quiet")
        with h5py.File(self.path("e.h5"), "r") as f:
            self.assertEqual([s.decode() for s in f["sweep/strategy"][()]], ["a", "b", "c", "d"])
            # a, b and c are the base itself: the same figures at each point.
            mean = f["sweep/mean"][()]
            np.testing.assert_array_equal(mean[0], mean[1])
            np.testing.assert_array_equal(mean[0], mean[2])
        bad = self.write("bad.yaml", BY_PRICE.replace("[10, 400]", "[10, -5]"))
        r = run("sweep", bad, "-o", self.path("bad.h5"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("bad.yaml:4:39", r.stderr)
        self.assertNotIn("strategy", r.stderr)  # the value's error, not a strategy's

    def test_points_are_never_options_beside_other_files(self):
        whole, alone = self.path("whole.h5"), self.path("alone.h5")
        self.run_ok("sweep", self.sweep, "-o", whole, "--quiet")
        self.run_ok("run", self.study, "-o", alone, "--quiet")
        r = run("compare", alone, whole)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("compare the whole sweep alone", r.stderr)
        report = self.path("report")
        self.run_ok("report", alone, whole, "-o", report, "--format", "svg")
        self.assertFalse(os.path.exists(os.path.join(report, "cea_table.csv")))
        self.assertFalse(os.path.exists(os.path.join(report, "ce_plane.svg")))
        r = run("voi", whole)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("each its own decision", r.stderr)

    def test_parts_merged_are_one_run(self):
        whole = self.path("whole.h5")
        self.run_ok("sweep", self.sweep, "-o", whole, "--quiet")
        parts = []
        for i in [1, 2, 3, 4]:
            parts.append(self.path("part%d.h5" % i))
            self.run_ok("sweep", self.sweep, "--part", "%d/4" % i, "-o", parts[-1], "--quiet")
        merged = self.path("merged.h5")
        r = self.run_ok("merge", merged, *parts)
        self.assertIn("The decision at each sweep point", r.stdout)
        assert_same_datasets(self, whole, merged)
        # A part alone holds some strategies of some points: never compared.
        r = run("compare", parts[0])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("is part 1/4 of a sweep; merge the parts", r.stderr)
        report = self.path("report")
        self.run_ok("report", parts[0], "-o", report, "--format", "svg")
        with open(os.path.join(report, "index.html")) as f:
            self.assertIn("Part of a sweep", f.read())
        self.assertFalse(os.path.exists(os.path.join(report, "ce_plane.svg")))

    def test_bad_strategy_sweeps(self):
        cases = [
            # A strategy that sets a swept key would lose its own value.
            (BY_PRICE.replace("economics.ivig_price_per_gram: [10, 400]",
                              "ivig.grade_threshold: [severe, moderate]"),
             "study.yaml:6:", "strategy 'ivig_severe' sets ivig.grade_threshold, which the "
             "sweep varies (%s:4)" % os.path.join(self.dir, "bad.yaml")),
            (BY_PRICE + "scenarios: {a: {}, b: {}}\n", "bad.yaml:5:",
             "cannot list strategies of its own"),
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base) +
             "points_are_strategies: true\nscenarios: {a: {}, b: {}}\n", "bad.yaml:5:",
             "remove points_are_strategies"),
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base) +
             "scenarios: {a: {}, 'b c': {}}\n", "bad.yaml:5:", "a strategy's name"),
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base) +
             "scenarios: {a: {}, b: {cohort: {patients: 9}}}\n", "bad.yaml:",
             "cohort.patients cannot be swept or differ between strategies"),
            (BY_PRICE + "points_are_strategies: maybe\n", "bad.yaml:5:", "expected true"),
            # Too long to join to a point's name.
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base) +
             "scenarios: {a: {}, %s: {}}\n" % ("b" * 41), "bad.yaml:5:", "1 to 40 letters"),
            # A whole list that holds the swept element sets it too.
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base).replace(
                "economics.ivig_price_per_gram: [10, 400]",
                "infection.serious_share.severe: [0.3, 0.5]") +
             "scenarios:\n  a: {}\n  b: {infection: {serious_share: [0.4, 0.4, 0.4, 0.4, 0.4]}}\n",
             "bad.yaml:7:", "strategy 'b' sets infection.serious_share.severe"),
            # A strategy that changes the cohort is named at its own key.
            (BY_PRICE.replace("base: study.yaml", "base: %s" % self.base) +
             "scenarios:\n  a: {}\n  b:\n    cohort: {patients: 60}\n", "bad.yaml:8:",
             "cohort.patients cannot be swept or differ between strategies"),
        ]
        for text, where, message in cases:
            path = self.write("bad.yaml", text)
            r = run("sweep", path, "-o", self.path("bad.h5"))
            self.assertEqual(r.returncode, 2, (text, r.stderr))
            self.assertIn(message, r.stderr, text)
            self.assertIn(where, r.stderr, text)
            self.assertFalse(os.path.exists(self.path("bad.h5")))


@unittest.skipUnless(MPIRUN, "the MPI build's tests set IPSIM_MPIRUN")
class SweepMPI(Workdir):
    """The same sweep on 1, 2 and 3 ranks (3 oversubscribed on 2 cores)."""

    def check(self, text, name):
        sweep = self.write(name + ".yaml", text.format(
            base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        one = self.path(name + "-one.h5")
        r = run("sweep", sweep, "-o", one, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        for ranks in [2, 3]:
            out = self.path("%s-ranks%d.h5" % (name, ranks))
            r = subprocess.run([*MPIRUN, "-n", str(ranks), IPSIM, "sweep", sweep, "-o", out,
                                "--threads", "1"], capture_output=True, text=True, timeout=600)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("%d MPI ranks" % ranks, r.stdout)
            assert_same_datasets(self, one, out)
        return one

    def test_ranks_give_the_same_file(self):
        self.check(SWEEP, "grid")

    def test_one_scenario_shared_block_by_block(self):
        # Fewer scenarios than ranks: all ranks share the scenario's blocks
        # through parallel HDF5 (more scenarios also go whole to ranks).
        self.check(SWEEP.replace("moderate, very_severe", "severe").replace(
            "[200, 400]", "[400]").replace("[0, 0.8]", "[0.8]").replace("[0.1, 0.9]", "[0.9]"),
            "single")

    def test_immunoglobulin_levels_shared_block_by_block(self):
        # The level trajectories and the levels' summaries through the
        # collective writes.
        one = self.check(SWEEP.replace("moderate, very_severe", "severe").replace(
            "[200, 400]", "[400]").replace("[0, 0.8]", "[0.8]").replace("[0.1, 0.9]", "[0.9]")
            .replace("cohort:", "grades: {{model: levels}}\ncohort:"), "levels")
        with h5py.File(one, "r") as f:
            g = f[f["scenarios"][0].decode()]
            self.assertEqual(g["igg"].shape, (2, 700, 25))
            self.assertEqual(g["summary/level_patients"][()].tolist(), [700, 700])

    def test_ranks_give_the_same_file_with_psa(self):
        one = self.check(SWEEP_PSA, "psa")
        with h5py.File(one, "r") as f:
            draws = f["psa/parameters"][()]
        self.assertEqual(draws.shape, (5, 1))
        self.assertEqual(len(set(draws[:, 0])), 5)

    def test_strategies_compared_on_ranks(self):
        # The ranks other than 0 read each point's strategies, paired with
        # its first, for the comparison (one pair each in turn; rank 0
        # copies meanwhile): the same tables as one process's.
        one = self.check(BY_PRICE.replace("base: study.yaml",
                                          STUDY.replace("name: policies\n", "")), "strategies")
        with h5py.File(one, "r") as f:
            self.assertEqual(f["sweep/mean"].shape[0], len(PRICES) * len(STRATEGIES))
            self.assertTrue(np.isfinite(f["sweep/incremental_cost"][()]).any())

    def test_points_that_are_strategies_compared_on_ranks(self):
        # A sweep compared as a study: its first scenario paired with each
        # other one, on the ranks.
        self.check(SWEEP + "points_are_strategies: true\n", "study")

    def test_other_commands_refuse_several_ranks(self):
        r = subprocess.run([*MPIRUN, "-n", "2", IPSIM, "run",
                            os.path.join(SOURCE_DIR, "params", "baseline.yaml"), "-o",
                            self.path("x.h5")], capture_output=True, text=True, timeout=300)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("only `ipsim sweep` runs on several MPI ranks", r.stderr)
        self.assertFalse(os.path.exists(self.path("x.h5")))


if __name__ == "__main__":
    unittest.main()
