/*
 * decode.h — JSON text to Lua values, on yajl's push parser.
 *
 * yajl does the parsing (tokens, escapes, UTF-8 of \u escapes, bounded
 * memory for text that arrives in pieces); this file only builds the Lua
 * values from its callbacks, with the rules of the two firmware modules:
 * cjson (1.5: any value at the top, JSON null as a NULL light userdata,
 * trailing text is an error) and sjson (2.2 on: an object or array at the
 * top, null as the value the options give, a metatable on every new table
 * with `checkpath`, text after the end ignored, input fed in chunks).
 *
 * A decoder is a userdata (so that an error half-way frees yajl's state from
 * __gc); the tables under construction live on the Lua stack of the call
 * that feeds it, and between two feeds on a thread of their own.
 */
#ifndef NETMCU_JSON_DECODE_H
#define NETMCU_JSON_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

typedef enum { NM_JSON_CJSON, NM_JSON_SJSON } nm_json_dialect;

#define NM_JSON_CJSON_MAX_DEPTH 1000 /* lua-cjson's decode_max_depth */
#define NM_JSON_SJSON_DEPTH 20       /* sjson's default depth */

/* Pushes a new decoder whose metatable is tname (registered with
 * nm_json_decoder_register). opts (a stack index, or 0) is an sjson options
 * table: depth, null, metatable. streaming: fed in pieces and asked for its
 * result later (sjson.decoder), not one whole text (decode). */
void nm_json_decoder_new(lua_State *L, const char *tname, nm_json_dialect dialect, int opts, bool streaming);
/* Registers the decoder type tname with extra methods (may be NULL). */
void nm_json_decoder_register(lua_State *L, const char *tname, const luaL_Reg *methods);

/* Feeds len bytes to the decoder at index ud; last: no more text follows.
 * Returns true, with the value pushed, once the document is complete;
 * false (nothing pushed) while more text is needed. Raises the dialect's
 * error for bad text; a decoder that raised stays failed. */
bool nm_json_decoder_feed(lua_State *L, int ud, const char *text, size_t len, bool last);
/* Pushes the finished value; false (nothing pushed) while incomplete. */
bool nm_json_decoder_result(lua_State *L, int ud);

#endif
