// send-rest / send-socket: P pairs, closed loop at total concurrency C, receivers count user:new_message.
import { createUsers, must, pmap, randomUUID } from '../lib/api.mjs';
import { connectSocket, emitAck } from '../lib/sockets.mjs';
import { summarize, TimeSeries, sleep, round } from '../lib/stats.mjs';
import { PgMonitor } from '../lib/pgmon.mjs';

/**
 * Sets up P pairs (senders' sockets on senderNode, receivers' on receiverNode), opens dialogs.
 * Returns a harness that can run closed-loop levels.
 */
export async function setupPairs(ctx, { pairs, senderNode, receiverNode, label = 's' }) {
  const { api, log } = ctx;
  log(`creating ${pairs * 2} users`);
  const users = await createUsers(api, pairs * 2, { prefix: label, concurrency: 8 });
  const senders = users.slice(0, pairs), receivers = users.slice(pairs);
  const registry = new Map(); // cmid -> record
  const stats = { unknown: 0, senderEcho: 0, newDialog: 0 };
  const onMsg = (ownerId) => (m) => {
    const now = performance.now();
    const text = m?.message; if (typeof text !== 'string' || !text.startsWith('bench|')) { stats.unknown++; return; }
    const cmid = text.slice(6, 42); const rec = registry.get(cmid);
    if (!rec) { stats.unknown++; return; }
    if (m.receiverID !== ownerId) { stats.senderEcho++; rec.echo = (rec.echo || 0) + 1; return; }
    rec.delivered++; if (rec.delivered === 1) { rec.dT = now; rec.messageID = rec.messageID ?? m.messageID; }
  };
  log(`connecting ${pairs * 2} sockets`);
  const connect = (u, node) => connectSocket(node.socketUrl, u.token, { onEvent: { 'user:new_message': onMsg(u.id), 'user:new_dialog': () => stats.newDialog++ } });
  const sSock = await pmap(senders, 16, (u) => connect(u, senderNode));
  const rSock = await pmap(receivers, 16, (u) => connect(u, receiverNode));
  // open every dialog with one message (creation path excluded from the measurement)
  await pmap(senders, 8, async (u, i) => must(await api.post(`/api/message/${receivers[i].id}`, { message: 'hello', clientMessageID: randomUUID() }, u.token), 'first message'));
  await sleep(300);
  return { senders, receivers, sSock, rSock, registry, stats, close: () => { for (const s of [...sSock, ...rSock]) s.close(); } };
}

/**
 * JIT warm-up of a freshly started server (all discarded). On 2 cores C2 needs 40–60 s of load before
 * a REST send reaches its steady cost (measured: 0.8k → 1.4k → 1.9k → 2.3k msg/s in successive 10 s
 * runs), so run 5 s rounds at C=64 until a round is within 5 % of the one before (at least 20 s,
 * at most 90 s). Quick mode: one 3 s round.
 */
export async function jitWarmup(ctx, h, { mode, restApi }) {
  const quick = ctx.opts.quick, t0 = performance.now(); let prev = 0, rounds = 0;
  ctx.log(`JIT warm-up ${mode} C=64 (discarded) until the rate settles`);
  for (;;) {
    const l = await runLevel(ctx, h, { mode, C: 64, duration: quick ? 3 : 5, warmup: 0, restApi, quiet: true, drainMs: 500 });
    rounds++; const rate = l.deliveredPerSec || 0, sec = (performance.now() - t0) / 1000;
    const settled = prev > 0 && rate < prev * 1.05 && sec >= 20;
    ctx.log(`  warm-up round ${rounds}: ${rate} msg/s`);
    if (quick || settled || sec >= 90) return { rounds, seconds: round(sec), lastRate: rate };
    prev = Math.max(prev, rate);
  }
}

