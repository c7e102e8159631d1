/*
 * session.c: who is calling — a session cookie (random 256-bit token,
 * stored hashed, idle and absolute timeouts, a new one at every login) or
 * an API bearer token (stored hashed) — plus login with throttling per
 * account and per address, logout, and the CSRF check of state-changing
 * requests made with the cookie.
 *
 * Not for: which role may do what (routes.c).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "store/store_users.h"
#include "util/banned.h"

static const char *cookie_name(const struct http_req *r)
{
	/* __Host- binds the cookie to this origin; browsers take it only with
	 * Secure, so only under TLS. */
	return r->tls ? "__Host-rebill_session" : "rebill_session";
}

static int load_user(struct http_req *r, int64_t id, struct rb_err *err)
{
	struct store_user *u = NULL;
	int rc = store_user_get(&u, r->store, NULL, id, err);
	if (rc < 0)
		return rc;
	if (u && !u->disabled && http_role_parse(u->role)) {
		r->authed = 1;
		r->user.id = u->id;
		r->user.role = http_role_parse(u->role);
		snprintf(r->user.email, sizeof(r->user.email), "%s", u->email);
		snprintf(r->user.customer, sizeof(r->user.customer), "%s",
			u->customer ? u->customer : "");
	}
	store_user_free(u);
	return 0;
}

int http_session_resolve(struct http_req *r)
{
	struct rb_err err;
	const char *authz = http_header(r, "Authorization");
	const char *cookie = http_cookie(r, cookie_name(r));
	char hash[AUTH_TOKEN_HEX];
	int rc = 0;

	rb_err_clear(&err);
	if (authz && !strncmp(authz, "Bearer ", 7)) {
		int64_t uid = 0;
		auth_token_hash(hash, authz + 7, strlen(authz + 7));
		if ((rc = store_token_get(&uid, r->store, hash, &err)) == 0 && uid &&
		    (rc = load_user(r, uid, &err)) == 0)
			r->user.via_token = r->authed;
	} else if (cookie && *cookie) {
		struct store_session s;
		int found = 0;
		auth_token_hash(hash, cookie, strlen(cookie));
		rc = store_session_get(&s, &found, r->store, hash, r->now,
			http_session_idle(r->srv), http_session_absolute(r->srv), &err);
		if (rc == 0 && found && (rc = load_user(r, s.user_id, &err)) == 0 && r->authed) {
			snprintf(r->user.session_hash, sizeof(r->user.session_hash), "%s", hash);
			snprintf(r->user.csrf, sizeof(r->user.csrf), "%s", s.csrf);
		}
	}
	if (rc < 0) {
		http_fail(r, rc, &err);
		return -1;
	}
	return 0;
}

/* ---- form bodies (application/x-www-form-urlencoded) ---- */

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind, const char *key,
	const char *filename, const char *content_type, const char *encoding, const char *data,
	uint64_t off, size_t size)
{
	struct http_form *f = cls;
	size_t i;
	for (i = 0; i < HTTP_FORM_MAX && f->names[i]; i++) {
		if (strcmp(f->names[i], key))
			continue;
		if (off + size + 1 > f->sizes[i])
			return MHD_NO;
		memcpy(f->values[i] + off, data, size);
		f->values[i][off + size] = 0;
	}
	(void)kind; (void)filename; (void)content_type; (void)encoding;
	return MHD_YES;
}

int http_form_parse(struct http_req *r, struct http_form *f)
{
	struct MHD_PostProcessor *pp;
	size_t i;
	enum MHD_Result ok;

	for (i = 0; i < HTTP_FORM_MAX && f->names[i]; i++)
		f->values[i][0] = 0;
	pp = MHD_create_post_processor(r->conn, 1024, form_field, f);
	if (!pp) {
		http_error(r, 415, "unsupported_media_type", NULL, "expected a form body");
		return -1;
	}
	ok = MHD_post_process(pp, r->body, r->body_len);
	MHD_destroy_post_processor(pp);
	if (ok != MHD_YES) {
		http_error(r, 400, "bad_form", NULL, "a form field is too long");
		return -1;
	}
	return 0;
}

/* A page form may only come from this origin (a cross-site form post
 * cannot set the CSRF header; this stops login CSRF too). */
