// node_dns.js — the Node.js side of the DNS benchmark: COUNT lookups of
// distinct names with Resolver.resolve4 (c-ares, like netmcu), WINDOW in
// flight at a time; prints "<seconds> <CPU seconds> <failures>", both measured
// from the first lookup (start-up left out).
//
//   node node_dns.js SERVER COUNT WINDOW
'use strict';
const { Resolver } = require('dns');

const [server, count, windowSize] = [process.argv[2], +process.argv[3], +process.argv[4]];
const resolver = new Resolver();
resolver.setServers([server]);
let started = 0, answered = 0, failed = 0;
const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();

function nextLookup() {
  started++;
  resolver.resolve4('n' + started + '.bench.test', (err) => {
    answered++;
    if (err) failed++;
    if (started < count) {
      nextLookup();
    } else if (answered === count) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      console.log(s.toFixed(6) + ' ' + ((cpu.user + cpu.system) / 1e6).toFixed(6) + ' ' + failed);
    }
  });
}
for (let i = 0; i < Math.min(windowSize, count); i++) nextLookup();
