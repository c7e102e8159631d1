/*
 * test_import.c: the import pipeline end to end on a real SQLite file, fed
 * by a row source built in C — several files over several threads give the
 * same facts as one thread, an error in any file writes nothing, unknown
 * line item types and columns become notes, and a re-import replaces.
 */
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "import/import.h"
#include "rows.h"
#include "store/store_facts.h"
#include "util/banned.h"

struct fake_file {
	const char *name;
	struct cur_row *rows;
	size_t nrows;
	long fail_at;              /* row index that fails, -1 never */
	const char *const *cols;   /* unknown columns */
	size_t ncols;
};

struct fake_set {
	struct fake_file *files;
	size_t n;
};

struct fake_state {
	const struct fake_file *f;
	size_t pos;
};

static int fake_open(void **state, const char *path, void *arg, struct rb_err *err)
{
	struct fake_set *set = arg;
	size_t i;
	for (i = 0; i < set->n; i++)
		if (!strcmp(set->files[i].name, path)) {
			struct fake_state *st = calloc(1, sizeof(*st));
			st->f = &set->files[i];
			*state = st;
			return 0;
		}
	*state = NULL;
	return rb_err_set(err, RB_EIO, "%s: no such file", path);
}

static int fake_next(void *state, const struct cur_row **row, struct rb_err *err)
{
	struct fake_state *st = state;
	if (st->pos >= st->f->nrows)
		return 0;
	if ((long)st->pos == st->f->fail_at)
		return rb_err_at(err, RB_EINPUT, st->f->name, (long)st->pos + 2, 7,
			"bad amount 'x' in column lineItem/UnblendedCost");
	*row = &st->f->rows[st->pos++];
	return 1;
}

static void fake_stats(void *state, struct cur_reader_stats *out)
{
	struct fake_state *st = state;
	memset(out, 0, sizeof(*out));
	out->bytes_in = st->pos * 100;
	out->file_size = st->f->nrows * 100;
	out->rows = st->pos;
	out->nunknown_columns = st->f->ncols;
	out->unknown_columns = st->f->cols;
}

static void fake_close(void *state)
{
	free(state);
}

static char dbpath[64];

static void rm_db(void)
{
	char side[80];
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
}

static struct store *fresh(void)
{
	struct store *s = NULL;
	struct rb_err err;
	snprintf(dbpath, sizeof(dbpath), "test-import-%ld.db", (long)getpid());
	rm_db();
	if (store_open(&s, dbpath, &err) < 0)
		printf("  store_open: %s\n", err.msg);
	return s;
}

/* Three files: two of payer 1 (Sep + Oct rows), one of payer 9. */
#define NROWS 3000
static struct cur_row rows_a[NROWS], rows_b[NROWS], rows_c[100];
static char ut[NROWS][16];
static struct cur_tag tag_env = { { "user:Env", 8 }, { "prod", 4 } };
static const char *const cols_a[] = { "identity/LineItemId", "bill/BillType" };

static void build_rows(void)
{
	size_t i;
	for (i = 0; i < NROWS; i++) {
		char day[11];
		snprintf(ut[i], sizeof(ut[i]), "U%zu", i % 97);
		snprintf(day, sizeof(day), "2026-%s-%02zu", i % 10 ? "10" : "09", i % 28 + 1);
		rows_a[i] = row_make("111111111111", i % 2 ? "222222222222" : "333333333333", day,
			"Usage", ut[i], "0.0000000001");
		rows_b[i] = row_make("111111111111", "222222222222", day, i % 100 ? "Usage" : "FutureType",
			ut[i], "1.25");
		if (i % 3 == 0) {
			rows_b[i].ntags = 1;
			rows_b[i].tags = &tag_env;
		}
		rows_b[i].resource_id = rs(i % 2 ? "i-0abc" : "vol-1");
	}
	for (i = 0; i < 100; i++)
		rows_c[i] = row_make("999999999999", "888888888888", "2026-10-05", "Usage", "Box", "-0.5");
}

static struct fake_file ffiles[3];
static struct fake_set fset = { ffiles, 3 };
static const struct import_source_ops fake_ops = { fake_open, fake_next, fake_stats, fake_close, &fset,
	NULL, NULL };
