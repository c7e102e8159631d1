/*
 * cmd_serve.c: `rebill serve [--listen HOST:PORT] [--threads N]
 * [--tls-cert PEM --tls-key PEM]` — runs the web server (src/http) on the
 * database of --db until SIGINT/SIGTERM.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "util/banned.h"

static int num(long *out, const char *s, long min, long max, const char *opt, struct rb_err *err)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return rb_err_set(err, RB_EUSAGE, "serve: %s takes a number %ld..%ld, not '%s'", opt, min,
			max, s);
	*out = v;
	return 0;
}

int cmd_serve(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	struct http_options o;
	const char *v;
	long n = 0;
	int i, rc;

	memset(&o, 0, sizeof(o));
	o.db_path = ctx->db_path;
	for (i = 1; i < argc; i++) {
		if ((rc = cli_opt(&o.listen, argc, argv, &i, "--listen", err)) != 0) {
			if (rc < 0)
				return rc;
		} else if ((rc = cli_opt(&o.tls_cert, argc, argv, &i, "--tls-cert", err)) != 0) {
			if (rc < 0)
				return rc;
		} else if ((rc = cli_opt(&o.tls_key, argc, argv, &i, "--tls-key", err)) != 0) {
			if (rc < 0)
				return rc;
		} else if ((rc = cli_opt(&v, argc, argv, &i, "--threads", err)) != 0) {
			if (rc < 0 || (rc = num(&n, v, 1, 256, "--threads", err)) < 0)
				return rc;
			o.threads = (unsigned)n;
		} else if ((rc = cli_opt(&v, argc, argv, &i, "--login-limit", err)) != 0) {
			if (rc < 0 || (rc = num(&n, v, 1, 100000, "--login-limit", err)) < 0)
				return rc;
			o.login_fail_user = (int)n;
		} else if ((rc = cli_opt(&v, argc, argv, &i, "--login-addr-limit", err)) != 0) {
			if (rc < 0 || (rc = num(&n, v, 1, 100000, "--login-addr-limit", err)) < 0)
				return rc;
			o.login_fail_addr = (int)n;
		} else if ((rc = cli_opt(&v, argc, argv, &i, "--session-idle", err)) != 0) {
			if (rc < 0 || (rc = num(&n, v, 1, 86400 * 30, "--session-idle", err)) < 0)
				return rc;
			o.session_idle = n;
		} else {
			return rb_err_set(err, RB_EUSAGE, "serve: unknown argument '%s'; see 'rebill help serve'",
				argv[i]);
		}
	}
	return http_serve(&o, err);
}
