#!/usr/bin/env bash
# memory-tags.sh REBILL: import memory stays under 64 MiB whatever the number
# of distinct tag sets (issue 10 item 3): the peak RSS of `rebill import`,
# measured by /usr/bin/time, for files whose every row has its own tag set —
# 150k rows x 20 tag columns (85 MB before the fix) and 5k rows x 1000 tag
# columns (~60 MB arena before the fix). The unblended total is checked
# too: sum over i of (i mod 1000 + 1) * 1e-10. The limit is on the total
# peak of the process, shared libraries included: `rebill` links only what
# import, reports and configuration need (~4 MB idle; the PDF, HTTP and S3
# libraries are in rebill-full). Skips without /usr/bin/time
# (fails under CI=true). Not run in sanitizer builds (their memory is not
# rebill's).
set -u
rebill=$(realpath "$1")
gen=$(dirname "$(realpath "$0")")/../bench/gen_tags.py
limit_kb=$((64 * 1024))
pass=0 fail=0
if [ ! -x /usr/bin/time ]; then
	if [ "${CI:-}" = true ]; then echo "FAIL - memory: /usr/bin/time missing"; echo "0 passed, 1 failed"; exit 1; fi
	echo "skip - memory: /usr/bin/time missing (apt-get install time)"; echo "0 passed, 0 failed"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/time -f "%M" -o "$work/kb" "$rebill" --version >/dev/null
base_kb=$(tail -n 1 "$work/kb")
run() { # NAME ROWS TAGS WANT_TOTAL
	python3 "$gen" "$work/t.csv" "$2" "$3"
	rm -f "$work/m.db"
	/usr/bin/time -f "%M" -o "$work/kb" "$rebill" --db "$work/m.db" import --quiet "$work/t.csv" \
		>"$work/out" 2>"$work/err"
	local status=$? kb
	kb=$(tail -n 1 "$work/kb")
	if [ $status = 0 ] && [ "$kb" -le $limit_kb ] && grep -q " $4  new" "$work/out"; then
		echo "ok - $1: peak $kb KB <= $limit_kb KB (an idle rebill: $base_kb KB)"
		pass=$((pass + 1))
	else
		echo "FAIL - $1: exit $status, peak $kb KB (limit $limit_kb KB; an idle rebill: $base_kb KB)"
		cat "$work/out" "$work/err" | sed 's/^/  | /'
		fail=$((fail + 1))
	fi
	rm -f "$work/t.csv" "$work/m.db"
}
run rows150k_tags20 150000 20 0.0075075000
run rows5k_tags1000 5000 1000 0.0002502500
echo "$pass passed, $fail failed"
[ $fail = 0 ]