static const struct ingest_file inputs[3] = {
	{ "a.csv", "", 300000 }, { "b.csv", "asm-1", 300000 }, { "c.csv", "", 10000 },
};

static void reset_files(void)
{
	ffiles[0] = (struct fake_file){ "a.csv", rows_a, NROWS, -1, cols_a, 2 };
	ffiles[1] = (struct fake_file){ "b.csv", rows_b, NROWS, -1, NULL, 0 };
	ffiles[2] = (struct fake_file){ "c.csv", rows_c, 100, -1, NULL, 0 };
}

static size_t budget;   /* 0: the default */

static int run_import_from(struct import_result *res, struct store *s, int threads,
	size_t first, size_t nfiles, struct rb_err *err)
{
	struct import_options opt = { 0, threads, "2026-11-26T00:00:00Z", &fake_ops, budget, 0, NULL, NULL, NULL, NULL };
	return import_files(res, s, inputs + first, nfiles, &opt, err);
}

static int run_import(struct import_result *res, struct store *s, int threads, size_t nfiles,
	struct rb_err *err)
{
	return run_import_from(res, s, threads, 0, nfiles, err);
}

static char *facts_digest(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t cap = 1 << 22, n = 0;
	char *out = calloc(1, cap);
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return out;
	if (sqlite3_prepare_v2(db, "SELECT f.period, day, payer, account, line_item_type, class,"
			" product_code, usage_type, t.canon, rows, usage_amount, unblended, ondemand, effective"
			" FROM facts f JOIN tagsets t ON t.id = f.tagset_id ORDER BY 1,2,3,4,5,6,7,8,9", -1,
			&st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW && n + 512 < cap) {
			int c;
			for (c = 0; c < 14; c++)
				n += (size_t)snprintf(out + n, cap - n, "%s|", sqlite3_column_text(st, c));
			out[n++] = '\n';
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return out;
}

static int count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

TEST(threads_give_the_same_facts)
{
	struct store *s;
	struct import_result r1, r2;
	struct rb_err err;
	char *d1, *d2;
	int per10 = 0;

	build_rows();
	reset_files();
	s = fresh();
	CHECK_INT(run_import(&r1, s, 1, 3, &err), 0);
	d1 = facts_digest();
	store_free(s);
	s = fresh();
	CHECK_INT(run_import(&r2, s, 3, 3, &err), 0);
	d2 = facts_digest();
	CHECK(strlen(d1) > 1000);
	CHECK_STR(d2, d1);
	CHECK_INT(r1.rows, 2 * NROWS + 100);
	CHECK_INT(r2.rows, 2 * NROWS + 100);
	CHECK_INT(r2.nfiles, 3);
	CHECK_INT(r2.npayers, 2);
	CHECK_INT(r2.naccounts, 3);
	CHECK_INT(r2.nperiods, 2);
	CHECK_INT(r2.npps, 3);
	period_parse(&per10, "2026-10", 7);
	if (r2.npps == 3) {
		CHECK_STR(r2.pps[0].payer, "111111111111");
		CHECK_STR(r2.pps[1].payer, "111111111111");
		CHECK_INT(r2.pps[1].period, per10);
		CHECK_INT(r2.pps[1].rows, 2 * (NROWS - NROWS / 10));
		CHECK(r2.pps[1].unblended == amount("3375.00000027"));
		CHECK_STR(r2.pps[2].payer, "999999999999");
		CHECK(r2.pps[2].unblended == amount("-50"));
		CHECK_INT(r2.pps[2].replaced, 0);
	}
	/* FutureType: 30 rows (every 100th), 3 in September; unknown columns of a.csv */
	CHECK_INT(r2.nunknown_types, 1);
	CHECK_INT(r2.nunknown_columns, 2);
	CHECK_INT(count("SELECT SUM(rows) FROM import_notes WHERE kind = 'unknown_type'"), 30);
	CHECK_INT(count("SELECT rows FROM import_notes WHERE kind = 'unknown_column'"
		" AND name = 'bill/BillType' AND period = '2026-09'"), 300);
	CHECK_INT(count("SELECT COUNT(*) FROM imports"), 3);
	CHECK_INT(count("SELECT SUM(rows) FROM import_files"), 2 * NROWS + 100);
	CHECK_INT(count("SELECT COUNT(*) FROM import_files WHERE assembly_id = 'asm-1'"), 2);
	CHECK_INT(count("SELECT SUM(rows) FROM resource_facts"), NROWS);
	CHECK_INT(count("SELECT COUNT(*) FROM tagset_items WHERE key = 'user:Env' AND value = 'prod'"), 1);
	import_result_release(&r1);
	import_result_release(&r2);
	free(d1);
	free(d2);
	store_free(s);
	rm_db();
}

/* More CPUs than files: each worker reads while a second thread sums. */
TEST(reader_and_aggregator_threads_give_the_same_facts)
{
	struct store *s;
	struct import_result r;
	struct rb_err err;
	char *d1, *d2, *d3;

	build_rows();
	reset_files();
	s = fresh();
	CHECK_INT(run_import_from(&r, s, 1, 1, 1, &err), 0);
	import_result_release(&r);
	d1 = facts_digest();
	store_free(s);
	s = fresh();
	CHECK_INT(run_import_from(&r, s, 2, 1, 1, &err), 0);
	CHECK_INT(r.rows, NROWS);
	import_result_release(&r);
	d2 = facts_digest();
	CHECK(strlen(d1) > 1000);
	CHECK_STR(d2, d1);
	free(d1);
	free(d2);
	store_free(s);
	/* all three files, six threads: the same as one thread */
	s = fresh();
	CHECK_INT(run_import(&r, s, 1, 3, &err), 0);
	import_result_release(&r);
	d1 = facts_digest();
	store_free(s);
	s = fresh();
	CHECK_INT(run_import(&r, s, 6, 3, &err), 0);
	import_result_release(&r);
	d3 = facts_digest();
	CHECK_STR(d3, d1);
	/* and a reader error there still writes nothing */
	ffiles[2].fail_at = 50;
	CHECK_INT(run_import(&r, s, 6, 3, &err), RB_EINPUT);
	CHECK_STR(err.file, "c.csv");
	CHECK_INT(err.line, 52);
	free(d3);
	d3 = facts_digest();
	CHECK_STR(d3, d1);
	free(d1);
	free(d3);
	store_free(s);
	rm_db();
}

TEST(an_overflow_in_the_aggregator_thread_writes_nothing)
{
	struct store *s;
	struct import_result r;
	struct rb_err err;
	rb_i128 keep = rows_b[10].views.unblended;

	build_rows();
	reset_files();
	s = fresh();
	rows_b[10].views.unblended = (rb_i128)(((rb_u128)1 << 126) - 1);
	rows_b[20].views.unblended = (rb_i128)(((rb_u128)1 << 126) - 1);
	rows_b[30].views.unblended = (rb_i128)(((rb_u128)1 << 126) - 1);
	rows_b[30].day[9] = rows_b[20].day[9] = rows_b[10].day[9];
	rows_b[30].usage_type = rows_b[20].usage_type = rows_b[10].usage_type;
	rows_b[30].ntags = rows_b[20].ntags = rows_b[10].ntags;
	rows_b[30].period = rows_b[20].period = rows_b[10].period;
	rows_b[30].account = rows_b[20].account = rows_b[10].account;
	rows_b[30].day[8] = rows_b[20].day[8] = rows_b[10].day[8];
	rows_b[30].day[5] = rows_b[20].day[5] = rows_b[10].day[5];
	rows_b[30].day[6] = rows_b[20].day[6] = rows_b[10].day[6];
	rows_b[30].type = rows_b[20].type = rows_b[10].type;
	rows_b[30].cls = rows_b[20].cls = rows_b[10].cls;
	rows_b[30].resource_id = rows_b[20].resource_id = rows_b[10].resource_id;
	rb_err_clear(&err);
	CHECK_INT(run_import_from(&r, s, 2, 1, 1, &err), RB_EINPUT);
	CHECK_STR(err.file, "b.csv");
	CHECK(strstr(err.msg, "128-bit") != NULL);
	CHECK_INT(count("SELECT COUNT(*) FROM facts"), 0);
	rows_b[10].views.unblended = keep;
	store_free(s);
	rm_db();
}

/* A tiny memory budget spills partial facts to TEMP tables every 1024 rows:
 * the database ends up exactly as without spilling. */
TEST(spilling_gives_the_same_database)
{
	struct store *s;
	struct import_result r1, r2;
	struct rb_err err;
	char *d1, *d2;
	int threads;

	build_rows();
	reset_files();
	for (threads = 1; threads <= 6; threads += 5) {
		size_t i;
		budget = 0;
		s = fresh();
		CHECK_INT(run_import(&r1, s, threads, 3, &err), 0);
		d1 = facts_digest();
		CHECK_INT(count("SELECT COUNT(*) FROM resource_facts"), 3);
		store_free(s);
		budget = 1;
		s = fresh();
		CHECK_INT(run_import(&r2, s, threads, 3, &err), 0);
		d2 = facts_digest();
		CHECK(strlen(d1) > 1000);
		CHECK_STR(d2, d1);
		CHECK_INT(count("SELECT COUNT(*) FROM resource_facts"), 3);
		CHECK_INT(count("SELECT SUM(rows) FROM resource_facts"), NROWS);
		CHECK_INT(r2.rows, r1.rows);
		CHECK_INT(r2.npps, r1.npps);
		CHECK_INT(r2.nnotes, r1.nnotes);
		CHECK_INT(r2.naccounts, r1.naccounts);
		for (i = 0; i < r1.npps && i < r2.npps; i++)
			CHECK(r1.pps[i].unblended == r2.pps[i].unblended);
		/* re-import with spilling replaces, as without */
		import_result_release(&r2);
		CHECK_INT(run_import(&r2, s, threads, 3, &err), 0);
		CHECK_INT(r2.pps[0].replaced, 1);
		free(d2);
		d2 = facts_digest();
		CHECK_STR(d2, d1);
		import_result_release(&r1);
		import_result_release(&r2);
		free(d1);
		free(d2);
		store_free(s);
		rm_db();
	}
	budget = 0;
}

static int exec_sql(const char *sql)
{
	sqlite3 *db;
	int rc;
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* A database failure while the batch is written (injected with a trigger
 * on the 2000th fact, or on the last table written) rolls everything back,
 * in memory and through the spill. */
TEST(a_failing_write_leaves_the_database_as_it_was)
{
	static const char *const triggers[] = {
		"CREATE TRIGGER inj BEFORE INSERT ON fact_rows WHEN (SELECT COUNT(*) FROM fact_rows) >= 2000"
		" BEGIN SELECT RAISE(ABORT, 'injected'); END;",
		"CREATE TRIGGER inj BEFORE INSERT ON import_notes"
		" BEGIN SELECT RAISE(ABORT, 'injected'); END;",
	};
	size_t t, b;

	build_rows();
	reset_files();
	for (t = 0; t < 2; t++)
		for (b = 0; b < 2; b++) {
			struct store *s = fresh();
			struct import_result r;
			struct rb_err err;
			char *d1, *d2;
			budget = b ? 1 : 0;
			CHECK_INT(run_import_from(&r, s, 2, 2, 1, &err), 0);   /* payer 9 only */
			import_result_release(&r);
			d1 = facts_digest();
			CHECK_INT(exec_sql(triggers[t]), 0);
			rb_err_clear(&err);
			CHECK_INT(run_import(&r, s, 2, 3, &err), RB_EIO);
			CHECK(strstr(err.msg, "injected") != NULL);
			d2 = facts_digest();
			CHECK_STR(d2, d1);
			CHECK_INT(count("SELECT COUNT(*) FROM imports"), 1);
			CHECK_INT(count("SELECT COUNT(*) FROM import_notes"), 0);
			CHECK_INT(count("SELECT COUNT(*) FROM tagsets"), 1);
			free(d1);
			free(d2);
			store_free(s);
			rm_db();
		}
	budget = 0;
}

TEST(an_error_in_any_file_writes_nothing)
{
	struct store *s;
	struct import_result r;
	struct rb_err err;
	char *d1, *d2;

	build_rows();
	reset_files();
	s = fresh();
	CHECK_INT(run_import(&r, s, 2, 3, &err), 0);
	import_result_release(&r);
	d1 = facts_digest();
	ffiles[1].fail_at = 2500;
	rb_err_clear(&err);
	CHECK_INT(run_import(&r, s, 2, 3, &err), RB_EINPUT);
	CHECK_STR(err.file, "b.csv");
	CHECK_INT(err.line, 2502);
	CHECK_INT(err.column, 7);
	CHECK_INT(r.npps, 0);
	d2 = facts_digest();
	CHECK_STR(d2, d1);
	CHECK_INT(count("SELECT COUNT(*) FROM imports"), 3);
	free(d1);
	free(d2);
	store_free(s);
	rm_db();
}

TEST(reimport_replaces_and_is_idempotent)
{
	struct store *s;
	struct import_result r;
	struct rb_err err;
	char *d1, *d2;
	int i;

	build_rows();
	reset_files();
	s = fresh();
	CHECK_INT(run_import(&r, s, 2, 3, &err), 0);
	import_result_release(&r);
	d1 = facts_digest();
	CHECK_INT(run_import(&r, s, 2, 3, &err), 0);
	for (i = 0; i < (int)r.npps; i++)
		CHECK_INT(r.pps[i].replaced, 1);
	import_result_release(&r);
	d2 = facts_digest();
	CHECK_STR(d2, d1);
	free(d2);
	/* restating payer 9 alone (file c only, new amount) keeps payer 1 */
	for (i = 0; i < 100; i++)
		rows_c[i].views.unblended = amount("2");
	CHECK_INT(run_import_from(&r, s, 2, 2, 1, &err), 0);
	CHECK_INT(r.npps, 1);
	import_result_release(&r);
	CHECK_INT(count("SELECT COUNT(*) FROM facts WHERE payer = '999999999999' AND unblended = '200.0000000000'"), 1);
	CHECK_INT(count("SELECT SUM(rows) FROM facts WHERE payer = '111111111111'"), 2 * NROWS);
	free(d1);
	store_free(s);
	rm_db();
}

#define MINI_HEADER "bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId," \
	"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost\n"
#define MINI_ROW "1,2026-10-01,2,Usage,2026-10-01,1\n"

/* Imports the real CSV file path with the CUR reader, split into byte
 * ranges of range_bytes when threads > 1. */
static int import_csv(struct import_result *res, struct store *s, const char *path, int threads,
	uint64_t range_bytes, struct rb_err *err)
{
	struct ingest_file f = { (char *)path, (char *)"", 0 };
	struct import_options opt = { 0, threads, "2026-11-26T00:00:00Z", &import_source_cur, 0,
		range_bytes, NULL, NULL, NULL, NULL };
	FILE *fp = fopen(path, "rb");
	if (fp) {
		fseek(fp, 0, SEEK_END);
		f.size = (uint64_t)ftell(fp);
		fclose(fp);
	}
	return import_files(res, s, &f, 1, &opt, err);
}

static char *write_tmp(const char *text)
{
	static char tmp[64];
	int fd;
	FILE *f;
	snprintf(tmp, sizeof(tmp), "/tmp/rebill-split-XXXXXX");
	fd = mkstemp(tmp);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return tmp;
}

/* One big plain CSV read as byte ranges on two threads gives what one
 * reader gives; a range that starts inside a quoted field with line breaks
 * (rows that look valid) makes the import read the file whole, so nothing
 * is counted twice; an error is the one of the whole read. */
TEST(byte_ranges_give_the_same_import)
{
	struct store *s;
	struct import_result r1, r2;
	struct rb_err err;
	char text[8192], *path, *d1, *d2;
	size_t n = 0, i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_HEADER);
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_ROW);
	path = write_tmp(text);
	s = fresh();
	CHECK_INT(import_csv(&r1, s, path, 1, 0, &err), 0);
	d1 = facts_digest();
	store_free(s);
	rm_db();
	s = fresh();
	CHECK_INT(import_csv(&r2, s, path, 2, 100, &err), 0);   /* ~14 ranges, 2 threads */
	d2 = facts_digest();
	CHECK_INT(r2.rows, 40);
	CHECK_INT(r1.rows, 40);
	CHECK(r2.pps[0].unblended == amount("40"));
	CHECK_STR(d2, d1);
	CHECK_INT(count("SELECT SUM(rows) FROM import_files"), 40);
	import_result_release(&r1);
	import_result_release(&r2);
	free(d1);
	free(d2);
	store_free(s);
	rm_db();
	unlink(path);

	/* the middle of the file falls in a quoted field whose lines look like rows */
	n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_HEADER);
	for (i = 0; i < 3; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_ROW);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "1,2026-10-01,2,\"Usage\n");
	for (i = 0; i < 12; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "1,2026-10-01,2,Usage,2026-10-01,100\n");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\",2026-10-01,2\n");
	for (i = 0; i < 3; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_ROW);
	path = write_tmp(text);
	s = fresh();
	CHECK_INT(import_csv(&r2, s, path, 2, n / 2, &err), 0);   /* 2 ranges */
	CHECK_INT(r2.rows, 7);
	CHECK(r2.npps == 1 && r2.pps[0].unblended == amount("8"));
	CHECK_INT(count("SELECT SUM(rows) FROM facts"), 7);
	import_result_release(&r2);
	store_free(s);
	rm_db();
	unlink(path);

	/* a bad row in the second half: the error of the whole read (its line) */
	n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_HEADER);
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", MINI_ROW);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "1,2026-10-01,2,Usage,2026-10-01,x\n");
	path = write_tmp(text);
	s = fresh();
	rb_err_clear(&err);
	CHECK_INT(import_csv(&r2, s, path, 2, 100, &err), RB_EINPUT);
	CHECK_INT(err.line, 32);
	CHECK_INT(count("SELECT COUNT(*) FROM facts"), 0);
	store_free(s);
	rm_db();
	unlink(path);
}

