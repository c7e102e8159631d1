/*
 * client.c: S3 requests over libcurl, signed by libcurl's own SigV4
 * (CURLOPT_AWS_SIGV4): ListObjectsV2 page by page and GetObject into a
 * temporary file renamed into place only once complete and checked.
 *
 * Secrets go to libcurl only (CURLOPT_PASSWORD, a request header); error
 * messages are built from the bucket, the key, the HTTP status and the
 * server's Code/Message, never from the request.
 *
 * Not for: parsing the XML (xml.c) or the configuration (config.c).
 */
#include "s3/s3.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define LIST_BODY_MAX ((size_t)64 << 20)   /* one ListObjectsV2 page (1000 keys) */
#define ERROR_BODY_MAX ((size_t)64 << 10)
#define URL_MAX 8192
#define S3_ATTEMPTS 3                      /* per request, transient failures only */
/* SHA-256 of the empty body: every request rebill makes is a GET */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct s3_client {
	struct s3_config cfg;
	char *sigv4;                  /* "aws:amz:REGION:s3" */
	volatile sig_atomic_t *stop;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int s3_client_new(struct s3_client **out, const struct s3_config *cfg,
	volatile sig_atomic_t *stop, struct rb_err *err)
{
	struct s3_client *c;
	struct strbuf sb;

	*out = NULL;
	pthread_once(&curl_once, init_curl);
	if (curl_init_rc != CURLE_OK)
		return rb_err_set(err, RB_EIO, "cannot initialize libcurl: %s",
			curl_easy_strerror(curl_init_rc));
	c = xcalloc(1, sizeof(*c));
	c->cfg.access_key = xstrdup(cfg->access_key);
	c->cfg.secret_key = xstrdup(cfg->secret_key);
	c->cfg.session_token = dup_or_null(cfg->session_token);
	c->cfg.region = xstrdup(cfg->region);
	c->cfg.endpoint = dup_or_null(cfg->endpoint);
	c->cfg.profile = dup_or_null(cfg->profile);
	c->stop = stop;
	strbuf_init(&sb, 64, 256);
	if (strbuf_addf(&sb, "aws:amz:%s:s3", c->cfg.region) < 0) {
		strbuf_release(&sb);
		s3_client_free(c);
		return rb_err_set(err, RB_EINPUT, "region name too long");
	}
	c->sigv4 = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);   /* detach leaves sb initialized */
	*out = c;
	return 0;
}

void s3_client_free(struct s3_client *c)
{
	if (!c)
		return;
	s3_config_release(&c->cfg);
	free(c->sigv4);
	free(c);
}

/* S3's UriEncode: every byte but A-Z a-z 0-9 - . _ ~ (and '/' in a path)
 * as %XX. The URL is then already canonical for SigV4. */
static int add_encoded(struct strbuf *sb, const char *s, int keep_slash)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int plain = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			(ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
			ch == '~' || (keep_slash && ch == '/');
		if (plain ? strbuf_addch(sb, ch) : strbuf_addf(sb, "%%%02X", ch))
			return -1;
	}
	return 0;
}

/* The URL of key (NULL: the bucket itself) with the query already encoded
 * and sorted by name. Path-style with an endpoint, virtual-hosted on AWS
 * (path-style on AWS for bucket names with dots, which TLS cannot match). */
static int make_url(struct strbuf *sb, const struct s3_client *c, const char *bucket,
	const char *key, const char *query)
{
	int ret;
	if (c->cfg.endpoint)
		ret = strbuf_addf(sb, "%s/", c->cfg.endpoint) || add_encoded(sb, bucket, 0);
	else if (strchr(bucket, '.'))
		ret = strbuf_addf(sb, "https://s3.%s.amazonaws.com/", c->cfg.region) ||
			add_encoded(sb, bucket, 0);
	else
		ret = strbuf_addf(sb, "https://%s.s3.%s.amazonaws.com", bucket, c->cfg.region);
	if (!ret && key)
		ret = strbuf_addch(sb, '/') || add_encoded(sb, key, 1);
	else if (!ret && !c->cfg.endpoint && !strchr(bucket, '.'))
		ret = strbuf_addch(sb, '/');
	if (!ret && query)
		ret = strbuf_addf(sb, "?%s", query);
	return ret ? -1 : 0;
}

