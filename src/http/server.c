/*
 * server.c: libmicrohttpd glue — listening, reading bounded request bodies,
 * one store connection per request from a small pool, the security headers
 * every response carries, and the JSON response helpers.
 *
 * Not for: which route does what or who may call it (routes.c), handlers.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define BODY_MAX (64 * 1024)     /* bytes of a request body; larger is 413 */
#define POOL_MAX 16

struct http_server {
	struct http_options opt;
	pthread_mutex_t lock;
	struct store *free_stores[POOL_MAX];
	size_t nfree;
	int tls;
	struct http_cache *cache;   /* NULL: no response cache */
	/* Shutting down (SIGINT/SIGTERM): requests not yet answered get 503
	 * at once; active counts the requests begun and not yet completed,
	 * which the shutdown lets finish (bounded by SHUTDOWN_WAIT). */
	atomic_int stopping;
	atomic_int active;
};

/* How long a shutdown waits for the requests in progress to be answered. */
#define SHUTDOWN_WAIT_MS 30000

/* Per-request state, kept across libmicrohttpd's calls of one request. */
struct conn_state {
	struct strbuf body;
	int too_big;
	/* ROUTE_UPLOAD with a body that is not JSON: streamed to this file */
	int upload;                /* 1: writing to up, -1: refused, read and dropped */
	FILE *up;
	char up_path[512];
	uint64_t up_len;
	int write_failed;
};

const char *http_db_path(const struct http_server *srv)
{
	return srv->opt.db_path;
}

uint64_t http_upload_max(const struct http_server *srv)
{
	return srv->opt.upload_max ? srv->opt.upload_max : HTTP_UPLOAD_MAX;
}

const char *http_upload_dir(const struct http_server *srv)
{
	const char *t = getenv("TMPDIR");
	return srv->opt.upload_dir ? srv->opt.upload_dir : t && *t ? t : "/tmp";
}

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
	"frame-ancestors 'none'";

int64_t http_session_idle(const struct http_server *srv)
{
	return srv->opt.session_idle > 0 ? srv->opt.session_idle : 1800;
}

int64_t http_session_absolute(const struct http_server *srv)
{
	return srv->opt.session_absolute > 0 ? srv->opt.session_absolute : 43200;
}

void http_login_limits(const struct http_server *srv, int *per_user, int *per_addr,
	int64_t *window)
{
	*per_user = srv->opt.login_fail_user > 0 ? srv->opt.login_fail_user : 5;
	*per_addr = srv->opt.login_fail_addr > 0 ? srv->opt.login_fail_addr : 20;
	*window = srv->opt.login_window > 0 ? srv->opt.login_window : 900;
}

static int pool_get(struct store **out, struct http_server *srv, struct rb_err *err)
{
	struct store *s = NULL;
	pthread_mutex_lock(&srv->lock);
	if (srv->nfree)
		s = srv->free_stores[--srv->nfree];
	pthread_mutex_unlock(&srv->lock);
	*out = s;
	return s ? 0 : store_open(out, srv->opt.db_path, err);
}

static void pool_put(struct http_server *srv, struct store *s)
{
	if (!s)
		return;
	store_set_actor(s, NULL);
	pthread_mutex_lock(&srv->lock);
	if (srv->nfree < POOL_MAX) {
		srv->free_stores[srv->nfree++] = s;
		s = NULL;
	}
	pthread_mutex_unlock(&srv->lock);
	store_free(s);
}

const char *http_query(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

int http_json(struct http_req *r, int status, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	strbuf_reset(&r->out);
	strbuf_addstr(&r->out, s ? s : "null");
	strbuf_addch(&r->out, '\n');
	free(s);
	r->status = status;
	r->ctype = "application/json";
	return 0;
}

int http_error(struct http_req *r, int status, const char *code, const char *field,
	const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *e = json_object(), *root = json_object();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "field", field ? json_string(field) : json_null());
	json_object_set_new(root, "error", e);
	return http_json(r, status, root);
}

int http_fail(struct http_req *r, int rc, const struct rb_err *err)
{
	if (rc == RB_EINPUT || rc == RB_EUSAGE)
		return http_error(r, strstr(err->msg, "unknown ") || strstr(err->msg, "no ") == err->msg
			? 404 : 400, "bad_input", NULL, "%s", err->msg);
	fprintf(stderr, "rebill serve: %s %s: %s\n", r->method, r->path, err->msg);
	return http_error(r, 500, "internal", NULL, "internal error (logged on the server)");
}

