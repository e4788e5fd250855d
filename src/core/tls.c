/*
 * tls.c — the TLS client filter of a stream (see tls.h).
 *
 * OpenSSL reads ciphertext from a memory BIO that the stream's reads fill and
 * writes ciphertext to another that is emptied into the stream's raw write
 * path after every operation. Each emptying becomes one raw write whose
 * cookie is its block; the block records whether it carries a write of the
 * owner, so that the owner's `written` comes when the kernel took it.
 */
#include "core/tls.h"
#include "core/setups.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/loop.h"

struct nm_tls_config {
    SSL_CTX *ctx; /* NULL when the context could not be built */
    char *error;  /* why, in that case */
};

/* A write of the owner made before the handshake finished: its plaintext,
 * copied, waits for the handshake. */
typedef struct pending_write {
    struct pending_write *next;
    size_t len;
    char data[];
} pending_write;

/* One raw write of ciphertext; owned by the stream's write until `written`. */
typedef struct out_block {
    bool owner_write; /* it carries a write of the owner */
    char data[];
} out_block;

typedef struct nm_tls {
    SSL *ssl;      /* NULL when the context was unusable */
    BIO *in, *out; /* owned by ssl */
    nm_stream *stream;
    nm_task resume; /* plaintext left unread while the stream was held */
    pending_write *pending, **pending_tail;
    char *reason;            /* why it failed, once it has */
    nm_tls_provider provide; /* a deferred stream's context, until TCP is up */
    void *provide_data;
    char *host; /* the name for a deferred stream's SSL */
    uint8_t handshaken : 1, shut : 1, failed : 1, close_deferred : 1, peer_closed : 1;
} nm_tls;

/* Plaintext is delivered from here, as stream.c delivers from its read
 * buffer: one loop, one buffer, no allocation per read. */
static char plain[64 * 1024];

static void config_fail(nm_tls_config *c, const char *what)
{
    char buf[256];
    unsigned long e = ERR_peek_last_error();
    const char *why = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, sizeof buf, "%s%s%s", what, why ? ": " : "", why ? why : "");
    ERR_clear_error();
    free(c->error);
    c->error = strdup(buf);
    SSL_CTX_free(c->ctx);
    c->ctx = NULL;
}

static bool is_pem(const nm_tls_blob *b)
{
    return b->len > 11 && memmem(b->data, b->len, "-----BEGIN ", 11) != NULL;
}

static X509 *read_cert(const nm_tls_blob *b)
{
    if (is_pem(b)) {
        BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
        X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        return x;
    }
    const unsigned char *p = b->data;
    X509 *x = d2i_X509(NULL, &p, (long)b->len);
    if (x && p != b->data + b->len) { /* trailing bytes: not one certificate */
        X509_free(x);
        x = NULL;
    }
    return x;
}

static EVP_PKEY *read_key(const nm_tls_blob *b)
{
    if (is_pem(b)) {
        BIO *bio = BIO_new_mem_buf(b->data, (int)b->len);
        EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        return k;
    }
    const unsigned char *p = b->data;
    return d2i_AutoPrivateKey(NULL, &p, (long)b->len);
}

static bool trust_cas(nm_tls_config *c, const nm_tls_trust *t)
{
    X509_STORE *store = SSL_CTX_get_cert_store(c->ctx);
    if (t->system)
        nm_setup_done(NM_SETUP_SYSTEM_CAS);
    if (t->system && SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
        config_fail(c, "cannot load the system's CA store");
        return false;
    }
    for (int i = 0; i < t->ca_count; i++) {
        X509 *x = read_cert(&t->cas[i]);
        int ok = x ? X509_STORE_add_cert(store, x) : 0;
        X509_free(x);
        if (ok != 1) {
            config_fail(c, x ? "a trusted CA cannot be added" : "a trusted CA is not a certificate");
            return false;
        }
    }
    /* A trusted certificate is an anchor even when it is not a root (an
     * intermediate, or the server's own self-signed certificate), as it is
     * for the device's TLS library. */
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    return true;
}

static bool present_client_cert(nm_tls_config *c, const nm_tls_trust *t)
{
    X509 *x = read_cert(&t->cert);
    int ok = x ? SSL_CTX_use_certificate(c->ctx, x) : 0;
    X509_free(x);
    if (ok != 1) {
        config_fail(c, "the client certificate is not a certificate");
        return false;
    }
    for (int i = 0; i < t->chain_count; i++) {
        X509 *extra = read_cert(&t->chain[i]);
        if (extra == NULL || SSL_CTX_add1_chain_cert(c->ctx, extra) != 1) {
            X509_free(extra);
            config_fail(c, "a certificate of the client chain is not a certificate");
            return false;
        }
        X509_free(extra);
    }
    EVP_PKEY *key = t->key.data ? read_key(&t->key) : NULL;
    if (key == NULL) {
        config_fail(c, "the client key is not a private key");
        return false;
    }
    ok = SSL_CTX_use_PrivateKey(c->ctx, key);
    EVP_PKEY_free(key);
    if (ok != 1 || SSL_CTX_check_private_key(c->ctx) != 1) {
        config_fail(c, "the client key does not match the client certificate");
        return false;
    }
    return true;
}

