#!/usr/bin/env bash
# demo.sh: the main job on a fresh Debian 12 machine. Installs what is
# missing, builds rebill, generates a month of CUR for two AWS Organizations,
# imports it into ./rebill.db, prints what was imported, applies the sample
# billing configuration (examples/config.json: customers in EUR, GBP, JPY and
# USD holding the generated accounts) and prints the invoice previews and
# the reconciliation. Then it finalizes the period, exports every document
# (PDF, UBL, HTML, CSV) into ./invoices-2026-10, lets AWS restate one payer's
# month and shows the correction documents `invoice rerate` issues.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" run
"$root/scripts/build.sh" "$root/build" --buildtype=release
rebill=$root/build/src/cli/rebill
export REBILL_DB=${REBILL_DB:-./rebill.db}
sample=$(mktemp -d) restated=$(mktemp -d)
trap 'rm -rf "$sample" "$restated"' EXIT
"$rebill" gen --payers 2 --accounts 4 --rows 20000 --period 2026-10 --gzip --parts 2 "$sample"
"$rebill" gen --payers 2 --accounts 4 --rows 20000 --period 2026-10 --gzip --parts 2 --restate \
	"$restated" >/dev/null
"$rebill" import "$sample"
"$rebill" summary --period 2026-10 --by payer
"$rebill" config apply "$root/examples/config.json"
"$rebill" invoice preview --period 2026-10
"$rebill" report reconcile --period 2026-10
# invoice documents: drafts, then numbered and frozen, then files
"$rebill" invoice run --period 2026-10
"$rebill" invoice finalize --period 2026-10
out=${REBILL_DEMO_OUT:-./invoices-2026-10}
"$rebill" invoice export --period 2026-10 --out "$out"
"$rebill" invoice list --period 2026-10
echo "the documents are in $(cd "$out" && pwd)"
# AWS restates the month of the first payer: import it again, re-rate
"$rebill" --quiet import "$restated/101091972000"
"$rebill" invoice rerate --period 2026-10
