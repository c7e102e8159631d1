/*
 * imports.c: imports over the web — a CUR file uploaded (server.c streamed
 * the body to a temporary file) or a server path (admin only) is read in
 * a thread of its own through the same calls as `rebill import`
 * (ingest_collect, ingest_check_parts, import_files: one transaction, so a
 * failed import leaves the database unchanged), while GET
 * /api/v1/imports/{id} reports its progress. The jobs live in this
 * process (the last JOBS_MAX); what was imported is the store's import
 * history (store_imports.h), which outlives them.
 *
 * Not for: reading CUR (src/ingest), writing facts (src/import, src/store).
 */
#include "http/http_int.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import/import.h"
#include "ingest/ingest.h"
#include "store/store_imports.h"
#include "store/store_wait.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define JOBS_MAX 64

struct job {
	int id;
	const char *state;          /* "running", "done", "failed" (static strings) */
	char source[600];           /* the file's name, or the server path */
	char user[256];
	char started[32], finished[32];
	char dir[512];              /* upload: the temporary directory, removed after */
	char path[1024];            /* what is imported */
	char db[1024];
	_Atomic uint64_t bytes, total, rows;
	char error[1024];
	long error_line, error_column;  /* where in the file, 0: not known */
	json_t *result;             /* done: what the import wrote */
	atomic_int stop;            /* import_options.stop: the server shutting down */
	int at_shutdown;            /* running when the shutdown began */
	int stopped;                /* ... and asked to stop before its COMMIT */
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct job *jobs[JOBS_MAX];
static size_t njobs;
static int next_id = 1;

static void utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The job as JSON; jobs_lock held. */
static json_t *job_json(const struct job *j)
{
	json_t *v;
	v = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:o,s:O}",
		"id", (json_int_t)j->id, "state", j->state, "source", j->source, "user", j->user,
		"started_at", j->started, "finished_at", j->finished[0] ? json_string(j->finished)
		: json_null(), "bytes", (json_int_t)atomic_load(&j->bytes),
		"total_bytes", (json_int_t)atomic_load(&j->total), "rows",
		(json_int_t)atomic_load(&j->rows), "error", j->error[0] ? json_string(j->error)
		: json_null(), "result", j->result ? j->result : json_null());
	if (j->error_line)
		json_object_set_new(v, "error_at", json_pack("{s:I,s:I}", "line",
			(json_int_t)j->error_line, "column", (json_int_t)j->error_column));
	return v;
}

static void on_progress(void *arg, uint64_t bytes, uint64_t total, uint64_t rows)
{
	struct job *j = arg;
	atomic_store(&j->bytes, bytes);
	atomic_store(&j->total, total);
	atomic_store(&j->rows, rows);
}

/* What the import wrote, as `rebill import` prints it. */
static json_t *result_json(const struct import_result *r, const struct ingest_list *list)
{
	json_t *pps = json_array(), *warn = json_array();
	size_t i;
	for (i = 0; i < r->npps; i++) {
		char per[PERIOD_BUFSZ], amt[DEC_BUFSZ];
		period_format(per, r->pps[i].period);
		dec_format(amt, sizeof(amt), r->pps[i].unblended, DEC_SCALE, DEC_SCALE);
		json_array_append_new(pps, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "payer",
			r->pps[i].payer, "provider", r->pps[i].provider ? r->pps[i].provider : "AWS",
			"period", per, "rows", (json_int_t)r->pps[i].rows, "unblended", amt,
			"status", r->pps[i].replaced ? "replaced" : "new"));
	}
	for (i = 0; i < list->nskipped; i++) {
		char w[1200];
		snprintf(w, sizeof(w), "skipped %s (%s)", list->skipped[i].path, list->skipped[i].reason);
		json_array_append_new(warn, json_string(w));
	}
	for (i = 0; i < r->nnotes; i++) {
		char w[1200];
		if (strcmp(r->notes[i].kind, "unknown_type"))
			continue;
		snprintf(w, sizeof(w), "unknown line item type '%s' (payer %s): %lld rows, billed as "
			"class other", r->notes[i].name, r->notes[i].payer, (long long)r->notes[i].rows);
		json_array_append_new(warn, json_string(w));
	}
	for (i = 0; i < r->nempty_files; i++) {
		char w[1200];
		snprintf(w, sizeof(w), "%s has a header and no rows: nothing imported from it",
			r->empty_files[i]);
		json_array_append_new(warn, json_string(w));
	}
	if (r->nunknown_columns) {
		char w[200];
		snprintf(w, sizeof(w), "%zu column%s not used by rebill (recorded in import_notes)",
			r->nunknown_columns, r->nunknown_columns == 1 ? "" : "s");
		json_array_append_new(warn, json_string(w));
	}
	return json_pack("{s:I,s:I,s:o,s:o}", "files", (json_int_t)r->nfiles, "rows",
		(json_int_t)r->rows, "periods", pps, "warnings", warn);
}

