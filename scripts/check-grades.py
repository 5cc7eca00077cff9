#!/usr/bin/python3
"""scripts/check-grades.py FILE.h5 [FILE.h5 ...]: checks, from the file alone,
that the immunoparesis grades an ipsim run wrote follow from the immunoglobulin
levels it wrote (grades.model: levels, output.trajectories: dense;
docs/output-format.md, "Trajectories").

For every scenario group with the level trajectories `igg`, `iga`, `igm`:
  - each level is NaN exactly where `grade` is dead;
  - at every living patient-month the grade recomputed from the three levels,
    the patient's `patients/myeloma_type` and the limits of the group's
    `parameters` attribute (immunoglobulins.lower_limit_g_per_l,
    severe_fraction, near_detection_g_per_l) equals the stored `grade`;
  - `patients/levels_at_diagnosis` equals the levels at month 0.
The rule is models/immunoglobulins.c's (ipsim_ig_grade_of_levels), restated:
a class's level is in band 0 at or above its lower limit of normal (LLN),
1 at or above severe_fraction x LLN, 2 at or above the near-detection level,
3 below it. The grade counts the uninvolved classes (not the M-protein's: IgG
in IgG myeloma, IgA in IgA myeloma; light-chain myeloma has three) that are
below band 0: none if none; mild if one and not all; moderate if two or more
but not all, or all with none below band 1; severe if all and the deepest in
band 2; very severe if all and one in band 3. Levels are float32 and compared
as doubles, as ipsim compares them.

Exit 0 if every scenario checked agrees, 1 with each kind of disagreement (the
first few cells named), 2 if a file has no scenario with level trajectories
or cannot be read."""
import sys

import h5py
import numpy as np
import yaml

CLASSES = ("igg", "iga", "igm")
DEAD = 5                      # the `state` enumeration's dead
MYELOMA_IGG, MYELOMA_IGA = 0, 1
NONE, MILD, MODERATE, SEVERE, VERY_SEVERE = range(5)
SLICE = 1 << 15               # patients per read


def limits(parameters):
    """[class] LLN, severe limit and near-detection level (g/L) as doubles."""
    ig = yaml.safe_load(parameters)["immunoglobulins"]
    lln = np.array([float(ig["lower_limit_g_per_l"][c]) for c in CLASSES])
    severe = float(ig["severe_fraction"]) * lln
    near = np.array([float(ig["near_detection_g_per_l"][c]) for c in CLASSES])
    return lln, severe, near


def bands(level, lln, severe, near):
    """Band 0-3 of each level (float32, compared as doubles) of one class."""
    x = level.astype(np.float64)
    return np.where(x >= lln, 0, np.where(x >= severe, 1, np.where(x >= near, 2, 3)))


def grades(levels, myeloma, lims):
    """The grade at every cell from levels [class][patients, months] and the
    patients' myeloma types [patients]."""
    lln, severe, near = lims
    band = [bands(levels[c], lln[c], severe[c], near[c]) for c in range(3)]
    myeloma = myeloma[:, None]
    uninvolved = [myeloma != MYELOMA_IGG, myeloma != MYELOMA_IGA, np.ones_like(myeloma, bool)]
    classes = sum(u.astype(int) for u in uninvolved)
    low = sum((u & (b > 0)).astype(int) for u, b in zip(uninvolved, band))
    deepest = np.maximum.reduce([np.where(u, b, 0) for u, b in zip(uninvolved, band)])
    every = np.where(deepest == 3, VERY_SEVERE, np.where(deepest == 2, SEVERE, MODERATE))
    some = np.where(low == 1, MILD, MODERATE)
    return np.where(low == 0, NONE, np.where(low < classes, some, every))


def check_scenario(f, name, report):
    g = f[name]
    lims = limits(g.attrs["parameters"])
    grade, myeloma = g["grade"], g["patients/myeloma_type"]
    at_diagnosis = g["patients/levels_at_diagnosis"]
    R, N, M = grade.shape
    cells = living = 0
    for r in range(R):
        for first in range(0, N, SLICE):
            rows = slice(first, min(first + SLICE, N))
            stored = grade[r, rows, :].astype(np.int64)
            levels = [g[c][r, rows, :] for c in CLASSES]
            dead = stored == DEAD
            for c, level in zip(CLASSES, levels):
                wrong = np.isnan(level) != dead
                report(wrong, "%s/%s is NaN where the patient is alive, or a number where dead"
                       % (name, c), r, first)
            alive = ~dead
            computed = grades(levels, myeloma[r, rows].astype(np.int64), lims)
            report(alive & (computed != stored),
                   "%s/grade differs from the grade of the levels" % name, r, first)
            diagnosis = at_diagnosis[r, rows, :]
            month0 = np.stack([level[:, 0] for level in levels], axis=1)
            report(~((diagnosis == month0) | (np.isnan(diagnosis) & np.isnan(month0))),
                   "%s/patients/levels_at_diagnosis differs from the levels at month 0" % name,
                   r, first)
            cells += stored.size
            living += int(alive.sum())
    return cells, living


def main(paths):
    if not paths:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    problems = 0
    for path in paths:
        shown = {}

        def report(wrong, what, r, first):
            nonlocal problems
            if not wrong.any():
                return
            problems += int(wrong.sum())
            if shown.get(what, 0) < 5:
                for p, m in list(zip(*np.nonzero(wrong)))[: 5 - shown.get(what, 0)]:
                    print("%s: %s: replicate %d, patient %d, month row %d"
                          % (path, what, r, first + p, m if wrong.ndim > 1 else 0))
                    shown[what] = shown.get(what, 0) + 1

        try:
            with h5py.File(path, "r") as f:
                names = [n.decode() if isinstance(n, bytes) else n for n in f["scenarios"][()]]
                checked = [n for n in names if all(c in f[n] for c in CLASSES)]
                if not checked:
                    print("%s: no scenario has level trajectories (grades.model: levels and "
                          "output.trajectories: dense)" % path, file=sys.stderr)
                    return 2
                for name in checked:
                    cells, living = check_scenario(f, name, report)
                    print("%s: scenario '%s': %d patient-months, %d living, checked"
                          % (path, name, cells, living))
        except (OSError, KeyError) as e:
            print("%s: cannot read: %s" % (path, e), file=sys.stderr)
            return 2
    print("check-grades: %d disagreement(s)" % problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
