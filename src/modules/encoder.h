/*
 * encoder.h — the encoder module's encoders, which the 1.5 and 2.2 crypto
 * module also offers as crypto.toHex and crypto.toBase64 (the firmware's
 * crypto then called encoder's when the build had both).
 */
#ifndef NETMCU_MODULES_ENCODER_H
#define NETMCU_MODULES_ENCODER_H

#include "runtime/compat.h"

/* toHex(s) and toBase64(s): argument 1 encoded, lower-case hex / base64. */
int nm_encoder_tohex(lua_State *L);
int nm_encoder_tobase64(lua_State *L);

#endif
