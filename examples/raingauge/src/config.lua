-- The site's settings; a test uploads its own.
return {
  ssid = "garden", pwd = "raindrops",
  collector = {host = "192.168.1.10", port = 2003}, -- a Graphite plaintext receiver
  status_port = 80,                                 -- the status page
  period = 600000,                                  -- a report every 10 minutes (ms)
  pin = 3, led = 4,                                 -- the gauge's reed switch, the LED
}
