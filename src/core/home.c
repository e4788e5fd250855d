/*
 * home.c — the state directory (see home.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static int home_name(char *buf, size_t size)
{
    const char *env = getenv("NETMCU_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(buf, size, "%s", env);
    else if (xdg && *xdg == '/')
        n = snprintf(buf, size, "%s/netmcu", xdg);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.local/share/netmcu", home);
    else
        return -ENOENT;
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
