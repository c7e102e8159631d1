#!/usr/bin/env bash
# soak.sh REBILL [SECONDS]: a bounded concurrency soak (issue 10). For
# SECONDS (default 180) on one database, in parallel:
#   - two importers, each re-importing the same month in a loop, alternating
#     two versions of it (a: 3000 rows, b: 2000 rows: known row totals);
#   - a config applier (config apply of two alternating documents);
#   - a reporter running reconcile, margin, summary, invoice preview, periods
#     and accounts in turn.
# Counts: runs and exits per kind; false imbalances (reconcile exit 4); lost
# or duplicated facts (after the soak and after each report, the period's
# rows must be exactly version a's or b's total); failures without a
# message. Writers wait for each other (--wait forever), so no run should
# fail at all. Prints one summary; exit 1 on any anomaly.
set -u
rebill=$(realpath "$1")
secs=${2:-180}
dir=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$dir"' EXIT
export REBILL_DB=$dir/soak.db
"$rebill" gen --payers 2 --accounts 6 --rows 3000 --period 2026-10 "$dir/a" >/dev/null
"$rebill" gen --payers 2 --accounts 6 --rows 2000 --period 2026-10 --seed 7 "$dir/b" >/dev/null
"$rebill" --quiet import "$dir/a" >/dev/null
rows_a=$(sqlite3 "$REBILL_DB" "SELECT SUM(rows) FROM facts WHERE period = '2026-10'")
"$rebill" --quiet import "$dir/b" >/dev/null
rows_b=$(sqlite3 "$REBILL_DB" "SELECT SUM(rows) FROM facts WHERE period = '2026-10'")
accounts=$(sqlite3 "$REBILL_DB" "SELECT DISTINCT account FROM facts ORDER BY 1 LIMIT 4" | tr '\n' ' ')
set -- $accounts
cat >"$dir/c1.json" <<JSON
{"plans": [{"id": "std", "basis": "unblended", "markup_pct": "5"}],
 "customers": [{"id": "acme", "name": "Acme", "currency": "USD", "plan": "std",
   "accounts": [{"id": "$1"}, {"id": "$2"}]}]}
JSON
cat >"$dir/c2.json" <<JSON
{"plans": [{"id": "std", "basis": "effective", "markup_pct": "7"}],
 "customers": [{"id": "acme", "name": "Acme", "currency": "USD", "plan": "std",
   "accounts": [{"id": "$1"}]},
  {"id": "bolt", "name": "Bolt", "currency": "USD", "plan": "std",
   "accounts": [{"id": "$3"}, {"id": "$4"}]}]}
JSON
"$rebill" --quiet config apply "$dir/c1.json" >/dev/null
end=$((SECONDS + secs))
importer() {
	while [ $SECONDS -lt $end ]; do
		loop_once "$1-a" "$rebill" --wait forever --quiet import "$dir/a"
		loop_once "$1-b" "$rebill" --wait forever --quiet import "$dir/b"
	done
}
loop_once() {
	local name=$1; shift
	"$@" >"$dir/$name.out" 2>"$dir/$name.err"
	local rc=$?
	echo "import $rc" >>"$dir/log"
	[ $rc != 0 ] && { [ -s "$dir/$name.err" ] || echo "import silent" >>"$dir/log"; cp "$dir/$name.err" "$dir/import.fail.$rc"; }
}
applier() {
	while [ $SECONDS -lt $end ]; do
		for c in c1 c2; do
			"$rebill" --wait forever --quiet config apply "$dir/$c.json" >/dev/null 2>"$dir/apply.err"
			local rc=$?
			echo "apply $rc" >>"$dir/log"
			[ $rc != 0 ] && cp "$dir/apply.err" "$dir/apply.fail.$rc"
		done
	done
}
reporter() {
	while [ $SECONDS -lt $end ]; do
		for cmd in "report reconcile --period 2026-10" "report margin --period 2026-10 --by customer" \
			"summary --period 2026-10 --format json" "invoice preview --period 2026-10" \
			"periods" "accounts --period 2026-10"; do
			# shellcheck disable=SC2086
			"$rebill" $cmd >"$dir/rep.out" 2>"$dir/rep.err"
			local rc=$?
			echo "report $rc" >>"$dir/log"
			[ $rc = 4 ] && echo "imbalance" >>"$dir/log"
			[ $rc != 0 ] && cp "$dir/rep.err" "$dir/report.fail.$rc"
			if [ "${cmd%% *}" = summary ] && [ $rc = 0 ]; then
				r=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["rows"])' <"$dir/rep.out")
				[ "$r" = "$rows_a" ] || [ "$r" = "$rows_b" ] || echo "rows $r" >>"$dir/log"
			fi
		done
	done
}
importer i1 & pids+=($!)
importer i2 & pids+=($!)
applier & pids+=($!)
reporter & pids+=($!)
wait
final=$(sqlite3 "$REBILL_DB" "SELECT SUM(rows) FROM facts WHERE period = '2026-10'")
count() { grep -c "^$1\$" "$dir/log"; }
imports=$(grep -c '^import ' "$dir/log"); imports_ok=$(count "import 0")
applies=$(grep -c '^apply ' "$dir/log"); applies_ok=$(count "apply 0")
reports=$(grep -c '^report ' "$dir/log"); reports_ok=$(count "report 0")
imbal=$(count imbalance); silent=$(grep -c ' silent$' "$dir/log")
badrows=$(grep -c '^rows ' "$dir/log")
echo "soak: $secs s; imports $imports_ok/$imports ok, config applies $applies_ok/$applies ok, reports $reports_ok/$reports ok"
echo "soak: false imbalances $imbal, summaries with lost/duplicated rows $badrows, silent failures $silent"
echo "soak: final rows $final (version a $rows_a, version b $rows_b)"
for f in "$dir"/*.fail.*; do [ -e "$f" ] && { echo "== $(basename "$f")"; head -3 "$f"; }; done
ok=1
[ "$imports_ok" = "$imports" ] && [ "$applies_ok" = "$applies" ] && [ "$reports_ok" = "$reports" ] || ok=0
[ "$imbal" = 0 ] && [ "$badrows" = 0 ] && [ "$silent" = 0 ] || ok=0
[ "$final" = "$rows_a" ] || [ "$final" = "$rows_b" ] || ok=0
[ $ok = 1 ] && echo "soak: ok" || { echo "soak: ANOMALIES"; exit 1; }
