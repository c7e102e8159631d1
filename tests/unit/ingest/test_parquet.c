/* test_parquet.c: the Parquet reader's pieces against hand-made bytes whose
 * meaning comes from the format's specification (parquet-format Encodings.md
 * examples, the Thrift compact protocol), not from the reader: the footer
 * and page header decoder, every value encoding, the value-to-text rules
 * (decimals, dates, timestamps, INT96, doubles), and the footer errors
 * through cur_reader_open_mem. */
#include "../check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/parquet.h"
#include "ingest/pq_int.h"
#include "util/decimal.h"
#include "util/utf8.h"

#include "util/banned.h"

static char got[4096];

static void collect(void *arg, const char *s, size_t n)
{
	size_t len = strlen(got);
	(void)arg;
	if (len + n + 2 < sizeof(got)) {
		memcpy(got + len, s, n);
		got[len + n] = '|';
		got[len + n + 1] = '\0';
	}
}

/* The texts of count values, joined by '|' ("ERR" when decoding fails). */
static const char *decode(int type, int32_t tlen, enum pq_kind kind, int32_t scale, int enc,
	const uint8_t *p, size_t n, size_t count)
{
	got[0] = '\0';
	if (pq_decode_for_test(type, tlen, kind, scale, enc, p, n, count, collect, NULL))
		return "ERR";
	return got;
}

/* FileMetaData { 1: version 1, 2: schema [ {4: "r", 5: 1 child},
 * {1: INT64, 3: OPTIONAL, 4: "x"} ], 3: num_rows 10, 4: row_groups [] } */
static const uint8_t meta[] = {
	0x15, 0x02,                   /* field 1 i32: 1 */
	0x19, 0x2c,                   /* field 2 list: 2 structs */
	0x48, 0x01, 'r', 0x15, 0x02, 0x00,          /* {4: "r", 5: 1} */
	0x15, 0x04, 0x25, 0x02, 0x18, 0x01, 'x', 0x00,  /* {1: 2, 3: 1, 4: "x"} */
	0x16, 0x14,                   /* field 3 i64: 10 */
	0x19, 0x0c,                   /* field 4 list: 0 structs */
	0x00,
};

TEST(thrift_file_metadata)
{
	struct pq_meta m;
	char why[128];
	size_t n;

	CHECK_INT(pq_meta_parse(&m, meta, sizeof(meta), why, sizeof(why)), 0);
	CHECK_INT(m.nschema, 2);
	CHECK_STR(m.schema[0].name, "r");
	CHECK_INT(m.schema[0].num_children, 1);
	CHECK_STR(m.schema[1].name, "x");
	CHECK_INT(m.schema[1].type, PQ_INT64);
	CHECK_INT(m.schema[1].repetition, PQ_OPTIONAL);
	CHECK_INT(m.num_rows, 10);
	CHECK_INT(m.nrg, 0);
	pq_meta_release(&m);
	/* every truncation is an error, never a crash */
	for (n = 0; n < sizeof(meta); n++) {
		CHECK_INT(pq_meta_parse(&m, meta, n, why, sizeof(why)), -1);
		if (n == 5)
			CHECK(strstr(why, "bad file metadata") != NULL);
	}
}

TEST(thrift_skips_unknown_fields)
{
	/* field 1 version, then an unknown field 20 (long form id) holding a
	 * struct with a list of strings and a map, then the schema (field 2
	 * in long form, as the delta from 20 is negative) and num_rows */
	struct pq_meta m;
	char why[128];
	{
		static const uint8_t m3[] = {
			0x15, 0x02,
			0x0c, 0x28,
			0x19, 0x28, 0x01, 'a', 0x01, 'b',
			0x1b, 0x01, 0x88, 0x01, 'k', 0x01, 'v',
			0x00,
			0x09, 0x04, 0x2c,             /* field 2 (long form), list of 2 structs */
			0x48, 0x01, 'r', 0x15, 0x02, 0x00,
			0x15, 0x04, 0x25, 0x02, 0x18, 0x01, 'x', 0x00,
			0x16, 0x14,
			0x00,
		};
		CHECK_INT(pq_meta_parse(&m, m3, sizeof(m3), why, sizeof(why)), 0);
		CHECK_INT(m.nschema, 2);
		CHECK_INT(m.num_rows, 10);
		pq_meta_release(&m);
	}
}

