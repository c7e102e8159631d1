#!/usr/bin/env python3
"""gen_tags.py OUT ROWS TAGCOLS: a legacy CUR CSV whose every row has TAGCOLS
tag columns (resourceTags/user:tN) with values seen nowhere else: as many
distinct tag sets as rows, the worst case for import memory (issue 10 item
3). Amounts are 0.0000000001 * (i % 1000 + 1), so the total is known:
ROWS // 1000 * 500500 + (sum of k+1 for k < ROWS % 1000), times 1e-10."""
import sys

out, rows, ntags = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cols = ["identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
        "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
        "lineItem/ProductCode", "product/ProductName", "lineItem/UsageType",
        "product/region", "lineItem/ResourceId", "lineItem/UsageAmount",
        "lineItem/UnblendedCost"]
cols += ["resourceTags/user:t%d" % k for k in range(ntags)]
with open(out, "w") as f:
    f.write(",".join(cols) + "\n")
    for i in range(rows):
        day = i % 28 + 1
        cells = ["li%d" % i, "111111111111", "2026-10-01T00:00:00Z",
                 "2222222222%02d" % (i % 50), "Usage", "2026-10-%02dT00:00:00Z" % day,
                 "AmazonEC2", "Amazon Elastic Compute Cloud", "BoxUsage:t3.micro",
                 "eu-west-1", "i-%012x" % i, "1", "0.%010d" % (i % 1000 + 1)]
        cells += ["v%d-%d" % (i, k) for k in range(ntags)]
        f.write(",".join(cells) + "\n")
