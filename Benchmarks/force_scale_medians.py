"""Medians of several force-scale.sh calls, and the cost per person between two sizes.

    for r in 1 2 3; do OUT=DIR/r$r MEMORY=8G Benchmarks/force-scale.sh 500000 1000000; done
    python3 Benchmarks/force_scale_medians.py 500000 1000000 DIR/r1 DIR/r2 DIR/r3

Reads each call's summary.tsv (people, stage, wall s, peak KiB, CPU s) and prints, per stage, each size's median wall
time (with every call's), median CPU and largest peak, then the ratio of the larger size's cost per person to the
smaller's (1.00 = linear; issue 17 asks at most 1.10) by the medians, and each call's own wall ratio.
"""
import collections, statistics, sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    small, large, dirs = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    rows = collections.defaultdict(list)
    stages = []
    for d in dirs:
        for line in open(f"{d}/summary.tsv"):
            people, stage, wall, kb, cpu = line.rstrip("\n").split("\t")[:5]
            if stage not in stages:
                stages.append(stage)
            rows[(stage, int(people))].append((float(wall), int(float(kb)), float(cpu)))
    size = large / small
    print(f"| stage | {small:,}: wall median (runs), CPU median, largest peak | {large:,}: the same "
          f"| a person, {small:,} → {large:,}: wall, CPU, peak (1.00 = linear) | each call's wall ratio |")
    print("|---|---|---|---|---|")
    for stage in stages:
        a, b = rows.get((stage, small), []), rows.get((stage, large), [])
        if not a or not b:
            continue
        med = lambda x, i: statistics.median(v[i] for v in x)
        peak = lambda x: max(v[1] for v in x)
        cell = lambda x: f"{med(x, 0):.1f} s ({', '.join(f'{v[0]:.1f}' for v in x)}), {med(x, 2):.0f} s, {peak(x) // 1024:,} MiB"
        ratio = lambda i: med(b, i) / med(a, i) / size
        each = ", ".join(f"{y[0] / x[0] / size:.2f}" for x, y in zip(a, b))
        print(f"| {stage} | {cell(a)} | {cell(b)} | {ratio(0):.2f}, {ratio(2):.2f}, {peak(b) / peak(a) / size:.2f} | {each} |")


if __name__ == "__main__":
    main()
