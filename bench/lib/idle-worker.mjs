// Child process holding many idle authenticated sockets (forked by scenarios/idle.mjs).
// Bounded: exits on 'close', when its parent goes away, or after maxLifetimeMs.
import { connectSocket } from './sockets.mjs';

const sockets = []; let failed = 0, dropped = 0; const errors = {};
const maxLife = Number(process.env.MAX_LIFETIME_MS || 900000);
setTimeout(() => { for (const s of sockets) s.close(); process.exit(0); }, maxLife).unref();
process.on('disconnect', () => { for (const s of sockets) s.close(); process.exit(0); });

process.on('message', async (m) => {
  if (m.cmd === 'connect') {
    const { socketUrl, tokens, count, localAddress, concurrency = 100 } = m;
    let next = 0;
    const one = async () => {
      while (next < count) {
        const k = next++;
        try {
          const s = await connectSocket(socketUrl, tokens[k % tokens.length], { localAddress, timeoutMs: 30000 });
          s.on('disconnect', () => { dropped++; });
          sockets.push(s);
        } catch (e) { failed++; const key = String(e.message).slice(0, 60); errors[key] = (errors[key] || 0) + 1; }
        if (k % 500 === 0) process.send({ type: 'progress', connected: sockets.length, failed });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, one));
    process.send({ type: 'connected', connected: sockets.length, failed, errors });
  } else if (m.cmd === 'status') {
    process.send({ type: 'status', connected: sockets.filter((s) => s.connected).length, dropped, failed });
  } else if (m.cmd === 'close') {
    for (const s of sockets) s.close();
    process.send({ type: 'closed' }); setTimeout(() => process.exit(0), 200);
  }
});
process.send({ type: 'ready' });
