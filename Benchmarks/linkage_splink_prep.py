"""Prepares the synthetic city's person-level extracts for Splink: one table, cleaned as Splink's docs advise.

Reads each CSV through the same column mapping Upstream uses (config/linkage-synthetic-city.json), upper-cases
names, splits full names, writes dates as ISO strings (placeholder 1900-01-01 as null), keeps identifiers as
digits/upper case, scopes local ids by source, and writes a Parquet file. Not timed: Splink's clock starts
when it reads this file.
"""
import csv, json, os, sys, re
import pyarrow as pa, pyarrow.parquet as pq

MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}

def iso(text, fmt):
    t = (text or "").strip()
    if not t:
        return None
    try:
        if fmt == "YYYY-MM-DD": y, m, d = int(t[0:4]), int(t[5:7]), int(t[8:10])
        elif fmt == "DD/MM/YYYY": d, m, y = int(t[0:2]), int(t[3:5]), int(t[6:10])
        elif fmt == "YYYYMMDD": y, m, d = int(t[0:4]), int(t[4:6]), int(t[6:8])
        elif fmt == "DD-MON-YYYY": d, m, y = int(t[0:2]), MONTHS[t[3:6].upper()], int(t[7:11])
        else: return None
    except (ValueError, KeyError):
        return None
    if y <= 1900:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"

def clean(s):
    s = re.sub(r"[^A-Z \-]", "", (s or "").upper().replace("'", ""))
    return re.sub(r"\s+", " ", s.replace("-", " ")).strip() or None

def main(city, config_path, out):
    config = json.load(open(config_path))
    cols = {k: [] for k in ["unique_id", "source_dataset", "record_id", "first_name", "middle_names", "surname", "dob", "sex", "postcode", "nhs", "upn", "pnc", "local_id"]}
    for src in config["sources"]:
        path = os.path.join(city, src["name"] + ".csv")
        if not os.path.exists(path):
            continue
        c = src["columns"]
        with open(path, newline="") as f:
            for row in csv.DictReader(f, delimiter=src.get("delimiter", ",")):
                fore = sur = None
                if "full_name" in c:
                    full = row[c["full_name"]]
                    if "," in full:
                        sur, fore = full.split(",", 1)
                    else:
                        parts = full.split()
                        fore, sur = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (None, full)
                for role in ("forenames", "forename"):
                    if role in c: fore = row[c[role]]
                if "surname" in c: sur = row[c["surname"]]
                fore = clean(fore); sur = clean(sur)
                first = fore.split(" ")[0] if fore else None
                middle = " ".join(fore.split(" ")[1:]) if fore and " " in fore else None
                if "middle_names" in c and row[c["middle_names"]]:
                    middle = clean(row[c["middle_names"]])
                sex = (row.get(c.get("sex", ""), "") or "").strip().upper()[:1]
                sex = {"M": "M", "F": "F", "1": "M", "2": "F"}.get(sex)
                pc = re.sub(r"\s+", "", (row.get(c.get("postcode", ""), "") or "").upper())
                pc = pc[:-3] + " " + pc[-3:] if len(pc) >= 5 else None
                nhs = re.sub(r"\D", "", row.get(c.get("nhs", ""), "") or "") or None
                local = row.get(c.get("local_id", ""), "") or None
                cols["unique_id"].append(f'{src["name"]}|{row[src["id_column"]]}|{len(cols["unique_id"])}')
                cols["source_dataset"].append(src["name"]); cols["record_id"].append(row[src["id_column"]])
                cols["first_name"].append(first); cols["middle_names"].append(middle); cols["surname"].append(sur)
                cols["dob"].append(iso(row.get(c.get("dob", ""), ""), src.get("dob_format")))
                cols["sex"].append(sex); cols["postcode"].append(pc); cols["nhs"].append(nhs)
                cols["upn"].append((row.get(c.get("upn", ""), "") or "").strip().upper() or None)
                cols["pnc"].append((row.get(c.get("pnc", ""), "") or "").strip().upper() or None)
                cols["local_id"].append(f'{src["name"]}|{local}' if local else None)
    pq.write_table(pa.table(cols), out)
    print(f"{len(cols['unique_id'])} records -> {out}")

if __name__ == "__main__":
    main(*sys.argv[1:4])
