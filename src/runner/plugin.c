/*
 * plugin.c — plugin.h for the runner: a plugin is NAME.so in plugins/ beside
 * the runner in its build folder, or, installed, in lib/netmcu/LUA/ beside
 * the bin/ folder it runs from (LUA: the Lua the runner is built for, as the
 * plugins hold Lua bindings too).
 *
 * A plugin is opened with RTLD_NOW, so a plugin that does not fit this
 * runner fails to load at once instead of at its first call; its references
 * to the runner's own functions resolve against the runner (linked with -E).
 */
#include "runner/forward.h"
#include "runtime/plugin.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct plugin {
    const char *name;
    void *handle;
    char error[PATH_MAX + 256];
} plugin;

static plugin plugins[] = {{NM_PLUGIN_SSL, NULL, ""}, {NM_PLUGIN_MQTT, NULL, ""}, {NM_PLUGIN_READLINE, NULL, ""}};

static plugin *find(const char *name)
{
    for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
        if (strcmp(plugins[i].name, name) == 0)
            return &plugins[i];
    }
    return NULL;
}

/* The folder of the running executable, into dir; false when unknown. */
static bool own_folder(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    if (n <= 0)
        return false;
    dir[n] = '\0';
    *strrchr(dir, '/') = '\0';
    return true;
}

/* The plugin's file: the build folder's when there is one, else the installed one. */
static bool locate(const char *name, char *path, size_t size)
{
    char dir[PATH_MAX];
    if (!own_folder(dir, sizeof dir))
        return false;
    int n = snprintf(path, size, "%s/plugins/%s.so", dir, name);
    if (n > 0 && (size_t)n < size && access(path, F_OK) == 0)
        return true;
    n = snprintf(path, size, "%s/../lib/netmcu/%s/%s.so", dir, NM_LUA_NAME, name);
    return n > 0 && (size_t)n < size;
}

static bool open_plugin(plugin *p)
{
    char path[PATH_MAX];
    if (!locate(p->name, path, sizeof path)) {
        snprintf(p->error, sizeof p->error, "the %s plugin cannot be located", p->name);
        return false;
    }
    p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (p->handle == NULL)
        snprintf(p->error, sizeof p->error, "the %s plugin cannot be loaded: %s", p->name, dlerror());
    return p->handle != NULL;
}

bool nm_plugin_load(const char *name, const char **error)
{
    plugin *p = find(name);
    if (p == NULL) {
        if (error)
            *error = "no such plugin";
        return false;
    }
    if (p->handle == NULL && !open_plugin(p)) {
        if (error)
            *error = p->error;
        return false;
    }
    return true;
}

void nm_plugin_need(lua_State *L, const char *name, const char *who)
{
    const char *why;
    if (!nm_plugin_load(name, &why))
        luaL_error(L, "%s: %s", who, why);
}

void *nm_plugin_entry(const char *name, const char *symbol)
{
    const char *why;
    if (!nm_plugin_load(name, &why)) {
        /* The bindings ask for their plugin before any forwarder can run. */
        fprintf(stderr, "netmcu: %s (needed for %s)\n", why, symbol);
        abort();
    }
    void *entry = dlsym(find(name)->handle, symbol);
    if (entry == NULL) {
        fprintf(stderr, "netmcu: the %s plugin has no %s: %s\n", name, symbol, dlerror());
        abort();
    }
    return entry;
}
