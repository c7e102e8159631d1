/*
 * json_text.c: json_text (json_text.h): jansson's json_string, or a loud
 * end when the text is not UTF-8 (or NULL: a bug).
 */
#include "report/json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

json_t *json_text(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	size_t i, n;

	if (v)
		return v;
	fflush(stdout);
	if (!s) {
		fputs("rebill: cannot write JSON: a text value is missing (a bug)\n", stderr);
		exit(3);
	}
	fputs("rebill: cannot write JSON: text is not valid UTF-8: '", stderr);
	n = strlen(s);
	for (i = 0; i < n && i < 200; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7F && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02X", c);
	}
	fputs(i < n ? "...'" : "'", stderr);
	fputs(" (rebill refuses such text at import since issue 10: this database "
		"holds it from before; re-import the month)\n", stderr);
	exit(3);
}
