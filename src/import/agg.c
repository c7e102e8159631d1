/*
 * agg.c: interned strings (util/hmap) and open-addressing hash tables
 * (linear probing, power-of-two slots holding entry index + 1, doubled at
 * 3/4 load) that sum CUR rows into facts. The hot path per row is: reuse
 * the string ids of the previous row when a field is unchanged (CUR rows
 * come in runs), hash the fixed-size key of ids, probe, add.
 *
 * Not for: threads (one agg per worker, merged at the end) or SQL.
 */
#include "import/agg.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/hmap.h"
#include "util/xalloc.h"
#include "util/banned.h"

/* ---- keyed tables of sums ---- */

#define KCHUNK 4096   /* entries per chunk */

/* An entry: hash (4 bytes), key (ksize bytes), padding, a value of vsize
 * bytes (struct store_sum, struct csum, or none for a set). */
struct ktab {
	size_t ksize, vsize, valign, voff, esize;
	unsigned char **chunks;  /* entries in chunks of KCHUNK: growing never copies */
	size_t nchunks;
	size_t n, alloc;
	uint32_t *slots;
	size_t mask;
};

static void ktab_init(struct ktab *t, size_t ksize, size_t vsize, size_t valign)
{
	memset(t, 0, sizeof(*t));
	t->ksize = ksize;
	t->vsize = vsize;
	t->valign = valign;
	t->voff = (4 + ksize + valign - 1) / valign * valign;
	t->esize = (t->voff + vsize + valign - 1) / valign * valign;
	t->mask = 1023;
	t->slots = xcalloc(t->mask + 1, sizeof(uint32_t));
}

static void ktab_release(struct ktab *t)
{
	size_t i;
	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->slots);
}

static unsigned char *ktab_ent(const struct ktab *t, size_t i)
{
	return t->chunks[i / KCHUNK] + (i % KCHUNK) * t->esize;
}

static void *ktab_vp(const struct ktab *t, size_t i)
{
	return ktab_ent(t, i) + t->voff;
}

