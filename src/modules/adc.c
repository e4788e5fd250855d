/*
 * adc.c — the `adc` module: adc.read(0), adc.readvdd33(), adc.force_init_mode.
 *
 * Readings come from the board model (core/adc.h), driven from outside
 * through the control channel. As on the device, the ADC measures either the
 * pin or the supply, chosen by the mode in flash at power-on: the other
 * function then reads 65535. force_init_mode stores the mode for the next
 * power-on and returns whether it changed (the device needs a restart too).
 */
#include "core/adc.h"
#include "runtime/modules.h"
#include "runtime/profile.h"

#define NOT_MEASURED 65535
#define INIT_ADC 0x00
#define INIT_VDD33 0xff

static int adc_read(lua_State *L)
{
    long id = nm_check_int32(L, 1);
    if (id != 0)
        return luaL_error(L, "adc %d does not exist", (int)id);
    lua_pushinteger(L, nm_adc_measures_vdd() ? NOT_MEASURED : nm_adc_pin());
    return 1;
}

static int adc_readvdd33(lua_State *L)
{
    lua_pushinteger(L, nm_adc_measures_vdd() ? nm_adc_vdd() : NOT_MEASURED);
    return 1;
}

static int adc_force_init_mode(lua_State *L)
{
    int byte = (int)(nm_check_int32(L, 1) & 0xff); /* the firmware keeps a byte */
    if (nm_since(NM_ERA_3_0))                      /* before, any byte was written (not 0xff: the pin) */
        luaL_argcheck(L, byte == INIT_ADC || byte == INIT_VDD33, 1, "Invalid mode");
    if (nm_adc_stored_byte() == byte) {
        lua_pushboolean(L, 0);
        return 1;
    }
    if (nm_adc_store_byte(byte) != 0)
        return luaL_error(L, "flash write error");
    lua_pushboolean(L, 1);
    return 1;
}

static const luaL_Reg adc_functions[] = {
    {"read", adc_read},
    {"readvdd33", adc_readvdd33},
    {"force_init_mode", adc_force_init_mode},
    {NULL, NULL},
};

int luaopen_adc(lua_State *L)
{
    nm_adc_init();
    luaL_newlib(L, adc_functions);
    lua_pushinteger(L, INIT_ADC);
    lua_setfield(L, -2, "INIT_ADC");
    lua_pushinteger(L, INIT_VDD33);
    lua_setfield(L, -2, "INIT_VDD33");
    return 1;
}

/* require "net.adc" finds this in net.so (Lua's all-in-one loader). */
int luaopen_net_adc(lua_State *L)
{
    return luaopen_adc(L);
}
