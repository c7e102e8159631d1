/*
 * fuzz_config_preview.c: libFuzzer target for `config apply` then invoice
 * preview and reconciliation through a real database (issue 10). Once, a
 * SQLite file in a temporary folder gets a small CUR month (two payers,
 * accounts 111111111111 and 222222222222). Each input is applied as the
 * configuration; whatever it is, apply must accept it or refuse it with a
 * problem list, and once accepted, preview and reconcile must not crash,
 * must never report an imbalance (RB_EBALANCE) or a database error, and any
 * refusal must say why. Registered in tests/fuzz/meson.build.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/check.h"
#include "import/import.h"
#include "report/report.h"
#include "store/store_config.h"
#include "util/period.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[PATH_MAX], cfg[PATH_MAX + 16], cur[PATH_MAX + 16], db[PATH_MAX + 16];
static struct store *s;

static void cleanup(void)
{
	store_free(s);
	unlink(cfg);
	unlink(cur);
	unlink(db);
	{
		char side[sizeof(db) + 8];
		snprintf(side, sizeof(side), "%s-wal", db);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", db);
		unlink(side);
	}
	rmdir(dir);
}

static void setup(void)
{
	struct ingest_file file;
	struct import_options opt;
	struct import_result res;
	struct rb_err err;
	FILE *f;
	int i;

	snprintf(dir, sizeof(dir), "%s/fuzz-preview-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
	snprintf(cfg, sizeof(cfg), "%s/c.json", dir);
	snprintf(cur, sizeof(cur), "%s/cur.csv", dir);
	snprintf(db, sizeof(db), "%s/f.db", dir);
	f = fopen(cur, "w");
	if (!f)
		abort();
	fputs("bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
		"lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,"
		"product/region,lineItem/UnblendedCost,pricing/publicOnDemandCost\n", f);
	for (i = 0; i < 40; i++)
		fprintf(f, "%s,2026-10-01T00:00:00Z,%s,%s,2026-10-%02dT00:00:00Z,%s,Box%d,eu-west-1,%s,1.5\n",
			i % 2 ? "999999999999" : "888888888888", i % 3 ? "111111111111" : "222222222222",
			i % 7 == 0 ? "Credit" : i % 11 == 0 ? "Tax" : i % 13 == 0 ? "Fee" : "Usage",
			i % 28 + 1, i % 5 ? "AmazonEC2" : "AmazonS3", i % 4,
			i % 7 == 0 ? "-0.25" : "1.2345678901");
	fclose(f);
	if (store_open(&s, db, &err) < 0)
		abort();
	memset(&opt, 0, sizeof(opt));
	opt.source = &import_source_cur;
	opt.threads = 1;
	opt.imported_at = "2026-11-01T00:00:00Z";
	file.path = cur;
	file.assembly_id = (char *)"";
	file.size = 0;
	if (import_files(&res, s, &file, 1, &opt, &err) < 0)
		abort();
	import_result_release(&res);
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_result r;
	struct report_invoices *inv = NULL;
	struct report_reconcile *rec = NULL;
	struct rb_err err;
	int period, rc;
	FILE *f;

	if (!s)
		setup();
	f = fopen(cfg, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size))
		abort();
	fclose(f);
	config_result_init(&r);
	rb_err_clear(&err);
	rc = store_config_apply_file(s, cfg, STORE_APPLY_REPLACE, &r, &err);
	if (rc == RB_EIO)
		abort();            /* a document cannot break the database */
	if (rc < 0 && !err.msg[0])
		abort();
	config_result_release(&r);
	if (rc < 0)
		return 0;
	period_parse(&period, "2026-10", 7);
	rb_err_clear(&err);
	rc = report_invoices(&inv, s, period, NULL, &err);
	if (rc == RB_EBALANCE || rc == RB_EIO || (rc < 0 && !err.msg[0]))
		abort();
	report_invoices_free(inv);
	rb_err_clear(&err);
	rc = report_reconcile(&rec, s, period, &err);
	if (rc == RB_EBALANCE || rc == RB_EIO || (rc < 0 && !err.msg[0]))
		abort();
	report_reconcile_free(rec);
	return 0;
}
