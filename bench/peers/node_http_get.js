// node_http_get.js — HTTP client benchmark, the Node.js side of bench/peers/c_http_get.c
// (same arguments, same output): COUNT http.get, WINDOW in flight, a new
// connection each (agent: false sends Connection: close), the same headers.
//
//   node node_http_get.js PORT PATH COUNT WINDOW
"use strict";
const http = require("http");
const [port, path, nArg, windowArg] = process.argv.slice(2);
const n = Number(nArg), window = Number(windowArg);
const opts = { host: "127.0.0.1", port: Number(port), path, agent: false, headers: { "User-Agent": "ESP8266" } };
const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage();
let started = 0, finished = 0, failures = 0;
function done(ok) {
  if (!ok) failures++;
  finished++;
  if (started < n) one();
  else if (finished === n) {
    const s = Number(process.hrtime.bigint() - t0) / 1e9, c = process.cpuUsage(cpu0);
    console.log(`${s.toFixed(6)} ${((c.user + c.system) / 1e6).toFixed(6)} ${failures}`);
  }
}
function one() {
  started++;
  http.get(opts, (res) => {
    let body = 0;
    res.on("data", (d) => { body += d.length; });
    res.on("end", () => done(res.statusCode === 200));
  }).on("error", () => done(false));
}
for (let i = 0; i < Math.min(window, n); i++) one();
