/*
 * mqtt.c — the firmware's `mqtt` module: mqtt.Client and its methods, in the
 * era of the profile in force (the protocol is core/mqtt_client.c's, on
 * libmosquitto).
 *
 * The eras, from the firmware's app/modules/mqtt.c:
 *  - 1.5: connect(host, port, secure, autoreconnect, ok, fail) returns true;
 *    on() knows "connect", "message", "offline"; close() returns true when it
 *    closed a connection and fires no "offline"; autoreconnect retries after
 *    any failure.
 *  - 2.2: Client() takes max_message_length (default 1024) and on() adds
 *    "overflow"; autoreconnect only retries once a first connect succeeded.
 *  - 3.0: connect(host, port, secure, ok, fail) returns nothing (no
 *    autoreconnect; an integer `secure` prints the deprecation note); on()
 *    checks the callback first and adds "connfail", "puback", "suback",
 *    "unsuback"; close() fires "offline" once the DISCONNECT is out.
 * Every era: each event has one callback slot (the last one given wins, the
 * publish/subscribe/unsubscribe callbacks are the puback/suback/unsuback
 * slots), the first callback of connect() is the "connect" slot and the
 * second the failure one; publish and subscribe before the connection is up
 * raise "not connected"; a message with an empty payload reaches "message"
 * without its third argument.
 *
 * A client with an attempt, a session or a pending reconnect is anchored in
 * the registry (self_ref), so that a script need not keep it; its __gc frees
 * the core client, which is safe from inside any of its callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mqtt_client.h"
#include "core/timer.h"
#include "modules/net/cert.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"

#define MQTT_TYPE "mqtt.socket"
#define DEFAULT_KEEPALIVE 60     /* MQTT_DEFAULT_KEEPALIVE */
#define DEFAULT_MAX_MESSAGE 1024 /* DEFAULT_MAX_MESSAGE_LENGTH, 2.2 on */
#define MIN_KEEPALIVE 5          /* libmosquitto's lowest */
#define RECONNECT_DELAY_MS 1000
#define CHIP_ID 0xC0FFEE /* node.chipid(), for the default client id */

enum { EV_CONNECT, EV_CONNFAIL, EV_OFFLINE, EV_MESSAGE, EV_OVERFLOW, EV_PUBACK, EV_SUBACK, EV_UNSUBACK, EV_COUNT };

typedef struct mqtt_ud {
    nm_mqtt_client *core;
    int self_ref; /* the anchor while active */
    int cb[EV_COUNT];
    const void *cb_fn[EV_COUNT]; /* the function each reference holds */
    size_t max_len;              /* 2.2 on: larger messages go to "overflow" */
    bool autoreconnect;
    bool ever_up;
    bool closing; /* close() asked; no reconnect */
    char *host;
    int port;
    bool secure;
    nm_timer *retry;
} mqtt_ud;

static const void *mqtt_metatable;

/* The client last checked while anchored. The anchor keeps its userdata
 * alive, so no other full userdata can have its address: a method called on
 * it again (publish in a loop) needs no metatable comparison, only lua_type
 * to rule out a light userdata, whose pointer could be anything. Cleared
 * when that client loses its anchor or is collected. */
static mqtt_ud *recent;

/* Inline: publish runs it once per message. */
static inline mqtt_ud *check_client(lua_State *L)
{
    mqtt_ud *u;
    if (recent != NULL && lua_type(L, 1) == LUA_TUSERDATA && lua_touserdata(L, 1) == recent) {
        u = recent;
    } else {
        u = nm_check_self(L, mqtt_metatable, MQTT_TYPE);
        if (u->self_ref != LUA_NOREF)
            recent = u;
    }
    if (u->core == NULL)
        luaL_error(L, "mqtt client is closed");
    return u;
}

/* ---- anchoring ------------------------------------------------------------- */

static void anchor(lua_State *L, mqtt_ud *u, int idx)
{
    if (u->self_ref == LUA_NOREF)
        nm_ref_set(L, &u->self_ref, idx);
}

static void unanchor(lua_State *L, mqtt_ud *u)
{
    if (recent == u)
        recent = NULL;
    nm_ref_clear(L, &u->self_ref);
}

