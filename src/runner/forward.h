/*
 * forward.h — forwarders: the runner's definitions of functions whose code
 * is in a plugin (runtime/plugin.h). The first call looks the plugin's
 * function up (loading the plugin if needed) and keeps the pointer; every
 * call then goes through it, so the code that calls them is the same in the
 * runner and in net.so, which links the plugins' code in.
 *
 * Plugins are linked with -Bsymbolic: their calls to their own functions stay
 * inside them instead of landing on these forwarders of the same names.
 */
#ifndef NETMCU_FORWARD_H
#define NETMCU_FORWARD_H

/* The plugin's function `symbol`. Aborts when it is missing: the bindings
 * load their plugin (nm_plugin_need) before any forwarder can run. */
void *nm_plugin_entry(const char *plugin, const char *symbol);

/* Defines `ret name params` as a forwarder to the plugin's function; args
 * names the parameters in a call. */
#define NM_FORWARD(plugin, ret, name, params, args)                                                                    \
    ret name params                                                                                                    \
    {                                                                                                                  \
        static ret(*fn) params;                                                                                        \
        if (fn == NULL)                                                                                                \
            fn = (ret(*) params)nm_plugin_entry(plugin, #name);                                                        \
        return fn args;                                                                                                \
    }

/* The same for a function returning nothing. */
#define NM_FORWARD_VOID(plugin, name, params, args)                                                                    \
    void name params                                                                                                   \
    {                                                                                                                  \
        static void(*fn) params;                                                                                       \
        if (fn == NULL)                                                                                                \
            fn = (void(*) params)nm_plugin_entry(plugin, #name);                                                       \
        fn args;                                                                                                       \
    }

#endif
