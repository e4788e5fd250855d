/*
 * encoder.c — the `encoder` module: toBase64, fromBase64, toHex, fromHex.
 *
 * The codecs are OpenSSL's (EVP_EncodeBlock/EVP_DecodeBlock, OPENSSL_buf2hexstr_ex,
 * OPENSSL_hexstr2buf_ex); this file adds the firmware's rules around them, the
 * same in both eras: an empty input gives "", hex output is lower case, hex
 * input of either case, and a decoder raises "Invalid base64 string" or
 * "Invalid hex string" for input of the wrong length or with a character
 * outside the alphabet. Like the firmware's decoder, fromBase64 takes one or
 * two '=' only at the end and ignores bits left over in the last character.
 * OpenSSL's own leniency (whitespace, '=' inside) is kept out by checking the
 * input first. Work buffers are userdata, so an error or a memory failure
 * mid-way leaks nothing.
 */
#include <ctype.h>
#include <stdbool.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "modules/encoder.h"
#include "runtime/modules.h"

/* EVP_*Block take an int length: larger strings go through in slices of
 * whole base64 blocks (3 bytes in, 4 characters out). */
#define ENCODE_SLICE ((size_t)3 << 20)
#define DECODE_SLICE ((size_t)4 << 20)

static const char BASE64_ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int nm_encoder_tobase64(lua_State *L)
{
    size_t len;
    const unsigned char *in = (const unsigned char *)luaL_checklstring(L, 1, &len);
    size_t out_len = (len + 2) / 3 * 4;
    unsigned char *out = lua_newuserdata(L, out_len + 1); /* EVP adds a NUL */
    size_t done = 0;
    for (size_t at = 0; at < len; at += ENCODE_SLICE) {
        size_t n = len - at < ENCODE_SLICE ? len - at : ENCODE_SLICE;
        done += (size_t)EVP_EncodeBlock(out + done, in + at, (int)n);
    }
    lua_pushlstring(L, (const char *)out, done);
    return 1;
}

static bool in_base64_alphabet(unsigned char c)
{
    return c != '\0' && strchr(BASE64_ALPHABET, c) != NULL;
}

/* The firmware's acceptance test: a multiple of 4 characters, of which only
 * the last one or two may be '=' (as a pair when two). Returns the padding. */
static int base64_padding(lua_State *L, const unsigned char *in, size_t len)
{
    if (len % 4 != 0)
        luaL_error(L, "Invalid base64 string");
    int pad = in[len - 1] != '=' ? 0 : in[len - 2] != '=' ? 1 : 2;
    for (size_t i = 0; i < len - (size_t)pad; i++)
        if (!in_base64_alphabet(in[i]))
            luaL_error(L, "Invalid base64 string");
    return pad;
}

static int encoder_fromBase64(lua_State *L)
{
    size_t len;
    const unsigned char *in = (const unsigned char *)luaL_checklstring(L, 1, &len);
    if (len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    int pad = base64_padding(L, in, len);
    unsigned char *out = lua_newuserdata(L, len / 4 * 3);
    size_t done = 0;
    /* OpenSSL reads '=' as zero bits, as the firmware does; the padding's bytes are dropped after. */
    for (size_t at = 0; at < len; at += DECODE_SLICE) {
        size_t n = len - at < DECODE_SLICE ? len - at : DECODE_SLICE;
        int got = EVP_DecodeBlock(out + done, in + at, (int)n);
        if (got < 0)
            return luaL_error(L, "Invalid base64 string");
        done += (size_t)got;
    }
    lua_pushlstring(L, (const char *)out, done - (size_t)pad);
    return 1;
}

int nm_encoder_tohex(lua_State *L)
{
    size_t len;
    const unsigned char *in = (const unsigned char *)luaL_checklstring(L, 1, &len);
    if (len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    char *out = lua_newuserdata(L, 2 * len + 1);
    size_t written;
    if (!OPENSSL_buf2hexstr_ex(out, 2 * len + 1, &written, in, len, '\0'))
        return luaL_error(L, "not enough memory");
    for (size_t i = 0; i < 2 * len; i++) /* OpenSSL writes upper case, the firmware lower */
        out[i] = (char)tolower((unsigned char)out[i]);
    lua_pushlstring(L, out, 2 * len);
    return 1;
}

static int encoder_fromHex(lua_State *L)
{
    size_t len;
    const char *in = luaL_checklstring(L, 1, &len);
    if (len % 2 != 0)
        return luaL_error(L, "Invalid hex string");
    if (len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    unsigned char *out = lua_newuserdata(L, len / 2);
    size_t got = 0;
    /* OpenSSL reports bad digits on its error queue, which the TLS code must not see. */
    ERR_set_mark();
    int ok = OPENSSL_hexstr2buf_ex(out, len / 2, &got, in, '\0');
    ERR_pop_to_mark();
    if (!ok || got != len / 2) /* a NUL inside the string ends OpenSSL's scan early */
        return luaL_error(L, "Invalid hex string");
    lua_pushlstring(L, (const char *)out, got);
    return 1;
}

static const luaL_Reg encoder_functions[] = {
    {"toBase64", nm_encoder_tobase64},
    {"fromBase64", encoder_fromBase64},
    {"toHex", nm_encoder_tohex},
    {"fromHex", encoder_fromHex},
    {NULL, NULL},
};

int luaopen_encoder(lua_State *L)
{
    luaL_newlib(L, encoder_functions);
    return 1;
}

/* require "net.encoder" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_encoder(lua_State *L)
{
    return luaopen_encoder(L);
}