/* The footer read from a file through its 256 KiB window: an unknown field
 * 20 holding a 600,000-byte string and a list of 200,000 i32, then meta's
 * fields (field 2 in long form): both cross many window refills. */
TEST(thrift_footer_from_file)
{
	char path[] = "/tmp/rebill-pq-XXXXXX";
	int fd = mkstemp(path);
	static uint8_t big[1200000];
	size_t n = 0, i;
	struct pq_meta m;
	char why[128];

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	big[n++] = 0x15; big[n++] = 0x02;                 /* field 1 */
	big[n++] = 0x08; big[n++] = 0x28;                 /* field 20, binary */
	big[n++] = 0xc0; big[n++] = 0xcf; big[n++] = 0x24;   /* varint 600000 */
	memset(big + n, 'x', 600000);
	n += 600000;
	big[n++] = 0x19; big[n++] = 0xf5;                 /* field 21, list of i32, long count */
	big[n++] = 0xc0; big[n++] = 0x9a; big[n++] = 0x0c;   /* 200000 */
	for (i = 0; i < 200000; i++)
		big[n++] = 0x02;
	big[n++] = 0x09; big[n++] = 0x04;                 /* field 2, long form */
	memcpy(big + n, meta + 3, sizeof(meta) - 3);      /* list header onwards */
	n += sizeof(meta) - 3;
	CHECK_INT(write(fd, big, n), (long long)n);
	CHECK_INT(pq_meta_parse_fd(&m, fd, 0, n, why, sizeof(why)), 0);
	CHECK_INT(m.nschema, 2);
	CHECK_STR(m.schema[1].name, "x");
	CHECK_INT(m.num_rows, 10);
	pq_meta_release(&m);
	CHECK_INT(pq_meta_parse_fd(&m, fd, 0, n - 1, why, sizeof(why)), -1);
	CHECK_INT(pq_meta_parse_fd(&m, fd, 0, 700000, why, sizeof(why)), -1);
	close(fd);
	unlink(path);
}

TEST(thrift_page_header)
{
	/* PageHeader { 1: DATA_PAGE_V2 (3), 2: 100, 3: 60,
	 *   8: { 1: 10 values, 2: 1 null, 3: 10 rows, 4: RLE_DICTIONARY (8),
	 *        5: def 3 bytes, 6: rep 0, 7: false } } */
	static const uint8_t h[] = {
		0x15, 0x06, 0x15, 0xc8, 0x01, 0x15, 0x78,
		0x5c,
		0x15, 0x14, 0x15, 0x02, 0x15, 0x14, 0x15, 0x10, 0x15, 0x06, 0x15, 0x00, 0x12,
		0x00,
		0x00,
		0xff, 0xff,   /* the page data follows the header */
	};
	struct pq_page_header ph;
	char why[128];
	size_t used = 0;

	CHECK_INT(pq_page_header_parse(&ph, h, sizeof(h), &used, why, sizeof(why)), 0);
	CHECK_INT(used, sizeof(h) - 2);
	CHECK_INT(ph.type, PQ_DATA_PAGE_V2);
	CHECK_INT(ph.usize, 100);
	CHECK_INT(ph.csize, 60);
	CHECK_INT(ph.num_values, 10);
	CHECK_INT(ph.num_nulls, 1);
	CHECK_INT(ph.enc, PQ_RLE_DICTIONARY);
	CHECK_INT(ph.def_len, 3);
	CHECK_INT(ph.is_compressed, 0);
	CHECK_INT(pq_page_header_parse(&ph, h, 9, &used, why, sizeof(why)), -1);
	CHECK(strstr(why, "bad page header") != NULL);
}

TEST(rle_bit_packed_hybrid)
{
	/* Encodings.md: 0..7 bit-packed at width 3 is 0x88 0xc6 0xfa; then a
	 * run of four 5s. Levels/indices go through the dictionary path in the
	 * reader; here through BOOLEAN RLE (width 1) and the INT32 indices of
	 * an RLE run, which share the decoder. */
	static const uint8_t b[] = {
		0x04, 0x00, 0x00, 0x00,   /* RLE booleans: 4 bytes of runs */
		0x03, 0x55,               /* bit-packed: 1 group of 8 at width 1: 10101010 */
		0x04, 0x01,               /* run of 2 trues */
	};
	CHECK_STR(decode(PQ_BOOLEAN, 0, PQK_PLAIN, 0, PQ_RLE, b, sizeof(b), 10),
		"true|false|true|false|true|false|true|false|true|true|");
	CHECK_STR(decode(PQ_BOOLEAN, 0, PQK_PLAIN, 0, PQ_RLE, b, sizeof(b), 11), "ERR");
}

