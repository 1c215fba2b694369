#!/usr/bin/env bash
# Web app load benchmark: wrk on loopback against `upstream serve --demo` (the in-memory demo workspace) or, with
# STORE=path/to/store.db, against a copy of a linked and scored SQLite store, signed in as the demo supervisor, on the
# review queue's first page, on one chronology page asked for again and again, and on chronologies rotating over
# many young people (the flagged young people of the queue's pages, ROTATE of them, each connection walking the
# list from its own place; Benchmarks/web-rotate.lua). Prints a Markdown table of requests/s, latency percentiles,
# non-2xx responses, socket errors and the server's CPU per request, plus the server's peak memory.
# The kept pages (WebCache) make most views a hit; SERVE_ARGS="--page-cache 0" turns them off, so every view is a
# miss (built from the store): run the script both ways to see a hit's and a miss's cost.
#
# Usage: Benchmarks/web.sh [PERSONS [DURATION [CONNECTIONS]]]   (default: 20000 30s 200; PERSONS is ignored with STORE)
# Env:   PAGES="queue one rotate" (the default: which of the three to run); ROTATE (default 1000: persons in the
#        rotation: the queue's flagged young people first, then, with STORE, other persons of the store);
# Env:   BIN=path/to/upstream (default: the release build, built unless SKIP_BUILD=1); THREADS (default 2); TIMEOUT (wrk, default 10s);
#        STORE=a SQLite store (copied with its key files, so the demo users are created afresh in the copy);
#        INPLACE=1 serves STORE itself instead (a copy you made: it is written to); SERVE_ARGS=more `serve` options;
#        EACH=file: instead of wrk, ask for each rotation path once, one at a time, with curl, and write each one's
#        time (s), status and path to file, slowest first (with SERVE_ARGS="--page-cache 0": every person's miss)
#        WARM=1: ask for each rotation path once before the runs (not measured), so that they start with the pages kept
# Needs: wrk (Debian package `wrk`), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS="${1:-20000}"
DURATION="${2:-30s}"
CONNECTIONS="${3:-200}"
THREADS="${THREADS:-2}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  [ -n "${SKIP_BUILD:-}" ] || swift build -c release --product upstream >&2
  BIN="$(swift build -c release --show-bin-path)/upstream"
fi
WORK="$(mktemp -d)"
# The server is stopped and waited for, so that a run started next finds the store closed.
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
if [ -n "${STORE:-}" ] && [ -n "${INPLACE:-}" ]; then
  # Serve STORE itself (it must be a copy made for the benchmark: the server writes audit entries and users to it).
  # The demo users are removed first so that they are created afresh and their passwords printed.
  command -v sqlite3 >/dev/null || { echo "INPLACE needs sqlite3: apt-get install sqlite3" >&2; exit 1; }
  sqlite3 "$STORE" "DELETE FROM case_assignments WHERE practitioner LIKE 'demo-%'; DELETE FROM users WHERE name LIKE 'demo-%';" 2>/dev/null || true
  "$BIN" serve --store "$STORE" --port 0 --create-demo-users --bcrypt-cost 10 ${SERVE_ARGS:-} >"$WORK/out" 2>"$WORK/err" &
  WHAT="the SQLite store $STORE ($(du -h "$STORE" | cut -f1)), served in place"
elif [ -n "${STORE:-}" ]; then
  for f in "$STORE" "$STORE".*; do [ -f "$f" ] && cp "$f" "$WORK/store.db${f#"$STORE"}"; done
  rm -f "$WORK"/store.db.*.lock
  "$BIN" serve --store "$WORK/store.db" --port 0 --create-demo-users --bcrypt-cost 10 ${SERVE_ARGS:-} >"$WORK/out" 2>"$WORK/err" &
  WHAT="the SQLite store $STORE ($(du -h "$STORE" | cut -f1))"
else
  "$BIN" serve --demo --demo-persons "$PERSONS" --port 0 --create-demo-users --bcrypt-cost 10 >"$WORK/out" 2>"$WORK/err" &
  WHAT="$PERSONS persons in the demo workspace"