/* ---- events ----------------------------------------------------------------- */

typedef struct event_call {
    nm_protected base;
    mqtt_ud *u;
    int cb;
    int nargs;
    int reason;                 /* connfail */
    const nm_mqtt_message *msg; /* message, overflow */
    size_t payload_len;
} event_call;

/* The callback with (client[, reason | topic[, payload]]); inside a
 * protected call, as pushing the message's strings allocates. */
static void event_body(lua_State *L, nm_protected *ctx)
{
    event_call *e = (event_call *)ctx;
    nm_ref_push(L, e->cb);
    nm_ref_push(L, e->u->self_ref);
    int nargs = 1;
    if (e->msg) {
        lua_pushstring(L, e->msg->topic);
        nargs++;
        if (e->payload_len > 0) {
            lua_pushlstring(L, e->msg->payload, e->payload_len);
            nargs++;
        }
    } else if (e->nargs == 2) {
        lua_pushinteger(L, e->reason);
        nargs++;
    }
    lua_call(L, nargs, 0);
}

static void fire(mqtt_ud *u, int ev, event_call *e)
{
    lua_State *L = nm_lua_state();
    if (L == NULL || u->cb[ev] == LUA_NOREF || u->self_ref == LUA_NOREF)
        return;
    e->base.body = event_body;
    e->u = u;
    e->cb = u->cb[ev];
    nm_lua_protect(L, &e->base);
}

/* An event with the client as its only argument: nothing is allocated, so
 * the plain protected call does (puback fires once per message). */
static void fire_plain(mqtt_ud *u, int ev)
{
    lua_State *L = nm_lua_state();
    if (L == NULL || u->cb[ev] == LUA_NOREF || u->self_ref == LUA_NOREF || !lua_checkstack(L, 4))
        return;
    int handler = nm_lua_call_begin(L);
    nm_ref_push(L, u->cb[ev]);
    nm_ref_push(L, u->self_ref);
    nm_lua_call_at(L, handler, 1);
}

static void on_connected(void *owner)
{
    mqtt_ud *u = owner;
    u->ever_up = true;
    fire_plain(u, EV_CONNECT);
}

static int start_attempt(mqtt_ud *u);

/* A reconnect that cannot even start (out of memory) is tried again later. */
static void on_retry(nm_timer *t, void *data)
{
    mqtt_ud *u = data;
    if (nm_lua_state() != NULL && u->core != NULL && !u->closing && start_attempt(u) != 0)
        nm_timer_start(t, RECONNECT_DELAY_MS, 0);
}

/* 1.5 retries after every failure, 2.2 only once a connect has succeeded. */
static bool should_retry(const mqtt_ud *u)
{
    return u->autoreconnect && !u->closing && !nm_since(NM_ERA_3_0) && (u->ever_up || !nm_since(NM_ERA_2_2));
}

static void on_ended(void *owner, int reason)
{
    mqtt_ud *u = owner;
    lua_State *L = nm_lua_state();
    if (L == NULL)
        return;
    bool retry = should_retry(u) && reason != NM_MQTT_CLOSED;
    if (retry)
        nm_timer_start(u->retry, RECONNECT_DELAY_MS, 0);
    if (reason == NM_MQTT_LOST || (reason == NM_MQTT_CLOSED && nm_since(NM_ERA_3_0))) {
        fire_plain(u, EV_OFFLINE);
    } else if (reason != NM_MQTT_CLOSED) {
        event_call e = {.nargs = 2, .reason = reason};
        fire(u, EV_CONNFAIL, &e);
        const char *why = nm_mqtt_tls_reason(u->core);
        if (why)
            fprintf(stderr, "netmcu: mqtt: TLS to %s failed: %s\n", u->host, why);
    }
    if (!nm_timer_active(u->retry) && u->core && !nm_mqtt_is_active(u->core))
        unanchor(L, u);
}

/* The length of the PUBLISH packet that carried m, as the firmware measures
 * max_message_length: fixed header, topic, packet id, payload. */
