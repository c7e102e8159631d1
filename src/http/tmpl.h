/*
 * tmpl.h: rebill's HTML templates — a small logic-less language rendered
 * against a jansson value, escaping by default:
 *
 *   {{name.sub}}              the value, HTML-escaped (& < > " ')
 *   {{raw name}}              the value unescaped: the visible marker for
 *                             HTML this program built itself (a rendered page)
 *   {{#if name}}..{{else}}..{{/if}}   truthy: not null/false/""/0/[]/{}
 *   {{#each name}}..{{/each}} an array: "." is the element, names are looked
 *                             up in the element first, then outward
 *   {{! comment }}
 *
 * Strings print as they are, integers in decimal, true/false as words,
 * null as nothing; a real number, an array or an object is an error (money
 * is a decimal string). A missing name prints nothing.
 *
 * Not for: building HTML anywhere else (no concatenation of HTML in C).
 */
#ifndef RB_TMPL_H
#define RB_TMPL_H

#include <stddef.h>

#include "util/err.h"
#include "util/strbuf.h"

struct tmpl;
struct json_t;

/* Parses src (len bytes) named name (for messages, "NAME:LINE:COLUMN").
 * Unbalanced or unknown tags are RB_EINPUT. */
int tmpl_parse(struct tmpl **out, const char *name, const char *src, size_t len,
	struct rb_err *err);
void tmpl_free(struct tmpl *t);

/* Appends the rendering to out. RB_EINPUT for a value that cannot print
 * (see above) or when out's maximum is reached. */
int tmpl_render(struct strbuf *out, const struct tmpl *t, const struct json_t *ctx,
	struct rb_err *err);

#endif
