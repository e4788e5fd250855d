/*
 * mqtt_client.c — libmosquitto on the loop (mqtt_client.h).
 *
 * Re-entrancy. libmosquitto calls us back from inside its own functions
 * (on_message inside mosquitto_loop_read, on_publish of a QoS 0 message inside
 * mosquitto_publish, on_disconnect inside the write of DISCONNECT). Its
 * callbacks may call mosquitto_publish & co. (it queues then), but a
 * `struct mosquitto` must never be destroyed while one of its functions runs:
 * `driving` names the one whose function is running, and dropping it then
 * only parks it in `zombie` until that function has returned (settle()).
 * Events reported during an nm_mqtt_* call wait in a task (`api` counts those
 * calls), so that no event fires inside the call that caused it.
 */
#include "core/mqtt_client.h"

#include <errno.h>
#include <mosquitto.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "core/dns.h"
#include "core/loop.h"

/* Packets read per readable event before giving the loop back. */
#define READ_BURST 64
/* The timer's period: 1 s until CONNACK (its deadline), then a quarter of the
 * keepalive, which is soon enough for libmosquitto's PINGREQ (a broker waits
 * 1.5 keepalives) and keeps idle clients from waking the process every second. */
#define TICK_MS 1000

typedef enum { ST_IDLE, ST_RESOLVING, ST_CONNECTING, ST_UP, ST_CLOSING } session_state;

struct nm_mqtt_client {
    const nm_mqtt_events *ev;
    void *owner; /* NULL once freed: no more events */
    /* What every CONNECT carries. */
    char *client_id, *user, *pass;
    size_t pass_len;
    bool clean;
    int keepalive;
    char *will_topic;
    void *will_payload;
    size_t will_len;
    int will_qos;
    bool will_retain;
    /* The attempt or session. */
    session_state st;
    char *host;
    int port;
    nm_tls_config *tls;
    nm_dns_lookup *lookup;
    struct mosquitto *mosq;
    struct mosquitto *driving; /* whose libmosquitto function is running */
    struct mosquitto *zombie;  /* dropped while driving: destroyed after */
    uv_poll_t *poll;
    int poll_fd, poll_events;
    uv_timer_t *timer;
    uint64_t deadline; /* uv_now() limit for the attempt; 0: none */
    bool tcp_up;
    int refused; /* a CONNACK's refusal code, 0: none */
    char tls_reason[200];
    /* Events held back until the next loop turn. */
    int api;
    size_t npublished; /* confirmations (the owner needs no message ids) */
    int *silent;       /* SUBACKs not to report */
    size_t nsilent, capsilent;
    bool end_held;
    int end_reason;
    nm_task task;
    bool free_pending;
    bool writing; /* inside mosquitto_loop_write: confirmations are gathered */
};

static void settle(nm_mqtt_client *c);

/* ---- small helpers --------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void *dup_bytes(const void *p, size_t len)
{
    void *d = malloc(len ? len : 1);
    if (d && len)
        memcpy(d, p, len);
    return d;
}

static int mosq_error(int rc)
{
    switch (rc) {
    case MOSQ_ERR_NOMEM: return UV_ENOMEM;
    case MOSQ_ERR_NO_CONN: return UV_ENOTCONN;
    case MOSQ_ERR_PAYLOAD_SIZE:
    case MOSQ_ERR_OVERSIZE_PACKET: return UV_EMSGSIZE;
    default: return UV_EINVAL;
    }
}

static bool closing_or_gone(const nm_mqtt_client *c)
{
    return c->owner == NULL;
}

/* ---- events held back during API calls -------------------------------------- */

/* The held confirmations go to the owner in one call. The count is taken
 * first: a publish from inside that call holds its confirmation for the next. */
static void deliver_published(nm_mqtt_client *c)
{
    size_t n = c->npublished;
    c->npublished = 0;
    if (n > 0 && !closing_or_gone(c))
        c->ev->published(c->owner, n);
}