/* Removes the upload's temporary directory and file. */
static void remove_upload(struct job *j)
{
	if (!j->dir[0])
		return;
	unlink(j->path);
	rmdir(j->dir);
}

/* The error text without the temporary directory: "cur.csv:3:7: ...". */
static void set_error(struct job *j, const char *msg)
{
	size_t dl = strlen(j->dir), n = 0;
	pthread_mutex_lock(&jobs_lock);
	while (*msg && n + 1 < sizeof(j->error)) {
		if (dl && !strncmp(msg, j->dir, dl) && msg[dl] == '/') {
			msg += dl + 1;
			continue;
		}
		j->error[n++] = *msg++;
	}
	j->error[n] = 0;
	pthread_mutex_unlock(&jobs_lock);
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct ingest_list list = { 0 };
	struct import_result res;
	struct import_options opt;
	struct store *s = NULL;
	struct rb_err err;
	const char *paths[1] = { j->path };
	json_t *result = NULL;
	int rc;

	memset(&res, 0, sizeof(res));
	rb_err_clear(&err);
	if ((rc = store_open(&s, j->db, &err)) == 0) {
		store_set_actor(s, j->user);
		rc = store_probe_writer(s, &err);
	}
	if (rc == 0)
		rc = ingest_collect(&list, paths, 1, &err);
	if (rc == 0 && list.nfiles == 0)
		rc = rb_err_set(&err, RB_EINPUT, "no CUR data files found in %s", j->path);
	if (rc == 0)
		rc = ingest_check_parts(&list, &err);
	if (rc == 0) {
		memset(&opt, 0, sizeof(opt));
		opt.source = &import_source_cur;
		opt.on_progress = on_progress;
		opt.progress_arg = j;
		opt.threads = 1;        /* the server's other requests keep a CPU */
		opt.stop = &j->stop;
		if ((rc = import_files(&res, s, list.files, list.nfiles, &opt, &err)) == 0) {
			result = result_json(&res, &list);
			atomic_store(&j->rows, (uint64_t)res.rows);
			import_result_release(&res);
		}
	}
	ingest_list_release(&list);
	store_free(s);
	if (rc < 0) {
		/* "FILE:LINE:COLUMN: message", as the CLI prints it */
		char full[1800];
		size_t n = 0;
		if (err.file[0])
			n += (size_t)snprintf(full, sizeof(full), "%s:", err.file);
		if (err.file[0] && err.line)
			n += (size_t)snprintf(full + n, sizeof(full) - n, "%ld:", err.line);
		if (err.file[0] && err.line && err.column)
			n += (size_t)snprintf(full + n, sizeof(full) - n, "%ld:", err.column);
		snprintf(full + n, sizeof(full) - n, "%s%s", n ? " " : "", err.msg);
		set_error(j, full);
		j->error_line = err.line;
		j->error_column = err.column;
	}
	remove_upload(j);
	pthread_mutex_lock(&jobs_lock);
	utc_now(j->finished, sizeof(j->finished));
	j->result = result;
	j->state = rc < 0 ? "failed" : "done";
	pthread_mutex_unlock(&jobs_lock);
	return NULL;
}

