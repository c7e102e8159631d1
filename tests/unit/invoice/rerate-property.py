#!/usr/bin/env python3
"""rerate-property.py REBILL [ROUNDS] [SEED]: the re-rate invariant of spec §8 as a
property test through the real binary and a real database.

Each round restates the month (a new random CUR file for the payer, imported over
the old one) and/or changes the configuration at random (markups, grouping, credit
factor, tax rate, fees, custom lines), sometimes credits a random invoice in full,
then runs `invoice rerate`. After every re-rate, for every customer, line key
(kind + key), tax and total: sum of invoices - sum of credit notes of the period
(the documents' own printed amounts, as `invoice show --format json` gives them)
must equal the invoice computed now (`invoice preview --format json`), to the
minor unit. Exact decimals throughout (Python's Decimal, no float).
Prints one line per round and "N passed, N failed"."""
import json, os, random, subprocess, sys, tempfile
from decimal import Decimal

rebill = os.path.realpath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 25
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
rng = random.Random(seed)
work = tempfile.mkdtemp()
env = dict(os.environ, REBILL_DB=os.path.join(work, "p.db"), REBILL_TODAY="2026-11-20",
           LC_ALL="C", TZ="UTC")

HEAD = ("identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,"
        "bill/BillingPeriodEndDate,lineItem/UsageAccountId,lineItem/LineItemType,"
        "lineItem/UsageStartDate,lineItem/ProductCode,product/ProductName,lineItem/UsageType,"
        "lineItem/Operation,product/region,lineItem/UsageAmount,lineItem/UnblendedCost,"
        "pricing/publicOnDemandCost")
PRODUCTS = [("AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:m5.large"),
            ("AmazonS3", "Amazon Simple Storage Service", "TimedStorage-ByteHrs"),
            ("AmazonRDS", "Amazon Relational Database Service", "InstanceUsage:db.t3")]
ACCOUNTS = ["100000000001", "100000000002", "100000000003", "100000000004"]


