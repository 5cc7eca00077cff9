"""ipsim's model written the way a researcher would in numpy: fully
vectorised over patients, one loop over months, one thread.

It simulates the model's irreducible chain, the one benchmarks/bare_chain.c
follows (models/patient.c without the clinical modules, the episodes' types,
costs and QALYs, and output): at diagnosis age, sex, myeloma type, R-ISS
stage, grade, transplant eligibility, response and progression threshold,
and under the levels model the immunoglobulin bands; every month the
treatment pathway's phase (end of induction, ASCT, progression to the next
line or to no further treatment), the infection period, Poisson episodes and
how many are serious, death (serious infection, other causes, myeloma) and
the next immune state. The tables are ipsim's own: build/benchmarks/
model_tables writes them from a parameter file as `ipsim run` builds the
model. The random numbers are numpy's, so the peer agrees with ipsim in
distribution, not patient by patient (benchmarks/check_numpy_peer.py).

usage: /usr/bin/python3 benchmarks/numpy_peer.py PATIENTS MONTHS [SEED]
           [--params FILE.yaml] [--tables FILE.json]
Prints the share of the cohort in each grade and dead at a few months."""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_TABLES = os.path.join(ROOT, "build", "benchmarks", "model_tables")
BASELINE = os.path.join(ROOT, "params", "baseline.yaml")

GRADES, DEAD = 5, 5
INDUCTION, TRANSPLANT, MAINTENANCE, SECOND_LINE, LATER_LINES, NO_TREATMENT = range(6)
PHASES = 6
BACKGROUND, INFECTION, MYELOMA = 1, 2, 3  # causes of death, as ipsim numbers them
BANDS, CLASSES = 6, 3  # immunoglobulin bands per class; IgG, IgA, IgM
NEVER = np.inf


def load_tables(params=BASELINE, months=120, tables=None):
    """ipsim's model tables (benchmarks/model_tables.c) as numpy arrays."""
    if tables is None:
        if not os.path.exists(MODEL_TABLES):
            sys.exit("numpy_peer: no %s: build it (bash scripts/setup) or pass --tables"
                     % MODEL_TABLES)
        run = subprocess.run([MODEL_TABLES, params, str(months)], stdout=subprocess.PIPE,
                             text=True)
        if run.returncode != 0:
            sys.exit("numpy_peer: model_tables failed on %s" % params)
        text = run.stdout
    else:
        with open(tables) as f:
            text = f.read()
    return {name: np.asarray(value) for name, value in json.loads(text).items()}


def inverse(cum, u):
    """Categories by inversion, one per patient: the first i with u < cum[i],
    cum one cumulative row per patient."""
    return (u[:, None] >= cum).sum(axis=1)


def cycles_before(remaining, per_cycle):
    """Whole cycles at per_cycle hazard before the cumulative hazard exceeds
    remaining (models/pathway.h); NEVER at zero hazard."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.floor(np.maximum(remaining, 0) / per_cycle)
    return np.where(per_cycle > 0, n, NEVER)


class Cohort:
    """The living patients, one entry per patient in each array."""

    def keep(self, alive):
        for name, value in vars(self).items():
            setattr(self, name, value[alive])

    def set_hazard(self, who, c, per_cycle):
        """From cycle c on, the current line of the patients `who`
        progresses at per_cycle hazard: the threshold is spent at the old
        hazard up to c, and the cycle of progression follows."""
        self.remaining[who] -= self.per_cycle[who] * (c - self.since[who])
        self.since[who] = c
        self.per_cycle[who] = per_cycle
        self.progression[who] = c + cycles_before(self.remaining[who], per_cycle)


def diagnose(t, patients, rng):
    """Everyone's state at diagnosis."""
    p = Cohort()
    p.id = np.arange(patients)
    p.age = t["age_min"] + np.searchsorted(t["age_cum"], rng.random(patients), side="right")
    p.sex = (rng.random(patients) >= t["male_share"]).astype(np.int64)  # 0 male, 1 female
    p.type = np.searchsorted(t["type_cum"], rng.random(patients), side="right")
    p.riss = np.searchsorted(t["riss_cum"], rng.random(patients), side="right")
    p.baseline = inverse(t["grade_cum"][p.type, p.riss], rng.random(patients))
    p.grade = p.baseline.copy()
    if t["levels"]:
        # The joint bands given type, stage and grade: one table per cell.
        cell = np.ravel_multi_index((p.type, p.riss, p.grade), t["state_cum"].shape[:3])
        state_cum = t["state_cum"].reshape(-1, t["state_cum"].shape[-1])
        u = rng.random(patients)
        p.state = np.empty(patients, dtype=np.int64)
        for k in np.unique(cell):
            who = cell == k
            p.state[who] = np.searchsorted(state_cum[k], u[who], side="right")
    p.eligible = (p.age <= t["age_limit"]) & (rng.random(patients) < t["eligible_share"])
    p.response = np.searchsorted(t["response_cum"], rng.random(patients), side="right")
    p.line = np.ones(patients, dtype=np.int64)
    p.treated = np.ones(patients, dtype=bool)
    p.progressed = np.zeros(patients, dtype=bool)
    # The first line's progression: an Exp(1) threshold, spent at the
    # not-improved hazard during induction.
    p.remaining = rng.standard_exponential(patients)
    p.since = np.zeros(patients)
    p.per_cycle = np.zeros(patients)
    p.progression = np.full(patients, NEVER)
    p.set_hazard(slice(None), 0, t["progression_per_cycle"][0])
    return p


