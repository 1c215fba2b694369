#!/usr/bin/env bash
# The monthly refresh through the block index against the whole-store refresh (issue 17), on one city:
#
#   Benchmarks/refresh-index.sh [PEOPLE]        default 20000; BIN=path/to/upstream (default .build/release/upstream)
#
# Synthesises a city with a held-back month, ingests and links the history (the full link writes the block index),
# ingests the month, copies the store, then links the month incrementally twice: through the index (`link
# --incremental`), and against every stored record (`link --incremental --evaluate TRUTH`, which takes the whole-store
# path). Prints each run's wall, CPU and peak memory (GNU time), how many records differ between the two (0 expected),
# and each store's pairwise F1 against the truth (Benchmarks/pairwise-f1.py).
set -euo pipefail
cd "$(dirname "$0")/.."
P="${1:-20000}"
B="${BIN:-$PWD/.build/release/upstream}"
OUT="${OUT:-Benchmarks/out/refresh-index}/city-$P"
rm -rf "$OUT"; mkdir -p "$OUT"
"$B" synth --people "$P" --seed 3 --monthly --out "$OUT/city" > /dev/null
month="$(ls -d "$OUT"/city/month-* | head -1)"
"$B" ingest --synth "$OUT/city" --store "$OUT/s.db" > /dev/null
"$B" link --store "$OUT/s.db" > /dev/null
"$B" ingest --synth "$month" --store "$OUT/s.db" > /dev/null
for f in "$OUT"/s.db*; do case "$f" in *.link-index) ;; *) cp "$f" "${f/s.db/w.db}";; esac; done
t() { local out="$1"; shift; /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" "$@" > "$out"; read -r s u y k < "$OUT/time.txt"; printf "%.1f s wall, %.1f CPU-s, %d MiB" "$s" "$(echo "$u + $y" | bc)" "$((k / 1024))"; }
echo "| refresh of $P people | wall, CPU, peak memory | what it read |"
echo "|---|---|---|"
r1="$(t "$OUT/index.json" "$B" link --store "$OUT/s.db" --incremental --json --export-clusters "$OUT/index.csv")"
echo "| through the block index | $r1 | $(python3 -c 'import json,sys; r=json.load(sys.stdin)["link"]["refresh"]; print("%d new records; %d stored records of %d persons read whole, of %s candidate persons (%s identities screened)" % (r["newRecords"], r["existingRecordsRead"], r["personsRead"], r.get("candidatePersons"), r.get("identitiesScreened")))' < "$OUT/index.json") |"
r2="$(t /dev/null "$B" link --store "$OUT/w.db" --incremental --evaluate "$OUT/city/truth/records.csv" --export-clusters "$OUT/whole.csv")"
echo "| against every stored record | $r2 | every stored record |"
python3 - "$OUT/index.csv" "$OUT/whole.csv" <<'PY'
import csv, sys
a = {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(open(sys.argv[1]))}
b = {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(open(sys.argv[2]))}
print(f"\nrecords: {len(a)} and {len(b)}; assigned to a different person: {sum(1 for k in b if a.get(k) != b[k])}")
PY
echo "pairwise F1, through the index: $(python3 Benchmarks/pairwise-f1.py "$OUT/s.db" "$OUT/city/truth/records.csv" 2>&1 | tail -1)"
echo "pairwise F1, whole store:       $(python3 Benchmarks/pairwise-f1.py "$OUT/w.db" "$OUT/city/truth/records.csv" 2>&1 | tail -1)"
