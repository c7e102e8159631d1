/*
 * cache.c: the server's response cache — repeated report reads answered
 * from memory, invalidated by any write.
 *
 * What is cached: the 200 answers of GET API routes that need a login
 * (no page: pages carry the session's CSRF token; not /api/v1/session;
 * not the import jobs' progress, ROUTE_LIVE, which changes without a commit),
 * keyed by the path, the query as sent, the user's role, its customer (a
 * customer user's answers are never another's) and the UTC date (a default
 * such as receivables' as_of is today). Authorization runs before the
 * lookup, every time.
 *
 * Validity: an entry holds the generation it was computed in and is used
 * only while the generation is unchanged. The generation moves (a) after
 * every state-changing request this server handled, whatever its outcome,
 * and (b) whenever SQLite's data_version of the cache's own connection
 * (which never writes) changed: some connection — a request's, or another
 * process's (`rebill import`, `config apply`, `invoice run` on the CLI) —
 * committed. Every request reads the generation through that check before
 * its handler reads anything, so an answer computed from data older than a
 * commit is stored under a generation the commit's notice has already
 * passed, or is refused because the generation moved meanwhile.
 *
 * One computation per answer: while a request computes an answer, others
 * asking for the same key in the same generation wait for it (a cold
 * report under 64 connections is computed once, not once per thread).
 *
 * Bounded: a direct-mapped table of CACHE_SLOTS entries; past max_bytes
 * of bodies everything is dropped.
 *
 * Not for: browser caching (every authenticated answer is still
 * Cache-Control: no-store).
 */
#include "http/http_int.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_drill.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define CACHE_SLOTS 4096
#define CACHE_FLIGHTS 16

struct entry {
	char *key;
	uint64_t gen;
	int status;
	char ctype[64];
	char disposition[300];
	char *body;
	size_t len;
};

struct http_cache {
	pthread_mutex_t lock;
	size_t max_bytes, bytes;
	uint64_t gen;
	struct entry slots[CACHE_SLOTS];
	struct store *watch;      /* a connection of its own that only reads data_version */
	int64_t dv;
	/* answers being computed: a request for the same key in the same
	 * generation waits for it instead of computing it again */
	char *flights[CACHE_FLIGHTS];
	uint64_t flight_gen[CACHE_FLIGHTS];
	pthread_cond_t landed;
	unsigned long hits, misses;
};

struct http_cache *http_cache_new(size_t max_bytes, const char *db_path, struct rb_err *err)
{
	struct http_cache *c;
	if (!max_bytes)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	if (store_open(&c->watch, db_path, err) < 0 ||
	    store_data_version(&c->dv, c->watch, err) < 0) {
		store_free(c->watch);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->landed, NULL);
	c->max_bytes = max_bytes;
	c->gen = 1;
	return c;
}

static void drop(struct http_cache *c, struct entry *e)
{
	c->bytes -= e->len;
	free(e->key);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

void http_cache_free(struct http_cache *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < CACHE_SLOTS; i++)
		drop(c, &c->slots[i]);
	for (i = 0; i < CACHE_FLIGHTS; i++)
		free(c->flights[i]);
	pthread_cond_destroy(&c->landed);
	pthread_mutex_destroy(&c->lock);
	store_free(c->watch);
	free(c);
}

void http_cache_bump(struct http_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->gen++;
	pthread_cond_broadcast(&c->landed);
	pthread_mutex_unlock(&c->lock);
}

uint64_t http_cache_observe(struct http_cache *c)
{
	struct rb_err err;
	int64_t dv = 0;
	uint64_t gen;

	if (!c)
		return 0;
	rb_err_clear(&err);
	pthread_mutex_lock(&c->lock);
	/* a commit by any other connection, of this process or another: what
	 * is cached may be older than the database (unreadable: assume so) */
	if (store_data_version(&dv, c->watch, &err) < 0 || dv != c->dv) {
		c->dv = dv;
		c->gen++;
		pthread_cond_broadcast(&c->landed);
	}
	gen = c->gen;
	pthread_mutex_unlock(&c->lock);
	return gen;
}

int http_cache_wanted(const struct http_req *r)
{
	const struct http_route *rt = r->route;
	return rt && !strcmp(rt->method, "GET") && !(rt->flags & (ROUTE_HTML | ROUTE_LIVE)) &&
		rt->roles != ROLE_PUBLIC && strcmp(rt->pattern, "/api/v1/session") != 0;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	const char *value)
{
	struct strbuf *sb = cls;
	strbuf_addch(sb, '&');
	strbuf_addstr(sb, key);
	strbuf_addch(sb, '=');
	if (value)
		strbuf_addstr(sb, value);
	(void)kind;
	return MHD_YES;
}

