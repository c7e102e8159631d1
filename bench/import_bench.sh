#!/usr/bin/env bash
# import_bench.sh [--runs N] [--no-big] [--no-duckdb] [--same-only]: the import benchmark of
# issue #2 (results and goals: bench/RESULTS.md, section "Import").
#
# Builds rebill with buildtype=release into build-bench/ (or uses $REBILL),
# generates the data with `rebill gen` into bench/data/ when missing
# (git-ignored, never committed; regenerated when tools/gen changed;
# $REBILL_GEN may name another binary for `gen`), then times, each N times (default 3) on a warm page cache, and
# prints for each the MEDIAN and the BEST wall time:
#   plain    rebill import --quiet of 2 payers x 1 M rows (8 legacy CSV files,
#            1.78 GB) into a fresh database, its split (rebill's --timing:
#            reading+aggregating vs writing SQLite) and peak RSS; DuckDB's
#            read_csv + the same per-day aggregate (bench/duckdb_agg.mjs) on
#            the same files, DOUBLE (its fastest form) and DECIMAL(38,10)
#            (exact), on 2 threads
#   one      the same for ONE plain CSV of 2 M rows (1.78 GB)
#   gz       rebill import of one .csv.gz (1 M rows) and of two, against
#            `gzip -dc FILE... > /dev/null`
#   big      peak RSS of rebill import of 5 payers x 1 M rows (4.4 GB)
#   same     (issue 9) rebill against DuckDB doing the same work
#            (bench/duckdb_agg.mjs same: every fact key + per-resource sums,
#            written to a database file and committed) on two shapes of
#            2 payers x 40 accounts x 600k rows: tags fixed per resource
#            (gen's) and a random tag set per row (bench/retag.py), the old
#            per-day query beside it; and one 1 M-row .csv.gz of each shape
#            against gzip -dc. CPU seconds (user+sys) are printed too.
#            --same-only runs just this part; $BENCH_DATA moves bench/data.
# Tools it needs and installs when missing: GNU time (apt-get), the DuckDB
# Node binding (npm install in bench/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=3 big=1 duck=1 same_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift ;;
	--no-big) big=0 ;;
	--no-duckdb) duck=0 ;;
	--same-only) same_only=1 ;;
	*) echo "usage: $0 [--runs N] [--no-big] [--no-duckdb] [--same-only]" >&2; exit 1 ;;
	esac
	shift
done

