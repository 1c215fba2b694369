#!/usr/bin/env python3
# Usage: python3 Benchmarks/web-household.py STORE.db N  (Benchmarks/web.md, session 10). Read-only.
# Times the household query (SQLiteStore.neighbourhoodSQL) for N persons, each on a fresh connection (as the server's
# reads start with an empty SQLite page cache after every commit), the file's pages in the kernel's cache.
# Prints, per group (the latest scoring run's flagged persons; the first N persons by pseudonym), the rows per query and
# the CPU time per query (process time, so the machine's load matters less), two rounds each.
import os, re, sqlite3, sys, time
src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Sources/UpstreamStoreSQLite/SQLiteStore+WebReads.swift')).read()
sql = re.search(r'neighbourhoodSQL = """\n(.*?)\n\s*"""', src, re.S).group(1)
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
persons = [r[0] for r in c.execute("SELECT id FROM persons ORDER BY pseudonym LIMIT ?", (n,))]
flagged = [r[0] for r in c.execute("SELECT person_id FROM scores WHERE run_id = (SELECT max(id) FROM risk_runs WHERE kind='score') AND flagged")]
c.close()
for label, group in (("flagged", flagged), ("by pseudonym", persons)):
    if not group: continue
    for rnd in range(2):
        rows = 0; t = 0.0
        for p in group:
            c = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
            t0 = time.process_time()
            rows += len(c.execute(sql, (p, 0)).fetchall())
            t += time.process_time() - t0
            c.close()
        print(f"{label} round {rnd+1}: {len(group)} persons, {rows/len(group):.0f} rows each, {1000*t/len(group):.2f} ms per query")