nm_tls_config *nm_tls_config_new(const nm_tls_trust *t)
{
    nm_tls_config *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    ERR_clear_error();
    nm_setup_done(NM_SETUP_TLS_CONTEXT);
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (c->ctx == NULL) {
        config_fail(c, "cannot create a TLS context");
        return c;
    }
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    /* An idle connection gives its record buffers back; renegotiation, which
     * nothing needs, stays off as on the device. */
    SSL_CTX_set_mode(c->ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION);
    if (t->verify && !trust_cas(c, t))
        return c;
    if (t->cert.data && !present_client_cert(c, t))
        return c;
    return c;
}

void nm_tls_config_free(nm_tls_config *c)
{
    if (c == NULL)
        return;
    SSL_CTX_free(c->ctx); /* streams using it hold their own reference */
    free(c->error);
    free(c);
}

bool nm_tls_config_verifies(const nm_tls_config *c)
{
    return c->ctx && (SSL_CTX_get_verify_mode(c->ctx) & SSL_VERIFY_PEER);
}

SSL_CTX *nm_tls_config_ssl_ctx(nm_tls_config *c)
{
    return c->ctx;
}

const char *nm_tls_config_error(const nm_tls_config *c)
{
    return c->error;
}

static bool is_ip_literal(const char *host)
{
    unsigned char addr[16];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

bool nm_tls_name_peer(SSL *ssl, const char *host)
{
    if (is_ip_literal(host))
        return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
    return SSL_set_tlsext_host_name(ssl, host) == 1 && SSL_set1_host(ssl, host) == 1;
}

static void resume_reading(nm_task *task);

/* Gives the filter its SSL object, for host (NULL: unknown); false when
 * out of memory. */
static bool make_ssl(nm_tls *t, nm_tls_config *c, const char *host)
{
    if (c->ctx == NULL) {
        t->reason = strdup(c->error ? c->error : "no TLS context");
        return t->reason != NULL;
    }
    ERR_clear_error();
    t->ssl = SSL_new(c->ctx);
    t->in = BIO_new(BIO_s_mem());
    t->out = BIO_new(BIO_s_mem());
    if (t->ssl && t->in && t->out)
        SSL_set_bio(t->ssl, t->in, t->out); /* the SSL owns them from here */
    if (t->ssl == NULL || t->in == NULL || t->out == NULL || (host && *host && !nm_tls_name_peer(t->ssl, host))) {
        if (t->ssl == NULL || t->in == NULL || t->out == NULL) {
            BIO_free(t->in);
            BIO_free(t->out);
        }
        SSL_free(t->ssl);
        t->ssl = NULL;
        ERR_clear_error();
        return false;
    }
    /* An empty memory BIO reports "retry", not end of file. */
    BIO_set_mem_eof_return(t->in, -1);
    SSL_set_connect_state(t->ssl);
    return true;
}

static nm_tls *tls_new(nm_stream *s)
{
    nm_tls *t = calloc(1, sizeof(*t));
    if (t) {
        t->stream = s;
        t->pending_tail = &t->pending;
    }
    return t;
}

int nm_stream_secure(nm_stream *s, nm_tls_config *c, const char *host)
{
    nm_tls *t = tls_new(s);
    if (t == NULL || !make_ssl(t, c, host)) {
        free(t);
        return UV_ENOMEM;
    }
    s->side.tls = t;
    return 0;
}

int nm_stream_secure_deferred(nm_stream *s, nm_tls_provider provide, void *data, const char *host)
{
    nm_tls *t = tls_new(s);
    char *name = host ? strdup(host) : NULL;
    if (t == NULL || (host && name == NULL)) {
        free(t);
        free(name);
        return UV_ENOMEM;
    }
    t->provide = provide;
    t->provide_data = data;
    t->host = name;
    s->side.tls = t;
    return 0;
}

/* A deferred stream gets its context now that TCP is up. */
static bool provide_ssl(nm_tls *t)
{
    nm_tls_config *c = t->provide(t->provide_data);
    bool ok = c ? make_ssl(t, c, t->host) : (t->reason = strdup("the certificate callback failed")) != NULL;
    nm_tls_config_free(c); /* the SSL holds its own reference */
    free(t->host);
    t->host = NULL;
    t->provide = NULL;
    return ok;
}

int nm_tls_end_status(const nm_stream *s, int status)
{
    const nm_tls *t = nm_stream_tls(s);
    return t->peer_closed && t->shut ? 0 : status;
}

bool nm_stream_is_secure(const nm_stream *s)
{
    return nm_stream_tls(s) != NULL;
}

const char *nm_stream_tls_reason(const nm_stream *s)
{
    const nm_tls *t = nm_stream_tls(s);
    return t && t->failed ? t->reason : NULL;
}

/* Empties the outgoing BIO into one raw write. */
static int flush(nm_stream *s, bool owner_write)
{
    nm_tls *t = nm_stream_tls(s);
    size_t n = BIO_ctrl_pending(t->out);
    if (n == 0)
        return 0;
    out_block *b = malloc(sizeof(*b) + n);
    if (b == NULL)
        return UV_ENOMEM;
    b->owner_write = owner_write;
    BIO_read(t->out, b->data, (int)n);
    int r = nm_stream_write_raw(s, b->data, n, (intptr_t)b);
    if (r < 0) {
        free(b);
        return r;
    }
    return 0;
}

static void set_reason(nm_tls *t, const char *fallback)
{
    if (t->reason)
        return;
    char buf[256];
    long v = t->ssl ? SSL_get_verify_result(t->ssl) : X509_V_OK;
    unsigned long e = ERR_peek_last_error();
    if (v != X509_V_OK && (SSL_get_verify_mode(t->ssl) & SSL_VERIFY_PEER))
        snprintf(buf, sizeof buf, "certificate verify failed: %s", X509_verify_cert_error_string(v));
    else if (e && ERR_reason_error_string(e))
        snprintf(buf, sizeof buf, "%s", ERR_reason_error_string(e));
    else
        snprintf(buf, sizeof buf, "%s", fallback);
    ERR_clear_error();
    t->reason = strdup(buf);
}

/* Ends the stream after a TLS failure: the alert OpenSSL wrote is handed
 * to the kernel, then the stream closes at once and reports `code`. */
static void fail(nm_stream *s, int code, const char *fallback)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->failed)
        return;
    t->failed = 1;
    set_reason(t, fallback);
    if (t->ssl)
        flush(s, false);
    nm_stream_abort(s, code);
}

