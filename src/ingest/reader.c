/*
 * reader.c: CUR column maps and row normalization (cur_reader_*, see
 * ingest.h) on top of the CSV tokenizer (csv.h).
 *
 * The header decides where each value rebill needs comes from: legacy CUR
 * names ("lineItem/UnblendedCost", "resourceTags/user:Env") or the snake
 * case names of CUR 2.0 and Athena ("line_item_unblended_cost",
 * "resource_tags" as a JSON map, or flat "resource_tags_user_env"), or
 * FOCUS names ("BilledCost", "Tags" as a JSON map; what a FOCUS row means is
 * focus.c). Only mapped cells are looked at; amounts are parsed exactly
 * (util/decimal.h).
 *
 * Choices: CUR account and payer ids must be non-empty ASCII digits (at most
 * 20; AWS ids have 12, anonymised samples other counts), FOCUS ones visible
 * ASCII (focus_account_ok), anything else is bad input. Tags with an empty value are no tag; when two sources give a row
 * the same key, the first in header order wins (a resource_tags JSON cell
 * counts at its column) and the others are counted in duplicate_tags.
 *
 * Not for: customers, prices or the database.
 */
#include "ingest/ingest.h"

#include <fcntl.h>
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/csv.h"
#include "ingest/focus.h"
#include "ingest/parquet.h"
#include "util/hash.h"
#include "util/period.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/xalloc.h"
#include "util/banned.h"

enum fld {
	F_PAYER, F_PERIOD, F_ACCOUNT, F_TYPE, F_USAGE_START, F_UNBLENDED,
	F_NREQUIRED,
	F_PRODUCT_CODE = F_NREQUIRED, F_PRODUCT_NAME, F_USAGE_TYPE, F_OPERATION,
	F_REGION, F_REGION_CODE, F_RESOURCE_ID, F_USAGE_AMOUNT, F_PUBLIC_OD,
	F_RI_ARN, F_RI_EFFECTIVE, F_RI_UNUSED_AMORT, F_RI_UNUSED_RECUR,
	F_SP_ARN, F_SP_EFFECTIVE, F_SP_TOTAL, F_SP_USED, F_TAGS_JSON, F_PRODUCT_MAP,
	/* FOCUS only */
	F_CHARGE_CLASS, F_EFFECTIVE, F_LIST, F_COMMITMENT, F_COMMITMENT_STATUS,
	F_PROVIDER, F_SERVICE_PROVIDER, F_CURRENCY, F_SKU,
	F_N
};

/* Where each value comes from. A FOCUS header (focus_is_header) is mapped
 * by the focus names only, a CUR header by the legacy and snake names: the
 * FOCUS column map shares the slots (and so cell parsing, tags and errors)
 * wherever a FOCUS column means what the CUR column means. In FOCUS the
 * required columns are BilledCost, BillingAccountId, BillingPeriodStart,
 * ChargeCategory and ChargePeriodStart (SubAccountId may be absent: the
 * account is then the billing account). */
static const struct {
	const char *legacy;
	const char *snake;
	const char *focus;
} names[F_N] = {
	[F_PAYER] = { "bill/PayerAccountId", "bill_payer_account_id", "BillingAccountId" },
	[F_PERIOD] = { "bill/BillingPeriodStartDate", "bill_billing_period_start_date",
		"BillingPeriodStart" },
	[F_ACCOUNT] = { "lineItem/UsageAccountId", "line_item_usage_account_id", "SubAccountId" },
	[F_TYPE] = { "lineItem/LineItemType", "line_item_line_item_type", "ChargeCategory" },
	[F_USAGE_START] = { "lineItem/UsageStartDate", "line_item_usage_start_date",
		"ChargePeriodStart" },
	[F_UNBLENDED] = { "lineItem/UnblendedCost", "line_item_unblended_cost", "BilledCost" },
	/* AWS's FOCUS export adds x_ServiceCode, x_UsageType, x_Operation */
	[F_PRODUCT_CODE] = { "lineItem/ProductCode", "line_item_product_code", "x_ServiceCode" },
	[F_PRODUCT_NAME] = { "product/ProductName", "product_product_name", "ServiceName" },
	[F_USAGE_TYPE] = { "lineItem/UsageType", "line_item_usage_type", "x_UsageType" },
	[F_OPERATION] = { "lineItem/Operation", "line_item_operation", "x_Operation" },
	[F_REGION] = { "product/region", "product_region", "RegionId" },
	[F_REGION_CODE] = { "product/regionCode", "product_region_code", NULL },
	[F_RESOURCE_ID] = { "lineItem/ResourceId", "line_item_resource_id", "ResourceId" },
	[F_USAGE_AMOUNT] = { "lineItem/UsageAmount", "line_item_usage_amount", "ConsumedQuantity" },
	[F_PUBLIC_OD] = { "pricing/publicOnDemandCost", "pricing_public_on_demand_cost", NULL },
	[F_RI_ARN] = { "reservation/ReservationARN", "reservation_reservation_a_r_n", NULL },
	[F_RI_EFFECTIVE] = { "reservation/EffectiveCost", "reservation_effective_cost", NULL },
	[F_RI_UNUSED_AMORT] = { "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
		"reservation_unused_amortized_upfront_fee_for_billing_period", NULL },
	[F_RI_UNUSED_RECUR] = { "reservation/UnusedRecurringFee", "reservation_unused_recurring_fee", NULL },
	[F_SP_ARN] = { "savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n", NULL },
	[F_SP_EFFECTIVE] = { "savingsPlan/SavingsPlanEffectiveCost",
		"savings_plan_savings_plan_effective_cost", NULL },
	[F_SP_TOTAL] = { "savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date", NULL },
	[F_SP_USED] = { "savingsPlan/UsedCommitment", "savings_plan_used_commitment", NULL },
	[F_TAGS_JSON] = { NULL, "resource_tags", "Tags" },
	[F_PRODUCT_MAP] = { NULL, "product", NULL },   /* CUR 2.0: JSON map of product attributes */
	[F_CHARGE_CLASS] = { NULL, NULL, "ChargeClass" },
	[F_EFFECTIVE] = { NULL, NULL, "EffectiveCost" },
	[F_LIST] = { NULL, NULL, "ListCost" },
	[F_COMMITMENT] = { NULL, NULL, "CommitmentDiscountId" },
	[F_COMMITMENT_STATUS] = { NULL, NULL, "CommitmentDiscountStatus" },
	[F_PROVIDER] = { NULL, NULL, "ProviderName" },               /* FOCUS 1.0, 1.1 */
	[F_SERVICE_PROVIDER] = { NULL, NULL, "ServiceProviderName" }, /* FOCUS 1.2 */
	[F_CURRENCY] = { "lineItem/CurrencyCode", "line_item_currency_code", "BillingCurrency" },
	[F_SKU] = { NULL, NULL, "SkuId" },   /* usage type when x_UsageType is absent */
};

