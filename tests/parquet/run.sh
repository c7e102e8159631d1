#!/usr/bin/env bash
# run.sh REBILL [SHARED]: the Parquet import tests against independent references.
#
# 1. Real AWS files (SHARED/data/aws-wa-labs-workshop-cur, see its SOURCE.txt):
#    the December Parquet file must store exactly the facts of its CSV.gz twin
#    (compared row by row: facts, resource facts, import notes), and each
#    month's unblended total must be the one SOURCE.txt publishes.
# 2. Files DuckDB writes (make_fixtures.mjs, npm @duckdb/node-api installed by
#    `scripts/deps.sh test` into tests/parquet/node_modules) from months of
#    `rebill gen`, CUR 2.0 and legacy: every variant must store exactly the
#    facts of the CSV it was written from.
# Prints one line per case and "N passed, N failed, N skipped". What is missing (the
# shared data, node, the DuckDB package) is "skip", and a failure under CI=true.
set -u
rebill=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
shared=${2:-$here/../../../shared}
pass=0 fail=0 skips=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1${2:+: $2}"; fail=$((fail + 1)); }
skip() {
	if [ "${CI:-}" = true ]; then bad "$1" "skipped under CI=true: $2"
	else echo "skip - $1: $2"; skips=$((skips + 1)); fi
}

# facts DB: the stored facts as sorted text, independent of row ids
facts() {
	sqlite3 "$1" "SELECT f.period, f.day, f.payer, f.account, f.line_item_type, f.class,
		f.product_code, f.product_name, f.usage_type, f.operation, f.region, f.owner,
		COALESCE(t.canon, ''), f.rows, f.usage_amount, f.unblended, f.ondemand, f.effective
		FROM facts f LEFT JOIN tagsets t ON t.id = f.tagset_id ORDER BY 1,2,3,4,5,6,7,8,9,10,11,12,13;
		SELECT period, payer, account, resource_id, product_code, rows, usage_amount, unblended,
		ondemand, effective FROM resource_facts ORDER BY 1,2,3,4,5;
		SELECT payer, period, kind, name, rows, unblended FROM import_notes ORDER BY 1,2,3,4"
}

import_to() {   # DB FILE...: a fresh import; prints rebill's error on failure
	local db=$1
	shift
	rm -f "$db"
	"$rebill" --db "$db" import --quiet "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; return 1; }
}

# ---- 1. the real AWS files ----------------------------------------------------
aws=$shared/data/aws-wa-labs-workshop-cur
if [ ! -f "$aws/Dec2018-WorkshopCUR-00001.snappy.parquet" ]; then
	skip "aws workshop parquet" "no $aws"
else
	if msg=$(import_to "$work/pq.db" "$aws/Dec2018-WorkshopCUR-00001.snappy.parquet") &&
	   msg=$(import_to "$work/csv.db" "$aws/Dec2018-WorkshopCUR.derived.csv.gz"); then
		facts "$work/pq.db" >"$work/pq.txt"
		facts "$work/csv.db" >"$work/csv.txt"
		if [ "$(wc -l <"$work/pq.txt")" -gt 7000 ] && cmp -s "$work/pq.txt" "$work/csv.txt"; then
			ok "aws dec2018 parquet = its csv.gz twin ($(wc -l <"$work/pq.txt") fact lines)"
		else
			bad "aws dec2018 parquet = its csv.gz twin" "$(diff "$work/pq.txt" "$work/csv.txt" | head -3)"
		fi
	else
		bad "aws dec2018 parquet = its csv.gz twin" "$msg"
	fi
	# SOURCE.txt: total unblended per month (6 decimals published)
	for m in Oct:2018-10:4064.483132 Nov:2018-11:3505.326968 Dec:2018-12:408.375992; do
		IFS=: read -r mon period want <<<"$m"
		f=$aws/${mon}2018-WorkshopCUR-00001.snappy.parquet
		if msg=$(import_to "$work/m.db" "$f"); then
			got=$(sqlite3 "$work/m.db" "SELECT printf('%.6f', SUM(CAST(unblended AS REAL))) FROM imports WHERE period = '$period'")
			rows=$(sqlite3 "$work/m.db" "SELECT SUM(rows) FROM imports")
			[ "$got" = "$want" ] && ok "aws $mon 2018 total unblended $want ($rows rows)" ||
				bad "aws $mon 2018 total unblended" "got $got, want $want"
		else
			bad "aws $mon 2018 import" "$msg"
		fi
	done
