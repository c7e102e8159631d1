# focus_expected.py FILE: the expected sums of a FOCUS CSV, computed with
# csv + decimal only (independent of rebill), following the mapping table
# of docs/import-focus.md. Prints, per billing period, "payer", "class",
# "tag:environment" and "provider" groups as `rebill summary --format csv`
# does (rows, unblended, ondemand, effective, 10 fractional digits, CRLF line
# ends), then the provider of
# each (billing account, period) as sqlite3 prints the imports table.
import csv, json, sys
from decimal import Decimal, ROUND_HALF_UP

def cell(r, k):
    v = r.get(k) or ""
    return "" if v == "NULL" else v

def cls_of(r):
    cat = cell(r, "ChargeCategory").lower()
    corr = cell(r, "ChargeClass").lower() == "correction"
    if cat == "usage":
        if corr: return "refund"
        return "commitment" if cell(r, "CommitmentDiscountStatus").lower() == "unused" else "usage"
    if cat == "purchase":
        if corr: return "refund"
        return "commitment" if cell(r, "CommitmentDiscountId") else "fee"
    return {"tax": "tax", "credit": "credit", "adjustment": "refund"}.get(cat, "other")

q = Decimal("0.0000000001")
providers = set()

def dec(s):
    # spec section 1: each amount rounded half away from zero to 10 digits
    return Decimal(s).quantize(q, ROUND_HALF_UP) if s else Decimal(0)

sums = {}
for r in csv.DictReader(open(sys.argv[1], newline="")):
    c = cls_of(r)
    b = dec(cell(r, "BilledCost"))
    if c == "usage":
        od = dec(cell(r, "ListCost")) if cell(r, "ListCost") else b
        ef = dec(cell(r, "EffectiveCost")) if cell(r, "EffectiveCost") else b
    elif c == "commitment":
        od = Decimal(0)
        ef = dec(cell(r, "EffectiveCost")) if cell(r, "EffectiveCost") else b
    else:
        od = ef = b
    period = cell(r, "BillingPeriodStart")[:7]
    providers.add((cell(r, "BillingAccountId"), period, cell(r, "ProviderName")))
    tags = json.loads(cell(r, "Tags") or "{}")
    env = tags.get("environment") or ""
    for key in (("payer", cell(r, "BillingAccountId")), ("class", c), ("tag:environment", env),
                ("provider", cell(r, "ProviderName"))):
        s = sums.setdefault((period,) + key, [0, Decimal(0), Decimal(0), Decimal(0)])
        s[0] += 1; s[1] += b; s[2] += od; s[3] += ef
for period in sorted({k[0] for k in sums}):
    for by in ("payer", "class", "tag:environment", "provider"):
        print("%s by %s" % (period, by))
        print("%s,rows,unblended,ondemand,effective" % by, end="\r\n")
        for k in sorted(k for k in sums if k[0] == period and k[1] == by):
            s = sums[k]
            print(",".join([k[2], str(s[0])] + [format(x, "f") for x in s[1:]]), end="\r\n")
print("providers")
for p in sorted(providers):
    print("|".join(p))
