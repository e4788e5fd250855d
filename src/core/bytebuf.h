/*
 * bytebuf.h — a growable byte buffer for text that arrives in pieces (console
 * input, redirected output, chunks being typed). It doubles as it grows, so
 * appending is cheap, and keeps a NUL after the bytes so that text can be
 * handed to C string functions as it is.
 */
#ifndef NETMCU_BYTEBUF_H
#define NETMCU_BYTEBUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct nm_bytebuf {
    char *data; /* NULL until the first append */
    size_t len, cap;
} nm_bytebuf;

static inline bool nm_bytebuf_append(nm_bytebuf *b, const char *bytes, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return false;
        b->data = p;
        b->cap = cap;
    }
    if (n > 0) /* bytes may be NULL when n is 0 */
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/* Drops the first n bytes. */
static inline void nm_bytebuf_consume(nm_bytebuf *b, size_t n)
{
    if (n == 0)
        return;
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

static inline void nm_bytebuf_free(nm_bytebuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

#endif
