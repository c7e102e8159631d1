/*
 * spill.c: see spill.h. The file is a sequence of runs; a run is
 * SPILL_PARTS segments, one per partition, whose offsets stay in memory.
 * A segment is a stream of entries, each a kind byte then fixed fields:
 *
 *   'S' u32 len, bytes       a string: the segment's next local id
 *   'T' u32 len, bytes       a tag set canon: the segment's next local id
 *   'F' / 'W'                a fact: i32 period, i32 class, u32 local ids of
 *                            the 10 strings and the tag set, i64 rows, the
 *                            usage amount and three costs (i64 each for 'F',
 *                            128-bit for 'W')
 *   'R' / 'Q'                a resource fact: i32 period, u32 local ids of
 *                            payer, account, resource id, product code, i64
 *                            rows, four amounts as above
 *
 * Local ids count from 0 in every segment, so a segment is read with its
 * own strings only, interned afresh into the table that sums it: no id of
 * the writing table (which is emptied after the run) is ever read back.
 * Fields are in native byte order: the file never leaves the process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* O_TMPFILE */
#endif
#include "import/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/hash.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define WBUF (256u << 10)     /* write buffer */
#define LEVELS 4              /* a level-3 partition is summed in memory whatever its size */
#define CHECK_EVERY 256       /* records between memory checks while summing */

struct spill {
	int fd;
	int level;
	char dir[256];
	unsigned char *buf;
	size_t blen;
	uint64_t pos;             /* bytes written, buffer included */
	uint64_t *offs;           /* run r: offs[r * (SPILL_PARTS + 1) + p], p = 0..SPILL_PARTS */
	size_t nruns, alloc;
	size_t total_runs;        /* with the levels below, for spill_runs */
	uint64_t total_bytes;
	/* Level 0: the tag set canons that split the partitions, fixed by the
	 * first run (see spill_write). */
	char **splits;
	size_t *split_len, nsplits;
	int have_splits;
};

static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

static int spill_open_level(struct spill **out, int level, struct rb_err *err)
{
	struct spill *sp;
	const char *dir = tmp_dir();
	int fd = -1;

	*out = NULL;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		/* no O_TMPFILE here: a name, removed at once */
		char path[4096];
		snprintf(path, sizeof(path), "%s/rebill-spill-XXXXXX", dir);
		fd = mkstemp(path);
		if (fd >= 0) {
			unlink(path);
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
	}
	if (fd < 0)
		return rb_err_set(err, RB_EIO, "cannot create a temporary file in %s for the import's"
			" spill: %s (TMPDIR names the directory)", dir, strerror(errno));
	sp = xcalloc(1, sizeof(*sp));
	sp->fd = fd;
	sp->level = level;
	snprintf(sp->dir, sizeof(sp->dir), "%s", dir);
	sp->buf = xmalloc(WBUF);
	*out = sp;
	return 0;
}

int spill_open(struct spill **out, struct rb_err *err)
{
	return spill_open_level(out, 0, err);
}

void spill_free(struct spill *sp)
{
	size_t i;
	if (!sp)
		return;
	for (i = 0; i < sp->nsplits; i++)
		free(sp->splits[i]);
	free(sp->splits);
	free(sp->split_len);
	close(sp->fd);
	free(sp->buf);
	free(sp->offs);
	free(sp);
}

size_t spill_runs(const struct spill *sp)
{
	return sp ? sp->nruns + sp->total_runs : 0;
}

uint64_t spill_bytes(const struct spill *sp)
{
	return sp ? sp->pos + sp->total_bytes : 0;
}

static int io_error(const struct spill *sp, const char *what, int e, struct rb_err *err)
{
	return rb_err_set(err, RB_EIO, "cannot %s the import's temporary spill file in %s: %s",
		what, sp->dir, strerror(e));
}

