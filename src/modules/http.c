/*
 * http.c — the `http` module (app/modules/http.c, the same in every era):
 * http.get/post/put/delete/request on the core client (core/http_client.h).
 *
 * What a script can notice is the firmware's: the argument checks; one
 * callback slot for the whole module, which each call given a function
 * replaces, and which the first answer to arrive empties before it runs, so
 * with requests overlapping the first answer goes to the latest callback and
 * the others to none; callback(code, body, headers) with lower-cased names,
 * or (-1, nil, nil) on any failure, whose reason the console shows after
 * "HTTP client: " as the firmware's debug print does; 10 s to answer in 1.5,
 * 60 s since 2.2. Where the firmware is broken the host does better (README's
 * compatibility table): bodies of any size and with NUL bytes, a response
 * complete when the parser says so, and a failure (-1) instead of silence for
 * a URL it cannot use.
 */
#include <stdlib.h>
#include <string.h>

#include "core/http_client.h"
#include "modules/net/cert.h"
#include "runtime/device.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/plugin.h"
#include "runtime/profile.h"

#define REDIRECTS_MAX 20 /* REDIRECTION_FOLLOW_MAX, every era */

/* A request in flight, listed so that closing the state can drop them all. */
typedef struct live_request {
    nm_http_request *req;
    lua_State *L;
    char site[128]; /* --device=esp8266: the calling line, for a warning */
    struct live_request *prev, *next;
} live_request;

static live_request *live;
static int callback_ref = LUA_NOREF; /* the module's one callback slot */

static void unlink_live(live_request *lr)
{
    if (lr->prev)
        lr->prev->next = lr->next;
    else
        live = lr->next;
    if (lr->next)
        lr->next->prev = lr->prev;
}

typedef struct answer_call {
    nm_protected base;
    const nm_http_response *res;
} answer_call;

static void push_headers(lua_State *L, const nm_http_response *res)
{
    lua_newtable(L);
    for (size_t i = 0; i < res->header_count; i++) { /* a repeated name: the last wins */
        const nm_http_header *h = &res->headers[i];
        lua_pushlstring(L, h->name, h->name_len);
        lua_pushlstring(L, h->value, h->value_len);
        lua_rawset(L, -3);
    }
}

static void answer_body(lua_State *L, nm_protected *ctx)
{
    const nm_http_response *res = ((answer_call *)ctx)->res;
    nm_ref_push(L, callback_ref);
    nm_ref_clear(L, &callback_ref); /* emptied before it runs: it may set the next one */
    lua_pushinteger(L, res->status);
    if (res->status == NM_HTTP_FAILED) {
        lua_pushnil(L);
        lua_pushnil(L);
    } else {
        lua_pushlstring(L, res->body, res->body_len);
        push_headers(L, res);
    }
    lua_call(L, 3, 0);
}

/* The firmware's HTTPCLIENT_ERR: a debug print on the console, never redirected. */
static void print_reason(const char *reason)
{
    char text[256];
    int n = snprintf(text, sizeof text, "HTTP client: %s\n", reason);
    if (n > 0)
        nm_output_device(text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

static void request_done(void *owner, const nm_http_response *res)
{
    live_request *lr = owner;
    unlink_live(lr);
    lua_State *L = nm_lua_state();
    if (L != NULL && L == lr->L) {
        if (res->status == NM_HTTP_FAILED && res->reason)
            print_reason(res->reason);
        if (res->too_long)
            nm_device_warn(lr->site, "a response over 8 KB failed with -1 (the firmware's http client keeps the "
                                     "whole response in a buffer of 8192 bytes, BUFFER_SIZE_MAX)");
        if (callback_ref != LUA_NOREF) {
            answer_call c = {{answer_body}, res};
            nm_lua_protect(L, &c.base);
        }
    }
    free(lr);
}

/* Starts method on the URL at stack index 1 with the optional headers,
 * body and callback at their indexes (0: the form has none). */
static int start(lua_State *L, const char *method, int headers_at, int body_at, int fn_at)
{
    const char *url = luaL_checkstring(L, 1);
    if (strncmp(url, "https://", 8) == 0) /* a redirect to https:// later finds it in net_cert_secure */
        nm_plugin_need(L, NM_PLUGIN_SSL, "http");
    const char *headers = lua_isstring(L, headers_at) ? lua_tostring(L, headers_at) : NULL;
    const char *body = NULL;
    size_t body_len = 0;
    if (body_at && lua_isstring(L, body_at))
        body = lua_tolstring(L, body_at, &body_len);
    if (lua_isfunction(L, fn_at))
        nm_ref_set(L, &callback_ref, fn_at);
    nm_profile_lock();
    nm_http_options opt = {
        .timeout_ms = nm_since(NM_ERA_2_2) ? 60000 : 10000, /* HTTP_REQUEST_TIMEOUT_MS */
        .max_redirects = REDIRECTS_MAX,
        .names_two_spellings = !nm_since(NM_ERA_2_2),
        .secure = net_cert_secure,
        .max_response = nm_device_esp8266() ? NM_ESP8266_HTTP_RESPONSE : 0,
    };
    live_request *lr = calloc(1, sizeof(*lr));
    if (lr == NULL)
        return luaL_error(L, "out of memory");
    lr->L = nm_lua_state();
    nm_device_site(L, lr->site, sizeof lr->site);
    lr->req = nm_http_start(&opt, url, method, headers, body, body_len, request_done, lr);
    if (lr->req == NULL) {
        free(lr);
        return luaL_error(L, "out of memory");
    }
    lr->next = live;
    if (live)
        live->prev = lr;
    live = lr;
    return 0;
}

/* http.request(url, method, headers, body, callback) */
static int http_request(lua_State *L)
{
    const char *method = luaL_checkstring(L, 2);
    return start(L, method, 3, 4, 5);
}

/* http.post(url, headers, body, callback) */
static int http_post(lua_State *L)
{
    return start(L, "POST", 2, 3, 4);
}

/* http.put(url, headers, body, callback) */
static int http_put(lua_State *L)
{
    return start(L, "PUT", 2, 3, 4);
}

/* http.delete(url, headers, body, callback) */
static int http_delete(lua_State *L)
{
    return start(L, "DELETE", 2, 3, 4);
}

/* http.get(url, headers, callback) */
static int http_get(lua_State *L)
{
    return start(L, "GET", 2, 0, 3);
}

/* The state closes: its requests can no longer answer anyone. */
static int http_state_closed(lua_State *L)
{
    (void)L;
    while (live) {
        live_request *lr = live;
        unlink_live(lr);
        nm_http_cancel(lr->req);
        free(lr);
    }
    callback_ref = LUA_NOREF; /* it lived in the registry being closed */
    return 0;
}

static const luaL_Reg http_functions[] = {
    {"request", http_request}, {"post", http_post}, {"put", http_put},
    {"delete", http_delete},   {"get", http_get},   {NULL, NULL},
};

int luaopen_http(lua_State *L)
{
    nm_lua_init(L);
    callback_ref = LUA_NOREF;
    nm_on_state_close(L, "netmcu.http", http_state_closed);
    luaL_newlib(L, http_functions);
    lua_pushinteger(L, 0);
    lua_setfield(L, -2, "OK");
    lua_pushinteger(L, NM_HTTP_FAILED);
    lua_setfield(L, -2, "ERROR");
    return 1;
}

/* require "net.http" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_http(lua_State *L)
{
    return luaopen_http(L);
}
