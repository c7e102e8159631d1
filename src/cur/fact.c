/*
 * fact.c: the fact's key and sums (see fact.h).
 */
#include "cur/fact.h"

#include <string.h>

#include "util/banned.h"

static int add_field(struct strbuf *sb, const char *s)
{
	if (!s)
		s = "";
	return strbuf_add(sb, s, strlen(s) + 1);
}

int cur_fact_key(struct strbuf *key, const struct cur_fact *f)
{
	char cls = (char)('0' + f->cls);

	strbuf_reset(key);
	if (add_field(key, f->payer) || add_field(key, f->account) ||
	    add_field(key, f->line_item_type) || strbuf_add(key, &cls, 1) ||
	    add_field(key, f->product_code) || add_field(key, f->product_name) ||
	    add_field(key, f->usage_type) || add_field(key, f->operation) ||
	    add_field(key, f->region) || add_field(key, f->owner))
		return -1;
	return 0;
}

void cur_fact_from_key(struct cur_fact *f, const char *p)
{
	const char **fields[] = { &f->payer, &f->account, &f->line_item_type, NULL,
		&f->product_code, &f->product_name, &f->usage_type, &f->operation,
		&f->region, &f->owner };
	size_t k;

	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
		if (!fields[k]) {      /* the class byte */
			f->cls = (enum cur_class)(p[0] - '0');
			p += 1;
			continue;
		}
		*fields[k] = p;
		p += strlen(p) + 1;
	}
}

int cur_fact_add(struct cur_fact *acc, const struct cur_fact *f)
{
	acc->rows += f->rows;
	if (dec_add(&acc->unblended, acc->unblended, f->unblended) ||
	    dec_add(&acc->ondemand, acc->ondemand, f->ondemand) ||
	    dec_add(&acc->effective, acc->effective, f->effective))
		return -1;
	return 0;
}