static int wflush(struct spill *sp, struct rb_err *err)
{
	size_t done = 0;
	while (done < sp->blen) {
		ssize_t n = write(sp->fd, sp->buf + done, sp->blen - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return io_error(sp, "write", n < 0 ? errno : ENOSPC, err);
		done += (size_t)n;
	}
	sp->blen = 0;
	return 0;
}

static int wput(struct spill *sp, const void *p, size_t n, struct rb_err *err)
{
	int rc;
	sp->pos += n;
	while (n) {
		size_t k = WBUF - sp->blen;
		if (k > n)
			k = n;
		memcpy(sp->buf + sp->blen, p, k);
		sp->blen += k;
		p = (const unsigned char *)p + k;
		n -= k;
		if (sp->blen == WBUF && (rc = wflush(sp, err)) < 0)
			return rc;
	}
	return 0;
}

/* ---- hashing keys by content ---- */

static uint64_t hstep(uint64_t h, uint64_t v)
{
	return rb_hash_mix(h + v + 0x9e3779b97f4a7c15ULL);
}

static uint64_t seed(int level, int kind)
{
	return 0x243f6a8885a308d3ULL * (uint64_t)(2 * level + kind + 1);
}

static unsigned part_of(uint64_t h)
{
	return (unsigned)(h >> 58) % SPILL_PARTS;   /* SPILL_PARTS = 64: the top 6 bits */
}

static uint64_t fact_hash(const struct agg *a, const struct agg_fact_ids *k, int level)
{
	uint64_t h = seed(level, 0);
	size_t len;
	uint32_t sh;
	int i;
	h = hstep(h, (uint64_t)(uint32_t)k->period << 8 | (uint32_t)k->cls);
	for (i = 0; i < AGG_FACT_NSTR; i++) {
		(void)agg_str(a, k->str[i], &len, &sh);
		h = hstep(h, (uint64_t)sh << 8 | (uint64_t)len);
	}
	(void)agg_tagset_str(a, k->tags, &len, &sh);
	return hstep(h, (uint64_t)sh << 8 | (uint64_t)len);
}

static uint64_t res_hash(const struct agg *a, const struct agg_res_ids *k, int level)
{
	uint32_t ids[4] = { k->payer, k->account, k->resource, k->pcode }, sh;
	uint64_t h = hstep(seed(level, 1), (uint32_t)k->period);
	size_t len;
	int i;
	for (i = 0; i < 4; i++) {
		(void)agg_str(a, ids[i], &len, &sh);
		h = hstep(h, (uint64_t)sh << 8 | (uint64_t)len);
	}
	return h;
}

/* ---- partitions by tag set, in canon order ----
 *
 * The batch writes tag sets in canon order, and the UNIQUE index on the
 * canon grows by appends only when they come so. So at level 0 a tagged
 * fact's partition is the range of its canon between split canons (taken
 * from the first run's tag sets, evenly spaced): partition by partition,
 * each sorted, the tag sets come out in one ascending sequence. Untagged
 * facts and resource facts are spread by hash. A fact's partition must be
 * the same in every run: the splits never change once set. Levels below
 * spread everything by hash (a very common tag set then still splits). */

static int canon_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static const struct agg *sort_agg;   /* qsort has no context argument */

static int tagset_id_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	size_t an, bn;
	uint32_t h;
	const char *as = agg_tagset_str(sort_agg, a, &an, &h), *bs = agg_tagset_str(sort_agg, b, &bn, &h);
	return canon_cmp(as, an, bs, bn);
}

static void choose_splits(struct spill *sp, const struct agg *a)
{
	size_t n = agg_ntagsets(a) - 1, i, k;   /* tag set 0 is "" */
	uint32_t *ids;

	sp->have_splits = 1;
	if (n == 0)
		return;
	ids = xmalloc(n * sizeof(uint32_t));
	for (i = 0; i < n; i++)
		ids[i] = (uint32_t)(i + 1);
	sort_agg = a;
	qsort(ids, n, sizeof(uint32_t), tagset_id_cmp);
	sort_agg = NULL;
	sp->splits = xcalloc(SPILL_PARTS, sizeof(char *));
	sp->split_len = xcalloc(SPILL_PARTS, sizeof(size_t));
	for (k = 1; k < SPILL_PARTS; k++) {
		size_t len;
		uint32_t h;
		const char *c;
		i = k * n / SPILL_PARTS;
		if (i >= n || (k > 1 && i == (k - 1) * n / SPILL_PARTS))
			continue;   /* fewer tag sets than partitions */
		c = agg_tagset_str(a, ids[i], &len, &h);
		sp->splits[sp->nsplits] = xmalloc(len + 1);
		memcpy(sp->splits[sp->nsplits], c, len);
		sp->splits[sp->nsplits][len] = 0;
		sp->split_len[sp->nsplits++] = len;
	}
	free(ids);
}