/** One closed-loop level. mode 'rest' | 'socket'. */
export async function runLevel(ctx, h, { mode, C, duration, warmup, drainMs = 5000, restApi, quiet = false }) {
  const { sampler, log } = ctx; const P = h.senders.length;
  const api = restApi || ctx.api;
  h.registry.clear();
  const tStart = performance.now(); const tMeasure = tStart + warmup * 1000; const tEnd = tMeasure + duration * 1000;
  const sStart = sampler.elapsedSec() + warmup;
  const ts = new TimeSeries(tMeasure);
  const errors = {}; let backoffs = 0;
  const pad = 'x'.repeat(16);
  const worker = async (k) => {
    const p = k % P; const from = h.senders[p], to = h.receivers[p]; const sock = h.sSock[p];
    while (performance.now() < tEnd) {
      const cmid = randomUUID(); const t0 = performance.now();
      const rec = { t0, delivered: 0, dT: 0, aT: 0, status: null, messageID: null };
      h.registry.set(cmid, rec);
      const text = `bench|${cmid}|${pad}`;
      const r = mode === 'rest'
        ? await api.req('POST', `/api/message/${to.id}`, { message: text, clientMessageID: cmid }, from.token)
        : await emitAck(sock, 'message:send', { receiverID: to.id, message: text, clientMessageID: cmid }, 30000);
      rec.aT = performance.now(); rec.status = r.status;
      if (r.status === 200) { rec.messageID = r.body?.data?.messageID ?? rec.messageID; }
      else {
        if (rec.t0 >= tMeasure) errors[r.status] = (errors[r.status] || 0) + 1;
        if (r.status === 429 || r.status === 503) { backoffs++; const ra = Number(r.headers?.['retry-after']); await sleep(Math.min(isFinite(ra) && ra > 0 ? ra * 1000 : 50, 250)); }
        else if (r.status === 'neterr' || r.status === 'timeout') await sleep(50);
      }
    }
  };
  let pgA = null;
  const pgWatch = ctx.pgmon && !quiet ? (async () => { await sleep(Math.max(0, tMeasure - performance.now())); pgA = await ctx.pgmon.snapshot(); ctx.pgmon.startWaits(100); })() : null;
  await Promise.all(Array.from({ length: C }, (_, k) => worker(k)));
  const tStop = performance.now();
  let pgStats = null, pgB = null;
  if (pgWatch) { await pgWatch; const waits = ctx.pgmon.stopWaits(); pgB = await ctx.pgmon.snapshot(); pgStats = { waits }; }
  // drain: wait for every accepted message to reach its receiver
  const drainEnd = tStop + drainMs;
  const pending = () => { let n = 0; for (const r of h.registry.values()) if (r.status === 200 && r.delivered === 0) n++; return n; };
  while (performance.now() < drainEnd && pending() > 0) await sleep(100);
  const sEnd = sStart + duration;

  const lat = [], ackLat = [], latAll = [];
  let accepted = 0, delivered = 0, lost = 0, dup = 0, deliveredUnacked = 0, measuredSends = 0, echo = 0;
  for (const r of h.registry.values()) {
    if (r.status === 200 && r.delivered === 0) { if (r.t0 >= tMeasure) lost++; }
    if (r.delivered > 1 && r.t0 >= tMeasure) dup++;
    if (r.aT >= tMeasure && r.aT < tEnd && r.status === 200) { accepted++; ts.inc(r.aT, 'accepted'); }
    if (r.dT >= tMeasure && r.dT < tEnd) { delivered++; ts.inc(r.dT, 'delivered'); }
    if (r.t0 >= tMeasure) {
      measuredSends++;
      if (r.status === 200) ackLat.push(r.aT - r.t0);
      if (r.delivered > 0) { lat.push(r.dT - r.t0); ts.lat(r.dT, r.dT - r.t0); if (r.status !== 200) deliveredUnacked++; }
      echo += r.echo || 0;
    }
  }
  const cpu = sampler.result(sStart, sEnd);
  const perSec = ts.toJSON().filter((r) => r.t >= 0 && r.t < duration);
  const stalledSeconds = duration - perSec.filter((r) => (r.accepted || 0) > 0).length;
  const hc = await api.req('GET', '/actuator/health'); // still answering after the level?
  const res = {
    mode, C, pairs: P, durationSec: duration, warmupSec: warmup,
    acceptedPerSec: round(accepted / duration), deliveredPerSec: round(delivered / duration),
    sends: measuredSends, lost, duplicated: dup, deliveredButNotAcked: deliveredUnacked, senderEchoes: echo,
    errors, backoffs, stalledSeconds, healthAfter: { status: hc.status, ms: round(hc.ms, 1) }, stillPendingAfterDrain: pending(), drainMs: round(performance.now() - tStop, 0),
    latencyMs: summarize(lat), ackLatencyMs: summarize(ackLat),
    cpu: { avgCpuPct: cpu.avgCpuPct, peakRssMiB: cpu.peakRssMiB }, series: ts.toJSON(),
  };
  // CPU cost per accepted message (ms of one core): less sensitive to other load than msg/s
  const perMsg = {}; const rate = accepted / duration;
  for (const [k, v] of Object.entries(cpu.avgCpuPct)) if (v != null && rate > 0 && !['machine', 'other'].includes(k)) perMsg[k] = Math.round((v * 10 / rate) * 1000) / 1000;
  res.cpuMsPerMsg = perMsg;
  if (pgStats && pgA && pgB) {
    let msgs = 0; for (const r of h.registry.values()) if (r.status === 200 && r.aT >= pgA.t && r.aT < pgB.t) msgs++;
    pgStats.counters = PgMonitor.delta(pgA, pgB, msgs); pgStats.counters.messagesPerSec = Math.round(msgs / pgStats.counters.secs);
    res.postgres = pgStats;
  }
  if (!quiet) log(`${mode} C=${C}: accepted ${res.acceptedPerSec}/s delivered ${res.deliveredPerSec}/s p50 ${res.latencyMs.p50} p99 ${res.latencyMs.p99} max ${res.latencyMs.max} lost ${lost} dup ${dup} errors ${JSON.stringify(errors)} cpu ${JSON.stringify(cpu.avgCpuPct)}`);
  h.registry.clear();
  return res;
}

