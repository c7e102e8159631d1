/*
 * forward.c: the commands of the light `rebill` that need the heavy
 * libraries — PDF and fonts (cairo, pango), UBL validation and S3 (libxml2,
 * libcurl), mail (libcurl), the web server (libmicrohttpd), password hashes
 * (libsodium). Loading and relocating those libraries costs ~12 MB of
 * resident memory in every process before main() runs, which an import
 * cannot afford under its 64 MiB peak (issue 10). So `rebill` links only
 * what the import, the reports and the configuration verbs use, and each
 * function below replaces one entry point of cmd_invoice_docs.c,
 * cmd_sync.c, cmd_serve.c and cmd_user.c: it runs the complete program,
 * rebill-full (built from the same sources with those files), with the
 * original arguments, in this process (execv: same pid, exit status,
 * signals and terminal).
 *
 * rebill-full is looked for beside this executable (the build tree), then
 * in LIBEXECDIR/rebill relative to it (a relocated install), then at the
 * configured REBILL_FULL_INSTALLED path.
 *
 * Not for: anything else (a new entry point of the files above needs a
 * FORWARD line here, or the light link fails).
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/banned.h"

#ifndef REBILL_FULL_INSTALLED
#define REBILL_FULL_INSTALLED "/usr/local/libexec/rebill/rebill-full"
#endif
#ifndef REBILL_FULL_FROM_BIN
#define REBILL_FULL_FROM_BIN "../libexec/rebill/rebill-full"
#endif

/* Runs rebill-full with the arguments main() got; returns only on failure. */
static int forward(struct cli_ctx *ctx, struct rb_err *err)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int e = ENOENT;

	if (!cli_main_argv)
		return rb_err_set(err, RB_EIO, "internal: the arguments of rebill were not kept");
	/* the store is reopened by rebill-full: close it (and its locks) here */
	store_free(ctx->store);
	ctx->store = NULL;
	fflush(NULL);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			slash[1] = '\0';
			snprintf(path, sizeof(path), "%srebill-full", self);
			execv(path, cli_main_argv);
			e = errno;
			snprintf(path, sizeof(path), "%s%s", self, REBILL_FULL_FROM_BIN);
			execv(path, cli_main_argv);
			if (errno != ENOENT)
				e = errno;
		}
	}
	execv(REBILL_FULL_INSTALLED, cli_main_argv);
	if (errno != ENOENT)
		e = errno;
	return rb_err_set(err, RB_EIO, "cannot run rebill-full (beside %s, or %s): %s; it runs "
		"the commands that need PDF, mail, S3, HTTP or password hashing",
		n > 0 ? self : "rebill", REBILL_FULL_INSTALLED, strerror(e));
}

#define FORWARD(name) \
	int name(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err) \
	{ \
		(void)argc; \
		(void)argv; \
		return forward(ctx, err); \
	}

FORWARD(cmd_invoice_run)
FORWARD(cmd_invoice_list)
FORWARD(cmd_invoice_show)
FORWARD(cmd_invoice_finalize)
FORWARD(cmd_invoice_credit)
FORWARD(cmd_invoice_rerate)
FORWARD(cmd_invoice_export)
FORWARD(cmd_invoice_pay)
FORWARD(cmd_invoice_send)
FORWARD(cmd_export)
FORWARD(cmd_report_receivables)
FORWARD(cmd_sync)
FORWARD(cmd_serve)
FORWARD(cmd_user)

int cli_s3_import(struct cli_ctx *ctx, const char *uri, int changed_only, const char *cache,
	int keep_cache, int quiet, struct rb_err *err)
{
	(void)uri;
	(void)changed_only;
	(void)cache;
	(void)keep_cache;
	(void)quiet;
	return forward(ctx, err);
}
