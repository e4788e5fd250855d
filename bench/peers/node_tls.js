// node_tls.js — TLS benchmark client, the Node.js side of bench/tools/tls_client.c
// (same modes, same output), with the tls module.
//
//   node node_tls.js hs|bulk|idle PORT CAFILE N [WINDOW]
"use strict";
const tls = require("tls");
const fs = require("fs");
const [mode, port, cafile, nArg, windowArg] = process.argv.slice(2);
const n = Number(nArg), window = Number(windowArg || 1);
const opts = { host: "127.0.0.1", port: Number(port), servername: "localhost", ca: [fs.readFileSync(cafile)],
               checkServerIdentity: (host, cert) => tls.checkServerIdentity("localhost", cert) };
const t0 = process.hrtime.bigint(), cpu0 = process.cpuUsage(), rss0 = process.memoryUsage().rss;
function report(failures) {
  const s = Number(process.hrtime.bigint() - t0) / 1e9, c = process.cpuUsage(cpu0);
  console.log(`${s.toFixed(6)} ${((c.user + c.system) / 1e6).toFixed(6)} ${failures}`);
}
if (mode === "hs") {
  let started = 0, finished = 0, failures = 0;
  const one = () => {
    started++;
    let ok = false;
    const s = tls.connect(opts, () => { ok = true; s.end(); });
    s.on("error", () => {});
    s.on("close", () => {
      if (!ok) failures++;
      finished++;
      if (started < n) one(); else if (finished === n) report(failures);
    });
  };
  for (let i = 0; i < Math.min(window, n); i++) one();
} else if (mode === "bulk") {
  let got = 0;
  const s = tls.connect(opts, () => s.write("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  s.on("data", (d) => { got += d.length; if (got >= n) { report(0); process.exit(0); } });
} else {
  let established = 0;
  const conns = [];
  for (let i = 0; i < n; i++) {
    const s = tls.connect(opts, () => {
      if (++established === n) setTimeout(() => {
        global.gc && global.gc();
        console.log(((process.memoryUsage().rss - rss0) / n).toFixed(0));
        process.exit(0);
      }, 1000);
    });
    s.on("error", (e) => { console.error(e.message); process.exit(1); });
    conns.push(s);
  }
}
