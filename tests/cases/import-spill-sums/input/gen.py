"""gen.py OUT1 OUT2: two legacy CUR CSV files for the spill test. 30,000 rows
in random order over 6 accounts, 28 days and 2 products; each row has one of
400 tag sets (3 tag columns; 1 row in 8 untagged), so every tag set recurs in
every run a tiny memory budget spills. Amounts have 10 decimals, some are
negative, and a few are 1e15 so that some sums pass 64 bits."""
import random
import sys

rnd = random.Random(20261202)
cols = ["identity/LineItemId", "bill/PayerAccountId", "bill/BillingPeriodStartDate",
        "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate",
        "lineItem/ProductCode", "product/ProductName", "lineItem/UsageType",
        "product/region", "lineItem/ResourceId", "lineItem/UsageAmount",
        "lineItem/UnblendedCost", "resourceTags/user:env", "resourceTags/user:owner",
        "resourceTags/user:team"]
tagsets = [("env%d" % (k % 7), "owner-%d" % (k % 53), "team %d" % k) for k in range(400)]
products = [("AmazonEC2", "Amazon Elastic Compute Cloud"), ("AmazonS3", "Amazon Simple Storage Service")]
rows = []
for i in range(30000):
    acct = "2222222222%02d" % rnd.randrange(6)
    day = rnd.randrange(28) + 1
    code, name = products[rnd.randrange(2)]
    if i % 997 == 0:
        cost = "1000000000000000.%010d" % rnd.randrange(10 ** 10)
    else:
        cost = "%s%d.%010d" % ("-" if rnd.random() < 0.1 else "", rnd.randrange(500),
                               rnd.randrange(10 ** 10))
    tags = ("", "", "") if rnd.random() < 0.125 else tagsets[rnd.randrange(400)]
    rows.append(["li%d" % i, "111111111111", "2026-10-01T00:00:00Z", acct, "Usage",
                 "2026-10-%02dT00:00:00Z" % day, code, name, "BoxUsage", "eu-west-1",
                 "r-%d" % rnd.randrange(300), "1", cost] + list(tags))
for path, part in ((sys.argv[1], rows[:17000]), (sys.argv[2], rows[17000:])):
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in part:
            f.write(",".join(r) + "\n")
