/*
 * routes.c: the route table — every URL the server answers, with the roles
 * that may call it and how a customer user is limited to its own customer —
 * and the one place that enforces it (http_authorize), before any handler
 * runs. A route without roles cannot start the server (http_routes_check),
 * and the authorization matrix test walks the same table through
 * /api/v1/openapi.json.
 *
 * Not for: what a handler does (api.c, pages.c, session.c).
 */
#include "http/http_int.h"

#include <microhttpd.h>
#include <string.h>

#include "util/banned.h"

#define P_PERIOD_ANY { "period", "billing period YYYY-MM (default: all)" }
#define P_PERIOD_REQ { "period", "billing period YYYY-MM" }
#define P_PERIOD { "period", "billing period YYYY-MM (default: the latest with facts)" }

const struct http_route http_routes[] = {
	/* session */
	{ "POST", "/api/v1/session", h_session_create, ROLE_PUBLIC, SCOPE_NONE, ROUTE_JSON_BODY,
	  "log in with {\"email\",\"password\"}: sets the session cookie, returns the CSRF token", { { 0 } } },
	{ "GET", "/api/v1/session", h_session_get, ROLE_ANY_USER, SCOPE_SELF, 0,
	  "who is logged in, and the session's CSRF token", { { 0 } } },
	{ "DELETE", "/api/v1/session", h_session_delete, ROLE_ANY_USER, SCOPE_SELF, 0,
	  "log out", { { 0 } } },
	{ "GET", "/api/v1/openapi.json", h_openapi, ROLE_PUBLIC, SCOPE_NONE, 0,
	  "this API's OpenAPI 3.1 document", { { 0 } } },
	/* reports (staff) */
	{ "GET", "/api/v1/periods", h_periods, ROLE_STAFF, SCOPE_NONE, 0,
	  "billing periods with facts: payers, accounts, rows, unblended cost", { { 0 } } },
	{ "GET", "/api/v1/summary", h_summary, ROLE_STAFF, SCOPE_NONE, 0,
	  "a period's cost summed by payer, account, service, region, type, class, day or tag:KEY",
	  { P_PERIOD, { "by", "grouping (default payer)" } } },
	{ "GET", "/api/v1/margin", h_margin, ROLE_ADMIN | ROLE_FINANCE | ROLE_VIEWER, SCOPE_NONE, 0,
	  "cost beside billed USD and margin, by customer, account, service, region, type or tag:KEY",
	  { P_PERIOD, { "by", "grouping (default customer)" } } },
	{ "GET", "/api/v1/reconciliation", h_reconcile, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, 0,
	  "the period's reconciliation: payers, customers, unassigned accounts", { P_PERIOD } },
	{ "GET", "/api/v1/invoices/preview", h_invoice_preview, ROLE_STAFF | ROLE_CUSTOMER, SCOPE_QUERY, 0,
	  "draft invoices of the period (a customer user: its own only)",
	  { P_PERIOD, { "customer", "only this customer's" } } },
	/* the invoice lifecycle (src/invoice: the same calls as `rebill invoice ...`) */
	{ "GET", "/api/v1/invoices", h_invoices, ROLE_STAFF | ROLE_CUSTOMER, SCOPE_QUERY, 0,
	  "documents and drafts (`invoice list`); a customer user: its own finalized documents",
	  { P_PERIOD_ANY, { "customer", "only this customer's" },
	    { "status", "draft, final, credited, paid or overdue" } } },
	{ "POST", "/api/v1/invoices/run", h_invoice_run, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "store the period's drafts {\"period\",\"customer\"} (`invoice run`)", { { 0 } } },
	{ "POST", "/api/v1/invoices/finalize", h_invoice_finalize, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_JSON_BODY,
	  "number the period's drafts {\"period\",\"customer\",\"date\"} (`invoice finalize`)", { { 0 } } },
	{ "GET", "/api/v1/invoices/rerate", h_invoice_rerate_preview, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, 0, "preview the re-rate corrections of a period; nothing is issued "
	  "(`invoice rerate --dry-run`)", { P_PERIOD } },
	{ "POST", "/api/v1/invoices/rerate", h_invoice_rerate, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "issue the re-rate corrections {\"period\",\"date\"} (`invoice rerate`)",
	  { { 0 } } },
	{ "GET", "/api/v1/invoices/{id}", h_invoice_get, ROLE_STAFF | ROLE_CUSTOMER, SCOPE_DOCUMENT, 0,
	  "one document by number, or a draft DRAFT-N (a customer user: its own finalized ones)",
	  { { 0 } } },
	{ "GET", "/api/v1/invoices/{id}/download", h_invoice_download, ROLE_STAFF | ROLE_CUSTOMER,
	  SCOPE_DOCUMENT, ROUTE_FILE, "the document as a file (`invoice show --format`)",
	  { { "format", "pdf, ubl, csv or html" } } },
	{ "POST", "/api/v1/invoices/{id}/credit", h_invoice_credit, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_JSON_BODY | ROUTE_CREATES,
	  "a credit note for the whole invoice {\"reason\",\"date\"} (`invoice credit`)", { { 0 } } },
	{ "POST", "/api/v1/invoices/{id}/payments", h_invoice_pay, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_JSON_BODY | ROUTE_CREATES,
	  "record a payment {\"amount\",\"date\"} (`invoice pay`)", { { 0 } } },
	{ "POST", "/api/v1/invoices/{id}/send", h_invoice_send, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "e-mail the document to the customer {\"force\"} (`invoice send`)",
	  { { 0 } } },
	{ "GET", "/api/v1/receivables", h_receivables, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, 0,
	  "open and overdue invoices (`report receivables`)",
	  { { "as_of", "YYYY-MM-DD (default today)" } } },
	{ "GET", "/api/v1/journal", h_journal, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, ROUTE_FILE,
	  "the period's accounting journal as CSV (`export journal`)", { P_PERIOD } },
	/* the explorer and credits and refunds (api_reports.c, src/report) */
	{ "GET", "/api/v1/explorer", h_explorer, ROLE_STAFF, SCOPE_NONE, 0,
	  "cost, billed and margin of a period or range, grouped and filtered (format=csv: a file)",
	  { P_PERIOD, { "to", "last period YYYY-MM of a range (default: period)" },
	    { "by", "customer, account, service, region, line_item_type, day or tag:KEY "
	      "(default customer)" },
	    { "customer", "only this customer's rows, or (unassigned)" },
	    { "account", "only this usage account's rows" },
	    { "service", "only this service's rows (lineItem/ProductCode)" },
	    { "region", "only this region's rows" }, { "format", "json (default) or csv" } } },
	{ "GET", "/api/v1/credits", h_credits, ROLE_STAFF, SCOPE_NONE, 0,
	  "credits and refunds applied by AWS beside what each customer's plan passed on",
	  { P_PERIOD, { "to", "last period YYYY-MM of a range (default: period)" },
	    { "customer", "only this customer's" } } },
	/* configuration */
	{ "GET", "/api/v1/customers", h_customers, ROLE_STAFF, SCOPE_NONE, 0,
	  "configured customers with their accounts", { { 0 } } },
	{ "POST", "/api/v1/customers", h_customer_add, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY | ROUTE_CREATES, "add a customer {\"id\",\"name\",\"currency\",\"plan\","
	  "\"tax_cluster\",\"grouping\",\"email\",\"address\",\"vat_id\"} (`customer add`)", { { 0 } } },
	{ "PATCH", "/api/v1/customers/{id}", h_customer_edit, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "change a customer's fields (\"\" clears an optional one; `customer edit`)",
	  { { 0 } } },
	{ "GET", "/api/v1/customers/{id}", h_customer, ROLE_STAFF | ROLE_CUSTOMER, SCOPE_PATH_ID, 0,
	  "one customer (a customer user: its own only)", { { 0 } } },
	{ "GET", "/api/v1/customers/{id}/invoice-preview", h_customer_preview, ROLE_STAFF | ROLE_CUSTOMER,
	  SCOPE_PATH_ID, 0, "one customer's draft invoice of the period", { P_PERIOD } },
	{ "GET", "/api/v1/accounts", h_accounts, ROLE_STAFF, SCOPE_NONE, 0,
	  "usage accounts seen in CUR data, or only those no customer holds",
	  { P_PERIOD, { "unassigned", "1: only accounts no customer holds" } } },
	{ "POST", "/api/v1/accounts/{id}/assign", h_account_assign, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "assign account {id} to {\"customer\",\"from\",\"to\"} (from/to: YYYY-MM or null)",
	  { { 0 } } },
	{ "POST", "/api/v1/accounts/{id}/unassign", h_account_unassign, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_JSON_BODY, "end account {id}'s assignments before {\"from\"} (null: all; "
	  "`account unassign`)", { { 0 } } },
	{ "DELETE", "/api/v1/fx", h_fx_unset, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, 0,
	  "remove the rate of a period and currency (`fx unset`)",
	  { P_PERIOD_REQ, { "currency", "ISO 4217 code" } } },
	{ "POST", "/api/v1/fx", h_fx_set, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, ROUTE_JSON_BODY,
	  "set the USD exchange rate {\"period\",\"currency\",\"rate\"}", { { 0 } } },
	{ "GET", "/api/v1/audit", h_audit, ROLE_ADMIN, SCOPE_NONE, 0,
	  "the audit log, newest first", { { "limit", "at most this many (default 50)" } } },
	{ "GET", "/api/v1/users", h_users, ROLE_ADMIN, SCOPE_NONE, 0, "users", { { 0 } } },
	{ "POST", "/api/v1/users", h_user_create, ROLE_ADMIN, SCOPE_NONE, ROUTE_JSON_BODY | ROUTE_CREATES,
	  "add a user {\"email\",\"role\",\"customer\",\"password\"}", { { 0 } } },
	/* plans, tax clusters, FX (webcfg: the CLI's edit verbs, src/config/edit.h) */
	{ "GET", "/api/v1/plans", h_plans, ROLE_STAFF, SCOPE_NONE, 0,
	  "the pricing plans as the configuration document has them (`plan list`)", { { 0 } } },
	{ "POST", "/api/v1/plans", h_plan_add, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY | ROUTE_CREATES, "add a plan {\"id\",\"basis\",\"currency\",\"markup_pct\","
	  "\"credits\",\"refunds\",\"tax\",\"discounts\"} (`plan add`)", { { 0 } } },
	{ "GET", "/api/v1/plans/{id}", h_plan, ROLE_STAFF, SCOPE_NONE, 0,
	  "one plan (`plan show`)", { { 0 } } },
	{ "PATCH", "/api/v1/plans/{id}", h_plan_set, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "change a plan's fields (\"\" puts one back to its default; `plan set`)",
	  { { 0 } } },
	{ "POST", "/api/v1/plans/{id}/rules", h_rule_add, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY | ROUTE_CREATES, "append a rule {\"service\",\"usage_type\",\"region\","
	  "\"account\",\"line_item_type\",\"markup_pct\"|\"exclude\"} (`plan rule add`)", { { 0 } } },
	{ "DELETE", "/api/v1/plans/{id}/rules", h_rule_remove, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, 0,
	  "remove a rule (`plan rule remove`)",
	  { { "which", "the rule's number (1 = first) or its match, service=AmazonEC2,usage_type=*Box*" } } },
	{ "POST", "/api/v1/plans/{id}/fees", h_fee_add, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY | ROUTE_CREATES, "append a fee {\"type\",\"amount\",\"pct\",\"min\",\"max\","
	  "\"description\"} (`plan fee add`)", { { 0 } } },
	{ "DELETE", "/api/v1/plans/{id}/fees", h_fee_remove, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE, 0,
	  "remove a fee (`plan fee remove`)", { { "which", "the fee's number (1 = first)" } } },
	{ "GET", "/api/v1/tax-clusters", h_tax_clusters, ROLE_STAFF, SCOPE_NONE, 0,
	  "the tax clusters (`tax-cluster list`)", { { 0 } } },
	{ "POST", "/api/v1/tax-clusters", h_tax_cluster_add, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY | ROUTE_CREATES, "add a tax cluster {\"id\",\"name\",\"rate_pct\",\"note\","
	  "\"category\"} (`tax-cluster add`)", { { 0 } } },
	{ "PATCH", "/api/v1/tax-clusters/{id}", h_tax_cluster_set, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_JSON_BODY, "change a tax cluster's fields (\"\" clears note or category; "
	  "`tax-cluster set`)", { { 0 } } },
	{ "GET", "/api/v1/fx", h_fx_list, ROLE_STAFF, SCOPE_NONE, 0,
	  "the configured USD exchange rates (`fx list`)", { { 0 } } },
	/* imports (webcfg): a CUR file uploaded, or a server path, read in the background */
	{ "POST", "/api/v1/imports", h_import_start, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_UPLOAD, "start an import: the body is a CUR file (streamed to a temporary file), or "
	  "application/json {\"path\": \"/server/path\"} (admin only); 202 with the job",
	  { { "name", "the uploaded file's name, e.g. cur.csv.gz (default upload.csv)" } } },
	{ "GET", "/api/v1/imports", h_imports, ROLE_STAFF, SCOPE_NONE, ROUTE_LIVE,
	  "the import history the database records, and this server's import jobs",
	  { { "limit", "at most this many imports (default 100)" } } },
	{ "GET", "/api/v1/imports/{id}", h_import_job, ROLE_STAFF, SCOPE_NONE, ROUTE_LIVE,
	  "one import job's progress: state running|done|failed, bytes and rows read, the error",
	  { { 0 } } },
	/* the customer portal's data */
	{ "GET", "/api/v1/portal/summary", h_portal_summary, ROLE_CUSTOMER, SCOPE_SELF, 0,
	  "the customer's month to date at its billed prices, beside last month", { P_PERIOD } },
	{ "GET", "/api/v1/portal/breakdown", h_portal_breakdown, ROLE_CUSTOMER, SCOPE_SELF, 0,
	  "the customer's billed amounts by account, service, region, day or tag:KEY (its prices, "
	  "its currency)", { P_PERIOD, { "by", "account, service (default), region, day or tag:KEY" } } },
	{ "GET", "/api/v1/portal/resources", h_portal_resources, ROLE_CUSTOMER, SCOPE_SELF, 0,
	  "the customer's billed amounts per resource, of one of its accounts or all",
	  { P_PERIOD, { "account", "one of the customer's accounts (default: all)" } } },
	{ "GET", "/api/v1/portal/export", h_portal_export, ROLE_CUSTOMER, SCOPE_SELF, ROUTE_FILE,
	  "a breakdown or the resources as CSV",
	  { P_PERIOD, { "by", "as for breakdown, or resource" },
	    { "account", "by=resource: one of the customer's accounts" } } },
	/* pages */
	{ "GET", "/", h_root, ROLE_PUBLIC, SCOPE_NONE, ROUTE_HTML, "the console or the portal", { { 0 } } },
	{ "GET", "/login", h_login_page, ROLE_PUBLIC, SCOPE_NONE, ROUTE_HTML, "login page", { { 0 } } },
	{ "POST", "/login", h_login_form, ROLE_PUBLIC, SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY,
	  "log in (form)", { { 0 } } },
	{ "POST", "/logout", h_logout_form, ROLE_ANY_USER, SCOPE_SELF, ROUTE_HTML | ROUTE_FORM_BODY,
	  "log out (form)", { { 0 } } },
	{ "GET", "/console", h_overview, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: overview", { P_PERIOD } },
	{ "GET", "/console/customers", h_customers_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: customers", { P_PERIOD } },
	{ "GET", "/console/customers/{id}", h_customer_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: one customer (draft invoice, margin, accounts)", { P_PERIOD } },
	{ "GET", "/console/accounts", h_accounts_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: unassigned accounts", { P_PERIOD, { "assigned", "the account just assigned" } } },
	{ "POST", "/console/accounts/{id}/assign", h_assign_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: assign an account (form: customer, from)", { { 0 } } },
	{ "GET", "/console/invoices", h_invoices_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: the period's drafts and documents", { P_PERIOD, { "done", "what the last form did" } } },
	{ "GET", "/console/invoices/rerate", h_rerate_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: the re-rate corrections previewed", { P_PERIOD } },
	{ "GET", "/console/invoices/{id}", h_invoice_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: one document or draft for review", { { 0 } } },
	{ "POST", "/console/invoices/run", h_invoices_run_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: run the drafts (form: period)", { { 0 } } },
	{ "POST", "/console/invoices/finalize", h_invoices_finalize_form, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY, "console: finalize the drafts (form: period, "
	  "customer, date)", { { 0 } } },
	{ "POST", "/console/invoices/rerate", h_rerate_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: issue the re-rate corrections (form: period)", { { 0 } } },
	{ "POST", "/console/invoices/{id}/credit", h_credit_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: credit an invoice (form: reason)", { { 0 } } },
	{ "POST", "/console/invoices/{id}/pay", h_pay_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: record a payment (form: amount, date)", { { 0 } } },
	{ "POST", "/console/invoices/{id}/send", h_send_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: e-mail a document", { { 0 } } },
	/* console configuration pages (webcfg) */
	{ "GET", "/console/plans", h_plans_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: plans with their markups, rules, policies and fees, and a preview",
	  { P_PERIOD, { "done", "what the last form did" } } },
	{ "POST", "/console/plans", h_plan_add_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: add a plan (form)", { { 0 } } },
	{ "POST", "/console/plans/{id}", h_plan_set_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: change a plan's settings (form)", { { 0 } } },
	{ "POST", "/console/plans/{id}/rules", h_rule_add_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: add a rule (form)", { { 0 } } },
	{ "POST", "/console/plans/{id}/rules/remove", h_rule_remove_form, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY, "console: remove a rule (form: which)", { { 0 } } },
	{ "POST", "/console/plans/{id}/fees", h_fee_add_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: add a fee (form)", { { 0 } } },
	{ "POST", "/console/plans/{id}/fees/remove", h_fee_remove_form, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY, "console: remove a fee (form: which)", { { 0 } } },
	{ "GET", "/console/tax-clusters", h_tax_clusters_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: tax clusters", { { "done", "what the last form did" } } },
	{ "POST", "/console/tax-clusters", h_tax_cluster_add_form, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY, "console: add a tax cluster (form)", { { 0 } } },
	{ "POST", "/console/tax-clusters/{id}", h_tax_cluster_set_form, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML | ROUTE_FORM_BODY, "console: change a tax cluster (form)", { { 0 } } },
	{ "GET", "/console/fx", h_fx_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: exchange rates", { { "done", "what the last form did" } } },
	{ "POST", "/console/fx", h_fx_set_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: set a rate (form: period, currency, rate)", { { 0 } } },
	{ "POST", "/console/fx/remove", h_fx_unset_form, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: remove a rate (form: period, currency)", { { 0 } } },
	{ "GET", "/console/imports", h_imports_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: import history, upload with progress", { { "job", "the job just started" } } },
	{ "POST", "/console/imports", h_import_path_form, ROLE_ADMIN, SCOPE_NONE,
	  ROUTE_HTML | ROUTE_FORM_BODY, "console: import a server path (form: path; admin)", { { 0 } } },
	/* report pages (pages_reports.c) */
	{ "GET", "/console/explorer", h_explorer_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: explorer (group by, filters, chart, CSV download)",
	  { P_PERIOD, { "to", "last period of a range" }, { "by", "grouping" },
	    { "customer", "filter" }, { "account", "filter" }, { "service", "filter" },
	    { "region", "filter" } } },
	{ "GET", "/console/reconciliation", h_reconciliation_page, ROLE_ADMIN | ROLE_FINANCE,
	  SCOPE_NONE, ROUTE_HTML, "console: reconciliation (AWS total vs assigned, unassigned, "
	  "billed and withheld; the balance)", { P_PERIOD } },
	{ "GET", "/console/receivables", h_receivables_page, ROLE_ADMIN | ROLE_FINANCE, SCOPE_NONE,
	  ROUTE_HTML, "console: receivables (open, overdue, paid)",
	  { { "as_of", "YYYY-MM-DD (default today)" } } },
	{ "GET", "/console/credits", h_credits_page, ROLE_STAFF, SCOPE_NONE, ROUTE_HTML,
	  "console: credits and refunds applied by AWS vs passed on",
	  { P_PERIOD, { "to", "last period of a range" }, { "customer", "filter" } } },
	{ "GET", "/portal/invoices", h_portal_invoices, ROLE_CUSTOMER, SCOPE_SELF, ROUTE_HTML,
	  "portal: the customer's finalized invoices and credit notes", { { 0 } } },
	{ "GET", "/portal", h_portal, ROLE_CUSTOMER, SCOPE_SELF, ROUTE_HTML,
	  "portal: month to date", { P_PERIOD } },
	{ "GET", "/portal/breakdown", h_portal_breakdown_page, ROLE_CUSTOMER, SCOPE_SELF, ROUTE_HTML,
	  "portal: billed amounts by a grouping, with the daily trend", { P_PERIOD,
	    { "by", "account, service, region, day or tag:KEY" } } },
	{ "GET", "/portal/resources", h_portal_resources_page, ROLE_CUSTOMER, SCOPE_SELF, ROUTE_HTML,
	  "portal: billed amounts per resource", { P_PERIOD, { "account", "one of its accounts" } } },
	{ "GET", "/static/{id}", h_static, ROLE_PUBLIC, SCOPE_NONE, 0,
	  "embedded CSS and JavaScript", { { 0 } } },
};
const size_t http_nroutes = sizeof(http_routes) / sizeof(http_routes[0]);

static const struct { unsigned role; const char *name; } role_names[] = {
	{ ROLE_ADMIN, "admin" }, { ROLE_FINANCE, "finance" }, { ROLE_VIEWER, "viewer" },
	{ ROLE_CUSTOMER, "customer" },
};

const char *http_role_name(unsigned role)
{
	size_t i;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (role_names[i].role == role)
			return role_names[i].name;
	return "none";
}

unsigned http_role_parse(const char *s)
{
	size_t i;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (!strcmp(role_names[i].name, s))
			return role_names[i].role;
	return 0;
}

int http_routes_check(struct rb_err *err)
{
	size_t i, k;
	for (i = 0; i < http_nroutes; i++) {
		const struct http_route *rt = &http_routes[i];
		if (!rt->roles || ((rt->roles & ROLE_PUBLIC) && rt->roles != ROLE_PUBLIC))
			return rb_err_set(err, RB_EBALANCE, "route %s %s: no (or a mixed) role rule",
				rt->method, rt->pattern);
		if ((rt->roles & ROLE_CUSTOMER) && rt->scope == SCOPE_NONE)
			return rb_err_set(err, RB_EBALANCE, "route %s %s: admits customers without a scope",
				rt->method, rt->pattern);
		if ((rt->scope == SCOPE_PATH_ID || rt->scope == SCOPE_DOCUMENT) &&
		    !strstr(rt->pattern, "{id}"))
			return rb_err_set(err, RB_EBALANCE, "route %s %s: scope by {id} without {id}",
				rt->method, rt->pattern);
		for (k = 0; k < i; k++)
			if (!strcmp(rt->method, http_routes[k].method) &&
			    !strcmp(rt->pattern, http_routes[k].pattern))
				return rb_err_set(err, RB_EBALANCE, "route %s %s: declared twice",
					rt->method, rt->pattern);
	}
	return 0;
}

/* Matches path against pattern; {id} matches one non-empty segment, copied
 * into id. */
static int match(const char *pattern, const char *path, char *id, size_t idlen)
{
	const char *p = strstr(pattern, "{id}");
	size_t pre, seg;
	if (!p)
		return !strcmp(pattern, path);
	pre = (size_t)(p - pattern);
	if (strncmp(pattern, path, pre))
		return 0;
	path += pre;
	seg = strcspn(path, "/");
	if (!seg || seg >= idlen || strcmp(path + seg, p + 4))
		return 0;
	memcpy(id, path, seg);
	id[seg] = 0;
	return 1;
}

const struct http_route *http_route_find(struct http_req *r, int *path_ok)
{
	size_t i;
	const char *m = !strcmp(r->method, "HEAD") ? "GET" : r->method;
	*path_ok = 0;
	for (i = 0; i < http_nroutes; i++) {
		char id[sizeof(r->id)];
		if (!match(http_routes[i].pattern, r->path, id, sizeof(id)))
			continue;
		*path_ok = 1;
		if (strcmp(http_routes[i].method, m))
			continue;
		memcpy(r->id, id, sizeof(id));
		return &http_routes[i];
	}
	return NULL;
}

/* Only the query parameters a route declares are accepted. */
struct qcheck {
	const struct http_route *rt;
	const char *bad;
	const char *dup;
	unsigned seen;              /* bit i: query[i] seen */
};

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	const char *value)
{
	struct qcheck *q = cls;
	size_t i;
	for (i = 0; i < HTTP_MAX_QUERY && q->rt->query[i].name; i++)
		if (!strcmp(q->rt->query[i].name, key)) {
			/* twice is ambiguous (which one did the scope check see?) */
			if (q->seen & (1u << i)) {
				q->dup = key;
				return MHD_NO;
			}
			q->seen |= 1u << i;
			return MHD_YES;
		}
	q->bad = key;
	(void)kind; (void)value;
	return MHD_NO;
}

int http_authorize(struct http_req *r)
{
	const struct http_route *rt = r->route;
	struct qcheck q = { rt, NULL, NULL, 0 };

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &q);
	if (q.bad) {
		http_error(r, 400, "unknown_parameter", q.bad, "unknown query parameter '%s'", q.bad);
		return -1;
	}
	if (q.dup) {
		http_error(r, 400, "duplicate_parameter", q.dup, "query parameter '%s' given twice", q.dup);
		return -1;
	}
	if (rt->roles == ROLE_PUBLIC)
		return 0;
	if (!r->authed) {
		if (rt->flags & ROUTE_HTML)
			http_redirect(r, "/login");
		else
			http_error(r, 401, "unauthenticated", NULL, "log in first");
		return -1;
	}
	if (!(rt->roles & r->user.role)) {
		if ((rt->flags & ROUTE_HTML) && r->user.role == ROLE_CUSTOMER)
			http_redirect(r, "/portal");
		else if (rt->flags & ROUTE_HTML)
			http_redirect(r, "/console");
		else
			http_error(r, 403, "forbidden", NULL, "role %s may not %s %s",
				http_role_name(r->user.role), rt->method, rt->pattern);
		return -1;
	}
	if (r->user.role != ROLE_CUSTOMER)
		return 0;
	switch (rt->scope) {
	case SCOPE_PATH_ID:
		if (strcmp(r->id, r->user.customer))
			break;
		return 0;
	case SCOPE_QUERY: {
		const char *c = http_query(r, "customer");
		if (c && strcmp(c, r->user.customer))
			break;
		return 0;
	}
	case SCOPE_SELF:
		return 0;
	case SCOPE_DOCUMENT:
		return http_document_scope(r);
	case SCOPE_NONE:
		break;
	}
	http_error(r, 403, "forbidden", NULL, "a customer user sees only its own customer");
	return -1;
}

const char *http_scope_customer(struct http_req *r)
{
	if (r->authed && r->user.role == ROLE_CUSTOMER)
		return r->user.customer;
	if (r->route && r->route->scope == SCOPE_PATH_ID)
		return r->id;
	if (r->route && r->route->scope == SCOPE_QUERY)
		return http_query(r, "customer");
	return NULL;
}
