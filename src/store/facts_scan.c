/*
 * facts_scan.c: the billing read of a period's facts (see store_scan.h):
 * one statement, the columns rating needs, no sort and no join; and the
 * read-only connections that let threads share the work.
 */
#include "store/store_scan.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cur/cur.h"
#include "cur/fact.h"
#include "util/decimal.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct store_reader {
	sqlite3 *db;
};

int store_reader_open(struct store_reader **out, struct store *s, struct rb_err *err)
{
	struct store_reader *r = xcalloc(1, sizeof(*r));
	const char *path = sqlite3_db_filename(store_db_int(s), "main");
	int rc;

	*out = NULL;
	if (!path || !*path) {
		free(r);
		return rb_err_set(err, RB_EIO, "database: a reader needs a database file");
	}
	rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = rb_err_set(err, RB_EIO, "%s: cannot open database: %s", path,
			r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc));
		store_reader_free(r);
		return rc;
	}
	sqlite3_busy_timeout(r->db, 5000);
	*out = r;
	return 0;
}

void store_reader_free(struct store_reader *r)
{
	if (!r)
		return;
	sqlite3_close_v2(r->db);
	free(r);
}

/* Where a scan reads: the facts themselves, or the billing rollup (the
 * same facts summed over days and tags). */
enum source { FACTS, ROLLUP };

