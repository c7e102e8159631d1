#!/usr/bin/env bash
# import_curve.sh [ROWS_PER_PAYER...]: issue 9's "time linear in rows" — for
# each size, `rebill gen --payers 2 --accounts 40 --rows N --parts 1 --seed 9`
# (tags fixed per resource; 600000 rows per payer is ~1.07 GB) into
# $CURVE_DATA/fN (default bench/data/curve, generated once), then one import
# into a fresh database: rows, bytes, wall, CPU (user+sys), peak RSS, the
# --timing split and runs spilled, and the load average before it.
# $REBILL names the binary (default build-bench/, release, built if missing).
# Default sizes: 300000 600000 1200000 2400000 rows per payer (0.5-4.3 GB).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ -z "${REBILL:-}" ]; then
	[ -d "$root/build-bench" ] || meson setup "$root/build-bench" -Dbuildtype=release >/dev/null
	ninja -C "$root/build-bench" src/cli/rebill >/dev/null
	REBILL=$root/build-bench/src/cli/rebill
fi
data=${CURVE_DATA:-$here/data/curve}
mkdir -p "$data"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(300000 600000 1200000 2400000)
echo "# rebill import, rows vs time, $(date -u +%Y-%m-%dT%H:%MZ), $REBILL"
echo '| rows | bytes | wall | CPU user+sys | CPU µs / row | peak RSS | read+aggregate, write, spilled | load before |'
echo '|---|---|---|---|---|---|---|---|'
for n in "${sizes[@]}"; do
	d=$data/f$n
	[ -d "$d" ] || "$REBILL" --quiet gen --payers 2 --accounts 40 --rows "$n" --parts 1 --seed 9 "$d" >/dev/null
	bytes=$(find "$d" -name '*.csv' -exec cat {} + | wc -c)
	rm -f "$data"/curve.db*
	sync
	load=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -f '%e %M %U %S' -o "$data/time" "$REBILL" --db "$data/curve.db" import --quiet \
		--timing "$d" >/dev/null 2>"$data/err"
	read -r w m u s <"$data/time"
	cpu=$(python3 -c "print(f'{$u + $s:.2f}')")
	us=$(python3 -c "print(f'{($u + $s) * 1e6 / ($n * 2):.2f}')")
	split=$(sed -n 's/^timing: //p' "$data/err")
	echo "| $((n * 2)) | $bytes | $w s | $cpu s | $us | $(( (m + 1023) / 1024 )) MiB | $split | $load |"
done
rm -f "$data"/curve.db* "$data/time" "$data/err"
