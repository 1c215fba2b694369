#!/usr/bin/env bash
# Issue 17's linear cost for the risk stages, with repeats: `upstream risk train` and `upstream risk score` on the
# stores `force-scale.sh` kept, RUNS times each, the sizes taken in turn within each round (so a slow quarter hour
# slows every size, not one), then the medians and the cost per person between sizes.
#
#   KEEP=1 MEMORY=8G OUT=/big Benchmarks/force-scale.sh 500000 1000000 2000000 3000000   # once: the linked stores
#   OUT=/big RUNS=3 MEMORY=8G Benchmarks/risk-linear.sh 500000 1000000 2000000 3000000
#
# Each run: `risk train --store city.db --postcodes postcodes.csv --capacity 100 --memory M`, then
# `risk score --store city.db --postcodes postcodes.csv --as-of SCORE_DATE --memory M --json`, under GNU time (wall, CPU, peak resident set),
# with plain progress lines whose "done in" gives each stage's time. The training is deterministic (same store,
# same seed: the same model and report), so every run of a size does the same work.
# Prints one row per run, then the medians per size and the ratios (1.00 = linear; issue 17 asks at most 1.10), then
# the train's boosting (its trees and calibration) per iteration, since early stopping sets the iterations per size.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/lib.sh
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(500000 1000000 2000000 3000000)
OUT="${OUT:-Benchmarks/out/force-scale}"
RUNS="${RUNS:-3}"
MEMORY="${MEMORY:-8G}"
SCORE_DATE="${SCORE_DATE:-2024-04-01}"
STAGES="${STAGES:-train score}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then swift build -c release --product upstream >&2; fi
B="${BIN:-$PWD/.build/release/upstream}"
for people in "${SIZES[@]}"; do
  d="$OUT/city-$people"
  [ -f "$d/city.db" ] || { echo "no store at $d/city.db: make it with KEEP=1 OUT=$OUT Benchmarks/force-scale.sh $people" >&2; exit 2; }
  [ -f "$d/postcodes.csv" ] || { echo "no $d/postcodes.csv (force-scale.sh keeps it beside the store with KEEP=1)" >&2; exit 2; }
done
LOG="$OUT/risk-linear"; mkdir -p "$LOG"; RESULTS="$LOG/results.tsv"; : > "$RESULTS"

# Seconds from a progress line's "done in 1 min 40 s" / "done in 51 s".
stage_seconds() {   # file stage
  grep -E "[0-9]+/[0-9]+ $2: done in" "$1" | tail -1 | sed -E 's/.*done in ([^(;]*).*/\1/' |
    awk '{ s = 0; for (i = 1; i <= NF; i++) { if ($(i+1) == "h") s += 3600 * $i; if ($(i+1) == "min") s += 60 * $i; if ($(i+1) == "s") s += $i } print s }'
}

echo "| round | people | stage | wall | CPU (user+sys) | peak memory | stages (s) | load at start |"
echo "|---:|---:|---|---:|---:|---:|---|---|"
for round in $(seq 1 "$RUNS"); do
  for people in "${SIZES[@]}"; do
    d="$OUT/city-$people"
    for what in $STAGES; do
      case "$what" in
        train) args=(risk train --store "$d/city.db" --postcodes "$d/postcodes.csv" --capacity 100 --memory "$MEMORY" --json)
               stages="read features cohorts trees logistic-regression calibration save";;
        score) args=(risk score --store "$d/city.db" --postcodes "$d/postcodes.csv" --as-of "$SCORE_DATE" --memory "$MEMORY" --json)
               stages="read features scoring reasons save";;
        *) echo "unknown stage $what (train, score)" >&2; exit 2;;
      esac
      base="$LOG/$what-$people-$round"; load="$(cut -d' ' -f1 /proc/loadavg)"
      if ! UPSTREAM_PROGRESS=plain:5 flock "${LOCK:-/tmp/upstream-bigrun.lock}" /usr/bin/time -f "%e %U %S %M" -o "$base.time" \
          "$B" "${args[@]}" > "$base.json" 2> "$base.err"; then
        echo "| $round | $people | $what | failed: $(tail -1 "$base.err" | cut -c1-120) | | | | $load |"; continue
      fi
      read -r secs user sys kb < "$base.time"
      parts=""; trees=""; calibration=""
      for s in $stages; do
        v="$(stage_seconds "$base.err" "${s//-/ }")"; [ -n "$v" ] && parts="$parts${parts:+, }${s//-/ } $v"
        case "$s" in trees) trees="$v";; calibration) calibration="$v";; esac
      done
      iterations="$(grep -oE 'trees: [0-9]+ iterations' "$base.err" | grep -oE '[0-9]+' || true)"
      [ -n "$iterations" ] && parts="$parts; $iterations boosting iterations"
      printf "| %d | %d | %s | %.1f s | %.0f s | %.0f MiB | %s | %s |\n" "$round" "$people" "$what" "$secs" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" "$parts" "$load"
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$people" "$what" "$secs" "$kb" "$(echo "$user + $sys" | bc)" \
        "$trees" "$calibration" "$iterations" >> "$RESULTS"
    done
  done
