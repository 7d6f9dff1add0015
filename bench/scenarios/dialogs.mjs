// dialogs: one user with 200 dialogs (half unread), GET /api/dialog latency.
import { createUsers, must, pmap, randomUUID, warmGets } from '../lib/api.mjs';
import { summarize, sleep } from '../lib/stats.mjs';

export async function run(ctx) {
  const { api, opts, log } = ctx;
  const count = opts.dialogs || 200, reqs = opts.quick ? 200 : 1000;
  log(`creating 1 + ${count} users`);
  const [me] = await createUsers(api, 1, { prefix: 'dm' });
  const others = await createUsers(api, count, { prefix: 'do', concurrency: 8 });
  log('opening dialogs');
  // every other user writes 3 messages to me (unread for me); I answer half of them
  await pmap(others, 16, async (o, i) => {
    for (let k = 0; k < 3; k++) must(await api.post(`/api/message/${me.id}`, { message: `hi ${k} from ${o.name}`, clientMessageID: randomUUID() }, o.token), 'send');
    if (i % 2 === 0) must(await api.post(`/api/message/${o.id}`, { message: `answer to ${o.name}`, clientMessageID: randomUUID() }, me.token), 'answer');
  });
  await sleep(500);
  const first = await api.get('/api/dialog', me.token);
  const list = must(first, 'dialog list');
  const bytes = JSON.stringify(first.body).length;
  await warmGets(api, me.token, ['/api/dialog'], { seconds: opts.quick ? 3 : 15 }); // JIT warm-up
  const lat = []; const errors = {};
  const end = performance.now() + 60000;
  for (let i = 0; i < reqs && performance.now() < end; i++) { const r = await api.get('/api/dialog', me.token); if (r.status === 200) lat.push(r.ms); else errors[r.status] = (errors[r.status] || 0) + 1; }
  const s = summarize(lat);
  const unread = list.filter((d) => d.newMessagesCount > 0).length;
  log(`dialogs: ${list.length} dialogs (${unread} with unread), p50 ${s.p50} ms p99 ${s.p99} ms`);
  return {
    params: { dialogs: count, requests: reqs, sequential: true }, dialogsReturned: list.length, withUnread: unread, responseBytes: bytes, latencyMs: s, errors,
    targets: [
      { name: `dialog list of ${count} returns all ${count}`, value: list.length, pass: list.length === count },
      { name: 'dialog list of 200 ≤ 5 ms median', value: s.p50, pass: s.p50 != null && s.p50 <= 5 },
    ],
  };
}
