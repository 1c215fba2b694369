#!/usr/bin/env bash
# Linkage at city scale: for each size, generate the synthetic city, ingest it into a fresh SQLite store and
# link it from the store with the default UK preset (release build), each step under /usr/bin/time -v and
# under the machine's big-run lock. Prints one row per size: records, candidate pairs, link wall and CPU time,
# link peak memory, pairwise F1 against the city's truth.
#
# Usage: Benchmarks/linkage-scale.sh [PEOPLE...]      (default: 250000 500000)
# Env:   OUT=/tmp/upstream-linkage-scale   where cities and stores go (large: about 1 GB per 250,000 people)
#        BIN=.build/release/upstream       the release binary (swift build -c release --product upstream)
#        MEMORY=8G                         upstream link --memory
#        KEEP=1                            keep the cities and stores afterwards
# Never run a size whose link could need more than about 10 GiB on the shared machine: the measured peak grows
# about linearly (see Benchmarks/linkage.md), so check the last row before adding a bigger size.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/upstream-linkage-scale}"
BIN="${BIN:-$PWD/.build/release/upstream}"
MEMORY="${MEMORY:-8G}"
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(250000 500000)
[ -x "$BIN" ] || { echo "no release binary at $BIN: swift build -c release --product upstream" >&2; exit 1; }
mkdir -p "$OUT"
LOCK=/tmp/upstream-bigrun.lock


echo "| people | records | candidate pairs | link wall (s) | link CPU (s) | link peak (MiB) | F1 | load (1 min) at start |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${SIZES[@]}"; do
  city="$OUT/city$n" store="$OUT/city$n.db"
  [ -d "$city/truth" ] || flock "$LOCK" /usr/bin/time -v "$BIN" synth --people "$n" --seed 1 --out "$city" > "$OUT/synth$n.out" 2> "$OUT/synth$n.time"
  [ -f "$store" ] || flock "$LOCK" /usr/bin/time -v "$BIN" ingest --synth "$city" --store "$store" > "$OUT/ingest$n.out" 2> "$OUT/ingest$n.time"
  load=$(cut -d' ' -f1 /proc/loadavg)
  flock "$LOCK" /usr/bin/time -v "$BIN" link --store "$store" --memory "$MEMORY" --evaluate "$city/truth/records.csv" --json > "$OUT/link$n.json" 2> "$OUT/link$n.time"
  python3 - "$n" "$OUT/link$n.json" "$OUT/link$n.time" "$load" <<'PY'
import json, re, sys
n, path, timef, load = sys.argv[1:]
d = json.load(open(path))["link"]
t = open(timef).read()
el = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(el)))
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1)) + float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
f1 = d.get("evaluation", {}).get("pairwise", {}).get("f1", float("nan"))
print(f"| {int(n):,} | {d['records']:,} | {d['candidatePairs']:,} | {wall:.1f} | {cpu:.1f} | {rss:,.0f} | {f1:.6f} | {load} |")
PY
  [ -n "${KEEP:-}" ] || rm -rf "$city" "$store"
done
