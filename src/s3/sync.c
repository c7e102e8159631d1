/*
 * sync.c: the S3 import plan (sync.h): listing, manifests, the cache, and
 * the record of what was imported. The choice of the current manifest and
 * the mapping of its keys to local files are src/ingest's (collect.c), the
 * same code as for a local import, applied to the cache, which mirrors the
 * bucket's keys.
 *
 * Not for: HTTP (client.c), SQL (store/s3_syncs.c) or printing.
 */
#include "s3/sync.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_s3.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MANIFEST_SUFFIX "Manifest.json"
#define PATH_MAX_BYTES 4096

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static char *cat3(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = xmalloc(n);
	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

/* The cache root: opt, else $XDG_CACHE_HOME/rebill/s3, else ~/.cache/rebill/s3. */
static char *cache_root(const struct s3sync_options *opt, struct rb_err *err)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (opt->cache_dir && *opt->cache_dir)
		return xstrdup(opt->cache_dir);
	if (x && *x == '/')
		return cat3(x, "/rebill/s3", "");
	if (home && *home)
		return cat3(home, "/.cache/rebill/s3", "");
	rb_err_set(err, RB_EUSAGE, "no cache directory: set --cache DIR, XDG_CACHE_HOME or HOME");
	return NULL;
}

/* A key becomes a path under the mirror: no empty, "." or ".." segment,
 * and no name that the cache uses itself. */
static int key_ok(const char *key)
{
	const char *s = key;

	if (!*key || strlen(key) > PATH_MAX_BYTES / 2 || ends_with(key, ".etag") ||
	    strstr(key, ".part-"))
		return 0;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return 0;   /* a "folder" object ending in '/' */
	}
	return 1;
}

static int obj_cmp(const void *a, const void *b)
{
	return strcmp(((const struct s3_object *)a)->key, ((const struct s3_object *)b)->key);
}

static const struct s3_object *find_obj(const struct s3_listing *l, const char *key)
{
	struct s3_object k = { 0 };
	k.key = (char *)key;
	return bsearch(&k, l->objs, l->n, sizeof(*l->objs), obj_cmp);
}

/* The object a manifest's data key names: the longest trailing part of the
 * key found beside the manifest or under one of its ancestor "folders" —
 * the rule collect.c applies to local copies (so a bucket copied under
 * another prefix works), here applied to the listing. */
static const struct s3_object *find_listed(const struct s3_listing *l, const char *manifest_key,
	const char *key)
{
	const char *suffix = key;
	struct strbuf sb;
	const struct s3_object *o = NULL;

	strbuf_init(&sb, 256, (size_t)PATH_MAX_BYTES * 2);
	while (*suffix == '/')
		suffix++;
	while (*suffix && !o) {
		size_t dir = strlen(manifest_key);
		for (;;) {
			while (dir > 0 && manifest_key[dir - 1] != '/')
				dir--;            /* manifest_key[0, dir) is a folder with its '/' */
			strbuf_reset(&sb);
			if (strbuf_add(&sb, manifest_key, dir) == 0 && strbuf_addstr(&sb, suffix) == 0 &&
			    (o = find_obj(l, sb.buf)))
				break;
			if (dir == 0)
				break;
			dir--;                /* step over the '/' to the parent folder */
		}
		if (!(suffix = strchr(suffix, '/')))
			break;
		suffix++;
	}
	strbuf_release(&sb);
	return o;
}

/* "20261001T000000.000Z" or "2026-10-01T00:00:00.000Z" -> "2026-10". */
static void period_of(char out[8], const char *start)
{
	char d[7];
	size_t n = 0;

	out[0] = '\0';
	for (; *start && n < 6; start++)
		if (*start >= '0' && *start <= '9')
			d[n++] = *start;
		else if (*start != '-')
			break;
	if (n == 6)
		snprintf(out, 8, "%.4s-%.2s", d, d + 4);
}

/* Fetches obj into the mirror (unless cached); *path gets the local path. */
static int fetch(struct s3sync_plan *p, struct s3_client *c, const struct s3_object *obj,
	char **path, struct rb_err *err)
{
	int fetched = 0, ret;

	*path = cat3(p->mirror, "/", obj->key);
	ret = s3_get(c, p->bucket, obj, *path, &fetched, err);
	if (!ret && fetched) {
		p->nfetched++;
		p->fetched_bytes += obj->size;
	}
	if (ret) {
		free(*path);
		*path = NULL;
	}
	return ret;
}

