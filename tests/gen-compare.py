#!/usr/bin/env python3
"""gen-compare.py EXPECTED.json SUMMARY.json BY

Compares `rebill summary --by BY --format json` output with the "summary"
section `rebill gen` wrote into EXPECTED.json (tools/gen/README.md). Amounts
are compared as exact decimals (Python's Decimal, never float), rows as
integers, keys by value (order does not matter). Prints one line
"BY: N keys match" and exits 0, or prints each difference and exits 1.
"""
import json
import sys
from decimal import Decimal

FIELDS = ("rows", "unblended", "ondemand", "effective")


def index(rows, what):
    out = {}
    for r in rows:
        key = r.get("key")
        if key in out:
            sys.exit(f"{what}: key {key!r} listed twice")
        out[key] = r
    return out


def same(field, a, b):
    if field == "rows":
        return int(a) == int(b)
    return Decimal(str(a)) == Decimal(str(b))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    exp_path, got_path, by = sys.argv[1:]
    with open(exp_path, encoding="utf-8") as f:
        want = json.load(f)["summary"][by]
    with open(got_path, encoding="utf-8") as f:
        got = json.load(f)
    problems = []
    if got.get("by") != by:
        problems.append(f"summary says by={got.get('by')!r}, want {by!r}")
    if got.get("period") != want["period"]:
        problems.append(f"summary says period={got.get('period')!r}, want {want['period']!r}")
    w, g = index(want["rows"], "expected"), index(got.get("rows", []), "summary")
    for key in sorted(set(w) | set(g)):
        if key not in g:
            problems.append(f"{by} {key}: missing from the summary")
            continue
        if key not in w:
            problems.append(f"{by} {key}: not expected (summary has {g[key]})")
            continue
        for field in FIELDS:
            if field not in g[key]:
                problems.append(f"{by} {key}: summary has no {field!r}")
            elif not same(field, w[key][field], g[key][field]):
                problems.append(f"{by} {key}: {field} is {g[key][field]}, want {w[key][field]}")
    for field in FIELDS:
        if field not in got.get("total", {}):
            problems.append(f"total: summary has no {field!r}")
        elif not same(field, want["total"][field], got["total"][field]):
            problems.append(f"total: {field} is {got['total'][field]}, want {want['total'][field]}")
    if problems:
        print("\n".join(problems[:40]))
        sys.exit(1)
    print(f"{by}: {len(w)} keys match")


if __name__ == "__main__":
    main()
