#!/usr/bin/env python3
"""Candidate pairs per blocking rule, from `upstream link --estimate --json` outputs (issue 17; Benchmarks/linkage-pairs.md).

Each argument is LABEL=FILE, FILE being the JSON `upstream link --estimate --json` printed, for example:

    B=.build/release/upstream
    $B link --config config/linkage-synthetic-city.json --input CITY/<the 15 person-level extracts> --estimate --json > 113k.json
    $B link --store /copy/of/city-500000.db --estimate --json > 500k.json      # a copy: opening a store may migrate it
    python3 Benchmarks/linkage-pairs.py 113k=113k.json 500k=500k.json

Prints, per rule, the new pairs it adds to the union (each pair counted once, by the first rule that makes it), its
largest block and the blocks it split, per input; then the union, the pairs per identity, and, for two inputs, the
growth exponent (pairs ~ identities^k) and the union projected to a third size (--project IDENTITIES) at that
exponent. Nothing is compared: --estimate only sizes the blocks and walks their pairs.
"""
import json
import math
import sys


def main(argv):
    project = None
    runs = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--project":
            project = float(args.pop(0))
            continue
        label, _, path = a.partition("=")
        with open(path) as f:
            runs.append((label, json.load(f)))
    if not runs:
        print(__doc__)
        return 2
    rules = []
    for _, d in runs:
        for r in d["rules"]:
            if r["rule"] not in rules:
                rules.append(r["rule"])
    head = "| rule | " + " | ".join(f"{l}: new pairs | largest | split" for l, _ in runs) + " |"
    print(head)
    print("|---|" + "---:|---:|---:|" * len(runs))
    for rule in rules:
        cells = []
        for _, d in runs:
            r = next((x for x in d["rules"] if x["rule"] == rule), None)
            cells += [f"{r['newPairs']:,}", f"{r['largestBlock']:,}", f"{r.get('splitBlocks', 0):,}"] if r else ["", "", ""]
        name = rule.replace("|", "\\|")
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    print("| **union** | " + " | ".join(f"**{d['totalComparisons']:,}** | | " for _, d in runs) + "|")
    print()
    for label, d in runs:
        print(f"- {label}: {d['records']:,} records, {d['identities']:,} identities, {d['totalComparisons']:,} pairs "
              f"({d['totalComparisons'] / d['identities']:.1f} per identity)")
    if len(runs) == 2:
        (_, a), (_, b) = runs
        k = math.log(b["totalComparisons"] / a["totalComparisons"]) / math.log(b["identities"] / a["identities"])
        print(f"- growth: pairs ~ identities^{k:.2f} between the two")
        if project:
            p = b["totalComparisons"] * (project / b["identities"]) ** k
            lin = b["totalComparisons"] * (project / b["identities"])
            print(f"- projected at {project:,.0f} identities: {p / 1e6:,.0f} M pairs at that exponent; {lin / 1e6:,.0f} M if linear from the second")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
