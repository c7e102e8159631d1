/* cmd_config.c: `rebill config` — not written yet (placeholder while the module lands). */
#include "cli/cli.h"

#include "util/banned.h"

int cmd_config(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	(void)ctx; (void)argc; (void)argv;
	return rb_err_set(err, RB_EUSAGE, "'config' is not implemented yet");
}
