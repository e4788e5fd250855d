/*
 * modules.c — what the runtime knows about the set of modules (modules.h).
 */
#include "runtime/modules.h"

#include <stdbool.h>
#include <string.h>

#include "runtime/profile.h"

typedef struct board_module {
    const char *name;
    lua_CFunction open;
    nm_era since; /* the first firmware era that has it */
    nm_era until; /* the first era that no longer has it; NM_ERA_NONE: still there */
} board_module;

#define NM_ERA_NONE ((nm_era)-1)

/* The firmware modules of the board, one row each, in alphabetical order
 * (the order the firmware's build information lists them). */
static const board_module board_modules[] = {
    {"adc", luaopen_adc, NM_ERA_1_5, NM_ERA_NONE},         {"bit", luaopen_bit, NM_ERA_1_5, NM_ERA_NONE},
    {"cjson", luaopen_cjson, NM_ERA_1_5, NM_ERA_2_2},      /* sjson replaced it */
    {"control", luaopen_control, NM_ERA_1_5, NM_ERA_NONE}, /* netmcu's own */
    {"crypto", luaopen_crypto, NM_ERA_1_5, NM_ERA_NONE},   {"encoder", luaopen_encoder, NM_ERA_1_5, NM_ERA_NONE},
    {"file", luaopen_file, NM_ERA_1_5, NM_ERA_NONE},       {"gpio", luaopen_gpio, NM_ERA_1_5, NM_ERA_NONE},
    {"http", luaopen_http, NM_ERA_1_5, NM_ERA_NONE},       {"mqtt", luaopen_mqtt, NM_ERA_1_5, NM_ERA_NONE},
    {"net", luaopen_net, NM_ERA_1_5, NM_ERA_NONE},         {"node", luaopen_node, NM_ERA_1_5, NM_ERA_NONE},
    {"pipe", luaopen_pipe, NM_ERA_3_0, NM_ERA_NONE},       {"pwm", luaopen_pwm, NM_ERA_1_5, NM_ERA_NONE},
    {"rtcmem", luaopen_rtcmem, NM_ERA_1_5, NM_ERA_NONE},   {"rtctime", luaopen_rtctime, NM_ERA_1_5, NM_ERA_NONE},
    {"sjson", luaopen_sjson, NM_ERA_2_2, NM_ERA_NONE},     {"sntp", luaopen_sntp, NM_ERA_1_5, NM_ERA_NONE},
    {"struct", luaopen_struct, NM_ERA_1_5, NM_ERA_NONE},   {"tls", luaopen_tls, NM_ERA_2_2, NM_ERA_NONE},
    {"tmr", luaopen_tmr, NM_ERA_1_5, NM_ERA_NONE},         {"uart", luaopen_uart, NM_ERA_1_5, NM_ERA_NONE},
    {"wifi", luaopen_wifi, NM_ERA_1_5, NM_ERA_NONE},
};

static bool in_profile(const board_module *m)
{
    return nm_since(m->since) && (m->until == NM_ERA_NONE || !nm_since(m->until));
}

void nm_open_board_modules(lua_State *L)
{
    for (size_t i = 0; i < sizeof board_modules / sizeof board_modules[0]; i++) {
        if (in_profile(&board_modules[i]))
            nm_open_global(L, board_modules[i].name, board_modules[i].open);
    }
}

static const char *era_name(nm_era era)
{
    return era == NM_ERA_3_0 ? "3.0" : era == NM_ERA_2_2 ? "2.2" : "1.5";
}

int nm_require_board_module(lua_State *L, const char *name)
{
    for (size_t i = 0; i < sizeof board_modules / sizeof board_modules[0]; i++) {
        const board_module *m = &board_modules[i];
        if (strcmp(m->name, name) != 0)
            continue;
        if (!nm_since(m->since))
            return luaL_error(L, "module 'net.%s' came with firmware %s: set NETMCU_COMPAT=%s", name,
                              era_name(m->since), era_name(m->since));
        if (!in_profile(m))
            return luaL_error(L, "module 'net.%s' was dropped in firmware %s: set NETMCU_COMPAT=%s", name,
                              era_name(m->until), era_name(m->since));
        return m->open(L);
    }
    return luaL_error(L, "module 'net.%s' is not a board module", name);
}

void nm_push_module_list(lua_State *L)
{
    static const char *const names[] = {"adc",  "bit",    "cjson", "crypto", "encoder", "file",   "gpio",    "http",
                                        "mqtt", "net",    "node",  "pipe",   "pwm",     "rtcmem", "rtctime", "sjson",
                                        "sntp", "struct", "tls",   "tmr",    "uart",    "wifi",   NULL};
    luaL_Buffer b;
    bool first = true;
    luaL_buffinit(L, &b);
    for (int i = 0; names[i] != NULL; i++) {
        lua_getglobal(L, names[i]);
        bool present = lua_istable(L, -1);
        lua_pop(L, 1);
        if (!present)
            continue;
        if (!first)
            luaL_addchar(&b, ',');
        luaL_addstring(&b, names[i]);
        first = false;
    }
    luaL_pushresult(&b);
}
