/* test_csv.c: the RFC 4180 tokenizer and gzip source (src/ingest/csv.c),
 * every case run with read buffers from 1 byte up, so that fields cross
 * buffer refills at every position, and with every byte classifier the
 * CPU runs (scalar, SSE2, AVX2: REBILL_CSV_SIMD), which must agree bit for
 * bit (the differential case compares them on random input). */
#include "../check.h"

#include <stdlib.h>
#include <zlib.h>

#include "ingest/csv.h"
#include "util/strbuf.h"

static const size_t bufsizes[] = { 1, 2, 3, 5, 7, 16, 64, 0 };
#define NBUFS (sizeof(bufsizes) / sizeof(bufsizes[0]))

static void err_text(char *out, size_t cap, const struct rb_err *err)
{
	FILE *f = fmemopen(out, cap, "w");
	rb_err_print(err, f);
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

/* Tokenizes data; returns rows as "LINE:f1|f2|...\n" (or the error text
 * after "ERR "). expect: check field counts against the first row. */
static char *tok(const void *data, size_t len, size_t bufsize, int expect)
{
	struct strbuf sb;
	struct rb_err err;
	struct csv *c = NULL;
	const struct rb_str *f;
	size_t n, i;
	long line;
	int ret, first = 1;

	strbuf_init(&sb, 64, 1u << 26);
	rb_err_clear(&err);
	ret = csv_open_mem(&c, "t.csv", data, len, bufsize, &err);
	while (ret == 0 && (ret = csv_next(c, &f, &n, &line, &err)) == 1) {
		strbuf_addf(&sb, "%ld:", line);
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_addch(&sb, '|');
			strbuf_add(&sb, f[i].p, f[i].n);
		}
		strbuf_addch(&sb, '\n');
		if (first && expect)
			csv_expect_fields(c, n);
		first = 0;
		ret = 0;
	}
	if (ret < 0) {
		char msg[2048];
		err_text(msg, sizeof(msg), &err);
		strbuf_addf(&sb, "ERR %s", msg);
	}
	csv_free(c);
	{
		char *s = strbuf_detach(&sb, NULL);
		strbuf_release(&sb);   /* detach leaves an empty buffer behind */
		return s;
	}
}

static void use_variant(int v)
{
	setenv("REBILL_CSV_SIMD", csv_variant_name((enum csv_variant)v), 1);
}

/* Checks the result for every buffer size and every supported variant. */
static void check_tok(const char *in, size_t len, int expect, const char *want, int line)
{
	size_t i;
	int v;
	for (v = 0; v < CSV_NVARIANTS; v++) {
		if (!csv_variant_supported((enum csv_variant)v))
			continue;
		use_variant(v);
		for (i = 0; i < NBUFS; i++) {
			char *got = tok(in, len, bufsizes[i], expect);
			if (strcmp(got, want)) {
				printf("  line %d, %s, bufsize %zu: got '%s', want '%s'\n", line,
					csv_variant_name((enum csv_variant)v), bufsizes[i], got, want);
				check_failed_++;
			}
			free(got);
		}
	}
	unsetenv("REBILL_CSV_SIMD");
}

#define TOK(in, want) check_tok(in, sizeof(in) - 1, 0, want, __LINE__)
#define TOKX(in, want) check_tok(in, sizeof(in) - 1, 1, want, __LINE__)

