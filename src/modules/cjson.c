/*
 * cjson.c — the `cjson` module of the 1.5 firmware: encode and decode.
 *
 * The firmware's cjson is lua-cjson 2.1 with its configuration functions
 * left out, so the defaults are fixed: arrays are tables whose keys are all
 * whole numbers >= 1 (an empty table is an object), an excessively sparse
 * array is refused, numbers are written with %.14g, NaN and Infinity are
 * refused, nesting is limited to 1000 both ways, JSON null is a NULL light
 * userdata. The parsing and the writing are yajl's (modules/json/); this
 * file checks the arguments as the firmware does. `cjson.null` (lua-cjson's
 * name for that light userdata) is added: the firmware leaves it out.
 */
#include "modules/json/decode.h"
#include "modules/json/encode.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"

#define DECODER_TYPE "cjson.decoder"

static int cjson_encode(lua_State *L)
{
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    nm_json_encode(L, NM_JSON_CJSON, 1, 0);
    return 1;
}

static int cjson_decode(lua_State *L)
{
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    nm_json_decoder_new(L, DECODER_TYPE, NM_JSON_CJSON, 0, false);
    nm_json_decoder_feed(L, -1, text, len, true); /* complete, or it raised */
    return 1;
}

int luaopen_cjson(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"encode", cjson_encode}, {"decode", cjson_decode}, {NULL, NULL}};
    nm_lua_init(L);
    nm_json_decoder_register(L, DECODER_TYPE, NULL);
    luaL_newlib(L, funcs);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    return 1;
}

int luaopen_net_cjson(lua_State *L)
{
    return luaopen_cjson(L);
}
