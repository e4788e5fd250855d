/*
 * home.c — the state directory (see home.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* libmd's SHA-256: the board's directory is found before the script runs, at
 * every start, and libmd costs the loader about a hundred relocations where
 * OpenSSL's libcrypto costs twenty thousand; a script that uses no TLS or
 * crypto never loads OpenSSL (docs/performance.md, "Start-up"). */
#include <sha2.h>

#include "core/flash.h"
#include "core/home.h"

/* Creates every missing directory of path, like mkdir -p, owner-only. */
static int make_dirs(char *path)
{
    char *p;
    for (p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -errno;
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* The board's name under boards/: the flash folder's last part (readable,
 * other bytes as '_', at most 32) and 16 hex digits of the SHA-256 of its
 * real path (unique), e.g. "myproject-3f2a...". */
static int board_key(char *key, size_t size)
{
    const char *dir = nm_flash_dir();
    if (dir == NULL || *dir != '/')
        return -ENOENT;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA2_CTX sha;
    SHA256Init(&sha);
    SHA256Update(&sha, (const uint8_t *)dir, strlen(dir));
    SHA256Final(digest, &sha);
    const char *base = strrchr(dir, '/') + 1;
    char name[33];
    size_t n = 0;
    for (; base[n] && n < sizeof name - 1; n++)
        name[n] = isalnum((unsigned char)base[n]) || strchr("._-", base[n]) ? base[n] : '_';
    name[n] = '\0';
    int len = snprintf(key, size, "%s-", n ? name : "root");
    for (int i = 0; i < 8 && len > 0 && (size_t)len < size; i++)
        len += snprintf(key + len, size - (size_t)len, "%02x", digest[i]);
    return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int home_name(char *buf, size_t size)
{
    const char *env = getenv("NETMCU_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char key[64];
    int n;
    if (env && *env) {
        n = snprintf(buf, size, "%s", env);
    } else {
        int rc = board_key(key, sizeof key);
        if (rc != 0)
            return rc;
        if (xdg && *xdg == '/')
            n = snprintf(buf, size, "%s/netmcu/boards/%s", xdg, key);
        else if (home && *home)
            n = snprintf(buf, size, "%s/.local/share/netmcu/boards/%s", home, key);
        else
            return -ENOENT;
    }
    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return 0;
}

static int home_dir(char *buf, size_t size)
{
    int rc = home_name(buf, size);
    return rc != 0 ? rc : make_dirs(buf);
}

static int append_name(const char *name, char *buf, size_t size)
{
    size_t len = strlen(buf);
    int n = snprintf(buf + len, size - len, "/%s", name);
    if (n < 0 || (size_t)n >= size - len)
        return -ENAMETOOLONG;
    return 0;
}

int nm_home_find(const char *name, char *buf, size_t size)
{
    int rc = home_name(buf, size);
    return rc != 0 ? rc : append_name(name, buf, size);
}

int nm_home_path(const char *name, char *buf, size_t size)
{
    int rc = home_dir(buf, size);
    return rc != 0 ? rc : append_name(name, buf, size);
}
