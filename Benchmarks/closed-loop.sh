#!/usr/bin/env bash
# The closed loop at city scale (issue 14, docs/interventions.md §8): plan on a synthetic city of PEOPLE people,
# re-live the city with the plan's treatment (common random numbers), and compare realised with predicted harm
# averted; estimate each programme's effect from the treated run against its true effect. By default the plan comes
# from the risk model trained on the city's own store (ingest, link, risk train, as a user's plan would); RISK=stand-in
# uses the cell model fitted on a training city's truth instead. Two or three cities of PEOPLE are generated and (with
# the store model) the pipeline runs on one, so this is a big run: it takes the machine-wide lock, at nice 10.
# Usage: Benchmarks/closed-loop.sh [PEOPLE] [PLACES] [CONFIG.yaml]  (defaults: 100000, the catalogue's places, the default city)
# UPSTREAM_BIN=.build/debug/upstream uses a debug build instead of building the release one; RISK=stand-in the stand-in;
# KEEP=1 keeps the cities and the store in OUT (for reading the truth afterwards; delete them when done).
# Results: Benchmarks/closed-loop.md (written by hand from the printed output).
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${1:-100000}
PLACES=${2:-}
CONFIG=${3:-}
BIN=${UPSTREAM_BIN:-.build/release/upstream}
if [ "$BIN" = .build/release/upstream ]; then swift build -c release --product upstream 2>&1 | tail -1; fi
OUT=${TMPDIR:-/tmp}/upstream-closed-loop-$PEOPLE
echo "Machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
RISK=${RISK:-store}
ARGS=(plan loop --risk "$RISK" --people "$PEOPLE" --seed 2 --train-seed 1 --as-of 2021-01-01 --budget 2m --out "$OUT")
if [ -n "$PLACES" ]; then ARGS+=(--places "$PLACES"); fi
if [ -n "$CONFIG" ]; then ARGS+=(--config "$CONFIG"); fi
flock /tmp/upstream-bigrun.lock nice -n 10 /usr/bin/time -f "peak memory %M KB (largest single process), %e s wall, %U s user" "$BIN" "${ARGS[@]}"
echo "Figures: $OUT/closed-loop.json"
if [ -z "${KEEP:-}" ]; then rm -rf "$OUT/train" "$OUT/city" "$OUT/treated" "$OUT/store"; fi
