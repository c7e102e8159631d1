/*
 * cli.h: what every subcommand of the rebill binary shares. Commands are
 * thin: they parse arguments, call library functions and print. Nothing in
 * src/cli computes money.
 */
#ifndef RB_CLI_H
#define RB_CLI_H

#include <stdio.h>

#include "store/store.h"
#include "store/store_wait.h"
#include "util/err.h"

enum cli_flags {
	CLI_NEEDS_DB = 1 << 0, /* main opens the store before calling the command */
};

struct cli_ctx {
	const char *db_path;   /* --db, else $REBILL_DB, else ./rebill.db */
	int quiet;             /* --quiet: no progress output */
	struct store *store;   /* open when the command has CLI_NEEDS_DB */
	struct store_wait wait; /* --wait SECONDS: how long to wait for another writer */
};

/* The arguments main() got, for forward.c (the light rebill runs
 * rebill-full with them for the commands that need the heavy libraries). */
extern char **cli_main_argv;

/* A command returns an RB_E* code (0 on success) and fills err; main prints
 * err and turns the code into the exit status. A command that already
 * printed its own message returns the code with err->msg empty. */
typedef int (*cli_fn)(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err);

struct cli_command {
	const char *name;
	cli_fn fn;
	unsigned flags;
	const char *summary;   /* one line for `rebill help` */
	const char *usage;     /* full text for `rebill help NAME` / NAME --help */
};

/* Returns 1 when argv holds -h or --help (before "--"), after printing the
 * command's usage to stdout. */
int cli_wants_help(const struct cli_command *cmd, int argc, char **argv);

/* Looks a command up by name, or NULL. */
const struct cli_command *cli_find(const char *name);

/* Output formats shared by the reading commands. */
enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };
/* "table" | "csv" | "json" -> 0 with *out set, else RB_EUSAGE with err set. */
int out_format_parse(enum out_format *out, const char *s, struct rb_err *err);

/* Prints v as JSON and a newline on stdout, the one style of every command:
 * indented by two spaces (terminal or not), object keys in insertion order.
 * v stays the caller's. Returns 0, or -1 when stdout cannot be written. */
struct json_t;
int out_json(const struct json_t *v);

/* --wait SECONDS (global, and import's): parses s into ctx->wait.seconds
 * ("forever" or a whole number of seconds, at most a day). */
int cli_parse_wait(struct cli_ctx *ctx, const char *s, struct rb_err *err);

/* Installs handler for SIGINT and SIGTERM, without SA_RESTART (a sleep or a
 * blocking read returns EINTR, so the command sees the signal at once). */
void cli_catch_signals(void (*handler)(int));
/* Prints text from outside (names, addresses) for a terminal: controls
 * such as ESC and bidi overrides are shown escaped (util/textout.h). */
void out_text(FILE *f, const char *s);

/* A table of string cells printed aligned (numbers right-aligned) or as
 * RFC 4180 CSV. Cells are copied. A cell that is OUT_OPEN (the pointer) is
 * the open end of a span (an assignment without from or to): "(open)" in a
 * table, an empty cell in CSV (docs/cli.md, "Output"; JSON says null). */
extern const char OUT_OPEN[];
struct out_table;
struct out_table *out_table_new(size_t ncols, const char *const *headers, const int *right_align);
void out_table_add(struct out_table *t, const char *const *cells);
void out_table_print(const struct out_table *t, FILE *f, enum out_format fmt);
void out_table_free(struct out_table *t);

/* ---- options: every command declares them in a table, cli_parse (main.c)
 * is the one parser ---- */

/* One option: "--name VALUE" / "--name=VALUE" when it takes a value, else
 * the flag "--name"; short is an alias ("-q") or NULL. A table ends with a
 * NULL name. */
struct cli_option {
	const char *name;
	int value;
	const char *short_name;
};

#define CLI_MAX_OPTIONS 16

