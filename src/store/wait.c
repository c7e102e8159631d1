/*
 * wait.c: the busy handler that waits for another writer as long as the user
 * allows and says so (store_wait.h).
 */
#include "store/store_wait.h"

#include <sqlite3.h>
#include <time.h>

#include "util/banned.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* SQLite calls this while the lock is held elsewhere: count is 0 at the
 * start of each wait. Nonzero: try again. */
static int busy(void *arg, int count)
{
	struct store_wait *w = arg;
	struct timespec nap = { 0, 20 * 1000 * 1000 };

	if (count == 0) {
		w->start_ns_ = now_ns();
		if (w->seconds == 0)
			return 0;
		w->waited_++;
		if (w->notify)
			w->notify(w->arg, w->seconds);
	}
	if (w->seconds >= 0 &&
	    now_ns() - w->start_ns_ >= (uint64_t)w->seconds * 1000000000u) {
		w->waited_ = -1;   /* gave up */
		return 0;
	}
	if (count > 50)
		nap.tv_nsec = 100 * 1000 * 1000;
	nanosleep(&nap, NULL);
	return 1;
}

void store_set_wait(struct store *s, struct store_wait *w)
{
	sqlite3_busy_handler(store_db_int(s), busy, w);
}

int store_probe_writer(struct store *s, struct rb_err *err)
{
	int rc = store_begin(s, err);
	if (rc < 0)
		return rc;
	store_rollback(s);
	return 0;
}

int store_wait_gave_up(const struct store_wait *w)
{
	return w->waited_ < 0;
}

void store_release_wal(struct store *s)
{
	sqlite3 *db = store_db_int(s);
	sqlite3_stmt *st;

	store_rollback(s);
	while ((st = sqlite3_next_stmt(db, NULL)))   /* a failed statement left open */
		sqlite3_finalize(st);
	(void)sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
}
