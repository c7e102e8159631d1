/*
 * test_facts.c: store facts on a real SQLite file — a batch replaces a
 * (payer, period) atomically, leaves other payers and periods alone, is
 * idempotent, and a failure anywhere leaves the database byte-for-byte the
 * same; plus the reading queries.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "store/store_facts.h"
#include "store/store_int.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/banned.h"

static char dbpath[64];

static struct store *fresh(void)
{
	struct store *s = NULL;
	struct rb_err err;
	char side[80];
	snprintf(dbpath, sizeof(dbpath), "test-facts-%ld.db", (long)getpid());
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
	rb_err_clear(&err);
	if (store_open(&s, dbpath, &err) < 0)
		printf("  store_open: %s\n", err.msg);
	return s;
}

static void done(struct store *s)
{
	char side[80];
	store_free(s);
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
}

static int per(const char *p)
{
	int v = -1;
	period_parse(&v, p, strlen(p));
	return v;
}

static rb_i128 amt(const char *s)
{
	rb_i128 v = 0;
	dec_parse(&v, s, strlen(s), DEC_SCALE);
	return v;
}

static struct store_fact fact(const char *payer, const char *account, const char *day,
	const char *service, const char *unblended)
{
	struct store_fact f;
	memset(&f, 0, sizeof(f));
	f.period = per("2026-10");
	period_from_date(&f.period, day, strlen(day));
	f.day = day;
	f.fact.payer = payer;
	f.fact.account = account;
	f.fact.line_item_type = "Usage";
	f.fact.cls = CUR_USAGE;
	f.fact.product_code = service;
	f.fact.product_name = service;
	f.fact.usage_type = "BoxUsage";
	f.fact.operation = "RunInstances";
	f.fact.region = "eu-west-1";
	f.fact.owner = "";
	f.fact.rows = 2;
	f.usage_amount = amt("1");
	f.fact.unblended = amt(unblended);
	f.fact.ondemand = amt(unblended);
	f.fact.effective = amt(unblended);
	return f;
}

/* Every row of every facts table, in a fixed order: equal strings mean equal
 * databases (imports included when with_imports). */
static char *digest(struct store *s, int with_imports)
{
	static const char *const queries[] = {
		"SELECT * FROM facts ORDER BY 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18",
		"SELECT * FROM resource_facts ORDER BY 1,2,3,4,5,6,7,8,9,10",
		"SELECT * FROM tagsets ORDER BY 1",
		"SELECT * FROM tagset_items ORDER BY 1,2",
		"SELECT * FROM import_notes ORDER BY 1,2,3,4",
		"SELECT * FROM imports ORDER BY 1",
		"SELECT * FROM import_files ORDER BY 1,2",
	};
	sqlite3 *db;
	struct strbuf sb;
	char *out;
	size_t q;

	strbuf_init(&sb, 1024, 1 << 24);
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		strbuf_addstr(&sb, "OPEN FAILED");
	for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
		sqlite3_stmt *st;
		if (!with_imports && q >= 5)
			break;
		if (sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) != SQLITE_OK) {
			strbuf_addstr(&sb, "PREPARE FAILED");
			continue;
		}
		while (sqlite3_step(st) == SQLITE_ROW) {
			int c;
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				strbuf_addf(&sb, "%s|", t ? (const char *)t : "NULL");
			}
			strbuf_addch(&sb, '\n');
		}
		sqlite3_finalize(st);
		strbuf_addstr(&sb, "--\n");
	}
	sqlite3_close(db);
	(void)s;
	out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);   /* detach leaves sb empty but allocated */
	return out;
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

