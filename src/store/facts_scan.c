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
#include "config/config.h"
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
 * same facts summed over days, and over tags except for the values of the
 * split tag of split accounts). */
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
	 * USING INDEX fact_rows_period_account (period=? AND account_id=?)).
	 * The rollup keeps the TEXT layout, and for split accounts (spec §9,
	 * bill_rollup_splits) their sums by the value of the split tag. */
#define FACT_IDS "f.payer_id, f.account_id, f.type_id, f.class_id, f.product_id," \
	" f.product_name_id, f.usage_type_id, f.operation_id, f.region_id, f.owner_id, f.rows," \
	" f.unblended, f.ondemand, f.effective, f.unblended_hi, f.ondemand_hi, f.effective_hi"
#define FACT_RANGE " FROM fact_accounts a CROSS JOIN fact_rows f" \
	" WHERE f.account_id = a.id AND a.account >= ?2 AND a.account < ?3 AND f.period = ?1" \
	" ORDER BY a.account, f.id"
	if (sqlite3_prepare_v2(db, src == ROLLUP ?
			"SELECT payer, account, line_item_type, class, product_code, product_name,"
			" usage_type, operation, region, owner, rows, unblended, ondemand, effective,"
			" split_value FROM bill_rollup WHERE period = ?1 AND account >= ?2 AND account < ?3" :
			tag_key ?
			/* spec §9: a split account's facts with the value of its tag key */
			"SELECT " FACT_IDS ", (SELECT value FROM tagset_items t"
			" WHERE t.tagset_id = f.tagset_id AND t.key = ?4)" FACT_RANGE :
			"SELECT " FACT_IDS FACT_RANGE,
			-1, &st, NULL) != SQLITE_OK) {
		store_fact_dicts_release_int(&d);
		return store_fail_int(db, err, "cannot prepare statement");
	}
	period_format(pb, period);
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, from ? from : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, to ? to : "\xff", -1, SQLITE_TRANSIENT);
	if (tag_key && src == FACTS)
		sqlite3_bind_text(st, 4, tag_key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact f;
		memset(&f, 0, sizeof(f));
		f.period = period;
		f.day = "";
		/* the split tag's value: of the facts when asked, or of the rollup,
		 * where only the rows of its split accounts have one */
		f.tags = src == ROLLUP ? (const char *)sqlite3_column_text(st, 14) :
			 tag_key ? (const char *)sqlite3_column_text(st, 17) : "";
		if (!tag_key && !f.tags)
			f.tags = "";
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
			"SELECT payer, id, rows, unblended, currency FROM imports i WHERE period = ?1"
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
		snprintf(t[k].currency, sizeof(t[k].currency), "%s", store_col_text_int(st, 4));
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

/* ---- spec §9: the split accounts the rollup keeps by tag value ---------- */

/* Accounts with the tag key each is split by, sorted by account, each once:
 * what the configuration splits in a period (splits_wanted), or what the
 * rollup of a period was built with (splits_built, bill_rollup_splits). */
struct splits {
	char **account, **tag;
	size_t n, alloc;
};

static void splits_free(struct splits *sp)
{
	size_t i;
	for (i = 0; i < sp->n; i++) {
		free(sp->account[i]);
		free(sp->tag[i]);
	}
	free(sp->account);
	free(sp->tag);
	memset(sp, 0, sizeof(*sp));
}

/* The tag key account is split by in sp, or NULL. */
static const char *splits_tag(const struct splits *sp, const char *account)
{
	size_t lo = 0, hi = sp->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(sp->account[mid], account);
		if (!c)
			return sp->tag[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int same_tag(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int splits_equal(const struct splits *a, const struct splits *b)
{
	size_t i;
	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->account[i], b->account[i]) || strcmp(a->tag[i], b->tag[i]))
			return 0;
	return 1;
}

/* Reads rows of (account, tag[, from, to]) sorted by account into *out,
 * keeping the first row of each account; with covering, only rows whose
 * span (columns 2 and 3) covers period. */
static int splits_read(struct splits *out, sqlite3 *db, const char *sql, int period,
	int covering, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	char pb[PERIOD_BUFSZ];
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	period_format(pb, period);
	if (!covering)
		sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *account = store_col_text_int(st, 0);
		if (covering && !config_span_covers((const char *)sqlite3_column_text(st, 2),
				(const char *)sqlite3_column_text(st, 3), period))
			continue;
		if (out->n && !strcmp(out->account[out->n - 1], account))
			continue;   /* validation: one tag key per account and period */
		if (out->n == out->alloc) {
			out->alloc = out->alloc ? out->alloc * 2 : 16;
			out->account = xreallocarray(out->account, out->alloc, sizeof(char *));
			out->tag = xreallocarray(out->tag, out->alloc, sizeof(char *));
		}
		out->account[out->n] = xstrdup(account);
		out->tag[out->n] = xstrdup(store_col_text_int(st, 1));
		out->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		splits_free(out);
		return store_fail_int(db, err, "cannot read the split accounts");
	}
	return 0;
}

/* The accounts split by tag in period: those of the split assignments
 * covering it (config_span_covers, the one definition of "covers"). */
static int splits_wanted(struct splits *out, sqlite3 *db, int period, struct rb_err *err)
{
	return splits_read(out, db, "SELECT account, split_tag, from_period, to_period"
		" FROM assignments WHERE split_tag IS NOT NULL ORDER BY account", period, 1, err);
}

/* The accounts the rollup of period keeps by tag value. */
static int splits_built(struct splits *out, sqlite3 *db, int period, struct rb_err *err)
{
	return splits_read(out, db, "SELECT account, tag FROM bill_rollup_splits WHERE period = ?"
		" ORDER BY account", period, 0, err);
}

/* ---- the rollup, summed and written -------------------------------------- */

/* The rollup's rows being built: facts summed over days, and over tags but
 * for the split accounts', which are summed per value of their split tag
 * (value[i] of sums entry i; NULL: untagged or an unsplit account). */
struct rollup_sums {
	struct cur_fact_sums s;
	char **value;
	size_t valloc;
	const struct splits *skip;   /* the lean read leaves these accounts out */
	char last[32];               /* the account looked up last ... */
	int last_split;              /* ... is in skip */
};

static void rollup_sums_release(struct rollup_sums *r)
{
	size_t i;
	for (i = 0; r->value && i < r->s.n; i++)
		free(r->value[i]);
	free(r->value);
	cur_fact_sums_release(&r->s);
	memset(r, 0, sizeof(*r));
}

/* Adds f to its entry; split: f is a split account's fact of tag value
 * value (NULL: untagged), kept apart per value. */
static int rollup_add(struct rollup_sums *r, const struct cur_fact *f, int split,
	const char *value)
{
	char *tail = NULL;
	size_t tl = 0;
	long i;
	int added = 0;

	if (split) {
		/* one entry per value: "\x01" VALUE, untagged "\x02" */
		tl = value ? strlen(value) + 1 : 1;
		tail = xmalloc(tl);
		tail[0] = value ? '\x01' : '\x02';
		if (value)
			memcpy(tail + 1, value, tl - 1);
	}
	i = cur_fact_sums_add_tail(&r->s, f, tail, tl, &added);
	free(tail);
	if (i < 0)
		return -1;
	if (added) {
		if ((size_t)i >= r->valloc) {
			r->valloc = r->valloc ? r->valloc * 2 : 1024;
			r->value = xreallocarray(r->value, r->valloc, sizeof(r->value[0]));
		}
		r->value[i] = value ? xstrdup(value) : NULL;
	}
	return 0;
}

/* The lean read of every fact: sums over tags, but not of skip's accounts. */
static int sum_lean(void *arg, const struct store_fact *sf)
{
	struct rollup_sums *r = arg;
	const char *account = sf->fact.account;
	size_t len = strlen(account);

	if (r->skip) {
		/* facts arrive grouped by account: look each up once */
		if (len >= sizeof(r->last) || strcmp(r->last, account)) {
			r->last_split = splits_tag(r->skip, account) != NULL;
			r->last[0] = '\0';
			if (len < sizeof(r->last))
				memcpy(r->last, account, len + 1);
		}
		if (r->last_split)
			return 0;
	}
	return rollup_add(r, &sf->fact, 0, NULL) < 0 ? -1 : 0;
}

/* One split account's facts with their value of its tag ("" is untagged,
 * as report/walk.c reads it). */
static int sum_split(void *arg, const struct store_fact *sf)
{
	return rollup_add(arg, &sf->fact, 1, sf->tags && *sf->tags ? sf->tags : NULL) < 0 ? -1 : 0;
}

/* The facts of account alone (the index range [account, account "\x01")),
 * by the value of tag when tag is not NULL. */
static int scan_account(struct store *s, int period, const char *account, const char *tag,
	struct rollup_sums *r, struct rb_err *err)
{
	char to[64];
	if (strlen(account) + 2 > sizeof(to))
		return rb_err_set(err, RB_EINPUT, "over-long account '%s'", account);
	snprintf(to, sizeof(to), "%s\x01", account);
	return scan(s, NULL, FACTS, period, account, to, tag, tag ? sum_split : sum_lean, r, err);
}

/* Sums the rollup's rows of period from the facts: of every account when
 * todo is NULL, else of todo's accounts only; want: the split accounts. */
static int rollup_sum(struct rollup_sums *r, struct store *s, int period,
	const struct splits *want, const struct splits *todo, struct rb_err *err)
{
	size_t i;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	cur_fact_sums_init(&r->s);
	if (!todo) {
		r->skip = want->n ? want : NULL;
		rc = scan(s, NULL, FACTS, period, NULL, NULL, NULL, sum_lean, r, err);
		r->skip = NULL;
		for (i = 0; rc == 0 && i < want->n; i++)
			rc = scan_account(s, period, want->account[i], want->tag[i], r, err);
	} else {
		for (i = 0; rc == 0 && i < todo->n; i++)
			rc = scan_account(s, period, todo->account[i], splits_tag(want, todo->account[i]),
				r, err);
	}
	if (rc != 0) {
		rollup_sums_release(r);
		return rc < 0 ? rc : rb_err_set(err, RB_EINPUT, "sum out of range in the rollup");
	}
	cur_fact_sums_finish(&r->s);
	return 0;
}

static int exec_account(sqlite3 *db, const char *sql, const char *pb, const char *account,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_fail_int(db, err, "cannot write the rollup");
	return 0;
}

/* Writes r — sums of the facts read while the latest imports were t — as
 * the rollup of period in one transaction: the whole rollup (todo NULL;
 * its state becomes t) or the rows of todo's accounts (the rest and the
 * state are kept), with want's split accounts among them recorded in
 * bill_rollup_splits. Unless the latest imports are no longer t (an import
 * committed since): then nothing is written and *written is 0. */
static int rollup_write(struct store *s, int period, const struct store_import_total *t, size_t n,
	const struct rollup_sums *r, const struct splits *want, const struct splits *todo,
	int *written, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_import_total *now = NULL;
	const struct splits *rec = todo ? todo : want;
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
	if (!todo) {
		if ((rc = exec(db, "DELETE FROM bill_rollup WHERE period = ?", pb, err)) < 0 ||
		    (rc = exec(db, "DELETE FROM bill_rollup_state WHERE period = ?", pb, err)) < 0 ||
		    (rc = exec(db, "DELETE FROM bill_rollup_splits WHERE period = ?", pb, err)) < 0)
			goto fail;
	} else {
		for (i = 0; i < todo->n; i++)
			if ((rc = exec_account(db, "DELETE FROM bill_rollup WHERE period = ?1"
					" AND account = ?2", pb, todo->account[i], err)) < 0 ||
			    (rc = exec_account(db, "DELETE FROM bill_rollup_splits WHERE period = ?1"
					" AND account = ?2", pb, todo->account[i], err)) < 0)
				goto fail;
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO bill_rollup (period, payer, account, line_item_type,"
			" class, product_code, product_name, usage_type, operation, region, owner, rows,"
			" unblended, ondemand, effective, split_value)"
			" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot prepare statement");
		goto fail;
	}
	for (k = 0; k < r->s.n; k++) {
		const struct cur_fact *f = &r->s.facts[k];
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
		if (r->value[k])
			sqlite3_bind_text(st, 16, r->value[k], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 16);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot write the rollup");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "INSERT INTO bill_rollup_splits (period, account, tag)"
			" VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot prepare statement");
		goto fail;
	}
	for (i = 0; i < rec->n; i++) {
		const char *tag = splits_tag(want, rec->account[i]);
		if (!tag)
			continue;   /* todo: an account no longer split */
		sqlite3_bind_text(st, 1, pb, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, rec->account[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, tag, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = store_fail_int(db, err, "cannot write the rollup");
			goto fail;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!todo) {
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
	}
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

/* The accounts whose split differs between want and built (split in one
 * and not the other, or by another key), sorted; tags are want's or "". */
static void splits_diff(struct splits *out, const struct splits *want, const struct splits *built)
{
	size_t i = 0, j = 0;
	memset(out, 0, sizeof(*out));
	while (i < want->n || j < built->n) {
		int c = i == want->n ? 1 : j == built->n ? -1 : strcmp(want->account[i], built->account[j]);
		const char *account = c <= 0 ? want->account[i] : built->account[j];
		int differs = c != 0 || strcmp(want->tag[i], built->tag[j]);
		if (differs) {
			if (out->n == out->alloc) {
				out->alloc = out->alloc ? out->alloc * 2 : 16;
				out->account = xreallocarray(out->account, out->alloc, sizeof(char *));
				out->tag = xreallocarray(out->tag, out->alloc, sizeof(char *));
			}
			out->account[out->n] = xstrdup(account);
			out->tag[out->n] = xstrdup(c <= 0 ? want->tag[i] : "");
			out->n++;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
}

/* Brings the rollup of period up to date: rebuilt whole when it was not
 * built from the latest imports; else, when the configuration splits other
 * accounts than it was built with (spec §9), rebuilt for those accounts
 * only. Reads the facts in a read transaction of its own and writes the
 * sums unless an import committed meanwhile. A cache: failing (a read-only
 * database, a busy writer) costs speed, never a wrong result, so nothing
 * here is an error. */
static void rollup_refresh(struct store *s, int period)
{
	struct store_import_total *t = NULL;
	struct splits want, built, todo;
	struct rollup_sums r;
	struct rb_err err;
	size_t n = 0;
	int fresh = 0, written, ok = 0;

	memset(&want, 0, sizeof(want));
	memset(&built, 0, sizeof(built));
	memset(&todo, 0, sizeof(todo));
	rb_err_clear(&err);
	if (store_exec_int(s, "BEGIN", &err) < 0)
		return;
	if (store_import_totals(&t, &n, s, period, &err) < 0 || n == 0 ||
	    state_matches(store_db_int(s), period, t, n, &fresh, &err) < 0 ||
	    splits_wanted(&want, store_db_int(s), period, &err) < 0 ||
	    (fresh && splits_built(&built, store_db_int(s), period, &err) < 0) ||
	    (fresh && splits_equal(&want, &built))) {
		store_rollback(s);
		goto out;
	}
	if (fresh)
		splits_diff(&todo, &want, &built);
	ok = rollup_sum(&r, s, period, &want, fresh ? &todo : NULL, &err) == 0;
	store_rollback(s);     /* ends the read transaction */
	if (ok) {
		(void)rollup_write(s, period, t, n, &r, &want, fresh ? &todo : NULL, &written, &err);
		rollup_sums_release(&r);
	}
out:
	splits_free(&want);
	splits_free(&built);
	splits_free(&todo);
	store_import_totals_free(t, n);
}

/* ---- snapshots ----------------------------------------------------------- */

struct store_snapshot {
	struct store *s;
	int period;
	int rollup;                        /* scans read the rollup */
	struct store_import_total *imports;
	size_t nimports;
	struct splits splits;              /* the rollup's split accounts */
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
			&snap->rollup, err)) < 0 ||
	    (snap->rollup && (rc = splits_built(&snap->splits, store_db_int(s), period, err)) < 0)) {
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
	splits_free(&snap->splits);
	free(snap);
}

const char *store_snapshot_currency(const struct store_snapshot *snap, const char *payer)
{
	size_t lo = 0, hi = snap->nimports;
	while (lo < hi) {   /* imports are sorted by payer */
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(snap->imports[mid].payer, payer);
		if (c == 0)
			return snap->imports[mid].currency;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "USD";
}

int store_snapshot_rollup(const struct store_snapshot *snap)
{
	return snap->rollup;
}

int store_snapshot_split_kept(const struct store_snapshot *snap, const char *account,
	const char *tag_key)
{
	return snap->rollup && tag_key && same_tag(splits_tag(&snap->splits, account), tag_key);
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
	/* the rollup when it keeps this account by the values of this key */
	return scan(snap->s, r, store_snapshot_split_kept(snap, account, tag_key) ? ROLLUP : FACTS,
		snap->period, account, to, tag_key, cb, ctx, err);
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
	if (*same && rollup) {
		/* and the same split accounts kept by tag value (spec §9) */
		struct splits sp;
		if ((rc = splits_built(&sp, r->db, snap->period, err)) < 0)
			return rc;
		*same = splits_equal(&sp, &snap->splits);
		splits_free(&sp);
	}
	return 0;
}
