#!/usr/bin/env bash
# The risk model's figures over several synthetic cities: for each seed, synthesise, ingest, link, then
# `upstream risk train --truth --link-as-of --json`, and print one table of every model and baseline per seed with
# the range across seeds. Usage: Benchmarks/risk-seeds.sh [PEOPLE] [CAPACITY] [SEEDS...]
# (default 100000 people, 1000 per 100,000, seeds 1 2 3). Output in Benchmarks/out/risk-seeds-PEOPLE/; the table
# goes to stdout (Benchmarks/risk-seeds.md holds the last run). Run it alone: each city takes minutes on 2 cores.
# LINK_AS_OF=0 skips the linkage-as-of-the-date comparison (five more linkage runs per city); NOBUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE="${1:-100000}"; CAPACITY="${2:-1000}"; shift $(( $# > 2 ? 2 : $# )) || true
SEEDS="${*:-1 2 3}"
[ -n "${NOBUILD:-}" ] || swift build -c release --product upstream >&2
B="$PWD/.build/release/upstream"
OUT="Benchmarks/out/risk-seeds-$PEOPLE"
mkdir -p "$OUT"
for S in $SEEDS; do
  D="$OUT/seed-$S"
  if [ ! -s "$D/report.json" ]; then
    rm -rf "$D" && mkdir -p "$D"
    "$B" synth --people "$PEOPLE" --seed "$S" --out "$D/city" > /dev/null
    "$B" ingest --synth "$D/city" --store "$D/city.db" > /dev/null
    "$B" link --store "$D/city.db" > /dev/null
    "$B" risk train --store "$D/city.db" --postcodes "$D/city/reference/postcodes.csv" --truth "$D/city/truth/records.csv" \
      --capacity "$CAPACITY" $([ "${LINK_AS_OF:-1}" = 1 ] && echo --link-as-of) --json > "$D/report.json" 2> "$D/train.log"
  fi
done
python3 Benchmarks/risk_seeds_table.py "$OUT" $SEEDS