static struct s3sync_month *add_month(struct s3sync_plan *p)
{
	struct s3sync_month *m;
	p->months = xreallocarray(p->months, p->nmonths + 1, sizeof(*p->months));
	m = &p->months[p->nmonths++];
	memset(m, 0, sizeof(*m));
	return m;
}

static int decide(struct s3sync_month *m, struct store *s, const struct s3sync_plan *p,
	const struct s3sync_options *opt, struct rb_err *err)
{
	int ret = store_s3_last(&m->previous, s, p->bucket, m->manifest_key, err);
	if (ret)
		return ret;
	if (!m->previous)
		m->state = S3SYNC_NEW;
	else if (strcmp(m->previous, m->assembly_id))
		m->state = S3SYNC_CHANGED;
	else
		m->state = opt->changed_only ? S3SYNC_UNCHANGED : S3SYNC_AGAIN;
	return 0;
}

struct strs {
	char **v;
	size_t n;
};

static void strs_push(struct strs *s, char *p)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = p;
}

static void strs_release(struct strs *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int is_data(const char *key)
{
	return ends_with(key, ".csv") || ends_with(key, ".csv.gz") || ends_with(key, ".gz") ||
		ends_with(key, ".parquet");
}

/* A data key of a current month (s3sync_prune keeps its cached copy). The
 * listing is sorted, so p->keep is too. */
static void keep_push(struct s3sync_plan *p, const char *key)
{
	p->keep = xreallocarray(p->keep, p->nkeep + 1, sizeof(*p->keep));
	p->keep[p->nkeep++] = xstrdup(key);
}

/* The months of the prefix's manifests; `inputs` gets the local manifests
 * to import. */
static int plan_manifests(struct s3sync_plan *p, struct store *s, struct s3_client *c,
	const struct s3_listing *l, const struct s3sync_options *opt, struct strs *inputs,
	struct rb_err *err)
{
	struct strs local = { 0 }, keys = { 0 };
	struct ingest_manifest *ms = NULL;
	const struct s3_object **objs = NULL;
	char *used = xcalloc(l->n + 1, 1);
	size_t i, k, nms = 0;
	int ret = 0;

	for (i = 0; i < l->n; i++) {
		char *path;
		if (!ends_with(l->objs[i].key, MANIFEST_SUFFIX))
			continue;
		if ((ret = fetch(p, c, &l->objs[i], &path, err)))
			goto cleanup;
		strs_push(&local, path);
		strs_push(&keys, xstrdup(l->objs[i].key));
	}
	if ((ret = ingest_manifests_read(&ms, &nms, (const char *const *)local.v, local.n, err)))
		goto cleanup;
	for (i = 0; i < nms; i++) {
		struct s3sync_month *m;
		if (!ms[i].current)
			continue;
		m = add_month(p);
		m->manifest_key = xstrdup(keys.v[i]);
		m->report = xstrdup(ms[i].report);
		m->assembly_id = xstrdup(ms[i].assembly_id);
		period_of(m->period, ms[i].period);
		m->nfiles = ms[i].nkeys;
		if ((ret = decide(m, s, p, opt, err)))
			goto cleanup;
		objs = xreallocarray(objs, ms[i].nkeys + 1, sizeof(*objs));
		for (k = 0; k < ms[i].nkeys; k++) {
			const struct s3_object *o = objs[k] = find_listed(l, m->manifest_key, ms[i].keys[k]);
			if (!o) {
				ret = rb_err_set(err, RB_EINPUT, "s3://%s/%s: lists %s, which is not in the bucket",
					p->bucket, m->manifest_key, ms[i].keys[k]);
				goto cleanup;
			}
			m->bytes += o->size;
			used[o - l->objs] = 1;
		}
		if (m->state == S3SYNC_UNCHANGED)
			continue;
		for (k = 0; k < ms[i].nkeys; k++) {
			char *path;
			if ((ret = fetch(p, c, objs[k], &path, err)))
				goto cleanup;
			free(path);
		}
		strs_push(inputs, xstrdup(ms[i].path));
	}
	for (i = 0; i < l->n; i++) {
		p->nunread += !used[i] && is_data(l->objs[i].key);
		if (used[i])
			keep_push(p, l->objs[i].key);
	}
cleanup:
	free(used);
	free(objs);
	ingest_manifests_free(ms, nms);
	strs_release(&local);
	strs_release(&keys);
	return ret;
}

/* A prefix without manifests: all its data objects are one unit, whose
 * version is a digest (FNV-1a, 64 bits) of their keys and ETags. */
static int plan_plain(struct s3sync_plan *p, struct store *s, struct s3_client *c,
	const struct s3_listing *l, const struct s3sync_options *opt, struct strs *inputs,
	struct rb_err *err)
{
	struct s3sync_month *m;
	uint64_t h = 14695981039346656037ull;
	char digest[32];
	size_t i;
	int ret;

	for (i = 0; i < l->n; i++) {
		const char *parts[2];
		size_t j;
		if (!is_data(l->objs[i].key))
			continue;
		parts[0] = l->objs[i].key;
		parts[1] = l->objs[i].etag;
		for (j = 0; j < 2; j++) {
			const unsigned char *q = (const unsigned char *)parts[j];
			for (; ; q++) {
				h = (h ^ *q) * 1099511628211ull;
				if (!*q)
					break;
			}
		}
	}
	snprintf(digest, sizeof(digest), "fnv1a64:%016llx", (unsigned long long)h);
	m = add_month(p);
	m->manifest_key = xstrdup("");
	m->report = xstrdup("");
	m->assembly_id = xstrdup(digest);
	if ((ret = decide(m, s, p, opt, err)))
		return ret;
	for (i = 0; i < l->n; i++) {
		char *path;
		if (!is_data(l->objs[i].key))
			continue;
		m->nfiles++;
		m->bytes += l->objs[i].size;
		keep_push(p, l->objs[i].key);
		if (m->state == S3SYNC_UNCHANGED)
			continue;
		if ((ret = fetch(p, c, &l->objs[i], &path, err)))
			return ret;
		strs_push(inputs, path);
	}
	if (!m->nfiles)
		return rb_err_set(err, RB_EINPUT, "%s: no CUR manifests or data files (.csv, .csv.gz)",
			p->source);
	return 0;
}

/* Replaces every "MIRROR/" in s by "s3://BUCKET/" (a new string). */
static char *rename_paths(const struct s3sync_plan *p, const char *s)
{
	char *from = cat3(p->mirror, "/", ""), *to = cat3("s3://", p->bucket, "/");
	size_t nf = strlen(from);
	struct strbuf sb;
	const char *hit;
	char *out;

	strbuf_init(&sb, strlen(s) + 64, (size_t)1 << 20);
	while ((hit = strstr(s, from))) {
		if (strbuf_add(&sb, s, (size_t)(hit - s)) || strbuf_addstr(&sb, to))
			break;
		s = hit + nf;
	}
	(void)strbuf_addstr(&sb, s);
	free(from);
	free(to);
	out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);   /* detach leaves sb initialized */
	return out;
}

