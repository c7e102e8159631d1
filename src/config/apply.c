/*
 * apply.c: merging a configuration document into the current one by id,
 * and the object-by-object difference of two canonical documents (see
 * apply.h). The store writes exactly what config_changes lists, and
 * `config apply --dry-run` / `config diff` print the same list, so what a
 * preview shows is what an apply does.
 *
 * Not for: validation (check.c), SQL (src/store/config.c).
 */
#include "config/apply.h"
#include "config/check.h"
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

/* The sections of the document and the fields that identify an entry. */
static const struct section {
	const char *name, *kind, *k1, *k2;
} sections[] = {
	{ "tax_clusters", "tax_cluster", "id", NULL },
	{ "plans", "plan", "id", NULL },
	{ "customers", "customer", "id", NULL },
	{ "fx", "fx", "period", "currency" },
	{ "custom_lines", "custom_lines", "customer", "period" },
	{ NULL, NULL, NULL, NULL },
};

static void object_key(char *buf, size_t n, const struct section *s, json_t *e)
{
	if (s->k2)
		snprintf(buf, n, "%s:%s:%s", s->kind, config_str(e, s->k1), config_str(e, s->k2));
	else
		snprintf(buf, n, "%s:%s", s->kind, config_str(e, s->k1));
}

json_t *config_objects(json_t *doc)
{
	json_t *m = json_object(), *e;
	const struct section *s;
	size_t i;
	char key[512];

	for (s = sections; s->name; s++) {
		json_array_foreach(json_object_get(doc, s->name), i, e) {
			object_key(key, sizeof(key), s, e);
			if (strcmp(s->kind, "custom_lines")) {
				json_object_set(m, key, e);
			} else {
				json_t *l = json_object_get(m, key), *line = json_object();
				if (!l) {
					l = json_array();
					json_object_set_new(m, key, l);
				}
				json_object_set(line, "description", json_object_get(e, "description"));
				json_object_set(line, "amount", json_object_get(e, "amount"));
				json_array_append_new(l, line);
			}
		}
	}
	/* the two single objects of the document (invoice issuer, ledger codes) */
	if (json_object_get(doc, "issuer"))
		json_object_set(m, "issuer:profile", json_object_get(doc, "issuer"));
	if (json_object_get(doc, "ledger"))
		json_object_set(m, "ledger:accounts", json_object_get(doc, "ledger"));
	return m;
}

/* The fields of object a and b that differ (a's order, then b's), or NULL
 * when they are not both objects. */
static json_t *changed_fields(json_t *a, json_t *b)
{
	json_t *out, *v;
	const char *k;

	if (!json_is_object(a) || !json_is_object(b))
		return NULL;
	out = json_array();
	json_object_foreach(a, k, v)
		if (!json_equal(v, json_object_get(b, k)))
			json_array_append_new(out, json_string(k));
	json_object_foreach(b, k, v)
		if (!json_object_get(a, k))
			json_array_append_new(out, json_string(k));
	return out;
}

json_t *config_changes(json_t *old, json_t *new)
{
	json_t *mo = config_objects(old), *mn = config_objects(new), *keys = json_object();
	json_t *out = json_array(), *v;
	const char *key;

	/* The old document's objects in its order, then the new ones. */
	json_object_update(keys, mo);
	json_object_update_missing(keys, mn);
	json_object_foreach(keys, key, v) {
		json_t *a = json_object_get(mo, key), *b = json_object_get(mn, key);
		if (a && b && json_equal(a, b))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:s, s:O?, s:O?, s:o?}",
			"action", !a ? "create" : !b ? "delete" : "update", "object", key,
			"before", a, "after", b, "fields", changed_fields(a, b)));
	}
	json_decref(mo);
	json_decref(mn);
	json_decref(keys);
	return out;
}

int config_apply_edit(json_t **doc, void *arg, struct rb_err *err)
{
	struct config_apply *a = arg;
	json_t *merged, *v;
	const struct section *s;
	const char *name;

	(void)err;
	memset(a->kept, 0, sizeof(a->kept));
	if (a->replace || !json_is_object(a->doc)) {
		json_decref(*doc);
		*doc = json_deep_copy(a->doc);
		return 0;
	}
	merged = json_deep_copy(*doc);
	/* Keys that are not sections go to validation, which names them. */
	json_object_foreach(a->doc, name, v) {
		for (s = sections; s->name && strcmp(s->name, name); s++)
			;
		if (!s->name)
			json_object_set_new(merged, name, json_deep_copy(v));
	}
	for (s = sections; s->name; s++) {
		json_t *given = json_object_get(a->doc, s->name), *cur, *out, *named, *e;
		size_t i;
		char key[512];

		if (!given) {
			a->kept[s - sections] = json_array_size(json_object_get(*doc, s->name));
			continue;
		}
		if (!json_is_array(given)) {
			json_object_set_new(merged, s->name, json_deep_copy(given));
			continue;
		}
		named = json_object();
		out = json_array();
		json_array_foreach(given, i, e) {
			object_key(key, sizeof(key), s, e);
			json_object_set_new(named, key, json_true());
		}
		cur = json_object_get(*doc, s->name);
		json_array_foreach(cur, i, e) {
			object_key(key, sizeof(key), s, e);
			if (!json_object_get(named, key))
				json_array_append_new(out, json_deep_copy(e));
		}
		a->kept[s - sections] = json_array_size(out);
		json_array_foreach(given, i, e)
			json_array_append_new(out, json_deep_copy(e));
		json_object_set_new(merged, s->name, out);
		json_decref(named);
	}
	json_decref(*doc);
	*doc = merged;
	return 0;
}

void config_apply_problems(const struct config_apply *a, struct config_result *r)
{
	const struct section *s;
	size_t i;

	if (a->replace)
		return;
	for (i = 0; i < r->nproblems; i++) {
		struct config_problem *p = &r->problems[i];
		for (s = sections; s->name; s++) {
			size_t n = strlen(s->name), k = a->kept[s - sections];
			const char *rest;
			char *end, buf[1024];
			unsigned long idx;

			if (strncmp(p->path, "$.", 2) || strncmp(p->path + 2, s->name, n) ||
			    p->path[2 + n] != '[')
				continue;
			idx = strtoul(p->path + 3 + n, &end, 10);
			if (*end != ']')
				break;
			rest = end + 1;
			if (idx >= k)
				snprintf(buf, sizeof(buf), "$.%s[%lu]%s", s->name, idx - k, rest);
			else if (p->object)
				snprintf(buf, sizeof(buf), "stored %s%s%s", p->object,
					p->sub && *p->sub ? ", " : "", p->sub ? p->sub : "");
			else
				snprintf(buf, sizeof(buf), "stored %s%s", s->name, rest);
			free(p->path);
			p->path = xstrdup(buf);
			break;
		}
	}
}
