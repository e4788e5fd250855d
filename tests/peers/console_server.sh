#!/usr/bin/env bash
# console_server.sh — `netmcu -i server.lua` in a real terminal (a tmux pane):
# the server keeps accepting while the console waits for input, callbacks
# print above the prompt, and typed chunks change the live server.
set -u
. "$(dirname "$0")/lib/tmux.sh"
need tmux nc

cat >"$dir/server.lua" <<'LUA'
greeting = "hello"
clients = 0
srv = net.createServer(net.TCP, 30)
srv:listen(0, "127.0.0.1", function(c)
  clients = clients + 1
  print("client " .. clients .. " connected")
  c:send(greeting .. "\n", function(s) s:close() end)
end)
print("port " .. srv:getaddr())
LUA

fetch() { timeout 5 nc 127.0.0.1 "$port" </dev/null 2>/dev/null; }

tm new-session -d -s console -x 150 -y 50 "$NETMCU -i $dir/server.lua; echo \"exit=\$?\"; sleep 30"
if ! wait_for '^port [0-9]+$' 5 || ! wait_for '^> ?$' 5; then
  fail "server_script_then_console" "$(screen | head -n 5 | tr '\n' '|')"
  exit 1
fi
ok "server_script_then_console"
port=$(screen | sed -n 's/^port \([0-9]*\)$/\1/p' | head -n 1)

reply=$(fetch)
if [ "$reply" = "hello" ] && wait_for '^client 1 connected$'; then
  ok "server_accepts_while_the_console_waits"
else
  fail "server_accepts_while_the_console_waits" "reply '$reply'"
fi

type_line 'greeting = "changed from the console"'
sleep 0.3
reply=$(fetch)
if [ "$reply" = "changed from the console" ]; then ok "console_changes_the_live_server"; else fail "console_changes_the_live_server" "reply '$reply'"; fi

tm send-keys -t console -l -- '=clients'
reply=$(fetch)
tm send-keys -t console Enter
if wait_for '^client 3 connected$' && wait_for '^3$'; then
  ok "callbacks_print_while_a_line_is_being_typed"
else
  fail "callbacks_print_while_a_line_is_being_typed" "$(screen | tail -n 5 | tr '\n' '|')"
fi

type_line 'srv:close()'
sleep 0.3
if ! fetch >/dev/null && [ -z "$(fetch)" ]; then ok "console_closes_the_server"; else fail "console_closes_the_server" "still accepting"; fi

tm send-keys -t console C-d
if wait_for '^exit=0$' 5; then ok "ctrl_d_ends_the_run"; else fail "ctrl_d_ends_the_run" "$(screen | tail -n 3 | tr '\n' '|')"; fi

finish