TEST(delta_binary_packed)
{
	/* Encodings.md example 1: 1 2 3 4 5 (block 128, 4 miniblocks) */
	static const uint8_t e1[] = { 0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0 };
	/* example 2: 7 5 3 1 2 3 4 5: min delta -2, relative 0 0 0 3 3 3 3 at width 2 */
	static const uint8_t e2[] = { 0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 0x02, 0, 0, 0,
		0xc0, 0x3f, 0, 0, 0, 0, 0, 0 };
	CHECK_STR(decode(PQ_INT64, 0, PQK_PLAIN, 0, PQ_DELTA_BINARY_PACKED, e1, sizeof(e1), 5),
		"1|2|3|4|5|");
	CHECK_STR(decode(PQ_INT32, 0, PQK_PLAIN, 0, PQ_DELTA_BINARY_PACKED, e2, sizeof(e2), 8),
		"7|5|3|1|2|3|4|5|");
	/* as DECIMAL(scale 2): 0.07 ... */
	CHECK_STR(decode(PQ_INT32, 0, PQK_DECIMAL, 2, PQ_DELTA_BINARY_PACKED, e2, sizeof(e2), 4),
		"0.07|0.05|0.03|0.01|");
	/* the miniblock is cut short */
	CHECK_STR(decode(PQ_INT32, 0, PQK_PLAIN, 0, PQ_DELTA_BINARY_PACKED, e2, sizeof(e2) - 7, 8),
		"ERR");
	/* more values asked than the header holds */
	CHECK_STR(decode(PQ_INT64, 0, PQK_PLAIN, 0, PQ_DELTA_BINARY_PACKED, e1, sizeof(e1), 6),
		"ERR");
}

TEST(delta_length_and_delta_byte_array)
{
	/* "abc", "abd", "b": prefix lengths 0 2 0, suffixes "abc" "d" "b" */
	static const uint8_t dba[] = {
		/* prefix lengths: first 0, deltas 2 -2: min -2, relative 4 0 at width 3 */
		0x80, 0x01, 0x04, 0x03, 0x00, 0x03, 0x03, 0, 0, 0,
		0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* suffix lengths 3 1 1: first 3, deltas -2 0: min -2, relative 0 2 at width 2 */
		0x80, 0x01, 0x04, 0x03, 0x06, 0x03, 0x02, 0, 0, 0,
		0x08, 0, 0, 0, 0, 0, 0, 0,
		'a', 'b', 'c', 'd', 'b',
	};
	/* DELTA_LENGTH_BYTE_ARRAY is the second half: "abc" "d" "b" */
	CHECK_STR(decode(PQ_BYTE_ARRAY, 0, PQK_PLAIN, 0, PQ_DELTA_LENGTH_BYTE_ARRAY,
		dba + 22, sizeof(dba) - 22, 3), "abc|d|b|");
	CHECK_STR(decode(PQ_BYTE_ARRAY, 0, PQK_PLAIN, 0, PQ_DELTA_BYTE_ARRAY, dba, sizeof(dba), 3),
		"abc|abd|b|");
	/* the data is one byte short */
	CHECK_STR(decode(PQ_BYTE_ARRAY, 0, PQK_PLAIN, 0, PQ_DELTA_BYTE_ARRAY, dba,
		sizeof(dba) - 1, 3), "ERR");
}

