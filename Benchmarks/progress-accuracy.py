#!/usr/bin/env python3
"""How good was the whole-run "time left"? Reads a log written with UPSTREAM_PROGRESS=plain:N (one timestamped
line per stage start and end and every N seconds) and compares each estimate of the whole run's time left with the
time the run in fact still took (its last line's timestamp). Prints a table at 10, 25, 50, 75 and 90% of the run.

    UPSTREAM_PROGRESS=plain:2 upstream link --store S 2> link.log
    Benchmarks/progress-accuracy.py link.log

Timestamps are whole seconds, so errors of a second or two are the log's resolution, not the estimate's.
"""
import re
import sys
from datetime import datetime

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (.*)$")
LEFT = re.compile(r"; all (\d+)% done, about ([^;]+?) left$")


def seconds(text):
    total = 0
    for n, unit in re.findall(r"(\d+) (h|min|s)\b", text):
        total += int(n) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def main(path):
    rows = []
    for raw in open(path, encoding="utf-8"):
        m = LINE.match(raw.rstrip("\n"))
        if not m:
            continue
        t = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%SZ").timestamp()
        left = LEFT.search(m.group(2))
        rows.append((t, m.group(2), int(left.group(1)) if left else None, seconds(left.group(2)) if left else None))
    if not rows:
        sys.exit(f"{path}: no progress lines (was UPSTREAM_PROGRESS=plain set?)")
    start, end = rows[0][0], rows[-1][0]
    total = end - start
    estimates = [(t, share, est) for t, _, share, est in rows if est is not None]
    print(f"{path}: {total:.0f} s from the first progress line to the last; {len(estimates)} estimates of the time left")
    if not estimates or total <= 0:
        return
    print("| point in the run | elapsed | shown done | estimated left | actually left | error |")
    print("|---|---|---|---|---|---|")
    for point in (0.10, 0.25, 0.50, 0.75, 0.90):
        target = start + point * total
        t, share, est = min(estimates, key=lambda e: abs(e[0] - target))
        actual = end - t
        err = est - actual
        rel = f" ({err / actual * 100:+.0f}%)" if actual > 0 else ""
        print(f"| {point * 100:.0f}% | {t - start:.0f} s | {share}% | {est:.0f} s | {actual:.0f} s | {err:+.0f} s{rel} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: Benchmarks/progress-accuracy.py LOG  (a log written with UPSTREAM_PROGRESS=plain:N)")
    main(sys.argv[1])
