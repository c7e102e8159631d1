/*
 * auth.h: the secrets of rebill's users — password hashes (argon2id,
 * libsodium's crypto_pwhash_str) and random tokens (256 bits from
 * randombytes_buf) for sessions, CSRF and API access, which are stored
 * only as their hash (BLAKE2b-256, hex).
 *
 * Invariants: call auth_init once before anything else (it initializes
 * libsodium; safe from several threads). Tokens are 64 lowercase hex
 * characters; hashes too. Comparisons of secrets are constant time.
 *
 * Not for: storing users or sessions (src/store/store_users.h), deciding
 * who may do what (src/http).
 */
#ifndef RB_AUTH_H
#define RB_AUTH_H

#include <stddef.h>

#include "util/err.h"

#define AUTH_TOKEN_HEX 65     /* 64 hex digits + NUL */
#define AUTH_PWHASH_MAX 128   /* crypto_pwhash_STRBYTES */
#define AUTH_PASSWORD_MIN 10  /* characters a new password needs at least */
#define AUTH_PASSWORD_MAX 1024

/* Returns 0, or RB_EIO when libsodium cannot start. */
int auth_init(struct rb_err *err);

/* Hashes password into out (AUTH_PWHASH_MAX bytes). A password shorter
 * than AUTH_PASSWORD_MIN or longer than AUTH_PASSWORD_MAX is RB_EINPUT;
 * RB_EIO when memory for argon2id is not available. */
int auth_password_hash(char out[AUTH_PWHASH_MAX], const char *password, struct rb_err *err);

/* 1 when password matches hash, else 0 (also for a malformed hash). */
int auth_password_verify(const char *hash, const char *password);

/* A hash to verify against when there is no such user, so a login for an
 * unknown email costs as much time as one for a known email. */
const char *auth_dummy_hash(void);

/* A new random token as hex into token. */
void auth_token_new(char token[AUTH_TOKEN_HEX]);

/* The stored form of a token: hex BLAKE2b-256 of its bytes (any length). */
void auth_token_hash(char out[AUTH_TOKEN_HEX], const char *token, size_t len);

/* Constant-time equality of two NUL-terminated secrets (lengths may
 * differ: then 0). */
int auth_secret_equal(const char *a, const char *b);

/* Reads a password: from the terminal without echo (prompting on stderr)
 * when stdin is one, else one line from stdin. The newline is dropped.
 * Returns 0, RB_EINPUT for an empty or over-long line, RB_EIO on a read
 * error. */
int auth_password_read(char *buf, size_t n, const char *prompt, struct rb_err *err);

#endif
