#!/usr/bin/env bash
# invoice_bench.sh REBILL [CUSTOMERS [ACCOUNTS [FACTS]]]: the invoice-preview
# benchmark, end to end through the database. Generates a month of facts
# (bench/invoice_data.py; default 1,000 customers x 10 accounts x 300 facts
# per account) and the matching configuration into a temporary directory,
# applies it, then times `rebill invoice preview` (JSON, every customer):
# once right after the import (it reads the facts and writes the billing
# rollup), then best of 3 (it reads the rollup); and, for comparison,
# `rebill report reconcile` and a one-customer preview. Goal: preview <= 1 s.
# The data is deleted afterwards (kept in $BENCH_DIR when that is set) and
# never committed. BENCH_SPLIT=10 splits 10 % of the accounts by tag
# (spec §9) among three customers each.
set -euo pipefail
rebill=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
	rm -f "$dir"/bench.db*
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
export REBILL_DB=$dir/bench.db
"$rebill" periods >/dev/null   # creates and migrates the database
python3 "$here/invoice_data.py" "$REBILL_DB" "$dir/config.json" \
	--customers "${2:-1000}" --accounts "${3:-10}" --facts "${4:-300}" --split "${BENCH_SPLIT:-0}"
"$rebill" config apply "$dir/config.json" >/dev/null
timeit() { # LABEL CMD...: best of 3 wall-clock runs, in ms
	local label=$1 best= t0 t1 ms i; shift
	for i in 1 2 3; do
		t0=$(date +%s%N); "$@" >"$dir/out"; t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$label: best of 3: $best ms ($(wc -c <"$dir/out") bytes out)"
}
once() { # LABEL CMD...: one wall-clock run, in ms
	local label=$1 t0 t1; shift
	t0=$(date +%s%N); "$@" >"$dir/out"; t1=$(date +%s%N)
	echo "$label: $(( (t1 - t0) / 1000000 )) ms ($(wc -c <"$dir/out") bytes out)"
}
once "invoice preview, first after the import (reads the facts, writes the rollup)" \
	"$rebill" invoice preview --period 2026-10 --format json
timeit "invoice preview --format json (rollup)" "$rebill" invoice preview --period 2026-10 --format json
echo "  $(grep -c '"customer"' "$dir/out" || true) invoices"
timeit "report reconcile --format json (rollup)" "$rebill" report reconcile --period 2026-10 --format json
timeit "invoice preview --customer cust00042" "$rebill" invoice preview --period 2026-10 --customer cust00042 --format json
