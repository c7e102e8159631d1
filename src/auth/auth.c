/*
 * auth.c: password hashing, random tokens and their hashes, on libsodium
 * (auth.h); and reading a password without echo.
 *
 * Not for: storage or policy (src/store, src/http).
 */
#include "auth/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/banned.h"

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];

int auth_init(struct rb_err *err)
{
	if (sodium_init() < 0)
		return rb_err_set(err, RB_EIO, "cannot initialize libsodium");
	return 0;
}

static int hash_raw(char out[AUTH_PWHASH_MAX], const char *password)
{
	return crypto_pwhash_str(out, password, strlen(password),
		crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int auth_password_hash(char out[AUTH_PWHASH_MAX], const char *password, struct rb_err *err)
{
	size_t n = strlen(password);
	if (n < AUTH_PASSWORD_MIN)
		return rb_err_set(err, RB_EINPUT, "the password is too short (at least %d characters)",
			AUTH_PASSWORD_MIN);
	if (n > AUTH_PASSWORD_MAX)
		return rb_err_set(err, RB_EINPUT, "the password is too long (at most %d characters)",
			AUTH_PASSWORD_MAX);
	if (hash_raw(out, password) != 0)
		return rb_err_set(err, RB_EIO, "cannot hash the password (out of memory)");
	return 0;
}

int auth_password_verify(const char *hash, const char *password)
{
	if (!hash || strlen(password) > AUTH_PASSWORD_MAX)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static void make_dummy(void)
{
	char token[AUTH_TOKEN_HEX];
	auth_token_new(token);
	if (hash_raw(dummy_hash, token) != 0)
		dummy_hash[0] = 0;
}

const char *auth_dummy_hash(void)
{
	pthread_once(&dummy_once, make_dummy);
	return dummy_hash;
}

void auth_token_new(char token[AUTH_TOKEN_HEX])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, AUTH_TOKEN_HEX, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

void auth_token_hash(char out[AUTH_TOKEN_HEX], const char *token, size_t len)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, len, NULL, 0);
	sodium_bin2hex(out, AUTH_TOKEN_HEX, h, sizeof(h));
}

int auth_secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}

int auth_password_read(char *buf, size_t n, const char *prompt, struct rb_err *err)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	size_t len;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return rb_err_set(err, RB_EIO, "cannot read the terminal's settings");
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
			return rb_err_set(err, RB_EIO, "cannot turn the terminal's echo off");
	}
	if (!fgets(buf, (int)n, stdin))
		rc = rb_err_set(err, ferror(stdin) ? RB_EIO : RB_EINPUT, "no password given on %s",
			tty ? "the terminal" : "stdin");
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	if (rc < 0)
		return rc;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	else if (len + 1 >= n)
		return rb_err_set(err, RB_EINPUT, "the password is too long");
	if (len && buf[len - 1] == '\r')
		buf[--len] = 0;
	if (!len)
		return rb_err_set(err, RB_EINPUT, "the password is empty");
	return 0;
}