int http_redirect(struct http_req *r, const char *to)
{
	strbuf_reset(&r->out);
	snprintf(r->location, sizeof(r->location), "%s", to);
	r->status = 303;
	r->ctype = "text/plain; charset=utf-8";
	strbuf_addstr(&r->out, "see other\n");
	return 0;
}

int http_json_only(struct http_req *r, const char *const *keys)
{
	const char *k;
	json_t *v;
	size_t i;
	json_object_foreach(r->json, k, v) {
		for (i = 0; keys[i]; i++)
			if (!strcmp(keys[i], k))
				break;
		if (!keys[i]) {
			http_error(r, 400, "unknown_field", k, "unknown field '%s'", k);
			return -1;
		}
	}
	return 0;
}

/* The address in text form when s (len bytes) is one IPv4/IPv6 address:
 * 1 with out filled (canonical), else 0. */
static int ip_text(char *out, size_t cap, const char *s, size_t len)
{
	char buf[64];
	unsigned char bin[16];
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, bin) == 1)
		return inet_ntop(AF_INET, bin, out, (socklen_t)cap) != NULL;
	if (inet_pton(AF_INET6, buf, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, (socklen_t)cap) != NULL;
	return 0;
}

int http_proxy_list_check(const char *list, struct rb_err *err)
{
	const char *p = list;
	char ip[64];
	for (;;) {
		size_t n = strcspn(p, ",");
		if (!ip_text(ip, sizeof(ip), p, n))
			return rb_err_set(err, RB_EUSAGE, "--trusted-proxy: '%.*s' is not an IP address",
				(int)(n > 64 ? 64 : n), p);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* 1 when ip (canonical text) is one of the --trusted-proxy addresses. */
static int trusted(const struct http_server *srv, const char *ip)
{
	const char *p = srv->opt.trusted_proxy;
	char t[64];
	while (p && *p) {
		size_t n = strcspn(p, ",");
		if (ip_text(t, sizeof(t), p, n) && !strcmp(t, ip))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* The client's address: the peer's, or — only when the peer is a trusted
 * proxy — the nearest address in X-Forwarded-For that is not itself a
 * trusted proxy (the right-most entries were added by our own proxies; the
 * left ones are whatever the client sent). A malformed entry stops the
 * walk at the last address believed. */
static void client_address(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	const char *xff, *end;
	snprintf(r->address, sizeof(r->address), "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			r->address, sizeof(r->address));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			r->address, sizeof(r->address));
	if (!r->srv->opt.trusted_proxy || !trusted(r->srv, r->address))
		return;
	if (!(xff = http_header(r, "X-Forwarded-For")))
		return;
	end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end;
		char ip[64];
		while (start > xff && start[-1] != ',')
			start--;
		if (!ip_text(ip, sizeof(ip), start, (size_t)(end - start)))
			return;
		snprintf(r->address, sizeof(r->address), "%s", ip);
		if (!trusted(r->srv, ip))
			return;
		end = start > xff ? start - 1 : xff;
	}
}

static int is_state_changing(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

/* Runs the request through route lookup, body checks, session, the one
 * authorization check and the handler; fills r's response. */
static void dispatch(struct http_req *r, struct conn_state *cs)
{
	struct rb_err err;
	int path_ok = 0, rc;
	const struct http_route *rt;
	uint64_t gen;

	rb_err_clear(&err);
	rt = http_route_find(r, &path_ok);
	if (!rt) {
		if (path_ok)
			http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed on %s",
				r->method, r->path);
		else
			http_error(r, 404, "not_found", NULL, "no such resource '%s'", r->path);
		return;
	}
	r->route = rt;
	if (cs->too_big && cs->upload) {
		http_error(r, 413, "body_too_large", NULL, "the upload is larger than %llu bytes "
			"(--upload-max)", (unsigned long long)http_upload_max(r->srv));
		return;
	}
	if (cs->too_big) {
		http_error(r, 413, "body_too_large", NULL, "the request body is larger than %d bytes",
			BODY_MAX);
		return;
	}
	if (cs->upload > 0) {
		if (cs->write_failed || fflush(cs->up) != 0) {
			http_error(r, 507, "insufficient_storage", NULL, "cannot write the upload to %s",
				http_upload_dir(r->srv));
			return;
		}
		r->upload_path = cs->up_path;
		r->upload_len = cs->up_len;
	}
	r->body = cs->body.buf ? cs->body.buf : "";
	r->body_len = cs->body.len;
	if ((rc = pool_get(&r->store, (struct http_server *)r->srv, &err)) < 0) {
		http_fail(r, rc, &err);
		return;
	}
	/* before anything is read: was anything committed since the last look? */
	gen = http_cache_observe(r->srv->cache);
	if (http_session_resolve(r) < 0 || http_authorize(r) < 0)
		return;
	/* library calls that take no actor audit their rows with this user */
	store_set_actor(r->store, r->authed ? r->user.email : NULL);
	if (is_state_changing(r->method) && http_csrf_check(r) < 0)
		return;
	if (rt->flags & ROUTE_JSON_BODY) {
		json_error_t je;
		const char *ct = http_header(r, "Content-Type");
		if (!ct || strncmp(ct, "application/json", 16)) {
			http_error(r, 415, "unsupported_media_type", NULL,
				"the body must be application/json");
			return;
		}
		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
		if (!r->json || !json_is_object(r->json)) {
			http_error(r, 400, "bad_json", NULL, "the body is not a JSON object: %s",
				r->json ? "another value" : je.text);
			return;
		}
	}
	if (r->srv->cache && http_cache_wanted(r)) {
		if (http_cache_get(r->srv->cache, r, gen))
			return;
		rt->fn(r);
		http_cache_put(r->srv->cache, r, gen);
		return;
	}
	rt->fn(r);
}

static void add_headers(struct MHD_Response *resp, struct http_req *r)
{
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/plain");
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control",
		r->cacheable ? "public, max-age=3600" : "no-store");
	if (r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->location[0])
		MHD_add_response_header(resp, "Location", r->location);
	if (r->retry_after[0])
		MHD_add_response_header(resp, "Retry-After", r->retry_after);
	if (r->disposition[0])
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (r->cache_state)
		MHD_add_response_header(resp, "X-Rebill-Cache", r->cache_state);
}

/* 1 when this request is an upload to stream (a ROUTE_UPLOAD route and a
 * body that is not JSON) that its caller may make: the session, the role
 * and the CSRF token are checked before a byte is written, so nobody else
 * fills the disk. -1: an upload that will be refused (its body is read
 * and dropped; dispatch answers). 0: not an upload. */
static int upload_start(struct http_server *srv, struct MHD_Connection *conn, const char *url,
	const char *method)
{
	struct http_req r;
	struct rb_err err;
	const char *ct;
	int path_ok = 0, ok;

	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.srv = srv;
	r.method = method;
	r.path = url;
	r.tls = srv->tls;
	r.now = (int64_t)time(NULL);
	if (!(r.route = http_route_find(&r, &path_ok)) || !(r.route->flags & ROUTE_UPLOAD))
		return 0;
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	if (ct && !strncmp(ct, "application/json", 16))
		return 0;
	rb_err_clear(&err);
	strbuf_init(&r.out, 1024, 1 << 20);
	client_address(&r);
	ok = pool_get(&r.store, srv, &err) == 0 && http_session_resolve(&r) == 0 &&
		http_authorize(&r) == 0 && http_csrf_check(&r) == 0;
	pool_put(srv, r.store);
	strbuf_release(&r.out);
	return ok ? 1 : -1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
	const char *method, const char *version, const char *upload, size_t *upload_size,
	void **con_cls)
{
	struct http_server *srv = cls;
	struct conn_state *cs = *con_cls;
	struct http_req r;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!cs) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		atomic_fetch_add(&srv->active, 1);   /* until on_completed */
		cs = xcalloc(1, sizeof(*cs));
		strbuf_init(&cs->body, 0, BODY_MAX);
		cs->upload = upload_start(srv, conn, url, method);
		/* A declared length over the limit is refused before reading it. */
		if (cl && strtoull(cl, NULL, 10) > (cs->upload ? http_upload_max(srv) : BODY_MAX))
			cs->too_big = 1;
		if (cs->upload > 0 && !cs->too_big) {
			int fd;
			snprintf(cs->up_path, sizeof(cs->up_path), "%s/rebill-upload-XXXXXX",
				http_upload_dir(srv));
			if ((fd = mkstemp(cs->up_path)) < 0 || !(cs->up = fdopen(fd, "wb"))) {
				if (fd >= 0)
					close(fd);
				cs->up_path[0] = 0;
				cs->write_failed = 1;
			}
		}
		*con_cls = cs;
		if (!cs->too_big)
			return MHD_YES;
	}
	if (*upload_size && cs->upload) {
		/* streamed: never held whole in memory */
		if (cs->up_len + *upload_size > http_upload_max(srv))
			cs->too_big = 1;
		else if (cs->upload > 0 && !cs->write_failed &&
			 fwrite(upload, 1, *upload_size, cs->up) != *upload_size)
			cs->write_failed = 1;
		cs->up_len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cs->too_big && strbuf_add(&cs->body, upload, *upload_size) < 0)
			cs->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}

	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.srv = srv;
	r.method = method;
	r.path = url;
	r.tls = srv->tls;
	r.now = (int64_t)time(NULL);
	strbuf_init(&r.out, 4096, (size_t)64 << 20);
	client_address(&r);
	if (atomic_load(&srv->stopping)) {
		/* not yet handled when the shutdown began: refused at once,
		 * never dropped unanswered */
		snprintf(r.retry_after, sizeof(r.retry_after), "5");
		http_error(&r, 503, "shutting_down", NULL,
			"the server is shutting down; try again in a moment");
	} else {
		dispatch(&r, cs);
	}
	if (cs->up) {
		fclose(cs->up);
		cs->up = NULL;
	}
	if (!r.upload_taken && cs->up_path[0])
		unlink(cs->up_path);    /* refused: gone before the answer is sent */
	cs->up_path[0] = 0;         /* else the import job owns the file now */
	/* whatever it did or refused, what was cached may be older now */
	if (is_state_changing(method))
		http_cache_bump(srv->cache);
	if (!r.status)
		http_error(&r, 500, "internal", NULL, "the handler gave no response");
	resp = MHD_create_response_from_buffer(r.out.len, r.out.buf ? r.out.buf : (char *)"",
		MHD_RESPMEM_MUST_COPY);
	add_headers(resp, &r);
	if (cs->too_big || atomic_load(&srv->stopping))
		MHD_add_response_header(resp, "Connection", "close");
	ret = MHD_queue_response(conn, (unsigned)r.status, resp);
	MHD_destroy_response(resp);
	json_decref(r.json);
	pool_put(srv, r.store);
	strbuf_release(&r.out);
	(void)version;
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;
	if (cs) {
		if (cs->up)
			fclose(cs->up);
		if (cs->up_path[0])
			unlink(cs->up_path);
		strbuf_release(&cs->body);
		free(cs);
		*con_cls = NULL;
		atomic_fetch_sub(&((struct http_server *)cls)->active, 1);
	}
	(void)conn; (void)toe;
}

