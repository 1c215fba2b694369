#!/usr/bin/env bash
# A whole force on one machine (issue 17): the pipeline at each size, one run per size, with the machine's load.
#
#   Benchmarks/force-scale.sh [PEOPLE...]          default: 500000 1000000 2000000 3000000
#   MEMORY=8G Benchmarks/force-scale.sh 500000     pass a --memory budget to the stages that take one
#   SKIP_BUILD=1 OUT=/big/disk Benchmarks/force-scale.sh 3000000
#   REFRESH_RUNS=3 Benchmarks/force-scale.sh 2000000   run the monthly refresh three times from a copy of the store, and give each step's median
#   KEEP=1 Benchmarks/force-scale.sh 1000000        keep the linked and scored store (city.db) for other benchmarks (Benchmarks/web.sh),
#                                                   and the city's truth (truth-records.csv) for Benchmarks/pairwise-f1.py and its postcodes (postcodes.csv) for Benchmarks/risk-linear.sh
#
# For each size: `upstream synth`, `upstream ingest`, `upstream link`, `upstream risk train`, and
# `upstream risk score` for one date, each timed with GNU time (/usr/bin/time, Debian package "time"): wall clock,
# user+system CPU, peak resident set. Prints one markdown table per size with the issue's targets beside each
# stage, and the ratios between consecutive sizes (time and memory per person should stay flat if cost is linear).
# Stages that fail are reported with their exit status and the last line of their error; later stages are skipped.
# Big runs hold /tmp/upstream-bigrun.lock so that two never share the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(500000 1000000 2000000 3000000)
OUT="${OUT:-Benchmarks/out/force-scale}"
MEMORY="${MEMORY:-}"
SCORE_DATE="${SCORE_DATE:-2024-04-01}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then swift build -c release --product upstream >&2; fi
B="${BIN:-$PWD/.build/release/upstream}"
mkdir -p "$OUT"
mem_flag() { [ -n "$MEMORY" ] && "$B" "$@" --help 2>/dev/null | grep -q -- "--memory" && echo "--memory $MEMORY" || true; }

# The machine's memory as a stage starts: what the kernel could give a process without swapping, and what the page
# cache holds (a store that no longer fits in it beside a stage's own memory is read from the disk again).
memory_state() { awk '/^MemAvailable:/ { a = $2 } /^Cached:/ { c = $2 } END { printf "%.1f, %.1f", a / 1048576, c / 1048576 }' /proc/meminfo; }

declare -A TARGET_S=([synth]=300 [ingest]=600 [link]=1200 ["risk train"]=1200 ["risk score"]=300)
SUMMARY="$OUT/summary.tsv"; : > "$SUMMARY"

