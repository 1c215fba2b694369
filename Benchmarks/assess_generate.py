#!/usr/bin/env python3
"""Writes police.uk-format street-level crime files for the assessment benchmark (fixed seed, synthetic).

One file per month, as data.police.uk publishes them: the published header, a byte-order mark on the first file,
CRLF line ends, quoted locations with commas, anti-social behaviour rows without a Crime ID, and about 2% of rows
without a location. Crime types follow police.uk's published mix roughly; 1,800 LSOAs with a few busy ones.
Usage: assess_generate.py ROWS OUT_DIR [SEED]
"""
import os, random, sys

rows, out = int(sys.argv[1]), sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)
header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
types = [("Anti-social behaviour", 28), ("Violence and sexual offences", 30), ("Shoplifting", 6), ("Criminal damage and arson", 7),
         ("Other theft", 6), ("Vehicle crime", 6), ("Burglary", 5), ("Public order", 6), ("Drugs", 2), ("Robbery", 1.5),
         ("Theft from the person", 1), ("Possession of weapons", 1), ("Bicycle theft", 0.8), ("Other crime", 1.5)]
names = [t for t, _ in types]
cum = []
acc = 0
for _, w in types:
    acc += w
    cum.append(acc)
outcomes = ["Under investigation", "Unable to prosecute suspect", "Investigation complete; no suspect identified",
            "Status update unavailable", "Awaiting court outcome", ""]
lsoas = []
for i in range(1800):
    lon = -2.05 + rng.random() * 0.35
    lat = 52.38 + rng.random() * 0.25
    lsoas.append(("E0100%04d" % i, "Anyshire %03d%s" % (i // 4, "ABCD"[i % 4]), lon, lat))
busy = [rng.randrange(1800) for _ in range(20)]
streets = ["High Street", "Station Road", "Church Lane", "Park Road", "Bull Street", "Victoria Road"]
months = 36
per_month = rows // months
written = 0
for m in range(months):
    year, month = 2022 + m // 12, m % 12 + 1
    n = per_month if m < months - 1 else rows - written
    path = os.path.join(out, "%04d-%02d-anyshire-street.csv" % (year, month))
    with open(path, "w", newline="") as f:
        if m == 0:
            f.write("\ufeff")
        f.write(header + "\r\n")
        buf = []
        for k in range(n):
            r = rng.random() * acc
            t = 0
            while cum[t] < r:
                t += 1
            crime = names[t]
            cid = "" if crime == "Anti-social behaviour" else "%064x" % rng.getrandbits(256)
            if rng.random() < 0.02:
                buf.append("%s,%04d-%02d,Anyshire Police,Anyshire Police,,,No Location,,,%s,%s," % (cid, year, month, crime, rng.choice(outcomes)))
                continue
            a = lsoas[busy[rng.randrange(20)]] if rng.random() < 0.15 else lsoas[rng.randrange(1800)]
            loc = rng.choice(streets)
            loc = '"On or near %s, Anyshire"' % loc if rng.random() < 0.3 else "On or near " + loc
            buf.append("%s,%04d-%02d,Anyshire Police,Anyshire Police,%.6f,%.6f,%s,%s,%s,%s,%s," % (
                cid, year, month, a[2] + rng.random() * 0.004, a[3] + rng.random() * 0.004, loc, a[0], a[1], crime,
                "" if crime == "Anti-social behaviour" else rng.choice(outcomes)))
            if len(buf) >= 10000:
                f.write("\r\n".join(buf) + "\r\n")
                buf = []
        if buf:
            f.write("\r\n".join(buf) + "\r\n")
        f.write("\r\n")
    written += n
print(written)
