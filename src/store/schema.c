/*
 * schema.c: the database schema as an ordered list of migrations. A new
 * database runs them all; an older one runs those past its PRAGMA
 * user_version, each in its own transaction with the version bump. A
 * migration once released is never edited: add a new one.
 *
 * Amount columns hold canonical decimal TEXT (see store.h), except the
 * facts' since v10 (exact integers, see there). Periods are
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

/* v6: spec §9 — an account assignment may split the account by tag: it
 * holds only the rows whose tag split_tag has the value split_value (both
 * NULL: the whole account). */
static const char schema_v6[] =
	"ALTER TABLE assignments ADD COLUMN split_tag TEXT;"
	"ALTER TABLE assignments ADD COLUMN split_value TEXT;";

/* v7: who may use the web server (issue 12) — users with one role each,
 * login sessions and API tokens (both stored as hashes of the random token
 * only), failed logins for throttling, and the user behind each audited
 * change (NULL: the CLI's own configuration verbs). */
static const char schema_v7[] =
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  email TEXT NOT NULL UNIQUE,"
	"  role TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'viewer', 'customer')),"
	"  customer TEXT,"                    /* the customer id of role customer, else NULL */
	"  pwhash TEXT NOT NULL,"             /* crypto_pwhash_str (argon2id) */
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"
	"  CHECK ((role = 'customer') = (customer IS NOT NULL))"
	");"
	"CREATE TABLE sessions ("
	"  token_hash TEXT PRIMARY KEY,"      /* hex BLAKE2b-256 of the cookie's token */
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"         /* Unix seconds */
	"  last_seen INTEGER NOT NULL,"
	"  address TEXT NOT NULL"
	");"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE TABLE api_tokens ("
	"  token_hash TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  created_at TEXT NOT NULL"
	");"
	"CREATE TABLE login_failures ("
	"  key TEXT NOT NULL,"                /* 'user:EMAIL' or 'addr:ADDRESS' */
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX login_failures_key ON login_failures(key, at);"
	"ALTER TABLE audit_log ADD COLUMN actor TEXT;";

/* v8: invoice documents (spec §8, issue 7), owned by store/documents.c, and
 * the configuration fields documents print. A draft is the §5 invoice of a
 * customer for a period as `invoice run` last stored it (replaced on every
 * run); a document is a finalized invoice or credit note, frozen: its
 * snapshot is the JSON of everything printed on it (invoice/doc.h), and
 * triggers refuse any UPDATE or DELETE of it, of its references and of the
 * payments and sendings recorded against it — the database, not only the
 * code, keeps them immutable. Numbers are (series, year, seq), allocated
 * inside the finalizing transaction. Documents refer to their customer and
 * plan with DEFERRABLE keys, so the configuration can replace both (apply
 * deletes and re-inserts an object) but never remove them. */
static const char schema_v8[] =
	"ALTER TABLE tax_clusters ADD COLUMN category TEXT;"   /* S|AE|Z|E|O, NULL: default */
	"ALTER TABLE customers ADD COLUMN city TEXT;"
	"ALTER TABLE customers ADD COLUMN postal_code TEXT;"
	"ALTER TABLE customers ADD COLUMN country TEXT;"
	"ALTER TABLE customers ADD COLUMN company_id TEXT;"
	"ALTER TABLE customers ADD COLUMN peppol_id TEXT;"
	"ALTER TABLE customers ADD COLUMN payment_terms_days INTEGER;"
	"CREATE TABLE issuer ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1) DEFAULT 1,"
	"  name TEXT NOT NULL,"
	"  address TEXT, city TEXT, postal_code TEXT, country TEXT, vat_id TEXT,"
	"  company_id TEXT, iban TEXT, bic TEXT, email TEXT, invoice_format TEXT,"
	"  credit_note_format TEXT, peppol_id TEXT, logo TEXT"
	");"
	/* the journal's general-ledger accounts: key (receivable, vat, a line
	 * kind) -> account code; keys not listed keep their defaults */
	"CREATE TABLE ledger_accounts ("
	"  key TEXT PRIMARY KEY,"
	"  account TEXT NOT NULL"
	");"
	"CREATE TABLE drafts ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"   /* never reused: DRAFT-ID stays unique */
	"  period TEXT NOT NULL,"
	"  customer TEXT NOT NULL,"
	"  plan TEXT NOT NULL,"
	"  created_at TEXT NOT NULL,"
	"  config TEXT NOT NULL,"                   /* the customer's configuration rated with */
	"  snapshot TEXT NOT NULL,"                 /* doc JSON */
	"  UNIQUE (period, customer)"
	");"
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL CHECK (type IN ('invoice', 'credit_note')),"
	"  year INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq > 0),"
	"  customer TEXT NOT NULL REFERENCES customers(id) DEFERRABLE INITIALLY DEFERRED,"
	"  plan TEXT REFERENCES plans(id) DEFERRABLE INITIALLY DEFERRED,"
	"  period TEXT NOT NULL,"
	"  issue_date TEXT NOT NULL,"
	"  due_date TEXT NOT NULL,"
	"  currency TEXT NOT NULL,"
	"  total TEXT NOT NULL,"                    /* as printed, minor digits */
	"  credits INTEGER REFERENCES documents(id),"  /* a full credit note: what it credits */
	"  finalized_at TEXT NOT NULL,"
	"  snapshot TEXT NOT NULL,"
	"  UNIQUE (type, year, seq)"
	");"
	"CREATE UNIQUE INDEX documents_credited_once ON documents(credits) WHERE credits IS NOT NULL;"
	"CREATE INDEX documents_period ON documents(period, customer);"
	/* what a correction (re-rate) or credit note refers to */
	"CREATE TABLE document_refs ("
	"  document_id INTEGER NOT NULL REFERENCES documents(id),"
	"  ref_id INTEGER NOT NULL REFERENCES documents(id),"
	"  PRIMARY KEY (document_id, ref_id)"
	");"
	"CREATE TABLE payments ("
	"  id INTEGER PRIMARY KEY,"
	"  document_id INTEGER NOT NULL REFERENCES documents(id),"
	"  amount TEXT NOT NULL,"                   /* document currency, minor digits */
	"  paid_on TEXT NOT NULL,"
	"  recorded_at TEXT NOT NULL"
	");"
	"CREATE INDEX payments_document ON payments(document_id);"
	"CREATE TABLE document_sends ("
	"  id INTEGER PRIMARY KEY,"
	"  document_id INTEGER NOT NULL REFERENCES documents(id),"
	"  sent_at TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  recipient TEXT NOT NULL"
	");"
	"CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents BEGIN"
	"  SELECT RAISE(ABORT, 'a finalized document cannot be changed'); END;"
	"CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents BEGIN"
	"  SELECT RAISE(ABORT, 'a finalized document cannot be deleted'); END;"
	"CREATE TRIGGER document_refs_no_update BEFORE UPDATE ON document_refs BEGIN"
	"  SELECT RAISE(ABORT, 'the references of a finalized document cannot be changed'); END;"
	"CREATE TRIGGER document_refs_no_delete BEFORE DELETE ON document_refs BEGIN"
	"  SELECT RAISE(ABORT, 'the references of a finalized document cannot be changed'); END;"
	"CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN"
	"  SELECT RAISE(ABORT, 'a recorded payment cannot be changed'); END;"
	"CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN"
	"  SELECT RAISE(ABORT, 'a recorded payment cannot be deleted'); END;"
	"CREATE TRIGGER document_sends_no_update BEFORE UPDATE ON document_sends BEGIN"
	"  SELECT RAISE(ABORT, 'a recorded sending cannot be changed'); END;"
	"CREATE TRIGGER document_sends_no_delete BEFORE DELETE ON document_sends BEGIN"
	"  SELECT RAISE(ABORT, 'a recorded sending cannot be deleted'); END;";

/* v9: a plan may name the currency of its customers (spec §5 step 4, issue
 * 13); NULL: any. */
static const char schema_v9[] =
	"ALTER TABLE plans ADD COLUMN currency TEXT;";

/* v10: the lean fact store (issue 9 step 2). Facts held every dimension as
 * TEXT and every amount as canonical decimal TEXT (~300 bytes a fact, two
 * indexes); an import of 2M high-cardinality facts spent 17 s writing them.
 * Now:
 *  - dimension strings live once in dictionaries referenced by integer ids:
 *    fact_accounts (payers, accounts, commitment owners; "" included — one
 *    table so that an account range is one index range, see facts_scan.c),
 *    fact_dims (days, line item types, classes, product codes and names,
 *    usage types, operations, regions); tag sets stay interned in tagsets.
 *    Resource ids stay inline TEXT: nearly every one is distinct, and a
 *    dictionary of them made the high-cardinality import slower (a UNIQUE
 *    index probe and insert per resource: 26.8 s against 19.6 s).
 *  - amounts are exact integers in units of 10^-10 USD (DEC_SCALE, the
 *    scale every CUR amount is parsed at, so nothing is ever rounded): the
 *    value is X_hi * 10^18 + X with |X| < 10^18 and X_hi of the same sign,
 *    NULL when 0 — one BIGINT for any amount below 10^8 USD, two up to
 *    ~9.2 * 10^26 USD; beyond that an import is refused (store_amount_split).
 *  - one index per table, the one its queries use (EXPLAIN QUERY PLAN in
 *    docs/architecture.md): (period, account_id) serves the billing scan's
 *    account ranges, the per-period sums and the (period, payer) deletes.
 * The views facts and resource_facts show the old TEXT shape in plain SQL
 * (for people and tests with the sqlite3 shell; rebill never reads them).
 * Only portable types (INTEGER, BIGINT, TEXT); amount_lo/amount_hi are
 * rebill's SQL functions (functions.c) and only this migration needs them. */
#define AMT_TEXT(t, c) \
	"(CASE WHEN " t "." c " < 0 OR " t "." c "_hi < 0 THEN '-' ELSE '' END" \
	" || abs(COALESCE(" t "." c "_hi, 0) * 100000000 + " t "." c " / 10000000000)" \
	" || '.' || substr('0000000000' || (abs(" t "." c ") % 10000000000), -10)) AS " c

#define AMT_COLS(t) \
	"  usage_amount BIGINT NOT NULL, unblended BIGINT NOT NULL, ondemand BIGINT NOT NULL," \
	"  effective BIGINT NOT NULL, usage_amount_hi BIGINT, unblended_hi BIGINT," \
	"  ondemand_hi BIGINT, effective_hi BIGINT"

#define AMT_COPY(c) "amount_lo(" c "), "
#define AMT_COPY_HI(c) "amount_hi(" c ")"

static const char schema_v10[] =
	"CREATE TABLE fact_accounts ("
	"  id INTEGER PRIMARY KEY,"
	"  account TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE fact_dims ("
	"  id INTEGER PRIMARY KEY,"
	"  value TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE fact_rows ("
	"  id INTEGER PRIMARY KEY,"
	"  period TEXT NOT NULL,"
	"  day_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  payer_id INTEGER NOT NULL REFERENCES fact_accounts(id),"
	"  account_id INTEGER NOT NULL REFERENCES fact_accounts(id),"
	"  type_id INTEGER NOT NULL REFERENCES fact_dims(id),"          /* line item type */
	"  class_id INTEGER NOT NULL REFERENCES fact_dims(id),"         /* cur_class_name() */
	"  product_id INTEGER NOT NULL REFERENCES fact_dims(id),"       /* product code */
	"  product_name_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  usage_type_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  operation_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  region_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  owner_id INTEGER NOT NULL REFERENCES fact_accounts(id),"
	"  tagset_id INTEGER NOT NULL REFERENCES tagsets(id),"
	"  rows BIGINT NOT NULL,"
	AMT_COLS("f")
	");"
	"CREATE TABLE resource_fact_rows ("
	"  id INTEGER PRIMARY KEY,"
	"  period TEXT NOT NULL,"
	"  payer_id INTEGER NOT NULL REFERENCES fact_accounts(id),"
	"  account_id INTEGER NOT NULL REFERENCES fact_accounts(id),"
	"  resource_id TEXT NOT NULL,"       /* inline: mostly distinct (see above) */
	"  product_id INTEGER NOT NULL REFERENCES fact_dims(id),"
	"  rows BIGINT NOT NULL,"
	AMT_COLS("r")
	");";

/* v10, continued: the dictionaries, sorted so that ids follow the strings'
 * order, and the facts copied in their order (store_facts_each reads by id). */
static const char schema_v10_copy[] =
	"INSERT INTO fact_accounts (account) SELECT v FROM ("
	"  SELECT payer AS v FROM facts UNION SELECT account FROM facts"
	"  UNION SELECT owner FROM facts UNION SELECT payer FROM resource_facts"
	"  UNION SELECT account FROM resource_facts) ORDER BY v;"
	"INSERT INTO fact_dims (value) SELECT v FROM ("
	"  SELECT day AS v FROM facts UNION SELECT line_item_type FROM facts"
	"  UNION SELECT class FROM facts UNION SELECT product_code FROM facts"
	"  UNION SELECT product_name FROM facts UNION SELECT usage_type FROM facts"
	"  UNION SELECT operation FROM facts UNION SELECT region FROM facts"
	"  UNION SELECT product_code FROM resource_facts) ORDER BY v;"
	"INSERT INTO fact_rows (period, day_id, payer_id, account_id, type_id, class_id,"
	"  product_id, product_name_id, usage_type_id, operation_id, region_id, owner_id,"
	"  tagset_id, rows, usage_amount, unblended, ondemand, effective, usage_amount_hi,"
	"  unblended_hi, ondemand_hi, effective_hi)"
	" SELECT f.period,"
	"  (SELECT id FROM fact_dims WHERE value = f.day),"
	"  (SELECT id FROM fact_accounts WHERE account = f.payer),"
	"  (SELECT id FROM fact_accounts WHERE account = f.account),"
	"  (SELECT id FROM fact_dims WHERE value = f.line_item_type),"
	"  (SELECT id FROM fact_dims WHERE value = f.class),"
	"  (SELECT id FROM fact_dims WHERE value = f.product_code),"
	"  (SELECT id FROM fact_dims WHERE value = f.product_name),"
	"  (SELECT id FROM fact_dims WHERE value = f.usage_type),"
	"  (SELECT id FROM fact_dims WHERE value = f.operation),"
	"  (SELECT id FROM fact_dims WHERE value = f.region),"
	"  (SELECT id FROM fact_accounts WHERE account = f.owner),"
	"  f.tagset_id, f.rows, "
	AMT_COPY("f.usage_amount") AMT_COPY("f.unblended") AMT_COPY("f.ondemand")
	AMT_COPY("f.effective") AMT_COPY_HI("f.usage_amount") ", " AMT_COPY_HI("f.unblended") ", "
	AMT_COPY_HI("f.ondemand") ", " AMT_COPY_HI("f.effective")
	" FROM facts f ORDER BY f.rowid;"
	"INSERT INTO resource_fact_rows (period, payer_id, account_id, resource_id, product_id,"
	"  rows, usage_amount, unblended, ondemand, effective, usage_amount_hi, unblended_hi,"
	"  ondemand_hi, effective_hi)"
	" SELECT r.period,"
	"  (SELECT id FROM fact_accounts WHERE account = r.payer),"
	"  (SELECT id FROM fact_accounts WHERE account = r.account),"
	"  r.resource_id,"
	"  (SELECT id FROM fact_dims WHERE value = r.product_code),"
	"  r.rows, "
	AMT_COPY("r.usage_amount") AMT_COPY("r.unblended") AMT_COPY("r.ondemand")
	AMT_COPY("r.effective") AMT_COPY_HI("r.usage_amount") ", " AMT_COPY_HI("r.unblended") ", "
	AMT_COPY_HI("r.ondemand") ", " AMT_COPY_HI("r.effective")
	" FROM resource_facts r ORDER BY r.rowid;";

/* v10, continued: the old tables go, the views show their shape. */
static const char schema_v10_views[] =
	"DROP TABLE facts;"
	"DROP TABLE resource_facts;"
	"CREATE INDEX fact_rows_period_account ON fact_rows(period, account_id);"
	"CREATE INDEX resource_fact_rows_period_payer ON resource_fact_rows(period, payer_id);"
	"CREATE VIEW facts AS SELECT f.period AS period, dd.value AS day, p.account AS payer,"
	"  a.account AS account, lt.value AS line_item_type, cl.value AS class,"
	"  pc.value AS product_code, pn.value AS product_name, ut.value AS usage_type,"
	"  op.value AS operation, rg.value AS region, o.account AS owner,"
	"  f.tagset_id AS tagset_id, f.rows AS rows, "
	AMT_TEXT("f", "usage_amount") ", " AMT_TEXT("f", "unblended") ", "
	AMT_TEXT("f", "ondemand") ", " AMT_TEXT("f", "effective")
	" FROM fact_rows f"
	"  JOIN fact_dims dd ON dd.id = f.day_id JOIN fact_accounts p ON p.id = f.payer_id"
	"  JOIN fact_accounts a ON a.id = f.account_id JOIN fact_dims lt ON lt.id = f.type_id"
	"  JOIN fact_dims cl ON cl.id = f.class_id JOIN fact_dims pc ON pc.id = f.product_id"
	"  JOIN fact_dims pn ON pn.id = f.product_name_id"
	"  JOIN fact_dims ut ON ut.id = f.usage_type_id JOIN fact_dims op ON op.id = f.operation_id"
	"  JOIN fact_dims rg ON rg.id = f.region_id JOIN fact_accounts o ON o.id = f.owner_id;"
	"CREATE VIEW resource_facts AS SELECT r.period AS period, p.account AS payer,"
	"  a.account AS account, r.resource_id AS resource_id, pc.value AS product_code,"
	"  r.rows AS rows, "
	AMT_TEXT("r", "usage_amount") ", " AMT_TEXT("r", "unblended") ", "
	AMT_TEXT("r", "ondemand") ", " AMT_TEXT("r", "effective")
	" FROM resource_fact_rows r"
	"  JOIN fact_accounts p ON p.id = r.payer_id JOIN fact_accounts a ON a.id = r.account_id"
	"  JOIN fact_dims pc ON pc.id = r.product_id;";

/* v11: spec §9 — the billing rollup keeps the tag dimension of split
 * accounts only: their rows are summed per value of the account's split
 * tag (split_value; NULL: untagged, and for every unsplit account), and
 * bill_rollup_splits lists which accounts of a period were summed so, by
 * which key. A scan of a split account reads the rollup only when it was
 * built with that account split by that key (else the facts); an existing
 * rollup holds no split accounts and stays valid. */
static const char schema_v11[] =
	"ALTER TABLE bill_rollup ADD COLUMN split_value TEXT;"
	"CREATE TABLE bill_rollup_splits ("
	"  period TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  tag TEXT NOT NULL,"                /* the key its rows are summed by */
	"  PRIMARY KEY (period, account)"
	");";

/* v12: the currency of each import's costs (issue 8: FOCUS BillingCurrency;
 * "USD" for CUR, spec §3), kept per (payer, period) beside the provider; an
 * older database's imports are all USD. */
static const char schema_v12[] =
	"ALTER TABLE imports ADD COLUMN currency TEXT NOT NULL DEFAULT 'USD';";

/* v13: tag set items in one B-tree (issue 9 step 1). tagset_items was a
 * rowid table with its PRIMARY KEY (tagset_id, key) as a second index, so
 * every item was written twice; keyed by that PRIMARY KEY alone (SQLite's
 * WITHOUT ROWID; a PostgreSQL backend keeps an ordinary table with the same
 * key) an item is one entry, and an import's new items, whose tag set ids
 * only grow, are appends. Same columns, same rows. */
static const char schema_v13[] =
	"CREATE TABLE tagset_items_v13 ("
	"  tagset_id INTEGER NOT NULL REFERENCES tagsets(id),"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (tagset_id, key)"
	") WITHOUT ROWID;"
	"INSERT INTO tagset_items_v13 (tagset_id, key, value)"
	"  SELECT tagset_id, key, value FROM tagset_items ORDER BY tagset_id, key;"
	"DROP TABLE tagset_items;"
	"ALTER TABLE tagset_items_v13 RENAME TO tagset_items;";

const struct store_migration store_migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
	{ 4, schema_v4 },
	{ 5, schema_v5 },
	{ 6, schema_v6 },
	{ 7, schema_v7 },
	{ 8, schema_v8 },
	{ 9, schema_v9 },
	{ 10, schema_v10 },          /* one migration in three strings */
	{ 10, schema_v10_copy },
	{ 10, schema_v10_views },
	{ 11, schema_v11 },
	{ 12, schema_v12 },
	{ 13, schema_v13 },
};
const size_t store_nmigrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
