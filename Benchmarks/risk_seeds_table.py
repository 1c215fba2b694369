"""Tables of the risk model's figures per seed and their range, from Benchmarks/risk-seeds.sh's report.json files.
Usage: python3 Benchmarks/risk_seeds_table.py OUTDIR SEED..."""
import json
import sys

out, seeds = sys.argv[1], sys.argv[2:]
reports = {s: json.load(open(f"{out}/seed-{s}/report.json")) for s in seeds}


def f3(x):
    return "–" if x is None else f"{x:.3f}"


def ci(i, fmt):
    return "" if not i else f" [{fmt(i['lower'])}–{fmt(i['upper'])}]"


def row(m):
    c = m.get("capacity") or {}
    conf = c.get("confusion", {})
    i = m.get("intervals") or {}
    lead = m.get("leadTime") or {}
    months = sorted(lead.get("monthsBefore", []))
    med = None
    if months:
        n = len(months)
        med = months[n // 2] if n % 2 else (months[n // 2 - 1] + months[n // 2]) / 2
    return (f"{f3(m.get('rocAUC'))}{ci(i.get('rocAUC'), f3)}", f3(m.get("prAUC")),
            f"{conf.get('truePositives', 0)}{ci(i.get('truePositives'), lambda x: str(int(x)))} of {c.get('flagged', 0)}",
            f"{lead.get('flaggedBefore', 0)} of {lead.get('outcomes', 0)}", "–" if med is None else f"{med:g}")


print(f"Capacity per date; rows are person-dates; [a–b] = 95% interval from resampling people.\n")
for s in seeds:
    r = reports[s]
    m0 = r["models"][0]
    print(f"**Seed {s}**: {m0['rows']:,} test rows, {m0['positives']} with the outcome; {m0.get('capacityUnit', '')}; "
          f"lead time capped at {(m0.get('leadTime') or {}).get('capMonths', '?')} months.\n")
    print("| model | ROC AUC | PR AUC | outcomes found at capacity | people flagged before the outcome | median months before |")
    print("|---|---|---|---|---|---|")
    for m in r["models"]:
        print("| " + m["name"] + " | " + " | ".join(row(m)) + " |")
    h = r.get("hindsight") or {}
    if h.get("asOfDate"):
        print("\nLinkage as of each test date instead of with hindsight:\n")
        print("| model | ROC AUC hindsight → as of the date | found at capacity |")
        print("|---|---|---|")
        for a in h["asOfDate"]:
            w = next(x for x in h["withHindsight"] if x["key"] == a["key"])
            print(f"| {a['name']} | {f3(w.get('rocAUC'))} → {f3(a.get('rocAUC'))} | "
                  f"{w['capacity']['confusion']['truePositives']} → {a['capacity']['confusion']['truePositives']} |")
    t = r.get("truePersonModels") or []
    if t:
        print("\nOn the city's true persons: " + "; ".join(f"{m['name']} ROC AUC {f3(m.get('rocAUC'))}, found {m['capacity']['confusion']['truePositives']}" for m in t))
    print()

print("**Range across seeds** (lowest–highest):\n")
print("| model | ROC AUC | PR AUC | outcomes found at capacity | precision at capacity |")
print("|---|---|---|---|---|")
keys = [m["key"] for m in reports[seeds[0]]["models"]]
for k in keys:
    ms = [next(m for m in reports[s]["models"] if m["key"] == k) for s in seeds]
    auc = [m["rocAUC"] for m in ms]
    ap = [m["prAUC"] for m in ms]
    tp = [m["capacity"]["confusion"]["truePositives"] for m in ms]
    pr = [m["capacity"]["confusion"]["truePositives"] / max(1, m["capacity"]["flagged"]) for m in ms]
    print(f"| {ms[0]['name']} | {min(auc):.3f}–{max(auc):.3f} | {min(ap):.3f}–{max(ap):.3f} | {min(tp)}–{max(tp)} | "
          f"{100 * min(pr):.1f}%–{100 * max(pr):.1f}% |")
