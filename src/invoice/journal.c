/*
 * journal.c: `export journal` — one balanced accounting entry per
 * finalized document of a period, as CSV for an accountant's import:
 * the receivable, revenue per line kind, VAT payable. An invoice debits
 * the receivable with its total and credits revenue and VAT; a credit
 * note does the reverse; a negative amount moves to the other column.
 * Each entry is checked to balance (Σ debit = Σ credit, exactly) before
 * anything is written. The amounts are the documents' own, copied.
 *
 * GL accounts: the configuration's "ledger" object (receivable, vat, or a
 * line kind -> account code) over the defaults below (docs/invoices.md).
 *
 * Not for: computing amounts (they come from the frozen documents).
 */
#include "invoice/invoice.h"
#include "invoice/invoice_int.h"
#include "invoice/lifecycle_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "store/store_documents.h"
#include "util/period.h"
#include "util/banned.h"

struct account {
	const char *kind, *account, *name;
};

static const struct account defaults[] = {
	{ "receivable", "1300", "Accounts receivable" },
	{ "vat", "1700", "VAT payable" },
	{ "charge", "8000", "Revenue AWS usage" },
	{ "fee", "8100", "Revenue managed services" },
	{ "custom", "8200", "Revenue other" },
	{ "credit", "8300", "AWS credits passed on" },
	{ "refund", "8300", "AWS credits passed on" },
	{ "discount", "8300", "AWS credits passed on" },
	{ "tax", "8400", "AWS tax passed on" },
};

#define NACCOUNTS (sizeof(defaults) / sizeof(defaults[0]))

static size_t account_of(const char *kind)
{
	size_t i;
	for (i = 0; i < NACCOUNTS; i++)
		if (!strcmp(defaults[i].kind, kind))
			return i;
	return 4; /* other revenue */
}

/* One journal line: amount is a debit when > 0, a credit when < 0. */
static int jline(struct strbuf *sb, const struct account *accounts, long entry,
	const struct doc *d, size_t acc, const char *desc, rb_i128 amount, rb_i128 *debit,
	rb_i128 *credit)
{
	char a[DEC_BUFSZ], head[256];
	int bad = 0;
	if (!amount)
		return 0;
	dec_format(a, sizeof(a), amount < 0 ? -amount : amount, d->minor, d->minor);
	if (amount > 0)
		*debit += amount;
	else
		*credit -= amount;
	snprintf(head, sizeof(head), "%ld,%s,", entry, d->issue_date);
	bad |= strbuf_addstr(sb, head);
	bad |= invoice_csv_field(sb, d->number);
	bad |= strbuf_addf(sb, ",%s,", doc_type_name(d->type));
	bad |= invoice_csv_field(sb, d->customer_id);
	bad |= strbuf_addf(sb, ",%s,", accounts[acc].account);
	bad |= invoice_csv_field(sb, accounts[acc].name);
	bad |= strbuf_addch(sb, ',');
	bad |= invoice_csv_field(sb, desc);
	bad |= strbuf_addf(sb, ",%s,%s,%s\r\n", amount > 0 ? a : "", amount < 0 ? a : "",
		d->currency);
	return bad;
}

int invoice_journal_csv(struct strbuf *out, struct store *s, int period, struct rb_err *err)
{
	struct store_doc_filter f = { 0 };
	struct store_doc *docs = NULL;
	struct strbuf sb;
	struct account accounts[NACCOUNTS];
	json_t *cfg = NULL;
	size_t nd = 0, i, k, j;
	char pb[PERIOD_BUFSZ];
	int rc = 0, bad = 0;

	period_format(pb, period);
	f.period = pb;
	f.documents = 1;
	f.snapshots = 1;
	if ((rc = store_docs_list(&docs, &nd, s, &f, err)) < 0)
		return rc;
	/* the configuration's ledger accounts over the defaults */
	memcpy(accounts, defaults, sizeof(defaults));
	if ((rc = store_config_export(&cfg, s, err)) < 0) {
		store_docs_free(docs, nd);
		return rc;
	}
	for (k = 0; k < NACCOUNTS; k++) {
		const char *v = json_string_value(json_object_get(json_object_get(cfg, "ledger"),
			k == 0 ? "receivable" : k == 1 ? "vat" : defaults[k].kind));
		if (v)
			accounts[k].account = v;
	}
	strbuf_init(&sb, 4096, (size_t)256 << 20);
	bad |= strbuf_addstr(&sb, "entry,date,document,type,customer,account,account_name,"
		"description,debit,credit,currency\r\n");
	for (i = 0; i < nd && rc == 0; i++) {
		struct doc *d = NULL;
		rb_i128 debit = 0, credit = 0;
		int sign;
		if ((rc = invoice_doc_parse(&d, docs[i].snapshot, docs[i].number, err)) < 0)
			break;
		sign = doc_sign(d);
		bad |= jline(&sb, accounts, (long)i + 1, d, 0, d->number, sign * d->total, &debit, &credit);
		/* revenue per line kind, in order of first appearance */
		for (k = 0; k < d->nlines; k++) {
			rb_i128 sum = 0;
			int first = 1;
			for (j = 0; j < k; j++)
				if (!strcmp(d->lines[j].kind, d->lines[k].kind))
					first = 0;
			if (!first)
				continue;
			for (j = k; j < d->nlines; j++)
				if (!strcmp(d->lines[j].kind, d->lines[k].kind))
					sum += d->lines[j].amount;
			bad |= jline(&sb, accounts, (long)i + 1, d, account_of(d->lines[k].kind),
				accounts[account_of(d->lines[k].kind)].name, -sign * sum, &debit, &credit);
		}
		bad |= jline(&sb, accounts, (long)i + 1, d, 1, d->tax_name ? d->tax_name : "VAT", -sign * d->tax,
			&debit, &credit);
		if (debit != credit) {
			char a[DEC_BUFSZ], b[DEC_BUFSZ];
			dec_format(a, sizeof(a), debit, d->minor, d->minor);
			dec_format(b, sizeof(b), credit, d->minor, d->minor);
			rc = rb_err_set(err, RB_EBALANCE, "journal entry of %s does not balance: debit %s, "
				"credit %s", d->number, a, b);
		}
		doc_free(d);
	}
	if (rc == 0 && bad)
		rc = rb_err_set(err, RB_EINPUT, "journal: too large");
	if (rc == 0 && strbuf_add(out, sb.buf, sb.len) < 0)
		rc = rb_err_set(err, RB_EINPUT, "journal: too large");
	strbuf_release(&sb);
	store_docs_free(docs, nd);
	json_decref(cfg);
	return rc;
}
