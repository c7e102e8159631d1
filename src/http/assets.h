/*
 * assets.h: files embedded into the binary at build time (embed.py): the
 * HTML templates (web/templates) and the static CSS/JS (web/static and the
 * pinned npm packages of web/package.json).
 */
#ifndef RB_HTTP_ASSETS_H
#define RB_HTTP_ASSETS_H

struct http_asset {
	const char *name;          /* "templates/login.html", "static/htmx.min.js" */
	const char *ctype;
	const unsigned char *data; /* NUL-terminated after len bytes */
	unsigned long len;
};

extern const struct http_asset http_assets[];
extern const unsigned long http_nassets;

#endif