/* The request's key into sb. */
static void make_key(struct strbuf *sb, struct http_req *r)
{
	char day[16];
	time_t now = (time_t)r->now;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	strbuf_addf(sb, "%s %s\x1f%s\x1f%s\x1f", r->method, r->path, http_role_name(r->user.role),
		r->user.role == ROLE_CUSTOMER ? r->user.customer : "");
	strbuf_addstr(sb, day);
	strbuf_addch(sb, 0x1f);
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, sb);
}

static size_t slot_of(const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
	return (size_t)(h % CACHE_SLOTS);
}

/* The index of key's flight in generation gen, or -1. Under the lock. */
static int flight_of(const struct http_cache *c, const char *key, uint64_t gen)
{
	int i;
	for (i = 0; i < CACHE_FLIGHTS; i++)
		if (c->flights[i] && c->flight_gen[i] == gen && !strcmp(c->flights[i], key))
			return i;
	return -1;
}

/* Serves the entry of key when it is valid for gen. Under the lock. */
static int serve(struct http_cache *c, struct http_req *r, const struct strbuf *key, uint64_t gen)
{
	struct entry *e = &c->slots[slot_of(key->buf, key->len)];
	if (!e->key || e->gen != gen || gen != c->gen || strcmp(e->key, key->buf))
		return 0;
	strbuf_reset(&r->out);
	strbuf_add(&r->out, e->body, e->len);
	r->status = e->status;
	snprintf(r->cache_ctype, sizeof(r->cache_ctype), "%s", e->ctype);
	r->ctype = r->cache_ctype;
	memcpy(r->disposition, e->disposition, sizeof(r->disposition));
	return 1;
}

int http_cache_get(struct http_cache *c, struct http_req *r, uint64_t gen)
{
	struct strbuf key;
	int hit, i;

	if (!c)
		return 0;
	strbuf_init(&key, 256, 1 << 16);
	make_key(&key, r);
	pthread_mutex_lock(&c->lock);
	hit = serve(c, r, &key, gen);
	if (!hit && gen == c->gen && flight_of(c, key.buf, gen) >= 0) {
		/* the same answer is being computed: wait for it (once) */
		while (gen == c->gen && flight_of(c, key.buf, gen) >= 0)
			pthread_cond_wait(&c->landed, &c->lock);
		hit = serve(c, r, &key, gen);
	}
	if (!hit && gen == c->gen)
		for (i = 0; i < CACHE_FLIGHTS; i++)
			if (!c->flights[i]) {
				c->flights[i] = xstrdup(key.buf);
				c->flight_gen[i] = gen;
				break;
			}
	if (hit)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	strbuf_release(&key);
	r->cache_state = hit ? "hit" : "miss";
	return hit;
}

void http_cache_put(struct http_cache *c, struct http_req *r, uint64_t gen)
{
	struct strbuf key;
	struct entry *e;
	size_t i;
	int f;

	if (!c)
		return;
	strbuf_init(&key, 256, 1 << 16);
	make_key(&key, r);
	pthread_mutex_lock(&c->lock);
	if (gen == c->gen && r->status == 200 && r->out.len <= c->max_bytes / 8) {
		e = &c->slots[slot_of(key.buf, key.len)];
		drop(c, e);
		if (c->bytes + r->out.len > c->max_bytes)
			for (i = 0; i < CACHE_SLOTS; i++)
				drop(c, &c->slots[i]);
		e->key = xstrdup(key.buf);
		e->gen = gen;
		e->status = r->status;
		snprintf(e->ctype, sizeof(e->ctype), "%s", r->ctype ? r->ctype : "application/json");
		memcpy(e->disposition, r->disposition, sizeof(e->disposition));
		e->body = xmalloc(r->out.len ? r->out.len : 1);
		memcpy(e->body, r->out.buf ? r->out.buf : "", r->out.len);
		e->len = r->out.len;
		c->bytes += e->len;
	}
	/* whatever the answer, those waiting for it may go on */
	if ((f = flight_of(c, key.buf, gen)) >= 0) {
		free(c->flights[f]);
		c->flights[f] = NULL;
	}
	pthread_cond_broadcast(&c->landed);
	pthread_mutex_unlock(&c->lock);
	strbuf_release(&key);
}
