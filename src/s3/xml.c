/*
 * xml.c: S3's XML responses, read with libxml2: a ListObjectsV2 page
 * (ListBucketResult: Contents/Key, ETag, Size; IsTruncated;
 * NextContinuationToken) and an error document (Error: Code, Message).
 * Elements are matched by local name, so the S3 namespace is optional.
 * Entities are not expanded and no network or DTD is ever loaded.
 *
 * Not for: HTTP (client.c).
 */
#include "s3/s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "util/xalloc.h"
#include "util/banned.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | \
	XML_PARSE_NOWARNING)

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	const xmlNode *c;
	for (c = n->children; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* The element's text (caller frees), "" when empty. */
static char *text_of(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = xstrdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

static xmlDoc *parse(const char *xml, size_t len)
{
	if (len > (size_t)1 << 30)
		return NULL;
	return xmlReadMemory(xml, (int)len, "s3.xml", NULL, XML_OPTIONS);
}

/* An ETag without its quotes (S3 lists it as "\"abc\""). */
static char *unquote(char *s)
{
	size_t n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

static int parse_size(uint64_t *out, const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int s3_list_parse(struct s3_listing *out, char **next, const char *xml, size_t len,
	const char *name, struct rb_err *err)
{
	xmlDoc *doc = parse(xml, len);
	const xmlNode *root, *c, *t;
	int ret = 0, truncated = 0;
	char *s;

	*next = NULL;
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || !is(root, "ListBucketResult")) {
		ret = rb_err_at(err, RB_EINPUT, name, 0, 0,
			"not an S3 ListObjectsV2 response (no ListBucketResult)");
		goto cleanup;
	}
	for (c = root->children; c; c = c->next) {
		struct s3_object o = { 0 };
		if (!is(c, "Contents"))
			continue;
		if (!(t = child(c, "Key"))) {
			ret = rb_err_at(err, RB_EINPUT, name, 0, 0, "listing: Contents without a Key");
			goto cleanup;
		}
		o.key = text_of(t);
		o.etag = (t = child(c, "ETag")) ? unquote(text_of(t)) : xstrdup("");
		s = (t = child(c, "Size")) ? text_of(t) : xstrdup("");
		if (parse_size(&o.size, s)) {
			ret = rb_err_at(err, RB_EINPUT, name, 0, 0, "listing: object '%s' has a bad Size '%s'",
				o.key, s);
			free(s);
			free(o.key);
			free(o.etag);
			goto cleanup;
		}
		free(s);
		out->objs = xreallocarray(out->objs, out->n + 1, sizeof(*out->objs));
		out->objs[out->n++] = o;
	}
	if ((t = child(root, "IsTruncated"))) {
		s = text_of(t);
		truncated = !strcmp(s, "true");
		free(s);
	}
	if (truncated) {
		t = child(root, "NextContinuationToken");
		*next = t ? text_of(t) : NULL;
		if (!*next || !**next) {
			free(*next);
			*next = NULL;
			ret = rb_err_at(err, RB_EINPUT, name, 0, 0,
				"listing: IsTruncated without a NextContinuationToken");
		}
	}
cleanup:
	xmlFreeDoc(doc);
	return ret;
}

void s3_error_parse(char *code, size_t codesz, char *msg, size_t msgsz, const char *xml,
	size_t len)
{
	xmlDoc *doc = parse(xml, len);
	const xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *t;

	code[0] = msg[0] = '\0';
	if (root && is(root, "Error")) {
		char *s;
		if ((t = child(root, "Code"))) {
			s = text_of(t);
			snprintf(code, codesz, "%s", s);
			free(s);
		}
		if ((t = child(root, "Message"))) {
			s = text_of(t);
			snprintf(msg, msgsz, "%s", s);
			free(s);
		}
	}
	xmlFreeDoc(doc);
}

void s3_listing_release(struct s3_listing *l)
{
	size_t i;
	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->objs[i].key);
		free(l->objs[i].etag);
	}
	free(l->objs);
	memset(l, 0, sizeof(*l));
}
