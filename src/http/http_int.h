/*
 * http_int.h: shared by the files of src/http/ only — the request, the
 * route table's entry type, roles, and the response helpers.
 */
#ifndef RB_HTTP_INT_H
#define RB_HTTP_INT_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "http/http.h"
#include "report/report.h"
#include "store/store.h"
#include "util/err.h"
#include "util/strbuf.h"

struct json_t;
struct MHD_Connection;

/* Roles as bits: a route lists the roles that may call it. */
enum http_role {
	ROLE_ADMIN = 1 << 0,
	ROLE_FINANCE = 1 << 1,
	ROLE_VIEWER = 1 << 2,
	ROLE_CUSTOMER = 1 << 3,
	ROLE_PUBLIC = 1 << 4,    /* no login needed (login itself, assets, openapi) */
};
#define ROLE_STAFF (ROLE_ADMIN | ROLE_FINANCE | ROLE_VIEWER)
#define ROLE_ANY_USER (ROLE_STAFF | ROLE_CUSTOMER)

/* How a route that admits ROLE_CUSTOMER limits it to its own customer;
 * checked centrally (routes.c) before the handler runs. */
enum http_scope {
	SCOPE_NONE,        /* the route admits no customer user (checked at start) */
	SCOPE_PATH_ID,     /* path parameter {id} must be the user's customer */
	SCOPE_QUERY,       /* query parameter customer: absent → the user's own; else must match */
	SCOPE_SELF,        /* the route is about the user itself (session, portal) */
	SCOPE_DOCUMENT,    /* path parameter {id} is a document number: a finalized
	                    * document of the user's customer (never a draft) */
};

enum http_route_flags {
	ROUTE_HTML = 1 << 0,     /* a page: unauthenticated → redirect to /login */
	ROUTE_JSON_BODY = 1 << 1,/* the body must be a JSON object */
	ROUTE_FORM_BODY = 1 << 2,/* the body is application/x-www-form-urlencoded */
	ROUTE_CREATES = 1 << 3,  /* success is 201 Created */
	ROUTE_FILE = 1 << 4,     /* success is a file (PDF, XML, CSV, HTML) to download */
	ROUTE_UPLOAD = 1 << 5,   /* a body that is not application/json is streamed to a
	                          * temporary file (r->upload_path), up to the upload limit */
	ROUTE_LIVE = 1 << 6,     /* the answer holds this process's own state (import jobs),
	                          * which changes without a commit: never cached */
};

struct http_req;
typedef int (*http_fn)(struct http_req *r);

/* One query parameter a route accepts (documented in OpenAPI, and any
 * other is refused with 400). */
struct http_param {
	const char *name;
	const char *desc;
};

#define HTTP_MAX_QUERY 8       /* query parameters a route may declare */

struct http_route {
	const char *method;
	const char *pattern;        /* "/api/v1/customers/{id}": one {id} at most */
	http_fn fn;
	unsigned roles;
	enum http_scope scope;
	unsigned flags;
	const char *summary;
	struct http_param query[HTTP_MAX_QUERY]; /* NULL-named terminates */
};

extern const struct http_route http_routes[];
extern const size_t http_nroutes;

struct http_user {
	int64_t id;
	char email[256];
	unsigned role;              /* one ROLE_* bit */
	char customer[128];         /* role customer: its id */
	int via_token;              /* authenticated by an API bearer token */
	char session_hash[65];      /* the session's token hash (cookie auth) */
	char csrf[80];
};

struct http_server;

struct http_req {
	struct MHD_Connection *conn;
	const struct http_server *srv;
	const struct http_route *route;
	const char *method;
	const char *path;
	char id[256];               /* the {id} path parameter, decoded */
	const char *body;
	size_t body_len;
	struct json_t *json;        /* ROUTE_JSON_BODY: the parsed object */
	const char *upload_path;    /* ROUTE_UPLOAD: the temporary file holding the body
	                             * (the handler may rename it; else removed after) */
	uint64_t upload_len;
	int upload_taken;           /* the handler took the file (it removes it) */
	struct store *store;
	int authed;
	struct http_user user;
	char address[64];           /* the client's IP address */
	int tls;
	int64_t now;