def sh(*args, ok=True):
    r = subprocess.run([rebill, *args], env=env, cwd=work, capture_output=True, text=True)
    if ok and r.returncode != 0:
        raise SystemExit(f"rebill {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def cur_file(n):
    lines = [HEAD]
    for i in range(rng.randint(3, 12)):
        code, name, ut = rng.choice(PRODUCTS)
        kind = rng.choice(["Usage"] * 6 + ["Credit", "Tax"])
        amount = Decimal(rng.randint(1, 2_000_000_000)) / Decimal(10_000_000)
        if kind == "Credit":
            amount = -amount / 10
        lines.append(f"li-{n}-{i},111111111111,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,"
                     f"{rng.choice(ACCOUNTS)},{kind},2026-10-05T00:00:00Z,{code},{name},{ut},"
                     f"Run,us-east-1,1,{amount},{amount}")
    path = os.path.join(work, f"cur-{n}.csv")
    open(path, "w").write("\n".join(lines) + "\n")
    return path


def config():
    g = lambda: rng.choice(["service", "account", "account_service"])
    fees = []
    if rng.random() < 0.5:
        fees.append({"type": "percent", "pct": rng.choice(["5", "10", "7.5"]),
                     "min": rng.choice(["0", "20"]), "description": "Managed services"})
    if rng.random() < 0.5:
        fees.append({"type": "flat", "amount": rng.choice(["15", "99"]), "description": "Support"})
    plan = {"id": "std", "basis": "unblended", "markup_pct": rng.choice(["0", "5", "10", "12.5"]),
            "credits": rng.choice(["1", "0.5", "0"]), "tax": rng.choice(["pass", "strip"]),
            "rules": [{"service": "AmazonS3", "markup_pct": rng.choice(["3", "20"])}]}
    if fees:
        plan["fees"] = fees
    custom = []
    for c in ("acme", "globex"):
        if rng.random() < 0.4:
            custom.append({"customer": c, "period": "2026-10", "description": "Project",
                           "amount": str(Decimal(rng.randint(-5000, 50000)) / 100)})
    doc = {
        "tax_clusters": [{"id": "vat", "name": "VAT", "rate_pct": rng.choice(["21", "9", "0"])}],
        "plans": [plan],
        "customers": [
            {"id": "acme", "name": "Acme", "currency": "EUR", "plan": "std", "tax_cluster": "vat",
             "grouping": g(), "accounts": [{"id": "100000000001"}, {"id": "100000000002"}]},
            {"id": "globex", "name": "Globex", "currency": "USD", "plan": "std", "grouping": g(),
             "accounts": [{"id": "100000000003"}]},
            {"id": "kaiju", "name": "Kaiju", "currency": "JPY", "plan": "std", "tax_cluster": "vat",
             "grouping": g(), "accounts": [{"id": "100000000004"}]}],
        "fx": [{"period": "2026-10", "currency": "EUR", "rate": "0.9231"},
               {"period": "2026-10", "currency": "JPY", "rate": "151.37"}],
        "custom_lines": custom,
        "issuer": {"name": "Reseller", "country": "NL"},
    }
    path = os.path.join(work, "config.json")
    json.dump(doc, open(path, "w"))
    return path


def check():
    docs = json.loads(sh("invoice", "list", "--period", "2026-10", "--format", "json").stdout)
    net = {}
    for d in docs["documents"]:
        if d["status"] == "draft":
            continue
        j = json.loads(sh("invoice", "show", d["number"], "--format", "json").stdout)
        sign = 1 if j["type"] == "invoice" else -1
        n = net.setdefault(j["customer"], {"lines": {}, "tax": Decimal(0), "total": Decimal(0)})
        for l in j["lines"]:
            k = (l["kind"], l["key"])
            n["lines"][k] = n["lines"].get(k, Decimal(0)) + sign * Decimal(l["amount"])
        n["tax"] += sign * Decimal(j["tax"])
        n["total"] += sign * Decimal(j["total"])
    now = json.loads(sh("invoice", "preview", "--period", "2026-10", "--format", "json").stdout)
    bad = []
    for inv in now["invoices"]:
        c = inv["customer"]
        n = net.get(c, {"lines": {}, "tax": Decimal(0), "total": Decimal(0)})
        want = {(l["kind"], l["key"]): Decimal(l["amount"]) for l in inv["lines"]}
        for k in set(want) | set(n["lines"]):
            if want.get(k, Decimal(0)) != n["lines"].get(k, Decimal(0)):
                bad.append(f"{c} {k}: documents {n['lines'].get(k, 0)}, now {want.get(k, 0)}")
        if n["tax"] != Decimal(inv["tax"]):
            bad.append(f"{c} tax: documents {n['tax']}, now {inv['tax']}")
        if n["total"] != Decimal(inv["total"]):
            bad.append(f"{c} total: documents {n['total']}, now {inv['total']}")
    return bad


passed = failed = 0
sh("--quiet", "import", cur_file(0))
sh("config", "apply", config())
sh("invoice", "run", "--period", "2026-10")
sh("invoice", "finalize", "--period", "2026-10", "--date", "2026-11-02")
day = 3
for r in range(1, rounds + 1):
    what = []
    if rng.random() < 0.6:
        sh("--quiet", "import", cur_file(r))
        what.append("restated")
    if rng.random() < 0.7:
        sh("config", "apply", config())
        what.append("configuration")
    if rng.random() < 0.2:
        docs = json.loads(sh("invoice", "list", "--period", "2026-10", "--status", "final",
                             "--format", "json").stdout)["documents"]
        invs = [d for d in docs if d["type"] == "invoice"]
        if invs:
            sh("invoice", "credit", rng.choice(invs)["number"], "--date", f"2026-11-{day:02d}")
            what.append("credit")
    sh("invoice", "rerate", "--period", "2026-10", "--date", f"2026-11-{day:02d}")
    day = min(day + 1, 28)
    bad = check()
    if bad:
        failed += 1
        print(f"FAIL - round {r} ({', '.join(what) or 'nothing'}):")
        for b in bad[:10]:
            print("    " + b)
    else:
        passed += 1
        print(f"ok - round {r} ({', '.join(what) or 'nothing changed'})")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
