/*
 * bytebuf.h — a growable byte buffer for text that arrives in pieces (console
 * input, redirected output). It doubles as it grows, so appending is cheap.
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
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return false;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    return true;
}

/* Drops the first n bytes. */
static inline void nm_bytebuf_consume(nm_bytebuf *b, size_t n)
{
    if (n > 0)
        memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

static inline void nm_bytebuf_free(nm_bytebuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

#endif
