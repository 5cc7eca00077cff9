#!/usr/bin/python3
"""Compares two trees of ipsim outputs (made by scripts/same-outputs): every
HDF5 file's groups, datasets (type, shape, values) and attributes, except the
provenance attributes (created_utc, command_line, ipsim_version), and every
CSV byte for byte. Paths under each tree's source directory (the optional
third and fourth arguments: a PSA's posterior file, in the `parameters`
attribute) are compared relative to it. Dimension-scale references are compared by the path they
point to; a scale's REFERENCE_LIST (the datasets attached to it, which HDF5
keeps in the order they were created) as a set, so that creating the same
datasets in another order is not a difference. Prints each difference; exit
1 if any."""
import os
import sys

import h5py
import numpy as np

PROVENANCE = {"created_utc", "command_line", "ipsim_version"}


def describe(f, value):
    """An attribute value made comparable: references become paths."""
    if isinstance(value, h5py.Reference):
        return ("ref", f[value].name if value else None)
    if isinstance(value, np.ndarray) and (value.dtype.kind == "O" or value.dtype.names):
        return tuple(describe(f, v) for v in value.ravel())
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.void):  # compound (DIMENSION_LIST entries, REFERENCE_LIST)
        return tuple(describe(f, v) for v in value)
    if isinstance(value, bytes):
        return value
    return repr(value)


def relative(value, source):
    """value with the source directory's path replaced by <source>."""
    if not source:
        return value
    if isinstance(value, bytes):
        return value.replace(source.encode(), b"<source>")
    if isinstance(value, str):
        return value.replace(source, "<source>")
    return value


def walk(path, source=None):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            key = "/" + name
            attrs = {k: relative(describe(f, obj.attrs[k]), source) for k in obj.attrs
                     if k not in PROVENANCE}
            if "REFERENCE_LIST" in attrs:
                attrs["REFERENCE_LIST"] = tuple(sorted(attrs["REFERENCE_LIST"], key=repr))
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                if obj.dtype.kind == "O" or h5py.check_string_dtype(obj.dtype):
                    value = describe(f, np.asarray(data, dtype=object))
                elif obj.dtype.names:
                    value = (obj.dtype.str, np.asarray(data).tobytes())
                else:
                    value = (np.asarray(data).dtype.str, np.shape(data),
                             np.asarray(data).tobytes())
                out[key] = ("dataset", attrs, value)
            else:
                out[key] = ("group", attrs, None)
        out["/"] = ("group", {k: describe(f, f.attrs[k]) for k in f.attrs
                              if k not in PROVENANCE}, None)
        f.visititems(visit)
    return out


def compare_h5(a, b, label, sources=(None, None)):
    x, y = walk(a, sources[0]), walk(b, sources[1])
    problems = []
    for name in sorted(set(x) | set(y)):
        if name not in x or name not in y:
            problems.append(f"{label}: {name} only in {'reference' if name in x else 'new'}")
            continue
        kx, ax, vx = x[name]
        ky, ay, vy = y[name]
        if kx != ky:
            problems.append(f"{label}: {name} is a {kx} against a {ky}")
        for attr in sorted(set(ax) | set(ay)):
            if ax.get(attr) != ay.get(attr):
                problems.append(f"{label}: {name} attribute {attr} differs")
        if vx != vy:
            problems.append(f"{label}: {name} values differ")
    return problems, len(x)


def main(ref, new, sources=(None, None)):
    problems, objects, files = [], 0, 0
    for root, _, names in os.walk(ref):
        for name in sorted(names):
            a = os.path.join(root, name)
            rel = os.path.relpath(a, ref)
            b = os.path.join(new, rel)
            if not os.path.exists(b):
                problems.append(f"{rel}: missing from the new outputs")
                continue
            if name.endswith(".h5"):
                p, n = compare_h5(a, b, rel, sources)
                problems += p
                objects += n
                files += 1
            elif name.endswith(".csv"):
                files += 1
                with open(a, "rb") as fa, open(b, "rb") as fb:
                    if fa.read() != fb.read():
                        problems.append(f"{rel}: CSV differs")
    for root, _, names in os.walk(new):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), new)
            if (name.endswith(".h5") or name.endswith(".csv")) and \
                    not os.path.exists(os.path.join(ref, rel)):
                problems.append(f"{rel}: only in the new outputs")
    for p in problems:
        print(p)
    print(f"same-outputs: {files} files, {objects} HDF5 objects compared; "
          f"{len(problems)} difference(s)")
    return 1 if problems or files == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2],
                  (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)))
