"""check.py CSV1 CSV2 FACTS: sums the CSV rows with Python's decimal per
(account, day, product, tag set) and compares them with rebill's facts
(FACTS: account, day, product code, tag set canon, rows, unblended; tab
separated). Prints what matches; any difference is printed line by line."""
import csv
import sys
from collections import defaultdict
from decimal import Decimal

want = defaultdict(lambda: [0, Decimal(0)])
for path in sys.argv[1:3]:
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            tags = sorted((k.split("/", 1)[1], v) for k, v in r.items()
                          if k.startswith("resourceTags/") and v)
            canon = "\x1e".join(k + "\x1f" + v for k, v in tags)
            key = (r["lineItem/UsageAccountId"], r["lineItem/UsageStartDate"][:10],
                   r["lineItem/ProductCode"], canon)
            want[key][0] += 1
            want[key][1] += Decimal(r["lineItem/UnblendedCost"])
got = {}
dups = 0
with open(sys.argv[3]) as f:
    for line in f:
        acct, day, code, canon, rows, unblended = line.rstrip("\n").split("\t")
        key = (acct, day, code, canon)
        if key in got:
            dups += 1
        got[key] = [int(rows), Decimal(unblended)]
bad = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
for k in bad[:10]:
    print("differs:", k, want.get(k), got.get(k))
print("facts: %d rebill, %d expected, %d keys twice" % (len(got), len(want), dups))
print("sums equal" if not bad else "%d facts differ" % len(bad))
print("rows %d, unblended %s" % (sum(v[0] for v in want.values()),
                                  sum(v[1] for v in want.values())))
print("tag sets %d" % len({k[3] for k in want if k[3]}))
