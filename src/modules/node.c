/*
 * node.c — the part of the `node` module that scripts use around networking.
 *
 * heap, restart, chipid, flashid, flashsize, info, task.post, setonerror,
 * output, input and egc. The hardware numbers are fixed, plausible values
 * of a 4 MB ESP-12 module (README.md lists them).
 */
#include "modules/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/flash.h"
#include "core/loop.h"
#include "modules/file.h"
#include "modules/pipe.h"
#include "runtime/heap.h"
#include "runtime/loader.h"
#include "runtime/luacall.h"
#include "runtime/modules.h"
#include "runtime/output.h"
#include "runtime/profile.h"
#include "runtime/repl.h"
#include "runtime/restart.h"

#define CHIP_ID 0x00C0FFEE  /* the low 3 bytes of a made-up station MAC */
#define FLASH_ID 0x001640EF /* Winbond W25Q32: 4 MB */
#define FLASH_SIZE (4 << 20)
#define FLASH_MODE 0         /* QIO */
#define FLASH_SPEED 40000000 /* Hz */

enum { PRIO_LOW = NM_TASK_LOW, PRIO_MEDIUM = NM_TASK_MEDIUM, PRIO_HIGH = NM_TASK_HIGH, NUM_PRIO };
enum { EGC_NOT_ACTIVE = 0, EGC_ON_ALLOC_FAILURE = 1, EGC_ON_MEM_LIMIT = 2, EGC_ALWAYS = 4 };

static int node_restart(lua_State *L)
{
    (void)L;
    nm_request_restart(NM_EXIT_RESTART, "node.restart()");
    return 0;
}

static int node_heap(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)nm_heap_free(L));
    return 1;
}

static int push_int(lua_State *L, lua_Integer v)
{
    lua_pushinteger(L, v);
    return 1;
}

static int node_chipid(lua_State *L)
{
    return push_int(L, CHIP_ID);
}

static int node_flashid(lua_State *L)
{
    return push_int(L, FLASH_ID);
}

static int node_flashsize(lua_State *L)
{
    return push_int(L, FLASH_SIZE);
}

static void set_int(lua_State *L, const char *key, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, key);
}

static void set_str(lua_State *L, const char *key, const char *v)
{
    lua_pushstring(L, v);
    lua_setfield(L, -2, key);
}

/* The firmware's version, which node.info() reports: 1.5.4, 2.2.1, 3.0.0. */
static void version(int v[3])
{
    static const int versions[][3] = {[NM_ERA_1_5] = {1, 5, 4}, [NM_ERA_2_2] = {2, 2, 1}, [NM_ERA_3_0] = {3, 0, 0}};
    memcpy(v, versions[nm_profile_get()], sizeof versions[0]);
}

static int info_legacy(lua_State *L)
{
    int v[3];
    version(v);
    lua_Integer values[8] = {v[0], v[1], v[2], CHIP_ID, FLASH_ID, FLASH_SIZE / 1024, FLASH_MODE, FLASH_SPEED};
    for (int i = 0; i < 8; i++)
        lua_pushinteger(L, values[i]);
    return 8;
}

/* node.info([group]): the seed returns eight numbers; later firmware also
 * takes "hw", "sw_version" or "build_config" and returns a table. */
static int node_info(lua_State *L)
{
    static const char *const groups[] = {"hw", "sw_version", "build_config", "legacy", "lfs", NULL};
    if (!nm_since(NM_ERA_3_0))
        return info_legacy(L);
    int group = luaL_checkoption(L, 1, "legacy", groups);
    if (group == 3)
        return info_legacy(L);
    if (group == 4)
        return nm_node_lfs_push_config(L);
    int v[3];
    version(v);
    lua_newtable(L);
    if (group == 0) {
        set_int(L, "chip_id", CHIP_ID);
        set_int(L, "flash_id", FLASH_ID);
        set_int(L, "flash_size", FLASH_SIZE / 1024);
        set_int(L, "flash_mode", FLASH_MODE);
        set_int(L, "flash_speed", FLASH_SPEED);
    } else if (group == 1) {
        set_str(L, "git_branch", "netmcu");
        set_str(L, "git_commit_id", NETMCU_VERSION);
        set_str(L, "git_release", "netmcu " NETMCU_VERSION);
        set_str(L, "git_commit_dts", "");
        set_int(L, "node_version_major", v[0]);
        set_int(L, "node_version_minor", v[1]);
        set_int(L, "node_version_revision", v[2]);
    } else {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "ssl");
        set_int(L, "lfs_size", NM_LFS_SIZE);
        nm_push_module_list(L);
        lua_setfield(L, -2, "modules");
        set_str(L, "number_type", "float");
    }
    return 1;
}