static int parse_listen(struct sockaddr_storage *ss, socklen_t *len, const char *listen,
	struct rb_err *err)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];
	const char *colon = strrchr(listen, ':');
	int rc;

	if (!colon || colon == listen || !colon[1] || (size_t)(colon - listen) >= sizeof(host))
		return rb_err_set(err, RB_EUSAGE, "serve: bad --listen '%s' (HOST:PORT)", listen);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &ai)) != 0)
		return rb_err_set(err, RB_EUSAGE, "serve: bad --listen '%s': %s", listen,
			gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static char *read_file(const char *path, struct rb_err *err)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[4096];
	size_t n;
	if (!f) {
		rb_err_set(err, RB_EIO, "cannot open '%s'", path);
		return NULL;
	}
	strbuf_init(&sb, 4096, 1 << 20);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(&sb, buf, n) < 0) {
			rb_err_set(err, RB_EINPUT, "'%s' is larger than 1 MiB", path);
			break;
		}
	fclose(f);
	if (err->code) {
		strbuf_release(&sb);
		return NULL;
	}
	{
		/* strbuf_detach leaves sb initialized again (with a buffer) */
		char *p = strbuf_detach(&sb, NULL);
		strbuf_release(&sb);
		return p;
	}
}

int http_serve(const struct http_options *opt, struct rb_err *err)
{
	struct http_server srv;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct MHD_Daemon *d = NULL;
	struct store *probe = NULL;
	const union MHD_DaemonInfo *info;
	char *cert = NULL, *key = NULL;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	sigset_t set;
	int rc, sig;

	memset(&srv, 0, sizeof(srv));
	atomic_init(&srv.stopping, 0);
	atomic_init(&srv.active, 0);
	srv.opt = *opt;
	if (!srv.opt.listen)
		srv.opt.listen = "127.0.0.1:8080";
	if (!srv.opt.threads)
		srv.opt.threads = 4;
	if ((rc = http_routes_check(err)) < 0 || (rc = auth_init(err)) < 0 ||
	    (rc = http_pages_init(err)) < 0)
		return rc;
	if ((rc = parse_listen(&ss, &sslen, srv.opt.listen, err)) < 0)
		goto cleanup;
	/* Open (and migrate) the database once before serving. */
	if ((rc = store_open(&probe, srv.opt.db_path, err)) < 0)
		goto cleanup;
	store_free(probe);
	if (!!opt->tls_cert != !!opt->tls_key) {
		rc = rb_err_set(err, RB_EUSAGE, "serve: --tls-cert and --tls-key go together");
		goto cleanup;
	}
	if (opt->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			rc = rb_err_set(err, RB_EUSAGE, "serve: this libmicrohttpd has no TLS");
			goto cleanup;
		}
		if (!(cert = read_file(opt->tls_cert, err)) || !(key = read_file(opt->tls_key, err))) {
			rc = err->code;
			goto cleanup;
		}
		flags |= MHD_USE_TLS;
		srv.tls = 1;
	}
	pthread_mutex_init(&srv.lock, NULL);
	srv.cache = http_cache_new(opt->cache_mb < 0 ? 0 :
		(size_t)(opt->cache_mb ? opt->cache_mb : 64) << 20, srv.opt.db_path, err);
	if (!srv.cache && opt->cache_mb >= 0) {
		rc = err->code;
		goto cleanup_lock;
	}
	/* SIGINT/SIGTERM are waited for below: block them before the pool
	 * threads start, so they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv.tls)
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &srv,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_THREAD_POOL_SIZE, srv.opt.threads,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
			MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
			MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &srv,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			MHD_OPTION_THREAD_POOL_SIZE, srv.opt.threads,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
			MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			MHD_OPTION_END);
	if (!d) {
		rc = rb_err_set(err, RB_EIO, "serve: cannot listen on %s", srv.opt.listen);
		goto cleanup_lock;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[256];
		const char *colon = strrchr(srv.opt.listen, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - srv.opt.listen), srv.opt.listen);
		printf("rebill: listening on %s://%s:%u/\n", srv.tls ? "https" : "http", host,
			info ? (unsigned)info->port : 0u);
		fflush(stdout);
	}
	sigwait(&set, &sig);
	/* Stop accepting, answer what was asked before the signal, refuse
	 * (503) what had not begun, then stop: a request is never dropped
	 * unanswered, and queued slow requests do not hold the shutdown up. */
	atomic_store(&srv.stopping, 1);
	{
		MHD_socket ls = MHD_quiesce_daemon(d);
		int waited = 0;
		/* an import job stops before its COMMIT (database unchanged) */
		http_imports_stop();
		while (atomic_load(&srv.active) > 0 && waited < SHUTDOWN_WAIT_MS) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			waited += 10;
		}
		http_imports_stop();   /* again: one a request just started */
		http_imports_wait(SHUTDOWN_WAIT_MS - waited, stderr);
		MHD_stop_daemon(d);
		if (ls != MHD_INVALID_SOCKET)
			close(ls);
	}
	rc = 0;
	while (srv.nfree)
		store_free(srv.free_stores[--srv.nfree]);
cleanup_lock:
	http_cache_free(srv.cache);
	pthread_mutex_destroy(&srv.lock);
cleanup:
	free(cert);
	free(key);
	http_pages_free();
	return rc;
}
