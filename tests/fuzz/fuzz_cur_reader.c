/*
 * fuzz_cur_reader.c: libFuzzer target for the CUR reader (CSV tokenizer,
 * gzip source, column maps, row normalization), FOCUS files included (seeds
 * corpus/cur_reader/focus-*). Any input must end in rows
 * or an RB_EINPUT error: never a crash, a hang or unbounded memory.
 * tests/fuzz/standalone.c replays the checked-in corpus without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "ingest/ingest.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return (h ^ n) * 1099511628211ull;
}

/* -1, 0, 1 as a sorts before, equal to, after b (bytes, then length) */
static int key_cmp(struct rb_str a, struct rb_str b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	if (c)
		return c;
	return a.n < b.n ? -1 : a.n > b.n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur_reader *r = NULL;
	const struct cur_row *row;
	struct cur_reader_stats st;
	struct rb_err err;
	int ret;
	size_t i;

	ret = cur_reader_open_mem(&r, "fuzz.csv", data, size, &err);
	while (ret == 0 && (ret = cur_reader_next(r, &row, &err)) == 1) {
		/* touch what a row promises */
		for (i = 0; i < row->ntags; i++)
			if (!row->tags[i].value.n ||
			    (i && key_cmp(row->tags[i - 1].key, row->tags[i].key) >= 0))
				__builtin_trap();   /* tags: sorted, unique, non-empty */
		if (strlen(row->day) != 10 || !row->payer.n || !row->account.n || !row->type.n ||
		    (unsigned)row->cls >= CUR_NCLASS)
			__builtin_trap();   /* FOCUS rows too: an account, a type, a class */
		ret = 0;
	}
	if (ret < 0 && err.code != RB_EINPUT)
		__builtin_trap();
	if (r)
		cur_reader_stats(r, &st);
	cur_reader_free(r);

	/* the tokenizer alone with a 7-byte buffer (fields cross refills), once
	 * per byte classifier the CPU has: all give the same rows and error */
	{
		uint64_t sig[CSV_NVARIANTS];
		int v, nv = 0;
		for (v = 0; v < CSV_NVARIANTS; v++) {
			struct csv *c = NULL;
			const struct rb_str *f;
			size_t n, rows = 0, k;
			long line, last = 0;
			uint64_t h = 1469598103934665603ull;
			if (!csv_variant_supported((enum csv_variant)v))
				continue;
			setenv("REBILL_CSV_SIMD", csv_variant_name((enum csv_variant)v), 1);
			ret = csv_open_mem(&c, "fuzz.csv", data, size, 7, &err);
			while (ret == 0 && (ret = csv_next(c, &f, &n, &line, &err)) == 1) {
				if (line <= last || !n)
					__builtin_trap();   /* lines grow; a row has a field */
				last = line;
				h = (h ^ (uint64_t)line ^ (uint64_t)n << 32) * 1099511628211ull;
				for (k = 0; k < n; k++)
					h = fnv(h, f[k].p, f[k].n);
				if (!rows++)
					csv_expect_fields(c, n);
				ret = 0;
			}
			if (ret < 0 && err.code != RB_EINPUT)
				__builtin_trap();
			if (ret < 0)
				h = fnv(h ^ (uint64_t)err.line << 20 ^ (uint64_t)err.column, err.msg,
					strlen(err.msg));
			csv_free(c);
			sig[nv++] = h;
			if (sig[nv - 1] != sig[0])
				__builtin_trap();   /* a SIMD variant differs from scalar */
		}
		unsetenv("REBILL_CSV_SIMD");
	}

	/* the middle third as a byte range, after the header */
	{
		struct csv *c = NULL;
		const struct rb_str *f;
		size_t n;
		long line;
		uint64_t first, stop;
		ret = csv_open_mem(&c, "fuzz.csv", data, size, 5, &err);
		if (ret == 0 && (ret = csv_next(c, &f, &n, &line, &err)) == 1) {
			csv_expect_fields(c, n);
			ret = csv_set_range(c, size / 3, 2 * (uint64_t)size / 3, &err);
			while (ret == 0 && (ret = csv_next(c, &f, &n, &line, &err)) == 1)
				ret = 0;
			if (ret == 0) {
				csv_range_info(c, &first, &stop, &line);
				if (first > stop || stop > size)
					__builtin_trap();
			}
		}
		if (ret < 0 && err.code != RB_EINPUT && err.code != RB_EUSAGE)
			__builtin_trap();
		csv_free(c);
	}
	return 0;
}
