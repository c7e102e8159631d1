/*
 * http.h: `rebill serve` — one process serving the JSON API (/api/v1), the
 * reseller console (/console) and the customer portal (/portal) on
 * libmicrohttpd with a thread pool.
 *
 * Invariants: every request runs on one pool thread with a store
 * connection of its own (taken from a pool, never shared by two requests
 * at once: store.h). Every route is declared in the route table (routes.c)
 * with the roles that may call it; the table is checked at start and
 * authorization happens in one place before any handler. Handlers parse,
 * call the library (src/report, src/store), serialize: nothing here
 * computes money.
 *
 * Not for: money, SQL, report logic.
 */
#ifndef RB_HTTP_H
#define RB_HTTP_H

#include <stdint.h>

#include "util/err.h"

struct http_options {
	const char *listen;      /* "HOST:PORT" (port 0: any free one); default 127.0.0.1:8080 */
	const char *db_path;
	unsigned threads;        /* pool size; 0: 4 */
	const char *tls_cert;    /* PEM files, both or neither */
	const char *tls_key;
	int64_t session_idle;    /* seconds; 0: 1800 */
	int64_t session_absolute;/* seconds; 0: 43200 */
	int login_fail_user;     /* failures per account in login_window before 429; 0: 5 */
	int login_fail_addr;     /* per client address; 0: 20 */
	int64_t login_window;    /* seconds; 0: 900 */
	const char *trusted_proxy; /* comma-separated IP addresses whose X-Forwarded-For
	                            * is believed (the client address for throttling);
	                            * NULL: the header is ignored */
	uint64_t upload_max;     /* bytes of an uploaded CUR file; 0: HTTP_UPLOAD_MAX (4 GiB) */
	const char *upload_dir;  /* where uploads are streamed; NULL: $TMPDIR or /tmp */
	long cache_mb;           /* response cache (cache.c) in MiB; 0: 64; < 0: none */
};

/* 0 when list is a comma-separated list of IPv4/IPv6 addresses, else
 * RB_EUSAGE naming the bad entry (for --trusted-proxy). */
int http_proxy_list_check(const char *list, struct rb_err *err);

/* Serves until SIGINT or SIGTERM. Prints "rebill: listening on URL" on
 * stdout (flushed) once it accepts connections. Returns 0 after a clean
 * stop; RB_EUSAGE for a bad --listen; RB_EIO when it cannot listen or the
 * database cannot be opened; RB_EBALANCE when the route table is invalid. */
int http_serve(const struct http_options *opt, struct rb_err *err);

#endif
