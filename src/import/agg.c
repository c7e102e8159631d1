/*
 * agg.c: interned strings in an arena and open-addressing hash tables
 * (linear probing, power-of-two slots holding entry index + 1, doubled at
 * half load) that sum CUR rows into facts. The hot path per row is: reuse
 * the string ids of the previous row when a field is unchanged (CUR rows
 * come in runs), hash the fixed-size key of ids, probe, add.
 *
 * Not for: threads (one agg per worker, merged at the end) or SQL.
 */
#include "import/agg.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

/* ---- hashing ---- */

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n, w;
	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	return mix64(h ^ w);
}

/* ---- interned strings ---- */

#define CHUNK_SIZE (64 * 1024)

struct chunk {
	struct chunk *next;
	char data[];
};

struct istr {
	const char *s;
	uint32_t len;
	uint32_t hash;
};

struct intern {
	struct istr *strs;
	uint32_t n, alloc;
	uint32_t *slots;     /* id + 1, 0 = empty */
	uint32_t mask;
	struct chunk *chunks;
	char *cur;
	size_t left;
	size_t bytes;        /* arena bytes allocated */
};

static void intern_init(struct intern *t)
{
	memset(t, 0, sizeof(*t));
	t->mask = 255;
	t->slots = xcalloc(t->mask + 1, sizeof(uint32_t));
}

static void intern_release(struct intern *t)
{
	struct chunk *c = t->chunks, *next;
	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->strs);
	free(t->slots);
}

static char *arena_alloc(struct intern *t, size_t n)
{
	char *p;
	if (n > t->left) {
		size_t sz = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
		struct chunk *c = xmalloc(sizeof(*c) + sz);
		c->next = t->chunks;
		t->chunks = c;
		t->bytes += sizeof(*c) + sz;
		if (sz == CHUNK_SIZE) {
			t->cur = c->data;
			t->left = sz;
		} else {
			return c->data;     /* a large string has its chunk to itself */
		}
	}
	p = t->cur;
	t->cur += n;
	t->left -= n;
	return p;
}

static void intern_grow(struct intern *t)
{
	uint32_t mask = t->mask * 2 + 1, i;
	uint32_t *slots = xcalloc((size_t)mask + 1, sizeof(uint32_t));
	for (i = 0; i < t->n; i++) {
		uint32_t j = t->strs[i].hash & mask;
		while (slots[j])
			j = (j + 1) & mask;
		slots[j] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
}

static uint32_t intern_put(struct intern *t, const char *s, size_t n)
{
	uint32_t h = (uint32_t)hash_bytes(s, n), j = h & t->mask, id;
	struct istr *e;
	char *copy;

	for (; t->slots[j]; j = (j + 1) & t->mask) {
		e = &t->strs[t->slots[j] - 1];
		if (e->hash == h && e->len == n && !memcmp(e->s, s, n))
			return t->slots[j] - 1;
	}
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 256;
		t->strs = xreallocarray(t->strs, t->alloc, sizeof(*t->strs));
	}
	copy = arena_alloc(t, n + 1);
	memcpy(copy, s, n);
	copy[n] = 0;
	id = t->n++;
	e = &t->strs[id];
	e->s = copy;
	e->len = (uint32_t)n;
	e->hash = h;
	t->slots[j] = id + 1;
	if ((uint64_t)t->n * 2 > t->mask)
		intern_grow(t);
	return id;
}

/* ---- keyed tables of sums ---- */

/* An entry: hash (4 bytes), key (ksize bytes), padding, struct store_sum. */
struct ktab {
	size_t ksize, voff, esize;
	unsigned char *ents;
	size_t n, alloc;
	uint32_t *slots;
	size_t mask;
};

static void ktab_init(struct ktab *t, size_t ksize)
{
	size_t align = _Alignof(struct store_sum);
	memset(t, 0, sizeof(*t));
	t->ksize = ksize;
	t->voff = (4 + ksize + align - 1) / align * align;
	t->esize = t->voff + sizeof(struct store_sum);
	t->mask = 1023;
	t->slots = xcalloc(t->mask + 1, sizeof(uint32_t));
}

