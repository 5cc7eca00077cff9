"""The teaching explorer (explorer/, scripts/build-explorer): ipsim's engine
built for WebAssembly gives the same counts as `ipsim run` on the same
parameter file, in Node and in the page in headless Chromium.

Run by ctest in the release build only (tests/CMakeLists.txt), with IPSIM,
IPSIM_SOURCE_DIR and IPSIM_EXPLORER_BUILD (where scripts/build-explorer
builds the page). Without emscripten it skips, or fails when
IPSIM_REQUIRE_BROWSER=1 (scripts/test sets it)."""
import base64
import csv
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import unittest

import h5py
import numpy as np

from test_cli import SOURCE_DIR, Workdir, run

BUILD = os.path.abspath(os.environ.get("IPSIM_EXPLORER_BUILD",
                                       os.path.join(SOURCE_DIR, "build-explorer")))
SITE = os.path.join(BUILD, "site")
ENGINE = os.path.join(SITE, "ipsim_explorer.js")
NODE_RUN = os.path.join(SOURCE_DIR, "explorer", "node_run.js")
REQUIRED = os.environ.get("IPSIM_REQUIRE_BROWSER") == "1"
# Where the browser test saves its screenshots (docs/images refreshes the
# docs' pictures); a temporary folder when unset.
SHOTS = os.environ.get("IPSIM_EXPLORER_SHOTS")

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


def native_means(h5_path):
    """Mean discounted cost and QALYs per patient of a one-scenario file
    (economics/mean; economic_outcome's order is fixed:
    docs/output-format.md)."""
    with h5py.File(h5_path, "r") as f:
        (name,) = [k for k in f if k != "scenarios"]
        mean = f[name]["economics"]["mean"][0]
        return float(mean[1]), float(mean[3])


