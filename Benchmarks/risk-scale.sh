#!/usr/bin/env bash
# `upstream risk train` with the previous cohort builder and with the streaming one, at several city sizes: for each
# size, synthesise (seed 3, 15 years) and ingest, then train on the city's true persons (truth/records.csv as
# --persons: linkage is not what is measured here) twice, each under GNU time, and from 250,000 people under
# `flock /tmp/upstream-bigrun.lock` so that only one big run uses the shared machine at a time. Prints one table row per run.
# Usage: Benchmarks/risk-scale.sh [PEOPLE...] (default 100000 250000). Needs /usr/bin/time (Debian package "time").
# ONLY=streaming skips the previous builder (it needs about 15 GiB per million people); NOBUILD=1 skips the build;
# MEMORY=2G sets the streaming builder's --memory (default 8G). Output in Benchmarks/out/risk-scale-PEOPLE/.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${*:-100000 250000}"
[ -n "${NOBUILD:-}" ] || swift build -c release --product upstream >&2
B="$PWD/.build/release/upstream"
printf "| people | linked records | cohort builder | wall | CPU | peak memory | rows (train + test) | trees ROC AUC | ACE count ROC AUC |\n"
printf "|---:|---:|---|---:|---:|---:|---:|---:|---:|\n"
for PEOPLE in $SIZES; do
  OUT="Benchmarks/out/risk-scale-$PEOPLE"
  if [ ! -s "$OUT/city.db" ]; then
    rm -rf "$OUT" && mkdir -p "$OUT"
    "$B" synth --people "$PEOPLE" --seed 3 --out "$OUT/city" > /dev/null
    "$B" ingest --synth "$OUT/city" --store "$OUT/city.db" > /dev/null
  fi
  for BUILDER in chronology streaming; do
    [ "${ONLY:-}" = streaming ] && [ "$BUILDER" = chronology ] && continue
    FLAG=""; [ "$BUILDER" = chronology ] && FLAG="--chronology-cohorts"
    rm -rf "$OUT/city.db.risk"
    LOCK=""; [ "$PEOPLE" -ge 250000 ] && LOCK="flock /tmp/upstream-bigrun.lock"
    $LOCK /usr/bin/time -v -o "$OUT/time-$BUILDER.txt" "$B" risk train --store "$OUT/city.db" \
      --persons "$OUT/city/truth/records.csv" --postcodes "$OUT/city/reference/postcodes.csv" --capacity 1000 \
      --memory "${MEMORY:-8G}" $FLAG --json > "$OUT/report-$BUILDER.json" 2> "$OUT/train-$BUILDER.log"
    python3 - "$OUT" "$BUILDER" "$PEOPLE" <<'EOF'
import json, re, sys
out, builder, people = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = open(f"{out}/time-{builder}.txt").read()
def field(name):
    return re.search(re.escape(name) + r":\s*(.+)", t).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
peak = int(field("Maximum resident set size (kbytes)")) / 1024
log = open(f"{out}/train-{builder}.log").read()
records = int(re.search(r"risk: (\d+) linked records", log).group(1))
r = json.load(open(f"{out}/report-{builder}.json"))
auc = {m["key"]: m.get("rocAUC") for m in r["models"]}
card = r["card"]["data"]
train = int(re.search(r"(\d+) training rows", card).group(1)); test = int(re.search(r"(\d+) test rows", card).group(1))
name = "previous (chronologies per date)" if builder == "chronology" else "streaming"
print(f"| {people:,} | {records:,} | {name} | {secs:,.0f} s | {cpu:,.0f} s | {peak:,.0f} MiB | {train:,} + {test:,} | "
      f"{auc['gbt']:.4f} | {auc['ace_count']:.4f} |")
EOF
  done
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
