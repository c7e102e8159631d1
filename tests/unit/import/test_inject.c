/*
 * test_inject.c: failure injection (STYLE.md, issue 10). An import is run
 * again and again with one fault armed — the Nth write of the database
 * files fails (a VFS shim over the default one), the Nth allocation inside
 * SQLite fails (SQLITE_CONFIG_MALLOC), the Nth SQLite progress step is
 * interrupted — for N = 1, 2, ... until the import completes. Each failed
 * run must return an error with a message, and the database, reopened
 * without faults, must hold exactly what it held before; the run that
 * completes must hold the new data. (rebill's own allocations abort on
 * failure by design, xalloc.h: they are not injected.) A fault that SQLite
 * survives (the import then succeeds) must leave the whole import there.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "import/import.h"
#include "store/store.h"
#include "util/banned.h"

/* ---- the fault ---- */

enum fault { F_NONE, F_WRITE, F_MALLOC, F_STEP };
static enum fault fault;
static long countdown;     /* the armed fault fires when this reaches 0 */
static long fired;

static int fire(enum fault f)
{
	if (fault != f || countdown <= 0)
		return 0;
	if (--countdown == 0) {
		fired++;
		return 1;
	}
	return 0;
}

/* ---- a VFS whose files' xWrite can fail ---- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;    /* follows this struct in the same block */
};
static sqlite3_io_methods shim_io;

#define REAL(f) (((struct shim_file *)(f))->real)

static int s_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int s_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int s_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	if (fire(F_WRITE))
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int s_truncate(sqlite3_file *f, sqlite3_int64 n) { return REAL(f)->pMethods->xTruncate(REAL(f), n); }
static int s_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int s_size(sqlite3_file *f, sqlite3_int64 *n) { return REAL(f)->pMethods->xFileSize(REAL(f), n); }
static int s_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int s_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int s_check(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int s_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int s_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int s_dev(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int s_shmmap(sqlite3_file *f, int i, int sz, int ext, void volatile **p) { return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, ext, p); }
static int s_shmlock(sqlite3_file *f, int off, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, fl); }
static void s_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int s_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
static int s_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int s_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static int s_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	struct shim_file *sf = (struct shim_file *)f;
	int rc;
	(void)v;
	sf->real = (sqlite3_file *)(sf + 1);
	rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out);
	f->pMethods = rc == SQLITE_OK && sf->real->pMethods ? &shim_io : NULL;
	return rc;
}

static void shim_install(void)
{
	static const sqlite3_io_methods io = {
		3, s_close, s_read, s_write, s_truncate, s_sync, s_size, s_lock, s_unlock, s_check,
		s_fcntl, s_sector, s_dev, s_shmmap, s_shmlock, s_shmbarrier, s_shmunmap, s_fetch,
		s_unfetch,
	};
	real_vfs = sqlite3_vfs_find(NULL);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "inject";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = s_open;
	shim_io = io;
	sqlite3_vfs_register(&shim_vfs, 1);
}

/* ---- SQLite's allocator, which can fail ---- */

static sqlite3_mem_methods real_mem;

static void *m_malloc(int n) { return fire(F_MALLOC) ? NULL : real_mem.xMalloc(n); }
static void m_free(void *p) { real_mem.xFree(p); }
static void *m_realloc(void *p, int n) { return fire(F_MALLOC) ? NULL : real_mem.xRealloc(p, n); }
static int m_size(void *p) { return real_mem.xSize(p); }
static int m_roundup(int n) { return real_mem.xRoundup(n); }
static int m_init(void *a) { return real_mem.xInit(a); }
static void m_shutdown(void *a) { real_mem.xShutdown(a); }