/* Writes one batch for one (payer, period) holding the given facts. */
static int write_batch(struct store *s, const char *payer, int period,
	const struct store_fact *facts, size_t n, const char *tags, int *replaced,
	struct rb_err *err)
{
	struct store_batch *b = NULL;
	int64_t rows = 0, tagset = 0;
	rb_i128 unbl = 0;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rows += facts[i].fact.rows;
		unbl += facts[i].fact.unblended;
	}
	if ((rc = store_batch_begin(&b, s, "2026-11-26T00:00:00Z", err)) < 0)
		return rc;
	if ((rc = store_batch_replace(b, payer, period, rows, unbl, replaced, err)) < 0)
		goto fail;
	if (tags && (rc = store_batch_tagset(b, &tagset, tags, err)) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct store_fact f = facts[i];
		f.tagset_id = tagset;
		if ((rc = store_batch_fact(b, &f, err)) < 0)
			goto fail;
	}
	if ((rc = store_batch_file(b, payer, period, "cur.csv", 123, "", rows, err)) < 0)
		goto fail;
	return store_batch_commit(b, err);
fail:
	store_batch_abort(b);
	return rc;
}

static void sum_str(char buf[DEC_BUFSZ], rb_i128 v)
{
	dec_format(buf, DEC_BUFSZ, v, DEC_SCALE, DEC_SCALE);
}

static rb_i128 total_unblended(struct store *s, int period)
{
	struct store_group *g = NULL;
	size_t n = 0, i;
	rb_i128 t = 0;
	struct rb_err err;
	if (store_summary(&g, &n, s, period, STORE_BY_PAYER, NULL, &err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		t += g[i].sum.unblended;
	store_groups_free(g, n);
	return t;
}

TEST(replace_on_reimport)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[2] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1.5"),
		fact("111111111111", "222222222222", "2026-10-02", "AmazonEC2", "2.25") };
	struct store_fact b[1] = { fact("111111111111", "333333333333", "2026-10-03", "AmazonS3", "0.0000000001") };
	char buf[DEC_BUFSZ];
	int replaced = -1;

	CHECK(s != NULL);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 2, NULL, &replaced, &err), 0);
	CHECK_INT(replaced, 0);
	sum_str(buf, total_unblended(s, per("2026-10")));
	CHECK_STR(buf, "3.7500000000");
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), b, 1, NULL, &replaced, &err), 0);
	CHECK_INT(replaced, 1);
	sum_str(buf, total_unblended(s, per("2026-10")));
	CHECK_STR(buf, "0.0000000001");
	done(s);
}

TEST(two_payers_and_periods_side_by_side)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "10") };
	struct store_fact b[1] = { fact("999999999999", "888888888888", "2026-10-01", "AmazonEC2", "5") };
	struct store_fact c[1] = { fact("111111111111", "222222222222", "2026-09-30", "AmazonEC2", "7") };
	struct store_fact a2[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1") };
	struct store_group *g = NULL;
	struct store_period_info *p = NULL;
	size_t n = 0;
	char buf[DEC_BUFSZ];

	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 1, NULL, NULL, &err), 0);
	CHECK_INT(write_batch(s, "999999999999", per("2026-10"), b, 1, NULL, NULL, &err), 0);
	CHECK_INT(write_batch(s, "111111111111", per("2026-09"), c, 1, NULL, NULL, &err), 0);
	/* restating payer 1's October leaves payer 9 and September alone */
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a2, 1, NULL, NULL, &err), 0);
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_PAYER, NULL, &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(g[0].key, "111111111111");
		sum_str(buf, g[0].sum.unblended);
		CHECK_STR(buf, "1.0000000000");
		CHECK_STR(g[1].key, "999999999999");
		sum_str(buf, g[1].sum.unblended);
		CHECK_STR(buf, "5.0000000000");
		CHECK_INT(g[1].sum.rows, 2);
	}
	store_groups_free(g, n);
	CHECK_INT(store_periods(&p, &n, s, &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(p[0].period, per("2026-09"));
		CHECK_INT(p[1].period, per("2026-10"));
		CHECK_INT(p[1].payers, 2);
		CHECK_INT(p[1].accounts, 2);
		sum_str(buf, p[0].sum.unblended);
		CHECK_STR(buf, "7.0000000000");
	}
	free(p);
	done(s);
}

