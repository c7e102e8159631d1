#!/usr/bin/env bash
# demo.sh: the main job on a fresh Debian 12 machine. Installs what is
# missing, builds rebill, generates a month of CUR for two AWS Organizations,
# imports it into ./rebill.db, prints what was imported, applies the sample
# billing configuration (examples/config.json: customers in EUR, GBP, JPY and
# USD holding the generated accounts) and prints the invoice previews and
# the reconciliation.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" run
"$root/scripts/build.sh" "$root/build" --buildtype=release
rebill=$root/build/src/cli/rebill
export REBILL_DB=${REBILL_DB:-./rebill.db}
sample=$(mktemp -d)
trap 'rm -rf "$sample"' EXIT
"$rebill" gen --payers 2 --accounts 4 --rows 20000 --period 2026-10 --gzip --parts 2 "$sample"
"$rebill" import "$sample"
"$rebill" summary --period 2026-10 --by payer
"$rebill" config apply "$root/examples/config.json"
"$rebill" invoice preview --period 2026-10
"$rebill" report reconcile --period 2026-10
