/*
 * test_auth.c: password hashes verify only the right password; tokens are
 * random 64-hex strings; a token's stored form is BLAKE2b-256 (checked on
 * the published "abc" vector); secret comparison.
 */
#include "auth/auth.h"

#include <string.h>

#include "../check.h"
#include "util/banned.h"

TEST(init)
{
	struct rb_err err;
	rb_err_clear(&err);
	CHECK_INT(auth_init(&err), 0);
}

TEST(password_hash)
{
	struct rb_err err;
	char h[AUTH_PWHASH_MAX];
	rb_err_clear(&err);
	CHECK_INT(auth_password_hash(h, "correct horse", &err), 0);
	CHECK(!strncmp(h, "$argon2id$", 10));
	CHECK(auth_password_verify(h, "correct horse"));
	CHECK(!auth_password_verify(h, "correct horsE"));
	CHECK(!auth_password_verify("not a hash", "correct horse"));
	CHECK_INT(auth_password_hash(h, "short", &err), RB_EINPUT);
}

TEST(tokens)
{
	char a[AUTH_TOKEN_HEX], b[AUTH_TOKEN_HEX];
	size_t i;
	auth_token_new(a);
	auth_token_new(b);
	CHECK_INT(strlen(a), 64);
	CHECK(strcmp(a, b) != 0);
	for (i = 0; i < 64; i++)
		CHECK(strchr("0123456789abcdef", a[i]) != NULL);
}

TEST(token_hash_is_blake2b_256)
{
	char h[AUTH_TOKEN_HEX];
	auth_token_hash(h, "abc", 3);
	CHECK_STR(h, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(secret_equal)
{
	CHECK(auth_secret_equal("abcd", "abcd"));
	CHECK(!auth_secret_equal("abcd", "abce"));
	CHECK(!auth_secret_equal("abcd", "abc"));
	CHECK(!auth_secret_equal("", ""));
}

TEST(dummy_hash_verifies_nothing)
{
	CHECK(!strncmp(auth_dummy_hash(), "$argon2id$", 10));
	CHECK(!auth_password_verify(auth_dummy_hash(), ""));
}

static const struct check_case cases[] = {
	CASE(init), CASE(password_hash), CASE(tokens), CASE(token_hash_is_blake2b_256),
	CASE(secret_equal), CASE(dummy_hash_verifies_nothing),
};
CHECK_MAIN(cases)
