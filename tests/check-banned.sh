#!/usr/bin/env bash
# Checks that every C source file includes util/banned.h after its other
# includes, so the functions it bans fail the build everywhere.
set -u
root=$1
pass=0 fail=0
while IFS= read -r f; do
	last=$(grep -n '^#include' "$f" | tail -n 1)
	if [[ $last == *'"util/banned.h"'* ]]; then
		pass=$((pass + 1))
	else
		echo "FAIL - $f: util/banned.h is not its last #include"
		fail=$((fail + 1))
	fi
done < <(find "$root/src" "$root/tools" -name '*.c' | sort)
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