/* ---- the flash ----------------------------------------------------------- */

typedef struct dump_target {
    nm_flash_file *f;
    bool failed;
} dump_target;

static int dump_writer(lua_State *L, const void *p, size_t len, void *ud)
{
    (void)L;
    dump_target *t = ud;
    if (!t->failed && nm_flash_write(t->f, p, len) != (ssize_t)len)
        t->failed = true;
    return t->failed;
}

/* node.compile("x.lua"): the chunk, compiled and stripped, into "x.lc". */
static int node_compile(lua_State *L)
{
    const char *name = file_check_name(L, 1);
    size_t len = strlen(name);
    if (len < 4 || strcmp(name + len - 4, ".lua") != 0)
        return luaL_error(L, "not a .lua file");
    lua_settop(L, 1);
    if (nm_load_flash(L, name) != LUA_OK)
        return luaL_error(L, "%s", lua_tostring(L, -1));
    lua_pushlstring(L, name, len - 2);
    lua_pushliteral(L, "c");
    lua_concat(L, 2);
    dump_target t = {nm_flash_open(lua_tostring(L, -1), nm_flash_mode_flags("w+")), false};
    if (t.f == NULL)
        return luaL_error(L, "cannot open/write to file");
    lua_pop(L, 1);
    int status = nm_dump(L, dump_writer, &t, 1);
    nm_flash_close(t.f);
    if (status != 0 || t.failed)
        return luaL_error(L, "writing to file failed");
    return 0;
}

/* ---- node.stripdebug ------------------------------------------------------ */

#define STRIP_DEFAULT 2 /* LUA_OPTIMIZE_DEBUG of the firmware's builds */

static int strip_level = STRIP_DEFAULT;

static int count_writer(lua_State *L, const void *p, size_t len, void *ud)
{
    (void)L;
    (void)p;
    *(size_t *)ud += len;
    return 0;
}

/* The bytes of debug information the function on top of the stack holds:
 * its dump with it less its dump without (0 where the Lua cannot strip a
 * dump, 5.1 and LuaJIT). The host keeps the information in memory. */
static lua_Integer debug_bytes(lua_State *L)
{
    size_t full = 0, stripped = 0;
    nm_dump(L, count_writer, &full, 0);
    nm_dump(L, count_writer, &stripped, 1);
    return full > stripped ? (lua_Integer)(full - stripped) : 0;
}

/* Replaces a positive stack level at arg 2 by the function running there. */
static void function_at_level(lua_State *L, lua_Integer scope)
{
    lua_Debug ar;
    if (scope > 0 && lua_getstack(L, (int)scope, &ar)) {
        lua_getinfo(L, "f", &ar);
        lua_replace(L, 2);
    }
}

/* node.stripdebug([level[, function]]): 1.5 and 2.2 texts and results. */
static int stripdebug_15(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0)
        return lua_pushinteger(L, strip_level), 1;
    lua_Integer level = nm_check_int32(L, 1);
    if (level <= 0 || level > 3)
        luaL_argerror(L, 1, "must in range 1-3");
    if (n == 1) {
        strip_level = (int)level;
        return 0;
    }
    if (level == 1)
        return lua_pushinteger(L, 0), 1;
    if (!lua_isfunction(L, 2))
        function_at_level(L, nm_check_int32(L, 2));
    if (!lua_isfunction(L, 2) || lua_iscfunction(L, 2))
        luaL_argerror(L, 2, "must be a Lua Function");
    lua_settop(L, 2);
    return lua_pushinteger(L, debug_bytes(L)), 1;
}

/* 3.0: the level is returned when no function is given. */
static int stripdebug_30(lua_State *L)
{
    int n = lua_gettop(L);
    lua_settop(L, 2);
    lua_Integer level = 0;
    if (!lua_isnil(L, 1)) {
        level = lua_tointeger(L, 1);
        luaL_argcheck(L, level > 0 && level < 4, 1, "Invalid strip level");
    }
    if (lua_isnumber(L, 2))
        function_at_level(L, nm_check_int32(L, 2));
    bool isfunc = lua_isfunction(L, 2);
    luaL_argcheck(L, n < 2 || isfunc, 2, "not a valid function");
    if (isfunc) {
        lua_settop(L, 2);
        return lua_pushinteger(L, lua_iscfunction(L, 2) ? -1 : debug_bytes(L)), 1;
    }
    if (level > 0)
        strip_level = (int)level;
    return lua_pushinteger(L, strip_level), 1;
}

static int node_stripdebug(lua_State *L)
{
    return nm_since(NM_ERA_3_0) ? stripdebug_30(L) : stripdebug_15(L);
}

