/*
 * schema.c: the database schema as an ordered list of migrations. A new
 * database runs them all; an older one runs those past its PRAGMA
 * user_version, each in its own transaction with the version bump. A
 * migration once released is never edited: add a new one.
 *
 * Amount columns hold canonical decimal TEXT (see store.h). Periods are
 * "YYYY-MM", days "YYYY-MM-DD", account ids 12-digit TEXT.
 */
#include "store/store_int.h"

#include <stddef.h>

#include "util/banned.h"

/* v1: CUR facts and what was imported. */
static const char schema_v1[] =
	/* One row per import of a (payer, period): the latest is current. */
	"CREATE TABLE imports ("
	"  id INTEGER PRIMARY KEY,"
	"  payer TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  imported_at TEXT NOT NULL,"        /* UTC, ISO 8601 */
	"  rows INTEGER NOT NULL,"
	"  unblended TEXT NOT NULL"
	");"
	"CREATE INDEX imports_payer_period ON imports(payer, period);"
	/* The files an import read (one file may feed several payers). */
	"CREATE TABLE import_files ("
	"  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  assembly_id TEXT NOT NULL DEFAULT '',"
	"  rows INTEGER NOT NULL"
	");"
	"CREATE INDEX import_files_import ON import_files(import_id);"
	/* Oddities that are not errors, per (payer, period): never dropped. */
	"CREATE TABLE import_notes ("
	"  payer TEXT NOT NULL,"
	"  period TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"                /* 'unknown_type' | 'unknown_column' */
	"  name TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  unblended TEXT NOT NULL DEFAULT '0.0000000000',"
	"  PRIMARY KEY (payer, period, kind, name)"
	");"
	/* Interned tag sets: canon is the sorted key\\x1fvalue pairs joined by \\x1e. */
	"CREATE TABLE tagsets ("
	"  id INTEGER PRIMARY KEY,"
	"  canon TEXT NOT NULL UNIQUE"
	");"
	"INSERT INTO tagsets (id, canon) VALUES (0, '');"
	"CREATE TABLE tagset_items ("
	"  tagset_id INTEGER NOT NULL REFERENCES tagsets(id),"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (tagset_id, key)"
	");"
	/* Aggregated facts: one row per distinct key below, with exact sums. */
	"CREATE TABLE facts ("
	"  period TEXT NOT NULL,"
	"  day TEXT NOT NULL,"
	"  payer TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  line_item_type TEXT NOT NULL,"
	"  class TEXT NOT NULL,"               /* cur_class_name() */
	"  product_code TEXT NOT NULL,"
	"  product_name TEXT NOT NULL,"
	"  usage_type TEXT NOT NULL,"
	"  operation TEXT NOT NULL,"
	"  region TEXT NOT NULL,"
	"  owner TEXT NOT NULL,"               /* commitment owner account or '' */
	"  tagset_id INTEGER NOT NULL REFERENCES tagsets(id),"
	"  rows INTEGER NOT NULL,"
	"  usage_amount TEXT NOT NULL,"
	"  unblended TEXT NOT NULL,"
	"  ondemand TEXT NOT NULL,"
	"  effective TEXT NOT NULL"
	");"
	"CREATE INDEX facts_period_payer ON facts(period, payer);"
	"CREATE INDEX facts_period_account ON facts(period, account);"
	/* Monthly facts per resource, for drill-down. */
	"CREATE TABLE resource_facts ("
	"  period TEXT NOT NULL,"
	"  payer TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  resource_id TEXT NOT NULL,"
	"  product_code TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  usage_amount TEXT NOT NULL,"
	"  unblended TEXT NOT NULL,"
	"  ondemand TEXT NOT NULL,"
	"  effective TEXT NOT NULL"
	");"
	"CREATE INDEX resource_facts_period_payer ON resource_facts(period, payer);";

const struct store_migration store_migrations[] = {
	{ 1, schema_v1 },
};
const size_t store_nmigrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
