#!/usr/bin/env bash
# test_s3.sh REBILL: `rebill import s3://` and `rebill sync` end to end,
# against tests/s3/s3server.py (a loopback S3 stand-in that checks every
# request's SigV4 signature with botocore) serving months made by
# `rebill gen`. Expected sums come from gen's expected.json (never from the
# code under test); "unchanged" means the database dump is byte-identical.
# Prints one line per check and "N passed, N failed, N skipped". Without
# python3 and botocore it is skipped, and fails under CI=true.
set -u
rebill=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
server=$here/s3server.py
compare=$here/../gen-compare.py
bad_csv=$here/../cases/malformed-corpus/input/bad/01-bad-amount.csv

if ! python3 -c 'import botocore.auth' 2>/dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "FAIL - s3: python3 with botocore (Debian python3-botocore) is not installed"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	echo "skip - s3: python3 with botocore (Debian python3-botocore) is not installed"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

pass=0 fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
no() { echo "FAIL - $1"; fail=$((fail + 1)); }
check() { # NAME COMMAND...: passes when the command succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else no "$name"; fi
}

work=$(mktemp -d)
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
unset AWS_PROFILE AWS_DEFAULT_REGION AWS_ENDPOINT_URL_S3 AWS_SESSION_TOKEN
export LC_ALL=C TZ=UTC HOME=$work/home XDG_CACHE_HOME=$work/xdg
mkdir -p home

KEY=AKIDREBILLTEST SECRET='s3cr3t/Rebill+Test=Key' TOKEN='T0ken/rebill+session=='
DB=$work/rebill.db
R() { "$rebill" --db "$DB" --quiet "$@"; }
dump() { sqlite3 "$DB" .dump; }

# the data: a legacy month (3 parts, gzip) and its restatement; a CUR 2.0
# month and its restatement (same file names, new contents)
"$rebill" --quiet gen --rows 600 --parts 3 --gzip legacy >/dev/null
"$rebill" --quiet gen --rows 600 --parts 3 --gzip --restate legacy-restated >/dev/null
"$rebill" --quiet gen --rows 400 --parts 2 --format cur2 --seed 7 cur2 >/dev/null
"$rebill" --quiet gen --rows 400 --parts 2 --format cur2 --seed 7 --restate cur2-restated >/dev/null
payer=$(ls legacy | grep -v expected)
payer2=$(ls cur2 | grep -v expected)
serve() { # BUCKET PREFIX DIR: the bucket's PREFIX/ holds DIR's payer folders
	rm -rf "root/$1/$2"; mkdir -p "root/$1/$2"
	cp -r "$3"/[0-9]* "root/$1/$2/"
}
mkdir -p root
serve cur-bucket legacy legacy
serve cur-bucket cur2 cur2
mkdir -p root/cur-bucket/bad && cp "$bad_csv" root/cur-bucket/bad/

S3SERVER_SECRET_KEY=$SECRET S3SERVER_TOKEN=$TOKEN python3 "$server" --root root \
	--port-file port --access-key "$KEY" --region eu-west-1 --max-keys 2 --control control.json --log requests.log &
srv_pid=$!
for _ in $(seq 300); do [ -f port ] && break; sleep 0.1; done
[ -f port ] || { no "the S3 stand-in starts"; echo "$pass passed, $fail failed, 0 skipped"; exit 1; }
export AWS_ENDPOINT_URL=http://127.0.0.1:$(cat port)
export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=$TOKEN
export AWS_REGION=eu-west-1

sums_match() { # EXPECTED.json: the database holds exactly its sums by payer and type
	local by
	for by in payer account type; do
		R summary --period 2026-10 --by $by --format json >s.json || return 1
		python3 "$compare" "$1" s.json $by >/dev/null || return 1
	done
}
no_secrets() { # FILE...: neither secret appears
	! grep -qF -e "$SECRET" -e "$TOKEN" "$@"
}

# 1. import: every page listed, every request signed and accepted
R import s3://cur-bucket/legacy/ >out1 2>err1
check "import s3:// of a legacy month succeeds" test $? -eq 0
check "its sums are gen's expected.json" sums_match legacy/expected.json
check "the listing was read in pages (continuation-token)" grep -q 'continuation-token=' requests.log
check "every request carried a valid signature (no refusal)" \
	python3 -c 'import json,sys; sys.exit(any(json.loads(l)["status"]!=200 or not json.loads(l)["auth"] for l in open("requests.log")))'
check "the session token was signed" grep -q '"x-amz-security-token"' requests.log
check "the month is reported new" grep -q "rebill-cur-Manifest.json: assembly .*, 3 files: new" out1
check "the downloads are cached under XDG_CACHE_HOME" \
	test -f "xdg/rebill/s3/cur-bucket/legacy/$payer/rebill-cur/20261001-20261101/rebill-cur-Manifest.json"
