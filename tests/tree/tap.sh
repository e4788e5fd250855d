#!/usr/bin/env bash
# tap.sh — the check that keeps every test file on TAP (tests/tap-problem):
# it passes real TAP, with skips, comments and an empty plan, and catches an
# old-style line, a misnumbered case, a missing, doubled or wrong plan.
. "$(dirname "$0")/../peers/lib/common.sh"
CHECK="$(cd "$(dirname "$0")/.." && pwd)/tap-problem"

# verdict LABEL WANT OUTPUT — WANT is "" (valid TAP) or the start of the problem.
verdict() {
  printf '%s\n' "$3" >"$T/out"
  local got
  got=$("$CHECK" "$T/out")
  if [ -z "$2" ] && [ -z "$got" ]; then ok "$1"
  elif [ -n "$2" ] && [[ "$got" == "$2"* ]]; then ok "$1"
  else fail "$1" "got '$got', want '${2:-no problem}'"; fi
}

verdict "real TAP passes" "" $'ok 1 - a\nnot ok 2 - b: why\nok 3 - c # SKIP no peer\n1..3'
verdict "comments and other lines pass" "" $'# starting\nok 1 - a\nsome diagnostic\n1..1'
verdict "a plan first passes" "" $'1..2\nok 1 - a\nok 2 - b'
verdict "an empty plan passes" "" '1..0'
verdict "an old-style ok line is caught" "old-style line: ok - a" $'ok - a\n1..0'
verdict "an old-style skip line is caught" "old-style line: skip - a" $'ok 1 - b\nskip - a: why\n1..1'
verdict "a misnumbered case is caught" "case 2 is numbered 3" $'ok 1 - a\nok 3 - b\n1..2'
verdict "a missing plan is caught" "0 plan lines" $'ok 1 - a'
verdict "two plans are caught" "2 plan lines" $'1..1\nok 1 - a\n1..1'
verdict "a wrong plan is caught" "plan 1..3 for 2 cases" $'ok 1 - a\nok 2 - b\n1..3'
finish