TEST(plain_values)
{
	static const uint8_t i32[] = { 0x39, 0x30, 0, 0, 0xfb, 0xff, 0xff, 0xff };  /* 12345, -5 */
	static const uint8_t flba[] = { 0xff, 0xff, 0xff, 0xfe, 0x00, 0x01, 0xe2, 0x40 }; /* -2, 123456 */
	static const uint8_t ba[] = { 2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0, 3, 0, 0, 0, 'a', 'b', 'c' };
	static const uint8_t bools[] = { 0x05 };
	static const uint8_t dates[] = { 0xca, 0x45, 0, 0, 0xff, 0xff, 0xff, 0xff };  /* 17866, -1 */
	CHECK_STR(decode(PQ_INT32, 0, PQK_PLAIN, 0, PQ_PLAIN, i32, 8, 2), "12345|-5|");
	CHECK_STR(decode(PQ_INT32, 0, PQK_DECIMAL, 2, PQ_PLAIN, i32, 8, 2), "123.45|-0.05|");
	CHECK_STR(decode(PQ_FIXED_LEN_BYTE_ARRAY, 4, PQK_DECIMAL, 3, PQ_PLAIN, flba, 8, 2),
		"-0.002|123.456|");
	CHECK_STR(decode(PQ_BYTE_ARRAY, 0, PQK_PLAIN, 0, PQ_PLAIN, ba, sizeof(ba), 3), "hi||abc|");
	CHECK_STR(decode(PQ_BYTE_ARRAY, 0, PQK_PLAIN, 0, PQ_PLAIN, ba, sizeof(ba) - 1, 3), "ERR");
	CHECK_STR(decode(PQ_BOOLEAN, 0, PQK_PLAIN, 0, PQ_PLAIN, bools, 1, 3), "true|false|true|");
	CHECK_STR(decode(PQ_INT32, 0, PQK_DATE, 0, PQ_PLAIN, dates, 8, 2), "2018-12-01|1969-12-31|");
	CHECK_STR(decode(PQ_INT32, 0, PQK_PLAIN, 0, PQ_PLAIN, i32, 7, 2), "ERR");
}

static void put64(uint8_t *p, uint64_t v)
{
	int i;
	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

TEST(timestamps)
{
	/* 2018-12-01T00:00:00Z is 1543622400 s since the epoch */
	uint8_t b[24];
	static const uint8_t i96[] = {
		0x00, 0xa0, 0xb8, 0x30, 0x46, 0x03, 0x00, 0x00,   /* 3600e9 ns: 01:00 */
		0x56, 0x83, 0x25, 0x00,                           /* Julian day 2458454 */
	};
	put64(b, UINT64_C(1543622400500));
	put64(b + 8, UINT64_C(1543622399999));
	CHECK_STR(decode(PQ_INT64, 0, PQK_TS_MILLIS, 0, PQ_PLAIN, b, 16, 2),
		"2018-12-01T00:00:00.5Z|2018-11-30T23:59:59.999Z|");
	put64(b, UINT64_C(1543622400123456));
	put64(b + 8, (uint64_t)-1);   /* 1 us before the epoch */
	CHECK_STR(decode(PQ_INT64, 0, PQK_TS_MICROS, 0, PQ_PLAIN, b, 16, 2),
		"2018-12-01T00:00:00.123456Z|1969-12-31T23:59:59.999999Z|");
	put64(b, UINT64_C(1543622400000000001));
	CHECK_STR(decode(PQ_INT64, 0, PQK_TS_NANOS, 0, PQ_PLAIN, b, 8, 1),
		"2018-12-01T00:00:00.000000001Z|");
	CHECK_STR(decode(PQ_INT96, 0, PQK_PLAIN, 0, PQ_PLAIN, i96, 12, 1),
		"2018-12-01T01:00:00Z|");
	/* 2024-02-29 (a leap day): 1709164800 */
	put64(b, UINT64_C(1709164800000));
	CHECK_STR(decode(PQ_INT64, 0, PQK_TS_MILLIS, 0, PQ_PLAIN, b, 8, 1), "2024-02-29T00:00:00Z|");
}

TEST(byte_stream_split)
{
	/* 1.5 = 0x3ff8000000000000, -2 = 0xc000000000000000: byte k of value i at 2k + i */
	static const uint8_t b[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0, 0x3f, 0xc0 };
	CHECK_STR(decode(PQ_DOUBLE, 0, PQK_PLAIN, 0, PQ_BYTE_STREAM_SPLIT, b, 16, 2), "1.5|-2|");
	CHECK_STR(decode(PQ_DOUBLE, 0, PQK_PLAIN, 0, PQ_BYTE_STREAM_SPLIT, b, 15, 2), "ERR");
}

static void fmt(char *buf, double d)
{
	pq_format_double(buf, 64, d);
}

/* significant digits of a decimal string */
static int sig_digits(const char *s)
{
	int n = 0, started = 0, trailing = 0;
	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0')
			started = 1;
		if (!started)
			continue;
		n++;
		trailing = *s == '0' ? trailing + 1 : 0;
	}
	return n - trailing;
}

