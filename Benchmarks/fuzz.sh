#!/usr/bin/env bash
# The long fuzz run (issue 12): each fuzz target for SECONDS (default 600, ten minutes), one after another, then a
# table of what ran. Two kinds of target:
#   - the seeded property-based fuzz tests in Tests/UpstreamIngestTests/FuzzTests.swift (run briefly in every
#     `scripts/test`), here kept going for SECONDS each with UPSTREAM_FUZZ_SECONDS;
#   - with LIBFUZZER=1, the libFuzzer target for the CSV reader (Benchmarks/Fuzz/Sources/fuzz-csv-reader, built
#     directly with swiftc -sanitize=fuzzer); with LIBFUZZER=all also the spec loader target (the package in
#     Benchmarks/Fuzz, a full release build of its dependencies); each for SECONDS with -max_total_time.
# Run it only when the machine is quiet: it keeps one core busy for 5 x SECONDS (10 x SECONDS with LIBFUZZER=1).
#
# Usage: Benchmarks/fuzz.sh     Env: SECONDS_EACH=600  COUNT=500  LIBFUZZER=1|all  ONLY_LIBFUZZER=1  NICE=19  SKIP_BUILD=1
# Output: a Markdown table on standard output (paste it into docs/robustness.md, "Long-run results").
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${SECONDS_EACH:-600}"
COUNT="${COUNT:-500}"
LOG="${LOG:-Benchmarks/out/fuzz}"
mkdir -p "$LOG"

if [ -z "${SKIP_BUILD:-}" ] && [ -z "${ONLY_LIBFUZZER:-}" ]; then swift build --build-tests >&2; fi

echo "| target | kind | seconds | inputs | result |"
echo "|---|---|---|---|---|"
PROPERTIES=(csvRowsReadAreAlwaysLoadedPlusQuarantined aFuzzedHeaderIsLoadedOrRefusedWholeNeverHalfway
            jsonLinesRowsReadAreAlwaysLoadedPlusQuarantined theCSVReaderNeverTrapsOnAnyBytesAndRecordsStayWithinTheLimit
            aMutatedSpecLoadsOrIsRefusedWithAnIngestErrorNeverATrap)
[ -n "${ONLY_LIBFUZZER:-}" ] && PROPERTIES=()
for t in "${PROPERTIES[@]}"; do
  log="$LOG/$t.log"
  if UPSTREAM_FUZZ_SECONDS="$SECONDS_EACH" UPSTREAM_FUZZ_COUNT="$COUNT" \
       swift test --skip-build --filter "FuzzTests/$t" >"$log" 2>&1; then result="clean"; else result="FAILED (see $log)"; fi
  line="$(grep -o "fuzz $t(): [0-9]* rounds, [0-9]* inputs, [0-9]* s" "$log" | tail -1 || true)"
  inputs="$(sed -E 's/.* ([0-9]+) inputs.*/\1/' <<<"$line")"
  secs="$(sed -E 's/.*, ([0-9]+) s$/\1/' <<<"$line")"
  echo "| $t | property (swift-property-based) | ${secs:-?} | ${inputs:-?} | $result |"
done

if [ -n "${LIBFUZZER:-}" ]; then
  # The CSV reader target needs only three source files: built directly with swiftc, in seconds.
  swiftc -sanitize=fuzzer -parse-as-library -O -module-name FuzzCSV \
    Sources/UpstreamIngest/CSVReader.swift Sources/UpstreamIngest/ByteStream.swift Sources/UpstreamIngest/IngestError.swift \
    Benchmarks/Fuzz/Sources/fuzz-csv-reader/FuzzCSVReader.swift -o "$LOG/fuzz-csv-reader" >&2
  targets=("$LOG/fuzz-csv-reader")
  if [ "${LIBFUZZER}" = "all" ]; then
    # The spec loader target needs UpstreamIngest with Yams and swift-crypto: the package in Benchmarks/Fuzz.
    (cd Benchmarks/Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --product fuzz-spec-loader >&2)
    targets+=("$(cd Benchmarks/Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --show-bin-path)/fuzz-spec-loader")
  fi
  for bin in "${targets[@]}"; do
    t="$(basename "$bin")"
    log="$LOG/$t.log"
    corpus="$LOG/$t-corpus"; mkdir -p "$corpus"
    # The spec loader starts from the real specs, so it mutates YAML that loads rather than finding it by chance.
    [ "$t" = "fuzz-spec-loader" ] && cp specs/*.yaml "$corpus/" 2>/dev/null || true
    if nice -n "${NICE:-0}" "$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 "$corpus" >"$log" 2>&1; then
      result="clean"; else result="FAILED (see $log)"; fi
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "| $t | libFuzzer | $SECONDS_EACH | $runs | $result |"
  done
fi
