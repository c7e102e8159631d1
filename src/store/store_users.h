/*
 * store_users.h: who may use the web server — users (one role each), login
 * sessions, API bearer tokens, failed logins (for throttling) and the audit
 * rows of their changes. Every SQL statement about them lives in users.c.
 *
 * Invariants: secrets are never stored — a user's password only as its
 * crypto_pwhash_str string (computed by src/auth), sessions and API tokens
 * only as the hex hash of their random token (src/auth), so a copy of the
 * database logs nobody in. A user of role "customer" has a customer id,
 * the others none (a CHECK constraint). Every change to a user writes one
 * audit_log row naming the actor (the acting user's email, or "cli").
 * Times are Unix seconds (now is always passed in, for tests).
 *
 * Not for: hashing or random tokens (src/auth), roles' meaning (src/http).
 */
#ifndef RB_STORE_USERS_H
#define RB_STORE_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

struct store_user {
	int64_t id;
	char *email;
	char *role;            /* "admin" | "finance" | "viewer" | "customer" */
	char *customer;        /* role customer: its customer id; else NULL */
	char *pwhash;
	int disabled;
	char *created_at;
};

/* Adds a user. role must be one of the four (else RB_EUSAGE); customer is
 * required for role customer and must be a configured customer (RB_EINPUT
 * "unknown customer 'x'"), and refused for the other roles; an email that
 * exists is RB_EINPUT. *id (may be NULL) gets the new id. */
int store_user_add(struct store *s, const char *email, const char *role,
	const char *customer, const char *pwhash, const char *actor, int64_t *id,
	struct rb_err *err);

/* Looks a user up by email (when email is not NULL) or by id. Returns 0 with
 * *out set (free with store_user_free), or 0 with *out NULL when there is
 * no such user; RB_EIO on a database error. */
int store_user_get(struct store_user **out, struct store *s, const char *email,
	int64_t id, struct rb_err *err);
void store_user_free(struct store_user *u);

/* Every user sorted by email (pwhash left NULL). */
int store_user_list(struct store_user **out, size_t *n, struct store *s, struct rb_err *err);
void store_users_free(struct store_user *u, size_t n);

/* Disables (or enables) a user and ends its sessions and API tokens when
 * disabling; sets a new password hash and ends its sessions. An unknown
 * email is RB_EINPUT. Audited. */
int store_user_set_disabled(struct store *s, const char *email, int disabled,
	const char *actor, struct rb_err *err);
int store_user_set_pwhash(struct store *s, const char *email, const char *pwhash,
	const char *actor, struct rb_err *err);

/* ---- sessions ---- */

struct store_session {
	int64_t user_id;
	char csrf[80];
	int64_t created, last_seen;
};

/* Records a new session of user_id under token_hash. */
int store_session_add(struct store *s, const char *token_hash, int64_t user_id,
	const char *csrf, int64_t now, const char *address, struct rb_err *err);

/* Finds the session of token_hash that is still valid at now: seen within
 * idle seconds and created within absolute seconds. A valid one gets
 * last_seen = now; an expired one is deleted. Neither write fails the call
 * (the database may be locked by an import): returns 0 with *found 1 and
 * *out filled, or 0 with *found 0; RB_EIO when it cannot be read. */
int store_session_get(struct store_session *out, int *found, struct store *s,
	const char *token_hash, int64_t now, int64_t idle, int64_t absolute,
	struct rb_err *err);

/* Deletes every session idle since before idle_before or created before
 * created_before (run at each login, so expired sessions do not pile up). */
int store_sessions_prune(struct store *s, int64_t idle_before, int64_t created_before,
	struct rb_err *err);

/* Ends one session (no error when it does not exist). */
int store_session_delete(struct store *s, const char *token_hash, struct rb_err *err);

/* ---- API bearer tokens ---- */

/* Records a token of the user with this email; audited. */
int store_token_add(struct store *s, const char *email, const char *name,
	const char *token_hash, const char *actor, struct rb_err *err);
/* The user id of a token hash: 0 with *user_id set, or *user_id 0 when none. */
int store_token_get(int64_t *user_id, struct store *s, const char *token_hash,
	struct rb_err *err);

/* ---- failed logins ---- */

/* Counts the failures of key since `since`; records one; forgets a key's
 * failures (after a successful login) and every failure older than before. */
int store_login_failures(int64_t *count, struct store *s, const char *key, int64_t since,
	struct rb_err *err);
int store_login_failure_add(struct store *s, const char *key, int64_t now, struct rb_err *err);
int store_login_failures_clear(struct store *s, const char *key, int64_t before,
	struct rb_err *err);


#endif