/* The provider of each (payer, period) reaches the imports table, also
 * when facts are spilled and readers run on several threads. */
TEST(the_provider_is_recorded)
{
	struct store *s;
	struct import_result r;
	struct rb_err err;
	int threads;
	size_t i;

	build_rows();
	reset_files();
	for (i = 0; i < 100; i++)
		rows_c[i].provider = rs("Microsoft");
	for (threads = 1; threads <= 6; threads += 5) {
		budget = (size_t)(threads == 6);
		s = fresh();
		CHECK_INT(run_import(&r, s, threads, 3, &err), 0);
		CHECK_INT(count("SELECT COUNT(*) FROM imports WHERE payer = '999999999999'"
			" AND provider = 'Microsoft'"), 1);
		CHECK_INT(count("SELECT COUNT(*) FROM imports WHERE provider = 'Microsoft'"), 1);
		for (i = 0; i < r.npps; i++)
			CHECK_STR(r.pps[i].provider, strcmp(r.pps[i].payer, "999999999999") ? "" : "Microsoft");
		import_result_release(&r);
		store_free(s);
		rm_db();
	}
	/* one billing account, two providers: refused, nothing written */
	rows_c[50].provider = rs("AWS");
	s = fresh();
	rb_err_clear(&err);
	CHECK_INT(run_import(&r, s, 1, 3, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "has provider") != NULL);
	CHECK_INT(count("SELECT COUNT(*) FROM imports"), 0);
	store_free(s);
	rm_db();
	for (i = 0; i < 100; i++)
		rows_c[i].provider = rs("");
	budget = 0;
}