check "the store records the import (s3_syncs)" \
	test "$(sqlite3 rebill.db "SELECT action, period, files FROM s3_syncs")" = "new|2026-10|3"

# 2. sync with nothing changed: no data file fetched, database byte-identical
dump >before.sql
: >requests.log
R sync s3://cur-bucket/legacy/ >out2 2>err2
check "sync with nothing changed succeeds" test $? -eq 0
check "sync says nothing changed" grep -qx "nothing changed" out2
check "the month is reported unchanged" grep -q "3 files: unchanged" out2
dump >after.sql
check "sync with nothing changed leaves the database byte-identical" cmp -s before.sql after.sql
check "sync with nothing changed fetches no data file" bash -c '! grep -q "csv.gz" requests.log'

# 3a. a restatement whose new assembly holds a broken file: the import fails
#     (exit 2) and prunes nothing: the old assembly's cached files stay
month_dir=xdg/rebill/s3/cur-bucket/legacy/$payer/rebill-cur/20261001-20261101
old_files=$(cd "$month_dir" && find . -mindepth 2 -name '*.csv.gz' | sort)
cp -r legacy-restated/[0-9]* root/cur-bucket/legacy/
broken=$(find root/cur-bucket/legacy -name 'rebill-cur-00002.csv.gz' -newer legacy/expected.json | head -1)
echo "not gzip" >"$broken"
dump >before.sql
R sync s3://cur-bucket/legacy/ >out3a 2>err3a
check "a restatement with a broken file fails with exit 2" test $? -eq 2
dump >after.sql
check "the database is unchanged after the failed import" cmp -s before.sql after.sql
check "the old assembly's 3 files were cached before" test "$(echo "$old_files" | wc -l)" -eq 3
check "a failed import prunes nothing from the cache" \
	bash -c "cd '$month_dir' && for f in $(echo $old_files); do test -f \$f && test -f \$f.etag || exit 1; done"
check "a failed import prints no pruning" bash -c '! grep -q "^cache: removed" out3a'

# 3. a restatement, delivered as AWS does: the new assembly folder beside the
#    old one, the top-level manifest rewritten. The month is replaced; the
#    record names both assemblies; the old files are reported, not read
cp -r legacy-restated/[0-9]* root/cur-bucket/legacy/
R sync s3://cur-bucket/legacy/ >out3 2>err3
check "sync of a restated month succeeds" test $? -eq 0
check "the old assembly's 3 files are reported as not read" \
	grep -q "^warning: 3 data objects under the prefix not listed by a current manifest" out3
check "the month is reported changed (was the old assembly)" grep -q ": changed (was " out3
check "the import replaced the month" grep -q " replaced" out3
check "the sums are the restatement's expected.json" sums_match legacy-restated/expected.json
check "the store records the change" \
	test "$(sqlite3 rebill.db "SELECT group_concat(action) FROM s3_syncs")" = "new,changed"
R sync s3://cur-bucket/legacy/ >out3b 2>&1
check "a second sync of the restatement changes nothing" grep -qx "nothing changed" out3b
# the successful import pruned the superseded assembly from the cache and
# kept the current one and every manifest (issue 8: cache pruning)
new_files=$(cd "$month_dir" && find . -mindepth 2 -name '*.csv.gz' | sort)
check "the restatement's import reports the 3 pruned files" \
	grep -q "^cache: removed 3 files of superseded versions (" out3
check "the old assembly's files and ETags are gone from the cache" \
	bash -c "cd '$month_dir' && for f in $(echo $old_files); do test ! -e \$f && test ! -e \$f.etag || exit 1; done"
check "the current assembly's 3 files are kept" test "$(echo "$new_files" | wc -l)" -eq 3
check "no current file was pruned" bash -c "test -z \"\$(comm -12 <(echo '$old_files') <(echo '$new_files'))\""
check "the manifests are kept" test -f "$month_dir/rebill-cur-Manifest.json"
check "the current files are still cached for the next sync" \
	bash -c "cd '$month_dir' && for f in $(echo $new_files); do test -f \$f && test -f \$f.etag || exit 1; done"
check "the current files are not fetched again" bash -c '! grep -q "^cache: removed" out3b'

