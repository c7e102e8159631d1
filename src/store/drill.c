/*
 * drill.c: the portal's drill-down reads (store_drill.h) — an account's
 * facts with days and tags, its resource facts — and the data version.
 *
 * Not for: the period-wide reads (facts.c, facts_scan.c).
 */
#include "store/store_drill.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/period.h"
#include "util/xalloc.h"
#include "util/banned.h"

static int prepare(sqlite3 *db, sqlite3_stmt **st, const char *sql, struct rb_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare statement");
	return 0;
}

static void bind_period(sqlite3_stmt *st, int i, int period)
{
	char buf[PERIOD_BUFSZ];
	period_format(buf, period);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

int store_facts_each_account(struct store *s, int period, const char *account,
	int (*cb)(void *ctx, const struct store_fact *f), void *ctx, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	struct store_fact_dicts d;
	int rc, began = 0;

	memset(&d, 0, sizeof(d));
	if ((rc = store_read_begin_int(s, &began, err)) < 0)
		return rc;
	if ((rc = store_fact_dicts_load_int(&d, db, err)) < 0 ||
	    (rc = prepare(db, &st,
			"SELECT f.day_id, f.payer_id, f.account_id, f.type_id, f.class_id, f.product_id,"
			" f.product_name_id, f.usage_type_id, f.operation_id, f.region_id, f.owner_id,"
			" f.tagset_id, t.canon, f.rows, f.usage_amount, f.unblended, f.ondemand,"
			" f.effective, f.usage_amount_hi, f.unblended_hi, f.ondemand_hi, f.effective_hi"
			" FROM fact_rows f JOIN tagsets t ON t.id = f.tagset_id WHERE f.period = ?"
			" AND f.account_id = (SELECT id FROM fact_accounts WHERE account = ?)"
			" ORDER BY f.id", err)) < 0)
		goto out;
	bind_period(st, 1, period);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_fact f;
		memset(&f, 0, sizeof(f));
		f.period = period;
		f.day = store_dict_get_int(&d.dims, sqlite3_column_int64(st, 0));
		f.tagset_id = sqlite3_column_int64(st, 11);
		f.tags = store_col_text_int(st, 12);
		if (!f.day || store_col_fact_ids_int(&f.fact, &d, st, 1, 13, 15, 19) < 0 ||
		    store_col_units_int(&f.usage_amount, st, 14, 18) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a fact holds a bad class or amount");
			goto out;
		}
		if ((rc = cb(ctx, &f)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail_int(db, err, "cannot read facts");
out:
	sqlite3_finalize(st);
	store_fact_dicts_release_int(&d);
	store_read_end_int(s, began);
	return rc;
}

int store_resources_each(struct store *s, int period, const char *account,
	int (*cb)(void *ctx, const struct store_resource_fact *f), void *ctx,
	struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = prepare(db, &st,
			"SELECT p.account, r.resource_id, pc.value, r.rows, r.usage_amount, r.unblended,"
			" r.ondemand, r.effective, r.usage_amount_hi, r.unblended_hi, r.ondemand_hi,"
			" r.effective_hi FROM resource_fact_rows r"
			" JOIN fact_accounts p ON p.id = r.payer_id JOIN fact_dims pc ON pc.id = r.product_id"
			" WHERE r.period = ?1 AND r.account_id = (SELECT id FROM fact_accounts WHERE account = ?2)"
			" ORDER BY r.resource_id, pc.value", err)) < 0)
		return rc;
	bind_period(st, 1, period);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_resource_fact f;
		memset(&f, 0, sizeof(f));
		f.period = period;
		f.payer = store_col_text_int(st, 0);
		f.account = account;
		f.resource_id = store_col_text_int(st, 1);
		f.product_code = store_col_text_int(st, 2);
		f.sum.rows = sqlite3_column_int64(st, 3);
		if (store_col_units_int(&f.sum.usage_amount, st, 4, 8) < 0 ||
		    store_col_units_int(&f.sum.unblended, st, 5, 9) < 0 ||
		    store_col_units_int(&f.sum.ondemand, st, 6, 10) < 0 ||
		    store_col_units_int(&f.sum.effective, st, 7, 11) < 0) {
			rc = rb_err_set(err, RB_EIO, "database: a resource fact holds a bad amount");
			goto out;
		}
		if ((rc = cb(ctx, &f)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail_int(db, err, "cannot read resource facts");
out:
	sqlite3_finalize(st);
	return rc;
}

int store_data_version(int64_t *out, struct store *s, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	int rc;
	*out = 0;
	if ((rc = prepare(db, &st, "PRAGMA data_version", err)) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		rc = store_fail_int(db, err, "cannot read the data version");
	sqlite3_finalize(st);
	return rc;
}

int store_period_ids(int **out, size_t *n, struct store *s, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	size_t alloc = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = prepare(db, &st, "SELECT DISTINCT i.period FROM imports i WHERE EXISTS"
			" (SELECT 1 FROM fact_rows f WHERE f.period = i.period) ORDER BY i.period", err)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = store_col_text_int(st, 0);
		int v;
		if (period_parse(&v, p, strlen(p)) < 0)
			continue;
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			*out = xreallocarray(*out, alloc, sizeof(**out));
		}
		(*out)[(*n)++] = v;
	}
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		rc = store_fail_int(db, err, "cannot read periods");
	} else {
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
