#!/usr/bin/env python3
# Usage: python3 Benchmarks/web-household.py STORE.db N  (Benchmarks/web.md, session 10). Read-only.
# Times the household query (SQLiteStore.neighbourhoodSQL) for N persons, each on a fresh connection (as the server's
# reads start with an empty SQLite page cache after every commit), the file's pages in the kernel's cache.
# Prints, per group (the latest scoring run's flagged persons; the first N persons by pseudonym), the rows per query and
# the CPU time per query (process time, so the machine's load matters less), two rounds each.
# Then the household read in steps (SQLiteStore.householdRecords, session 13), replayed here in Python: the records read
# in full (the person's and their household candidates'), the event records at their postcodes read from the index
# only, and the candidates per person. Its CPU time includes Python's work on each row, so compare its rows, not its
# milliseconds, with the query's.
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

def home(pc, addr):  # Identity.home (Sources/UpstreamModel/SourceRecord.swift)
    if not pc: return None
    if addr is None: return pc.upper()
    prev = ""
    for tok in re.split(r'[ ,]', addr.upper()):
        if not tok: continue
        if tok.isdigit() and prev != "FLAT": return pc.upper() + "#" + tok
        prev = tok
    return pc.upper()

PERSON = "SELECT r.* FROM assignments a JOIN records r ON r.source = a.source AND r.record_id = a.record_id WHERE a.person_id = ? ORDER BY r.id"
for label, group in (("flagged", flagged), ("by pseudonym", persons)):
    if not group: continue
    full = indexed = candidates = 0; t = 0.0
    for p in group:
        c = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
        t0 = time.process_time()
        cur = c.execute(PERSON, (p,)); own = cur.fetchall(); ix = {d[0]: i for i, d in enumerate(cur.description)}
        homes, pcs, refs = set(), set(), set()
        for r in own:
            if not r[ix['person_level']] or r[ix['event_kind']] is None: continue
            h = home(r[ix['postcode']], r[ix['address']])
            if h: homes.add(h); pcs.add(r[ix['postcode']])
            if r[ix['event_kind']] == 'incident' and r[ix['reference']]: refs.add(r[ix['reference']])
        keys = []
        for pc in pcs:
            for s_, rid, addr in c.execute("SELECT source, record_id, address FROM records WHERE postcode = ? AND person_level AND event_date IS NOT NULL", (pc,)):
                indexed += 1
                if home(pc, addr) in homes: keys.append((s_, rid))
        for ref in refs:
            keys += c.execute("SELECT source, record_id FROM records WHERE event_kind = 'incident' AND reference = ? AND person_level", (ref,)).fetchall()
        people = {q for k in keys for (q,) in c.execute("SELECT person_id FROM assignments WHERE source = ? AND record_id = ?", k)} - {p}
        full += len(own) + sum(len(c.execute(PERSON, (q,)).fetchall()) for q in people)
        candidates += len(people)
        t += time.process_time() - t0
        c.close()
    n = len(group)
    print(f"{label}, household in steps: {n} persons, {full/n:.0f} records read in full each, {indexed/n:.0f} event records "
          f"at their postcodes read from the index, {candidates/n:.1f} household candidates, {1000*t/n:.2f} ms per person (with Python's work)")
