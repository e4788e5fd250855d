#!/usr/bin/env bash
# JSON against the reference: json_corpus.lua runs under plain lua5.1 with
# Debian's lua-cjson, under netmcu's 1.5 profile (its cjson) and under the
# 2.2 and 3.0 profiles (sjson, whole and fed one byte at a time); every value must
# match the reference's, and every text sjson writes must be JSON that
# python3's strict parser reads. The documented differences (strict number
# syntax, raw control characters) are checked to be what the README says.
. "$(dirname "$0")/lib/common.sh"
need lua5.1 python3
HERE=$(cd "$(dirname "$0")" && pwd)

if ! lua5.1 -e 'require "cjson"' 2>/dev/null; then
  fail "json: reference" "lua5.1 cannot load lua-cjson (Debian package lua-cjson)"
  finish
fi
lua5.1 "$HERE/json_corpus.lua" >"$T/ref" 2>"$T/ref.err" || fail "json: reference run" "$(cat "$T/ref.err")"
timeout "$(bound 20)" "$NETMCU" "$HERE/json_corpus.lua" >"$T/cjson" 2>"$T/cjson.err" ||
  fail "json: cjson run" "$(tail -n 3 "$T/cjson.err" | tr '\n' '|')"
timeout "$(bound 20)" "$NETMCU" --compat=3.0 "$HERE/json_corpus.lua" >"$T/sjson" 2>"$T/sjson.err" ||
  fail "json: sjson run" "$(tail -n 3 "$T/sjson.err" | tr '\n' '|')"
timeout "$(bound 20)" "$NETMCU" --compat=2.2 "$HERE/json_corpus.lua" >"$T/sjson22" 2>"$T/sjson22.err" ||
  fail "json: sjson 2.2 run" "$(tail -n 3 "$T/sjson22.err" | tr '\n' '|')"

# compare LABEL FILE: each line of FILE (KIND NAME RESULT) against the reference's line of the same KIND NAME.
compare() {
  local label=$1 file=$2 kind name result want n=0
  while read -r kind name result; do
    n=$((n + 1))
    want=$(awk -v k="$kind" -v n="$name" '$1 == k && $2 == n { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }' "$T/ref")
    if [ "$kind" = self ]; then # a check of its own, made by the corpus script
      if [ "$result" = ok ]; then ok "json: $label $name"; else fail "json: $label $name" "$result"; fi
    elif [ "$kind" = lenient ]; then
      if [ "$result" = error ] && [ -n "$want" ] && [ "$want" != error ]; then
        ok "json: $label refuses $name, which lua-cjson reads leniently (documented)"
      else
        fail "json: $label refuses $name, which lua-cjson reads leniently (documented)" "got '$result', lua-cjson '$want'"
      fi
    elif [ "$result" = "$want" ]; then
      ok "json: $label $kind $name as lua-cjson"
    else
      fail "json: $label $kind $name as lua-cjson" "got '${result:0:160}', want '${want:0:160}'"
    fi
  done <"$file"
  [ "$n" -gt 40 ] || fail "json: $label ran its cases" "only $n lines"
}
compare cjson "$T/cjson"
compare sjson "$T/sjson"
compare "sjson 2.2" "$T/sjson22"

# Every text sjson writes is strict JSON (python3 refuses NaN, raw control characters, bad escapes).
cat >"$T/texts.lua" <<'LUA'
local values = {
  {1, 2, {a = "x/y", b = {}}}, {s = "\0\1\31\127\255 \"\\"}, {0.1, -0.0, 1e300, 2 ^ 63, 0 / 0, 1 / 0, -1 / 0},
  {f = function() return {1, "two"} end, n = sjson.NULL}, {[1] = 1, [5] = 5},
}
for _, v in ipairs(values) do print((sjson.encode(v):gsub("\n", "\\n"))) end
LUA
timeout "$(bound 10)" "$NETMCU" --compat=3.0 "$T/texts.lua" >"$T/texts" 2>&1
if python3 - "$T/texts" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="latin-1").read().splitlines()
assert len(lines) == 5, lines
for l in lines:
    json.loads(l, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
PY
then
  ok "json: every text sjson writes is strict JSON (python3)"
else
  fail "json: every text sjson writes is strict JSON (python3)" "$(head -c 400 "$T/texts")"
fi
finish
