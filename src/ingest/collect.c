/*
 * collect.c: input discovery (ingest_collect, see ingest.h): expands the
 * paths a user named — data files, manifests, directories — into the data
 * files to read, each once, in a deterministic order.
 *
 * Manifests: legacy CUR "<report>-Manifest.json" (assemblyId, billingPeriod,
 * reportKeys: S3 keys) and CUR 2.0 data exports "<export>-Manifest.json"
 * (executionId, billingPeriod, dataFiles: s3:// URIs). An S3 key is mapped
 * to a local file by the longest trailing part of the key that exists under
 * the manifest's directory or one of its ancestors (never above a directory
 * the user named), so a bucket copied from any prefix level works, including
 * CUR 2.0, whose data/ folder is a sibling of metadata/.
 *
 * Not for: reading the files (reader.c).
 */
#include "ingest/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define MAX_DEPTH 32
#define MAX_ANCESTORS 8          /* above a manifest named as a file */
#define MANIFEST_SUFFIX "Manifest.json"

enum kind { K_DATA, K_MANIFEST, K_ZIP, K_OTHER };

struct strvec {
	char **v;
	size_t n, cap;
};

struct manifest {
	char *path;
	char *dir;
	char *root;        /* key search stops here ("" = MAX_ANCESTORS levels) */
	int legacy;
	char *id;          /* assemblyId / executionId */
	char *report;      /* from the file name: "<report>-Manifest.json" */
	char *period;      /* billingPeriod.start */
	char *group_dir;   /* the report's period folder */
	int in_assembly;   /* the manifest sits in the folder named by its id */
	struct strvec keys;
	struct strvec files;  /* resolved local paths */
	int use;           /* 1 use, 0 superseded / duplicate */
};

static void vec_push(struct strvec *s, char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = p;
}