done

echo; echo "## Medians of $RUNS runs, and the cost per person between sizes (1.00 = linear; issue 17 asks at most 1.10)"; echo
echo "| stage | people | wall, median (runs) | CPU, median | peak, largest | wall ratio / size ratio | CPU ratio / size ratio | peak ratio / size ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
sort -t$'\t' -k2,2 -k1,1n "$RESULTS" | awk -F'\t' "$MEDIAN_AWK"'
  function flush(   w, c, r) { if (key == "") return; w = median(walls); c = median(cpus)
    if (prev_stage == stage) { r = people / prev_people; printf "| %s | %d | %.1f s (%s) | %.0f s | %.0f MiB | %.2f | %.2f | %.2f |\n", stage, people, w, walls, c, peak / 1024, (w / pw) / r, (c / pc) / r, (peak / pk) / r }
    else printf "| %s | %d | %.1f s (%s) | %.0f s | %.0f MiB | | | |\n", stage, people, w, walls, c, peak / 1024
    prev_stage = stage; prev_people = people; pw = w; pc = c; pk = peak }
  { k = $2 "\t" $1; if (k != key) { flush(); key = k; stage = $2; people = $1; walls = ""; cpus = ""; peak = 0 }
    walls = walls (walls == "" ? "" : " ") $3; cpus = cpus (cpus == "" ? "" : " ") $5; if ($4 > peak) peak = $4 }
  END { flush() }'
if grep -qP '^\d+\ttrain\t.*\t\d+$' "$RESULTS"; then
  echo; echo "## The train's boosting, per iteration (medians of $RUNS runs)"; echo
  echo "Early stopping picks the number of boosting iterations from the data, and the calibration fits five more models of that many"
  echo "iterations (one per fold), so the train's time follows the iterations as well as the people: its trees and calibration are"
  echo "given per iteration per million people, and the rest (read, features, cohorts, logistic regression, save) per person."; echo
  echo "| people | boosting iterations | trees + calibration | per iteration per million people | its ratio (1.00 = linear) | the rest | per person, ratio (1.00 = linear) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '$2 == "train" && $8 != ""' "$RESULTS" | sort -t$'\t' -k1,1n | awk -F'\t' "$MEDIAN_AWK"'
    function flush(   b, rest, per, r) { if (people == "") return; b = median(boost); rest = median(other); per = b / (iters * people / 1e6)
      if (prev != "") { r = people / prev; printf "| %d | %d | %.1f s | %.3f s | %.2f | %.1f s | %.2f |\n", people, iters, b, per, per / pper, rest, (rest / prest) / r }
      else printf "| %d | %d | %.1f s | %.3f s | | %.1f s | |\n", people, iters, b, per, rest
      prev = people; pper = per; prest = rest }
    { if ($1 != people) { flush(); people = $1; boost = ""; other = "" }
      iters = $8; boost = boost " " ($6 + $7); other = other " " ($3 - $6 - $7) }
    END { flush() }'
fi
echo; echo "Reproduce: OUT=$OUT RUNS=$RUNS MEMORY=$MEMORY Benchmarks/risk-linear.sh ${SIZES[*]}"
