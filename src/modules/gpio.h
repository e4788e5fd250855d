/*
 * gpio.h — the gpio module's parts: the module itself (gpio.c) and the 3.0
 * gpio.pulse sub-module (gpio_pulse.c), which gpio.c opens in that profile.
 */
#ifndef NETMCU_MODULES_GPIO_H
#define NETMCU_MODULES_GPIO_H

#include "runtime/compat.h"

int luaopen_gpio(lua_State *L);
int luaopen_net_gpio(lua_State *L); /* require "net.gpio" with net.so */

/* Pushes the gpio.pulse table (build) and registers its object type. */
void gpio_pulse_open(lua_State *L);
/* Stops a running pulse sequence without calling Lua (the state is closing). */
void gpio_pulse_close(void);

#endif