TEST(double_shortest)
{
	char b[64], ref[64];
	uint64_t x = 88172645463325252u;
	int i, p;

	fmt(b, 0.1);
	CHECK_STR(b, "0.1");
	fmt(b, 0.1 + 0.2);
	CHECK_STR(b, "0.30000000000000004");
	fmt(b, -2.5);
	CHECK_STR(b, "-2.5");
	fmt(b, -0.0);
	CHECK_STR(b, "0");
	fmt(b, 123456.789);
	CHECK_STR(b, "123456.789");
	fmt(b, 1e300);
	CHECK_STR(b, "1e+300");
	fmt(b, 0.0000001);
	CHECK(strtod(b, NULL) == 0.0000001 && sig_digits(b) == 1);
	fmt(b, 21681545.96304243);
	CHECK_STR(b, "21681545.96304243");
	/* random decimals of up to 10 fractional digits and random bit
	 * patterns: the text reads back as the double, with as few
	 * significant digits as the shortest %.Ng that does */
	for (i = 0; i < 200000; i++) {
		double d;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2) {
			d = (double)(int64_t)(x % 2000000000000000u) / 1e10 * (x & 1 ? -1 : 1);
		} else {
			memcpy(&d, &x, 8);
			if (isnan(d) || isinf(d))
				continue;
		}
		fmt(b, d);
		if (strtod(b, NULL) != d) {
			printf("  %s does not read back as %.17g\n", b, d);
			check_failed_++;
			break;
		}
		for (p = 1; p <= 17; p++) {
			snprintf(ref, sizeof(ref), "%.*g", p, d);
			if (strtod(ref, NULL) == d)
				break;
		}
		if (d != 0 && sig_digits(b) != sig_digits(ref)) {
			printf("  %s is not as short as %s\n", b, ref);
			check_failed_++;
			break;
		}
	}
}

TEST(footer_errors)
{
	struct cur_reader *r = NULL;
	struct rb_err err;
	uint8_t f[64];
	uint32_t len = sizeof(meta);

	memcpy(f, "PAR1", 4);
	CHECK_INT(cur_reader_open_mem(&r, "t.parquet", f, 8, &err), RB_EINPUT);
	CHECK(strstr(err.msg, "too short") != NULL);
	/* PAR1, metadata, length, PAR1 */
	memcpy(f + 4, meta, sizeof(meta));
	memcpy(f + 4 + sizeof(meta), &len, 4);
	memcpy(f + 8 + sizeof(meta), "PAR1", 4);
	/* the minimal file has no CUR columns: not a CUR file (issue 13) */
	CHECK_INT(cur_reader_open_mem(&r, "t.parquet", f, 12 + sizeof(meta), &err), RB_EINPUT);
	CHECK(strstr(err.msg, "not a CUR file: no CUR header columns") != NULL);
	CHECK_STR(err.file, "t.parquet");
	/* the length says more than the file holds */
	len = 1000;
	memcpy(f + 4 + sizeof(meta), &len, 4);
	CHECK_INT(cur_reader_open_mem(&r, "t.parquet", f, 12 + sizeof(meta), &err), RB_EINPUT);
	CHECK(strstr(err.msg, "bad footer length 1000") != NULL);
	/* no magic at the end */
	memcpy(f + 8 + sizeof(meta), "PAR0", 4);
	CHECK_INT(cur_reader_open_mem(&r, "t.parquet", f, 12 + sizeof(meta), &err), RB_EINPUT);
	CHECK(strstr(err.msg, "no PAR1 magic at its end") != NULL);
	CHECK(r == NULL);
}

/* A file DuckDB wrote from 20 rows of `rebill gen --format cur2` (the fuzz
 * seed): the MAP and LIST cells are JSON of the CSV's values (rows 1-3 of
 * that CSV, looked up by hand), key order as DuckDB stored them. */