static void deliver_held(nm_task *task)
{
    nm_mqtt_client *c = (nm_mqtt_client *)((char *)task - offsetof(nm_mqtt_client, task));
    c->api++; /* a free from inside an event waits for the end of this loop */
    deliver_published(c);
    if (c->end_held && !closing_or_gone(c)) {
        c->end_held = false;
        c->ev->ended(c->owner, c->end_reason);
    }
    c->end_held = false;
    c->api--;
    if (c->free_pending && c->api == 0 && c->driving == NULL)
        settle(c);
}

static bool must_hold(const nm_mqtt_client *c)
{
    return c->api > 0 || c->task.posted || c->writing;
}

static void hold_published(nm_mqtt_client *c)
{
    c->npublished++;
    nm_task_post(&c->task, deliver_held); /* once: a posted task is left as it is */
}

static void report_end(nm_mqtt_client *c, int reason)
{
    if (closing_or_gone(c))
        return;
    if (must_hold(c)) {
        c->end_held = true;
        c->end_reason = reason;
        nm_task_post(&c->task, deliver_held);
        return;
    }
    c->ev->ended(c->owner, reason);
}

/* ---- SUBACKs that are not reported (see nm_mqtt_subscribe) ---------------- */

static bool remember_silent(nm_mqtt_client *c, int mid)
{
    if (c->nsilent == c->capsilent) {
        size_t cap = c->capsilent ? c->capsilent * 2 : 8;
        int *m = realloc(c->silent, cap * sizeof *m);
        if (m == NULL)
            return false;
        c->silent = m;
        c->capsilent = cap;
    }
    c->silent[c->nsilent++] = mid;
    return true;
}

static bool forget_silent(nm_mqtt_client *c, int mid)
{
    for (size_t i = 0; i < c->nsilent; i++) {
        if (c->silent[i] == mid) {
            c->silent[i] = c->silent[--c->nsilent];
            return true;
        }
    }
    return false;
}

/* ---- the session's handles ---------------------------------------------------- */

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void stop_poll(nm_mqtt_client *c)
{
    if (c->poll == NULL)
        return;
    uv_poll_stop(c->poll);
    uv_close((uv_handle_t *)c->poll, free_handle);
    c->poll = NULL;
    c->poll_fd = -1;
}

static void destroy_mosq(nm_mqtt_client *c, struct mosquitto *m)
{
    if (m == NULL)
        return;
    if (m == c->driving) {
        c->zombie = m;
        return;
    }
    mosquitto_destroy(m); /* closes its socket */
}

/* Ends the attempt or session without an event: handles, lookup, TLS. */
static void drop_session(nm_mqtt_client *c)
{
    if (c->lookup) {
        nm_dns_cancel(c->lookup);
        c->lookup = NULL;
    }
    stop_poll(c);
    if (c->timer)
        uv_timer_stop(c->timer);
    destroy_mosq(c, c->mosq);
    c->mosq = NULL;
    c->nsilent = 0;
    nm_tls_config_free(c->tls);
    c->tls = NULL;
    c->st = ST_IDLE;
    c->deadline = 0;
}

static void end_session(nm_mqtt_client *c, int reason)
{
    drop_session(c);
    report_end(c, reason);
}

/* Why an attempt that never got its CONNACK ended. */
static int attempt_failure(const nm_mqtt_client *c)
{
    if (c->refused)
        return c->refused;
    if (!c->tcp_up || c->tls_reason[0])
        return NM_MQTT_FAIL_SERVER_NOT_FOUND;
    return NM_MQTT_FAIL_NOT_A_CONNACK; /* the broker answered, but not with a CONNACK */
}

/* ---- driving libmosquitto -------------------------------------------------------- */

static void on_poll(uv_poll_t *handle, int status, int events);

static void watch(nm_mqtt_client *c)
{
    int fd = mosquitto_socket(c->mosq);
    if (fd != c->poll_fd)
        stop_poll(c);
    if (fd < 0)
        return;
    if (c->poll == NULL) {
        c->poll = malloc(sizeof *c->poll);
        if (c->poll == NULL || uv_poll_init(nm_loop(), c->poll, fd) != 0) {
            free(c->poll);
            c->poll = NULL;
            return;
        }
        c->poll->data = c;
        c->poll_fd = fd;
        c->poll_events = 0;
    }
    int want = UV_READABLE | (mosquitto_want_write(c->mosq) || !c->tcp_up ? UV_WRITABLE : 0);
    if (want != c->poll_events) {
        uv_poll_start(c->poll, want, on_poll);
        c->poll_events = want;
    }
}