fi
SERVER=$!
STARTED="$(date +%s.%N)"
# A store whose migrations have not run yet takes minutes to open (START_WAIT seconds, default 300).
for _ in $(seq 1 $(( ${START_WAIT:-300} * 2 ))); do grep -q "serving on" "$WORK/out" 2>/dev/null && break; sleep 0.5; done
PORT="$(sed -n 's|.*serving on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/out")"
# How long the server took to listen (with a store: opening it, the demo users, the queue's chronologies built first).
UP="$(awk -v a="$STARTED" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f s", b - a}')"
KEPT="$(grep '^kept the' "$WORK/out" || echo "no chronologies kept at start")"
[ -n "$PORT" ] || { echo "the server did not start" >&2; cat "$WORK/err" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
PASSWORD="$(awk -F'\t' '$1=="demo-supervisor"{print $3}' "$WORK/out")"
TOKEN="$(curl -s -c "$WORK/jar" -b "$WORK/jar" "$BASE/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)"
curl -s -o /dev/null -c "$WORK/jar" -b "$WORK/jar" --data "csrf=$TOKEN&name=demo-supervisor&password=$PASSWORD" "$BASE/login"
# A supervisor must set up an authenticator before any other page answers (docs/security.md, 2.7): take the key the
# account page shows, make its current code (RFC 6238, as an authenticator app would), and set it up.
ACCOUNT="$(curl -s -c "$WORK/jar" -b "$WORK/jar" "$BASE/account")"
SECRET="$(printf '%s' "$ACCOUNT" | sed -n 's/.*name="secret" value="\([A-Z2-7]*\)".*/\1/p' | head -1)"
if [ -n "$SECRET" ]; then
  TOKEN="$(printf '%s' "$ACCOUNT" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)"
  CODE="$(python3 -c 'import base64,hmac,hashlib,struct,sys,time