static void vec_release(struct strvec *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static char *dir_name(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return xstrdup(".");
	if (s == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(s - p));
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s%s%s", a, ends_with(a, "/") ? "" : "/", b);
	return s;
}

static enum kind kind_of(const char *path)
{
	const char *b = base_name(path);
	if (ends_with(b, MANIFEST_SUFFIX))
		return K_MANIFEST;
	if (ends_with(b, ".parquet"))
		return K_DATA;   /* the reader knows Parquet by its magic */
	if (ends_with(b, ".zip"))
		return K_ZIP;
	if (ends_with(b, ".csv") || ends_with(b, ".csv.gz") || ends_with(b, ".gz"))
		return K_DATA;
	return K_OTHER;
}

static const char *skip_reason(enum kind k)
{
	switch (k) {
	case K_ZIP: return "zip (not supported)";
	default: return "not a CUR file";
	}
}

static void add_skipped(struct ingest_list *out, const char *path, const char *reason)
{
	out->skipped = xreallocarray(out->skipped, out->nskipped + 1, sizeof(*out->skipped));
	out->skipped[out->nskipped].path = xstrdup(path);
	out->skipped[out->nskipped].reason = reason;
	out->nskipped++;
}

/* Adds a data file unless the same file (by real path) is already listed. */
static int add_file(struct ingest_list *out, struct strvec *seen, const char *path,
	const char *assembly, struct rb_err *err)
{
	char real[PATH_MAX];
	struct stat st;
	size_t i;

	if (!realpath(path, real) || stat(real, &st))
		return rb_err_at(err, RB_EINPUT, path, 0, 0, "cannot open: %s", strerror(errno));
	for (i = 0; i < seen->n; i++)
		if (!strcmp(seen->v[i], real))
			return 0;
	vec_push(seen, xstrdup(real));
	out->files = xreallocarray(out->files, out->nfiles + 1, sizeof(*out->files));
	out->files[out->nfiles].path = xstrdup(path);
	out->files[out->nfiles].assembly_id = xstrdup(assembly);
	out->files[out->nfiles].size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	out->nfiles++;
	return 0;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The folders being walked, outermost first: a folder that is one of its
 * own ancestors (a symbolic link back up) is a loop. */
struct walk_chain {
	dev_t dev[MAX_DEPTH + 2];
	ino_t ino[MAX_DEPTH + 2];
	int n;
};

/* Lists regular files under dir, recursively, sorted by path. What is not
 * listed is said in out->skipped: broken links, symbolic link loops,
 * FIFOs, sockets and devices. */
static int walk(struct strvec *files, struct ingest_list *out, struct walk_chain *chain,
	const char *dir, int depth, struct rb_err *err)
{
	struct dirent **ents = NULL;
	int n, i, ret = 0;

	if (depth > MAX_DEPTH)
		return rb_err_at(err, RB_EINPUT, dir, 0, 0, "directories nested too deep");
	n = scandir(dir, &ents, NULL, name_cmp);
	if (n < 0)
		return rb_err_at(err, RB_EIO, dir, 0, 0, "cannot read directory: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		struct stat st;
		char *p;
		if (ents[i]->d_name[0] == '.' || ret)
			continue;
		p = join(dir, ents[i]->d_name);
		if (stat(p, &st)) {
			add_skipped(out, p, errno == ELOOP ? "symbolic link loop" :
				errno == ENOENT ? "broken symbolic link" : "cannot be read");
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int k, loop = 0;
			for (k = 0; k < chain->n; k++)
				loop |= chain->dev[k] == st.st_dev && chain->ino[k] == st.st_ino;
			if (loop) {
				add_skipped(out, p, "symbolic link loop");
			} else if (chain->n < MAX_DEPTH + 2) {
				chain->dev[chain->n] = st.st_dev;
				chain->ino[chain->n] = st.st_ino;
				chain->n++;
				ret = walk(files, out, chain, p, depth + 1, err);
				chain->n--;
			} else {
				ret = rb_err_at(err, RB_EINPUT, p, 0, 0, "directories nested too deep");
			}
			free(p);
		} else if (S_ISREG(st.st_mode)) {
			vec_push(files, p);
		} else {
			add_skipped(out, p, "not a regular file (FIFO, socket or device; name it alone to read a FIFO)");
			free(p);
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

static void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->dir);
	free(m->root);
	free(m->id);
	free(m->report);
	free(m->period);
	free(m->group_dir);
	vec_release(&m->keys);
	vec_release(&m->files);
	free(m);
}

static char *json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return xstrdup(json_is_string(v) ? json_string_value(v) : "");
}

/* Strips "s3://bucket/" from a data file URI. */
static const char *s3_key(const char *uri)
{
	if (!strncmp(uri, "s3://", 5)) {
		const char *s = strchr(uri + 5, '/');
		return s ? s + 1 : uri + strlen(uri);
	}
	return uri;
}

/* Why a listed key may not be used, or NULL. A key names a file of the
 * report by its S3 key: relative, "/"-separated, without "." or ".."
 * components (S3 allows them, a real CUR delivery never has them, and here
 * they would climb out of the report folder), with no URI scheme but s3://. */
static const char *key_fault(const char *uri)
{
	const char *key = s3_key(uri), *c;

	if (strncmp(uri, "s3://", 5) && strstr(uri, "://"))
		return "is not an s3:// URI";
	if (!*key)
		return "is empty";
	if (key[0] == '/')
		return "is an absolute path";
	if (strchr(key, '\\'))
		return "holds a backslash";
	for (c = key; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL) {
		size_t n = strcspn(c, "/");
		if (n == 0)
			return "has an empty path component";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "has a '.' or '..' component";
	}
	return NULL;
}

/* How many folders above the manifest's its report tree is: the folder
 * where its keys must resolve. It is the nearest folder, from the
 * manifest's own up, named after the report or export (AWS writes
 * <prefix>/<report>/... and <prefix>/<export>/metadata/...); without one,
 * the period folder (legacy) or the folder above metadata/ (CUR 2.0), else
 * the manifest's own folder. Never above m->root, the directory the user
 * named, nor MAX_ANCESTORS levels. */
static int tree_levels(const struct manifest *m)
{
	char dir[PATH_MAX], root[PATH_MAX];
	int level, metadata = -1;

	if (!realpath(m->dir, dir))
		return 0;
	if (m->root[0] && !realpath(m->root, root))
		return 0;
	for (level = 0; level <= MAX_ANCESTORS + MAX_DEPTH; level++) {
		char *slash;
		if (m->report[0] && !strcmp(base_name(dir), m->report))
			return level;
		if (!strcmp(base_name(dir), "metadata") && metadata < 0)
			metadata = level + 1;
		if ((m->root[0] && !strcmp(dir, root)) || !strcmp(dir, "/") ||
		    (!m->root[0] && level >= MAX_ANCESTORS))
			break;
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (m->legacy)
		return m->in_assembly;
	return metadata >= 0 && metadata <= level ? metadata : 0;
}

/* The local file for an S3 key: the longest trailing part of the key found
 * in the manifest's directory or an ancestor up to its report tree. */
static char *resolve_key(const struct manifest *m, const char *key, int levels)
{
	const char *suffix = key;

	while (*suffix) {
		char *dir = xstrdup(m->dir);
		int level;
		for (level = 0; level <= levels; level++) {
			struct stat st;
			char *p = join(dir, suffix), *up;
			if (!stat(p, &st) && S_ISREG(st.st_mode)) {
				free(dir);
				return p;
			}
			free(p);
			if (!strcmp(dir, "/"))
				break;
			if (!strcmp(base_name(dir), "..") || !strcmp(dir, ".")) {
				up = join(dir, "..");   /* relative paths: climb with .. */
			} else {
				up = dir_name(dir);
			}
			free(dir);
			dir = up;
		}
		free(dir);
		suffix = strchr(suffix, '/');
		if (!suffix)
			break;
		suffix++;
	}
	return NULL;
}

/* resolve 0: the data files are not looked for (m->files stays empty). */
static int manifest_load(struct manifest **out, const char *path, const char *root,
	int resolve, struct rb_err *err)
{
	struct manifest *m = xcalloc(1, sizeof(*m));
	json_t *doc = NULL, *list, *v, *bp;
	json_error_t jerr;
	const char *b;
	size_t i;
	int ret = 0, levels;

	m->path = xstrdup(path);
	m->dir = dir_name(path);
	m->root = xstrdup(root);
	doc = json_load_file(path, 0, &jerr);
	if (!doc) {
		ret = rb_err_at(err, RB_EINPUT, path, jerr.line > 0 ? jerr.line : 0,
			jerr.column > 0 ? jerr.column : 0, "bad manifest: %s", jerr.text);
		goto cleanup;
	}
	if (json_is_array(list = json_object_get(doc, "reportKeys"))) {
		m->legacy = 1;
		m->id = json_str(doc, "assemblyId");
	} else if (json_is_array(list = json_object_get(doc, "dataFiles"))) {
		m->id = json_str(doc, "executionId");
	} else {
		ret = rb_err_at(err, RB_EINPUT, path, 0, 0,
			"not a CUR manifest: no reportKeys or dataFiles");
		goto cleanup;
	}
	bp = json_object_get(doc, "billingPeriod");
	m->period = json_str(bp, "start");
	b = base_name(path);
	m->report = xstrndup(b, strlen(b) - (ends_with(b, "-" MANIFEST_SUFFIX) ?
		strlen("-" MANIFEST_SUFFIX) : ends_with(b, MANIFEST_SUFFIX) ? strlen(MANIFEST_SUFFIX) : 0));
	m->in_assembly = m->legacy && m->id[0] && !strcmp(base_name(m->dir), m->id);
	m->group_dir = m->in_assembly ? dir_name(m->dir) : xstrdup(m->dir);
	levels = tree_levels(m);
	json_array_foreach(list, i, v) {
		const char *fault;
		char *local;
		if (!json_is_string(v)) {
			ret = rb_err_at(err, RB_EINPUT, path, 0, 0, "bad manifest: a data file is not a string");
			goto cleanup;
		}
		/* checked for S3 too: a key is also where a download is cached */
		if ((fault = key_fault(json_string_value(v)))) {
			ret = rb_err_at(err, RB_EINPUT, path, 0, 0,
				"bad manifest: listed file '%s' %s: it must name a file inside the report folder",
				json_string_value(v), fault);
			goto cleanup;
		}
		vec_push(&m->keys, xstrdup(json_string_value(v)));
		if (!resolve)
			continue;
		local = resolve_key(m, s3_key(json_string_value(v)), levels);
		if (!local) {
			ret = rb_err_at(err, RB_EINPUT, path, 0, 0, "listed file %s not found",
				json_string_value(v));
			goto cleanup;
		}
		vec_push(&m->files, local);
	}
	m->use = 1;
cleanup:
	json_decref(doc);
	if (ret) {
		manifest_free(m);
		m = NULL;
	}
	*out = m;
	return ret;
}

static int same_group(const struct manifest *a, const struct manifest *b)
{
	return a->legacy == b->legacy && !strcmp(a->report, b->report) &&
		!strcmp(a->period, b->period) && !strcmp(a->group_dir, b->group_dir);
}

/* Within each group (one report or export, one period, one folder), keeps
 * one assembly. Legacy CUR writes a manifest at the top of the period folder
 * and a copy inside each assembly folder; when the folder holds several
 * assemblies (AWS re-delivered the month), the top-level manifest is the
 * pointer AWS rewrites to the latest one, so it decides. */
static int resolve_groups(struct manifest **ms, size_t n, struct ingest_list *out,
	struct rb_err *err)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct manifest *pick = NULL, *other = NULL;

		if (!ms[i]->use)
			continue;
		/* the first top-level manifest of the group, else the first one */
		for (j = i; j < n; j++)
			if (ms[j]->use && same_group(ms[i], ms[j]) && !ms[j]->in_assembly) {
				pick = ms[j];
				break;
			}
		if (!pick)
			pick = ms[i];
		/* another manifest of the same standing naming another assembly */
		for (j = i; j < n; j++)
			if (ms[j]->use && same_group(ms[i], ms[j]) &&
			    ms[j]->in_assembly == pick->in_assembly && strcmp(ms[j]->id, pick->id)) {
				other = ms[j];
				break;
			}
		if (other)
			return rb_err_at(err, RB_EINPUT, other->path, 0, 0,
				"manifests %s and %s name different assemblies of report %s "
				"for period %s and no top-level manifest tells which is current",
				pick->path, other->path, pick->report, pick->period);
		for (j = i; j < n; j++) {
			size_t k;
			if (!ms[j]->use || !same_group(ms[i], ms[j]) || ms[j] == pick)
				continue;
			if (strcmp(ms[j]->id, pick->id))
				for (k = 0; k < ms[j]->files.n; k++)
					add_skipped(out, ms[j]->files.v[k], "superseded assembly");
			ms[j]->use = 0;
		}
	}
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The real paths of the files the manifests list, sorted (for listed()). */
static void listed_paths(struct strvec *out, struct manifest **ms, size_t n)
{
	char real[PATH_MAX];
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < ms[i]->files.n; k++)
			if (realpath(ms[i]->files.v[k], real))
				vec_push(out, xstrdup(real));
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), str_cmp);
}

