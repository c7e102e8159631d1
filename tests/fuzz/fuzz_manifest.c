/*
 * fuzz_manifest.c: libFuzzer target for manifest parsing and key resolution
 * (ingest_collect on a manifest, issue 10 item 4). The input is written as
 * the manifest "rep-Manifest.json" of a report folder tree/rep/ that holds a
 * data file; beside the tree lie outside.csv and tree/secret.csv. Whatever
 * the manifest says, ingest_collect must end in a list or an error (never a
 * crash), and no file it lists may resolve outside tree/rep/: the keys
 * "../outside.csv", "/abs/path" or "s3://b/../../x" must never escape.
 * Registered as `'manifest' : ingest_dep` in tests/fuzz/meson.build.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[PATH_MAX], tree[PATH_MAX + 32], manifest[PATH_MAX + 64];

static void put(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(data, 1, n, f) != n)
		abort();
	fclose(f);
}

static void remove_tree(void)
{
	static const char *const files[] = { "tree/rep/rep-Manifest.json", "tree/rep/rep-00001.csv",
		"tree/secret.csv", "outside.csv", "tree/rep", "tree", "" };
	char p[PATH_MAX + 64];
	size_t i;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		if (remove(p) != 0 && i + 1 == sizeof(files) / sizeof(files[0]))
			rmdir(root);
	}
}

static void setup(void)
{
	char p[PATH_MAX + 96];
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(root, sizeof(root), "%s/fuzz-manifest-XXXXXX", tmp);
	if (!mkdtemp(root))
		abort();
	{
		char real[PATH_MAX];
		if (!realpath(root, real))
			abort();
		memcpy(root, real, sizeof(root));
	}
	snprintf(p, sizeof(p), "%s/tree", root);
	mkdir(p, 0700);
	snprintf(tree, sizeof(tree), "%s/tree/rep", root);
	mkdir(tree, 0700);
	snprintf(p, sizeof(p), "%s/outside.csv", root);
	put(p, "x\n", 2);
	snprintf(p, sizeof(p), "%s/tree/secret.csv", root);
	put(p, "x\n", 2);
	snprintf(p, sizeof(p), "%s/rep-00001.csv", tree);
	put(p, "x\n", 2);
	snprintf(manifest, sizeof(manifest), "%s/rep-Manifest.json", tree);
	atexit(remove_tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_list list;
	struct rb_err err;
	const char *paths[1];
	size_t i, n = strlen(tree);

	if (!root[0])
		setup();
	put(manifest, data, size);
	paths[0] = manifest;
	if (ingest_collect(&list, paths, 1, &err) == 0) {
		for (i = 0; i < list.nfiles; i++) {
			char real[PATH_MAX];
			if (!realpath(list.files[i].path, real))
				abort();
			if (strncmp(real, tree, n) || real[n] != '/')
				abort();   /* a key escaped the report folder */
		}
		ingest_list_release(&list);
	} else if (!err.msg[0]) {
		abort();           /* an error must say what */
	}
	return 0;
}
