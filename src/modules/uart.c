/*
 * uart.c — the `uart` module: UART 0 is the console (stdout, or the
 * pseudo-terminal of --serial), UART 1 (3.0 only, transmit-only on the
 * device) writes to stderr.
 *
 * The settings are kept and reported as the firmware's platform layer does
 * (an unknown baud rate is configured as 9600 but returned as asked); they
 * change nothing on a pseudo-terminal. uart.on's two argument styles differ
 * between the eras and are reproduced per profile, down to 1.5's length and
 * end character that persist from one call to the next.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "runtime/input.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/profile.h"

enum { PARITY_NONE = 0, PARITY_EVEN = 1, PARITY_ODD = 2 };
enum { STOPBITS_1 = 1, STOPBITS_2 = 2, STOPBITS_1_5 = 3 };
enum { DIR_RX = 0, DIR_TX = 1 };

typedef struct uart_config {
    lua_Integer baud, databits, parity, stopbits;
} uart_config;

static uart_config configs[2] = {{115200, 8, PARITY_NONE, STOPBITS_1}, {115200, 8, PARITY_NONE, STOPBITS_1}};
static nm_input_split split15 = {0, -1}; /* 1.5: what the last uart.on set */

static const lua_Integer bitrates[] = {300,   600,   1200,   2400,   4800,   9600,   19200,  31250,   38400,
                                       57600, 74880, 115200, 230400, 256000, 460800, 921600, 1843200, 3686400};

static int uart_count(void)
{
    return nm_since(NM_ERA_3_0) ? 2 : 1;
}

/* MOD_CHECK_ID: the firmware's text for a UART it does not have. */
static int check_id(lua_State *L, int arg)
{
    lua_Integer id = luaL_checkinteger(L, arg);
    if (id < 0 || id >= uart_count()) {
        /* the id as given: lua_pushfstring's %d would cut it to an int */
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)id);
        return luaL_error(L, "uart %s does not exist", text), -1;
    }
    return (int)id;
}

static bool known_baud(lua_Integer baud)
{
    for (size_t i = 0; i < sizeof bitrates / sizeof bitrates[0]; i++)
        if (bitrates[i] == baud && (baud != 31250 || nm_since(NM_ERA_3_0)))
            return true;
    return false;
}

/* uart.setup(id, baud, databits, parity, stopbits[, echo]) */
static int uart_setup(lua_State *L)
{
    int id = check_id(L, 1);
    lua_Integer baud = luaL_checkinteger(L, 2);
    lua_Integer databits = luaL_checkinteger(L, 3);
    lua_Integer parity = luaL_checkinteger(L, 4);
    lua_Integer stopbits = luaL_checkinteger(L, 5);
    if (lua_isnumber(L, 6))
        nm_input_set_echo(lua_tointeger(L, 6) != 0);
    uart_config *c = &configs[id];
    c->baud = known_baud(baud) ? baud : 9600;
    c->databits = databits >= 5 && databits <= 8 ? databits : 8;
    c->parity = parity == PARITY_EVEN || parity == PARITY_ODD ? parity : PARITY_NONE;
    c->stopbits = stopbits == STOPBITS_2 || stopbits == STOPBITS_1_5 ? stopbits : STOPBITS_1;
    lua_pushinteger(L, baud);
    return 1;
}

static int uart_getconfig(lua_State *L)
{
    const uart_config *c = &configs[check_id(L, 1)];
    lua_pushinteger(L, c->baud);
    lua_pushinteger(L, c->databits);
    lua_pushinteger(L, c->parity);
    lua_pushinteger(L, c->stopbits);
    return 4;
}

static int uart_alt(lua_State *L)
{
    luaL_checkinteger(L, 1); /* the pins do not matter on a pseudo-terminal */
    return 0;
}

static void send(int id, const char *bytes, size_t len)
{
    if (id == 0) {
        nm_output_raw(bytes, len);
    } else {
        fwrite(bytes, 1, len, stderr);
        fflush(stderr);
    }
}

/* uart.write(id, data...): strings as they are, numbers as one byte each. */
static int uart_write(lua_State *L)
{
    int id = check_id(L, 1);
    int top = lua_gettop(L);
    for (int i = 2; i <= top; i++) {
        if (lua_type(L, i) == LUA_TNUMBER) {
            size_t byte = (size_t)(lua_Integer)lua_tonumber(L, i);
            if (byte > 255)
                return luaL_error(L, "invalid number");
            char c = (char)byte;
            send(id, &c, 1);
        } else {
            size_t len;
            luaL_checktype(L, i, LUA_TSTRING);
            const char *s = lua_tolstring(L, i, &len);
            send(id, s, len);
        }
    }
    return 0;
}