/* The value of a table of struct store_sum. */
static struct store_sum *ktab_val(const struct ktab *t, size_t i)
{
	return ktab_vp(t, i);
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

/* Keys are whole uint32 words (ids, periods): compared a word at a time
 * inline, not through a library memcmp call per probe. */
static int key_eq(const unsigned char *a, const unsigned char *b, size_t n)
{
	size_t i;
	for (i = 0; i < n; i += 4) {
		uint32_t x, y;
		memcpy(&x, a + i, 4);
		memcpy(&y, b + i, 4);
		if (x != y)
			return 0;
	}
	return 1;
}

static uint32_t ktab_hash(const struct ktab *t, const void *key)
{
	return (uint32_t)rb_hash_bytes(key, t->ksize);
}

/* The index of key's entry (h = ktab_hash(key)), inserted (zero sums) when
 * new. */
static size_t ktab_index_h(struct ktab *t, const void *key, uint32_t h)
{
	size_t j = h & t->mask, i;
	unsigned char *e;

	for (; t->slots[j]; j = (j + 1) & t->mask) {
		uint32_t eh;
		i = t->slots[j] - 1;
		e = ktab_ent(t, i);
		memcpy(&eh, e, 4);
		if (eh == h && key_eq(e + 4, key, t->ksize))
			return i;
	}
	if (t->n == t->alloc) {
		t->chunks = xreallocarray(t->chunks, t->nchunks + 1, sizeof(*t->chunks));
		t->chunks[t->nchunks++] = xmalloc(KCHUNK * t->esize);
		t->alloc += KCHUNK;
	}
	i = t->n++;
	e = ktab_ent(t, i);
	memset(e, 0, t->esize);
	memcpy(e, &h, 4);
	memcpy(e + 4, key, t->ksize);
	t->slots[j] = (uint32_t)(i + 1);
	if (t->n * 4 > t->mask * 3)   /* at 3/4 load: linear probing stays short */
		ktab_grow(t);
	return i;
}

static size_t ktab_index(struct ktab *t, const void *key)
{
	return ktab_index_h(t, key, ktab_hash(t, key));
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

static size_t ktab_index_cached(struct ktab *t, struct kcache *c, const void *key)
{
	if (!c->valid || !key_eq(c->key, key, t->ksize)) {
		c->idx = ktab_index(t, key);
		memcpy(c->key, key, t->ksize);
		c->valid = 1;
	}
	return c->idx;
}

static struct store_sum *ktab_get_cached(struct ktab *t, struct kcache *c, const void *key)
{
	return ktab_val(t, ktab_index_cached(t, c, key));
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

/* ---- compact sums ---- */

static int fits64(rb_i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* ---- the agg ---- */

enum { S_DAY, S_PAYER, S_ACCOUNT, S_TYPE, S_PCODE, S_PNAME, S_UTYPE, S_OP, S_REGION, S_OWNER,
	S_PROVIDER, S_CURRENCY, S_NFIELDS };

/* Everything of a fact key but the day, payer, account and tags: few
 * distinct values, interned once so that a fact key stays small. */
struct ckey {
	int32_t period;
	int32_t cls;
	uint32_t payer, type, pcode, pname, utype, op, region, owner;
};

struct fkey {
	uint32_t day, account;
	uint32_t combo;      /* index in the combos table */
	uint32_t tags;       /* tag set number */
};

/* A row's fact update in flight (see agg_add). */
struct pend {
	struct fkey k;
	uint32_t h;
	uint32_t file;
	long line;
	struct store_sum v;
};

/* Fact updates held back so that their hash slot and entry are prefetched
 * before they are needed: with hundreds of thousands of facts nearly every
 * row's fact is a cache miss, and the memory latency was the aggregator's
 * largest cost. A power of two. */
#define AHEAD 16

/* Sums of a fact in 64 bits while they fit (all do in practice); rows < 0
 * means "promoted": the exact sums are big[-rows - 1]. */
struct csum {
	int64_t rows;
	int64_t usage_amount, unblended, ondemand, effective;
};

struct rkey {
	int32_t period;
	uint32_t payer, account, resource, pcode;
};

struct frkey {
	uint32_t file;
	int32_t period;
	uint32_t payer;
	uint32_t provider;
	uint32_t currency;
};

/* The provider and the currency are part of the key so that a billing
 * account seen with two of either shows as two entries (import.c refuses
 * that). */
struct ppkey {
	int32_t period;
	uint32_t payer;
	uint32_t provider;
	uint32_t currency;
};

struct otherkey {
	int32_t period;
	uint32_t payer;
	uint32_t type;
};

_Static_assert(sizeof(struct ckey) % 4 == 0 && sizeof(struct fkey) % 4 == 0 &&
	sizeof(struct rkey) % 4 == 0 && sizeof(struct frkey) % 4 == 0 &&
	sizeof(struct ppkey) % 4 == 0 && sizeof(struct otherkey) % 4 == 0,
	"keys are whole words (key_eq)");
_Static_assert(sizeof(struct fkey) <= 64 && sizeof(struct rkey) <= 64 &&
	sizeof(struct frkey) <= 64, "keys fit the one-entry caches");

/* Parquet dictionary entries already interned (cur_row.ref): per field,
 * a few dictionaries (one per reader feeding this agg, and the next row
 * group's), each an array entry index -> string id + 1 (0: not yet). */
#define DREF_SLOTS 4
#define DREF_RESOURCE S_NFIELDS     /* the resource id's caches */
struct dref {
	uint64_t serial;      /* 0: unused */
	uint32_t *ids;
	size_t cap;
};

/* Tag sets by the tuple of their cells' dictionary refs (cur_row.tagref):
 * a direct-mapped cache, an entry replaced when another tuple hashes to its
 * slot, so it stays small whatever the number of row groups. */
#define TREF_SLOTS 1024
struct tref {
	size_t n;             /* 0: empty */
	uint64_t ref[CUR_TAGREF_MAX];
	uint32_t id;
};

struct agg {
	struct hmap strs;
	struct hmap tagsets;
	struct ktab facts, res, files, combos;
	struct store_sum *big;   /* promoted fact and resource sums */
	size_t nbig, bigalloc;
	/* running totals that survive agg_reset_facts */
	struct ktab pps, others, accounts;
	char *canon;          /* scratch for a row's tag set canon */
	size_t canon_alloc;
	uint32_t last[S_NFIELDS];  /* the previous row's ids, to skip hashing runs */
	uint32_t last_tags;
	uint32_t last_resource;
	int have_last, have_last_resource;
	struct kcache res_cache, file_cache, pp_cache, acc_cache, combo_cache;
	struct pend ring[AHEAD];   /* fact updates in flight, oldest at ring[rhead] */
	unsigned rhead, rn;
	uint32_t err_file;         /* the row of the last AGG_EOVERFLOW */
	long err_line;
	struct dref dref[S_NFIELDS + 1][DREF_SLOTS];
	unsigned dref_next[S_NFIELDS + 1];
	struct tref *tref;         /* TREF_SLOTS, allocated at the first tag refs */
};

static void csum_get(const struct agg *a, const struct csum *c, struct store_sum *out)
{
	if (c->rows < 0) {
		*out = a->big[-(c->rows + 1)];
		return;
	}
	out->rows = c->rows;
	out->usage_amount = c->usage_amount;
	out->unblended = c->unblended;
	out->ondemand = c->ondemand;
	out->effective = c->effective;
}

static int csum_add(struct agg *a, struct csum *c, const struct store_sum *v)
{
	if (c->rows >= 0) {
		struct csum r;
		struct store_sum wide;
		if (fits64(v->usage_amount) && fits64(v->unblended) && fits64(v->ondemand) &&
		    fits64(v->effective) &&
		    !__builtin_add_overflow(c->rows, v->rows, &r.rows) &&
		    !__builtin_add_overflow(c->usage_amount, (int64_t)v->usage_amount, &r.usage_amount) &&
		    !__builtin_add_overflow(c->unblended, (int64_t)v->unblended, &r.unblended) &&
		    !__builtin_add_overflow(c->ondemand, (int64_t)v->ondemand, &r.ondemand) &&
		    !__builtin_add_overflow(c->effective, (int64_t)v->effective, &r.effective)) {
			*c = r;
			return 0;
		}
		/* past 64 bits: the exact sums move to the big table */
		csum_get(a, c, &wide);
		if (a->nbig == a->bigalloc) {
			a->bigalloc = a->bigalloc ? a->bigalloc * 2 : 16;
			a->big = xreallocarray(a->big, a->bigalloc, sizeof(*a->big));
		}
		a->big[a->nbig] = wide;
		c->rows = -(int64_t)(a->nbig + 1);
		a->nbig++;
	}
	return sum_add(&a->big[-(c->rows + 1)], v);
}

struct agg *agg_new(void)
{
	struct agg *a = xcalloc(1, sizeof(*a));
	hmap_init(&a->strs);
	hmap_init(&a->tagsets);
	hmap_put(&a->strs, "", 0, NULL);       /* id 0 is "" */
	hmap_put(&a->tagsets, "", 0, NULL);    /* tag set 0 is "no tags" */
	ktab_init(&a->facts, sizeof(struct fkey), sizeof(struct csum), _Alignof(struct csum));
	ktab_init(&a->res, sizeof(struct rkey), sizeof(struct csum), _Alignof(struct csum));
	ktab_init(&a->combos, sizeof(struct ckey), 0, 4);
	ktab_init(&a->files, sizeof(struct frkey), sizeof(struct store_sum), _Alignof(struct store_sum));
	ktab_init(&a->pps, sizeof(struct ppkey), sizeof(struct store_sum), _Alignof(struct store_sum));
	ktab_init(&a->others, sizeof(struct otherkey), sizeof(struct store_sum),
		_Alignof(struct store_sum));
	ktab_init(&a->accounts, sizeof(uint32_t), sizeof(struct store_sum), _Alignof(struct store_sum));
	return a;
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	hmap_release(&a->strs);
	hmap_release(&a->tagsets);
	ktab_release(&a->facts);
	ktab_release(&a->res);
	ktab_release(&a->files);
	ktab_release(&a->combos);
	free(a->big);
	ktab_release(&a->pps);
	ktab_release(&a->others);
	ktab_release(&a->accounts);
	free(a->canon);
	free(a->tref);
	{
		size_t f, k;
		for (f = 0; f <= S_NFIELDS; f++)
			for (k = 0; k < DREF_SLOTS; k++)
				free(a->dref[f][k].ids);
	}
	free(a);
}

/* The id of s, reusing *last when the previous row had the same string. */
static uint32_t field_id(struct agg *a, uint32_t *last, int have_last, const char *s, size_t n)
{
	if (have_last) {
		const struct hmap_entry *e = &a->strs.e[*last];
		if (e->len == n && !memcmp(e->key, s, n))
			return *last;
	}
	*last = (uint32_t)hmap_put(&a->strs, s, n, NULL);
	return *last;
}

/* Forgets every interned dictionary entry: the string ids are renumbered
 * whenever have_last is cleared (agg_reset_facts, agg_merge), so agg_add
 * calls this on its first row after that. */
static void dref_forget(struct agg *a)
{
	size_t f, k;
	for (f = 0; f <= S_NFIELDS; f++)
		for (k = 0; k < DREF_SLOTS; k++)
			a->dref[f][k].serial = 0;
	if (a->tref)   /* the tag sets are renumbered too */
		memset(a->tref, 0, TREF_SLOTS * sizeof(*a->tref));
}

/* field_id for a text that is Parquet dictionary entry `ref` (non-zero):
 * hashed the first time the entry is seen, an array lookup after. */
static uint32_t ref_id(struct agg *a, size_t f, uint64_t ref, uint32_t *last, int have_last,
	const char *s, size_t n)
{
	uint64_t serial = ref >> CUR_REF_INDEX_BITS;
	size_t ix = (size_t)(ref & (((uint64_t)1 << CUR_REF_INDEX_BITS) - 1)) - 1, k;
	struct dref *d = a->dref[f];

	for (k = 0; k < DREF_SLOTS && d[k].serial != serial; k++)
		;
	if (k == DREF_SLOTS) {
		k = a->dref_next[f]++ % DREF_SLOTS;
		d[k].serial = serial;
		if (d[k].cap)
			memset(d[k].ids, 0, d[k].cap * sizeof(*d[k].ids));
	}
	if (ix >= d[k].cap) {
		size_t cap = d[k].cap ? d[k].cap : 64;
		while (cap <= ix)
			cap *= 2;
		d[k].ids = xreallocarray(d[k].ids, cap, sizeof(*d[k].ids));
		memset(d[k].ids + d[k].cap, 0, (cap - d[k].cap) * sizeof(*d[k].ids));
		d[k].cap = cap;
	}
	if (d[k].ids[ix] && d[k].ids[ix] <= a->strs.n)
		return *last = d[k].ids[ix] - 1;
	d[k].ids[ix] = field_id(a, last, have_last, s, n) + 1;
	*last = d[k].ids[ix] - 1;
	return *last;
}

static int tags_id_text(struct agg *a, uint32_t *out, const struct cur_row *row);

/* The tag set of a row: by its tag cells' refs when it has them, the
 * canon hashed only the first time a tuple is seen (or after its cache
 * entry was replaced). */
static int tags_id(struct agg *a, uint32_t *out, const struct cur_row *row)
{
	struct tref *t;
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	size_t i;
	int rc;

	if (!row->ntagrefs || row->ntagrefs > CUR_TAGREF_MAX || row->ntags == 0)
		return tags_id_text(a, out, row);
	for (i = 0; i < row->ntagrefs; i++)
		h = (h ^ row->tagref[i]) * 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	if (!a->tref)
		a->tref = xcalloc(TREF_SLOTS, sizeof(*a->tref));
	t = &a->tref[h & (TREF_SLOTS - 1)];
	if (t->n == row->ntagrefs && !memcmp(t->ref, row->tagref, t->n * sizeof(t->ref[0]))) {
		*out = t->id;
		return 0;
	}
	if ((rc = tags_id_text(a, out, row)) < 0)
		return rc;
	t->n = row->ntagrefs;
	memcpy(t->ref, row->tagref, t->n * sizeof(t->ref[0]));
	t->id = *out;
	return 0;
}

static int tags_id_text(struct agg *a, uint32_t *out, const struct cur_row *row)
{
	size_t i, need = 0, n = 0;

	if (row->ntags == 0) {
		/* last_tags must always name a tag set of this table: after
		 * agg_reset_facts an older id could name another set, or none */
		*out = a->last_tags = 0;
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
		const struct hmap_entry *e = &a->tagsets.e[a->last_tags];
		if (e->len == n && !memcmp(e->key, a->canon, n)) {
			*out = a->last_tags;
			return 0;
		}
	}
	*out = a->last_tags = (uint32_t)hmap_put(&a->tagsets, a->canon, n, NULL);
	return 0;
}

/* Applies the oldest fact update in flight. */
static int apply_oldest(struct agg *a)
{
	struct pend *p = &a->ring[a->rhead];
	int rc = csum_add(a, ktab_vp(&a->facts, ktab_index_h(&a->facts, &p->k, p->h)), &p->v);
	if (rc < 0) {
		a->err_file = p->file;
		a->err_line = p->line;
	}
	a->rhead = (a->rhead + 1) & (AHEAD - 1);
	a->rn--;
	return rc;
}

/* Queues a fact update: prefetches its slot now, the entry of the update
 * AHEAD/2 behind it (whose slot has arrived by then), and applies the
 * oldest once AHEAD are in flight. */
static int push_fact(struct agg *a, const struct fkey *k, const struct store_sum *v,
	uint32_t file, long line)
{
	struct ktab *t = &a->facts;
	struct pend *p;
	int rc = 0;

	if (a->rn == AHEAD && (rc = apply_oldest(a)) < 0)
		return rc;
	p = &a->ring[(a->rhead + a->rn) & (AHEAD - 1)];
	p->k = *k;
	p->h = ktab_hash(t, k);
	p->file = file;
	p->line = line;
	p->v = *v;
	a->rn++;
	__builtin_prefetch(&t->slots[p->h & t->mask]);
	if (a->rn > AHEAD / 2) {
		const struct pend *q = &a->ring[(a->rhead + a->rn - 1 - AHEAD / 2) & (AHEAD - 1)];
		uint32_t slot = t->slots[q->h & t->mask];
		if (slot) {
			const unsigned char *e = ktab_ent(t, slot - 1);
			__builtin_prefetch(e);
			__builtin_prefetch(e + t->esize - 1);
		}
	}
	return 0;
}

int agg_flush(struct agg *a)
{
	int rc = 0;
	while (a->rn && rc == 0)
		rc = apply_oldest(a);
	a->rn = 0;
	return rc;
}

void agg_error_row(const struct agg *a, uint32_t *file, long *line)
{
	*file = a->err_file;
	*line = a->err_line;
}

int agg_add(struct agg *a, const struct cur_row *row, uint32_t file)
{
	const struct rb_str *f[S_NFIELDS] = {
		[S_PAYER] = &row->payer, [S_ACCOUNT] = &row->account, [S_TYPE] = &row->type,
		[S_PCODE] = &row->product_code, [S_PNAME] = &row->product_name,
		[S_UTYPE] = &row->usage_type, [S_OP] = &row->operation, [S_REGION] = &row->region,
		[S_PROVIDER] = &row->provider, [S_CURRENCY] = &row->currency,
	};
	static const int ref_of[S_NFIELDS] = {
		[S_DAY] = CUR_REF_DAY, [S_PAYER] = CUR_REF_PAYER, [S_ACCOUNT] = CUR_REF_ACCOUNT,
		[S_TYPE] = CUR_REF_TYPE, [S_PCODE] = CUR_REF_PCODE, [S_PNAME] = CUR_REF_PNAME,
		[S_UTYPE] = CUR_REF_UTYPE, [S_OP] = CUR_REF_OP, [S_REGION] = CUR_REF_REGION,
		[S_OWNER] = -1, [S_PROVIDER] = -1, [S_CURRENCY] = -1,
	};
	uint32_t id[S_NFIELDS];
	struct fkey k;
	struct ckey c;
	struct store_sum v, *sum;
	size_t i;
	int rc;

	memset(&k, 0, sizeof(k));
	memset(&c, 0, sizeof(c));
	if (!a->have_last)
		dref_forget(a);
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
			/* rows built in C may leave a field {NULL, 0} (provider) */
			s = f[i]->n ? f[i]->p : "";
			n = f[i]->n;
		}
		if (ref_of[i] >= 0 && row->ref[ref_of[i]])
			id[i] = ref_id(a, i, row->ref[ref_of[i]], &a->last[i], a->have_last, s, n);
		else
			id[i] = field_id(a, &a->last[i], a->have_last, s, n);
	}
	a->have_last = 1;
	c.period = row->period;
	c.cls = (int32_t)row->cls;
	c.payer = id[S_PAYER];
	c.type = id[S_TYPE];
	c.pcode = id[S_PCODE];
	c.pname = id[S_PNAME];
	c.utype = id[S_UTYPE];
	c.op = id[S_OP];
	c.region = id[S_REGION];
	c.owner = id[S_OWNER];
	k.combo = (uint32_t)ktab_index_cached(&a->combos, &a->combo_cache, &c);
	k.day = id[S_DAY];
	k.account = id[S_ACCOUNT];

	v.rows = 1;
	v.usage_amount = row->usage_amount;
	v.unblended = row->views.unblended;
	v.ondemand = row->views.ondemand;
	v.effective = row->views.effective;
	a->err_file = file;
	a->err_line = row->line;
	if ((rc = push_fact(a, &k, &v, file, row->line)) < 0)
		return rc;

	if (row->resource_id.n) {
		struct rkey r;
		memset(&r, 0, sizeof(r));
		r.period = row->period;
		r.payer = c.payer;
		r.account = k.account;
		r.resource = row->ref[CUR_REF_RESOURCE] ?
			ref_id(a, DREF_RESOURCE, row->ref[CUR_REF_RESOURCE], &a->last_resource,
				a->have_last_resource, row->resource_id.p, row->resource_id.n) :
			field_id(a, &a->last_resource, a->have_last_resource,
				row->resource_id.p, row->resource_id.n);
		a->have_last_resource = 1;
		r.pcode = c.pcode;
		/* a later failure would leave a fact counted without its resource;
		 * overflow aborts the whole import, so that is never written */
		if ((rc = csum_add(a, ktab_vp(&a->res, ktab_index_cached(&a->res, &a->res_cache, &r)),
				&v)) < 0)
			return rc;
	}
	{
		struct frkey fk;
		memset(&fk, 0, sizeof(fk));
		fk.file = file;
		fk.period = row->period;
		fk.payer = c.payer;
		fk.provider = id[S_PROVIDER];
		fk.currency = id[S_CURRENCY];
		sum = ktab_get_cached(&a->files, &a->file_cache, &fk);
		sum->rows++;
	}
	{
		struct ppkey pk;
		memset(&pk, 0, sizeof(pk));
		pk.period = row->period;
		pk.payer = c.payer;
		pk.provider = id[S_PROVIDER];
		pk.currency = id[S_CURRENCY];
		if ((rc = sum_add(ktab_get_cached(&a->pps, &a->pp_cache, &pk), &v)) < 0)
			return rc;
		ktab_get_cached(&a->accounts, &a->acc_cache, &k.account)->rows++;
	}
	if (row->cls == CUR_OTHER) {
		struct otherkey ok;
		memset(&ok, 0, sizeof(ok));
		ok.period = row->period;
		ok.payer = c.payer;
		ok.type = c.type;
		if ((rc = sum_add(ktab_get(&a->others, &ok), &v)) < 0)
			return rc;
	}
	return 0;
}

/* Maps `from`'s string ids into `into`, lazily. */
struct idmap {
	uint32_t *map;        /* id + 1, 0 = not mapped yet */
	const struct hmap *from;
	struct hmap *into;
};

static uint32_t map_id(struct idmap *m, uint32_t id)
{
	if (!m->map[id]) {
		const struct hmap_entry *e = &m->from->e[id];
		m->map[id] = (uint32_t)hmap_put(m->into, e->key, e->len, NULL) + 1;
	}
	return m->map[id] - 1;
}

/* Rebuilds t with every key's string ids (at the given uint32 offsets in
 * the key) mapped through m. */
static void ktab_remap(struct ktab *t, struct idmap *m, const size_t *offs, size_t noffs)
{
	struct ktab n;
	size_t i, j;

	ktab_init(&n, t->ksize, t->vsize, t->valign);
	for (i = 0; i < t->n; i++) {
		unsigned char key[64];
		memcpy(key, ktab_key(t, i), t->ksize);
		for (j = 0; j < noffs; j++) {
			uint32_t id;
			memcpy(&id, key + offs[j], 4);
			id = map_id(m, id);
			memcpy(key + offs[j], &id, 4);
		}
		memcpy(ktab_vp(&n, ktab_index(&n, key)), ktab_vp(t, i), t->vsize);
	}
	ktab_release(t);
	*t = n;
}

void agg_reset_facts(struct agg *a)
{
	static const size_t file_offs[] = { offsetof(struct frkey, payer),
		offsetof(struct frkey, provider), offsetof(struct frkey, currency) };
	static const size_t pp_offs[] = { offsetof(struct ppkey, payer),
		offsetof(struct ppkey, provider), offsetof(struct ppkey, currency) };
	static const size_t other_offs[] = { offsetof(struct otherkey, payer),
		offsetof(struct otherkey, type) };
	static const size_t acc_offs[] = { 0 };
	struct hmap fresh;
	struct idmap m;

	/* facts, resources, combos and tag sets go (they were spilled); the
	 * strings are rebuilt with only those the running totals still use */
	ktab_release(&a->facts);
	ktab_release(&a->res);
	ktab_release(&a->combos);
	ktab_init(&a->facts, sizeof(struct fkey), sizeof(struct csum), _Alignof(struct csum));
	ktab_init(&a->res, sizeof(struct rkey), sizeof(struct csum), _Alignof(struct csum));
	ktab_init(&a->combos, sizeof(struct ckey), 0, 4);
	hmap_release(&a->tagsets);
	hmap_init(&a->tagsets);
	hmap_put(&a->tagsets, "", 0, NULL);
	a->nbig = 0;
	hmap_init(&fresh);
	hmap_put(&fresh, "", 0, NULL);
	m.map = xcalloc(hmap_count(&a->strs) ? hmap_count(&a->strs) : 1, sizeof(uint32_t));
	m.from = &a->strs;
	m.into = &fresh;
	ktab_remap(&a->files, &m, file_offs, 3);
	ktab_remap(&a->pps, &m, pp_offs, 3);
	ktab_remap(&a->others, &m, other_offs, 2);
	ktab_remap(&a->accounts, &m, acc_offs, 1);
	free(m.map);
	hmap_release(&a->strs);
	a->strs = fresh;
	a->have_last = 0;
	a->have_last_resource = 0;
	memset(&a->res_cache, 0, sizeof(a->res_cache));
	memset(&a->file_cache, 0, sizeof(a->file_cache));
	memset(&a->pp_cache, 0, sizeof(a->pp_cache));
	memset(&a->acc_cache, 0, sizeof(a->acc_cache));
	memset(&a->combo_cache, 0, sizeof(a->combo_cache));
}

static size_t ktab_used(const struct ktab *t)
{
	return t->n * t->esize + (t->mask + 1) * sizeof(uint32_t);
}

size_t agg_facts_memory(const struct agg *a)
{
	return ktab_used(&a->facts) + ktab_used(&a->res) + ktab_used(&a->combos) +
		hmap_used(&a->strs) + hmap_used(&a->tagsets) + a->nbig * sizeof(*a->big);
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
	*payer = a->strs.e[k.payer].key;
	*period = k.period;
	*sum = *ktab_val(&a->pps, i);
}

const char *agg_pp_provider(const struct agg *a, size_t i)
{
	struct ppkey k;
	memcpy(&k, ktab_key(&a->pps, i), sizeof(k));
	return a->strs.e[k.provider].key;
}

const char *agg_pp_currency(const struct agg *a, size_t i)
{
	struct ppkey k;
	const char *c;
	memcpy(&k, ktab_key(&a->pps, i), sizeof(k));
	c = a->strs.e[k.currency].key;
	return *c ? c : "USD";
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
	*payer = a->strs.e[k.payer].key;
	*period = k.period;
	*type = a->strs.e[k.type].key;
	*sum = *ktab_val(&a->others, i);
}

size_t agg_naccounts(const struct agg *a)
{
	return a->accounts.n;
}

int agg_merge(struct agg *into, const struct agg *from)
{
	struct idmap sm = { xcalloc(hmap_count(&from->strs) ? hmap_count(&from->strs) : 1, sizeof(uint32_t)),
		&from->strs, &into->strs };
	struct idmap tm = { xcalloc(hmap_count(&from->tagsets) ? hmap_count(&from->tagsets) : 1, sizeof(uint32_t)),
		&from->tagsets, &into->tagsets };
	size_t i;
	int rc = agg_flush(into);

	for (i = 0; i < from->facts.n && rc == 0; i++) {
		struct fkey k;
		struct ckey c;
		struct store_sum v;
		memcpy(&k, ktab_key(&from->facts, i), sizeof(k));
		memcpy(&c, ktab_key(&from->combos, k.combo), sizeof(c));
		c.payer = map_id(&sm, c.payer);
		c.type = map_id(&sm, c.type);
		c.pcode = map_id(&sm, c.pcode);
		c.pname = map_id(&sm, c.pname);
		c.utype = map_id(&sm, c.utype);
		c.op = map_id(&sm, c.op);
		c.region = map_id(&sm, c.region);
		c.owner = map_id(&sm, c.owner);
		k.combo = (uint32_t)ktab_index(&into->combos, &c);
		k.day = map_id(&sm, k.day);
		k.account = map_id(&sm, k.account);
		k.tags = map_id(&tm, k.tags);
		csum_get(from, ktab_vp(&from->facts, i), &v);
		rc = csum_add(into, ktab_vp(&into->facts, ktab_index(&into->facts, &k)), &v);
	}
	for (i = 0; i < from->res.n && rc == 0; i++) {
		struct rkey k;
		struct store_sum v;
		memcpy(&k, ktab_key(&from->res, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		k.account = map_id(&sm, k.account);
		k.resource = map_id(&sm, k.resource);
		k.pcode = map_id(&sm, k.pcode);
		csum_get(from, ktab_vp(&from->res, i), &v);
		rc = csum_add(into, ktab_vp(&into->res, ktab_index(&into->res, &k)), &v);
	}
	for (i = 0; i < from->files.n && rc == 0; i++) {
		struct frkey k;
		memcpy(&k, ktab_key(&from->files, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		k.provider = map_id(&sm, k.provider);
		k.currency = map_id(&sm, k.currency);
		rc = sum_add(ktab_get(&into->files, &k), ktab_val(&from->files, i));
	}
	for (i = 0; i < from->pps.n && rc == 0; i++) {
		struct ppkey k;
		memcpy(&k, ktab_key(&from->pps, i), sizeof(k));
		k.payer = map_id(&sm, k.payer);
		k.provider = map_id(&sm, k.provider);
		k.currency = map_id(&sm, k.currency);
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
	memset(&into->res_cache, 0, sizeof(into->res_cache));
	memset(&into->file_cache, 0, sizeof(into->file_cache));
	memset(&into->pp_cache, 0, sizeof(into->pp_cache));
	memset(&into->acc_cache, 0, sizeof(into->acc_cache));
	memset(&into->combo_cache, 0, sizeof(into->combo_cache));
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
	struct store_sum sum;
	struct fkey k;
	struct ckey c;
	const struct hmap_entry *s = a->strs.e;

	memcpy(&k, ktab_key(&a->facts, i), sizeof(k));
	memcpy(&c, ktab_key(&a->combos, k.combo), sizeof(c));
	memset(out, 0, sizeof(*out));
	out->period = c.period;
	out->fact.cls = (enum cur_class)c.cls;
	out->day = s[k.day].key;
	out->fact.payer = s[c.payer].key;
	out->fact.account = s[k.account].key;
	out->fact.line_item_type = s[c.type].key;
	out->fact.product_code = s[c.pcode].key;
	out->fact.product_name = s[c.pname].key;
	out->fact.usage_type = s[c.utype].key;
	out->fact.operation = s[c.op].key;
	out->fact.region = s[c.region].key;
	out->fact.owner = s[c.owner].key;
	out->tagset_id = k.tags;
	out->tags = a->tagsets.e[k.tags].key;
	csum_get(a, ktab_vp(&a->facts, i), &sum);
	out->fact.rows = (long)sum.rows;
	out->usage_amount = sum.usage_amount;
	out->fact.unblended = sum.unblended;
	out->fact.ondemand = sum.ondemand;
	out->fact.effective = sum.effective;
}

void agg_fact_prefetch(const struct agg *a, size_t i)
{
	const unsigned char *e = ktab_ent(&a->facts, i);
	__builtin_prefetch(e);
	__builtin_prefetch(e + a->facts.esize - 1);
}

size_t agg_ntagsets(const struct agg *a)
{
	return hmap_count(&a->tagsets);
}

const char *agg_tagset(const struct agg *a, size_t i)
{
	return a->tagsets.e[i].key;
}

size_t agg_nresources(const struct agg *a)
{
	return a->res.n;
}

void agg_resource(const struct agg *a, size_t i, struct store_resource_fact *out)
{
	struct rkey k;
	const struct hmap_entry *s = a->strs.e;

	memcpy(&k, ktab_key(&a->res, i), sizeof(k));
	memset(out, 0, sizeof(*out));
	out->period = k.period;
	out->payer = s[k.payer].key;
	out->account = s[k.account].key;
	out->resource_id = s[k.resource].key;
	out->product_code = s[k.pcode].key;
	csum_get(a, ktab_vp(&a->res, i), &out->sum);
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
	out->payer = a->strs.e[k.payer].key;
	out->provider = a->strs.e[k.provider].key;
	out->currency = *a->strs.e[k.currency].key ? a->strs.e[k.currency].key : "USD";
	out->period = k.period;
	out->rows = ktab_val(&a->files, i)->rows;
}


size_t agg_memory(const struct agg *a)
{
	return hmap_memory(&a->strs) + hmap_memory(&a->tagsets) + ktab_memory(&a->facts) +
		ktab_memory(&a->res) + ktab_memory(&a->files) + ktab_memory(&a->pps) +
		ktab_memory(&a->others) + ktab_memory(&a->accounts) + ktab_memory(&a->combos) +
		a->bigalloc * sizeof(*a->big) + a->canon_alloc;
}

/* ---- raw ids, for the spill ---- */

void agg_fact_ids(const struct agg *a, size_t i, struct agg_fact_ids *out, struct store_sum *sum)
{
	struct fkey k;
	struct ckey c;

	memcpy(&k, ktab_key(&a->facts, i), sizeof(k));
	memcpy(&c, ktab_key(&a->combos, k.combo), sizeof(c));
	out->period = c.period;
	out->cls = c.cls;
	out->str[0] = k.day;
	out->str[1] = c.payer;
	out->str[2] = k.account;
	out->str[3] = c.type;
	out->str[4] = c.pcode;
	out->str[5] = c.pname;
	out->str[6] = c.utype;
	out->str[7] = c.op;
	out->str[8] = c.region;
	out->str[9] = c.owner;
	out->tags = k.tags;
	csum_get(a, ktab_vp(&a->facts, i), sum);
}

void agg_resource_ids(const struct agg *a, size_t i, struct agg_res_ids *out,
	struct store_sum *sum)
{
	struct rkey k;
	memcpy(&k, ktab_key(&a->res, i), sizeof(k));
	out->period = k.period;
	out->payer = k.payer;
	out->account = k.account;
	out->resource = k.resource;
	out->pcode = k.pcode;
	csum_get(a, ktab_vp(&a->res, i), sum);
}

size_t agg_nstrs(const struct agg *a)
{
	return hmap_count(&a->strs);
}

const char *agg_str(const struct agg *a, uint32_t id, size_t *len, uint32_t *hash)
{
	*len = a->strs.e[id].len;
	*hash = a->strs.e[id].hash;
	return a->strs.e[id].key;
}

const char *agg_tagset_str(const struct agg *a, uint32_t id, size_t *len, uint32_t *hash)
{
	*len = a->tagsets.e[id].len;
	*hash = a->tagsets.e[id].hash;
	return a->tagsets.e[id].key;
}

uint32_t agg_intern(struct agg *a, const char *s, size_t n)
{
	return (uint32_t)hmap_put(&a->strs, s, n, NULL);
}

uint32_t agg_intern_tagset(struct agg *a, const char *s, size_t n)
{
	return (uint32_t)hmap_put(&a->tagsets, s, n, NULL);
}

int agg_add_fact_ids(struct agg *a, const struct agg_fact_ids *ids, const struct store_sum *v)
{
	struct fkey k;
	struct ckey c;

	memset(&k, 0, sizeof(k));
	memset(&c, 0, sizeof(c));
	c.period = ids->period;
	c.cls = ids->cls;
	c.payer = ids->str[1];
	c.type = ids->str[3];
	c.pcode = ids->str[4];
	c.pname = ids->str[5];
	c.utype = ids->str[6];
	c.op = ids->str[7];
	c.region = ids->str[8];
	c.owner = ids->str[9];
	k.combo = (uint32_t)ktab_index_cached(&a->combos, &a->combo_cache, &c);
	k.day = ids->str[0];
	k.account = ids->str[2];
	k.tags = ids->tags;
	a->err_file = UINT32_MAX;
	a->err_line = 0;
	return csum_add(a, ktab_vp(&a->facts, ktab_index(&a->facts, &k)), v);
}

int agg_add_resource_ids(struct agg *a, const struct agg_res_ids *ids, const struct store_sum *v)
{
	struct rkey k;
	memset(&k, 0, sizeof(k));
	k.period = ids->period;
	k.payer = ids->payer;
	k.account = ids->account;
	k.resource = ids->resource;
	k.pcode = ids->pcode;
	a->err_file = UINT32_MAX;
	a->err_line = 0;
	return csum_add(a, ktab_vp(&a->res, ktab_index(&a->res, &k)), v);
}
