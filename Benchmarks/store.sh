#!/usr/bin/env bash
# Store benchmark: the same synthetic city ingested, then linked, through the SQLite store and the PostgreSQL store.
# Prints one table: store, step, wall seconds, client CPU seconds, client peak RSS, server CPU seconds (PostgreSQL
# backends, from /proc), store size, records. The load average at the start and end of each step is printed too.
#
# Usage: Benchmarks/store.sh [PEOPLE]        (default: 50000)
# Env:   UPSTREAM_BENCH_POSTGRES_URL  a server to use (default: "$(scripts/postgres-ci)", which installs and starts one)
#        SCRATCH=.build  OUT=Benchmarks/out  SKIP_BUILD=1  SEED=1
#        BIN=path/to/upstream  time this binary instead of building a release one (say which in store.md)
#        ASSIGNMENTS=100000 LOOKUPS=10000  the person-store benchmark's size; SKIP_PERSONS=1 to leave it out
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE="${1:-50000}"
SCRATCH="${SCRATCH:-.build}"
OUT="${OUT:-Benchmarks/out}/store"
SEED="${SEED:-1}"
mkdir -p "$OUT"
if [ -z "${BIN:-}" ]; then
  [ -n "${SKIP_BUILD:-}" ] || swift build -c release --scratch-path "$SCRATCH" --product upstream >&2
  BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/upstream"
fi
[ -x "$BIN" ] || { echo "no release binary at $BIN" >&2; exit 1; }
PGURL="${UPSTREAM_BENCH_POSTGRES_URL:-$(scripts/postgres-ci)}"
SCHEMA="bench_$$"
PGSTORE="$PGURL?schema=$SCHEMA"
DB="$OUT/bench.db"

city="$OUT/city_$PEOPLE"
if [ ! -d "$city" ]; then "$BIN" synth --people "$PEOPLE" --seed "$SEED" --out "$city" --force > /dev/null; fi

# Total CPU seconds (user + system) of every PostgreSQL process on this machine: the server's share of the work.
pg_cpu() {
  local tck; tck=$(getconf CLK_TCK)
  for p in $(pgrep -u postgres -x postgres 2>/dev/null || true); do
    awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || true
  done | awk -v t="$tck" '{ s += $1 } END { printf "%.1f", s / t }'
}
loadavg() { cut -d' ' -f1 /proc/loadavg; }

rows=()
step() { # store-name step store-location command...
  local name="$1" what="$2" loc="$3"; shift 3
  local l0 c0 c1 secs cpu rss
  l0=$(loadavg); c0=$(pg_cpu)
  /usr/bin/time -v "$@" > "$OUT/$name-$what.out" 2> "$OUT/$name-$what.time"
  c1=$(pg_cpu)
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$OUT/$name-$what.time")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.1f", s }' "$OUT/$name-$what.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$OUT/$name-$what.time")
  local server="–"
  [ "$name" = postgres ] && server=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')
  local size
  if [ "$name" = postgres ]; then
    size=$(psql "$PGURL" -qAt -c "SELECT round(sum(pg_total_relation_size(c.oid)) / 1048576.0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$SCHEMA' AND c.relkind = 'r'")
  else
    size=$(awk -v b="$(stat -c %s "$DB")" 'BEGIN { printf "%.0f", b / 1048576 }')
  fi
  rows+=("| $name | $what | $secs | $cpu | $rss | $server | $size | $l0 → $(loadavg) |")
}

rm -f "$DB" "$DB-journal" "$OUT/persons-sqlite.csv" "$OUT/persons-postgres.csv"
step sqlite ingest "$DB" "$BIN" ingest --synth "$city" --store "$DB" --json
step sqlite link "$DB" "$BIN" link --store "$DB" --export-clusters "$OUT/persons-sqlite.csv" --json
step postgres ingest "$PGSTORE" "$BIN" ingest --synth "$city" --store "$PGSTORE" --json
step postgres link "$PGSTORE" "$BIN" link --store "$PGSTORE" --export-clusters "$OUT/persons-postgres.csv" --json

# Persons live in each store (migration v5); the exports compare them as files.
sq=$(cut -d, -f3 "$OUT/persons-sqlite.csv" 2>/dev/null | sort -u | wc -l || echo "?")
pq=$(cut -d, -f3 "$OUT/persons-postgres.csv" 2>/dev/null | sort -u | wc -l || echo "?")
records=$(psql "$PGURL" -qAt -c "SELECT count(*) FROM $SCHEMA.records")
printf '\n%s people (seed %s), %s records; %s cores; %s\n\n' "$PEOPLE" "$SEED" "$records" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '| store | step | seconds | client CPU s | client peak RSS MB | server CPU s | store MB | load average (1 min) |\n'
printf '|---|---|---:|---:|---:|---:|---:|---|\n'
printf '%s\n' "${rows[@]}"
if cmp -s <(sort "$OUT/persons-sqlite.csv") <(sort "$OUT/persons-postgres.csv"); then
  printf '\nThe two stores gave identical persons (%s lines exported).\n' "$(wc -l < "$OUT/persons-sqlite.csv")"
else
  printf '\nThe persons files differ (distinct person ids: SQLite %s, PostgreSQL %s).\n' "$sq" "$pq"
fi
psql "$PGURL" -qAt -c "DROP SCHEMA $SCHEMA CASCADE" > /dev/null

# Persons in the store: saving a linkage run of 100,000 assignments and looking persons up (Benchmarks/store.md).
if [ -z "${SKIP_PERSONS:-}" ]; then
  [ -n "${SKIP_BUILD:-}" ] || swift build -c release --scratch-path "$SCRATCH" --product upstream-person-store-bench >&2
  PBIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/upstream-person-store-bench"
  printf '\n'
  "$PBIN" --assignments "${ASSIGNMENTS:-100000}" --lookups "${LOOKUPS:-10000}" --postgres "$PGURL"
fi
