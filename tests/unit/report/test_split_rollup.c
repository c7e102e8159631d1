/*
 * test_split_rollup.c: spec §9 and the billing rollup — it keeps the tag
 * dimension of split accounts, and stays right while the configuration
 * changes which accounts are split (or by which key), a month is restated
 * (re-imported with other tags) and a period is deleted. The reference is
 * an independent path: every fact read with its whole tag set
 * (store_facts_each), its holder resolved from the tag value, summed here
 * by (holder, account) and, unassigned, by (account, tag value); the
 * aggregates the reports rate (report_collect, from the rollup or the
 * facts) must give exactly the same sums.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "report/report_int.h"
#include "store/store_config.h"
#include "store/store_facts.h"
#include "store/store_period.h"
#include "store/store_scan.h"
#include "util/hmap.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/banned.h"

static char dbpath[64], cfgpath[64];

static void unlink_db(void)
{
	char side[80];
	unlink(dbpath);
	snprintf(side, sizeof(side), "%s-wal", dbpath);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", dbpath);
	unlink(side);
	unlink(cfgpath);
}

static struct store *fresh(void)
{
	struct store *s = NULL;
	struct rb_err err;
	snprintf(dbpath, sizeof(dbpath), "test-split-%ld.db", (long)getpid());
	snprintf(cfgpath, sizeof(cfgpath), "test-split-%ld.json", (long)getpid());
	unlink_db();
	rb_err_clear(&err);
	if (store_open(&s, dbpath, &err) < 0)
		printf("  store_open: %s\n", err.msg);
	return s;
}

static int per(const char *p)
{
	int v = -1;
	period_parse(&v, p, strlen(p));
	return v;
}

static int apply_config(struct store *s, const char *json)
{
	struct config_result r;
	struct rb_err err;
	FILE *f = fopen(cfgpath, "w");
	int rc;
	if (!f)
		return -1;
	fputs(json, f);
	fclose(f);
	config_result_init(&r);
	rb_err_clear(&err);
	rc = store_config_apply_file(s, cfgpath, STORE_APPLY_REPLACE, &r, &err);
	if (rc < 0) {
		size_t i;
		printf("  config: %s\n", err.msg);
		for (i = 0; i < r.nproblems; i++)
			printf("  %s: %s\n", r.problems[i].path, r.problems[i].msg);
	}
	config_result_release(&r);
	return rc;
}

#define PAYER "900000000000"
#define NACCT 6

/* Tag sets (canon: keys sorted, "k\x1fv" joined by "\x1e"). */
static const char *const canons[] = {
	"", "team\x1f" "a", "team\x1f" "b", "env\x1fprod", "env\x1fprod\x1eteam\x1f" "a",
	"env\x1f" "dev\x1eteam\x1f" "c",
};
#define NCANON (sizeof(canons) / sizeof(canons[0]))

/* One import of 2026-10 for PAYER: accounts 1000000000{00..05}, 3 days,
 * every tag set, two usage types; variant 1 is a restatement that gives
 * each fact another tag set (and so moves rows between holders). */
