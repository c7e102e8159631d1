#!/usr/bin/env bash
# build.sh DIR [MESON OPTIONS...]: configures (once) and builds rebill in DIR.
set -euo pipefail
dir=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$dir/build.ninja" ]; then
	meson configure "$dir" "$@" >/dev/null
else
	# the source directory is named, so this works from any directory
	meson setup "$dir" "$root" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