/* By payer, the facts are read in account order: an account billed by two
 * payers in one period interleaves them (A under 9, A under 5, B under 9,
 * C under 5), and every payer's rows still add up to its own sum; amounts
 * past 10^8 (stored with a high part) are summed exactly. Expected sums by
 * hand: payer 5: 2 + 0.25 + 300000000.5 = 300000002.75, rows 3 x 2;
 * payer 9: 1 + 100000000000.125 = 100000000001.125, rows 2 x 2. */
TEST(by_payer_sums_interleaved_payers)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact p9[2] = { fact("999999999999", "300000000001", "2026-10-01", "AmazonEC2", "1"),
		fact("999999999999", "300000000002", "2026-10-02", "AmazonS3", "100000000000.125") };
	struct store_fact p5[3] = { fact("555555555555", "300000000001", "2026-10-01", "AmazonEC2", "2"),
		fact("555555555555", "300000000001", "2026-10-03", "AmazonEC2", "0.25"),
		fact("555555555555", "300000000003", "2026-10-02", "AWSLambda", "300000000.5") };
	struct store_group *g = NULL;
	size_t n = 0;
	char buf[DEC_BUFSZ];

	CHECK_INT(write_batch(s, "999999999999", per("2026-10"), p9, 2, NULL, NULL, &err), 0);
	CHECK_INT(write_batch(s, "555555555555", per("2026-10"), p5, 3, NULL, NULL, &err), 0);
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_PAYER, NULL, &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(g[0].key, "555555555555");
		CHECK_STR(g[0].name, "");
		CHECK_STR(g[0].currency, "USD");
		CHECK_INT(g[0].sum.rows, 6);
		sum_str(buf, g[0].sum.unblended);
		CHECK_STR(buf, "300000002.7500000000");
		sum_str(buf, g[0].sum.effective);
		CHECK_STR(buf, "300000002.7500000000");
		CHECK_STR(g[1].key, "999999999999");
		CHECK_INT(g[1].sum.rows, 4);
		sum_str(buf, g[1].sum.ondemand);
		CHECK_STR(buf, "100000000001.1250000000");
	}
	store_groups_free(g, n);
	/* a period without facts has no groups */
	CHECK_INT(store_summary(&g, &n, s, per("2026-09"), STORE_BY_PAYER, NULL, &err), 0);
	CHECK_INT(n, 0);
	store_groups_free(g, n);
	done(s);
}

/* The period list: one seek a period, oldest first, only .period set. */
TEST(period_list_is_every_period_with_facts)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1") };
	struct store_fact b[1] = { fact("111111111111", "222222222222", "2025-12-31", "AmazonEC2", "2") };
	struct store_fact c[1] = { fact("999999999999", "888888888888", "2026-09-15", "AmazonS3", "3") };
	struct store_period_info *p = NULL;
	size_t n = 7;

	CHECK_INT(store_period_list(&p, &n, s, &err), 0);
	CHECK_INT(n, 0);
	free(p);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 1, NULL, NULL, &err), 0);
	CHECK_INT(write_batch(s, "111111111111", per("2025-12"), b, 1, NULL, NULL, &err), 0);
	CHECK_INT(write_batch(s, "999999999999", per("2026-09"), c, 1, NULL, NULL, &err), 0);
	CHECK_INT(store_period_list(&p, &n, s, &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(p[0].period, per("2025-12"));
		CHECK_INT(p[1].period, per("2026-09"));
		CHECK_INT(p[2].period, per("2026-10"));
		CHECK_INT(p[2].sum.rows, 0);
	}
	free(p);
	done(s);
}

