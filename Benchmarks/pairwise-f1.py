#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a linked store against a synthetic city's truth (issue 17; force-scale.sh).

    python3 Benchmarks/pairwise-f1.py STORE.db CITY/truth/records.csv [--json]

Reads the truth (source,record_id,person_id) and the store's `assignments` table (each record's person), and counts
record pairs: a pair is predicted when both records have the same person in the store, true when they have the same
person in the truth, correct when both. The universe is the truth's records, and a record the store did not assign
counts as a person of its own: the same definition as `upstream link --evaluate` (Sources/UpstreamLinkage/Evaluation.swift),
computed outside the timed `upstream link` so that the link's time and memory are not the evaluation's. Standard
library only; about 2 GB of memory for 9 million records.
"""
import csv
import json
import sqlite3
import sys
from collections import Counter


def pairs(counts):
    return sum(n * (n - 1) // 2 for n in counts)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__)
        return 2
    store, truth_path = args
    truth_person = {}
    truth_ids = {}
    with open(truth_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        try:
            s_i, r_i, p_i = header.index("source"), header.index("record_id"), header.index("person_id")
        except ValueError:
            sys.exit(f"{truth_path}: needs the columns source,record_id,person_id; its header is {','.join(header)}")
        for row in reader:
            pid = truth_ids.setdefault(row[p_i], len(truth_ids))
            truth_person[row[s_i] + "\x1f" + row[r_i]] = pid
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    pred_ids = {}
    cells = Counter()
    pred_sizes = Counter()
    assigned = 0
    for source, record_id, person in db.execute("SELECT source, record_id, person_id FROM assignments"):
        t = truth_person.pop(source + "\x1f" + record_id, None)
        if t is None:
            continue  # not in the truth's universe
        p = pred_ids.setdefault(person, len(pred_ids))
        assigned += 1
        pred_sizes[p] += 1
        cells[(p, t)] += 1
    unassigned = len(truth_person)  # each counts as its own person: adds no predicted or correct pair
    truth_sizes = Counter()
    for (p, t), n in cells.items():
        truth_sizes[t] += n
    for t in truth_person.values():
        truth_sizes[t] += 1
    true_pairs, predicted_pairs, correct = pairs(truth_sizes.values()), pairs(pred_sizes.values()), pairs(cells.values())
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out = {"records": assigned + unassigned, "unassigned": unassigned, "truePersons": len(truth_ids), "predictedPersons": len(pred_ids) + unassigned,
           "truePairs": true_pairs, "predictedPairs": predicted_pairs, "correctPairs": correct,
           "precision": precision, "recall": recall, "f1": f1}
    if "--json" in argv:
        print(json.dumps(out))
    else:
        print(f"pairwise precision {precision:.6f}, recall {recall:.6f}, F1 {f1:.6f} (pairs of records: {correct:,} correct of "
              f"{predicted_pairs:,} predicted and {true_pairs:,} true; {out['records']:,} records, {unassigned:,} unassigned; "
              f"{out['predictedPersons']:,} persons for {len(truth_ids):,} true)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
