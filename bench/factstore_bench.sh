#!/usr/bin/env bash
# factstore_bench.sh: issue 9 step 2 (bench/RESULTS.md) — builds main from
# `git archive main` (or takes $OLD), then for both shapes (rebill gen 1 M
# rows; bench/gen_tags.py 600 k rows, a random tag set per row) times
# import, summary, reconcile and invoice preview of main and of this tree
# (build/), with CPU, wall, peak RSS, load average and the database size.
# $OLD and $NEW name other build directories; $WORK the data directory;
# $RUNS runs each report that many times (default 1), old and new in turn.
root=$(cd "$(dirname "$0")/.." && pwd)
set -u
# relative $OLD, $NEW and $WORK are taken from where the script is called
[ -z "${OLD:-}" ] || OLD=$(realpath "$OLD")
[ -z "${NEW:-}" ] || NEW=$(realpath "$NEW")
work=${WORK:-/tmp/factstore-bench}; mkdir -p "$work"; work=$(realpath "$work"); cd "$work"
if [ -z "${OLD:-}" ]; then   # $OLD: a build directory of the old tree, else main is built
  rm -rf main-src && mkdir main-src && git -C "$root" archive main | tar -x -C main-src
  ln -sfn $root/web/node_modules main-src/web/node_modules
  (cd main-src && meson setup ../main-build . >/dev/null && ninja -C ../main-build >/dev/null) || echo "main build failed"
fi
NEW=${NEW:-$root/build}/src/cli/rebill   # $NEW: the new tree's build directory
OLD=${OLD:-$work/main-build}/src/cli/rebill
[ -d fixed ] || $NEW gen --rows 1000000 --payers 2 fixed >/dev/null
[ -f tags.csv ] || python3 $root/bench/gen_tags.py tags.csv 600000 3
for shape in fixed tags.csv; do
  for v in OLD NEW; do
    bin=${!v}; db=$v-$shape.db; rm -f $db*
    echo "== $v import $shape load=$(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v $bin --db $db import --quiet $shape 2>&1 >/dev/null | grep -E "Elapsed|User time|System time|Maximum resident"
    echo "size $(stat -c %s $db)"
  done
  for r in $(seq "${RUNS:-1}"); do
    for c in "summary --period 2026-10" "report reconcile --period 2026-10" "invoice preview --period 2026-10"; do
      for v in OLD NEW; do
        bin=${!v}; db=$v-$shape.db
        echo "-- $v $c ($shape, run $r) load=$(cut -d' ' -f1-3 /proc/loadavg)"
        /usr/bin/time -v $bin --db $db $c 2>&1 >$work/out-$v-$(echo $c|tr ' ' _)-$shape | grep -E "Elapsed|User time|System time"
      done
    done
  done
done
echo DONE
