#!/bin/bash
# risk train and risk score (one date) with two binaries of upstream, alternated on copies of one linked store:
# CPU seconds (user+sys), wall and peak memory of each, whether the two score files are byte-identical, and the
# ROC AUCs of each train. Session 8: the cohort builder's one pass over the store.
#
#   Benchmarks/risk-onepass.sh STORE_DIR OLD_BIN NEW_BIN AS_OF [EXTRA_TRAIN_ARGS...]
#
# STORE_DIR holds city.db (linked, with a trained model) and city/reference/postcodes.csv, as made by
#   upstream synth --people N --seed 3 --out D/city && upstream ingest --synth D/city --store D/city.db
#   upstream link --store D/city.db && upstream risk train --store D/city.db --postcodes D/city/reference/postcodes.csv
# The store is copied (never written). Big stores: run under flock /tmp/upstream-bigrun.lock nice -n 10.
set -euo pipefail
DIR=${1:?STORE_DIR}; OLD=${2:?OLD_BIN}; NEW=${3:?NEW_BIN}; AS_OF=${4:?AS_OF}; shift 4
export UPSTREAM_SPECS=${UPSTREAM_SPECS:-$(cd "$(dirname "$0")/.." && pwd)/specs}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/risk-onepass.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
row() {  # label, time file
    awk -v l="$1" -F': ' '/User time/{u=$2} /System time/{s=$2} /Elapsed/{w=$2} /Maximum resident/{m=$2}
        END{printf "| %s | %s | %.1f | %d |\n", l, w, u+s, m/1024}' "$2"
}
echo "| run | wall | CPU s (user+sys) | peak MiB |"
echo "|---|---:|---:|---:|"
for which in old new; do
    BIN=$OLD; [ $which = new ] && BIN=$NEW
    mkdir -p "$WORK/$which"
    for f in "$DIR"/city.db*; do cp -r "$f" "$WORK/$which/"; done
    S="$WORK/$which/city.db"
    /usr/bin/time -v "$BIN" risk score --store "$S" --as-of "$AS_OF" --scores "$WORK/$which.csv" > /dev/null 2> "$WORK/$which-score.time"
    row "$which: risk score --as-of $AS_OF" "$WORK/$which-score.time"
    /usr/bin/time -v "$BIN" risk train --store "$S" --postcodes "$DIR/city/reference/postcodes.csv" "$@" > "$WORK/$which-train.txt" 2> "$WORK/$which-train.time"
    row "$which: risk train $*" "$WORK/$which-train.time"
done
echo
if cmp -s "$WORK/old.csv" "$WORK/new.csv"; then echo "scores: byte-identical ($(($(wc -l < "$WORK/new.csv") - 1)) young people)"; else echo "scores: DIFFER"; fi
for which in old new; do
    echo "$which train ROC AUCs: $(grep -E '^  (Gradient|Logistic|ACE|Age)' "$WORK/$which-train.txt" | awk '{for(i=1;i<=NF;i++) if ($i ~ /^0\.[0-9]+$/) {printf "%s ", $i; break}}')"
done
