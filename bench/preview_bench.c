/*
 * preview_bench.c: the invoice engine alone over a database — what `rebill
 * invoice preview` spends building the invoices (report_invoices: snapshot,
 * configuration, the rollup or the facts, rating), without the preview's
 * warnings and the JSON printing (bench/split_bench.sh, RESULTS.md
 * "Splitting accounts by tag"). Prints per run the CPU seconds of the
 * process (getrusage: steadier than wall time on a shared machine), wall
 * milliseconds and the number of invoices; the first run brings the billing
 * rollup up to date when it is stale.
 *
 *   preview_bench DB YYYY-MM [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "report/report.h"
#include "store/store.h"
#include "util/period.h"

#include "util/banned.h"

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	struct store *s = NULL;
	struct rb_err err;
	int period, runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 3, i;

	rb_err_clear(&err);
	if (argc < 3 || period_parse(&period, argv[2], strlen(argv[2])) < 0 || runs < 1) {
		fprintf(stderr, "usage: preview_bench DB YYYY-MM [RUNS]\n");
		return 2;
	}
	if (store_open(&s, argv[1], &err) < 0) {
		fprintf(stderr, "preview_bench: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < runs; i++) {
		struct report_invoices *r = NULL;
		double c0 = cpu_seconds(), w0 = wall_ms();
		if (report_invoices(&r, s, period, NULL, &err) < 0) {
			fprintf(stderr, "preview_bench: %s\n", err.msg);
			store_free(s);
			return 1;
		}
		printf("run %d: cpu %.2f s, wall %.0f ms, %zu invoices\n", i + 1, cpu_seconds() - c0,
			wall_ms() - w0, r->n);
		report_invoices_free(r);
	}
	store_free(s);
	return 0;
}