/* node.getpartitiontable() (3.0): LFS before SPIFFS, SPIFFS where fscfg says. */
static int node_getpartitiontable(lua_State *L)
{
    uint32_t addr, size;
    nm_flash_partition(&addr, &size);
    lua_createtable(L, 0, 4);
    set_int(L, "lfs_addr", NM_LFS_ADDR);
    set_int(L, "lfs_size", NM_LFS_SIZE);
    set_int(L, "spiffs_addr", addr);
    set_int(L, "spiffs_size", size);
    return 1;
}

/* ---- node.task.post ------------------------------------------------------ */

typedef struct ref_queue {
    int *refs;
    size_t head, len, cap;
} ref_queue;

static ref_queue task_queues[NUM_PRIO];
static nm_task task_runner;

static bool queue_push(ref_queue *q, int ref)
{
    if (q->head > 0 && q->head == q->len) {
        q->head = q->len = 0;
    }
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        int *p = realloc(q->refs, cap * sizeof *p);
        if (p == NULL)
            return false;
        q->refs = p;
        q->cap = cap;
    }
    q->refs[q->len++] = ref;
    return true;
}

/* Runs one task per loop turn, the highest priority first, as the device's
 * task queue does; I/O and timers get their turn in between. */
static bool tasks_left(void)
{
    for (int prio = 0; prio < NUM_PRIO; prio++)
        if (task_queues[prio].head < task_queues[prio].len)
            return true;
    return false;
}

/* One task's call: the pushes run inside the protected call too, since
 * LuaJIT may need memory to grow the stack for them. */
typedef struct task_call {
    nm_protected base;
    int ref, prio;
} task_call;

static void call_task(lua_State *L, nm_protected *ctx)
{
    task_call *call = (task_call *)ctx;
    nm_ref_push(L, call->ref);
    lua_pushinteger(L, call->prio);
    lua_call(L, 1, 0);
}

static void run_task(nm_task *task)
{
    lua_State *L = nm_lua_state();
    for (int prio = PRIO_HIGH; prio >= PRIO_LOW && L != NULL; prio--) {
        ref_queue *q = &task_queues[prio];
        if (q->head == q->len)
            continue;
        task_call call = {{call_task}, q->refs[q->head++], prio};
        nm_lua_protect(L, &call.base);
        luaL_unref(L, LUA_REGISTRYINDEX, call.ref);
        break;
    }
    if (L != NULL && tasks_left())
        nm_task_post(task, run_task);
}

static int node_task_post(lua_State *L)
{
    int n = 1;
    lua_Integer prio = PRIO_MEDIUM;
    if (lua_type(L, 1) == LUA_TNUMBER) {
        prio = luaL_checkinteger(L, 1);
        luaL_argcheck(L, prio >= PRIO_LOW && prio <= PRIO_HIGH, 1, "invalid  priority");
        n = 2;
    }
    luaL_argcheck(L, lua_isfunction(L, n), n, "invalid function");
    lua_pushvalue(L, n);
    if (!node_post_task(L, (int)prio))
        return luaL_error(L, "Task queue overflow. Task not posted");
    return 0;
}

bool node_post_task(lua_State *L, int prio)
{
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (!queue_push(&task_queues[prio], ref)) {
        luaL_unref(L, LUA_REGISTRYINDEX, ref);
        return false;
    }
    nm_task_post(&task_runner, run_task);
    return true;
}

/* ---- errors, console ----------------------------------------------------- */

/* node.setonerror([fn]): fn(message) handles errors raised in callbacks;
 * without a function the default comes back (print, then end the run). */
static int node_setonerror(lua_State *L)
{
    lua_settop(L, 1);
    if (!lua_isfunction(L, 1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, NM_ONERROR_KEY);
    return 0;
}

/* ---- node.output ----------------------------------------------------------- */

static int stdout_ref = LUA_NOREF; /* 3.0: the pipe output goes into */

static int write_stdout_pipe(lua_State *L)
{
    size_t len;
    const char *text = lua_tolstring(L, 2, &len);
    pipe_append(L, 1, text, len);
    return 0;
}

/* The device restarts when writing to the stdout pipe fails (no memory);
 * here the error takes the path of any callback error. */
static void output_to_pipe(lua_State *L, const char *text, size_t len)
{
    if (stdout_ref == LUA_NOREF)
        return;
    lua_pushcfunction(L, write_stdout_pipe);
    nm_ref_push(L, stdout_ref);
    lua_pushlstring(L, text, len);
    if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        nm_lua_report(L, lua_pushfstring(L, "error calling stdout:write: %s", msg ? msg : "?"));
        lua_pop(L, 2);
    }
}

