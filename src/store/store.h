/*
 * store.h: the embedded database. Owns the connection, the schema and its
 * forward migrations; every SQL statement of rebill lives under src/store/.
 *
 * Invariants: a store is opened on a file that is created on first use and
 * migrated to STORE_SCHEMA_VERSION before store_open returns. Amounts are
 * stored as canonical decimal TEXT with DEC_SCALE fractional digits, so they
 * stay exact in SQLite and map to NUMERIC(38,10) in PostgreSQL; the SQL
 * function dec_sum(x) sums them exactly.
 *
 * A store is used by one thread at a time: threads that share one serialize
 * their calls (the import's main thread writes after joining its readers and
 * aggregator, which never touch the store); threads that read at the same time open
 * connections of their own. The connection is opened without SQLite's
 * per-call mutex (SQLITE_OPEN_NOMUTEX).
 *
 * Not for: knowing what money means (src/cur, src/rate) or printing.
 */
#ifndef RB_STORE_H
#define RB_STORE_H

#include "util/err.h"

struct store;
struct sqlite3;

/* Opens (creating if needed) the database at path and migrates it forward.
 * A database newer than this program is an error (RB_EIO). */
int store_open(struct store **out, const char *path, struct rb_err *err);
/* Closes; accepts NULL. */
void store_free(struct store *s);


/* The schema version of an open store. */
int store_schema_version(struct store *s);

/* Transactions: store_begin starts an IMMEDIATE transaction, store_commit
 * ends it, store_rollback undoes it (and never fails). */
int store_begin(struct store *s, struct rb_err *err);
int store_commit(struct store *s, struct rb_err *err);
void store_rollback(struct store *s);

/* For the files under src/store/ only: the raw connection. */
struct sqlite3 *store_db_int(struct store *s);

/* For the files under src/store/ only: run sql (no results), filling err
 * with the SQLite message on failure (RB_EIO). */
int store_exec_int(struct store *s, const char *sql, struct rb_err *err);

/* Who makes the changes of this connection, for audit rows written without
 * an actor of their own (store_config_edit, period delete, invoice verbs):
 * the CLI sets the OS user, the web passes its user per change. NULL or ""
 * unsets it. store_actor returns actor when not NULL, else that default
 * (NULL when none). */
void store_set_actor(struct store *s, const char *actor);
const char *store_actor(const struct store *s, const char *actor);

/* Writes one audit_log row: source is the command ("invoice finalize",
 * "user add"), action what happened ("finalize", "create", ...), object e.g.
 * "document:INV-2026-00001" or "user:EMAIL", before/after JSON text (may be
 * NULL), actor the web user (NULL: store_set_actor's). */
int store_audit_add(struct store *s, const char *source, const char *action,
	const char *object, const char *before, const char *after, const char *actor,
	struct rb_err *err);

#endif