/* 1.5: a length or end character stays in force until another is given; a
 * length over 255 is clamped, then refused; the method is checked last. */
static int uart_on15(lua_State *L)
{
    size_t mlen;
    const char *method = luaL_checklstring(L, 1, &mlen);
    int arg = 2;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_Integer n = luaL_checkinteger(L, arg++);
        split15.data_len = (int)(uint16_t)n;
        split15.end_char = -1;
        if (split15.data_len > 255) {
            split15.data_len = 255;
            return luaL_error(L, "wrong arg range");
        }
    } else if (lua_isstring(L, arg)) {
        size_t elen;
        const char *end = luaL_checklstring(L, arg++, &elen);
        if (elen != 1)
            return luaL_error(L, "wrong arg range");
        split15.end_char = (unsigned char)end[0];
        split15.data_len = 0;
    }
    bool fn = lua_isfunction(L, arg);
    bool run = !(fn && lua_isnumber(L, arg + 1) && lua_tointeger(L, arg + 1) == 0);
    if (mlen != 4 || strcmp(method, "data") != 0)
        return luaL_error(L, "method not supported");
    nm_input_receive(L, fn ? arg : 0, split15, run);
    return 0;
}

/* 3.0: the method first, a length of 0-255, and defaults on every call. */
static int uart_on30(lua_State *L)
{
    const char *method = lua_tostring(L, 1);
    luaL_argcheck(L, method && strcmp(method, "data") == 0, 1, "method not supported");
    nm_input_split how = {-1, 0};
    int arg = 2;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        lua_Integer n = luaL_checkinteger(L, arg);
        luaL_argcheck(L, n >= 0 && n < 256, arg, "wrong arg range");
        how.data_len = (int)n;
        arg++;
    } else if (lua_isstring(L, arg)) {
        size_t elen;
        const char *end = luaL_checklstring(L, arg++, &elen);
        how.end_char = (unsigned char)end[0];
        if (elen != 1)
            return luaL_error(L, "wrong arg range");
    }
    if (!lua_isfunction(L, arg)) {
        nm_input_receive(L, 0, (nm_input_split){0, 0}, true);
        return 0;
    }
    bool run = !(lua_isnumber(L, arg + 1) && lua_tointeger(L, arg + 1) == 0);
    nm_input_receive(L, arg, how, run);
    return 0;
}

/* 3.0: bytes waiting in a hardware FIFO; output here leaves at once. */
static int uart_fifodepth(lua_State *L)
{
    lua_Integer id = luaL_optinteger(L, 1, 0);
    luaL_argcheck(L, id == 0 || id == 1, 1, "Bad UART id; must be 0 or 1");
    lua_Integer dir = luaL_optinteger(L, 2, DIR_RX);
    luaL_argcheck(L, dir == DIR_RX || dir == DIR_TX, 2, "Bad direction; must be DIR_RX or DIR_TX");
    lua_pushinteger(L, 0);
    return 1;
}

static int module_gc(lua_State *L)
{
    nm_input_close(L);
    split15 = (nm_input_split){0, -1};
    for (int i = 0; i < 2; i++)
        configs[i] = (uart_config){115200, 8, PARITY_NONE, STOPBITS_1};
    return 0;
}

static void set_int(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

int luaopen_uart(lua_State *L)
{
    nm_lua_init(L);
    nm_on_state_close(L, "netmcu.uart.sentinel", module_gc);

    const luaL_Reg functions[] = {
        {"setup", uart_setup}, {"getconfig", uart_getconfig},
        {"write", uart_write}, {"on", nm_since(NM_ERA_3_0) ? uart_on30 : uart_on15},
        {"alt", uart_alt},     {NULL, NULL},
    };
    luaL_newlib(L, functions);
    set_int(L, "STOPBITS_1", STOPBITS_1);
    set_int(L, "STOPBITS_1_5", STOPBITS_1_5);
    set_int(L, "STOPBITS_2", STOPBITS_2);
    set_int(L, "PARITY_NONE", PARITY_NONE);
    set_int(L, "PARITY_EVEN", PARITY_EVEN);
    set_int(L, "PARITY_ODD", PARITY_ODD);
    if (nm_since(NM_ERA_3_0)) {
        lua_pushcfunction(L, uart_fifodepth);
        lua_setfield(L, -2, "fifodepth");
        set_int(L, "DIR_RX", DIR_RX);
        set_int(L, "DIR_TX", DIR_TX);
    }
    return 1;
}

/* require "net.uart" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_uart(lua_State *L)
{
    return nm_require_board_module(L, "uart");
}
