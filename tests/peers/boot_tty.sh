#!/usr/bin/env bash
# boot_tty.sh — netmcu --boot on a real terminal (a tmux pane): banner,
# init.lua, the prompt; node.restart() typed at the prompt reboots into a
# fresh state whose console works again; Ctrl-D switches the board off.
set -u
. "$(dirname "$0")/lib/tmux.sh"
need tmux

mkdir -p "$dir/flash"
cat >"$dir/flash/init.lua" <<'LUA'
local n = 1
if file.open("n") then n = tonumber(file.read()) + 1 file.close() end
file.open("n", "w") file.write(tostring(n)) file.close()
print("INIT " .. n .. " " .. tostring(seen))
seen = true
LUA
tm new-session -d -s console -x 150 -y 50 "env NETMCU_HEAP= $NETMCU --boot --flash $dir/flash; echo \"exit=\$?\"; sleep 30"

if wait_for '^NodeMCU 1\.5\.4\.1 build' 5 && wait_for '^INIT 1 nil$' 5 && wait_for '^> ?$' 5; then
  ok "boot_tty_banner_init_and_prompt"
else
  fail "boot_tty_banner_init_and_prompt" "$(screen | head -n 8 | tr '\n' '|')"
fi

type_line '=file.exists("init.lua")'
if wait_for '^true$'; then ok "boot_tty_console_sees_the_flash"; else fail "boot_tty_console_sees_the_flash" "no true"; fi

type_line 'node.restart()'
if wait_for '^INIT 2 nil$' 5; then
  ok "boot_tty_restart_reboots_into_a_fresh_state"
else
  fail "boot_tty_restart_reboots_into_a_fresh_state" "$(screen | tail -n 6 | tr '\n' '|')"
fi
type_line '=6*7'
if wait_for '^42$' 5; then ok "boot_tty_console_after_the_reboot"; else fail "boot_tty_console_after_the_reboot" "$(screen | tail -n 4 | tr '\n' '|')"; fi

tm send-keys -t console C-d
if wait_for '^exit=0$' 5; then ok "boot_tty_ctrl_d_switches_off"; else fail "boot_tty_ctrl_d_switches_off" "$(screen | tail -n 3 | tr '\n' '|')"; fi

finish