/**
 * The ceiling of any REST call on this machine: the same load generator in a closed loop at C=64 on
 * GET /api/config (no auth, no database, no delivery, 250 bytes of JSON). A REST send cannot beat it.
 */
export async function httpFloor(ctx, { C = 64, seconds = 10 } = {}) {
  const api = ctx.apiFor(C); const end = performance.now() + seconds * 1000; let n = 0;
  const s0 = ctx.sampler.elapsedSec();
  await Promise.all(Array.from({ length: C }, async () => { while (performance.now() < end) { const r = await api.get('/api/config'); if (r.status === 200) n++; } }));
  const cpu = ctx.sampler.result(s0, s0 + seconds).avgCpuPct;
  const res = { path: 'GET /api/config', C, seconds, requestsPerSec: round(n / seconds), cpu };
  ctx.log(`HTTP floor: ${res.requestsPerSec} req/s for ${res.path} at C=${C} (cpu ${JSON.stringify(cpu)})`);
  return res;
}

export function sendTargets(levels) {
  const t = [];
  const c64 = levels.find((l) => l.C === 64);
  if (c64) {
    t.push({ name: `${c64.mode} C=64 delivered ≥ 6000 msg/s`, value: c64.deliveredPerSec, pass: c64.deliveredPerSec >= 6000 });
    t.push({ name: `${c64.mode} C=64 p99 ≤ 50 ms`, value: c64.latencyMs.p99, pass: c64.latencyMs.p99 != null && c64.latencyMs.p99 <= 50 });
    t.push({ name: `${c64.mode} C=64 0 lost, 0 duplicated`, value: `${c64.lost} lost, ${c64.duplicated} dup`, pass: c64.lost === 0 && c64.duplicated === 0 });
  }
  const c1k = levels.find((l) => l.C === 1024);
  if (c1k) {
    const bad = Object.keys(c1k.errors).filter((s) => s !== '429' && s !== '503');
    const ok = c1k.acceptedPerSec > 0 && bad.length === 0 && c1k.lost === 0 && !c1k.stalledSeconds && c1k.healthAfter?.status === 200;
    t.push({ name: `${c1k.mode} C=1024 graceful (no stalled second, only 429/503 errors, 0 lost, healthy after)`, value: `${c1k.acceptedPerSec}/s, errors ${JSON.stringify(c1k.errors)}, lost ${c1k.lost}, stalled s ${c1k.stalledSeconds}, health ${c1k.healthAfter?.status}`, pass: ok });
  }
  return t;
}

export async function run(ctx, mode) {
  const { opts, nodes } = ctx;
  const levels = opts.levels || [8, 64, 256, 1024];
  const duration = opts.duration ?? (opts.quick ? 5 : 15), warmup = opts.warmup ?? (opts.quick ? 2 : 5);
  const h = await setupPairs(ctx, { pairs: opts.pairs || 50, senderNode: nodes[0], receiverNode: nodes[0], label: mode === 'rest' ? 'r' : 'k' });
  const out = []; let warm = null, floor = null;
  try {
    // otherwise the first level pays for compilation
    warm = await jitWarmup(ctx, h, { mode, restApi: ctx.apiFor(64) });
    for (const C of levels) out.push(await runLevel(ctx, h, { mode, C, duration, warmup, restApi: ctx.apiFor(C) }));
    if (mode === 'rest') floor = await httpFloor(ctx, { seconds: opts.quick ? 3 : 10 });
  } finally { h.close(); }
  return { params: { pairs: opts.pairs || 50, levels, duration, warmup, jitWarmup: warm }, levels: out, httpFloor: floor, targets: sendTargets(out) };
}