TEST(idempotent_reimport)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[3] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1.5"),
		fact("111111111111", "222222222222", "2026-10-02", "AmazonEC2", "2.25"),
		fact("111111111111", "444444444444", "2026-10-02", "AWSLambda", "-0.5") };
	char *d1, *d2;

	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 3, "user:Env\x1fprod", NULL, &err), 0);
	d1 = digest(s, 0);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 3, "user:Env\x1fprod", NULL, &err), 0);
	d2 = digest(s, 0);
	CHECK_STR(d2, d1);
	CHECK(strstr(d1, "user:Env|prod|") != NULL);
	free(d1);
	free(d2);
	done(s);
}

static void rollback_case(const char *trigger, const struct store_fact *facts, size_t n)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "10") };
	char *before, *after;
	int rc;

	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 1, "k\x1fv", NULL, &err), 0);
	CHECK_INT(exec_sql(trigger), 0);
	before = digest(s, 1);
	rc = write_batch(s, "111111111111", per("2026-10"), facts, n, "k\x1fw", NULL, &err);
	CHECK_INT(rc, RB_EIO);
	CHECK(strstr(err.msg, "injected") != NULL);
	after = digest(s, 1);
	CHECK_STR(after, before);
	/* the store is still usable after the rollback */
	CHECK_INT(exec_sql("DROP TRIGGER inj"), 0);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 1, NULL, NULL, &err), 0);
	free(before);
	free(after);
	done(s);
}

TEST(rollback_on_failing_fact_insert)
{
	struct store_fact many[200];
	size_t i;
	char days[200][11];
	for (i = 0; i < 200; i++) {
		snprintf(days[i], sizeof(days[i]), "2026-10-%02d", (int)(i % 28) + 1);
		many[i] = fact("111111111111", i == 150 ? "666666666666" : "222222222222", days[i],
			"AmazonEC2", "1");
		many[i].fact.usage_type = i % 2 ? "A" : "B";
	}
	/* fails in the middle of the multi-row inserts, after the delete */
	/* (facts is a view since schema v10: the trigger sits on the table) */
	rollback_case("CREATE TRIGGER inj BEFORE INSERT ON fact_rows WHEN NEW.account_id ="
		" (SELECT id FROM fact_accounts WHERE account = '666666666666')"
		" BEGIN SELECT RAISE(ABORT, 'injected'); END;", many, 200);
}

TEST(rollback_on_failing_file_record)
{
	struct store_fact a[1] = { fact("111111111111", "222222222222", "2026-10-05", "AmazonS3", "3") };
	rollback_case("CREATE TRIGGER inj BEFORE INSERT ON import_files"
		" BEGIN SELECT RAISE(ABORT, 'injected'); END;", a, 1);
}

TEST(undeclared_pair_is_refused)
{
	struct store *s = fresh();
	struct store_batch *b = NULL;
	struct rb_err err;
	struct store_fact f = fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1");
	char *before = digest(s, 1), *after;

	CHECK_INT(store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err), 0);
	CHECK_INT(store_batch_replace(b, "999999999999", per("2026-10"), 1, 0, NULL, &err), 0);
	CHECK_INT(store_batch_fact(b, &f, &err), RB_EIO);
	CHECK(strstr(err.msg, "not declared") != NULL);
	CHECK_INT(store_batch_replace(b, "999999999999", per("2026-10"), 1, 0, NULL, &err), RB_EIO);
	store_batch_abort(b);
	after = digest(s, 1);
	CHECK_STR(after, before);
	free(before);
	free(after);
	done(s);
}