static int listed(const struct strvec *sorted, const char *path)
{
	char real[PATH_MAX], *key = real;

	if (!sorted->n || !realpath(path, real))
		return 0;
	return bsearch(&key, sorted->v, sorted->n, sizeof(*sorted->v), str_cmp) != NULL;
}

static int add_manifest_files(struct ingest_list *out, struct strvec *seen,
	const struct manifest *m, struct rb_err *err)
{
	size_t k;
	int ret;

	for (k = 0; k < m->files.n; k++) {
		enum kind kd = kind_of(m->files.v[k]);
		if (kd == K_ZIP) {
			add_skipped(out, m->files.v[k], skip_reason(kd));
			continue;
		}
		if ((ret = add_file(out, seen, m->files.v[k], m->id, err)))
			return ret;
	}
	return 0;
}

static int collect_dir(struct ingest_list *out, struct strvec *seen, const char *dir,
	struct rb_err *err)
{
	struct strvec files = { 0 }, listing = { 0 };
	struct manifest **ms = NULL;
	struct walk_chain chain;
	struct stat st;
	char *norm = NULL;
	size_t i, nms = 0;
	int ret;

	memset(&chain, 0, sizeof(chain));

	norm = xstrdup(dir);
	while (strlen(norm) > 1 && ends_with(norm, "/"))
		norm[strlen(norm) - 1] = '\0';
	dir = norm;
	if (stat(dir, &st) == 0) {
		chain.dev[0] = st.st_dev;
		chain.ino[0] = st.st_ino;
		chain.n = 1;
	}
	ret = walk(&files, out, &chain, dir, 0, err);
	if (ret)
		goto cleanup;
	ms = xcalloc(files.n + 1, sizeof(*ms));
	for (i = 0; i < files.n; i++) {
		if (kind_of(files.v[i]) != K_MANIFEST)
			continue;
		ret = manifest_load(&ms[nms], files.v[i], dir, 1, err);
		if (ret)
			goto cleanup;
		nms++;
	}
	if (nms) {
		ret = resolve_groups(ms, nms, out, err);
		if (ret)
			goto cleanup;
		for (i = 0; i < nms; i++)
			if (ms[i]->use && (ret = add_manifest_files(out, seen, ms[i], err)))
				goto cleanup;
		listed_paths(&listing, ms, nms);
	}
	for (i = 0; i < files.n; i++) {
		enum kind kd = kind_of(files.v[i]);
		if (kd == K_MANIFEST)
			continue;
		if (listed(&listing, files.v[i]))
			continue;
		if (kd != K_DATA)
			add_skipped(out, files.v[i], skip_reason(kd));
		else if (nms)
			add_skipped(out, files.v[i], "not listed by a manifest");
		else if ((ret = add_file(out, seen, files.v[i], "", err)))
			goto cleanup;
	}
cleanup:
	for (i = 0; i < nms; i++)
		manifest_free(ms[i]);
	free(ms);
	free(norm);
	vec_release(&files);
	vec_release(&listing);
	return ret;
}

