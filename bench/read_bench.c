/*
 * read_bench.c: how fast the CUR reader alone turns a file into rows, on
 * one thread, without aggregation or the database (bench/parquet_bench.sh).
 * Prints the rows, the unblended total and the process CPU seconds
 * (getrusage: steadier than wall time on a shared machine).
 *
 *   read_bench [--decode-only] FILE...
 *
 * --decode-only stops after the format's own work (CSV tokens, Parquet's
 * projected columns as cells): no row rules, amounts or tags, so no total.
 */
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>

#include "ingest/ingest.h"
#include "util/decimal.h"

#include "util/banned.h"

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	int i = 1, decode_only = 0;
	if (argc > 1 && strcmp(argv[1], "--decode-only") == 0) {
		decode_only = 1;
		i++;
	}
	for (; i < argc; i++) {
		struct cur_reader *r = NULL;
		const struct cur_row *row;
		struct rb_err err;
		rb_i128 total = 0;
		unsigned long long rows = 0;
		char buf[DEC_BUFSZ];
		double t0 = cpu_seconds();
		int ret = cur_reader_open(&r, argv[i], &err);

		while (ret == 0 && decode_only && (ret = cur_reader_skip_decoded(r, &err)) == 1) {
			rows++;
			ret = 0;
		}
		while (ret == 0 && !decode_only && (ret = cur_reader_next(r, &row, &err)) == 1) {
			total += row->views.unblended;
			rows++;
			ret = 0;
		}
		if (ret < 0) {
			rb_err_print(&err, stderr);
			cur_reader_free(r);
			return 2;
		}
		cur_reader_free(r);
		dec_format(buf, sizeof(buf), total, DEC_SCALE, DEC_SCALE);
		if (decode_only)
			printf("%s: %llu rows decoded, %.2f s CPU\n", argv[i], rows, cpu_seconds() - t0);
		else
			printf("%s: %llu rows, unblended %s, %.2f s CPU\n", argv[i], rows, buf,
				cpu_seconds() - t0);
	}
	return 0;
}
