/*
 * source_cur.c: the CUR reader of src/ingest as the import's row source.
 * Kept in its own file so that tests feeding rows from C do not link the
 * reader.
 */
#include "import/import.h"

#include "util/banned.h"

static int cur_open(void **state, const char *path, void *arg, struct rb_err *err)
{
	struct cur_reader *r = NULL;
	int rc;
	(void)arg;
	rc = cur_reader_open(&r, path, err);
	*state = r;
	return rc;
}

static int cur_next(void *state, const struct cur_row **row, struct rb_err *err)
{
	return cur_reader_next(state, row, err);
}

static void cur_stats(void *state, struct cur_reader_stats *out)
{
	cur_reader_stats(state, out);
}

static void cur_close(void *state)
{
	cur_reader_free(state);
}

const struct import_source_ops import_source_cur = {
	cur_open, cur_next, cur_stats, cur_close, NULL,
};