static void mem_install(void)
{
	static sqlite3_mem_methods m = {
		m_malloc, m_free, m_realloc, m_size, m_roundup, m_init, m_shutdown, NULL,
	};
	sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
	m.pAppData = real_mem.pAppData;
	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

/* The Nth progress callback (every 100 VM steps) interrupts the statement. */
static int on_progress(void *arg)
{
	(void)arg;
	return fire(F_STEP);
}

/* ---- the data and the database ---- */

static const char db_path[] = "inject.db";
static const char *const hdr =
	"bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
	"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,"
	"lineItem/ResourceId,lineItem/UnblendedCost,resourceTags/user:Env\n";

/* A CUR file: rows rows of payer, period 2026-MM, cost 0.01 each. */
static void write_cur(const char *path, const char *payer, int month, int rows, const char *tag)
{
	FILE *f = fopen(path, "w");
	int i;
	fputs(hdr, f);
	for (i = 0; i < rows; i++)
		fprintf(f, "%s,2026-%02d-01T00:00:00Z,2222222222%02d,Usage,2026-%02d-%02dT00:00:00Z,"
			"AmazonEC2,BoxUsage:t3.micro,i-%04d,0.01,%s%d\n", payer, month, i % 7, month,
			i % 28 + 1, i, tag, i % 5);
	fclose(f);
}

/* Everything the database holds, as one string (malloc'ed): every table's
 * rows in order, read through a fresh connection without faults. */
static char *db_state(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tabs = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	enum fault saved = fault;
	fault = F_NONE;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
		    -1, &tabs, NULL) != SQLITE_OK) {
		fprintf(m, "cannot read the database: %s", sqlite3_errmsg(db));
	} else {
		while (sqlite3_step(tabs) == SQLITE_ROW) {
			char sql[1024];
			sqlite3_stmt *st = NULL;
			int c, nc, w;
			/* every column in ORDER BY: a total order, whatever the plan */
			w = snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"",
				(const char *)sqlite3_column_text(tabs, 0));
			sqlite3_prepare_v2(db, sql, -1, &st, NULL);
			nc = st ? sqlite3_column_count(st) : 0;
			sqlite3_finalize(st);
			st = NULL;
			for (c = 0; c < nc && w < (int)sizeof(sql) - 16; c++)
				w += snprintf(sql + w, sizeof(sql) - (size_t)w, "%s%d", c ? ", " : " ORDER BY ", c + 1);
			sqlite3_prepare_v2(db, sql, -1, &st, NULL);
			fprintf(m, "[%s]\n", (const char *)sqlite3_column_text(tabs, 0));
			while (st && sqlite3_step(st) == SQLITE_ROW) {
				for (c = 0; c < sqlite3_column_count(st); c++) {
					const unsigned char *t = sqlite3_column_text(st, c);
					fprintf(m, "%s|", t ? (const char *)t : "NULL");
				}
				fputc('\n', m);
			}
			sqlite3_finalize(st);
		}
	}
	sqlite3_finalize(tabs);
	sqlite3_close(db);
	fclose(m);
	fault = saved;
	return out;
}

static int import_paths(const char *const *paths, size_t n, struct rb_err *err, int progress)
{
	struct store *s = NULL;
	struct ingest_file files[4];
	struct import_result res;
	struct import_options opt;
	size_t i;
	int rc;

	memset(&opt, 0, sizeof(opt));
	opt.source = &import_source_cur;
	opt.threads = 2;
	opt.imported_at = "2026-12-01T00:00:00Z";
	for (i = 0; i < n; i++) {
		files[i].path = (char *)paths[i];
		files[i].assembly_id = (char *)"";
		files[i].size = 0;
	}
	rb_err_clear(err);
	if ((rc = store_open(&s, db_path, err)) < 0)
		return rc;
	if (progress)
		sqlite3_progress_handler(store_db_int(s), 100, on_progress, NULL);
	rc = import_files(&res, s, files, n, &opt, err);
	if (rc == 0)
		import_result_release(&res);
	store_free(s);
	return rc;
}

static void setup(void);

/* Every N up to 63, then every stride-th ($INJECT_STRIDE; sanitizer builds
 * set it, where a full malloc sweep of ~5,600 imports takes too long). */
static long stride = 1;