/* FOCUS columns that must be present (SubAccountId may be absent). */
static const enum fld focus_required[] = {
	F_UNBLENDED, F_PAYER, F_PERIOD, F_TYPE, F_USAGE_START,
};

#define LEGACY_TAG_PREFIX "resourceTags/"
#define FLAT_TAG_PREFIX "resource_tags_"
#define QUOTE_MAX 64   /* bytes of a bad value quoted in a message */
#define PRODUCT_CACHE 256   /* CUR 2.0 product maps remembered (they repeat) */
#define TAGS_CACHE 64        /* resource_tags cells remembered */
#define PROVIDERS 16         /* FOCUS billing accounts whose provider is checked here */

/* A parsed resource_tags JSON cell. */
struct tags_entry {
	char *cell;
	size_t n;
	uint64_t hash;
	int used;
	char *text;              /* keys and values */
	struct cur_tag *tags;    /* sorted by key */
	size_t ntags;
};

/* What rebill takes from a CUR 2.0 product map cell. */
struct product_entry {
	char *cell;
	size_t n;
	uint64_t hash;
	struct rb_str name;     /* "product_name" */
	struct rb_str region;   /* "region" */
	int used;
};

struct tagcol {
	size_t col;
	const char *key;   /* points into the header name */
	size_t keylen;
};

struct cur_reader {
	struct csv *csv;             /* CSV or CSV.gz, or else: */
	struct pq_reader *pq;        /* Parquet (rows are row numbers) */
	char *name;
	size_t ncols;
	char **header;               /* ncols names, NUL-terminated */
	unsigned char *used;         /* ncols: 1 for a column the map reads */
	int col[F_N];                /* header index, -1 when absent */
	int legacy;                  /* names in legacy style (for messages) */
	int focus;                   /* a FOCUS dataset (focus.h) */
	struct tagcol *tagcols;      /* sorted by key, then header order */
	size_t ntagcols;
	const char **unknown;
	size_t nunknown;

	int have_period;
	int period;
	char period_raw[64];         /* first row's cell: equal cells skip parsing */
	size_t period_rawlen;

	struct cur_row row;
	struct cur_tag *tags;
	size_t tagcap;

	/* resource_tags JSON cells, parsed, by hash (cells repeat) */
	struct tags_entry *tagcache;
	const struct cur_tag *json_tags;   /* the current row's, sorted */
	size_t njson;

	struct product_entry *products;   /* PRODUCT_CACHE entries, by hash */

	/* FOCUS: the provider of the first PROVIDERS billing accounts seen, so
	 * that one named with two providers is refused at its line (import.c
	 * checks every account again, across files) */
	struct { char *payer, *provider; } providers[PROVIDERS];
	size_t nproviders;
	/* the same for the billing currency of (billing account, period) */
	struct { char *payer; int period; char currency[4]; } currencies[PROVIDERS];
	size_t ncurrencies;

	uint64_t rows, duplicate_tags;
};

static const char *colname(const struct cur_reader *r, enum fld k)
{
	if (r->col[k] >= 0)
		return r->header[r->col[k]];
	if (r->focus)
		return names[k].focus;
	return r->legacy && names[k].legacy ? names[k].legacy : names[k].snake;
}

static int name_is(const struct cur_reader *r, enum fld k, const char *h)
{
	if (r->focus)
		return names[k].focus && !strcmp(h, names[k].focus);
	return (names[k].legacy && !strcmp(h, names[k].legacy)) ||
		(names[k].snake && !strcmp(h, names[k].snake));
}

static int key_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

static int tagcol_cmp(const void *a, const void *b)
{
	const struct tagcol *x = a, *y = b;
	int c = key_cmp(x->key, x->keylen, y->key, y->keylen);
	if (c)
		return c;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int is_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Issue 13: what the first bytes of a file show it to be when it is no CSV
 * text at all (a PDF, an image, an archive, binary data), written into why;
 * 0 when it may be CSV text. Only the start is looked at: a NUL byte or a
 * control character (other than TAB, CR, LF) in the first line, or a known
 * magic number. */
static int sniff_not_text(char *why, size_t size, const char *head, size_t n)
{
	static const struct { const char *magic; size_t len; const char *what; } kinds[] = {
		{ "%PDF", 4, "it starts with %PDF (a PDF document)" },
		{ "PK\x03\x04", 4, "it starts with PK (a zip archive)" },
		{ "\x89PNG", 4, "it starts with \\x89PNG (a PNG image)" },
		{ "\xFF\xD8\xFF", 3, "it starts with \\xFF\\xD8\\xFF (a JPEG image)" },
		{ "GIF8", 4, "it starts with GIF8 (a GIF image)" },
		{ "\x7F" "ELF", 4, "it starts with \\x7FELF (a program)" },
		{ "BZh", 3, "it starts with BZh (bzip2: decompress it first)" },
		{ "\xFD" "7zXZ", 5, "it starts with \\xFD7zXZ (xz: decompress it first)" },
		{ "\x28\xB5\x2F\xFD", 4, "it starts with the zstd magic (decompress it first)" },
		{ "<?xml", 5, "it starts with <?xml (an XML document)" },
		{ "<!DOCTYPE", 9, "it starts with <!DOCTYPE (an HTML document)" },
		{ "<html", 5, "it starts with <html (an HTML document)" },
	};
	size_t i, lim = n < 4096 ? n : 4096;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n >= kinds[i].len && !memcmp(head, kinds[i].magic, kinds[i].len)) {
			snprintf(why, size, "%s", kinds[i].what);
			return 1;
		}
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)head[i];
		if (c == '\n')
			break;
		if (c == 0 || (c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
			snprintf(why, size, "binary data (byte %zu is 0x%02X, not text)", i + 1, c);
			return 1;
		}
	}
	return 0;
}

static int map_header(struct cur_reader *r, const struct rb_str *f, size_t n,
	struct rb_err *err)
{
	size_t i, k;
	int ret = 0;

