#!/usr/bin/env bash
# The risk model at city scale: synthesise, ingest, link, then `upstream risk train`, printing the wall time and
# peak memory of each step as a table. Usage: Benchmarks/risk-city.sh [PEOPLE] (default 1000000).
# Needs GNU time (/usr/bin/time, Debian package "time"). Output in Benchmarks/out/risk-city-PEOPLE/.
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE="${1:-1000000}"
swift build -c release --product upstream >&2
B="$PWD/.build/release/upstream"
OUT="Benchmarks/out/risk-city-$PEOPLE"
rm -rf "$OUT" && mkdir -p "$OUT" && cd "$OUT"
printf "| step | wall | peak memory |\n|---|---:|---:|\n"
run() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "time-$name.txt" "$B" "$@" > "out-$name.txt" 2> "err-$name.txt"
  read -r secs kb < "time-$name.txt"
  printf "| %s | %.0f s | %.0f MiB |\n" "$name" "$secs" "$((kb / 1024))"
}
run synth synth --people "$PEOPLE" --seed 3 --out city
run ingest ingest --synth city --store city.db
run link link --store city.db
run "risk train" risk train --store city.db --postcodes city/reference/postcodes.csv --capacity 100
grep -E "^  (Gradient|Logistic|ACE)" "out-risk train.txt" || true
