#!/usr/bin/python3
"""The house's walls (docs/architecture.md), checked from the sources:

- rooms stand on floors: base < params < models < output < analysis < report
  < sim; a file may include headers of its own room or of rooms below it,
  never above (the ground, base/, includes no other ipsim room);
- no room holds more than 30% of the library's lines;
- no source file is longer than 800 lines.

Run from anywhere: python3 tests/check_walls.py [SOURCE_DIR]."""
import os
import re
import sys

FLOORS = ["base", "params", "models", "output", "analysis", "report", "sim"]
MAX_SHARE = 0.30
MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def main(root):
    problems, lines = [], {}
    for room in FLOORS:
        folder = os.path.join(root, room)
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            n = text.count("\n")
            lines[room] = lines.get(room, 0) + n
            if n > MAX_LINES:
                problems.append(f"{room}/{name}: {n} lines (at most {MAX_LINES})")
            for target in INCLUDE.findall(text):
                if target not in FLOORS:
                    continue
                if FLOORS.index(target) > FLOORS.index(room):
                    problems.append(f"{room}/{name} includes {target}/: a room may include "
                                    f"only its own floor and those below ({' < '.join(FLOORS)})")
    total = sum(lines.values())
    for room, n in lines.items():
        if n > MAX_SHARE * total:
            problems.append(f"{room}/ holds {n} of {total} lines ({100 * n / total:.0f}%, "
                            f"at most {100 * MAX_SHARE:.0f}%)")
    for p in problems:
        print(p)
    shares = ", ".join(f"{r} {100 * lines.get(r, 0) / total:.0f}%" for r in FLOORS)
    print(f"walls: {len(problems)} problem(s); {total} lines: {shares}")
    return 1 if problems else 0


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)))
