// Quick local load loop (not part of the test suite):
//   node bench.js <httpBase> <socketUrl> <mode: socket|rest> <pairs> <seconds>
// Each pair = two users with a websocket each; every sender keeps exactly one message in flight
// (next send after the ack / HTTP response). Latency = send -> the receiver's user:new_message.
const io = require('socket.io-client');
const http = require('http');

const [httpBase, socketUrl, mode = 'socket', pairs = '64', seconds = '10'] = process.argv.slice(2);
const P = +pairs, SECS = +seconds;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const run = Date.now().toString(36);

function req(method, path, body, token) {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : null;
    const u = new URL(httpBase + path);
    const r = http.request({ agent, method, hostname: u.hostname, port: u.port, path: u.pathname + u.search,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}),
        ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      let buf = ''; res.on('data', (c) => buf += c); res.on('end', () => resolve(JSON.parse(buf || '{}')));
    });
    r.on('error', reject); if (data) r.write(data); r.end();
  });
}

async function user(i) {
  const email = `b${run}-${i}@bench.test`;
  await req('POST', '/api/user', { name: 'Bench' + i, email, password: 'benchmark-pass' });
  const r = await req('POST', '/api/auth/login', { email, password: 'benchmark-pass', os: 'bench', browser: 'bench' });
  return { id: r.data.userID, token: r.data.accessToken };
}

function connect(u) {
  return new Promise((resolve, reject) => {
    const s = io(socketUrl, { transports: ['websocket'], forceNew: true, reconnection: false,
      query: { authorization: 'Bearer ' + u.token } });
    s.on('connect', () => s.emit('user:connect'));
    s.on('user:connect_success', () => resolve(s));
    s.on('user:invalid_token', () => reject(new Error('invalid token')));
    s.on('connect_error', reject);
  });
}

(async () => {
  const users = [];
  for (let i = 0; i < 2 * P; i += 16) users.push(...await Promise.all([...Array(Math.min(16, 2 * P - i)).keys()].map((k) => user(i + k))));
  const sockets = await Promise.all(users.map(connect));
  const lat = []; let delivered = 0, acked = 0, errors = 0, measuring = false;
  sockets.forEach((s, i) => s.on('user:new_message', (m) => {
    if (m.receiverID !== users[i].id || m.senderID === m.receiverID) return; // count receiver deliveries
    const t = +m.message.split(' ')[0];
    if (measuring) { delivered++; lat.push(Number(process.hrtime.bigint() / 1000n) - t); }
  }));
  const now = () => Number(process.hrtime.bigint() / 1000n);
  let stop = false;
  async function loop(p) {
    const from = users[2 * p], to = users[2 * p + 1], s = sockets[2 * p];
    while (!stop) {
      const text = now() + ' hello';
      if (mode === 'socket') {
        const ack = await new Promise((res) => s.emit('message:send', { receiverID: to.id, message: text }, res));
        if (ack.statusCode === 200) { if (measuring) acked++; } else errors++;
      } else {
        const r = await req('POST', '/api/message/' + to.id, { message: text }, from.token);
        if (r.statusCode === 200) { if (measuring) acked++; } else errors++;
      }
    }
  }
  const loops = [...Array(P).keys()].map(loop);
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  measuring = true; const t0 = Date.now(); console.error('MEASURING');
  await new Promise((r) => setTimeout(r, SECS * 1000));
  measuring = false; const secs = (Date.now() - t0) / 1000; stop = true;
  await Promise.all(loops);
  lat.sort((a, b) => a - b);
  const q = (p) => (lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] / 1000).toFixed(1);
  console.log(JSON.stringify({ mode, inFlight: P, seconds: secs, sendsPerSec: Math.round(acked / secs),
    deliveredPerSec: Math.round(delivered / secs), p50ms: q(0.5), p99ms: q(0.99), errors }));
  sockets.forEach((s) => s.close());
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
