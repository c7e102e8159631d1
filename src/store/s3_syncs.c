/*
 * s3_syncs.c: the s3_syncs table (store_s3.h): what was imported from S3.
 */
#include "store/store_s3.h"

#include <stdlib.h>

#include "store/store_int.h"
#include "util/xalloc.h"
#include "util/banned.h"

int store_s3_last(char **out, struct store *s, const char *bucket, const char *manifest_key,
	struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	*out = NULL;
	if (sqlite3_prepare_v2(store_db_int(s),
			"SELECT assembly_id FROM s3_syncs WHERE bucket = ?1 AND manifest_key = ?2"
			" ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return store_fail_int(store_db_int(s), err, "reading s3_syncs");
	sqlite3_bind_text(st, 1, bucket, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, manifest_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = xstrdup(store_col_text_int(st, 0));
	else if (rc != SQLITE_DONE)
		ret = store_fail_int(store_db_int(s), err, "reading s3_syncs");
	sqlite3_finalize(st);
	return ret;
}

int store_s3_record(struct store *s, const char *at, const struct store_s3_sync *rows,
	size_t n, struct rb_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int ret;

	if (!n)
		return 0;
	if ((ret = store_begin(s, err)) < 0)
		return ret;
	if (sqlite3_prepare_v2(store_db_int(s),
			"INSERT INTO s3_syncs (synced_at, source, bucket, manifest_key, report, period,"
			" assembly_id, action, files, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			-1, &st, NULL) != SQLITE_OK) {
		ret = store_fail_int(store_db_int(s), err, "writing s3_syncs");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const struct store_s3_sync *r = &rows[i];
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->bucket, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->manifest_key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->report, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->period, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->assembly_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->action, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, r->files);
		sqlite3_bind_int64(st, 10, r->bytes);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ret = store_fail_int(store_db_int(s), err, "writing s3_syncs");
			goto cleanup;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	ret = store_commit(s, err);
cleanup:
	sqlite3_finalize(st);
	if (ret < 0)
		store_rollback(s);
	return ret;
}