int ingest_collect(struct ingest_list *out, const char *const *paths, size_t npaths,
	struct rb_err *err)
{
	struct strvec seen = { 0 };
	size_t i;
	int ret = 0, stdin_named = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < npaths && !ret; i++) {
		struct stat st;
		const char *p = paths[i];
		enum kind kd;

		if (!strcmp(p, "-")) {
			/* standard input: read once, in order, never split */
			if (stdin_named++) {
				ret = rb_err_set(err, RB_EUSAGE, "'-' (standard input) named twice");
				break;
			}
			out->files = xreallocarray(out->files, out->nfiles + 1, sizeof(*out->files));
			out->files[out->nfiles].path = xstrdup("-");
			out->files[out->nfiles].assembly_id = xstrdup("");
			out->files[out->nfiles].size = 0;
			out->nfiles++;
			continue;
		}
		if (stat(p, &st)) {
			/* a path that is not there is an I/O error (exit 3), as
			 * for config apply: the input was never read (issue 13) */
			ret = rb_err_at(err, RB_EIO, p, 0, 0, "cannot open: %s", strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = collect_dir(out, &seen, p, err);
			continue;
		}
		kd = kind_of(p);
		if (kd == K_MANIFEST || ends_with(p, ".json")) {
			struct manifest *m = NULL;
			ret = manifest_load(&m, p, "", 1, err);
			if (!ret)
				ret = add_manifest_files(out, &seen, m, err);
			manifest_free(m);
		} else if (kd == K_ZIP) {
			add_skipped(out, p, skip_reason(kd));
		} else {
			ret = add_file(out, &seen, p, "", err);
		}
	}
	vec_release(&seen);
	if (ret)
		ingest_list_release(out);
	return ret;
}

