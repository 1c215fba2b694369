#!/usr/bin/env bash
# Ingest benchmark: generate a large police_crime_people-shaped CSV, load it with `upstream ingest`
# (release build) into a fresh SQLite store, and print throughput and peak memory.
#
# Usage: Benchmarks/ingest.sh [ROWS...]          (default: 1000000 10000000)
# Env:   SCRATCH=.build      SwiftPM scratch path for the release build
#        OUT=Benchmarks/out  where the CSV and the store are written (git-ignored)
#        SKIP_BUILD=1        use an existing release binary
#        MODES="pipelined sequential"   ingest modes to time (sequential = --sequential, one thread)
# Target (issue 3): 10,000,000 rows in under 3 minutes on 2 cores, memory bounded (peak RSS flat as rows grow).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build}"
OUT="${OUT:-Benchmarks/out}"
ROWS=("$@")
MODES="${MODES:-pipelined sequential}"
[ ${#ROWS[@]} -eq 0 ] && ROWS=(1000000 10000000)
mkdir -p "$OUT"

if [ -z "${SKIP_BUILD:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" --product upstream >&2
fi
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/upstream"
[ -x "$BIN" ] || { echo "no release binary at $BIN" >&2; exit 1; }

generate() { # rows file
  awk -v n="$1" 'BEGIN {
    OFS = ","
    print "NominalLinkID,CrimeRef,Involvement,Surname,Forenames,DOB,Sex,PNCID,Postcode,EthnicityCode,CommittedDate,HOCode,Flags,LSOA"
    split("SMITH JONES TAYLOR BROWN WILLIAMS WILSON JOHNSON DAVIES PATEL KHAN", sn, " ")
    split("JACK OLIVER HARRY GEORGE NOAH AMELIA OLIVIA ISLA AVA MIA", fn, " ")
    split("VICTIM SUSPECT OFFENDER WITNESS", inv, " ")
    split("DA KNIFE|GANG  HATE NTE", fl, " ")
    for (i = 1; i <= n; i++) {
      d = 1 + i % 28; m = 1 + i % 12; y = 1950 + i % 60
      print sprintf("NL%09d", i), sprintf("20/%06d/17", i % 999983), inv[1 + i % 4], sn[1 + i % 10], \
        fn[1 + (i * 7) % 10] " " fn[1 + (i * 3) % 10], sprintf("%02d/%02d/%04d", d, m, y), (i % 2 ? "M" : "F"), \
        sprintf("%02d/%06d%c", i % 30, i % 1000000, 65 + i % 26), sprintf("UC%d %dAB", 1 + i % 9, i % 10), \
        substr("WMABO", 1 + i % 5, 1), sprintf("%02d/%02d/%04d", d, m, 2012 + i % 12), "8N", fl[1 + i % 5], \
        sprintf("E0100%04d", i % 5000)
    }
  }' > "$2"
}

printf '\n| rows | mode | file MB | seconds | rows/s | CPU s | peak RSS MB | store MB | loaded | quarantined |\n'
printf '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${ROWS[@]}"; do
for mode in $MODES; do
  flag=""; [ "$mode" = sequential ] && flag="--sequential"
  csv="$OUT/police_crime_people_$n.csv"
  db="$OUT/bench_$n.db"
  [ -f "$csv" ] || generate "$n" "$csv"
  rm -f "$db" "$db-journal"
  /usr/bin/time -v "$BIN" ingest $flag --spec specs/police_crime_people.yaml --store "$db" --json "$csv" \
    > "$OUT/report_$n.json" 2> "$OUT/time_$n.txt"
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$OUT/time_$n.txt")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$OUT/time_$n.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$OUT/time_$n.txt")
  loaded=$(awk -F': ' '/"loaded"/ { gsub(/[ ,]/, "", $2); print $2; exit }' "$OUT/report_$n.json")
  quarantined=$(awk -F': ' '/"quarantined"/ { gsub(/[ ,]/, "", $2); print $2; exit }' "$OUT/report_$n.json")
  mb=$(awk -v b="$(stat -c %s "$csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
  dbmb=$(awk -v b="$(stat -c %s "$db")" 'BEGIN { printf "%.0f", b / 1048576 }')
  rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$mode" "$mb" "$secs" "$rate" "$cpu" "$rss" "$dbmb" "$loaded" "$quarantined"
  rm -f "$db" "$db-journal"
done
done
