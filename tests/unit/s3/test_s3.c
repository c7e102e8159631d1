/* test_s3.c: the parts of src/s3 that need no server: the AWS shared-file
 * INI reader, credentials and region resolution from the environment and
 * files, s3:// URIs, ListObjectsV2 pages and S3 error documents. */
#include "../check.h"

#include <stdlib.h>
#include <unistd.h>

#include "s3/s3.h"

struct kv {
	char text[512];
};

static void collect_kv(void *arg, const char *key, const char *value)
{
	struct kv *k = arg;
	size_t n = strlen(k->text);
	snprintf(k->text + n, sizeof(k->text) - n, "%s=%s;", key, value);
}

TEST(ini_profile)
{
	static const char ini[] =
		"# comment\n"
		"[default]\n"
		"aws_access_key_id = AKDEF\n"
		"\n"
		"[profile billing]\n"
		"region=eu-west-1\r\n"
		"s3 =\n"
		"  endpoint_url = http://nested\n"
		"; another comment\n"
		"aws_secret_access_key =  a/b+c=  \n"
		"[other]\n"
		"region = us-west-2\n";
	struct kv k = { "" };
	struct rb_err err;

	CHECK_INT(s3_ini_profile(ini, sizeof(ini) - 1, "config", "billing", collect_kv, &k, &err), 1);
	/* the indented key belongs to the nested "s3 =" block: not the profile's */
	CHECK_STR(k.text, "region=eu-west-1;s3=;aws_secret_access_key=a/b+c=;");
	k.text[0] = '\0';
	CHECK_INT(s3_ini_profile(ini, sizeof(ini) - 1, "config", "default", collect_kv, &k, &err), 1);
	CHECK_STR(k.text, "aws_access_key_id=AKDEF;");
	CHECK_INT(s3_ini_profile(ini, sizeof(ini) - 1, "config", "nope", collect_kv, &k, &err), 0);
	CHECK_INT(s3_ini_profile("[a]\nnot an assignment\n", 22, "credentials", "a", collect_kv, &k,
		&err), RB_EINPUT);
	CHECK_STR(err.file, "credentials");
	CHECK_INT(err.line, 2);
	CHECK_INT(s3_ini_profile("[a\n", 3, "c", "a", collect_kv, &k, &err), RB_EINPUT);
	CHECK_INT(s3_ini_profile("a=1\0b=2\n", 8, "c", "a", collect_kv, &k, &err), RB_EINPUT);
}

static char dir[256];

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

