/*
 * fuzz_s3.c: libFuzzer target for the parsers of src/s3: a ListObjectsV2
 * page and an S3 error document (s3_list_parse, s3_error_parse, libxml2
 * underneath) and the AWS shared-file INI reader (s3_ini_profile). Any
 * input must end in a listing or an error with a message: never a crash,
 * a leak or a hang. A parsed listing holds only complete objects.
 * Registered as `'s3' : s3_dep` in tests/fuzz/meson.build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "s3/s3.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *arg, const char *key, const char *value)
{
	if (!key || !value)
		abort();
	++*(size_t *)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct s3_listing l = { 0 };
	struct rb_err err;
	char *next = NULL, code[64], msg[256];
	size_t i, n = 0;
	int rc;

	rb_err_clear(&err);
	rc = s3_list_parse(&l, &next, (const char *)data, size, "fuzz", &err);
	if (rc && (!err.msg[0] || next))
		abort();
	for (i = 0; i < l.n; i++)
		if (!l.objs[i].key || !l.objs[i].etag)
			abort();
	free(next);
	s3_listing_release(&l);
	s3_error_parse(code, sizeof(code), msg, sizeof(msg), (const char *)data, size);
	if (strlen(code) >= sizeof(code) || strlen(msg) >= sizeof(msg))
		abort();
	rb_err_clear(&err);
	rc = s3_ini_profile((const char *)data, size, "fuzz", "default", count, &n, &err);
	if (rc < 0 && !err.msg[0])
		abort();
	return 0;
}