fi

# ---- 2. DuckDB-written files ------------------------------------------------------
if ! command -v node >/dev/null || [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
	skip "duckdb fixtures" "no node or no tests/parquet/node_modules (scripts/deps.sh test)"
elif ! command -v sqlite3 >/dev/null; then
	skip "duckdb fixtures" "no sqlite3"
else
	for format in cur2 legacy; do
		"$rebill" --quiet gen --format "$format" --payers 1 --accounts 3 --rows 5000 \
			--seed 7 "$work/gen-$format" >/dev/null
		csv=$(find "$work/gen-$format" -name '*.csv' | head -1)
		mkdir -p "$work/pq-$format"
		if ! variants=$(cd "$here" && node make_fixtures.mjs "$format" "$csv" "$work/pq-$format" 2>&1); then
			bad "duckdb $format fixtures" "$variants"
			continue
		fi
		import_to "$work/ref.db" "$csv" || { bad "duckdb $format csv reference"; continue; }
		facts "$work/ref.db" >"$work/ref.txt"
		for v in $variants; do
			if msg=$(import_to "$work/v.db" "$work/pq-$format/$v.parquet"); then
				facts "$work/v.db" >"$work/v.txt"
				if cmp -s "$work/v.txt" "$work/ref.txt"; then
					ok "duckdb $format $v = csv"
				else
					bad "duckdb $format $v = csv" "$(diff "$work/v.txt" "$work/ref.txt" | head -3)"
				fi
			else
				bad "duckdb $format $v" "$msg"
			fi
		done
	done
fi

# ---- 3. FOCUS as Parquet ----------------------------------------------------------
# the FOCUS sample (SHARED/data/finops-focus-sample-data-1.0) written by DuckDB
# as Parquet, all strings, and typed (costs DOUBLE, periods TIMESTAMP, Tags a
# MAP): each must store the facts of the CSV
focus=$shared/data/finops-focus-sample-data-1.0/focus_sample.csv
if [ ! -f "$focus" ]; then
	skip "focus parquet" "no $focus"
elif ! command -v node >/dev/null || [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
	skip "focus parquet" "no node or no tests/parquet/node_modules"
else
	cat >"$here/.focus_tmp.mjs" <<JS
import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run("CREATE TABLE f AS SELECT * FROM read_csv('$focus', all_varchar = true)");
await c.run("COPY f TO '$work/focus-strings.parquet' (FORMAT parquet)");
await c.run("COPY (SELECT * REPLACE (TRY_CAST(BilledCost AS DOUBLE) AS BilledCost, " +
	"TRY_CAST(EffectiveCost AS DOUBLE) AS EffectiveCost, TRY_CAST(ListCost AS DOUBLE) AS ListCost, " +
	"TRY_CAST(ChargePeriodStart AS TIMESTAMP) AS ChargePeriodStart, " +
	"TRY_CAST(BillingPeriodStart AS TIMESTAMP) AS BillingPeriodStart, " +
	"CAST(CAST(NULLIF(NULLIF(Tags, ''), 'NULL') AS JSON) AS MAP(VARCHAR, VARCHAR)) AS Tags) FROM f) " +
	"TO '$work/focus-typed.parquet' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2)");
JS
	if ! msg=$(cd "$here" && node .focus_tmp.mjs 2>&1); then
		bad "focus parquet fixtures" "$msg"
	elif import_to "$work/fref.db" "$focus"; then
		facts "$work/fref.db" >"$work/fref.txt"
		for v in strings typed; do
			if msg=$(import_to "$work/fv.db" "$work/focus-$v.parquet"); then
				facts "$work/fv.db" >"$work/fv.txt"
				cmp -s "$work/fv.txt" "$work/fref.txt" && ok "focus sample $v parquet = csv" ||
					bad "focus sample $v parquet = csv" "$(diff "$work/fv.txt" "$work/fref.txt" | head -3)"
			else
				bad "focus sample $v parquet" "$msg"
			fi
		done
	else
		bad "focus csv reference"
	fi
	rm -f "$here/.focus_tmp.mjs"
fi

echo "$pass passed, $fail failed, $skips skipped"
[ "$fail" -eq 0 ]