static int same_origin(struct http_req *r)
{
	const char *site = http_header(r, "Sec-Fetch-Site");
	const char *origin = http_header(r, "Origin");
	const char *host = http_header(r, "Host");
	const char *o;
	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return 0;
	if (!origin)
		return 1;
	if (!host || !strcmp(origin, "null"))
		return 0;
	o = strstr(origin, "://");
	return o && !strcmp(o + 3, host);
}

int http_csrf_check(struct http_req *r)
{
	const char *tok;
	char field[128];
	struct http_form f = { { "csrf" }, { field }, { sizeof(field) } };

	/* Public routes (the JSON login needs application/json, which no
	 * cross-site form can send without a CORS preflight that this server
	 * never grants), unauthenticated callers and bearer tokens (not
	 * ambient) need no token; page forms must come from this origin. */
	if (r->route->roles == ROLE_PUBLIC || !r->authed || r->user.via_token) {
		if (!(r->route->flags & ROUTE_FORM_BODY) || same_origin(r))
			return 0;
		http_error(r, 403, "csrf", NULL, "cross-site form refused");
		return -1;
	}
	tok = http_header(r, "X-CSRF-Token");
	if (!tok && (r->route->flags & ROUTE_FORM_BODY)) {
		if (http_form_parse(r, &f) < 0)
			return -1;
		tok = field;
	}
	if (!tok || !*tok) {
		http_error(r, 403, "csrf", NULL, "missing CSRF token (X-CSRF-Token)");
		return -1;
	}
	if (!auth_secret_equal(tok, r->user.csrf)) {
		http_error(r, 403, "csrf", NULL, "wrong CSRF token");
		return -1;
	}
	return 0;
}

static int throttled(struct http_req *r, const char *email, int *out, struct rb_err *err)
{
	char key[600];
	int64_t n, window;
	int per_user, per_addr, rc;

	http_login_limits(r->srv, &per_user, &per_addr, &window);
	*out = 0;
	snprintf(key, sizeof(key), "user:%s", email);
	if ((rc = store_login_failures(&n, r->store, key, r->now - window, err)) < 0)
		return rc;
	if (n >= per_user)
		*out = 1;
	snprintf(key, sizeof(key), "addr:%s", r->address);
	if ((rc = store_login_failures(&n, r->store, key, r->now - window, err)) < 0)
		return rc;
	if (n >= per_addr)
		*out = 1;
	if (*out)
		snprintf(r->retry_after, sizeof(r->retry_after), "%lld", (long long)window);
	return 0;
}

static int record_failure(struct http_req *r, const char *email, struct rb_err *err)
{
	char key[600];
	int rc;
	snprintf(key, sizeof(key), "user:%s", email);
	if ((rc = store_login_failure_add(r->store, key, r->now, err)) < 0)
		return rc;
	snprintf(key, sizeof(key), "addr:%s", r->address);
	return store_login_failure_add(r->store, key, r->now, err);
}

