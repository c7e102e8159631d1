#!/usr/bin/env bash
# render-tools.sh RENDER_SAMPLES VALIDATE_UBL GOLDEN_DIR: the renderers'
# output checked with outside tools — every UBL document through
# validate-ubl (UBL 2.1 XSD + EN 16931 + Peppol BIS 3.0, zero fatal errors),
# the PDFs through pdftotext (numbers, totals, accents, "page N of M") and
# pdfinfo, and page 1 of the sample invoice through pdftoppm against the
# golden PNG in GOLDEN_DIR. A missing tool or ../shared is "skip" (exit 77),
# and a failure under CI=true.
set -u
samples=$1 validate=$2 golden=$3
pass=0 fail=0 skip=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }
skipped() {
	if [ "${CI:-}" = true ]; then bad "$1 (skipped under CI: $2)"; else echo "skip - $1: $2"; skip=$((skip + 1)); fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$samples" "$tmp" || { bad "render_samples"; echo "0 passed, 1 failed"; exit 1; }

if [ -x "$validate" ] && out=$("$validate" "$tmp"/*.xml 2>&1); then
	ok "validate_ubl ($(ls "$tmp"/*.xml | wc -l) documents)"
elif [ -x "$validate" ] && [ "$("$validate" "$tmp"/*.xml >/dev/null 2>&1; echo $?)" = 2 ]; then
	skipped validate_ubl "validate-ubl needs libxml2-utils default-jre-headless libsaxonhe-java"
elif [ -x "$validate" ]; then
	echo "$out" | sed 's/^/    /'; bad validate_ubl
else
	skipped validate_ubl "$validate not found (../shared/standards)"
fi

if command -v pdftotext >/dev/null; then
	t=$(pdftotext -layout "$tmp/invoice-s.pdf" -)
	want=("Invoice INV-2026-00001" "€ 1,234.56" "€ 1,401.03" "€ 294.22" "€ 1,695.25"
		"Acme Café Sàrl — Zürich" "Bahnhofstraße 1" "naïve résumé" "page 1 of 1"
		"Due date: 2026-12-02")
	miss=
	for w in "${want[@]}"; do grep -qF -- "$w" <<<"$t" || miss="$miss [$w]"; done
	[ -z "$miss" ] && ok pdftotext_invoice || { bad "pdftotext_invoice: missing$miss"; }
	t=$(pdftotext -layout "$tmp/credit-s.pdf" -)
	grep -qF "Credit note CN-2026-00001" <<<"$t" && grep -qF "Refers to: INV-2026-00001 of 2026-11-02" <<<"$t" \
		&& ok pdftotext_credit_note || bad pdftotext_credit_note
	t=$(pdftotext -layout "$tmp/invoice-z.pdf" -)
	# CJK (fonts-wqy-microhei): a glyph missing from every font would come out as a box, not the text
	grep -qF "¥ 123,456" <<<"$t" && grep -qF "Tōkyō region" <<<"$t" && grep -qF "移行プロジェクト" <<<"$t" \
		&& ok pdftotext_yen_cjk || bad pdftotext_yen_cjk
	t=$(pdftotext -layout "$tmp/invoice-ae.pdf" -)
	grep -qF "£ 2,150.00" <<<"$t" && grep -qF "VAT reverse charged (Art. 196 Directive 2006/112/EC)" <<<"$t" \
		&& ok pdftotext_pound_reverse_charge || bad pdftotext_pound_reverse_charge
	# 80 wrapped lines: several pages, each with the header and its number
	pages=$(pdfinfo "$tmp/invoice-o-long.pdf" | awk '/^Pages:/ {print $2}')
	t=$(pdftotext -layout "$tmp/invoice-o-long.pdf" -)
	heads=$(grep -c "Invoice INV-2026-00005" <<<"$t")
	lines=$(grep -c '^Account 1000000000[0-9][0-9], Amazon Service' <<<"$t")
	if [ "$pages" -ge 3 ] && [ "$heads" = "$pages" ] && grep -qF "page $pages of $pages" <<<"$t" \
		&& [ "$lines" = 80 ] && grep -qF '$ 987.20' <<<"$t"; then
		ok "pdftotext_multi_page ($pages pages)"
	else
		bad "pdftotext_multi_page: pages=$pages headers=$heads lines=$lines"
	fi
else
	skipped pdftotext "poppler-utils not installed"
fi

if command -v pdftoppm >/dev/null && [ -f "$golden/invoice-s-30dpi.png" ]; then
	pdftoppm -png -r 30 -singlefile "$tmp/invoice-s.pdf" "$tmp/page"
	if cmp -s "$tmp/page.png" "$golden/invoice-s-30dpi.png"; then
		ok pdftoppm_golden
	else
		bad "pdftoppm_golden: page 1 differs from $golden/invoice-s-30dpi.png (view both; replace it when the change is wanted)"
	fi
else
	skipped pdftoppm_golden "poppler-utils or the golden PNG missing"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ] || exit 1
[ $skip = 0 ] || exit 77
exit 0
