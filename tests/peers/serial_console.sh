#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# serial_console.sh — `netmcu --serial` as the board's UART, byte for byte, in
# both profiles: echo, prompts, CR/LF, errors, uart.write/setup/on, reopen,
# reboot. The peer (lib/serial_cases.py) opens the pty as a terminal program would.
set -u
. "$(dirname "$0")/lib/common.sh"
need python3
for profile in 1.5 3.0; do
  python3 "$(dirname "$0")/lib/serial_cases.py" "$profile" 2>&1 | tap_relay "${profile}_"
  st=${PIPESTATUS[0]}
  [ "$st" -eq 0 ] || fail "${profile}_serial_cases" "exited with status $st"
done

# The terminal console (here reading a pipe) takes uart.on the same way.
for profile in 1.5 3.0; do
  got=$(printf '=1\nx=2\n' | NETMCU_COMPAT=$profile timeout 10 "$NETMCU" -i \
    -e 'uart.on("data", function(l) io.write("[", l, "]\n") end)' 2>&1)
  if [ "$got" = "$(printf '[=1]\n1\n[x=2]')" ]; then ok "${profile}_pipe_console_lines_to_uart_on"
  else fail "${profile}_pipe_console_lines_to_uart_on" "$(printf '%s' "$got" | tr '\n' '|')"; fi
  got=$(printf 'abcdef\nprint(1)\n' | NETMCU_COMPAT=$profile timeout 10 "$NETMCU" -i \
    -e 'uart.on("data", 3, function(d) io.write("<", d, ">") end, 0)' 2>&1)
  if [ "$got" = $'<abc><def><\npr><int><(1)>' ]; then ok "${profile}_pipe_console_held_input"
  else fail "${profile}_pipe_console_held_input" "$(printf '%s' "$got" | tr '\n' '|')"; fi
done
finish
