#!/usr/bin/env python3
"""Load an ipsim run and draw the risk-stratification curve: the share of
patients with at least one infection by months since diagnosis, one line per
immunoparesis grade at diagnosis.

    /usr/bin/python3 docs/examples/infection_risk.py baseline.h5 infection_risk.png

Needs Debian's python3-h5py, python3-xarray, python3-h5netcdf and
python3-matplotlib and python3-yaml. Every dataset used is described in docs/output-format.md."""
import sys

import h5py
import matplotlib
matplotlib.use("Agg")  # draw to a file, no display needed
import matplotlib.pyplot as plt
import xarray as xr
import yaml

path, png = sys.argv[1], sys.argv[2]

# The file's scenarios, in order; take the first.
with h5py.File(path, "r") as f:
    scenario = f["scenarios"][0].decode()

# The scenario group holds the coordinates (month, ip_grade, ...) and the
# parameters; summary/ the per-replicate tables with named dimensions.
with xr.open_dataset(path, group=scenario, engine="h5netcdf") as g:
    coords = {"month": g["month"].values,
              "ip_grade": [v.decode() if isinstance(v, bytes) else str(v)
                           for v in g["ip_grade"].values]}
    window = int(yaml.safe_load(g.attrs["parameters"])["infection"]["window_months"])

with xr.open_dataset(path, group=scenario + "/summary", engine="h5netcdf") as s:
    s = s.assign_coords(coords)
    first = s["first_infections_by_baseline_grade"].sum("replicate")
    patients = s["patients_by_baseline_grade"].sum("replicate")
    # Patients whose first episode began before each month: the running sum,
    # shifted so that month 0 is 0.
    infected = first.cumsum("month").shift(month=1, fill_value=0)
    share = 100 * infected / patients
    share.load()

fig, ax = plt.subplots(figsize=(7, 4.5))
for grade in share["ip_grade"].values:
    curve = share.sel(ip_grade=grade)
    ax.plot(curve["month"], curve, label=str(grade).replace("_", " "))
    print("%s: %.1f%% with >= 1 infection within %d months"
          % (grade, float(curve.sel(month=window)), window))
ax.set_xlabel("Months since diagnosis")
ax.set_ylabel("Patients with >= 1 infection (%)")
ax.set_title("%s: infection risk by grade at diagnosis" % scenario)
ax.legend(title="Grade at diagnosis")
fig.tight_layout()
fig.savefig(png, dpi=120)
