#!/usr/bin/env bash
# The long fuzz run (issue 12): each fuzz target for SECONDS (default 600, ten minutes), one after another, then a
# table of what ran. Two kinds of target:
#   - the seeded property-based fuzz tests in Tests/UpstreamIngestTests/FuzzTests.swift (run briefly in every
#     `scripts/test`), here kept going for SECONDS each with UPSTREAM_FUZZ_SECONDS;
#   - with LIBFUZZER=1, the libFuzzer targets in Benchmarks/Fuzz (a separate package, built with
#     -sanitize=fuzzer), each for SECONDS with -max_total_time.
# Run it only when the machine is quiet: it keeps one core busy for 5 x SECONDS (10 x SECONDS with LIBFUZZER=1).
#
# Usage: Benchmarks/fuzz.sh                 Env: SECONDS_EACH=600  COUNT=500  LIBFUZZER=1  SKIP_BUILD=1
# Output: a Markdown table on standard output (paste it into docs/robustness.md, "Long-run results").
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${SECONDS_EACH:-600}"
COUNT="${COUNT:-500}"
LOG="${LOG:-Benchmarks/out/fuzz}"
mkdir -p "$LOG"

[ -z "${SKIP_BUILD:-}" ] && swift build --build-tests >&2

echo "| target | kind | seconds | inputs | result |"
echo "|---|---|---|---|---|"
for t in csvRowsReadAreAlwaysLoadedPlusQuarantined aFuzzedHeaderIsLoadedOrRefusedWholeNeverHalfway \
         jsonLinesRowsReadAreAlwaysLoadedPlusQuarantined theCSVReaderNeverTrapsOnAnyBytesAndRecordsStayWithinTheLimit \
         aMutatedSpecLoadsOrIsRefusedWithAnIngestErrorNeverATrap; do
  log="$LOG/$t.log"
  if UPSTREAM_FUZZ_SECONDS="$SECONDS_EACH" UPSTREAM_FUZZ_COUNT="$COUNT" \
       swift test --skip-build --filter "FuzzTests/$t" >"$log" 2>&1; then result="clean"; else result="FAILED (see $log)"; fi
  line="$(grep -o "fuzz $t(): [0-9]* rounds, [0-9]* inputs, [0-9]* s" "$log" | tail -1 || true)"
  inputs="$(sed -E 's/.* ([0-9]+) inputs.*/\1/' <<<"$line")"
  secs="$(sed -E 's/.*, ([0-9]+) s$/\1/' <<<"$line")"
  echo "| $t | property (swift-property-based) | ${secs:-?} | ${inputs:-?} | $result |"
done

if [ -n "${LIBFUZZER:-}" ]; then
  (cd Benchmarks/Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library >&2)
  BIN="$(cd Benchmarks/Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --show-bin-path)"
  for t in fuzz-csv-reader fuzz-spec-loader; do
    log="$LOG/$t.log"
    corpus="$LOG/$t-corpus"; mkdir -p "$corpus"
    if "$BIN/$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 "$corpus" >"$log" 2>&1; then
      result="clean"; else result="FAILED (see $log)"; fi
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "| $t | libFuzzer | $SECONDS_EACH | $runs | $result |"
  done
fi
