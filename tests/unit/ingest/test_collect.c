/* test_collect.c: input discovery (ingest_collect) over directory trees
 * built in a temporary directory: legacy CUR with two assemblies of one
 * period, CUR 2.0 data exports, plain folders, file arguments. */
#include "../check.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"

static char root[256];

static void mkdirs(const char *rel)
{
	char p[1024];
	size_t i, n;
	n = (size_t)snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (i = strlen(root) + 1; i <= n; i++) {
		if (p[i] == '/' || p[i] == '\0') {
			char c = p[i];
			p[i] = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				printf("  mkdir %s failed\n", p);
			p[i] = c;
		}
	}
}

static void put(const char *rel, const char *text)
{
	char p[1024], dir[1024];
	FILE *f;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdirs(dir);
	}
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static const char *path(const char *rel)
{
	static char p[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", root, rel);
	return p[k];
}

/* "assembly:relpath\n" per file, then "skip reason:relpath\n" per skipped
 * one, or "ERR text". */
static char out[8192];

static const char *collect(const char *const *rels, size_t n)
{
	struct ingest_list list;
	struct rb_err err;
	const char *paths[8];
	size_t i, len = 0, rl = strlen(root) + 1;

	for (i = 0; i < n; i++)
		paths[i] = strcmp(rels[i], ".") ? path(rels[i]) : root;
	/* path() keeps only 4 results: fine for these tests */
	out[0] = '\0';
	if (ingest_collect(&list, paths, n, &err)) {
		FILE *f = fmemopen(out, sizeof(out), "w");
		fputs("ERR ", f);
		rb_err_print(&err, f);
		fclose(f);
		out[strcspn(out, "\n")] = '\0';
		return out;
	}
	for (i = 0; i < list.nfiles; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s:%s\n",
			list.files[i].assembly_id,
			strlen(list.files[i].path) > rl ? list.files[i].path + rl : list.files[i].path);
	for (i = 0; i < list.nskipped; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "skip %s:%s\n",
			list.skipped[i].reason,
			strlen(list.skipped[i].path) > rl ? list.skipped[i].path + rl : list.skipped[i].path);
	ingest_list_release(&list);
	return out;
}

static void remove_root(void)
{
	char cmd[512];
	if (!root[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		printf("  cleanup of %s failed\n", root);
	root[0] = '\0';
}

static void fresh_root(void)
{
	static int registered;
	if (!registered)
		atexit(remove_root);
	registered = 1;
	remove_root();
	snprintf(root, sizeof(root), "%s/rebill-collect-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		printf("  mkdtemp failed\n");
}

#define LEGACY_MANIFEST(id, keys) \
	"{\"assemblyId\":\"" id "\",\"account\":\"111122223333\",\"columns\":[]," \
	"\"billingPeriod\":{\"start\":\"20261001T000000.000Z\",\"end\":\"20261101T000000.000Z\"}," \
	"\"bucket\":\"b\",\"reportKeys\":[" keys "],\"compression\":\"GZIP\"}"
#define P "cur/rep/20261001-20261101/"
#define K "pre/rep/20261001-20261101/"

TEST(legacy_two_assemblies)
{
	const char *args[] = { "cur" };

	fresh_root();
	put(P "rep-Manifest.json", LEGACY_MANIFEST("bbb", "\"" K "bbb/rep-00001.csv.gz\",\"" K "bbb/rep-00002.csv.gz\""));
	put(P "aaa/rep-Manifest.json", LEGACY_MANIFEST("aaa", "\"" K "aaa/rep-00001.csv.gz\""));
	put(P "aaa/rep-00001.csv.gz", "old");
	put(P "bbb/rep-Manifest.json", LEGACY_MANIFEST("bbb", "\"" K "bbb/rep-00001.csv.gz\",\"" K "bbb/rep-00002.csv.gz\""));
	put(P "bbb/rep-00001.csv.gz", "x");
	put(P "bbb/rep-00002.csv.gz", "y");
	put("cur/notes.txt", "n");
	put("cur/athena/x.snappy.parquet", "p");
	CHECK_STR(collect(args, 1),
		"bbb:" P "bbb/rep-00001.csv.gz\n"
		"bbb:" P "bbb/rep-00002.csv.gz\n"
		"skip superseded assembly:" P "aaa/rep-00001.csv.gz\n"
		"skip not listed by a manifest:cur/athena/x.snappy.parquet\n"
		"skip not a CUR file:cur/notes.txt\n");

	/* without the top-level pointer nothing says which assembly is current */
	unlink(path(P "rep-Manifest.json"));
	CHECK(!strncmp(collect(args, 1), "ERR ", 4));
	CHECK(strstr(out, "name different assemblies of report rep for period 20261001T000000.000Z") != NULL);

	/* one assembly folder alone is fine */
	unlink(path(P "aaa/rep-Manifest.json"));
	CHECK_STR(collect(args, 1),
		"bbb:" P "bbb/rep-00001.csv.gz\n"
		"bbb:" P "bbb/rep-00002.csv.gz\n"
		"skip not listed by a manifest:cur/athena/x.snappy.parquet\n"
		"skip not a CUR file:cur/notes.txt\n"
		"skip not listed by a manifest:" P "aaa/rep-00001.csv.gz\n");

	/* a manifest named as a file; the data file named too: read once */
	{
		const char *a2[] = { P "bbb/rep-Manifest.json", P "bbb/rep-00002.csv.gz" };
		CHECK_STR(collect(a2, 2),
			"bbb:" P "bbb/rep-00001.csv.gz\n"
			"bbb:" P "bbb/rep-00002.csv.gz\n");
	}

	/* a listed file that is missing */
	unlink(path(P "bbb/rep-00002.csv.gz"));
	{
		char want[1024];
		snprintf(want, sizeof(want), "ERR %s/" P "bbb/rep-Manifest.json: listed file "
			K "bbb/rep-00002.csv.gz not found", root);
		CHECK_STR(collect(args, 1), want);
	}
}

#define CUR2_MANIFEST(files) \
	"{\"bucket\":\"b\",\"executionId\":\"e-123\",\"exportName\":\"exp\"," \
	"\"billingPeriod\":{\"start\":\"2026-10-01T00:00:00.000Z\",\"end\":\"2026-11-01T00:00:00.000Z\"}," \
	"\"dataFiles\":[" files "]}"

TEST(cur2_export)
{
	const char *args[] = { "bucket" };

	fresh_root();
	put("bucket/exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", CUR2_MANIFEST(
		"\"s3://b/my/pre/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz\","
		"\"s3://b/my/pre/exp/data/BILLING_PERIOD=2026-10/exp-00002.csv.gz\""));
	put("bucket/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz", "a");
	put("bucket/exp/data/BILLING_PERIOD=2026-10/exp-00002.csv.gz", "b");
	put("bucket/exp/data/BILLING_PERIOD=2026-09/exp-00001.csv.gz", "old");
	CHECK_STR(collect(args, 1),
		"e-123:bucket/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz\n"
		"e-123:bucket/exp/data/BILLING_PERIOD=2026-10/exp-00002.csv.gz\n"
		"skip not listed by a manifest:bucket/exp/data/BILLING_PERIOD=2026-09/exp-00001.csv.gz\n");
	{
		const char *a2[] = { "bucket/exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json" };
		CHECK_STR(collect(a2, 1),
			"e-123:bucket/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz\n"
			"e-123:bucket/exp/data/BILLING_PERIOD=2026-10/exp-00002.csv.gz\n");
	}
	put("bucket/exp/metadata/BILLING_PERIOD=2026-11/exp-Manifest.json", "{\"dataFiles\": 3}");
	CHECK(strstr(collect(args, 1), "not a CUR manifest") != NULL);
	put("bucket/exp/metadata/BILLING_PERIOD=2026-11/exp-Manifest.json", "{\"dataFiles\": [");
	CHECK(strstr(collect(args, 1), "bad manifest") != NULL);
}

TEST(plain_folders)
{
	const char *args[] = { "d" }, *missing[] = { "nope.csv" };

	fresh_root();
	put("d/b/2.csv.gz", "x");
	put("d/a.csv", "x");
	put("d/b/1.csv", "x");
	put("d/.hidden.csv", "x");
	put("d/c.parquet", "x");
	CHECK_STR(collect(args, 1), ":d/a.csv\n:d/b/1.csv\n:d/b/2.csv.gz\n:d/c.parquet\n");
	CHECK(strstr(collect(missing, 1), "nope.csv: cannot open: No such file or directory") != NULL);
}

/* Manifests without their data files (the S3 import reads them first):
 * the top-level legacy manifest is current, the copies in assembly folders
 * are not; keys come back without s3://BUCKET/. */
TEST(manifests_read)
{
	struct ingest_manifest *ms = NULL;
	struct rb_err err;
	size_t n = 0;
	const char *paths[3];

	fresh_root();
	put(P "rep-Manifest.json", LEGACY_MANIFEST("bbb", "\"" K "bbb/rep-00001.csv.gz\""));
	put(P "aaa/rep-Manifest.json", LEGACY_MANIFEST("aaa", "\"" K "aaa/rep-00001.csv.gz\""));
	put("x/exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json", CUR2_MANIFEST(
		"\"s3://b/my/pre/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz\""));
	paths[0] = path(P "aaa/rep-Manifest.json");
	paths[1] = path(P "rep-Manifest.json");
	paths[2] = path("x/exp/metadata/BILLING_PERIOD=2026-10/exp-Manifest.json");
	CHECK_INT(ingest_manifests_read(&ms, &n, paths, 3, &err), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(ms[0].current, 0);
		CHECK_STR(ms[0].assembly_id, "aaa");
		CHECK_INT(ms[1].current, 1);
		CHECK_STR(ms[1].assembly_id, "bbb");
		CHECK_STR(ms[1].report, "rep");
		CHECK_STR(ms[1].period, "20261001T000000.000Z");
		CHECK_INT(ms[1].nkeys, 1);
		CHECK_STR(ms[1].keys[0], K "bbb/rep-00001.csv.gz");
		CHECK_INT(ms[2].current, 1);
		CHECK_STR(ms[2].assembly_id, "e-123");
		CHECK_STR(ms[2].period, "2026-10-01T00:00:00.000Z");
		CHECK_STR(ms[2].keys[0], "my/pre/exp/data/BILLING_PERIOD=2026-10/exp-00001.csv.gz");
	}
	ingest_manifests_free(ms, n);

	/* two assembly copies and no top-level manifest: which is current? */
	paths[1] = path(P "bbb/rep-Manifest.json");
	put(P "bbb/rep-Manifest.json", LEGACY_MANIFEST("bbb", "\"" K "bbb/rep-00001.csv.gz\""));
	CHECK(ingest_manifests_read(&ms, &n, paths, 2, &err) == RB_EINPUT);
	CHECK(strstr(err.msg, "name different assemblies") != NULL);
	CHECK(ms == NULL && n == 0);
}

static const struct check_case cases[] = {
	CASE(legacy_two_assemblies), CASE(cur2_export), CASE(plain_folders), CASE(manifests_read),
};

CHECK_MAIN(cases)
