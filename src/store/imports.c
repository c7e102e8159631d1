/*
 * imports.c: reading the import history (store_imports.h).
 */
#include "store/store_imports.h"

#include "store/store_int.h"
#include "util/banned.h"

int store_import_history(json_t **out, struct store *s, long limit, struct rb_err *err)
{
	sqlite3_stmt *st = NULL, *fs = NULL;
	json_t *a = json_array();
	int rc, ret = 0;

	*out = NULL;
	if (sqlite3_prepare_v2(store_db_int(s),
			"SELECT id, payer, provider, period, imported_at, rows, unblended,"
			" id = (SELECT max(id) FROM imports j WHERE j.payer = i.payer AND j.period = i.period)"
			" FROM imports i ORDER BY id DESC LIMIT ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db_int(s),
			"SELECT path, size, rows FROM import_files WHERE import_id = ?1 ORDER BY rowid",
			-1, &fs, NULL) != SQLITE_OK) {
		ret = store_fail_int(store_db_int(s), err, "reading imports");
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *files = json_array();
		int frc;
		sqlite3_reset(fs);
		sqlite3_bind_int64(fs, 1, sqlite3_column_int64(st, 0));
		while ((frc = sqlite3_step(fs)) == SQLITE_ROW)
			json_array_append_new(files, json_pack("{s:s,s:I,s:I}",
				"path", store_col_text_int(fs, 0),
				"size", (json_int_t)sqlite3_column_int64(fs, 1),
				"rows", (json_int_t)sqlite3_column_int64(fs, 2)));
		if (frc != SQLITE_DONE) {
			json_decref(files);
			ret = store_fail_int(store_db_int(s), err, "reading import_files");
			goto cleanup;
		}
		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:o}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"payer", store_col_text_int(st, 1), "provider", store_col_text_int(st, 2),
			"period", store_col_text_int(st, 3), "imported_at", store_col_text_int(st, 4),
			"rows", (json_int_t)sqlite3_column_int64(st, 5),
			"unblended", store_col_text_int(st, 6), "current", sqlite3_column_int(st, 7),
			"files", files));
	}
	if (rc != SQLITE_DONE)
		ret = store_fail_int(store_db_int(s), err, "reading imports");
cleanup:
	sqlite3_finalize(st);
	sqlite3_finalize(fs);
	if (ret < 0)
		json_decref(a);
	else
		*out = a;
	return ret;
}