/* Empties t, keeping its memory. */
static void ktab_clear(struct ktab *t)
{
	t->n = 0;
	memset(t->slots, 0, (t->mask + 1) * sizeof(uint32_t));
}

static void ktab_release(struct ktab *t)
{
	free(t->ents);
	free(t->slots);
}

static unsigned char *ktab_ent(const struct ktab *t, size_t i)
{
	return t->ents + i * t->esize;
}

static struct store_sum *ktab_val(const struct ktab *t, size_t i)
{
	return (struct store_sum *)(void *)(ktab_ent(t, i) + t->voff);
}

static void ktab_grow(struct ktab *t)
{
	size_t mask = t->mask * 2 + 1, i;
	uint32_t *slots = xcalloc(mask + 1, sizeof(uint32_t));
	for (i = 0; i < t->n; i++) {
		uint32_t h;
		size_t j;
		memcpy(&h, ktab_ent(t, i), 4);
		for (j = h & mask; slots[j]; j = (j + 1) & mask)
			;
		slots[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = slots;
	t->mask = mask;
}

/* The index of key's entry, inserted (zero sums) when new. */
static size_t ktab_index(struct ktab *t, const void *key)
{
	uint32_t h = (uint32_t)hash_bytes(key, t->ksize);
	size_t j = h & t->mask, i;
	unsigned char *e;

	for (; t->slots[j]; j = (j + 1) & t->mask) {
		uint32_t eh;
		i = t->slots[j] - 1;
		e = ktab_ent(t, i);
		memcpy(&eh, e, 4);
		if (eh == h && !memcmp(e + 4, key, t->ksize))
			return i;
	}
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 1024;
		t->ents = xreallocarray(t->ents, t->alloc, t->esize);
	}
	i = t->n++;
	e = ktab_ent(t, i);
	memset(e, 0, t->esize);
	memcpy(e, &h, 4);
	memcpy(e + 4, key, t->ksize);
	t->slots[j] = (uint32_t)(i + 1);
	if (t->n * 2 > t->mask)
		ktab_grow(t);
	return i;
}

/* The sums of key, inserted (zero) when new. */
static struct store_sum *ktab_get(struct ktab *t, const void *key)
{
	return ktab_val(t, ktab_index(t, key));
}

/* A one-entry cache in front of a ktab: CUR rows come in runs with equal
 * keys (the hours of one resource on one day), which then skip hashing. */
struct kcache {
	unsigned char key[64];
	size_t idx;
	int valid;
};

static struct store_sum *ktab_get_cached(struct ktab *t, struct kcache *c, const void *key)
{
	if (!c->valid || memcmp(c->key, key, t->ksize)) {
		c->idx = ktab_index(t, key);
		memcpy(c->key, key, t->ksize);
		c->valid = 1;
	}
	return ktab_val(t, c->idx);
}

static const void *ktab_key(const struct ktab *t, size_t i)
{
	return ktab_ent(t, i) + 4;
}

static int sum_add(struct store_sum *into, const struct store_sum *v)
{
	struct store_sum r;
	if (__builtin_add_overflow(into->rows, v->rows, &r.rows) ||
	    __builtin_add_overflow(into->usage_amount, v->usage_amount, &r.usage_amount) ||
	    __builtin_add_overflow(into->unblended, v->unblended, &r.unblended) ||
	    __builtin_add_overflow(into->ondemand, v->ondemand, &r.ondemand) ||
	    __builtin_add_overflow(into->effective, v->effective, &r.effective))
		return AGG_EOVERFLOW;
	*into = r;
	return 0;
}

static size_t ktab_memory(const struct ktab *t)
{
	return t->alloc * t->esize + (t->mask + 1) * sizeof(uint32_t);
}

static size_t intern_memory(const struct intern *t)
{
	return t->bytes + t->alloc * sizeof(struct istr) + ((size_t)t->mask + 1) * sizeof(uint32_t);
}

/* ---- the agg ---- */

enum { S_DAY, S_PAYER, S_ACCOUNT, S_TYPE, S_PCODE, S_PNAME, S_UTYPE, S_OP, S_REGION, S_OWNER,
	S_NFIELDS };

struct fkey {
	int32_t period;
	int32_t cls;
	uint32_t s[S_NFIELDS];
	uint32_t tags;       /* tag set number */
};

struct rkey {
	int32_t period;
	uint32_t payer, account, resource, pcode;
};

struct frkey {
	uint32_t file;
	int32_t period;
	uint32_t payer;
};

struct ppkey {
	int32_t period;
	uint32_t payer;
};

struct otherkey {
	int32_t period;
	uint32_t payer;
	uint32_t type;
};

_Static_assert(sizeof(struct fkey) <= 64 && sizeof(struct rkey) <= 64 &&
	sizeof(struct frkey) <= 64, "keys fit the one-entry caches");

struct agg {
	struct intern strs;
	struct intern tagsets;
	struct ktab facts, res, files;
	/* running totals that survive agg_reset_facts */
	struct ktab pps, others, accounts;
	char *canon;          /* scratch for a row's tag set canon */
	size_t canon_alloc;
	uint32_t last[S_NFIELDS];  /* the previous row's ids, to skip hashing runs */
	uint32_t last_tags;
	uint32_t last_resource;
	int have_last, have_last_resource;
	struct kcache fact_cache, res_cache, file_cache, pp_cache, acc_cache;
};

struct agg *agg_new(void)
{
	struct agg *a = xcalloc(1, sizeof(*a));
	intern_init(&a->strs);
	intern_init(&a->tagsets);
	intern_put(&a->strs, "", 0);       /* id 0 is "" */
	intern_put(&a->tagsets, "", 0);    /* tag set 0 is "no tags" */
	ktab_init(&a->facts, sizeof(struct fkey));
	ktab_init(&a->res, sizeof(struct rkey));
	ktab_init(&a->files, sizeof(struct frkey));
	ktab_init(&a->pps, sizeof(struct ppkey));
	ktab_init(&a->others, sizeof(struct otherkey));
	ktab_init(&a->accounts, sizeof(uint32_t));
	return a;
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	intern_release(&a->strs);
	intern_release(&a->tagsets);
	ktab_release(&a->facts);
	ktab_release(&a->res);
	ktab_release(&a->files);
	ktab_release(&a->pps);
	ktab_release(&a->others);
	ktab_release(&a->accounts);
	free(a->canon);
	free(a);
}

/* The id of s, reusing *last when the previous row had the same string. */
static uint32_t field_id(struct agg *a, uint32_t *last, int have_last, const char *s, size_t n)
{
	if (have_last) {
		const struct istr *e = &a->strs.strs[*last];
		if (e->len == n && !memcmp(e->s, s, n))
			return *last;
	}
	*last = intern_put(&a->strs, s, n);
	return *last;
}

static int tags_id(struct agg *a, uint32_t *out, const struct cur_row *row)
{
	size_t i, need = 0, n = 0;

	if (row->ntags == 0) {
		*out = 0;
		return 0;
	}
	for (i = 0; i < row->ntags; i++)
		need += row->tags[i].key.n + row->tags[i].value.n + 2;
	if (need > a->canon_alloc) {
		a->canon_alloc = need * 2;
		a->canon = xrealloc(a->canon, a->canon_alloc);
	}
	for (i = 0; i < row->ntags; i++) {
		const struct cur_tag *t = &row->tags[i];
		if (memchr(t->key.p, '\x1e', t->key.n) || memchr(t->key.p, '\x1f', t->key.n) ||
		    memchr(t->value.p, '\x1e', t->value.n) || memchr(t->value.p, '\x1f', t->value.n))
			return AGG_ETAG;
		if (i)
			a->canon[n++] = '\x1e';
		memcpy(a->canon + n, t->key.p, t->key.n);
		n += t->key.n;
		a->canon[n++] = '\x1f';
		memcpy(a->canon + n, t->value.p, t->value.n);
		n += t->value.n;
	}
	if (a->have_last) {
		const struct istr *e = &a->tagsets.strs[a->last_tags];
		if (e->len == n && !memcmp(e->s, a->canon, n)) {
			*out = a->last_tags;
			return 0;
		}
	}
	*out = a->last_tags = intern_put(&a->tagsets, a->canon, n);
	return 0;
}

int agg_add(struct agg *a, const struct cur_row *row, uint32_t file)
{
	const struct rb_str *f[S_NFIELDS] = {
		[S_PAYER] = &row->payer, [S_ACCOUNT] = &row->account, [S_TYPE] = &row->type,
		[S_PCODE] = &row->product_code, [S_PNAME] = &row->product_name,
		[S_UTYPE] = &row->usage_type, [S_OP] = &row->operation, [S_REGION] = &row->region,
	};
	struct fkey k;
	struct store_sum v, *sum;
	size_t i;
	int rc;

	memset(&k, 0, sizeof(k));
	k.period = row->period;
	k.cls = (int32_t)row->cls;
	if ((rc = tags_id(a, &k.tags, row)) < 0)
		return rc;
	for (i = 0; i < S_NFIELDS; i++) {
		const char *s;
		size_t n;
		if (i == S_DAY) {
			s = row->day;
			n = strnlen(row->day, sizeof(row->day));
		} else if (i == S_OWNER) {
			s = row->owner;
			n = strnlen(row->owner, sizeof(row->owner));
		} else {
			s = f[i]->p;
			n = f[i]->n;
		}
		k.s[i] = field_id(a, &a->last[i], a->have_last, s, n);
	}
	a->have_last = 1;

	v.rows = 1;
	v.usage_amount = row->usage_amount;
	v.unblended = row->views.unblended;
	v.ondemand = row->views.ondemand;
	v.effective = row->views.effective;
	sum = ktab_get_cached(&a->facts, &a->fact_cache, &k);
	if ((rc = sum_add(sum, &v)) < 0)
		return rc;

	if (row->resource_id.n) {
		struct rkey r;
		memset(&r, 0, sizeof(r));
		r.period = row->period;
		r.payer = k.s[S_PAYER];
		r.account = k.s[S_ACCOUNT];
		r.resource = field_id(a, &a->last_resource, a->have_last_resource,
			row->resource_id.p, row->resource_id.n);
		a->have_last_resource = 1;
		r.pcode = k.s[S_PCODE];
		/* a later failure would leave a fact counted without its resource;
		 * overflow aborts the whole import, so that is never written */
		if ((rc = sum_add(ktab_get_cached(&a->res, &a->res_cache, &r), &v)) < 0)
			return rc;
	}
	{
		struct frkey fk;
		memset(&fk, 0, sizeof(fk));
		fk.file = file;
		fk.period = row->period;
		fk.payer = k.s[S_PAYER];
		sum = ktab_get_cached(&a->files, &a->file_cache, &fk);
		sum->rows++;
	}
	{
		struct ppkey pk;
		memset(&pk, 0, sizeof(pk));
		pk.period = row->period;
		pk.payer = k.s[S_PAYER];
		if ((rc = sum_add(ktab_get_cached(&a->pps, &a->pp_cache, &pk), &v)) < 0)
			return rc;
		ktab_get_cached(&a->accounts, &a->acc_cache, &k.s[S_ACCOUNT])->rows++;
	}
	if (row->cls == CUR_OTHER) {
		struct otherkey ok;
		memset(&ok, 0, sizeof(ok));
		ok.period = row->period;
		ok.payer = k.s[S_PAYER];
		ok.type = k.s[S_TYPE];
		if ((rc = sum_add(ktab_get(&a->others, &ok), &v)) < 0)
			return rc;
	}
	return 0;
}

void agg_reset_facts(struct agg *a)
{
	ktab_clear(&a->facts);
	ktab_clear(&a->res);
	memset(&a->fact_cache, 0, sizeof(a->fact_cache));
	memset(&a->res_cache, 0, sizeof(a->res_cache));
}

size_t agg_facts_memory(const struct agg *a)
{
	return a->facts.n * a->facts.esize + a->res.n * a->res.esize +
		(a->facts.mask + a->res.mask + 2) * sizeof(uint32_t);
}

size_t agg_npps(const struct agg *a)
{
	return a->pps.n;
}

void agg_pp(const struct agg *a, size_t i, const char **payer, int *period,
	struct store_sum *sum)
{
	struct ppkey k;
	memcpy(&k, ktab_key(&a->pps, i), sizeof(k));
	*payer = a->strs.strs[k.payer].s;
	*period = k.period;
	*sum = *ktab_val(&a->pps, i);
}

size_t agg_nothers(const struct agg *a)
{
	return a->others.n;
}

void agg_other(const struct agg *a, size_t i, const char **payer, int *period,
	const char **type, struct store_sum *sum)
{
	struct otherkey k;
	memcpy(&k, ktab_key(&a->others, i), sizeof(k));
	*payer = a->strs.strs[k.payer].s;
	*period = k.period;
	*type = a->strs.strs[k.type].s;
	*sum = *ktab_val(&a->others, i);
}

size_t agg_naccounts(const struct agg *a)
{
	return a->accounts.n;
}

/* Maps `from`'s string ids into `into`, lazily. */
struct idmap {
	uint32_t *map;        /* id + 1, 0 = not mapped yet */
	const struct intern *from;
	struct intern *into;
};

static uint32_t map_id(struct idmap *m, uint32_t id)
{
	if (!m->map[id]) {
		const struct istr *e = &m->from->strs[id];
		m->map[id] = intern_put(m->into, e->s, e->len) + 1;
	}
	return m->map[id] - 1;
}

int agg_merge(struct agg *into, const struct agg *from)
{
	struct idmap sm = { xcalloc(from->strs.n ? from->strs.n : 1, sizeof(uint32_t)),
		&from->strs, &into->strs };
	struct idmap tm = { xcalloc(from->tagsets.n ? from->tagsets.n : 1, sizeof(uint32_t)),
		&from->tagsets, &into->tagsets };
	size_t i, j;
	int rc = 0;

	for (i = 0; i < from->facts.n && rc == 0; i++) {
		struct fkey k;
		memcpy(&k, ktab_key(&from->facts, i), sizeof(k));
		for (j = 0; j < S_NFIELDS; j++)
			k.s[j] = map_id(&sm, k.s[j]);
		k.tags = map_id(&tm, k.tags);
		rc = sum_add(ktab_get(&into->facts, &k), ktab_val(&from->facts, i));
	}
	for (i = 0; i < from->res.n && rc == 0; i++) {
		struct rkey k;
		memcpy(&k, ktab_key(&from->res, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		k.account = map_id(&sm, k.account);
		k.resource = map_id(&sm, k.resource);
		k.pcode = map_id(&sm, k.pcode);
		rc = sum_add(ktab_get(&into->res, &k), ktab_val(&from->res, i));
	}
	for (i = 0; i < from->files.n && rc == 0; i++) {
		struct frkey k;
		memcpy(&k, ktab_key(&from->files, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		rc = sum_add(ktab_get(&into->files, &k), ktab_val(&from->files, i));
	}
	for (i = 0; i < from->pps.n && rc == 0; i++) {
		struct ppkey k;
		memcpy(&k, ktab_key(&from->pps, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		rc = sum_add(ktab_get(&into->pps, &k), ktab_val(&from->pps, i));
	}
	for (i = 0; i < from->others.n && rc == 0; i++) {
		struct otherkey k;
		memcpy(&k, ktab_key(&from->others, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		k.type = map_id(&sm, k.type);
		rc = sum_add(ktab_get(&into->others, &k), ktab_val(&from->others, i));
	}
	for (i = 0; i < from->accounts.n && rc == 0; i++) {
		uint32_t k;
		memcpy(&k, ktab_key(&from->accounts, i), sizeof(k));
		k = map_id(&sm, k);
		rc = sum_add(ktab_get(&into->accounts, &k), ktab_val(&from->accounts, i));
	}
	into->have_last = 0;
	into->have_last_resource = 0;
	memset(&into->fact_cache, 0, sizeof(into->fact_cache));
	memset(&into->res_cache, 0, sizeof(into->res_cache));
	memset(&into->file_cache, 0, sizeof(into->file_cache));
	memset(&into->pp_cache, 0, sizeof(into->pp_cache));
	memset(&into->acc_cache, 0, sizeof(into->acc_cache));
	free(sm.map);
	free(tm.map);
	return rc;
}

size_t agg_nfacts(const struct agg *a)
{
	return a->facts.n;
}

void agg_fact(const struct agg *a, size_t i, struct store_fact *out)
{
	struct fkey k;
	const struct istr *s = a->strs.strs;

	memcpy(&k, ktab_key(&a->facts, i), sizeof(k));
	memset(out, 0, sizeof(*out));
	out->period = k.period;
	out->cls = (enum cur_class)k.cls;
	out->day = s[k.s[S_DAY]].s;
	out->payer = s[k.s[S_PAYER]].s;
	out->account = s[k.s[S_ACCOUNT]].s;
	out->line_item_type = s[k.s[S_TYPE]].s;
	out->product_code = s[k.s[S_PCODE]].s;
	out->product_name = s[k.s[S_PNAME]].s;
	out->usage_type = s[k.s[S_UTYPE]].s;
	out->operation = s[k.s[S_OP]].s;
	out->region = s[k.s[S_REGION]].s;
	out->owner = s[k.s[S_OWNER]].s;
	out->tagset_id = k.tags;
	out->tags = a->tagsets.strs[k.tags].s;
	out->sum = *ktab_val(&a->facts, i);
}

size_t agg_ntagsets(const struct agg *a)
{
	return a->tagsets.n;
}

const char *agg_tagset(const struct agg *a, size_t i)
{
	return a->tagsets.strs[i].s;
}

size_t agg_nresources(const struct agg *a)
{
	return a->res.n;
}

void agg_resource(const struct agg *a, size_t i, struct store_resource_fact *out)
{
	struct rkey k;
	const struct istr *s = a->strs.strs;

	memcpy(&k, ktab_key(&a->res, i), sizeof(k));
	memset(out, 0, sizeof(*out));
	out->period = k.period;
	out->payer = s[k.payer].s;
	out->account = s[k.account].s;
	out->resource_id = s[k.resource].s;
	out->product_code = s[k.pcode].s;
	out->sum = *ktab_val(&a->res, i);
}

size_t agg_nfile_rows(const struct agg *a)
{
	return a->files.n;
}

void agg_file_rows(const struct agg *a, size_t i, struct agg_file_rows *out)
{
	struct frkey k;
	memcpy(&k, ktab_key(&a->files, i), sizeof(k));
	out->file = k.file;
	out->payer = a->strs.strs[k.payer].s;
	out->period = k.period;
	out->rows = ktab_val(&a->files, i)->rows;
}


size_t agg_memory(const struct agg *a)
{
	return intern_memory(&a->strs) + intern_memory(&a->tagsets) + ktab_memory(&a->facts) +
		ktab_memory(&a->res) + ktab_memory(&a->files) + ktab_memory(&a->pps) +
		ktab_memory(&a->others) + ktab_memory(&a->accounts) + a->canon_alloc;
}