/* A source of ENDLESS_ROWS copies of one row that asks the import to stop
 * (import_options.stop) once it has served STOP_AT rows. */
#define ENDLESS_ROWS 20000000u
#define STOP_AT 1000u
static atomic_int endless_stop;
static atomic_uint endless_served;
static struct cur_row endless_row;

static int endless_open(void **state, const char *path, void *arg, struct rb_err *err)
{
	(void)path; (void)arg; (void)err;
	*state = calloc(1, sizeof(size_t));
	return 0;
}

static int endless_next(void *state, const struct cur_row **row, struct rb_err *err)
{
	size_t *pos = state;
	(void)err;
	if (*pos >= ENDLESS_ROWS)
		return 0;
	if (++*pos == STOP_AT) {
		int expect = IMPORT_RUN;
		atomic_compare_exchange_strong(&endless_stop, &expect, IMPORT_STOP);
	}
	atomic_fetch_add(&endless_served, 1);
	*row = &endless_row;
	return 1;
}

static void endless_stats(void *state, struct cur_reader_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes_in = *(size_t *)state * 100;
	out->file_size = (uint64_t)ENDLESS_ROWS * 100;
	out->rows = *(size_t *)state;
}

static const struct import_source_ops endless_ops = { endless_open, endless_next, endless_stats,
	fake_close, NULL, NULL, NULL };