/* One response: the body goes to `file` when the status is 200, else (an
 * error document) to `body`. */
struct xfer {
	CURL *h;
	FILE *file;
	struct strbuf body;
	uint64_t written;
	int overflow, write_failed;
	char etag[256];
	volatile sig_atomic_t *stop;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200 && x->file) {
		if (fwrite(p, 1, n, x->file) != n) {
			x->write_failed = errno ? errno : EIO;
			return 0;
		}
		x->written += n;
		return n;
	}
	if (strbuf_add(&x->body, p, n) < 0) {
		x->overflow = 1;
		return 0;
	}
	x->written += n;
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb, i, j;

	if (n > 5 && !strncasecmp(p, "etag:", 5)) {
		i = 5;
		while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '"'))
			i++;
		j = n;
		while (j > i && (p[j - 1] == '\r' || p[j - 1] == '\n' || p[j - 1] == ' ' ||
			p[j - 1] == '"'))
			j--;
		snprintf(x->etag, sizeof(x->etag), "%.*s", (int)(j - i), p + i);
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct xfer *x = arg;
	return x->stop && *x->stop ? 1 : 0;
}

/* Worth another attempt: a connection that failed or broke, a timeout, or
 * S3's 500/502/503/504 (InternalError, SlowDown). Not: a refusal (4xx), an
 * interrupt, a local write error. */
static int transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status == 500 || status == 502 || status == 503 || status == 504;
	case CURLE_COULDNT_CONNECT: case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING: case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Empties what an attempt received, for the next one; -1 when the
 * download file cannot be emptied (then no retry). */
static int xfer_restart(struct xfer *x)
{
	strbuf_reset(&x->body);
	x->written = 0;
	x->etag[0] = '\0';
	if (x->file && (fflush(x->file) || ftruncate(fileno(x->file), 0) ||
			fseek(x->file, 0, SEEK_SET)))
		return -1;
	return 0;
}

static void pause_for(int attempt, volatile sig_atomic_t *stop)
{
	struct timespec t = { 0, 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 10 * attempt && !(stop && *stop); i++)
		nanosleep(&t, NULL);
}

/* GETs url; what = "s3://bucket/key" for messages. With if_match the
 * request carries If-Match (the object must still be the listed one). */
