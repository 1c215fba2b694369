#!/usr/bin/env bash
# Benchmark: `upstream assess --police-uk` on police.uk-format street-level crime files (synthetic, fixed seed).
# Generates the files (Benchmarks/assess_generate.py), builds the release binary, runs the assessment once per size and
# prints a table: rows, seconds (wall), CPU seconds, peak memory. Results are recorded in Benchmarks/assess.md.
# Usage: Benchmarks/assess.sh [ROWS...]   (default: 500000 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(500000 5000000)
# UPSTREAM_BIN: an already built release binary (skips the build).
if [ -z "${UPSTREAM_BIN:-}" ]; then swift build -c release --product upstream 2>&1 | tail -1 >&2; fi
bin=${UPSTREAM_BIN:-.build/release/upstream}
work=${ASSESS_BENCH_DIR:-/tmp/upstream-assess-bench}
mkdir -p "$work"
printf "| rows | files | size (MB) | wall (s) | CPU (s) | peak memory (MB) | rows/s |\n|---:|---:|---:|---:|---:|---:|---:|\n"
for n in "${sizes[@]}"; do
  data="$work/data-$n"
  if [ ! -f "$data/.done" ]; then rm -rf "$data"; python3 Benchmarks/assess_generate.py "$n" "$data" 1 >/dev/null; touch "$data/.done"; fi
  size=$(du -sm "$data" | cut -f1)
  files=$(ls "$data"/*.csv | wc -l)
  out="$work/out-$n"; rm -rf "$out"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time-$n" "$bin" assess --police-uk "$data"/*.csv --out "$out" --no-pdf --json > "$work/json-$n"
  read -r wall user sys rss < "$work/time-$n"
  rows=$(python3 -c "import json,sys; print(json.load(open('$work/json-$n'))['rows'])")
  [ "$rows" = "$n" ] || { echo "rows counted $rows, expected $n" >&2; exit 1; }
  cpu=$(python3 -c "print(round($user + $sys, 1))")
  rate=$(python3 -c "print(f'{int($n / $wall):,}')")
  printf "| %'d | %d | %d | %s | %s | %d | %s |\n" "$n" "$files" "$size" "$wall" "$cpu" "$((rss / 1024))" "$rate"
done
