#!/usr/bin/env bash
# The plan's speed benchmark: 100,000 candidates × 30 programmes (target: under 5 s) and 1,000 Monte Carlo draws
# (target: under 30 s). Builds the release benchmark and prints a Markdown table (results in Benchmarks/plan.md).
# Needs libglpk-dev. Usage: Benchmarks/plan.sh [--people N] [--programmes N] [--draws N] [--budget POUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product upstream-plan-bench 2>&1 | tail -3
echo "Machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
/usr/bin/time -f "peak memory %M KB, %e s wall, %U s user" .build/release/upstream-plan-bench "$@"
