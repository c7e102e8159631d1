#!/usr/bin/env bash
# deps.sh run|test|bench: installs, with apt-get, the Debian packages rebill needs
# to build and run ("run") or also to test ("test") or also to run the
# benchmarks ("bench": wrk for bench/serve_bench.sh) — only those missing.
set -euo pipefail
run_pkgs=(gcc pkg-config meson ninja-build libsqlite3-dev zlib1g-dev libjansson-dev
	libcurl4-openssl-dev libxml2-dev libsnappy-dev libzstd-dev libmicrohttpd-dev libsodium-dev
	libisal-dev)
test_pkgs=(clang libclang-rt-14-dev sqlite3 python3 python3-botocore chromium openssl time)
# node and npm: the web front-end packages are installed with `npm ci` when
# building (scripts/build.sh, web/package.json), and the Parquet fixtures
# (tests/parquet) use them too: Debian's unless some node is already
# installed (NodeSource's nodejs bundles npm and conflicts)
command -v node >/dev/null || run_pkgs+=(nodejs)
command -v npm >/dev/null || run_pkgs+=(npm)
# invoice documents (issue 7): PDF, fonts, UBL, e-mail
run_pkgs+=(libcairo2-dev libpango1.0-dev fonts-dejavu-core fonts-wqy-microhei)
# invoice tests: pdftotext/pdftoppm, an SMTP sink, validate-ubl's tools
test_pkgs+=(poppler-utils python3-aiosmtpd libxml2-utils default-jre-headless libsaxonhe-java)
# benchmarks: the HTTP load generator of bench/serve_bench.sh
bench_pkgs=(wrk)
want=("${run_pkgs[@]}")
[ "${1:-run}" = test ] && want+=("${test_pkgs[@]}")
[ "${1:-run}" = bench ] && want+=("${test_pkgs[@]}" "${bench_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# test: DuckDB's Node binding writes the Parquet fixtures (tests/parquet, npm ci
# from its lockfile); without it those tests skip (and fail under CI=true)
npm_ci() {
	local d
	d=$(cd "$(dirname "$0")/../tests/parquet" && pwd)
	[ "${1:-run}" = test ] && [ ! -d "$d/node_modules/@duckdb/node-api" ] &&
		{ (cd "$d" && npm ci --no-audit --no-fund --silent) ||
			echo "warning: npm ci in tests/parquet failed" >&2; }
	return 0
}
if [ ${#missing[@]} -eq 0 ]; then npm_ci "${1:-run}"; exit 0; fi
echo "installing: ${missing[*]}" >&2
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_ci "${1:-run}"
