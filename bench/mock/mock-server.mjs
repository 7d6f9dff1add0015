// Minimal in-memory stand-in for Parley's public API, ONLY to test the harness before the
// real server lands (node bench/mock/mock-server.mjs <httpPort> <socketPort>). Not a benchmark target.
import http from 'node:http';
import { Server } from 'socket.io';

const [httpPort = 18080, socketPort = 18081] = process.argv.slice(2).map(Number);
const users = new Map(); const byEmail = new Map(); const messages = []; const dialogs = new Map(); let uid = 0;
const io = new Server(socketPort, { transports: ['websocket', 'polling'] });
const ok = (res, data) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ statusCode: 200, message: 'OK', data })); };
const err = (res, c, m) => { res.writeHead(c, { 'content-type': 'application/json' }); res.end(JSON.stringify({ statusCode: c, message: m, error: 'err' })); };
const auth = (h) => { const m = /^Bearer tok-(\d+)$/.exec(h || ''); return m ? +m[1] : null; };
const seen = new Map();
function send(from, to, text, cmid) {
  if (!users.has(to)) return [400, 'Receiver user not found'];
  if (cmid && seen.has(cmid)) return [200, seen.get(cmid)];
  const now = new Date().toISOString();
  const m = { messageID: messages.length + 1, senderID: from, receiverID: to, message: text, createdAt: now, updatedAt: now, isUpdated: false, isReaded: false };
  messages.push(m); if (cmid) seen.set(cmid, m);
  const k = [from, to].sort().join(':'); if (!dialogs.has(k)) dialogs.set(k, []); dialogs.get(k).push(m);
  setImmediate(() => { io.to(`user:${to}`).emit('user:new_message', m); io.to(`user:${from}`).emit('user:new_message', m); });
  return [200, m];
}
http.createServer((req, res) => {
  let body = ''; req.on('data', (c) => (body += c)); req.on('end', () => {
    const b = body ? JSON.parse(body) : {}; const u = new URL(req.url, 'http://x'); const me = auth(req.headers.authorization);
    const p = u.pathname;
    if (p === '/api/config') return ok(res, { socketUrl: `http://127.0.0.1:${socketPort}` });
    if (p === '/api/user' && req.method === 'POST') { if (byEmail.has(b.email)) return err(res, 400, 'Email in use'); const id = ++uid; users.set(id, { id, ...b }); byEmail.set(b.email, id); return ok(res); }
    if (p === '/api/auth/login') { const id = byEmail.get(b.email); if (!id || users.get(id).password !== b.password) return err(res, 401, 'Invalid password or email'); const t0 = Date.now(); while (Date.now() - t0 < 5); return ok(res, { userID: id, accessToken: `tok-${id}`, refreshToken: 'r' }); }
    if (!me) return err(res, 401, 'Unauthorized');
    if (p === '/api/user/search') return ok(res, [...users.values()].filter((x) => x.id !== me && x.name.includes(b.name)).slice(0, 50).map((x) => ({ id: x.id, name: x.name })));
    let m = /^\/api\/message\/(\d+)$/.exec(p);
    if (m && req.method === 'POST') { const [c, d] = send(me, +m[1], b.message, b.clientMessageID); return c === 200 ? ok(res, d) : err(res, c, d); }
    if (m && req.method === 'GET') {
      const list = dialogs.get([me, +m[1]].sort().join(':')) || []; const take = +u.searchParams.get('take') || 20;
      if (u.searchParams.has('before')) { const before = +u.searchParams.get('before'); const older = list.filter((x) => x.messageID < before); return ok(res, older.slice(-take).reverse()); }
      const skip = +u.searchParams.get('skip') || 0; return ok(res, list.slice(Math.max(0, list.length - skip - take), list.length - skip).reverse());
    }
    if (p === '/api/dialog') return ok(res, [...dialogs.entries()].filter(([k]) => k.split(':').map(Number).includes(me)).map(([k, l]) => ({ receiverID: k.split(':').map(Number).find((x) => x !== me), lastMessage: l.at(-1).message, createdAt: l.at(-1).createdAt, newMessagesCount: 0, connectionStatus: 'offline' })));
    return err(res, 404, 'not found');
  });
}).listen(httpPort, '127.0.0.1');
io.on('connection', (s) => {
  const id = auth('Bearer ' + String(s.handshake.auth?.token || '').replace(/^Bearer /, ''));
  s.on('user:connect', () => { if (!id) { s.emit('user:invalid_token'); s.disconnect(); return; } s.join(`user:${id}`); s.emit('user:connect_success'); });
  s.on('message:send', (b, ack) => { const [c, d] = send(id, b.receiverID, b.message, b.clientMessageID); ack?.(c === 200 ? { statusCode: 200, message: 'OK', data: d } : { statusCode: c, message: d }); });
});
console.log(`mock on ${httpPort}/${socketPort}`);