static int perform(struct s3_client *c, struct xfer *x, const char *url, const char *what,
	const char *if_match, struct rb_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "", tries[32] = "";
	struct curl_slist *hdrs = NULL;
	struct strbuf line;
	long status = 0;
	CURLcode rc;
	int ret = 0, attempt;

	strbuf_init(&line, 64, 8192);
	x->h = curl_easy_init();
	if (!x->h) {
		ret = rb_err_set(err, RB_EIO, "%s: cannot create a libcurl handle", what);
		goto cleanup;
	}
	hdrs = curl_slist_append(hdrs, "x-amz-content-sha256: " EMPTY_SHA256);
	if (c->cfg.session_token) {
		if (strbuf_addf(&line, "x-amz-security-token: %s", c->cfg.session_token) < 0) {
			ret = rb_err_set(err, RB_EINPUT, "the session token is too long");
			goto cleanup;
		}
		hdrs = curl_slist_append(hdrs, line.buf);
		memset(line.buf, 0, line.len);
		strbuf_reset(&line);
	}
	if (if_match && *if_match) {
		if (strbuf_addf(&line, "If-Match: \"%s\"", if_match) < 0) {
			ret = rb_err_set(err, RB_EINPUT, "%s: ETag too long", what);
			goto cleanup;
		}
		hdrs = curl_slist_append(hdrs, line.buf);
	}
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(x->h, CURLOPT_AWS_SIGV4, c->sigv4);
	curl_easy_setopt(x->h, CURLOPT_USERNAME, c->cfg.access_key);
	curl_easy_setopt(x->h, CURLOPT_PASSWORD, c->cfg.secret_key);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(x->h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(x->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* a stalled transfer (under 1 byte/s for 2 minutes) is a failure */
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(x->h, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->h, CURLOPT_USERAGENT, "rebill/0.1");
	for (attempt = 1; ; attempt++) {
		errbuf[0] = '\0';
		rc = curl_easy_perform(x->h);
		status = 0;
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
		if (attempt >= S3_ATTEMPTS || !transient(rc, status) || (x->stop && *x->stop) ||
		    xfer_restart(x))
			break;
		/* S3 asks clients to retry 500/503 and broken connections, after
		 * a pause (1 s, then 2 s) that a signal cuts short */
		pause_for(attempt, x->stop);
	}
	if (attempt > 1)
		snprintf(tries, sizeof(tries), " (%d attempts)", attempt);
	if (rc == CURLE_ABORTED_BY_CALLBACK || (x->stop && *x->stop)) {
		ret = rb_err_set(err, RB_EIO, "%s: interrupted", what);
	} else if (rc == CURLE_WRITE_ERROR && x->overflow) {
		ret = rb_err_set(err, RB_EINPUT, "%s: response larger than %zu bytes", what,
			x->body.max);
	} else if (rc == CURLE_WRITE_ERROR && x->write_failed) {
		ret = rb_err_set(err, RB_EIO, "%s: cannot write the download: %s", what,
			strerror(x->write_failed));
	} else if (rc != CURLE_OK) {
		/* e.g. "transfer closed with 1234 bytes remaining to read" */
		ret = rb_err_set(err, RB_EIO, "%s: %s%s%s%s", what, curl_easy_strerror(rc),
			errbuf[0] ? ": " : "", errbuf, tries);
	} else if (status != 200) {
		char code[128], msg[512];
		s3_error_parse(code, sizeof(code), msg, sizeof(msg), x->body.buf, x->body.len);
		ret = rb_err_set(err, RB_EIO, "%s: HTTP %ld%s%s%s%s%s", what, status,
			code[0] ? " " : "", code, msg[0] ? ": " : "", msg, tries);
	}
cleanup:
	curl_slist_free_all(hdrs);
	if (x->h)
		curl_easy_cleanup(x->h);
	x->h = NULL;
	strbuf_release(&line);
	return ret;
}

static void xfer_init(struct xfer *x, struct s3_client *c, size_t body_max)
{
	memset(x, 0, sizeof(*x));
	strbuf_init(&x->body, 4096, body_max);
	x->stop = c->stop;
}

int s3_list(struct s3_listing *out, struct s3_client *c, const char *bucket,
	const char *prefix, struct rb_err *err)
{
	char *token = NULL;
	struct strbuf q, url, what;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	strbuf_init(&q, 256, URL_MAX);
	strbuf_init(&url, 256, URL_MAX);
	strbuf_init(&what, 256, URL_MAX);
	if (strbuf_addf(&what, "s3://%s/%s", bucket, prefix) < 0) {
		ret = rb_err_set(err, RB_EUSAGE, "S3 prefix too long");
		goto cleanup;
	}
	do {
		struct xfer x;
		char *next = NULL;

		strbuf_reset(&q);
		strbuf_reset(&url);
		/* parameters sorted by name, values encoded: the canonical query */
		if ((token && (strbuf_addstr(&q, "continuation-token=") ||
				add_encoded(&q, token, 0) || strbuf_addch(&q, '&'))) ||
		    strbuf_addstr(&q, "list-type=2&max-keys=1000&prefix=") ||
		    add_encoded(&q, prefix, 0) ||
		    make_url(&url, c, bucket, NULL, q.buf)) {
			ret = rb_err_set(err, RB_EUSAGE, "%s: URL too long", what.buf);
			goto cleanup;
		}
		xfer_init(&x, c, LIST_BODY_MAX);
		ret = perform(c, &x, url.buf, what.buf, NULL, err);
		if (!ret)
			ret = s3_list_parse(out, &next, x.body.buf, x.body.len, what.buf, err);
		strbuf_release(&x.body);
		out->pages++;
		free(token);
		token = next;
		if (ret)
			goto cleanup;
	} while (token);
cleanup:
	free(token);
	strbuf_release(&q);
	strbuf_release(&url);
	strbuf_release(&what);
	if (ret)
		s3_listing_release(out);
	return ret;
}

/* mkdir -p of the directory part of path. */
static int make_parents(const char *path, struct rb_err *err)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			ret = rb_err_at(err, RB_EIO, p, 0, 0, "cannot create directory: %s",
				strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

static char *with_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path) + strlen(suffix) + 1;
	char *s = xmalloc(n);
	snprintf(s, n, "%s%s", path, suffix);
	return s;
}

/* Does path hold obj: its size, and the ETag recorded in path.etag? */
static int cached(const char *path, const char *etag_path, const struct s3_object *obj)
{
	char buf[300];
	struct stat st;
	size_t n;
	FILE *f;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != obj->size ||
	    !obj->etag[0])
		return 0;
	if (!(f = fopen(etag_path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return !strcmp(buf, obj->etag);
}

/* Writes the ETag beside the file, atomically (a temporary name of its
 * own: two syncs sharing a cache may write the same ETag at once). */
static int write_etag(const char *etag_path, const char *etag, struct rb_err *err)
{
	char *tmp = with_suffix(etag_path, ".part-XXXXXX");
	int fd = mkstemp(tmp), ret = 0;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f || fputs(etag, f) < 0 || fclose(f)) {
		ret = rb_err_at(err, RB_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
		if (!f && fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(tmp);
	} else if (rename(tmp, etag_path)) {
		ret = rb_err_at(err, RB_EIO, etag_path, 0, 0, "cannot rename: %s", strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

int s3_get(struct s3_client *c, const char *bucket, const struct s3_object *obj,
	const char *path, int *fetched, struct rb_err *err)
{
	char *etag_path = with_suffix(path, ".etag"), *tmp = with_suffix(path, ".part-XXXXXX");
	struct strbuf url, what;
	struct xfer x;
	int fd = -1, ret = 0;

	*fetched = 0;
	xfer_init(&x, c, ERROR_BODY_MAX);
	strbuf_init(&url, 256, URL_MAX);
	strbuf_init(&what, 256, URL_MAX);
	if (strbuf_addf(&what, "s3://%s/%s", bucket, obj->key) < 0 ||
	    make_url(&url, c, bucket, obj->key, NULL)) {
		ret = rb_err_set(err, RB_EUSAGE, "S3 key too long: %.200s", obj->key);
		goto cleanup;
	}
	if (cached(path, etag_path, obj))
		goto cleanup;
	if ((ret = make_parents(path, err)))
		goto cleanup;
	fd = mkstemp(tmp);
	if (fd < 0 || !(x.file = fdopen(fd, "wb"))) {
		ret = rb_err_at(err, RB_EIO, tmp, 0, 0, "cannot create: %s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		fd = -1;
		goto cleanup;
	}
	fd = -1;
	ret = perform(c, &x, url.buf, what.buf, obj->etag, err);
	if (!ret && (fflush(x.file) || fsync(fileno(x.file))))
		ret = rb_err_at(err, RB_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
	if (fclose(x.file) && !ret)
		ret = rb_err_at(err, RB_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
	x.file = NULL;
	if (!ret && x.written != obj->size)
		ret = rb_err_set(err, RB_EIO, "%s: received %llu bytes, the listing says %llu",
			what.buf, (unsigned long long)x.written, (unsigned long long)obj->size);
	if (!ret && obj->etag[0] && x.etag[0] && strcmp(x.etag, obj->etag))
		ret = rb_err_set(err, RB_EIO, "%s: the object changed while it was read "
			"(ETag %s, listed %s); run again", what.buf, x.etag, obj->etag);
	/* the old ETag goes first: a crash between the two renames leaves a
	 * file without one, which is downloaded again */
	if (!ret && unlink(etag_path) && errno != ENOENT)
		ret = rb_err_at(err, RB_EIO, etag_path, 0, 0, "cannot remove: %s", strerror(errno));
	if (!ret && rename(tmp, path))
		ret = rb_err_at(err, RB_EIO, path, 0, 0, "cannot rename the download: %s",
			strerror(errno));
	if (ret) {
		unlink(tmp);
		goto cleanup;
	}
	*fetched = 1;
	if (obj->etag[0])
		ret = write_etag(etag_path, obj->etag, err);
cleanup:
	strbuf_release(&x.body);
	strbuf_release(&url);
	strbuf_release(&what);
	free(etag_path);
	free(tmp);
	return ret;
}
