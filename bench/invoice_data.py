#!/usr/bin/env python3
"""invoice_data.py: builds the data set of the invoice-preview benchmark.

    invoice_data.py DB CONFIG.json [--customers N] [--accounts N] [--facts N]

Writes a month (2026-10) of aggregated facts straight into the fact tables
of DB (fact_rows with its dictionaries fact_accounts and fact_dims, schema
v10) (which `rebill` must have created first, so the schema is the
program's own) and a billing configuration document to CONFIG.json, to be
applied with `rebill config apply`. Default: 1,000 customers x 10 accounts,
300 facts per account (30 days x 10 product/usage-type/line-item-type
combinations), 10 payers. Deterministic (fixed seed).

Amounts are generated as integers of 1e-10 USD and written as canonical
decimal TEXT with 10 fractional digits: no floating point anywhere.
The data is never committed; see bench/RESULTS.md.
"""
import argparse
import json
import random
import sqlite3

PERIOD = "2026-10"
COMBOS = [  # (type, class, product code, product name, usage type, operation, region, kind)
    ("Usage", "usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "RunInstances", "us-east-1", "plain"),
    ("Usage", "usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "us-east-1", "plain"),
    ("DiscountedUsage", "usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:c5.xlarge", "RunInstances", "eu-west-1", "ri"),
    ("SavingsPlanCoveredUsage", "usage", "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:r5.large", "RunInstances", "eu-west-1", "sp"),
    ("Usage", "usage", "AmazonS3", "Amazon Simple Storage Service", "TimedStorage-ByteHrs", "StandardStorage", "eu-west-1", "plain"),
    ("Usage", "usage", "AmazonRDS", "Amazon Relational Database Service", "InstanceUsage:db.r5.large", "CreateDBInstance", "us-east-1", "plain"),
    ("Usage", "usage", "AWSDataTransfer", "AWS Data Transfer", "DataTransfer-Out-Bytes", "", "us-east-1", "plain"),
    ("Credit", "credit", "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large", "", "us-east-1", "credit"),
    ("Tax", "tax", "AmazonEC2", "Amazon Elastic Compute Cloud", "", "", "", "tax"),
    ("SppDiscount", "discount", "AmazonEC2", "Amazon Elastic Compute Cloud", "", "", "", "credit"),
]


def dec10(n):
    """An integer of 1e-10 units as canonical decimal TEXT."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    return f"{sign}{n // 10**10}.{n % 10**10:010d}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("config")
    ap.add_argument("--customers", type=int, default=1000)
    ap.add_argument("--accounts", type=int, default=10)
    ap.add_argument("--facts", type=int, default=300)
    ap.add_argument("--payers", type=int, default=10)
    # spec §9: this percentage of the accounts is split by the tag user:team
    # between its customer (plain, the rest) and the next two customers
    ap.add_argument("--split", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(20261001)
    days = max(1, a.facts // len(COMBOS))

    naccounts = a.customers * a.accounts
    per_payer = (naccounts + a.payers - 1) // a.payers
    payer_of = lambda i: f"{900000000000 + (i // per_payer) * 1000000:012d}"
    account_of = lambda i: f"{100000000000 + i:012d}"

    db = sqlite3.connect(a.db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("DELETE FROM fact_rows WHERE period = ?", (PERIOD,))
    db.execute("DELETE FROM imports WHERE period = ?", (PERIOD,))
    totals = {}
    split_every = 100 // a.split if a.split > 0 else 0
    is_split = lambda i: split_every and i % split_every == 0
    if split_every:
        for tid, v in ((1, "t0"), (2, "t1"), (3, "t2")):
            db.execute("INSERT OR IGNORE INTO tagsets (id, canon) VALUES (?, ?)",
                       (tid, "user:team\x1f" + v))
            db.execute("INSERT OR IGNORE INTO tagset_items (tagset_id, key, value) VALUES (?, ?, ?)",
                       (tid, "user:team", v))

    def rows():
        for i in range(naccounts):
            payer, acct = payer_of(i), account_of(i)
            # the RI / SP owner: the account itself, a neighbour (maybe another
            # customer's) or the payer
            owners = [acct, account_of((i + 1) % naccounts), payer]
            for d in range(days):
                day = f"{PERIOD}-{d % 31 + 1:02d}"
                for (typ, cls, code, name, ut, op, region, kind) in COMBOS[: a.facts // days]:
                    n = rng.randrange(1, 5 * 10**10)          # up to 5 USD a day
                    owner = ""
                    if kind == "plain":
                        unb, ond, eff = n, n + n // 8, n
                    elif kind == "ri":
                        owner = owners[rng.randrange(3)]
                        unb, ond, eff = 0, n, n * 6 // 10
                    elif kind == "sp":
                        owner = owners[rng.randrange(3)]
                        unb, ond, eff = n, n, n * 7 // 10
                    elif kind == "credit":
                        unb = ond = eff = -(n // 10)
                    else:  # tax
                        unb = ond = eff = n // 5
                    totals[payer] = totals.get(payer, [0, 0])
                    totals[payer][0] += 1
                    totals[payer][1] += unb
                    tagset = rng.randrange(4) if is_split(i) else 0   # 0: untagged
                    yield (PERIOD, day, payer, acct, typ, cls, code, name, ut, op, region, owner, tagset, 1,
                           "1.0000000000", dec10(unb), dec10(ond), dec10(eff))

    # schema v10: strings live once in fact_accounts / fact_dims; amounts are
    # integers of 1e-10 USD (all of these fit the low part, the high is NULL)
    ids = ({}, {})

    def id_of(kind, v):
        table, col = ("fact_accounts", "account") if kind == 0 else ("fact_dims", "value")
        if v not in ids[kind]:
            db.execute(f"INSERT OR IGNORE INTO {table} ({col}) VALUES (?)", (v,))
            ids[kind][v] = db.execute(f"SELECT id FROM {table} WHERE {col} = ?", (v,)).fetchone()[0]
        return ids[kind][v]

    def units(text):
        whole, frac = text.lstrip("-").split(".")
        n = int(whole) * 10**10 + int(frac)
        return -n if text.startswith("-") else n

    def fact_rows():
        for (period, day, payer, acct, typ, cls, code, name, ut, op, region, owner, tagset, n,
             usage, unb, ond, eff) in rows():
            yield (period, id_of(1, day), id_of(0, payer), id_of(0, acct), id_of(1, typ),
                   id_of(1, cls), id_of(1, code), id_of(1, name), id_of(1, ut), id_of(1, op),
                   id_of(1, region), id_of(0, owner), tagset, n, units(usage), units(unb),
                   units(ond), units(eff))

    db.executemany("INSERT INTO fact_rows (period, day_id, payer_id, account_id, type_id, class_id,"
                   " product_id, product_name_id, usage_type_id, operation_id, region_id, owner_id,"
                   " tagset_id, rows, usage_amount, unblended, ondemand, effective)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", fact_rows())
    for payer, (n, unb) in sorted(totals.items()):
        db.execute("INSERT INTO imports (payer, period, imported_at, rows, unblended) VALUES (?,?,?,?,?)",
                   (payer, PERIOD, "2026-11-26T00:00:00Z", n, dec10(unb)))
    db.commit()
    db.close()

    plans = [
        {"id": "ondemand", "basis": "ondemand", "markup_pct": "5",
         "rules": [{"service": "AmazonEC2", "usage_type": "*BoxUsage*", "markup_pct": "8"},
                   {"service": "AWSDataTransfer", "exclude": True}],
         "credits": "0.5", "refunds": "withhold",
         "fees": [{"type": "percent", "pct": "10", "min": "250", "description": "Managed services"},
                  {"type": "per_account", "amount": "15", "description": "Account monitoring"}]},
        {"id": "purchaser", "basis": "purchaser", "markup_pct": "3",
         "rules": [{"region": "eu-west-1", "markup_pct": "4"}], "tax": "pass"},
        {"id": "effective", "basis": "effective", "markup_pct": "12",
         "fees": [{"type": "flat", "amount": "99", "description": "Platform"}]},
        {"id": "unblended", "basis": "unblended", "markup_pct": "0"},
    ]
    currencies = ["USD", "EUR", "JPY", "GBP"]
    customers = []
    extra = {}
    for c in range(a.customers):
        customers.append({
            "id": f"cust{c:05d}", "name": f"Customer {c}", "currency": currencies[c % 4],
            "plan": plans[c % len(plans)]["id"], "tax_cluster": "nl-vat" if c % 3 == 0 else None,
            "grouping": ["service", "account", "account_service"][c % 3],
            "accounts": [{"id": account_of(c * a.accounts + k)} for k in range(a.accounts)]})
        for k in range(a.accounts):
            i = c * a.accounts + k
            if is_split(i):
                for j, v in ((1, "t1"), (2, "t2")):
                    other = (c + j) % a.customers
                    extra.setdefault(other, []).append(
                        {"id": account_of(i), "split": {"tag": "user:team", "value": v}})
        if customers[-1]["tax_cluster"] is None:
            del customers[-1]["tax_cluster"]
    for c, accs in extra.items():
        customers[c]["accounts"] += accs
    doc = {
        "tax_clusters": [{"id": "nl-vat", "name": "NL VAT 21%", "rate_pct": "21"}],
        "plans": plans,
        "customers": customers,
        "fx": [{"period": PERIOD, "currency": "EUR", "rate": "0.9231"},
               {"period": PERIOD, "currency": "JPY", "rate": "151.37"},
               {"period": PERIOD, "currency": "GBP", "rate": "0.7912"}],
        "custom_lines": [{"customer": "cust00000", "period": PERIOD, "description": "Onboarding",
                          "amount": "1200.00"}],
    }
    with open(a.config, "w") as f:
        json.dump(doc, f, indent=1)
    nsplit = sum(1 for i in range(naccounts) if is_split(i))
    print(f"{naccounts} accounts ({nsplit} split by tag), {sum(n for n, _ in totals.values())} facts,"
          f" {a.customers} customers")


if __name__ == "__main__":
    main()
