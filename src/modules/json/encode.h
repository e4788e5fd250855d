/*
 * encode.h — Lua values to JSON text, on yajl's generator.
 *
 * yajl writes the text (escapes, separators, the order of keys and values);
 * this file walks the Lua value and applies the rules of the two firmware
 * modules: cjson (1.5: lua-cjson's array test and "excessively sparse array",
 * %.14g numbers, NaN and Infinity refused, `/` escaped, depth 1000) and
 * sjson (2.2 on: a table whose keys are all positive integers, or no key at
 * all, is an array with nil holes as null; a function is called and its
 * result written; NaN and Infinity become null; numbers as %.14g, from 3.0
 * as %.19g; an optional string stands for null; depth 20 by default).
 *
 * The walk keeps no C recursion: its open tables sit on the Lua stack (two
 * slots each, the table and the key reached), so an sjson encoder can stop
 * when `read(n)` has its n bytes and resume later from the same place; the
 * slots wait on the encoder's own thread in between.
 */
#ifndef NETMCU_JSON_ENCODE_H
#define NETMCU_JSON_ENCODE_H

#include <stddef.h>

#include "modules/json/decode.h"

/* Pushes the JSON text of the value at index value. opts (an sjson options
 * table: depth, null) may be 0. Raises the dialect's error for a value that
 * cannot be written. */
void nm_json_encode(lua_State *L, nm_json_dialect dialect, int value, int opts);

/* Registers the streaming encoder type tname with its extra methods. */
void nm_json_encoder_register(lua_State *L, const char *tname, const luaL_Reg *methods);
/* Pushes a streaming (sjson) encoder of the value at index value. */
void nm_json_encoder_new(lua_State *L, const char *tname, int value, int opts);
/* Pushes the next piece of text, at most size bytes (size >= 1); returns
 * false, pushing nothing, once all of it has been read. */
bool nm_json_encoder_read(lua_State *L, int ud, size_t size);

#endif
