/*
 * cmd_user.c: `rebill user add|list|disable|enable|passwd|token` — the
 * web server's users. Passwords are read from the terminal without echo,
 * or as one line from stdin when it is not a terminal: never from argv.
 * Changes are audited with actor "cli".
 */
#include "cli/cli.h"

#include <jansson.h>
#include <string.h>

#include "auth/auth.h"
#include "store/store_users.h"
#include "util/banned.h"

static int read_new_password(char hash[AUTH_PWHASH_MAX], struct rb_err *err)
{
	char pw[AUTH_PASSWORD_MAX + 2];
	int rc = auth_password_read(pw, sizeof(pw), "password: ", err);
	if (rc == 0)
		rc = auth_password_hash(hash, pw, err);
	memset(pw, 0, sizeof(pw));
	return rc;
}

static int user_add(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *email = NULL, *role = NULL, *customer = NULL;
	char hash[AUTH_PWHASH_MAX];
	int i, rc;

	for (i = 2; i < argc; i++) {
		if ((rc = cli_opt(&role, argc, argv, &i, "--role", err)) != 0 ||
		    (rc = cli_opt(&customer, argc, argv, &i, "--customer", err)) != 0) {
			if (rc < 0)
				return rc;
		} else if (argv[i][0] == '-' || email) {
			return rb_err_set(err, RB_EUSAGE, "user add: unexpected argument '%s'", argv[i]);
		} else {
			email = argv[i];
		}
	}
	if (!email || !role)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill user add EMAIL --role ROLE [--customer ID]");
	if ((rc = read_new_password(hash, err)) < 0)
		return rc;
	if ((rc = store_user_add(ctx->store, email, role, customer, hash, "cli", NULL, err)) < 0)
		return rc;
	if (!ctx->quiet)
		fprintf(stderr, "rebill: added user '%s' (%s)\n", email, role);
	return 0;
}

static int user_list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const char *const heads[] = { "email", "role", "customer", "disabled", "created" };
	static const int right[] = { 0, 0, 0, 0, 0 };
	enum out_format fmt = OUT_TABLE;
	struct store_user *u = NULL;
	const char *f = NULL;
	size_t n = 0, k;
	int i, rc;

	for (i = 2; i < argc; i++) {
		if ((rc = cli_opt(&f, argc, argv, &i, "--format", err)) < 0)
			return rc;
		if (!rc)
			return rb_err_set(err, RB_EUSAGE, "user list: unexpected argument '%s'", argv[i]);
		if ((rc = out_format_parse(&fmt, f, err)) < 0)
			return rc;
	}
	if ((rc = store_user_list(&u, &n, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *a = json_array();
		for (k = 0; k < n; k++)
			json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:b,s:s}", "email", u[k].email,
				"role", u[k].role, "customer", u[k].customer ? json_string(u[k].customer)
				: json_null(), "disabled", u[k].disabled, "created_at", u[k].created_at));
		out_json(a, 0);
		json_decref(a);
	} else {
		struct out_table *t = out_table_new(5, heads, right);
		for (k = 0; k < n; k++) {
			const char *cells[5] = { u[k].email, u[k].role, u[k].customer ? u[k].customer : "",
				u[k].disabled ? "yes" : "no", u[k].created_at };
			out_table_add(t, cells);
		}
		out_table_print(t, stdout, fmt);
		out_table_free(t);
	}
	store_users_free(u, n);
	return 0;
}

int cmd_user(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *verb = argc > 1 ? argv[1] : "";
	char hash[AUTH_PWHASH_MAX];
	int rc;

	if ((rc = auth_init(err)) < 0)
		return rc;
	if (!strcmp(verb, "add"))
		return user_add(ctx, argc, argv, err);
	if (!strcmp(verb, "list"))
		return user_list(ctx, argc, argv, err);
	if (!strcmp(verb, "disable") || !strcmp(verb, "enable") || !strcmp(verb, "passwd") ||
	    !strcmp(verb, "token")) {
		if (argc != 3 || argv[2][0] == '-')
			return rb_err_set(err, RB_EUSAGE, "usage: rebill user %s EMAIL", verb);
		if (!strcmp(verb, "passwd")) {
			if ((rc = read_new_password(hash, err)) < 0)
				return rc;
			return store_user_set_pwhash(ctx->store, argv[2], hash, "cli", err);
		}
		if (!strcmp(verb, "token")) {
			char token[AUTH_TOKEN_HEX], th[AUTH_TOKEN_HEX];
			auth_token_new(token);
			auth_token_hash(th, token, strlen(token));
			if ((rc = store_token_add(ctx->store, argv[2], "cli", th, "cli", err)) < 0)
				return rc;
			/* Shown once; only its hash is stored. */
			puts(token);
			return 0;
		}
		return store_user_set_disabled(ctx->store, argv[2], !strcmp(verb, "disable"), "cli", err);
	}
	return rb_err_set(err, RB_EUSAGE, "user: unknown verb '%s'; see 'rebill help user'", verb);
}
