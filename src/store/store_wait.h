/*
 * store_wait.h: waiting for another writer, as long as the user allows.
 *
 * SQLite lets one connection write at a time. Without this, a second
 * import or `config apply` waited a fixed 5 s (the default busy timeout,
 * set by store_open) and then failed "database is locked" — after reading
 * all of its input. With store_set_wait a store waits up to `seconds` for
 * the other writer (0: not at all; STORE_WAIT_FOREVER: as long as it takes),
 * calling notify once each time it starts waiting, so the user is told what
 * is happening; store_probe_writer finds out before any input is read.
 *
 * Not for: readers — in WAL mode they never wait for a writer.
 */
#ifndef RB_STORE_WAIT_H
#define RB_STORE_WAIT_H

#include <stdint.h>

#include "store/store.h"

#define STORE_WAIT_DEFAULT 60        /* seconds, when the user says nothing */
#define STORE_WAIT_FOREVER (-1)

struct store_wait {
	int seconds;                                  /* as above */
	void (*notify)(void *arg, int seconds);      /* may be NULL */
	void *arg;
	uint64_t start_ns_;                           /* private */
	int waited_;                                  /* private: times it waited */
};

/* Installs w (owned by the caller, it must outlive s) as s's busy handler. */
void store_set_wait(struct store *s, struct store_wait *w);

/* Waits, under s's wait, until no other connection holds the write lock
 * (BEGIN IMMEDIATE, then ROLLBACK: nothing is written). Returns 0, or
 * RB_EIO naming the database and the time waited. */
int store_probe_writer(struct store *s, struct rb_err *err);

/* Whether the last error was another writer holding the lock past the wait
 * (for the message: "waited N s"). */
int store_wait_gave_up(const struct store_wait *w);

/* After a failed write (e.g. the disk is full): gives back the space the
 * write-ahead log took (PRAGMA wal_checkpoint(TRUNCATE)), so that a failed
 * import leaves no WAL behind; the database itself is as before. Never
 * fails (a busy or full database is left as it is). */
void store_release_wal(struct store *s);

#endif
