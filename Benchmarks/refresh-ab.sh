#!/usr/bin/env bash
# The monthly refresh's link, binary against binary, on one store (issue 17):
#
#   Benchmarks/refresh-ab.sh BASE ROUNDS LABEL=BIN [LABEL=BIN ...]
#
# BASE is a folder holding a linked SQLite store (city.db, its side files and city.db.link-index) with a month
# ingested and not yet linked (as `Benchmarks/force-scale.sh` leaves one before its refresh: synth --monthly, ingest,
# link, ingest --synth CITY/month-*). For each round and each binary in turn, the store is copied afresh (to
# BASE/../refresh-ab-work), read once so it starts in the page cache, and `link --store COPY --incremental --json
# --memory 8G` runs under GNU time. Prints one row a run: wall, CPU, peak memory, the stages' seconds, what the
# refresh read, and md5s of the assignments (source, record, person, probability in key order), the persons (id,
# records) and the pending review pairs, which must be the same for every binary. Needs sqlite3 and GNU time.
set -euo pipefail
BASE="$(cd "$1" && pwd)"; ROUNDS="$2"; shift 2
W="$(dirname "$BASE")/refresh-ab-work"
command -v sqlite3 >/dev/null && command -v /usr/bin/time >/dev/null || { echo "needs sqlite3 and GNU time (apt-get install sqlite3 time)" >&2; exit 2; }
echo "| run | wall | CPU | peak | stages (s) | candidate persons | identities screened | persons read whole | stored records read | paired | assignments md5 | persons md5 | review md5 |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for pair in "$@"; do
    label="${pair%%=*}"; bin="${pair#*=}"
    rm -rf "$W"; mkdir -p "$W"; cp -r "$BASE"/city.db* "$W"/; cat "$W/city.db" > /dev/null
    /usr/bin/time -f "%e %U %S %M" -o "$W/time.txt" "$bin" link --store "$W/city.db" --incremental --json --memory 8G > "$W/out.json" 2> "$W/err.txt" \
      || { echo "| $label $round | failed: $(tail -1 "$W/err.txt") |"; continue; }
    read -r secs user sys kb < "$W/time.txt"
    row="$(python3 - "$W/out.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["link"]
r = j.get("refresh") or {}
st = " ".join("%s %.1f" % (k, v) for k, v in sorted(j["timings"]["stages"].items(), key=lambda x: -x[1]) if v >= 0.5)
g = lambda k: "{:,}".format(r[k]) if r.get(k) is not None else "–"
print(" | ".join([st, g("candidatePersons"), g("identitiesScreened"), g("personsRead"), g("existingRecordsRead"), g("personsPaired")]))
PY
)"
    a="$(sqlite3 "$W/city.db" "SELECT source, record_id, person_id, probability FROM assignments ORDER BY source, record_id" | md5sum | cut -c1-12)"
    p="$(sqlite3 "$W/city.db" "SELECT id, records FROM persons ORDER BY id" | md5sum | cut -c1-12)"
    q="$(sqlite3 "$W/city.db" "SELECT subject, state FROM review_items WHERE queue = 'linkage-pairs' AND pending ORDER BY subject" | md5sum | cut -c1-12)"
    printf "| %s %s | %.1f s | %.1f s | %d MiB | %s | %s | %s | %s |\n" "$label" "$round" "$secs" "$(echo "$user + $sys" | bc)" "$((kb / 1024))" "$row" "$a" "$p" "$q"
  done
done
rm -rf "$W"
