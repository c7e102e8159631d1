/*
 * schema.c: the database schema as an ordered list of migrations. A new
 * database runs them all; an older one runs those past its PRAGMA
 * user_version, each in its own transaction with the version bump. A
 * migration once released is never edited: add a new one.
 *
 * Amount columns hold canonical decimal TEXT (see store.h). Periods are
 * "YYYY-MM", days "YYYY-MM-DD", account ids TEXT (12 digits for AWS; other
 * clouds' ids from FOCUS, see src/ingest/focus.h).
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

/* v2: the billing configuration (spec §4, §5, §7), owned by store/config.c.
 * Decimals are canonical minimal TEXT as in `rebill config export` ("5",
 * "0.9231"), at most 6 fractional digits. NULL means "not set". References
 * between configuration tables are DEFERRABLE so that one apply may replace
 * an object that others point to; the COMMIT checks them. */
static const char schema_v2[] =
	"CREATE TABLE tax_clusters ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  rate_pct TEXT NOT NULL,"
	"  note TEXT"
	");"
	"CREATE TABLE plans ("
	"  id TEXT PRIMARY KEY,"
	"  basis TEXT NOT NULL,"              /* unblended|ondemand|effective|purchaser */
	"  markup_pct TEXT NOT NULL,"
	"  credits TEXT NOT NULL,"
	"  refunds TEXT NOT NULL,"            /* pass|withhold */
	"  tax TEXT NOT NULL"                 /* pass|strip */
	");"
	/* Explicit discount factors; types not listed take the spec §4 default. */
	"CREATE TABLE plan_discounts ("
	"  plan TEXT NOT NULL REFERENCES plans(id) DEFERRABLE INITIALLY DEFERRED,"
	"  type TEXT NOT NULL,"
	"  factor TEXT NOT NULL,"
	"  PRIMARY KEY (plan, type)"
	");"
	"CREATE TABLE plan_rules ("
	"  plan TEXT NOT NULL REFERENCES plans(id) DEFERRABLE INITIALLY DEFERRED,"
	"  position INTEGER NOT NULL,"
	"  service TEXT,"
	"  usage_type TEXT,"
	"  region TEXT,"
	"  account TEXT,"
	"  line_item_type TEXT,"
	"  markup_pct TEXT,"
	"  exclude INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (plan, position)"
	");"
	"CREATE TABLE plan_fees ("
	"  plan TEXT NOT NULL REFERENCES plans(id) DEFERRABLE INITIALLY DEFERRED,"
	"  position INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"               /* flat|per_account|percent */
	"  amount TEXT,"
	"  pct TEXT,"
	"  min TEXT,"
	"  max TEXT,"
	"  description TEXT,"
	"  PRIMARY KEY (plan, position)"
	");"
	"CREATE TABLE customers ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  plan TEXT NOT NULL REFERENCES plans(id) DEFERRABLE INITIALLY DEFERRED,"
	"  tax_cluster TEXT REFERENCES tax_clusters(id) DEFERRABLE INITIALLY DEFERRED,"
	"  grouping TEXT NOT NULL,"           /* service|account|account_service */
	"  email TEXT,"
	"  address TEXT,"
	"  vat_id TEXT"
	");"
	/* Effective-dated: account (any payer's; ids are global) belongs to
	 * customer from from_period to to_period inclusive; NULL = open. */
	"CREATE TABLE assignments ("
	"  account TEXT NOT NULL,"
	"  customer TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,"
	"  from_period TEXT,"
	"  to_period TEXT"
	");"
	"CREATE INDEX assignments_account ON assignments(account);"
	"CREATE INDEX assignments_customer ON assignments(customer);"
	"CREATE TABLE fx_rates ("
	"  period TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  rate TEXT NOT NULL,"               /* USD -> currency */
	"  PRIMARY KEY (period, currency)"
	");"
	"CREATE TABLE custom_lines ("
	"  customer TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,"
	"  period TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  description TEXT NOT NULL,"
	"  amount TEXT NOT NULL,"
	"  PRIMARY KEY (customer, period, position)"
	");"
	/* Every configuration change: before/after are the object's canonical
	 * JSON (NULL when it did not or no longer exists). */
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"                 /* UTC, ISO 8601 */
	"  source TEXT NOT NULL,"             /* the command, e.g. 'config apply' */
	"  action TEXT NOT NULL,"             /* create|update|delete */
	"  object TEXT NOT NULL,"             /* e.g. 'customer:acme' */
	"  before TEXT,"
	"  after TEXT"
	");";

