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
# quiet when it works; the compiler's messages when it does not
if ! log=$(ninja -C "$dir" 2>&1); then
	printf '%s\n' "$log" >&2
	echo "build.sh: the build in $dir failed (messages above)" >&2
	exit 1
fi
