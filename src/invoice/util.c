/*
 * util.c: small helpers of the renderers — base64, amounts as printed,
 * titles. Nothing here computes money: amounts are formatted, never
 * rounded (they are already at the currency's minor digits).
 */
#include "invoice/invoice_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "util/banned.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int invoice_base64(struct strbuf *sb, const unsigned char *p, size_t n)
{
	size_t i;
	char q[4];

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		q[3] = b64[p[i + 2] & 63];
		if (strbuf_add(sb, q, 4) < 0)
			return -1;
	}
	if (n - i == 1) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[(p[i] & 3) << 4];
		q[2] = q[3] = '=';
		return strbuf_add(sb, q, 4);
	}
	if (n - i == 2) {
		q[0] = b64[p[i] >> 2];
		q[1] = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = b64[(p[i + 1] & 15) << 2];
		q[3] = '=';
		return strbuf_add(sb, q, 4);
	}
	return 0;
}

static int b64val(int c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

int invoice_base64_decode(unsigned char **out, size_t *outlen, const char *s, size_t n)
{
	unsigned char *buf;
	size_t i, o = 0;

	*out = NULL;
	*outlen = 0;
	if (n % 4)
		return -1;
	buf = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		int a = b64val(s[i]), b = b64val(s[i + 1]), c, d;
		int pad2 = s[i + 2] == '=', pad3 = s[i + 3] == '=';
		if (a < 0 || b < 0 || ((pad2 || pad3) && i + 4 != n) || (pad2 && !pad3))
			goto bad;
		c = pad2 ? 0 : b64val(s[i + 2]);
		d = pad3 ? 0 : b64val(s[i + 3]);
		if (c < 0 || d < 0)
			goto bad;
		buf[o++] = (unsigned char)((a << 2) | (b >> 4));
		if (!pad2)
			buf[o++] = (unsigned char)(((b & 15) << 4) | (c >> 2));
		if (!pad3)
			buf[o++] = (unsigned char)(((c & 3) << 6) | d);
	}
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return -1;
}

int invoice_csv_field(struct strbuf *sb, const char *s)
{
	const char *p;
	if (!s)
		s = "";
	if (!strpbrk(s, ",\"\r\n"))
		return strbuf_addstr(sb, s);
	if (strbuf_addch(sb, '"') < 0)
		return -1;
	for (p = s; *p; p++)
		if ((*p == '"' && strbuf_addch(sb, '"') < 0) || strbuf_addch(sb, *p) < 0)
			return -1;
	return strbuf_addch(sb, '"');
}

void invoice_amount(char buf[DEC_BUFSZ], const struct doc *d, rb_i128 v)
{
	dec_format(buf, DEC_BUFSZ, v, d->minor, d->minor);
}

void invoice_amount_grouped(char buf[DEC_BUFSZ + 16], const struct doc *d, rb_i128 v)
{
	char raw[DEC_BUFSZ];
	size_t len = dec_format(raw, sizeof(raw), v, d->minor, d->minor), i, o = 0, lead = 0,
		intlen;
	const char *dot = strchr(raw, '.');

	if (raw[0] == '-')
		buf[o++] = '-', lead = 1;
	intlen = (dot ? (size_t)(dot - raw) : len) - lead;
	for (i = 0; i < intlen; i++) {
		if (i && (intlen - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[lead + i];
	}
	if (dot) {
		memcpy(buf + o, dot, strlen(dot));
		o += strlen(dot);
	}
	buf[o] = 0;
}

const char *invoice_title(const struct doc *d)
{
	if (!d->number)
		return d->type == DOC_CREDIT_NOTE ? "Credit note (not issued)" : "Invoice (not issued)";
	return d->type == DOC_CREDIT_NOTE ? "Credit note" : "Invoice";
}

const char *invoice_currency_symbol(const char *code)
{
	static const char *const map[][2] = {
		{ "EUR", "\xe2\x82\xac" }, { "GBP", "\xc2\xa3" }, { "JPY", "\xc2\xa5" },
		{ "USD", "$" },
	};
	size_t i;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(code, map[i][0]))
			return map[i][1];
	return code;
}

void invoice_address(char *buf, size_t cap, const struct doc_party *p, const char *sep)
{
	const char *parts[3];
	char town[256];
	size_t n = 0, i, len = 0;

	snprintf(town, sizeof(town), "%s%s%s", p->postal_code ? p->postal_code : "",
		p->postal_code && p->city ? " " : "", p->city ? p->city : "");
	if (p->address && *p->address)
		parts[n++] = p->address;
	if (*town)
		parts[n++] = town;
	if (p->country && *p->country)
		parts[n++] = p->country;
	buf[0] = 0;
	for (i = 0; i < n && len < cap; i++) {
		int w = snprintf(buf + len, cap - len, "%s%s", i ? sep : "", parts[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}
