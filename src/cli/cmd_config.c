/*
 * cmd_config.c: `rebill config apply|export|audit` — the billing
 * configuration as one JSON document (spec §7) and its audit log. Also the
 * helpers the other configuration verbs share (printing a change's result).
 * Validation is src/config, storage src/store/config.c.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_config.h"
#include "util/banned.h"

static void cli_config_problems(const struct config_result *r, const char *file,
	const char *focus, const char *label)
{
	size_t i, n;

	if (focus && !*focus)
		focus = NULL;
	n = focus ? strlen(focus) : 0;
	for (i = 0; i < r->nproblems; i++) {
		const struct config_problem *p = &r->problems[i];
		if (file)
			fprintf(stderr, "%s: %s: %s\n", file, p->path, p->msg);
		else if (focus && !strncmp(p->path, focus, n) &&
		         (p->path[n] == '\0' || p->path[n] == '.' || p->path[n] == '['))
			fprintf(stderr, "rebill: %s: %s\n", label, p->msg);
		else if (p->object && *p->sub)
			fprintf(stderr, "rebill: %s, %s: %s\n", p->object, p->sub, p->msg);
		else if (p->object)
			fprintf(stderr, "rebill: %s: %s\n", p->object, p->msg);
		else
			fprintf(stderr, "rebill: %s: %s\n", p->path, p->msg);
	}
}

int cli_config_done(const struct config_result *r, int rc, const char *file,
	const char *focus, const char *label, struct rb_err *err)
{
	if (rc < 0 && r->nproblems) {
		cli_config_problems(r, file, focus, label);
		fprintf(stderr, "rebill: %s; nothing was changed\n", err->msg);
		err->msg[0] = '\0';
		err->file[0] = '\0';
	}
	return rc;
}

int cli_config_edit_verb(struct cli_ctx *ctx, int (*fn)(struct json_t **doc, void *arg, struct rb_err *err),
	void *arg, const char *source, const char *focus, int add, const char *what,
	const char *id, struct rb_err *err)
{
	struct config_result r;
	char label[128];
	int rc;

	config_result_init(&r);
	snprintf(label, sizeof(label), "%s '%s'", what, id);
	rc = store_config_edit(ctx->store, fn, arg, source, &r, err);
	rc = cli_config_done(&r, rc, NULL, focus, label, err);
	if (rc == 0 && !ctx->quiet) {
		if (add)
			printf("added %s %s\n", what, id);
		else if (r.updated)
			printf("updated %s %s\n", what, id);
		else
			printf("%s %s: no changes\n", what, id);
	}
	config_result_release(&r);
	return rc;
}

static void print_value(const char *prefix, json_t *v)
{
	char *t = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
	/* JSON escapes C0 controls, not bidi or C1 ones: escaped for the terminal */
	fputs(prefix, stdout);
	out_text(stdout, t ? t : "(none)");
	free(t);
}

/* The changes of a config_result (config_changes), object by object: a
 * created or deleted object in full, an update field by field. */
static void print_changes(const struct config_result *r)
{
	json_t *c, *f;
	size_t i, k;

	json_array_foreach(r->changes, i, c) {
		const char *action = json_string_value(json_object_get(c, "action"));
		json_t *before = json_object_get(c, "before"), *after = json_object_get(c, "after");
		json_t *fields = json_object_get(c, "fields");

		fputs(action, stdout);
		fputc(' ', stdout);
		out_text(stdout, json_string_value(json_object_get(c, "object")));
		fputc('\n', stdout);
		if (!json_is_array(fields)) {
			if (!json_is_null(before))
				print_value("  - ", before), printf("\n");
			if (!json_is_null(after))
				print_value("  + ", after), printf("\n");
			continue;
		}
		json_array_foreach(fields, k, f) {
			const char *name = json_string_value(f);
			printf("  %s: ", name);
			print_value("", json_object_get(before, name));
			print_value(" -> ", json_object_get(after, name));
			printf("\n");
		}
	}
}

/* config apply [--replace] [--dry-run] FILE and config diff [--replace]
 * FILE: diff is a dry run that prints only the changes. */
