/*
 * users.c: the SQL of users, sessions, API tokens, failed logins and their
 * audit rows (store_users.h). Only bound parameters; never a secret in
 * clear.
 *
 * Not for: hashing, tokens or deciding who may do what (src/auth, src/http).
 */
#include "store/store_users.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "store/store_int.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int fail(struct store *s, struct rb_err *err, const char *what)
{
	return rb_err_set(err, RB_EIO, "users: %s: %s", what, sqlite3_errmsg(store_db_int(s)));
}

/* Prepares sql and binds the first n parameters as text (NULL: SQL NULL);
 * integers are bound by the caller afterwards. */
static int prep(sqlite3_stmt **st, struct store *s, const char *sql, int n,
	const char *const *params, struct rb_err *err)
{
	int i;
	if (sqlite3_prepare_v2(store_db_int(s), sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, err, "cannot prepare a statement");
	for (i = 0; i < n; i++) {
		if (params[i])
			sqlite3_bind_text(*st, i + 1, params[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(*st, i + 1);
	}
	return 0;
}

static int step_done(sqlite3_stmt *st, struct store *s, struct rb_err *err, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, err, what);
	sqlite3_finalize(st);
	return rc;
}

static void now_iso(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int store_audit_add(struct store *s, const char *source, const char *action,
	const char *object, const char *before, const char *after, const char *actor,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	char at[32];
	const char *p[7];
	int rc;

	now_iso(at, sizeof(at));
	p[0] = at; p[1] = source; p[2] = action; p[3] = object;
	p[4] = before; p[5] = after; p[6] = store_actor(s, actor);
	if ((rc = prep(&st, s, "INSERT INTO audit_log (at, source, action, object, before, after, actor)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", 7, p, err)) < 0)
		return rc;
	return step_done(st, s, err, "cannot write the audit log");
}

static int role_ok(const char *role)
{
	return !strcmp(role, "admin") || !strcmp(role, "finance") || !strcmp(role, "viewer") ||
		!strcmp(role, "customer");
}

/* The audited view of a user: never its password hash. */
static char *user_json(const char *email, const char *role, const char *customer, int disabled)
{
	json_t *o = json_object();
	char *out;
	json_object_set_new(o, "email", json_string(email));
	json_object_set_new(o, "role", json_string(role));
	json_object_set_new(o, "customer", customer ? json_string(customer) : json_null());
	json_object_set_new(o, "disabled", json_boolean(disabled));
	out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return out;
}

static int exists(int *out, struct store *s, const char *sql, const char *param,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;
	if ((rc = prep(&st, s, sql, 1, &param, err)) < 0)
		return rc;
	step = sqlite3_step(st);
	*out = step == SQLITE_ROW;
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : fail(s, err, "cannot read");
	sqlite3_finalize(st);
	return rc;
}

int store_user_add(struct store *s, const char *email, const char *role,
	const char *customer, const char *pwhash, const char *actor, int64_t *id,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	char at[32], *after = NULL;
	const char *p[5];
	int rc, found;

	if (!role_ok(role))
		return rb_err_set(err, RB_EUSAGE, "unknown role '%s' (admin, finance, viewer or customer)",
			role);
	if (!strcmp(role, "customer") != !!customer)
		return rb_err_set(err, RB_EUSAGE, !customer ? "role customer needs --customer ID"
			: "only role customer takes --customer");
	if (!*email || strchr(email, ' ') || !strchr(email, '@'))
		return rb_err_set(err, RB_EINPUT, "bad email '%s'", email);
	if (customer) {
		if ((rc = exists(&found, s, "SELECT 1 FROM customers WHERE id = ?", customer, err)) < 0)
			return rc;
		if (!found)
			return rb_err_set(err, RB_EINPUT, "unknown customer '%s'", customer);
	}
	if ((rc = exists(&found, s, "SELECT 1 FROM users WHERE email = ?", email, err)) < 0)
		return rc;
	if (found)
		return rb_err_set(err, RB_EINPUT, "user '%s' exists", email);
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	now_iso(at, sizeof(at));
	p[0] = email; p[1] = role; p[2] = customer; p[3] = pwhash; p[4] = at;
	if ((rc = prep(&st, s, "INSERT INTO users (email, role, customer, pwhash, created_at)"
			" VALUES (?, ?, ?, ?, ?)", 5, p, err)) < 0)
		goto cleanup;
	if ((rc = step_done(st, s, err, "cannot add the user")) < 0)
		goto cleanup;
	if (id)
		*id = sqlite3_last_insert_rowid(store_db_int(s));
	after = user_json(email, role, customer, 0);
	{
		char obj[600];
		snprintf(obj, sizeof(obj), "user:%s", email);
		if ((rc = store_audit_add(s, "user add", "create", obj, NULL, after, actor, err)) < 0)
			goto cleanup;
	}
	rc = store_commit(s, err);
cleanup:
	if (rc < 0)
		store_rollback(s);
	free(after);
	return rc;
}

static struct store_user *user_row(sqlite3_stmt *st, int with_hash)
{
	struct store_user *u = xcalloc(1, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	u->email = xstrdup(store_col_text_int(st, 1));
	u->role = xstrdup(store_col_text_int(st, 2));
	u->customer = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL
		: xstrdup(store_col_text_int(st, 3));
	u->pwhash = with_hash ? xstrdup(store_col_text_int(st, 4)) : NULL;
	u->disabled = sqlite3_column_int(st, 5);
	u->created_at = xstrdup(store_col_text_int(st, 6));
	return u;
}

static void user_release(struct store_user *u)
{
	free(u->email);
	free(u->role);
	free(u->customer);
	free(u->pwhash);
	free(u->created_at);
}

void store_user_free(struct store_user *u)
{
	if (!u)
		return;
	user_release(u);
	free(u);
}

#define USER_COLS "SELECT id, email, role, customer, pwhash, disabled, created_at FROM users"

int store_user_get(struct store_user **out, struct store *s, const char *email,
	int64_t id, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = NULL;
	if (email)
		rc = prep(&st, s, USER_COLS " WHERE email = ?", 1, &email, err);
	else
		rc = prep(&st, s, USER_COLS " WHERE id = ?", 0, NULL, err);
	if (rc < 0)
		return rc;
	if (!email)
		sqlite3_bind_int64(st, 1, id);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = user_row(st, 1);
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : fail(s, err, "cannot read users");
	sqlite3_finalize(st);
	return rc;
}

int store_user_list(struct store_user **out, size_t *n, struct store *s, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct store_user *a = NULL;
	size_t len = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = prep(&st, s, USER_COLS " ORDER BY email", 0, NULL, err)) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_user *u = user_row(st, 0);
		a = xreallocarray(a, len + 1, sizeof(*a));
		a[len++] = *u;
		free(u);
	}
	rc = step == SQLITE_DONE ? 0 : fail(s, err, "cannot read users");
	sqlite3_finalize(st);
	if (rc < 0) {
		store_users_free(a, len);
		return rc;
	}
	*out = a;
	*n = len;
	return 0;
}

void store_users_free(struct store_user *u, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		user_release(&u[i]);
	free(u);
}

/* Loads the user `email` (RB_EINPUT when there is none) and begins a
 * transaction; on failure nothing is held. */
static int user_begin(struct store_user **u, struct store *s, const char *email,
	struct rb_err *err)
{
	int rc;
	if ((rc = store_user_get(u, s, email, 0, err)) < 0)
		return rc;
	if (!*u)
		return rb_err_set(err, RB_EINPUT, "no user '%s'", email);
	if ((rc = store_begin(s, err)) < 0) {
		store_user_free(*u);
		*u = NULL;
	}
	return rc;
}

/* Runs one UPDATE of the user `email` and audits it as `source`, with
 * before/after views. */
static int user_change(struct store *s, const char *email, const char *sql, const char *param,
	int disabled_after, int end_sessions, int end_tokens, const char *source,
	const char *actor, struct rb_err *err)
{
	struct store_user *u = NULL;
	sqlite3_stmt *st = NULL;
	char *before = NULL, *after = NULL, obj[600];
	const char *p[2];
	int rc;

	if ((rc = user_begin(&u, s, email, err)) < 0)
		return rc;
	p[0] = param; p[1] = email;
	if ((rc = prep(&st, s, sql, 2, p, err)) < 0 ||
	    (rc = step_done(st, s, err, "cannot change the user")) < 0)
		goto rollback;
	if (end_sessions) {
		if ((rc = prep(&st, s, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users"
				" WHERE email = ?)", 1, &email, err)) < 0 ||
		    (rc = step_done(st, s, err, "cannot end sessions")) < 0)
			goto rollback;
	}
	if (end_tokens) {
		if ((rc = prep(&st, s, "DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users"
				" WHERE email = ?)", 1, &email, err)) < 0 ||
		    (rc = step_done(st, s, err, "cannot end API tokens")) < 0)
			goto rollback;
	}
	before = user_json(u->email, u->role, u->customer, u->disabled);
	after = user_json(u->email, u->role, u->customer,
		disabled_after < 0 ? u->disabled : disabled_after);
	snprintf(obj, sizeof(obj), "user:%s", email);
	if ((rc = store_audit_add(s, source, "update", obj, before, after, actor, err)) < 0)
		goto rollback;
	rc = store_commit(s, err);
	if (rc < 0)
		goto rollback;
	goto cleanup;
rollback:
	store_rollback(s);
cleanup:
	free(before);
	free(after);
	store_user_free(u);
	return rc;
}

int store_user_set_disabled(struct store *s, const char *email, int disabled,
	const char *actor, struct rb_err *err)
{
	return user_change(s, email, disabled ? "UPDATE users SET disabled = 1 WHERE ? IS NULL AND email = ?"
		: "UPDATE users SET disabled = 0 WHERE ? IS NULL AND email = ?", NULL,
		disabled, disabled, disabled, disabled ? "user disable" : "user enable", actor, err);
}

int store_user_set_pwhash(struct store *s, const char *email, const char *pwhash,
	const char *actor, struct rb_err *err)
{
	return user_change(s, email, "UPDATE users SET pwhash = ? WHERE email = ?", pwhash, -1,
		1, 0, "user passwd", actor, err);
}

/* ---- sessions ---- */

int store_session_add(struct store *s, const char *token_hash, int64_t user_id,
	const char *csrf, int64_t now, const char *address, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	const char *p[4] = { token_hash, NULL, csrf, NULL };
	int rc;
	if ((rc = prep(&st, s, "INSERT INTO sessions (token_hash, user_id, csrf, created, last_seen,"
			" address) VALUES (?1, ?2, ?3, ?4, ?4, ?5)", 3, p, err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, address, -1, SQLITE_TRANSIENT);
	return step_done(st, s, err, "cannot add the session");
}

int store_session_get(struct store_session *out, int *found, struct store *s,
	const char *token_hash, int64_t now, int64_t idle, int64_t absolute,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step, valid = 0;

	*found = 0;
	memset(out, 0, sizeof(*out));
	if ((rc = prep(&st, s, "SELECT user_id, csrf, created, last_seen FROM sessions"
			" WHERE token_hash = ?", 1, &token_hash, err)) < 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(st, 0);
		snprintf(out->csrf, sizeof(out->csrf), "%s", store_col_text_int(st, 1));
		out->created = sqlite3_column_int64(st, 2);
		out->last_seen = sqlite3_column_int64(st, 3);
		valid = now - out->last_seen <= idle && now - out->created <= absolute &&
			now >= out->created;
	}
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : fail(s, err, "cannot read sessions");
	sqlite3_finalize(st);
	if (rc < 0 || step != SQLITE_ROW)
		return rc;
	if (!valid) {
		/* expired: forgetting it may wait for a later login's prune */
		struct rb_err ignored;
		store_session_delete(s, token_hash, &ignored);
		return 0;
	}
	*found = 1;
	/* Touch at most once a minute (a read-mostly API need not write each
	 * time) unless the idle timeout is short enough for that to matter. */
	if (now - out->last_seen < (idle >= 120 ? 60 : 1))
		return 0;
	if ((rc = prep(&st, s, "UPDATE sessions SET last_seen = ?1 WHERE token_hash = ?2", 0, NULL,
			err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, token_hash, -1, SQLITE_TRANSIENT);
	/* A touch that cannot write now (an import holds the write lock) does
	 * not wait or fail the request: the session is valid, and a later
	 * request touches it. (5000 ms: store.c's busy timeout.) */
	sqlite3_busy_timeout(store_db_int(s), 0);
	sqlite3_step(st);
	sqlite3_finalize(st);
	sqlite3_busy_timeout(store_db_int(s), 5000);
	return 0;
}

int store_session_delete(struct store *s, const char *token_hash, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = prep(&st, s, "DELETE FROM sessions WHERE token_hash = ?", 1, &token_hash, err)) < 0)
		return rc;
	return step_done(st, s, err, "cannot end the session");
}

int store_sessions_prune(struct store *s, int64_t idle_before, int64_t created_before,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = prep(&st, s, "DELETE FROM sessions WHERE last_seen < ?1 OR created < ?2", 0, NULL,
			err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, idle_before);
	sqlite3_bind_int64(st, 2, created_before);
	return step_done(st, s, err, "cannot prune sessions");
}

/* ---- API tokens ---- */

int store_token_add(struct store *s, const char *email, const char *name,
	const char *token_hash, const char *actor, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	struct store_user *u = NULL;
	char at[32], obj[600];
	const char *p[4];
	int rc;

	if ((rc = user_begin(&u, s, email, err)) < 0)
		return rc;
	now_iso(at, sizeof(at));
	p[0] = token_hash; p[1] = NULL; p[2] = name; p[3] = at;
	if ((rc = prep(&st, s, "INSERT INTO api_tokens (token_hash, user_id, name, created_at)"
			" VALUES (?, ?, ?, ?)", 4, p, err)) < 0)
		goto rollback;
	sqlite3_bind_int64(st, 2, u->id);
	if ((rc = step_done(st, s, err, "cannot add the token")) < 0)
		goto rollback;
	snprintf(obj, sizeof(obj), "api_token:%s:%s", email, name);
	if ((rc = store_audit_add(s, "user token", "create", obj, NULL, NULL, actor, err)) < 0 ||
	    (rc = store_commit(s, err)) < 0)
		goto rollback;
	goto cleanup;
rollback:
	store_rollback(s);
cleanup:
	store_user_free(u);
	return rc;
}

int store_token_get(int64_t *user_id, struct store *s, const char *token_hash,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;
	*user_id = 0;
	if ((rc = prep(&st, s, "SELECT user_id FROM api_tokens WHERE token_hash = ?", 1, &token_hash,
			err)) < 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*user_id = sqlite3_column_int64(st, 0);
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : fail(s, err, "cannot read tokens");
	sqlite3_finalize(st);
	return rc;
}

/* ---- failed logins ---- */

int store_login_failures(int64_t *count, struct store *s, const char *key, int64_t since,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	*count = 0;
	if ((rc = prep(&st, s, "SELECT count(*) FROM login_failures WHERE key = ? AND at >= ?", 1,
			&key, err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 2, since);
	if (sqlite3_step(st) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	else
		rc = fail(s, err, "cannot read failed logins");
	sqlite3_finalize(st);
	return rc;
}

int store_login_failure_add(struct store *s, const char *key, int64_t now, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = prep(&st, s, "INSERT INTO login_failures (key, at) VALUES (?, ?)", 1, &key,
			err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 2, now);
	return step_done(st, s, err, "cannot record a failed login");
}

int store_login_failures_clear(struct store *s, const char *key, int64_t before,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if ((rc = prep(&st, s, "DELETE FROM login_failures WHERE key = ? OR at < ?", 1, &key,
			err)) < 0)
		return rc;
	sqlite3_bind_int64(st, 2, before);
	return step_done(st, s, err, "cannot clear failed logins");
}
