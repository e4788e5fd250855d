// node_server.js — the Node.js `net` peer (the API NodeMCU imitates).
//
//   node node_server.js MODE PORT   MODE: http | idle | churn | bulk-nodemcu | bulk-natural | startup | udp
//
// The same workloads as c_server.c, written the way a Node programmer would.
// Listens on 127.0.0.1:PORT; prints nothing while serving.
'use strict';
const net = require('net');

const BACKLOG = 511;
const CHUNK = Buffer.alloc(16 * 1024, 'x');
const BULK_CHUNKS = (1024 * 1024 * 1024) / CHUNK.length;
const RESP_KEEP = 'HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!';
const RESP_CLOSE = 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nHello, World!';

function countRequests(buf) {
  let n = 0;
  for (let i = buf.indexOf('\r\n\r\n'); i >= 0; i = i + 4 < buf.length ? buf.indexOf('\r\n\r\n', i + 4) : -1) n++;
  return n;
}

// Answers each complete request in a chunk; churn closes after the response.
function httpHandler(close) {
  const resp = Buffer.from(close ? RESP_CLOSE : RESP_KEEP);
  return (sock) => {
    sock.on('data', (chunk) => {
      const n = countRequests(chunk);
      if (n === 0) return;
      const out = n === 1 ? resp : Buffer.concat(Array(n).fill(resp));
      if (close) sock.end(out);
      else sock.write(out);
    });
    sock.on('error', () => sock.destroy());
  };
}

// One write in flight: the next chunk goes out from the previous write's callback.
function bulkNodemcu(sock) {
  let left = BULK_CHUNKS;
  const next = (err) => {
    if (err) return sock.destroy();
    if (left-- > 0) sock.write(CHUNK, next);
    else sock.end();
  };
  sock.on('error', () => sock.destroy());
  next();
}

// The Node idiom: write until write() asks to wait, resume on 'drain'.
function bulkNatural(sock) {
  let left = BULK_CHUNKS;
  const pump = () => {
    while (left > 0) {
      left--;
      if (!sock.write(CHUNK)) return sock.once('drain', pump);
    }
    sock.end();
  };
  sock.on('error', () => sock.destroy());
  pump();
}

const handlers = {
  http: httpHandler(false),
  idle: httpHandler(false),
  churn: httpHandler(true),
  'bulk-nodemcu': bulkNodemcu,
  'bulk-natural': bulkNatural,
  startup: () => {},
};

const [mode, port] = process.argv.slice(2);
if (mode === 'udp') {
  // UDP echo with dgram: every datagram goes back to its sender.
  const sock = require('dgram').createSocket('udp4');
  sock.on('message', (msg, rinfo) => sock.send(msg, rinfo.port, rinfo.address));
  sock.bind(Number(port), '127.0.0.1');
  return;
}
if (!handlers[mode] || !port) {
  console.error('usage: node node_server.js http|idle|churn|bulk-nodemcu|bulk-natural|startup PORT');
  process.exit(2);
}
const server = net.createServer(handlers[mode]);
server.listen({ port: Number(port), host: '127.0.0.1', backlog: BACKLOG }, () => {
  if (mode === 'startup') server.close();
});
