"""The ipsim core model written the way a researcher would in numpy: fully
vectorised over patients, a loop over months. Same model as ipsim's (grade
mix, monthly matrix, Poisson episodes by grade with types and seriousness,
infection and background deaths, occupancy by month), baseline values.

usage: /usr/bin/python3 benchmarks/numpy_peer.py PATIENTS MONTHS [SEED]
Prints the occupancy at a few months, so it can be compared with ipsim."""
import sys

import numpy as np

MIX = np.array([0.099, 0.140, 0.286, 0.099, 0.376])
P = np.array([[0.99, 0.01, 0, 0, 0],
              [0.03, 0.96, 0.01, 0, 0],
              [0, 0.03, 0.96, 0.01, 0],
              [0, 0, 0.03, 0.96, 0.01],
              [0, 0, 0, 0.03, 0.97]])
SHARE = np.array([0.054, 0.182, 0.256, 0.389, 0.389])
WINDOW = 12
TYPES = np.array([0.653, 0.286, 0.061])
SERIOUS = np.array([0.30, 0.30, 0.30, 0.3915, 0.3915])
BACKGROUND = 0.01025
CASE_FATALITY = 0.157
DEAD = 5


def simulate(patients, months, seed):
    rng = np.random.default_rng(seed)
    hazard = -np.log1p(-SHARE) / WINDOW
    cum = np.cumsum(P, axis=1)
    grade = rng.choice(5, size=patients, p=MIX).astype(np.int64)
    occupancy = np.zeros((months + 1, 6), dtype=np.int64)
    episodes_by_type = np.zeros(3, dtype=np.int64)
    for month in range(months):
        occupancy[month] = np.bincount(grade, minlength=6)
        alive = grade != DEAD
        g = grade[alive]
        episodes = rng.poisson(hazard[g])
        serious = rng.binomial(episodes, SERIOUS[g])
        episodes_by_type += rng.multinomial(episodes, TYPES).sum(axis=0)
        dies = (rng.random(g.size) >= (1 - CASE_FATALITY) ** serious) | \
               (rng.random(g.size) < BACKGROUND)
        u = rng.random(g.size)
        moved = (u[:, None] >= cum[g]).sum(axis=1)
        grade[alive] = np.where(dies, DEAD, np.minimum(moved, 4))
    occupancy[months] = np.bincount(grade, minlength=6)
    return occupancy, episodes_by_type


def main():
    patients, months = int(float(sys.argv[1])), int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    occupancy, episodes = simulate(patients, months, seed)
    for month in (0, 12, 60, months):
        if month <= months:
            share = occupancy[month] / patients
            print(month, " ".join("%.4f" % x for x in share))
    print("episode types", episodes / episodes.sum())


if __name__ == "__main__":
    main()