static int scan(struct store *s, struct store_reader *r, enum source src, int period,
	const char *from, const char *to, const char *tag_key,
	int (*cb)(void *ctx, const struct store_fact *f), void *ctx, struct rb_err *err)
{
	sqlite3 *db = r ? r->db : store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_fact_dicts d;
	char pb[PERIOD_BUFSZ];
	int rc;

	memset(&d, 0, sizeof(d));
	if (src == FACTS && (rc = store_fact_dicts_load_int(&d, db, err)) < 0)
		return rc;
	/* A plain range, so the (period, account) index serves it; an open end
	 * is "" below and "\xff" above every account (BINARY collation compares
	 * bytes, and no UTF-8 text holds the byte 0xff). Facts: the accounts of
	 * the range by fact_accounts' index, in order, then each one's facts by
	 * (period, account_id) — the order the TEXT layout read them in, with no
	 * sort (CROSS JOIN keeps that loop order in SQLite; EXPLAIN QUERY PLAN:
	 * SEARCH a USING COVERING INDEX (account>? AND account<?), SEARCH f
	 * USING INDEX fact_rows_period_account (period=? AND account_id=?)). */
#define FACT_IDS "f.payer_id, f.account_id, f.type_id, f.class_id, f.product_id," \
	" f.product_name_id, f.usage_type_id, f.operation_id, f.region_id, f.owner_id, f.rows," \
	" f.unblended, f.ondemand, f.effective, f.unblended_hi, f.ondemand_hi, f.effective_hi"
#define FACT_RANGE " FROM fact_accounts a CROSS JOIN fact_rows f" \
	" WHERE f.account_id = a.id AND a.account >= ?2 AND a.account < ?3 AND f.period = ?1" \
	" ORDER BY a.account, f.id"
	if (sqlite3_prepare_v2(db, tag_key ?
			/* spec §9: a split account's facts with the value of its tag
			 * key (the rollup has no tags) */
			"SELECT " FACT_IDS ", (SELECT value FROM tagset_items t"
			" WHERE t.tagset_id = f.tagset_id AND t.key = ?4)" FACT_RANGE :
			src == ROLLUP ?
			"SELECT payer, account, line_item_type, class, product_code, product_name,"
			" usage_type, operation, region, owner, rows, unblended, ondemand, effective"
			" FROM bill_rollup WHERE period = ?1 AND account >= ?2 AND account < ?3" :
			"SELECT " FACT_IDS FACT_RANGE,
			-1, &st, NULL) != SQLITE_OK) {
		store_fact_dicts_release_int(&d);
		return store_fail_int(db, err, "cannot prepare statement");
	}
	period_format(pb, period);
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, from ? from : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, to ? to : "\xff", -1, SQLITE_TRANSIENT);
	if (tag_key)
		sqlite3_bind_text(st, 4, tag_key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact f;
		memset(&f, 0, sizeof(f));
		f.period = period;
		f.day = "";
		f.tags = tag_key ? (const char *)sqlite3_column_text(st, 17) : "";
		if (src == ROLLUP ? store_col_fact_int(&f.fact, st, 0, 10, 11) < 0
				  : store_col_fact_ids_int(&f.fact, &d, st, 0, 10, 11, 14) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact of %s holds a bad class or amount", pb);
			goto out;
		}
		if ((rc = cb(ctx, &f)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = store_fail_int(db, err, "cannot read facts");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	store_fact_dicts_release_int(&d);
	return rc;
}

int store_col_fact_int(struct cur_fact *f, sqlite3_stmt *st, int col, int rows_col,
	int amounts_col)
{
	int cls = cur_class_from_name(store_col_text_int(st, col + 3));

	f->payer = store_col_text_int(st, col);
	f->account = store_col_text_int(st, col + 1);
	f->line_item_type = store_col_text_int(st, col + 2);
	f->cls = cls < 0 ? CUR_OTHER : (enum cur_class)cls;
	f->product_code = store_col_text_int(st, col + 4);
	f->product_name = store_col_text_int(st, col + 5);
	f->usage_type = store_col_text_int(st, col + 6);
	f->operation = store_col_text_int(st, col + 7);
	f->region = store_col_text_int(st, col + 8);
	f->owner = store_col_text_int(st, col + 9);
	f->rows = (long)sqlite3_column_int64(st, rows_col);
	if (cls < 0 || store_col_amount_int(&f->unblended, st, amounts_col) < 0 ||
	    store_col_amount_int(&f->ondemand, st, amounts_col + 1) < 0 ||
	    store_col_amount_int(&f->effective, st, amounts_col + 2) < 0)
		return -1;
	return 0;
}

int store_import_totals(struct store_import_total **out, size_t *n, struct store *s,
	int period, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_import_total *t = NULL;
	size_t alloc = 0, k = 0;
	char pb[PERIOD_BUFSZ];
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db,
			"SELECT payer, id, rows, unblended FROM imports i WHERE period = ?1"
			" AND id = (SELECT max(id) FROM imports WHERE payer = i.payer AND period = ?1)"
			" ORDER BY payer", -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	period_format(pb, period);
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == alloc) {
			alloc = alloc ? alloc * 2 : 8;
			t = xreallocarray(t, alloc, sizeof(t[0]));
		}
		t[k].payer = xstrdup(store_col_text_int(st, 0));
		t[k].id = sqlite3_column_int64(st, 1);
		t[k].rows = sqlite3_column_int64(st, 2);
		if (store_col_amount_int(&t[k].unblended, st, 3) < 0) {
			free(t[k].payer);
			rc = rb_err_set(err, RB_EIO, "database: an import of %s holds a bad amount", pb);
			goto fail;
		}
		k++;
	}
	if (rc != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot read imports");
		goto fail;
	}
	sqlite3_finalize(st);
	*out = t;
	*n = k;
	return 0;
fail:
	sqlite3_finalize(st);
	store_import_totals_free(t, k);
	return rc;
}

void store_import_totals_free(struct store_import_total *t, size_t n)
{
	size_t i;
	for (i = 0; t && i < n; i++)
		free(t[i].payer);
	free(t);
}

/* 1 when the state rows of period are exactly (payer, id) of t. */
static int state_matches(sqlite3 *db, int period, const struct store_import_total *t, size_t n,
	int *match, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	char pb[PERIOD_BUFSZ];
	size_t k = 0;
	int rc;

	*match = 0;
	if (sqlite3_prepare_v2(db, "SELECT payer, import_id FROM bill_rollup_state WHERE period = ?"
			" ORDER BY payer", -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	period_format(pb, period);
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	*match = n > 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k >= n || strcmp(store_col_text_int(st, 0), t[k].payer) || sqlite3_column_int64(st, 1) != t[k].id)
			*match = 0;
		k++;
	}
	if (k != n)
		*match = 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot read the rollup state");
	return 0;
}