static size_t packet_length(const nm_mqtt_message *m, size_t *header)
{
    size_t rest = 2 + strlen(m->topic) + (m->qos > 0 ? 2 : 0) + m->len;
    size_t varint = rest < 128 ? 1 : rest < 16384 ? 2 : rest < 2097152 ? 3 : 4;
    *header = 1 + varint + (rest - m->len);
    return 1 + varint + rest;
}

static void on_message(void *owner, const nm_mqtt_message *m)
{
    mqtt_ud *u = owner;
    if (m->topic[0] == '\0')
        return; /* the firmware drops a message without a topic */
    event_call e = {.msg = m, .payload_len = m->len};
    size_t header;
    if (nm_since(NM_ERA_2_2) && packet_length(m, &header) > u->max_len) {
        /* What fits of the message goes to "overflow"; the rest is dropped. */
        e.payload_len = u->max_len > header ? u->max_len - header : 0;
        fire(u, EV_OVERFLOW, &e);
        return;
    }
    fire(u, EV_MESSAGE, &e);
}

/* A burst of confirmations runs its callbacks inside one protected call, as
 * many plain calls (a protected call each would cost more than a QoS 0
 * publish's own work); an error in one is reported as in its own call, and
 * the next callback runs in a new protected call. The callback and the client
 * are read from the registry once and copied for each call: reading them
 * again would cost a tenth of a QoS 0 publish. */
typedef struct puback_burst {
    nm_protected base;
    mqtt_ud *u;
    size_t next, count;
} puback_burst;

static bool puback_wanted(const mqtt_ud *u)
{
    return u->core != NULL && u->cb[EV_PUBACK] != LUA_NOREF && u->self_ref != LUA_NOREF;
}

static void puback_body(lua_State *L, nm_protected *ctx)
{
    puback_burst *b = (puback_burst *)ctx;
    mqtt_ud *u = b->u;
    int base = lua_gettop(L);
    const void *pushed = NULL; /* the callback at base + 1; the stack keeps it alive */
    while (b->next < b->count && puback_wanted(u)) {
        if (u->cb_fn[EV_PUBACK] != pushed) { /* the first call, or a callback set another */
            lua_settop(L, base);
            nm_ref_push(L, u->cb[EV_PUBACK]);
            nm_ref_push(L, u->self_ref);
            pushed = u->cb_fn[EV_PUBACK];
        }
        b->next++;
        lua_pushvalue(L, base + 1);
        lua_pushvalue(L, base + 2);
        lua_call(L, 1, 0);
    }
}

static void on_published(void *owner, size_t count)
{
    puback_burst b = {.base.body = puback_body, .u = owner, .count = count};
    lua_State *L;
    while (b.next < b.count && puback_wanted(b.u) && (L = nm_lua_state()) != NULL) {
        size_t before = b.next;
        if (!nm_lua_protect(L, &b.base) && b.next == before)
            b.next++; /* the call could not start (no memory): this one is skipped */
    }
}

static void on_subscribed(void *owner, int mid)
{
    (void)mid;
    fire_plain(owner, EV_SUBACK);
}

static void on_unsubscribed(void *owner, int mid)
{
    (void)mid;
    fire_plain(owner, EV_UNSUBACK);
}

static const nm_mqtt_events mqtt_events = {
    on_connected, on_ended, on_message, on_published, on_subscribed, on_unsubscribed,
};

/* ---- mqtt.Client ------------------------------------------------------------------ */

/* Scripts pass the same callback with every publish: keep its reference
 * then. While a slot's reference keeps its function alive, the function's
 * address identifies it, without reading the registry: no other live value
 * has that address (lua_topointer's value for it). */
static bool slot_holds(const mqtt_ud *u, int ev, const void *fn)
{
    return u->cb[ev] != LUA_NOREF && u->cb_fn[ev] == fn;
}

static void set_slot(lua_State *L, mqtt_ud *u, int ev, int idx)
{
    const void *fn = lua_topointer(L, idx);
    if (slot_holds(u, ev, fn))
        return;
    nm_ref_set(L, &u->cb[ev], idx);
    u->cb_fn[ev] = fn;
}

