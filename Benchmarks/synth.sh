#!/usr/bin/env bash
# Synthetic city benchmark: times the city generator (release build of `upstream-synth-bench`, the same
# CityGenerator as `upstream synth` without the rest of the CLI) and reports peak memory.
# Prints a table: people, years, seconds (median of RUNS), peak RSS (MB), person-level records.
#
# Usage: Benchmarks/synth.sh [PEOPLE...]     (default: 100000 1000000)
# Env:   RUNS=3 (runs per size; the median is reported)   YEARS="5 15" (window lengths)   SKIP_BUILD=1
#        CHECK_200K=1 also runs the full 200,000-person identifier and recovery test (debug build, a few minutes):
#        distinct identifiers, and adjacent rows / ids no more often the same person than random pairs.
#        CHECK_IDS=1 keeps the last city of the largest size and counts repeated record ids (source, record_id in
#        truth/records.csv) and repeated NHS numbers and UPNs (truth/people.csv): each count must be 0.
# Target (issue 2): 1,000,000 people over 15 years in under 2 minutes on 2 cores, peak memory under 4 GB
# that does not grow with the number of years.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
YEARS="${YEARS:-5 15}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(100000 1000000)
OUT="${OUT:-Benchmarks/out}"
mkdir -p "$OUT"
[ -n "${SKIP_BUILD:-}" ] || swift build -c release --product upstream-synth-bench >&2
BIN="$(swift build -c release --show-bin-path)/upstream-synth-bench"
printf "| people | years | wall s (median of %s) | user CPU s | peak RSS (MB) | person-level records |\n|---:|---:|---:|---:|---:|---:|\n" "$RUNS"
for n in "${SIZES[@]}"; do
  for y in $YEARS; do
    times=(); mem=0; recs=0; cpu=0
    for r in $(seq "$RUNS"); do
      /usr/bin/time -f "%e %M %U" -o "$OUT/time.txt" "$BIN" --people "$n" --years "$y" --out "$OUT/city" > "$OUT/summary.json"
      read -r s kb u < "$OUT/time.txt"
      times+=("$s"); cpu=$u; [ "$kb" -gt "$mem" ] && mem=$kb
      recs=$(python3 -c "import json;print(json.load(open('$OUT/summary.json'))['personRecords'])" 2>/dev/null || echo "?")
    done
    med=$(printf "%s\n" "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "| %s | %s | %s | %s | %s | %s |\n" "$n" "$y" "$med" "$cpu" "$((mem / 1024))" "$recs"
  done
done
if [ -n "${CHECK_IDS:-}" ]; then
  # The loop above left the last size's last city in $OUT/city: check it at full size, with no build needed.
  dup_records=$(tail -n +2 "$OUT/city/truth/records.csv" | cut -d, -f1,2 | sort -S 1G | uniq -d | wc -l)
  col() { head -1 "$OUT/city/truth/people.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
  dup_nhs=$(tail -n +2 "$OUT/city/truth/people.csv" | cut -d, -f"$(col nhs_number)" | awk 'NF' | sort -S 1G | uniq -d | wc -l)
  dup_upn=$(tail -n +2 "$OUT/city/truth/people.csv" | cut -d, -f"$(col upn)" | awk 'NF' | sort -S 1G | uniq -d | wc -l)
  people=$(($(wc -l < "$OUT/city/truth/people.csv") - 1)); records=$(($(wc -l < "$OUT/city/truth/records.csv") - 1))
  printf "\n| city checked | truth people | truth records | repeated record ids | repeated NHS numbers | repeated UPNs |\n|---:|---:|---:|---:|---:|---:|\n"
  printf "| %s | %s | %s | %s | %s | %s |\n" "${SIZES[-1]}" "$people" "$records" "$dup_records" "$dup_nhs" "$dup_upn"
  [ "$dup_records" -eq 0 ] && [ "$dup_nhs" -eq 0 ] && [ "$dup_upn" -eq 0 ] || { echo "repeated identifiers found" >&2; exit 1; }
fi
rm -rf "$OUT/city"
if [ -n "${CHECK_200K:-}" ]; then
  swift build --build-tests >&2
  UPSTREAM_SYNTH_200K=1 swift test --skip-build --filter "RecoveryTests/city200000" >&2
fi
