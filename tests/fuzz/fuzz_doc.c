/*
 * fuzz_doc.c: libFuzzer target for the stored document snapshot
 * (doc_from_json, invoice/doc.h) and the renderers behind it. Any JSON must
 * end in a document or an error, never a crash or a hang; a document that
 * reads must write back to JSON that reads to the same JSON, and must render
 * as text, CSV, HTML and UBL (or be refused with an error) without crashing.
 * Registered as `'doc' : invoice_doc_dep` in tests/fuzz/meson.build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "invoice/doc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j, *back, *again;
	struct doc *d = NULL, *d2 = NULL;
	struct rb_err err;
	struct strbuf sb;

	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!j)
		return 0;
	if (doc_from_json(&d, j, &err) == 0) {
		back = doc_json(d, 1);
		if (doc_from_json(&d2, back, &err) != 0)
			abort();
		again = doc_json(d2, 1);
		if (!json_equal(back, again))
			abort();
		strbuf_init(&sb, 1024, 1 << 24);
		render_text(&sb, d, &err);
		strbuf_reset(&sb);
		render_csv(&sb, d, &err);
		strbuf_reset(&sb);
		render_html(&sb, d, &err);
		strbuf_reset(&sb);
		render_ubl(&sb, d, &err);
		strbuf_release(&sb);
		json_decref(back);
		json_decref(again);
		doc_free(d2);
		doc_free(d);
	} else if (d) {
		abort();
	}
	json_decref(j);
	return 0;
}
