// history: one dialog with N (default 1,000,000) messages; page latency at newest/middle/oldest, offset vs keyset.
// Also: send rate (socket, C=64) on the empty table vs. with the N rows stored.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUsers, must, pmap, randomUUID, warmGets } from '../lib/api.mjs';
import { psql, psqlFile } from '../lib/server.mjs';
import { summarize, sleep, round } from '../lib/stats.mjs';
import { setupPairs, runLevel, jitWarmup } from './send.mjs';

const SEED_SQL = fileURLToPath(new URL('../sql/seed-history.sql', import.meta.url));

async function seedViaApi(ctx, a, b, n) {
  const api = ctx.apiFor(64); let i = 0;
  await pmap(Array.from({ length: 64 }), 64, async () => { while (i < n) { const k = i++; const [f, t] = k % 2 ? [a, b] : [b, a]; must(await api.post(`/api/message/${t.id}`, { message: `history ${k}`, clientMessageID: randomUUID() }, f.token), 'seed'); } });
}

async function pageStats(api, token, path, reqs, maxMs) {
  const lat = []; let rows = null; const errors = {}; const end = performance.now() + maxMs;
  for (let i = 0; i < 5; i++) await api.get(path, token); // warm
  for (let i = 0; i < reqs && performance.now() < end; i++) {
    const r = await api.get(path, token);
    if (r.status === 200) { lat.push(r.ms); rows = r.body?.data?.length ?? rows; } else errors[r.status] = (errors[r.status] || 0) + 1;
  }
  return { latencyMs: summarize(lat), rows, errors };
}

export async function run(ctx) {
  const { opts, nodes, log, db } = ctx;
  const N = opts.historySize || (opts.quick ? 200000 : 1000000);
  const duration = opts.duration ?? (opts.quick ? 5 : 15), warmup = opts.warmup ?? (opts.quick ? 2 : 5);
  const reqs = opts.quick ? 100 : 300;
  // 1. send rate on the (nearly) empty table
  const h = await setupPairs(ctx, { pairs: opts.pairs || 50, senderNode: nodes[0], receiverNode: nodes[0], label: 'h' });
  let sendEmpty, sendFull, seedSec, seedMethod;
  const [a, b] = await createUsers(ctx.api, 2, { prefix: 'hh' });
  try {
    await jitWarmup(ctx, h, { mode: 'socket' });
    sendEmpty = await runLevel(ctx, h, { mode: 'socket', C: 64, duration, warmup });
    // 2. seed N messages into one dialog a<->b
    must(await ctx.api.post(`/api/message/${b.id}`, { message: 'first', clientMessageID: randomUUID() }, a.token), 'first');
    const t0 = performance.now();
    if (db && existsSync(SEED_SQL) && opts.seed !== 'api') {
      seedMethod = 'SQL bulk insert (bench/sql/seed-history.sql)';
      log(`seeding ${N} messages via SQL`);
      psql(db, `select set_config('bench.a', '${a.id}', false)`); // sanity: db reachable
      execSeed(db, a.id, b.id, N);
    } else {
      seedMethod = 'public API (POST /api/message, C=64)';
      log(`seeding ${N} messages via API (no SQL seed available)`);
      await seedViaApi(ctx, a, b, N);
    }
    seedSec = round((performance.now() - t0) / 1000);
    log(`seeded in ${seedSec} s`);
    if (db) { try { psql(db, 'vacuum analyze'); } catch (e) { log(`vacuum failed: ${e.message}`); } }
    // 3. send rate with N rows stored
    sendFull = await runLevel(ctx, h, { mode: 'socket', C: 64, duration, warmup });
  } finally { h.close(); }

  // 4. pages (read as b, the receiver of half the messages)
  const api = ctx.api; const peer = a.id;
  const newest = must(await api.get(`/api/message/${peer}?take=50&skip=0`, b.token), 'newest');
  const total = N + 1;
  const mid = Math.floor(total / 2), oldestSkip = Math.max(0, total - 50);
  const midPage = must(await api.get(`/api/message/${peer}?take=50&skip=${mid}`, b.token), 'mid');
  const oldPage = must(await api.get(`/api/message/${peer}?take=50&skip=${oldestSkip}`, b.token), 'oldest');
  log(`pages: newest ${newest.length} rows, middle ${midPage.length}, oldest ${oldPage.length}`);
  // keyset pages first: an offset page deep in 1M rows keeps Postgres busy for seconds (it walks the
  // whole index), and whatever is measured right after it pays for that
  const plan = [
    ['newest', 'keyset', `before=${newest[0].messageID + 1}`], ['middle', 'keyset', `before=${midPage[0].messageID + 1}`],
    ['oldest', 'keyset', `before=${oldPage[0].messageID + 1}`],
    ['newest', 'offset', `skip=0`], ['middle', 'offset', `skip=${mid}`], ['oldest', 'offset', `skip=${oldestSkip}`],
  ];
  const warmed = await warmGets(api, b.token, plan.filter(([, m]) => m === 'keyset').map(([, , q]) => `/api/message/${peer}?take=50&${q}`), { seconds: opts.quick ? 3 : 20 });
  log(`history read path warmed with ${warmed} keyset requests`);
  const pages = [];
  for (const [position, method, q] of plan) {
    const s = await pageStats(api, b.token, `/api/message/${peer}?take=50&${q}`, method === 'offset' && position !== 'newest' ? Math.min(reqs, 50) : reqs, 60000);
    pages.push({ position, method, query: q, ...s });
    log(`history ${position} ${method}: p50 ${s.latencyMs.p50} ms p99 ${s.latencyMs.p99} rows ${s.rows}`);
  }
  const keyset = pages.filter((p) => p.method === 'keyset');
  const worstKeysetMedian = Math.max(...keyset.map((p) => p.latencyMs.p50 ?? Infinity));
  const ratio = sendEmpty.deliveredPerSec ? sendFull.deliveredPerSec / sendEmpty.deliveredPerSec : null;
  return {
    params: { historySize: N, requestsPerPage: reqs, take: 50 }, seedSec, seedMethod, pages, sendEmpty, sendFull,
    targets: [
      { name: 'history keyset page ≤ 3 ms median (newest/middle/oldest)', value: worstKeysetMedian, pass: worstKeysetMedian <= 3 },
      { name: `send rate with ${N.toLocaleString('en-US')} messages stored within 10% of empty table`, value: `${sendFull.deliveredPerSec} vs ${sendEmpty.deliveredPerSec} msg/s (${ratio == null ? '–' : Math.round(ratio * 1000) / 10}%)`, pass: ratio != null && ratio >= 0.9 },
      { name: 'keyset pages return 50 rows', value: keyset.map((p) => p.rows).join('/'), pass: keyset.every((p) => p.rows === 50) },
    ],
  };
}

function execSeed(db, a, b, n) {
  // psql -v a=.. -v b=.. -v n=.. -f seed-history.sql
  const { execFileSync } = require_();
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-d', db, '-v', `a=${a}`, '-v', `b=${b}`, '-v', `n=${n}`, '-f', SEED_SQL], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, timeout: 1800000 });
}
import * as cp from 'node:child_process';
const require_ = () => cp;
