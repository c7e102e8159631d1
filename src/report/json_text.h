/*
 * json_text.h: JSON strings that cannot vanish.
 *
 * jansson's json_string() returns NULL for text that is not well-formed
 * UTF-8, and json_object_set_new() then drops the member without a word: a
 * report would lose a customer's name or a tag key silently. Every JSON
 * string rebill prints is made with json_text() instead, which never
 * returns NULL: text that is not UTF-8 (util/utf8.h; since issue 10 it is
 * refused at import, so only a database written before can hold it) ends
 * the program with a message quoting the bytes, exit 3 — loud, like running
 * out of memory, never a document with a field missing.
 *
 * Not for: building documents (report/json.c), printing them (cli).
 */
#ifndef RB_REPORT_JSON_TEXT_H
#define RB_REPORT_JSON_TEXT_H

#include <jansson.h>

/* A new JSON string holding s (a NUL-terminated UTF-8 string). */
json_t *json_text(const char *s);

#endif
