/*
 * explain.c: which rule priced what — the charge-class facts of one invoice
 * rated again (bill.c) and summed by (charge line, deciding rule, excluded).
 * A second pass over the same facts, run only for `invoice preview
 * --explain`, so rate_invoice_build's hot loop carries nothing for it.
 *
 * Not for: the invoice itself (invoice.c), printing (src/cli).
 */
#include "rate/rate.h"

#include <stdlib.h>
#include <string.h>

#include "util/hmap.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#include "util/banned.h"

/* key bytes: presence + account + NUL, presence + service + NUL, then the
 * rule index and the excluded flag as text */
static int make_key(struct strbuf *sb, const char *acct, const char *svc, int rule, int excluded)
{
	strbuf_reset(sb);
	if (acct ? strbuf_addch(sb, 1) || strbuf_add(sb, acct, strlen(acct) + 1) : strbuf_addch(sb, 0))
		return -1;
	if (svc ? strbuf_addch(sb, 1) || strbuf_add(sb, svc, strlen(svc) + 1) : strbuf_addch(sb, 0))
		return -1;
	return strbuf_addf(sb, "%d/%d", rule, excluded);
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct rate_explain_item *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	if (a->excluded != b->excluded)
		return a->excluded - b->excluded;
	return (a->rule > b->rule) - (a->rule < b->rule);
}

static int range(struct rb_err *err, const struct config_customer *c)
{
	return rb_err_set(err, RB_EINPUT, "customer '%s': explained amount out of range",
		c->id ? c->id : "");
}

int rate_invoice_explain(struct rate_explain *out, const struct config_customer *c,
	const struct cur_fact *facts, size_t nfacts, rate_holds_fn holds, void *holds_ctx,
	struct rb_err *err)
{
	struct hmap keys;
	struct strbuf sb;
	size_t i, k, alloc = 0;
	int rc = 0, added;

	memset(out, 0, sizeof(*out));
	if (!c->plan)
		return rb_err_set(err, RB_EINPUT, "customer '%s' has no plan", c->id ? c->id : "");
	out->nrules = c->plan->nrules;
	out->rule_used = xcalloc(out->nrules ? out->nrules : 1, 1);
	hmap_init(&keys);
	strbuf_init(&sb, 128, 1u << 17);
	for (i = 0; i < nfacts; i++) {
		const struct cur_fact *f = &facts[i];
		struct rate_explain_item *it;
		struct rate_bill b;
		const char *acct, *svc;

		switch (f->cls) {
		case CUR_USAGE: case CUR_COMMITMENT: case CUR_FEE: case CUR_OTHER:
			break;
		default:
			continue; /* the policy classes: no rule applies (spec §4) */
		}
		if ((rc = rate_fact_bill(&b, c->plan, f, holds, holds_ctx, err)))
			goto out;
		if (b.rule >= 0)
			out->rule_used[b.rule] = 1;
		rate_charge_group(c, f, &acct, &svc);
		if (make_key(&sb, acct, svc, b.rule, b.excluded)) {
			rc = rb_err_set(err, RB_EINPUT, "customer '%s': a charge key of over 64 KiB",
				c->id ? c->id : "");
			goto out;
		}
		k = hmap_put(&keys, sb.buf, sb.len, &added);
		if (added) {
			if (out->n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				out->items = xreallocarray(out->items, alloc, sizeof(out->items[0]));
			}
			it = &out->items[out->n++];
			memset(it, 0, sizeof(*it));
			rate_charge_names(acct, svc, &it->key, &it->description);
			it->rule = b.rule;
			it->excluded = b.excluded;
			it->markup_pct = b.markup_pct;
		}
		it = &out->items[k];
		it->rows += f->rows;
		if (dec_add(&it->base, it->base, b.base) ||
		    dec_add(&it->unblended, it->unblended, f->unblended) ||
		    dec_add(&it->billed, it->billed, b.billed)) {
			rc = range(err, c);
			goto out;
		}
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(out->items[0]), cmp_item);
out:
	hmap_release(&keys);
	strbuf_release(&sb);
	return rc;
}

void rate_explain_release(struct rate_explain *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->items[i].key);
		free(e->items[i].description);
	}
	free(e->items);
	free(e->rule_used);
	memset(e, 0, sizeof(*e));
}
