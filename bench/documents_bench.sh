#!/usr/bin/env bash
# documents_bench.sh REBILL [CUSTOMERS [ACCOUNTS [FACTS]]]: the invoice
# documents benchmark (issue 7), end to end through the database: the data
# of invoice_bench.sh (bench/invoice_data.py; default 1,000 customers x 10
# accounts x 300 facts per account) plus an issuer and the customers'
# countries and Peppol ids, then one timed run each of `invoice run`,
# `invoice finalize` and `invoice export` (PDF, UBL checked against the
# XSD, HTML, CSV of every document). Goal: the three <= 15 s together.
# The data is deleted afterwards (kept in $BENCH_DIR when that is set).
set -euo pipefail
rebill=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
	rm -rf "$dir"/bench.db* "$dir/docs"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
export REBILL_DB=$dir/bench.db
"$rebill" periods >/dev/null
python3 "$here/invoice_data.py" "$REBILL_DB" "$dir/config.json" \
	--customers "${2:-1000}" --accounts "${3:-10}" --facts "${4:-300}"
python3 - "$dir/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["issuer"] = {"name": "Cloudwise Reselling B.V.", "address": "Herengracht 100",
               "city": "Amsterdam", "postal_code": "1015 BS", "country": "NL",
               "vat_id": "NL999999999B01", "company_id": "12345678", "iban": "NL91ABNA0417164300",
               "email": "billing@cloudwise.example", "peppol_id": "0106:12345678"}
for k, cu in enumerate(c["customers"]):
    cu.update(country="NL", city="Amsterdam", postal_code="1015 CJ", address=f"Straat {k}",
              vat_id=f"NL{100000000 + k}B01", peppol_id=f"0106:{10000000 + k}",
              email=f"ap@{cu['id']}.example")
json.dump(c, open(sys.argv[1], "w"))
PY
"$rebill" config apply "$dir/config.json" >/dev/null
"$rebill" invoice preview --period 2026-10 --format json >/dev/null  # builds the rollup
ms() { echo $(( ($2 - $1) / 1000000 )); }
t0=$(date +%s%N); "$rebill" invoice run --period 2026-10 >/dev/null
t1=$(date +%s%N); "$rebill" invoice finalize --period 2026-10 --date 2026-11-02 >/dev/null
t2=$(date +%s%N); "$rebill" invoice export --period 2026-10 --out "$dir/docs" >/dev/null
t3=$(date +%s%N)
docs=$(ls "$dir/docs"/*.pdf | wc -l)
pages=0
for f in "$dir/docs"/*.pdf; do pages=$((pages + $(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}'))); done
echo "invoice run: $(ms "$t0" "$t1") ms"
echo "invoice finalize: $(ms "$t1" "$t2") ms"
echo "invoice export: $(ms "$t2" "$t3") ms ($docs documents, $pages PDF pages, $(du -sh "$dir/docs" | cut -f1))"
echo "total: $(ms "$t0" "$t3") ms (goal 15000)"