static size_t slurp(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, got;
	char buf[65536];
	*out = NULL;
	while (f && (got = fread(buf, 1, sizeof(buf), f)) > 0) {
		*out = realloc(*out, n + got);
		memcpy(*out + n, buf, got);
		n += got;
	}
	if (f)
		fclose(f);
	return n;
}

/* Puts the baseline database back (it was closed cleanly: no WAL). */
static void restore(const char *data, size_t n)
{
	FILE *f = fopen(db_path, "wb");
	if (!f || fwrite(data, 1, n, f) != n)
		abort();
	fclose(f);
	unlink("inject.db-wal");
	unlink("inject.db-shm");
}

/* Sweeps fault f over N = 1, 2, ... ; returns the N at which it completed. */
static long sweep(enum fault f, long limit)
{
	const char *const base[] = { "base.csv" }, *next[] = { "restate.csv", "new.csv" };
	char *before, *after, *base_db = NULL;
	size_t base_len;
	long n;
	struct rb_err err;

	setup();
	if (getenv("INJECT_STRIDE")) {
		long v = strtol(getenv("INJECT_STRIDE"), NULL, 10);
		if (v > 0)
			stride = v;
	}
	unlink(db_path);
	fault = F_NONE;
	if (import_paths(base, 1, &err, 0) < 0) {
		printf("  baseline import failed: %s\n", err.msg);
		check_failed_++;
		return -1;
	}
	before = db_state();
	base_len = slurp(db_path, &base_db);
	for (n = 1; n <= limit; n += n < 64 ? 1 : stride) {
		int rc;
		restore(base_db, base_len);   /* every run starts from the baseline */
		fault = f;
		countdown = n;
		fired = 0;
		rc = import_paths(next, 2, &err, f == F_STEP);
		fault = F_NONE;
		if (!fired) {
			if (rc < 0) {
				printf("  N=%ld: failed with no fault: %s\n", n, err.msg);
				check_failed_++;
			}
			break;     /* the import completed before the Nth event */
		}
		after = db_state();
		if (rc == 0) {
			/* the fault hit after the COMMIT (e.g. the checkpoint at close):
			 * then the import must be wholly there */
			if (!strcmp(after, before)) {
				printf("  N=%ld: success reported, nothing written\n", n);
				check_failed_++;
			}
		} else {
			if (!err.msg[0]) {
				printf("  N=%ld: an error without a message\n", n);
				check_failed_++;
			}
			if (strcmp(after, before)) {
				size_t k = 0;
				while (after[k] && after[k] == before[k])
					k++;
				if (getenv("INJECT_DUMP")) {
					FILE *x = fopen("before.txt", "w"), *y = fopen("after.txt", "w");
					fputs(before, x);
					fputs(after, y);
					fclose(x);
					fclose(y);
				}
				printf("  N=%ld: failed (%s) but the database changed at '%.60s' (was '%.60s')\n",
					n, err.msg, after + k, before + k);
				check_failed_++;
				free(after);
				break;
			}
		}
		free(after);
	}
	after = db_state();
	if (!strcmp(after, before)) {
		printf("  the import never completed (N up to %ld)\n", n);
		check_failed_++;
	}
	free(after);
	free(before);
	free(base_db);
	printf("  fault %d: failed runs for N = 1..%ld, the import completed at N = %ld\n", (int)f,
		n - 1, n);
	return n;
}

static void setup(void)
{
	static int done;
	if (done++)
		return;
	mem_install();    /* before SQLite initializes */
	shim_install();
	write_cur("base.csv", "111111111111", 10, 40, "a");
	write_cur("restate.csv", "111111111111", 10, 60, "b");
	write_cur("new.csv", "333333333333", 11, 30, "c");
}

TEST(nth_write_fails) { sweep(F_WRITE, 100000); }
TEST(nth_sqlite_step_interrupted) { sweep(F_STEP, 100000); }
TEST(nth_sqlite_malloc_fails) { sweep(F_MALLOC, 1000000); }

static const struct check_case cases[] = {
	CASE(nth_write_fails), CASE(nth_sqlite_step_interrupted), CASE(nth_sqlite_malloc_fails),
};

CHECK_MAIN(cases)