def ce_row(label, cost, qalys):
    """A row of the page's cost-effectiveness table as it prints it: cost
    rounded as Math.round, with thousands commas; QALYs to 4 places."""
    return [label, "{:,}".format(int(np.floor(cost + 0.5))), "%.4f" % qalys]


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

    def test_derived_figures_are_ipsim_reports(self):
        """The cumulative infection share with its Wilson band and the rates
        with Garwood intervals that the page draws are ipsim report's CSVs'
        numbers (to the CSV's 10 significant digits)."""
        path, _ = self.native(PLAIN, "plain")
        out = self.path("report")
        r = run("report", self.path("plain.h5"), "-o", out, "--format", "svg")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(["node", NODE_RUN, ENGINE, path], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        engine = json.loads(r.stdout)
        grades = ["none", "mild", "moderate", "severe", "very_severe"]
        types = engine["infection_types"]
        with open(os.path.join(out, "infection_risk.csv")) as f:
            risk = list(csv.DictReader(f))
        self.assertEqual(len(risk), 5 * engine["months"])
        for row in risk:
            i = int(row["month"]) * 5 + grades.index(row["baseline_grade"])
            for key, column in [("share", "infected_pct"), ("low", "low_pct"),
                                ("high", "high_pct")]:
                self.assertAlmostEqual(100 * engine["cumulative_infected_" + key][i],
                                       float(row[column]), delta=1e-9 * max(1, float(row[column])))
        with open(os.path.join(out, "infection_rates.csv")) as f:
            rates = [row for row in csv.DictReader(f) if row["episodes"] in types]
        self.assertEqual(len(rates), 15)
        for row in rates:
            i = grades.index(row["grade"]) * 4 + types.index(row["episodes"])
            for key, column in [("", "per_100_patient_years"), ("_low", "low"), ("_high", "high")]:
                self.assertAlmostEqual(engine["rate_per_100py" + key][i], float(row[column]),
                                       delta=1e-9 * max(1, float(row[column])))

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


class Chromium:
    """Headless Chromium driven over the DevTools protocol through a pipe
    (--remote-debugging-pipe: commands on the child's fd 3, replies on fd 4,
    each a JSON message ended by NUL), so no WebSocket library or open port
    is needed. Collects console errors and uncaught exceptions."""

    def __init__(self, width=1400, height=1000):
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Chromium's helper processes may still write the profile while it
        # is removed: what is left then is not this test's concern.
        self._profile = tempfile.TemporaryDirectory(prefix="ipsim-chromium-",
                                                    ignore_cleanup_errors=True)

        def fds():
            # Copies first, so that neither dup2 overwrites the other's source;
            # os.pipe's own descriptors are not inherited (PEP 446), dup2's are.
            read, write = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(read, 3)
            os.dup2(write, 4)
        self.proc = subprocess.Popen(
            [shutil.which("chromium"), "--headless=new", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--user-data-dir=" + self._profile.name,
             "--hide-scrollbars", "--window-size=%d,%d" % (width, height), "about:blank"],
            close_fds=False, preexec_fn=fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._next, self._buffer, self.errors = 0, b"", []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ["Runtime", "Log", "Page"]:
            self.call(domain + ".enable", session=True)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()

    def _read(self, deadline):
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_child], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _note(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"])[:500])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description")))
                                        for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            self.errors.append(params["entry"]["text"])

    def call(self, method, session=False, timeout=120, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply["result"]
            self._note(reply)

    def evaluate(self, expression, timeout=120):
        """The expression's value (awaited if a promise; JSON-able)."""
        result = self.call("Runtime.evaluate", session=True, timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(json.dumps(result["exceptionDetails"])[:1000])
        return result["result"].get("value")

    def wait_for(self, expression, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(expression)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", session=True, format="png",
                         captureBeyondViewport=True)["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


class Page(Explorer):
    """The page in headless Chromium, opened from disk: it loads without a
    console error, runs, and its counts are ipsim run's on the parameter
    files it shows."""

    def setUp(self):
        super().setUp()
        if not shutil.which("chromium"):
            if REQUIRED:
                self.fail("chromium is not installed (scripts/test installs it)")
            self.skipTest("no chromium")
        self.browser = Chromium()
        self.addCleanup(self.browser.close)

    def open(self):
        b = self.browser
        b.call("Page.navigate", session=True, url="file://" + os.path.join(SITE, "index.html"))
        b.wait_for("document.readyState === 'complete' && !!window.ipsimExplorerPage", timeout=30)
        return b.wait_for("['done', 'error'].includes(document.documentElement.dataset.state)"
                          " && document.documentElement.dataset.state", timeout=300)

    def test_the_page_runs_and_gives_ipsim_runs_counts(self):
        b = self.browser
        self.assertEqual(self.open(), "done", b.evaluate("document.getElementById('status-text').textContent"))
        # The first run is the default: 20,000 patients x 120 months, twice.
        first = b.evaluate("window.ipsimExplorerPage.last()")
        self.assertEqual([r["summary"]["patients"] for r in first], [20000, 20000])
        self.assertEqual(first[0]["summary"]["months"], 121)
        print("\nexplorer: 20,000 x 120 in Chromium: %.0f ms (policy A), %.0f ms (policy B)"
              % (first[0]["ms"], first[1]["ms"]))
        shots = SHOTS or self.dir
        b.call("Emulation.setDeviceMetricsOverride", session=True, width=1400, height=1250,
               deviceScaleFactor=1, mobile=False)
        b.screenshot(os.path.join(shots, "explorer.png"))
        # Each default run's counts are ipsim run's on the file it shows.
        for result in first:
            path, native = self.native(result["yaml"], result["label"])
            self.assert_same_counts(result["summary"], native)

        # Move the controls as a student would: policy A gets IVIG by grade,
        # vaccination; the patients another seed, a smaller cohort and
        # horizon and another mix. The quick fills set policy B's controls;
        # then B is set by hand to a policy neither fill gives: IVIG for IgG
        # below 5 g/L at 600 mg/kg with levofloxacin. (The fills' clicks
        # schedule a run; run() supersedes it.)
        page = b.evaluate("""(async () => {
            const set = (id, v) => { const e = document.getElementById(id);
              if (e.type === 'checkbox') e.checked = v; else e.value = v; };
            const page = window.ipsimExplorerPage;
            set('trigger', 'grade:severe'); set('igg', '5'); set('dose', '600');
            set('vaccination', true); set('antibiotics', '1'); set('seed', '977');
            set('patients', '2000'); set('horizon', '60'); set('mix-none', '300');
            set('dose-b', '300');
            document.getElementById('fill-no-ivig').click();
            const noIvig = page.settings().b;
            document.getElementById('fill-nothing').click();
            const nothing = page.settings().b;
            set('antibiotics', '0');
            set('trigger-b', 'igg'); set('igg-b', '5'); set('dose-b', '600');
            set('antibiotics-b', '1');
            const results = await page.run();
            const table = [...document.querySelectorAll('#ce-table tr')].map(
              (r) => [...r.cells].map((c) => c.textContent));
            return {noIvig, nothing, results, table}; })()""", timeout=300)
        # "policy A without IVIG" copies A's prevention but IVIG; "no
        # prevention" clears B's IVIG, antibiotics and vaccination.
        self.assertEqual(page["noIvig"], {"trigger": "none", "igg": 5, "dose": 600,
                                          "antibiotics": 1, "vaccination": True})
        self.assertEqual(page["nothing"], {"trigger": "none", "igg": 5, "dose": 600,
                                           "antibiotics": 0, "vaccination": False})
        results = page["results"]
        self.assertIn("grade_threshold: severe", results[0]["yaml"])
        self.assertNotIn("antibiotics", results[0]["yaml"])
        for line in ["policy: igg", "igg_threshold_g_per_l: 5", "dose_mg_per_kg: 600", "agent: 1",
                     "seed: 977", "patients: 2000", "horizon_months: 60"]:
            self.assertIn(line, results[1]["yaml"])
        self.assertNotIn("vaccination", results[1]["yaml"])
        self.assertEqual(b.evaluate("document.getElementById('yaml-policy').textContent"),
                         results[0]["yaml"])
        self.assertEqual(b.evaluate("document.getElementById('yaml-comparator').textContent"),
                         results[1]["yaml"])
        # Both policies' counts are ipsim run's on the files shown, and the
        # table's costs and QALYs are those files' means.
        means = []
        for result in results:
            path, native = self.native(result["yaml"], result["label"])
            self.assert_same_counts(result["summary"], native)
            means.append(native_means(self.path(result["label"] + ".h5")))
        self.assertGreater(results[0]["summary"]["ivig_patients"], 0)
        self.assertGreater(results[1]["summary"]["ivig_patients"], 0)
        self.assertGreater(sum(results[1]["summary"]["episodes_prevented_by_type"]), 0)
        (cost_a, qalys_a), (cost_b, qalys_b) = means
        self.assertEqual(page["table"][1:], [
            ce_row("policy A", cost_a, qalys_a), ce_row("policy B", cost_b, qalys_b),
            ce_row("difference (A \u2212 B)", cost_a - cost_b, qalys_a - qalys_b)])
        note = b.evaluate("document.getElementById('ce-note').textContent")
        self.assertTrue(any(w in note for w in ["ICER of A against B", "dominat", "the same"]), note)
        self.assertEqual(b.errors, [])

    def test_a_long_run_shows_progress_and_can_be_cancelled(self):
        b = self.browser
        self.assertEqual(self.open(), "done")
        b.evaluate("""(() => { document.getElementById('patients').value = '100000';
            window.ipsimExplorerPage.run().catch(() => {}); return true; })()""")
        b.wait_for("document.getElementById('progress').value > 0", timeout=60)
        b.call("Emulation.setDeviceMetricsOverride", session=True, width=1400, height=700,
               deviceScaleFactor=1, mobile=False)
        b.screenshot(os.path.join(SHOTS or self.dir, "explorer-progress.png"))
        b.evaluate("document.getElementById('cancel').click(), true")
        self.assertEqual(b.evaluate("document.documentElement.dataset.state"), "cancelled")
        # The page still works after a cancel (a new worker).
        b.evaluate("document.getElementById('patients').value = '2000', true")
        results = b.evaluate("window.ipsimExplorerPage.run()", timeout=120)
        self.assertEqual(results[0]["summary"]["patients"], 2000)
        self.assertEqual(b.errors, [])

    def test_a_page_error_is_seen(self):
        # The check can fail: an exception in the page is reported.
        b = self.browser
        self.open()
        b.evaluate("setTimeout(() => noSuchFunction(), 0), true")
        time.sleep(0.5)
        b.evaluate("1")
        self.assertTrue(any("noSuchFunction" in e for e in b.errors), b.errors)


if __name__ == "__main__":
    unittest.main()
