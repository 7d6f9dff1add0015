// idle: N authenticated sockets held open; server memory per socket and idle CPU.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createUsers } from '../lib/api.mjs';
import { rssKiB, threadCount, fdCount } from '../lib/sampler.mjs';
import { heapInfo, promMemory } from '../lib/server.mjs';
import { sleep, round } from '../lib/stats.mjs';

const WORKER = fileURLToPath(new URL('../lib/idle-worker.mjs', import.meta.url));
const PER_WORKER = 8000;

function fdLimit(pid) {
  try { const m = readFileSync(`/proc/${pid}/limits`, 'utf8').match(/Max open files\s+(\d+)\s+(\d+)/); return m ? +m[1] : null; } catch { return null; }
}
function onceMsg(child, type, timeoutMs) {
  return new Promise((res, rej) => {
    const t = setTimeout(() => { child.off('message', h); rej(new Error(`worker timeout waiting for ${type}`)); }, timeoutMs);
    const h = (m) => { if (m.type === type) { clearTimeout(t); child.off('message', h); res(m); } };
    child.on('message', h);
  });
}

export async function run(ctx) {
  const { opts, nodes, log, sampler } = ctx; const node = nodes[0]; const pid = node.pid;
  const limit = pid ? fdLimit(pid) : null;
  const requested = opts.sockets || (opts.quick ? 5000 : 50000);
  const target = limit ? Math.min(requested, limit - 1000) : requested;
  const note = limit && limit - 1000 < requested ? `Requested ${requested} sockets but the server process may open only ${limit} files (hard RLIMIT_NOFILE of this container, cannot be raised without CAP_SYS_RESOURCE), so the run holds ${target}; per-socket figures extrapolate linearly to 50,000.` : null;
  const holdSec = opts.hold || (opts.quick ? 15 : 60);
  const users = await createUsers(ctx.api, 100, { prefix: 'i', concurrency: 8 });
  const tokens = users.map((u) => u.token);
  const measure = async (sockets) => {
    await sleep(2000);
    const heap = pid ? heapInfo(pid, { gc: true }) : {};
    await sleep(1000);
    const prom = await promMemory(node.url);
    const row = { sockets, rssMiB: pid ? round(rssKiB(pid) / 1024, 1) : null, heapUsedMiB: heap.usedMiB ?? null, heapRaw: heap.raw ?? heap.error, prom, threads: pid ? threadCount(pid) : null, fds: pid ? fdCount(pid) : null };
    log(`idle: ${sockets} sockets rss ${row.rssMiB} MiB heap ${row.heapUsedMiB} MiB threads ${row.threads} fds ${row.fds}`);
    return row;
  };
  // baseline: server warmed up by the user creation, no sockets
  const steps = [await measure(0)];
  let s0 = sampler.elapsedSec(); await sleep(10000);
  const baselineCpuPct = sampler.result(s0, s0 + 9).avgCpuPct.server ?? null;

  const nWorkers = Math.ceil(target / PER_WORKER);
  const workers = [];
  for (let w = 0; w < nWorkers; w++) {
    const child = fork(WORKER, [], { env: { ...process.env, MAX_LIFETIME_MS: String((holdSec + 900) * 1000) }, execArgv: ['--max-old-space-size=4096'] });
    await onceMsg(child, 'ready', 10000); workers.push(child);
  }
  let connected = 0, failed = 0; const errors = {};
  const fractions = opts.quick ? [0.5, 1] : [0.25, 0.5, 0.75, 1];
  const tConn0 = performance.now(); let connectMs = 0;
  try {
    let done = 0;
    for (const f of fractions) {
      const goal = Math.round(target * f); const stepCount = goal - done;
      const per = Math.ceil(stepCount / nWorkers);
      const t0 = performance.now();
      const rs = await Promise.all(workers.map((c, w) => {
        const count = Math.max(0, Math.min(per, stepCount - per * w));
        c.send({ cmd: 'connect', socketUrl: node.socketUrl, tokens, count, localAddress: `127.0.0.${2 + w}`, concurrency: 100 });
        return onceMsg(c, 'connected', 600000);
      }));
      connectMs += performance.now() - t0;
      done = goal;
      connected = rs.reduce((s, r) => s + r.connected, 0) + 0; // cumulative per worker
      failed = rs.reduce((s, r) => s + r.failed, 0);
      for (const r of rs) for (const [k, v] of Object.entries(r.errors || {})) errors[k] = (errors[k] || 0) + v;
      log(`idle: connected ${connected}/${goal}, failed ${failed} (${Math.round(performance.now() - t0)} ms)`);
      steps.push(await measure(connected));
    }
    // hold and measure idle CPU
    s0 = sampler.elapsedSec(); log(`idle: holding ${connected} sockets for ${holdSec} s`);
    await sleep(holdSec * 1000);
    const idleCpu = sampler.result(s0 + 1, s0 + holdSec - 1).avgCpuPct;
    const st = await Promise.all(workers.map((c) => { c.send({ cmd: 'status' }); return onceMsg(c, 'status', 30000); }));
    const still = st.reduce((s, r) => s + r.connected, 0), dropped = st.reduce((s, r) => s + r.dropped, 0);
    const last = steps.at(-1), base = steps[0];
    const perSocketKiB = connected ? { rss: round(((last.rssMiB - base.rssMiB) * 1024) / connected, 2), heap: last.heapUsedMiB != null && base.heapUsedMiB != null ? round(((last.heapUsedMiB - base.heapUsedMiB) * 1024) / connected, 2) : null } : null;
    log(`idle: per socket ${JSON.stringify(perSocketKiB)} KiB; idle cpu ${JSON.stringify(idleCpu)}; still connected ${still}, dropped ${dropped}`);
    const memOk = perSocketKiB && perSocketKiB.rss <= 10 && (perSocketKiB.heap == null || perSocketKiB.heap <= 10);
    return {
      params: { requested, target, holdSec, workers: nWorkers, users: users.length }, note, connected, failed, connectErrors: errors,
      connectPerSec: round(connected / (connectMs / 1000)), steps, perSocketKiB, baselineCpuPct, idleCpuPct: idleCpu.server ?? null, idleCpuAll: idleCpu,
      stillConnected: still, droppedDuringHold: dropped,
      targets: [
        { name: '≤ 10 KiB server memory per idle socket (RSS and heap)', value: perSocketKiB ? `${perSocketKiB.rss} KiB RSS, ${perSocketKiB.heap} KiB heap` : null, pass: !!memOk },
        { name: `${target < 50000 ? `${connected} (max here)` : '50k'} idle sockets at near-zero server CPU (≤ 5% of a core)`, value: `${idleCpu.server}%`, pass: connected >= target * 0.99 && idleCpu.server != null && idleCpu.server <= 5 },
      ],
    };
  } finally {
    await Promise.all(workers.map(async (c) => { try { c.send({ cmd: 'close' }); await onceMsg(c, 'closed', 30000); } catch {} c.kill(); }));
    log(`idle: closed (connect phase ${Math.round((performance.now() - tConn0) / 1000)} s)`);
  }
}