static int import_month(struct store *s, unsigned variant)
{
	static char accts[NACCT][13], days[3][11];
	struct store_batch *b = NULL;
	struct rb_err err;
	int64_t ids[NCANON], rows = 0;
	rb_i128 total = 0;
	unsigned a, d, t, u;
	int rc;

	rb_err_clear(&err);
	if ((rc = store_batch_begin(&b, s, "2026-11-26T00:00:00Z", &err)) < 0)
		goto fail;
	for (t = 0; t < NCANON; t++)
		if ((rc = store_batch_tagset(b, &ids[t], canons[t], &err)) < 0)
			goto fail;
	/* the totals first: the import declares what it counted */
	for (a = 0; a < NACCT; a++)
		for (d = 0; d < 3; d++)
			for (t = 0; t < NCANON; t++)
				for (u = 0; u < 2; u++) {
					rows++;
					total += (rb_i128)(1 + a * 1000 + d * 100 + t * 10 + u) * 1000000;
				}
	if ((rc = store_batch_replace(b, PAYER, per("2026-10"), rows, total, NULL, &err)) < 0)
		goto fail;
	for (a = 0; a < NACCT; a++) {
		snprintf(accts[a], sizeof(accts[a]), "1000000000%02u", a);
		for (d = 0; d < 3; d++) {
			snprintf(days[d], sizeof(days[d]), "2026-10-%02u", d + 1);
			for (t = 0; t < NCANON; t++)
				for (u = 0; u < 2; u++) {
					struct store_fact f;
					memset(&f, 0, sizeof(f));
					f.period = per("2026-10");
					f.day = days[d];
					f.fact.payer = PAYER;
					f.fact.account = accts[a];
					f.fact.line_item_type = "Usage";
					f.fact.cls = cur_classify("Usage", 5, 0);
					f.fact.product_code = "AmazonEC2";
					f.fact.product_name = "Amazon Elastic Compute Cloud";
					f.fact.usage_type = u ? "BoxUsage:m5.large" : "EBS:VolumeUsage";
					f.fact.operation = "RunInstances";
					f.fact.region = "us-east-1";
					f.fact.owner = "";
					f.fact.rows = 1;
					f.fact.unblended = (rb_i128)(1 + a * 1000 + d * 100 + t * 10 + u) * 1000000;
					f.fact.ondemand = f.fact.effective = f.fact.unblended;
					f.tagset_id = ids[(t + variant * (a + d + 1)) % NCANON];
					if ((rc = store_batch_fact(b, &f, &err)) < 0)
						goto fail;
				}
		}
	}
	if ((rc = store_batch_commit(b, &err)) < 0) {
		b = NULL;
		goto fail;
	}
	return 0;
fail:
	printf("  import: %s\n", err.msg);
	store_batch_abort(b);
	return rc;
}

/* ---- sums by (holder, account[, unassigned tag value]) ---- */

struct sums {
	struct hmap *m;
	long rows[512];
	rb_i128 unblended[512];
	int overflow;
};

static void sums_add(struct sums *t, size_t ci, const char *account, const char *value,
	long rows, rb_i128 unblended)
{
	struct strbuf k;
	size_t i;

	strbuf_init(&k, 64, 4096);
	strbuf_addf(&k, "%zd|%s|%s", ci == REPORT_NOBODY ? (ssize_t)-1 : (ssize_t)ci, account,
		value ? value : "(not split)");
	i = hmap_put(t->m, k.buf, k.len, NULL);
	strbuf_release(&k);
	if (i >= 512) {
		t->overflow = 1;
		return;
	}
	t->rows[i] += rows;
	t->unblended[i] += unblended;
}

struct ref {
	const struct report_cfg *rc;
	struct sums *t;
};

/* The reference: a fact with its whole tag set; an unassigned fact of a
 * split account is told apart by its value of the split key. */
static int ref_one(void *arg, const struct store_fact *sf, const struct cur_fact *f, size_t ci)
{
	struct ref *r = arg;
	const char *key = config_period_split_key(r->rc->cfg, f->account);
	char v[64] = "";

	if (ci == REPORT_NOBODY && key) {
		size_t len = 0;
		const char *p = report_tag_value(sf->tags, key, strlen(key), &len);
		snprintf(v, sizeof(v), "%.*s", (int)len, p);
	}
	sums_add(r->t, ci, f->account, ci == REPORT_NOBODY && key ? v : NULL, f->rows, f->unblended);
	return 0;
}

/* Compares report_collect's aggregates (read as the snapshot reads) with
 * the reference, in one snapshot; want_rollup: whether it reads the
 * rollup. */
