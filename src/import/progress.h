/*
 * progress.h: the import's progress bar on stderr — bytes done of the
 * total, rows per second and the time left, redrawn in place on one line
 * and erased at the end. The caller decides whether to draw at all (stderr
 * is a TTY and --quiet was not given).
 *
 * Not for: counting (the pipeline counts; this only draws).
 */
#ifndef RB_IMPORT_PROGRESS_H
#define RB_IMPORT_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *f;
	uint64_t total;        /* bytes of all files (compressed for .gz) */
	double start;          /* monotonic seconds (time only, never money) */
	int drawn;
};

void progress_start(struct progress *p, FILE *f, uint64_t total);
/* Redraws the line with bytes done and rows read so far. */
void progress_draw(struct progress *p, uint64_t bytes, uint64_t rows);
/* Erases the line (if anything was drawn). */
void progress_end(struct progress *p);

#endif