# 3c. --keep-cache keeps a superseded file: one planted in an old assembly
#     folder of the cache survives an import with it, and goes without it
mkdir -p "$month_dir/old-assembly" && echo x >"$month_dir/old-assembly/rebill-cur-00001.csv.gz"
R import --keep-cache s3://cur-bucket/legacy/ >out3c 2>err3c
check "import --keep-cache succeeds" test $? -eq 0
check "import --keep-cache keeps the superseded file" test -f "$month_dir/old-assembly/rebill-cur-00001.csv.gz"
R import s3://cur-bucket/legacy/ >out3d 2>err3d
check "import without --keep-cache prunes it (and its empty folder)" \
	bash -c "test ! -e '$month_dir/old-assembly' && grep -q '^cache: removed 1 file of superseded versions (2 bytes)' out3d"

# 4. CUR 2.0 through sync (into a database of its own), credentials from a
#    profile (no key in the environment)
DB=$work/cur2.db
mkdir -p home/.aws
printf '[default]\naws_access_key_id = nope\naws_secret_access_key = nope\n\n[billing]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n' \
	"$KEY" "$SECRET" "$TOKEN" >home/.aws/credentials
printf '[profile billing]\nregion = eu-west-1\n' >home/.aws/config
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION \
	AWS_PROFILE=billing "$rebill" --db "$DB" --quiet sync s3://cur-bucket/cur2/ >out4 2>err4
check "sync of a CUR 2.0 month with a ~/.aws profile succeeds" test $? -eq 0
check "the CUR 2.0 month is new" grep -q "rebill-cur2-Manifest.json: assembly .*, 2 files: new" out4

# 5. the CUR 2.0 restatement, with the connection dropped mid-file: nothing
#    imported, nothing partial in the cache; then it goes through
serve cur-bucket cur2 cur2-restated
part=cur2/$payer2/rebill-cur2/data/BILLING_PERIOD=2026-10/rebill-cur2-00002.csv
cached=xdg/rebill/s3/cur-bucket/$part
old_md5=$(md5sum <"$cached")
echo '{"drop": "rebill-cur2-00002.csv", "after": 5000}' >control.json
dump >before.sql
R sync s3://cur-bucket/cur2/ >out5 2>err5
rc=$?
check "a connection dropped mid-file is exit 3" test $rc -eq 3
check "the error names the object" grep -q "s3://cur-bucket/$part: " err5
check "the error says the transfer was partial" grep -qi "partial\|bytes remaining" err5
dump >after.sql
check "the database is unchanged after the dropped connection" cmp -s before.sql after.sql
check "no partial download is left in the cache" \
	test -z "$(find xdg -name '*.part-*')"
check "the cached file is still the complete old object" test "$(md5sum <"$cached")" = "$old_md5"
rm -f control.json
R sync s3://cur-bucket/cur2/ >out5b 2>err5b
check "the next sync imports the restatement" test $? -eq 0
check "the CUR 2.0 month is reported changed" grep -q "2 files: changed (was " out5b
check "the CUR 2.0 sums are the restatement's expected.json" sums_match cur2-restated/expected.json

DB=$work/rebill.db

# 6. refusals: wrong secret, missing token, missing bucket — exit 3, the
#    server's message, the database unchanged, no secret printed
dump >before.sql
AWS_SECRET_ACCESS_KEY=not-the-secret R import s3://cur-bucket/legacy/ >out6 2>err6
check "a wrong secret key is exit 3" test $? -eq 3
check "it names the request and S3's 403 SignatureDoesNotMatch" \
	grep -q "s3://cur-bucket/legacy/: HTTP 403 SignatureDoesNotMatch: The request signature" err6
env -u AWS_SESSION_TOKEN "$rebill" --db "$DB" --quiet sync s3://cur-bucket/legacy/ >out6b 2>err6b
check "a missing session token is refused (InvalidToken), exit 3" \
	bash -c "test $? -eq 3 && grep -q InvalidToken err6b"
R sync s3://no-such-bucket/cur/ >out6c 2>err6c
check "a missing bucket is exit 3 naming it (404 NoSuchBucket)" \
	bash -c "test $? -eq 3 && grep -q 's3://no-such-bucket/cur/: HTTP 404 NoSuchBucket' err6c"
AWS_ENDPOINT_URL=http://127.0.0.1:1 R sync s3://cur-bucket/legacy/ >out6d 2>err6d
check "a server that is not there is exit 3 naming the request" \
	bash -c "test $? -eq 3 && grep -q '^rebill: s3://cur-bucket/legacy/: ' err6d"
dump >after.sql
check "the database is unchanged after the refusals" cmp -s before.sql after.sql
check "no secret in any output" no_secrets out* err*

