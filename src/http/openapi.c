/*
 * openapi.c: the OpenAPI 3.1 document of the server, generated from the
 * route table, so it cannot disagree with it: every route with its method,
 * parameters, the roles that may call it (x-rebill-roles) and how a
 * customer user is limited (x-rebill-scope). Pages are listed too (tag
 * "pages", text/html), so tests walking the document reach every route.
 *
 * Not for: describing response bodies field by field (the CLI's
 * --format json documents, see docs/web.md).
 */
#include "http/http_int.h"

#include <jansson.h>
#include <string.h>

#include "util/banned.h"

static const char *scope_name(enum http_scope s)
{
	switch (s) {
	case SCOPE_PATH_ID: return "path-id";
	case SCOPE_QUERY: return "query-customer";
	case SCOPE_SELF: return "self";
	case SCOPE_DOCUMENT: return "own-finalized-document";
	case SCOPE_NONE: break;
	}
	return "none";
}

static json_t *error_ref(const char *desc)
{
	return json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", desc, "content",
		"application/json", "schema", "$ref", "#/components/schemas/Error");
}

static json_t *operation(const struct http_route *rt)
{
	json_t *op = json_object(), *params = json_array(), *roles = json_array(), *resp;
	const unsigned bits[] = { ROLE_ADMIN, ROLE_FINANCE, ROLE_VIEWER, ROLE_CUSTOMER };
	int html = !!(rt->flags & ROUTE_HTML), i;
	char opid[256], *p;

	snprintf(opid, sizeof(opid), "%s%s", rt->method, rt->pattern);
	for (p = opid; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	json_object_set_new(op, "operationId", json_string(opid));
	json_object_set_new(op, "summary", json_string(rt->summary));
	json_object_set_new(op, "tags", json_pack("[s]", html ? "pages" :
		!strncmp(rt->pattern, "/static/", 8) ? "assets" : "api"));
	if (strstr(rt->pattern, "{id}"))
		json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:{s:s}}", "name", "id", "in",
			"path", "required", 1, "schema", "type", "string"));
	for (i = 0; i < HTTP_MAX_QUERY && rt->query[i].name; i++)
		json_array_append_new(params, json_pack("{s:s,s:s,s:s,s:b,s:{s:s}}", "name",
			rt->query[i].name, "in", "query", "description", rt->query[i].desc, "required", 0,
			"schema", "type", "string"));
	json_object_set_new(op, "parameters", params);
	if (rt->flags & ROUTE_JSON_BODY)
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:{s:{s:{s:s,s:b}}}}",
			"required", 1, "content", "application/json", "schema", "type", "object",
			"additionalProperties", 0));
	if (rt->flags & ROUTE_FORM_BODY)
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:{s:{s:{s:s}}}}",
			"required", 1, "content", "application/x-www-form-urlencoded", "schema", "type",
			"object"));
	if (rt->flags & ROUTE_UPLOAD)
		json_object_set_new(op, "requestBody", json_pack("{s:b,s:{s:{s:{s:s,s:s}},"
			"s:{s:{s:s,s:{s:{s:s}},s:[s],s:b}}}}", "required", 1, "content",
			"application/octet-stream", "schema", "type", "string", "format", "binary",
			"application/json", "schema", "type", "object", "properties", "path", "type",
			"string", "required", "path", "additionalProperties", 0));
	if (rt->roles == ROLE_PUBLIC) {
		json_array_append_new(roles, json_string("public"));
		json_object_set_new(op, "security", json_array());
	} else {
		for (i = 0; i < 4; i++)
			if (rt->roles & bits[i])
				json_array_append_new(roles, json_string(http_role_name(bits[i])));
	}
	json_object_set_new(op, "x-rebill-roles", roles);
	json_object_set_new(op, "x-rebill-scope", json_string(scope_name(rt->scope)));
	resp = json_object();
	if (html)
		json_object_set_new(resp, "200", json_pack("{s:s,s:{s:{}}}", "description", "a page",
			"content", "text/html"));
	else if (rt->flags & ROUTE_FILE)
		json_object_set_new(resp, "200", json_pack("{s:s,s:{s:{},s:{},s:{},s:{}}}",
			"description", "the file (Content-Disposition: attachment)", "content",
			"application/pdf", "application/xml", "text/csv", "text/html"));
	else if (rt->flags & ROUTE_UPLOAD)
		json_object_set_new(resp, "202", json_pack("{s:s,s:{s:{}}}", "description",
			"the import job started (Location: its progress)", "content", "application/json"));
	else
		json_object_set_new(resp, rt->flags & ROUTE_CREATES ? "201" : "200", json_pack("{s:s,s:{s:{}}}", "description", "ok",
			"content", strncmp(rt->pattern, "/static/", 8) ? "application/json" : "*/*"));
	json_object_set_new(resp, "400", error_ref("bad request: a parameter or field is wrong"));
	if (rt->roles != ROLE_PUBLIC) {
		json_object_set_new(resp, "401", error_ref("not logged in"));
		json_object_set_new(resp, "403", error_ref("the role (or customer) may not; CSRF"));
	}
	if (rt->flags & (ROUTE_JSON_BODY | ROUTE_FORM_BODY | ROUTE_UPLOAD))
		json_object_set_new(resp, "413", error_ref("the body is too large"));
	json_object_set_new(op, "responses", resp);
	return op;
}

json_t *http_openapi(void)
{
	json_t *root = json_object(), *paths = json_object();
	size_t i;
	char lower[16];

	json_object_set_new(root, "openapi", json_string("3.1.0"));
	json_object_set_new(root, "info", json_pack("{s:s,s:s,s:s}", "title", "rebill",
		"version", "0.1.0", "description", "rebill's JSON API, console and portal. Errors are "
		"{\"error\":{\"code\",\"message\",\"field\"}}; amounts are decimal strings."));
	for (i = 0; i < http_nroutes; i++) {
		const struct http_route *rt = &http_routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		size_t k;
		if (!item) {
			item = json_object();
			json_object_set_new(paths, rt->pattern, item);
		}
		for (k = 0; rt->method[k] && k + 1 < sizeof(lower); k++)
			lower[k] = (char)(rt->method[k] - 'A' + 'a');
		lower[k] = 0;
		json_object_set_new(item, lower, operation(rt));
	}
	json_object_set_new(root, "paths", paths);
	json_object_set_new(root, "security", json_pack("[{s:[]},{s:[]}]", "session", "bearer"));
	json_object_set_new(root, "components", json_pack(
		"{s:{s:{s:s,s:s,s:s},s:{s:s,s:s}},s:{s:{s:s,s:[s],s:{s:{s:s,s:[s,s,s],s:{s:{s:s},s:{s:s},s:{s:[s,s]}}}}}}}",
		"securitySchemes",
		  "session", "type", "apiKey", "in", "cookie", "name", "rebill_session",
		  "bearer", "type", "http", "scheme", "bearer",
		"schemas",
		  "Error", "type", "object", "required", "error", "properties",
		    "error", "type", "object", "required", "code", "message", "field", "properties",
		      "code", "type", "string", "message", "type", "string", "field", "type", "string",
		      "null"));
	return root;
}

int h_openapi(struct http_req *r)
{
	return http_json(r, 200, http_openapi());
}
