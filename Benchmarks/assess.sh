#!/usr/bin/env bash
# Benchmark: the strategic assessment of police.uk-format street-level crime files (synthetic, fixed seed).
# Generates the files (Benchmarks/assess_generate.py: one file per month over 36 months, BOM, CRLF, quoted commas,
# ASB rows without a Crime ID, 2% without a location), builds the release benchmark binary (Benchmarks/AssessBench:
# exactly `upstream assess --police-uk FILE... --out DIR --no-pdf`, without the store's dependencies) and runs it once
# per size, printing a table: rows, wall seconds (reading; assessing; writing), CPU seconds, peak memory.
# Set UPSTREAM_BIN to a release `upstream` to time the command itself as well. Results: Benchmarks/assess.md.
# Usage: Benchmarks/assess.sh [ROWS...]   (default: 500000 5000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(500000 5000000)
scratch=${ASSESS_SCRATCH:-.build}
swift build -c release --product upstream-assess-bench --scratch-path "$scratch" 2>&1 | tail -1 >&2
bench="$scratch/release/upstream-assess-bench"
work=${ASSESS_BENCH_DIR:-/tmp/upstream-assess-bench}
mkdir -p "$work"
printf "| binary | rows | files | size (MB) | wall (s) | read / assess / write (s) | CPU (s) | peak memory (MB) | rows/s |\n"
printf "|---|---:|---:|---:|---:|---|---:|---:|---:|\n"
for n in "${sizes[@]}"; do
  data="$work/data-$n"
  if [ ! -f "$data/.done" ]; then rm -rf "$data"; python3 Benchmarks/assess_generate.py "$n" "$data" 1 >/dev/null; touch "$data/.done"; fi
  size=$(du -sm "$data" | cut -f1)
  files=$(ls "$data"/*.csv | wc -l)
  runs=("bench")
  [ -n "${UPSTREAM_BIN:-}" ] && runs+=("upstream")
  for run in "${runs[@]}"; do
    out="$work/out-$n-$run"; rm -rf "$out"
    if [ "$run" = bench ]; then
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$bench" "$out" "$data"/*.csv > "$work/json"
      steps=$(python3 -c "import json; j=json.load(open('$work/json')); print('%.1f / %.1f / %.1f' % (j['read_s'], j['assess_s'], j['write_s']))")
    else
      /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$UPSTREAM_BIN" assess --police-uk "$data"/*.csv --out "$out" --no-pdf --json > "$work/json"
      steps="–"
    fi
    read -r wall user sys rss < "$work/time"
    rows=$(python3 -c "import json; print(json.load(open('$work/json'))['rows'])")
    [ "$rows" = "$n" ] || { echo "rows counted $rows, expected $n" >&2; exit 1; }
    cpu=$(python3 -c "print(round($user + $sys, 1))")
    rate=$(python3 -c "print(f'{int($n / $wall):,}')")
    printf "| %s | %'d | %d | %d | %s | %s | %s | %d | %s |\n" "$run" "$n" "$files" "$size" "$wall" "$steps" "$cpu" "$((rss / 1024))" "$rate"
  done
done