int ingest_manifests_read(struct ingest_manifest **out, size_t *nout,
	const char *const *paths, size_t npaths, struct rb_err *err)
{
	struct manifest **ms = xcalloc(npaths + 1, sizeof(*ms));
	struct ingest_list unused = { 0 };
	struct ingest_manifest *res = NULL;
	size_t i, k, n = 0;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	for (n = 0; n < npaths; n++)
		if ((ret = manifest_load(&ms[n], paths[n], "", 0, err)))
			goto cleanup;
	if ((ret = resolve_groups(ms, n, &unused, err)))
		goto cleanup;
	res = xcalloc(n + 1, sizeof(*res));
	for (i = 0; i < n; i++) {
		res[i].path = xstrdup(ms[i]->path);
		res[i].report = xstrdup(ms[i]->report);
		res[i].period = xstrdup(ms[i]->period);
		res[i].assembly_id = xstrdup(ms[i]->id);
		res[i].keys = xcalloc(ms[i]->keys.n + 1, sizeof(*res[i].keys));
		for (k = 0; k < ms[i]->keys.n; k++)
			res[i].keys[k] = xstrdup(s3_key(ms[i]->keys.v[k]));
		res[i].nkeys = ms[i]->keys.n;
		res[i].current = ms[i]->use;
	}
	*out = res;
	*nout = n;
cleanup:
	for (i = 0; i < n; i++)
		manifest_free(ms[i]);
	free(ms);
	ingest_list_release(&unused);
	return ret;
}

