/*
 * fuzz_tmpl.c: libFuzzer target for the HTML template module
 * (src/http/tmpl.h). Any input must parse or fail with an error, never
 * crash or hang; a template that parses renders against a context full of
 * markup, and when the template's own text holds no '<' and no raw marker,
 * no '<' may reach the output (escaping by default).
 * Registered as `'tmpl' : tmpl_dep` in tests/fuzz/meson.build.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/tmpl.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ctx_src[] =
		"{\"a\":\"<script>\",\"b\":{\"c\":\"<i>\",\"d\":[1,\"<\",true]},\"e\":[{\"f\":\"<b>\"},"
		"{\"f\":null}],\"g\":1.5,\"h\":[],\"i\":\"\\\"'&\"}";
	struct tmpl *t = NULL;
	struct strbuf sb;
	struct rb_err err;
	json_t *ctx;
	char *src = malloc(size + 1);

	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0;
	rb_err_clear(&err);
	if (tmpl_parse(&t, "fuzz.html", src, size, &err) == 0) {
		ctx = json_loads(ctx_src, 0, NULL);
		strbuf_init(&sb, 256, 1 << 20);
		if (tmpl_render(&sb, t, ctx, &err) == 0 && !memchr(src, '<', size) &&
		    !strstr(src, "raw") && sb.buf && strchr(sb.buf, '<'))
			abort();
		strbuf_release(&sb);
		json_decref(ctx);
		tmpl_free(t);
	}
	free(src);
	return 0;
}