void s3sync_rename_err(const struct s3sync_plan *p, struct rb_err *err)
{
	char *s;

	if (!p->mirror)
		return;
	s = rename_paths(p, err->file);
	snprintf(err->file, sizeof(err->file), "%s", s);
	free(s);
	s = rename_paths(p, err->msg);
	snprintf(err->msg, sizeof(err->msg), "%s", s);
	free(s);
}

int s3sync_plan_make(struct s3sync_plan *out, struct store *s, struct s3_client *c,
	const char *uri, const struct s3sync_options *opt, struct rb_err *err)
{
	struct s3_listing l = { 0 };
	struct strs inputs = { 0 };
	char *root = NULL;
	size_t i, nmanifests = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	if ((ret = s3_uri_parse(&out->bucket, &out->prefix, uri, err)))
		goto cleanup;
	root = cat3("s3://", out->bucket, "/");
	out->source = cat3(root, out->prefix, "");
	free(root);
	if (!(root = cache_root(opt, err))) {
		ret = RB_EUSAGE;
		goto cleanup;
	}
	out->mirror = cat3(root, "/", out->bucket);
	if ((ret = s3_list(&l, c, out->bucket, out->prefix, err)))
		goto cleanup;
	out->nobjects = l.n;
	out->pages = l.pages;
	qsort(l.objs, l.n, sizeof(*l.objs), obj_cmp);
	for (i = 0; i < l.n; i++) {
		if (!key_ok(l.objs[i].key) && (is_data(l.objs[i].key) ||
				ends_with(l.objs[i].key, MANIFEST_SUFFIX))) {
			ret = rb_err_set(err, RB_EINPUT, "s3://%s/%s: a key rebill cannot cache "
				"(empty, '.' or '..' part)", out->bucket, l.objs[i].key);
			goto cleanup;
		}
		nmanifests += ends_with(l.objs[i].key, MANIFEST_SUFFIX);
	}
	if (!l.n) {
		ret = rb_err_set(err, RB_EINPUT, "%s: no objects under this prefix", out->source);
		goto cleanup;
	}
	ret = nmanifests ? plan_manifests(out, s, c, &l, opt, &inputs, err) :
		plan_plain(out, s, c, &l, opt, &inputs, err);
	if (ret)
		goto cleanup;
	if (inputs.n) {
		ret = ingest_collect(&out->list, (const char *const *)inputs.v, inputs.n, err);
		if (ret)
			goto cleanup;
		for (i = 0; i < out->list.nskipped; i++) {
			char *named = rename_paths(out, out->list.skipped[i].path);
			free(out->list.skipped[i].path);
			out->list.skipped[i].path = named;
		}
	}
cleanup:
	if (ret)
		s3sync_rename_err(out, err);
	s3_listing_release(&l);
	strs_release(&inputs);
	free(root);
	if (ret)
		s3sync_plan_release(out);
	return ret;
}

