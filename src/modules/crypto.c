/*
 * crypto.c — the `crypto` module on OpenSSL 3's EVP interface.
 *
 * Hashes (MD5, SHA1, SHA256, SHA384, SHA512; names in any case), HMAC, hash
 * and HMAC objects (update/finalize), the hash of a flash file, AES-ECB and
 * AES-CBC, mask, and in 1.5 and 2.2 toHex/toBase64 (gone from crypto in 3.0,
 * where encoder has them). The firmware's cipher rules are kept exactly,
 * since a script decrypting what another device encrypted depends on them:
 * no padding scheme, the input zero-padded to whole 16-byte blocks on both
 * encrypt and decrypt, the IV zero-extended or cut to 16 bytes (all zero when
 * absent; ECB ignores it). The key picks AES-128, -192 or -256 by its length
 * (the docs ask for 16 bytes); any other length is "crypto op failed".
 * Work buffers are userdata, so an error mid-way leaks nothing.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/flash.h"
#include "modules/encoder.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

#define HASH_TYPE "crypto.hash"
#define AES_BLOCK 16

static const char *const HASH_NAMES[] = {"MD5", "SHA1", "SHA256", "SHA384", "SHA512", NULL};

/* The digest of a firmware mechanism name, or an error as the firmware's. */
static const EVP_MD *check_digest(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    for (int i = 0; HASH_NAMES[i] != NULL; i++) {
        if (strcasecmp(name, HASH_NAMES[i]) == 0) {
            const EVP_MD *md = EVP_get_digestbyname(HASH_NAMES[i]);
            if (md != NULL)
                return md;
        }
    }
    luaL_error(L, "unknown hash mech");
    return NULL;
}

static int push_digest(lua_State *L, const unsigned char *digest, unsigned len)
{
    lua_pushlstring(L, (const char *)digest, len);
    return 1;
}

static int crypto_hash(lua_State *L)
{
    const EVP_MD *md = check_digest(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_Digest(data, len, digest, &n, md, NULL))
        return luaL_error(L, "insufficient memory");
    return push_digest(L, digest, n);
}

static int crypto_sha1(lua_State *L)
{
    size_t len;
    const char *data = luaL_checklstring(L, 1, &len);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (!EVP_Digest(data, len, digest, &n, EVP_sha1(), NULL))
        return luaL_error(L, "insufficient memory");
    return push_digest(L, digest, n);
}

/* ---- HMAC ---------------------------------------------------------------- */

static EVP_MAC_CTX *new_hmac(const EVP_MD *md, const char *key, size_t klen)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL)
        return NULL;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (ctx == NULL)
        return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
        OSSL_PARAM_construct_end(),
    };
    /* An empty key is a valid HMAC key; OpenSSL wants a non-NULL pointer for it. */
    if (!EVP_MAC_init(ctx, (const unsigned char *)(klen ? key : ""), klen, params)) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int crypto_hmac(lua_State *L)
{
    const EVP_MD *md = check_digest(L, 1);
    size_t len, klen;
    const char *data = luaL_checklstring(L, 2, &len);
    const char *key = luaL_checklstring(L, 3, &klen);
    EVP_MAC_CTX *ctx = new_hmac(md, key, klen);
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t n = 0;
    bool ok = ctx != NULL && EVP_MAC_update(ctx, (const unsigned char *)data, len) &&
              EVP_MAC_final(ctx, digest, &n, sizeof digest);
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        return luaL_error(L, "insufficient memory");
    return push_digest(L, digest, (unsigned)n);
}

/* ---- hash and HMAC objects ----------------------------------------------- */

typedef struct hash_object {
    EVP_MD_CTX *md;   /* a plain hash, or */
    EVP_MAC_CTX *mac; /* an HMAC */
} hash_object;

static int hash_gc(lua_State *L)
{
    hash_object *h = luaL_checkudata(L, 1, HASH_TYPE);
    EVP_MD_CTX_free(h->md);
    EVP_MAC_CTX_free(h->mac);
    h->md = NULL;
    h->mac = NULL;
    return 0;
}

