/*
 * sjson.c — the `sjson` module of the 2.2 and 3.0 firmware.
 *
 * encode/decode for whole texts, and the streaming pair: a decoder fed
 * with write(chunk) in pieces of any size (down to one byte) that returns
 * the value once the document's last byte arrives, and an encoder whose
 * read(n) hands out the text n bytes at a time, walking the data only as
 * far as needed. The firmware parses with jsonsl; here yajl parses and
 * writes (modules/json/), with the firmware's rules and error texts:
 * "JSON parse error: ...", "decode not complete", "Incomplete JSON object
 * passed to sjson.decode", "encoder stack overflow", "Cannot encode type N".
 */
#include "modules/json/decode.h"
#include "modules/json/encode.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"

#define DECODER_TYPE "sjson.decoder"
#define ENCODER_TYPE "sjson.encoder"
/* encoder:read() without a size */
#define DEFAULT_READ 1024

static int options_at(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TTABLE ? idx : 0;
}

static int sjson_encode(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    nm_json_encode(L, NM_JSON_SJSON, 1, options_at(L, 2));
    return 1;
}

static int sjson_decode(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    nm_json_decoder_new(L, DECODER_TYPE, NM_JSON_SJSON, options_at(L, 2), false);
    if (!nm_json_decoder_feed(L, -1, text, len, true))
        return luaL_error(L, "Incomplete JSON object passed to sjson.decode");
    return 1;
}

static int sjson_decoder(lua_State *L)
{
    nm_json_decoder_new(L, DECODER_TYPE, NM_JSON_SJSON, options_at(L, 1), true);
    return 1;
}

static int decoder_write(lua_State *L)
{
    luaL_checkudata(L, 1, DECODER_TYPE);
    size_t len;
    const char *text = luaL_checklstring(L, 2, &len);
    return nm_json_decoder_feed(L, 1, text, len, false) ? 1 : 0;
}

static int decoder_result(lua_State *L)
{
    luaL_checkudata(L, 1, DECODER_TYPE);
    if (!nm_json_decoder_result(L, 1))
        return luaL_error(L, "decode not complete");
    return 1;
}

static int sjson_encoder(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    nm_json_encoder_new(L, ENCODER_TYPE, 1, options_at(L, 2));
    return 1;
}

static int encoder_read(lua_State *L)
{
    luaL_checkudata(L, 1, ENCODER_TYPE);
    lua_Integer size = DEFAULT_READ;
    if (lua_type(L, 2) == LUA_TNUMBER)
        size = lua_tointeger(L, 2);
    if (size < 1)
        size = 1;
    return nm_json_encoder_read(L, 1, (size_t)size) ? 1 : 0;
}

int luaopen_sjson(lua_State *L)
{
    static const luaL_Reg decoder_methods[] = {{"write", decoder_write}, {"result", decoder_result}, {NULL, NULL}};
    static const luaL_Reg encoder_methods[] = {{"read", encoder_read}, {NULL, NULL}};
    static const luaL_Reg funcs[] = {{"encode", sjson_encode},
                                     {"decode", sjson_decode},
                                     {"encoder", sjson_encoder},
                                     {"decoder", sjson_decoder},
                                     {NULL, NULL}};
    nm_lua_init(L);
    nm_json_decoder_register(L, DECODER_TYPE, decoder_methods);
    nm_json_encoder_register(L, ENCODER_TYPE, encoder_methods);
    luaL_newlib(L, funcs);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "NULL");
    return 1;
}

int luaopen_net_sjson(lua_State *L)
{
    return luaopen_sjson(L);
}
