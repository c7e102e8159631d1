/*
 * store_imports.h: the import history the imports table records — one
 * entry per (payer, period) an import wrote, newest first, with the files
 * it read. The latest import of a (payer, period) is the current one; the
 * older ones were replaced by a restatement.
 */
#ifndef RB_STORE_IMPORTS_H
#define RB_STORE_IMPORTS_H

#include <jansson.h>

#include "store/store.h"
#include "util/err.h"

/* *out: a new array of {"id","payer","provider","period","imported_at",
 * "rows","unblended" (decimal string, USD),"current" (bool),"files":
 * [{"path","size","rows"}]}, newest first, at most limit (0: all). */
int store_import_history(json_t **out, struct store *s, long limit, struct rb_err *err);

#endif
