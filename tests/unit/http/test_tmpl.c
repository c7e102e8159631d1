/*
 * test_tmpl.c: the template module escapes by default, prints raw only
 * behind the visible marker, and refuses what it cannot render safely.
 * Expected strings are written by hand.
 */
#include "http/tmpl.h"

#include <jansson.h>
#include <stdlib.h>

#include "../check.h"
#include "util/banned.h"

/* Renders src against the JSON text ctx; returns the output (static) or
 * NULL on error, with the error's message in last_err. */
static char last_err[2048];
static char out_buf[8192];

static const char *render(const char *src, const char *ctx)
{
	struct rb_err err;
	struct tmpl *t = NULL;
	struct strbuf sb;
	json_t *c = json_loads(ctx, 0, NULL);
	const char *res = NULL;

	rb_err_clear(&err);
	last_err[0] = 0;
	strbuf_init(&sb, 64, 4096);
	if (tmpl_parse(&t, "t.html", src, strlen(src), &err) == 0 &&
	    tmpl_render(&sb, t, c, &err) == 0) {
		snprintf(out_buf, sizeof(out_buf), "%s", sb.buf ? sb.buf : "");
		res = out_buf;
	} else {
		snprintf(last_err, sizeof(last_err), "%s:%ld:%ld: %s", err.file, err.line, err.column,
			err.msg);
	}
	strbuf_release(&sb);
	tmpl_free(t);
	json_decref(c);
	return res;
}

TEST(escapes_by_default)
{
	CHECK_STR(render("<p>{{name}}</p>", "{\"name\":\"<script>x</script> & 'q' \\\"d\\\"\"}"),
		"<p>&lt;script&gt;x&lt;/script&gt; &amp; &#39;q&#39; &quot;d&quot;</p>");
	CHECK_STR(render("<a title=\"{{t}}\">", "{\"t\":\"\\\" onmouseover=\\\"x\"}"),
		"<a title=\"&quot; onmouseover=&quot;x\">");
}

TEST(raw_needs_the_marker)
{
	CHECK_STR(render("{{raw html}}|{{html}}", "{\"html\":\"<b>b</b>\"}"),
		"<b>b</b>|&lt;b&gt;b&lt;/b&gt;");
}

TEST(values)
{
	CHECK_STR(render("{{a}} {{b}} {{c}} {{d}} [{{missing}}]", "{\"a\":\"x\",\"b\":42,\"c\":true,\"d\":null}"),
		"x 42 true  []");
	CHECK(!render("{{r}}", "{\"r\":1.5}"));
	CHECK(strstr(last_err, "t.html:1:1:") != NULL);
	CHECK(!render("{{o}}", "{\"o\":{}}"));
}

TEST(dotted_names)
{
	CHECK_STR(render("{{u.email}}/{{u.none}}", "{\"u\":{\"email\":\"e@x\"}}"), "e@x/");
}

TEST(if_else)
{
	CHECK_STR(render("{{#if a}}yes{{else}}no{{/if}}", "{\"a\":\"x\"}"), "yes");
	CHECK_STR(render("{{#if a}}yes{{else}}no{{/if}}", "{\"a\":\"\"}"), "no");
	CHECK_STR(render("{{#if a}}yes{{else}}no{{/if}}", "{\"a\":[]}"), "no");
	CHECK_STR(render("{{#if a}}yes{{else}}no{{/if}}", "{\"a\":0}"), "no");
	CHECK_STR(render("{{#if a}}yes{{/if}}.", "{}"), ".");
}

TEST(each_scopes)
{
	CHECK_STR(render("{{#each xs}}[{{n}}{{sep}}]{{/each}}",
		"{\"sep\":\";\",\"xs\":[{\"n\":\"a\"},{\"n\":\"<\"}]}"), "[a;][&lt;;]");
	CHECK_STR(render("{{#each xs}}{{.}},{{/each}}", "{\"xs\":[\"a\",\"b&\"]}"), "a,b&amp;,");
	CHECK(!render("{{#each xs}}{{/each}}", "{\"xs\":\"no\"}"));
}

TEST(parse_errors_name_the_place)
{
	CHECK(!render("ok\n  {{#if a}}never closed", "{}"));
	CHECK(strstr(last_err, "t.html:") && strstr(last_err, "without {{/if}}"));
	CHECK(!render("{{/each}}", "{}"));
	CHECK(!render("a {{ bad tag! }}", "{}"));
	CHECK(strstr(last_err, "t.html:1:3:") != NULL);
	CHECK(!render("{{unclosed", "{}"));
	CHECK(!render("{{else}}", "{}"));
	CHECK_STR(render("{{! a comment }}x", "{}"), "x");
}

static const struct check_case cases[] = {
	CASE(escapes_by_default), CASE(raw_needs_the_marker), CASE(values), CASE(dotted_names),
	CASE(if_else), CASE(each_scopes), CASE(parse_errors_name_the_place),
};
CHECK_MAIN(cases)
