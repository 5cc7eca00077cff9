"""End-to-end tests of the immunoglobulin levels in the output file
(grades.model: levels; docs/output-format.md): the grade recomputed from the
stored levels alone (scripts/check-grades.py) is the stored grade at every
living patient-month, and the check fails on altered levels; the summary's
level tallies and mean levels agree with the per-patient data, survive a
reading back (`ipsim summary`), and an altered tally is refused.

Run by ctest like test_cli (IPSIM, IPSIM_SOURCE_DIR)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import yaml
import numpy as np

from test_cli import BASELINE, SOURCE_DIR, run

CHECK = os.path.join(SOURCE_DIR, "scripts", "check-grades.py")
# Several trajectory chunks per replicate (M = 601 and the levels' 4-byte
# rows: 436 patients a chunk), the last one short; many deaths over 50 years.
LEVELS = ["--set", "grades.model=levels", "--set", "cohort.patients=4000",
          "--set", "cohort.replicates=2", "--set", "cohort.horizon_months=600",
          "--set", "output.trajectories=dense", "--set", "name=levels"]
# Levels on a band's edge that float32 cannot hold: with so narrow an IgG
# distribution its bands below the LLN have no mass, so a patient moved into
# band 2 gets the band's lower edge, near-detection 0.7 g/L, which as a
# float32 (0.69999999) lies in band 3 unless kept in its band.
EDGES = ["--set", "grades.model=levels", "--set", "cohort.patients=3000",
         "--set", "cohort.horizon_months=120", "--set", "name=levels",
         "--set", "immunoglobulins.log_sd={igg: 0.01, iga: 1.106, igm: 0.727}",
         "--set", "immunoglobulins.near_detection_g_per_l={igg: 0.7, iga: 0.1, igm: 0.1}"]
CLASSES = ("igg", "iga", "igm")
CR, DEAD = 0, 5


def check(path):
    return subprocess.run([sys.executable, CHECK, path], capture_output=True, text=True,
                          timeout=300)


class Levels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="ipsim-levels-")
        cls.file = os.path.join(cls._tmp.name, "levels.h5")
        r = run("run", BASELINE, "-o", cls.file, *LEVELS)
        assert r.returncode == 0, r.stderr
        cls.printed = r.stdout
        cls.edges = os.path.join(cls._tmp.name, "edges.h5")
        r = run("run", BASELINE, "-o", cls.edges, *EDGES, "--quiet")
        assert r.returncode == 0, r.stderr

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def altered(self, name, change):
        """A copy of the file with change(scenario group) applied."""
        path = os.path.join(self._tmp.name, name)
        shutil.copyfile(self.file, path)
        with h5py.File(path, "r+") as f:
            change(f["levels"])
        return path

    def test_grades_follow_from_the_stored_levels(self):
        for path in [self.file, self.edges]:
            r = check(path)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("check-grades: 0 disagreement(s)", r.stdout)
        with h5py.File(self.edges, "r") as f:
            igg = f["levels/igg"][()]
            edge = np.nextafter(np.float32(0.7), np.float32(1))
            self.assertGreater((igg == edge).sum(), 1000)
        with h5py.File(self.file, "r") as f:
            g = f["levels"]
            for c in CLASSES:
                self.assertEqual(g[c].shape, (2, 4000, 601))
                self.assertEqual(g[c].dtype, np.float32)
                self.assertEqual(g[c].attrs["units"], "g/L")
                self.assertEqual([d[0].name for d in g[c].dims],
                                 ["/levels/replicate", "/levels/patient", "/levels/month"])
                # Deflated as they are: a patient's months repeat, runs
                # that shuffling would split into byte planes.
                self.assertEqual(g[c].compression, "gzip")
                self.assertFalse(g[c].shuffle)
            grade = g["grade"][()]
            # Both living and dead cells, every grade among the living.
            self.assertTrue((grade == DEAD).any() and (grade != DEAD).any())
            self.assertEqual(set(np.unique(grade[grade != DEAD])), {0, 1, 2, 3, 4})

    def test_the_check_fails_on_altered_levels(self):
        with h5py.File(self.file, "r") as f:
            g = f["levels"]
            grade, igg = g["grade"][0], g["igg"][0]
            myeloma = g["patients/myeloma_type"][0]
            lln = 5.3  # immunoglobulins.lower_limit_g_per_l.igg, as in the parameters
            self.assertIn("lower_limit_g_per_l: {igg: 5.3", g.attrs["parameters"])
        # A level moved out of its band (as without the clamp to the band):
        # an IgA-myeloma patient's IgG from normal to just below the LLN.
        p, m = next((p, m) for p, m in zip(*np.nonzero((grade == 0) & (igg >= lln)))
                    if myeloma[p] == 1)

        def out_of_band(g):
            g["igg"][0, p, m] = np.float32(lln) - np.float32(0.01)
        # A patient's level row one month late, for an IgA-myeloma patient
        # (two uninvolved classes: IgG crossing the LLN always changes the
        # grade) whose IgG crosses the LLN while alive.
        changes = [q for q in range(len(igg)) if myeloma[q] == 1 and grade[q, 0] != DEAD and
                   len(set((igg[q][grade[q] != DEAD] >= lln).tolist())) == 2]
        self.assertTrue(changes)
        q = changes[0]

        def shifted(g):
            row = igg[q].copy()
            row[1:] = igg[q][:-1]
            row[grade[q] == DEAD] = np.nan
            g["igg"][0, q, :] = row

        # A level where the patient is dead.
        d, e = np.argwhere(grade == DEAD)[0]

        def level_when_dead(g):
            g["iga"][0, d, e] = 1.0

        for name, change, message in [("band.h5", out_of_band, "grade differs"),
                                      ("shifted.h5", shifted, "grade differs"),
                                      ("dead.h5", level_when_dead, "a number where dead")]:
            with self.subTest(name):
                r = check(self.altered(name, change))
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn(message, r.stdout)

    def test_states_are_dense_without_the_levels(self):
        """output.trajectories: states writes every trajectory but the
        levels, each the same as dense's; the summaries are the same too."""
        path = os.path.join(self._tmp.name, "states.h5")
        r = run("run", BASELINE, "-o", path, *LEVELS, "--set", "output.trajectories=states",
                "--quiet")
        self.assertEqual(r.returncode, 0, r.stderr)
        with h5py.File(self.file, "r") as dense, h5py.File(path, "r") as states:
            d, s = dense["levels"], states["levels"]
            for name in CLASSES:
                self.assertIn(name, d)
                self.assertNotIn(name, s)
            for name in ("grade", "infections", "phase"):
                np.testing.assert_array_equal(s[name][()], d[name][()], err_msg=name)
            for name in d["summary"]:
                np.testing.assert_array_equal(s["summary"][name][()], d["summary"][name][()],
                                              err_msg=name)

    def test_the_check_refuses_a_file_without_levels(self):
        path = os.path.join(self._tmp.name, "grades.h5")
        r = run("run", BASELINE, "-o", path, "--set", "cohort.patients=100", "--quiet",
                "--set", "grades.model=pathway")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = check(path)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no scenario has level trajectories", r.stderr)

    def test_summary_tallies_agree_with_the_patients(self):
        with h5py.File(self.file, "r") as f:
            g = f["levels"]
            s = g["summary"]
            x = g["patients/levels_at_diagnosis"][()].astype(np.float64)
            y = g["patients/levels_after_induction"][()].astype(np.float64)
            response = g["patients/response"][()]
            myeloma = g["patients/myeloma_type"][()]
            self.assertEqual(s["level_patients"][()].tolist(), [4000, 4000])
            self.assertEqual(s["igg_below_4_at_diagnosis"][()].tolist(),
                             (x[:, :, 0] < 4).sum(axis=1).tolist())
            for c in range(3):
                uninvolved = myeloma != c if c < 2 else np.ones_like(myeloma, bool)
                who = (response == CR) & ~np.isnan(y[:, :, c]) & uninvolved
                self.assertEqual(s["cr_level_patients"][:, c].tolist(),
                                 who.sum(axis=1).tolist())
                for r in range(2):
                    a = np.floor(x[r, who[r], c] * 1000 + 0.5).astype(np.int64)
                    b = np.floor(y[r, who[r], c] * 1000 + 0.5).astype(np.int64)
                    want = [a.sum(), b.sum(), (a * a).sum(), (b * b).sum(), (a * b).sum()]
                    self.assertEqual(s["cr_level_sums"][r, c].tolist(), want)
            # The mean of the living, month by month, from the trajectories
            # (the file sums whole mg/L: within half a mg/L).
            mean = s["mean_level_by_month"][()]
            alive = (g["grade"][()] != DEAD).sum(axis=1)
            for c, name in enumerate(CLASSES):
                level = g[name][()].astype(np.float64)
                with np.errstate(invalid="ignore"):
                    want = np.nansum(level, axis=1) / alive
                self.assertTrue(np.isnan(mean[:, :, c][alive == 0]).all())
                np.testing.assert_allclose(mean[:, :, c][alive > 0], want[alive > 0],
                                           rtol=0, atol=5e-4)
            # Everybody alive at diagnosis, nobody after 50 years.
            self.assertTrue((alive[:, 0] == 4000).all() and (alive[:, -1] == 0).all())

    def test_igg_curves_without_ivig(self):
        # Without IVIG the IgG with given immunoglobulin is own IgG, and
        # every month lived is in one band, none of them with IVIG.
        with h5py.File(self.file, "r") as f:
            s = f["levels/summary"]
            mean = s["mean_level_by_month"][:, :, 0]
            with_ivig = s["mean_igg_with_ivig_by_month"][()]
            np.testing.assert_array_equal(np.isnan(with_ivig), np.isnan(mean))
            np.testing.assert_array_equal(with_ivig[~np.isnan(mean)], mean[~np.isnan(mean)])
            months = s["igg_band_months"][()]
            self.assertEqual(months.shape, (2, 16, 2))
            self.assertEqual(months[:, :, 1].sum(), 0)
            self.assertEqual(months.sum(axis=(1, 2)).tolist(),
                             s["person_months_by_grade"][()].sum(axis=1).tolist())

    def test_summary_reads_the_tallies_back(self):
        r = run("summary", self.file)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = lambda text: [l for l in text.splitlines()
                              if l.startswith("Polyclonal") or "IgG below 4 g/L" in l]
        self.assertEqual(len(lines(self.printed)), 2, self.printed)
        self.assertEqual(lines(r.stdout), lines(self.printed))

    def test_altered_level_tallies_are_refused(self):
        def fewer(g):
            g["summary/level_patients"][0] = 3999

        def below(g):
            g["summary/igg_below_4_at_diagnosis"][1] = 4001

        def sums(g):
            g["summary/cr_level_sums"][0, 1, 2] = -5

        def nan_mean(g):
            g["summary/mean_level_by_month"][0, 3, 0] = np.nan

        def orphan_sum(g):
            g["summary/cr_level_patients"][0, 0] = 0

        for name, change, message in [
                ("fewer.h5", fewer, "level_patients is not the cohort"),
                ("below.h5", below, "more patients than"),
                ("sums.h5", sums, "a negative count"),
                ("nan.h5", nan_mean, "mean_level_by_month holds an impossible level"),
                ("orphan.h5", orphan_sum, "cr_level_sums holds sums over no patient")]:
            with self.subTest(name):
                path = self.altered(name, change)
                r = run("summary", path)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(path, r.stderr)
                self.assertIn(message, r.stderr)