for people in "${SIZES[@]}"; do
  dir="$OUT/city-$people"; rm -rf "$dir"; mkdir -p "$dir"
  echo; echo "## $people people ($(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"; echo
  echo "| stage | wall | CPU (user+sys) | peak memory | target (3 M people) | load at start; memory available, page cache (GiB) |"
  echo "|---|---:|---:|---:|---|---|"
  failed=""
  stage() {
    local name="$1"; shift
    if [ -n "$failed" ]; then echo "| $name | skipped ($failed failed) | | | | |"; return; fi
    local load; load="$(cut -d' ' -f1 /proc/loadavg); $(memory_state)"
    local t="$dir/time-${name// /-}.txt"
    if flock "${LOCK:-/tmp/upstream-bigrun.lock}" /usr/bin/time -f "%e %U %S %M" -o "$t" "$B" "$@" \
        > "$dir/out-${name// /-}.txt" 2> "$dir/err-${name// /-}.txt"; then
      read -r secs user sys kb < "$t"
      local target="the three refresh steps: under 5 min together"
      [ -n "${TARGET_S[$name]:-}" ] && target="under $((TARGET_S[$name] / 60)) min, 8 GiB"
      printf "| %s | %.0f s | %.0f s | %.0f MiB | %s | %s |\n" \
        "$name" "$secs" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" "$target" "$load"
      printf "%s\t%s\t%s\t%s\t%s\n" "$people" "$name" "$secs" "$kb" "$(echo "$user + $sys" | bc)" >> "$SUMMARY"
    else
      failed="$name"
      echo "| $name | failed (exit $(tail -1 "$t" | grep -o '[0-9]*$' || echo ?)): $(tail -1 "$dir/err-${name// /-}.txt" | cut -c1-120) | | | | $load |"
    fi
  }
  stage synth synth --people "$people" --seed 3 --monthly --out "$dir/city"
  stage ingest ingest --synth "$dir/city" --store "$dir/city.db" $(mem_flag ingest)
  stage link link --store "$dir/city.db" $(mem_flag link)
  if [ -z "$failed" ] && [ -f "$dir/city/truth/records.csv" ]; then   # untimed: the link's F1 against the city's truth
    echo "| link's pairwise F1 (untimed) | $(python3 Benchmarks/pairwise-f1.py "$dir/city.db" "$dir/city/truth/records.csv" 2>&1 | tail -1) | | | | |"
  fi
  stage "risk train" risk train --store "$dir/city.db" --postcodes "$dir/city/reference/postcodes.csv" --capacity 100 $(mem_flag risk train)
  stage "risk score" risk score --store "$dir/city.db" --as-of "$SCORE_DATE" $(mem_flag risk score)
  month="$(ls -d "$dir"/city/month-* 2>/dev/null | head -1)"
  if [ -n "$month" ]; then
    ym="${month##*/month-}"; y="${ym%-*}"; m="${ym#*-}"
    next="$([ "$m" = 12 ] && echo "$((y + 1))-01-01" || printf "%s-%02d-01" "$y" "$((10#$m + 1))")"
    runs="${REFRESH_RUNS:-1}"; sfx=""
    # REFRESH_RUNS=N: the store as the full run left it is copied aside, and each run after the first starts from
    # that copy. Each copy is synced before the next timed step, whose first commit would otherwise wait for the
    # copy's gigabytes to reach the disk. At 2 M people and more the store and its copy do not fit the page cache
    # together, so the copy's pages are then dropped from it and the store read once (untimed): every run, the first
    # included, starts with the store as warm as straight after the score (session 37's runs after a copy read by
    # record id from a colder cache: the 2 M refresh's link 62.6 s first, 72.3 and 73.1 s after a copy).
    warm_store() {
      python3 -c 'import os, sys
for f in sys.argv[1:]:
    fd = os.open(f, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$dir/pre-month"/city.db*
      cat "$dir/city.db" > /dev/null
    }
    [ "$runs" -gt 1 ] && [ -z "$failed" ] && { rm -rf "$dir/pre-month"; mkdir -p "$dir/pre-month"; cp -a "$dir"/city.db* "$dir/pre-month/"; sync; warm_store; }
    for ((k = 1; k <= runs; k++)); do
      if [ "$k" -gt 1 ] && [ -z "$failed" ]; then rm -rf "$dir"/city.db*; cp -a "$dir/pre-month"/city.db* "$dir/"; sync; warm_store; fi
      [ "$runs" -gt 1 ] && sfx=" #$k"
      stage "refresh: ingest the month$sfx" ingest --synth "$month" --store "$dir/city.db"
      stage "refresh: link incrementally$sfx" link --store "$dir/city.db" --incremental --json $(mem_flag link)
      stage "refresh: score as of $next$sfx" risk score --store "$dir/city.db" --as-of "$next" $(mem_flag risk score)
    done
    rm -rf "$dir/pre-month"
    if [ -z "$failed" ]; then   # untimed: what the (last) refresh read (through the block index) and the F1 after it
      echo "| refresh's reads (untimed) | $(python3 -c 'import json,sys; l=json.load(sys.stdin)["link"]; r=l.get("refresh"); print("%d new records; %d stored records of %d persons read; %d identities screened%s" % (r["newRecords"], r["existingRecordsRead"], r["personsRead"], r.get("identitiesScreened") or 0, ", block index built first" if r["indexBuilt"] else "") if r else "%s new records, the whole store read" % l.get("newRecords"))' < "$dir/out-refresh:-link-incrementally${sfx// /-}.txt" 2>&1 | tail -1) | | | | |"
      [ -f "$dir/city/truth/records.csv" ] && echo "| pairwise F1 after the refresh (untimed) | $(python3 Benchmarks/pairwise-f1.py "$dir/city.db" "$dir/city/truth/records.csv" 2>&1 | tail -1) | | | | |"
    fi
    if [ -z "$failed" ]; then   # the refresh in all: each step's median over the runs (wall, CPU and peak memory each), summed
      REFRESH_S=0; REFRESH_KB=0
      for base in "refresh: ingest the month" "refresh: link incrementally" "refresh: score as of $next"; do
        col() { awk -F'\t' -v p="$people" -v b="$base" -v c="$1" '$1 == p && ($2 == b || index($2, b " #") == 1) { print $c }' "$SUMMARY" | median_of_lines; }
        secs="$(col 3)"; kb="$(col 4)"; cpu="$(col 5)"; kb="${kb%.*}"
        REFRESH_S="$(echo "$REFRESH_S + $secs" | bc)"; REFRESH_KB=$(( kb > REFRESH_KB ? kb : REFRESH_KB ))
        if [ "$runs" -gt 1 ]; then
          printf "| %s, median of %d | %.0f s | %.0f s | %.0f MiB | the three refresh steps: under 5 min together | |\n" "$base" "$runs" "$secs" "$cpu" "$((kb / 1024))"
          printf "%s\t%s\t%s\t%s\t%s\n" "$people" "$base" "$secs" "$kb" "$cpu" >> "$SUMMARY"
        fi
      done
    fi
    [ -z "$failed" ] && printf "| **monthly refresh, in all** | %.0f s | | %.0f MiB (the largest step) | under 5 min, 8 GiB | |\n" "$REFRESH_S" "$((REFRESH_KB / 1024))"
  fi
  if [ -n "${KEEP:-}" ]; then cp "$dir/city/truth/records.csv" "$dir/truth-records.csv" 2>/dev/null || true; cp "$dir/city/reference/postcodes.csv" "$dir/postcodes.csv" 2>/dev/null || true; rm -rf "$dir/city"; echo "kept $dir/city.db" >&2; else rm -rf "$dir/city" "$dir/city.db"*; fi   # keep the logs, not the gigabytes
done

echo; echo "## Cost per person between sizes (1.00 = linear)"; echo
echo "| stage | sizes | wall ratio / size ratio | CPU ratio / size ratio | memory ratio / size ratio |"
echo "|---|---|---:|---:|---:|"
awk -F'\t' '$2 ~ / #[0-9]+$/ { next } { key=$2; sub(/ as of .*/, "", key); if (key in n) { r=$1/n[key]; printf "| %s | %d → %d | %.2f | %.2f | %.2f |\n", key, n[key], $1, ($3/t[key])/r, ($5/c[key])/r, ($4/m[key])/r } n[key]=$1; t[key]=$3; m[key]=$4; c[key]=$5 }' "$SUMMARY"