static int agree(struct store *s, unsigned flags, int want_rollup)
{
	struct sums want, got;
	struct report_cfg rc;
	struct report_agg agg;
	struct ref r;
	struct rb_err err;
	size_t i, n;
	int ok = 1;

	memset(&want, 0, sizeof(want));
	memset(&got, 0, sizeof(got));
	want.m = hmap_new();
	got.m = hmap_new();
	rb_err_clear(&err);
	if (report_cfg_load(&rc, s, per("2026-10"), flags, &err) < 0) {
		printf("  load: %s\n", err.msg);
		return 0;
	}
	if (store_snapshot_rollup(rc.snap) != want_rollup) {
		printf("  rollup read: %d, want %d\n", store_snapshot_rollup(rc.snap), want_rollup);
		ok = 0;
	}
	r.rc = &rc;
	r.t = &want;
	if (report_walk(s, &rc, 1, ref_one, &r, &err) < 0 ||
	    report_collect(&agg, s, &rc, REPORT_NOBODY, 2, &err) < 0) {
		printf("  read: %s\n", err.msg);
		report_cfg_release(&rc);
		return 0;
	}
	for (i = 0; i < agg.s.n; i++)
		sums_add(&got, agg.ci[i], agg.s.facts[i].account, agg.split[i], agg.s.facts[i].rows,
			agg.s.facts[i].unblended);
	n = hmap_count(want.m);
	if (want.overflow || got.overflow || n != hmap_count(got.m) || n < 6) {
		printf("  %zu sums, want %zu\n", hmap_count(got.m), n);
		ok = 0;
	}
	for (i = 0; ok && i < n; i++) {
		size_t len, j;
		const char *key = hmap_key(want.m, i, &len);
		j = hmap_find(got.m, key, len);
		if (j == HMAP_NONE || got.rows[j] != want.rows[i] ||
		    got.unblended[j] != want.unblended[i]) {
			printf("  %.*s differs\n", (int)len, key);
			ok = 0;
		}
	}
	report_agg_release(&agg);
	report_cfg_release(&rc);
	hmap_free(want.m);
	hmap_free(got.m);
	return ok;
}

/* The rollup's record of its split accounts for 2026-10,
 * "ACCOUNT=KEY,...", and how many of its rows carry a tag value. */
static void recorded(char *out, size_t size, long *tagged)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0;

	out[0] = '\0';
	*tagged = -1;
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT account, tag FROM bill_rollup_splits WHERE period ="
			" '2026-10' ORDER BY account", -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s=%s", len ? "," : "",
				(const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT count(split_value) FROM bill_rollup WHERE period ="
			" '2026-10'", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		*tagged = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
out:
	sqlite3_close(db);
}

#define PLAN "\"plans\":[{\"id\":\"p\",\"basis\":\"unblended\"}],"
#define CUST(id, accts) "{\"id\":\"" id "\",\"name\":\"" id "\",\"currency\":\"USD\",\"plan\":\"p\"," \
	"\"accounts\":[" accts "]}"
#define PLAIN(a) "{\"id\":\"1000000000" a "\"}"
#define SPLIT(a, k, v) "{\"id\":\"1000000000" a "\",\"split\":{\"tag\":\"" k "\",\"value\":\"" v "\"}}"

/* 01 split by team (a, b; the rest plain), 03 by env (prod only: the rest
 * unassigned), 05 held by nobody. */
static const char config_a[] = "{" PLAN "\"customers\":["
	CUST("c0", SPLIT("01", "team", "a") "," PLAIN("00")) ","
	CUST("c1", SPLIT("01", "team", "b") "," SPLIT("03", "env", "prod")) ","
	CUST("c2", PLAIN("01") "," PLAIN("02")) ","
	CUST("c3", PLAIN("04")) "]}";
/* 01 now split by env, 02 newly split by team, 03 held whole. */
static const char config_b[] = "{" PLAN "\"customers\":["
	CUST("c0", SPLIT("01", "env", "prod") "," PLAIN("00")) ","
	CUST("c1", SPLIT("02", "team", "a") "," PLAIN("03")) ","
	CUST("c2", SPLIT("01", "env", "dev") "," PLAIN("02")) ","
	CUST("c3", PLAIN("04")) "]}";
/* and 04 split too (team c to c4, the rest c3's) */
static const char config_c[] = "{" PLAN "\"customers\":["
	CUST("c0", SPLIT("01", "env", "prod") "," PLAIN("00")) ","
	CUST("c1", SPLIT("02", "team", "a") "," PLAIN("03")) ","
	CUST("c2", SPLIT("01", "env", "dev") "," PLAIN("02")) ","
	CUST("c3", PLAIN("04")) "," CUST("c4", SPLIT("04", "team", "c")) "]}";

