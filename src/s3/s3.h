/*
 * s3.h: reading objects from Amazon S3 (or anything that speaks its REST
 * API): listing a prefix (ListObjectsV2, every page) and downloading an
 * object into a local file, with libcurl's built-in SigV4 signing.
 *
 * Invariants: a secret (secret access key, session token) is never put in
 * a URL, an argv, a log line or an error message; it travels only to
 * libcurl (CURLOPT_PASSWORD, the x-amz-security-token header). A download
 * goes to a temporary name next to its destination and is renamed into
 * place only when complete, with the size and ETag the listing gave: a
 * partial file never has the destination's name.
 *
 * Errors: RB_EIO for the network and for every refusal of the server (the
 * message names s3://BUCKET/KEY, the HTTP status and the server's Code and
 * Message), RB_EINPUT for an unusable configuration (no credentials, a
 * bad endpoint) or a response that is not S3's XML, RB_EUSAGE for a bad
 * s3:// URI.
 *
 * Not for: CUR manifests or importing (src/s3/sync.h).
 */
#ifndef RB_S3_H
#define RB_S3_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Where requests go and how they are signed; see s3_config_load. */
struct s3_config {
	char *access_key;     /* AWS_ACCESS_KEY_ID or the profile's */
	char *secret_key;     /* secret: never printed */
	char *session_token;  /* secret or NULL */
	char *region;         /* e.g. "us-east-1" */
	char *endpoint;       /* "http://127.0.0.1:9000" (path-style), or NULL: AWS */
	char *profile;        /* the profile used, for messages */
};

/* Fills cfg the way the AWS CLI does, from the environment:
 * AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
 * profile AWS_PROFILE (default "default") of the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials), else of the
 * config file (AWS_CONFIG_FILE, default ~/.aws/config, "[profile NAME]").
 * Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's "region" in the
 * config file, else us-east-1. Endpoint: AWS_ENDPOINT_URL_S3, else
 * AWS_ENDPOINT_URL, else the profile's "endpoint_url"; with an endpoint
 * requests are path-style (ENDPOINT/BUCKET/KEY). No credentials is
 * RB_EINPUT. Release with s3_config_release. */
int s3_config_load(struct s3_config *cfg, struct rb_err *err);
void s3_config_release(struct s3_config *cfg);

/* Reads one profile's keys from an INI text (the AWS shared files): the
 * section "[NAME]" or "[profile NAME]". Calls set(arg, key, value) for each
 * "key = value" of it; returns 1 when the section exists, 0 when not,
 * RB_EINPUT (err naming name:LINE) for a line that is none of a section, an
 * assignment, a comment or blank. For s3_config_load and fuzzing. */
int s3_ini_profile(const char *text, size_t len, const char *name, const char *profile,
	void (*set)(void *arg, const char *key, const char *value), void *arg,
	struct rb_err *err);

/* "s3://BUCKET/PREFIX" -> bucket and prefix ("" when none); RB_EUSAGE when
 * not an s3:// URI with a valid bucket name. */
int s3_uri_parse(char **bucket, char **prefix, const char *uri, struct rb_err *err);

struct s3_object {
	char *key;
	char *etag;           /* as listed, with its quotes stripped */
	uint64_t size;
};

struct s3_listing {
	struct s3_object *objs;   /* in the server's order (UTF-8 binary order) */
	size_t n;
	size_t pages;             /* ListObjectsV2 requests made */
};

/* One page of a ListObjectsV2 response body, appended to out. *next is set
 * to the NextContinuationToken (caller frees) when IsTruncated is true,
 * else NULL. Not S3's XML, or truncated without a token: RB_EINPUT naming
 * `name`. For s3_list and fuzzing. */
int s3_list_parse(struct s3_listing *out, char **next, const char *xml, size_t len,
	const char *name, struct rb_err *err);

/* S3's error document "<Error><Code>..</Code><Message>..</Message>": fills
 * code and message (empty when absent or not XML). */
void s3_error_parse(char *code, size_t codesz, char *msg, size_t msgsz, const char *xml,
	size_t len);

void s3_listing_release(struct s3_listing *l);

struct s3_client;

/* A client over cfg (copied). stop, when not NULL, is polled during
 * transfers: once it is non-zero they fail with RB_EIO "interrupted". */
int s3_client_new(struct s3_client **out, const struct s3_config *cfg,
	volatile sig_atomic_t *stop, struct rb_err *err);
void s3_client_free(struct s3_client *c);

/* Lists every object under prefix, following continuation tokens. */
int s3_list(struct s3_listing *out, struct s3_client *c, const char *bucket,
	const char *prefix, struct rb_err *err);

/* Downloads obj into path unless path already holds it (its size and the
 * ETag recorded beside it, in path + ".etag", match obj). *fetched is set
 * to 1 when it was downloaded. The directories of path are created. On any
 * failure path is left as it was and no temporary file remains. */
int s3_get(struct s3_client *c, const char *bucket, const struct s3_object *obj,
	const char *path, int *fetched, struct rb_err *err);

#endif