static int exec(sqlite3 *db, const char *sql, const char *pb, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	if (pb)
		sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot write the rollup");
	return 0;
}

/* Replaces the rollup of period by facts[0..nfacts) — sums of the facts
 * read while the latest imports were t — in one transaction, unless the
 * latest imports are no longer t (an import committed since): then nothing
 * is written and *written is 0. */
static int rollup_write(struct store *s, int period, const struct store_import_total *t, size_t n,
	const struct cur_fact *facts, size_t nfacts, int *written, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_import_total *now = NULL;
	char pb[PERIOD_BUFSZ], a[3][DEC_BUFSZ];
	size_t nnow = 0, i, k;
	int rc, same;

	*written = 0;
	period_format(pb, period);
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	/* the imports the caller read under must still be the latest ones */
	if ((rc = store_import_totals(&now, &nnow, s, period, err)) < 0)
		goto fail;
	same = nnow == n && n > 0;
	for (i = 0; same && i < n; i++)
		same = !strcmp(now[i].payer, t[i].payer) && now[i].id == t[i].id;
	if (!same) {
		store_rollback(s);
		store_import_totals_free(now, nnow);
		return 0;
	}
	if ((rc = exec(db, "DELETE FROM bill_rollup WHERE period = ?", pb, err)) < 0 ||
	    (rc = exec(db, "DELETE FROM bill_rollup_state WHERE period = ?", pb, err)) < 0)
		goto fail;
	if (sqlite3_prepare_v2(db, "INSERT INTO bill_rollup (period, payer, account, line_item_type,"
			" class, product_code, product_name, usage_type, operation, region, owner, rows,"
			" unblended, ondemand, effective) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			-1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot prepare statement");
		goto fail;
	}
	for (k = 0; k < nfacts; k++) {
		const struct cur_fact *f = &facts[k];
		const char *cols[] = { pb, f->payer, f->account, f->line_item_type, cur_class_name(f->cls),
			f->product_code, f->product_name, f->usage_type, f->operation, f->region, f->owner };
		for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			sqlite3_bind_text(st, (int)i + 1, cols[i] ? cols[i] : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 12, f->rows);
		dec_format(a[0], DEC_BUFSZ, f->unblended, DEC_SCALE, DEC_SCALE);
		dec_format(a[1], DEC_BUFSZ, f->ondemand, DEC_SCALE, DEC_SCALE);
		dec_format(a[2], DEC_BUFSZ, f->effective, DEC_SCALE, DEC_SCALE);
		for (i = 0; i < 3; i++)
			sqlite3_bind_text(st, 13 + (int)i, a[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot write the rollup");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO bill_rollup_state (period, payer, import_id)"
			" VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot prepare statement");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, pb, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, t[i].payer, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, t[i].id);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot write the rollup");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = store_commit(s, err)) < 0)
		goto fail;
	store_import_totals_free(now, nnow);
	*written = 1;
	return 0;
fail:
	sqlite3_finalize(st);
	store_rollback(s);
	store_import_totals_free(now, nnow);
	return rc;
}

/* ---- the rollup, brought up to date ---------------------------------- */

static int sum_one(void *arg, const struct store_fact *sf)
{
	return cur_fact_sums_add(arg, &sf->fact, NULL) < 0 ? -1 : 0;
}

/* Rebuilds the rollup of period when it was not built from the latest
 * imports: reads the facts in a read transaction of its own, sums them
 * over days and tags, and writes the sums unless an import committed
 * meanwhile. A cache: failing (a read-only database, a busy writer) costs
 * speed, never a wrong result, so nothing here is an error. */
static void rollup_refresh(struct store *s, int period)
{
	struct store_import_total *t = NULL;
	struct cur_fact_sums a;
	struct rb_err err;
	size_t n = 0;
	int fresh = 0, written, ok = 0;

	rb_err_clear(&err);
	if (store_exec_int(s, "BEGIN", &err) < 0)
		return;
	if (store_import_totals(&t, &n, s, period, &err) < 0 || n == 0 ||
	    state_matches(store_db_int(s), period, t, n, &fresh, &err) < 0 || fresh) {
		store_rollback(s);
		store_import_totals_free(t, n);
		return;
	}
	cur_fact_sums_init(&a);
	ok = scan(s, NULL, FACTS, period, NULL, NULL, NULL, sum_one, &a, &err) == 0;
	store_rollback(s);     /* ends the read transaction */
	if (ok) {
		cur_fact_sums_finish(&a);
		(void)rollup_write(s, period, t, n, a.facts, a.n, &written, &err);
	}
	cur_fact_sums_release(&a);
	store_import_totals_free(t, n);
}

/* ---- snapshots ----------------------------------------------------------- */

struct store_snapshot {
	struct store *s;
	int period;
	int rollup;                        /* scans read the rollup */
	struct store_import_total *imports;
	size_t nimports;
};

int store_snapshot_begin(struct store_snapshot **out, struct store *s, int period,
	unsigned flags, struct rb_err *err)
{
	struct store_snapshot *snap = xcalloc(1, sizeof(*snap));
	int rc;

	*out = NULL;
	snap->s = s;
	snap->period = period;
	if (flags & STORE_SNAP_ROLLUP)
		rollup_refresh(s, period);
	if ((rc = store_exec_int(s, "BEGIN", err)) < 0) {
		free(snap);
		return rc;
	}
	/* the first read starts the read transaction: from here on this
	 * connection sees one state of the database */
	if ((rc = store_import_totals(&snap->imports, &snap->nimports, s, period, err)) < 0 ||
	    (rc = state_matches(store_db_int(s), period, snap->imports, snap->nimports,
			&snap->rollup, err)) < 0) {
		store_snapshot_end(snap);
		return rc;
	}
	*out = snap;
	return 0;
}

void store_snapshot_end(struct store_snapshot *snap)
{
	if (!snap)
		return;
	store_rollback(snap->s);  /* a read transaction: nothing to undo */
	store_import_totals_free(snap->imports, snap->nimports);
	free(snap);
}

int store_snapshot_rollup(const struct store_snapshot *snap)
{
	return snap->rollup;
}

int store_snapshot_scan(const struct store_snapshot *snap, struct store_reader *r,
	const char *from, const char *to, int (*cb)(void *ctx, const struct store_fact *f),
	void *ctx, struct rb_err *err)
{
	return scan(snap->s, r, snap->rollup ? ROLLUP : FACTS, snap->period, from, to, NULL, cb, ctx,
		err);
}

int store_snapshot_scan_split(const struct store_snapshot *snap, struct store_reader *r,
	const char *account, const char *tag_key, int (*cb)(void *ctx, const struct store_fact *f),
	void *ctx, struct rb_err *err)
{
	char to[64];
	if (strlen(account) + 2 > sizeof(to))
		return rb_err_set(err, RB_EINPUT, "over-long account '%s'", account);
	snprintf(to, sizeof(to), "%s\x01", account);
	return scan(snap->s, r, FACTS, snap->period, account, to, tag_key, cb, ctx, err);
}

int store_reader_join(struct store_reader *r, const struct store_snapshot *snap, int *same,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	char pb[PERIOD_BUFSZ];
	size_t k = 0;
	int rc, rollup = 0;

	*same = 0;
	if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_int(r->db, err, "cannot begin a read");
	/* the same latest imports (the only writers of facts) and the same
	 * rollup state: the same facts */
	if (sqlite3_prepare_v2(r->db,
			"SELECT payer, id FROM imports i WHERE period = ?1"
			" AND id = (SELECT max(id) FROM imports WHERE payer = i.payer AND period = ?1)"
			" ORDER BY payer", -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(r->db, err, "cannot prepare statement");
	period_format(pb, snap->period);
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	*same = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k >= snap->nimports || strcmp(store_col_text_int(st, 0), snap->imports[k].payer) ||
		    sqlite3_column_int64(st, 1) != snap->imports[k].id)
			*same = 0;
		k++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_int(r->db, err, "cannot read imports");
	if (k != snap->nimports)
		*same = 0;
	if (*same && (rc = state_matches(r->db, snap->period, snap->imports, snap->nimports,
			&rollup, err)) < 0)
		return rc;
	if (rollup != snap->rollup)
		*same = 0;
	return 0;
}