TEST(maps_and_lists)
{
	const char *dir = getenv("PQ_CORPUS");
	char path[1024];
	struct pq_reader *r = NULL;
	const struct rb_str *cells;
	struct rb_err err;
	long row;
	size_t i, ntags = 99, nlist = 99, nprod = 99;
	FILE *f;
	static uint8_t buf[1 << 16];
	size_t n;

	if (!dir) {
		CHECK_SKIP("PQ_CORPUS (the fuzz corpus directory) not set");
		return;
	}
	snprintf(path, sizeof(path), "%s/cur2-maps-gzip-v1.parquet", dir);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	CHECK_INT(pq_reader_open_mem(&r, "m.parquet", buf, n, &err), 0);
	if (!r)
		return;
	for (i = 0; i < pq_reader_ncolumns(r); i++) {
		const char *c = pq_reader_column(r, i);
		if (!strcmp(c, "resource_tags"))
			ntags = i;
		else if (!strcmp(c, "a_list"))
			nlist = i;
		else if (!strcmp(c, "product"))
			nprod = i;
		CHECK_INT(pq_reader_project(r, i, &err), 0);
	}
	CHECK(ntags < 99 && nlist < 99 && nprod < 99);
	if (ntags >= 99 || nlist >= 99 || nprod >= 99)
		goto cleanup;
	CHECK_INT(pq_reader_next(r, &cells, &row, &err), 1);
	CHECK_INT(row, 1);
	CHECK(cells[nlist].n == strlen("[\"AmazonCloudWatch\",\"MetricStorage\"]") &&
		!memcmp(cells[nlist].p, "[\"AmazonCloudWatch\",\"MetricStorage\"]", cells[nlist].n));
	CHECK(cells[ntags].n == strlen("{\"user_team\":\"data \\\"lake\\\"\",\"user_cost_center\":\"CC-1001\","
		"\"user_owner\":\"Bob \\\"the builder\\\", Jr.\"}"));
	CHECK(cells[nprod].n > 40 && !memcmp(cells[nprod].p, "{\"product_name\":\"AmazonCloudWatch\",\"region\":\"ap-northeast-1\"", 58));
	CHECK_INT(pq_reader_next(r, &cells, &row, &err), 1);
	CHECK_INT(pq_reader_next(r, &cells, &row, &err), 1);
	CHECK_INT(cells[ntags].n, 0);   /* row 3: no tags */
	for (i = 3; i < 20; i++)
		CHECK_INT(pq_reader_next(r, &cells, &row, &err), 1);
	CHECK_INT(pq_reader_next(r, &cells, &row, &err), 0);
cleanup:
	pq_reader_free(r);
}


/* Rows decoded a batch at a time, a column after the other, must be the
 * rows the row-by-row decoder gives (the reference: one column's state per
 * cell, as before batching), and so must the error and the rows before it:
 * each corpus file and 400 copies with one bit changed (deterministic
 * positions, most in the column chunks), read both ways with batches of
 * 1, 3, 7 and 64 rows. And the shortcuts beside a cell: a known amount is what dec_parse makes of the
 * cell's text (also for columns read as amounts only, whose text is then
 * not made: the reference's text must parse to it), a cell known to be
 * UTF-8 is, and cells with one day ref (pq_reader_day_ref) share their
 * first 10 bytes (the date). */
static int late_errors;   /* reads that failed after giving rows */
static int day_refs_seen; /* cells with a day ref, and a second cell with the same ref */

/* A day ref names one date: the first 10 bytes of every cell with it agree
 * (a shorter cell, of a string column, is all of its text). Returns 1 on a
 * mismatch. */
static int day_ref_check(uint64_t ref, struct rb_str cell, uint64_t *refs, char (*days)[11],
	size_t *n)
{
	size_t i, k = cell.n < 10 ? cell.n : 10;
	if (!ref)
		return 0;
	for (i = 0; i < *n; i++)
		if (refs[i] == ref) {
			day_refs_seen += k == 10;
			return (size_t)days[i][10] != k || memcmp(days[i], cell.p, k) != 0;
		}
	if (*n < 512) {
		refs[*n] = ref;
		memcpy(days[*n], cell.p, k);
		days[(*n)++][10] = (char)k;
	}
	return 0;
}