/* The level-0 partition of a tag set (not ""): how many splits are <= it. */
static unsigned tagset_part(const struct spill *sp, const char *c, size_t len)
{
	size_t lo = 0, hi = sp->nsplits;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (canon_cmp(sp->splits[mid], sp->split_len[mid], c, len) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned)lo;
}

/* ---- writing a run ---- */

/* A string or tag set's local id in the segment being written: loc[id] =
 * local + 1 (0: not written yet in this segment). */
struct locmap {
	uint32_t *ls, *lt;        /* strings, tag sets */
	uint32_t *touched;        /* ids set, tag sets with the top bit */
	size_t ntouched, next;
};

static int local_id(struct spill *sp, struct locmap *m, const struct agg *a, uint32_t id,
	int tagset, uint32_t *out, struct rb_err *err)
{
	uint32_t *slot = tagset ? &m->lt[id] : &m->ls[id], len32, hash;
	size_t len;
	const char *s;
	unsigned char kind = tagset ? 'T' : 'S';
	int rc;

	if (*slot) {
		*out = *slot - 1;
		return 0;
	}
	s = tagset ? agg_tagset_str(a, id, &len, &hash) : agg_str(a, id, &len, &hash);
	len32 = (uint32_t)len;
	if ((rc = wput(sp, &kind, 1, err)) < 0 || (rc = wput(sp, &len32, 4, err)) < 0 ||
	    (rc = wput(sp, s, len, err)) < 0)
		return rc;
	*slot = (uint32_t)++m->next;
	m->touched[m->ntouched++] = id | (tagset ? 0x80000000u : 0);
	*out = *slot - 1;
	return 0;
}

static int fits64(rb_i128 v)
{
	return v >= INT64_MIN && v <= INT64_MAX;
}