/* Registers and starts a job; jobs_lock not held. 0, or -1 with the
 * response set (409 while another runs). */
static int job_start(struct http_req *r, struct job *j)
{
	pthread_t tid;
	pthread_attr_t at;
	size_t i;

	pthread_mutex_lock(&jobs_lock);
	for (i = 0; i < njobs; i++)
		if (!strcmp(jobs[i]->state, "running")) {
			int id = jobs[i]->id;
			pthread_mutex_unlock(&jobs_lock);
			http_error(r, 409, "conflict", NULL, "import %d is running; one at a time", id);
			return -1;
		}
	if (njobs == JOBS_MAX) {     /* forget the oldest (none is running) */
		json_decref(jobs[0]->result);
		free(jobs[0]);
		memmove(jobs, jobs + 1, (JOBS_MAX - 1) * sizeof(jobs[0]));
		njobs--;
	}
	j->id = next_id++;
	j->state = "running";
	atomic_init(&j->stop, IMPORT_RUN);
	snprintf(j->user, sizeof(j->user), "%s", r->user.email);
	snprintf(j->db, sizeof(j->db), "%s", http_db_path(r->srv));
	utc_now(j->started, sizeof(j->started));
	jobs[njobs++] = j;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &at, job_main, j) != 0) {
		j->state = "failed";
		snprintf(j->error, sizeof(j->error), "cannot start the import thread");
		utc_now(j->finished, sizeof(j->finished));
	}
	pthread_attr_destroy(&at);
	pthread_mutex_unlock(&jobs_lock);
	return 0;
}

void http_imports_stop(void)
{
	size_t i;
	pthread_mutex_lock(&jobs_lock);
	for (i = 0; i < njobs; i++) {
		int expect = IMPORT_RUN;
		if (strcmp(jobs[i]->state, "running") || jobs[i]->stopped)
			continue;   /* ended, or asked already (this is called twice) */
		jobs[i]->at_shutdown = 1;
		/* fails when the job has begun its COMMIT: that one finishes */
		jobs[i]->stopped = atomic_compare_exchange_strong(&jobs[i]->stop, &expect,
			IMPORT_STOP);
	}
	pthread_mutex_unlock(&jobs_lock);
}

int http_imports_wait(int wait_ms, FILE *log)
{
	int waited = 0, running;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&jobs_lock);
		for (running = 0, i = 0; i < njobs; i++)
			running += !strcmp(jobs[i]->state, "running");
		pthread_mutex_unlock(&jobs_lock);
		if (!running || waited >= wait_ms)
			break;
		{
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			waited += 20;
		}
	}
	pthread_mutex_lock(&jobs_lock);
	for (i = 0; i < njobs; i++) {
		const struct job *j = jobs[i];
		int still = !strcmp(j->state, "running");
		if (!j->at_shutdown)
			continue;
		if (j->stopped && still)
			fprintf(log, "rebill: import %d, %s, did not end in time and ends with the "
				"server; it had not begun its commit, so the database is unchanged: start "
				"it again\n", j->id, j->source);
		else if (j->stopped)
			fprintf(log, "rebill: import %d, %s, was stopped by the shutdown before its "
				"commit; the database is unchanged: start it again\n", j->id, j->source);
		else if (still)
			fprintf(log, "rebill: import %d, %s, was committing at shutdown and did not "
				"finish in time: `rebill periods` shows whether it is stored\n", j->id,
				j->source);
		else
			fprintf(log, "rebill: import %d, %s, was committing at shutdown and %s\n",
				j->id, j->source, !strcmp(j->state, "done") ? "finished" : "failed");
	}
	pthread_mutex_unlock(&jobs_lock);
	fflush(log);
	return running;
}

