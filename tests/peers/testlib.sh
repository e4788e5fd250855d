#!/usr/bin/env bash
# netmcu.test under busted: the library's own specs (tests/testlib/) and the
# example project's (examples/raingauge/), each on the Lua of this build
# ($LUA_BIN), against real boards. busted's TAP lines become ours.
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

# luaunit: Debian packages none (apt-cache search luaunit finds nothing), and a
# copy fetched from elsewhere is not kept in the repository, so this runs where
# luaunit is installed (luarocks) and skips, saying so, elsewhere. The library
# raises plain errors, so it needs nothing of busted and works there too.
if "${LUA_BIN:-lua5.1}" -e 'require "luaunit"' 2>/dev/null; then
  cat >"$T/test_luaunit.lua" <<'EOF2'
local lu = require "luaunit"
local T = require "netmcu.test"
function test_board_prints()
  local b = T.board{code = "print('hi from the board')"}
  lu.assertEquals(b:expect_output("^hi from (%a+)"), "the")
  lu.assertEquals(b:wait(), 0)
  b:close()
end
os.exit(lu.LuaUnit.run())
EOF2
  LUA_PATH="$ROOT/lua/?.lua;;" "${LUA_BIN:-lua5.1}" "$T/test_luaunit.lua" >"$T/luaunit.out" 2>&1 \
    && ok "luaunit: a board under luaunit" || fail "luaunit: a board under luaunit" "$(tail -n 5 "$T/luaunit.out" | tr '\n' ' ')"
else
  skip "luaunit: a board under luaunit" "require 'luaunit' fails in ${LUA_BIN:-lua5.1}: no Debian package ships luaunit (apt-cache search luaunit finds none), 'luarocks search luaunit' finds none from this machine, and the repository keeps no copy; 'luarocks install luaunit' (or LUA_PATH naming a luaunit.lua) runs it"
fi
finish
