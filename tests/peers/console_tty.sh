#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# console_tty.sh — the interactive console in a real terminal (a tmux pane):
# prompts, =expr, multi-line chunks, timers printing while the user types,
# Ctrl-C on a runaway chunk and at the prompt, history, Ctrl-D.
set -u
. "$(dirname "$0")/lib/tmux.sh"
need tmux

count() { screen | grep -Ec -- "$1"; }

tm new-session -d -s console -x 150 -y 50 "env NETMCU_HEAP= $NETMCU; echo \"exit=\$?\"; sleep 30"

if wait_for '^> ?$' 5; then ok "prompt_appears_on_a_terminal"; else fail "prompt_appears_on_a_terminal" "no '> ' prompt"; fi

type_line '=6*7'
if wait_for '^42$'; then ok "equals_prints_the_value"; else fail "equals_prints_the_value" "no 42"; fi

type_line 'for i = 1, 2 do'
if wait_for '^>> ?$'; then ok "incomplete_chunk_continues"; else fail "incomplete_chunk_continues" "no '>> ' prompt"; fi
type_line 'print("line" .. i) end'
if wait_for '^line2$'; then ok "continued_chunk_runs"; else fail "continued_chunk_runs" "no line2"; fi

type_line 'n = 0; t = tmr.create(); t:alarm(150, tmr.ALARM_AUTO, function() n = n + 1; print("tick" .. n) end)'
tm send-keys -t console -l -- 'partial typing'
if wait_for '^tick4$' 5 && wait_for '^> partial typing$' 2; then
  ok "timers_print_while_the_user_types"
else
  fail "timers_print_while_the_user_types" "$(screen | tail -n 4 | tr '\n' '|')"
fi
tm send-keys -t console C-u
type_line 't:unregister()'
sleep 0.3
before=$(count '^tick')
sleep 0.5
if [ "$(count '^tick')" = "$before" ]; then ok "console_stops_the_timer"; else fail "console_stops_the_timer" "ticks go on"; fi

tm send-keys -t console -l -- 'print("never" .. "run")'
tm send-keys -t console C-c
sleep 0.3
type_line '=7*6 + 100'
if wait_for '^142$' && [ "$(count '^neverrun$')" = 0 ]; then
  ok "ctrl_c_at_the_prompt_drops_the_line"
else
  fail "ctrl_c_at_the_prompt_drops_the_line" "$(screen | tail -n 4 | tr '\n' '|')"
fi

type_line 'while true do end'
sleep 0.5
tm send-keys -t console C-c
if wait_for 'interrupted!' 5; then
  type_line '="alive" .. 1'
  if wait_for '^alive1$'; then ok "ctrl_c_interrupts_a_runaway_chunk"; else fail "ctrl_c_interrupts_a_runaway_chunk" "console dead after the interrupt"; fi
else
  fail "ctrl_c_interrupts_a_runaway_chunk" "no 'interrupted!'"
fi

type_line 'tmr.create():alarm(10, tmr.ALARM_SINGLE, function() while true do end end)'
sleep 0.5
tm send-keys -t console C-c
if wait_for 'interrupted!' 5 && { type_line '="alive" .. 2'; wait_for '^alive2$'; }; then
  ok "ctrl_c_interrupts_a_runaway_callback"
else
  fail "ctrl_c_interrupts_a_runaway_callback" "$(screen | tail -n 4 | tr '\n' '|')"
fi

tm send-keys -t console Up Enter
if wait_for '^alive2$' && [ "$(count '^alive2$')" = 2 ]; then ok "history_recalls_the_last_line"; else fail "history_recalls_the_last_line" "no second alive2"; fi

tm send-keys -t console C-d
if wait_for '^exit=0$' 5; then ok "ctrl_d_ends_the_console"; else fail "ctrl_d_ends_the_console" "$(screen | tail -n 3 | tr '\n' '|')"; fi

finish
