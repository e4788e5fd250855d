-- `require "net.gpio"` and `require "net.encoder"` from a plain Lua
-- interpreter: the runner's gpio and encoder, found in net.so; a button
-- pressed through the control channel fires gpio.trig under net.run().
local net = require "net"
local gpio = require "net.gpio"
local encoder = require "net.encoder"
local control = require "net.control"
local ok, fails = 0, 0
local function check(cond, name, why)
  if cond then ok = ok + 1; print("ok " .. ok + fails .. " - " .. name)
  else fails = fails + 1; print("not ok " .. ok + fails .. " - " .. name .. ": " .. (why or "failed")) end
end

check(rawget(_G, "gpio") == nil and rawget(_G, "encoder") == nil, "require makes no globals")
check(encoder.toBase64("hi") == "aGk=" and encoder.fromHex("6869") == "hi", "require 'net.encoder'")
check(gpio.OUTPUT == 1 and gpio.INT == 2, "require 'net.gpio'")
check(control.send("help"):find("gpio", 1, true) ~= nil, "gpio registered its control noun")

local got
gpio.mode(4, gpio.OUTPUT)
gpio.mode(3, gpio.INT, gpio.PULLUP)
gpio.trig(3, "down", function(level)
  got = level
  gpio.write(4, gpio.HIGH)
  gpio.trig(3, "none")
end)
control.send("gpio set 3 0")
check(got == nil, "no callback inside control.send")
net.run()
check(got == 0 and control.send("gpio get 4") == "1 output", "the button's callback ran from net.run()",
      tostring(got) .. " " .. control.send("gpio get 4"))
-- The small modules: bit, struct, crypto, adc, pwm, rtcmem.
local bit, struct, crypto = require "net.bit", require "net.struct", require "net.crypto"
local adc, pwm, rtcmem = require "net.adc", require "net.pwm", require "net.rtcmem"
check(bit.bnot(0) == -1 and bit.lshift(1, 31) == -2147483648, "require 'net.bit': 32-bit words")
check(struct.pack(">I2", 258) == "\1\2" and struct.size("l") == 4, "require 'net.struct'")
check(encoder.toHex(crypto.hash("sha1", "abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d", "require 'net.crypto'")
control.send("adc set 321")
check(adc.read(0) == 321, "require 'net.adc' reads what the control channel drives")
check(pwm.setup(3, 200, 100) == 200 and control.send("pwm get 3") == "200 100 off", "require 'net.pwm'")
rtcmem.write32(1, 42)
check(rtcmem.read32(1) == 42, "require 'net.rtcmem'")
print("1.." .. ok + fails)
os.exit(fails == 0 and 0 or 1)
