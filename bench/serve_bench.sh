#!/usr/bin/env bash
# serve_bench.sh REBILL [PAYERS [ROWS]]: the load benchmark of `rebill
# serve` (issue 12). Builds a database with `rebill gen` (PAYERS payers,
# default 11, of 100 accounts and ROWS rows each, default 100,000) and
# `rebill import`: about 1,030,000 facts and 290,000 resource facts; the
# accounts ten to a customer (bench/serve_config.py); adds an admin and a
# customer user with bearer
# tokens, starts `rebill serve` on a free loopback port, and runs wrk
# (Debian's; scripts/deps.sh bench) against it with bench/wrk_token.lua:
# 64 connections, DURATION seconds (default 10) per endpoint with the
# response cache (the default), then DURATION_UNCACHED (default 5) at
# CONNS_UNCACHED connections (default 4) with --cache-mb 0. Prints per endpoint
# p50/p99 latency, requests/s, errors (non-2xx and socket errors) and the
# load average; before each, the first (cold) request alone, timed, which
# also fills the cache (so the wrk figures are the steady state). Goals: p99 <= 50 ms at 64 connections for the overview API
# (/api/v1/summary, /api/v1/margin), the explorer API (/api/v1/explorer)
# and the portal summary; >= 2,000 req/s
# for cached report endpoints; no errors. Loopback only, bounded in time;
# the data is deleted afterwards (kept in $BENCH_DIR when set), never
# committed. THREADS sets --threads (default 4), CONNS the connections.
set -euo pipefail
rebill=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "serve_bench.sh: wrk is missing (scripts/deps.sh bench)" >&2; exit 2; }
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
fi
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -z "${BENCH_DIR:-}" ] && rm -rf "$dir"
	return 0
}
trap cleanup EXIT
export REBILL_DB=$dir/bench.db
if [ ! -f "$dir/ready" ]; then
	rm -f "$dir"/bench.db*
	"$rebill" periods >/dev/null   # creates and migrates the database
	rm -rf "$dir/gen"
	"$rebill" gen --payers "${2:-11}" --accounts 100 --rows "${3:-100000}" --period 2026-10 \
		"$dir/gen" >/dev/null
	"$rebill" import --quiet "$dir/gen" >/dev/null 2>&1
	rm -rf "$dir/gen"
	"$rebill" accounts --period 2026-10 --format json >"$dir/accounts.json"
	python3 "$here/serve_config.py" "$dir/accounts.json" "$dir/config.json"
	"$rebill" config apply "$dir/config.json" >/dev/null
	printf 'bench-admin-password\n' | "$rebill" --quiet user add admin@bench.example --role admin
	printf 'bench-customer-password\n' | "$rebill" --quiet user add c@cust00042.example \
		--role customer --customer cust00042
	"$rebill" user token admin@bench.example >"$dir/admin.token"
	"$rebill" user token c@cust00042.example >"$dir/customer.token"
	# the billing rollup, as after any import's first report
	"$rebill" invoice preview --period 2026-10 --format json >/dev/null
	touch "$dir/ready"
fi
echo "facts: $(sqlite3 "$REBILL_DB" 'SELECT count(*) FROM fact_rows' 2>/dev/null || echo '?')"
echo "machine: $(nproc) cores, $(uname -sr); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')"

start() { # ARGS...: starts the server, sets url and pid
	local fifo=$dir/serve.out
	rm -f "$fifo"
	"$rebill" serve --listen 127.0.0.1:0 --threads "${THREADS:-4}" "$@" >"$fifo" 2>"$dir/serve.err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q 'listening on' "$fifo" 2>/dev/null && break
		sleep 0.1
	done
	url=$(sed -n 's/.*listening on \(http[^ ]*\)\/$/\1/p' "$fifo")
	[ -n "$url" ] || { echo "serve_bench.sh: the server did not start" >&2; cat "$dir/serve.err" >&2; exit 1; }
}
stop() { # SIGTERM; a server still draining a backlog after 10 s is killed
	local i
	kill "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}
cpu() { # the server's user+sys CPU seconds so far
	awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$pid/stat"
}
load() { # PATH TOKEN-FILE LABEL SECONDS CONNECTIONS
	local out c0 c1
	c0=$(cpu)
	out=$(TOKEN=$(cat "$2") wrk -t2 -c"$5" -d"$4"s --timeout 10s --latency \
		-s "$here/wrk_token.lua" "$url$1")
	c1=$(cpu)
	printf '%-44s %-8s c%-3s p50 %8s  p99 %8s  %9s req/s  errors %s  server CPU %ss  load %s\n' "$1" "$3" "$5" \
		"$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
		"$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
		"$( (grep -E 'Non-2xx|Socket errors' <<<"$out" || echo none) | tr '\n' ' ')" \
		"$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.1f", b - a}')" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
}
check200() { # PATH TOKEN-FILE: the first (cold) answer, timed; refuses to benchmark an error
	local st
	st=$(curl -s --max-time 120 -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $(cat "$2")" \
		"$url$1")
	[ "${st%% *}" = 200 ] || { echo "serve_bench.sh: $1 answers $st" >&2; exit 1; }
	printf '%-44s first request %s s\n' "$1" "${st#* }"
}
admin=$dir/admin.token
cust=$dir/customer.token
routes=(
	"/api/v1/summary?period=2026-10 $admin"
	"/api/v1/margin?period=2026-10 $admin"
	"/api/v1/portal/summary?period=2026-10 $cust"
	"/api/v1/portal/breakdown?period=2026-10&by=service $cust"
	"/api/v1/portal/breakdown?period=2026-10&by=day $cust"
	"/api/v1/invoices/preview?period=2026-10&customer=cust00042 $admin"
	"/api/v1/margin?period=2026-10&by=service $admin"
	"/api/v1/explorer?period=2026-10&by=customer $admin"
	"/api/v1/explorer?period=2026-10&by=service&customer=cust00042 $admin"
	"/api/v1/explorer?period=2026-10&by=day $admin"
	"/api/v1/explorer?period=2026-10&by=service&format=csv $admin"
	"/api/v1/credits?period=2026-10 $admin"
)
# with the cache: one server, every route (the first request fills it)
start
for r in "${routes[@]}"; do
	set -- $r
	check200 "$1" "$2"
	load "$1" "$2" cached "${DURATION:-10}" "${CONNS:-64}"
done
stop
# without: a server per route (a backlog of slow requests is not carried
# over), CONNS_UNCACHED connections (default 4, one per server thread:
# at 64 the queue only adds waiting)
for r in "${routes[@]}"; do
	set -- $r
	start --cache-mb 0
	check200 "$1" "$2"
	load "$1" "$2" uncached "${DURATION_UNCACHED:-5}" "${CONNS_UNCACHED:-4}"
	stop
done
