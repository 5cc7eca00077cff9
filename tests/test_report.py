"""End-to-end tests of `ipsim report`: every figure in every format is a
valid, non-empty image; the data behind the figures is what the file holds;
a figure changes when the data does and not otherwise; bad files fail
cleanly; an earlier report is replaced whole and nothing else is touched.
Also the examples in docs/examples.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR)."""
import csv
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

import h5py
import numpy as np

from test_cli import BASELINE, SMALL, SOURCE_DIR, Workdir, run

POLICIES = os.path.join(SOURCE_DIR, "params", "ivig-policies.yaml")
QUICK_STUDY = ["--set", "cohort.patients=400", "--set", "cohort.replicates=12",
               "--set", "cohort.horizon_months=60"]
PER_SCENARIO = ["occupancy", "infection_risk", "infection_rates", "ivig_use", "igg_risk"]
# A run without IVIG has no IVIG figure (an empty panel says nothing).
WITHOUT_IVIG = [n for n in PER_SCENARIO if n != "ivig_use"]
# One panel, drawn where a scenario has immunoglobulin levels (the baseline's
# grades.model: levels).
IMMUNE = ["igg_over_time"]
ECONOMICS = ["ce_plane", "ceac"]
Z95 = 1.959963984540054


def check_png(path):
    """Decodes the PNG: signature, every chunk's CRC, IHDR first and IEND
    last, and IDAT inflating to exactly the rows the header promises.
    Returns (width, height)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path + ": not a PNG"
    pos, chunks, idat = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, "%s: bad CRC in %s" % (path, kind)
        chunks.append(kind)
        if kind == b"IDAT":
            idat += body
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", path
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    row = 1 + (width * channels * depth + 7) // 8
    assert len(zlib.decompress(idat)) == height * row, path + ": image data cut short"
    assert width > 0 and height > 0
    return width, height


def check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", path
    assert len(list(root.iter())) > 50, path + ": almost nothing drawn"


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Report(Workdir):
    def make_run(self, name="run", *extra, params=BASELINE, settings=SMALL):
        out = self.path(name + ".h5")
        r = run("run", params, "-o", out, *settings, "--quiet", *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return out

    def report(self, h5, out, *extra):
        r = run("report", h5, "-o", out, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(out, "index.html"), r.stdout)
        return r

    def assert_figures(self, out, names, formats):
        for name in names:
            for fmt in formats:
                path = os.path.join(out, name + "." + fmt)
                self.assertTrue(os.path.getsize(path) > 1000, path)
                if fmt == "png":
                    check_png(path)
                elif fmt == "svg":
                    check_svg(path)
                else:
                    with open(path, "rb") as f:
                        self.assertEqual(f.read(5), b"%PDF-")
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        ET.fromstring(page.replace("<!DOCTYPE html>", ""))  # well-formed enough to parse
        shown = "png" if "png" in formats else "svg" if "svg" in formats else None
        for name in names:
            if shown:
                self.assertIn('<img src="%s.%s"' % (name, shown), page)
            else:
                self.assertNotIn("<img", page)
            for fmt in formats:
                self.assertIn('href="%s.%s"' % (name, fmt), page)
            self.assertIn('href="%s.csv"' % name, page)
        return page

    def test_baseline_report_draws_every_figure(self):
        h5 = self.make_run()
        out = self.path("report")
        self.report(h5, out)
        page = self.assert_figures(out, WITHOUT_IVIG + IMMUNE, ["png", "svg"])
        for name in ECONOMICS + ["ivig_use"]:
            self.assertFalse(os.path.exists(os.path.join(out, name + ".png")))
        self.assertIn("No scenario gives IVIG", page)
        self.assertIn("<td>small</td><td>1,500</td><td>2</td><td>36 months", page)
        self.assertIn("One scenario", page)
        # No hidden build directory is left beside the report.
        self.assertEqual(sorted(os.listdir(self.dir)), ["report", "run.h5"])

    def test_default_directory_and_pdf(self):
        h5 = self.make_run()
        r = run("report", h5, "--format", "pdf")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("run-report")
        self.assert_figures(out, WITHOUT_IVIG + IMMUNE, ["pdf"])
        self.assertEqual(sorted(n for n in os.listdir(out) if n.endswith(".png")), [])

    def test_policy_study_report_draws_the_economics(self):
        h5 = self.make_run("psa", params=POLICIES, settings=QUICK_STUDY)
        out = self.path("report")
        self.report(h5, out, "--format", "png,svg,pdf")
        page = self.assert_figures(out, PER_SCENARIO + IMMUNE + ECONOMICS,
                                  ["png", "svg", "pdf"])
        for name in ["no_prophylaxis", "antibiotics", "antibiotics_then_ivig_nhs",
                     "ivig_igg_below_4", "ivig_severe"]:
            self.assertIn("<td>%s</td>" % name, page)
        self.assertIn("12 PSA draws", page)
        # Three panels side by side: wider than the one-panel plane (whose
        # legend strip is wider, for long scenario names).
        wide, _ = check_png(os.path.join(out, "infection_risk.png"))
        narrow, _ = check_png(os.path.join(out, "ce_plane.png"))
        self.assertGreater(wide, 1.8 * narrow)

        # The plane's points are the draws' differences from the reference.
        with h5py.File(h5, "r") as f:
            cost, qalys = f["psa/cost"][()], f["psa/qalys"][()]
            ceac = f["psa/ceac"][()]
        rows = read_csv(os.path.join(out, "ce_plane.csv"))
        draws = [r for r in rows if r["scenario"] == "ivig_severe" and r["replicate"] != "expected"]
        self.assertEqual(len(draws), 12)
        for r in draws:
            k = int(r["replicate"])
            # ivig_severe is the study's fifth scenario
            self.assertAlmostEqual(float(r["incremental_cost"]), cost[k, 4] - cost[k, 0],
                                   delta=1e-6 * abs(cost[k, 4]))
            self.assertAlmostEqual(float(r["incremental_qalys"]), qalys[k, 4] - qalys[k, 0],
                                   delta=1e-9)
        curve = read_csv(os.path.join(out, "ceac.csv"))
        self.assertEqual(len(curve), ceac.shape[0])
        for w, r in enumerate(curve):
            self.assertAlmostEqual(float(r["antibiotics_then_ivig_nhs"]), ceac[w, 2], places=8)

        # Under PSA the bands are the 2.5% and 97.5% points of the draws.
        with h5py.File(h5, "r") as f:
            first = f["ivig_severe/summary/first_infections_by_baseline_grade"][()]
            base = f["ivig_severe/summary/patients_by_baseline_grade"][()]
        month = 24
        share = 100 * first[:, :month, 4].sum(axis=1) / base[:, 4]
        row = next(r for r in read_csv(os.path.join(out, "infection_risk.csv"))
                   if r["scenario"] == "ivig_severe" and r["baseline_grade"] == "very_severe"
                   and int(r["month"]) == month)
        self.assertAlmostEqual(float(row["infected_pct"]), share.mean(), places=6)
        self.assertAlmostEqual(float(row["low_pct"]), np.quantile(share, 0.025), places=6)
        self.assertAlmostEqual(float(row["high_pct"]), np.quantile(share, 0.975), places=6)

    def test_deterministic_study_has_a_plane_without_acceptability(self):
        h5 = self.make_run("det", "--set", "psa.sample=false", params=POLICIES,
                           settings=QUICK_STUDY)
        out = self.path("report")
        self.report(h5, out, "--format", "png")
        page = self.assert_figures(out, PER_SCENARIO + IMMUNE + ["ce_plane"], ["png"])
        self.assertFalse(os.path.exists(os.path.join(out, "ceac.png")))
        self.assertIn("acceptability curves need PSA draws", page)

    def test_the_data_behind_the_figures_is_the_files(self):
        h5 = self.make_run()
        out = self.path("report")
        self.report(h5, out)
        with h5py.File(h5, "r") as f:
            s = f["small/summary"]
            first = s["first_infections_by_baseline_grade"][()].sum(axis=0)
            base = s["patients_by_baseline_grade"][()].sum(axis=0)
            within = s["infected_within_window_by_baseline_grade"][()].sum(axis=0)
            months = s["person_months_by_grade"][()].sum(axis=0)
            episodes = s["episodes_by_grade_and_type"][()].sum(axis=0)
            serious = s["serious_episodes_by_grade"][()].sum(axis=0)
            occupancy = s["occupancy"][()].mean(axis=0)
            window = yaml_window(f["small"].attrs["parameters"])
        grades = ["none", "mild", "moderate", "severe", "very_severe"]
        risk = read_csv(os.path.join(out, "infection_risk.csv"))
        for g, grade in enumerate(grades):
            curve = [r for r in risk if r["baseline_grade"] == grade]
            self.assertEqual(len(curve), 37)
            self.assertEqual(float(curve[0]["infected_pct"]), 0.0)
            expected = 100 * np.concatenate([[0], np.cumsum(first[:-1, g])]) / base[g]
            got = np.array([float(r["infected_pct"]) for r in curve])
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
            # The curve at the window is the summary's window share.
            self.assertAlmostEqual(got[window], 100 * within[g] / base[g], places=7)
            # Wilson interval around it.
            k, n = within[g], base[g]
            p = k / n
            centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
            half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
            self.assertAlmostEqual(float(curve[window]["low_pct"]), 100 * (centre - half), places=6)
            self.assertAlmostEqual(float(curve[window]["high_pct"]), 100 * (centre + half), places=6)
        rates = read_csv(os.path.join(out, "infection_rates.csv"))
        for r in rates:
            g = grades.index(r["grade"])
            count = serious[g] if r["episodes"] == "serious" else \
                episodes[g, ["bacterial", "viral", "fungal"].index(r["episodes"])]
            self.assertAlmostEqual(float(r["per_100_patient_years"]), 1200 * count / months[g],
                                   places=6)
            self.assertLessEqual(float(r["low"]), float(r["per_100_patient_years"]))
            self.assertGreaterEqual(float(r["high"]), float(r["per_100_patient_years"]))
        # pandas reads the tables as they are (xarray brings it).
        import pandas as pd
        frame = pd.read_csv(os.path.join(out, "infection_risk.csv"))
        self.assertEqual(list(frame.columns), ["scenario", "baseline_grade", "patients", "month",
                                               "infected_pct", "low_pct", "high_pct"])
        self.assertEqual(len(frame), 5 * 37)
        self.assertTrue((frame.low_pct <= frame.infected_pct).all())
        # The risk curve by own IgG: the file's months and episodes by band.
        with h5py.File(h5, "r") as f:
            band_months = f["small/summary/igg_band_months"][()].sum(axis=0)
            band_episodes = f["small/summary/igg_band_episodes"][()].sum(axis=0)
        curve = read_csv(os.path.join(out, "igg_risk.csv"))
        self.assertEqual(len(curve), 16 * 2)
        for r in curve:
            b = int(r["igg_band_g_per_l"].split("-")[0].rstrip("+"))
            on = ["without_ivig", "with_ivig"].index(r["ivig"])
            self.assertAlmostEqual(float(r["patient_years"]), band_months[b, on] / 12, places=3)
            if band_months[b, on]:
                self.assertAlmostEqual(float(r["per_100_patient_years"]),
                                       1200 * band_episodes[b, on] / band_months[b, on],
                                       places=6)
        # Risk falls with IgG: the lowest band's rate above the highest's.
        low = next(r for r in curve if r["igg_band_g_per_l"] == "0-1" and r["ivig"] == "without_ivig")
        high = next(r for r in curve if r["igg_band_g_per_l"] == "15+" and r["ivig"] == "without_ivig")
        self.assertGreater(float(low["low"]), float(high["high"]))
        occ = read_csv(os.path.join(out, "occupancy.csv"))
        np.testing.assert_allclose([float(r["dead_pct"]) for r in occ], 100 * occupancy[:, 5],
                                   rtol=1e-9)

    def test_grade_models_draw_no_igg_figures(self):
        h5 = self.make_run("grades", "--set", "grades.model=pathway")
        out = self.path("report")
        self.report(h5, out)
        self.assert_figures(out, WITHOUT_IVIG[:-1], ["png", "svg"])
        for name in IMMUNE + ["igg_risk"]:
            self.assertFalse(os.path.exists(os.path.join(out, name + ".png")), name)

    def test_a_sweep_is_named_by_its_values_and_every_scenario_kept_apart(self):
        h5 = self.path("sweep.h5")
        r = run("sweep", os.path.join(SOURCE_DIR, "params", "sweeps", "ivig-threshold-dose.yaml"),
                "-o", h5, "--set", "cohort.patients=100", "--set", "cohort.horizon_months=12",
                "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("report")
        self.report(h5, out, "--format", "png")
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        # 18 scenarios, each named by the values it varies (the keys' last parts).
        labels = re.findall(r"<td>(igg_threshold_g_per_l=[^<]*)</td></tr>", page)
        self.assertEqual(len(set(labels)), 18)
        self.assertIn("igg_threshold_g_per_l=4, dose_mg_per_kg=600, titrate=true", labels)
        check_png(os.path.join(out, "ce_plane.png"))

    def test_a_sweep_of_strategies_is_decided_point_by_point(self):
        h5 = self.path("by-price.h5")
        r = run("sweep", os.path.join(SOURCE_DIR, "params", "sweeps", "ivig-policies-by-price.yaml"),
                "-o", h5, "--set", "cohort.patients=100", "--set", "cohort.replicates=4",
                "--set", "cohort.horizon_months=12", "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = self.path("report")
        self.report(h5, out, "--format", "png")
        with open(os.path.join(out, "index.html")) as f:
            self.assertIn('<table id="sweep_decision">', f.read())
        # No figure sets one point against another as if they were options.
        for name in ["ce_plane", "ceac", "evpi"]:
            self.assertFalse(os.path.exists(os.path.join(out, name + ".png")), name)
        with open(os.path.join(out, "sweep_decision.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(len(rows), 4 * 5)
        with h5py.File(h5, "r") as f:
            nmb, wtp = f["sweep/nmb"][()], f["sweep/wtp"][()]
            strategies = [s.decode() for s in f["sweep/strategy"][()]]
        shown = [int(k[len("preferred_"):]) for k in rows[0] if k.startswith("preferred_")]
        self.assertEqual(shown, [20000, 30000])  # the report's default --wtp
        for w in shown:
            column = nmb[list(wtp).index(w)]
            for p in range(4):
                chosen = [row["strategy"] for row in rows[5 * p:5 * p + 5]
                          if row["preferred_%d" % w] == "yes"]
                self.assertEqual(chosen, [strategies[int(np.argmax(column[5 * p:5 * p + 5]))]])

    def test_same_data_same_figure_other_data_other_figure(self):
        h5 = self.make_run()
        self.report(h5, self.path("a"))
        self.report(h5, self.path("b"))
        other = self.make_run("other", "--set",
                              "infection.share_within_window={none: 0.05, mild: 0.1, "
                              "moderate: 0.2, severe: 0.3, very_severe: 0.4}")
        self.report(other, self.path("c"))
        def read(d, n):
            with open(os.path.join(self.path(d), n), "rb") as f:
                return f.read()
        for name in ["infection_risk.png", "infection_risk.svg", "infection_rates.png"]:
            self.assertEqual(read("a", name), read("b", name), name)
            self.assertNotEqual(read("a", name), read("c", name), name)

    def test_an_earlier_report_is_replaced_and_nothing_else(self):
        h5 = self.make_run()
        out = self.path("report")
        self.report(h5, out)
        # A file the user added is theirs: refused, not deleted
        # (tests/test_outputs.py has the rest of the rule).
        with open(os.path.join(out, "notes.txt"), "w") as f:
            f.write("mine\n")
        r = run("report", h5, "-o", out, "--format", "svg")
        self.assertEqual(r.returncode, 2)
        self.assertIn("'notes.txt', which ipsim did not write", r.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "notes.txt")))
        os.remove(os.path.join(out, "notes.txt"))
        self.report(h5, out, "--format", "svg")
        self.assertFalse(os.path.exists(os.path.join(out, "occupancy.png")))
        self.assertTrue(os.path.exists(os.path.join(out, "occupancy.svg")))

        mine = self.path("mine")
        os.mkdir(mine)
        with open(os.path.join(mine, "thesis.tex"), "w") as f:
            f.write("precious\n")
        r = run("report", h5, "-o", mine)
        self.assertEqual(r.returncode, 2)
        self.assertIn("does not hold an ipsim report", r.stderr)
        self.assertEqual(os.listdir(mine), ["thesis.tex"])

        empty = self.path("empty")
        os.mkdir(empty)
        self.report(h5, empty)
        self.assertTrue(os.path.exists(os.path.join(empty, "index.html")))
        self.assertFalse([n for n in os.listdir(self.dir) if "ipsim-" in n])

    def test_bad_files_fail_clearly(self):
        good = self.make_run()
        with open(good, "rb") as f:
            data = f.read()
        truncated = self.path("truncated.h5")
        with open(truncated, "wb") as f:
            f.write(data[:len(data) // 2])
        text = self.write("notes.h5", "not an HDF5 file\n")
        foreign = self.path("foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = np.arange(3)
        incomplete = self.path("incomplete.h5")
        with open(incomplete, "wb") as f:
            f.write(data)
        with h5py.File(incomplete, "r+") as f:
            del f["small/summary/first_infections_by_baseline_grade"]
        cases = [(truncated, "truncated or damaged"), (text, "not an HDF5 file"),
                 (foreign, "not one written by ipsim"), (self.path("absent.h5"), "No such file"),
                 (incomplete, "missing dataset 'small/summary/first_infections_by_baseline_grade'")]
        for path, message in cases:
            out = self.path("out")
            r = run("report", path, "-o", out)
            self.assertEqual(r.returncode, 1, (path, r.stderr))
            self.assertIn(path, r.stderr)
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(out))
            self.assertFalse([n for n in os.listdir(self.dir) if "ipsim-" in n])

    def test_usage_errors(self):
        h5 = self.make_run()
        for args, message in [(["--format", "gif"], "--format takes png, svg and pdf"),
                              (["--format"], "--format needs a value"),
                              (["--wtp", "-5"], "--wtp takes"),
                              (["--colour", "red"], "unknown option '--colour'"),
                              ([], None)]:
            r = run("report", *([h5] if args else []), *args)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message or "usage: ipsim report", r.stderr)
        with open(self.path("file.txt"), "w") as f:
            f.write("x")
        r = run("report", h5, "-o", self.path("file.txt"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("exists and is not a directory", r.stderr)


# A two-strategy study for `ipsim dsa`, small enough to run in seconds
# (tests/test_dsa.py has the analysis' own tests): its tornado and
# threshold go into the report with --dsa.
DSA_STUDY = """name: price-study
base: %s
cohort: {patients: 1500, replicates: 1, horizon_months: 60}
output: {trajectories: none}
scenarios:
  no_ivig: {}
  ivig_severe:
    ivig: {policy: grade, grade_threshold: severe, stop_when_recovered: true}