static int read_both(const uint8_t *data, size_t n, size_t batch, int amount_only,
	long *rows_out)
{
	struct pq_reader *a = NULL, *b = NULL;
	struct rb_err ea, eb;
	int ra, rb, bad = 0;
	size_t i, nc, ndays = 0;
	long rows = 0;
	static uint64_t drefs[512];
	static char days[512][11];

	ra = pq_reader_open_mem(&a, "m.parquet", data, n, &ea);
	rb = pq_reader_open_mem(&b, "m.parquet", data, n, &eb);
	if (ra != rb || (ra && strcmp(ea.msg, eb.msg)))
		bad = 1;
	if (ra || rb)
		goto done;
	pq_reader_batch_for_test(a, 0);
	pq_reader_batch_for_test(b, batch);
	nc = pq_reader_ncolumns(a);
	for (i = 0; i < nc; i++) {
		if (!pq_reader_is_flat_for_test(a, i))
			continue;
		ra = pq_reader_project(a, i, &ea);
		rb = pq_reader_project(b, i, &eb);
		if (ra != rb)
			bad = 1;
		if (amount_only)
			pq_reader_amount_only(b, i);
	}
	while (!bad && rows < 3000) {
		const struct rb_str *ca, *cb;
		long la = 0, lb = 0;
		ra = pq_reader_next(a, &ca, &la, &ea);
		rb = pq_reader_next(b, &cb, &lb, &eb);
		if (ra != rb) {
			bad = 1;
			break;
		}
		if (ra < 0 && (ea.code != eb.code || ea.line != eb.line || ea.column != eb.column ||
		    strcmp(ea.msg, eb.msg)))
			bad = 1;
		if (ra < 0 && rows > 0)
			late_errors++;
		if (ra != 1)
			break;
		rows++;
		if (la != lb)
			bad = 1;
		for (i = 0; i < nc; i++) {
			rb_i128 v = 0, w = 0;
			size_t at;
			if (amount_only && pq_reader_amount(b, i, &v)) {
				/* the text may be a stand-in: the reference's text must
				 * read as that amount */
				if (!ca[i].n || dec_parse(&w, ca[i].p, ca[i].n, DEC_SCALE) != DEC_OK ||
				    v != w || !cb[i].n)
					bad = 1;
				continue;
			}
			if (ca[i].n != cb[i].n || (ca[i].n && memcmp(ca[i].p, cb[i].p, ca[i].n)))
				bad = 1;
			if (day_ref_check(pq_reader_day_ref(b, i), cb[i], drefs, days, &ndays))
				bad = 1;
			if (pq_reader_amount(b, i, &v) &&
			    (dec_parse(&w, cb[i].p, cb[i].n, DEC_SCALE) != DEC_OK || v != w))
				bad = 1;
			if (pq_reader_utf8_known(b, i) && !utf8_valid(cb[i].p, cb[i].n, &at))
				bad = 1;
		}
	}
done:
	pq_reader_free(a);
	pq_reader_free(b);
	*rows_out = rows;
	return bad;
}

/* Reads corpus file dir/name into buf (at most cap bytes): its length, or
 * 0 (a failed check) when it cannot be opened. */