# ---- tools --------------------------------------------------------------
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v gzip >/dev/null || need_apt+=(gzip)
command -v python3 >/dev/null || need_apt+=(python3)
if [ "$duck" = 1 ] && ! command -v node >/dev/null; then need_apt+=(nodejs npm); fi
if [ ${#need_apt[@]} -gt 0 ]; then
	echo "installing: ${need_apt[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${need_apt[@]}" >/dev/null
fi
if [ "$duck" = 1 ] && [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
	(cd "$here" && npm install --no-audit --no-fund >&2)
fi

# ---- rebill -------------------------------------------------------------
if [ -z "${REBILL:-}" ]; then
	[ -d "$root/build-bench" ] || meson setup "$root/build-bench" -Dbuildtype=release >/dev/null
	ninja -C "$root/build-bench" src/cli/rebill >/dev/null
	REBILL=$root/build-bench/src/cli/rebill
fi
REBILL=$(realpath "$REBILL")
GEN=$(realpath "${REBILL_GEN:-$REBILL}")

# ---- data ---------------------------------------------------------------
data=${BENCH_DATA:-$here/data}
mkdir -p "$data"
gen() { # NAME ARGS...: rebill gen ARGS into data/NAME unless already there
	local name=$1; shift
	# the generator's version is part of the stamp: a changed gen rewrites
	local stamp="gen $* ($(git -C "$root" log -1 --format=%h -- tools/gen 2>/dev/null))"
	if [ -f "$data/$name/.stamp" ] && [ "$(cat "$data/$name/.stamp")" = "$stamp" ]; then
		return
	fi
	rm -rf "${data:?}/$name"
	echo "generating $name: rebill gen $*" >&2
	"$GEN" --quiet gen "$@" "$data/$name"
	echo "$stamp" >"$data/$name/.stamp"
}
# retag NAME SRC: data/NAME holds SRC's CSV files with a random tag set per row
retag() {
	local name=$1 src=$2 f i=0
	local stamp="retag $src ($(git -C "$root" log -1 --format=%h -- bench/retag.py tools/gen 2>/dev/null))"
	if [ -f "$data/$name/.stamp" ] && [ "$(cat "$data/$name/.stamp")" = "$stamp" ]; then
		return
	fi
	rm -rf "${data:?}/$name"
	mkdir -p "$data/$name"
	echo "generating $name: bench/retag.py of $src" >&2
	while read -r f; do
		i=$((i + 1))
		case $f in
		*.gz) gzip -dc "$f" | python3 "$here/retag.py" /dev/stdin /dev/stdout "$i" |
			gzip -6 >"$data/$name/part$i.csv.gz" ;;
		*) python3 "$here/retag.py" "$f" "$data/$name/part$i.csv" "$i" ;;
		esac
	done < <(find "$data/$src" -name '*.csv' -o -name '*.csv.gz' | LC_ALL=C sort)
	echo "$stamp" >"$data/$name/.stamp"
}
gen same --payers 2 --accounts 40 --rows 600000 --parts 1 --seed 9
retag samerand same
gen samegz --payers 1 --accounts 40 --rows 1000000 --parts 1 --seed 9 --gzip
retag samegzrand samegz
[ "$same_only" = 1 ] && big=0
[ "$same_only" = 0 ] && gen plain --payers 2 --accounts 10 --rows 1000000 --parts 4 --seed 1
[ "$same_only" = 0 ] && gen one --payers 1 --accounts 20 --rows 2000000 --parts 1 --seed 3
[ "$same_only" = 0 ] && gen gz --payers 2 --accounts 10 --rows 1000000 --parts 1 --seed 1 --gzip
[ "$big" = 1 ] && gen big --payers 5 --accounts 10 --rows 1000000 --parts 4 --seed 2
sync   # freshly written data would be written back while the imports fsync
csvs() { find "$data/$1" -name '*.csv' -o -name '*.csv.gz' | LC_ALL=C sort; }
bytes() { cat "$@" | wc -c; }
warm() { cat "$@" >/dev/null; }

# ---- measuring ----------------------------------------------------------
work=$(mktemp -d "$data/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
stats() { # VALUES...: "median best" of numbers
	printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {
		m = NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f %.2f", m, v[1] }'
}
rss_max=0
# rebill_import LABEL PATH...: N imports into fresh databases; sets $med $best
# $rss (KiB, max over runs) $rd $wr (median split) and prints a row
rebill_import() {
	local label=$1; shift
	local walls=() rds=() wrs=() cpus=() r=0 i line
	for i in $(seq "$runs"); do
		rm -f "$work"/bench.db*
		sync   # the last run's database is written back before this one starts
		/usr/bin/time -f '%e %M %U %S' -o "$work/time" \
			"$REBILL" --db "$work/bench.db" import --quiet --timing "$@" \
			>"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		read -r w m u s <"$work/time"
		walls+=("$w")
		cpus+=("$(python3 -c "print($u + $s)")")
		[ "$m" -gt "$r" ] && r=$m
		line=$(grep '^timing:' "$work/err")
		rds+=("$(echo "$line" | awk '{print $3}')")
		wrs+=("$(echo "$line" | awk '{print $6}')")
	done
	read -r med best <<<"$(stats "${walls[@]}")"
	rd=$(stats "${rds[@]}" | cut -d' ' -f1)
	wr=$(stats "${wrs[@]}" | cut -d' ' -f1)
	cpu=$(stats "${cpus[@]}" | cut -d' ' -f1)
	rss=$r
	[ "$r" -gt "$rss_max" ] && rss_max=$r
	printf '| %s | %s s | %s s | %s s + %s s | %d MiB | %s s |\n' "$label" "$med" "$best" "$rd" "$wr" \
		$(( (r + 1023) / 1024 )) "$cpu"
}
# plain_cmd LABEL CMD...: N runs of a command, stdout to /dev/null
plain_cmd() {
	local label=$1; shift
	local walls=() cpus=() i w m u s
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null
		read -r w m u s <"$work/time"
		walls+=("$w")
		cpus+=("$(python3 -c "print($u + $s)")")
	done
	read -r med best <<<"$(stats "${walls[@]}")"
	printf '| %s | %s s | %s s | | %d MiB | %s s |\n' "$label" "$med" "$best" $(( (m + 1023) / 1024 )) \
		"$(stats "${cpus[@]}" | cut -d' ' -f1)"
}
# duckdb LABEL MODE FILE...: N runs of bench/duckdb_agg.mjs on 2 threads (the
# query's own time, without starting node); sets $dmed
duckdb() {
	local label=$1 mode=$2; shift 2
	local secs=() cpus=() i u s
	for i in $(seq "$runs"); do
		secs+=("$(/usr/bin/time -f '%U %S' -o "$work/dtime" node "$here/duckdb_agg.mjs" "$mode" 2 "$@" |
			tee "$work/duck.json" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')")
		read -r u s <"$work/dtime"
		cpus+=("$(python3 -c "print($u + $s)")")
	done
	read -r dmed dbest <<<"$(stats "${secs[@]}")"
	printf '| %s | %s s | %s s | | %s | %s s (whole node) |\n' "$label" "$dmed" "$dbest" \
		"$(python3 -c 'import json; d=json.load(open("'"$work/duck.json"'")); print(d["groups"], "groups", d.get("resources", ""))')" \
		"$(stats "${cpus[@]}" | cut -d' ' -f1)"
}
# check_total NAME: rebill's unblended total (last import) = gen's expected.json
check_total() {
	python3 - "$work/out" "$data/$1/expected.json" <<'EOF'
import decimal, json, re, sys
out = open(sys.argv[1]).read()
got = sum(decimal.Decimal(m) for m in re.findall(r'^\s*\d+\s+\d{4}-\d\d\s+\d+\s+(-?[0-9.]+)', out, re.M))
want = decimal.Decimal(json.load(open(sys.argv[2]))["summary"]["payer"]["total"]["unblended"])
print(f"exactness: rebill unblended total {got} {'==' if got == want else '!='} expected.json {want}")
sys.exit(0 if got == want else 1)
EOF
}

echo "# rebill import benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $runs runs each (median, best)"
echo "# rebill: $REBILL ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'),"\
	"$(free -g | awk '/^Mem:/ {print $2}') GiB, Debian $(cat /etc/debian_version)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
mapfile -t plain < <(csvs plain)
mapfile -t one < <(csvs one)
mapfile -t gz < <(csvs gz)
[ "$same_only" = 0 ] && echo "plain: ${#plain[@]} files, $(bytes "${plain[@]}") bytes; one: $(bytes "${one[@]}") bytes;" \
	"gz: ${#gz[@]} files, $(bytes "${gz[@]}") bytes ($(gzip -dc "${gz[@]}" | wc -c) inflated)"
echo
echo '| measurement | median | best | read+aggregate + write (median) | peak RSS | CPU user+sys (median) |'
echo '|---|---|---|---|---|---|'
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
mapfile -t same < <(csvs same)
mapfile -t samerand < <(csvs samerand)
mapfile -t samegz < <(csvs samegz)
mapfile -t samegzrand < <(csvs samegzrand)
facts() { sqlite3 "$work/bench.db" 'SELECT count(*) FROM facts' 2>/dev/null || echo '?'; }
same_report=()
for shape in same samerand; do
	declare -n files=$shape
	warm "${files[@]}"
	rebill_import "rebill import, $shape: ${#files[@]} CSV ($(bytes "${files[@]}") bytes)" "${files[@]}"
	r_med=$med
	r_facts=$(facts)
	if [ "$duck" = 1 ]; then
		duckdb "DuckDB same work ($r_facts rebill facts), DOUBLE, same files" same "${files[@]}"
		same_report+=("$shape: rebill $r_med s vs DuckDB same work $dmed s = $(ratio "$r_med" "$dmed") x")
		duckdb "DuckDB old per-day query, DOUBLE, same files" double "${files[@]}"
	fi
	unset -n files
done
for shape in samegz samegzrand; do
	declare -n files=$shape
	warm "${files[@]}"
	rebill_import "rebill import, $shape: 1 .csv.gz (1 M rows)" "${files[0]}"
	r_med=$med
	plain_cmd "gzip -dc of that file > /dev/null" gzip -dc "${files[0]}"
	same_report+=("$shape: rebill $r_med s vs gzip -dc $med s = $(ratio "$r_med" "$med") x")
	unset -n files
done
if [ "$same_only" = 1 ]; then
	echo
	printf '%s\n' "${same_report[@]}"
	echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit 0
fi
warm "${plain[@]}"
rebill_import "rebill import, 8 plain CSV (1.78 GB, 2 M rows)" "$data/plain"
plain_med=$med
check_total plain >"$work/exact"
if [ "$duck" = 1 ]; then
	duckdb "DuckDB read_csv + aggregate, DOUBLE, same 8 files" double "${plain[@]}"
	duck_double=$dmed
	duckdb "DuckDB read_csv + aggregate, DECIMAL(38,10), same 8 files" decimal "${plain[@]}"
	duck_decimal=$dmed
fi
warm "${one[@]}"
rebill_import "rebill import, 1 plain CSV (1.78 GB, 2 M rows)" "${one[@]}"
one_med=$med
if [ "$duck" = 1 ]; then
	duckdb "DuckDB read_csv + aggregate, DOUBLE, same 1 file" double "${one[@]}"
	duck_one=$dmed
fi
warm "${gz[@]}"
rebill_import "rebill import, 1 .csv.gz (1 M rows)" "${gz[0]}"
gz1=$med
plain_cmd "gzip -dc of that file > /dev/null" gzip -dc "${gz[0]}"
gzip1=$med
rebill_import "rebill import, 2 .csv.gz (2 M rows)" "$data/gz"
gz2=$med
plain_cmd "gzip -dc of those 2 files > /dev/null" gzip -dc "${gz[@]}"
gzip2=$med
if [ "$big" = 1 ]; then
	mapfile -t bigf < <(csvs big)
	warm "${bigf[@]}"
	rebill_import "rebill import, 20 plain CSV ($(bytes "${bigf[@]}") bytes, 5 M rows)" "$data/big"
fi
echo
cat "$work/exact"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%s\n' "${same_report[@]}"
if [ "$duck" = 1 ]; then
	echo "goal rebill (exact) <= 0.5 x DuckDB fastest: $(ratio "$plain_med" "$duck_double") x" \
		"(8 files), $(ratio "$one_med" "$duck_one") x (1 file);" \
		"vs DuckDB DECIMAL: $(ratio "$plain_med" "$duck_decimal") x"
fi
echo "goal .csv.gz import <= 1.3 x gzip -dc: $(ratio "$gz1" "$gzip1") x (1 file)," \
	"$(ratio "$gz2" "$gzip2") x (2 files)"
echo "goal peak RSS <= 64 MiB: max $(( (rss_max + 1023) / 1024 )) MiB"
