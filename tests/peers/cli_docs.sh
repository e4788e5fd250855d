#!/usr/bin/env bash
# The command line as documented: every runner option the README names is in
# `netmcu --help` and in the man page, every option --help lists is in the man
# page, so are the README's exit statuses and the NETMCU_ variables the runner
# reads, and man/netmcu.1 passes `mandoc -T lint` and `man --warnings`.
. "$(dirname "$0")/lib/common.sh"
need mandoc man
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN="$ROOT/man/netmcu.1"
# Options the README names that belong to other tools (NodeMCU-Tool's reset).
NOT_RUNNER=" --softreset "

# The README's runner options: code spans that start with one, and the options
# that follow `netmcu` on a line (`build/netmcu --ip=ADDR --wifi=offline app.lua`).
readme_options() {
  grep -oE '`[^`]*`' "$ROOT/README.md" | grep -oE '^`--?[a-z][a-z0-9-]*' | tr -d '`'
  grep -oE 'netmcu( +--?[a-z][^ `]*)+' "$ROOT/README.md" | grep -oE ' --?[a-z][a-z0-9-]*'
}
has_option() { # text option
  grep -qE -- "(^|[][[:space:],|])$2([][[:space:]=,|]|$)" <<<"$1"
}

help=$("$NETMCU" --help 2>&1)
manual=$(MANWIDTH=200 mandoc -T ascii "$MAN" | col -b)
opts=$(readme_options | sed 's/^ *//' | sort -u)
missing_help= missing_man= n=0
for o in $opts; do
  [[ "$NOT_RUNNER" == *" $o "* ]] && continue
  n=$((n + 1))
  has_option "$help" "$o" || missing_help="$missing_help $o"
  has_option "$manual" "$o" || missing_man="$missing_man $o"
done
if [ "$n" -ge 12 ] && [ -z "$missing_help" ]; then
  ok "cli: netmcu --help lists each of the README's $n runner options"
else
  fail "cli: netmcu --help lists each of the README's runner options" "missing:${missing_help:- none} ($n found)"
fi
if [ -z "$missing_man" ]; then
  ok "cli: the man page describes each of the README's runner options"
else
  fail "cli: the man page describes each of the README's runner options" "missing:$missing_man"
fi

missing=
for o in $(grep -oE '^ +--?[a-z][a-z0-9-]*' <<<"$help" | sort -u); do
  has_option "$manual" "$o" || missing="$missing $o"
done
if [ -z "$missing" ]; then
  ok "cli: the man page describes every option of netmcu --help"
else
  fail "cli: the man page describes every option of netmcu --help" "missing:$missing"
fi

# Every exit status of the README's table is in the man page's EXIT STATUS.
statuses=$(sed -n '/^### Exit statuses of the runner/,/^#/p' "$ROOT/README.md" | sed -n 's/^| \([0-9][0-9]*\) |.*/\1/p')
man_statuses=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$MAN" | sed -n 's/^\.It \([0-9][0-9]*\)$/\1/p')
missing=
for st in $statuses; do grep -qx "$st" <<<"$man_statuses" || missing="$missing $st"; done
if [ -n "$statuses" ] && [ -z "$missing" ]; then
  ok "cli: the man page lists each exit status of the README ($(echo $statuses))"
else
  fail "cli: the man page lists each exit status of the README" "missing:${missing:- none} (README: $(echo $statuses))"
fi

# Every NETMCU_* variable the runner reads is in the man page's ENVIRONMENT
# (NETMCU_LUA_REEXEC is --lua's own marker between two runners, not the user's).
envs=$(grep -rhoE 'getenv\("NETMCU_[A-Z_]+"\)' "$ROOT/src" | sed 's/getenv("\(.*\)")/\1/' | sort -u)
man_envs=$(sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$MAN" | sed -n 's/^\.It Ev \([A-Z_]*\).*/\1/p')
missing=
for e in $envs; do
  [ "$e" = NETMCU_LUA_REEXEC ] && continue
  grep -qx "$e" <<<"$man_envs" || missing="$missing $e"
done
if [ -n "$envs" ] && [ -z "$missing" ]; then
  ok "cli: the man page's ENVIRONMENT has every NETMCU_ variable the runner reads"
else
  fail "cli: the man page's ENVIRONMENT has every NETMCU_ variable the runner reads" "missing:${missing:- none}"
fi

if mandoc -T lint -W warning "$MAN" >"$T/lint" 2>&1; then
  ok "cli: man/netmcu.1 passes mandoc -T lint"
else
  fail "cli: man/netmcu.1 passes mandoc -T lint" "$(tr '\n' '|' <"$T/lint")"
fi
if man --warnings -l -Tutf8 "$MAN" 2>"$T/warn" >/dev/null && [ ! -s "$T/warn" ]; then
  ok "cli: man --warnings renders man/netmcu.1 without a warning"
else
  fail "cli: man --warnings renders man/netmcu.1 without a warning" "$(tr '\n' '|' <"$T/warn")"
fi
absent=
for section in NAME SYNOPSIS DESCRIPTION OPTIONS PROFILES ENVIRONMENT FILES "EXIT STATUS" EXAMPLES; do
  grep -q "^$section\$" <<<"$manual" || absent="$absent '$section'"
done
if [ -z "$absent" ]; then
  ok "cli: the man page has its sections (options, profiles, exit statuses, environment, files)"
else
  fail "cli: the man page has its sections (options, profiles, exit statuses, environment, files)" "absent:$absent"
fi
finish
