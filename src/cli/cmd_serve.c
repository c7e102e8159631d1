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
	static const struct cli_option opts[] = {
		{ "--listen", 1, NULL }, { "--tls-cert", 1, NULL }, { "--tls-key", 1, NULL },
		{ "--threads", 1, NULL }, { "--login-limit", 1, NULL },
		{ "--login-addr-limit", 1, NULL }, { "--session-idle", 1, NULL },
		{ "--trusted-proxy", 1, NULL }, { "--upload-max", 1, NULL }, { "--upload-dir", 1, NULL },
		{ "--cache-mb", 1, NULL }, { NULL, 0, NULL },
	};
	struct http_options o;
	struct cli_args a;
	long n = 0;
	int rc;

	memset(&o, 0, sizeof(o));
	o.db_path = ctx->db_path;
	if ((rc = cli_parse(&a, "serve", opts, argc, argv, err)) < 0)
		return rc;
	o.listen = a.opt[0];
	o.tls_cert = a.opt[1];
	o.tls_key = a.opt[2];
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "serve: unexpected argument '%s'; see 'rebill help serve'",
			a.pos[0]);
	if (rc == 0 && a.opt[3] && (rc = num(&n, a.opt[3], 1, 256, "--threads", err)) == 0)
		o.threads = (unsigned)n;
	if (rc == 0 && a.opt[4] && (rc = num(&n, a.opt[4], 1, 100000, "--login-limit", err)) == 0)
		o.login_fail_user = (int)n;
	if (rc == 0 && a.opt[5] && (rc = num(&n, a.opt[5], 1, 100000, "--login-addr-limit", err)) == 0)
		o.login_fail_addr = (int)n;
	if (rc == 0 && a.opt[6] && (rc = num(&n, a.opt[6], 1, 86400 * 30, "--session-idle", err)) == 0)
		o.session_idle = n;
	if (rc == 0 && a.opt[7] && (rc = http_proxy_list_check(a.opt[7], err)) == 0)
		o.trusted_proxy = a.opt[7];
	/* an uploaded CUR file's size limit in MiB (imports over the web) */
	if (rc == 0 && a.opt[8] && (rc = num(&n, a.opt[8], 1, 1L << 20, "--upload-max", err)) == 0)
		o.upload_max = (uint64_t)n << 20;
	o.upload_dir = a.opt[9];
	if (rc == 0 && a.opt[10] && (rc = num(&n, a.opt[10], 0, 65536, "--cache-mb", err)) == 0)
		o.cache_mb = n ? n : -1;
	/* the option values point into argv, which outlives the server */
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	return http_serve(&o, err);
}