# 7. bad CUR in S3: exit 2, FILE:LINE:COLUMN names the s3:// object
dump >before.sql
R import s3://cur-bucket/bad/ >out7 2>err7
check "bad CUR data from S3 is exit 2" test $? -eq 2
check "the error names s3://BUCKET/KEY:LINE:COLUMN" \
	grep -q '^s3://cur-bucket/bad/01-bad-amount.csv:[0-9]*:[0-9]*: ' err7
dump >after.sql
check "the database is unchanged after bad input" cmp -s before.sql after.sql

# 7a. S3 asks to slow down (503) twice: the third attempt goes through;
#     always 503: the error says how often it tried
echo '{"fail": "list-type=2&max-keys=1000&prefix=legacy", "times": 2}' >control.json
: >requests.log
R import s3://cur-bucket/legacy/ >out7a 2>err7a
check "two 503 SlowDown answers are retried and the import succeeds" test $? -eq 0
check "the listing was asked three times" \
	test "$(grep -c '"status": 503' requests.log)" = 2
echo '{"fail": "list-type=2&max-keys=1000&prefix=legacy", "times": 100}' >control.json
dump >before.sql
R import s3://cur-bucket/legacy/ >out7a2 2>err7a2
check "a 503 that persists is exit 3 after 3 attempts" \
	bash -c "test $? -eq 3 && grep -q 'HTTP 503 SlowDown: Please reduce your request rate. (3 attempts)' err7a2"
dump >after.sql
check "the database is unchanged after the 503s" cmp -s before.sql after.sql
rm -f control.json

# 7b. a manifest listing an object the bucket does not hold: exit 2, named
serve cur-bucket broken legacy
rm root/cur-bucket/broken/$payer/rebill-cur/20261001-20261101/*/rebill-cur-00002.csv.gz
R import s3://cur-bucket/broken/ >out7b 2>err7b
check "a manifest listing a missing object is exit 2" test $? -eq 2
check "the error names the manifest and the missing key" \
	grep -q "^rebill: s3://cur-bucket/broken/$payer/rebill-cur/20261001-20261101/rebill-cur-Manifest.json: lists .*rebill-cur-00002.csv.gz, which is not in the bucket" err7b
dump >after.sql
check "the database is unchanged after the broken manifest" cmp -s before.sql after.sql

# 8. sync --every: rounds repeat; SIGTERM stops it between rounds, exit 0
: >out8
"$rebill" --db "$DB" --quiet sync --every 1s s3://cur-bucket/legacy/ >>out8 2>err8 &
loop=$!
for _ in $(seq 600); do
	[ "$(grep -c '^sync round at' out8)" -ge 2 ] && break
	sleep 0.1
done
kill -TERM $loop
wait $loop
rc=$?
check "sync --every ran several rounds" test "$(grep -c '^sync round at' out8)" -ge 2
check "SIGTERM stops sync --every cleanly (exit 0)" test $rc -eq 0
check "it says it stopped" grep -qx "sync: stopped by a signal" out8

# 8b. SIGINT in the middle of a download: the round stops at once (exit 3,
#     "interrupted"), nothing imported, nothing partial left in the cache
serve cur-bucket cur2 cur2
echo '{"stall": "rebill-cur2-00001.csv", "after": 3000}' >control.json
DB=$work/cur2.db
dump >before.sql
"$rebill" --db "$DB" --quiet sync s3://cur-bucket/cur2/ >out8b 2>err8b &
loop=$!
for _ in $(seq 600); do
	[ -n "$(find xdg -name '*.part-*')" ] && break
	sleep 0.1
done
check "a download was under way" test -n "$(find xdg -name '*.part-*')"
kill -INT $loop
wait $loop
rc=$?
check "SIGINT during a download is exit 3" test $rc -eq 3
check "it says the transfer was interrupted" grep -q "rebill-cur2-00001.csv: interrupted" err8b
dump >after.sql
check "the database is unchanged after SIGINT" cmp -s before.sql after.sql
check "no partial download is left after SIGINT" test -z "$(find xdg -name '*.part-*')"
rm -f control.json
DB=$work/rebill.db

# 9. usage
R sync s3:// >/dev/null 2>err9
check "a bad s3:// URI is a usage error" test $? -eq 1
R sync --every 5x s3://cur-bucket/legacy/ >/dev/null 2>&1
check "a bad --every is a usage error" test $? -eq 1
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME=$work/nohome timeout 10 \
	"$rebill" --db "$DB" --quiet sync --every 1h s3://cur-bucket/legacy/ >/dev/null 2>err9b
check "sync --every without credentials fails at once (exit 2)" test $? -eq 2
check "it says where it looked for credentials" grep -q "no AWS credentials: set AWS_ACCESS_KEY_ID" err9b

echo "$pass passed, $fail failed, 0 skipped"
[ $fail -eq 0 ]