static int apply(struct cli_ctx *ctx, int argc, char **argv, int diff, struct rb_err *err)
{
	static const struct cli_option opts[] = {
		{ "--replace", 0, NULL }, { "--dry-run", 0, NULL }, { NULL, 0, NULL },
	};
	static const struct cli_option diff_opts[] = {
		{ "--replace", 0, NULL }, { NULL, 0, NULL },
	};
	struct config_result r;
	struct cli_args a;
	unsigned flags = 0;
	const char *file;
	int rc;

	if ((rc = cli_parse(&a, "config", diff ? diff_opts : opts, argc, argv, err)) < 0)
		return rc;
	if (a.npos != 1) {
		cli_args_release(&a);
		return rb_err_set(err, RB_EUSAGE, diff ? "usage: rebill config diff [--replace] FILE.json"
			: "usage: rebill config apply [--replace] [--dry-run] FILE.json");
	}
	file = a.pos[0];
	if (a.opt[0])
		flags |= STORE_APPLY_REPLACE;
	if (diff || a.opt[1])
		flags |= STORE_APPLY_DRY_RUN;
	config_result_init(&r);
	rc = store_config_apply_file(ctx->store, file, flags, &r, err);
	rc = cli_config_done(&r, rc, file, NULL, NULL, err);
	if (rc == 0 && (flags & STORE_APPLY_DRY_RUN))
		print_changes(&r);
	if (rc == 0 && diff) {
		if (!json_array_size(r.changes))
			printf("%s: no changes\n", file);
	} else if (rc == 0 && !ctx->quiet) {
		if (r.created + r.updated + r.deleted == 0)
			printf("%s: no changes\n", file);
		else
			printf("%s: %zu %s, %zu %s, %zu %s%s\n", file,
				r.created, (flags & STORE_APPLY_DRY_RUN) ? "to create" : "created",
				r.updated, (flags & STORE_APPLY_DRY_RUN) ? "to update" : "updated",
				r.deleted, (flags & STORE_APPLY_DRY_RUN) ? "to delete" : "deleted",
				(flags & STORE_APPLY_DRY_RUN) ? " (dry run: nothing was written)" : "");
	}
	config_result_release(&r);
	cli_args_release(&a);
	return rc;
}

static int apply_verb(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return apply(ctx, argc, argv, 0, err);
}

static int diff_verb(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	return apply(ctx, argc, argv, 1, err);
}

static int export(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	json_t *doc = NULL;
	int rc;

	(void)argv;
	if (argc != 1)
		return rb_err_set(err, RB_EUSAGE, "usage: rebill config export");
	if ((rc = store_config_export(&doc, ctx->store, err)) < 0)
		return rc;
	if (out_json(doc) < 0)
		rc = rb_err_set(err, RB_EIO, "cannot write the configuration to stdout");
	json_decref(doc);
	return rc;
}

static void print_change(const char *sign, json_t *v)
{
	char *s;
	if (json_is_null(v))
		return;
	s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	/* JSON escapes C0 controls, not bidi or C1 ones: escaped for the terminal */
	printf("  %s ", sign);
	out_text(stdout, s ? s : "?");
	fputc('\n', stdout);
	free(s);
}

static int audit(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	enum out_format fmt = OUT_TABLE;
	json_t *log = NULL, *e;
	static const struct cli_option opts[] = {
		{ "--limit", 1, NULL }, { "--format", 1, NULL }, { NULL, 0, NULL },
	};
	struct cli_args a;
	long limit = 20;
	size_t i;
	int rc = 0;

	if ((rc = cli_parse(&a, "config", opts, argc, argv, err)) < 0)
		return rc;
	if (a.npos)
		rc = rb_err_set(err, RB_EUSAGE, "usage: rebill config audit [--limit N] [--format table|json]");
	if (rc == 0 && a.opt[0]) {
		char *end;
		limit = strtol(a.opt[0], &end, 10);
		if (!*a.opt[0] || *end || limit < 0)
			rc = rb_err_set(err, RB_EUSAGE, "bad --limit '%s' (0 shows everything)", a.opt[0]);
	}
	if (rc == 0 && a.opt[1])
		rc = out_format_parse(&fmt, a.opt[1], err);
	cli_args_release(&a);
	if (rc < 0)
		return rc;
	if ((rc = store_config_audit(&log, ctx->store, limit, err)) < 0)
		return rc;
	if (fmt == OUT_JSON) {
		out_json(log);
	} else {
		json_array_foreach(log, i, e) {
			const char *actor = json_string_value(json_object_get(e, "actor"));
			printf("#%lld %s %s", (long long)json_integer_value(json_object_get(e, "id")),
				json_string_value(json_object_get(e, "at")),
				json_string_value(json_object_get(e, "source")));
			/* who: the OS user of a CLI change, the web user's email;
			 * rows written before rebill recorded it have none */
			if (actor && *actor) {
				fputs(" by ", stdout);
				out_text(stdout, actor);
			}
			printf(": %s ", json_string_value(json_object_get(e, "action")));
			out_text(stdout, json_string_value(json_object_get(e, "object")));
			fputc('\n', stdout);
			print_change("-", json_object_get(e, "before"));
			print_change("+", json_object_get(e, "after"));
		}
	}
	json_decref(log);
	return 0;
}

int cmd_config(struct cli_ctx *ctx, int argc, char **argv, struct rb_err *err)
{
	static const struct cli_verb verbs[] = {
		{ "apply", apply_verb },
		{ "diff", diff_verb },
		{ "export", export },
		{ "audit", audit },
		{ NULL, NULL },
	};
	return cli_dispatch("config", verbs, ctx, argc, argv, err);
}
