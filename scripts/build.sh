#!/usr/bin/env bash
# build.sh DIR [MESON OPTIONS...]: configures (once) and builds rebill in DIR.
set -euo pipefail
dir=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
# The front-end packages embedded into the binary (web/package.json, pinned
# by web/package-lock.json): installed from the npm registry when missing or
# when the lockfile changed since.
if [ ! -f "$root/web/node_modules/.package-lock.json" ] ||
   [ "$root/web/package-lock.json" -nt "$root/web/node_modules/.package-lock.json" ]; then
	(cd "$root/web" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ -f "$dir/build.ninja" ]; then
	meson configure "$dir" "$@" >/dev/null
else
	# the source directory is named, so this works from any directory
	meson setup "$dir" "$root" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
