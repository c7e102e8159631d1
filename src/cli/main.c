/*
 * main.c: the rebill binary — global options, the command table and
 * dispatch (after git's commands[] and tmux's cmd_entry). Exit status: 0 ok,
 * 1 usage, 2 bad input, 3 I/O or database error, 4 an internal invariant
 * (reconciliation) failed.
 */
#include "cli/cli.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"
#include "util/banned.h"

static const struct cli_command commands[] = {
	{ "import", cmd_import, CLI_NEEDS_DB, "import CUR files, manifests or directories",
	  "usage: rebill import [--quiet] [--timing] [--wait SECONDS] [--partial] PATH...\n"
	  "       rebill import [--quiet] [--cache DIR] [--keep-cache] s3://BUCKET/PREFIX\n"
	  "\n"
	  "Reads AWS Cost and Usage Reports (legacy CUR or CUR 2.0; CSV, CSV.gz, Parquet;\n"
	  "manifests; directories searched recursively) into the database. Importing a\n"
	  "payer's billing period again replaces it atomically (AWS restates months), so\n"
	  "name all files of a month in one import (its directory or manifest): a data\n"
	  "file whose manifest lists parts the import leaves out is refused, naming\n"
	  "them, unless --partial. A replaced month prints its rows and unblended cost\n"
	  "before -> after. 'rebill period delete' removes a month imported by mistake.\n"
	  "Bad input is reported as FILE:LINE:COLUMN and leaves the database unchanged.\n"
	  "FOCUS 1.0-1.2 exports (AWS, Azure, Google Cloud, Oracle) are recognised by\n"
	  "their columns and read the same way (docs/import-focus.md).\n"
	  "\n"
	  "Prints the files, rows, payers, accounts and periods read, then per payer and\n"
	  "period the rows and the exact unblended cost (\"replaced\" when it restated a\n"
	  "month), then warnings: skipped files (e.g. .zip), unknown line item types,\n"
	  "columns rebill does not use. A progress bar is drawn on stderr when it is a\n"
	  "terminal, unless --quiet. --timing prints on stderr the seconds spent reading\n"
	  "and summing rows, then writing the database (for benchmarks).\n"
	  "PATH '-' reads standard input; a FIFO is read once, in order. While another\n"
	  "rebill writes the database, import says so and waits up to --wait SECONDS\n"
	  "(default 60, 'forever'), before reading any input.\n"
	  "\n"
	  "s3://BUCKET/PREFIX: the current version of each month under the prefix (as\n"
	  "its CUR manifests tell) is fetched into the cache (--cache DIR, default\n"
	  "$XDG_CACHE_HOME/rebill/s3) and imported; after a successful import the cache\n"
	  "loses the files of superseded versions, unless --keep-cache. See 'rebill help\n"
	  "sync' and docs/import-s3.md for credentials, regions and endpoints.\n" },
	{ "sync", cmd_sync, CLI_NEEDS_DB, "import what changed in an S3 bucket of CUR",
	  "usage: rebill sync [--quiet] [--cache DIR] [--keep-cache] [--every INTERVAL]\n"
	  "                   s3://BUCKET/PREFIX\n"
	  "\n"
	  "Lists the prefix, reads its CUR manifests (legacy and CUR 2.0) and imports, in\n"
	  "one transaction, each month whose current assembly differs from the one last\n"
	  "imported from S3 (restatements replace the month); unchanged months are\n"
	  "neither fetched nor imported, and a round where nothing changed writes\n"
	  "nothing. Prints per month new / changed (was ID) / unchanged, then the import.\n"
	  "Downloads go to the cache (--cache DIR, default $XDG_CACHE_HOME/rebill/s3 or\n"
	  "~/.cache/rebill/s3) and are kept, checked by size and ETag; after a successful\n"
	  "import the cached files that are no longer the current version of a month\n"
	  "(superseded assemblies) are removed, unless --keep-cache.\n"
	  "--every 1h (s, m, h, d; e.g. 1h30m) repeats until SIGINT or SIGTERM; a failed\n"
	  "round is reported on stderr and the next one runs at its time.\n"
	  "Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, or\n"
	  "the profile AWS_PROFILE of ~/.aws/credentials; region AWS_REGION,\n"
	  "AWS_DEFAULT_REGION or the profile's; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL\n"
	  "for another S3 service (path-style). Errors name the s3:// object and the\n"
	  "server's message and leave the database unchanged (exit 3; bad CUR exit 2).\n" },
	{ "periods", cmd_periods, CLI_NEEDS_DB, "list the billing periods in the database",
	  "usage: rebill periods [--format table|csv|json]\n"
	  "\n"
	  "Each period with its payers, accounts, rows and unblended cost. Tables show\n"
	  "amounts rounded to cents; csv and json carry all 10 fractional digits.\n" },
	{ "period", cmd_period, CLI_NEEDS_DB, "delete a payer's month imported by mistake",
	  "usage: rebill period delete --payer ACCOUNT --period YYYY-MM\n"
	  "\n"
	  "Removes everything imported for that payer and month (facts, notes, the\n"
	  "import records) in one transaction, recorded in 'rebill config audit' as\n"
	  "'period:PAYER:YYYY-MM' with the rows and unblended cost removed. Importing\n"
	  "the month again brings it back.\n" },
	{ "accounts", cmd_accounts, CLI_NEEDS_DB, "list the usage accounts seen in CUR data",
	  "usage: rebill accounts [--period YYYY-MM] [--format table|csv|json]\n"
	  "\n"
	  "Each usage account per payer with its rows and unblended cost, in one period\n"
	  "or over all. Tables show cents; csv and json all 10 fractional digits.\n" },
	{ "summary", cmd_summary, CLI_NEEDS_DB, "sum a period's costs by payer, account, service, ...",
	  "usage: rebill summary --period YYYY-MM\n"
	  "         [--by payer|account|service|region|type|usage_type|operation|class|day|\n"
	  "               provider|tag:KEY]\n"
	  "         [--format table|csv|json]\n"
	  "\n"
	  "Sums a period's rows and its unblended, on-demand and effective (amortized)\n"
	  "cost by group (default: payer), sorted by key. tag:KEY groups by the value of\n"
	  "one tag (\"(untagged)\" in tables; a key no row of the period carries is an\n"
	  "error listing the keys it holds, exit 2: see 'rebill tags'); usage_type and\n"
	  "operation by lineItem/UsageType and lineItem/Operation; provider by cloud\n"
	  "(AWS, or a FOCUS export's ProviderName). Tables show amounts in cents, with\n"
	  "a \"(rounding)\" line when the rounded groups do not add up to the rounded\n"
	  "TOTAL; csv (groups only) and json (with \"total\") carry all 10 fractional\n"
	  "digits, exact. A period without facts is an error listing the known ones.\n" },
	{ "tags", cmd_tags, CLI_NEEDS_DB, "list the cost-allocation tag keys of a period",
	  "usage: rebill tags --period YYYY-MM [--format table|csv|json]\n"
	  "\n"
	  "Each tag key present in the period's CUR data with its number of distinct\n"
	  "values and the rows and unblended, on-demand and effective cost of the rows\n"
	  "that carry it: the keys 'summary --by tag:KEY' and 'report margin --by\n"
	  "tag:KEY' accept (a key the period does not hold is an error listing these,\n"
	  "exit 2). Tables show cents; csv and json all 10 fractional digits.\n" },
	{ "gen", cmd_gen, 0, "generate deterministic synthetic CUR files",
	  "usage: rebill gen [--payers N] [--accounts M] [--rows R] [--period YYYY-MM]\n"
	  "                  [--format legacy|cur2] [--gzip] [--parts K] [--seed S]\n"
	  "                  [--restate] DIR\n"
	  "\n"
	  "Writes a month of synthetic CUR for N AWS Organizations (payers, default 1)\n"
	  "with M linked accounts each (default 3) and exactly R rows per payer (default\n"
	  "1000), in the S3 layout AWS delivers: legacy CUR (default) or a CUR 2.0 data\n"
	  "export, plain CSV or --gzip, K data files per payer (default 1) and a\n"
	  "manifest each. The same options and --seed (default 1) give the same bytes.\n"
	  "--period defaults to 2026-10. --restate writes the month as AWS restates it:\n"
	  "another assembly id, some amounts changed, some rows removed and added.\n"
	  "DIR/expected.json holds the exact sums rebill must report for the data:\n"
	  "per payer, account, line item type and class (the shape of\n"
	  "'rebill summary --format json'), and per payer in detail.\n" },
	{ "config", cmd_config, CLI_NEEDS_DB, "apply or export the billing configuration (JSON)",
	  "usage: rebill config apply [--replace] [--dry-run] FILE.json\n"
	  "       rebill config diff [--replace] FILE.json\n"
	  "       rebill config export\n"
	  "       rebill config audit [--limit N] [--format table|json]\n"
	  "\n"
	  "apply: creates and updates the objects FILE names (tax_clusters, plans and\n"
	  "customers by id, a customer with its accounts; fx by period and currency;\n"
	  "custom_lines by customer and period) and leaves the others alone; nothing is\n"
	  "deleted. --replace: FILE is the COMPLETE configuration (docs/billing.md\n"
	  "§8): what it does not name is removed, so 'config export > f.json', edit,\n"
	  "'config apply --replace f.json' round-trips. --dry-run, and 'config diff',\n"
	  "print object by object what would change and write nothing.\n"
	  "The whole document is validated first and every problem is listed with its\n"
	  "JSON path; then everything changes in one transaction, or nothing does.\n"
	  "Applying the same document again changes nothing.\n"
	  "Defaults: markup_pct 0, credits 1, refunds pass, tax strip, discounts\n"
	  "BundledDiscount 1 and others 0, grouping service, no tax cluster = 0% tax,\n"
	  "an account without from/to is held for every period. A plan's basis\n"
	  "(unblended, ondemand, effective or purchaser) has no default: it is required.\n"
	  "Decimals are strings with at most 6 fractional digits; fee amounts, min, max\n"
	  "and custom line amounts have no more digits than the customer's currency.\n"
	  "\n"
	  "export: prints the configuration in canonical form (sorted, defaults explicit).\n"
	  "audit: the newest changes first (default 20; --limit 0 for all), each with\n"
	  "the command, the object and its JSON before (-) and after (+).\n" },
	{ "customer", cmd_customer, CLI_NEEDS_DB, "add, list, show, edit or remove customers",
	  "usage: rebill customer add ID --name NAME --currency CUR --plan PLAN\n"
	  "         [--tax-cluster T] [--grouping service|account|account_service]\n"
	  "         [--email E] [--address A] [--vat-id V]\n"
	  "       rebill customer edit ID [--name ...] [--currency ...] [--plan ...] ...\n"
	  "       rebill customer remove ID [--unassign]\n"
	  "       rebill customer list [--format table|csv|json]\n"
	  "       rebill customer show ID\n"
	  "\n"
	  "edit changes only the options given; an empty value (--email '') clears an\n"
	  "optional field. Changes obey the rules of 'rebill config apply' and are audited.\n"
	  "remove deletes the customer with its custom lines and drafts. It is refused\n"
	  "while finalized invoices or credit notes name the customer (they are kept for\n"
	  "ever; the message lists them) and while it holds accounts (the message lists\n"
	  "them): unassign them first, or give --unassign to leave them unassigned (their\n"
	  "costs then show as unassigned in 'rebill report reconcile').\n" },
	{ "account", cmd_account, CLI_NEEDS_DB, "assign accounts to customers",
	  "usage: rebill account assign ACCOUNT CUSTOMER [--tag KEY=VALUE] [--from YYYY-MM] [--to YYYY-MM]\n"
	  "       rebill account unassign ACCOUNT [--tag KEY=VALUE] [--from YYYY-MM]\n"
	  "       rebill account list [--period YYYY-MM] [--unassigned] [--format table|csv|json]\n"
	  "\n"
	  "An account (of any payer: ids are global) belongs to at most one customer in\n"
	  "any period; without --from/--to an assignment holds for every period.\n"
	  "--tag KEY=VALUE splits the account: the customer holds only its rows whose\n"
	  "cost-allocation tag KEY is VALUE; the other rows stay with the account's plain\n"
	  "assignment, else unassigned (docs/billing.md, splitting an account).\n"
	  "unassign --from P ends the account's assignments with the month before P\n"
	  "(removing those starting at or after P); without --from removes them all;\n"
	  "--tag KEY=VALUE: only the split assignment of that tag value.\n"
	  "list --unassigned: what of the imported CUR data no customer holds: accounts,\n"
	  "and the tag values of split accounts that match no split (as report reconcile).\n" },
	{ "plan", cmd_plan, CLI_NEEDS_DB, "add, change and show pricing plans",
	  "usage: rebill plan list [--format table|csv|json]\n"
	  "       rebill plan show ID\n"
	  "       rebill plan add ID --basis unblended|ondemand|effective|purchaser\n"
	  "         [--currency CUR] [--markup-pct P] [--credits F] [--refunds pass|withhold]\n"
	  "         [--tax pass|strip] [--discounts TYPE=F[,TYPE=F...]]\n"
	  "       rebill plan set ID [the options of add]\n"
	  "       rebill plan rule add PLAN [--service S] [--usage-type GLOB] [--region R]\n"
	  "         [--account A] [--line-item-type T] (--markup-pct P | --exclude)\n"
	  "       rebill plan rule remove PLAN N|MATCH\n"
	  "       rebill plan rule list PLAN\n"
	  "       rebill plan fee add PLAN --type flat|per_account|percent [--amount A]\n"
	  "         [--pct P] [--min M] [--max M] [--description TEXT]\n"
	  "       rebill plan fee remove PLAN N\n"
	  "\n"
	  "Each option is the plan field of the configuration document of that name\n"
	  "('-' for '_'; --markup is --markup-pct). set changes only the options given;\n"
	  "an empty value (--currency '') puts a field back to its default. --discounts\n"
	  "merges factors into the plan's ('TYPE=' drops one). Rules and fees are added\n"
	  "at the end. A rule has no id: it is named by its number N in the plan (1 =\n"
	  "first, as 'plan rule list' numbers them; on a tie the earlier rule wins) or by\n"
	  "its match, e.g. service=AmazonEC2,usage_type=*BoxUsage*, which stays the same\n"
	  "when other rules come and go; a second rule with the same match is refused.\n"
	  "A fee is named by its number as 'plan show' lists them. Every change obeys the\n"
	  "rules of 'rebill config apply' and is audited.\n" },
	{ "tax-cluster", cmd_tax_cluster, CLI_NEEDS_DB, "add, change and list tax clusters",
	  "usage: rebill tax-cluster add ID --name NAME --rate-pct P [--note TEXT]\n"
	  "         [--category S|AE|Z|E|O]\n"
	  "       rebill tax-cluster set ID [--name ...] [--rate-pct ...] [--note ...]\n"
	  "         [--category ...]\n"
	  "       rebill tax-cluster list [--format table|csv|json]\n"
	  "\n"
	  "The options are the tax cluster's fields (docs/billing.md §8); set changes only\n"
	  "those given, an empty value clears --note or --category. Changes obey the rules\n"
	  "of 'rebill config apply' and are audited.\n" },
	{ "custom-line", cmd_custom_line, CLI_NEEDS_DB, "add, remove and list custom invoice lines",
	  "usage: rebill custom-line add --customer C --period YYYY-MM --description TEXT\n"
	  "         --amount AMOUNT\n"
	  "       rebill custom-line remove --customer C --period YYYY-MM [N | --description TEXT]\n"
	  "       rebill custom-line list [--customer C] [--period YYYY-MM] [--format table|csv|json]\n"
	  "\n"
	  "A custom line is an amount in the customer's currency (negative for a credit)\n"
	  "on its invoice for the period, after its other lines. remove takes the line's\n"
	  "number N among the customer's lines of that period (as list numbers them), or\n"
	  "its description, or nothing when it is the only one. Changes obey the rules of\n"
	  "'rebill config apply' and are audited as custom_lines:CUSTOMER:PERIOD.\n" },
	{ "fx", cmd_fx, CLI_NEEDS_DB, "set exchange rates",
	  "usage: rebill fx set --period YYYY-MM --currency CUR RATE\n"
	  "       rebill fx unset --period YYYY-MM --currency CUR\n"
	  "       rebill fx list [--period YYYY-MM] [--format table|csv|json]\n"
	  "\n"
	  "RATE converts USD to CUR for the period (at most 6 fractional digits).\n" },
	{ "invoice", cmd_invoice, CLI_NEEDS_DB, "preview, finalize, correct, export and send invoices",
	  "usage: rebill invoice preview --period YYYY-MM [--customer C] [--explain]\n"
	  "         [--format table|json]\n"
	  "       rebill invoice run --period YYYY-MM [--customer C]\n"
	  "       rebill invoice list [--period P] [--customer C]\n"
	  "         [--status draft|final|credited|paid|overdue] [--format table|csv|json]\n"
	  "       rebill invoice show NUMBER|DRAFT-ID [--format table|json|html|pdf|csv|ubl]\n"
	  "         [--out FILE]\n"
	  "       rebill invoice finalize --period YYYY-MM [--customer C] [--date YYYY-MM-DD]\n"
	  "       rebill invoice credit NUMBER [--reason TEXT] [--date YYYY-MM-DD]\n"
	  "       rebill invoice rerate --period YYYY-MM [--dry-run] [--date YYYY-MM-DD]\n"
	  "         [--format table|json]\n"
	  "       rebill invoice export --period YYYY-MM --out DIR\n"
	  "       rebill invoice pay NUMBER --amount X [--date YYYY-MM-DD]\n"
	  "       rebill invoice send NUMBER | --period YYYY-MM [--force]\n"
	  "\n"
	  "preview rates the period and prints each customer's invoice; nothing is stored\n"
	  "(--explain: which plan rule and markup priced each line, what was excluded,\n"
	  "the rules that priced nothing).\n"
	  "run stores them as drafts (replacing the period's drafts; customers already\n"
	  "invoiced for the period are corrected with rerate instead). finalize numbers\n"
	  "and freezes the drafts, all or none (issuer and customer details, tax cluster,\n"
	  "FX): a finalized document never changes. credit issues a credit note for a\n"
	  "whole invoice; rerate issues, per customer, the correction between the\n"
	  "invoice computed now and what its documents of the period add up to. export\n"
	  "writes every document of the period as PDF, UBL 2.1 (Peppol BIS 3.0), HTML\n"
	  "and CSV, named by number. pay records a (part) payment; send e-mails PDF and\n"
	  "UBL over SMTP (settings: REBILL_SMTP_URL, _USER, _PASSWORD, _FROM or a 0600\n"
	  "REBILL_SMTP_FILE; see docs/invoices.md).\n" },
	{ "export", cmd_export, CLI_NEEDS_DB, "export the accounting journal",
	  "usage: rebill export journal --period YYYY-MM [--format csv] [--out FILE]\n"
	  "\n"
	  "One balanced entry per finalized document of the period: the receivable,\n"
	  "revenue per line kind and VAT payable, debit and credit (checked to balance).\n" },
	{ "report", cmd_report, CLI_NEEDS_DB, "reconciliation and margin reports",
	  "usage: rebill report reconcile --period YYYY-MM [--format table|csv|json]\n"
	  "       rebill report receivables [--as-of YYYY-MM-DD] [--format table|csv|json]\n"
	  "       rebill report margin --period YYYY-MM\n"
	  "         --by customer|account|service|region|type|tag:KEY\n"
	  "         [--customer ID] [--format table|csv|json]\n"
	  "\n"
	  "reconcile: per payer, total unblended cost = assigned + unassigned; per\n"
	  "customer, cost (unblended, effective, ondemand) beside billed USD, margin,\n"
	  "what the plan withheld (credits, refunds, discounts, tax) and what rules\n"
	  "excluded; unassigned accounts; unknown line item types. It always balances,\n"
	  "checked exactly; if it ever does not, that is exit 4.\n"
	  "margin (docs/billing.md §7, USD): revenue = billed USD of the rows other than\n"
	  "AWS tax + each fee and custom line / the invoice's FX rate; cost = effective\n"
	  "cost of the rows other than AWS tax; margin = revenue - cost, grouped by the\n"
	  "key. Unassigned accounts are one line '(unassigned)' (by account: their own\n"
	  "accounts), fees one line '(fees and custom lines)' unless --by customer.\n"
	  "--customer: only that customer's rows and invoice.\n"
	  "receivables: every finalized invoice not credited, with what is paid, what is\n"
	  "open and, past its due date, how many days late; totals per currency.\n" },
	{ "serve", cmd_serve, 0, "serve the JSON API, the console and the customer portal",
	  "usage: rebill serve [--listen HOST:PORT] [--threads N]\n"
	  "         [--tls-cert CERT.pem --tls-key KEY.pem]\n"
	  "         [--login-limit N] [--login-addr-limit N] [--session-idle SECONDS]\n"
	  "         [--trusted-proxy IP[,IP...]] [--upload-max MIB] [--upload-dir DIR]\n"
	  "         [--cache-mb N]\n"
	  "\n"
	  "Serves /api/v1 (JSON; /api/v1/openapi.json describes it), the reseller console\n"
	  "(/console) and the customer portal (/portal) on the database of --db, until\n"
	  "SIGINT or SIGTERM. --listen defaults to 127.0.0.1:8080 (port 0: any free\n"
	  "one; the URL is printed). Log in as a user of 'rebill user add'. Without TLS\n"
	  "options, put it behind a reverse proxy that terminates TLS. Failed logins are\n"
	  "throttled: 5 per account and 20 per address in 15 minutes (--login-limit,\n"
	  "--login-addr-limit); sessions end after 30 idle minutes or 12 hours.\n"
	  "Report answers of the API are cached in memory (--cache-mb, default 64; 0:\n"
	  "off) until anything is written to the database.\n"
	  "X-Forwarded-For names the client address only for requests that come from\n"
	  "a --trusted-proxy address; otherwise it is ignored. CUR files uploaded to\n"
	  "/api/v1/imports are streamed to DIR ($TMPDIR or /tmp), at most MIB MiB\n"
	  "(default 4096). See docs/web.md.\n" },
	{ "user", cmd_user, CLI_NEEDS_DB, "add, list, disable users of the web server",
	  "usage: rebill user add EMAIL --role admin|finance|viewer|customer [--customer ID]\n"
	  "       rebill user list [--format table|csv|json]\n"
	  "       rebill user disable|enable|passwd EMAIL\n"
	  "       rebill user token EMAIL\n"
	  "\n"
	  "add and passwd read the password from the terminal without echo, or one line\n"
	  "from stdin when it is not a terminal (never from the command line); at least\n"
	  "10 characters. A customer user sees only its customer (--customer, a\n"
	  "configured customer id) in the portal. disable ends the user's sessions and\n"
	  "tokens; passwd ends its sessions. token prints a new API bearer token once\n"
	  "(only its hash is stored). Every change is audited ('rebill config audit').\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_usage[] =
	"usage: rebill [--db PATH] [--quiet] COMMAND [ARGS]\n"
	"\n"
	"rebill turns AWS Cost and Usage Reports into invoices for a reseller's customers.\n"
	"\n"
	"Global options:\n";

/* printed in one column with the command names (print_usage); "\n" in a
 * text continues it in the text's column */
static const struct { const char *name, *text; } global_options[] = {
	{ "--db PATH", "the database (default: $REBILL_DB, else ./rebill.db)" },
	{ "--quiet", "no progress output" },
	{ "--wait SECONDS", "how long to wait while another rebill writes to the\n"
	  "database (default 60; 0: fail at once; 'forever')" },
};

const struct cli_command *cli_find(const char *name)
{
	size_t i;
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int cli_wants_help(const struct cli_command *cmd, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(cmd->usage, stdout);
			return 1;
		}
	}
	return 0;
}

static int looks_numeric(const char *a)
{
	return a[0] == '-' && ((a[1] >= '0' && a[1] <= '9') || (a[1] == '.' && a[2] >= '0' && a[2] <= '9'));
}

int cli_parse(struct cli_args *out, const char *cmd, const struct cli_option *opts,
	int argc, char **argv, struct rb_err *err)
{
	int i, k, options = 1;

	memset(out, 0, sizeof(*out));
	out->pos = xcalloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		size_t n;

		if (!options || a[0] != '-' || !a[1] || looks_numeric(a)) {
			out->pos[out->npos++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			options = 0;
			continue;
		}
		eq = strchr(a, '=');
		n = eq && !strncmp(a, "--", 2) ? (size_t)(eq - a) : strlen(a);
		/* the name or its alias, each also as --name=VALUE (an alias such as
		 * --markup for --markup-pct too; a one-dash alias like -q has no = form) */
		for (k = 0; opts && opts[k].name; k++)
			if ((strlen(opts[k].name) == n && !strncmp(opts[k].name, a, n)) ||
			    (opts[k].short_name && (!strcmp(opts[k].short_name, a) ||
			     (!strncmp(opts[k].short_name, "--", 2) &&
			      strlen(opts[k].short_name) == n && !strncmp(opts[k].short_name, a, n)))))
				break;
		if (!opts || !opts[k].name || k >= CLI_MAX_OPTIONS) {
			cli_args_release(out);
			return rb_err_set(err, RB_EUSAGE, "%s: unknown option '%s'; see 'rebill help %s'",
				cmd, a, cmd);
		}
		if (eq && n < strlen(a) && !opts[k].value) {
			cli_args_release(out);
			return rb_err_set(err, RB_EUSAGE, "%s: option '%.*s' takes no value; see 'rebill help %s'",
				cmd, (int)n, a, cmd);
		}
		if (!opts[k].value) {
			out->opt[k] = "";
		} else if (eq && n < strlen(a)) {
			out->opt[k] = eq + 1;
		} else if (i + 1 < argc) {
			out->opt[k] = argv[++i];
		} else {
			cli_args_release(out);
			return rb_err_set(err, RB_EUSAGE, "%s needs a value; see 'rebill help %s'", a, cmd);
		}
	}
	return 0;
}

void cli_args_release(struct cli_args *a)
{
	free(a->pos);
	memset(a, 0, sizeof(*a));
}

int cli_dispatch(const char *cmd, const struct cli_verb *verbs, struct cli_ctx *ctx,
	int argc, char **argv, struct rb_err *err)
{
	size_t i;

	if (argc < 2)
		return rb_err_set(err, RB_EUSAGE, "%s: missing subcommand; see 'rebill help %s'", cmd, cmd);
	for (i = 0; verbs[i].name; i++)
		if (!strcmp(verbs[i].name, argv[1]))
			return verbs[i].fn(ctx, argc - 1, argv + 1, err);
	return rb_err_set(err, RB_EUSAGE, "%s: unknown subcommand '%s'; see 'rebill help %s'",
		cmd, argv[1], cmd);
}

static void print_usage(FILE *f)
{
	size_t i, w = 0;
	const size_t nglobal = sizeof(global_options) / sizeof(global_options[0]);

	/* one name column for options and commands, as wide as the longest
	 * (--wait SECONDS; tax-cluster and custom-line are 11) */
	for (i = 0; i < NCOMMANDS; i++)
		if (strlen(commands[i].name) > w)
			w = strlen(commands[i].name);
	for (i = 0; i < nglobal; i++)
		if (strlen(global_options[i].name) > w)
			w = strlen(global_options[i].name);
	fputs(global_usage, f);
	for (i = 0; i < nglobal; i++) {
		const char *t = global_options[i].text, *nl;
		fprintf(f, "  %-*s  ", (int)w, global_options[i].name);
		while ((nl = strchr(t, '\n'))) {
			fprintf(f, "%.*s\n  %-*s  ", (int)(nl - t), t, (int)w, "");
			t = nl + 1;
		}
		fprintf(f, "%s\n", t);
	}
	fputs("\nCommands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, commands[i].name, commands[i].summary);
	fputs("\nSee 'rebill help COMMAND' for a command's options.\n"
	      "Exit status: 0 ok, 1 usage, 2 bad input, 3 I/O or database error,\n"
	      "4 an internal invariant failed.\n", f);
}

static int help(int argc, char **argv)
{
	const struct cli_command *cmd;
	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		fprintf(stderr, "rebill: no command '%s'; see 'rebill help'\n", argv[1]);
		return 1;
	}
	fputs(cmd->usage, stdout);
	return 0;
}

/* The store waits for another writer: say what is being waited for. */
static void say_waiting(void *arg, int seconds)
{
	const struct cli_ctx *ctx = arg;
	if (seconds < 0)
		fprintf(stderr, "rebill: %s: another rebill (an import or a configuration change) is "
			"writing; waiting for it to finish (--wait forever)...\n", ctx->db_path);
	else
		fprintf(stderr, "rebill: %s: another rebill (an import or a configuration change) is "
			"writing; waiting for it to finish, at most %d s (--wait SECONDS)...\n",
			ctx->db_path, seconds);
}

int cli_parse_wait(struct cli_ctx *ctx, const char *s, struct rb_err *err)
{
	char *end;
	long v;

	if (!strcmp(s, "forever")) {
		ctx->wait.seconds = STORE_WAIT_FOREVER;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 86400)
		return rb_err_set(err, RB_EUSAGE, "--wait takes 0 to 86400 seconds or 'forever', not '%s'", s);
	ctx->wait.seconds = (int)v;
	return 0;
}

/* Who runs this command, for the audit log: the name of the effective
 * user (a setuid or sudo run is the user it runs as), else $USER when the
 * uid has no passwd entry (a container), else "uid N". */
static void os_user(char *buf, size_t n)
{
	const struct passwd *pw = getpwuid(geteuid());
	const char *env = getenv("USER");

	if (pw && pw->pw_name && *pw->pw_name)
		snprintf(buf, n, "%s", pw->pw_name);
	else if (env && *env)
		snprintf(buf, n, "%s", env);
	else
		snprintf(buf, n, "uid %lu", (unsigned long)geteuid());
}

char **cli_main_argv;

int main(int argc, char **argv)
{
	struct cli_ctx ctx = { 0 };
	struct rb_err err;
	const struct cli_command *cmd;
	int i = 1, rc;

	cli_main_argv = argv;
	rb_err_clear(&err);
	ctx.wait.seconds = STORE_WAIT_DEFAULT;
	ctx.wait.notify = say_waiting;
	ctx.wait.arg = &ctx;
	ctx.db_path = getenv("REBILL_DB");
	if (!ctx.db_path || !*ctx.db_path)
		ctx.db_path = "rebill.db";

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc) {
				fputs("rebill: --db needs a path\n", stderr);
				return 1;
			}
			ctx.db_path = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			ctx.db_path = argv[i] + 5;
		} else if (!strcmp(argv[i], "--wait") || !strncmp(argv[i], "--wait=", 7)) {
			const char *v = argv[i][6] == '=' ? argv[i] + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || cli_parse_wait(&ctx, v, &err) < 0) {
				fprintf(stderr, "rebill: %s\n", v ? err.msg : "--wait needs a number of seconds");
				return 1;
			}
		} else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			ctx.quiet = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			puts("rebill 0.1.0");
			return 0;
		} else {
			fprintf(stderr, "rebill: unknown option '%s'; see 'rebill help'\n", argv[i]);
			return 1;
		}
	}
	if (i >= argc) {
		print_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[i], "help"))
		return help(argc - i, argv + i);
	cmd = cli_find(argv[i]);
	if (!cmd) {
		fprintf(stderr, "rebill: no command '%s'; see 'rebill help'\n", argv[i]);
		return 1;
	}
	if (cli_wants_help(cmd, argc - i, argv + i))
		return 0;
	if (cmd->flags & CLI_NEEDS_DB) {
		rc = store_open(&ctx.store, ctx.db_path, &err);
		if (rc < 0)
			goto out;
		store_set_wait(ctx.store, &ctx.wait);
		{
			char who[256];
			os_user(who, sizeof(who));
			store_set_actor(ctx.store, who);
		}
	}
	rc = cmd->fn(&ctx, argc - i, argv + i, &err);
out:
	/* FILE:LINE:COLUMN first when input is at fault, so editors can jump there. */
	if (rc < 0 && (err.msg[0] || err.file[0])) {
		if (!err.file[0])
			fputs("rebill: ", stderr);
		rb_err_print(&err, stderr);
		if (ctx.store && strstr(err.msg, "database or disk is full")) {
			store_release_wal(ctx.store);
			fprintf(stderr, "rebill: no space left on the disk holding %s (or SQLite's temporary "
				"directory, $SQLITE_TMPDIR or /var/tmp); nothing was written\n", ctx.db_path);
		}
		if (store_wait_gave_up(&ctx.wait))
			fprintf(stderr, "rebill: another process held the write lock of %s for more than "
				"%d s; nothing was written (wait longer with --wait SECONDS or --wait forever)\n",
				ctx.db_path, ctx.wait.seconds);
	}
	store_free(ctx.store);
	return rb_err_exit_status(rc);
}

void cli_catch_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
