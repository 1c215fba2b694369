"""People with duplicates, made with Faker (not Upstream's generator), for the linkage worked example and benchmark.

    python3 Benchmarks/linkage_faker.py --people 1000 --locale es_ES --files 2 --out docs/examples/es
    python3 Benchmarks/linkage_faker.py --people 70000 --locale en_GB --files 1 --out /tmp/faker-100k

Each person gets a first name, surname(s), sex, date of birth, address lines, a postcode, a town and (for most) a
national id: an NHS-style number is not used; es_ES gets a Spanish DNI with its check letter, en_GB a Luhn-checked
9-digit reference. People live in households: about a third share a surname, address and postcode with one to
three relatives (siblings, parents; a few twins share a date of birth too), so a careless linker chains relatives.

Each person then appears in 1 to 4 records (geometric, mean about 1.6), each record a noisy copy:
  - typos: one character dropped, doubled, swapped with its neighbour or replaced (names 8% each field, address 8%);
  - a nickname or initial instead of the first name (3%); the two surnames in the other order or one dropped (es_ES, 10%);
  - date of birth: one digit wrong (2%), day and month swapped (1%), missing (3%);
  - a moved address: a different address, postcode and often town (15% of copies after the first);
  - missing values: each of address, postcode and town 5%, national id 35%; an id with one digit mistyped 2%;
  - formatting: upper or lower case, abbreviations (Calle/C., Street/St), extra spaces.
Records are shuffled and split round-robin over --files files named a.csv, b.csv, ...; truth.csv maps each
(source, record_id) to its person. Seeded: the same arguments give the same files.
"""
import argparse, csv, os, random

NICK = {"en_GB": {"William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Maggie", "James": "Jim", "Thomas": "Tom",
                  "Richard": "Dick", "Katherine": "Kate", "Jennifer": "Jenny", "Michael": "Mike", "Christopher": "Chris"},
        "es_ES": {"Francisco": "Paco", "José": "Pepe", "Ignacio": "Nacho", "Dolores": "Lola", "Concepción": "Concha",
                  "Guadalupe": "Lupe", "Manuel": "Manolo", "Enrique": "Quique"}}
ABBREV = {"en_GB": [("Street", "St"), ("Road", "Rd"), ("Avenue", "Ave"), ("Lane", "Ln")],
          "es_ES": [("Calle", "C."), ("Avenida", "Avda."), ("Plaza", "Pza."), ("Paseo", "Pº")]}


def typo(s, rng):
    if not s or len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    k = rng.random()
    if k < 0.25:
        return s[:i] + s[i + 1:]
    if k < 0.5:
        return s[:i] + s[i] + s[i:]
    if k < 0.75:
        return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:]
    return s[:i] + rng.choice("aeiourstnl") + s[i + 1:]


