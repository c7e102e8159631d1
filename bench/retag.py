#!/usr/bin/env python3
"""retag.py IN OUT [SEED]: copies a legacy CUR CSV of `rebill gen` and gives
every row its own tag set: the last column (resourceTags/user:Owner in gen's
files) gets a value drawn at random per row, so nearly every row is its own
fact (the high-cardinality shape of issue 9). The amounts are untouched, so
gen's expected.json totals still hold. Rows must not hold line breaks inside
quotes (gen's never do); a quoted last cell is found by its quote pairs."""
import random
import sys

src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
with open(src, "r", newline="") as f, open(dst, "w", newline="") as out:
    out.write(f.readline())
    for line in f:
        line = line.rstrip("\n")
        if line.endswith('"'):   # a quoted last cell: its opening quote has an even run before it
            i = len(line) - 1
            while True:
                i = line.rindex('"', 0, i)
                j = i
                while j > 0 and line[j - 1] == '"':
                    j -= 1
                if (i - j) % 2 == 0 and (j == 0 or line[j - 1] == ","):
                    break
                i = j
            head = line[:j - 1]
        else:
            head = line.rpartition(",")[0]
        out.write("%s,u%012x\n" % (head, rng.getrandbits(48)))