TEST(plain_rows)
{
	TOK("a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
	TOK("a,b\n1,2", "1:a|b\n2:1|2\n");                  /* no final newline */
	TOK(",,\n,a,\n", "1:||\n2:|a|\n");                   /* empty cells */
	TOK("a,\n", "1:a|\n");
	TOK("a,", "1:a|\n");
	TOK("", "");
	TOK("\n\n", "");
	TOK("a\n\n\nb\n", "1:a\n4:b\n");                    /* empty lines skipped */
	/* a lone CR outside quotes is refused: lone-CR line ends made one
	 * header row and "0 rows" (issue 10 item 8); inside quotes it is data */
	TOK("a\r\rb,c\n", "ERR t.csv:1:1: carriage return without line feed outside quotes "
		"(lone CR line ends are not read: convert the file to LF or CRLF)");
	TOK("a,b\r1,2\r", "ERR t.csv:1:2: carriage return without line feed outside quotes "
		"(lone CR line ends are not read: convert the file to LF or CRLF)");
	TOK("\"a\r\rb\",c\n", "1:a\r\rb|c\n");
}

TEST(quoted_fields)
{
	TOK("a,\"b,c\",\"d\"\"e\"\n", "1:a|b,c|d\"e\n");
	TOK("\"\",\"\"\"\"\n", "1:|\"\n");
	TOK("x,\"l1\nl2\"\ny,z\n", "1:x|l1\nl2\n3:y|z\n");
	TOK("x,\"l1\r\nl2\"\r\ny,z\r\n", "1:x|l1\r\nl2\n3:y|z\n");
	TOK("\"a\"", "1:a\n");                               /* quoted at EOF */
	TOK("\"a\"\r", "1:a\n");
	TOK("\"\"\"\"\"\"\n", "1:\"\"\n");
	TOK("\"a,\"\"b\"\",\nc\",d\n", "1:a,\"b\",\nc|d\n");
}

TEST(bom_and_crlf)
{
	TOK("\xEF\xBB\xBF" "a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n");
	TOK("\xEF\xBB\xBF" "\"a\",b\r\n", "1:a|b\n");
	TOK("\xEF\xBB", "1:\xEF\xBB\n");
	TOK("a,b\r\n\r\n1,2", "1:a|b\n3:1|2\n");
}

TEST(malformed)
{
	TOK("a,b\n1,x\"y\n", "1:a|b\nERR t.csv:2:2: quote inside an unquoted field");
	TOK("a,b\n1,\"xy\"z\n", "1:a|b\nERR t.csv:2:2: unexpected character after closing quote");
	TOK("a,b\n1,\"xy\" \n", "1:a|b\nERR t.csv:2:2: unexpected character after closing quote");
	TOK("a,b\n1,\"xy\n\n", "1:a|b\nERR t.csv:2:2: quoted field not closed at end of file");
	TOK("a,b\n1,x\0y\n", "1:a|b\nERR t.csv:2:2: NUL byte in field");
	TOK("a,b\n\"1\0\",x\n", "1:a|b\nERR t.csv:2:1: NUL byte in field");
	TOK("a,b\n\"\n\n\"x,y\n", "1:a|b\nERR t.csv:4:1: unexpected character after closing quote");
}

TEST(field_counts)
{
	TOKX("a,b\n1,2,3\n", "1:a|b\nERR t.csv:2:3: row has more fields than the header (2)");
	TOKX("a,b,c\n1,2\n", "1:a|b|c\nERR t.csv:2:3: row has fewer fields than the header (3)");
	TOKX("a,b,c\n1,2", "1:a|b|c\nERR t.csv:2:3: row has fewer fields than the header (3)");
	TOKX("a,b\n\"x\ny\",1,2\n", "1:a|b\nERR t.csv:3:3: row has more fields than the header (2)");
	TOKX("a,b\n\"x\ny\"\n", "1:a|b\nERR t.csv:3:2: row has fewer fields than the header (2)");
	TOKX("a,b\n1,2\n\n3,4\n", "1:a|b\n2:1|2\n4:3|4\n");
}

TEST(field_too_long)
{
	size_t n = INGEST_MAX_FIELD + 1, i;
	char *in = malloc(n + 200), *got;
	char want[128];

	memcpy(in, "a\n", 2);
	for (i = 0; i < n; i++)
		in[2 + i] = 'x';
	in[2 + n] = '\n';
	snprintf(want, sizeof(want), "1:a\nERR t.csv:2:1: field longer than %u bytes", INGEST_MAX_FIELD);
	got = tok(in, n + 3, 4096, 0);
	CHECK_STR(got, want);
	free(got);
	got = tok(in, n + 3, 0, 0);
	CHECK_STR(got, want);
	free(got);
	/* quoted, and never closed */
	memset(in + 2, 'x', n + 198);
	in[2] = '"';
	got = tok(in, n + 200, 0, 0);
	CHECK_STR(got, want);
	free(got);
	got = tok(in, n + 1, 0, 0);
	CHECK_STR(got, "1:a\nERR t.csv:2:1: quoted field not closed at end of file");
	free(got);
	/* exactly the limit is fine */
	for (i = 0; i < n + 1; i++)
		in[2 + i] = 'x';
	in[1 + n] = '\n';
	got = tok(in, n + 2, 0, 0);
	CHECK(!strstr(got, "ERR"));
	CHECK_INT(strlen(got), 4 + 2 + INGEST_MAX_FIELD + 1);
	free(got);
	free(in);
}

/* gzip-compresses len bytes at data into a new buffer (*outlen bytes). */
static unsigned char *gz(const void *data, size_t len, size_t *outlen)
{
	z_stream zs;
	size_t cap = compressBound((uLong)len) + 64;
	unsigned char *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	zs.next_in = (unsigned char *)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	deflate(&zs, Z_FINISH);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

TEST(gzip)
{
	const char a[] = "a,\"b\nc\"\r\n1,2\n", b[] = "3,4\n5,\"6\"";
	size_t na, nb, i;
	unsigned char *ga = gz(a, sizeof(a) - 1, &na), *gb = gz(b, sizeof(b) - 1, &nb);
	unsigned char *cat = malloc(na + nb);
	char *got;

	for (i = 0; i < NBUFS; i++) {
		got = tok(ga, na, bufsizes[i], 1);
		CHECK_STR(got, "1:a|b\nc\n3:1|2\n");
		free(got);
	}
	memcpy(cat, ga, na);
	memcpy(cat + na, gb, nb);
	for (i = 0; i < NBUFS; i++) {
		got = tok(cat, na + nb, bufsizes[i], 1);   /* concatenated members */
		CHECK_STR(got, "1:a|b\nc\n3:1|2\n4:3|4\n5:5|6\n");
		free(got);
	}
	for (i = 0; i < NBUFS; i++) {
		got = tok(cat, na + nb - 6, bufsizes[i], 1);  /* truncated */
		CHECK(!strncmp(got, "1:a|b\nc\n3:1|2\n", 14));
		CHECK(strstr(got, "ERR t.csv:") != NULL);
		CHECK(strstr(got, ": truncated gzip data") != NULL);
		free(got);
	}
	got = tok(ga, 12, 0, 1);
	CHECK_STR(got, "ERR t.csv:1: truncated gzip data");
	free(got);
	memcpy(cat, ga, na);
	cat[na / 2] ^= 0x55;                               /* corrupt */
	cat[na / 2 + 1] ^= 0x55;
	got = tok(cat, na, 0, 1);
	CHECK(strstr(got, "gzip data") != NULL);
	free(got);
	free(ga);
	free(gb);
	free(cat);
}

/* ISA-L (when built with it) and zlib give the same rows and the same
 * error at every point a multi-member gzip file can be cut or damaged. */
TEST(gzip_inflaters)
{
	struct strbuf sb;
	unsigned char *m1, *m2, *cat;
	size_t n1, n2, cut, i;
	char *a, *b;
	int k;

	strbuf_init(&sb, 64, 1u << 24);
	strbuf_addstr(&sb, "id,name,cost\n");
	for (i = 0; i < 3000; i++)
		strbuf_addf(&sb, "%zu,\"n%zu, x\",0.%04zu\n", i, i * 7919 % 1000, i);
	m1 = gz(sb.buf, sb.len / 2, &n1);
	m2 = gz(sb.buf + sb.len / 2, sb.len - sb.len / 2, &n2);
	cat = malloc(n1 + n2);
	memcpy(cat, m1, n1);
	memcpy(cat + n1, m2, n2);
	for (k = 0; k < 2; k++) {
		for (cut = 0; cut <= n1 + n2; cut += cut < 40 || cut + 40 > n1 + n2 ||
		     (cut + 40 > n1 && cut < n1 + 40) ? 1 : 97) {
			size_t bs = k ? 0 : 7;
			setenv("REBILL_INFLATE", "zlib", 1);
			a = tok(cat, cut, bs, 1);
			unsetenv("REBILL_INFLATE");
			b = tok(cat, cut, bs, 1);
			if (strcmp(a, b)) {
				printf("  cut at %zu of %zu, bufsize %zu: the inflaters differ: zlib ...%s / isal ...%s\n", cut, n1 + n2, bs, a + (strlen(a) > 60 ? strlen(a) - 60 : 0), b + (strlen(b) > 60 ? strlen(b) - 60 : 0));
				check_failed_++;
			}
			if (cut == n1 + n2)
				CHECK(!strstr(b, "ERR"));
			free(a);
			free(b);
		}
	}
	/* a damaged byte in the second member: both call it corrupt (or, when
	 * it only hits the trailer's length, the checksum) */
	cat[n1 + n2 / 2] ^= 0x40;
	setenv("REBILL_INFLATE", "zlib", 1);
	a = tok(cat, n1 + n2, 0, 1);
	unsetenv("REBILL_INFLATE");
	b = tok(cat, n1 + n2, 0, 1);
	CHECK(strstr(a, ": corrupt gzip data") != NULL);
	CHECK(strstr(b, ": corrupt gzip data") != NULL);
	free(a);
	free(b);
	free(m1);
	free(m2);
	free(cat);
	strbuf_release(&sb);
}

/* The variant asked for is the one used, when the CPU has it. */
TEST(variants)
{
	struct csv *c = NULL;
	struct rb_err err;
	int v;
	for (v = 0; v < CSV_NVARIANTS; v++) {
		if (!csv_variant_supported((enum csv_variant)v)) {
			printf("  %s: skipped (not supported by this CPU or build)\n",
				csv_variant_name((enum csv_variant)v));
			continue;
		}
		use_variant(v);
		CHECK_INT(csv_open_mem(&c, "t.csv", "a\n", 2, 0, &err), 0);
		CHECK_INT(csv_variant(c), v);
		csv_free(c);
		c = NULL;
	}
	unsetenv("REBILL_CSV_SIMD");
	CHECK(csv_variant_supported(CSV_SCALAR));
}

/* Random input from the bytes that matter (and long runs of plain bytes,
 * so windows of 64 are crossed): every variant gives the scalar result. */
TEST(differential)
{
	static const char alphabet[] = "ab,,,\"\"\n\r\0x";
	unsigned long seed = 12345;
	char in[700], *want, *got;
	int round, v;
	size_t n, i, k;

	for (round = 0; round < 1500; round++) {
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		n = (size_t)(seed >> 33) % sizeof(in);
		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			k = (size_t)(seed >> 33);
			/* mostly plain bytes: fields of every length, some past 64 */
			in[i] = k % 100 < (size_t)(80 - (round % 4) * 20) ? 'p' :
				alphabet[k % (sizeof(alphabet) - 1)];
		}
		for (k = 0; k < NBUFS; k += 3) {
			use_variant(CSV_SCALAR);
			want = tok(in, n, bufsizes[k], round & 1);
			for (v = 1; v < CSV_NVARIANTS; v++) {
				if (!csv_variant_supported((enum csv_variant)v))
					continue;
				use_variant(v);
				got = tok(in, n, bufsizes[k], round & 1);
				if (strcmp(got, want)) {
					printf("  round %d, %s, bufsize %zu differs from scalar\n", round,
						csv_variant_name((enum csv_variant)v), bufsizes[k]);
					check_failed_++;
				}
				free(got);
			}
			free(want);
		}
	}
	unsetenv("REBILL_CSV_SIMD");
}

/* Unused fields keep their doubled quotes; used ones are unescaped. */
TEST(used_fields)
{
	static const unsigned char used[] = { 1, 0 };
	struct csv *c = NULL;
	struct rb_err err;
	const struct rb_str *f;
	size_t n;
	long line;
	const char in[] = "\"a\"\"b\",\"c\"\"d\",\"e\"\"f\"\n";

	CHECK_INT(csv_open_mem(&c, "t.csv", in, sizeof(in) - 1, 0, &err), 0);
	csv_set_used(c, used, 2);
	CHECK_INT(csv_next(c, &f, &n, &line, &err), 1);
	CHECK_INT(n, 3);
	CHECK(f[0].n == 3 && !memcmp(f[0].p, "a\"b", 3));
	CHECK(f[1].n == 4 && !memcmp(f[1].p, "c\"\"d", 4));
	CHECK(f[2].n == 3 && !memcmp(f[2].p, "e\"f", 3));
	csv_free(c);
}

static const struct check_case cases[] = {
	CASE(plain_rows), CASE(quoted_fields), CASE(bom_and_crlf), CASE(malformed),
	CASE(field_counts), CASE(field_too_long), CASE(gzip), CASE(variants),
	CASE(differential), CASE(used_fields), CASE(gzip_inflaters),
};
CHECK_MAIN(cases)
