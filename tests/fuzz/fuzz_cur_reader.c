/*
 * fuzz_cur_reader.c: libFuzzer target for the CUR reader (CSV tokenizer,
 * gzip source, column maps, row normalization), FOCUS files included (seeds
 * corpus/cur_reader/focus-*). Any input must end in rows
 * or an RB_EINPUT error: never a crash, a hang or unbounded memory.
 * tests/fuzz/standalone.c replays the checked-in corpus without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest/csv.h"
#include "ingest/ingest.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

	/* the tokenizer alone with a 7-byte buffer: fields cross refills */
	{
		struct csv *c = NULL;
		const struct rb_str *f;
		size_t n, rows = 0;
		long line, last = 0;
		ret = csv_open_mem(&c, "fuzz.csv", data, size, 7, &err);
		while (ret == 0 && (ret = csv_next(c, &f, &n, &line, &err)) == 1) {
			if (line <= last || !n)
				__builtin_trap();   /* lines grow; a row has a field */
			last = line;
			if (!rows++)
				csv_expect_fields(c, n);
			ret = 0;
		}
		if (ret < 0 && err.code != RB_EINPUT)
			__builtin_trap();
		csv_free(c);
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