	r->ncols = n;
	r->header = xcalloc(n, sizeof(*r->header));
	r->unknown = xcalloc(n, sizeof(*r->unknown));
	r->tagcols = xcalloc(n, sizeof(*r->tagcols));
	for (k = 0; k < F_N; k++)
		r->col[k] = -1;
	for (i = 0; i < n; i++)
		r->header[i] = xstrndup(f[i].p, f[i].n);
	r->focus = focus_is_header((const char *const *)r->header, n);
	for (i = 0; i < n; i++) {
		const char *h = r->header[i];
		int found = 0;

		if (!utf8_valid(h, strlen(h), NULL)) {
			ret = rb_err_at(err, RB_EINPUT, r->name, 1, (long)i + 1,
				"column name is not valid UTF-8");
			goto cleanup;
		}
		if (strchr(h, '/') && !r->focus)
			r->legacy = 1;
		for (k = 0; k < F_N; k++) {
			if (name_is(r, (enum fld)k, h)) {
				if (r->col[k] >= 0) {
					ret = rb_err_at(err, RB_EINPUT, r->name, 1, (long)i + 1,
						"duplicate column %s", h);
					goto cleanup;
				}
				r->col[k] = (int)i;
				found = 1;
				break;
			}
		}
		if (found)
			continue;
		if (r->focus) {
			r->unknown[r->nunknown++] = h;
		} else if (is_prefix(h, LEGACY_TAG_PREFIX) && h[strlen(LEGACY_TAG_PREFIX)]) {
			struct tagcol *t = &r->tagcols[r->ntagcols++];
			t->col = i;
			t->key = h + strlen(LEGACY_TAG_PREFIX);
			t->keylen = strlen(t->key);
		} else if (is_prefix(h, FLAT_TAG_PREFIX) && h[strlen(FLAT_TAG_PREFIX)]) {
			struct tagcol *t = &r->tagcols[r->ntagcols++];
			t->col = i;
			t->key = h + strlen(FLAT_TAG_PREFIX);
			t->keylen = strlen(t->key);
		} else {
			r->unknown[r->nunknown++] = h;
		}
	}
	qsort(r->tagcols, r->ntagcols, sizeof(*r->tagcols), tagcol_cmp);
	if (!r->focus && !r->ntagcols) {
		/* not one column of CUR: a CSV of something else, not a broken CUR */
		size_t known = 0;
		for (k = 0; k < F_N; k++)
			known += r->col[k] >= 0;
		/* a FOCUS column alone (not enough to be FOCUS) is a broken export */
		for (i = 0; i < n && !known; i++)
			for (k = 0; k < F_N; k++)
				known += names[k].focus && !strcmp(r->header[i], names[k].focus);
		if (!known) {
			char first[72];
			size_t len = 0;
			for (i = 0; i < n && len + 1 < sizeof(first); i++)
				len += (size_t)snprintf(first + len, sizeof(first) - len, "%s%s",
					i ? "," : "", r->header[i]);
			if (len >= sizeof(first))
				len = sizeof(first) - 1;
			first[utf8_whole(first, len)] = '\0';
			ret = rb_err_at(err, RB_EINPUT, r->name, 0, 0,
				"not a CUR file: no CUR header columns (its first line: '%s%s')", first,
				i < n || len + 1 >= sizeof(first) ? "..." : "");
			goto cleanup;
		}
	}
	for (k = 0; k < (r->focus ? sizeof(focus_required) / sizeof(focus_required[0]) :
			F_NREQUIRED); k++) {
		enum fld want = r->focus ? focus_required[k] : (enum fld)k;
		if (r->col[want] < 0) {
			ret = rb_err_at(err, RB_EINPUT, r->name, 1, 0, "missing column %s%s",
				colname(r, want), r->focus ? " (a FOCUS file)" : "");
			goto cleanup;
		}
	}
cleanup:
	return ret;
}

static int reader_start(struct cur_reader *r, struct rb_err *err)
{
	const struct rb_str *f;
	size_t n, k;
	long line;
	int ret;

	ret = csv_next(r->csv, &f, &n, &line, err);
	{
		/* a PDF or binary data says so, not "NUL byte in field" */
		const char *head;
		size_t hn;
		char why[128];
		if (ret != 0 && csv_head(r->csv, &head, &hn) == 0 &&
		    sniff_not_text(why, sizeof(why), head, hn))
			return rb_err_at(err, RB_EINPUT, r->name, 0, 0, "not a CUR file: %s", why);
	}
	if (ret < 0)
		return ret;
	if (ret == 0)
		return rb_err_at(err, RB_EINPUT, r->name, 0, 0, "empty file: no header");
	ret = map_header(r, f, n, err);
	if (ret)
		return ret;
	csv_expect_fields(r->csv, n);
	/* the tokenizer leaves the other cells' doubled quotes as they are */
	r->used = xcalloc(n ? n : 1, 1);
	for (k = 0; k < F_N; k++)
		if (r->col[k] >= 0)
			r->used[r->col[k]] = 1;
	for (k = 0; k < r->ntagcols; k++)
		r->used[r->tagcols[k].col] = 1;
	csv_set_used(r->csv, r->used, n);
	return 0;
}

/* A Parquet file: its top-level column names are the header; only the
 * columns the map uses are decoded. */
static int reader_start_parquet(struct cur_reader *r, struct rb_err *err)
{
	size_t n = pq_reader_ncolumns(r->pq), i, k;
	struct rb_str *hdr = xcalloc(n ? n : 1, sizeof(*hdr));
	unsigned char *need = xcalloc(n ? n : 1, 1);
	int ret;

	for (i = 0; i < n; i++) {
		hdr[i].p = pq_reader_column(r->pq, i);
		hdr[i].n = strlen(hdr[i].p);
	}
	ret = map_header(r, hdr, n, err);
	if (ret)
		goto cleanup;
	for (k = 0; k < F_N; k++)
		if (r->col[k] >= 0)
			need[r->col[k]] = 1;
	for (k = 0; k < r->ntagcols; k++)
		need[r->tagcols[k].col] = 1;
	for (i = 0; i < n && !ret; i++) {
		/* of a CUR 2.0 product map rebill reads two keys (product_map) */
		static const char *const product_keys[] = { "product_name", "region" };
		if (r->col[F_PRODUCT_MAP] == (int)i)
			ret = pq_reader_project_keys(r->pq, i, product_keys, 2, err);
		else if (need[i])
			ret = pq_reader_project(r->pq, i, err);
	}
	/* a column read only by amount() needs no text where its value is
	 * known (parquet.h): the costs of a typed CUR Parquet file */
	for (k = 0; k < F_N && !ret; k++) {
		static const enum fld amounts[] = { F_USAGE_AMOUNT, F_UNBLENDED, F_PUBLIC_OD,
			F_RI_EFFECTIVE, F_RI_UNUSED_AMORT, F_RI_UNUSED_RECUR, F_SP_EFFECTIVE,
			F_SP_TOTAL, F_SP_USED, F_EFFECTIVE, F_LIST };
		size_t a, j;
		int only = 0;
		if (r->col[k] < 0)
			continue;
		for (a = 0; a < sizeof(amounts) / sizeof(amounts[0]); a++)
			only |= amounts[a] == (enum fld)k;
		for (j = 0; j < F_N && only; j++) {
			int amt = 0;
			for (a = 0; a < sizeof(amounts) / sizeof(amounts[0]); a++)
				amt |= amounts[a] == (enum fld)j;
			if (!amt && r->col[j] == r->col[k])
				only = 0;
		}
		for (j = 0; j < r->ntagcols && only; j++)
			if (r->tagcols[j].col == (size_t)r->col[k])
				only = 0;
		if (only)
			pq_reader_amount_only(r->pq, (size_t)r->col[k]);
	}
cleanup:
	free(hdr);
	free(need);
	return ret;
}

/* Parquet by its magic, or by its name (then a file without the magic is
 * reported as a bad Parquet file, not as a bad CSV). */
