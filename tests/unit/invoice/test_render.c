/*
 * test_render.c: the document model and its renderers, in process —
 * CSV exactly, JSON round trip, HTML escaping and self-containment, UBL
 * against the vendored OASIS XSD (libxml2), PDF page counts. The external
 * checks (validate-ubl, pdftotext, pdftoppm) are in render-tools.sh.
 */
#include "../check.h"
#include "doc_fixture.h"

#include <jansson.h>

#include "util/banned.h"

#ifndef XSD_DIR
#error XSD_DIR must name data/ubl-2.1/xsd
#endif

static char *render(int (*fn)(struct strbuf *, const struct doc *, struct rb_err *),
	const struct doc *d, int *rc)
{
	struct strbuf sb;
	struct rb_err err = { 0 };
	strbuf_init(&sb, 1024, 1 << 24);
	*rc = fn(&sb, d, &err);
	if (*rc)
		printf("  render: %s\n", err.msg);
	{
		char *s = strbuf_detach(&sb, NULL);
		strbuf_release(&sb);
		return s;
	}
}

TEST(csv_exact)
{
	struct doc *d = fx_invoice_s();
	int rc;
	char *s = render(render_csv, d, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(s,
		"kind,key,description,amount,currency\r\n"
		"charge,Amazon Elastic Compute Cloud,Amazon Elastic Compute Cloud,1234.56,EUR\r\n"
		"charge,Amazon Simple Storage Service,\"Amazon Simple Storage Service, \"\"Überprüfung\"\" "
		"café, naïve résumé\",89.10,EUR\r\n"
		"credit,credits,AWS credits,-50.00,EUR\r\n"
		"fee,percent,Managed services,127.37,EUR\r\n"
		"total,subtotal,Subtotal,1401.03,EUR\r\n"
		"total,tax,NL VAT 21%,294.22,EUR\r\n"
		"total,total,Total,1695.25,EUR\r\n");
	free(s);
	doc_free(d);
}

TEST(csv_jpy_no_decimals)
{
	struct doc *d = fx_invoice_z();
	int rc;
	char *s = render(render_csv, d, &rc);
	CHECK(strstr(s, "charge,AmazonEC2,Amazon EC2 (Tōkyō region),120000,JPY\r\n") != NULL);
	CHECK(strstr(s, "total,total,Total,123456,JPY\r\n") != NULL);
	free(s);
	doc_free(d);
}

TEST(check_invariants)
{
	struct doc *d = fx_invoice_s();
	struct rb_err err = { 0 };
	CHECK_INT(doc_check(d, &err), 0);
	d->total += 1;
	CHECK_INT(doc_check(d, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "total") != NULL);
	d->total -= 1;
	d->lines[0].amount += 1;
	CHECK_INT(doc_check(d, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "subtotal") != NULL);
	doc_free(d);
}

TEST(json_shape)
{
	struct doc *d = fx_credit_s();
	json_t *j = doc_json(d, 0);
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(s, "{\"number\":\"CN-2026-00001\",\"type\":\"credit_note\",\"customer\":\"acme\","
		"\"period\":\"2026-10\",\"currency\":\"EUR\",\"fx\":\"0.9231\","
		"\"issue_date\":\"2026-11-20\",\"due_date\":\"2026-11-20\","
		"\"references\":[\"INV-2026-00001\"],\"lines\":["
		"{\"kind\":\"charge\",\"key\":\"Amazon Elastic Compute Cloud\","
		"\"description\":\"Amazon Elastic Compute Cloud\",\"amount\":\"1234.56\"},"
		"{\"kind\":\"charge\",\"key\":\"Amazon Simple Storage Service\",\"description\":"
		"\"Amazon Simple Storage Service, \\\"Überprüfung\\\" café, naïve résumé\","
		"\"amount\":\"89.10\"},"
		"{\"kind\":\"credit\",\"key\":\"credits\",\"description\":\"AWS credits\","
		"\"amount\":\"-50.00\"},"
		"{\"kind\":\"fee\",\"key\":\"percent\",\"description\":\"Managed services\","
		"\"amount\":\"127.37\"}],"
		"\"subtotal\":\"1401.03\",\"tax\":\"294.22\",\"total\":\"1695.25\"}");
	free(s);
	json_decref(j);
	doc_free(d);
}

TEST(json_round_trip)
{
	struct doc *(*mk[])(void) = { fx_invoice_s, fx_credit_s, fx_invoice_ae, fx_invoice_z,
		fx_invoice_e, fx_invoice_o_long, fx_draft };
	size_t i;
	for (i = 0; i < sizeof(mk) / sizeof(mk[0]); i++) {
		struct doc *d = mk[i](), *back = NULL;
		struct rb_err err = { 0 };
		json_t *j = doc_json(d, 1), *j2;
		char *a, *b;
		CHECK_INT(doc_from_json(&back, j, &err), 0);
		if (!back) {
			printf("  %s\n", err.msg);
			json_decref(j);
			doc_free(d);
			continue;
		}
		j2 = doc_json(back, 1);
		a = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		b = json_dumps(j2, JSON_COMPACT | JSON_PRESERVE_ORDER);
		CHECK_STR(b, a);
		CHECK_INT(back->logo_len, d->logo_len);
		CHECK(!d->logo || !memcmp(back->logo, d->logo, d->logo_len));
		free(a);
		free(b);
		json_decref(j);
		json_decref(j2);
		doc_free(back);
		doc_free(d);
	}
}

TEST(json_bad_snapshot)
{
	struct doc *d = fx_invoice_s(), *back = NULL;
	struct rb_err err = { 0 };
	json_t *j = doc_json(d, 1);
	json_object_set_new(j, "total", json_string("1695.2x"));
	CHECK_INT(doc_from_json(&back, j, &err), RB_EINPUT);
	CHECK(back == NULL);
	CHECK(strstr(err.msg, "$.total") != NULL);
	json_object_set_new(j, "total", json_string("1695.26"));
	CHECK_INT(doc_from_json(&back, j, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "total is not subtotal + tax") != NULL);
	json_decref(j);
	doc_free(d);
}

TEST(html_self_contained_and_escaped)
{
	struct doc *d = fx_invoice_s();
	int rc;
	char *s;
	free(d->lines[0].description);
	d->lines[0].description = xstrdup("<script>alert('x')</script> & co");
	s = render(render_html, d, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(s, "<script") == NULL);
	CHECK(strstr(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co") != NULL);
	CHECK(strstr(s, "src=\"data:image/png;base64,iVBORw0KGgo") != NULL);
	CHECK(strstr(s, "http://") == NULL && strstr(s, "https://") == NULL);
	CHECK(strstr(s, "<style>") != NULL);
	CHECK(strstr(s, "INV-2026-00001") != NULL);
	CHECK(strstr(s, "€ 1,695.25") != NULL);
	CHECK(strstr(s, "Acme Café Sàrl") != NULL);
	free(s);
	doc_free(d);
}

static void ubl_ok(struct doc *d, const char *root, const char *want)
{
	struct rb_err err = { 0 };
	int rc;
	char *s = render(render_ubl, d, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(s, root) != NULL);
	if (want && !strstr(s, want)) {
		printf("  missing '%s'\n", want);
		check_failed_++;
	}
	rc = render_ubl_check(s, strlen(s), XSD_DIR, &err);
	if (rc)
		printf("  %s: %s\n", d->number, err.msg);
	CHECK_INT(rc, 0);
	free(s);
	doc_free(d);
}

TEST(ubl_validates_xsd)
{
	ubl_ok(fx_invoice_s(), "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
		"<cbc:TaxAmount currencyID=\"EUR\">294.22</cbc:TaxAmount>");
	ubl_ok(fx_credit_s(), "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
		"<cac:InvoiceDocumentReference>\n      <cbc:ID>INV-2026-00001</cbc:ID>\n"
		"      <cbc:IssueDate>2026-11-02</cbc:IssueDate>");
	ubl_ok(fx_invoice_ae(), "<cbc:ID>AE</cbc:ID>",
		"<cbc:TaxExemptionReason>VAT reverse charged (Art. 196 Directive 2006/112/EC)");
	ubl_ok(fx_invoice_z(), "<cbc:ID>Z</cbc:ID>",
		"<cbc:PayableAmount currencyID=\"JPY\">123456</cbc:PayableAmount>");
	ubl_ok(fx_invoice_e(), "<cbc:ID>E</cbc:ID>", NULL);
	ubl_ok(fx_invoice_o_long(), "<cbc:ID>O</cbc:ID>", NULL);
}

TEST(ubl_negative_line_has_positive_price)
{
	struct doc *d = fx_invoice_s();
	int rc;
	char *s = render(render_ubl, d, &rc);
	CHECK(strstr(s, "<cbc:InvoicedQuantity unitCode=\"C62\">-1</cbc:InvoicedQuantity>\n"
		"    <cbc:LineExtensionAmount currencyID=\"EUR\">-50.00</cbc:LineExtensionAmount>")
		!= NULL);
	CHECK(strstr(s, "<cbc:PriceAmount currencyID=\"EUR\">50.00</cbc:PriceAmount>") != NULL);
	CHECK(strstr(s, "-50.00</cbc:PriceAmount>") == NULL);
	free(s);
	doc_free(d);
}

TEST(ubl_refuses_incomplete)
{
	struct doc *d = fx_invoice_s();
	struct strbuf sb;
	struct rb_err err = { 0 };
	strbuf_init(&sb, 64, 1 << 20);
	free(d->customer.peppol_id);
	d->customer.peppol_id = xstrdup("12345678");
	CHECK_INT(render_ubl(&sb, d, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "customer's peppol_id '12345678' is not SCHEME:ID") != NULL);
	doc_free(d);
	d = fx_draft();
	CHECK_INT(render_ubl(&sb, d, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "document number") != NULL);
	strbuf_release(&sb);
	doc_free(d);
}

TEST(ubl_check_rejects_invalid)
{
	struct rb_err err = { 0 };
	const char *bad = "<?xml version=\"1.0\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:"
		"ubl:schema:xsd:Invoice-2\"><Bogus/></Invoice>";
	CHECK_INT(render_ubl_check(bad, strlen(bad), XSD_DIR, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "does not validate against UBL 2.1") != NULL);
	CHECK_INT(render_ubl_check(bad, strlen(bad), "/nonexistent", &err), RB_EIO);
}

TEST(pdf_pages)
{
	struct doc *d = fx_invoice_s();
	struct strbuf sb;
	struct rb_err err = { 0 };
	int pages = 0;
	strbuf_init(&sb, 1 << 16, 1 << 26);
	CHECK_INT(render_pdf(&sb, d, &pages, &err), 0);
	CHECK_INT(pages, 1);
	CHECK(sb.len > 1000 && !memcmp(sb.buf, "%PDF-", 5));
	doc_free(d);
	strbuf_reset(&sb);
	d = fx_invoice_o_long();
	CHECK_INT(render_pdf(&sb, d, &pages, &err), 0);
	CHECK(pages >= 3);
	doc_free(d);
	strbuf_release(&sb);
}

TEST(pdf_deterministic)
{
	struct doc *d = fx_credit_s();
	struct strbuf a, b;
	struct rb_err err = { 0 };
	strbuf_init(&a, 1 << 16, 1 << 26);
	strbuf_init(&b, 1 << 16, 1 << 26);
	CHECK_INT(render_pdf(&a, d, NULL, &err), 0);
	CHECK_INT(render_pdf(&b, d, NULL, &err), 0);
	CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	strbuf_release(&a);
	strbuf_release(&b);
	doc_free(d);
}

TEST(text_table)
{
	struct doc *d = fx_invoice_s();
	int rc;
	char *s = render(render_text, d, &rc);
	CHECK(strstr(s, "Invoice INV-2026-00001\n") == s);
	CHECK(strstr(s, "1,695.25\n") != NULL);
	free(s);
	doc_free(d);
}

static const struct check_case cases[] = {
	CASE(csv_exact), CASE(csv_jpy_no_decimals), CASE(check_invariants), CASE(json_shape),
	CASE(json_round_trip), CASE(json_bad_snapshot), CASE(html_self_contained_and_escaped),
	CASE(ubl_validates_xsd), CASE(ubl_negative_line_has_positive_price),
	CASE(ubl_refuses_incomplete), CASE(ubl_check_rejects_invalid), CASE(pdf_pages),
	CASE(pdf_deterministic), CASE(text_table),
};
CHECK_MAIN(cases)
