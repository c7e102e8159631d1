#!/usr/bin/env bash
# run-cases.sh REBILL CASES_DIR [NAME...]: runs the golden end-to-end cases.
#
# A case is a directory tests/cases/NAME/ holding
#   cmd             a bash script, run in a fresh temporary directory that holds
#                   a copy of input/ as ./input, with `rebill` on PATH,
#                   REBILL_DB=./rebill.db, $SHARED = ../shared (real CUR files) and
#                   $CASE = the case directory;
#   input/          optional files for the script;
#   expected/stdout what the script must print on stdout, exactly;
#   expected/stderr optional: what it must print on stderr, exactly;
#   expected/exit   optional: its exit status (default 0).
# A new scenario is new files, not new code. A case whose cmd names $SHARED
# needs the real CUR samples of ../shared (beside the repository): without
# them it is skipped, and under CI=true it fails. Prints one line per case
# and "N passed, N failed, N skipped".
set -u
rebill=$(realpath "$1")
cases=$(realpath "$2")
shift 2
shared=$(realpath "$cases/../../../shared" 2>/dev/null || true)
bindir=$(mktemp -d)
ln -s "$rebill" "$bindir/rebill"
pass=0 fail=0 skip=0
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for d in "$cases"/*/; do names+=("$(basename "$d")"); done
fi
for name in "${names[@]}"; do
	dir=$cases/$name
	[ -f "$dir/cmd" ] || continue
	if grep -q 'SHARED' "$dir/cmd" && { [ -z "$shared" ] || [ ! -d "$shared/data" ]; }; then
		if [ "${CI:-}" = true ]; then
			echo "FAIL - $name: needs ../shared/data (the real CUR samples), absent under CI=true"
			fail=$((fail + 1))
		else
			echo "skip - $name: needs ../shared/data (the real CUR samples)"
			skip=$((skip + 1))
		fi
		continue
	fi
	work=$(mktemp -d)
	[ -d "$dir/input" ] && cp -r "$dir/input" "$work/input"
	(cd "$work" && PATH="$bindir:$PATH" REBILL_DB=./rebill.db SHARED="$shared" CASE="$dir" \
		LC_ALL=C TZ=UTC bash "$dir/cmd" >"$work/.stdout" 2>"$work/.stderr" </dev/null)
	status=$?
	want_status=0
	[ -f "$dir/expected/exit" ] && want_status=$(tr -d '[:space:]' <"$dir/expected/exit")
	ok=1
	why=()
	if [ "$status" != "$want_status" ]; then
		ok=0; why+=("exit status $status, want $want_status")
	fi
	if ! diff -u "$dir/expected/stdout" "$work/.stdout" >"$work/.diff.out" 2>&1; then
		ok=0; why+=("stdout differs")
	fi
	if [ -f "$dir/expected/stderr" ] && ! diff -u "$dir/expected/stderr" "$work/.stderr" >"$work/.diff.err" 2>&1; then
		ok=0; why+=("stderr differs")
	fi
	if [ $ok = 1 ]; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "FAIL - $name: ${why[*]}"
		[ -s "$work/.diff.out" ] && sed 's/^/    /' "$work/.diff.out" | head -n 60
		[ -s "$work/.diff.err" ] && sed 's/^/    /' "$work/.diff.err" | head -n 30
		echo "    stderr:"; sed 's/^/    | /' "$work/.stderr" | head -n 20
		fail=$((fail + 1))
	fi
	rm -rf "$work"
done
rm -rf "$bindir"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
