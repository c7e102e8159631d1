#!/usr/bin/env bash
# full-disk.sh REBILL: an import onto a full disk (issue 10 item 9) fails
# with a message naming the database and "no space left", exit 3, leaves the
# database exactly as it was and no WAL file beside it. The disk is a small
# tmpfs, which needs root (mount): without it the test reports skip, and
# fails under CI=true.
set -u
rebill=$(realpath "$1")
pass=0 fail=0
work=$(mktemp -d)
disk=$work/disk
mkdir -p "$disk"
cleanup() { umount "$disk" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if ! mount -t tmpfs -o size=8m tmpfs "$disk" 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL - full_disk: cannot mount a tmpfs (needs root)"; echo "0 passed, 1 failed"; exit 1
	fi
	echo "skip - full_disk: cannot mount a tmpfs (needs root)"; echo "0 passed, 0 failed"; exit 0
fi
check() { # NAME CONDITION...
	local name=$1; shift
	if "$@"; then echo "ok - $name"; pass=$((pass + 1)); else echo "FAIL - $name"; fail=$((fail + 1)); fi
}
# (100k rows: since schema v10 the 20k rows of before fit into 8 MB)
"$rebill" gen --rows 100000 "$work/cur" >/dev/null
good=$(realpath "$(dirname "$0")/cases/malformed-corpus/input/good.csv")
cd "$disk"
"$rebill" --db f.db import --quiet "$good" >/dev/null || echo "  baseline import failed"
check baseline_has_facts [ "$(sqlite3 f.db "SELECT COUNT(*) FROM facts")" = 1 ]
sqlite3 f.db .dump >"$work/before.sql"
"$rebill" --db f.db import --quiet "$work/cur" >/dev/null 2>"$work/err"
status=$?
sed 's/^/  | /' "$work/err"
check exit_3 [ $status = 3 ]
check says_no_space grep -q "no space left on the disk holding f.db" "$work/err"
check no_wal_left [ ! -e f.db-wal ]
sqlite3 f.db .dump >"$work/after.sql"
check database_unchanged cmp -s "$work/before.sql" "$work/after.sql"
cd /
echo "$pass passed, $fail failed"
[ $fail = 0 ]
