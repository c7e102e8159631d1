#!/usr/bin/env bash
# demo.sh: the main job on a fresh Debian 12 machine. Installs what is
# missing, builds rebill, generates a month of CUR for two AWS Organizations,
# imports it into a fresh demo database, prints what was imported, applies the sample
# billing configuration (examples/config.json: customers in EUR, GBP, JPY and
# USD holding the generated accounts) and prints the invoice previews and
# the reconciliation. Then it finalizes the period, exports every document
# (PDF, UBL, HTML, CSV) into invoices-2026-10 beside the database, lets AWS
# restate one payer's month and shows the correction documents `invoice
# rerate` issues.
#
# Nothing is written into the source tree (issue 13): the database is
# $REBILL_DB when set (used as it is), else a fresh
# ${XDG_STATE_HOME:-~/.local/state}/rebill/demo/rebill.db, recreated on every
# run; the documents go to $REBILL_DEMO_OUT, else invoices-2026-10 beside
# the database. demo.sh --where prints both and does nothing else.
#
# demo.sh --serve: then also starts the web console on that database
# (rebill serve on 127.0.0.1:8080, or $REBILL_LISTEN) with a one-time admin
# login and a customer login for acme printed on the terminal.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${XDG_STATE_HOME:-$HOME/.local/state}/rebill/demo
if [ -n "${REBILL_DB:-}" ]; then
	db=$REBILL_DB fresh=0
else
	db=$state/rebill.db fresh=1
fi
out=${REBILL_DEMO_OUT:-$(dirname "$db")/invoices-2026-10}
if [ "${1:-}" = --where ]; then
	echo "demo database: $db"
	echo "demo invoices: $out"
	exit 0
fi
"$root/scripts/deps.sh" run
"$root/scripts/build.sh" "$root/build" --buildtype=release
rebill=$root/build/src/cli/rebill
mkdir -p "$(dirname "$db")"
# the demo's own database starts empty on every run (a second run would
# otherwise find the month already invoiced); one given in $REBILL_DB is kept
if [ "$fresh" = 1 ]; then
	rm -f "$db" "$db-wal" "$db-shm"
	[ -z "${REBILL_DEMO_OUT:-}" ] && rm -rf "$out"
fi
export REBILL_DB=$db
echo "demo database: $db"
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
"$rebill" invoice export --period 2026-10 --out "$out"
"$rebill" invoice list --period 2026-10
echo "the documents are in $(cd "$out" && pwd)"
# AWS restates the month of the first payer: import it again, re-rate
"$rebill" --quiet import "$restated/101091972000"
"$rebill" invoice rerate --period 2026-10

if [ "${1:-}" = --serve ]; then
	# fresh random passwords, set again on every run (read from stdin, never argv)
	login() { # EMAIL ROLE [CUSTOMER]
		local pw args=("$1" --role "$2")
		pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
		[ -n "${3:-}" ] && args+=(--customer "$3")
		if "$rebill" user list --format csv | grep -q "^$1,"; then
			printf '%s\n' "$pw" | "$rebill" --quiet user passwd "$1"
		else
			printf '%s\n' "$pw" | "$rebill" --quiet user add "${args[@]}"
		fi
		printf '  %-22s %s\n' "$1" "$pw"
	}
	listen=${REBILL_LISTEN:-127.0.0.1:8080}
	echo
	echo "console: http://$listen/  (Ctrl-C stops it)"
	echo "one-time logins (email, password):"
	login admin@demo.example admin
	login billing@acme.example customer acme
	trap - EXIT
	rm -rf "$sample" "$restated"
	echo "demo database: $db"
	exec "$rebill" serve --listen "$listen"
fi