/* Client(clientid, keepalive, user, pass, cleansession[, max_message_length]):
 * each argument is taken when it has the expected type, else the next one is
 * tried at that position, as the firmware parses them. */
static int mqtt_client_new(lua_State *L)
{
    char default_id[20];
    snprintf(default_id, sizeof default_id, "NodeMCU_%x", CHIP_ID);
    int arg = 1;
    const char *id = default_id;
    if (lua_isstring(L, arg))
        id = lua_tostring(L, arg++);
    lua_Integer keepalive = 0;
    if (lua_isnumber(L, arg))
        keepalive = luaL_checkinteger(L, arg++);
    if (keepalive == 0)
        keepalive = DEFAULT_KEEPALIVE;
    keepalive = keepalive < MIN_KEEPALIVE ? MIN_KEEPALIVE : keepalive > 65535 ? 65535 : keepalive;
    const char *user = NULL, *pass = NULL;
    size_t pass_len = 0;
    if (lua_isstring(L, arg))
        user = lua_tostring(L, arg++);
    if (lua_isstring(L, arg))
        pass = lua_tolstring(L, arg++, &pass_len);
    bool clean = true;
    if (lua_isnumber(L, arg))
        clean = luaL_checkinteger(L, arg++) != 0;
    lua_Integer max_len = 0;
    if (nm_since(NM_ERA_2_2) && lua_isnumber(L, arg))
        max_len = luaL_checkinteger(L, arg++);
    if (max_len <= 0)
        max_len = DEFAULT_MAX_MESSAGE;

    nm_plugin_need(L, NM_PLUGIN_MQTT, "mqtt.Client");
    mqtt_ud *u = lua_newuserdata(L, sizeof *u);
    memset(u, 0, sizeof *u);
    u->self_ref = LUA_NOREF;
    for (int i = 0; i < EV_COUNT; i++)
        u->cb[i] = LUA_NOREF;
    u->max_len = (size_t)max_len;
    luaL_getmetatable(L, MQTT_TYPE);
    lua_setmetatable(L, -2);
    u->core = nm_mqtt_new(&mqtt_events, u);
    u->retry = nm_timer_new(on_retry, u);
    nm_mqtt_login login = {id, user, pass, pass_len, clean, (int)keepalive};
    if (u->core == NULL || u->retry == NULL || nm_mqtt_set_login(u->core, &login) != 0)
        return luaL_error(L, "not enough memory");
    return 1;
}

/* ---- connect ---------------------------------------------------------------------- */

/* 0, or UV_ENOMEM (also when a 3.0 certificate callback failed; its error
 * has then gone the way of every callback error). */
static int start_attempt(mqtt_ud *u)
{
    nm_tls_config *tls = NULL;
    if (u->secure && (tls = net_cert_config_new(u->host)) == NULL)
        return UV_ENOMEM;
    return nm_mqtt_connect(u->core, u->host, u->port, tls);
}

static void deprecation_note(const char *what, const char *when)
{
    char text[200];
    int n = snprintf(text, sizeof text,
                     "Warning, deprecated API! %s. It will be removed %s. See documentation for details.\n", what,
                     when);
    nm_output_write(text, (size_t)n, true);
}

/* The secure argument at arg: 0/1 up to 2.2, a boolean (or, deprecated, a number) since 3.0. */
static int parse_secure(lua_State *L, mqtt_ud *u, int arg, int top)
{
    if (arg > top)
        return arg;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_Integer v = lua_tointeger(L, arg);
        if (nm_since(NM_ERA_3_0)) {
            deprecation_note("mqtt.connect secure parameter as integer", "in the future");
            u->secure = v != 0;
        } else {
            u->secure = v == 1; /* anything but 0 or 1 means 0 */
        }
        return arg + 1;
    }
    if (nm_since(NM_ERA_3_0) && lua_isboolean(L, arg)) {
        u->secure = lua_toboolean(L, arg);
        return arg + 1;
    }
    return arg;
}

