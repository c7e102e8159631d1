#!/usr/bin/env bash
# reconcile-race.sh REBILL [SECONDS]: two processes on one database (issue
# 10 item 1). One re-imports the same month in a loop, alternating between
# two different versions of it (each import replaces the payers' facts and
# commits); the other runs `rebill report reconcile` over and over
# meanwhile. Each state of the database balances, so every reconciliation
# must: exit 0. Exit 4 ("does not balance") is a report that read the facts
# of one import and the counts of the next. Prints the counts and
# the harness line "N passed, N failed, N skipped".
set -u
rebill=$(realpath "$1")
secs=${2:-8}
dir=$(mktemp -d)
trap 'kill "$importer" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
export REBILL_DB=$dir/race.db
"$rebill" gen --payers 2 --accounts 6 --rows 3000 --period 2026-10 "$dir/a" >/dev/null
"$rebill" gen --payers 2 --accounts 6 --rows 2000 --period 2026-10 "$dir/b" >/dev/null
"$rebill" --quiet import "$dir/a" >/dev/null
cat >"$dir/config.json" <<'JSON'
{"plans": [{"id": "std", "basis": "unblended", "markup_pct": "5"}],
 "customers": []}
JSON
"$rebill" --quiet config apply "$dir/config.json" >/dev/null
(
	while :; do
		"$rebill" --quiet import "$dir/b" >/dev/null 2>&1
		"$rebill" --quiet import "$dir/a" >/dev/null 2>&1
	done
) &
importer=$!
runs=0 balanced=0 imbalanced=0 other=0
end=$((SECONDS + secs))
while [ $SECONDS -lt $end ]; do
	"$rebill" report reconcile --period 2026-10 >"$dir/out" 2>&1
	case $? in
		0) balanced=$((balanced + 1)) ;;
		4) imbalanced=$((imbalanced + 1)); cp "$dir/out" "$dir/imbalance.txt" ;;
		*) other=$((other + 1)); cp "$dir/out" "$dir/other.txt" ;;
	esac
	runs=$((runs + 1))
done
kill "$importer" 2>/dev/null
wait 2>/dev/null
echo "reconcile runs: $runs; balanced $balanced, false imbalances $imbalanced, other failures $other"
[ -f "$dir/imbalance.txt" ] && sed 's/^/  | /' "$dir/imbalance.txt" | head -n 20
[ -f "$dir/other.txt" ] && sed 's/^/  | /' "$dir/other.txt" | head -n 20
if [ "$runs" -gt 0 ] && [ "$imbalanced" -eq 0 ] && [ "$other" -eq 0 ]; then
	echo "ok - reconcile balances while imports commit"
	echo "1 passed, 0 failed, 0 skipped"
else
	echo "FAIL - reconcile while imports commit"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
