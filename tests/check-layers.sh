#!/usr/bin/env bash
# check-layers.sh ROOT: each module under src/ includes only the headers of
# the modules below it (docs/architecture.md; meson.build links the same
# picture). One case per module; prints "N passed, N failed, N skipped".
set -u
root=$1
declare -A allowed=(
	[util]="util"
	[cur]="cur util"
	[ingest]="ingest cur util"
	[config]="config util"
	[rate]="rate config cur util"
	[store]="store config cur util"
	[import]="import ingest store config cur util"
	[report]="report rate store config cur util"
	[s3]="s3 import store ingest config cur util"
	[invoice]="invoice report rate store config cur util"
	[auth]="auth util"
	[http]="http auth invoice report import ingest rate store config cur util"
	[cli]="cli s3 invoice http auth report import rate store ingest config cur util"
)
pass=0 fail=0
for m in util cur ingest config rate store import report s3 invoice auth http cli; do
	bad=$(grep -rnoE '#include "[a-z_]+/' "$root/src/$m" | while IFS=: read -r file line inc; do
		dep=${inc#\#include \"}; dep=${dep%/}
		[[ " ${allowed[$m]} " == *" $dep "* ]] || echo "$file:$line: $m includes $dep/"
	done)
	if [ -z "$bad" ]; then
		echo "ok - $m includes only: ${allowed[$m]}"
		pass=$((pass + 1))
	else
		echo "FAIL - $m reaches up or sideways:"
		echo "$bad" | sed 's/^/  /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
