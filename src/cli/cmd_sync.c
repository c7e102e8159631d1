/*
 * cmd_sync.c: `rebill sync s3://BUCKET/PREFIX [--cache DIR] [--every INTERVAL]`
 * and the S3 side of `rebill import s3://...` (cli_s3_import): one round
 * makes the plan (src/s3/sync.h), prints per month what it found, imports
 * the files in one transaction (src/import), prints what the import did,
 * and records it. With --every the rounds repeat until SIGINT or SIGTERM;
 * a failed round is reported and the next one runs at its time.
 *
 * Exit: 0 ok (and after a signal between rounds), 1 usage, 2 bad input,
 * 3 I/O (network, S3's refusals, the database; also a round cut by a signal).
 */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "import/import.h"
#include "s3/s3.h"
#include "s3/sync.h"
#include "util/banned.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* SIGINT and SIGTERM set stop_flag (cli_catch_signals): a transfer under
 * way fails at once ("interrupted", nothing imported), a sleep between
 * rounds ends, since nanosleep is not restarted. */

static void now_utc(char out[32])
{
	struct tm tm;
	time_t t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_months(const struct s3sync_plan *p)
{
	static const char *const what[] = { "new", "changed", "unchanged", "imported again" };
	size_t i;

	printf("%s: %zu object%s listed (%zu page%s), %zu fetched (%llu bytes), the rest cached\n",
		p->source, p->nobjects, p->nobjects == 1 ? "" : "s", p->pages,
		p->pages == 1 ? "" : "s", p->nfetched, (unsigned long long)p->fetched_bytes);
	for (i = 0; i < p->nmonths; i++) {
		const struct s3sync_month *m = &p->months[i];
		printf("month %s %s: assembly %s, %zu file%s: %s", m->period[0] ? m->period : "?",
			m->manifest_key[0] ? m->manifest_key : "(no manifest)", m->assembly_id,
			m->nfiles, m->nfiles == 1 ? "" : "s", what[m->state]);
		if (m->state == S3SYNC_CHANGED)
			printf(" (was %s)", m->previous);
		putchar('\n');
	}
	if (p->nunread)
		printf("warning: %zu data object%s under the prefix not listed by a current manifest "
			"(older assemblies or other files): not read\n", p->nunread,
			p->nunread == 1 ? "" : "s");
}

int cli_s3_import(struct cli_ctx *ctx, const char *uri, int changed_only, const char *cache,
	int keep_cache, int quiet, struct rb_err *err)
{
	struct s3sync_options sopt = { 0 };
	struct s3sync_plan plan;
	struct s3_config cfg;
	struct s3_client *c = NULL;
	struct import_result res;
	struct import_options opt;
	char at[32], *bucket = NULL, *prefix = NULL;
	int rc;

	memset(&plan, 0, sizeof(plan));
	memset(&res, 0, sizeof(res));
	cli_catch_signals(on_signal);
	if ((rc = s3_uri_parse(&bucket, &prefix, uri, err)) < 0)   /* a usage error first */
		return rc;
	free(bucket);
	free(prefix);
	if ((rc = s3_config_load(&cfg, err)) < 0)
		return rc;
	rc = s3_client_new(&c, &cfg, &stop_flag, err);
	s3_config_release(&cfg);
	if (rc < 0)
		return rc;
	sopt.cache_dir = cache;
	sopt.changed_only = changed_only;
	if ((rc = s3sync_plan_make(&plan, ctx->store, c, uri, &sopt, err)) < 0)
		goto cleanup;
	print_months(&plan);
	if (plan.list.nfiles == 0) {
		size_t i, todo = 0;
		for (i = 0; i < plan.nmonths; i++)
			todo += plan.months[i].state != S3SYNC_UNCHANGED;
		for (i = 0; i < plan.list.nskipped; i++)
			printf("warning: skipped %s (%s)\n", plan.list.skipped[i].path,
				plan.list.skipped[i].reason);
		if (todo)
			rc = rb_err_set(err, RB_EINPUT, "%s: no CUR data files rebill can read "
				"(%zu skipped)", plan.source, plan.list.nskipped);
		else
			printf("nothing changed\n");
		goto cleanup;
	}
	if (stop_flag) {
		rc = rb_err_set(err, RB_EIO, "%s: interrupted before the import; nothing imported",
			plan.source);
		goto cleanup;
	}
	now_utc(at);
	memset(&opt, 0, sizeof(opt));
	opt.progress = !quiet && isatty(2);
	opt.source = &import_source_cur;
	opt.imported_at = at;
	if ((rc = import_files(&res, ctx->store, plan.list.files, plan.list.nfiles, &opt, err)) < 0) {
		s3sync_rename_err(&plan, err);
		goto cleanup;
	}
	cli_import_print(&res, &plan.list);
	/* a failure here leaves the import done and unrecorded: the next sync
	 * imports the same assembly again, which replaces it with itself */
	if ((rc = s3sync_plan_record(ctx->store, &plan, at, err)) < 0)
		goto cleanup;
	if (!keep_cache) {
		/* only after a successful import: a failed one keeps every file */
		struct s3sync_pruned pruned;
		struct rb_err perr;
		rb_err_clear(&perr);
		if (s3sync_prune(&plan, &pruned, &perr) < 0) {
			fputs("rebill: warning: the import is done, but pruning the cache failed: ",
				stderr);
			rb_err_print(&perr, stderr);
		}
		if (pruned.files)
			printf("cache: removed %zu file%s of superseded versions (%llu bytes)\n",
				pruned.files, pruned.files == 1 ? "" : "s",
				(unsigned long long)pruned.bytes);
	}
cleanup:
	import_result_release(&res);
	s3sync_plan_release(&plan);
	s3_client_free(c);
	fflush(stdout);
	return rc;
}

/* "90s", "30m", "1h", "2d", "1h30m" -> seconds (1 s to 366 d). */
static int parse_interval(long *out, const char *s)
{
	long total = 0;

	if (!*s)
		return -1;
	while (*s) {
		long v = 0, unit;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (*s++ - '0');
			if (v > 100000000)
				return -1;
		}
		switch (*s++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		total += v * unit;
		if (total > 366L * 86400)
			return -1;
	}
	if (total < 1)
		return -1;
	*out = total;
	return 0;
}

/* Sleeps up to secs, returning early once a signal set stop_flag. */
static void nap(long secs)
{
	struct timespec t = { 1, 0 };
	long i;

	for (i = 0; i < secs && !stop_flag; i++)
		while (nanosleep(&t, &t) && errno == EINTR && !stop_flag)
			;
}

int cmd_sync(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_QUIET, O_CACHE, O_EVERY, O_KEEP_CACHE };
	static const struct cli_option opts[] = {
		[O_QUIET] = { "--quiet", 0, "-q" }, [O_CACHE] = { "--cache", 1, NULL },
		[O_EVERY] = { "--every", 1, NULL }, [O_KEEP_CACHE] = { "--keep-cache", 0, NULL },
		{ NULL, 0, NULL },
	};
	struct cli_args a;
	const char *cache, *uri;
	char *bucket = NULL, *prefix = NULL;
	struct s3_config cfg;
	int quiet, keep_cache, rc = 0;
	long every = 0;

	if ((rc = cli_parse(&a, "sync", opts, argc, argv, err)) < 0)
		return rc;
	quiet = ctx->quiet || a.opt[O_QUIET];
	cache = a.opt[O_CACHE];
	keep_cache = a.opt[O_KEEP_CACHE] != NULL;
	uri = a.npos == 1 ? a.pos[0] : NULL;
	if (a.opt[O_EVERY] && parse_interval(&every, a.opt[O_EVERY]))
		rc = rb_err_set(err, RB_EUSAGE, "sync: bad --every '%s'; e.g. 90s, 30m, 1h, 1d",
			a.opt[O_EVERY]);
	else if (!uri)
		rc = rb_err_set(err, RB_EUSAGE,
			"sync: usage: rebill sync [--cache DIR] [--keep-cache] [--every INTERVAL] "
			"s3://BUCKET/PREFIX");
	cli_args_release(&a);   /* the values are argv's */
	if (rc < 0)
		return rc;
	/* fail fast on what no later round can fix: a bad URI, no credentials
	 * (each round reads them again, so rotated credentials are picked up) */
	if ((rc = s3_uri_parse(&bucket, &prefix, uri, err)) < 0)
		return rc;
	free(bucket);
	free(prefix);
	if ((rc = s3_config_load(&cfg, err)) < 0)
		return rc;
	s3_config_release(&cfg);
	cli_catch_signals(on_signal);
	for (;;) {
		char at[32];
		if (every) {
			now_utc(at);
			printf("sync round at %s\n", at);
		}
		rc = cli_s3_import(ctx, uri, 1, cache, keep_cache, quiet, err);
		if (!every || (stop_flag && rc < 0))
			break;
		if (rc < 0) {
			/* a daemon outlives a failed round: report it, try again later */
			fputs("rebill: ", stderr);
			rb_err_print(err, stderr);
			rb_err_clear(err);
			rc = 0;
		}
		fflush(stdout);
		nap(every);
		if (stop_flag) {
			printf("sync: stopped by a signal\n");
			break;
		}
	}
	return rc;
}
