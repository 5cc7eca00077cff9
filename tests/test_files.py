"""End-to-end tests of the files ipsim reads (docs/robustness.md, "Files
read"): results files with attributes and datasets of unexpected types,
shapes and values, mixed runs and studies, crafted sweep checkpoints, an
absurd OMP_NUM_THREADS; and odd but valid configurations (one cycle, one
patient, one replicate, one PSA draw) through every command that reads a
file. Every command must either work or refuse with a message naming the
file, never crash: in the sanitizer build (build-sanitize/) these tests are
the AddressSanitizer run over those paths.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR)."""
import os
import shutil
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

from test_cli import IPSIM, SOURCE_DIR, Workdir, run

BASELINE = os.path.join(SOURCE_DIR, "params", "baseline.yaml")
POLICIES = os.path.join(SOURCE_DIR, "params", "ivig-policies.yaml")
SEVERE = os.path.join(SOURCE_DIR, "params", "ivig-severe.yaml")

# Small and quick under AddressSanitizer.
TINY = ["--set", "cohort.patients=40", "--set", "cohort.horizon_months=24", "--quiet"]
STUDY = ["--set", "cohort.patients=30", "--set", "cohort.replicates=4",
         "--set", "cohort.horizon_months=24", "--set", "output.trajectories=none", "--quiet"]

# What no command may ever print: a crash, a sanitizer's report.
CRASH_MARKS = ("Sanitizer", "runtime error", "Segmentation", "double free", "free():",
               "corrupted", "Aborted")


def first_scenario(f):
    name = f["scenarios"][0]
    return name.decode() if isinstance(name, bytes) else name


