#!/usr/bin/env bash
# lua-version-dependent: netmcu.test runs on the test's Lua ($LUA_BIN)
# netmcu.test under busted: the library's own specs (tests/testlib/) and the
# example project's (examples/raingauge/), each on the Lua of this build
# ($LUA_BIN), against real boards. busted's TAP lines become ours; then a
# luaunit suite (tests/testlib/test_luaunit.lua).
. "$(dirname "$0")/lib/common.sh"
cd "$(dirname "$0")/../.."
ROOT=$PWD
need busted
export NETMCU_TEST_TIMEOUT=$(bound 10)

# run_spec LABEL DIR busted-args... — one line of ours per busted case.
run_spec() {
  local label=$1 dir=$2; shift 2
  local out=$T/$label.tap name
  (cd "$dir" && timeout -k 2 "$(bound 80)" busted --lua="${LUA_BIN:-lua5.1}" -o TAP \
     --lpath="$ROOT/lua/?.lua" "$@") >"$out" 2>&1
  local st=$?
  while IFS= read -r line; do
    case "$line" in
      "ok "*"# SKIP"*) name=${line#*# SKIP }; skip "$label: ${name%%:*}" "${name#*: }" ;;
      "ok "*) name=${line#ok * - }; ok "$label: $name" ;;
      "not ok "*) name=${line#not ok * - }
        fail "$label: $name" "$(sed -n "/^not ok [0-9]* - $(printf '%s' "$name" | sed 's/[][\.*^$/]/\\&/g')\$/,/^\(ok\|not ok\)/p" "$out" \
          | grep '^#' | tr '\n' ' ')" ;;
    esac
  done <"$out"
  if ! grep -q '^1\.\.[0-9]' "$out"; then
    fail "$label: busted ran" "status $st: $(tail -n 15 "$out" | tr '\n' ' ')"
  fi
}

run_spec testlib tests/testlib .
run_spec raingauge examples/raingauge

# luaunit (Debian's lua-unit, which tools/deps.sh installs): the same library
# from a luaunit suite. Its TAP lines become ours; a missing luaunit fails.
run_luaunit() {
  local out=$T/luaunit.tap line
  if ! "${LUA_BIN:-lua5.1}" -e 'require "luaunit"' 2>/dev/null; then
    fail "luaunit: require 'luaunit'" "not found for ${LUA_BIN:-lua5.1}: tools/deps.sh test installs Debian's lua-unit"
    return
  fi
  local path="$ROOT/lua/?.lua;;"
  LUA_PATH=$path LUA_PATH_5_3=$path LUA_PATH_5_4=$path timeout -k 2 "$(bound 60)" \
    "${LUA_BIN:-lua5.1}" tests/testlib/test_luaunit.lua >"$out" 2>&1
  local st=$?
  while IFS= read -r line; do
    case "$line" in
      "ok "*) ok "luaunit: ${line##*$'\t'}" ;;
      "not ok "*) fail "luaunit: ${line##*$'\t'}" "$(sed -n "/^not ok .*${line##*$'\t'}\$/,/^\(ok\|not ok\)/p" "$out" | grep '^#' | tr '\n' ' ')" ;;
    esac
  done <"$out"
  grep -q '^1\.\.[0-9]' "$out" || fail "luaunit: ran" "status $st: $(tail -n 15 "$out" | tr '\n' ' ')"
}
run_luaunit
finish
