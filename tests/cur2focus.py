#!/usr/bin/env python3
"""cur2focus.py [--gzip] FOCUS_OUT CUR_OUT CUR_FILE...

A test tool, independent of rebill: converts legacy CUR CSV files (plain or
gzip, as `rebill gen --format legacy` writes them) into one FOCUS 1.0 CSV,
row for row, and writes the CUR rows it converted (same header) to CUR_OUT,
so that both carry the same information and must bill the same.

The mapping is the FOCUS column map of docs/import-focus.md read backwards;
it is written here from the FOCUS and CUR column definitions, not from
rebill's code:

  CUR line item type              FOCUS ChargeCategory  CommitmentDiscountId / Status
  Usage                           Usage                 -
  DiscountedUsage                 Usage                 RI ARN / Used
  SavingsPlanCoveredUsage         Usage                 SP ARN / Used
  RIFee, Fee with an RI ARN,
  SavingsPlanUpfrontFee,
  SavingsPlanRecurringFee         Purchase              RI or SP ARN
  SavingsPlanNegation             Purchase              SP ARN (see below)
  Fee without an ARN              Purchase              -
  Credit                          Credit                -
  Refund                          Adjustment            -
  Tax                             Tax                   -
  any other type (SomethingNew)   the type itself       -
  EdpDiscount, SppDiscount, BundledDiscount, PrivateRateDiscount,
  DistributorDiscount: not converted (FOCUS has no discount rows; providers
  fold negotiated discounts into BilledCost), and left out of CUR_OUT too.

FOCUS has no Savings Plan negation either (AWS's own FOCUS export nets it
out of the covered usage); generated negations are not paired with covered
usage rows, so each is kept as a negative Purchase of its Savings Plan:
what it means for money (a commitment row, no on-demand or amortized cost)
is unchanged.

Costs: BilledCost = lineItem/UnblendedCost; ListCost =
pricing/publicOnDemandCost for usage rows (empty stays empty); EffectiveCost
per spec section 3 (DiscountedUsage reservation/EffectiveCost, covered usage
savingsPlan/SavingsPlanEffectiveCost, RIFee the unused amortized upfront +
unused recurring fee, SP recurring fee TotalCommitmentToDate -
UsedCommitment, upfront fees and negations 0, everything else the unblended
cost), computed with the decimal module after rounding each CUR amount half
away from zero to 10 digits as spec section 1 does. Tags: the non-empty
resourceTags/KEY cells as a JSON object keyed KEY. Prints what it did.
"""
import csv
import gzip
import io
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

Q = Decimal("0.0000000001")
DISCOUNTS = {"EdpDiscount", "SppDiscount", "BundledDiscount", "PrivateRateDiscount",
             "DistributorDiscount"}
FOCUS_COLUMNS = [
    "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart",
    "BillingPeriodEnd", "SubAccountId", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ChargeFrequency", "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost",
    "ListCost", "CommitmentDiscountId", "CommitmentDiscountStatus", "ConsumedQuantity",
    "ProviderName", "PublisherName", "InvoiceIssuerName", "RegionId", "ResourceId",
    "ServiceName", "SkuId", "Tags", "x_ServiceCode", "x_UsageType", "x_Operation",
]


def amount(s):
    return Decimal(s).quantize(Q, ROUND_HALF_UP) if s else Decimal(0)


def text(d):
    return format(d, "f")


