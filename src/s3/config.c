/*
 * config.c: where S3 requests go and with which credentials (s3_config_load),
 * read as the AWS CLI reads them: the environment, then the shared
 * credentials and config files (INI). Also s3:// URI parsing.
 *
 * Not for: making requests (client.c). Nothing here prints a secret: error
 * messages name files, profiles and variables, never their values.
 */
#include "s3/s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"
#include "util/banned.h"

#define INI_MAX ((size_t)1 << 20)

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Is the section header `h` (without brackets, trimmed) the profile? In
 * the config file a profile other than default is "[profile NAME]"; the
 * credentials file uses "[NAME]"; both forms are accepted in both. */
static int section_is(const char *h, const char *profile)
{
	if (!strncmp(h, "profile", 7) && (h[7] == ' ' || h[7] == '\t')) {
		h += 8;
		while (*h == ' ' || *h == '\t')
			h++;
	}
	return !strcmp(h, profile);
}

int s3_ini_profile(const char *text, size_t len, const char *name, const char *profile,
	void (*set)(void *arg, const char *key, const char *value), void *arg,
	struct rb_err *err)
{
	size_t pos = 0;
	long lineno = 0;
	int in = 0, found = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *line = xstrndup(text + pos, n), *s, *eq;

		pos += n + (nl ? 1 : 0);
		lineno++;
		if (strlen(line) != n) {
			free(line);
			return rb_err_at(err, RB_EINPUT, name, lineno, 0, "NUL byte in line");
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';') {
			free(line);
			continue;
		}
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || *trim(close + 1)) {
				free(line);
				return rb_err_at(err, RB_EINPUT, name, lineno, 1, "bad section header");
			}
			*close = '\0';
			in = section_is(trim(s + 1), profile);
			found |= in;
			free(line);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			free(line);
			return rb_err_at(err, RB_EINPUT, name, lineno, 1,
				"expected 'key = value', a [section] or a comment");
		}
		*eq = '\0';
		/* indented lines continue a nested block (s3 = ...): ignored keys */
		if (in && line[0] != ' ' && line[0] != '\t')
			set(arg, trim(s), trim(eq + 1));
		free(line);
	}
	return found;
}

struct profile_vals {
	char *key_id, *secret, *token, *region, *endpoint;
};

static void take(char **slot, const char *v)
{
	if (*slot || !*v)
		return;
	*slot = xstrdup(v);
}

static void profile_set(void *arg, const char *key, const char *value)
{
	struct profile_vals *p = arg;
	if (!strcmp(key, "aws_access_key_id"))
		take(&p->key_id, value);
	else if (!strcmp(key, "aws_secret_access_key"))
		take(&p->secret, value);
	else if (!strcmp(key, "aws_session_token"))
		take(&p->token, value);
	else if (!strcmp(key, "region"))
		take(&p->region, value);
	else if (!strcmp(key, "endpoint_url"))
		take(&p->endpoint, value);
}

