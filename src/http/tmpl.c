/*
 * tmpl.c: parse templates into a tree of nodes once, render many times
 * (tmpl.h). Lookups walk a stack of scopes from the innermost outward.
 *
 * Not for: anything but HTML text and attribute values (no script or style
 * contexts: pages carry data in data- attributes, read by app.js).
 */
#include "http/tmpl.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

enum node_kind { N_TEXT, N_VAR, N_RAW, N_IF, N_EACH };

struct node {
	enum node_kind kind;
	char *text;                 /* N_TEXT: the text; else the name */
	size_t len;
	struct node *body, *alt;    /* N_IF/N_EACH: children; N_IF: the else part */
	struct node *next;
	long line, column;
};

struct tmpl {
	char *name;
	struct node *root;
};

static void nodes_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		free(n->text);
		nodes_free(n->body);
		nodes_free(n->alt);
		free(n);
		n = next;
	}
}

void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	nodes_free(t->root);
	free(t->name);
	free(t);
}

struct parser {
	const char *name, *src, *p, *end;
	struct rb_err *err;
};

static void where(const struct parser *ps, const char *at, long *line, long *col)
{
	const char *q;
	*line = 1;
	*col = 1;
	for (q = ps->src; q < at; q++) {
		if (*q == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int fail_at(const struct parser *ps, const char *at, const char *msg)
{
	long line, col;
	where(ps, at, &line, &col);
	return rb_err_at(ps->err, RB_EINPUT, ps->name, line, col, "%s", msg);
}

static int name_ok(const char *s, size_t n)
{
	size_t i;
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static struct node *node_new(enum node_kind k, const char *s, size_t n)
{
	struct node *nd = xcalloc(1, sizeof(*nd));
	nd->kind = k;
	nd->text = xstrndup(s, n);
	nd->len = n;
	return nd;
}

/* Parses nodes until end of input (closer NULL) or a {{/closer}} tag;
 * *stop reports whether {{else}} ended the list. */
static int parse_list(struct parser *ps, struct node **out, const char *closer, int *at_else)
{
	struct node **tail = out;
	*out = NULL;
	if (at_else)
		*at_else = 0;
	while (ps->p < ps->end) {
		const char *open = strstr(ps->p, "{{"), *close, *tag, *tend;
		size_t tlen;
		struct node *nd;
		int rc;

		if (!open || open >= ps->end)
			open = ps->end;
		if (open > ps->p) {
			*tail = node_new(N_TEXT, ps->p, (size_t)(open - ps->p));
			tail = &(*tail)->next;
		}
		if (open == ps->end) {
			ps->p = ps->end;
			break;
		}
		close = strstr(open + 2, "}}");
		if (!close || close >= ps->end)
			return fail_at(ps, open, "'{{' without '}}'");
		tag = open + 2;
		tend = close;
		while (tag < tend && *tag == ' ')
			tag++;
		while (tend > tag && tend[-1] == ' ')
			tend--;
		tlen = (size_t)(tend - tag);
		ps->p = close + 2;
		if (tlen && tag[0] == '!')
			continue;
		if (tlen && tag[0] == '/') {
			if (!closer || tlen - 1 != strlen(closer) || strncmp(tag + 1, closer, tlen - 1))
				return fail_at(ps, open, "unexpected closing tag");
			return 0;
		}
		if (tlen == 4 && !strncmp(tag, "else", 4)) {
			if (!at_else)
				return fail_at(ps, open, "{{else}} outside {{#if}}");
			*at_else = 1;
			return 0;
		}
		if (tlen > 4 && !strncmp(tag, "#if ", 4)) {
			int e = 0;
			if (!name_ok(tag + 4, tlen - 4))
				return fail_at(ps, open, "bad name in {{#if}}");
			nd = node_new(N_IF, tag + 4, tlen - 4);
			where(ps, open, &nd->line, &nd->column);
			*tail = nd;
			tail = &nd->next;
			if ((rc = parse_list(ps, &nd->body, "if", &e)) < 0)
				return rc;
			if (e && (rc = parse_list(ps, &nd->alt, "if", NULL)) < 0)
				return rc;
			continue;
		}
		if (tlen > 6 && !strncmp(tag, "#each ", 6)) {
			if (!name_ok(tag + 6, tlen - 6))
				return fail_at(ps, open, "bad name in {{#each}}");
			nd = node_new(N_EACH, tag + 6, tlen - 6);
			where(ps, open, &nd->line, &nd->column);
			*tail = nd;
			tail = &nd->next;
			if ((rc = parse_list(ps, &nd->body, "each", NULL)) < 0)
				return rc;
			continue;
		}
		if (tlen > 4 && !strncmp(tag, "raw ", 4) && name_ok(tag + 4, tlen - 4)) {
			nd = node_new(N_RAW, tag + 4, tlen - 4);
		} else if (name_ok(tag, tlen)) {
			nd = node_new(N_VAR, tag, tlen);
		} else {
			return fail_at(ps, open, "unknown tag");
		}
		where(ps, open, &nd->line, &nd->column);
		*tail = nd;
		tail = &nd->next;
	}
	if (closer)
		return fail_at(ps, ps->end, closer[0] == 'i' ? "{{#if}} without {{/if}}"
			: "{{#each}} without {{/each}}");
	return 0;
}

int tmpl_parse(struct tmpl **out, const char *name, const char *src, size_t len,
	struct rb_err *err)
{
	struct parser ps = { name, src, src, src + len, err };
	struct tmpl *t = xcalloc(1, sizeof(*t));
	char *copy = xstrndup(src, len);
	int rc;

	*out = NULL;
	ps.src = ps.p = copy;
	ps.end = copy + strlen(copy);
	if (ps.end != copy + len) {
		free(copy);
		free(t);
		return rb_err_set(err, RB_EINPUT, "%s: a NUL byte in the template", name);
	}
	t->name = xstrdup(name);
	rc = parse_list(&ps, &t->root, NULL, NULL);
	free(copy);
	if (rc < 0) {
		tmpl_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- rendering ---- */

#define SCOPES_MAX 16

struct scopes {
	const json_t *v[SCOPES_MAX];
	int n;
};

static const json_t *lookup(const struct scopes *sc, const char *name)
{
	int i;
	if (!strcmp(name, "."))
		return sc->v[sc->n - 1];
	for (i = sc->n - 1; i >= 0; i--) {
		const json_t *v = sc->v[i];
		const char *p = name, *dot;
		if (!json_is_object(v))
			continue;
		for (;;) {
			char key[256];
			size_t n;
			dot = strchr(p, '.');
			n = dot ? (size_t)(dot - p) : strlen(p);
			if (n >= sizeof(key))
				return NULL;
			memcpy(key, p, n);
			key[n] = 0;
			v = json_object_get(v, key);
			if (!v || !dot)
				break;
			p = dot + 1;
		}
		if (v)
			return v;
		/* a dotted name whose first part exists here does not look outward */
		if (strchr(name, '.')) {
			char first[256];
			size_t n = (size_t)(strchr(name, '.') - name);
			if (n < sizeof(first)) {
				memcpy(first, name, n);
				first[n] = 0;
				if (json_object_get(sc->v[i], first))
					return NULL;
			}
		}
	}
	return NULL;
}

static int truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return 1;
}

static int add_escaped(struct strbuf *out, const char *s, size_t n)
{
	size_t i, start = 0;
	for (i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (strbuf_add(out, s + start, i - start) < 0 || strbuf_addstr(out, rep) < 0)
			return -1;
		start = i + 1;
	}
	return strbuf_add(out, s + start, n - start);
}

static int render_value(struct strbuf *out, const struct tmpl *t, const struct node *nd,
	const json_t *v, int raw, struct rb_err *err)
{
	char num[32];
	const char *s = NULL;
	size_t n = 0;

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
		n = strlen(num);
	} else if (json_is_boolean(v)) {
		s = json_is_true(v) ? "true" : "false";
		n = strlen(s);
	} else {
		return rb_err_at(err, RB_EINPUT, t->name, nd->line, nd->column,
			"'%s' is not a string, integer or boolean", nd->text);
	}
	if ((raw ? strbuf_add(out, s, n) : add_escaped(out, s, n)) < 0)
		return rb_err_set(err, RB_EINPUT, "%s: the page is too large", t->name);
	return 0;
}

static int render_list(struct strbuf *out, const struct tmpl *t, const struct node *nd,
	struct scopes *sc, struct rb_err *err)
{
	int rc;
	for (; nd; nd = nd->next) {
		const json_t *v;
		switch (nd->kind) {
		case N_TEXT:
			if (strbuf_add(out, nd->text, nd->len) < 0)
				return rb_err_set(err, RB_EINPUT, "%s: the page is too large", t->name);
			break;
		case N_VAR:
		case N_RAW:
			if ((rc = render_value(out, t, nd, lookup(sc, nd->text), nd->kind == N_RAW,
					err)) < 0)
				return rc;
			break;
		case N_IF:
			v = lookup(sc, nd->text);
			if ((rc = render_list(out, t, truthy(v) ? nd->body : nd->alt, sc, err)) < 0)
				return rc;
			break;
		case N_EACH: {
			size_t i;
			const json_t *el;
			v = lookup(sc, nd->text);
			if (!v || json_is_null(v))
				break;
			if (!json_is_array(v))
				return rb_err_at(err, RB_EINPUT, t->name, nd->line, nd->column,
					"'%s' is not an array", nd->text);
			if (sc->n >= SCOPES_MAX)
				return rb_err_at(err, RB_EINPUT, t->name, nd->line, nd->column,
					"{{#each}} nested too deeply");
			json_array_foreach(v, i, el) {
				sc->v[sc->n++] = el;
				rc = render_list(out, t, nd->body, sc, err);
				sc->n--;
				if (rc < 0)
					return rc;
			}
			break;
		}
		}
	}
	return 0;
}

int tmpl_render(struct strbuf *out, const struct tmpl *t, const json_t *ctx,
	struct rb_err *err)
{
	struct scopes sc;
	sc.v[0] = ctx;
	sc.n = 1;
	return render_list(out, t, t->root, &sc, err);
}