static int new_object(lua_State *L, bool hmac)
{
    const EVP_MD *md = check_digest(L, 1);
    size_t klen = 0;
    const char *key = hmac ? luaL_checklstring(L, 2, &klen) : NULL;
    hash_object *h = lua_newuserdata(L, sizeof *h);
    h->md = NULL;
    h->mac = NULL;
    luaL_setmetatable(L, HASH_TYPE); /* from here __gc frees whatever was made */
    if (hmac) {
        h->mac = new_hmac(md, key, klen);
        if (h->mac == NULL)
            return luaL_error(L, "insufficient memory");
    } else {
        h->md = EVP_MD_CTX_new();
        if (h->md == NULL || !EVP_DigestInit_ex(h->md, md, NULL))
            return luaL_error(L, "insufficient memory");
    }
    return 1;
}

static int crypto_new_hash(lua_State *L)
{
    return new_object(L, false);
}

static int crypto_new_hmac(lua_State *L)
{
    return new_object(L, true);
}

static hash_object *check_object(lua_State *L)
{
    hash_object *h = luaL_checkudata(L, 1, HASH_TYPE);
    if (h->md == NULL && h->mac == NULL)
        luaL_error(L, "insufficient memory");
    return h;
}

static int hash_update(lua_State *L)
{
    hash_object *h = check_object(L);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    bool ok = h->md ? EVP_DigestUpdate(h->md, data, len) : EVP_MAC_update(h->mac, (const unsigned char *)data, len);
    if (!ok)
        return luaL_error(L, "insufficient memory");
    return 0;
}

/* The digest of everything so far, computed on a copy: the object can go
 * on (the firmware's context is spent after finalize). */
static int hash_finalize(lua_State *L)
{
    hash_object *h = check_object(L);
    unsigned char digest[EVP_MAX_MD_SIZE];
    size_t n = 0;
    bool ok;
    if (h->md) {
        EVP_MD_CTX *copy = EVP_MD_CTX_new();
        unsigned un = 0;
        ok = copy && EVP_MD_CTX_copy_ex(copy, h->md) && EVP_DigestFinal_ex(copy, digest, &un);
        n = un;
        EVP_MD_CTX_free(copy);
    } else {
        EVP_MAC_CTX *copy = EVP_MAC_CTX_dup(h->mac);
        ok = copy && EVP_MAC_final(copy, digest, &n, sizeof digest);
        EVP_MAC_CTX_free(copy);
    }
    if (!ok)
        return luaL_error(L, "insufficient memory");
    return push_digest(L, digest, (unsigned)n);
}

/* ---- a flash file's hash ------------------------------------------------- */

typedef struct file_hash {
    nm_flash_file *f;
    EVP_MD_CTX *ctx;
} file_hash;

/* crypto.fhash(algo, name): the file is read in slices from the flash. */
static int crypto_fhash(lua_State *L)
{
    const EVP_MD *md = check_digest(L, 1);
    const char *name = luaL_checkstring(L, 2);
    file_hash fh = {nm_flash_open(name, NM_FLASH_READ), NULL};
    if (fh.f == NULL)
        return luaL_error(L, "file does not exist");
    fh.ctx = EVP_MD_CTX_new();
    bool ok = fh.ctx && EVP_DigestInit_ex(fh.ctx, md, NULL);
    char buf[4096];
    ssize_t got;
    while (ok && (got = nm_flash_read(fh.f, buf, sizeof buf)) > 0)
        ok = EVP_DigestUpdate(fh.ctx, buf, (size_t)got);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    ok = ok && EVP_DigestFinal_ex(fh.ctx, digest, &n);
    EVP_MD_CTX_free(fh.ctx);
    nm_flash_close(fh.f);
    if (!ok)
        return luaL_error(L, "insufficient memory");
    return push_digest(L, digest, n);
}

/* ---- AES ----------------------------------------------------------------- */

static bool check_cbc(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    if (strcasecmp(name, "AES-ECB") == 0)
        return false;
    if (strcasecmp(name, "AES-CBC") == 0)
        return true;
    luaL_error(L, "unknown cipher: %s", name);
    return false;
}

static const EVP_CIPHER *aes_cipher(bool cbc, size_t klen)
{
    switch (klen) {
    case 16: return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
    case 24: return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
    case 32: return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
    default: return NULL;
    }
}