/* v3: the billing rollup — a period's facts summed over days and tags (what
 * rating sees), a cache rebuilt from facts, valid while bill_rollup_state
 * lists exactly each payer's latest import of the period (store_scan.h). */
static const char schema_v3[] =
	"CREATE TABLE bill_rollup ("
	"  period TEXT NOT NULL,"
	"  payer TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  line_item_type TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  product_code TEXT NOT NULL,"
	"  product_name TEXT NOT NULL,"
	"  usage_type TEXT NOT NULL,"
	"  operation TEXT NOT NULL,"
	"  region TEXT NOT NULL,"
	"  owner TEXT NOT NULL,"
	"  rows INTEGER NOT NULL,"
	"  unblended TEXT NOT NULL,"
	"  ondemand TEXT NOT NULL,"
	"  effective TEXT NOT NULL"
	");"
	"CREATE INDEX bill_rollup_period_account ON bill_rollup(period, account);"
	"CREATE TABLE bill_rollup_state ("
	"  period TEXT NOT NULL,"
	"  payer TEXT NOT NULL,"
	"  import_id INTEGER NOT NULL,"       /* imports.id the rollup was built from */
	"  PRIMARY KEY (period, payer)"
	");";

/* v4: the provider of each import's billing account ("AWS" for CUR, FOCUS
 * ProviderName such as "Microsoft" or "Google Cloud"): a billing account
 * belongs to one provider, so it is kept per (payer, period) beside the
 * import, not in every fact. Databases from before FOCUS held AWS only. */
static const char schema_v4[] =
	"ALTER TABLE imports ADD COLUMN provider TEXT NOT NULL DEFAULT 'AWS';";

/* v5: what `rebill import s3://` and `rebill sync` imported from S3, one
 * row per month (manifest) each time its files were imported (store_s3.h).
 * The latest row of a (bucket, manifest_key) holds the assembly in the
 * database; sync skips a month whose manifest still names it. */
static const char schema_v5[] =
	"CREATE TABLE s3_syncs ("
	"  id INTEGER PRIMARY KEY,"
	"  synced_at TEXT NOT NULL,"          /* UTC, ISO 8601 */
	"  source TEXT NOT NULL,"             /* the s3://BUCKET/PREFIX named */
	"  bucket TEXT NOT NULL,"
	"  manifest_key TEXT NOT NULL,"       /* '' for a prefix without manifests */
	"  report TEXT NOT NULL,"
	"  period TEXT NOT NULL,"             /* YYYY-MM, '' when not known */
	"  assembly_id TEXT NOT NULL,"        /* assembly / execution id, or a digest */
	"  action TEXT NOT NULL,"             /* 'new' | 'changed' | 'again' */
	"  files INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL"
	");"
	"CREATE INDEX s3_syncs_manifest ON s3_syncs(bucket, manifest_key);";

/* v6: a plan may name the currency of its customers (spec §5 step 4, issue
 * 13); NULL: any. */
static const char schema_v6[] =
	"ALTER TABLE plans ADD COLUMN currency TEXT;";

const struct store_migration store_migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
	{ 4, schema_v4 },
	{ 5, schema_v5 },
	{ 6, schema_v6 },
};
const size_t store_nmigrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