static int pragma_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(store_db_int(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int foreign_keys_on(struct store *s)
{
	return pragma_int(s, "PRAGMA foreign_keys");
}

/* The batch checks facts' tag set references itself (SQLite's foreign keys
 * are off while it writes): an unknown id is refused, and foreign keys are on
 * again after an abort and after a commit. */
TEST(unknown_tagset_is_refused)
{
	struct store *s = fresh();
	struct store_batch *b = NULL;
	struct rb_err err;
	struct store_fact f = fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1");
	char *before = digest(s, 1), *after;
	int64_t id = -1;

	CHECK_INT(pragma_int(s, "PRAGMA page_size"), 65536);   /* a new database */
	CHECK_INT(pragma_int(s, "PRAGMA temp.page_size"), 4096);
	CHECK_INT(foreign_keys_on(s), 1);
	CHECK_INT(store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err), 0);
	CHECK_INT(store_batch_replace(b, "111111111111", per("2026-10"), 1, 0, NULL, &err), 0);
	CHECK_INT(store_batch_tagset(b, &id, "k\x1fv", &err), 0);
	CHECK_INT(id, 1);
	f.tagset_id = 2;
	CHECK_INT(store_batch_fact(b, &f, &err), RB_EIO);
	CHECK(strstr(err.msg, "tag set 2") != NULL);
	f.tagset_id = -1;
	CHECK_INT(store_batch_fact(b, &f, &err), RB_EIO);
	store_batch_abort(b);
	after = digest(s, 1);
	CHECK_STR(after, before);
	CHECK_INT(foreign_keys_on(s), 1);
	CHECK_INT(store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err), 0);
	CHECK_INT(store_batch_replace(b, "111111111111", per("2026-10"), 1, 0, NULL, &err), 0);
	CHECK_INT(store_batch_tagset(b, &id, "k\x1fv", &err), 0);
	f.tagset_id = id;
	CHECK_INT(store_batch_fact(b, &f, &err), 0);
	f.tagset_id = 0;
	f.day = "2026-10-02";
	CHECK_INT(store_batch_fact(b, &f, &err), 0);
	CHECK_INT(store_batch_commit(b, &err), 0);
	CHECK_INT(foreign_keys_on(s), 1);
	free(before);
	free(after);
	done(s);
}

TEST(tagsets_interned_and_summary_by_tag)
{
	struct store *s = fresh();
	struct store_batch *b = NULL;
	struct rb_err err;
	struct store_fact f1 = fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1");
	struct store_fact f2 = fact("111111111111", "222222222222", "2026-10-02", "AmazonEC2", "2");
	struct store_fact f3 = fact("111111111111", "222222222222", "2026-10-03", "AmazonEC2", "4");
	struct store_group *g = NULL;
	int64_t t1 = -1, t2 = -1, t3 = -1, t0 = -1;
	size_t n = 0;

	CHECK_INT(store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err), 0);
	CHECK_INT(store_batch_replace(b, "111111111111", per("2026-10"), 6, 0, NULL, &err), 0);
	CHECK_INT(store_batch_tagset(b, &t1, "user:Env\x1fprod\x1euser:Team\x1f" "a", &err), 0);
	CHECK_INT(store_batch_tagset(b, &t2, "user:Env\x1fprod\x1euser:Team\x1f" "a", &err), 0);
	CHECK_INT(store_batch_tagset(b, &t3, "user:Team\x1f" "b", &err), 0);
	CHECK_INT(store_batch_tagset(b, &t0, "", &err), 0);
	CHECK(t1 > 0);
	CHECK_INT(t2, t1);
	CHECK(t3 > 0 && t3 != t1);
	CHECK_INT(t0, 0);
	CHECK_INT(store_batch_tagset(b, &t0, "b\x1fx\x1e" "a\x1fy", &err), RB_EINPUT);
	CHECK_INT(store_batch_tagset(b, &t0, "novalue", &err), RB_EINPUT);
	f1.tagset_id = t1;
	f2.tagset_id = t3;
	CHECK_INT(store_batch_fact(b, &f1, &err), 0);
	CHECK_INT(store_batch_fact(b, &f2, &err), 0);
	CHECK_INT(store_batch_fact(b, &f3, &err), 0);
	CHECK_INT(store_batch_commit(b, &err), 0);

	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_TAG, "user:Team", &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(g[0].key, "");
		CHECK(g[0].sum.unblended == amt("4"));
		CHECK_STR(g[1].key, "a");
		CHECK(g[1].sum.unblended == amt("1"));
		CHECK_STR(g[2].key, "b");
		CHECK(g[2].sum.unblended == amt("2"));
	}
	store_groups_free(g, n);
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_TAG, "user:Env", &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(g[0].key, "");
		CHECK(g[0].sum.unblended == amt("6"));
	}
	store_groups_free(g, n);
	done(s);
}

