#!/usr/bin/env bash
# deps.sh run|test: installs, with apt-get, the Debian packages rebill needs
# to build and run ("run") or also to test ("test") — only those missing.
set -euo pipefail
run_pkgs=(gcc pkg-config meson ninja-build libsqlite3-dev zlib1g-dev libjansson-dev
	libcurl4-openssl-dev libxml2-dev)
test_pkgs=(clang libclang-rt-14-dev sqlite3 python3 python3-botocore)
want=("${run_pkgs[@]}")
[ "${1:-run}" = test ] && want+=("${test_pkgs[@]}")
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