static void env_reset(void)
{
	static const char *const vars[] = { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3" };
	char p[512];
	size_t i;
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(p, sizeof(p), "%s/credentials", dir);
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	snprintf(p, sizeof(p), "%s/config", dir);
	setenv("AWS_CONFIG_FILE", p, 1);
}

TEST(config_load)
{
	struct s3_config cfg;
	struct rb_err err;

	snprintf(dir, sizeof(dir), "%s/rebill-s3-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	env_reset();
	/* no credentials anywhere: an error that names where it looked */
	CHECK_INT(s3_config_load(&cfg, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "no AWS credentials") != NULL);
	CHECK(strstr(err.msg, "profile 'default'") != NULL);

	write_file("credentials", "[default]\naws_access_key_id = AKFILE\n"
		"aws_secret_access_key = SECRETFILE\n[ops]\naws_access_key_id = AKOPS\n"
		"aws_secret_access_key = SECRETOPS\naws_session_token = TOKOPS\n");
	write_file("config", "[default]\nregion = ap-south-1\n[profile ops]\nregion = eu-central-1\n"
		"endpoint_url = http://127.0.0.1:9000/\n");
	CHECK_INT(s3_config_load(&cfg, &err), 0);
	CHECK_STR(cfg.access_key, "AKFILE");
	CHECK_STR(cfg.secret_key, "SECRETFILE");
	CHECK(cfg.session_token == NULL);
	CHECK_STR(cfg.region, "ap-south-1");
	CHECK(cfg.endpoint == NULL);
	s3_config_release(&cfg);

	setenv("AWS_PROFILE", "ops", 1);
	CHECK_INT(s3_config_load(&cfg, &err), 0);
	CHECK_STR(cfg.access_key, "AKOPS");
	CHECK_STR(cfg.session_token, "TOKOPS");
	CHECK_STR(cfg.region, "eu-central-1");
	CHECK_STR(cfg.endpoint, "http://127.0.0.1:9000");
	s3_config_release(&cfg);

	/* the environment wins over the files */
	setenv("AWS_ACCESS_KEY_ID", "AKENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	setenv("AWS_ENDPOINT_URL", "http://a", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3.local:1/", 1);
	CHECK_INT(s3_config_load(&cfg, &err), 0);
	CHECK_STR(cfg.access_key, "AKENV");
	CHECK(cfg.session_token == NULL);
	CHECK_STR(cfg.region, "us-west-1");
	CHECK_STR(cfg.endpoint, "http://s3.local:1");
	s3_config_release(&cfg);
	setenv("AWS_REGION", "eu-north-1", 1);
	setenv("AWS_ENDPOINT_URL_S3", "ftp://x", 1);
	CHECK_INT(s3_config_load(&cfg, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "not an http") != NULL);
	CHECK(strstr(err.msg, "SECRET") == NULL);

	/* a broken credentials file names its line */
	env_reset();
	write_file("credentials", "[default]\nwhat is this\n");
	CHECK_INT(s3_config_load(&cfg, &err), RB_EINPUT);
	CHECK_INT(err.line, 2);
	{
		char p[512];
		snprintf(p, sizeof(p), "%s/credentials", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/config", dir);
		unlink(p);
		rmdir(dir);
	}
}

TEST(uri_parse)
{
	char *b, *p;
	struct rb_err err;

	CHECK_INT(s3_uri_parse(&b, &p, "s3://my-bucket/cur/reports/", &err), 0);
	CHECK_STR(b, "my-bucket");
	CHECK_STR(p, "cur/reports/");
	free(b);
	free(p);
	CHECK_INT(s3_uri_parse(&b, &p, "s3://my.bucket.eu", &err), 0);
	CHECK_STR(b, "my.bucket.eu");
	CHECK_STR(p, "");
	free(b);
	free(p);
	CHECK_INT(s3_uri_parse(&b, &p, "s3://", &err), RB_EUSAGE);
	CHECK_INT(s3_uri_parse(&b, &p, "s3://ab/x", &err), RB_EUSAGE);
	CHECK_INT(s3_uri_parse(&b, &p, "s3://-bucket/x", &err), RB_EUSAGE);
	CHECK_INT(s3_uri_parse(&b, &p, "s3://bu cket/x", &err), RB_EUSAGE);
	CHECK_INT(s3_uri_parse(&b, &p, "http://bucket/x", &err), RB_EUSAGE);
	CHECK(b == NULL && p == NULL);
}

TEST(list_parse)
{
	static const char page1[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Name>b</Name><IsTruncated>true</IsTruncated>"
		"<NextContinuationToken>tok/+=</NextContinuationToken>"
		"<Contents><Key>a/x &amp; y.csv</Key><ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>"
		"<Contents><Key>a/big.csv.gz</Key><ETag>\"d41d8cd9-3\"</ETag><Size>18446744073709551615</Size></Contents>"
		"</ListBucketResult>";
	static const char page2[] =
		"<ListBucketResult><IsTruncated>false</IsTruncated>"
		"<Contents><Key>b</Key><Size>0</Size></Contents></ListBucketResult>";
	struct s3_listing l = { 0 };
	struct rb_err err;
	char *next = NULL;

	CHECK_INT(s3_list_parse(&l, &next, page1, sizeof(page1) - 1, "s3://b/", &err), 0);
	CHECK_STR(next, "tok/+=");
	free(next);
	CHECK_INT(s3_list_parse(&l, &next, page2, sizeof(page2) - 1, "s3://b/", &err), 0);
	CHECK(next == NULL);
	CHECK_INT(l.n, 3);
	if (l.n == 3) {
		CHECK_STR(l.objs[0].key, "a/x & y.csv");
		CHECK_STR(l.objs[0].etag, "abc");
		CHECK_INT(l.objs[0].size, 12);
		CHECK_STR(l.objs[1].etag, "d41d8cd9-3");
		CHECK(l.objs[1].size == UINT64_MAX);
		CHECK_STR(l.objs[2].etag, "");
	}
	s3_listing_release(&l);

	CHECK_INT(s3_list_parse(&l, &next, "<Error/>", 8, "s3://b/", &err), RB_EINPUT);
	CHECK_STR(err.file, "s3://b/");
	CHECK_INT(s3_list_parse(&l, &next, "not xml", 7, "s3://b/", &err), RB_EINPUT);
	CHECK_INT(s3_list_parse(&l, &next,
		"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", 68, "n", &err),
		RB_EINPUT);
	CHECK(strstr(err.msg, "NextContinuationToken") != NULL);
	s3_listing_release(&l);
	CHECK_INT(s3_list_parse(&l, &next,
		"<ListBucketResult><Contents><Key>k</Key><Size>1x</Size></Contents></ListBucketResult>",
		85, "n", &err), RB_EINPUT);
	CHECK(strstr(err.msg, "bad Size '1x'") != NULL);
	s3_listing_release(&l);
}

TEST(error_parse)
{
	static const char doc[] = "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code>"
		"<Message>The specified bucket does not exist</Message><BucketName>x</BucketName></Error>";
	char code[64], msg[256];

	s3_error_parse(code, sizeof(code), msg, sizeof(msg), doc, sizeof(doc) - 1);
	CHECK_STR(code, "NoSuchBucket");
	CHECK_STR(msg, "The specified bucket does not exist");
	s3_error_parse(code, sizeof(code), msg, sizeof(msg), "<html>503</html>", 16);
	CHECK_STR(code, "");
	CHECK_STR(msg, "");
	s3_error_parse(code, sizeof(code), msg, sizeof(msg), "", 0);
	CHECK_STR(code, "");
}

static const struct check_case cases[] = {
	CASE(ini_profile), CASE(config_load), CASE(uri_parse), CASE(list_parse), CASE(error_parse),
};

CHECK_MAIN(cases)
