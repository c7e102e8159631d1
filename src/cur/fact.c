/*
 * fact.c: the fact's key and sums (see fact.h).
 */
#include "cur/fact.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#include "util/banned.h"

static int add_field(struct strbuf *sb, const char *s)
{
	if (!s)
		s = "";
	return strbuf_add(sb, s, strlen(s) + 1);
}

int cur_fact_key(struct strbuf *key, const struct cur_fact *f)
{
	char cls = (char)('0' + f->cls);

	strbuf_reset(key);
	if (add_field(key, f->payer) || add_field(key, f->account) ||
	    add_field(key, f->line_item_type) || strbuf_add(key, &cls, 1) ||
	    add_field(key, f->product_code) || add_field(key, f->product_name) ||
	    add_field(key, f->usage_type) || add_field(key, f->operation) ||
	    add_field(key, f->region) || add_field(key, f->owner))
		return -1;
	return 0;
}

void cur_fact_from_key(struct cur_fact *f, const char *p)
{
	const char **fields[] = { &f->payer, &f->account, &f->line_item_type, NULL,
		&f->product_code, &f->product_name, &f->usage_type, &f->operation,
		&f->region, &f->owner };
	size_t k;

	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		if (!fields[k]) {      /* the class byte */
			f->cls = (enum cur_class)(p[0] - '0');
			p += 1;
			continue;
		}
		*fields[k] = p;
		p += strlen(p) + 1;
	}
}

int cur_fact_add(struct cur_fact *acc, const struct cur_fact *f)
{
	acc->rows += f->rows;
	if (dec_add(&acc->unblended, acc->unblended, f->unblended) ||
	    dec_add(&acc->ondemand, acc->ondemand, f->ondemand) ||
	    dec_add(&acc->effective, acc->effective, f->effective))
		return -1;
	return 0;
}

/* ---- sums by key ---- */

void cur_fact_sums_init(struct cur_fact_sums *s)
{
	memset(s, 0, sizeof(*s));
	hmap_init(&s->keys);
	strbuf_init(&s->key, 256, 1u << 20);
}

void cur_fact_sums_release(struct cur_fact_sums *s)
{
	hmap_release(&s->keys);
	strbuf_release(&s->key);
	free(s->facts);
	memset(s, 0, sizeof(*s));
}

/* The entry of key, created with zero sums when new. */
static size_t entry(struct cur_fact_sums *s, const char *key, size_t len, int *added)
{
	int fresh;
	size_t i = hmap_put(&s->keys, key, len, &fresh);
	if (fresh) {
		if (i == s->alloc) {
			s->alloc = s->alloc ? s->alloc * 2 : 256;
			s->facts = xreallocarray(s->facts, s->alloc, sizeof(s->facts[0]));
		}
		memset(&s->facts[i], 0, sizeof(s->facts[i]));
		s->n = i + 1;
	}
	if (added)
		*added = fresh;
	return i;
}

long cur_fact_sums_add(struct cur_fact_sums *s, const struct cur_fact *f, int *added)
{
	size_t i;

	if (cur_fact_key(&s->key, f) < 0)
		return CUR_FACT_LONG;
	i = entry(s, s->key.buf, s->key.len, added);
	return cur_fact_add(&s->facts[i], f) < 0 ? CUR_FACT_RANGE : (long)i;
}

long cur_fact_sums_merge(struct cur_fact_sums *s, const struct cur_fact_sums *from)
{
	size_t k, len, i;

	for (k = 0; k < from->n; k++) {
		const char *key = hmap_key(&from->keys, k, &len);
		i = entry(s, key, len, NULL);
		if (cur_fact_add(&s->facts[i], &from->facts[k]) < 0)
			return CUR_FACT_RANGE;
	}
	return 0;
}

void cur_fact_sums_finish(struct cur_fact_sums *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		cur_fact_from_key(&s->facts[i], hmap_key(&s->keys, i, NULL));
}
