// node_json.js — the JSON benchmark's Node.js peer: JSON.parse and
// JSON.stringify of bench/peers/doc10k.json, µs per operation after a warm-up.
const fs = require("fs");
const text = fs.readFileSync("bench/peers/doc10k.json", "utf8");
const n = Number(process.argv[2] || 1000);
const value = JSON.parse(text);
for (let i = 0; i < Math.max(1, n / 10); i++) JSON.stringify(JSON.parse(text));
let t0 = process.cpuUsage();
for (let i = 0; i < n; i++) JSON.parse(text);
let t1 = process.cpuUsage();
for (let i = 0; i < n; i++) JSON.stringify(value);
let t2 = process.cpuUsage();
const us = (a, b) => (b.user + b.system - a.user - a.system) / n;
console.log(us(t0, t1).toFixed(3) + " " + us(t1, t2).toFixed(3));
