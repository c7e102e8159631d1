#!/usr/bin/env bash
# sqlite_floor.sh FACTS RESOURCES TAGSETS ITEMS_PER_SET [RUNS]: what SQLite alone
# costs to store an import's output, with nothing of rebill's around it: no CSV,
# no aggregation, no binding of values — one INSERT ... SELECT over
# generate_series per table, in one transaction, into a database made by rebill
# itself (its real schema: fact_rows and its index, resource_fact_rows and its
# index, tagsets with the UNIQUE canon, tagset_items WITHOUT ROWID) with the
# connection settings of src/store/store.c (64 KiB pages, WAL, synchronous
# NORMAL, a 4 MiB page cache). Facts come sorted by account and tag sets in
# ascending canon order, as rebill writes them (a canon of three tags, like
# a generated CUR's: cost centre, environment, an owner per set);
# dimension ids and amounts vary per row.
# This is a floor for the "write" part of `rebill import --timing`: rebill's
# write phase cannot cost less than this while the facts are stored in SQLite.
#
# Prints for each run: wall, user and sys seconds of the sqlite3 process (the
# shell's .timer on the INSERTs and the COMMIT together) and the file's size.
# $REBILL names the binary (default build-bench/, release, built if missing).
# Used by bench/RESULTS.md, section "The SQLite floor".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ $# -ge 4 ] || { echo "usage: $0 FACTS RESOURCES TAGSETS ITEMS_PER_SET [RUNS]" >&2; exit 1; }
facts=$1 res=$2 sets=$3 items=$4 runs=${5:-3}
if [ -z "${REBILL:-}" ]; then
	[ -d "$root/build-bench" ] || meson setup "$root/build-bench" -Dbuildtype=release >/dev/null
	ninja -C "$root/build-bench" src/cli/rebill >/dev/null
	REBILL=$root/build-bench/src/cli/rebill
fi
command -v sqlite3 >/dev/null || { echo "$0: needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat >"$dir/load.sql" <<EOF
PRAGMA cache_size = -4096;
PRAGMA synchronous = NORMAL;
INSERT INTO fact_accounts (id, account) SELECT value, printf('%012d', 100000000000 + value)
  FROM generate_series(1, 82);
INSERT INTO fact_dims (id, value) SELECT value, printf('dim-%06d', value) FROM generate_series(1, 1000);
.timer on
BEGIN;
INSERT INTO tagsets (id, canon) SELECT value,
  'user:CostCenter' || char(31) || printf('cc%02d', value * 17 / $sets) || char(30) ||
  'user:Environment' || char(31) || 'env' || ((value * 51 / $sets) % 3) || char(30) ||
  'user:Owner' || char(31) || printf('u%012d', value)
  FROM generate_series(1, $sets);
INSERT INTO tagset_items (tagset_id, key, value) SELECT s.value, 'user:key' || k.value,
  printf('v%012x', (s.value * 2654435761 + k.value) % 281474976710656)
  FROM generate_series(1, $sets) s, generate_series(1, $items) k;
INSERT INTO fact_rows (period, day_id, payer_id, account_id, type_id, class_id, product_id,
  product_name_id, usage_type_id, operation_id, region_id, owner_id, tagset_id, rows,
  usage_amount, unblended, ondemand, effective)
  SELECT '2026-10', 1 + value % 31, 1 + (value * 80 / $facts) / 40, 3 + value * 80 / $facts,
    32 + value % 12, 44 + value % 6, 50 + value % 40, 90 + value % 40, 130 + value % 500,
    630 + value % 200, 830 + value % 20, 3 + (value * 7) % 80,
    CASE WHEN $sets > 0 THEN 1 + value % max($sets, 1) ELSE 0 END, 1 + value % 30,
    (value * 7919) % 100000000000, (value * 104729) % 100000000000,
    (value * 1299709) % 100000000000, (value * 15485863) % 100000000000
  FROM generate_series(1, $facts);
INSERT INTO resource_fact_rows (period, payer_id, account_id, resource_id, product_id, rows,
  usage_amount, unblended, ondemand, effective)
  SELECT '2026-10', 1 + (value * 80 / $res) / 40, 3 + value * 80 / $res,
    printf('arn:aws:ec2:us-east-1:%012d:instance/i-%017x', value % 80, value * 2654435761),
    50 + value % 40, 1 + value % 700, (value * 7919) % 100000000000,
    (value * 104729) % 100000000000, (value * 1299709) % 100000000000,
    (value * 15485863) % 100000000000
  FROM generate_series(1, $res);
COMMIT;
EOF

echo "# SQLite alone: $facts facts, $res resource facts, $sets tag sets x $items items; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "| run | wall | user | sys | file | load before |"
echo "|---|---|---|---|---|---|"
for r in $(seq "$runs"); do
	rm -f "$dir"/floor.db*
	"$REBILL" --db "$dir/floor.db" periods >/dev/null   # creates and migrates it
	sync
	load=$(cut -d' ' -f1 /proc/loadavg)
	sqlite3 "$dir/floor.db" <"$dir/load.sql" >"$dir/timer" 2>&1
	# the sum of every statement's "Run Time: real R user U sys S"
	read -r w u s < <(awk '/^Run Time:/ { w += $4; u += $6; s += $8 }
		END { printf "%.2f %.2f %.2f\n", w, u, s }' "$dir/timer")
	size=$(stat -c %s "$dir/floor.db")
	[ -z "${FLOOR_VERBOSE:-}" ] || grep '^Run Time' "$dir/timer" >&2
	echo "| $r | $w s | $u s | $s s | $((size / 1048576)) MiB | $load |"
done