/* The amounts: 4 x i64 when all fit ("narrow"), else 4 x 128 bits. */
static int put_sums(struct spill *sp, const struct store_sum *v, int wide, struct rb_err *err)
{
	rb_i128 a[4] = { v->usage_amount, v->unblended, v->ondemand, v->effective };
	int i, rc;
	if ((rc = wput(sp, &v->rows, 8, err)) < 0)
		return rc;
	for (i = 0; i < 4; i++) {
		if (wide) {
			rc = wput(sp, &a[i], sizeof(a[i]), err);
		} else {
			int64_t n = (int64_t)a[i];
			rc = wput(sp, &n, 8, err);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int is_wide(const struct store_sum *v)
{
	return !fits64(v->usage_amount) || !fits64(v->unblended) || !fits64(v->ondemand) ||
		!fits64(v->effective);
}

static int write_fact(struct spill *sp, struct locmap *m, const struct agg *a, size_t i,
	struct rb_err *err)
{
	struct agg_fact_ids k;
	struct store_sum v;
	uint32_t loc[AGG_FACT_NSTR + 1];
	unsigned char kind;
	int j, rc, wide;

	agg_fact_ids(a, i, &k, &v);
	for (j = 0; j < AGG_FACT_NSTR; j++)
		if ((rc = local_id(sp, m, a, k.str[j], 0, &loc[j], err)) < 0)
			return rc;
	if ((rc = local_id(sp, m, a, k.tags, 1, &loc[AGG_FACT_NSTR], err)) < 0)
		return rc;
	wide = is_wide(&v);
	kind = wide ? 'W' : 'F';
	if ((rc = wput(sp, &kind, 1, err)) < 0 || (rc = wput(sp, &k.period, 4, err)) < 0 ||
	    (rc = wput(sp, &k.cls, 4, err)) < 0 || (rc = wput(sp, loc, sizeof(loc), err)) < 0)
		return rc;
	return put_sums(sp, &v, wide, err);
}

static int write_res(struct spill *sp, struct locmap *m, const struct agg *a, size_t i,
	struct rb_err *err)
{
	struct agg_res_ids k;
	struct store_sum v;
	uint32_t ids[4], loc[4];
	unsigned char kind;
	int j, rc, wide;

	agg_resource_ids(a, i, &k, &v);
	ids[0] = k.payer;
	ids[1] = k.account;
	ids[2] = k.resource;
	ids[3] = k.pcode;
	for (j = 0; j < 4; j++)
		if ((rc = local_id(sp, m, a, ids[j], 0, &loc[j], err)) < 0)
			return rc;
	wide = is_wide(&v);
	kind = wide ? 'Q' : 'R';
	if ((rc = wput(sp, &kind, 1, err)) < 0 || (rc = wput(sp, &k.period, 4, err)) < 0 ||
	    (rc = wput(sp, loc, sizeof(loc), err)) < 0)
		return rc;
	return put_sums(sp, &v, wide, err);
}

int spill_write(struct spill *sp, const struct agg *a, struct rb_err *err)
{
	size_t nf = agg_nfacts(a), nr = agg_nresources(a), n = nf + nr, i;
	size_t start[SPILL_PARTS + 1], fill[SPILL_PARTS];
	unsigned char *part = xmalloc(n ? n : 1), *tpart = NULL;
	uint32_t *order = xmalloc((n ? n : 1) * sizeof(uint32_t));
	struct locmap m;
	uint64_t *offs;
	unsigned p;
	int rc = 0;

	memset(start, 0, sizeof(start));
	memset(&m, 0, sizeof(m));
	if (sp->level == 0 && !sp->have_splits)
		choose_splits(sp, a);
	if (sp->level == 0) {
		/* each tag set's partition once */
		size_t nt = agg_ntagsets(a);
		tpart = xmalloc(nt ? nt : 1);
		for (i = 1; i < nt; i++) {
			size_t len;
			uint32_t h;
			const char *c = agg_tagset_str(a, (uint32_t)i, &len, &h);
			tpart[i] = (unsigned char)tagset_part(sp, c, len);
		}
	}
	/* the partition of every record, then a counting sort by it */
	for (i = 0; i < nf; i++) {
		struct agg_fact_ids k;
		struct store_sum v;
		agg_fact_ids(a, i, &k, &v);
		part[i] = (unsigned char)(tpart && k.tags ? tpart[k.tags]
			: part_of(fact_hash(a, &k, sp->level)));
	}
	free(tpart);
	for (i = 0; i < nr; i++) {
		struct agg_res_ids k;
		struct store_sum v;
		agg_resource_ids(a, i, &k, &v);
		part[nf + i] = (unsigned char)part_of(res_hash(a, &k, sp->level));
	}
	for (i = 0; i < n; i++)
		start[part[i] + 1]++;
	for (p = 0; p < SPILL_PARTS; p++) {
		start[p + 1] += start[p];
		fill[p] = start[p];
	}
	for (i = 0; i < n; i++)
		order[fill[part[i]]++] = (uint32_t)i;
	free(part);
	part = NULL;

	if (sp->nruns == sp->alloc) {
		sp->alloc = sp->alloc ? sp->alloc * 2 : 8;
		sp->offs = xreallocarray(sp->offs, sp->alloc * (SPILL_PARTS + 1), sizeof(uint64_t));
	}
	offs = &sp->offs[sp->nruns * (SPILL_PARTS + 1)];
	m.ls = xcalloc(agg_nstrs(a) ? agg_nstrs(a) : 1, sizeof(uint32_t));
	m.lt = xcalloc(agg_ntagsets(a) ? agg_ntagsets(a) : 1, sizeof(uint32_t));
	m.touched = xmalloc((agg_nstrs(a) + agg_ntagsets(a) + 1) * sizeof(uint32_t));
	for (p = 0; p < SPILL_PARTS && rc == 0; p++) {
		offs[p] = sp->pos;
		for (i = start[p]; i < start[p + 1] && rc == 0; i++)
			rc = order[i] < nf ? write_fact(sp, &m, a, order[i], err)
				: write_res(sp, &m, a, order[i] - nf, err);
		/* the next segment starts its local ids again */
		for (i = 0; i < m.ntouched; i++) {
			uint32_t t = m.touched[i];
			if (t & 0x80000000u)
				m.lt[t & 0x7fffffffu] = 0;
			else
				m.ls[t] = 0;
		}
		m.ntouched = 0;
		m.next = 0;
	}
	offs[SPILL_PARTS] = sp->pos;
	if (rc == 0)
		rc = wflush(sp, err);
	if (rc == 0)
		sp->nruns++;
	free(order);
	free(m.ls);
	free(m.lt);
	free(m.touched);
	return rc;
}

/* ---- reading a partition back ---- */

/* The strings of the segment being read: where each local id's bytes are
 * in the segment, and its id in the summing table once looked up (+ 1; 0:
 * not yet, or the table was emptied since). */
struct seg {
	unsigned char *buf;
	size_t len, cap;
	uint32_t *off, *slen, *map;
	unsigned char *kind;
	size_t n, alloc;
};

static int corrupt(struct rb_err *err)
{
	return rb_err_set(err, RB_EIO, "the import's temporary spill file is corrupt");
}

static int seg_load(struct spill *sp, struct seg *g, uint64_t from, uint64_t to,
	struct rb_err *err)
{
	size_t want = (size_t)(to - from), done = 0;
	if (want > g->cap) {
		free(g->buf);
		g->cap = want;
		g->buf = xmalloc(g->cap);
	}
	while (done < want) {
		ssize_t n = pread(sp->fd, g->buf + done, want - done, (off_t)(from + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? io_error(sp, "read", errno, err) : corrupt(err);
		done += (size_t)n;
	}
	g->len = want;
	g->n = 0;
	return 0;
}

/* The summing table's id of local id l of kind k ('S' or 'T'). */
static int seg_id(struct seg *g, struct agg *t, uint32_t l, unsigned char k, uint32_t *out,
	struct rb_err *err)
{
	if (l >= g->n || g->kind[l] != k)
		return corrupt(err);
	if (!g->map[l]) {
		const char *s = (const char *)g->buf + g->off[l];
		g->map[l] = 1 + (k == 'T' ? agg_intern_tagset(t, s, g->slen[l]) : agg_intern(t, s, g->slen[l]));
	}
	*out = g->map[l] - 1;
	return 0;
}

static int get_sums(const unsigned char **pp, const unsigned char *end, int wide,
	struct store_sum *v)
{
	const unsigned char *p = *pp;
	rb_i128 a[4];
	int i;
	if ((size_t)(end - p) < 8 + (wide ? 64u : 32u))
		return -1;
	memcpy(&v->rows, p, 8);
	p += 8;
	for (i = 0; i < 4; i++) {
		if (wide) {
			memcpy(&a[i], p, 16);
			p += 16;
		} else {
			int64_t n;
			memcpy(&n, p, 8);
			a[i] = n;
			p += 8;
		}
	}
	v->usage_amount = a[0];
	v->unblended = a[1];
	v->ondemand = a[2];
	v->effective = a[3];
	*pp = p;
	return 0;
}

static int overflow(struct rb_err *err)
{
	return rb_err_set(err, RB_EINPUT, "a sum passes the 128-bit range");
}

/* Adds the records of the loaded segment into t; every CHECK_EVERY
 * records, when t is past the budget and a level below is allowed, moves
 * t into *child (opened on first need) and empties it. */
static int seg_sum(struct spill *sp, struct seg *g, struct agg *t, struct spill **child,
	size_t budget, size_t *count, struct rb_err *err)
{
	const unsigned char *p = g->buf, *end = g->buf + g->len;
	int rc;

	while (p < end) {
		unsigned char k = *p++;
		if (k == 'S' || k == 'T') {
			uint32_t len;
			if (end - p < 4)
				return corrupt(err);
			memcpy(&len, p, 4);
			p += 4;
			if ((size_t)(end - p) < len)
				return corrupt(err);
			if (g->n == g->alloc) {
				g->alloc = g->alloc ? g->alloc * 2 : 1024;
				g->off = xreallocarray(g->off, g->alloc, sizeof(uint32_t));
				g->slen = xreallocarray(g->slen, g->alloc, sizeof(uint32_t));
				g->map = xreallocarray(g->map, g->alloc, sizeof(uint32_t));
				g->kind = xreallocarray(g->kind, g->alloc, 1);
			}
			g->off[g->n] = (uint32_t)(p - g->buf);
			g->slen[g->n] = len;
			g->map[g->n] = 0;
			g->kind[g->n] = k;
			g->n++;
			p += len;
			continue;
		}
		if (k == 'F' || k == 'W') {
			struct agg_fact_ids ids;
			struct store_sum v;
			uint32_t loc[AGG_FACT_NSTR + 1];
			int j;
			if ((size_t)(end - p) < 8 + sizeof(loc))
				return corrupt(err);
			memcpy(&ids.period, p, 4);
			memcpy(&ids.cls, p + 4, 4);
			memcpy(loc, p + 8, sizeof(loc));
			p += 8 + sizeof(loc);
			if (get_sums(&p, end, k == 'W', &v) < 0)
				return corrupt(err);
			for (j = 0; j < AGG_FACT_NSTR; j++)
				if ((rc = seg_id(g, t, loc[j], 'S', &ids.str[j], err)) < 0)
					return rc;
			if ((rc = seg_id(g, t, loc[AGG_FACT_NSTR], 'T', &ids.tags, err)) < 0)
				return rc;
			if (agg_add_fact_ids(t, &ids, &v) < 0)
				return overflow(err);
		} else if (k == 'R' || k == 'Q') {
			struct agg_res_ids ids;
			struct store_sum v;
			uint32_t loc[4];
			if ((size_t)(end - p) < 4 + sizeof(loc))
				return corrupt(err);
			memcpy(&ids.period, p, 4);
			memcpy(loc, p + 4, sizeof(loc));
			p += 4 + sizeof(loc);
			if (get_sums(&p, end, k == 'Q', &v) < 0)
				return corrupt(err);
			if ((rc = seg_id(g, t, loc[0], 'S', &ids.payer, err)) < 0 ||
			    (rc = seg_id(g, t, loc[1], 'S', &ids.account, err)) < 0 ||
			    (rc = seg_id(g, t, loc[2], 'S', &ids.resource, err)) < 0 ||
			    (rc = seg_id(g, t, loc[3], 'S', &ids.pcode, err)) < 0)
				return rc;
			if (agg_add_resource_ids(t, &ids, &v) < 0)
				return overflow(err);
		} else {
			return corrupt(err);
		}
		if (++*count % CHECK_EVERY == 0 && sp->level + 1 < LEVELS &&
		    agg_facts_memory(t) > budget) {
			if (!*child && (rc = spill_open_level(child, sp->level + 1, err)) < 0)
				return rc;
			if ((rc = spill_write(*child, t, err)) < 0)
				return rc;
			agg_reset_facts(t);
			/* the table's ids are gone: look the strings up again */
			memset(g->map, 0, g->n * sizeof(uint32_t));
		}
	}
	return 0;
}

int spill_each(struct spill *sp, size_t budget,
	int (*emit)(void *ctx, struct agg *part, struct rb_err *err), void *ctx,
	struct rb_err *err)
{
	struct seg g;
	unsigned p;
	int rc = 0;

	memset(&g, 0, sizeof(g));
	for (p = 0; p < SPILL_PARTS && rc == 0; p++) {
		struct agg *t = agg_new();
		struct spill *child = NULL;
		size_t r, count = 0;
		for (r = 0; r < sp->nruns && rc == 0; r++) {
			const uint64_t *o = &sp->offs[r * (SPILL_PARTS + 1)];
			if (o[p] == o[p + 1])
				continue;
			if ((rc = seg_load(sp, &g, o[p], o[p + 1], err)) == 0)
				rc = seg_sum(sp, &g, t, &child, budget, &count, err);
		}
		if (rc == 0 && child) {
			/* past the budget: what is left joins the level below, whose
			 * partitions are summed in turn */
			if ((rc = spill_write(child, t, err)) == 0) {
				agg_free(t);
				t = NULL;
				rc = spill_each(child, budget, emit, ctx, err);
			}
			sp->total_runs += spill_runs(child);
			sp->total_bytes += spill_bytes(child);
		} else if (rc == 0) {
			rc = emit(ctx, t, err);
			if (rc == SPILL_KEPT) {
				t = NULL;
				rc = 0;
			}
		}
		spill_free(child);
		agg_free(t);
		if (g.cap > ((size_t)16 << 20)) {   /* an outsized segment: give it back */
			free(g.buf);
			g.buf = NULL;
			g.cap = 0;
		}
	}
	free(g.buf);
	free(g.off);
	free(g.slen);
	free(g.map);
	free(g.kind);
	return rc;
}