def dni(rng):
    n = rng.randrange(10_000_000, 99_999_999)
    return f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def luhn_ref(rng):
    body = [rng.randrange(10) for _ in range(8)]
    total = 0
    for i, d in enumerate(reversed(body)):
        v = d * 2 if i % 2 == 0 else d
        total += v - 9 if v > 9 else v
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def make(args):
    from faker import Faker
    fake = Faker(args.locale)
    Faker.seed(args.seed)
    rng = random.Random(args.seed)
    spanish = args.locale.startswith("es")

    def place():
        if spanish:
            street = fake.street_name()
            flat = f"{rng.randrange(1, 9)}º {rng.choice('ABCD')}" if rng.random() < 0.6 else None
            lines = [f"{street} {fake.building_number()}"] + ([flat] if flat else [])
        else:
            street = fake.street_name()
            flat = f"Flat {rng.randrange(1, 40)}" if rng.random() < 0.2 else None
            lines = ([flat] if flat else []) + [f"{fake.building_number()} {street}"]
        return {"lines": lines, "postcode": fake.postcode(), "town": fake.city()}

    people = []
    while len(people) < args.people:
        home = place()
        surname = fake.last_name() + (" " + fake.last_name() if spanish else "")
        size = 1 if rng.random() < 0.65 else rng.randrange(2, 5)
        twin_dob = None
        for m in range(size):
            if len(people) >= args.people:
                break
            sex = rng.choice("MF")
            first = fake.first_name_male() if sex == "M" else fake.first_name_female()
            dob = fake.date_of_birth(minimum_age=0, maximum_age=90)
            if m == 1 and rng.random() < 0.05:
                twin_dob = people[-1]["dob"]
                dob = twin_dob
            nid = (dni(rng) if spanish else luhn_ref(rng)) if rng.random() < 0.9 else None
            people.append({"first": first, "surname": surname if m == 0 or rng.random() < 0.9 else fake.last_name(),
                           "sex": sex, "dob": dob, "home": home, "nid": nid})

    records = []
    for pid, p in enumerate(people):
        copies = 1
        while copies < 4 and rng.random() < 0.38:
            copies += 1
        for c in range(copies):
            first, surname = p["first"], p["surname"]
            if rng.random() < 0.08: first = typo(first, rng)
            if rng.random() < 0.08: surname = typo(surname, rng)
            if rng.random() < 0.03: first = NICK[args.locale].get(first, first[0])
            if spanish and " " in surname and rng.random() < 0.10:
                a, b = surname.split(" ", 1)
                surname = f"{b} {a}" if rng.random() < 0.5 else a
            dob = p["dob"].isoformat()
            r = rng.random()
            if r < 0.02:
                i = rng.choice([2, 3, 5, 6, 8, 9])
                dob = dob[:i] + str(rng.randrange(10)) + dob[i + 1:]
            elif r < 0.03 and p["dob"].day <= 12:
                dob = f"{p['dob'].year:04d}-{p['dob'].day:02d}-{p['dob'].month:02d}"
            elif r < 0.06:
                dob = ""
            home = p["home"] if c == 0 or rng.random() > 0.15 else place()
            lines = list(home["lines"])
            if rng.random() < 0.08: lines[-1] = typo(lines[-1], rng)
            for full, short in ABBREV[args.locale]:
                if rng.random() < 0.3: lines = [l.replace(full, short) for l in lines]
            if rng.random() < 0.3: lines = [l.upper() for l in lines]
            postcode, town = home["postcode"], home["town"]
            if rng.random() < 0.3: postcode = postcode.replace(" ", "").lower()
            nid = p["nid"] if rng.random() > 0.35 else None
            if nid and rng.random() < 0.02:
                i = rng.randrange(len(nid) - 1)
                nid = nid[:i] + str((int(nid[i]) + 1) % 10) + nid[i + 1:] if nid[i].isdigit() else nid
            rec = {"first_name": first, "surname": surname, "sex": p["sex"], "dob": dob,
                   "address_1": lines[0], "address_2": lines[1] if len(lines) > 1 else "",
                   "town": town if rng.random() > 0.05 else "", "postcode": postcode if rng.random() > 0.05 else "",
                   "national_id": nid or ""}
            if rng.random() < 0.05: rec["address_1"], rec["address_2"] = "", ""
            if rng.random() < 0.3: rec["first_name"] = rec["first_name"].upper(); rec["surname"] = rec["surname"].upper()
            records.append((pid, rec))
    rng.shuffle(records)
    return records


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--locale", default="es_ES")
    ap.add_argument("--files", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    records = make(args)
    names = [chr(ord("a") + i) for i in range(args.files)]
    cols = ["record_id", "first_name", "surname", "sex", "dob", "address_1", "address_2", "town", "postcode", "national_id"]
    writers, files = {}, []
    for n in names:
        f = open(os.path.join(args.out, f"{n}.csv"), "w", newline="", encoding="utf-8")
        files.append(f)
        writers[n] = csv.DictWriter(f, fieldnames=cols)
        writers[n].writeheader()
    with open(os.path.join(args.out, "truth.csv"), "w", newline="", encoding="utf-8") as tf:
        t = csv.writer(tf)
        t.writerow(["source", "record_id", "person_id"])
        for i, (pid, rec) in enumerate(records):
            src = names[i % len(names)]
            rid = f"{src.upper()}{i:07d}"
            writers[src].writerow({"record_id": rid, **rec})
            t.writerow([src, rid, f"P{pid}"])
    for f in files:
        f.close()
    print(f"{len(records)} records of {args.people} people in {len(names)} file(s) under {args.out}")


if __name__ == "__main__":
    main()