void s3sync_plan_release(struct s3sync_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nmonths; i++) {
		free(p->months[i].manifest_key);
		free(p->months[i].report);
		free(p->months[i].assembly_id);
		free(p->months[i].previous);
	}
	free(p->months);
	for (i = 0; i < p->nkeep; i++)
		free(p->keep[i]);
	free(p->keep);
	ingest_list_release(&p->list);
	free(p->source);
	free(p->bucket);
	free(p->prefix);
	free(p->mirror);
	memset(p, 0, sizeof(*p));
}

int s3sync_plan_record(struct store *s, const struct s3sync_plan *p, const char *at,
	struct rb_err *err)
{
	static const char *const actions[] = { "new", "changed", "unchanged", "again" };
	struct store_s3_sync *rows = xcalloc(p->nmonths + 1, sizeof(*rows));
	size_t i, n = 0;
	int ret;

	for (i = 0; i < p->nmonths; i++) {
		const struct s3sync_month *m = &p->months[i];
		if (m->state == S3SYNC_UNCHANGED)
			continue;
		rows[n].source = p->source;
		rows[n].bucket = p->bucket;
		rows[n].manifest_key = m->manifest_key;
		rows[n].report = m->report;
		rows[n].period = m->period;
		rows[n].assembly_id = m->assembly_id;
		rows[n].action = actions[m->state];
		rows[n].files = (int64_t)m->nfiles;
		rows[n].bytes = (int64_t)m->bytes;
		n++;
	}
	ret = store_s3_record(s, at, rows, n, err);
	free(rows);
	return ret;
}

/* ---- pruning the cache ---------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct prune {
	const struct s3sync_plan *p;
	size_t mirror_len;
	struct s3sync_pruned *out;
	struct rb_err *err;
};

static int is_kept(const struct s3sync_plan *p, const char *key)
{
	return bsearch(&key, p->keep, p->nkeep, sizeof(*p->keep), str_cmp) != NULL;
}

/* Removes under dir (a directory of the mirror) every cached data object
 * whose key is under the plan's prefix and not kept, with its ETag; then
 * dir itself when that left it empty (not the walk's root). */
static int prune_dir(struct prune *pr, const char *dir, int root)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : rb_err_set(pr->err, RB_EIO, "cannot read the cache "
			"directory %s: %s", dir, strerror(errno));
	while (!ret && (e = readdir(d))) {
		char *path;
		const char *key;
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		path = cat3(dir, "/", e->d_name);
		key = path + pr->mirror_len + 1;
		if (lstat(path, &st)) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			/* only folders that can hold keys under the prefix */
			size_t n = strlen(key), m = strlen(pr->p->prefix);
			if (!strncmp(key, pr->p->prefix, n < m ? n : m))
				ret = prune_dir(pr, path, 0);
		} else if (S_ISREG(st.st_mode) && key_ok(key) && is_data(key) &&
		           !strncmp(key, pr->p->prefix, strlen(pr->p->prefix)) &&
		           !is_kept(pr->p, key)) {
			char *etag = cat3(path, ".etag", "");
			if (unlink(path) && errno != ENOENT)
				ret = rb_err_set(pr->err, RB_EIO, "cannot remove %s from the cache: %s",
					path, strerror(errno));
			else {
				pr->out->files++;
				pr->out->bytes += (uint64_t)st.st_size;
				(void)unlink(etag);
			}
			free(etag);
		}
		free(path);
	}
	closedir(d);
	if (!ret && !root)
		(void)rmdir(dir);   /* fails, as it should, unless now empty */
	return ret;
}

int s3sync_prune(const struct s3sync_plan *p, struct s3sync_pruned *out, struct rb_err *err)
{
	struct prune pr;

	memset(out, 0, sizeof(*out));
	if (!p->mirror)
		return 0;
	pr.p = p;
	pr.mirror_len = strlen(p->mirror);
	pr.out = out;
	pr.err = err;
	return prune_dir(&pr, p->mirror, 1);
}