static void read_plaintext(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    while (!s->closing && !s->held && !t->failed) {
        size_t got = 0;
        int r = 1;
        ERR_clear_error();
        while (got < sizeof(plain)) {
            r = SSL_read(t->ssl, plain + got, (int)(sizeof(plain) - got));
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
        if (got > 0 && s->ev && s->ev->received)
            s->ev->received(s, plain, got);
        if (s->closing || t->failed)
            return;
        flush(s, false); /* what reading made OpenSSL answer (key updates) */
        if (err == SSL_ERROR_NONE)
            continue;
        if (err == SSL_ERROR_WANT_READ)
            return;
        /* close_notify from the peer: every byte it sent has arrived, so the
         * end is orderly whatever TCP does next (a peer that closed at once
         * answers our close_notify with a reset). */
        if (err == SSL_ERROR_ZERO_RETURN) {
            t->peer_closed = 1;
            nm_stream_close(s, 0);
            return;
        }
        fail(s, NM_ETLS_DATA, "bad record from the peer");
        return;
    }
}

static void send_pending(nm_stream *s);

static void handshake(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    int err = r == 1 ? SSL_ERROR_NONE : SSL_get_error(t->ssl, r);
    if (err != SSL_ERROR_NONE && err != SSL_ERROR_WANT_READ) {
        fail(s, NM_ETLS_HANDSHAKE, "handshake failed");
        return;
    }
    flush(s, false);
    if (err == SSL_ERROR_WANT_READ)
        return;
    t->handshaken = 1;
    send_pending(s);
    if (t->close_deferred) {
        nm_stream_close(s, 0);
        return;
    }
    if (s->ev && s->ev->connected)
        s->ev->connected(s);
    if (!s->closing)
        read_plaintext(s); /* application data that came with the last flight */
}

static uint32_t handshake_ms = NM_TLS_HANDSHAKE_MS_DEFAULT;

void nm_tls_set_handshake_timeout(uint32_t ms)
{
    handshake_ms = ms ? ms : NM_TLS_HANDSHAKE_MS_DEFAULT;
}

uint32_t nm_tls_handshake_timeout(void)
{
    return handshake_ms;
}

bool nm_tls_on_handshake_timeout(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->handshaken || t->failed || s->closing)
        return false;
    char why[80];
    snprintf(why, sizeof why, "the TLS handshake did not finish within %.1f s", handshake_ms / 1000.0);
    ERR_clear_error();
    t->reason = strdup(why); /* set_reason keeps it: no OpenSSL error explains a silence */
    fail(s, UV_ETIMEDOUT, why);
    return true;
}