/* node.output(fn, serial): serial 0 silences the terminal while redirected.
 * 1.5 hands fn the text; 3.0 makes fn the reader of a new stdout pipe
 * (medium priority) and hands it the pipe, as the 3.0 firmware does. */
static int node_output(lua_State *L)
{
    bool serial = !(lua_isnumber(L, 2) && lua_tointeger(L, 2) == 0);
    if (!nm_since(NM_ERA_3_0)) {
        nm_output_redirect(L, lua_isfunction(L, 1) ? 1 : 0, serial);
        return 0;
    }
    lua_settop(L, 1);
    if (lua_isfunction(L, 1)) {
        pipe_push_new(L, 1, PRIO_MEDIUM);
        nm_ref_set(L, &stdout_ref, -1);
        nm_output_redirect_sink(output_to_pipe, serial);
    } else {
        nm_ref_clear(L, &stdout_ref);
        nm_output_redirect_sink(NULL, true);
    }
    return 0;
}

static int node_input(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    nm_repl_input(text, len);
    return 0;
}

/* ---- node.egc ------------------------------------------------------------ */

/* Accepted and checked as the firmware does; the host's collector keeps its
 * own settings, since memory is not scarce here. */
static int egc_setmode(lua_State *L)
{
    lua_Integer mode = luaL_checkinteger(L, 1);
    lua_Integer limit = luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, mode >= 0 && mode <= (EGC_ON_ALLOC_FAILURE | EGC_ON_MEM_LIMIT | EGC_ALWAYS), 1, "invalid mode");
    luaL_argcheck(L, !(mode & EGC_ON_MEM_LIMIT) || limit != 0, 1, "limit must be non-zero");
    return 0;
}

static int egc_meminfo(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)nm_heap_used(L));
    lua_pushinteger(L, (lua_Integer)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + lua_gc(L, LUA_GCCOUNTB, 0));
    return 2;
}

/* Releases the queues and buffers when the state closes. */
static int module_gc(lua_State *L)
{
    nm_task_cancel(&task_runner);
    for (int prio = 0; prio < NUM_PRIO; prio++) {
        free(task_queues[prio].refs);
        task_queues[prio] = (ref_queue){0};
    }
    nm_output_close(L);
    nm_ref_clear(L, &stdout_ref);
    nm_repl_close();
    return 0;
}

static const luaL_Reg node_functions[] = {
    {"heap", node_heap},       {"restart", node_restart},       {"chipid", node_chipid},
    {"flashid", node_flashid}, {"flashsize", node_flashsize},   {"info", node_info},
    {"output", node_output},   {"input", node_input},           {"setonerror", node_setonerror},
    {"compile", node_compile}, {"stripdebug", node_stripdebug}, {NULL, NULL},
};

static void add_task_table(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, node_task_post);
    lua_setfield(L, -2, "post");
    set_int(L, "LOW_PRIORITY", PRIO_LOW);
    set_int(L, "MEDIUM_PRIORITY", PRIO_MEDIUM);
    set_int(L, "HIGH_PRIORITY", PRIO_HIGH);
    lua_setfield(L, -2, "task");
}

static void add_egc_table(lua_State *L)
{
    lua_newtable(L);
    lua_pushcfunction(L, egc_setmode);
    lua_setfield(L, -2, "setmode");
    lua_pushcfunction(L, egc_meminfo);
    lua_setfield(L, -2, "meminfo");
    set_int(L, "NOT_ACTIVE", EGC_NOT_ACTIVE);
    set_int(L, "ON_ALLOC_FAILURE", EGC_ON_ALLOC_FAILURE);
    set_int(L, "ON_MEM_LIMIT", EGC_ON_MEM_LIMIT);
    set_int(L, "ALWAYS", EGC_ALWAYS);
    lua_setfield(L, -2, "egc");
}

/* Opening node also routes print through the console output, as on the device. */
int luaopen_node(lua_State *L)
{
    nm_lua_init(L);
    nm_on_state_close(L, "netmcu.node.sentinel", module_gc);

    lua_pushcfunction(L, nm_output_print);
    lua_setglobal(L, "print");

    luaL_newlib(L, node_functions);
    if (nm_since(NM_ERA_3_0)) {
        lua_pushcfunction(L, node_getpartitiontable);
        lua_setfield(L, -2, "getpartitiontable");
    }
    add_task_table(L);
    add_egc_table(L);
    strip_level = STRIP_DEFAULT;
    nm_node_chip_open(L);
    nm_node_lfs_open(L);
    return 1;
}

/* require "net.node" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_node(lua_State *L)
{
    return nm_require_board_module(L, "node");
}
