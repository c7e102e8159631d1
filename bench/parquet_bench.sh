#!/usr/bin/env bash
# parquet_bench.sh [--runs N] [--rows R]: the Parquet benchmark of issue 8
# (results and goals: bench/RESULTS.md, section "Parquet").
#
# The same month twice: the legacy CUR CSV of `rebill gen --payers 1
# --accounts 20 --rows R --parts 1 --seed 3` (R = 2,000,000 by default: the
# "one" set of import_bench.sh) and that CSV written as Parquet by DuckDB
# (tests/parquet/make_fixtures.mjs, variant snappy-v1: Snappy, data pages v1,
# dictionaries, costs DOUBLE and DECIMAL, dates as timestamps, as a CUR
# Parquet export types them). Times N times each (default 3, warm page cache,
# fresh database, `sync` before each run) `rebill import --quiet --timing` of
# the CSV and of the Parquet file and prints the median and best wall time,
# the CPU time (user + sys), rebill's split (reading + aggregating, writing
# SQLite) and the peak RSS (GNU time), then the reader alone on one thread
# (bench/read_bench, CPU seconds) and its decoding alone (--decode-only:
# the format's own work, without the row rules both formats share), then
# checks that both imports stored the same rows and unblended total. Data lives in bench/data/ (git-ignored).
# Needs GNU time, node and tests/parquet/node_modules (scripts/deps.sh test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=3 rows=2000000
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--rows) rows=$2; shift ;;
	*) echo "usage: $0 [--runs N] [--rows R]" >&2; exit 1 ;;
	esac
	shift
done
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
[ -d "$root/tests/parquet/node_modules/@duckdb/node-api" ] ||
	(cd "$root/tests/parquet" && npm ci --no-audit --no-fund >&2)

if [ -z "${REBILL:-}" ]; then
	[ -d "$root/build-bench" ] || meson setup "$root/build-bench" -Dbuildtype=release >/dev/null
	ninja -C "$root/build-bench" src/cli/rebill bench/read_bench >/dev/null
	REBILL=$root/build-bench/src/cli/rebill
fi
REBILL=$(realpath "$REBILL")
READ_BENCH=${READ_BENCH:-$root/build-bench/bench/read_bench}

data=$here/data/parquet-$rows
stamp="gen $rows seed 3 ($(git -C "$root" log -1 --format=%h -- tools/gen tests/parquet/make_fixtures.mjs))"
if [ ! -f "$data/.stamp" ] || [ "$(cat "$data/.stamp")" != "$stamp" ]; then
	rm -rf "$data"
	mkdir -p "$data"
	echo "generating: rebill gen --payers 1 --accounts 20 --rows $rows --parts 1 --seed 3" >&2
	"$REBILL" --quiet gen --payers 1 --accounts 20 --rows "$rows" --parts 1 --seed 3 "$data/csv"
	echo "writing Parquet with DuckDB (snappy-v1)" >&2
	(cd "$root/tests/parquet" && node make_fixtures.mjs legacy \
		"$(find "$data/csv" -name '*.csv')" "$data" snappy-v1 >/dev/null)
	echo "$stamp" >"$data/.stamp"
	sync
fi
csv=$(find "$data/csv" -name '*.csv')
pq=$data/snappy-v1.parquet

work=$(mktemp -d "$here/data/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
stats() { # VALUES...: "median best"
	printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
		m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f %.2f", m, v[1] }'
}
# import LABEL FILE: N imports; prints a table row; leaves the last database
import_row() {
	local label=$1 file=$2 walls=() cpus=() rds=() wrs=() r=0 i w u s m line
	for i in $(seq "$runs"); do
		rm -f "$work/$label".db*
		sync
		/usr/bin/time -f '%e %U %S %M' -o "$work/time" \
			"$REBILL" --db "$work/$label.db" import --quiet --timing "$file" \
			>"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		read -r w u s m <"$work/time"
		walls+=("$w")
		cpus+=("$(echo "$u + $s" | bc)")
		[ "$m" -gt "$r" ] && r=$m
		line=$(grep '^timing:' "$work/err")
		rds+=("$(echo "$line" | awk '{print $3}')")
		wrs+=("$(echo "$line" | awk '{print $6}')")
	done
	read -r med best <<<"$(stats "${walls[@]}")"
	printf '| %s | %s | %s s | %s s | %s s | %s s + %s s | %d MiB |\n' "$label" \
		"$(du -m "$file" | cut -f1) MB" "$med" "$best" "$(stats "${cpus[@]}" | cut -d' ' -f1)" \
		"$(stats "${rds[@]}" | cut -d' ' -f1)" "$(stats "${wrs[@]}" | cut -d' ' -f1)" \
		$(( (r + 1023) / 1024 ))
	eval "${label}_med=$med"
}
echo "rebill $(git -C "$root" log -1 --format=%h), $rows rows, $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$csv" "$pq" >/dev/null   # warm
echo "| import | file | median | best | CPU (median) | read+aggregate + write (median) | peak RSS |"
echo "|---|---|---|---|---|---|---|"
import_row csv "$csv"
import_row parquet "$pq"
echo "parquet / csv (median wall): $(echo "scale=2; $parquet_med / $csv_med" | bc)"
# the reader alone (bench/read_bench.c: one thread, no aggregation or
# database), CPU seconds, alternating the two files
# and then the format's decoding alone (--decode-only: CSV tokens,
# Parquet's projected columns as cells, without the row rules both share)
rc=() rp=() dc=() dp=()
[ -x "$READ_BENCH" ] || ninja -C "$root/build-bench" bench/read_bench >/dev/null
cpu_of() { sed 's/.* \([0-9.]*\) s CPU$/\1/'; }
for i in $(seq "$runs"); do
	rc+=("$("$READ_BENCH" "$csv" | cpu_of)")
	rp+=("$("$READ_BENCH" "$pq" | cpu_of)")
	dc+=("$("$READ_BENCH" --decode-only "$csv" | cpu_of)")
	dp+=("$("$READ_BENCH" --decode-only "$pq" | cpu_of)")
done
echo "reader alone, CPU median/best: csv $(stats "${rc[@]}"), parquet $(stats "${rp[@]}")"
echo "decoding alone, CPU median/best: csv $(stats "${dc[@]}"), parquet $(stats "${dp[@]}")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The same rows; the totals agree unless the CSV holds a cost of more than
# 15-16 significant digits, which DuckDB's DOUBLE cannot keep (the generator
# writes a few, e.g. 8753.6741728719495): then they differ by such digits.
a=$(sqlite3 "$work/csv.db" "SELECT rows || ' ' || unblended FROM imports")
b=$(sqlite3 "$work/parquet.db" "SELECT rows || ' ' || unblended FROM imports")
echo "csv: $a; parquet: $b"
[ "${a%% *}" = "${b%% *}" ] || { echo "DIFFERENT row counts"; exit 1; }
