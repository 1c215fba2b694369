"""Upstream vs Splink on the same synthetic city, in one run.

    python3 Benchmarks/linkage_benchmark.py --people 113000 [--seed 7] [--python /path/to/venv/python]

Needs the release binary (swift build -c release --scratch-path .build-link --product upstream, or pass
--upstream) and a Python with splink and pyarrow (pip install splink pyarrow; pass it as --python).
Generates the city (unless present), prepares Splink's input (not timed), then times each tool end to end
(training, prediction, clustering; Upstream's time also includes reading and standardising the CSVs) under
/usr/bin/time -v for peak memory, scores both exports against truth/records.csv with the same code, and writes
Benchmarks/linkage.md.
"""
import argparse, collections, csv, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

def timed(cmd, log):
    """Runs cmd under /usr/bin/time -v, streaming its standard error to `log`; returns (wall s, peak RSS MiB, stdout)."""
    start = time.time()
    with open(log, "w") as err:
        p = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=err, text=True)
    wall = time.time() - start
    text = open(log).read()
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd[:3])}… see {log}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    return wall, rss, p.stdout

def pairwise(pred_path, truth_path):
    truth = {}
    with open(truth_path) as f:
        for r in csv.DictReader(f):
            truth[(r["source"], r["record_id"])] = r["person_id"]
    pred = {}
    with open(pred_path) as f:
        for r in csv.DictReader(f):
            pred[(r["source"], r["record_id"])] = r["person_id"]
    cells, ps, ts = collections.Counter(), collections.Counter(), collections.Counter()
    for k, t in truth.items():
        p = pred.get(k, ("singleton",) + k)
        cells[(p, t)] += 1; ps[p] += 1; ts[t] += 1
    c2 = lambda n: n * (n - 1) // 2
    correct = sum(c2(n) for n in cells.values()); predicted = sum(c2(n) for n in ps.values()); true = sum(c2(n) for n in ts.values())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(pred)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=113_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--upstream", default=os.path.join(ROOT, ".build-link/release/upstream"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--work", default=os.path.join(HERE, "out", "linkage"))
    ap.add_argument("--skip-splink", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    city = os.path.join(a.work, f"city-{a.people}-{a.seed}")
    if not os.path.exists(os.path.join(city, "truth", "records.csv")):
        subprocess.run([a.upstream, "synth", "--people", str(a.people), "--seed", str(a.seed), "--out", city], check=True, stdout=subprocess.DEVNULL)
    config = os.path.join(ROOT, "config", "linkage-synthetic-city.json")
    sources = [s["name"] for s in json.load(open(config))["sources"]]
    inputs = [os.path.join(city, s + ".csv") for s in sources if os.path.exists(os.path.join(city, s + ".csv"))]
    truth = os.path.join(city, "truth", "records.csv")
    records = sum(1 for _ in open(truth)) - 1

    up_out = os.path.join(a.work, "upstream-clusters.csv")
    up_wall, up_rss, up_stdout = timed([a.upstream, "link", "--config", config, "--input", *inputs, "--export-clusters", up_out, "--json"], os.path.join(a.work, "upstream.log"))
    up_stages = json.loads(up_stdout)["link"]["timings"]["stages"]
    up_eval = pairwise(up_out, truth)

    rows = [("Upstream", up_wall, up_rss, up_eval, ", ".join(f"{k} {v:.1f}" for k, v in sorted(up_stages.items())))]
    if not a.skip_splink:
        parquet = os.path.join(a.work, "splink-input.parquet")
        subprocess.run([a.python, os.path.join(HERE, "linkage_splink_prep.py"), city, config, parquet], check=True, stdout=subprocess.DEVNULL)
        sp_out = os.path.join(a.work, "splink-clusters.csv")
        sp_wall, sp_rss, sp_stdout = timed([a.python, os.path.join(HERE, "linkage_splink.py"), parquet, sp_out], os.path.join(a.work, "splink.log"))
        sp_stages = json.loads(sp_stdout.strip().splitlines()[-1])
        sp_eval = pairwise(sp_out, truth)
        rows.append(("Splink (DuckDB)", sp_wall, sp_rss, sp_eval, ", ".join(f"{k} {v:.1f}" for k, v in sp_stages.items() if k != "total")))

    cores = os.cpu_count()
    lines = [
        f"# Linkage benchmark: Upstream vs Splink", "",
        f"Synthetic city: {a.people:,} people, seed {a.seed}, {records:,} person-level records in {len(inputs)} extracts; "
        f"{cores} cores; one run of `python3 Benchmarks/linkage_benchmark.py --people {a.people} --seed {a.seed}`.", "",
        "| tool | wall time (s) | peak memory (MiB) | pairwise precision | recall | F1 | stages (s) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, wall, rss, (p, r, f, _), stages in rows:
        lines.append(f"| {name} | {wall:.1f} | {rss:.0f} | {p:.4f} | {r:.4f} | {f:.4f} | {stages} |")
    if len(rows) == 2:
        lines += ["", f"Upstream is {rows[1][1] / rows[0][1]:.1f}x faster end to end and uses {rows[1][2] / rows[0][2]:.1f}x less peak memory; "
                  f"F1 {rows[0][3][2]:.4f} vs {rows[1][3][2]:.4f}."]
    lines += ["", "Wall time is the whole process: Upstream's includes reading and standardising the CSVs; Splink's starts from a "
              "prepared Parquet file (preparation, not timed, by `linkage_splink_prep.py`). Both are scored by the same code "
              "against `truth/records.csv`.", "",
              "Notes. Splink 5 with DuckDB, configured as its documentation advises (name comparisons with term-frequency "
              "adjustments, `DateOfBirthComparison`, `PostcodeComparison`, exact identifiers; prior from deterministic rules, "
              "u from 10^7 random pairs, EM sessions on first name + surname + postcode and on date of birth; name-only EM "
              "blocking would make 0.68 billion pairs at a million records). DuckDB's memory is capped at 8 GB with spilling "
              "(`SPLINK_MEMORY_LIMIT`) because the machine is shared: uncapped, the million-record run passed 19.6 GB before "
              "we stopped it. Splink warns that some postcode m values are not trained under these sessions, which costs it "
              "precision; a hand-tuned Splink would likely score higher, but its time is dominated by scoring every raw pair "
              "(about 0.27 billion blocked pairs before de-duplication), while Upstream collapses identical identities first "
              "(1.0 M records to 0.32 M) and compares 13 M pairs on two cores."]
    text = "\n".join(lines) + "\n"
    for name in ("linkage.md", f"linkage-{a.people}.md"):
        with open(os.path.join(HERE, name), "w") as f:
            f.write(text)
    print(text)

if __name__ == "__main__":
    main()
