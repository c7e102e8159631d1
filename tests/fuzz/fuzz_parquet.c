/*
 * fuzz_parquet.c: libFuzzer target for the Parquet reader (footer and page
 * Thrift, schema levels, codecs, encodings, maps and lists) and the CUR rows
 * made from it. Any input must end in rows or an RB_EINPUT error: never a
 * crash, a hang or unbounded memory. tests/fuzz/standalone.c replays the
 * checked-in corpus (small Parquet files written by DuckDB) without libFuzzer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/parquet.h"

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ROWS 20000   /* a tiny page may claim millions of rows: stay fast */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur_reader *r = NULL;
	struct pq_reader *pq = NULL;
	const struct cur_row *row;
	const struct rb_str *cells;
	struct rb_err err;
	long n = 0, line;
	size_t i;
	int ret;

	/* every column, whatever its name */
	ret = pq_reader_open_mem(&pq, "fuzz.parquet", data, size, &err);
	for (i = 0; ret == 0 && i < pq_reader_ncolumns(pq); i++)
		if (pq_reader_project(pq, i, &err) && err.code != RB_EINPUT)
			__builtin_trap();
	while (ret == 0 && n++ < MAX_ROWS && (ret = pq_reader_next(pq, &cells, &line, &err)) == 1) {
		if (line != n)
			__builtin_trap();   /* rows are numbered 1, 2, ... */
		for (i = 0; i < pq_reader_ncolumns(pq); i++)
			if (cells[i].n && !cells[i].p)
				__builtin_trap();
		ret = 0;
	}
	if (ret < 0 && err.code != RB_EINPUT)
		__builtin_trap();
	pq_reader_free(pq);

	/* the CUR rows (when the file has the CUR columns) */
	n = 0;
	if (size >= 4 && !memcmp(data, PQ_MAGIC, 4)) {
		ret = cur_reader_open_mem(&r, "fuzz.parquet", data, size, &err);
		while (ret == 0 && n++ < MAX_ROWS && (ret = cur_reader_next(r, &row, &err)) == 1) {
			if (strlen(row->day) != 10)
				__builtin_trap();
			ret = 0;
		}
		if (ret < 0 && err.code != RB_EINPUT)
			__builtin_trap();
		cur_reader_free(r);
	}
	return 0;
}
