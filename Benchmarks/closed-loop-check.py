#!/usr/bin/env python3
"""Checks the closed loop's treated re-run against the drawn true effects (docs/interventions.md §8).

Usage: Benchmarks/closed-loop-check.py OUT   (OUT: a `plan loop --out` folder, or Benchmarks/closed-loop.sh's with KEEP=1)

For every treated young person whose first serious violence offence fell within the horizon in the untreated run,
the treated run averts it (or moves it past the horizon) with probability at most their programme's true effect:
their monthly hazard is multiplied by (1 - effect) from the plan's date, so the offence month survives with
probability 1 - effect, and a later month may still bring one. The number averted is therefore at most a sum of
independent Bernoulli(effect) draws (a Poisson binomial); this prints it by programme and the probability of
averting at least as many as were averted if every would-be offender were averted with probability exactly their
effect (a one-sided p-value: small means the re-run averts more than its effects allow). It also checks that no
untreated young person's first offence changed (common random numbers).
"""
import csv
import json
import sys
from collections import defaultdict


def first_offences(path):
    with open(path) as f:
        return {r["person_id"]: r["first_serious_violence_offender"] for r in csv.DictReader(f)}


def main(out):
    loop = json.load(open(f"{out}/closed-loop.json"))
    start = loop["asOf"]
    y, m, d = (int(x) for x in start.split("-"))
    months = loop["horizonMonths"]
    end = f"{y + (m - 1 + months) // 12:04d}-{(m - 1 + months) % 12 + 1:02d}-{d:02d}"
    before = first_offences(f"{out}/city/truth/outcomes.csv")
    after = first_offences(f"{out}/treated/truth/outcomes.csv")
    with open(f"{out}/treated/truth/programme_effects.csv") as f:
        effect = {r["programme"]: float(r["true_effect"]) for r in csv.DictReader(f)}
    with open(f"{out}/treatment.csv") as f:
        treated = {r["person_id"]: r["programme"] for r in csv.DictReader(f)}

    def within(date):
        return bool(date) and start <= date < end

    rows = defaultdict(lambda: [0, 0, 0, 0.0])  # would-be offenders, averted, new offenders, expected at most
    probabilities = []
    averted_total = 0
    for person, programme in treated.items():
        if within(before.get(person)):
            e = effect[programme]
            rows[programme][0] += 1
            rows[programme][3] += e
            probabilities.append(e)
            if not within(after.get(person)):
                rows[programme][1] += 1
                averted_total += 1
        elif within(after.get(person)):
            rows[programme][2] += 1
    changed = sum(1 for p in before if p not in treated and before[p] != after.get(p))

    # Poisson binomial distribution of the number averted at exactly each person's effect.
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for k, q in enumerate(dist):
            nxt[k] += q * (1 - p)
            nxt[k + 1] += q * p
        dist = nxt
    p_value = sum(dist[averted_total:])

    print(f"Closed loop {out}: as of {start}, horizon to {end}; {len(treated)} treated")
    print("| programme | true effect | would-be offenders (untreated run) | averted | at most expected | new offenders in the treated run |")
    print("|---|---:|---:|---:|---:|---:|")
    for programme in sorted(rows):
        n, a, new, exp_ = rows[programme]
        print(f"| {programme} | {effect[programme]:.1%} | {n} | {a} | {exp_:.2f} | {new} |")
    n = len(probabilities)
    print(f"| all | | {n} | {averted_total} | {sum(probabilities):.2f} | {sum(r[2] for r in rows.values())} |")
    print(f"P(at least {averted_total} of {n} averted | each averted with probability its effect) = {p_value:.3f}")
    print(f"untreated young people whose first offence changed between the runs: {changed}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
