#!/usr/bin/env bash
# no-float.sh DIR: fails when a C source or header under DIR names a binary
# floating point type (float, double, _Float*) — spec §1: no binary floating
# point anywhere on a money path. Prints the check harness summary line.
set -u
dir=$1
pass=0 fail=0
n=$(find "$dir" -name '*.[ch]' | wc -l)
if [ "$n" -eq 0 ]; then
	echo "FAIL - no C files under $dir"
	fail=1
else
	hits=$(grep -rnwE 'float|double|_Float[0-9]*|_Float[0-9]+x|strtod|strtof|strtold|atof' \
		--include='*.c' --include='*.h' "$dir")
	if [ -n "$hits" ]; then
		echo "FAIL - floating point in $dir:"
		echo "$hits"
		fail=1
	else
		echo "ok - no floating point in $n files under $dir"
		pass=1
	fi
fi
echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