def phase_of(t, p, c):
    """Each living patient's treatment phase in cycle c."""
    if c < t["induction_end"]:
        first = INDUCTION
    else:
        first = np.where(p.eligible & (c < t["asct_cycle"]), INDUCTION,
                         np.where(p.eligible & (c < t["transplant_end"]), TRANSPLANT,
                                  MAINTENANCE))
    lines = np.where(p.line == 2, SECOND_LINE, LATER_LINES)
    return np.where(~p.treated, NO_TREATMENT, np.where(p.line > 1, lines, first))


def infection_period(t, phase, c):
    period = phase.copy()
    period[(phase == INDUCTION) & (c < t["early_end"])] = t["period_early"]
    neutropenic = c < t["asct_cycle"] + t["neutropenic_cycles"]
    period[(phase == TRANSPLANT) & neutropenic] = t["period_neutropenic"]
    return period


def other_survival(t, p, c):
    """Survival of other causes over cycle c (the life table by sex and the
    age reached)."""
    survival = np.ones(len(p.age))
    last = t["month_survival"].shape[1] - 1
    for month in range(c * t["cycle_months"], (c + 1) * t["cycle_months"]):
        survival *= t["month_survival"][p.sex, np.minimum(p.age + month // 12, last)]
    return survival


def move_bands(t, state, phase, response, u):
    """The next joint bands of patients of whom some class moves, from one
    uniform each (models/immunoglobulins.c): each class takes the slice of
    u its outcome covers and passes the rescaled rest to the next."""
    rows = np.arange(len(u))
    for c in range(CLASSES):
        stride = BANDS ** c
        band = state // stride % BANDS
        cum = t["move_cum"][phase, response, c, band]
        k = np.minimum(inverse(cum, u), BANDS - 1)
        edges = np.hstack([np.zeros((len(u), 1)), cum])  # outcome k is [edges[k], edges[k + 1])
        lo, hi = edges[rows, k], edges[rows, k + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.where(hi > lo, (u - lo) / (hi - lo), 0)
        u = np.minimum(u, np.nextafter(1.0, 0.0))
        state = state + (t["move_to"][phase, response, c, band, k] - band) * stride
    return state


def simulate(t, patients, seed):
    """Runs the cohort over the model's cycles; returns its tallies."""
    rng = np.random.default_rng(seed)
    cycles = int(t["cycles"])
    p = diagnose(t, patients, rng)
    grade_occupancy = np.zeros((cycles + 1, GRADES + 1), dtype=np.int64)
    phase_occupancy = np.zeros((cycles + 1, PHASES + 1), dtype=np.int64)
    deaths = np.zeros(4, dtype=np.int64)  # by cause
    episodes = np.zeros(patients, dtype=np.int64)  # per patient
    serious_episodes = np.zeros(patients, dtype=np.int64)
    asct = progressed = 0
    for c in range(cycles):
        grade_occupancy[c] = np.bincount(p.grade, minlength=GRADES + 1)
        grade_occupancy[c, DEAD] = patients - len(p.grade)
        if c == t["induction_end"]:
            # Improved IP (or none at diagnosis) lowers the first line's hazard.
            not_improved = (p.baseline > 0) & (p.grade >= p.baseline)
            hazard = t["progression_per_cycle"][np.where(not_improved, 0, 1)]
            first_line = ~p.progressed
            p.set_hazard(first_line, c, hazard[first_line])
        if c == t["asct_cycle"]:
            who = p.eligible & ~p.progressed
            p.set_hazard(who, c, p.per_cycle[who] * t["transplant_hazard_ratio"])
            asct += who.sum()
        phase = phase_of(t, p, c)
        phase_occupancy[c] = np.bincount(phase, minlength=PHASES + 1)
        phase_occupancy[c, PHASES] = patients - len(phase)

        # Infection episodes, and how many of them are serious.
        period = infection_period(t, phase, c)
        count = rng.poisson(t["mean_per_cycle"][period, p.grade])
        serious = np.zeros_like(count)
        ill = count > 0
        serious[ill] = rng.binomial(count[ill], t["serious_share"][p.grade[ill]])
        episodes[p.id[ill]] += count[ill]
        serious_episodes[p.id[ill]] += serious[ill]

        # Death: of a serious episode; else of other causes or of myeloma.
        u_infection, u_other, u_grade = rng.random((3, len(phase)))
        other = other_survival(t, p, c)
        cause = np.select(
            [u_infection >= t["survive_serious"] ** serious,
             u_other < 1 - other,
             u_other < 1 - other * t["excess_survival_per_cycle"][phase]],
            [INFECTION, BACKGROUND, MYELOMA], 0)
        deaths += np.bincount(cause, minlength=4)
        alive = cause == 0

        # Progression at the end of the cycle: the next line, or none.
        who = np.flatnonzero(alive & (p.progression == c))
        if len(who):
            progressed += (~p.progressed[who]).sum()
            p.progressed[who] = True
            from_line = np.minimum(p.line[who], 3) - 1  # first, second, later
            untreated = rng.random(len(who)) < t["no_further_treatment"][from_line]
            p.treated[who[untreated]] = False
            p.progression[who[untreated]] = NEVER
            # The next line, with a threshold of its own from the next cycle.
            next_line = who[~untreated]
            p.line[next_line] += 1
            p.remaining[next_line] = rng.standard_exponential(len(next_line))
            p.per_cycle[next_line] = 0
            p.since[next_line] = c + 1
            p.set_hazard(next_line, c + 1,
                         t["line_per_cycle"][np.where(p.line[next_line] == 2, 0, 1)])

        # The next grade. Under the levels model it follows the joint bands,
        # of which no class moves with probability stay_all.
        if t["levels"]:
            if t["ig_transitions"]:
                moves = u_grade >= t["stay_all"][phase, p.response, p.state]
                p.state[moves] = move_bands(t, p.state[moves], phase[moves],
                                            p.response[moves], u_grade[moves])
                p.grade = t["grade_of"][p.type, p.state]
        elif t["grades_transitions"]:
            p.grade = inverse(t["step_cum"][phase, p.response, p.grade], u_grade)
        p.keep(alive)
    grade_occupancy[cycles] = np.bincount(p.grade, minlength=GRADES + 1)
    grade_occupancy[cycles, DEAD] = patients - len(p.grade)
    phase_occupancy[cycles] = np.bincount(phase_of(t, p, cycles), minlength=PHASES + 1)
    phase_occupancy[cycles, PHASES] = patients - len(p.grade)
    return {"grade_occupancy": grade_occupancy, "phase_occupancy": phase_occupancy,
            "deaths": deaths, "episodes": episodes, "serious_episodes": serious_episodes,
            "asct": int(asct), "progressed": int(progressed)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("patients", type=lambda s: int(float(s)))
    ap.add_argument("months", type=int)
    ap.add_argument("seed", type=int, nargs="?", default=1)
    ap.add_argument("--params", default=BASELINE, help="parameter file (default: baseline)")
    ap.add_argument("--tables", help="model_tables' JSON, instead of running model_tables")
    args = ap.parse_args()
    t = load_tables(args.params, args.months, args.tables)
    if t["cycles"] * t["cycle_months"] != args.months:
        ap.error("the tables are for %d months, not %d" % (t["cycles"] * t["cycle_months"],
                                                           args.months))
    result = simulate(t, args.patients, args.seed)
    cycle_months = int(t["cycle_months"])
    for month in sorted({0, 12, 60, args.months}):
        if month <= args.months and month % cycle_months == 0:
            share = result["grade_occupancy"][month // cycle_months] / args.patients
            print(month, " ".join("%.4f" % x for x in share))
    print("episodes per patient %.4f" % result["episodes"].mean())


if __name__ == "__main__":
    main()