static int mqtt_connect(lua_State *L)
{
    mqtt_ud *u = check_client(L);
    if (nm_mqtt_is_active(u->core) || nm_timer_active(u->retry))
        return luaL_error(L, "already connected");
    int top = lua_gettop(L), arg = 2;
    size_t len;
    const char *host = luaL_checklstring(L, arg++, &len);
    if (len == 0 || strlen(host) != len)
        return luaL_argerror(L, 2, "invalid domain");
    int port = 1883;
    if (arg <= top && lua_type(L, arg) == LUA_TNUMBER) {
        lua_Integer p = lua_tointeger(L, arg++);
        luaL_argcheck(L, p > 0 && p <= 65535, arg - 1, "port out of range");
        port = (int)p;
    }
    u->secure = false;
    arg = parse_secure(L, u, arg, top);
    if (u->secure)
        nm_plugin_need(L, NM_PLUGIN_SSL, "mqtt.client:connect");
    u->autoreconnect = false;
    if (!nm_since(NM_ERA_3_0) && arg <= top && lua_type(L, arg) == LUA_TNUMBER)
        u->autoreconnect = lua_tointeger(L, arg++) == 1;
    if (arg <= top && lua_isfunction(L, arg))
        set_slot(L, u, EV_CONNECT, arg);
    arg++;
    if (arg <= top && lua_isfunction(L, arg))
        set_slot(L, u, EV_CONNFAIL, arg);
    char *h = strdup(host);
    if (h == NULL)
        return luaL_error(L, "not enough memory");
    free(u->host);
    u->host = h;
    u->port = port;
    u->closing = false;
    if (start_attempt(u) != 0)
        return luaL_error(L, "not enough memory");
    anchor(L, u, 1);
    if (nm_since(NM_ERA_3_0))
        return 0;
    lua_pushboolean(L, 1);
    return 1;
}

/* ---- close, lwt, on ------------------------------------------------------------------- */

/* As in the firmware, close() acts on an established connection only: an
 * attempt still under way goes on (the 3.0 docs' example closes right after
 * connect and is then connected); a reconnect that is waiting is cancelled. */
static int mqtt_close(lua_State *L)
{
    mqtt_ud *u = nm_check_self(L, mqtt_metatable, MQTT_TYPE);
    bool was_up = u->core && nm_mqtt_is_up(u->core);
    if (u->core) {
        u->closing = true;
        if (nm_timer_active(u->retry)) {
            nm_timer_stop(u->retry);
            unanchor(L, u);
        }
        if (was_up || nm_mqtt_is_closing(u->core))
            nm_mqtt_disconnect(u->core); /* "ended" follows: offline in 3.0 */
    }
    if (nm_since(NM_ERA_3_0))
        return 0;
    lua_pushboolean(L, was_up);
    return 1;
}

static int mqtt_lwt(lua_State *L)
{
    mqtt_ud *u = check_client(L);
    size_t tlen, mlen;
    luaL_argcheck(L, lua_isstring(L, 2), 2, "need lwt topic");
    luaL_argcheck(L, lua_isstring(L, 3), 3, "need lwt message");
    const char *topic = lua_tolstring(L, 2, &tlen);
    const char *msg = lua_tolstring(L, 3, &mlen);
    lua_Integer qos = 0, retain = 0;
    int arg = 4;
    if (lua_isnumber(L, arg))
        qos = lua_tointeger(L, arg++);
    if (lua_isnumber(L, arg))
        retain = lua_tointeger(L, arg++);
    luaL_argcheck(L, qos >= 0 && qos <= 2, 4, "qos must be 0, 1 or 2");
    if (nm_mqtt_set_will(u->core, topic, msg, mlen, (int)qos, retain != 0) != 0)
        return luaL_error(L, "not enough memory");
    return 0;
}

