#!/usr/bin/env bash
# split_bench.sh REBILL [CUSTOMERS [ACCOUNTS [FACTS [SPLIT%]]]]: the invoice
# preview benchmark of invoice_bench.sh (1,000 customers x 10 accounts x 300
# facts) with SPLIT% (default 10) of the accounts split by tag among three
# customers (spec §9), against the same database with the same configuration
# minus its split assignments. Prints, for each, the first preview after the
# change (the billing rollup is brought up to date) and 3 later ones, of
# the invoice engine alone (bench/preview_bench; PREVIEW_BENCH names another
# build's), then one `rebill invoice preview` with CPU time (user+sys) and
# peak RSS, then the load average. Set BENCH_DIR to keep the data (never
# committed).
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
python3 "$here/invoice_data.py" "$REBILL_DB" "$dir/split.json" \
	--customers "${2:-1000}" --accounts "${3:-10}" --facts "${4:-300}" --split "${5:-10}"
# the same configuration without any split assignment
python3 - "$dir/split.json" "$dir/plain.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for c in doc["customers"]:
    c["accounts"] = [a for a in c["accounts"] if "split" not in a]
json.dump(doc, open(sys.argv[2], "w"), indent=1)
EOF
run() { # LABEL CMD...: one run; prints wall ms, CPU s (user+sys), peak RSS
	local label=$1 t0 t1; shift
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$dir/time" "$@" >"$dir/out"
	t1=$(date +%s%N)
	read -r u s m <"$dir/time"
	printf '%s: wall %d ms, cpu %s s (user %s + sys %s), peak RSS %d MiB\n' "$label" \
		$(( (t1 - t0) / 1000000 )) "$(echo "$u + $s" | bc)" "$u" "$s" $(( m / 1024 ))
}
preview=("$rebill" invoice preview --period 2026-10 --format json)
# the engine alone (report_invoices, no warnings, no JSON): bench/preview_bench.c
engine=${PREVIEW_BENCH:-$(dirname "$rebill")/../../bench/preview_bench}
for cfg in split plain split; do
	"$rebill" config apply --replace "$dir/$cfg.json" >/dev/null
	echo "$cfg: engine, 4 runs (the first brings the rollup up to date):"
	"$engine" "$REBILL_DB" 2026-10 4 | sed 's/^/  /'
	run "$cfg: rebill invoice preview" "${preview[@]}"
	cp "$dir/out" "$dir/out.$cfg"
done
cmp -s "$dir/out.split" "$dir/out" && echo "split previews before and after the round trip: identical"
echo "$(grep -c '"customer"' "$dir/out.split" || true) invoices; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