struct each_ctx {
	int n;
	rb_i128 sum;
	int saw_tags;
};

static int each_cb(void *ctx, const struct store_fact *f)
{
	struct each_ctx *c = ctx;
	c->n++;
	c->sum += f->fact.unblended;
	if (!strcmp(f->tags, "k\x1fv") && f->fact.cls == CUR_USAGE && !strcmp(f->fact.region, "eu-west-1"))
		c->saw_tags++;
	return 0;
}

TEST(facts_each_and_groupings)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[3] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "1.1"),
		fact("111111111111", "333333333333", "2026-10-02", "AmazonS3", "2.2"),
		fact("111111111111", "222222222222", "2026-10-02", "AmazonS3", "3.3") };
	struct each_ctx c = { 0, 0, 0 };
	struct store_group *g = NULL;
	struct store_account_info *acc = NULL;
	size_t n = 0;

	a[1].fact.product_name = "Amazon Simple Storage Service";
	a[2].fact.product_name = "Amazon Simple Storage Service";
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 3, "k\x1fv", NULL, &err), 0);
	CHECK_INT(store_facts_each(s, per("2026-10"), each_cb, &c, &err), 0);
	CHECK_INT(c.n, 3);
	CHECK_INT(c.saw_tags, 3);
	CHECK(c.sum == amt("6.6"));
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_SERVICE, NULL, &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(g[1].key, "AmazonS3");
		CHECK_STR(g[1].name, "Amazon Simple Storage Service");
		CHECK(g[1].sum.unblended == amt("5.5"));
	}
	store_groups_free(g, n);
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_DAY, NULL, &err), 0);
	CHECK_INT(n, 2);
	store_groups_free(g, n);
	CHECK_INT(store_summary(&g, &n, s, per("2026-10"), STORE_BY_CLASS, NULL, &err), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(g[0].key, "usage");
		CHECK(g[0].sum.unblended == amt("6.6"));
	}
	store_groups_free(g, n);
	CHECK_INT(store_summary(&g, &n, s, per("2026-11"), STORE_BY_DAY, NULL, &err), 0);
	CHECK_INT(n, 0);
	store_groups_free(g, n);
	CHECK_INT(store_accounts(&acc, &n, s, per("2026-10"), &err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(acc[0].account, "222222222222");
		CHECK(acc[0].sum.unblended == amt("4.4"));
		CHECK_INT(acc[0].sum.rows, 4);
	}
	store_accounts_free(acc, n);
	CHECK_INT(store_accounts(&acc, &n, s, -1, &err), 0);
	CHECK_INT(n, 2);
	store_accounts_free(acc, n);
	done(s);
}

/* ---- schema v10: facts written in the old TEXT layout, upgraded ---- */

static int collect_fact(void *ctx, const struct store_fact *f)
{
	struct strbuf *sb = ctx;
	char a[4][DEC_BUFSZ];
	dec_format(a[0], DEC_BUFSZ, f->usage_amount, DEC_SCALE, DEC_SCALE);
	dec_format(a[1], DEC_BUFSZ, f->fact.unblended, DEC_SCALE, DEC_SCALE);
	dec_format(a[2], DEC_BUFSZ, f->fact.ondemand, DEC_SCALE, DEC_SCALE);
	dec_format(a[3], DEC_BUFSZ, f->fact.effective, DEC_SCALE, DEC_SCALE);
	strbuf_addf(sb, "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld|%s|%ld|%s|%s|%s|%s\n", f->day,
		f->fact.payer, f->fact.account, f->fact.line_item_type, cur_class_name(f->fact.cls),
		f->fact.product_code, f->fact.product_name, f->fact.usage_type, f->fact.operation,
		f->fact.region, f->fact.owner, (long long)f->tagset_id, f->tags, f->fact.rows, a[0],
		a[1], a[2], a[3]);
	return 0;
}

