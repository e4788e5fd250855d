#!/usr/bin/env bash
# lua-version-dependent: the interpreter's memory, error texts or console shows through
# console_error_prompt.sh — after an unhandled error in a callback, the
# terminal console shows the report on lines of its own and the prompt once,
# with the typed text kept (issue 8, item 8: the prompt was drawn twice, "> > ").
set -u
. "$(dirname "$0")/lib/tmux.sh"
need tmux

for profile in 1.5 3.0; do
  console_start 150 40 "env NETMCU_COMPAT=$profile $NETMCU; sleep 30"
  wait_for '^> ?$' 5 || fail "${profile}_prompt" "no prompt"
  type_line 'tmr.create():alarm(300, tmr.ALARM_SINGLE, function() error("cb boom") end)'
  tm send-keys -t console -l -- 'partial'
  if wait_for 'cb boom' 5; then
    sleep 0.3
    s=$(screen)
    last=$(printf '%s\n' "$s" | grep -v '^$' | tail -n 1)
    prompts=$(printf '%s\n' "$s" | sed -n '/^netmcu: /,$p' | grep -c '^>')
    if printf '%s\n' "$s" | grep -q '> >' || ! printf '%s\n' "$s" | grep -q '^netmcu: .*cb boom' ||
       [ "$prompts" != 1 ]; then
      fail "${profile}_one_prompt_after_a_callback_error" "$(printf '%s' "$s" | tr '\n' '|')"
    elif [ "$last" != "> partial" ]; then
      fail "${profile}_one_prompt_after_a_callback_error" "last line '$last'"
    else
      ok "${profile}_one_prompt_after_a_callback_error"
    fi
    tm send-keys -t console C-u
    type_line '="still" .. "here"'
    if wait_for '^stillhere$' 3; then ok "${profile}_console_goes_on"; else fail "${profile}_console_goes_on" "no answer"; fi
  else
    fail "${profile}_one_prompt_after_a_callback_error" "no error report"
  fi
done
finish