/* Runs the cipher over in (len, a multiple of the block) into out. */
static bool run_aes(const EVP_CIPHER *cipher, const char *key, const unsigned char *iv, bool enc,
                    const unsigned char *in, size_t len, unsigned char *out)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    bool ok = ctx && EVP_CipherInit_ex(ctx, cipher, NULL, (const unsigned char *)key, iv, enc) &&
              EVP_CIPHER_CTX_set_padding(ctx, 0);
    size_t done = 0;
    while (ok && done < len) { /* EVP takes an int length: slices of 1 MiB */
        size_t n = len - done < ((size_t)1 << 20) ? len - done : ((size_t)1 << 20);
        int wrote = 0;
        ok = EVP_CipherUpdate(ctx, out + done, &wrote, in + done, (int)n) && (size_t)wrote == n;
        done += n;
    }
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static int encrypt_decrypt(lua_State *L, bool enc)
{
    bool cbc = check_cbc(L, 1);
    size_t klen, len, ivlen;
    const char *key = luaL_checklstring(L, 2, &klen);
    const char *data = luaL_checklstring(L, 3, &len);
    const char *iv_arg = luaL_optlstring(L, 4, "", &ivlen);
    unsigned char iv[AES_BLOCK] = {0};
    memcpy(iv, iv_arg, ivlen < AES_BLOCK ? ivlen : AES_BLOCK);
    size_t padded = (len + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK;
    if (len > padded)
        return luaL_error(L, "crypto op failed");
    unsigned char *buf = lua_newuserdata(L, 2 * padded + 1); /* the padded input, then the output */
    memset(buf, 0, padded);
    memcpy(buf, data, len);
    const EVP_CIPHER *cipher = aes_cipher(cbc, klen);
    if (cipher == NULL || !run_aes(cipher, key, iv, enc, buf, padded, buf + padded))
        return luaL_error(L, "crypto op failed");
    lua_pushlstring(L, (const char *)buf + padded, padded);
    return 1;
}

static int crypto_encrypt(lua_State *L)
{
    return encrypt_decrypt(L, true);
}

static int crypto_decrypt(lua_State *L)
{
    return encrypt_decrypt(L, false);
}

/* ---- mask ---------------------------------------------------------------- */

/* XOR with the mask repeated. The 1.5 firmware repeats only its first four
 * bytes (and reads past a shorter one); every era here uses the whole mask,
 * which is the same for the 4-byte WebSocket masks it was written for. */
static int crypto_mask(lua_State *L)
{
    size_t len, mlen;
    const char *msg = luaL_checklstring(L, 1, &len);
    const char *mask = luaL_checklstring(L, 2, &mlen);
    if (mlen == 0)
        return luaL_error(L, "invalid argument: mask");
    char *out = lua_newuserdata(L, len + 1);
    for (size_t i = 0; i < len; i++)
        out[i] = (char)(msg[i] ^ mask[i % mlen]);
    lua_pushlstring(L, out, len);
    return 1;
}

static const luaL_Reg crypto_functions[] = {
    {"sha1", crypto_sha1},       {"hash", crypto_hash},
    {"fhash", crypto_fhash},     {"new_hash", crypto_new_hash},
    {"hmac", crypto_hmac},       {"new_hmac", crypto_new_hmac},
    {"encrypt", crypto_encrypt}, {"decrypt", crypto_decrypt},
    {"mask", crypto_mask},       {NULL, NULL},
};

static const luaL_Reg hash_methods[] = {
    {"update", hash_update},
    {"finalize", hash_finalize},
    {NULL, NULL},
};

int luaopen_crypto(lua_State *L)
{
    nm_register_type(L, HASH_TYPE, hash_methods, hash_gc);
    luaL_newlib(L, crypto_functions);
    if (!nm_since(NM_ERA_3_0)) { /* 3.0 moved them to encoder */
        lua_pushcfunction(L, nm_encoder_tohex);
        lua_setfield(L, -2, "toHex");
        lua_pushcfunction(L, nm_encoder_tobase64);
        lua_setfield(L, -2, "toBase64");
    }
    return 1;
}

/* require "net.crypto" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_crypto(lua_State *L)
{
    return luaopen_crypto(L);
}
