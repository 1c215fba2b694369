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
            truth_person[row[s_i] + "\x1f" + row[r_i]] = truth_ids.setdefault(row[p_i], len(truth_ids))
    truth_sizes = Counter(truth_person.values())
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    pred_ids = {}
    cells = Counter()
    for source, record_id, person in db.execute("SELECT source, record_id, person_id FROM assignments"):
        t = truth_person.pop(source + "\x1f" + record_id, None)
        if t is not None:  # a record outside the truth's universe is not scored
            cells[(pred_ids.setdefault(person, len(pred_ids)), t)] += 1
    # Truth records the store has not assigned (for example a month not yet ingested) count as persons of their own,
    # as in `upstream link --evaluate`; the second figure leaves them out, scoring only the records the link saw.
    not_in_store = len(truth_person)
    pred_sizes, seen_sizes = Counter(), Counter()
    for (p, t), n in cells.items():
        pred_sizes[p] += n
        seen_sizes[t] += n
    correct, predicted_pairs = pairs(cells.values()), pairs(pred_sizes.values())

    def scores(true_pairs):
        precision = correct / predicted_pairs if predicted_pairs else 1.0
        recall = correct / true_pairs if true_pairs else 1.0
        return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)

    true_pairs, seen_true_pairs = pairs(truth_sizes.values()), pairs(seen_sizes.values())
    precision, recall, f1 = scores(true_pairs)
    _, seen_recall, seen_f1 = scores(seen_true_pairs)
    records = sum(truth_sizes.values())
    out = {"records": records, "notInStore": not_in_store, "truePersons": len(truth_ids), "predictedPersons": len(pred_ids) + not_in_store,
           "truePairs": true_pairs, "predictedPairs": predicted_pairs, "correctPairs": correct,
           "precision": precision, "recall": recall, "f1": f1, "recallOfLinkedRecords": seen_recall, "f1OfLinkedRecords": seen_f1}
    if "--json" in argv:
        print(json.dumps(out))
    else:
        print(f"pairwise precision {precision:.6f}, recall {recall:.6f}, F1 {f1:.6f} (pairs of records: {correct:,} correct of "
              f"{predicted_pairs:,} predicted and {true_pairs:,} true; {records:,} records, {not_in_store:,} of them not in the store "
              f"and counted as persons of their own; {out['predictedPersons']:,} persons for {len(truth_ids):,} true; "
              f"over the {records - not_in_store:,} records linked only: recall {seen_recall:.6f}, F1 {seen_f1:.6f})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