/* After a libmosquitto function returned: destroy what was dropped meanwhile,
 * notice a socket libmosquitto closed, and poll for what it wants next. */
static void settle(nm_mqtt_client *c)
{
    if (c->driving != NULL)
        return;
    if (c->zombie) {
        mosquitto_destroy(c->zombie);
        c->zombie = NULL;
    }
    if (c->free_pending) {
        if (c->api == 0) {
            drop_session(c);
            nm_task_cancel(&c->task);
            if (c->timer)
                uv_close((uv_handle_t *)c->timer, free_handle);
            free(c->client_id);
            free(c->user);
            free(c->pass);
            free(c->will_topic);
            free(c->will_payload);
            free(c->host);
            free(c->silent);
            free(c);
        }
        return;
    }
    if (c->mosq == NULL)
        return;
    if (mosquitto_socket(c->mosq) < 0) {
        bool up = c->st == ST_UP || c->st == ST_CLOSING;
        int reason = c->st == ST_CLOSING ? NM_MQTT_CLOSED : up ? NM_MQTT_LOST : attempt_failure(c);
        end_session(c, reason);
        return;
    }
    watch(c);
}

static void check_tcp(nm_mqtt_client *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(mosquitto_socket(c->mosq), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        c->tcp_up = true;
        c->deadline = uv_now(nm_loop()) + NM_MQTT_CONNACK_WAIT_MS;
        return;
    }
    end_session(c, NM_MQTT_FAIL_SERVER_NOT_FOUND);
}

static void read_burst(nm_mqtt_client *c, struct mosquitto *m)
{
    for (int i = 0; i < READ_BURST && c->mosq == m && !c->free_pending; i++) {
        errno = 0;
        int rc = mosquitto_loop_read(m, 1);
        if (rc != MOSQ_ERR_SUCCESS || errno == EAGAIN || errno == EWOULDBLOCK || mosquitto_socket(m) < 0)
            break;
    }
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    nm_mqtt_client *c = handle->data;
    struct mosquitto *m = c->mosq;
    if (m == NULL)
        return;
    if (!c->tcp_up) {
        check_tcp(c);
        if (c->mosq != m)
            return;
    }
    c->driving = m;
    /* Until the session is up, reading also moves a TLS handshake on. */
    if (status < 0 || (events & UV_READABLE) || c->st == ST_CONNECTING)
        read_burst(c, m);
    if (c->mosq == m && !c->free_pending && (events & UV_WRITABLE) && mosquitto_socket(m) >= 0) {
        /* One write burst confirms many QoS 0 messages: they are reported
         * together on the next loop turn, in one protected call. */
        c->writing = true;
        mosquitto_loop_write(m, 1);
        c->writing = false;
    }
    c->driving = NULL;
    settle(c);
}

static void on_tick(uv_timer_t *t)
{
    nm_mqtt_client *c = t->data;
    struct mosquitto *m = c->mosq;
    if (m == NULL)
        return;
    if (c->deadline && uv_now(nm_loop()) >= c->deadline) {
        end_session(c, c->tcp_up ? NM_MQTT_FAIL_TIMEOUT_RECEIVING : NM_MQTT_FAIL_SERVER_NOT_FOUND);
        return;
    }
    c->driving = m;
    mosquitto_loop_misc(m); /* keepalive: PINGREQ, or the end of a silent broker */
    c->driving = NULL;
    settle(c);
}