k=base64.b32decode(sys.argv[1]+"="*(-len(sys.argv[1])%8)); h=hmac.new(k,struct.pack(">Q",int(time.time())//30),hashlib.sha1).digest()
o=h[-1]&15; print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$SECRET")"
  curl -s -o /dev/null -c "$WORK/jar" -b "$WORK/jar" --data-urlencode "csrf=$TOKEN" --data-urlencode "current=$PASSWORD" \
    --data-urlencode "secret=$SECRET" --data-urlencode "code=$CODE" "$BASE/account/totp"
fi
SESSION="$(awk '$6=="upstream_session"{print $7}' "$WORK/jar")"
PERSON="$(curl -s -b "$WORK/jar" "$BASE/api/v1/queue" | grep -o '"pseudonym":"YP-[0-9A-Z]*"' | head -1 | cut -d'"' -f4)"
[ -n "$SESSION" ] && [ -n "$PERSON" ] || { echo "could not sign in as the demo supervisor" >&2; exit 1; }
# The rotation: the flagged young people from the queue's pages (50 a page), ROTATE at most, in the queue's order.
ROTATE="${ROTATE:-1000}"
: >"$WORK/paths"
for qp in $(seq 1 $(( (ROTATE + 49) / 50 ))); do
  got="$(curl -s -b "$WORK/jar" "$BASE/api/v1/queue?page=$qp" | grep -o '"pseudonym":"YP-[0-9A-Z]*"' | cut -d'"' -f4)"
  [ -n "$got" ] || break
  printf '%s\n' $got | sed 's|^|/people/|' >>"$WORK/paths"
  [ "$(printf '%s\n' $got | wc -l)" -eq 50 ] || break
done
# With a store (and sqlite3), fewer flagged young people than ROTATE: fill up with other persons of the current
# linkage run (a supervisor may open any person's pseudonymised chronology), taken in pseudonym order, which is
# keyed-hash order and so a sample unrelated to the city's order.
if [ -n "${STORE:-}" ] && command -v sqlite3 >/dev/null && [ "$(wc -l <"$WORK/paths")" -lt "$ROTATE" ]; then
  sqlite3 -readonly "$STORE" "SELECT '/people/' || pseudonym FROM persons WHERE linkage_run = (SELECT max(id) FROM linkage_runs)
    ORDER BY pseudonym LIMIT $ROTATE" >>"$WORK/paths" 2>/dev/null || true
fi
# awk alone (no `| head`): under pipefail, head closing the pipe early failed the pipeline and left the list neither
# deduplicated nor cut to ROTATE (so runs before session 14 rotated over the flagged plus ROTATE others: 1,093).
awk -v max="$ROTATE" '!seen[$0]++ && n++ < max' "$WORK/paths" >"$WORK/paths.u"
mv "$WORK/paths.u" "$WORK/paths"
ROTATED="$(wc -l <"$WORK/paths")"

if [ -n "${EACH:-}" ]; then
  # Each rotation path once, one at a time, with curl: the build cost of every young person's chronology (a miss
  # unless the page is kept), slowest first.
  while read -r path; do
    curl -s -o /dev/null -w "%{time_total} %{http_code} $path\n" -b "$WORK/jar" "$BASE$path"
  done <"$WORK/paths" | sort -rn >"$EACH"
  exit 0
fi
if [ -n "${WARM:-}" ]; then
  # Each rotation path once first, one at a time (not measured): the pages are then kept, as on a server that has
  # been running, so the runs below measure the steady state without the first pass's misses.
  while read -r path; do curl -s -o /dev/null -b "$WORK/jar" "$BASE$path"; done <"$WORK/paths"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); binary: $BIN; $WHAT; $CONNECTIONS connections, $DURATION per page; serve options: ${SERVE_ARGS:-none}"
echo "server listening $UP after it started (within 0.5 s); $KEPT"
echo
echo "| page | requests/s | p50 | p90 | p99 | max | requests | non-2xx | socket errors | server CPU per request |"
echo "|---|---|---|---|---|---|---|---|---|---|"
cpu() { awk '{print $14+$15}' /proc/$SERVER/stat; }  # the server's user + system CPU, in clock ticks (1/100 s)
for which in ${PAGES:-queue one rotate}; do
  case "$which" in
    queue) page="/queue"; label="/queue"; script=() ;;
    one) page="/people/$PERSON"; label="/people/{one pseudonym}"; script=() ;;
    rotate) page="/"; label="/people/{$ROTATED pseudonyms, rotating}"; script=(-s Benchmarks/web-rotate.lua) ;;
    *) echo "PAGES takes queue, one and rotate" >&2; exit 1 ;;
  esac
  before="$(cpu)"
  WEB_PATHS="$WORK/paths" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "${TIMEOUT:-10s}" --latency ${script[@]+"${script[@]}"} \
    -H "Cookie: upstream_session=$SESSION" "$BASE$page" >"$WORK/wrk" 2>&1 || true
  rps="$(awk '/^Requests\/sec/{print $2}' "$WORK/wrk")"
  p50="$(awk '$1=="50%"{print $2}' "$WORK/wrk")"; p90="$(awk '$1=="90%"{print $2}' "$WORK/wrk")"; p99="$(awk '$1=="99%"{print $2}' "$WORK/wrk")"
  max="$(awk '$1=="Latency" && NF>=4 {print $4; exit}' "$WORK/wrk")"
  total="$(awk '/requests in/{print $1}' "$WORK/wrk")"
  non2xx="$(awk '/Non-2xx/{print $NF}' "$WORK/wrk")"
  sockerr="$(sed -n 's/.*Socket errors: //p' "$WORK/wrk")"
  per="$(awk -v a="$before" -v b="$(cpu)" -v n="${total:-0}" 'BEGIN{ if (n > 0) printf "%.2f ms", (b - a) * 10 / n; else print "–" }')"
  echo "| $label | $rps | $p50 | $p90 | $p99 | $max | $total | ${non2xx:-0} | ${sockerr:-none} | $per |"
done
echo
echo "server peak memory: $(awk '/VmHWM/{print $2, $3}' /proc/$SERVER/status); server CPU: $(awk '{printf "%.1f s", ($14+$15)/100}' /proc/$SERVER/stat); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
