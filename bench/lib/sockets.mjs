// Authenticated socket.io-client v4 sockets (websocket transport only, no reconnection).
import { io } from 'socket.io-client';

/** Resolves with the socket after `user:connect_success`; rejects on error/invalid token/timeout. */
export function connectSocket(socketUrl, token, { localAddress, timeoutMs = 20000, onEvent } = {}) {
  return new Promise((resolve, reject) => {
    const opts = { transports: ['websocket'], reconnection: false, forceNew: true, timeout: timeoutMs, auth: { token, os: 'bench', browser: 'node' }, perMessageDeflate: false };
    if (localAddress) opts.localAddress = localAddress;
    const s = io(socketUrl, opts);
    if (onEvent) for (const [ev, fn] of Object.entries(onEvent)) s.on(ev, fn);
    const timer = setTimeout(() => { s.close(); reject(new Error('connect timeout')); }, timeoutMs);
    const fail = (e) => { clearTimeout(timer); s.close(); reject(e instanceof Error ? e : new Error(String(e))); };
    s.on('connect', () => s.emit('user:connect'));
    s.once('user:connect_success', () => { clearTimeout(timer); resolve(s); });
    s.once('user:invalid_token', () => fail(new Error('user:invalid_token')));
    s.once('connect_error', (e) => fail(e));
  });
}

/** emit with ack; resolves {statusCode, body, ms} or statusCode 'timeout'. */
export function emitAck(socket, event, payload, timeoutMs = 30000) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      if (err) resolve({ status: 'timeout', body: null, ms: performance.now() - t0 });
      else resolve({ status: ack?.statusCode ?? 'noack', body: ack, ms: performance.now() - t0 });
    });
  });
}
