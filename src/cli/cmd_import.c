/*
 * cmd_import.c: `rebill import [--quiet] [--timing] PATH...` (or one s3://BUCKET/PREFIX,
 * see cmd_sync.c) — discovers the CUR files
 * under the paths, imports them in one transaction (src/import), and prints
 * what was imported: totals, then per (payer, period) rows and the exact
 * unblended cost (all 10 digits, so it can be checked against AWS's
 * totals), marked "replaced" when it restated a month already in the
 * database; then warnings for what rebill did not use (skipped files,
 * unknown line item types, unknown columns). Warnings go to stdout with the
 * summary: they are part of what the import did, not errors.
 *
 * Exit: 0 ok, 1 usage (no PATH), 2 bad input, 3 I/O or database.
 */
#include "cli/cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/import.h"
#include "ingest/ingest.h"
#include "util/period.h"
#include "util/textout.h"
#include "util/banned.h"

/* Prints fmt with one %s, s shown with terminal controls escaped (a path or
 * a CUR cell could hold ESC or bidi controls: util/textout.h). */
static void print_term(const char *before, const char *s, const char *after)
{
	char *t = textout_term(s ? s : "", 0);
	printf("%s%s%s", before, t, after);
	free(t);
}

static void print_skipped(const struct ingest_skipped *k)
{
	print_term("warning: skipped ", k->path, " (");
	print_term("", k->reason, ")\n");
}

void cli_import_print(const struct import_result *r, const struct ingest_list *list)
{
	/* the provider column shows once a FOCUS file brought another cloud, the
	 * currency column once a billing account is billed in other than USD
	 * (the amounts are in that currency: never summed across payers here) */
	static const char *const heads[] = { "payer", "provider", "period", "rows", "unblended",
		"currency", "status" };
	static const int right[] = { 0, 0, 0, 1, 1, 0, 0 };
	struct out_table *t;
	size_t i;
	int other = 0, foreign = 0;

	for (i = 0; i < r->npps; i++) {
		other |= strcmp(r->pps[i].provider ? r->pps[i].provider : "AWS", "AWS") != 0;
		foreign |= strcmp(r->pps[i].currency ? r->pps[i].currency : "USD", "USD") != 0;
	}

	printf("imported %zu file%s: %lld row%s, %zu payer%s, %zu account%s, %zu period%s\n",
		r->nfiles, r->nfiles == 1 ? "" : "s", (long long)r->rows, r->rows == 1 ? "" : "s",
		r->npayers, r->npayers == 1 ? "" : "s", r->naccounts, r->naccounts == 1 ? "" : "s",
		r->nperiods, r->nperiods == 1 ? "" : "s");
	if (r->npps) {
		const char *hv[7];
		int rv[7];
		size_t ncol = 0, c;
		for (c = 0; c < 7; c++) {
			if ((c == 1 && !other) || (c == 5 && !foreign))
				continue;
			hv[ncol] = heads[c];
			rv[ncol++] = right[c];
		}
		t = out_table_new(ncol, hv, rv);
		for (i = 0; i < r->npps; i++) {
			const struct import_pp *pp = &r->pps[i];
			char per[PERIOD_BUFSZ], rows[24], amt[DEC_BUFSZ];
			const char *cells[7] = { pp->payer, pp->provider, per, rows, amt,
				pp->currency ? pp->currency : "USD", pp->replaced ? "replaced" : "new" };
			const char *cv[7];
			size_t n = 0;
			period_format(per, pp->period);
			snprintf(rows, sizeof(rows), "%lld", (long long)pp->rows);
			dec_format(amt, sizeof(amt), pp->unblended, DEC_SCALE, DEC_SCALE);
			for (c = 0; c < 7; c++)
				if (!((c == 1 && !other) || (c == 5 && !foreign)))
					cv[n++] = cells[c];
			out_table_add(t, cv);
		}
		out_table_print(t, stdout, OUT_TABLE);
		out_table_free(t);
	}
	/* a restated month replaces what was there: say what it was */
	for (i = 0; i < r->npps; i++) {
		const struct import_pp *pp = &r->pps[i];
		char per[PERIOD_BUFSZ], was[DEC_BUFSZ], now[DEC_BUFSZ];
		if (!pp->replaced)
			continue;
		period_format(per, pp->period);
		dec_format(was, sizeof(was), pp->old_unblended, DEC_SCALE, DEC_SCALE);
		dec_format(now, sizeof(now), pp->unblended, DEC_SCALE, DEC_SCALE);
		print_term("replaced payer ", pp->payer, " ");
		printf("%s: %lld rows -> %lld, unblended %s -> %s%s%s\n", per,
			(long long)pp->old_rows, (long long)pp->rows, was, now,
			pp->currency && strcmp(pp->currency, "USD") ? " " : "",
			pp->currency && strcmp(pp->currency, "USD") ? pp->currency : "");
	}
	for (i = 0; i < list->nskipped; i++)
		print_skipped(&list->skipped[i]);
	for (i = 0; i < r->nnotes; i++) {
		const struct import_note *n = &r->notes[i];
		char per[PERIOD_BUFSZ], amt[DEC_BUFSZ];
		if (strcmp(n->kind, "unknown_type"))
			continue;
		period_format(per, n->period);
		dec_format(amt, sizeof(amt), n->unblended, DEC_SCALE, DEC_SCALE);
		print_term("warning: unknown line item type '", n->name, "' (payer ");
		print_term("", n->payer, "");
		printf(", %s): %lld row%s, unblended %s; billed as class other\n", per,
			(long long)n->rows, n->rows == 1 ? "" : "s", amt);
	}
	for (i = 0; i < r->nempty_files; i++)
		print_term("warning: ", r->empty_files[i],
			" has a header and no rows: nothing imported from it\n");
	if (r->duplicate_tags)
		printf("warning: %llu tag value%s not used: another column gave the row the same tag key "
			"(the first column in header order wins)\n", (unsigned long long)r->duplicate_tags,
			r->duplicate_tags == 1 ? "" : "s");
	if (r->nunknown_columns)
		printf("warning: %zu column%s not used by rebill (recorded in import_notes)\n",
			r->nunknown_columns, r->nunknown_columns == 1 ? "" : "s");
}

