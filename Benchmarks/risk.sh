#!/usr/bin/env bash
# Gradient-boosted trees benchmark: Upstream against scikit-learn on 1,000,000 × 100 (see Benchmarks/risk.md).
# Usage: Benchmarks/risk.sh [--runs N] [--rows N] [--test-rows N]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product upstream-risk-bench
exec python3 Benchmarks/risk_benchmark.py "$@"