TEST(rollup_follows_splits)
{
	struct store *s = fresh();
	char rec[256];
	long tagged = 0;

	CHECK_INT(apply_config(s, config_a), 0);
	CHECK_INT(import_month(s, 0), 0);
	/* before any rollup: the facts */
	CHECK(agree(s, 0, 0));
	/* built: the split accounts' rows by tag value */
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "100000000001=team,100000000003=env");
	CHECK(tagged > 0);

	/* the configuration splits other accounts: until the rollup is brought
	 * up to date, those are read from their facts (01's key changed, 02 is
	 * newly split) or summed over their values (03) */
	CHECK_INT(apply_config(s, config_b), 0);
	CHECK(agree(s, 0, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "100000000001=team,100000000003=env");
	/* a whole-period report rebuilds just those accounts */
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "100000000001=env,100000000002=team");
	CHECK(agree(s, 0, 1));

	/* a restatement (the month re-imported, every fact retagged) */
	CHECK_INT(import_month(s, 1), 0);
	CHECK(agree(s, 0, 0));
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "100000000001=env,100000000002=team");

	/* no split at all: the rollup keeps no tag dimension */
	CHECK_INT(apply_config(s, "{" PLAN "\"customers\":[" CUST("c0", PLAIN("01")) "]}"), 0);
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "");
	CHECK_INT(tagged, 0);
	store_free(s);
	unlink_db();
}

TEST(period_delete_and_reimport)
{
	struct store *s = fresh();
	struct rb_err err;
	int64_t rows = 0;
	rb_i128 unb = 0;
	char rec[256];
	long tagged = 0;

	rb_err_clear(&err);
	CHECK_INT(apply_config(s, config_a), 0);
	CHECK_INT(import_month(s, 0), 0);
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	CHECK_INT(store_period_delete(s, PAYER, per("2026-10"), &rows, &unb, NULL, &err), 0);
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "");
	CHECK_INT(tagged, 0);
	CHECK_INT(import_month(s, 1), 0);
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	recorded(rec, sizeof(rec), &tagged);
	CHECK_STR(rec, "100000000001=team,100000000003=env");
	store_free(s);
	unlink_db();
}

/* A reader that joins a snapshot after another process rebuilt the split
 * accounts of the rollup (same imports, other splits) is told it cannot
 * see the snapshot's state. */
TEST(reader_sees_changed_splits)
{
	struct store *s = fresh(), *other = NULL;
	struct store_snapshot *snap = NULL;
	struct store_reader *r = NULL;
	struct report_cfg rc;
	struct rb_err err;
	int same = -1;

	rb_err_clear(&err);
	CHECK_INT(apply_config(s, config_b), 0);
	CHECK_INT(import_month(s, 0), 0);
	CHECK(agree(s, REPORT_WHOLE_PERIOD, 1));
	CHECK_INT(store_snapshot_begin(&snap, s, per("2026-10"), 0, &err), 0);
	CHECK_INT(store_snapshot_rollup(snap), 1);
	CHECK_INT(store_reader_open(&r, s, &err), 0);
	CHECK_INT(store_reader_join(r, snap, &same, &err), 0);
	CHECK_INT(same, 1);
	store_reader_free(r);
	r = NULL;

	CHECK_INT(store_open(&other, dbpath, &err), 0);
	CHECK_INT(apply_config(other, config_c), 0);
	CHECK_INT(report_cfg_load(&rc, other, per("2026-10"), REPORT_WHOLE_PERIOD, &err), 0);
	report_cfg_release(&rc);

	CHECK_INT(store_reader_open(&r, s, &err), 0);
	CHECK_INT(store_reader_join(r, snap, &same, &err), 0);
	CHECK_INT(same, 0);
	store_reader_free(r);
	store_snapshot_end(snap);
	CHECK(agree(s, 0, 1));
	store_free(other);
	store_free(s);
	unlink_db();
}

static const struct check_case cases[] = {
	CASE(rollup_follows_splits),
	CASE(period_delete_and_reimport),
	CASE(reader_sees_changed_splits),
};
CHECK_MAIN(cases)
