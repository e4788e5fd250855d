/*
 * input.h — console input as the firmware's UART input driver takes it.
 *
 * Two modes, switched by uart.on's run_input. Running input (the default):
 * bytes are echoed (unless uart.setup turned echo off), backspace and DEL
 * erase, CR, LF, CR LF and LF CR each end a line (of at most 255 bytes: the
 * 256th drops what was typed, as the firmware's buffer); every line is first handed
 * to the uart.on("data") function, if any, then to the interpreter, and
 * the prompt follows. Held input (run_input 0): nothing is echoed or run; the
 * bytes go to the uart.on function in pieces of n bytes, up to an end
 * character, or as they come, with each era's rules (see uart.c).
 *
 * The serial console feeds raw bytes (nm_input_bytes); the terminal console
 * feeds lines readline has already edited and echoed (nm_input_line).
 */
#ifndef NETMCU_INPUT_H
#define NETMCU_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/compat.h"

/* How held input is cut into pieces for the uart.on function. */
typedef struct nm_input_split {
    int data_len; /* 1.5: 0 none, else n bytes; 3.0: -1 none, 0 each byte, else n bytes */
    int end_char; /* 1.5: -1 none; 3.0: the byte ending a piece when data_len is -1 */
} nm_input_split;

/* Bytes as they arrive on the serial line. */
void nm_input_bytes(const char *bytes, size_t len);
/* A line (without its end) edited by the terminal console. */
void nm_input_line(const char *line, size_t len);
/* Writes the interpreter's prompt (`> `, `>> ` or _PROMPT/_PROMPT2) to the console output. */
void nm_input_prompt(void);

/* uart.on("data", ...): fn_index 0 removes the function (and runs input again). */
void nm_input_receive(lua_State *L, int fn_index, nm_input_split split, bool run_input);
/* uart.setup's echo flag. */
void nm_input_set_echo(bool on);
/* True while typed input goes to the interpreter (not held by uart.on). */
bool nm_input_running(void);
/* Releases the function and buffers (the state is closing). */
void nm_input_close(lua_State *L);

#endif
