#!/usr/bin/env bash
# test.sh: installs the test-only packages too, then builds and runs every
# test twice — a normal build and an AddressSanitizer+UndefinedBehaviorSanitizer
# build — and builds the libFuzzer targets with clang. Ends with the line
# "summary: N passed, N failed, N skipped" (N counts the test cases inside
# every test program; a case skips when its data, e.g. ../shared, is
# missing — and fails instead under CI=true) and exits non-zero when
# anything failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/deps.sh test || exit 3
# UBSan reports are failures, not log lines
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
pass=0 fail=0 skip=0

run_suite() { # DIR LABEL MESON_OPTIONS...
	local dir=$1 label=$2; shift 2
	echo "== $label: build"
	if ! scripts/build.sh "$dir" "$@"; then
		echo "FAIL - $label: build failed"
		fail=$((fail + 1)); status=1; return
	fi
	echo "== $label: test"
	meson test -C "$dir" --print-errorlogs --num-processes 2 >"$dir/test-output.txt" 2>&1
	local rc=$?
	grep -E '^(Ok|Fail|Timeout):' "$dir/test-output.txt" | tr -s ' ' | paste -sd' '
	local p f k
	p=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/meson-logs/testlog.txt" | awk '{s+=$1} END {print s+0}')
	f=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/meson-logs/testlog.txt" | awk '{s+=$3} END {print s+0}')
	k=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$dir/meson-logs/testlog.txt" | awk '{s+=$5} END {print s+0}')
	if [ $rc -ne 0 ]; then
		status=1
		sed -n '/Summary of Failures/,$p' "$dir/test-output.txt"
		grep -E '^(FAIL|  )' "$dir/meson-logs/testlog.txt" | head -n 80
		# a test program that died before its summary line still counts as a failure
		[ "$f" -eq 0 ] && f=1
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + k))
}

run_suite build-test "normal build" --buildtype=debugoptimized
run_suite build-asan "ASan+UBSan build" --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
if [ -f tests/fuzz/meson.build ] && grep -q executable tests/fuzz/meson.build; then
	echo "== fuzz targets (clang, libFuzzer): build"
	if CC=clang scripts/build.sh build-fuzz --buildtype=debug -Dfuzz=true -Db_lundef=false; then
		echo "ok - fuzz targets build"; pass=$((pass + 1))
	else
		echo "FAIL - fuzz targets do not build"; fail=$((fail + 1)); status=1
	fi
fi
echo "summary: $pass passed, $fail failed, $skip skipped"
exit $status