class Files(Workdir):
    """A run's file and a PSA study's file, made once, copied per case."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="ipsim-files-")
        cls.base = cls._tmp.name
        cls.run_file = os.path.join(cls.base, "run.h5")
        cls.study_file = os.path.join(cls.base, "study.h5")
        for args in (["run", BASELINE, "-o", cls.run_file, *TINY],
                     ["run", POLICIES, "-o", cls.study_file, *STUDY]):
            r = run(*args)
            assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def assert_no_crash(self, r):
        self.assertGreaterEqual(r.returncode, 0, "killed by a signal: " + r.stderr[-2000:])
        self.assertLess(r.returncode, 128, r.stderr[-2000:])
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, r.stderr)

    def altered(self, source, name, change):
        """A copy of source with change(h5py.File) applied."""
        p = self.path(name)
        shutil.copy(source, p)
        # libver latest: attributes beyond 64 KiB (dense storage).
        with h5py.File(p, "r+", libver="latest") as f:
            change(f)
        return p

    def assert_refused(self, path, commands, *expected):
        """Each command exits 1 with a format error naming the file (and
        the expected words), without crashing or writing its output."""
        for cmd in commands:
            out = self.path("out-" + cmd[0])
            args = [a.replace("FILE", path) for a in cmd]
            if args[0] == "report":
                args += ["-o", out]
            r = run(*args)
            self.assert_no_crash(r)
            self.assertEqual(r.returncode, 1, (args, r.stdout[-500:], r.stderr))
            self.assertIn(path, r.stderr, args)
            self.assertIn("file format error", r.stderr, args)
            for words in expected:
                self.assertIn(words, r.stderr, args)
            self.assertFalse(os.path.exists(out), args)


def set_attr(obj, key, value, dtype=None):
    if key in obj.attrs:
        del obj.attrs[key]
    if dtype is None:
        obj.attrs[key] = value
    else:
        obj.attrs.create(key, value, dtype=dtype)


# Replacements for a string attribute: every type and shape but one string.
STRING_ATTR_VALUES = {
    "array of strings": (np.array(["ipsim", "x", "y"], dtype=object), h5py.string_dtype()),
    "array of fixed strings": (np.array([b"ipsim", b"ipsim"]), None),
    "integer": (np.int64(5), None),
    "integer array": (np.arange(64, dtype=np.int32), None),
    "float": (np.float64(4.0), None),
    "empty": (h5py.Empty("S10"), None),
    "fixed string of 20 MB": (np.bytes_(b"y" * (20 << 20)), None),
}


class HostileAttributes(Files):
    def commands(self):
        return [["summary", "FILE"], ["compare", "FILE", "FILE"], ["report", "FILE"],
                ["voi", "FILE"], ["merge", self.path("merged.h5"), "FILE"]]

    def check_string_attribute(self, where, key, huge=True):
        for label, (value, dtype) in STRING_ATTR_VALUES.items():
            if not huge and label.startswith("fixed string of"):
                continue  # a long date or version is harmless
            with self.subTest(attribute=key, value=label):
                def change(f):
                    set_attr(f if where == "/" else f[first_scenario(f)], key, value, dtype)
                p = self.altered(self.study_file, "%s-%s.h5" % (key, label.replace(" ", "-")),
                                 change)
                self.assert_refused(p, self.commands())

    def test_format_of_every_type_and_shape_is_refused(self):
        self.check_string_attribute("/", "format")

    def test_parameters_of_every_type_and_shape_are_refused(self):
        self.check_string_attribute("scenario", "parameters")

    def test_created_utc_and_version_of_every_type_are_refused(self):
        for key in ("created_utc", "ipsim_version"):
            self.check_string_attribute("/", key, huge=False)

    def test_format_version_of_every_type_and_shape_is_refused(self):
        values = {
            "array holding the right version first": (np.array([4, 1, 2, 3], dtype=np.uint32),
                                                      None),
            "string": ("4", None),
            "float": (np.float64(4.0), None),
            "negative": (np.int64(-4), None),
            "beyond 32 bits": (np.int64(1 << 40 | 4), None),
            "empty": (h5py.Empty("i4"), None),
        }
        for label, (value, dtype) in values.items():
            with self.subTest(value=label):
                p = self.altered(self.study_file, "fv.h5",
                                 lambda f: set_attr(f, "format_version", value, dtype))
                self.assert_refused(p, self.commands(), "format_version")


class HostileDatasets(Files):
    """Datasets the reader opens, with other shapes, types and values."""

    def scenario_dataset(self, source, name, make):
        def change(f):
            g = f[first_scenario(f)]
            old = g[name]
            data = old[()]
            del g[name]
            make(g, name, data)
        return self.altered(source, "ds.h5", change)

    def test_shapes_and_types_of_summary_rows_are_refused(self):
        cases = {
            "rank 5": lambda g, n, d: g.create_dataset(n, data=np.zeros((1, 1, 1, 1, 1))),
            "rank 32": lambda g, n, d: g.create_dataset(n, data=np.zeros((1,) * 32)),
            "scalar": lambda g, n, d: g.create_dataset(n, data=np.float64(1)),
            "strings": lambda g, n, d: g.create_dataset(
                n, data=np.array(["a"] * d.size, dtype=object).reshape(d.shape),
                dtype=h5py.string_dtype()),
            "compound": lambda g, n, d: g.create_dataset(
                n, shape=d.shape, dtype=np.dtype([("a", "i8"), ("b", "f8")])),
            "a group": lambda g, n, d: g.create_group(n),
            "one more replicate": lambda g, n, d: g.create_dataset(
                n, data=np.concatenate([d, d[:1]])),
        }
        for name in ("summary/occupancy", "summary/deaths_by_cause", "economics/mean",
                     "summary/person_months_by_grade"):
            for label, make in cases.items():
                with self.subTest(dataset=name, change=label):
                    p = self.scenario_dataset(self.study_file, name, make)
                    self.assert_refused(p, [["summary", "FILE"], ["compare", "FILE", "FILE"]],
                                        name)

    def test_per_patient_columns_of_other_shapes_and_types_are_refused(self):
        cases = {
            "rank 4": lambda g, n, d: g.create_dataset(n, data=np.zeros(d.shape + (1, 1))),
            "floats for an enumeration": lambda g, n, d: g.create_dataset(
                n, data=d.astype(np.float64) + 0.5),
            "a wider enumeration": lambda g, n, d: g.create_dataset(
                n, data=d.astype(np.int64),
                dtype=h5py.enum_dtype({"alive": 0, "background": 1, "infection": 2},
                                      basetype="i8")),
            "strings": lambda g, n, d: g.create_dataset(
                n, data=np.array(["a"] * d.size, dtype=object).reshape(d.shape),
                dtype=h5py.string_dtype()),
        }
        for label, make in cases.items():
            with self.subTest(change=label):
                p = self.scenario_dataset(self.run_file, "patients/death_cause", make)
                self.assert_refused(p, [["compare", "FILE", "FILE"]], "patients/death_cause")

    def test_nan_in_a_stored_economic_outcome_is_refused_by_every_command(self):
        def nan_mean(f):
            g = f[first_scenario(f)]
            g["economics/mean"][1, 1] = np.nan  # replicate 1, cost_discounted
        p = self.altered(self.study_file, "nan.h5", nan_mean)
        self.assert_refused(p, [["summary", "FILE"], ["compare", "FILE", "FILE"], ["voi", "FILE"],
                                ["report", "FILE"]], "economics/mean", "nan")

    def test_nan_or_infinity_in_a_patients_cost_is_refused(self):
        for value in (np.nan, np.inf, -np.inf):
            with self.subTest(value=value):
                def change(f):
                    f[first_scenario(f)]["economics/cost_discounted"][0, 3] = value
                p = self.altered(self.run_file, "nan-patient.h5", change)
                self.assert_refused(p, [["compare", "FILE", "FILE"]],
                                    "economics/cost_discounted")

    def test_negative_and_impossible_counts_are_refused(self):
        def negative(f):
            f[first_scenario(f)]["summary/deaths_by_cause"][0, 1] = -102
        def too_many(f):
            f[first_scenario(f)]["summary/ivig_patients"][0] = 10 ** 6
        def not_the_cohort(f):
            f[first_scenario(f)]["summary/patients_by_baseline_grade"][0, 0] += 1
        def negative_column(f):
            del f[first_scenario(f)]["patients/death_month"]
            f[first_scenario(f)].create_dataset("patients/death_month",
                                                data=np.full((1, 40), -7, dtype=np.int32))
        for change, words, commands in (
                (negative, "negative count", [["summary", "FILE"], ["report", "FILE"]]),
                (too_many, "more patients than the cohort", [["summary", "FILE"]]),
                (not_the_cohort, "of a cohort of 40", [["summary", "FILE"]]),
                (negative_column, "patients/death_month", [["compare", "FILE", "FILE"]])):
            with self.subTest(change=change.__name__):
                p = self.altered(self.run_file, "counts.h5", change)
                self.assert_refused(p, commands, words)

    def test_report_refuses_a_file_summary_refuses_as_altered(self):
        def change(f):
            f[first_scenario(f)]["summary/person_months_by_grade"][0, 0] += 1
        p = self.altered(self.run_file, "altered.h5", change)
        self.assert_refused(p, [["summary", "FILE"], ["report", "FILE"],
                                ["compare", "FILE", "FILE"]], "was altered")

    def test_psa_draws_that_are_not_finite_are_refused(self):
        def change(f):
            f["psa/parameters"][0, 0] = np.nan
        p = self.altered(self.study_file, "draws.h5", change)
        self.assert_refused(p, [["compare", "FILE"], ["voi", "FILE"]], "psa/parameters")


class MixedFiles(Files):
    def discounted_cost(self, stdout, scenario):
        """The mean discounted cost compare prints for a scenario."""
        table = stdout.split("Per patient over the follow-up")[1]
        for line in table.splitlines()[2:]:
            cells = line.split()
            if cells and cells[0] == scenario:
                return float(cells[1])
        self.fail("no row for %s in %s" % (scenario, table))

    def test_a_run_and_a_study_compare_with_their_own_numbers_in_either_order(self):
        with h5py.File(self.run_file) as f:
            run_cost = f["baseline/economics/mean"][0, 1]
        with h5py.File(self.study_file) as f:
            study_costs = {first_scenario(f): f[first_scenario(f)]["economics/mean"][:, 1].mean()}
        (name, study_cost), = study_costs.items()
        for files in ([self.run_file, self.study_file], [self.study_file, self.run_file]):
            with self.subTest(order=[os.path.basename(p) for p in files]):
                r = run("compare", *files)
                self.assert_no_crash(r)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.discounted_cost(r.stdout, "baseline"), round(run_cost))
                self.assertEqual(self.discounted_cost(r.stdout, name), round(study_cost))
                self.assertIn("independent", r.stdout)


class Limits(Files):
    def test_an_absurd_omp_num_threads_is_refused(self):
        for threads in ("100000", "5000"):
            with self.subTest(threads=threads):
                out = self.path("t.h5")
                r = subprocess.run([IPSIM, "run", BASELINE, "-o", out, *TINY], text=True,
                                   capture_output=True, timeout=300,
                                   env=dict(os.environ, OMP_NUM_THREADS=threads))
                self.assert_no_crash(r)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("OMP_NUM_THREADS asks for %s threads" % threads, r.stderr)
                self.assertFalse(os.path.exists(out))
        # --threads overrides the environment.
        r = subprocess.run([IPSIM, "run", BASELINE, "-o", out, *TINY, "--threads", "2"],
                           text=True, capture_output=True, timeout=300,
                           env=dict(os.environ, OMP_NUM_THREADS="100000"))
        self.assertEqual(r.returncode, 0, r.stderr)


SWEEP = """\
name: grid
base: {base}
cohort: {{patients: 30, replicates: 1, horizon_months: 12}}
output: {{trajectories: none}}
grid:
  ivig.dose_mg_per_kg: [200, 400]
