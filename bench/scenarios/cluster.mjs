// cluster: send-socket across 2 nodes sharing Postgres/Redis — senders on node A, receivers on node B,
// so every delivery crosses the Redis fan-out.
import { setupPairs, runLevel, sendTargets, jitWarmup } from './send.mjs';

export async function run(ctx) {
  const { opts, nodes } = ctx;
  if (nodes.length < 2) throw new Error('cluster needs two nodes');
  const levels = opts.levels || [64, 256];
  const duration = opts.duration ?? (opts.quick ? 5 : 15), warmup = opts.warmup ?? (opts.quick ? 2 : 5);
  const h = await setupPairs(ctx, { pairs: opts.pairs || 50, senderNode: nodes[0], receiverNode: nodes[1], label: 'c' });
  const out = [];
  try {
    await jitWarmup(ctx, h, { mode: 'socket' });
    for (const C of levels) { const l = await runLevel(ctx, h, { mode: 'socket', C, duration, warmup }); l.label = 'A→B'; out.push(l); }
  } finally { h.close(); }
  return {
    params: { pairs: opts.pairs || 50, levels, duration, warmup, nodes: nodes.map((n) => n.url) }, levels: out,
    note: 'Senders\' sockets and REST setup on node A, receivers\' sockets on node B; both nodes share one Postgres database and one Redis (same key prefix). CPU columns `srvA`/`srvB` are the two server processes.',
    targets: sendTargets(out).map((t) => ({ ...t, name: `cluster ${t.name}` })),
  };
}
