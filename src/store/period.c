/*
 * period.c: removing one payer's month from the database (`rebill period
 * delete`), for a CUR imported by mistake (another organization's, the
 * wrong month): its facts, resource facts, notes, imports (with their file
 * lists) and its part of the billing rollup, in one transaction with one
 * audit_log row that says what was removed.
 *
 * Not for: configuration (config.c) or imports (facts.c writes them).
 */
#include "store/store_period.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "util/period.h"
#include "util/banned.h"

static int exec2(sqlite3 *db, const char *sql, const char *period, const char *payer,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(db, err, "cannot prepare the period delete");
	sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, payer, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail_int(db, err, "cannot delete the period");
}

int store_period_delete(struct store *s, const char *payer, int period, int64_t *rows,
	rb_i128 *unblended, const char *who, struct rb_err *err)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st = NULL;
	char pb[PERIOD_BUFSZ], at[32], obj[128], amt[DEC_BUFSZ], *before = NULL;
	static const char *const dels[] = {
		"DELETE FROM fact_rows WHERE period = ?1"
		" AND payer_id = (SELECT id FROM fact_accounts WHERE account = ?2)",
		"DELETE FROM resource_fact_rows WHERE period = ?1"
		" AND payer_id = (SELECT id FROM fact_accounts WHERE account = ?2)",
		"DELETE FROM import_notes WHERE period = ?1 AND payer = ?2",
		"DELETE FROM imports WHERE period = ?1 AND payer = ?2",
		"DELETE FROM bill_rollup WHERE period = ?1 AND ?2 IS NOT NULL",     /* rebuilt on demand */
		"DELETE FROM bill_rollup_state WHERE period = ?1 AND ?2 IS NOT NULL",
		"DELETE FROM bill_rollup_splits WHERE period = ?1 AND ?2 IS NOT NULL",
	};
	time_t t = time(NULL);
	struct tm tm;
	size_t i;
	int rc, found = 0;

	*rows = 0;
	*unblended = 0;
	period_format(pb, period);
	if ((rc = store_begin(s, err)) < 0)
		return rc;
	/* what the latest import of it counted: what the audit row records */
	if (sqlite3_prepare_v2(db, "SELECT rows, unblended FROM imports WHERE period = ?1"
			" AND payer = ?2 ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot read the imports");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, pb, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, payer, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(st, 1);
		found = 1;
		*rows = sqlite3_column_int64(st, 0);
		if (!u || dec_parse(unblended, u, strlen(u), DEC_SCALE) != DEC_OK)
			*unblended = 0;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (!found) {
		rc = rb_err_set(err, RB_EINPUT, "no import of payer %s for %s to delete", payer, pb);
		goto cleanup;
	}
	for (i = 0; i < sizeof(dels) / sizeof(dels[0]); i++)
		if ((rc = exec2(db, dels[i], pb, payer, err)) < 0)
			goto cleanup;
	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(obj, sizeof(obj), "period:%s:%s", payer, pb);
	dec_format(amt, sizeof(amt), *unblended, DEC_SCALE, DEC_SCALE);
	{
		json_t *b = json_pack("{s:s, s:s, s:I, s:s}", "payer", payer, "period", pb,
			"rows", (json_int_t)*rows, "unblended", amt);
		before = json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(b);
	}
	if (sqlite3_prepare_v2(db, "INSERT INTO audit_log (at, source, action, object, before, after, actor)"
			" VALUES (?, ?, 'delete', ?, ?, NULL, ?)", -1, &st, NULL) != SQLITE_OK) {
		rc = store_fail_int(db, err, "cannot write the audit log");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, who ? who : "period delete", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, obj, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, store_actor(s, NULL), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = store_fail_int(db, err, "cannot write the audit log");
		goto cleanup;
	}
	rc = store_commit(s, err);
cleanup:
	sqlite3_finalize(st);
	free(before);
	if (rc < 0)
		store_rollback(s);
	return rc;
}
