#!/usr/bin/env bash
# The closed loop at city scale (issue 14, docs/interventions.md §8): plan on a synthetic city of PEOPLE people,
# re-live the city with the plan's treatment (common random numbers), and compare realised with predicted harm
# averted; estimate each programme's effect from the treated run against its true effect. Three cities are generated
# (training, untreated, treated), so this is a big run: it takes the machine-wide lock.
# Usage: Benchmarks/closed-loop.sh [PEOPLE] [PLACES] [CONFIG.yaml]  (defaults: 100000, the catalogue's places, the default city)
# UPSTREAM_BIN=.build/debug/upstream uses a debug build instead of building the release one.
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
ARGS=(plan loop --people "$PEOPLE" --seed 2 --train-seed 1 --as-of 2021-01-01 --budget 2m --out "$OUT")
if [ -n "$PLACES" ]; then ARGS+=(--places "$PLACES"); fi
if [ -n "$CONFIG" ]; then ARGS+=(--config "$CONFIG"); fi
flock /tmp/upstream-bigrun.lock /usr/bin/time -f "peak memory %M KB, %e s wall, %U s user" "$BIN" "${ARGS[@]}"
echo "Figures: $OUT/closed-loop.json"
rm -rf "$OUT/train" "$OUT/city" "$OUT/treated"
