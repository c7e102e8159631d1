/*
 * cmd_user.c: `rebill user add|list|disable|enable|passwd|token` — the
 * web server's users. Passwords are read from the terminal without echo,
 * or as one line from stdin when it is not a terminal: never from argv.
 * Changes are audited with the OS user as actor (store_set_actor, main.c).
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
	static const struct cli_option opts[] = {
		{ "--role", 1, NULL }, { "--customer", 1, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a;
	char hash[AUTH_PWHASH_MAX];
	const char *email;
	int rc;

	if ((rc = cli_parse(&a, "user", opts, argc, argv, err)) < 0)
		return rc;
	email = a.npos == 1 ? a.pos[0] : NULL;
	if (!email || !a.opt[0])
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill user add EMAIL --role ROLE [--customer ID]");
	if (rc == 0)
		rc = read_new_password(hash, err);
	if (rc == 0)
		rc = store_user_add(ctx->store, email, a.opt[0], a.opt[1], hash, NULL, NULL, err);
	if (rc == 0 && !ctx->quiet)
		fprintf(stderr, "rebill: added user '%s' (%s)\n", email, a.opt[0]);
	cli_args_release(&a);
	return rc;
}

static int user_list(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_option opts[] = { { "--format", 1, NULL }, { NULL, 0, NULL } };
	static const char *const heads[] = { "email", "role", "customer", "disabled", "created" };
	static const int right[] = { 0, 0, 0, 0, 0 };
	enum out_format fmt = OUT_TABLE;
	struct store_user *u = NULL;
	struct cli_args a;
	size_t n = 0, k;
	int rc;

	if ((rc = cli_parse(&a, "user", opts, argc, argv, err)) < 0)
		return rc;
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "user list: unexpected argument '%s'", a.pos[0]);
	if (rc == 0 && a.opt[0])
		rc = out_format_parse(&fmt, a.opt[0], err);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_user_list(&u, &n, ctx->store, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		json_t *arr = json_array();
		for (k = 0; k < n; k++)
			json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:b,s:s}", "email", u[k].email,
				"role", u[k].role, "customer", u[k].customer ? json_string(u[k].customer)
				: json_null(), "disabled", u[k].disabled, "created_at", u[k].created_at));
		out_json(arr);
		json_decref(arr);
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

/* disable|enable|passwd|token EMAIL: one email, no options. */
static int one_email(const char **email, const char *verb, int argc, char **argv,
	struct rb_err *err)
{
	static const struct cli_option none[] = { { NULL, 0, NULL } };
	struct cli_args a;
	int rc;
	if ((rc = cli_parse(&a, "user", none, argc, argv, err)) < 0)
		return rc;
	*email = a.npos == 1 ? a.pos[0] : NULL;
	cli_args_release(&a);
	if (!*email)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill user %s EMAIL", verb);
	return 0;
}

static int user_disable(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *email;
	int rc = one_email(&email, "disable", argc, argv, err);
	return rc < 0 ? rc : store_user_set_disabled(ctx->store, email, 1, NULL, err);
}

static int user_enable(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	const char *email;
	int rc = one_email(&email, "enable", argc, argv, err);
	return rc < 0 ? rc : store_user_set_disabled(ctx->store, email, 0, NULL, err);
}

static int user_passwd(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	char hash[AUTH_PWHASH_MAX];
	const char *email;
	int rc;
	if ((rc = one_email(&email, "passwd", argc, argv, err)) < 0 ||
	    (rc = read_new_password(hash, err)) < 0)
		return rc;
	return store_user_set_pwhash(ctx->store, email, hash, NULL, err);
}

static int user_token(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	char token[AUTH_TOKEN_HEX], th[AUTH_TOKEN_HEX];
	const char *email;
	int rc;
	if ((rc = one_email(&email, "token", argc, argv, err)) < 0)
		return rc;
	auth_token_new(token);
	auth_token_hash(th, token, strlen(token));
	if ((rc = store_token_add(ctx->store, email, "cli", th, NULL, err)) < 0)
		return rc;
	/* Shown once; only its hash is stored. */
	puts(token);
	return 0;
}

int cmd_user(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "add", user_add }, { "list", user_list }, { "disable", user_disable },
		{ "enable", user_enable }, { "passwd", user_passwd }, { "token", user_token },
		{ NULL, NULL },
	};
	int rc;
	if ((rc = auth_init(err)) < 0)
		return rc;
	return cli_dispatch("user", verbs, ctx, argc, argv, err);
}