if __name__ == "__main__":
    unittest.main()


class IvigCurves(unittest.TestCase):
    """The risk curve by IgG and the IgG with given immunoglobulin, recomputed
    from the trajectories of an IVIG policy by IgG (params/ivig-igg.yaml)."""

    def test_curves_follow_from_the_trajectories(self):
        with tempfile.TemporaryDirectory(prefix="ipsim-igg-curves-") as tmp:
            path = os.path.join(tmp, "igg.h5")
            r = run("run", os.path.join(SOURCE_DIR, "params", "ivig-igg.yaml"), "-o", path,
                    "--quiet", "--set", "cohort.patients=3000", "--set",
                    "cohort.horizon_months=120", "--set", "output.trajectories=dense")
            self.assertEqual(r.returncode, 0, r.stderr)
            with h5py.File(path, "r") as f:
                name = next(k for k in f if k not in ("scenarios", "comparison", "psa"))
                g = f[name]
                params = yaml.safe_load(g.attrs["parameters"])
                igg = g["igg"][0].astype(np.float64)
                grams = g["ivig"][0].astype(np.float64)
                infections = g["infections"][0].astype(np.int64)
                weight = g["patients/weight_kg"][0].astype(np.float64)
                s = g["summary"]
                months, episodes = s["igg_band_months"][0], s["igg_band_episodes"][0]
                with_ivig = s["mean_igg_with_ivig_by_month"][0]
        N, M = igg.shape
        alive = ~np.isnan(igg[:, :-1])
        band = np.minimum(np.floor(np.nan_to_num(igg[:, :-1])), 15).astype(int)
        on = (grams[:, :-1] > 0).astype(int)
        want_months, want_episodes = np.zeros((16, 2), int), np.zeros((16, 2), int)
        np.add.at(want_months, (band[alive], on[alive]), 1)
        np.add.at(want_episodes, (band[alive], on[alive]), infections[:, :-1][alive])
        np.testing.assert_array_equal(months, want_months)
        np.testing.assert_array_equal(episodes, want_episodes)
        self.assertGreater(want_months[:, 1].sum(), 0)
        # The trough rise, replayed from the grams given (models/ivig.h): a
        # dose D mg/kg raises the steady state by r D 28 / interval / 100
        # g/L, and D = grams x 1000 / (weight x infusions a cycle).
        iv = params["ivig"]
        cycle_days = 365.25 / 12
        steady = (iv["trough_rise_per_100_mg_per_kg"] / 100 * 28 * grams * 1000 /
                  (weight[:, None] * cycle_days))
        decay = 2 ** (-cycle_days / iv["half_life_days"])
        rise = np.zeros(N)
        total = np.zeros(M)
        for m in range(M):
            living = ~np.isnan(igg[:, m])
            total[m] = (igg[living, m] + rise[living]).sum() / max(living.sum(), 1)
            if m + 1 < M:
                given = grams[:, m] > 0
                rise = np.where(given, rise * decay + steady[:, m] * (1 - decay), rise * decay)
                rise[~given & (rise < 0.01)] = 0
        living = ~np.isnan(with_ivig)
        # Not a statistical tolerance: the replay is exact but for rounding. The
        # file keeps each IgG as float32 (about 7 digits) and the grams as given,
        # while the summary summed doubles; means of about 5-10 g/L agree to
        # 1e-3 g/L.
        np.testing.assert_allclose(with_ivig[living], total[living], rtol=0, atol=1e-3)
        self.assertGreater(with_ivig[24], total[0])
