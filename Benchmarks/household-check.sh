#!/usr/bin/env bash
# The household read in steps at a size the tests do not reach (docs/web.md, session 13): `upstream chronology --json`
# of the same persons from a build that reads the whole postcode neighbourhood and from one that reads the household in
# steps, each on its own copy of the same store (copies with the same key files, so the pseudonyms agree), compared
# byte for byte. The persons: the first N of the current linkage run in pseudonym order and the latest scoring run's
# flagged young people. Read-only apart from the audit entries each view writes. Needs sqlite3 and python3.
#
#   Benchmarks/household-check.sh BEFORE_BIN BEFORE_STORE AFTER_BIN AFTER_STORE [N]     (N: default 150)
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,8p "$0" >&2; exit 64; }
BEFORE_BIN="$1"; BEFORE_STORE="$2"; AFTER_BIN="$3"; AFTER_STORE="$4"; N="${5:-150}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
{ sqlite3 -readonly "$AFTER_STORE" "SELECT pseudonym FROM persons WHERE linkage_run = (SELECT max(id) FROM linkage_runs) ORDER BY pseudonym LIMIT $N"
  sqlite3 -readonly "$AFTER_STORE" "SELECT p.pseudonym FROM scores s JOIN persons p ON p.id = s.person_id
    WHERE s.run_id = (SELECT max(id) FROM risk_runs WHERE kind = 'score') AND s.flagged"; } | sort -u >"$WORK/persons"
same=0; differ=0; household=0
while read -r p; do
  "$BEFORE_BIN" chronology "$p" --store "$BEFORE_STORE" --json >"$WORK/before.json"
  "$AFTER_BIN" chronology "$p" --store "$AFTER_STORE" --json >"$WORK/after.json"
  if cmp -s "$WORK/before.json" "$WORK/after.json"; then same=$((same + 1)); else differ=$((differ + 1)); echo "differs: $p"; fi
  python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])).get("household") else 1)' "$WORK/after.json" && household=$((household + 1)) || true
done <"$WORK/persons"
echo "persons: $((same + differ)); the same chronology: $same; different: $differ; with a household: $household"
[ "$differ" -eq 0 ]