/* The file named by env var `var`, else ~/.aws/NAME; NULL when neither. */
static char *shared_file(const char *var, const char *name)
{
	const char *v = env(var), *home;
	struct strbuf sb;
	char *out;

	if (v)
		return xstrdup(v);
	if (!(home = env("HOME")))
		return NULL;
	strbuf_init(&sb, 64, 4096);
	if (strbuf_addf(&sb, "%s/.aws/%s", home, name) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	out = strbuf_detach(&sb, NULL);
	strbuf_release(&sb);   /* detach leaves sb initialized */
	return out;
}

/* Reads a profile from an INI file; a missing file is no profile. */
static int read_profile(struct profile_vals *p, const char *path, const char *profile,
	struct rb_err *err)
{
	struct strbuf sb;
	char buf[8192];
	FILE *f;
	size_t n;
	int ret = 0;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 :
			rb_err_at(err, RB_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	strbuf_init(&sb, sizeof(buf), INI_MAX);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(&sb, buf, n) < 0) {
			ret = rb_err_at(err, RB_EINPUT, path, 0, 0, "larger than 1 MiB");
			goto cleanup;
		}
	if (ferror(f)) {
		ret = rb_err_at(err, RB_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
		goto cleanup;
	}
	ret = s3_ini_profile(sb.buf, sb.len, path, profile, profile_set, p, err);
	if (ret > 0)
		ret = 0;
cleanup:
	fclose(f);
	strbuf_release(&sb);
	return ret;
}

static void vals_release(struct profile_vals *p)
{
	free(p->key_id);
	free(p->secret);
	free(p->token);
	free(p->region);
	free(p->endpoint);
	memset(p, 0, sizeof(*p));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int s3_config_load(struct s3_config *cfg, struct rb_err *err)
{
	struct profile_vals creds = { 0 }, conf = { 0 };
	char *cred_path = NULL, *conf_path = NULL;
	const char *profile = env("AWS_PROFILE"), *v;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!profile)
		profile = "default";
	cred_path = shared_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	conf_path = shared_file("AWS_CONFIG_FILE", "config");
	if ((ret = read_profile(&creds, cred_path, profile, err)) < 0 ||
	    (ret = read_profile(&conf, conf_path, profile, err)) < 0)
		goto cleanup;
	cfg->profile = xstrdup(profile);
	if (env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
		cfg->access_key = xstrdup(env("AWS_ACCESS_KEY_ID"));
		cfg->secret_key = xstrdup(env("AWS_SECRET_ACCESS_KEY"));
		cfg->session_token = dup_or_null(env("AWS_SESSION_TOKEN"));
	} else if (creds.key_id && creds.secret) {
		cfg->access_key = xstrdup(creds.key_id);
		cfg->secret_key = xstrdup(creds.secret);
		cfg->session_token = dup_or_null(creds.token);
	} else if (conf.key_id && conf.secret) {
		cfg->access_key = xstrdup(conf.key_id);
		cfg->secret_key = xstrdup(conf.secret);
		cfg->session_token = dup_or_null(conf.token);
	} else {
		ret = rb_err_set(err, RB_EINPUT, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
			"AWS_SECRET_ACCESS_KEY, or aws_access_key_id and aws_secret_access_key in "
			"profile '%s' of %s", profile, cred_path ? cred_path : "~/.aws/credentials");
		goto cleanup;
	}
	if ((v = env("AWS_REGION")) || (v = env("AWS_DEFAULT_REGION")))
		cfg->region = xstrdup(v);
	else
		cfg->region = xstrdup(conf.region ? conf.region : creds.region ? creds.region :
			"us-east-1");
	if ((v = env("AWS_ENDPOINT_URL_S3")) || (v = env("AWS_ENDPOINT_URL")))
		cfg->endpoint = xstrdup(v);
	else
		cfg->endpoint = dup_or_null(conf.endpoint);
	if (cfg->endpoint) {
		size_t n = strlen(cfg->endpoint);
		if (strncmp(cfg->endpoint, "http://", 7) && strncmp(cfg->endpoint, "https://", 8)) {
			ret = rb_err_set(err, RB_EINPUT, "S3 endpoint '%s' is not an http:// or https:// URL",
				cfg->endpoint);
			goto cleanup;
		}
		while (n > 0 && cfg->endpoint[n - 1] == '/')
			cfg->endpoint[--n] = '\0';
	}
	ret = 0;
cleanup:
	vals_release(&creds);
	vals_release(&conf);
	free(cred_path);
	free(conf_path);
	if (ret < 0)
		s3_config_release(cfg);
	return ret;
}

void s3_config_release(struct s3_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->access_key);
	if (cfg->secret_key)
		memset(cfg->secret_key, 0, strlen(cfg->secret_key));
	free(cfg->secret_key);
	if (cfg->session_token)
		memset(cfg->session_token, 0, strlen(cfg->session_token));
	free(cfg->session_token);
	free(cfg->region);
	free(cfg->endpoint);
	free(cfg->profile);
	memset(cfg, 0, sizeof(*cfg));
}

/* S3 bucket naming rules: 3-63 of [a-z0-9.-], starting and ending with a
 * letter or digit (older buckets may hold upper case and '_': accepted). */
static int bucket_ok(const char *b, size_t n)
{
	size_t i;
	if (n < 3 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = b[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_'))
			return 0;
	}
	return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

int s3_uri_parse(char **bucket, char **prefix, const char *uri, struct rb_err *err)
{
	const char *b, *slash;
	size_t n;

	*bucket = *prefix = NULL;
	if (strncmp(uri, "s3://", 5))
		return rb_err_set(err, RB_EUSAGE, "'%s' is not an s3:// URI", uri);
	b = uri + 5;
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	if (!bucket_ok(b, n))
		return rb_err_set(err, RB_EUSAGE, "'%s': bad bucket name; expected s3://BUCKET/PREFIX",
			uri);
	*bucket = xstrndup(b, n);
	*prefix = xstrdup(slash ? slash + 1 : "");
	return 0;
}
