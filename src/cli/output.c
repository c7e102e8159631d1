/*
 * output.c: printing tables for people (aligned by display width, terminal
 * controls escaped)
 * and for spreadsheets (RFC 4180 CSV, formulas neutralised: util/textout.h),
 * and the one place JSON is printed (out_json; the documents themselves are
 * built in src/report).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/textout.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

struct out_table {
	size_t ncols;
	char **headers;
	int *right;
	char **cells;      /* nrows * ncols */
	size_t nrows, alloc;
};

int out_format_parse(enum out_format *out, const char *s, struct rb_err *err)
{
	if (!strcmp(s, "table"))
		*out = OUT_TABLE;
	else if (!strcmp(s, "csv"))
		*out = OUT_CSV;
	else if (!strcmp(s, "json"))
		*out = OUT_JSON;
	else
		return rb_err_set(err, RB_EUSAGE, "unknown format '%s' (expected table, csv or json)", s);
	return 0;
}

int out_json(const json_t *v)
{
	/* the one JSON style of every command (docs/cli.md, "Output"): indented
	 * by two spaces whether or not stdout is a terminal, so the bytes do not
	 * depend on where they go; `jq -c` makes one line of it */
	size_t flags = JSON_PRESERVE_ORDER | JSON_INDENT(2);
	if (json_dumpf(v, stdout, flags) < 0 || putchar('\n') == EOF)
		return -1;
	return 0;
}

void out_text(FILE *f, const char *s)
{
	char *shown = textout_term(s ? s : "", 0);
	fputs(shown, f);
	free(shown);
}

const char OUT_OPEN[] = "(open)";

struct out_table *out_table_new(size_t ncols, const char *const *headers, const int *right_align)
{
	struct out_table *t = xcalloc(1, sizeof(*t));
	size_t i;

	t->ncols = ncols;
	t->headers = xcalloc(ncols, sizeof(char *));
	t->right = xcalloc(ncols, sizeof(int));
	for (i = 0; i < ncols; i++) {
		t->headers[i] = xstrdup(headers[i]);
		t->right[i] = right_align ? right_align[i] : 0;
	}
	return t;
}

void out_table_add(struct out_table *t, const char *const *cells)
{
	size_t i;
	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->cells = xreallocarray(t->cells, t->alloc * t->ncols, sizeof(char *));
	}
	/* NULL: OUT_OPEN, which only the table shows */
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = cells[i] == OUT_OPEN ? NULL
			: xstrdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

/* Display width of a cell: columns, not bytes or code points (CJK wide
 * characters take two, combining marks none: util/utf8.h). */
static size_t width(const char *s)
{
	return utf8_width(s);
}

static void pad_cell(FILE *f, const char *s, size_t w, int right, int last)
{
	size_t n = width(s);
	if (right)
		fprintf(f, "%*s", (int)(w - n), "");
	fputs(s, f);
	if (!right && !last)
		fprintf(f, "%*s", (int)(w - n), "");
}

/* Tables are for terminals: cells with controls (ESC, bidi overrides...)
 * are shown escaped (util/textout.h), widths measured on what is shown. */
static char **term_cells(const struct out_table *t)
{
	size_t i, n = (t->nrows + 1) * t->ncols;
	char **v = xcalloc(n ? n : 1, sizeof(char *));
	for (i = 0; i < t->ncols; i++)
		v[i] = textout_term(t->headers[i], 0);
	for (i = 0; i < t->nrows * t->ncols; i++)
		v[t->ncols + i] = textout_term(t->cells[i] ? t->cells[i] : OUT_OPEN, 0);
	return v;
}

void out_table_print(const struct out_table *t, FILE *f, enum out_format fmt)
{
	size_t r, c, *w;
	char **shown;

	if (fmt == OUT_CSV) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', f);
			textout_csv_cell(f, t->headers[c]);
		}
		fputs("\r\n", f);
		for (r = 0; r < t->nrows; r++) {
			for (c = 0; c < t->ncols; c++) {
				if (c)
					fputc(',', f);
				textout_csv_cell(f, t->cells[r * t->ncols + c] ? t->cells[r * t->ncols + c] : "");
			}
			fputs("\r\n", f);
		}
		return;
	}
	shown = term_cells(t);
	w = xcalloc(t->ncols, sizeof(size_t));
	for (c = 0; c < t->ncols; c++) {
		w[c] = width(shown[c]);
		for (r = 0; r < t->nrows; r++) {
			size_t n = width(shown[(r + 1) * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	}
	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputs("  ", f);
		pad_cell(f, shown[c], w[c], t->right[c], c + 1 == t->ncols);
	}
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputs("  ", f);
			pad_cell(f, shown[(r + 1) * t->ncols + c], w[c], t->right[c], c + 1 == t->ncols);
		}
		fputc('\n', f);
	}
	for (c = 0; c < (t->nrows + 1) * t->ncols; c++)
		free(shown[c]);
	free(shown);
	free(w);
}

void out_table_free(struct out_table *t)
{
	size_t i;
	if (!t)
		return;
	for (i = 0; i < t->ncols; i++)
		free(t->headers[i]);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->headers);
	free(t->right);
	free(t->cells);
	free(t);
}
