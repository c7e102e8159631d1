/*
 * cmd_period.c: `rebill period delete --payer P --period YYYY-MM` — removes
 * a payer's month imported by mistake (store_period_delete: audited, one
 * transaction) and says what it removed.
 *
 * Exit: 0 ok, 1 usage, 2 nothing to delete, 3 database.
 */
#include "cli/cli.h"

#include <string.h>

#include "store/store_period.h"
#include "util/period.h"
#include "util/banned.h"

static int delete(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum { O_PAYER, O_PERIOD };
	static const struct cli_option opts[] = {
		[O_PAYER] = { "--payer", 1, NULL }, [O_PERIOD] = { "--period", 1, NULL },
		{ NULL, 0, NULL },
	};
	struct cli_args a;
	const char *payer, *per;
	char pb[PERIOD_BUFSZ], amt[DEC_BUFSZ];
	int64_t rows;
	rb_i128 unblended;
	int period, rc;

	if ((rc = cli_parse(&a, "period", opts, argc, argv, err)) < 0)
		return rc;
	payer = a.opt[O_PAYER];
	per = a.opt[O_PERIOD];
	if (a.npos || !payer || !per)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill period delete --payer ACCOUNT --period YYYY-MM");
	else if (period_parse(&period, per, strlen(per)) < 0)
		rc = rb_err_set(err, RB_EUSAGE, "period: bad period '%s' (expected YYYY-MM)", per);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_period_delete(ctx->store, payer, period, &rows, &unblended, "period delete",
			err)) < 0)
		return rc;
	period_format(pb, period);
	dec_format(amt, sizeof(amt), unblended, DEC_SCALE, DEC_SCALE);
	printf("deleted payer %s %s: %lld rows, unblended %s\n", payer, pb, (long long)rows, amt);
	return 0;
}

int cmd_period(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = { { "delete", delete }, { NULL, NULL } };
	return cli_dispatch("period", verbs, ctx, argc, argv, err);
}
