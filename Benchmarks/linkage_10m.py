"""Issue 13's scale target: about 10,000,000 Faker records linked on 2 cores within 8 GiB, under 5 minutes.

    python3 Benchmarks/linkage_10m.py --python PYTHON_WITH_FAKER [--upstream .build/release/upstream] [--half 3162500]
                                      [--rules both|benchmark|scale]

1. Makes two halves with Benchmarks/linkage_faker.py (en_GB, seeds 11 and 12, --half people each, in parallel: about
   5.5 minutes and 4.6 GB of memory each), renames the second half's record ids and persons (`Z…`, `Q…`) and
   interleaves the two files line by line: 9,988,684 records of 6,325,000 people at the default size. Not timed.
2. Links the file twice under /usr/bin/time -v, each with the like-for-like benchmark's comparisons
   (Benchmarks/linkage_benchmark.py): once with its four blocking rules and EM sessions (written for a million
   records: their blocks grow with the file), once with rules whose blocks stay about the same size as the file grows
   (a birth year or both initials in each key, EM sessions on date of birth and surname initial, and on names and
   birth year).
3. Prints wall time, user CPU, peak memory, candidate pairs and the pairwise precision, recall, F1 and cluster
   precision against the truth (the benchmark's scoring code).
"""
import argparse, itertools, json, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import linkage_benchmark as bench  # noqa: E402

SCALE_RULES = {"blocking_rules": ["national_id", "dob + initial(surname) + initial(forename)", "forename + surname + year(dob)",
                                  "postcode + initial(forename)"],
               "training_rules": ["dob + initial(surname)", "forename + surname + year(dob)"]}


def make(args, work):
    data, truth = os.path.join(work, "a.csv"), os.path.join(work, "truth.csv")
    if os.path.exists(truth):
        return data, truth
    halves = [os.path.join(work, f"h{s}") for s in (1, 2)]
    procs = [subprocess.Popen([args.python, os.path.join(HERE, "linkage_faker.py"), "--people", str(args.half), "--locale", "en_GB",
                               "--files", "1", "--seed", str(10 + s), "--out", h], stdout=subprocess.DEVNULL) for s, h in zip((1, 2), halves)]
    if any(p.wait() != 0 for p in procs):
        sys.exit("linkage_faker.py failed")
    with open(data + ".tmp", "w") as out, open(os.path.join(halves[0], "a.csv")) as h1, open(os.path.join(halves[1], "a.csv")) as h2:
        out.write(h1.readline()); h2.readline()
        for l1, l2 in itertools.zip_longest(h1, h2):
            if l1: out.write(l1)
            if l2: out.write("Z" + l2[1:])
    with open(truth + ".tmp", "w") as out, open(os.path.join(halves[0], "truth.csv")) as t1, open(os.path.join(halves[1], "truth.csv")) as t2:
        out.write(t1.readline()); t2.readline()
        out.writelines(t1)
        for line in t2:
            source, rid, pid = line.rstrip("\n").split(",")
            out.write(f"{source},Z{rid[1:]},Q{pid[1:]}\n")
    os.replace(data + ".tmp", data); os.replace(truth + ".tmp", truth)
    return data, truth


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", type=int, default=3_162_500, help="people in each half")
    ap.add_argument("--upstream", default=os.path.join(os.path.dirname(HERE), ".build/release/upstream"))
    ap.add_argument("--python", default=sys.executable, help="a Python with faker")
    ap.add_argument("--work", default=os.path.join(HERE, "out", "linkage-10m"))
    ap.add_argument("--rules", choices=("both", "benchmark", "scale"), default="both",
                    help="link with the like-for-like benchmark's rules, the rules whose blocks stay the same size, or both")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    data, truth = make(args, args.work)
    print(f"| rules | wall | user CPU (s) | peak (GiB) | candidate pairs | precision | recall | F1 | cluster precision |")
    print(f"|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    runs = (("the like-for-like benchmark's", {}), ("blocks that stay the same size", SCALE_RULES))
    for name, override in runs[1 if args.rules == "scale" else 0:1 if args.rules == "benchmark" else 2]:
        config = bench.config(1_000_000)
        config["settings"].update(override)
        cfg = os.path.join(args.work, f"config-{'scale' if override else 'benchmark'}.json")
        with open(cfg, "w") as f: json.dump(config, f, indent=2)
        out = os.path.join(args.work, "clusters.csv")
        log = os.path.join(args.work, "time.log")
        wall, rss, stdout = bench.timed([args.upstream, "link", "--config", cfg, "--input", data, "--export-clusters", out, "--json"], log)
        user = float(re.search(r"User time \(seconds\): ([\d.]+)", open(log).read()).group(1))
        link = json.loads(stdout)["link"]
        p, r, f1, cp = bench.score(out, truth)
        print(f"| {name} | {int(wall // 60)} min {wall % 60:.0f} s | {user:.0f} | {rss / 1024:.2f} | {link['candidatePairs']:,} | "
              f"{p:.4f} | {r:.4f} | {f1:.4f} | {cp:.4f} |", flush=True)


if __name__ == "__main__":
    main()
