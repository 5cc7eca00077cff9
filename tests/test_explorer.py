"""The teaching explorer (explorer/, scripts/build-explorer): ipsim's engine
built for WebAssembly gives the same counts as `ipsim run` on the same
parameter file, in Node and in the page in headless Chromium.

Run by ctest in the release build only (tests/CMakeLists.txt), with IPSIM,
IPSIM_SOURCE_DIR and IPSIM_EXPLORER_BUILD (where scripts/build-explorer
builds the page). Without emscripten it skips, or fails when
IPSIM_REQUIRE_BROWSER=1 (scripts/test sets it)."""
import json
import os
import shutil
import subprocess
import unittest

import h5py
import numpy as np

from test_cli import SOURCE_DIR, Workdir, run

BUILD = os.environ.get("IPSIM_EXPLORER_BUILD", os.path.join(SOURCE_DIR, "build-explorer"))
SITE = os.path.join(BUILD, "site")
ENGINE = os.path.join(SITE, "ipsim_explorer.js")
NODE_RUN = os.path.join(SOURCE_DIR, "explorer", "node_run.js")
REQUIRED = os.environ.get("IPSIM_REQUIRE_BROWSER") == "1"

# Two scenarios that between them reach every module the page controls:
# the defaults (levels model, no prevention) on a small cohort, and IVIG by
# IgG threshold at a higher dose with vaccination, antibiotic prophylaxis
# and another grade mix.
PLAIN = """name: plain
seed: 4242
cohort:
  patients: 3000
  horizon_months: 60
"""
EVERYTHING = """name: everything
seed: 977
cohort:
  patients: 2500
  horizon_months: 48
  baseline_mix: {none: 0.2, mild: 0.2, moderate: 0.2, severe: 0.2, very_severe: 0.2}
ivig:
  policy: igg
  igg_threshold_g_per_l: 5
  dose_mg_per_kg: 500
vaccination:
  influenza_coverage: 0.8
  pneumococcal_coverage: 0.8
modules:
  antibiotics:
    agent: 1
    schedule: 0
    duration_months: 3
"""

_built = None


def build():
    """Builds the page once per test run (scripts/build-explorer); returns
    None, or why it could not."""
    global _built
    if _built is None:
        if not shutil.which("emcmake"):
            _built = "emscripten is not installed (scripts/test installs it)"
        else:
            r = subprocess.run(["bash", os.path.join(SOURCE_DIR, "scripts", "build-explorer"), BUILD],
                               capture_output=True, text=True, timeout=1200)
            _built = "" if r.returncode == 0 else "build-explorer failed:\n" + r.stderr[-3000:]
    return _built or None


def native_summary(h5_path):
    """The integer tallies of a one-scenario, one-replicate file, under the
    names the explorer's JSON uses."""
    with h5py.File(h5_path, "r") as f:
        (name,) = [k for k in f if k != "scenarios"]
        s, e = f[name]["summary"], f[name]["economics"]
        out = {k: np.asarray(s[k][0]).ravel().tolist() for k in [
            "patients_by_baseline_grade", "infected_within_window_by_baseline_grade",
            "first_infections_by_baseline_grade", "person_months_by_grade",
            "episodes_by_grade_and_type", "serious_episodes_by_grade", "deaths_by_cause",
            "on_ivig", "episodes_prevented_by_type"]}
        for k in ["vaccine_doses", "ivig_patients", "ivig_patient_months"]:
            out[k] = int(s[k][0])
        out["ivig_grams"] = float(s["ivig_grams"][0])
        out["occupancy"] = s["occupancy"][0].ravel().tolist()
        out["sum_fixed_point"] = e["sum_fixed_point"][0].tolist()
        return out


class Explorer(Workdir):
    def setUp(self):
        super().setUp()
        why = build()
        if why:
            if REQUIRED:
                self.fail(why)
            self.skipTest(why)

    def native(self, yaml_text, name):
        path = self.path(name + ".yaml")
        with open(path, "w") as f:
            f.write(yaml_text)
        r = run("run", path, "-o", self.path(name + ".h5"), "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        return path, native_summary(self.path(name + ".h5"))

    def assert_same_counts(self, engine, native):
        """Every tally equal, exactly: the integer counts, the economic sums
        (fixed point) and the shares the file derives from them."""
        for key, value in native.items():
            if key == "ivig_grams":
                self.assertEqual(engine["ivig_milligrams"] / 1000.0, value)
            elif key == "occupancy":
                patients = engine["patients"]
                self.assertEqual([n / patients for n in engine["occupancy_patients"]], value)
            else:
                self.assertEqual(engine[key], value, key)


class Engine(Explorer):
    """The wasm engine in Node (explorer/node_run.js) against `ipsim run`."""

    def test_counts_equal_ipsim_run(self):
        for name, text in [("plain", PLAIN), ("everything", EVERYTHING)]:
            with self.subTest(name):
                path, native = self.native(text, name)
                r = subprocess.run(["node", NODE_RUN, ENGINE, path, "700"],
                                   capture_output=True, text=True, timeout=300)
                self.assertEqual(r.returncode, 0, r.stderr)
                engine = json.loads(r.stdout)
                self.assertEqual(engine["scenario"], name)
                self.assert_same_counts(engine, native)
                # The run reached what the page controls.
                if name == "everything":
                    self.assertGreater(engine["ivig_patients"], 0)
                    self.assertGreater(engine["vaccine_doses"], 0)
                    self.assertGreater(sum(engine["episodes_prevented_by_type"]), 0)

    def test_the_slice_size_changes_nothing(self):
        path = self.path("plain.yaml")
        with open(path, "w") as f:
            f.write(PLAIN)
        outputs = []
        for step in ["1", "999", "3000"]:
            r = subprocess.run(["node", NODE_RUN, ENGINE, path, step],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stderr)
            result = json.loads(r.stdout)
            del result["elapsed_ms"]
            outputs.append(result)
        self.assertEqual(outputs[0], outputs[1])
        self.assertEqual(outputs[0], outputs[2])

    def test_errors_come_back_with_their_key(self):
        path = self.path("bad.yaml")
        with open(path, "w") as f:
            f.write("cohort:\n  patients: 10\n  horizon_monhts: 12\n")
        r = subprocess.run(["node", NODE_RUN, ENGINE, path], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(r.returncode, 2)
        self.assertIn("horizon_monhts", r.stderr)
        self.assertIn("explorer.yaml:3:", r.stderr)


if __name__ == "__main__":
    unittest.main()
