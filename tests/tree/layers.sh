#!/usr/bin/env bash
# layers.sh — the layering of src/ (docs/architecture.md §1), checked on the
# includes: core has no Lua and nothing above it; the runtime hosts Lua but
# includes no binding and nothing of the runner; a binding includes nothing
# of the runner. A violation names the file, the line and the include.
. "$(dirname "$0")/../peers/lib/common.sh"
SRC="$(cd "$(dirname "$0")/../../src" && pwd)"

# violations ROOT DIR REGEX — the #include lines under ROOT/DIR that match REGEX.
violations() {
  grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($3)" "$1/$2" \
    --include='*.c' --include='*.h' | sed "s|^$1/||"
}

# check LABEL DIR REGEX — no #include under src/DIR matches REGEX.
check() {
  local hits
  hits=$(violations "$SRC" "$2" "$3")
  if [ -z "$hits" ]; then ok "$1"; else fail "$1" "$(echo "$hits" | tr '\n' ';')"; fi
}

LUA_HEADERS='lua|lauxlib|lualib|luajit'
check "core includes no Lua header" core "$LUA_HEADERS"
check "core includes nothing of runtime, modules or runner" core 'runtime/|modules/|runner/'
check "runtime includes no binding and nothing of the runner" runtime 'modules/|runner/'
check "bindings include nothing of the runner" modules 'runner/'

# The check itself catches a core file that includes Lua.
mkdir -p "$T/src/core"
printf '#include <stdio.h>\n#include <lauxlib.h>\n' >"$T/src/core/bad.c"
if [ "$(violations "$T/src" core "$LUA_HEADERS")" = "core/bad.c:2:#include <lauxlib.h>" ]; then
  ok "the check catches a core file that includes Lua"
else
  fail "the check catches a core file that includes Lua" "got '$(violations "$T/src" core "$LUA_HEADERS")'"
fi
finish