static int mqtt_on(lua_State *L)
{
    mqtt_ud *u = check_client(L);
    static const char *const names[] = {"connect", "connfail", "offline",  "message", "overflow",
                                        "puback",  "suback",   "unsuback", NULL};
    static const int events[] = {EV_CONNECT,  EV_CONNFAIL, EV_OFFLINE, EV_MESSAGE,
                                 EV_OVERFLOW, EV_PUBACK,   EV_SUBACK,  EV_UNSUBACK};
    int ev;
    if (nm_since(NM_ERA_3_0)) {
        luaL_checktype(L, 3, LUA_TFUNCTION);
        ev = events[luaL_checkoption(L, 2, NULL, names)];
    } else {
        const char *name = luaL_checkstring(L, 2);
        luaL_checktype(L, 3, LUA_TFUNCTION);
        int known = nm_since(NM_ERA_2_2) ? 4 : 3; /* connect, offline, message[, overflow] */
        static const char *const old_names[] = {"connect", "offline", "message", "overflow"};
        static const int old_events[] = {EV_CONNECT, EV_OFFLINE, EV_MESSAGE, EV_OVERFLOW};
        ev = -1;
        for (int i = 0; i < known; i++)
            if (strcmp(name, old_names[i]) == 0)
                ev = old_events[i];
        if (ev < 0)
            return luaL_error(L, "method not supported");
    }
    set_slot(L, u, ev, 3);
    return 0;
}

/* ---- publish, subscribe, unsubscribe ----------------------------------------------------- */

static inline mqtt_ud *check_connected(lua_State *L)
{
    mqtt_ud *u = check_client(L);
    if (!nm_mqtt_is_up(u->core))
        luaL_error(L, "not connected");
    return u;
}

static int check_qos(lua_State *L, int idx, int argno)
{
    lua_Integer q = nm_checkinteger(L, idx);
    if (q < 0 || q > 2)
        luaL_argerror(L, argno, "qos must be 0, 1 or 2");
    return (int)q;
}

static int push_result(lua_State *L, int rc)
{
    if (rc == UV_ENOMEM)
        return luaL_error(L, "not enough memory");
    lua_pushboolean(L, rc >= 0);
    return 1;
}

/* luaL_checklstring in one API call for a string or a number. */
static const char *check_lstring(lua_State *L, int idx, size_t *len)
{
    const char *s = lua_tolstring(L, idx, len);
    return s ? s : luaL_checklstring(L, idx, len);
}

/* A script publishes many messages in a row: the checks take as few API
 * calls as they can, and the callback the slot holds already is recognised
 * by its address (a non-function never matches a slot's live function). */
static int mqtt_publish(lua_State *L)
{
    mqtt_ud *u = check_connected(L);
    size_t tlen, plen;
    const char *topic = check_lstring(L, 2, &tlen);
    const char *payload = check_lstring(L, 3, &plen);
    int qos = check_qos(L, 4, 4);
    lua_Integer retain = nm_checkinteger(L, 5);
    const void *fn = lua_topointer(L, 6);
    if (fn != NULL && !slot_holds(u, EV_PUBACK, fn) && lua_isfunction(L, 6))
        set_slot(L, u, EV_PUBACK, 6);
    if (strlen(topic) != tlen)
        return push_result(L, UV_EINVAL);
    return push_result(L, nm_mqtt_publish(u->core, topic, payload, plen, qos, retain != 0));
}

/* The topics (keys) and QoS levels (values) of the table at t, for
 * subscribe (with_qos) and unsubscribe: arrays in a userdata, and the topic
 * strings kept alive in a table, both left on the stack. Returns the count. */
static int collect_topics(lua_State *L, int t, char ***topics, int **qos, bool with_qos)
{
    int n = 0;
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1))
        n++;
    if (n == 0)
        luaL_error(L, "no topics found");
    *topics = lua_newuserdata(L, (size_t)n * (sizeof **topics + sizeof **qos));
    *qos = (int *)(*topics + n);
    lua_createtable(L, n, 0);
    int keep = lua_gettop(L), i = 0;
    for (lua_pushnil(L); lua_next(L, t) != 0; lua_pop(L, 1)) {
        if (!lua_isstring(L, -2))
            luaL_argerror(L, t - 1, "topics must be strings");
        if (with_qos) {
            lua_Integer q = lua_isnumber(L, -1) ? lua_tointeger(L, -1) : -1;
            if (q < 0 || q > 2)
                luaL_argerror(L, t - 1, "qos must be 0, 1 or 2");
            (*qos)[i] = (int)q;
        }
        lua_pushvalue(L, -2); /* a copy: converting the key itself would upset lua_next */
        (*topics)[i] = (char *)lua_tostring(L, -1);
        lua_rawseti(L, keep, i + 1);
        i++;
    }
    return n;
}