/* ---- libmosquitto's callbacks -------------------------------------------------------- */

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
    nm_mqtt_client *c = obj;
    if (m != c->mosq)
        return;
    if (rc != 0) {
        c->refused = rc;
        return; /* libmosquitto closes the socket next; settle() reports */
    }
    c->st = ST_UP;
    c->deadline = 0;
    uint64_t tick = c->keepalive > 4 ? (uint64_t)c->keepalive * 1000 / 4 : TICK_MS;
    uv_timer_start(c->timer, on_tick, tick, tick);
    if (!closing_or_gone(c))
        c->ev->connected(c->owner);
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    nm_mqtt_client *c = obj;
    if (m != c->mosq || closing_or_gone(c))
        return;
    nm_mqtt_message e = {msg->topic, msg->payload, (size_t)msg->payloadlen, msg->qos, msg->retain};
    c->ev->message(c->owner, &e);
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
    nm_mqtt_client *c = obj;
    if (m != c->mosq || closing_or_gone(c))
        return;
    (void)mid;
    if (must_hold(c))
        hold_published(c);
    else
        c->ev->published(c->owner, 1);
}

static void on_subscribe(struct mosquitto *m, void *obj, int mid, int count, const int *granted)
{
    (void)count;
    (void)granted;
    nm_mqtt_client *c = obj;
    if (m == c->mosq && !forget_silent(c, mid) && !closing_or_gone(c))
        c->ev->subscribed(c->owner, mid);
}

static void on_unsubscribe(struct mosquitto *m, void *obj, int mid)
{
    nm_mqtt_client *c = obj;
    if (m == c->mosq && !closing_or_gone(c))
        c->ev->unsubscribed(c->owner, mid);
}

/* ---- TLS: the script's host name, not the address ------------------------------------ */

static void on_tls_info(const SSL *ssl, int where, int ret)
{
    nm_mqtt_client *c = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (c == NULL)
        return;
    if (where & SSL_CB_HANDSHAKE_START) {
        /* libmosquitto named the address; name the host instead. */
        SSL_set_tlsext_host_name((SSL *)ssl, NULL);
        nm_tls_name_peer((SSL *)ssl, c->host);
    } else if ((where & SSL_CB_ALERT) && c->st == ST_CONNECTING && c->tls_reason[0] == '\0') {
        long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK && (where & SSL_CB_WRITE))
            snprintf(c->tls_reason, sizeof c->tls_reason, "certificate verify failed: %s",
                     X509_verify_cert_error_string(v));
        else
            snprintf(c->tls_reason, sizeof c->tls_reason, "%s alert: %s", (where & SSL_CB_WRITE) ? "sent" : "received",
                     SSL_alert_desc_string_long(ret));
    }
}

static bool use_tls(nm_mqtt_client *c, struct mosquitto *m)
{
    SSL_CTX *ctx = nm_tls_config_ssl_ctx(c->tls);
    if (ctx == NULL) {
        snprintf(c->tls_reason, sizeof c->tls_reason, "%s",
                 nm_tls_config_error(c->tls) ? nm_tls_config_error(c->tls) : "no TLS context");
        return false;
    }
    SSL_CTX_set_app_data(ctx, c);
    SSL_CTX_set_info_callback(ctx, on_tls_info);
    /* The context as built, without libmosquitto's own settings (which want
     * a CA file and would check the address instead of the name). */
    return mosquitto_int_option(m, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) == MOSQ_ERR_SUCCESS &&
           mosquitto_void_option(m, MOSQ_OPT_SSL_CTX, ctx) == MOSQ_ERR_SUCCESS;
}

/* ---- a new attempt ------------------------------------------------------------------------ */

static struct mosquitto *make_mosq(nm_mqtt_client *c)
{
    struct mosquitto *m = mosquitto_new(c->client_id, c->clean, c);
    if (m == NULL)
        return NULL;
    mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_message_callback_set(m, on_message);
    mosquitto_publish_callback_set(m, on_publish);
    mosquitto_subscribe_callback_set(m, on_subscribe);
    mosquitto_unsubscribe_callback_set(m, on_unsubscribe);
    bool ok = true;
    if (c->user)
        ok = mosquitto_username_pw_set(m, c->user, c->pass) == MOSQ_ERR_SUCCESS;
    if (ok && c->will_topic)
        ok = mosquitto_will_set(m, c->will_topic, (int)c->will_len, c->will_payload, c->will_qos, c->will_retain) ==
             MOSQ_ERR_SUCCESS;
    if (ok && c->tls)
        ok = use_tls(c, m);
    if (!ok) {
        mosquitto_destroy(m);
        return NULL;
    }
    return m;
}

