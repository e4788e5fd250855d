/*
 * cert.c — `net.cert.verify/auth` and `tls.cert.verify/auth` (see cert.h).
 *
 * The argument rules and error texts are the firmware's (net-behaviour.md
 * §2.21, §5): a string is PEM to store (then verification is on), anything
 * else switches by truthiness, and switching on needs a stored certificate
 * ("no certificates found").
 */
#include "modules/net/cert.h"

#include <stdio.h>
#include <string.h>

#include "core/certstore.h"
#include "core/loop.h"
#include "core/tls.h"
#include "runtime/output.h"

static struct {
    bool verify, system, auth;
    bool warned;
    nm_tls_config *config; /* built on first use after every change */
    bool at_exit;
} policy;

static void forget_config(void)
{
    nm_tls_config_free(policy.config);
    policy.config = NULL;
}

static nm_tls_config *current_config(void)
{
    if (policy.config)
        return policy.config;
    nm_tls_trust t = {.verify = policy.verify, .system = policy.system};
    if (policy.verify)
        nm_certstore_record(NM_CERT_CA, 0, &t.ca, &t.ca_len);
    if (policy.auth && nm_certstore_record(NM_CERT_CLIENT, 0, &t.cert, &t.cert_len))
        nm_certstore_record(NM_CERT_CLIENT, 1, &t.key, &t.key_len);
    policy.config = nm_tls_config_new(&t);
    if (!policy.at_exit) {
        policy.at_exit = true;
        nm_loop_at_shutdown(forget_config);
    }
    return policy.config;
}

int net_cert_secure(nm_stream *s, const char *host)
{
    nm_tls_config *c = current_config();
    if (c == NULL)
        return UV_ENOMEM;
    if (!policy.verify && !policy.warned) {
        policy.warned = true;
        fprintf(stderr,
                "netmcu: warning: TLS connection to %s without certificate verification; "
                "net.cert.verify(true|pem|\"system\") or --ca-system turns it on\n",
                host ? host : "a server");
    }
    return nm_stream_secure(s, c, host);
}

void net_cert_trust_system(void)
{
    policy.system = true;
    policy.verify = true;
    forget_config();
}

/* The firmware's platform_print_deprecation_note, on the console. */
static void deprecation_note(const char *what)
{
    char text[160];
    int n = snprintf(text, sizeof text,
                     "Warning, deprecated API! %s. It will be removed soon. See documentation for details.\n",
                     what);
    nm_output_write(text, (size_t)n, true);
}

/* Stores the PEM arguments in the slot (the firmware reads arguments 1..n as
 * strings, n being the slot's record count) or raises the parser's error. */
static void store_pems(lua_State *L, nm_cert_slot slot, int max)
{
    const char *pems[2] = {NULL, NULL};
    int count = lua_gettop(L) < max ? lua_gettop(L) : max;
    for (int i = 0; i < count; i++)
        pems[i] = lua_tostring(L, i + 1);
    const char *err = nm_certstore_put(slot, pems, count);
    if (err)
        luaL_error(L, "%s", err);
}

/* Refuses the 3.0 callback form, which netmcu does not offer: a function
 * would otherwise switch verification on by truthiness and fail later. */
static void refuse_callback(lua_State *L, const char *fn)
{
    if (lua_type(L, 1) == LUA_TFUNCTION)
        luaL_error(L, "%s: the callback form is not supported; give PEM text or a boolean", fn);
}

static int verify(lua_State *L, bool tls_api)
{
    bool enable;
    if (tls_api) {
        refuse_callback(L, "tls.cert.verify");
        if (!lua_isnil(L, 1))
            deprecation_note("tls.cert.verify's old interface");
    }
    if (lua_type(L, 1) == LUA_TSTRING && strcmp(lua_tostring(L, 1), "system") == 0) {
        policy.system = true; /* netmcu's extension: the system's CA store */
        enable = true;
    } else if (lua_type(L, 1) == LUA_TSTRING) {
        store_pems(L, NM_CERT_CA, 1);
        enable = true;
    } else {
        enable = lua_toboolean(L, 1);
    }
    if (enable && !nm_certstore_has(NM_CERT_CA) && !policy.system)
        return luaL_error(L, "no certificates found");
    policy.verify = enable;
    forget_config();
    lua_pushboolean(L, 1);
    return 1;
}

static int auth(lua_State *L, bool tls_api)
{
    bool enable;
    if (tls_api) {
        refuse_callback(L, "tls.cert.auth");
        if (!lua_isnil(L, 1))
            deprecation_note("tls.cert.auth's old interface");
    }
    if (lua_type(L, 1) == LUA_TSTRING) {
        store_pems(L, NM_CERT_CLIENT, 2);
        enable = true;
    } else {
        enable = lua_toboolean(L, 1);
    }
    if (enable && !nm_certstore_has(NM_CERT_CLIENT))
        return luaL_error(L, "no certificates found");
    policy.auth = enable;
    forget_config();
    lua_pushboolean(L, 1);
    return 1;
}

static int net_cert_verify(lua_State *L)
{
    return verify(L, false);
}

static int net_cert_auth(lua_State *L)
{
    return auth(L, false);
}

static int tls_cert_verify(lua_State *L)
{
    return verify(L, true);
}

static int tls_cert_auth(lua_State *L)
{
    return auth(L, true);
}

void net_cert_push_table(lua_State *L, bool tls_api)
{
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, tls_api ? tls_cert_verify : net_cert_verify);
    lua_setfield(L, -2, "verify");
    lua_pushcfunction(L, tls_api ? tls_cert_auth : net_cert_auth);
    lua_setfield(L, -2, "auth");
}
