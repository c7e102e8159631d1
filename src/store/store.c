/*
 * store.c: opening the database, migrating it forward, transactions.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

struct store {
	sqlite3 *db;
	char *path;
	char *actor;    /* store_set_actor: who writes audit rows without one */
};

void store_set_actor(struct store *s, const char *actor)
{
	free(s->actor);
	s->actor = actor && *actor ? xstrdup(actor) : NULL;
}

const char *store_actor(const struct store *s, const char *actor)
{
	return actor ? actor : s->actor;
}

int store_fail_int(sqlite3 *db, struct rb_err *err, const char *what, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, what);
	vsnprintf(buf, sizeof(buf), what, ap);
	va_end(ap);
	return rb_err_set(err, RB_EIO, "database: %s: %s", buf, sqlite3_errmsg(db));
}

int store_exec_int(struct store *s, const char *sql, struct rb_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rb_err_set(err, RB_EIO, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return RB_EIO;
	}
	return 0;
}

struct sqlite3 *store_db_int(struct store *s)
{
	return s->db;
}

int store_schema_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct store *s, struct rb_err *err)
{
	int have = store_schema_version(s);
	int newest = store_migrations[store_nmigrations - 1].version;
	size_t i;

	if (have < 0)
		return store_fail_int(s->db, err, "%s: cannot read the schema version", s->path);
	if (have > newest)
		return rb_err_set(err, RB_EIO,
			"%s: database schema version %d is newer than this rebill understands (%d); upgrade rebill",
			s->path, have, newest);
	for (i = 0; i < store_nmigrations; i++) {
		char bump[64];
		const struct store_migration *m = &store_migrations[i];
		size_t j;
		if (m->version <= have)
			continue;
		if (store_begin(s, err) < 0)
			return RB_EIO;
		/* consecutive entries of one version are one migration, in one
		 * transaction (C bounds the length of one string literal) */
		for (j = i; j < store_nmigrations && store_migrations[j].version == m->version; j++)
			if (store_exec_int(s, store_migrations[j].sql, err) < 0) {
				store_rollback(s);
				return RB_EIO;
			}
		i = j - 1;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", m->version);
		if (store_exec_int(s, bump, err) < 0) {
			store_rollback(s);
			return RB_EIO;
		}
		if (store_commit(s, err) < 0)
			return RB_EIO;
		/* Copy this migration's pages into the database now, so the next
		 * one reuses the WAL from its start. With 64 KiB pages the
		 * automatic checkpoint (1000 pages) never runs here: creating a
		 * database appended every migration's pages to one WAL (~5.6 MB
		 * for the v8 schema, whose file is 4.4 MB), and the checkpoint at
		 * close needs room for both. On a nearly full disk that close
		 * failed with SQLITE_FULL and left the WAL, and the disk full,
		 * behind a successful command. PASSIVE: never waits for readers;
		 * what it cannot copy now, the next checkpoint does. */
		(void)sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	return 0;
}

static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/* Process-wide SQLite settings, made once before the first connection
 * initializes the library (sqlite3_config refuses them afterwards, which
 * is harmless). MEMSTATUS off: SQLite's allocation statistics take a global
 * mutex around every malloc and free (5.5% of the samples of an import when
 * its spill still went through SQLite's sorter); rebill never reads them. */
static void configure_sqlite(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(struct store **out, const char *path, struct rb_err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	s->path = xstrdup(path);
	pthread_once(&config_once, configure_sqlite);
	/* NOMUTEX: a store is used by one thread at a time (store.h), so
	 * SQLite's per-call connection mutex was pure cost: a lock and unlock
	 * around each of the ~11 M bind calls of a 600k-fact import (4% of its
	 * samples) */
	rc = sqlite3_open_v2(path, &s->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = rb_err_set(err, RB_EIO, "%s: cannot open database: %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_extended_result_codes(s->db, 1);
	/* page_size first: it only applies while the file is still empty, i.e.
	 * to new databases. 64 KiB pages: an import appends hundreds of MB of
	 * facts, written twice (WAL, then checkpoint) with one write call per
	 * page; with 4 KiB pages writing 600k facts took 1.15 s, with 64 KiB
	 * 0.78 s. Readers scan facts by (period, payer|account) ranges, which
	 * large pages serve well too. The TEMP database (sorters, temporary
	 * B-trees) would inherit the size; it keeps 4 KiB pages (when an import
	 * still spilled to TEMP tables, 64 KiB made a 4 GB import peak at 90
	 * MiB instead of 59; it now spills to a file of its own, import/spill.c). */
	if ((rc = store_exec_int(s, "PRAGMA page_size = 65536;"
			"PRAGMA temp.page_size = 4096;"
			"PRAGMA foreign_keys = ON;"
			"PRAGMA journal_mode = WAL;"
			"PRAGMA synchronous = NORMAL;"
			"PRAGMA cache_size = -4096;", err)) < 0)
		goto fail;
	if ((rc = store_functions_register_int(s->db, err)) < 0)
		goto fail;
	if ((rc = migrate(s, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_free(s);
	return rc;
}

void store_free(struct store *s)
{
	sqlite3_stmt *st;

	if (!s)
		return;
	/* A statement left unfinalized on an error path (e.g. a full disk
	 * mid-import) would turn close_v2 into a deferred close that never
	 * happens: the process would exit with the WAL file left beside the
	 * database. Every user of s is done by now: finalize what is left, so
	 * the last connection's close checkpoints and removes the WAL. */
	if (s->db)
		while ((st = sqlite3_next_stmt(s->db, NULL)))
			sqlite3_finalize(st);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s->actor);
	free(s);
}

int store_begin(struct store *s, struct rb_err *err)
{
	return store_exec_int(s, "BEGIN IMMEDIATE", err);
}

int store_commit(struct store *s, struct rb_err *err)
{
	return store_exec_int(s, "COMMIT", err);
}

int store_read_begin_int(struct store *s, int *began, struct rb_err *err)
{
	*began = 0;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	if (store_exec_int(s, "BEGIN", err) < 0)
		return RB_EIO;
	*began = 1;
	return 0;
}

void store_read_end_int(struct store *s, int began)
{
	if (began)
		store_rollback(s);
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