static void on_resolved(void *owner, int status, const struct sockaddr *addr)
{
    nm_mqtt_client *c = owner;
    c->lookup = NULL;
    if (status == NM_DNS_CANCELLED)
        return;
    if (status != NM_DNS_OK) {
        end_session(c, NM_MQTT_FAIL_DNS);
        return;
    }
    char ip[64];
    if (addr->sa_family == AF_INET6)
        uv_ip6_name((const struct sockaddr_in6 *)addr, ip, sizeof ip);
    else
        uv_ip4_name((const struct sockaddr_in *)addr, ip, sizeof ip);
    c->mosq = make_mosq(c);
    if (c->mosq == NULL) {
        end_session(c, NM_MQTT_FAIL_SERVER_NOT_FOUND);
        return;
    }
    c->st = ST_CONNECTING;
    c->deadline = uv_now(nm_loop()) + NM_MQTT_CONNECT_WAIT_MS;
    c->driving = c->mosq;
    int rc = mosquitto_connect_async(c->mosq, ip, c->port, c->keepalive);
    c->driving = NULL;
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(c->mosq) < 0) {
        end_session(c, NM_MQTT_FAIL_SERVER_NOT_FOUND);
        return;
    }
    uv_timer_start(c->timer, on_tick, TICK_MS, TICK_MS);
    settle(c);
}

/* ---- the API ---------------------------------------------------------------------------- */

nm_mqtt_client *nm_mqtt_new(const nm_mqtt_events *ev, void *owner)
{
    static bool lib_ready;
    if (!lib_ready) {
        mosquitto_lib_init();
        lib_ready = true;
    }
    nm_mqtt_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->timer = malloc(sizeof *c->timer);
    if (c->timer == NULL || uv_timer_init(nm_loop(), c->timer) != 0) {
        free(c->timer);
        free(c);
        return NULL;
    }
    c->timer->data = c;
    c->ev = ev;
    c->owner = owner;
    c->poll_fd = -1;
    c->clean = true;
    return c;
}

int nm_mqtt_set_login(nm_mqtt_client *c, const nm_mqtt_login *l)
{
    char *id = dup_or_null(l->client_id), *user = dup_or_null(l->user);
    char *pass = l->pass ? dup_bytes(l->pass, l->pass_len + 1) : NULL;
    if ((l->client_id && !id) || (l->user && !user) || (l->pass && !pass)) {
        free(id);
        free(user);
        free(pass);
        return UV_ENOMEM;
    }
    free(c->client_id);
    free(c->user);
    free(c->pass);
    c->client_id = id;
    c->user = user;
    c->pass = pass;
    c->pass_len = l->pass_len;
    c->clean = l->clean_session;
    c->keepalive = l->keepalive;
    return 0;
}

int nm_mqtt_set_will(nm_mqtt_client *c, const char *topic, const void *payload, size_t len, int qos, bool retain)
{
    char *t = strdup(topic);
    void *p = dup_bytes(payload, len);
    if (t == NULL || p == NULL) {
        free(t);
        free(p);
        return UV_ENOMEM;
    }
    free(c->will_topic);
    free(c->will_payload);
    c->will_topic = t;
    c->will_payload = p;
    c->will_len = len;
    c->will_qos = qos;
    c->will_retain = retain;
    return 0;
}

int nm_mqtt_connect(nm_mqtt_client *c, const char *host, int port, nm_tls_config *tls)
{
    if (c->st != ST_IDLE || c->mosq || c->free_pending) {
        nm_tls_config_free(tls);
        return UV_EBUSY;
    }
    char *h = strdup(host);
    if (h == NULL) {
        nm_tls_config_free(tls);
        return UV_ENOMEM;
    }
    free(c->host);
    c->host = h;
    c->port = port;
    c->tls = tls;
    c->tcp_up = false;
    c->refused = 0;
    c->tls_reason[0] = '\0';
    c->st = ST_RESOLVING;
    c->lookup = nm_dns_resolve(host, port, on_resolved, c);
    if (c->lookup == NULL) {
        drop_session(c);
        return UV_ENOMEM;
    }
    return 0;
}

