/* cmd_summary.c: `rebill summary` — not written yet (placeholder while the module lands). */
#include "cli/cli.h"

#include "util/banned.h"

int cmd_summary(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	(void)ctx; (void)argc; (void)argv;
	return rb_err_set(err, RB_EUSAGE, "'summary' is not implemented yet");
}
