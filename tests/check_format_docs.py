#!/usr/bin/python3
"""tests/check_format_docs.py FORMAT_TABLE DOC: docs/output-format.md and the
table of the output file (output/h5_format.h, printed by tests/format_table)
agree. Every dataset of the table is documented in the manual's section for
its group, with the same type, dimensions and (for an enumeration) values,
named in the manual's type or by "(as `X`)" for X's, and every dataset the manual
lists for a scenario group (coordinates, trajectories, patients/, economics/,
summary/) is in the table. Exit 1 with each disagreement."""
import re
import subprocess
import sys

# The manual's sections of a scenario group, and the group each documents.
SECTIONS = {
    "### Coordinates": "",
    "### Trajectories": "",
    "### `patients/`": "patients/",
    "### `economics/`": "economics/",
    "### `summary/`": "summary/",
}
# The manual writes R, N and M for the run-sized dimensions.
SIZES = {"R": "replicate", "N": "patient", "M": "month"}


def table(program):
    rows = {}
    out = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        path, element, dims, _units, _long_name, labels = line.split("\t")
        rows[path] = (element, dims.split(","), labels)
    return rows


def manual(path):
    """{path: (type, [dimension...])} of the sections above."""
    documented, group = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            group = next((g for h, g in SECTIONS.items() if line.startswith(h)), None)
            continue
        if group is None or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        if group == "" and len(cells) == 3:  # coordinates: | name | [n] type | values |
            m = re.match(r"\[(\w+)\] (\w+)", cells[1])
            shape, element = [m.group(1)], m.group(2)
        else:
            shape = [d.strip() for d in cells[1].strip("[]").split(",")]
            element = cells[2]
        for name in names:
            documented[group + name] = (element, shape)
    return documented


def enumeration(documented, doc_type):
    """The values a manual's type names: "{a=0, b=1}", or X's for "(as `X`)"."""
    m = re.search(r"\{([^}]*)\}", doc_type)
    if m:
        return m.group(1)
    m = re.search(r"\(as `([^`]+)`\)", doc_type)
    if m and m.group(1) in documented:
        return enumeration(documented, documented[m.group(1)][0])
    return None


def main():
    program, doc = sys.argv[1], sys.argv[2]
    rows, documented = table(program), manual(doc)
    problems = []
    for path, (element, dims, labels) in rows.items():
        if path not in documented:
            problems.append(f"{path}: in the table, not in {doc}")
            continue
        doc_type, doc_shape = documented[path]
        if not doc_type.startswith(element):
            problems.append(f"{path}: type {element} in the table, '{doc_type}' in {doc}")
        if labels and enumeration(documented, doc_type) != labels:
            problems.append(f"{path}: values {{{labels}}} in the table, "
                            f"'{doc_type}' in {doc}")
        shape = [SIZES.get(d, d) for d in doc_shape]
        want = [SIZES.get(d, d) for d in dims]
        if shape != want:
            problems.append(f"{path}: dimensions {want} in the table, {shape} in {doc}")
    for path in documented:
        if path not in rows:
            problems.append(f"{path}: in {doc}, not in the table (output/h5_format.c)")
    for p in problems:
        print(p)
    print(f"{len(rows)} datasets of the table, {len(documented)} in the manual; "
          f"{len(problems)} disagreement(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