	/* the response */
	int status;
	const char *ctype;
	struct strbuf out;
	char set_cookie[512];
	char location[512];
	char retry_after[16];
	char disposition[300];      /* Content-Disposition of a download */
	int cacheable;              /* static assets only */
	const char *cache_state;    /* "hit" or "miss" for what the response cache considered */
	char cache_ctype[64];       /* the Content-Type of a cached answer */
};

/* ---- server.c ---- */
const char *http_query(struct http_req *r, const char *name);
const char *http_header(struct http_req *r, const char *name);
const char *http_cookie(struct http_req *r, const char *name);
int64_t http_session_idle(const struct http_server *srv);
int64_t http_session_absolute(const struct http_server *srv);
void http_login_limits(const struct http_server *srv, int *per_user, int *per_addr,
	int64_t *window);

/* Response helpers: each returns 0 (the handler's return value). */
int http_json(struct http_req *r, int status, struct json_t *v);   /* steals v */
int http_error(struct http_req *r, int status, const char *code, const char *field,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Maps a library error: RB_EINPUT → 400 bad_input (or 404 when not_found),
 * RB_EUSAGE → 400, else 500 (the message is logged, not sent). */
int http_fail(struct http_req *r, int rc, const struct rb_err *err);
int http_redirect(struct http_req *r, const char *to);

/* Refuses (400 unknown_field, naming it) any key of r->json not in the
 * NULL-terminated list; returns 0 when all are known, else -1 with the
 * response set. */
int http_json_only(struct http_req *r, const char *const *keys);
/* A string member of r->json: *out NULL when absent or null; -1 with 400
 * set when it is missing but required, or not a string. (api_config.c) */
int http_member(const char **out, struct http_req *r, const char *key, int required);

/* A form body (application/x-www-form-urlencoded): up to HTTP_FORM_MAX named fields
 * into the caller's buffers. */
#define HTTP_FORM_MAX 10
struct http_form {
	const char *names[HTTP_FORM_MAX];
	char *values[HTTP_FORM_MAX];
	size_t sizes[HTTP_FORM_MAX];
};
/* Fills the named fields (each "" when absent); -1 with 400 set when the
 * body is not a form or a field is too long. (session.c) */
int http_form_parse(struct http_req *r, struct http_form *f);

/* ---- cache.c: the response cache (see there for what and how long) ---- */
struct http_cache;
/* NULL (no cache) when max_bytes is 0, or on error (err set) when its
 * connection to db_path cannot be opened. */
struct http_cache *http_cache_new(size_t max_bytes, const char *db_path, struct rb_err *err);
void http_cache_free(struct http_cache *c);
/* The generation a request runs in: moved when anything was committed
 * since the last look. Called before the request reads anything. */
uint64_t http_cache_observe(struct http_cache *c);
/* The generation moves: a state-changing request was handled. */
void http_cache_bump(struct http_cache *c);
/* 1 when r's route is one whose answers are cached. */
int http_cache_wanted(const struct http_req *r);
/* 1 with r's response set from the cache (entry of generation gen). */
int http_cache_get(struct http_cache *c, struct http_req *r, uint64_t gen);
/* Keeps r's 200 response under generation gen (unless it moved since). */
void http_cache_put(struct http_cache *c, struct http_req *r, uint64_t gen);

/* ---- routes.c ---- */
/* Checks the table: every route has roles, customer routes a scope,
 * patterns are unique. Returns 0 or RB_EBALANCE naming the route. */
int http_routes_check(struct rb_err *err);
/* Finds the route and fills r->id; *method_ok 0 when only the path matched. */
const struct http_route *http_route_find(struct http_req *r, int *path_ok);
/* Authorizes r for its route: 0 to run the handler, else -1 with the
 * response (401/403/redirect) set. */
int http_authorize(struct http_req *r);
const char *http_role_name(unsigned role);
unsigned http_role_parse(const char *s);
/* The customer a handler must limit itself to: the user's own for a
 * customer user, else the query/path value (may be NULL). */
const char *http_scope_customer(struct http_req *r);

/* ---- session.c ---- */
/* Resolves the cookie or bearer token into r->user. 0 (authenticated or
 * not), or -1 with a 500 set on a database error. */
int http_session_resolve(struct http_req *r);
/* Checks the CSRF token of a state-changing request; -1 with 403 set. */
int http_csrf_check(struct http_req *r);
int h_session_create(struct http_req *r);
int h_session_delete(struct http_req *r);
int h_session_get(struct http_req *r);
int h_login_form(struct http_req *r);
int h_logout_form(struct http_req *r);
/* Logs in email/password for r: 0 with the cookie set and r->user filled,
 * or -1 with the error response (401/429/...) set. */
int http_login(struct http_req *r, const char *email, const char *password);

/* ---- api.c ---- */
int h_periods(struct http_req *r);
int h_summary(struct http_req *r);
int h_margin(struct http_req *r);
int h_reconcile(struct http_req *r);
int h_invoice_preview(struct http_req *r);
int h_customers(struct http_req *r);
int h_customer(struct http_req *r);
int h_customer_preview(struct http_req *r);
int h_accounts(struct http_req *r);
int h_audit(struct http_req *r);
int h_users(struct http_req *r);
int h_user_create(struct http_req *r);
int h_portal_summary(struct http_req *r);
/* api_config.c */
int h_account_assign(struct http_req *r);
int h_fx_set(struct http_req *r);
int h_fx_unset(struct http_req *r);
int h_account_unassign(struct http_req *r);
int h_customer_add(struct http_req *r);
int h_customer_edit(struct http_req *r);
/* Answers a finished store_config_edit_as: 200 with what changed, or 400
 * with the problems (each JSON path), releasing cr. (api_config.c) */
struct config_result;
int http_edited(struct http_req *r, int rc, struct config_result *cr, const struct rb_err *err);
/* api_plans.c: plans, tax clusters, FX (the CLI's edit verbs) */
int h_plans(struct http_req *r);
int h_plan(struct http_req *r);
int h_plan_add(struct http_req *r);
int h_plan_set(struct http_req *r);
int h_rule_add(struct http_req *r);
int h_rule_remove(struct http_req *r);
int h_fee_add(struct http_req *r);
int h_fee_remove(struct http_req *r);
int h_tax_clusters(struct http_req *r);
int h_tax_cluster_add(struct http_req *r);
int h_tax_cluster_set(struct http_req *r);
int h_fx_list(struct http_req *r);
/* The configuration's entry of array key ("plans", "tax_clusters") with
 * that id: *out a new reference or NULL; -1 with the response set on a
 * database error. */
int http_config_entry(struct json_t **out, struct http_req *r, const char *key, const char *id);
/* The portal's document for the user's customer: {"period", "customer",
 * "invoice" (its draft invoice or null), "previous" ({"period","total"} of
 * the latest earlier period, or null)}. *out is a new reference. */
int http_portal_doc(struct json_t **out, struct http_req *r, int period, struct rb_err *err);
/* The period of ?period=, else the latest with facts; -1 with 400/404 set. */
int http_period(int *out, struct http_req *r);

/* api_invoice.c: the invoice lifecycle (src/invoice) */
int h_invoices(struct http_req *r);
int h_invoice_run(struct http_req *r);
int h_invoice_finalize(struct http_req *r);
int h_invoice_rerate_preview(struct http_req *r);
int h_invoice_rerate(struct http_req *r);
int h_invoice_get(struct http_req *r);
int h_invoice_download(struct http_req *r);
int h_invoice_credit(struct http_req *r);
int h_invoice_pay(struct http_req *r);
int h_invoice_send(struct http_req *r);
int h_receivables(struct http_req *r);
int h_journal(struct http_req *r);
/* SCOPE_DOCUMENT for a customer user: 0 when r->id is a finalized document
 * of its customer, else -1 with the response (403, or 500) set. */
int http_document_scope(struct http_req *r);
/* Sends document r->id (or a draft id) rendered in format ("pdf", "ubl",
 * "csv", "html"): 0 with the file set, or the error response. */
int http_document_file(struct http_req *r, const char *format);

/* imports.c: import jobs (a thread each) and the imports page */
int h_import_start(struct http_req *r);
int h_imports(struct http_req *r);
int h_import_job(struct http_req *r);
int h_imports_page(struct http_req *r);
int h_import_path_form(struct http_req *r);
/* At shutdown: asks every running import job to stop (import_options.stop:
 * one that has not begun its COMMIT ends with the database unchanged). */
void http_imports_stop(void);
/* Then waits up to wait_ms for the jobs to end and says on log what became
 * of each job that was running. Returns how many still run. */
int http_imports_wait(int wait_ms, FILE *log);
/* The upload limit in bytes (--upload-max, default HTTP_UPLOAD_MAX) and
 * the directory of temporary upload files. (server.c) */
#define HTTP_UPLOAD_MAX ((uint64_t)4 << 30)
uint64_t http_upload_max(const struct http_server *srv);
const char *http_upload_dir(const struct http_server *srv);
const char *http_db_path(const struct http_server *srv);

/* pages_config.c: plans, tax clusters, FX pages and their forms */
int h_plans_page(struct http_req *r);
int h_plan_add_form(struct http_req *r);
int h_plan_set_form(struct http_req *r);
int h_rule_add_form(struct http_req *r);
int h_rule_remove_form(struct http_req *r);
int h_fee_add_form(struct http_req *r);
int h_fee_remove_form(struct http_req *r);
int h_tax_clusters_page(struct http_req *r);
int h_tax_cluster_add_form(struct http_req *r);
int h_tax_cluster_set_form(struct http_req *r);
int h_fx_page(struct http_req *r);
int h_fx_set_form(struct http_req *r);
int h_fx_unset_form(struct http_req *r);
/* api_reports.c: the explorer and credits and refunds (src/report) */
/* The explorer's query: period (default the latest with facts), to
 * (default period), by (default by_default; NULL: not parsed), customer,
 * account, service, region (absent or "": any). */
struct http_explore_q {
	int from, to;
	const char *by;
	enum report_by rby;
	const char *tag;
	struct report_filter f;
	char error[1100];           /* why it failed, for a page */
};
/* 0, or -1 with 400/404 set (and q->error). */
int http_explore_query(struct http_explore_q *q, struct http_req *r, const char *by_default);
/* A query value, NULL when absent or "". */
const char *http_query_opt(struct http_req *r, const char *name);
int h_explorer(struct http_req *r);
int h_credits(struct http_req *r);
/* pages_reports.c */
int h_explorer_page(struct http_req *r);
int h_reconciliation_page(struct http_req *r);
int h_receivables_page(struct http_req *r);
int h_credits_page(struct http_req *r);

/* ---- openapi.c ---- */
int h_openapi(struct http_req *r);
struct json_t *http_openapi(void);

/* ---- pages.c ---- */
/* Renders page template `name` with ctx inside the layout (title, the user
 * and the CSRF token added); steals ctx. */
int http_render(struct http_req *r, int status, const char *name, const char *title,
	struct json_t *ctx);
/* The error page for a library error (status as http_fail maps it). */
int http_page_fail(struct http_req *r, int rc, const struct rb_err *err);
/* The layout's period picker for this page: {"action","periods"}. */
struct json_t *http_picker(struct http_req *r, int cur, struct rb_err *err);
int h_root(struct http_req *r);
int h_login_page(struct http_req *r);
/* The login page with an error message (may be NULL) and status. */
int http_login_page(struct http_req *r, int status, const char *error);
int h_overview(struct http_req *r);
int h_customers_page(struct http_req *r);
int h_customer_page(struct http_req *r);
int h_portal(struct http_req *r);
int h_accounts_page(struct http_req *r);
int h_assign_form(struct http_req *r);
int h_static(struct http_req *r);
/* pages_invoice.c */
int h_invoices_page(struct http_req *r);
int h_invoice_page(struct http_req *r);
int h_rerate_page(struct http_req *r);
int h_invoices_run_form(struct http_req *r);
int h_invoices_finalize_form(struct http_req *r);
int h_rerate_form(struct http_req *r);
int h_credit_form(struct http_req *r);
int h_pay_form(struct http_req *r);
int h_send_form(struct http_req *r);
int h_portal_invoices(struct http_req *r);
/* portal.c: the customer portal's breakdowns (src/report/billed.c) */
int h_portal_breakdown(struct http_req *r);
int h_portal_resources(struct http_req *r);
int h_portal_export(struct http_req *r);
int h_portal_breakdown_page(struct http_req *r);
int h_portal_resources_page(struct http_req *r);
/* Parses the embedded templates (at start): 0 or RB_EINPUT naming one. */
int http_pages_init(struct rb_err *err);
void http_pages_free(void);

#endif
