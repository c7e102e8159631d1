/*
 * sync.h: CUR from S3 — which objects of s3://BUCKET/PREFIX make the
 * current version of each month, fetched into a local cache, handed to the
 * ordinary import (src/import) as local files, and recorded (store_s3.h).
 *
 * A plan: list the prefix (every page); fetch its CUR manifests (legacy
 * "REPORT-Manifest.json" and CUR 2.0 metadata manifests); keep, per report
 * and period, the current one (ingest_manifests_read: the rule of a local
 * import); fetch the data files each current manifest lists into
 * CACHE/BUCKET/KEY (skipped when the cached file has the listed size and
 * ETag); list them with ingest_collect for import_files. A prefix without
 * manifests is one unit: all its CSV/CSV.gz objects. With changed_only
 * (`rebill sync`), a month whose manifest names the assembly recorded last
 * for it is left out: nothing of it is fetched or imported.
 *
 * Nothing is imported until every file of the plan is complete: a failed
 * download fails the plan, which leaves the database unchanged (s3.h: a
 * partial download never has its final name).
 *
 * Not for: HTTP (s3.h) or printing (src/cli).
 */
#ifndef RB_S3_SYNC_H
#define RB_S3_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "import/import.h"
#include "ingest/ingest.h"
#include "s3/s3.h"
#include "store/store.h"

enum s3sync_state {
	S3SYNC_NEW,         /* never imported from this manifest */
	S3SYNC_CHANGED,     /* another assembly than the one imported last */
	S3SYNC_UNCHANGED,   /* the one imported last: left out (changed_only) */
	S3SYNC_AGAIN,       /* the one imported last, imported again (import) */
};

struct s3sync_month {
	char *manifest_key;    /* "" for a prefix without manifests */
	char *report;
	char period[8];        /* "YYYY-MM", "" when not known */
	char *assembly_id;     /* of the manifest, or a digest of keys and ETags */
	char *previous;        /* the assembly recorded last, NULL when none */
	enum s3sync_state state;
	size_t nfiles;         /* data files of the month */
	uint64_t bytes;
};

struct s3sync_plan {
	char *source;          /* "s3://BUCKET/PREFIX" */
	char *bucket, *prefix;
	char *mirror;          /* CACHE/BUCKET: key K is cached at mirror/K */
	struct s3sync_month *months;
	size_t nmonths;
	struct ingest_list list;   /* what to import (local paths), may be empty */
	size_t nobjects;       /* objects listed */
	size_t nunread;        /* data objects (.csv, .csv.gz, .parquet) that no
	                        * current manifest lists: older assemblies, or
	                        * files beside the reports; not read */
	size_t pages;          /* ListObjectsV2 requests */
	size_t nfetched;       /* objects downloaded (the others were cached) */
	uint64_t fetched_bytes;
	char **keep;           /* the data keys of every current month (those
	                        * left out by changed_only too), sorted */
	size_t nkeep;
};

struct s3sync_options {
	const char *cache_dir; /* NULL: $XDG_CACHE_HOME/rebill/s3, else ~/.cache/rebill/s3 */
	int changed_only;      /* sync: leave out months imported at their assembly */
};

/* Makes the plan for uri (fetching what it needs). On failure *out is
 * empty; errors name s3:// objects, never cache paths. */
int s3sync_plan_make(struct s3sync_plan *out, struct store *s, struct s3_client *c,
	const char *uri, const struct s3sync_options *opt, struct rb_err *err);
void s3sync_plan_release(struct s3sync_plan *p);

/* After a successful import_files of p->list: records each month imported
 * (all but S3SYNC_UNCHANGED) at `at`, in one transaction. */
int s3sync_plan_record(struct store *s, const struct s3sync_plan *p, const char *at,
	struct rb_err *err);

/* Prunes the cache after a successful import of p (`--keep-cache` skips
 * it): removes from p->mirror every cached data object (.csv, .csv.gz,
 * .gz, .parquet, with its .etag) whose key is under p's prefix and is not
 * a data file of a current month, i.e. the files of superseded assemblies
 * and of objects no longer in the bucket, and the folders that leaves
 * empty. Manifests stay (each round fetches them anyway, unless cached),
 * as do downloads under way (.part-) and anything outside the prefix.
 * out counts what was removed. RB_EIO when a file cannot be removed. */
struct s3sync_pruned {
	size_t files;
	uint64_t bytes;
};
int s3sync_prune(const struct s3sync_plan *p, struct s3sync_pruned *out, struct rb_err *err);

/* Replaces cache paths in err (file and message) by the s3:// names of the
 * objects, so messages name what the user knows (p->list.skipped already
 * holds s3:// names). */
void s3sync_rename_err(const struct s3sync_plan *p, struct rb_err *err);

#endif