static char *query_rows(const char *sql)
{
	struct strbuf sb;
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out;
	strbuf_init(&sb, 1024, 1 << 24);
	if (sqlite3_open(dbpath, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int c;
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);
				strbuf_addf(&sb, "%s%s", c ? "|" : "", t ? (const char *)t : "");
			}
			strbuf_addf(&sb, "\n");
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	return out;
}

/* A database of schema v9 (made here with the migrations up to 9, then
 * facts written by SQL in their TEXT layout) upgraded by store_open: every
 * fact reads back identical — the amounts chosen at the edges of the stored
 * pair: one below 10^8 USD in one integer, a usage of 1.2e11 (units 1.2e21:
 * needs the hi part), the smallest negative, a negative needing hi, 10
 * decimals everywhere. Expected values are the inserted text itself. */
TEST(upgrade_from_text_layout_reads_back_identical)
{
	static const char old_facts[] =
		"INSERT INTO tagsets (id, canon) VALUES (1, 'team\x1fweb');"
		"INSERT INTO tagset_items VALUES (1, 'team', 'web');"
		"INSERT INTO facts VALUES"
		" ('2026-10', '2026-10-03', '900000000001', '111111111111', 'Usage', 'usage',"
		"  'AmazonS3', 'Amazon S3', 'Requests-Tier1', 'PutObject', 'eu-west-1', '', 1, 7,"
		"  '123456789012.3456789012', '-0.0000000001', '0.1234567891', '99999999.9999999999'),"
		" ('2026-10', '2026-10-01', '900000000001', '222222222222', 'Credit', 'credit',"
		"  'AmazonEC2', 'Amazon EC2', 'BoxUsage', 'RunInstances', 'us-east-1', '', 0, 1,"
		"  '0.0000000000', '-12345678901.0000000001', '0.0000000000', '-12345678901.0000000001'),"
		" ('2026-10', '2026-10-01', '900000000001', '222222222222', 'SavingsPlanCoveredUsage',"
		"  'commitment', 'AmazonEC2', 'Amazon EC2', 'BoxUsage', 'RunInstances', 'us-east-1',"
		"  '900000000001', 0, 2, '24.0000000000', '1.5000000000', '2.2500000000', '0.7500000000');"
		"INSERT INTO resource_facts VALUES ('2026-10', '900000000001', '111111111111',"
		" 'arn:aws:s3:::b', 'AmazonS3', 7, '123456789012.3456789012', '-0.0000000001',"
		" '0.1234567891', '99999999.9999999999');";
	const char *want_each =
		"2026-10-03|900000000001|111111111111|Usage|usage|AmazonS3|Amazon S3|Requests-Tier1|"
		"PutObject|eu-west-1||1|team\x1fweb|7|123456789012.3456789012|-0.0000000001|"
		"0.1234567891|99999999.9999999999\n"
		"2026-10-01|900000000001|222222222222|Credit|credit|AmazonEC2|Amazon EC2|BoxUsage|"
		"RunInstances|us-east-1||0||1|0.0000000000|-12345678901.0000000001|0.0000000000|"
		"-12345678901.0000000001\n"
		"2026-10-01|900000000001|222222222222|SavingsPlanCoveredUsage|commitment|AmazonEC2|"
		"Amazon EC2|BoxUsage|RunInstances|us-east-1|900000000001|0||2|24.0000000000|"
		"1.5000000000|2.2500000000|0.7500000000\n";
	const char *q_facts = "SELECT * FROM facts ORDER BY 1,2,3,4,5,6,7,8,9,10,11,12,13";
	const char *q_res = "SELECT * FROM resource_facts ORDER BY 1,2,3,4,5";
	struct store *s = NULL;
	struct store_period_info *pi = NULL;
	struct rb_err err;
	struct strbuf sb;
	char *before_f, *before_r, *after_f, *after_r, *got;
	sqlite3 *db;
	size_t i, n = 0;
	int ok = 1;

	s = fresh();     /* names dbpath; the file is made again below */
	store_free(s);
	unlink(dbpath);
	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		ok = 0;
	for (i = 0; ok && i < store_nmigrations && store_migrations[i].version <= 9; i++)
		ok = sqlite3_exec(db, store_migrations[i].sql, NULL, NULL, NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL, NULL) == SQLITE_OK &&
		sqlite3_exec(db, old_facts, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	CHECK(ok);
	before_f = query_rows(q_facts);
	before_r = query_rows(q_res);
	CHECK(strstr(before_f, "123456789012.3456789012") != NULL);
	rb_err_clear(&err);
	CHECK_INT(store_open(&s, dbpath, &err), 0);
	after_f = query_rows(q_facts);
	after_r = query_rows(q_res);
	CHECK_STR(after_f, before_f);
	CHECK_STR(after_r, before_r);
	strbuf_init(&sb, 1024, 1 << 24);
	CHECK_INT(store_facts_each(s, per("2026-10"), collect_fact, &sb, &err), 0);
	got = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);
	CHECK_STR(got, want_each);
	/* the SQL sums of the pairs: -0.0000000001 - 12345678901.0000000001 + 1.5 */
	CHECK_INT(store_periods(&pi, &n, s, &err), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK(pi[0].sum.unblended == amt("-12345678899.5000000002"));
		CHECK(pi[0].sum.effective == amt("-12245678900.2500000002"));
		CHECK_INT(pi[0].sum.rows, 10);
		CHECK_INT(pi[0].accounts, 2);
	}
	free(pi);
	free(before_f);
	free(before_r);
	free(after_f);
	free(after_r);
	free(got);
	done(s);
}

