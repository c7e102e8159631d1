/*
 * pdf_bench.c: render_pdf speed on the test fixtures (a one-page invoice
 * with a logo, a 5-page invoice of 80 wrapped lines): best of 5 rounds of
 * N renders each, in ms per page. Goal (issue 7): <= 5 ms a page.
 */
#include "doc_fixture.h"

#include <stdio.h>
#include <time.h>

#include "util/banned.h"

static double now_ms(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void bench(const char *label, struct doc *d, int n)
{
	struct strbuf sb;
	struct rb_err err;
	double best = 0, cpu_best = 0;
	int pages = 0, r, i;
	strbuf_init(&sb, 1 << 16, 1 << 26);
	render_pdf(&sb, d, &pages, &err);   /* warm: fontconfig, font files */
	for (r = 0; r < 5; r++) {
		double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), ms, cpu;
		for (i = 0; i < n; i++) {
			strbuf_reset(&sb);
			render_pdf(&sb, d, &pages, &err);
		}
		ms = (now_ms(CLOCK_MONOTONIC) - t0) / n;
		cpu = (now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0) / n;
		if (!r || ms < best)
			best = ms;
		if (!r || cpu < cpu_best)
			cpu_best = cpu;
	}
	printf("%s: %d page%s, %.2f ms a document, %.2f ms a page; CPU %.2f ms a page "
		"(best of 5 x %d)\n", label, pages, pages == 1 ? "" : "s", best, best / pages,
		cpu_best / pages, n);
	strbuf_release(&sb);
}

int main(void)
{
	struct doc *one = fx_invoice_s(), *many = fx_invoice_o_long();
	bench("invoice with logo", one, 40);
	bench("80 wrapped lines", many, 10);
	doc_free(one);
	doc_free(many);
	return 0;
}
