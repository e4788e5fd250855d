#!/usr/bin/env bash
# serial_console.sh — `netmcu --serial` as the board's UART, byte for byte, in
# both profiles: echo, prompts, CR/LF, errors, uart.write/setup/on, reopen,
# reboot. The peer (lib/serial_cases.py) opens the pty as a terminal program would.
set -u
. "$(dirname "$0")/lib/common.sh"
need python3
for profile in 1.5 3.0; do
  python3 "$(dirname "$0")/lib/serial_cases.py" "$profile" | sed "s/^\(ok\|not ok\) - /\1 - ${profile}_/"
  [ "${PIPESTATUS[0]}" -eq 0 ] || FAILED=$((FAILED + 1))
done
finish