static size_t corpus_file(const char *dir, const char *name, uint8_t *buf, size_t cap)
{
	char path[1024];
	size_t n;
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

TEST(batches_read_as_rows)
{
	static const char *const files[] = { "legacy-snappy-v1.parquet", "cur2-all-columns-zstd-v1.parquet",
		"cur2-maps-gzip-v1.parquet", "cur2-maps-zstd-v2.parquet" };
	static const size_t batches[] = { 1, 3, 7, 64 };
	const char *dir = getenv("PQ_CORPUS");
	static uint8_t buf[1 << 16], mut[1 << 16];
	size_t fi, bi, n, k;
	long rows, clean_rows = 0;
	int diffs = 0;

	if (!dir) {
		CHECK_SKIP("PQ_CORPUS (the fuzz corpus directory) not set");
		return;
	}
	for (fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
		if (!(n = corpus_file(dir, files[fi], buf, sizeof(buf))))
			continue;
		for (bi = 0; bi < sizeof(batches) / sizeof(batches[0]); bi++) {
			diffs += read_both(buf, n, batches[bi], 0, &rows);
			clean_rows += rows;
			diffs += read_both(buf, n, batches[bi], 1, &rows);
			for (k = 0; k < 400; k++) {
				/* mostly the column chunks (the footer is the last part) */
				size_t pos = 4 + (k * 7919 + 13) % (n * 7 / 10);
				memcpy(mut, buf, n);
				mut[pos] ^= (uint8_t)(1u << (k % 8));
				diffs += read_both(mut, n, batches[bi], (int)(k & 1), &rows);
			}
		}
	}
	/* the files have rows (20 to 40 each, read 4 times) */
	CHECK(clean_rows >= 4 * 4 * 20);
	CHECK_INT(diffs, 0);
	/* the copies must reach errors after the first rows (mid-batch) */
	CHECK(late_errors >= 20);
	/* timestamps and dictionary dates gave day refs shared by rows */
	CHECK(day_refs_seen >= 100);
	fprintf(stderr, "batches_read_as_rows: %ld clean rows, %d reads failed after rows, "
		"%d cells shared a day ref\n", clean_rows, late_errors, day_refs_seen);
}

/* Counts a file's rows with cur_reader_next (or, skip set, with
 * cur_reader_skip_decoded); -1 on an error. */
static long count_rows(const void *data, size_t n, const char *name, int skip)
{
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct rb_err err;
	long rows = 0;
	int ret = cur_reader_open_mem(&r, name, data, n, &err);
	while (ret == 0 && (ret = skip ? cur_reader_skip_decoded(r, &err) :
			cur_reader_next(r, &row, &err)) == 1) {
		rows++;
		ret = 0;
	}
	cur_reader_free(r);
	return ret < 0 ? -1 : rows;
}

/* bench/read_bench --decode-only: every row decoded, none of the row rules
 * applied (a bad date fails cur_reader_next only), a format error still one */
TEST(decode_only_rows)
{
	static const char *const files[] = { "legacy-snappy-v1.parquet",
		"cur2-all-columns-zstd-v1.parquet" };
	const char *dir = getenv("PQ_CORPUS");
	const char *csv = "bill/PayerAccountId,lineItem/UsageAccountId,"
		"bill/BillingPeriodStartDate,lineItem/UsageStartDate,lineItem/LineItemType,"
		"lineItem/UnblendedCost\n"
		"111122223333,111122223333,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,Usage,1.5\n"
		"111122223333,111122223333,2026-10-01T00:00:00Z,2026-13-45T00:00:00Z,Usage,2\n"
		"111122223333,111122223333,2026-10-01T00:00:00Z,2026-10-03T00:00:00Z,Usage,3\n";
	const char *broken = "bill/PayerAccountId,lineItem/UsageAccountId\n"
		"111122223333,\"444455556666\n";
	static uint8_t buf[1 << 16];
	size_t fi, n;

	CHECK_INT(count_rows(csv, strlen(csv), "d.csv", 1), 3);
	CHECK_INT(count_rows(csv, strlen(csv), "d.csv", 0), -1);
	CHECK_INT(count_rows(broken, strlen(broken), "b.csv", 1), -1);
	if (!dir) {
		CHECK_SKIP("PQ_CORPUS (the fuzz corpus directory) not set");
		return;
	}
	for (fi = 0; fi < sizeof(files) / sizeof(files[0]); fi++) {
		long rows;
		if (!(n = corpus_file(dir, files[fi], buf, sizeof(buf))))
			continue;
		rows = count_rows(buf, n, files[fi], 0);
		CHECK(rows >= 20);
		CHECK_INT(count_rows(buf, n, files[fi], 1), rows);
		/* cut into the column chunks: the decoding fails too */
		CHECK_INT(count_rows(buf, n / 2, files[fi], 1), -1);
	}
}

static const struct check_case cases[] = {
	CASE(decode_only_rows),
	CASE(batches_read_as_rows),
	CASE(maps_and_lists),
	CASE(thrift_file_metadata),
	CASE(thrift_skips_unknown_fields),
	CASE(thrift_footer_from_file),
	CASE(thrift_page_header),
	CASE(rle_bit_packed_hybrid),
	CASE(delta_binary_packed),
	CASE(delta_length_and_delta_byte_array),
	CASE(plain_values),
	CASE(timestamps),
	CASE(byte_stream_split),
	CASE(double_shortest),
	CASE(footer_errors),
};

CHECK_MAIN(cases)
