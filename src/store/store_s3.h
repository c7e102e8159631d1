/*
 * store_s3.h: the record of what was imported from S3 (table s3_syncs,
 * schema v5): per month — a CUR manifest of a bucket — the assembly whose
 * files were imported, when, from which s3:// source, and how much. `rebill
 * sync` compares a manifest's current assembly with the last one recorded
 * to decide whether the month must be imported again.
 *
 * Not for: the facts themselves (store_facts.h), which the import writes.
 */
#ifndef RB_STORE_S3_H
#define RB_STORE_S3_H

#include <stdint.h>
#include <stddef.h>

#include "store/store.h"

struct store_s3_sync {
	const char *source;        /* s3://BUCKET/PREFIX as named */
	const char *bucket;
	const char *manifest_key;  /* "" for a prefix without manifests */
	const char *report;
	const char *period;        /* "YYYY-MM" or "" */
	const char *assembly_id;
	const char *action;        /* "new" | "changed" | "again" */
	int64_t files;
	int64_t bytes;
};

/* The assembly last recorded for (bucket, manifest_key) into *out (caller
 * frees), or NULL when none was. RB_EIO on a database error. */
int store_s3_last(char **out, struct store *s, const char *bucket, const char *manifest_key,
	struct rb_err *err);

/* Records n rows at `at` ("YYYY-MM-DDTHH:MM:SSZ") in one transaction. */
int store_s3_record(struct store *s, const char *at, const struct store_s3_sync *rows,
	size_t n, struct rb_err *err);

#endif