/* SIGINT/SIGTERM during an import (issue 10): until the COMMIT starts the
 * database is unchanged (SQLite drops an uncommitted transaction's WAL
 * frames), so the handler can say so and exit at once, 128 + the signal.
 * Once the COMMIT started it only notes the signal; the import finishes and
 * says it was committed. Signal handlers can only share state through
 * globals: these two are the only ones, and only here. */
static volatile sig_atomic_t import_committing, import_signal;

static void on_signal(int sig)
{
	static const char msg[] = "\nrebill: interrupted; the database is unchanged\n";
	if (!import_committing) {
		ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)n;
		_exit(128 + sig);
	}
	import_signal = sig;
}


int cmd_import(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_QUIET, O_TIMING, O_CACHE, O_WAIT, O_PARTIAL, O_KEEP_CACHE };
	static const struct cli_option opts[] = {
		[O_QUIET] = { "--quiet", 0, "-q" }, [O_TIMING] = { "--timing", 0, NULL },
		[O_CACHE] = { "--cache", 1, NULL }, [O_WAIT] = { "--wait", 1, NULL },
		[O_PARTIAL] = { "--partial", 0, NULL }, [O_KEEP_CACHE] = { "--keep-cache", 0, NULL },
		{ NULL, 0, NULL },
	};
	struct ingest_list list = { 0 };
	struct import_result res;
	struct import_options opt;
	struct cli_args a;
	int quiet, timing, partial, rc, k;

	memset(&res, 0, sizeof(res));
	if ((rc = cli_parse(&a, "import", opts, argc, argv, err)) < 0)
		return rc;
	quiet = ctx->quiet || a.opt[O_QUIET];
	timing = a.opt[O_TIMING] != NULL;
	if (a.opt[O_WAIT] && (rc = cli_parse_wait(ctx, a.opt[O_WAIT], err)) < 0) {
		cli_args_release(&a);
		return rc;
	}
	partial = a.opt[O_PARTIAL] != NULL;
	/* s3://BUCKET/PREFIX: fetched into the cache, then imported (cmd_sync.c) */
	for (k = 0; k < a.npos; k++)
		if (!strncmp(a.pos[k], "s3://", 5)) {
			rc = a.npos != 1 ? rb_err_set(err, RB_EUSAGE,
					"import: an s3:// URI is imported on its own, not with other paths") :
				cli_s3_import(ctx, a.pos[k], 0, a.opt[O_CACHE], a.opt[O_KEEP_CACHE] != NULL,
					quiet, err);
			cli_args_release(&a);
			return rc;
		}
	if (a.npos == 0)
		rc = rb_err_set(err, RB_EUSAGE, "import: no PATH given; usage: rebill import [--quiet] PATH...");
	if (rc == 0) {
		cli_catch_signals(on_signal);   /* nothing is written before the COMMIT */
		/* another writer? wait for it now, before reading gigabytes for nothing */
		rc = store_probe_writer(ctx->store, err);
	}
	if (rc == 0)
		rc = ingest_collect(&list, (const char *const *)a.pos, (size_t)a.npos, err);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if (list.nfiles == 0) {
		size_t i;
		for (i = 0; i < list.nskipped; i++)
			print_skipped(&list.skipped[i]);
		rc = rb_err_set(err, RB_EINPUT, "import: no CUR data files found under the given paths");
		goto cleanup;
	}
	if (!partial && (rc = ingest_check_parts(&list, err)) < 0)
		goto cleanup;
	memset(&opt, 0, sizeof(opt));
	opt.progress = !quiet && isatty(2);
	opt.source = &import_source_cur;
	opt.committing = &import_committing;
	if ((rc = import_files(&res, ctx->store, list.files, list.nfiles, &opt, err)) < 0)
		goto cleanup;
	cli_import_print(&res, &list);
	if (import_signal) {
		fflush(stdout);
		fprintf(stderr, "rebill: interrupted while committing; the import was committed\n");
		exit(128 + import_signal);
	}
	if (timing)
		fprintf(stderr, "timing: read+aggregate %.3f s, write %.3f s, spilled %zu runs"
			" (%.1f MB)\n", (double)res.read_ns / 1e9, (double)res.write_ns / 1e9,
			res.spill_runs, (double)res.spill_bytes / 1e6);
cleanup:
	import_result_release(&res);
	ingest_list_release(&list);
	return rc;
}
