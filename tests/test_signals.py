"""End-to-end tests of signals, limits and messages (docs/robustness.md,
"Signals and limits"): every long-running command stops promptly on SIGINT
and SIGTERM, with exit code 130 or 143, a line saying it was interrupted,
and no output (an earlier one intact); sizes ipsim cannot hold are refused
before any work, with the limit; messages show the value that was rejected.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR)."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from test_cli import BASELINE, IPSIM, SOURCE_DIR, Workdir, run

POLICIES = os.path.join(SOURCE_DIR, "params", "ivig-policies.yaml")
# A study with ivig-policies.yaml's uncertainty but IVIG's rate ratios fixed:
# drawn, the correlated pair can make more than every episode serious, and
# ivig-policies.yaml refuses such a draw (its 648th), which a million draws
# would reach before a signal could stop the check.
MANY_DRAWS = os.path.join(SOURCE_DIR, "params", "benchmarks", "hesim-workload.yaml")
SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143)]


def snapshot(directory):
    """Every file under directory (hidden ones too): relative path -> bytes."""
    out = {}
    for root, dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, directory)] = f.read()
    return out


class Interrupted(Workdir):
    """Starts a command, signals it once `ready` (seconds, or a function
    that says when) has passed, and checks how it stopped."""

    def interrupt(self, args, sig, code, wait=1.0, within=2.0):
        before = snapshot(self.dir)
        proc = subprocess.Popen([IPSIM, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(wait)
        self.assertIsNone(proc.poll(), "the command finished before it could be interrupted")
        sent = time.time()
        proc.send_signal(sig)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            self.fail("still running a minute after %s" % sig.name)
        self.assertLess(time.time() - sent, within, "must stop promptly: " + err)
        self.assertEqual(proc.returncode, code, err)
        self.assertIn("interrupted", err)
        self.assertIn("stopped by a signal", err)
        # Nothing written, nothing left behind, the earlier files as they were.
        self.assertEqual(snapshot(self.dir), before)
        return err


class VoiSignals(Interrupted):
    def test_voi_stops_and_leaves_the_file_as_it_was(self):
        study = self.path("psa.h5")
        r = run("run", POLICIES, "-o", study, "--quiet", "--set", "cohort.patients=300",
                "--set", "cohort.replicates=60", "--set", "cohort.horizon_months=60")
        self.assertEqual(r.returncode, 0, r.stderr)
        for sig, code in SIGNALS:
            with self.subTest(sig.name):
                err = self.interrupt(["voi", study, "--bootstrap", "100000", "--csv",
                                      self.path("csv")], sig, code)
                self.assertIn("is as it was", err)


class RunSignals(Interrupted):
    def test_run_stops_while_checking_the_psa_draws(self):
        # A million draws of three scenarios take minutes to check before
        # the first patient; a signal stops the check.
        for sig, code in SIGNALS:
            with self.subTest(sig.name):
                self.interrupt(["run", MANY_DRAWS, "-o", self.path("many.h5"), "--quiet",
                                "--set", "cohort.replicates=1000000", "--set",
                                "cohort.patients=1", "--set", "cohort.horizon_months=12",
                                "--set", "cohort.cycle_months=1"],
                               sig, code)

    def test_sweep_stops_while_checking_the_psa_draws(self):
        sweep = self.write("psa-sweep.yaml", (
            "name: draws\nbase: {base}\n"
            "cohort: {{patients: 1, replicates: 1000000, horizon_months: 12}}\n"
            "psa: {{sample: true}}\n"
            "economics:\n  ivig_price_per_gram: {{distribution: gamma, mean: 34, se: 3}}\n"
            "grid:\n  ivig.dose_mg_per_kg: [200, 400]\n").format(
                base=os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")))
        self.interrupt(["sweep", sweep, "-o", self.path("draws.h5"), "--quiet"],
                       signal.SIGTERM, 143)


    def test_the_message_counts_the_whole_study(self):
        # Interrupted in its second scenario, a study says how far the whole
        # study had come, not the scenario's or the replicate's part (F9).
        patients, replicates, months, scenarios = 200000, 4, 60, 5
        total = scenarios * patients * replicates * months
        proc = subprocess.Popen(
            [IPSIM, "run", POLICIES, "-o", self.path("study.h5"), "--threads", "1",
             "--progress-every", "0.05", "--set", "cohort.patients=%d" % patients,
             "--set", "cohort.replicates=%d" % replicates,
             "--set", "cohort.horizon_months=%d" % months],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "scenario 2 of 5" in line:
                proc.send_signal(signal.SIGINT)
                break
        err = "".join(lines) + proc.stderr.read()
        proc.stderr.close()
        proc.wait(timeout=60)
        self.assertEqual(proc.returncode, 130, err)
        m = re.search(r"stopped by a signal after (\d+) of (\d+) patient-months", err)
        self.assertIsNotNone(m, err)
        self.assertEqual(int(m.group(2)), total)
        self.assertGreaterEqual(int(m.group(1)), total // scenarios)
        self.assertLess(int(m.group(1)), total)


class ReadingSignals(Interrupted):
    """compare and merge on large runs (a sweep's two parts, of three
    million patients each, and the whole): reading their patients takes
    seconds."""

    @classmethod
    def setUpClass(cls):
        cls._parts = tempfile.TemporaryDirectory(prefix="ipsim-signals-")
        d = cls._parts.name
        sweep = os.path.join(d, "two.yaml")
        with open(sweep, "w") as f:
            f.write("name: two\nbase: %s\n"
                    "cohort: {patients: 3000000, replicates: 1, horizon_months: 12}\n"
                    "output: {trajectories: none}\ngrid:\n"
                    "  mortality.background_monthly_probability: [0.001, 0.002]\n" % BASELINE)
        cls.parts = []
        for i in (1, 2):
            part = os.path.join(d, "part%d.h5" % i)
            r = run("sweep", sweep, "--part", "%d/2" % i, "-o", part, "--quiet")
            assert r.returncode == 0, r.stderr
            cls.parts.append(part)
        # The whole sweep, which compare reads (a part alone is refused).
        cls.whole = os.path.join(d, "whole.h5")
        r = run("merge", cls.whole, *cls.parts, "--quiet")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls._parts.cleanup()

    def setUp(self):
        super().setUp()
        for part in self.parts:
            shutil.copy(part, self.dir)
        self.local = [os.path.join(self.dir, os.path.basename(p)) for p in self.parts]

    def test_compare(self):
        whole = os.path.join(self.dir, "whole.h5")
        shutil.copy(self.whole, whole)
        for sig, code in SIGNALS:
            with self.subTest(sig.name):
                self.interrupt(["compare", whole, "--csv", self.path("tables")], sig,
                               code, wait=0.4)

    def test_merge(self):
        # An earlier merge's file stays as it was.
        target = self.path("merged.h5")
        with open(target, "w") as f:
            f.write("an earlier output\n")
        for sig, code in SIGNALS:
            with self.subTest(sig.name):
                self.interrupt(["merge", target, *self.local, "--quiet"], sig, code, wait=0.4)


class CommandSignals(Interrupted):
    def test_validate_and_calibrate(self):
        big = ["--set", "cohort.patients=20000000"]
        self.interrupt(["validate", BASELINE, "--quiet", *big], signal.SIGTERM, 143)
        self.interrupt(["calibrate", BASELINE, "--quiet", "-o", self.path("fit.yaml"), *big],
                       signal.SIGINT, 130, wait=2.0)


class Limits(Workdir):
    """Sizes ipsim cannot hold are refused before any work, with the limit."""

    def setUp(self):
        super().setUp()
        self.study = self.path("psa.h5")
        r = run("run", POLICIES, "-o", self.study, "--quiet", "--set", "cohort.patients=100",
                "--set", "cohort.replicates=30", "--set", "cohort.horizon_months=24")
        self.assertEqual(r.returncode, 0, r.stderr)

    STUDY = ("evsi:\n  t:\n    parameter: ivig.rate_ratio_serious\n    design: rate_ratio\n"
             "    control_rate: {rate}\n    arms: {arms}\n    n: [{n}]\n")

    def test_voi_plans_beyond_the_limits(self):
        with open(self.study, "rb") as f:
            before = f.read()
        cases = [
            (self.STUDY.format(rate=0.24, arms=4294967298, n=10), "plan.yaml:6:11",
             "key 'evsi.t.arms': 4294967298 is out of range: must be from 1 to 100"),
            (self.STUDY.format(rate=0.24, arms=2, n=1000000000000), "plan.yaml:7:9",
             "key 'evsi.t.n': 1000000000000 is out of range: must be from 1 to 1000000000"),
            (self.STUDY.format(rate=5, arms=2, n=1000000000), "plan.yaml:2:3",
             "expects 5e+09 events per arm (n x follow_up_years x control_rate); at most "
             "1000000000 can be simulated"),
            ("evppi:\n  a: [ivig.rate_ratio_all]\nbootstrap: 9223372036854775807\n",
             "plan.yaml:3:12", "must be from 2 to 100000"),
            ("evppi:\n  a: [ivig.rate_ratio_all]\npopulation: {per_year: 10, horizon_years: "
             "1e18, discount_rate: 0}\n", "plan.yaml:3",
             "key 'population.horizon_years': 1e+18 is out of range: must be from 0 to 100"),
        ]
        for text, where, message in cases:
            with self.subTest(message):
                plan = self.write("plan.yaml", text)
                started = time.time()
                r = run("voi", self.study, plan)
                self.assertLess(time.time() - started, 10)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(where, r.stderr)
                self.assertIn(message, r.stderr)
                with open(self.study, "rb") as f:
                    self.assertEqual(f.read(), before)

    def test_whole_numbers_too_large_to_hold(self):
        for args, message in [
                (["--set", "cohort.patients=9223372036854775807"],
                 "key 'cohort.patients': 9223372036854775807 is too large: must be 1 to "
                 "1000000000000 (patients)"),
                (["--set", "cohort.replicates=-9223372036854775807"],
                 "-9223372036854775807 is too small: must be 1 to"),
                (["--threads", "4294967297"], "--threads takes a whole number from 1 to 4096"),
                (["--block-patients", "9223372036854775808"],
                 "--block-patients takes a whole number from 1 to 16777216")]:
            with self.subTest(args):
                target = self.path("out.h5")
                r = run("run", BASELINE, "-o", target, *args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertFalse(os.path.exists(target))
        f = self.write("big.yaml", "cohort:\n  patients: 9223372036854775807\n")
        r = run("run", f, "-o", self.path("out.h5"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("big.yaml:2:13: parameter error: key 'cohort.patients': "
                      "9223372036854775807 is too large", r.stderr)

    def test_bootstrap_option(self):
        for value in ["4294967298", "99999999999999999999", ""]:
            with self.subTest(value):
                r = run("voi", self.study, "--bootstrap", value)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--bootstrap takes 2 to 100000", r.stderr)


class Messages(Workdir):
    def test_the_rejected_value_is_shown_as_given(self):
        target = self.path("out.h5")
        r = run("run", BASELINE, "-o", target, "--set",
                "mortality.background_monthly_probability=1.0000000001")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("1.0000000001 is out of range: must be in [0, 1]", r.stderr)
        f = self.write("p.yaml", "mortality:\n  background_monthly_probability: 1.0000000000000002\n")
        r = run("run", f, "-o", target)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("p.yaml:2:35:", r.stderr)
        self.assertIn("1.0000000000000002 is out of range", r.stderr)
        self.assertFalse(os.path.exists(target))

    def test_set_of_a_section(self):
        for command in (["run", BASELINE, "-o", self.path("out.h5")], ["params", BASELINE]):
            with self.subTest(command[0]):
                r = run(*command, "--set", "cohort=5")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("'cohort' is a section, not a key: --set takes section.key=value "
                              "(e.g. cohort.patients=...", r.stderr)
                self.assertNotIn("did you mean", r.stderr)

    def test_a_key_given_twice_in_a_voi_group(self):
        study = self.path("psa.h5")
        r = run("run", POLICIES, "-o", study, "--quiet", "--set", "cohort.patients=100",
                "--set", "cohort.replicates=30", "--set", "cohort.horizon_months=24")
        self.assertEqual(r.returncode, 0, r.stderr)
        plan = self.write("plan.yaml", "evppi:\n  a: [ivig.rate_ratio_all,\n"
                                       "      ivig.rate_ratio_all]\n")
        r = run("voi", study, plan)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("plan.yaml:3:7: parameter error: key 'evppi.a': 'ivig.rate_ratio_all' is "
                      "listed twice in the group, at line 2 column 7 and line 3 column 7",
                      r.stderr)
        plan = self.write("plan.yaml", "evppi:\n  a: [infection.type_share, "
                                       "infection.type_share.viral]\n")
        r = run("voi", study, plan)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("every value 'infection.type_share.viral' names is already named by an "
                      "earlier key", r.stderr)
        r = run("voi", study, "--parameters", "ivig.rate_ratio_all,ivig.rate_ratio_all")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--parameters lists 'ivig.rate_ratio_all' twice", r.stderr)
        self.assertNotIn("not a parameter drawn", r.stderr)

    def test_sweep_parts(self):
        sweep = self.write("four.yaml", (
            "name: four\nbase: {base}\ncohort: {{patients: 50, replicates: 1, "
            "horizon_months: 12}}\ngrid:\n  ivig.dose_mg_per_kg: [100, 200, 300, 400]\n").format(
                base=BASELINE))
        target = self.path("p.h5")
        r = run("sweep", sweep, "--part", "5/5", "-o", target)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--part 5/5: the sweep has 4 scenarios, so it splits into at most 4 parts",
                      r.stderr)
        self.assertEqual(sorted(os.listdir(self.dir)), ["four.yaml"])
        for part in ["1/99999999999999999999", "4294967297/4294967297", " 1/2", "1/+2", "2/1"]:
            with self.subTest(part):
                r = run("sweep", sweep, "--part", part, "-o", target)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--part takes I/N, part I of N (1 <= I <= N <= 100000)", r.stderr)
        # Four parts of four scenarios merge.
        parts = []
        for i in range(1, 5):
            parts.append(self.path("p%d.h5" % i))
            r = run("sweep", sweep, "--part", "%d/4" % i, "-o", parts[-1], "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
        r = run("merge", self.path("all.h5"), *parts, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