""" % BASELINE
PRICE = "economics.ivig_price_per_gram"
TABLES = ["cea_table", "decision", "net_benefit", "evppi", "evsi", "thresholds", "parameters",
          "subgroup_decision"]


def browser():
    """Debian's chromium, or None (the browser test then skips unless
    IPSIM_REQUIRE_BROWSER=1, as scripts/test sets it)."""
    return shutil.which("chromium")


def number(cell):
    return float(cell) if cell != "" else float("nan")


class FullReport(unittest.TestCase):
    """One PSA study with a value-of-information analysis and a deterministic
    sensitivity analysis, reported once; the tests check the page's tables
    against what the other commands wrote, and the page in a browser."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="ipsim-report-")
        cls.dir = cls._tmp.name
        d = cls.dir
        cls.h5 = os.path.join(d, "psa.h5")
        steps = [
            ["run", POLICIES, "-o", cls.h5, "--set", "cohort.patients=300",
             "--set", "cohort.replicates=30", "--set", "cohort.horizon_months=48",
             "--csv", os.path.join(d, "run-csv"), "--quiet"],
            ["voi", cls.h5, os.path.join(SOURCE_DIR, "params", "voi", "ivig-policies.yaml"),
             "--csv", os.path.join(d, "voi-csv")],
        ]
        study = os.path.join(d, "study.yaml")
        with open(study, "w") as f:
            f.write(DSA_STUDY)
        dsa = os.path.join(d, "dsa")
        price = ["--range", PRICE + "=0:60"]
        steps += [
            ["dsa", study, "--quiet", "--wtp", "500000", *price,
             "--range", "ivig.rate_ratio_serious=0.3:0.9",
             "--range", "economics.serious_episode_cost.bacterial=2000:6000", "--csv", dsa],
            ["dsa", study, "--quiet", "--wtp", "500000", *price, "--threshold", PRICE,
             "--csv", dsa],
        ]
        for step in steps:
            r = run(*step)
            assert r.returncode == 0, r.stderr
        cls.out = os.path.join(d, "report")
        r = run("report", cls.h5, "-o", cls.out, "--dsa", dsa, "--quiet")
        assert r.returncode == 0, r.stderr
        cls.dsa = dsa

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def table(self, name):
        return read_csv(os.path.join(self.out, name + ".csv"))

    def test_every_table_is_on_the_page_and_linked(self):
        with open(os.path.join(self.out, "index.html")) as f:
            page = f.read()
        ET.fromstring(page.replace("<!DOCTYPE html>", ""))
        for name in TABLES + ["tornado", "evpi"]:
            self.assertIn('href="%s.csv"' % name, page)
            self.assertTrue(self.table(name), name)
        for name in TABLES:
            self.assertIn('<table id="%s">' % name, page)

    def test_subgroup_table_is_the_comparison(self):
        """The page's decision by subgroup is subgroups.csv's (ipsim run --csv): the
        preferred option and its probability at each WTP, for all 14 subgroups."""
        theirs = read_csv(os.path.join(self.dir, "run-csv", "subgroups.csv"))
        mine = self.table("subgroup_decision")
        self.assertEqual(len(mine), 14)
        for row in mine:
            rows = [r for r in theirs if r["subgroup"] == row["subgroup"]]
            self.assertAlmostEqual(float(row["share"]), float(rows[0]["share"]), places=9)
            wtps = [int(k[len("preferred_"):]) for k in row if k.startswith("preferred_")]
            self.assertTrue(wtps)  # the report's --wtp (default 20000, 30000)
            for w in wtps:
                best = [r for r in rows if r["preferred_%d" % w] == "1"]
                self.assertEqual(len(best), 1)
                self.assertEqual(row["preferred_%d" % w], best[0]["strategy"])
                self.assertAlmostEqual(float(row["probability_best_%d" % w]),
                                       float(best[0]["probability_cost_effective_%d" % w]),
                                       places=9)

    def test_icer_table_is_the_comparison(self):
        run_csv = os.path.join(self.dir, "run-csv")
        comparison = read_csv(os.path.join(run_csv, "comparison.csv"))
        table = self.table("cea_table")
        self.assertEqual([r["scenario"] for r in table], [r["scenario"] for r in comparison])
        for mine, theirs in zip(table, comparison):
            for a, b in [("cost", "cost_discounted"), ("qalys", "qalys_discounted"),
                         ("cost_low", "cost_low"),
                         ("cost_high", "cost_high"), ("qalys_low", "qalys_low"),
                         ("qalys_high", "qalys_high"), ("incremental_cost", "incremental_cost"),
                         ("incremental_qalys", "incremental_qalys"), ("icer", "icer")]:
                np.testing.assert_allclose(number(mine[a]), number(theirs[b]), rtol=1e-8,
                                           err_msg=a)
            self.assertEqual(mine["status"], theirs["status"])
            self.assertEqual(mine["compared_with"], theirs["compared_with"])
        # The increments' intervals are the draws' own 2.5% and 97.5% points.
        psa = read_csv(os.path.join(run_csv, "psa.csv"))
        row = next(r for r in table if r["compared_with"] and r["status"] == "frontier")
        a, b = row["scenario"], row["compared_with"]
        for kind in ["cost", "qalys"]:
            d = [float(p[kind + "_" + a]) - float(p[kind + "_" + b]) for p in psa]
            key = "incremental_" + kind
            np.testing.assert_allclose(
                [float(row[key + "_low"]), float(row[key + "_high"])],
                np.quantile(d, [0.025, 0.975]), rtol=1e-6, atol=1e-8)  # psa.csv: 10 digits

    def test_decision_net_benefit_and_evpi_are_the_grids(self):
        wtp = {float(r["wtp"]): r for r in read_csv(os.path.join(self.dir, "run-csv", "wtp.csv"))}
        decision = self.table("decision")
        self.assertEqual([float(r["wtp"]) for r in decision], [20000, 30000])
        for r in decision:
            grid = wtp[float(r["wtp"])]
            self.assertEqual(r["cost_effective"], grid["best_expected_nmb"])
            np.testing.assert_allclose(float(r["evpi"]), float(grid["evpi"]), rtol=1e-9)
            np.testing.assert_allclose(float(r["probability_cost_effective"]),
                                       float(grid["ceaf_probability"]), rtol=1e-9)
            np.testing.assert_allclose(float(r["nmb"]),
                                       float(grid["nmb_" + r["cost_effective"]]), rtol=1e-9)
        for r in self.table("net_benefit"):
            grid = wtp[float(r["wtp"])]
            np.testing.assert_allclose(float(r["nmb"]), float(grid["nmb_" + r["scenario"]]),
                                       rtol=1e-9)
            np.testing.assert_allclose(float(r["expected_loss"]),
                                       float(grid["expected_loss_" + r["scenario"]]), rtol=1e-9)
        curve = self.table("evpi")
        self.assertEqual([float(r["wtp"]) for r in curve], sorted(wtp))
        np.testing.assert_allclose([float(r["evpi"]) for r in curve],
                                   [float(wtp[w]["evpi"]) for w in sorted(wtp)], rtol=1e-9)

    def test_value_of_information_is_ipsim_vois(self):
        voi = read_csv(os.path.join(self.dir, "voi-csv", "voi.csv"))
        evppi = {(r["name"], float(r["wtp"])): r for r in voi if r["quantity"] == "evppi"}
        rows = self.table("evppi")
        self.assertEqual(len(rows), len(evppi))
        for w in [20000, 30000]:
            ranked = [r for r in rows if float(r["wtp"]) == w]
            values = [float(r["evppi"]) for r in ranked]
            self.assertEqual(values, sorted(values, reverse=True))
            self.assertEqual([int(r["rank"]) for r in ranked], list(range(1, len(ranked) + 1)))
            for r in ranked:
                np.testing.assert_allclose(float(r["evppi"]),
                                           float(evppi[r["group"], w]["per_patient"]), rtol=1e-9)
        evsi = {(r["name"], float(r["wtp"])): r for r in voi if r["quantity"] == "evsi"}
        rows = self.table("evsi")
        self.assertEqual(len(rows), len(evsi))
        for r in rows:
            theirs = evsi["%s.n=%s" % (r["study"], r["n"]), float(r["wtp"])]
            for a, b in [("evsi", "per_patient"), ("study_cost", "study_cost"),
                         ("net_gain", "net_gain"), ("population_evsi", "population")]:
                np.testing.assert_allclose(number(r[a]), number(theirs[b]), rtol=1e-9,
                                           err_msg=a)

    def test_tornado_and_thresholds_are_the_dsas(self):
        oneway = read_csv(os.path.join(self.dsa, "dsa_oneway.csv"))
        bars = self.table("tornado")
        self.assertEqual([r["input"] for r in bars],
                         [PRICE, "ivig.rate_ratio_serious", "economics.serious_episode_cost.bacterial"])
        for bar in bars:
            for end in ["low", "high"]:
                row = next(r for r in oneway if r["input"] == bar["input"] and r["end"] == end)
                self.assertEqual(float(bar[end]), float(row["value"]))
                self.assertEqual(float(bar["inb_" + end]), float(row["inb"]))
                self.assertEqual(int(bar["rank"]), int(row["rank"]))
        threshold = read_csv(os.path.join(self.dsa, "dsa_threshold.csv"))
        found = [r for r in threshold if r["kind"] == "threshold"]
        rows = self.table("thresholds")
        self.assertEqual(len(rows), len(found))
        for mine, theirs in zip(rows, found):
            self.assertEqual(mine["input"], theirs["input"])
            for a, b in [("threshold", "value"), ("low95", "low95"), ("high95", "high95")]:
                self.assertEqual(float(mine[a]), float(theirs[b]))
            self.assertEqual(mine["preferred_below"], theirs["preferred_below"])
            self.assertEqual(mine["preferred_above"], theirs["preferred_above"])
        check_png(os.path.join(self.out, "tornado.png"))

    def test_key_parameters_are_the_drawn_inputs_with_sources(self):
        with open(os.path.join(self.dir, "run-csv", "psa.csv"), newline="") as f:
            header = next(csv.reader(f))
        drawn = [h for h in header[1:] if not h.startswith(("cost_", "qalys_"))]
        rows = self.table("parameters")
        self.assertEqual([r["parameter"] for r in rows], drawn)
        self.assertTrue(all(r["source"] and r["distribution"] for r in rows))
        price = next(r for r in rows if r["parameter"] == PRICE)
        self.assertIn("distribution", price["distribution"])

    def test_bad_dsa_tables_are_named_by_file_and_line(self):
        bad = os.path.join(self.dir, "bad-dsa")
        os.makedirs(bad, exist_ok=True)
        with open(os.path.join(self.dsa, "dsa_oneway.csv")) as f:
            lines = f.read().splitlines()
        lines[3] = lines[3].replace(",low,", ",low,x", 1)
        with open(os.path.join(bad, "dsa_oneway.csv"), "w") as f:
            f.write("\n".join(lines) + "\n")
        r = run("report", self.h5, "-o", os.path.join(self.dir, "bad-report"), "--dsa", bad)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("dsa_oneway.csv, line 4", r.stderr)
        empty = os.path.join(self.dir, "no-dsa")
        os.makedirs(empty, exist_ok=True)
        r = run("report", self.h5, "-o", os.path.join(self.dir, "bad-report"), "--dsa", empty)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("neither dsa_oneway.csv nor dsa_threshold.csv", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "bad-report")))

    def load_in_browser(self, directory):
        """Loads DIR/index.html in headless Chromium; returns the <html>
        element's attributes after the load event (set by the page's test
        hook) and the console messages Chromium logged."""
        r = subprocess.run(
            [browser(), "--headless=new", "--no-sandbox", "--disable-gpu",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
             "--dump-dom", "file://" + os.path.join(directory, "index.html")],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        head = r.stdout[:r.stdout.index("<head>")]
        attributes = dict(re.findall(r'([a-z-]+)="([^"]*)"', head))
        console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l]
        return attributes, console

    def test_the_page_renders_in_a_browser(self):
        if not browser():
            if os.environ.get("IPSIM_REQUIRE_BROWSER") == "1":
                self.fail("chromium is not installed (scripts/test installs it)")
            self.skipTest("no chromium")
        with open(os.path.join(self.out, "index.html")) as f:
            images = re.findall(r'<img src="([^"]+)"', f.read())
        self.assertGreaterEqual(len(images), 10)
        attributes, console = self.load_in_browser(self.out)
        self.assertEqual(attributes.get("data-loaded"), "yes", attributes)
        self.assertEqual(attributes.get("data-images"), str(len(images)))
        self.assertEqual(attributes.get("data-broken-images"), "")
        self.assertNotIn("data-script-errors", attributes)
        self.assertEqual(console, [])
        shot = os.path.join(self.dir, "page.png")
        r = subprocess.run(
            [browser(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=1400,3000", "--screenshot=" + shot,
             "file://" + os.path.join(self.out, "index.html")],
            capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertEqual(check_png(shot), (1400, 3000))
        self.assertGreater(os.path.getsize(shot), 100000)  # not a blank page

        # The check can fail: an image gone, and a script error, are seen.
        broken = os.path.join(self.dir, "broken")
        shutil.copytree(self.out, broken)
        os.remove(os.path.join(broken, "ceac.png"))
        with open(os.path.join(broken, "index.html")) as f:
            page = f.read()
        with open(os.path.join(broken, "index.html"), "w") as f:
            f.write(page.replace("</body>", "<script>noSuchFunction();</script></body>"))
        attributes, console = self.load_in_browser(broken)
        self.assertEqual(attributes.get("data-broken-images"), "ceac.png")
        self.assertEqual(attributes.get("data-script-errors"), "1")
        self.assertTrue(any("noSuchFunction" in line for line in console), console)


class Teaching(Workdir):
    """docs/teaching.md's commands: three scenario files, one report."""

    def test_walkthrough(self):
        teaching = os.path.join(SOURCE_DIR, "params", "teaching")
        files = []
        for name in ["no-intervention", "ivig-severe", "vaccination"]:
            out = self.path(name + ".h5")
            r = run("run", os.path.join(teaching, name + ".yaml"), "-o", out, "--quiet")
            self.assertEqual(r.returncode, 0, r.stderr)
            files.append(out)
        out = self.path("teaching-report")
        r = run("report", *files, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("7 figures", r.stdout)
        for name in PER_SCENARIO + IMMUNE + ["ce_plane"]:
            check_png(os.path.join(out, name + ".png"))
            check_svg(os.path.join(out, name + ".svg"))
        # One IVIG panel, for the one scenario that gives it; three of the rest.
        one, _ = check_png(os.path.join(out, "ivig_use.png"))
        three, _ = check_png(os.path.join(out, "infection_risk.png"))
        self.assertLess(one, 0.6 * three)
        with open(os.path.join(out, "index.html")) as f:
            page = f.read()
        for scenario in ["no_intervention", "ivig_severe", "vaccination"]:
            self.assertIn("<td>%s</td><td>20,000</td>" % scenario, page)
        # Figures name scenarios readably; the page says which is which.
        for label in ["No intervention", "IVIG severe", "Vaccination"]:
            self.assertIn("<td>%s</td></tr>" % label, page)

        # What the walkthrough says the pictures show. IVIG only where given:
        ivig = read_csv(os.path.join(out, "ivig_use.csv"))
        given = {s: max(float(r["on_ivig_pct_of_living"]) for r in ivig if r["scenario"] == s)
                 for s in ["no_intervention", "ivig_severe", "vaccination"]}
        self.assertEqual(given["no_intervention"], 0)
        self.assertEqual(given["vaccination"], 0)
        self.assertGreater(given["ivig_severe"], 20)
        # ... and the share of the living, month by month, as the file counts it.
        with h5py.File(files[1], "r") as f:
            on = f["ivig_severe/summary/on_ivig"][()].sum(axis=0)
            dead = f["ivig_severe/summary/occupancy"][()][:, :, 5]
            living = (20000 * (1 - dead)).sum(axis=0)
        curve = [float(r["on_ivig_pct_of_living"]) for r in ivig if r["scenario"] == "ivig_severe"]
        np.testing.assert_allclose(curve, 100 * on[:-1] / living[:-1], rtol=1e-9)
        # Risk climbs with grade at diagnosis without intervention, and IVIG
        # lowers it for the very severe (the curves' 95% intervals apart).
        risk = {(r["scenario"], r["baseline_grade"]): r
                for r in read_csv(os.path.join(out, "infection_risk.csv")) if r["month"] == "24"}
        grades = ["none", "mild", "moderate", "severe", "very_severe"]
        shares = [float(risk["no_intervention", g]["infected_pct"]) for g in grades]
        self.assertEqual(shares, sorted(shares))
        self.assertLess(float(risk["ivig_severe", "very_severe"]["high_pct"]),
                        float(risk["no_intervention", "very_severe"]["low_pct"]))
        # Vaccination prevents some bacterial and viral episodes: the same
        # patients (common random numbers) have fewer, by more than 4 SEs
        # of the paired difference. (Grade by grade the effect is smaller
        # than its independent-sample SE at this cohort size.)
        episodes = []
        for path, name in [(files[0], "no_intervention"), (files[2], "vaccination")]:
            with h5py.File(path, "r") as f:
                episodes.append(f[name + "/patients/infections_by_type"][0].astype(float))
        for t, kind in [(0, "bacterial"), (1, "viral")]:
            d = episodes[1][:, t] - episodes[0][:, t]
            se = d.std(ddof=1) / np.sqrt(len(d))
            self.assertLess(d.mean(), -4 * se, kind)


def yaml_window(parameters):
    import yaml
    return int(yaml.safe_load(parameters)["infection"]["window_months"])


def r_with_hdf5r():
    if not shutil.which("Rscript"):
        return False
    return subprocess.run(["Rscript", "-e", "library(hdf5r)"], capture_output=True).returncode == 0


class Examples(Workdir):
    """docs/examples/ runs as documented on a real file, and prints the
    shares the file's own window counts give."""

    def example(self, command):
        h5 = self.path("run.h5")
        r = run("run", BASELINE, "-o", h5, *SMALL, "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        png = self.path("curve.png")
        r = subprocess.run([*command, h5, png], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        check_png(png)
        with h5py.File(h5, "r") as f:
            s = f["small/summary"]
            within = s["infected_within_window_by_baseline_grade"][()].sum(axis=0)
            base = s["patients_by_baseline_grade"][()].sum(axis=0)
        for grade, k, n in zip(["none", "mild", "moderate", "severe", "very_severe"], within, base):
            self.assertIn("%s: %.1f%%" % (grade, 100 * k / n), r.stdout)

    def test_python_example_draws_the_curve(self):
        self.example(["/usr/bin/python3",
                      os.path.join(SOURCE_DIR, "docs", "examples", "infection_risk.py")])

    # scripts/test installs R's hdf5r and sets IPSIM_REQUIRE_R, so that CI
    # cannot skip this; elsewhere it runs where R and hdf5r are installed.
    @unittest.skipUnless(os.environ.get("IPSIM_REQUIRE_R") or r_with_hdf5r(),
                         "needs Rscript and hdf5r (Debian: r-cran-hdf5r)")
    def test_r_example_draws_the_curve(self):
        self.example(["Rscript", os.path.join(SOURCE_DIR, "docs", "examples", "infection_risk.R")])


if __name__ == "__main__":
    unittest.main()
