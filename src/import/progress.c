/*
 * progress.c: drawing the import progress bar. Uses a monotonic clock for
 * rates and the ETA; nothing here touches money.
 */
#include "import/progress.h"

#include <string.h>
#include <time.h>

#include "util/banned.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *p, FILE *f, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->total = total;
	p->start = now();
}

static void human_bytes(char *buf, size_t cap, uint64_t n)
{
	if (n >= (uint64_t)1 << 30)
		snprintf(buf, cap, "%.1f GiB", (double)n / (double)((uint64_t)1 << 30));
	else if (n >= (uint64_t)1 << 20)
		snprintf(buf, cap, "%.1f MiB", (double)n / (double)((uint64_t)1 << 20));
	else
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
}

void progress_draw(struct progress *p, uint64_t bytes, uint64_t rows)
{
	char done[32], total[32], bar[31], eta[32];
	double el = now() - p->start, frac, rate;
	int i, fill;

	if (bytes > p->total)
		bytes = p->total;
	frac = p->total ? (double)bytes / (double)p->total : 1.0;
	fill = (int)(frac * 30.0);
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	human_bytes(done, sizeof(done), bytes);
	human_bytes(total, sizeof(total), p->total);
	rate = el > 0 ? (double)rows / el : 0;
	if (frac > 0.001 && el > 0.5) {
		long left = (long)(el / frac - el + 0.5);
		snprintf(eta, sizeof(eta), "ETA %ld:%02ld", left / 60, left % 60);
	} else {
		snprintf(eta, sizeof(eta), "ETA --:--");
	}
	fprintf(p->f, "\r\033[Kimport [%s] %3d%%  %s / %s  %.0fk rows/s  %s",
		bar, (int)(frac * 100.0), done, total, rate / 1000.0, eta);
	fflush(p->f);
	p->drawn = 1;
}

void progress_end(struct progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->drawn = 0;
}