def open_text(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return io.StringIO(raw.decode("utf-8"), newline="")


def convert(r):
    t = r["lineItem/LineItemType"]
    ri = r.get("reservation/ReservationARN", "")
    sp = r.get("savingsPlan/SavingsPlanARN", "")
    unbl = r["lineItem/UnblendedCost"]
    commitment, status, listc, eff = "", "", "", unbl
    if t == "Usage":
        cat, listc = "Usage", r.get("pricing/publicOnDemandCost", "")
    elif t in ("DiscountedUsage", "SavingsPlanCoveredUsage"):
        cat, status, listc = "Usage", "Used", r.get("pricing/publicOnDemandCost", "")
        commitment = ri if t == "DiscountedUsage" else sp
        eff = r["reservation/EffectiveCost"] if t == "DiscountedUsage" \
            else r["savingsPlan/SavingsPlanEffectiveCost"]
    elif t == "RIFee":
        cat, commitment = "Purchase", ri
        eff = text(amount(r["reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"]) +
                   amount(r["reservation/UnusedRecurringFee"]))
    elif t == "SavingsPlanRecurringFee":
        cat, commitment = "Purchase", sp
        eff = text(amount(r["savingsPlan/TotalCommitmentToDate"]) -
                   amount(r["savingsPlan/UsedCommitment"]))
    elif t in ("SavingsPlanUpfrontFee", "SavingsPlanNegation") or (t == "Fee" and ri):
        cat, commitment, eff = "Purchase", ri or sp, "0"
    elif t == "Fee":
        cat = "Purchase"
    elif t == "Refund":
        cat = "Adjustment"
    else:
        cat = t   # Credit, Tax, and types FOCUS does not know
    tags = {k[len("resourceTags/"):]: v for k, v in r.items()
            if k.startswith("resourceTags/") and v}
    return {
        "BillingAccountId": r["bill/PayerAccountId"],
        "BillingAccountName": "payer " + r["bill/PayerAccountId"],
        "BillingCurrency": r.get("lineItem/CurrencyCode", "USD"),
        "BillingPeriodStart": r["bill/BillingPeriodStartDate"],
        "BillingPeriodEnd": r.get("bill/BillingPeriodEndDate", ""),
        "SubAccountId": r["lineItem/UsageAccountId"],
        "ChargeCategory": cat,
        "ChargeClass": "",
        "ChargeDescription": r.get("lineItem/LineItemDescription", ""),
        "ChargeFrequency": "Usage-Based" if cat == "Usage" else "One-Time",
        "ChargePeriodStart": r["lineItem/UsageStartDate"],
        "ChargePeriodEnd": r.get("lineItem/UsageEndDate", ""),
        "BilledCost": unbl,
        "EffectiveCost": eff,
        "ListCost": listc,
        "CommitmentDiscountId": commitment,
        "CommitmentDiscountStatus": status,
        "ConsumedQuantity": r.get("lineItem/UsageAmount", ""),
        "ProviderName": "AWS",
        "PublisherName": "AWS",
        "InvoiceIssuerName": "Amazon Web Services, Inc.",
        "RegionId": r.get("product/region", "") or r.get("product/regionCode", ""),
        "ResourceId": r.get("lineItem/ResourceId", ""),
        "ServiceName": r.get("product/ProductName", ""),
        "SkuId": r.get("product/sku", ""),
        "Tags": json.dumps(tags, ensure_ascii=False, sort_keys=True) if tags else "",
        "x_ServiceCode": r.get("lineItem/ProductCode", ""),
        "x_UsageType": r.get("lineItem/UsageType", ""),
        "x_Operation": r.get("lineItem/Operation", ""),
    }


def main(argv):
    gz = argv[:1] == ["--gzip"]
    if gz:
        argv = argv[1:]
    if len(argv) < 3:
        sys.exit(__doc__)
    focus_out, cur_out, inputs = argv[0], argv[1], argv[2:]
    fbuf = io.StringIO(newline="")
    fw = csv.DictWriter(fbuf, FOCUS_COLUMNS, lineterminator="\n")
    fw.writeheader()
    cw, cf = None, open(cur_out, "w", newline="", encoding="utf-8")
    n = 0
    left_out = {}
    for path in inputs:
        rd = csv.DictReader(open_text(path))
        if cw is None:
            cw = csv.DictWriter(cf, rd.fieldnames, lineterminator="\n")
            cw.writeheader()
        for r in rd:
            if r["lineItem/LineItemType"] in DISCOUNTS:
                left_out[r["lineItem/LineItemType"]] = left_out.get(r["lineItem/LineItemType"], 0) + 1
                continue
            fw.writerow(convert(r))
            cw.writerow(r)
            n += 1
    cf.close()
    data = fbuf.getvalue().encode("utf-8")
    with open(focus_out, "wb") as f:
        f.write(gzip.compress(data, mtime=0) if gz else data)
    print("converted %d rows; left out (no FOCUS counterpart): %s" %
          (n, ", ".join("%s %d" % kv for kv in sorted(left_out.items())) or "none"))


if __name__ == "__main__":
    main(sys.argv[1:])