"""


class CraftedCheckpoints(Files):
    def checkpoint(self, change):
        """A sweep whose first scenario's finished file (its part 1/2: the
        same parameters) was altered by change(h5py.File)."""
        sweep = self.path("grid.yaml")
        with open(sweep, "w") as f:
            f.write(SWEEP.format(base=SEVERE))
        part = self.path("part.h5")
        r = run("sweep", sweep, "-o", part, "--part", "1/2", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(part, "r+") as f:
            change(f)
        checkpoints = self.path(".grid.h5.ipsim-sweep")
        shutil.rmtree(checkpoints, ignore_errors=True)
        os.mkdir(checkpoints)
        os.rename(part, os.path.join(checkpoints, "00000.h5"))
        return sweep

    def test_a_checkpoint_with_damaged_dimension_lists_is_refused(self):
        def as_string(f):
            set_attr(f[first_scenario(f)]["summary/occupancy"], "DIMENSION_LIST", "x")
        def as_integers(f):
            set_attr(f[first_scenario(f)]["summary/occupancy"], "DIMENSION_LIST",
                     np.arange(7, dtype=np.int32))
        def too_short(f):
            a = f[first_scenario(f)]["patients/death_month"].attrs
            refs = a["DIMENSION_LIST"]
            del a["DIMENSION_LIST"]
            a.create("DIMENSION_LIST", data=refs[:1], dtype=h5py.vlen_dtype(h5py.ref_dtype))
        for change in (as_string, as_integers, too_short):
            with self.subTest(change=change.__name__):
                sweep = self.checkpoint(change)
                target = self.path("grid.h5")
                r = run("sweep", sweep, "-o", target, "--resume", "--quiet")
                self.assert_no_crash(r)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("00000.h5", r.stderr)
                self.assertFalse(os.path.exists(target))

    def test_a_checkpoint_with_damaged_attributes_or_values_is_run_again(self):
        """One the reader refuses is not finished: the sweep runs it again."""
        def fv(f):
            set_attr(f, "format_version", np.arange(100, dtype=np.uint32))
        def parameters(f):
            g = f[first_scenario(f)]
            value = g.attrs["parameters"]
            set_attr(g, "parameters", np.array([value] * 3, dtype=object), h5py.string_dtype())
        def nan(f):
            f[first_scenario(f)]["economics/mean"][0, 1] = np.nan
        for change in (fv, parameters, nan):
            with self.subTest(change=change.__name__):
                sweep = self.checkpoint(change)
                target = self.path("grid.h5")
                r = run("sweep", sweep, "-o", target, "--resume")
                self.assert_no_crash(r)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("2 to run", r.stdout)
                r = run("summary", target)
                self.assertEqual(r.returncode, 0, r.stderr)
                os.remove(target)


# Odd but valid: (label, --set overrides).
ODD = [
    ("one cycle", ["cohort.horizon_months=1", "infection.window_months=1"]),
    ("one three-month cycle", ["cohort.cycle_months=3", "cohort.horizon_months=3",
                               "infection.window_months=3"]),
    ("one year-long cycle", ["cohort.cycle_months=12", "cohort.horizon_months=12",
                             "infection.window_months=12", "ivig.titration_months=12"]),
    ("one patient", ["cohort.patients=1"]),
    ("one patient, one cycle", ["cohort.patients=1", "cohort.horizon_months=1",
                                "infection.window_months=1"]),
]


class OddButValid(Files):
    def ok(self, *args):
        r = run(*args)
        self.assert_no_crash(r)
        self.assertEqual(r.returncode, 0, (args, r.stderr))
        return r

    def sets(self, overrides):
        return [a for o in overrides for a in ("--set", o)]

    def test_runs_and_studies_through_every_command(self):
        for label, overrides in ODD:
            with self.subTest(config=label):
                sets = self.sets(overrides)
                one = self.path("one.h5")
                study = self.path("study.h5")
                draw = self.path("draw.h5")
                self.ok("run", BASELINE, "-o", one, *TINY, *sets)
                # Twenty draws: the fewest voi's metamodels take.
                self.ok("run", POLICIES, "-o", study, *STUDY, *sets, "--set",
                        "cohort.replicates=20", "--set", "cohort.patients=10")
                # One replicate (one PSA draw) of the study.
                self.ok("run", POLICIES, "-o", draw, *STUDY, *sets,
                        "--set", "cohort.replicates=1")
                for path in (one, study, draw):
                    self.ok("summary", path)
                    self.ok("compare", path, path)
                    report = self.path("report")
                    self.ok("report", path, "-o", report)
                    shutil.rmtree(report)
                self.ok("compare", one, study)
                # The study and its one-draw run share scenario names: each beside the run.
                self.ok("compare", draw, one)
                self.ok("voi", study)
                # A single draw is no PSA: refused with a message.
                r = run("voi", draw)
                self.assert_no_crash(r)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("needs a PSA", r.stderr)
                for p in (one, study, draw):
                    os.remove(p)

    def test_sweeps_parts_and_merge(self):
        sweep = self.path("grid.yaml")
        with open(sweep, "w") as f:
            f.write(SWEEP.format(base=SEVERE))
        for label, overrides in ODD + [("one replicate", ["cohort.replicates=1"])]:
            with self.subTest(config=label):
                sets = self.sets(overrides)
                whole, merged = self.path("whole.h5"), self.path("merged.h5")
                parts = [self.path("p1.h5"), self.path("p2.h5")]
                self.ok("sweep", sweep, "-o", whole, "--quiet", *sets)
                for i, part in enumerate(parts):
                    self.ok("sweep", sweep, "-o", part, "--part", "%d/2" % (i + 1), "--quiet",
                            *sets)
                self.ok("merge", merged, *parts)
                self.ok("summary", merged)
                self.ok("compare", merged)
                for p in (whole, merged, *parts):
                    os.remove(p)


if __name__ == "__main__":
    unittest.main()