/* What cli_parse found: opt[i] parallel to the table — the value, "" for a
 * flag given, NULL when absent (the last occurrence wins); pos the other
 * words in order (borrowed from argv). */
struct cli_args {
	const char *opt[CLI_MAX_OPTIONS];
	char **pos;
	int npos;
};

/* Parses argv[1..argc) (argv[0] is the command or verb) against opts.
 * "--" ends the options; "-" and a word like "-5" (a negative number) are
 * positional. cmd names the command for messages: RB_EUSAGE "CMD: unknown
 * option 'X'; see 'rebill help CMD'" or "X needs a value; see 'rebill
 * help CMD'". Release with cli_args_release. */
int cli_parse(struct cli_args *out, const char *cmd, const struct cli_option *opts,
	int argc, char **argv, struct rb_err *err);
void cli_args_release(struct cli_args *a);

/* A command's verbs ("account assign", "fx set"): a table ending with a
 * NULL name. cli_dispatch calls the verb named by argv[1] with argv + 1,
 * or returns RB_EUSAGE "CMD: missing subcommand; see 'rebill help CMD'" /
 * "CMD: unknown subcommand 'X'; see 'rebill help CMD'". */
struct cli_verb {
	const char *name;
	cli_fn fn;
};
int cli_dispatch(const char *cmd, const struct cli_verb *verbs, struct cli_ctx *ctx,
	int argc, char **argv, struct rb_err *err);

/* Shared by the configuration verbs (cmd_config.c): prints the problems of
 * a refused change to stderr — "FILE: PATH: MSG" for a file, else "rebill:
 * PATH: MSG"; a problem inside the object at path `focus` is printed as
 * "rebill: LABEL: MSG" — then clears err (already reported) and returns rc. */
struct config_result;
int cli_config_done(const struct config_result *r, int rc, const char *file,
	const char *focus, const char *label, struct rb_err *err);

/* An add/set verb of one configuration object (customer, plan, tax
 * cluster): runs fn(arg) through store_config_edit (validation, audit as
 * source), reports problems as cli_config_done with the label "WHAT 'ID'"
 * (focus: the change's JSON path, filled by the edit), then prints "added
 * WHAT ID", "updated WHAT ID" or "WHAT ID: no changes" unless --quiet. */
int cli_config_edit_verb(struct cli_ctx *ctx, int (*fn)(struct json_t **doc, void *arg, struct rb_err *err),
	void *arg, const char *source, const char *focus, int add, const char *what,
	const char *id, struct rb_err *err);

/* Prints what an import did (cmd_import.c): totals, per payer and period,
 * warnings for skipped files, unknown line item types and columns. */
struct import_result;
struct ingest_list;
void cli_import_print(const struct import_result *r, const struct ingest_list *list);

/* One round of S3 import (cmd_sync.c): `rebill import s3://...`
 * (changed_only 0) or of `rebill sync` (1); cache NULL: the default.
 * After a successful import the cache is pruned unless keep_cache. */
int cli_s3_import(struct cli_ctx *ctx, const char *uri, int changed_only, const char *cache,
	int keep_cache, int quiet, struct rb_err *err);

/* The commands (one file each: src/cli/cmd_<name>.c). */
int cmd_import(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_periods(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_period(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_accounts(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_summary(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_tags(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_gen(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_config(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_customer(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_account(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_plan(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_fx(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_report(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_sync(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_serve(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_user(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_export(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_tax_cluster(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_custom_line(struct cli_ctx *, int, char **, struct rb_err *);
/* The document verbs of `invoice` and `report receivables` (cmd_invoice_docs.c). */
int cmd_invoice_run(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_list(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_show(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_finalize(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_credit(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_rerate(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_export(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_pay(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_invoice_send(struct cli_ctx *, int, char **, struct rb_err *);
int cmd_report_receivables(struct cli_ctx *, int, char **, struct rb_err *);

#endif
