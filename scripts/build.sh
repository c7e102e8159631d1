#!/usr/bin/env bash
# build.sh DIR [MESON OPTIONS...]: configures (once) and builds rebill in DIR.
set -euo pipefail
dir=$1; shift
if [ -f "$dir/build.ninja" ]; then
	meson configure "$dir" "$@" >/dev/null
else
	meson setup "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null
