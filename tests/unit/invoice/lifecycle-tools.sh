#!/usr/bin/env bash
# lifecycle-tools.sh REBILL CASE_INPUT VALIDATE_UBL SMTP_SINK: the document
# lifecycle through the real binary, checked from outside:
#  - numbers stay gapless and increasing with 8 processes finalizing at once;
#  - finalized documents, payments and sendings are immutable through direct
#    SQL (sqlite3), and the database is unchanged afterwards;
#  - a customer with documents cannot be removed from the configuration;
#  - every exported UBL document passes validate-ubl; the PDFs hold the
#    numbers and totals (pdftotext);
#  - e-mail against a loopback aiosmtpd sink: the message is captured, its
#    PDF and UBL attachments decoded and compared with `invoice show`;
#    sending twice needs --force; an SMTP server that is down is an error
#    naming the invoice, and nothing is marked as sent.
# Missing tools are "skip" (exit 77), a failure under CI=true.
set -u
rebill=$(realpath "$1") input=$(realpath "$2") validate=$(realpath -m "$3") sink=$(realpath "$4")
pass=0 fail=0 skip=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }
skipped() {
	if [ "${CI:-}" = true ]; then bad "$1 (skipped under CI: $2)"; else echo "skip - $1: $2"; skip=$((skip + 1)); fi
}
tmp=$(mktemp -d)
sinkpid=
cleanup() { [ -n "$sinkpid" ] && kill "$sinkpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp" || exit 1
export REBILL_TODAY=2026-11-20 LC_ALL=C TZ=UTC
unset REBILL_SMTP_URL REBILL_SMTP_USER REBILL_SMTP_PASSWORD REBILL_SMTP_FROM REBILL_SMTP_TLS REBILL_SMTP_FILE

# ---- gapless numbers with 8 processes at once --------------------------------
export REBILL_DB=$tmp/gapless.db
python3 - "$input/config.json" > gapless.json <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["customers"] = [dict(id=f"c{k}", name=f"Customer {k}", currency="USD", plan="std",
                       country="US", peppol_id=f"0060:{100000000 + k}", email=f"c{k}@example.com")
                  for k in range(8)]
c["custom_lines"] = [dict(customer=f"c{k}", period=f"2026-0{p}", description="Support",
                          amount=f"{k + 1}.00") for k in range(8) for p in range(1, 5)]
c["fx"] = []
json.dump(c, sys.stdout)
PY
"$rebill" config apply gapless.json >/dev/null &&
for p in 1 2 3 4; do "$rebill" invoice run --period 2026-0$p >/dev/null; done
pids=()
for k in 0 1 2 3 4 5 6 7; do
	( for p in 1 2 3 4; do "$rebill" invoice finalize --period 2026-0$p --customer c$k \
		--date 2026-11-02 >/dev/null || exit 1; done ) &
	pids+=($!)
done
allok=1
for p in "${pids[@]}"; do wait "$p" || allok=0; done
seqs=$(sqlite3 "$REBILL_DB" "SELECT group_concat(seq, ',') FROM (SELECT seq FROM documents ORDER BY id)")
want=$(seq -s, 1 32)
nums=$(sqlite3 "$REBILL_DB" "SELECT count(DISTINCT number) FROM documents WHERE number GLOB 'INV-2026-000[0-3][0-9]'")
if [ $allok = 1 ] && [ "$seqs" = "$want" ] && [ "$nums" = 32 ]; then
	ok "gapless_8_processes (32 invoices, numbers 1..32 in finalizing order)"
else
	bad "gapless_8_processes: all ok=$allok seqs=$seqs distinct=$nums"
fi

# ---- the lifecycle data -------------------------------------------------------
export REBILL_DB=$tmp/life.db
cp "$input"/*.csv "$input"/config.json .
"$rebill" --quiet import payer-a.csv payer-b.csv payer-b-2026-09.csv >/dev/null
"$rebill" config apply config.json >/dev/null
"$rebill" invoice run --period 2026-10 >/dev/null
"$rebill" invoice finalize --period 2026-10 --date 2026-11-02 >/dev/null
"$rebill" invoice credit INV-2026-00002 --date 2026-11-05 >/dev/null
"$rebill" invoice pay INV-2026-00001 --amount 10 --date 2026-11-06 >/dev/null

# ---- immutability through direct SQL -----------------------------------------
before=$(sqlite3 "$REBILL_DB" .dump | sha256sum)
refused=0
for sql in "UPDATE documents SET total = '0.00' WHERE number = 'INV-2026-00001'" \
	"UPDATE documents SET snapshot = '{}'" \
	"DELETE FROM documents WHERE number = 'CN-2026-00001'" \
	"DELETE FROM document_refs" "UPDATE payments SET amount = '0.01'" "DELETE FROM payments"; do
	out=$(sqlite3 "$REBILL_DB" "PRAGMA foreign_keys = ON; $sql" 2>&1) && { echo "    accepted: $sql"; continue; }
	case $out in *"cannot be"*) refused=$((refused + 1)) ;; *) echo "    $sql: $out" ;; esac
done
after=$(sqlite3 "$REBILL_DB" .dump | sha256sum)
[ $refused = 6 ] && [ "$before" = "$after" ] && ok "immutable_through_sql (6 statements refused)" \
	|| bad "immutable_through_sql: $refused of 6 refused"

# ---- a customer with documents cannot be removed ----------------------------
python3 -c '
import json, sys
c = json.load(open("config.json"))
c["customers"] = [x for x in c["customers"] if x["id"] != "acme"]
json.dump(c, open("no-acme.json", "w"))'
exp1=$("$rebill" config export | sha256sum)
out=$("$rebill" config apply --replace no-acme.json 2>&1); st=$?
exp2=$("$rebill" config export | sha256sum)
if [ $st = 2 ] && grep -q "customer 'acme' cannot be removed: 1 finalized document refers to it" <<<"$out" \
	&& [ "$exp1" = "$exp2" ]; then
	ok delete_customer_refused
else
	bad "delete_customer_refused: exit $st: $out"
fi

# ---- exported files: UBL validated, PDF text --------------------------------
"$rebill" invoice export --period 2026-10 --out docs >/dev/null
if [ -x "$validate" ]; then
	out=$("$validate" docs/*.xml 2>&1); st=$?
	if [ $st = 0 ]; then ok "validate_ubl_export ($(ls docs/*.xml | wc -l) documents)"
	elif [ $st = 2 ]; then skipped validate_ubl_export "validate-ubl's tools are missing"
	else echo "$out" | sed 's/^/    /'; bad validate_ubl_export; fi
else
	skipped validate_ubl_export "$validate not found"
fi
if command -v pdftotext >/dev/null; then
	t=$(pdftotext -layout docs/INV-2026-00001.pdf -)
	c=$(pdftotext -layout docs/CN-2026-00001.pdf -)
	if grep -qF "Invoice INV-2026-00001" <<<"$t" && grep -qF "€ 188.54" <<<"$t" &&
	   grep -qF "€ 32.72" <<<"$t" && grep -qF "Due date: 2026-11-16" <<<"$t" &&
	   grep -qF "Credit note CN-2026-00001" <<<"$c" && grep -qF '$ 58.94' <<<"$c" &&
	   grep -qF "Refers to: INV-2026-00002 of 2026-11-02" <<<"$c"; then
		ok pdftotext_export
	else
		bad pdftotext_export
	fi
else
	skipped pdftotext_export "poppler-utils not installed"
fi

# ---- e-mail ------------------------------------------------------------------
py=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import aiosmtpd' 2>/dev/null && { py=$p; break; }
done
if [ -z "$py" ]; then
	skipped smtp "python3-aiosmtpd not installed"
else
	mkdir mail
	"$py" "$sink" mail mail/port & sinkpid=$!
	for _ in $(seq 50); do [ -f mail/port ] && break; sleep 0.1; done
	port=$(cat mail/port 2>/dev/null)
	export REBILL_SMTP_URL=smtp://127.0.0.1:$port REBILL_SMTP_TLS=none
	"$rebill" invoice show INV-2026-00001 --format pdf --out want.pdf
	"$rebill" invoice show INV-2026-00001 --format ubl --out want.xml
	out=$("$rebill" invoice send INV-2026-00001 2>&1); st=$?
	"$py" - mail/1.eml want.pdf want.xml > mail.check <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
want_pdf, want_xml = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
got = {p.get_filename(): p.get_payload(decode=True) for p in m.iter_attachments()}
body = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
print("to", m["To"]); print("subject", m["Subject"])
print("pdf", got.get("INV-2026-00001.pdf") == want_pdf)
print("xml", got.get("INV-2026-00001.xml") == want_xml)
print("text", "EUR 188.54, due 2026-11-16" in body)
print("html", "INV-2026-00001" in html and "<script" not in html)
print("msgid", bool(m["Message-ID"]))
PY
	expect='to ap@acme.example
subject Invoice INV-2026-00001 (2026-10)
pdf True
xml True
text True
html True
msgid True'
	mid=$(sqlite3 "$REBILL_DB" "SELECT message_id FROM document_sends")
	if [ $st = 0 ] && [ "$(cat mail.check)" = "$expect" ] && grep -qF "$mid" mail/1.eml; then
		ok "smtp_send (attachments decoded and equal, Message-ID recorded)"
	else
		echo "$out"; sed 's/^/    /' mail.check; bad smtp_send
	fi
	out=$("$rebill" invoice send INV-2026-00001 2>&1); st=$?
	[ $st = 2 ] && grep -q "already sent at .*use --force" <<<"$out" && [ ! -f mail/2.eml ] \
		&& ok smtp_twice_needs_force || bad "smtp_twice_needs_force: exit $st $out"
	"$rebill" invoice send INV-2026-00001 --force >/dev/null && [ -f mail/2.eml ] \
		&& ok smtp_force || bad smtp_force
	kill "$sinkpid"; wait "$sinkpid" 2>/dev/null; sinkpid=
	n1=$(sqlite3 "$REBILL_DB" "SELECT count(*) FROM document_sends")
	out=$("$rebill" invoice send INV-2026-00003 2>&1); st=$?
	n2=$(sqlite3 "$REBILL_DB" "SELECT count(*) FROM document_sends")
	if [ $st = 3 ] && grep -q "^rebill: INV-2026-00003: sending to ap@kaiju.example failed" <<<"$out" \
		&& grep -q "nothing was marked as sent" <<<"$out" && [ "$n1" = "$n2" ]; then
		ok smtp_down
	else
		bad "smtp_down: exit $st: $out ($n1 -> $n2 sendings)"
	fi
	unset REBILL_SMTP_URL
	out=$("$rebill" invoice send INV-2026-00003 2>&1); st=$?
	[ $st = 2 ] && grep -q "no SMTP server" <<<"$out" && ok smtp_not_configured \
		|| bad "smtp_not_configured: $out"
	printf 'url=smtp://127.0.0.1:1\npassword=secret\n' > smtp.conf; chmod 644 smtp.conf
	out=$(REBILL_SMTP_FILE=smtp.conf "$rebill" invoice send INV-2026-00003 2>&1); st=$?
	[ $st = 2 ] && grep -q "readable by its owner only" <<<"$out" && ! "$rebill" config export | grep -q secret \
		&& ok smtp_settings_file_0600 || bad "smtp_settings_file_0600: $out"
	# STARTTLS and AUTH: a sink that requires both, with a throwaway
	# self-signed certificate for 127.0.0.1 given to rebill as its CA
	if command -v openssl >/dev/null; then
		openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.crt -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
		mkdir tmail
		"$py" "$sink" tmail tmail/port tls.crt tls.key billing s3cret & tlspid=$!
		for _ in $(seq 50); do [ -f tmail/port ] && break; sleep 0.1; done
		export REBILL_SMTP_URL=smtp://127.0.0.1:$(cat tmail/port) REBILL_SMTP_TLS=required \
			REBILL_SMTP_CA_FILE=$PWD/tls.crt REBILL_SMTP_USER=billing
		n1=$(sqlite3 "$REBILL_DB" "SELECT count(*) FROM document_sends")
		out=$(REBILL_SMTP_PASSWORD=wrong "$rebill" invoice send INV-2026-00003 2>&1); st=$?
		n2=$(sqlite3 "$REBILL_DB" "SELECT count(*) FROM document_sends")
		if [ $st = 3 ] && grep -q "^rebill: INV-2026-00003: sending to ap@kaiju.example failed" <<<"$out" \
			&& grep -q "server reply 535" <<<"$out" && grep -q "nothing was marked as sent" <<<"$out" \
			&& [ "$n1" = "$n2" ] && [ ! -f tmail/1.eml ]; then
			ok smtp_auth_wrong_password
		else
			bad "smtp_auth_wrong_password: exit $st: $out ($n1 -> $n2 sendings)"
		fi
		out=$(REBILL_SMTP_PASSWORD=s3cret "$rebill" invoice send INV-2026-00003 2>&1); st=$?
		n3=$(sqlite3 "$REBILL_DB" "SELECT count(*) FROM document_sends")
		[ $st = 0 ] && [ -f tmail/1.eml ] && grep -q "INV-2026-00003" tmail/1.eml && [ "$n3" = $((n2 + 1)) ] \
			&& ok "smtp_starttls_auth (STARTTLS, AUTH, certificate checked against ca_file)" \
			|| bad "smtp_starttls_auth: exit $st: $out"
		# the same server's certificate without the CA that signed it: refused
		out=$(REBILL_SMTP_CA_FILE= REBILL_SMTP_PASSWORD=s3cret "$rebill" invoice send INV-2026-00003 --force 2>&1)
		st=$?
		[ $st = 3 ] && [ ! -f tmail/2.eml ] && grep -q "nothing was marked as sent" <<<"$out" \
			&& ok smtp_tls_unknown_certificate_refused || bad "smtp_tls_unknown_certificate_refused: exit $st: $out"
		kill "$tlspid"; wait "$tlspid" 2>/dev/null
		# TLS required, but the server offers no STARTTLS: refused, nothing sent
		mkdir pmail
		"$py" "$sink" pmail pmail/port & plainpid=$!
		for _ in $(seq 50); do [ -f pmail/port ] && break; sleep 0.1; done
		out=$(REBILL_SMTP_URL=smtp://127.0.0.1:$(cat pmail/port) REBILL_SMTP_PASSWORD=s3cret \
			"$rebill" invoice send INV-2026-00003 --force 2>&1); st=$?
		[ $st = 3 ] && [ ! -f pmail/1.eml ] && grep -q "nothing was marked as sent" <<<"$out" \
			&& ok smtp_tls_required_without_starttls_refused \
			|| bad "smtp_tls_required_without_starttls_refused: exit $st: $out"
		kill "$plainpid"; wait "$plainpid" 2>/dev/null
		unset REBILL_SMTP_URL REBILL_SMTP_TLS REBILL_SMTP_CA_FILE REBILL_SMTP_USER
	else
		skipped smtp_tls "openssl not installed"
	fi
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ] || exit 1
[ $skip = 0 ] || exit 77
exit 0