void nm_mqtt_disconnect(nm_mqtt_client *c)
{
    if (c->st == ST_CLOSING)
        return;
    if (c->st != ST_UP) {
        nm_mqtt_abort(c);
        return;
    }
    c->st = ST_CLOSING;
    c->api++;
    mosquitto_disconnect(c->mosq);
    settle(c); /* still inside the call: what ended is held for the loop */
    c->api--;
}

void nm_mqtt_abort(nm_mqtt_client *c)
{
    drop_session(c);
    c->end_held = false;
}

bool nm_mqtt_is_up(const nm_mqtt_client *c)
{
    return c->st == ST_UP;
}

bool nm_mqtt_is_closing(const nm_mqtt_client *c)
{
    return c->st == ST_CLOSING;
}

bool nm_mqtt_is_active(const nm_mqtt_client *c)
{
    return c->st != ST_IDLE;
}

int nm_mqtt_publish(nm_mqtt_client *c, const char *topic, const void *payload, size_t len, int qos, bool retain)
{
    if (c->st != ST_UP)
        return UV_ENOTCONN;
    if (len > 268435455u)
        return UV_EMSGSIZE;
    int mid = 0;
    c->api++;
    int rc = mosquitto_publish(c->mosq, &mid, topic, (int)len, payload, qos, retain);
    settle(c);
    c->api--;
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_LOST && rc != MOSQ_ERR_ERRNO)
        return mosq_error(rc);
    return qos == 0 ? 0 : mid; /* a broken socket is reported as the session's end */
}

/* libmosquitto takes one QoS per SUBSCRIBE: a table of topics goes out as
 * one SUBSCRIBE per QoS level present, and only the SUBACK of the last one is
 * reported (a broker answers in order), so that the owner sees one. */
int nm_mqtt_subscribe(nm_mqtt_client *c, char *const *topics, const int *qos, int count)
{
    if (c->st != ST_UP)
        return UV_ENOTCONN;
    char **group = malloc((size_t)count * sizeof *group);
    if (group == NULL)
        return UV_ENOMEM;
    int mid = 0, rc = MOSQ_ERR_SUCCESS, sent = 0;
    c->api++;
    for (int level = 0; level <= 2 && rc == MOSQ_ERR_SUCCESS; level++) {
        int n = 0;
        for (int i = 0; i < count; i++)
            if (qos[i] == level)
                group[n++] = topics[i];
        if (n == 0)
            continue;
        if (sent++ > 0 && !remember_silent(c, mid))
            rc = MOSQ_ERR_NOMEM;
        if (rc == MOSQ_ERR_SUCCESS)
            rc = mosquitto_subscribe_multiple(c->mosq, &mid, n, group, level, 0, NULL);
    }
    settle(c);
    c->api--;
    free(group);
    return rc == MOSQ_ERR_SUCCESS ? mid : mosq_error(rc);
}

int nm_mqtt_unsubscribe(nm_mqtt_client *c, char *const *topics, int count)
{
    if (c->st != ST_UP)
        return UV_ENOTCONN;
    int mid = 0;
    c->api++;
    int rc = mosquitto_unsubscribe_multiple(c->mosq, &mid, count, topics, NULL);
    settle(c);
    c->api--;
    return rc == MOSQ_ERR_SUCCESS ? mid : mosq_error(rc);
}

void nm_mqtt_free(nm_mqtt_client *c)
{
    if (c == NULL)
        return;
    c->owner = NULL;
    c->free_pending = true;
    settle(c);
}

const char *nm_mqtt_tls_reason(const nm_mqtt_client *c)
{
    return c->tls_reason[0] ? c->tls_reason : NULL;
}
