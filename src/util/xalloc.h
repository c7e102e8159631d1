/*
 * xalloc.h: allocation that never returns NULL. Running out of memory is not
 * an input or I/O error rebill could report usefully, so it aborts with a
 * message (as git and tmux do). Bad input and I/O never abort.
 */
#ifndef RB_XALLOC_H
#define RB_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: p resized to nmemb*size, aborting on overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