/* An amount past what the stored pair holds (hi * 10^18 + lo units of
 * 10^-10 with hi in 64 bits: ~9.2e26 USD) is refused with RB_EINPUT naming
 * the fact, and the database stays as it was; 9.2e26 itself (hi just in
 * range) is stored and read back exactly. */
TEST(amount_too_large_for_the_store_is_refused)
{
	struct store *s = fresh();
	struct rb_err err;
	struct store_fact a[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2", "10") };
	struct store_fact big[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2",
		"9300000000000000000000000000") };
	struct store_fact edge[1] = { fact("111111111111", "222222222222", "2026-10-01", "AmazonEC2",
		"920000000000000000000000000.0000000001") };
	char *before, *after;

	rb_err_clear(&err);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), a, 1, NULL, NULL, &err), 0);
	before = digest(s, 1);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), big, 1, NULL, NULL, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "too large to store exactly") != NULL);
	CHECK(strstr(err.msg, "account 222222222222") != NULL);
	after = digest(s, 1);
	CHECK_STR(after, before);
	free(after);
	CHECK_INT(write_batch(s, "111111111111", per("2026-10"), edge, 1, NULL, NULL, &err), 0);
	CHECK(total_unblended(s, per("2026-10")) == amt("920000000000000000000000000.0000000001"));
	free(before);
	done(s);
}

static const struct check_case cases[] = {
	CASE(replace_on_reimport),
	CASE(two_payers_and_periods_side_by_side),
	CASE(by_payer_sums_interleaved_payers),
	CASE(period_list_is_every_period_with_facts),
	CASE(idempotent_reimport),
	CASE(rollback_on_failing_fact_insert),
	CASE(rollback_on_failing_file_record),
	CASE(undeclared_pair_is_refused),
	CASE(unknown_tagset_is_refused),
	CASE(tagsets_interned_and_summary_by_tag),
	CASE(facts_each_and_groupings),
	CASE(upgrade_from_text_layout_reads_back_identical),
	CASE(amount_too_large_for_the_store_is_refused),
};

CHECK_MAIN(cases)