void nm_tls_on_connected(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->provide && !provide_ssl(t)) {
        fail(s, NM_ETLS_HANDSHAKE, "out of memory");
        return;
    }
    if (t->ssl == NULL) {
        fail(s, NM_ETLS_HANDSHAKE, "no TLS context");
        return;
    }
    handshake(s);
}

void nm_tls_on_received(nm_stream *s, const char *data, size_t len)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->failed || t->ssl == NULL)
        return;
    if (BIO_write(t->in, data, (int)len) != (int)len) {
        fail(s, NM_ETLS_DATA, "out of memory");
        return;
    }
    if (!t->handshaken)
        handshake(s);
    else
        read_plaintext(s);
}

int nm_tls_on_eof(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->handshaken || t->failed)
        return 0;
    t->failed = 1;
    t->reason = strdup("the peer closed the connection during the handshake");
    return NM_ETLS_HANDSHAKE;
}

/* SSL_write takes an int: a longer write goes in pieces, each its own raw
 * write; the last one carries the owner's `written`. */
#define ENCRYPT_PIECE ((size_t)1 << 30)

static int encrypt(nm_stream *s, const char *data, size_t len)
{
    nm_tls *t = nm_stream_tls(s);
    for (size_t done = 0; done < len;) {
        size_t n = len - done < ENCRYPT_PIECE ? len - done : ENCRYPT_PIECE;
        ERR_clear_error();
        if (SSL_write(t->ssl, data + done, (int)n) != (int)n) {
            fail(s, NM_ETLS_DATA, "cannot encrypt");
            return UV_EPIPE;
        }
        done += n;
        int r = flush(s, done == len);
        if (r < 0)
            return r;
    }
    return 0;
}

int nm_tls_write(nm_stream *s, const char *data, size_t len)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->failed || t->shut || t->ssl == NULL)
        return UV_EPIPE;
    if (t->handshaken)
        return encrypt(s, data, len);
    pending_write *p = malloc(sizeof(*p) + len);
    if (p == NULL)
        return UV_ENOMEM;
    p->next = NULL;
    p->len = len;
    memcpy(p->data, data, len);
    *t->pending_tail = p;
    t->pending_tail = &p->next;
    return 0; /* the copy is kept: the caller may release data */
}

static void send_pending(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    while (t->pending && !t->failed) {
        pending_write *p = t->pending;
        t->pending = p->next;
        if (t->pending == NULL)
            t->pending_tail = &t->pending;
        int r = encrypt(s, p->data, p->len);
        if (r < 0 && s->ev && s->ev->written)
            s->ev->written(s, 0, r);
        free(p);
    }
}

bool nm_tls_on_written(nm_stream *s, intptr_t *cookie)
{
    (void)s;
    out_block *b = (out_block *)*cookie;
    bool owner_write = b && b->owner_write;
    free(b);
    *cookie = 0;
    return owner_write;
}

bool nm_tls_on_close(nm_stream *s, int status)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->ssl == NULL || t->failed)
        return false;
    /* Writes made before the handshake finished are not lost: the close
     * waits for the handshake to deliver them. */
    if (!t->handshaken && t->pending && status == 0) {
        t->close_deferred = 1;
        /* As the kernel delivers what a closed plain socket left, this
         * goes on in the background: it does not keep the run alive. */
        uv_unref((uv_handle_t *)&s->tcp);
        return true;
    }
    if (t->handshaken && !t->shut) {
        t->shut = 1;
        ERR_clear_error();
        SSL_shutdown(t->ssl);
        flush(s, false);
    }
    return false;
}

static void resume_reading(nm_task *task)
{
    nm_tls *t = (nm_tls *)((char *)task - offsetof(nm_tls, resume));
    if (t->handshaken)
        read_plaintext(t->stream);
}

void nm_tls_on_unhold(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    if (t->ssl && t->handshaken && SSL_pending(t->ssl) + BIO_ctrl_pending(t->in) > 0)
        nm_task_post(&t->resume, resume_reading);
}

void nm_tls_on_closed(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    nm_task_cancel(&t->resume);
    while (t->pending) { /* never encrypted: abandoned */
        pending_write *p = t->pending;
        t->pending = p->next;
        free(p);
        if (s->ev && s->ev->written)
            s->ev->written(s, 0, UV_ECANCELED);
    }
    t->pending_tail = &t->pending;
}

void nm_tls_free(nm_stream *s)
{
    nm_tls *t = nm_stream_tls(s);
    s->side.tls = NULL;
    nm_task_cancel(&t->resume);
    while (t->pending) { /* a released stream reports nothing */
        pending_write *p = t->pending;
        t->pending = p->next;
        free(p);
    }
    SSL_free(t->ssl);
    free(t->reason);
    free(t->host);
    free(t);
}