void ingest_manifests_free(struct ingest_manifest *ms, size_t n)
{
	size_t i, k;

	if (!ms)
		return;
	for (i = 0; i < n; i++) {
		free(ms[i].path);
		free(ms[i].report);
		free(ms[i].period);
		free(ms[i].assembly_id);
		for (k = 0; k < ms[i].nkeys; k++)
			free(ms[i].keys[k]);
		free(ms[i].keys);
	}
	free(ms);
}

void ingest_list_release(struct ingest_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nfiles; i++) {
		free(list->files[i].path);
		free(list->files[i].assembly_id);
	}
	for (i = 0; i < list->nskipped; i++)
		free(list->skipped[i].path);
	free(list->files);
	free(list->skipped);
	memset(list, 0, sizeof(*list));
}

/* ---- parts a manifest lists that an import leaves out ---- */

static int in_list(const struct ingest_list *list, const char *real)
{
	size_t i;
	char r[PATH_MAX];
	for (i = 0; i < list->nfiles; i++)
		if (realpath(list->files[i].path, r) && !strcmp(r, real))
			return 1;
	return 0;
}

/* The manifests (K_MANIFEST files) directly in dir, loaded; NULL-free. */
static size_t manifests_in(struct manifest ***out, const char *dir)
{
	struct dirent **names = NULL;
	struct manifest **ms = NULL;
	int n = scandir(dir, &names, NULL, name_cmp), i;
	size_t k = 0;

	*out = NULL;
	if (n < 0)
		return 0;
	ms = xcalloc((size_t)n + 1, sizeof(*ms));
	for (i = 0; i < n; i++) {
		char *p = join(dir, names[i]->d_name);
		struct rb_err e;
		if (kind_of(p) == K_MANIFEST && manifest_load(&ms[k], p, "", 1, &e) == 0 && ms[k])
			k++;
		free(p);
		free(names[i]);
	}
	free(names);
	*out = ms;
	return k;
}

int ingest_check_parts(const struct ingest_list *list, struct rb_err *err)
{
	struct strbuf missing;
	size_t i, nmissing = 0;
	int ret = 0;

	strbuf_init(&missing, 256, 64 * 1024);
	for (i = 0; i < list->nfiles && !nmissing; i++) {
		const struct ingest_file *f = &list->files[i];
		char real[PATH_MAX], *dir;
		int level;

		if (f->assembly_id[0] || !realpath(f->path, real))
			continue;   /* read through its manifest: complete by construction */
		dir = dir_name(f->path);   /* as the user wrote it, for the message */
		/* data files sit in the manifest's folder or up to two below it */
		for (level = 0; level < 3 && !nmissing; level++) {
			struct manifest **ms;
			size_t nms = manifests_in(&ms, dir), m, k;
			char *up;
			for (m = 0; m < nms; m++) {
				int lists = 0;
				char r[PATH_MAX];
				for (k = 0; k < ms[m]->files.n; k++)
					if (realpath(ms[m]->files.v[k], r) && !strcmp(r, real))
						lists = 1;
				if (!lists || nmissing)
					continue;
				for (k = 0; k < ms[m]->files.n; k++) {
					if (realpath(ms[m]->files.v[k], r) && in_list(list, r))
						continue;
					/* past the buffer's maximum the list is cut, the count stays */
					if ((nmissing && strbuf_addstr(&missing, ", ")) ||
					    strbuf_addstr(&missing, ms[m]->keys.v[k]))
						(void)0;
					nmissing++;
				}
				if (nmissing)
					ret = rb_err_set(err, RB_EINPUT, "%s is one part of the month that %s lists;"
						" %zu part%s not in this import: %s (import the manifest or its folder,"
						" or --partial to import only these)", f->path, ms[m]->path, nmissing,
						nmissing == 1 ? " is" : "s are", missing.buf ? missing.buf : "");
			}
			for (m = 0; m < nms; m++)
				manifest_free(ms[m]);
			free(ms);
			up = dir_name(dir);
			if (!strcmp(up, dir)) {
				free(up);
				break;
			}
			free(dir);
			dir = up;
		}
		free(dir);
	}
	strbuf_release(&missing);
	return ret;
}
