"""Writes N leads for the batch-scoring benchmark by resampling rows of Leads.csv (seeded),
with a fresh `Prospect ID` per row and numeric columns jittered so rows differ.

usage: python3 bench/gen_scoring.py LEADS_CSV N OUT_CSV
"""
import csv, random, sys

src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(0)
with open(src, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
numeric = {header.index(c) for c in ("TotalVisits", "Total Time Spent on Website", "Page Views Per Visit")}
pid = header.index("Prospect ID")
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(header)
    for i in range(n):
        row = list(body[rng.randrange(len(body))])
        row[pid] = f"{i:08x}-{rng.getrandbits(32):08x}"
        for c in numeric:
            if row[c]:
                row[c] = str(round(float(row[c]) * rng.uniform(0.8, 1.2), 2))
        w.writerow(row)