static void stop_options(struct import_options *opt, int threads,
	const struct import_source_ops *src, atomic_int *stop)
{
	memset(opt, 0, sizeof(*opt));
	opt->threads = threads;
	opt->imported_at = "2026-11-26T00:00:00Z";
	opt->source = src;
	opt->stop = stop;
}

/* import_options.stop (a server shutting down): asked before the COMMIT,
 * the import writes nothing and says so; asked while reading, reading
 * stops early; an import that was not stopped leaves it IMPORT_COMMIT. */
TEST(a_stop_before_the_commit_writes_nothing)
{
	static const struct ingest_file endless_in[1] = { { "endless.csv", "", 0 } };
	struct store *s;
	struct import_result r;
	struct import_options opt;
	struct rb_err err;
	atomic_int stop;
	char *d1, *d2;
	int t;

	build_rows();
	reset_files();
	s = fresh();
	CHECK_INT(run_import_from(&r, s, 2, 2, 1, &err), 0);   /* payer 9 only */
	import_result_release(&r);
	d1 = facts_digest();
	for (t = 1; t <= 2; t++) {
		/* asked before it began (so at the COMMIT at the latest) */
		atomic_init(&stop, IMPORT_STOP);
		stop_options(&opt, t, &fake_ops, &stop);
		rb_err_clear(&err);
		CHECK_INT(import_files(&r, s, inputs, 3, &opt, &err), RB_EIO);
		CHECK(strstr(err.msg, "stopped before its commit") != NULL);
		CHECK(strstr(err.msg, "the database is unchanged") != NULL);
		d2 = facts_digest();
		CHECK_STR(d2, d1);
		free(d2);
		CHECK_INT(count("SELECT COUNT(*) FROM imports"), 1);
		CHECK_INT(count("SELECT COUNT(*) FROM import_notes"), 0);
		CHECK_INT(atomic_load(&stop), IMPORT_STOP);
	}

	/* asked by the source while it is read: reading ends long before the
	 * source does, and nothing is written */
	endless_row = row_make("777777777777", "777777777777", "2026-10-09", "Usage", "Box", "1");
	for (t = 1; t <= 2; t++) {
		atomic_init(&endless_stop, IMPORT_RUN);
		atomic_init(&endless_served, 0);
		stop_options(&opt, t, &endless_ops, &endless_stop);
		rb_err_clear(&err);
		CHECK_INT(import_files(&r, s, endless_in, 1, &opt, &err), RB_EIO);
		CHECK(strstr(err.msg, "stopped before its commit") != NULL);
		CHECK(atomic_load(&endless_served) >= STOP_AT);
		CHECK(atomic_load(&endless_served) < ENDLESS_ROWS);
		d2 = facts_digest();
		CHECK_STR(d2, d1);
		free(d2);
		CHECK_INT(count("SELECT COUNT(*) FROM imports"), 1);
	}

	/* not stopped: it commits, and a later stop finds IMPORT_COMMIT */
	atomic_init(&stop, IMPORT_RUN);
	stop_options(&opt, 2, &fake_ops, &stop);
	CHECK_INT(import_files(&r, s, inputs, 2, &opt, &err), 0);
	import_result_release(&r);
	CHECK_INT(atomic_load(&stop), IMPORT_COMMIT);
	{
		int expect = IMPORT_RUN;
		CHECK(!atomic_compare_exchange_strong(&stop, &expect, IMPORT_STOP));
	}
	CHECK(count("SELECT COUNT(*) FROM imports") > 1);
	free(d1);
	store_free(s);
	rm_db();
}

static const struct check_case cases[] = {
	CASE(threads_give_the_same_facts),
	CASE(reader_and_aggregator_threads_give_the_same_facts),
	CASE(an_overflow_in_the_aggregator_thread_writes_nothing),
	CASE(spilling_gives_the_same_database),
	CASE(a_failing_write_leaves_the_database_as_it_was),
	CASE(an_error_in_any_file_writes_nothing),
	CASE(reimport_replaces_and_is_idempotent),
	CASE(byte_ranges_give_the_same_import),
	CASE(the_provider_is_recorded),
	CASE(a_stop_before_the_commit_writes_nothing),
};

CHECK_MAIN(cases)