/* A file name to keep: the last path segment, only [A-Za-z0-9._-]. */
static int clean_name(char *out, size_t n, const char *name)
{
	const char *b = name ? strrchr(name, '/') : NULL, *p;
	size_t k = 0;
	name = b ? b + 1 : name;
	if (!name || !*name)
		name = "upload.csv";
	for (p = name; *p; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
			|| *p == '.' || *p == '_' || *p == '-';
		if (!ok || k + 1 >= n)
			return -1;
		out[k++] = *p;
	}
	out[k] = 0;
	return out[0] == '.' ? -1 : 0;
}

/* Starts importing r's upload or {"path"}; 0 with *id, or -1 with the
 * response set. */
static int start(struct http_req *r, const char *server_path, int *id)
{
	struct job *j = xcalloc(1, sizeof(*j));
	if (server_path) {
		struct stat st;
		if (r->user.role != ROLE_ADMIN) {
			free(j);
			return http_error(r, 403, "forbidden", "path", "only an admin imports a server "
				"path"), -1;
		}
		if (server_path[0] != '/' || stat(server_path, &st) != 0) {
			free(j);
			return http_error(r, 400, "bad_field", "path", "%s: %s", server_path,
				server_path[0] != '/' ? "not an absolute path" : strerror(errno)), -1;
		}
		snprintf(j->path, sizeof(j->path), "%s", server_path);
		snprintf(j->source, sizeof(j->source), "%s", server_path);
	} else {
		char name[200];
		if (clean_name(name, sizeof(name), http_query(r, "name")) < 0) {
			free(j);
			return http_error(r, 400, "bad_parameter", "name", "name is a file name of "
				"letters, digits, '.', '_' and '-'"), -1;
		}
		if (!r->upload_len) {
			free(j);
			return http_error(r, 400, "empty_body", NULL, "the upload is empty"), -1;
		}
		snprintf(j->dir, sizeof(j->dir), "%s/rebill-import-XXXXXX", http_upload_dir(r->srv));
		if (!mkdtemp(j->dir)) {
			free(j);
			return http_error(r, 507, "insufficient_storage", NULL, "cannot make a "
				"temporary directory"), -1;
		}
		snprintf(j->path, sizeof(j->path), "%s/%s", j->dir, name);
		if (rename(r->upload_path, j->path) != 0) {
			rmdir(j->dir);
			free(j);
			return http_error(r, 500, "internal", NULL, "cannot move the upload"), -1;
		}
		r->upload_taken = 1;
		snprintf(j->source, sizeof(j->source), "%s (upload, %llu bytes)", name,
			(unsigned long long)r->upload_len);
		atomic_store(&j->total, r->upload_len);
	}
	if (job_start(r, j) < 0) {
		remove_upload(j);
		free(j);
		return -1;
	}
	*id = j->id;
	return 0;
}

int h_import_start(struct http_req *r)
{
	const char *path = NULL;
	char loc[64];
	json_t *v;
	int id = 0;
	size_t i;

	if (!r->upload_path) {
		/* application/json: {"path"} */
		static const char *const keys[] = { "path", NULL };
		json_error_t je;
		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
		if (!r->json || !json_is_object(r->json))
			return http_error(r, 400, "bad_json", NULL, "the body is not a JSON object: %s",
				r->json ? "another value" : je.text);
		if (http_json_only(r, keys) < 0 || http_member(&path, r, "path", 1) < 0)
			return 0;
	}
	if (start(r, path, &id) < 0)
		return 0;
	pthread_mutex_lock(&jobs_lock);
	v = NULL;
	for (i = 0; i < njobs; i++)
		if (jobs[i]->id == id)
			v = job_json(jobs[i]);
	pthread_mutex_unlock(&jobs_lock);
	snprintf(loc, sizeof(loc), "/api/v1/imports/%d", id);
	http_json(r, 202, v);
	snprintf(r->location, sizeof(r->location), "%s", loc);
	return 0;
}