int http_login(struct http_req *r, const char *email, const char *password)
{
	struct rb_err err;
	struct store_user *u = NULL;
	char token[AUTH_TOKEN_HEX], hash[AUTH_TOKEN_HEX], csrf[AUTH_TOKEN_HEX], key[600];
	int rc, limited, ok;
	int64_t window;
	int pu, pa;

	rb_err_clear(&err);
	if ((rc = throttled(r, email, &limited, &err)) < 0)
		goto fail;
	if (limited) {
		http_error(r, 429, "throttled", NULL, "too many failed logins; try again later");
		return -1;
	}
	if ((rc = store_user_get(&u, r->store, email, 0, &err)) < 0)
		goto fail;
	/* The same argon2id work whether or not the user exists. */
	ok = auth_password_verify(u ? u->pwhash : auth_dummy_hash(), password);
	if (!u || !ok || u->disabled) {
		store_user_free(u);
		if ((rc = record_failure(r, email, &err)) < 0)
			goto fail;
		http_error(r, 401, "bad_login", NULL, "wrong email or password");
		return -1;
	}
	/* Rotate: whatever session the caller came with ends here. */
	if (r->user.session_hash[0] &&
	    (rc = store_session_delete(r->store, r->user.session_hash, &err)) < 0)
		goto fail;
	{
		const char *old = http_cookie(r, cookie_name(r));
		if (old && *old) {
			auth_token_hash(hash, old, strlen(old));
			if ((rc = store_session_delete(r->store, hash, &err)) < 0)
				goto fail;
		}
	}
	if ((rc = store_sessions_prune(r->store, r->now - http_session_idle(r->srv),
			r->now - http_session_absolute(r->srv), &err)) < 0)
		goto fail;
	auth_token_new(token);
	auth_token_new(csrf);
	auth_token_hash(hash, token, strlen(token));
	if ((rc = store_session_add(r->store, hash, u->id, csrf, r->now, r->address, &err)) < 0)
		goto fail;
	http_login_limits(r->srv, &pu, &pa, &window);
	snprintf(key, sizeof(key), "user:%s", email);
	if ((rc = store_login_failures_clear(r->store, key, r->now - window, &err)) < 0)
		goto fail;
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		"%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", cookie_name(r), token,
		(long long)http_session_absolute(r->srv), r->tls ? "; Secure" : "");
	memset(&r->user, 0, sizeof(r->user));
	r->authed = 1;
	r->user.id = u->id;
	r->user.role = http_role_parse(u->role);
	snprintf(r->user.email, sizeof(r->user.email), "%s", u->email);
	snprintf(r->user.customer, sizeof(r->user.customer), "%s", u->customer ? u->customer : "");
	snprintf(r->user.csrf, sizeof(r->user.csrf), "%s", csrf);
	snprintf(r->user.session_hash, sizeof(r->user.session_hash), "%s", hash);
	store_user_free(u);
	return 0;
fail:
	store_user_free(u);
	http_fail(r, rc, &err);
	return -1;
}

static json_t *whoami(const struct http_req *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "email", json_string(r->user.email));
	json_object_set_new(o, "role", json_string(http_role_name(r->user.role)));
	json_object_set_new(o, "customer", r->user.customer[0] ? json_string(r->user.customer)
		: json_null());
	json_object_set_new(o, "csrf", r->user.csrf[0] ? json_string(r->user.csrf) : json_null());
	return o;
}

int h_session_create(struct http_req *r)
{
	static const char *const keys[] = { "email", "password", NULL };
	const char *email, *password;

	if (http_json_only(r, keys) < 0)
		return 0;
	email = json_string_value(json_object_get(r->json, "email"));
	password = json_string_value(json_object_get(r->json, "password"));
	if (!email)
		return http_error(r, 400, "missing_field", "email", "email is required (a string)");
	if (!password)
		return http_error(r, 400, "missing_field", "password", "password is required (a string)");
	if (http_login(r, email, password) < 0)
		return 0;
	return http_json(r, 200, whoami(r));
}

int h_session_get(struct http_req *r)
{
	return http_json(r, 200, whoami(r));
}

static int logout(struct http_req *r, struct rb_err *err)
{
	int rc = 0;
	if (r->user.session_hash[0])
		rc = store_session_delete(r->store, r->user.session_hash, err);
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		"%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", cookie_name(r),
		r->tls ? "; Secure" : "");
	return rc;
}

int h_session_delete(struct http_req *r)
{
	struct rb_err err;
	int rc;
	rb_err_clear(&err);
	if ((rc = logout(r, &err)) < 0)
		return http_fail(r, rc, &err);
	return http_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

int h_login_form(struct http_req *r)
{
	char email[320], password[AUTH_PASSWORD_MAX + 1];
	struct http_form f = { { "email", "password" }, { email, password },
		{ sizeof(email), sizeof(password) } };
	if (http_form_parse(r, &f) < 0)
		return 0;
	if (http_login(r, email, password) < 0) {
		/* Back to the form with the reason; the status stays. */
		int status = r->status;
		return http_login_page(r, status, status == 429 ? "Too many failed logins: try again later."
			: status == 401 ? "Wrong email or password." : "The login failed (see the server's log).");
	}
	return http_redirect(r, r->user.role == ROLE_CUSTOMER ? "/portal" : "/console");
}

int h_logout_form(struct http_req *r)
{
	struct rb_err err;
	int rc;
	rb_err_clear(&err);
	if ((rc = logout(r, &err)) < 0)
		return http_fail(r, rc, &err);
	return http_redirect(r, "/login");
}
