"""End-to-end tests of the subgroup analysis (analysis/subgroups.h): the
file's per-replicate subgroup tallies against the per-patient records, and
subgroups.csv's expectations, intervals, ICERs and probabilities against
the same computed by hand from those tallies.

Run by ctest with IPSIM (the program) and IPSIM_SOURCE_DIR set; needs
Debian's python3-h5py and python3-numpy (/usr/bin/python3)."""
import csv
import os
import subprocess
import tempfile
import unittest

import h5py
import numpy as np

IPSIM = os.environ.get("IPSIM", "build/ipsim")
SOURCE_DIR = os.path.abspath(os.environ.get("IPSIM_SOURCE_DIR", "."))
STUDY = os.path.join(SOURCE_DIR, "params", "ivig-policies.yaml")
SUBGROUPS = (["grade_none", "grade_mild", "grade_moderate", "grade_severe", "grade_very_severe",
              "type_igg", "type_iga", "type_light_chain", "riss_i", "riss_ii", "riss_iii",
              "age_under_65", "age_65_to_74", "age_75_and_over"])
WTP = (20000, 30000, 50000)


def run(*args):
    r = subprocess.run([IPSIM, *args], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


class Subgroups(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="ipsim-subgroups-")
        cls.dir = cls._tmp.name
        cls.h5 = os.path.join(cls.dir, "study.h5")
        cls.csv = os.path.join(cls.dir, "tables")
        cls.out = run("run", STUDY, "--set", "cohort.patients=400", "--set",
                      "cohort.replicates=40", "--set", "output.patient_records=true",
                      "-o", cls.h5, "--csv", cls.csv).stdout
        with open(os.path.join(cls.csv, "subgroups.csv"), newline="") as f:
            cls.rows = list(csv.DictReader(f))
        with h5py.File(cls.h5, "r") as f:
            cls.scenarios = [s.decode() if isinstance(s, bytes) else s
                             for s in f["scenarios"][()]]

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_tallies_are_the_patients_sums(self):
        """economics/subgroup_* hold, per replicate, each subgroup's patients and the
        fixed-point sums of their discounted costs and QALYs, recomputed here from
        the per-patient records; each dimension's sums add up to the total."""
        with h5py.File(self.h5, "r") as f:
            for s in self.scenarios:
                g = f[s]
                grade = g["patients/baseline_grade"][()].astype(int)
                mtype = g["patients/myeloma_type"][()].astype(int)
                riss = g["patients/riss"][()].astype(int)
                age = g["patients/age"][()].astype(int)
                band = np.where(age < 65, 0, np.where(age < 75, 1, 2))
                member = np.stack([grade, 5 + mtype, 8 + riss, 11 + band])  # [dim, R, N]
                patients = g["economics/subgroup_patients"][()]
                sums = g["economics/subgroup_sum_fixed_point"][()]
                total = g["economics/sum_fixed_point"][()]
                cost = np.round(g["economics/cost_discounted"][()] / 1e-2).astype(np.int64)
                qalys = np.round(g["economics/qalys_discounted"][()] / 1e-9).astype(np.int64)
                R = cost.shape[0]
                for r in range(R):
                    for k in range(14):
                        who = (member[:, r, :] == k).any(axis=0)
                        self.assertEqual(patients[r, k], who.sum(), (s, r, k))
                        self.assertEqual(sums[r, k, 1], cost[r, who].sum(), (s, r, k))
                        self.assertEqual(sums[r, k, 3], qalys[r, who].sum(), (s, r, k))
                    for first, count in ((0, 5), (5, 3), (8, 3), (11, 3)):
                        self.assertTrue(np.array_equal(sums[r, first:first + count].sum(axis=0),
                                                       total[r]))
                        self.assertEqual(patients[r, first:first + count].sum(), 400)

    def by_hand(self, scenario, k):
        """Per-draw discounted mean cost and QALYs of subgroup k (NaN without patients)."""
        with h5py.File(self.h5, "r") as f:
            patients = f[scenario]["economics/subgroup_patients"][()][:, k].astype(float)
            sums = f[scenario]["economics/subgroup_sum_fixed_point"][()][:, k, :].astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums[:, 1] * 1e-2 / patients, sums[:, 3] * 1e-9 / patients

    def test_table_is_the_draws(self):
        """subgroups.csv: each subgroup's expected cost and QALYs are the mean of the
        draws' means, the incremental intervals their 2.5%/97.5% points against the
        reference, the probabilities the share of draws in which each is best."""
        self.assertEqual(len(self.rows), 14 * len(self.scenarios))
        ref = self.scenarios[0]
        for k, name in enumerate(SUBGROUPS):
            rows = {r["strategy"]: r for r in self.rows if r["subgroup"] == name}
            self.assertEqual(list(rows), self.scenarios)
            draws = {s: self.by_hand(s, k) for s in self.scenarios}
            valid = ~np.isnan(draws[ref][0])
            for s in self.scenarios:
                c, q = draws[s]
                self.assertAlmostEqual(float(rows[s]["cost"]), c[valid].mean(),
                                       delta=1e-6 * abs(c[valid].mean()))
                self.assertAlmostEqual(float(rows[s]["qalys"]), q[valid].mean(), delta=1e-9)
                dc = c[valid] - draws[ref][0][valid]
                self.assertAlmostEqual(float(rows[s]["incremental_cost_high"]),
                                       np.quantile(dc, 0.975), delta=1e-6 * (1 + abs(dc).max()))
            for w in WTP:
                nmb = np.stack([w * draws[s][1][valid] - draws[s][0][valid]
                                for s in self.scenarios])
                best = nmb.argmax(axis=0)
                for i, s in enumerate(self.scenarios):
                    self.assertAlmostEqual(float(rows[s][f"probability_cost_effective_{w}"]),
                                           (best == i).mean(), delta=1e-12)
                expected = max(self.scenarios, key=lambda s: float(rows[s][f"nmb_{w}"]))
                self.assertEqual(rows[expected][f"preferred_{w}"], "1")
        # The shares of each dimension add up to one.
        for first, count in ((0, 5), (5, 3), (8, 3), (11, 3)):
            shares = [float(next(r for r in self.rows if r["subgroup"] == SUBGROUPS[k])["share"])
                      for k in range(first, first + count)]
            self.assertAlmostEqual(sum(shares), 1.0, places=12)

    def test_icers_follow_the_incremental_rules(self):
        """In every subgroup the frontier's ICERs are the differences of the
        expectations between each frontier strategy and the one it is compared with."""
        for name in SUBGROUPS:
            rows = {r["strategy"]: r for r in self.rows if r["subgroup"] == name}
            for s, r in rows.items():
                if r["status"] == "frontier" and r["compared_with"]:
                    o = rows[r["compared_with"]]
                    c1, c0, q1, q0 = (float(r["cost"]), float(o["cost"]), float(r["qalys"]),
                                      float(o["qalys"]))
                    icer = (c1 - c0) / (q1 - q0)
                    # The CSV's numbers carry 10 significant digits: the ICER from them
                    # is as exact as its differences allow.
                    rounding = 1e-9 * ((abs(c1) + abs(c0)) / abs(c1 - c0) +
                                       (abs(q1) + abs(q0)) / abs(q1 - q0))
                    self.assertAlmostEqual(float(r["icer"]), icer,
                                           delta=(rounding + 1e-6) * abs(icer))

    def test_printed(self):
        self.assertIn("The decision by subgroup at diagnosis", self.out)
        for name in SUBGROUPS:
            self.assertIn(name, self.out)


if __name__ == "__main__":
    unittest.main()