int h_import_job(struct http_req *r)
{
	char *end = NULL;
	long id = strtol(r->id, &end, 10);
	json_t *v = NULL;
	size_t i;
	if (!*r->id || *end)
		return http_error(r, 404, "not_found", "id", "no import job '%s'", r->id);
	pthread_mutex_lock(&jobs_lock);
	for (i = 0; i < njobs; i++)
		if (jobs[i]->id == id)
			v = job_json(jobs[i]);
	pthread_mutex_unlock(&jobs_lock);
	if (!v)
		return http_error(r, 404, "not_found", "id", "no import job %ld (this server keeps "
			"its last %d)", id, JOBS_MAX);
	return http_json(r, 200, v);
}

static json_t *jobs_json(void)
{
	json_t *a = json_array();
	size_t i;
	pthread_mutex_lock(&jobs_lock);
	for (i = njobs; i-- > 0;)
		json_array_append_new(a, job_json(jobs[i]));
	pthread_mutex_unlock(&jobs_lock);
	return a;
}

int h_imports(struct http_req *r)
{
	struct rb_err err;
	const char *l = http_query(r, "limit");
	char *end = NULL;
	long limit = 100;
	json_t *h = NULL;
	int rc;
	if (l) {
		limit = strtol(l, &end, 10);
		if (!*l || *end || limit < 0 || limit > 100000)
			return http_error(r, 400, "bad_parameter", "limit", "limit is 0..100000 (0: all)");
	}
	rb_err_clear(&err);
	if ((rc = store_import_history(&h, r->store, limit, &err)) < 0)
		return http_fail(r, rc, &err);
	return http_json(r, 200, json_pack("{s:o,s:o}", "imports", h, "jobs", jobs_json()));
}

/* ---- the page ---- */

static int imports_page(struct http_req *r, int status, const char *error)
{
	struct rb_err err;
	json_t *h = NULL, *ctx;
	const char *job = http_query(r, "job");
	int rc;
	rb_err_clear(&err);
	if ((rc = store_import_history(&h, r->store, 100, &err)) < 0)
		return http_page_fail(r, rc, &err);
	{
		/* for display: cents, and each file's name (the full path as a title) */
		json_t *e, *f;
		size_t i, k;
		json_array_foreach(h, i, e) {
			const char *u = json_string_value(json_object_get(e, "unblended"));
			rb_i128 v = 0;
			char c[DEC_BUFSZ];
			if (u && dec_parse(&v, u, strlen(u), DEC_SCALE) == 0) {
				dec_format(c, sizeof(c), v, DEC_SCALE, 2);
				json_object_set_new(e, "unblended", json_string(c));
			}
			json_array_foreach(json_object_get(e, "files"), k, f) {
				const char *pth = json_string_value(json_object_get(f, "path"));
				const char *b = pth ? strrchr(pth, '/') : NULL;
				json_object_set_new(f, "name", json_string(b ? b + 1 : pth ? pth : ""));
			}
		}
	}
	ctx = json_pack("{s:o,s:o,s:b,s:b}", "imports", h, "jobs", jobs_json(),
		"can_upload", r->user.role == ROLE_ADMIN || r->user.role == ROLE_FINANCE,
		"can_path", r->user.role == ROLE_ADMIN);
	if (job)
		json_object_set_new(ctx, "job", json_string(job));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	return http_render(r, status, "imports.html", "Imports", ctx);
}

int h_imports_page(struct http_req *r)
{
	return imports_page(r, 200, NULL);
}

int h_import_path_form(struct http_req *r)
{
	char path[1024], csrf[128], to[64];
	struct http_form f = { { "path", "csrf" }, { path, csrf }, { sizeof(path), sizeof(csrf) } };
	int id = 0;
	if (http_form_parse(r, &f) < 0)
		return 0;
	if (start(r, path, &id) < 0) {
		json_t *v = json_loadb(r->out.buf, r->out.len, 0, NULL);
		const char *m = json_string_value(json_object_get(json_object_get(v, "error"),
			"message"));
		char msg[1200];
		int st = r->status;
		snprintf(msg, sizeof(msg), "%s", m ? m : "refused");
		json_decref(v);
		return imports_page(r, st, msg);
	}
	snprintf(to, sizeof(to), "/console/imports?job=%d", id);
	return http_redirect(r, to);
}
