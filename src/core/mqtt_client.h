/*
 * mqtt_client.h — one MQTT 3.1.1 client session on the loop, on libmosquitto.
 *
 * libmosquitto does the protocol (packets, QoS 1 and 2 flows, keepalive pings,
 * the session's queues); this module drives it from libuv as its "external
 * loop" contract asks: a uv_poll on mosquitto_socket() calls
 * mosquitto_loop_read/write, and a 1 s uv_timer calls mosquitto_loop_misc
 * (keepalive) and bounds the wait for CONNACK. Nothing blocks the loop:
 * libmosquitto's own connect resolves names with getaddrinfo, so the name is
 * looked up first through netmcu's c-ares channel (dns.h) and libmosquitto is
 * given the numeric address, which it connects to without blocking.
 *
 * Each connection attempt gets a fresh `struct mosquitto`, destroyed when the
 * attempt or the session ends: that is the only way libmosquitto offers to
 * drop a connection at once (a refused TCP connect under TLS otherwise spins).
 *
 * TLS: the caller gives an nm_tls_config (tls.h) built by netmcu's certificate
 * rules; its SSL_CTX is handed to libmosquitto as is (MOSQ_OPT_SSL_CTX), and
 * when the handshake starts the SNI and the certificate's name check are set
 * to the host name the script gave, not to the address libmosquitto sees.
 *
 * Events reach the owner from the loop, never inside an nm_mqtt_* call: what
 * libmosquitto reports during a call (a QoS 0 publish written at once, the
 * socket closed by a DISCONNECT) waits for the next loop turn. `ended` comes
 * exactly once per nm_mqtt_connect that returned 0, unless nm_mqtt_abort or
 * nm_mqtt_free came first.
 */
#ifndef NETMCU_MQTT_CLIENT_H
#define NETMCU_MQTT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tls.h"

/* Why a session or an attempt ended (the firmware's mqtt.CONN_FAIL_* values
 * for a failed attempt; a refused CONNACK gives its code 1..5). */
enum {
    NM_MQTT_FAIL_SERVER_NOT_FOUND = -5, /* TCP or TLS could not be set up */
    NM_MQTT_FAIL_NOT_A_CONNACK = -4,    /* the broker answered something else */
    NM_MQTT_FAIL_DNS = -3,
    NM_MQTT_FAIL_TIMEOUT_RECEIVING = -2, /* no CONNACK in NM_MQTT_CONNACK_WAIT_MS */
    NM_MQTT_LOST = 100,                  /* an established session broke */
    NM_MQTT_CLOSED = 101,                /* nm_mqtt_disconnect finished */
};

#define NM_MQTT_CONNACK_WAIT_MS 5000 /* the firmware's MQTT_SEND_TIMEOUT */
#define NM_MQTT_CONNECT_WAIT_MS 10000

typedef struct nm_mqtt_client nm_mqtt_client;

typedef struct nm_mqtt_message {
    const char *topic;
    const void *payload;
    size_t len;
    int qos;
    bool retain;
} nm_mqtt_message;

typedef struct nm_mqtt_events {
    void (*connected)(void *owner);
    /* The attempt or the session is over: reason is an NM_MQTT_FAIL_* value
     * or a CONNACK code before `connected`, NM_MQTT_LOST or NM_MQTT_CLOSED after. */
    void (*ended)(void *owner, int reason);
    void (*message)(void *owner, const nm_mqtt_message *m);
    /* QoS 0 written, QoS 1 PUBACK, QoS 2 PUBCOMP: count confirmations, in
     * the order of the messages (those of one write burst come together);
     * events may be made from inside it. */
    void (*published)(void *owner, size_t count);
    void (*subscribed)(void *owner, int mid);
    void (*unsubscribed)(void *owner, int mid);
} nm_mqtt_events;

/* What the CONNECT carries; the strings are copied. user/pass/will NULL: none. */
typedef struct nm_mqtt_login {
    const char *client_id;
    const char *user, *pass;
    size_t pass_len;
    bool clean_session;
    int keepalive; /* seconds, 0: none; libmosquitto needs at least 5 */
} nm_mqtt_login;

nm_mqtt_client *nm_mqtt_new(const nm_mqtt_events *ev, void *owner);
/* Sets what later connects send; 0 or an errno-style negative value. */
int nm_mqtt_set_login(nm_mqtt_client *c, const nm_mqtt_login *login);
int nm_mqtt_set_will(nm_mqtt_client *c, const char *topic, const void *payload, size_t len, int qos, bool retain);

/* Looks host up and connects to it on port; tls NULL: plain TCP (the client
 * keeps its own reference to tls). 0, or UV_EBUSY while an attempt or a
 * session is active, UV_ENOMEM. */
int nm_mqtt_connect(nm_mqtt_client *c, const char *host, int port, nm_tls_config *tls);
/* Sends DISCONNECT after what is queued and ends the session (`ended` with
 * NM_MQTT_CLOSED); before the session is up, the same as nm_mqtt_abort; a
 * second call while the DISCONNECT is on its way does nothing. */
void nm_mqtt_disconnect(nm_mqtt_client *c);
/* Drops the attempt or the session at once, without an event. */
void nm_mqtt_abort(nm_mqtt_client *c);
bool nm_mqtt_is_up(const nm_mqtt_client *c);
bool nm_mqtt_is_closing(const nm_mqtt_client *c); /* DISCONNECT on its way */
bool nm_mqtt_is_active(const nm_mqtt_client *c);

/* The operations of an established session. Each returns the message id
 * (>= 1; 0 for a QoS 0 publish) or a negative value: UV_ENOTCONN, UV_EINVAL
 * (a topic libmosquitto rejects), UV_EMSGSIZE, UV_ENOMEM. */
int nm_mqtt_publish(nm_mqtt_client *c, const char *topic, const void *payload, size_t len, int qos, bool retain);
int nm_mqtt_subscribe(nm_mqtt_client *c, char *const *topics, const int *qos, int count);
int nm_mqtt_unsubscribe(nm_mqtt_client *c, char *const *topics, int count);

/* Frees the client (aborting what is active); safe inside its own events. */
void nm_mqtt_free(nm_mqtt_client *c);

/* Why the last TLS handshake failed, in words; NULL when it did not. */
const char *nm_mqtt_tls_reason(const nm_mqtt_client *c);

#endif