static int mqtt_subscribe(lua_State *L)
{
    mqtt_ud *u = check_connected(L);
    char *one[1];
    int one_qos[1];
    char **topics = one;
    int *qos = one_qos, n = 1, cb = 3;
    if (lua_istable(L, 2)) {
        n = collect_topics(L, 2, &topics, &qos, true);
    } else {
        one[0] = (char *)luaL_checkstring(L, 2);
        one_qos[0] = check_qos(L, 3, 3);
        cb = 4;
    }
    if (lua_isfunction(L, cb))
        set_slot(L, u, EV_SUBACK, cb);
    return push_result(L, nm_mqtt_subscribe(u->core, topics, qos, n));
}

static int mqtt_unsubscribe(lua_State *L)
{
    mqtt_ud *u = check_connected(L);
    char *one[1];
    int *qos;
    char **topics = one;
    int n = 1;
    if (lua_istable(L, 2))
        n = collect_topics(L, 2, &topics, &qos, false);
    else
        one[0] = (char *)luaL_checkstring(L, 2);
    if (lua_isfunction(L, 3))
        set_slot(L, u, EV_UNSUBACK, 3);
    return push_result(L, nm_mqtt_unsubscribe(u->core, topics, n));
}

/* ---- life cycle -------------------------------------------------------------------------- */

static int mqtt_gc(lua_State *L)
{
    mqtt_ud *u = lua_touserdata(L, 1);
    if (u->core == NULL)
        return 0;
    nm_mqtt_free(u->core);
    u->core = NULL;
    nm_timer_close(u->retry);
    u->retry = NULL;
    for (int i = 0; i < EV_COUNT; i++)
        nm_ref_clear(L, &u->cb[i]);
    unanchor(L, u);
    free(u->host);
    u->host = NULL;
    return 0;
}

static const luaL_Reg mqtt_methods[] = {
    {"connect", mqtt_connect},
    {"close", mqtt_close},
    {"lwt", mqtt_lwt},
    {"on", mqtt_on},
    {"publish", mqtt_publish},
    {"subscribe", mqtt_subscribe},
    {"unsubscribe", mqtt_unsubscribe},
    {NULL, NULL},
};

static void set_constant(lua_State *L, const char *name, int value)
{
    lua_pushinteger(L, value);
    lua_setfield(L, -2, name);
}

int luaopen_mqtt(lua_State *L)
{
    nm_lua_init(L);
    mqtt_metatable = nm_register_type(L, MQTT_TYPE, mqtt_methods, mqtt_gc);
    lua_newtable(L);
    lua_pushcfunction(L, mqtt_client_new);
    lua_setfield(L, -2, "Client");
    set_constant(L, "CONN_FAIL_SERVER_NOT_FOUND", NM_MQTT_FAIL_SERVER_NOT_FOUND);
    set_constant(L, "CONN_FAIL_NOT_A_CONNACK_MSG", NM_MQTT_FAIL_NOT_A_CONNACK);
    set_constant(L, "CONN_FAIL_DNS", NM_MQTT_FAIL_DNS);
    set_constant(L, "CONN_FAIL_TIMEOUT_RECEIVING", NM_MQTT_FAIL_TIMEOUT_RECEIVING);
    set_constant(L, "CONN_FAIL_TIMEOUT_SENDING", -1);
    set_constant(L, "CONNACK_ACCEPTED", 0);
    set_constant(L, "CONNACK_REFUSED_PROTOCOL_VER", 1);
    set_constant(L, "CONNACK_REFUSED_ID_REJECTED", 2);
    set_constant(L, "CONNACK_REFUSED_SERVER_UNAVAILABLE", 3);
    set_constant(L, "CONNACK_REFUSED_BAD_USER_OR_PASS", 4);
    set_constant(L, "CONNACK_REFUSED_NOT_AUTHORIZED", 5);
    return 1;
}

/* require "net.mqtt" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_mqtt(lua_State *L)
{
    return luaopen_mqtt(L);
}