static int is_parquet_fd(int fd, const char *path)
{
	char head[4];
	size_t n = strlen(path);
	if (n >= 8 && !strcmp(path + n - 8, ".parquet"))
		return 1;
	return pread(fd, head, 4, 0) == 4 && !memcmp(head, PQ_MAGIC, 4);
}

static struct cur_reader *reader_new(const char *name)
{
	struct cur_reader *r = xcalloc(1, sizeof(*r));
	r->name = xstrdup(name);
	return r;
}

/* For a FIFO: waits until a writer connects (at most INGEST_FIFO_WAIT
 * seconds, or $REBILL_FIFO_WAIT, then RB_EIO), then makes reads blocking again. A writer that
 * connects and closes without writing gives an empty file. */
static int wait_for_writer(int fd, const char *path, struct rb_err *err)
{
	struct stat st;
	struct pollfd pfd;
	const char *env;
	int flags, n, wait_s = INGEST_FIFO_WAIT;

	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		flags = fcntl(fd, F_GETFL);
		if (flags >= 0 && (flags & O_NONBLOCK))
			(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
		return 0;
	}
	if ((env = getenv("REBILL_FIFO_WAIT")) && *env) {
		char *end;
		long v = strtol(env, &end, 10);
		if (!*end && v >= 0 && v <= 86400)
			wait_s = (int)v;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	do
		n = poll(&pfd, 1, wait_s * 1000);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return rb_err_at(err, RB_EIO, path, 0, 0, "cannot wait on FIFO: %s", strerror(errno));
	if (n == 0)
		return rb_err_at(err, RB_EIO, path, 0, 0,
			"no writer opened this FIFO within %d s", wait_s);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return rb_err_at(err, RB_EIO, path, 0, 0, "cannot read FIFO: %s", strerror(errno));
	return 0;
}

int cur_reader_open_ex(struct cur_reader **out, const char *path, size_t bufsize,
	struct rb_err *err)
{
	struct cur_reader *r = reader_new(path);
	int fd, ret;

	if (!strcmp(path, "-")) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	} else {
		/* O_NONBLOCK: opening a FIFO must not wait for a writer forever */
		do
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		while (fd < 0 && errno == EINTR);
	}
	if (fd < 0) {
		ret = rb_err_at(err, RB_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
		goto cleanup;
	}
	if ((ret = wait_for_writer(fd, path, err))) {
		close(fd);
		goto cleanup;
	}
	if (is_parquet_fd(fd, path)) {
		ret = pq_reader_open_fd(&r->pq, path, fd, err);
		if (!ret)
			ret = reader_start_parquet(r, err);
		goto cleanup;
	}
	ret = csv_open_fd(&r->csv, path, fd, bufsize, err);
	if (ret)
		goto cleanup;
	ret = reader_start(r, err);
cleanup:
	if (ret) {
		cur_reader_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}

int cur_reader_open_range(struct cur_reader **out, const char *path, uint64_t start,
	uint64_t end, struct rb_err *err)
{
	struct cur_reader *r = NULL;
	int ret;

	ret = cur_reader_open_ex(&r, path, 0, err);
	if (ret)
		goto cleanup;
	if (r->pq)
		pq_reader_set_range(r->pq, start, end);   /* by row groups */
	else
		ret = csv_set_range(r->csv, start, end, err);
cleanup:
	if (ret) {
		cur_reader_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}

void cur_reader_range(const struct cur_reader *r, struct cur_reader_range *out)
{
	if (r->pq)
		pq_reader_range(r->pq, &out->first, &out->stop, &out->lines);
	else
		csv_range_info(r->csv, &out->first, &out->stop, &out->lines);
	out->period = r->have_period && !r->focus ? r->period : -1;
}

int cur_reader_open(struct cur_reader **out, const char *path, struct rb_err *err)
{
	return cur_reader_open_ex(out, path, 0, err);
}

int cur_reader_open_mem(struct cur_reader **out, const char *name, const void *data,
	size_t len, struct rb_err *err)
{
	struct cur_reader *r = reader_new(name);
	int ret;

	if (len >= 4 && !memcmp(data, PQ_MAGIC, 4)) {
		ret = pq_reader_open_mem(&r->pq, name, data, len, err);
		if (!ret)
			ret = reader_start_parquet(r, err);
		goto cleanup;
	}
	/* a small block needs no 1 MiB buffer; the buffer grows for gzip */
	ret = csv_open_mem(&r->csv, name, data, len,
		len < 4096 ? 4096 : len < CSV_BUFSIZE ? len : CSV_BUFSIZE, err);
	if (ret)
		goto cleanup;
	ret = reader_start(r, err);
cleanup:
	if (ret) {
		cur_reader_free(r);
		r = NULL;
	}
	*out = r;
	return ret;
}

/* The line where field i of a row starting at line `line` starts: rows only
 * hold line breaks inside quoted fields, which keep them. */
static long field_line(const struct rb_str *f, size_t i, long line)
{
	size_t j, k;
	for (j = 0; j < i; j++)
		for (k = 0; k < f[j].n; k++)
			line += f[j].p[k] == '\n';
	return line;
}

static int bad_value(struct cur_reader *r, const struct rb_str *f, long line,
	enum fld k, const char *what, struct rb_err *err)
{
	size_t i = (size_t)r->col[k];
	int n = f[i].n > QUOTE_MAX ? QUOTE_MAX : (int)f[i].n;
	return rb_err_at(err, RB_EINPUT, r->name, r->pq ? line : field_line(f, i, line), (long)i + 1,
		"bad %s '%.*s%s' in column %s", what, n, f[i].p,
		f[i].n > QUOTE_MAX ? "..." : "", r->header[i]);
}

/* A cell, "" when its column is absent. FOCUS exports write null as an
 * empty cell or (seen in the FinOps Foundation's sample data) as NULL
 * unquoted: both are "". */
static struct rb_str cell(const struct cur_reader *r, const struct rb_str *f, enum fld k)
{
	static const struct rb_str none = { "", 0 };
	if (r->col[k] < 0)
		return none;
	if (r->focus && f[r->col[k]].n == 4 && !memcmp(f[r->col[k]].p, "NULL", 4))
		return none;
	return f[r->col[k]];
}

/* The rule for text (util/utf8.h): a cell rebill keeps must be well-formed
 * UTF-8, else bad input at its line and column. */
static int utf8_check(struct cur_reader *r, const struct rb_str *f, size_t i, long line,
	const char *colname_, struct rb_err *err)
{
	size_t bad;
	if ((r->pq && pq_reader_utf8_known(r->pq, i)) || utf8_valid(f[i].p, f[i].n, &bad))
		return 0;
	return rb_err_at(err, RB_EINPUT, r->name, field_line(f, i, line), (long)i + 1,
		"text is not valid UTF-8 (byte 0x%02X at byte %zu of the cell) in column %s",
		(unsigned)(unsigned char)f[i].p[bad], bad + 1, colname_);
}

static int text_cells(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	static const enum fld text[] = {
		F_TYPE, F_PRODUCT_CODE, F_PRODUCT_NAME, F_USAGE_TYPE, F_OPERATION,
		F_REGION, F_REGION_CODE, F_RESOURCE_ID,
	};
	size_t k;
	int ret;

	for (k = 0; k < sizeof(text) / sizeof(text[0]); k++)
		if (r->col[text[k]] >= 0 &&
		    (ret = utf8_check(r, f, (size_t)r->col[text[k]], line, r->header[r->col[text[k]]], err)))
			return ret;
	for (k = 0; k < r->ntagcols; k++)
		if ((ret = utf8_check(r, f, r->tagcols[k].col, line, r->header[r->tagcols[k].col], err)))
			return ret;
	return 0;
}

static int amount(struct cur_reader *r, rb_i128 *out, const struct rb_str *f,
	long line, enum fld k, struct rb_err *err)
{
	struct rb_str s = cell(r, f, k);
	*out = 0;
	/* a Parquet number may come with its value: the same as parsing */
	if (!s.n || (r->pq && pq_reader_amount(r->pq, (size_t)r->col[k], out)) ||
	    dec_parse(out, s.p, s.n, DEC_SCALE) == DEC_OK)
		return 0;
	return bad_value(r, f, line, k, "amount", err);
}

static int account_id(struct cur_reader *r, struct rb_str *out, const struct rb_str *f,
	long line, enum fld k, struct rb_err *err)
{
	struct rb_str s = cell(r, f, k);
	size_t i;

	if (!s.n || s.n > 20)
		return bad_value(r, f, line, k, "account id", err);
	for (i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return bad_value(r, f, line, k, "account id", err);
	*out = s;
	return 0;
}

static int json_tag_cmp(const void *a, const void *b)
{
	const struct cur_tag *x = a, *y = b;
	return key_cmp(x->key.p, x->key.n, y->key.p, y->key.n);
}

static void tags_entry_release(struct tags_entry *e)
{
	free(e->cell);
	free(e->text);
	free(e->tags);
	memset(e, 0, sizeof(*e));
}

/* Points r->json_tags at the tags of the row's resource_tags cell (a JSON
 * object of strings; null and empty values are no tag), parsing it unless
 * the cache holds it. */
static int parse_json_tags(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	struct rb_str s = cell(r, f, F_TAGS_JSON);
	struct tags_entry *e;
	json_t *root = NULL, *v;
	struct cur_tag *tags = NULL;
	const char *key;
	char *text = NULL, *w;
	size_t total = 0, n = 0;
	uint64_t h;
	int ret = 0;

	r->njson = 0;
	if (!s.n)
		return 0;
	h = rb_hash_bytes(s.p, s.n);
	if (!r->tagcache)
		r->tagcache = xcalloc(TAGS_CACHE, sizeof(*r->tagcache));
	e = &r->tagcache[h % TAGS_CACHE];
	if (e->used && e->hash == h && e->n == s.n && !memcmp(e->cell, s.p, s.n))
		goto found;
	root = json_loadb(s.p, s.n, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		ret = bad_value(r, f, line, F_TAGS_JSON, "tag map", err);
		goto cleanup;
	}
	json_object_foreach(root, key, v) {
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			ret = bad_value(r, f, line, F_TAGS_JSON, "tag map", err);
			goto cleanup;
		}
		total += strlen(key) + json_string_length(v);
	}
	w = text = xmalloc(total + 1);
	tags = xcalloc(json_object_size(root) + 1, sizeof(*tags));
	json_object_foreach(root, key, v) {
		size_t kl = strlen(key), vl;
		if (!json_is_string(v) || !kl || !(vl = json_string_length(v)))
			continue;
		memcpy(w, key, kl);
		tags[n].key.p = w;
		tags[n].key.n = kl;
		w += kl;
		memcpy(w, json_string_value(v), vl);
		tags[n].value.p = w;
		tags[n].value.n = vl;
		w += vl;
		n++;
	}
	qsort(tags, n, sizeof(*tags), json_tag_cmp);
	tags_entry_release(e);
	e->cell = xmalloc(s.n);
	memcpy(e->cell, s.p, s.n);
	e->n = s.n;
	e->hash = h;
	e->used = 1;
	e->text = text;
	e->tags = tags;
	e->ntags = n;
	text = NULL;
	tags = NULL;
found:
	r->json_tags = e->tags;
	r->njson = e->ntags;
cleanup:
	json_decref(root);
	free(text);
	free(tags);
	return ret;
}

static void push_tag(struct cur_reader *r, size_t *n, const char *key, size_t keylen,
	struct rb_str value)
{
	if (*n && !key_cmp(r->tags[*n - 1].key.p, r->tags[*n - 1].key.n, key, keylen)) {
		r->duplicate_tags++;
		return;
	}
	if (*n == r->tagcap) {
		r->tagcap = r->tagcap ? 2 * r->tagcap : 16;
		r->tags = xreallocarray(r->tags, r->tagcap, sizeof(*r->tags));
	}
	r->tags[*n].key.p = key;
	r->tags[*n].key.n = keylen;
	r->tags[*n].value = value;
	(*n)++;
}

/* Merges the flat tag columns (sorted) and the JSON tags (sorted): on equal
 * keys the source earlier in the header comes first, so it wins. */
static int collect_tags(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	size_t n = 0, i = 0, j = 0, jcol;
	int ret;

	if (r->col[F_TAGS_JSON] >= 0) {
		if ((ret = parse_json_tags(r, f, line, err)))
			return ret;
	} else {
		r->njson = 0;
	}
	jcol = r->col[F_TAGS_JSON] >= 0 ? (size_t)r->col[F_TAGS_JSON] : 0;
	while (i < r->ntagcols || j < r->njson) {
		const struct tagcol *t = NULL;
		if (i < r->ntagcols && !f[r->tagcols[i].col].n) {
			i++;
			continue;
		}
		if (i < r->ntagcols)
			t = &r->tagcols[i];
		if (t && j < r->njson) {
			int c = key_cmp(t->key, t->keylen, r->json_tags[j].key.p, r->json_tags[j].key.n);
			if (c > 0 || (c == 0 && jcol < t->col))
				t = NULL;
		} else if (!t && j >= r->njson) {
			break;
		}
		if (t) {
			push_tag(r, &n, t->key, t->keylen, f[t->col]);
			i++;
		} else {
			push_tag(r, &n, r->json_tags[j].key.p, r->json_tags[j].key.n,
				r->json_tags[j].value);
			j++;
		}
	}
	r->row.ntags = n;
	r->row.tags = r->tags;
	return 0;
}

static struct rb_str json_member(json_t *o, const char *key, char **copy)
{
	json_t *v = json_object_get(o, key);
	struct rb_str s = { "", 0 };
	if (json_is_string(v) && json_string_length(v)) {
		*copy = xstrndup(json_string_value(v), json_string_length(v));
		s.p = *copy;
		s.n = strlen(*copy);
	}
	return s;
}

/* The product name and region of a CUR 2.0 product map cell (remembered:
 * cells repeat for every line item of a product). A cell that is not a JSON
 * object is bad input. */
static int product_map(struct cur_reader *r, const struct rb_str *f, long line,
	const struct product_entry **out, struct rb_err *err)
{
	struct rb_str s = cell(r, f, F_PRODUCT_MAP);
	uint64_t h = rb_hash_bytes(s.p, s.n);
	struct product_entry *e;
	json_t *root;
	char *name = NULL, *region = NULL;

	if (!r->products)
		r->products = xcalloc(PRODUCT_CACHE, sizeof(*r->products));
	e = &r->products[h % PRODUCT_CACHE];
	if (e->used && e->hash == h && e->n == s.n && !memcmp(e->cell, s.p, s.n)) {
		*out = e;
		return 0;
	}
	root = s.n ? json_loadb(s.p, s.n, 0, NULL) : json_object();
	if (!json_is_object(root)) {
		json_decref(root);
		return bad_value(r, f, line, F_PRODUCT_MAP, "product map", err);
	}
	free(e->cell);
	free((char *)(e->name.n ? e->name.p : NULL));
	free((char *)(e->region.n ? e->region.p : NULL));
	e->name = json_member(root, "product_name", &name);
	e->region = json_member(root, "region", &region);
	json_decref(root);
	e->cell = xstrndup(s.p, s.n);
	e->n = s.n;
	e->hash = h;
	e->used = 1;
	*out = e;
	return 0;
}

static int two_digits(const char *p, int max)
{
	int v;
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v <= max ? 0 : -1;
}

/* What may follow the day of a usage start date: nothing, or a time of day
 * 'T' or ' ' HH:MM[:SS[.fraction]] with HH <= 23, MM <= 59, SS <= 60 (a leap
 * second), then nothing, 'Z' or an offset +HH:MM / -HH:MM. Hour 25 is bad
 * input, not a day later. 0 when well formed. */
static int time_check(const char *p, size_t n)
{
	size_t i = 6;

	if (n == 0)
		return 0;
	if ((p[0] != 'T' && p[0] != ' ') || n < 6 || two_digits(p + 1, 23) || p[3] != ':' ||
	    two_digits(p + 4, 59))
		return -1;
	if (i < n && p[i] == ':') {
		if (n < i + 3 || two_digits(p + i + 1, 60))
			return -1;
		i += 3;
		if (i < n && p[i] == '.') {
			size_t d = ++i;
			while (i < n && p[i] >= '0' && p[i] <= '9')
				i++;
			if (i == d)
				return -1;
		}
	}
	if (i == n)
		return 0;
	if (p[i] == 'Z')
		return i + 1 == n ? 0 : -1;
	if ((p[i] == '+' || p[i] == '-') && n == i + 6 && !two_digits(p + i + 1, 23) &&
	    p[i + 3] == ':' && !two_digits(p + i + 4, 59))
		return 0;
	return -1;
}

static int currency_code_ok(struct rb_str s)
{
	size_t i;
	if (s.n != 3)
		return 0;
	for (i = 0; i < 3; i++)
		if (s.p[i] < 'A' || s.p[i] > 'Z')
			return 0;
	return 1;
}

/* Refuses a billing account seen before in the same period with another
 * billing currency: a billing account is invoiced in one currency (FOCUS
 * BillingCurrency), so its period's costs are kept in that one currency. */
static int check_currency(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	const struct cur_row *row = &r->row;
	size_t i;

	for (i = 0; i < r->ncurrencies; i++) {
		const char *p = r->currencies[i].payer, *v = r->currencies[i].currency;
		if (r->currencies[i].period != r->period || strlen(p) != row->payer.n ||
		    memcmp(p, row->payer.p, row->payer.n))
			continue;
		if (!memcmp(v, row->currency.p, 3))
			return 0;
		i = (size_t)r->col[F_CURRENCY];   /* present: the currencies differ */
		return rb_err_at(err, RB_EINPUT, r->name, field_line(f, i, line), (long)i + 1,
			"billing account '%s' bills in %.3s here, in %s before in the same billing "
			"period (column %s)", p, row->currency.p, v, r->header[i]);
	}
	if (r->ncurrencies < PROVIDERS) {
		r->currencies[r->ncurrencies].payer = xstrndup(row->payer.p, row->payer.n);
		r->currencies[r->ncurrencies].period = r->period;
		memcpy(r->currencies[r->ncurrencies].currency, row->currency.p, 3);
		r->currencies[r->ncurrencies].currency[3] = '\0';
		r->ncurrencies++;
	}
	return 0;
}

/* Refuses a billing account seen before with another provider. */
static int check_provider(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	const struct cur_row *row = &r->row;
	size_t i;

	for (i = 0; i < r->nproviders; i++) {
		const char *p = r->providers[i].payer, *v = r->providers[i].provider;
		if (strlen(p) != row->payer.n || memcmp(p, row->payer.p, row->payer.n))
			continue;
		if (strlen(v) == row->provider.n && !memcmp(v, row->provider.p, row->provider.n))
			return 0;
		/* one of the two columns exists: the providers differ */
		i = (size_t)r->col[r->col[F_PROVIDER] < 0 || cell(r, f, F_SERVICE_PROVIDER).n ?
			F_SERVICE_PROVIDER : F_PROVIDER];
		return rb_err_at(err, RB_EINPUT, r->name, field_line(f, i, line), (long)i + 1,
			"billing account '%s' has provider '%.*s' here, '%s' before", p,
			(int)row->provider.n, row->provider.p, v);
	}
	if (r->nproviders < PROVIDERS) {
		r->providers[r->nproviders].payer = xstrndup(row->payer.p, row->payer.n);
		r->providers[r->nproviders].provider = xstrndup(row->provider.p, row->provider.n);
		r->nproviders++;
	}
	return 0;
}

/* The rest of a FOCUS row (after its period and day): the column map is
 * the names table, what the values mean is focus.c. */
static int normalize_focus(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	struct cur_row *row = &r->row;
	struct focus_charge charge;
	struct focus_costs costs;
	int ret, bad_class;

	row->payer = cell(r, f, F_PAYER);
	if (!focus_account_ok(row->payer.p, row->payer.n))
		return bad_value(r, f, line, F_PAYER, "account id", err);
	row->account = cell(r, f, F_ACCOUNT);
	if (!row->account.n)
		row->account = row->payer;
	else if (!focus_account_ok(row->account.p, row->account.n))
		return bad_value(r, f, line, F_ACCOUNT, "account id", err);
	/* the costs' currency: an ISO 4217 code (three capital letters),
	 * kept per billing account and period like the provider */
	row->currency = cell(r, f, F_CURRENCY);
	if (!row->currency.n) {
		row->currency.p = "USD";
		row->currency.n = 3;
	} else if (!currency_code_ok(row->currency)) {
		return bad_value(r, f, line, F_CURRENCY, "billing currency", err);
	}

	charge.category = cell(r, f, F_TYPE);
	charge.charge_class = cell(r, f, F_CHARGE_CLASS);
	charge.commitment = cell(r, f, F_COMMITMENT);
	charge.status = cell(r, f, F_COMMITMENT_STATUS);
	if (focus_classify(&row->type, &row->cls, &bad_class, &charge))
		return bad_value(r, f, line, bad_class ? F_CHARGE_CLASS : F_TYPE,
			bad_class ? "charge class" : "charge category", err);

	row->product_name = cell(r, f, F_PRODUCT_NAME);
	row->product_code = cell(r, f, F_PRODUCT_CODE);
	if (!row->product_code.n)
		row->product_code = row->product_name;
	row->usage_type = cell(r, f, F_USAGE_TYPE);
	if (!row->usage_type.n)
		row->usage_type = cell(r, f, F_SKU);
	row->operation = cell(r, f, F_OPERATION);
	row->region = cell(r, f, F_REGION);
	row->resource_id = cell(r, f, F_RESOURCE_ID);
	row->provider = cell(r, f, F_SERVICE_PROVIDER);
	if (!row->provider.n)
		row->provider = cell(r, f, F_PROVIDER);
	if ((ret = check_provider(r, f, line, err)) || (ret = check_currency(r, f, line, err)))
		return ret;
	if ((ret = text_cells(r, f, line, err)))
		return ret;

	memset(&costs, 0, sizeof(costs));
	if ((ret = amount(r, &row->usage_amount, f, line, F_USAGE_AMOUNT, err)) ||
	    (ret = amount(r, &costs.billed, f, line, F_UNBLENDED, err)) ||
	    (ret = amount(r, &costs.effective, f, line, F_EFFECTIVE, err)) ||
	    (ret = amount(r, &costs.list, f, line, F_LIST, err)))
		return ret;
	costs.has_effective = cell(r, f, F_EFFECTIVE).n > 0;
	costs.has_list = cell(r, f, F_LIST).n > 0;
	focus_views(&row->views, row->cls, &costs);
	/* an AWS commitment is an ARN naming its owner; other clouds' ids
	 * (Azure reservation orders, GCP commitments) name none */
	if (!charge.commitment.n || cur_owner_from_arn(row->owner, charge.commitment.p,
			charge.commitment.n))
		row->owner[0] = '\0';
	return collect_tags(r, f, line, err);
}

static int normalize(struct cur_reader *r, const struct rb_str *f, long line,
	struct rb_err *err)
{
	struct cur_row *row = &r->row;
	struct cur_costs costs;
	struct rb_str s, ri, sp;
	int ret;

	row->line = line;
	s = cell(r, f, F_PERIOD);
	if (!r->have_period || s.n != r->period_rawlen || memcmp(s.p, r->period_raw, s.n)) {
		int period;
		if (period_from_date(&period, s.p, s.n))
			return bad_value(r, f, line, F_PERIOD, "billing period start", err);
		if (!r->have_period || r->focus) {
			/* FOCUS: each row names its own billing period */
			r->have_period = 1;
			r->period = period;
			if (s.n <= sizeof(r->period_raw)) {
				memcpy(r->period_raw, s.p, s.n);
				r->period_rawlen = s.n;
			} else {
				r->period_rawlen = SIZE_MAX;   /* no cell matches: parse each */
			}
			row->period = period;
		} else if (period != r->period) {
			char a[PERIOD_BUFSZ], b[PERIOD_BUFSZ];
			size_t i = (size_t)r->col[F_PERIOD];
			period_format(a, period);
			period_format(b, r->period);
			return rb_err_at(err, RB_EINPUT, r->name, r->pq ? line : field_line(f, i, line),
				(long)i + 1, "billing period %s differs from %s of the first row", a, b);
		}
	}
	s = cell(r, f, F_USAGE_START);
	if (day_check(s.p, s.n) || time_check(s.p + 10, s.n - 10))
		return bad_value(r, f, line, F_USAGE_START,
			r->focus ? "charge period start" : "usage start date", err);
	if (!r->focus) {
		int uperiod;
		if (period_from_date(&uperiod, s.p, 7) == 0 && uperiod != r->period) {
			char a[PERIOD_BUFSZ];
			size_t i = (size_t)r->col[F_USAGE_START];
			int n = s.n > QUOTE_MAX ? QUOTE_MAX : (int)s.n;
			period_format(a, r->period);
			return rb_err_at(err, RB_EINPUT, r->name, field_line(f, i, line), (long)i + 1,
				"usage start date '%.*s' is outside the billing period %s in column %s",
				n, s.p, a, r->header[i]);
		}
	}
	memcpy(row->day, s.p, 10);
	row->day[10] = '\0';
	if (r->focus)
		return normalize_focus(r, f, line, err);
	if ((ret = account_id(r, &row->payer, f, line, F_PAYER, err)) ||
	    (ret = account_id(r, &row->account, f, line, F_ACCOUNT, err)))
		return ret;
	row->type = cell(r, f, F_TYPE);
	row->product_code = cell(r, f, F_PRODUCT_CODE);
	row->product_name = cell(r, f, F_PRODUCT_NAME);
	row->usage_type = cell(r, f, F_USAGE_TYPE);
	row->operation = cell(r, f, F_OPERATION);
	row->region = cell(r, f, F_REGION);
	if (r->col[F_PRODUCT_MAP] >= 0 && (r->col[F_PRODUCT_NAME] < 0 || r->col[F_REGION] < 0)) {
		const struct product_entry *e = NULL;
		if ((ret = product_map(r, f, line, &e, err)))
			return ret;
		if (r->col[F_PRODUCT_NAME] < 0)
			row->product_name = e->name;
		if (r->col[F_REGION] < 0)
			row->region = e->region;
	}
	if (!row->region.n)
		row->region = cell(r, f, F_REGION_CODE);
	row->resource_id = cell(r, f, F_RESOURCE_ID);
	if ((ret = text_cells(r, f, line, err)))
		return ret;
	row->provider.p = "AWS";
	row->provider.n = 3;
	/* spec §3 takes CUR costs as USD, which they are for nearly every payer;
	 * a payer billed in another currency (AWS India bills in INR) keeps its
	 * lineItem/CurrencyCode like a FOCUS BillingCurrency, so its costs are
	 * never taken for dollars (billing.md: currencies of the costs) */
	row->currency = cell(r, f, F_CURRENCY);
	if (!row->currency.n) {
		row->currency.p = "USD";
		row->currency.n = 3;
	} else if (!currency_code_ok(row->currency)) {
		return bad_value(r, f, line, F_CURRENCY, "currency code", err);
	}
	if ((ret = check_currency(r, f, line, err)))
		return ret;

	if ((ret = amount(r, &row->usage_amount, f, line, F_USAGE_AMOUNT, err)) ||
	    (ret = amount(r, &costs.unblended, f, line, F_UNBLENDED, err)) ||
	    (ret = amount(r, &costs.public_ondemand, f, line, F_PUBLIC_OD, err)) ||
	    (ret = amount(r, &costs.ri_effective, f, line, F_RI_EFFECTIVE, err)) ||
	    (ret = amount(r, &costs.ri_unused_amortized_upfront, f, line, F_RI_UNUSED_AMORT, err)) ||
	    (ret = amount(r, &costs.ri_unused_recurring, f, line, F_RI_UNUSED_RECUR, err)) ||
	    (ret = amount(r, &costs.sp_effective, f, line, F_SP_EFFECTIVE, err)) ||
	    (ret = amount(r, &costs.sp_total_commitment, f, line, F_SP_TOTAL, err)) ||
	    (ret = amount(r, &costs.sp_used_commitment, f, line, F_SP_USED, err)))
		return ret;
	costs.has_public_ondemand = cell(r, f, F_PUBLIC_OD).n > 0;

	ri = cell(r, f, F_RI_ARN);
	sp = cell(r, f, F_SP_ARN);
	row->cls = cur_classify(row->type.p, row->type.n, ri.n > 0);
	if (ri.n)
		cur_owner_from_arn(row->owner, ri.p, ri.n);
	else if (sp.n)
		cur_owner_from_arn(row->owner, sp.p, sp.n);
	else
		row->owner[0] = '\0';
	if (cur_views_compute(&row->views, row->type.p, row->type.n, row->cls, &costs))
		return rb_err_at(err, RB_EINPUT, r->name, line, 0, "cost views overflow");
	return collect_tags(r, f, line, err);
}

_Static_assert(PQ_REF_INDEX_BITS == CUR_REF_INDEX_BITS, "one ref layout");

/* The ref (cur_row.ref) of a row field that is column k's cell itself:
 * the same text as the cell, not a fallback taken from another column. */
static uint64_t field_ref(const struct cur_reader *r, const struct rb_str *f, enum fld k,
	struct rb_str v)
{
	if (r->col[k] < 0 || v.p != f[r->col[k]].p || v.n != f[r->col[k]].n)
		return 0;
	return pq_reader_dict_ref(r->pq, (size_t)r->col[k]);
}

/* Parquet CUR rows: which fields are dictionary entries (FOCUS rows map
 * cells through rules, and CSV has no dictionaries: none). */
static void row_refs(struct cur_reader *r, const struct rb_str *f)
{
	struct cur_row *row = &r->row;
	size_t k;
	memset(row->ref, 0, sizeof(row->ref));
	row->ntagrefs = 0;
	if (!r->pq || r->focus)
		return;
	/* the day is the date part of the cell: one per dictionary entry, or
	 * per day of a timestamp value (pq_reader_day_ref) */
	row->ref[CUR_REF_DAY] = pq_reader_day_ref(r->pq, (size_t)r->col[F_USAGE_START]);
	row->ref[CUR_REF_PAYER] = field_ref(r, f, F_PAYER, row->payer);
	row->ref[CUR_REF_ACCOUNT] = field_ref(r, f, F_ACCOUNT, row->account);
	row->ref[CUR_REF_TYPE] = field_ref(r, f, F_TYPE, row->type);
	row->ref[CUR_REF_PCODE] = field_ref(r, f, F_PRODUCT_CODE, row->product_code);
	row->ref[CUR_REF_PNAME] = field_ref(r, f, F_PRODUCT_NAME, row->product_name);
	row->ref[CUR_REF_UTYPE] = field_ref(r, f, F_USAGE_TYPE, row->usage_type);
	row->ref[CUR_REF_OP] = field_ref(r, f, F_OPERATION, row->operation);
	row->ref[CUR_REF_REGION] = field_ref(r, f, F_REGION, row->region);
	row->ref[CUR_REF_RESOURCE] = field_ref(r, f, F_RESOURCE_ID, row->resource_id);
	/* the tags when they come from flat tag columns alone (collect_tags
	 * makes the same tags from the same cells) */
	if (r->col[F_TAGS_JSON] >= 0 || r->ntagcols > CUR_TAGREF_MAX)
		return;
	for (k = 0; k < r->ntagcols; k++) {
		size_t col = r->tagcols[k].col;
		uint64_t ref = 0;
		if (f[col].n && !(ref = pq_reader_dict_ref(r->pq, col)))
			return;
		row->tagref[k] = ref;
	}
	row->ntagrefs = r->ntagcols;
}

int cur_reader_next(struct cur_reader *r, const struct cur_row **row, struct rb_err *err)
{
	const struct rb_str *f;
	size_t n;
	long line;
	int ret;

	if (r->pq)
		ret = pq_reader_next(r->pq, &f, &line, err);
	else
		ret = csv_next(r->csv, &f, &n, &line, err);
	if (ret <= 0)
		return ret;
	ret = normalize(r, f, line, err);
	if (ret)
		return ret;
	row_refs(r, f);
	r->row.period = r->period;
	r->rows++;
	*row = &r->row;
	return 1;
}

int cur_reader_skip_decoded(struct cur_reader *r, struct rb_err *err)
{
	const struct rb_str *f;
	size_t n;
	long line;
	int ret = r->pq ? pq_reader_next(r->pq, &f, &line, err) :
		csv_next(r->csv, &f, &n, &line, err);
	if (ret > 0)
		r->rows++;
	return ret;
}

void cur_reader_stats(const struct cur_reader *r, struct cur_reader_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes_in = r->pq ? pq_reader_bytes_in(r->pq) : csv_bytes_in(r->csv);
	out->file_size = r->pq ? pq_reader_size(r->pq) : csv_size(r->csv);
	out->rows = r->rows;
	out->nunknown_columns = r->nunknown;
	out->unknown_columns = r->unknown;
	out->duplicate_tags = r->duplicate_tags;
}

void cur_reader_free(struct cur_reader *r)
{
	size_t i;

	if (!r)
		return;
	csv_free(r->csv);
	pq_reader_free(r->pq);
	for (i = 0; r->header && i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	free(r->used);
	free(r->unknown);
	free(r->tagcols);
	free(r->tags);
	for (i = 0; r->tagcache && i < TAGS_CACHE; i++)
		tags_entry_release(&r->tagcache[i]);
	free(r->tagcache);
	for (i = 0; r->products && i < PRODUCT_CACHE; i++) {
		free(r->products[i].cell);
		free((char *)(r->products[i].name.n ? r->products[i].name.p : NULL));
		free((char *)(r->products[i].region.n ? r->products[i].region.p : NULL));
	}
	free(r->products);
	for (i = 0; i < r->nproviders; i++) {
		free(r->providers[i].payer);
		free(r->providers[i].provider);
	}
	for (i = 0; i < r->ncurrencies; i++)
		free(r->currencies[i].payer);
	free(r->name);
	free(r);
}
