#!/usr/bin/env bash
# crypto_openssl.sh — crypto's answers checked against the openssl command on
# random data the test makes: every hash (crypto.hash, crypto.fhash, a hash
# object fed in pieces), HMAC with a binary key, and AES-ECB/CBC encryption
# and decryption with the firmware's zero padding (openssl enc -nopad of the
# zero-padded input), in both profiles.
. "$(dirname "$0")/lib/common.sh"
need openssl od
hexdump() { od -An -v -tx1 "$@" | tr -d ' \n'; }

FLASH="$T/flash"
mkdir -p "$FLASH"
head -c 1000 /dev/urandom >"$FLASH/data.bin"     # not a multiple of any block
head -c 37 /dev/urandom >"$T/key.bin"
KEY16=$(head -c 16 /dev/urandom | hexdump)
KEY32=$(head -c 32 /dev/urandom | hexdump)
IV=$(head -c 16 /dev/urandom | hexdump)
# The firmware's padding: zeros up to a whole block.
cp "$FLASH/data.bin" "$T/padded.bin"
head -c 8 /dev/zero >>"$T/padded.bin"

cat >"$T/digests.lua" <<EOF
$PRELUDE
local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end
local function unhex(h) return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end)) end
local f = io.open("$FLASH/data.bin", "rb"); local data = f:read("*a"); f:close()
f = io.open("$T/key.bin", "rb"); local key = f:read("*a"); f:close()
for _, algo in ipairs({"md5", "sha1", "sha256", "sha384", "sha512"}) do
  local obj = crypto.new_hash(algo:upper())
  for i = 1, #data, 77 do obj:update(data:sub(i, i + 76)) end
  local mac = crypto.new_hmac(algo, key)
  mac:update(data:sub(1, 500)); mac:update(data:sub(501))
  print("HASH " .. algo .. " " .. hex(crypto.hash(algo, data)))
  print("FHASH " .. algo .. " " .. hex(crypto.fhash(algo, "data.bin")))
  print("OBJ " .. algo .. " " .. hex(obj:finalize()))
  print("HMAC " .. algo .. " " .. hex(crypto.hmac(algo, data, key)))
  print("HMACOBJ " .. algo .. " " .. hex(mac:finalize()))
end
print("ECB " .. hex(crypto.encrypt("AES-ECB", unhex("$KEY16"), data)))
print("CBC " .. hex(crypto.encrypt("AES-CBC", unhex("$KEY16"), data, unhex("$IV"))))
print("CBC256 " .. hex(crypto.encrypt("AES-CBC", unhex("$KEY32"), data, unhex("$IV"))))
local f2 = io.open("$T/cipher.bin", "rb"); local cipher = f2:read("*a"); f2:close()
print("DEC " .. tostring(crypto.decrypt("AES-CBC", unhex("$KEY16"), cipher, unhex("$IV")) == data .. ("\0"):rep(8)))
EOF

openssl enc -aes-128-cbc -nopad -K "$KEY16" -iv "$IV" -in "$T/padded.bin" -out "$T/cipher.bin"
for profile in 1.5 3.0; do
  out="$T/digests$profile.out"
  if ! (cd "$FLASH" && timeout "$(bound 20)" "$NETMCU" --compat="$profile" --flash "$FLASH" "$T/digests.lua") \
       >"$out" 2>"$T/digests$profile.err"; then
    fail "crypto $profile: the script runs" "$(tail -n 3 "$T/digests$profile.err")"; continue
  fi
  for algo in md5 sha1 sha256 sha384 sha512; do
    want=$(openssl dgst "-$algo" -r "$FLASH/data.bin" | cut -d' ' -f1)
    mac=$(openssl dgst "-$algo" -r -mac HMAC -macopt "hexkey:$(hexdump "$T/key.bin")" "$FLASH/data.bin" | cut -d' ' -f1)
    for kind in HASH FHASH OBJ; do
      got=$(sed -n "s/^$kind $algo //p" "$out")
      [ -n "$want" ] && [ "$got" = "$want" ] && ok "crypto $profile: $kind $algo = openssl dgst" \
        || fail "crypto $profile: $kind $algo = openssl dgst" "got '$got', openssl '$want'"
    done
    for kind in HMAC HMACOBJ; do
      got=$(sed -n "s/^$kind $algo //p" "$out")
      [ -n "$mac" ] && [ "$got" = "$mac" ] && ok "crypto $profile: $kind $algo = openssl dgst -mac HMAC" \
        || fail "crypto $profile: $kind $algo = openssl dgst -mac HMAC" "got '$got', openssl '$mac'"
    done
  done
  ecb=$(openssl enc -aes-128-ecb -nopad -K "$KEY16" -in "$T/padded.bin" | hexdump)
  cbc=$(hexdump "$T/cipher.bin")
  cbc256=$(openssl enc -aes-256-cbc -nopad -K "$KEY32" -iv "$IV" -in "$T/padded.bin" | hexdump)
  for pair in "ECB:$ecb" "CBC:$cbc" "CBC256:$cbc256"; do
    kind=${pair%%:*} want=${pair#*:}
    got=$(sed -n "s/^$kind //p" "$out")
    [ -n "$want" ] && [ "$got" = "$want" ] && ok "crypto $profile: encrypt $kind = openssl enc -nopad" \
      || fail "crypto $profile: encrypt $kind = openssl enc -nopad" "got ${got:0:40}..., openssl ${want:0:40}..."
  done
  grep -q '^DEC true$' "$out" && ok "crypto $profile: decrypt of openssl's CBC output" \
    || fail "crypto $profile: decrypt of openssl's CBC output" "$(grep '^DEC' "$out")"
done
finish
