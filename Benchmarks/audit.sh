#!/usr/bin/env bash
# Audit trail benchmark: single audited appends (one IMMEDIATE transaction, one fsync'd commit and one signed-head
# update each, as a command makes them), batched appends, and `audit verify`'s work over the whole trail.
# Prints a Markdown table, then CPU time and peak memory from /usr/bin/time.
#
# Usage: Benchmarks/audit.sh [SINGLE [ENTRIES]]     (default: 2000 1000000)   Env: SKIP_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/.."
SINGLE="${1:-2000}"
ENTRIES="${2:-1000000}"
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product upstream-audit-bench >&2
BIN="$(swift build -c release --show-bin-path)/upstream-audit-bench"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "CPU %U s user + %S s system, %e s wall, peak RSS %M KB" "$BIN" --single "$SINGLE" --entries "$ENTRIES"
